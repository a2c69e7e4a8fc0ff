"""Where each Option-Critic option ends in Four Rooms, option by option (the paper's termination figure, in numbers).

``benchmarks/option_critic/option_critic_fourrooms.py`` pools the termination counts over options and runs. Pooling can
hide what the paper's figure shows per option: if one option ends at a doorway and another passes through it, their pooled
rate there is unremarkable. This script looks at every (run, option) pair on its own, in the goal-switch experiment
(Option-Critic with ``--options`` options, the settings of ``option_critic_fourrooms``), over the last
``--count-episodes`` episodes before the move and the last ones of the run:

* **hotspot test**: among the cells where the option arrived at least ``--min-arrivals`` times (leaving out the goal
  and its neighbours, as the pooled table does), the cell where it ended most often (empirical rate; ties drawn at
  random) is at or next to a doorway in an observed fraction of pairs, against the fraction expected if the hotspot
  were any of the option's eligible cells at random (the mean over pairs of |near-door eligible| / |eligible|);
  ``z`` is the observed minus expected count over its binomial standard deviation;
* **contrast**: per pair, the pooled termination rate over its eligible cells at or next to a doorway minus that
  over its other eligible cells; mean and standard error over pairs;
* the same two with ``beta_w(s)`` (snapshot at the window's last episode) in place of the empirical rate;
* a figure in the paper's format: ``beta_w(s)`` of each option of the first ``--maps`` runs, after the move's last
  episode and before it, cells the option never reached in the window left blank.

    python -m benchmarks.option_critic.option_critic_doorways --runs 100
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from agents.option_critic.tabular import TabularOptionCritic, run_goal_switch
from benchmarks.option_critic.option_critic_fourrooms import (
    RESULTS,
    add_goal_switch_arguments,
    count_windows,
    doorway_names,
    draw_cells,
    oc_settings,
)
from benchmarks.report import page_link, write_section
from hrl_wrappers.envs.four_rooms import FourRoomsEnv


def distances_from(goal: int) -> np.ndarray:
    """Shortest-path distance (in moves) from ``goal`` to every state of Four Rooms."""
    dist = np.full(FourRoomsEnv.n_states, -1)
    dist[goal] = 0
    frontier = [goal]
    while frontier:
        nxt = []
        for s in frontier:
            for n in FourRoomsEnv.neighbours(s):
                if dist[n] < 0:
                    dist[n] = dist[s] + 1
                    nxt.append(n)
        frontier = nxt
    return dist


def near_door_cells() -> dict[int, str]:
    """Every doorway and every cell next to one, mapped to the name of that doorway."""
    out = {}
    for door, name in doorway_names().items():
        for s in {door, *FourRoomsEnv.neighbours(door)}:
            out[s] = name
    return out


def within_pair_regression(pair: np.ndarray, rate: np.ndarray, near: np.ndarray, log_arrivals: np.ndarray) -> dict[str, float]:
    """Termination rate on near-door and log(arrivals), with one intercept per (run, option) pair.

    Doorways are bottlenecks: options arrive there more often than elsewhere, and where an option arrives often its
    ``beta`` has had more updates. This asks whether near-door cells end options more often *at the same number of
    arrivals*: OLS after removing each pair's means; standard errors clustered by pair.
    """
    if len(pair) == 0:
        return {"near_door": float("nan"), "se": float("nan"), "log_arrivals": float("nan")}
    x = np.stack([near, log_arrivals], axis=1)
    y = rate.astype(np.float64)
    counts = np.bincount(pair)
    x_mean = np.stack([np.bincount(pair, weights=x[:, j]) / counts for j in range(2)], axis=1)
    y_dm = y - (np.bincount(pair, weights=y) / counts)[pair]
    x_dm = x - x_mean[pair]
    xtx_inv = np.linalg.pinv(x_dm.T @ x_dm)
    coef = xtx_inv @ x_dm.T @ y_dm
    resid = y_dm - x_dm @ coef
    scores = np.zeros((len(counts), 2))
    np.add.at(scores, pair, x_dm * resid[:, None])
    cov = xtx_inv @ (scores.T @ scores) @ xtx_inv
    return {"near_door": float(coef[0]), "se": float(np.sqrt(cov[0, 0])), "log_arrivals": float(coef[1])}


def pair_statistics(
    visits: np.ndarray,
    ends: np.ndarray,
    betas: np.ndarray,
    goals: np.ndarray,
    min_arrivals: int,
    exclude_within: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Hotspot test and contrast over every (run, option) pair; see the module doc.

    :param visits: ``(runs, states, options)`` arrivals in the window.
    :param ends: the matching option terminations.
    :param betas: ``(runs, states, options)`` termination probabilities at the window's end.
    :param goals: ``(runs,)`` the goal of each run in the window.
    :param exclude_within: leave out the cells this many moves or fewer from the goal (1: the goal's neighbours).
    """
    hits: dict[str, list[float]] = {"rate": [], "beta": []}
    by_door: dict[str, int] = {name: 0 for name in doorway_names().values()}
    by_door_expected: dict[str, float] = {name: 0.0 for name in doorway_names().values()}
    chance: list[float] = []
    contrast: dict[str, list[float]] = {"rate": [], "beta": []}
    door_of = near_door_cells()
    # per (pair, cell) rows for the regression that holds the arrival count fixed
    reg_pair: list[int] = []
    reg_rate: list[float] = []
    reg_near: list[float] = []
    reg_log_arrivals: list[float] = []
    n_runs, _, n_options = visits.shape
    for run in range(n_runs):
        dist = distances_from(int(goals[run]))
        candidates = [s for s in range(FourRoomsEnv.n_states) if dist[s] > exclude_within]
        for option in range(n_options):
            v, e, b = visits[run, :, option], ends[run, :, option], betas[run, :, option]
            eligible = [s for s in candidates if v[s] >= min_arrivals]
            in_near = np.array([s in door_of for s in eligible])
            if len(eligible) < 5 or not in_near.any() or in_near.all():
                continue
            cells = np.array(eligible)
            reg_pair += [len(chance)] * len(cells)
            reg_rate += list(e[cells] / v[cells])
            reg_near += list(in_near.astype(float))
            reg_log_arrivals += list(np.log(v[cells]))
            chance.append(float(in_near.mean()))
            for s in eligible:
                if s in door_of:
                    by_door_expected[door_of[s]] += 1.0 / len(eligible)
            rate = e[cells] / v[cells]
            for name, score in (("rate", rate), ("beta", b[cells])):
                best = rng.choice(np.flatnonzero(score == score.max()))
                hits[name].append(float(in_near[best]))
                if name == "rate" and in_near[best]:
                    by_door[door_of[int(cells[best])]] += 1
            near_cells, far_cells = cells[in_near], cells[~in_near]
            contrast["rate"].append(float(e[near_cells].sum() / v[near_cells].sum() - e[far_cells].sum() / v[far_cells].sum()))
            contrast["beta"].append(float(b[near_cells].mean() - b[far_cells].mean()))
    p = np.array(chance)
    out: dict[str, Any] = {
        "pairs": len(p),
        "expected_hit_fraction": float(p.mean()) if len(p) else float("nan"),
        "rate_hotspots_by_doorway": by_door,
        "rate_hotspots_by_doorway_expected": by_door_expected,
    }
    out["near_door_at_equal_arrivals"] = within_pair_regression(
        np.array(reg_pair), np.array(reg_rate), np.array(reg_near), np.array(reg_log_arrivals)
    )
    for name in ("rate", "beta"):
        h = np.array(hits[name])
        c = np.array(contrast[name])
        sd = float(np.sqrt((p * (1 - p)).sum()))
        out[name] = {
            "hit_fraction": float(h.mean()) if len(h) else float("nan"),
            "z": float((h.sum() - p.sum()) / sd) if sd > 0 else float("nan"),
            "contrast_mean": float(c.mean()) if len(c) else float("nan"),
            "contrast_sem": float(c.std(ddof=1) / np.sqrt(len(c))) if len(c) > 1 else float("nan"),
        }
    return out


def option_maps(betas: np.ndarray, visits: np.ndarray, runs: int, path: pathlib.Path, title: str, min_arrivals: int) -> None:
    """``beta_w(s)`` per option (columns) for the first ``runs`` runs (rows); unreached cells blank."""
    n_options = betas.shape[2]
    fig = Figure(figsize=(2.2 * n_options + 0.8, 2.4 * runs))
    image = None
    for run in range(runs):
        for option in range(n_options):
            grid = np.full((13, 13), np.nan)
            for s in range(FourRoomsEnv.n_states):
                if visits[run, s, option] >= min_arrivals:
                    grid[FourRoomsEnv.cell_of(s)] = betas[run, s, option]
            axis = fig.add_subplot(runs, n_options, run * n_options + option + 1)
            reached = int((visits[run, :, option] >= min_arrivals).sum())
            image = draw_cells(axis, grid, f"run {run}, option {option} ({reached} cells)")
    if image is not None:
        fig.colorbar(image, ax=fig.axes, shrink=0.6, label="beta_w(s)")
    fig.suptitle(title, fontsize=9)
    fig.savefig(path, dpi=100, bbox_inches="tight")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_goal_switch_arguments(parser)
    parser.add_argument("--options", type=int, default=4)
    parser.add_argument("--temperature", type=float, default=0.001)
    parser.add_argument("--xi", type=float, nargs="+", default=[0.0, 0.01])
    parser.add_argument("--min-arrivals", type=int, default=10)
    parser.add_argument(
        "--exclude-within",
        type=int,
        nargs="+",
        default=[1, 3, 6],
        help="leave out the cells this many moves or fewer from the goal (one table row each)",
    )
    parser.add_argument("--maps", type=int, default=2, help="runs drawn in the per-option figure")
    args = parser.parse_args()
    out = RESULTS
    out.mkdir(parents=True, exist_ok=True)
    windows = count_windows(args)
    rows, results = [], {}
    for xi in args.xi:
        settings = oc_settings(argparse.Namespace(**{**vars(args), "xi": xi}), args.temperature)
        rng = np.random.default_rng(args.seed)
        started = time.time()
        learner = TabularOptionCritic(args.runs, args.options, rng, **settings)
        result = run_goal_switch(
            learner,
            args.runs,
            rng,
            n_episodes=args.episodes,
            switch_at=args.switch_at,
            snapshot_episodes=tuple(last for _, last in windows),
            count_windows=windows,
        )
        stats_rng = np.random.default_rng(args.seed + 1)
        for first, last in windows:
            goals = np.full(args.runs, 62) if last <= args.switch_at else result.new_goals
            for within in args.exclude_within:
                stats = pair_statistics(
                    result.visits[(first, last)],
                    result.terminations[(first, last)],
                    result.snapshots[last],
                    goals,
                    args.min_arrivals,
                    within,
                    stats_rng,
                )
                results[f"xi={xi}, episodes {first + 1}-{last}, cells within {within} of the goal left out"] = stats
                rows.append((xi, f"{first + 1}-{last}", within, stats))
            if not args.no_write:
                option_maps(
                    result.snapshots[last],
                    result.visits[(first, last)],
                    args.maps,
                    out / f"option_maps_xi{xi:g}_{first + 1}-{last}.png",
                    f"beta_w(s) after episode {last}, {args.options} options, xi={xi:g} (cells reached by the option at "
                    f"least {args.min_arrivals} times in episodes {first + 1}-{last}; doorways outlined)",
                    args.min_arrivals,
                )
        print(f"xi={xi}: {time.time() - started:.0f} s", flush=True)
    lines = [
        "| xi | episodes | cells near the goal left out (moves) | (run, option) pairs | near-door share of eligible "
        "cells (chance of a hit) | hotspot at or next to a doorway: empirical rate (z) | same, beta (z) | contrast "
        "near-door minus other: empirical rate | same, beta | near-door effect on the rate at equal arrivals (s.e.) | "
        "empirical-rate hotspots per doorway (expected by chance) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for xi, window, within, s in rows:
        r, b, eq = s["rate"], s["beta"], s["near_door_at_equal_arrivals"]
        expected = s["rate_hotspots_by_doorway_expected"]
        doors = ", ".join(f"{k} {v} ({expected[k]:.0f})" for k, v in s["rate_hotspots_by_doorway"].items())
        lines.append(
            f"| {xi:g} | {window} | <= {within} | {s['pairs']} | {s['expected_hit_fraction']:.3f} | "
            f"{r['hit_fraction']:.3f} ({r['z']:+.1f}) | {b['hit_fraction']:.3f} ({b['z']:+.1f}) | "
            f"{r['contrast_mean']:+.3f} ± {r['contrast_sem']:.3f} | {b['contrast_mean']:+.3f} ± {b['contrast_sem']:.3f} "
            f"| {eq['near_door']:+.3f} ({eq['se']:.3f}) | {doors} |"
        )
    body = (
        f"Command: `python -m benchmarks.option_critic.option_critic_doorways --runs {args.runs}`. Option-Critic with "
        f"{args.options} options, {args.runs} runs of {args.episodes} episodes, goal moved after {args.switch_at}; "
        f"temperature {args.temperature:g}, {args.option_selection}, V_Omega = {args.termination_value}, step sizes "
        f"critic {args.lr_critic:g} / intra-option {args.lr_intra:g} / termination {args.lr_term:g}. Each (run, option) "
        f"pair is scored on its own: its eligible cells are those it arrived in at least {args.min_arrivals} times in "
        "the window, leaving out the cells within the named number of moves of the goal (1: the goal and its "
        "neighbours; 3 also removes the doorways' share that is only nearness to the goal, e.g. the doorways into the "
        "goal's room after the move); 'near-door' is a doorway or a cell next to one. A hit: the "
        "option's highest-termination cell is near-door; chance is the near-door share of its eligible cells; z is "
        "(hits - expected) / binomial sd. Contrast: termination rate (or mean beta) over its near-door cells minus "
        "over its other cells (mean ± s.e. over pairs).\n\n"
        + "\n".join(lines)
        + "\n\n"
        + "\n".join(
            f"![beta per option, xi={xi:g}, episodes {w}]({page_link(RESULTS / f'option_maps_xi{xi:g}_{w}.png')})"
            for xi, w, within, _ in rows
            if within == args.exclude_within[0]
        )
        + "\n"
    )
    print(body)
    if not args.no_write:
        (out / "doorways.json").write_text(json.dumps(results, indent=2))
        write_section("option-critic-fourrooms-doorways", "Tabular Option-Critic on Four Rooms: where each option ends", body)


if __name__ == "__main__":
    main()
