"""Tabular Option-Critic on Four Rooms: the goal-switch experiment of Bacon, Harb & Precup (AAAI 2017).

The goal starts in the east doorway and, after 1000 episodes, moves to a random cell of the lower-right room (drawn
per run). Every method runs ``--runs`` independent runs, vectorised over runs with numpy
(:func:`agents.option_critic.tabular.run_goal_switch`).

Two experiments:

* default: Option-Critic with 4 and with 8 options, actor-critic (AC-PG) and SARSA(0), once per Boltzmann temperature
  of ``--temperatures``. Writes ``steps.png`` (mean steps per episode), ``recovery`` numbers (mean steps after the move,
  episodes until a run's 20-episode average is back under ``--recovered-below`` steps), where the options end
  (``termination_rates.png``: per cell, the empirical rate ``option terminations / arrivals`` over episodes 801-1000
  and 1801-2000, pooled over runs and options), ``terminations.png`` (mean ``beta`` per cell), ``summary.json`` and a
  table into ``docs/results/option_critic.md`` (section ``option-critic-fourrooms``).
* ``--grid``: Option-Critic with 4 options under every combination of temperature (``--temperatures``), policy over
  options (epsilon-greedy, the paper's Algorithm 1; softmax, the original code's), ``V_Omega`` in the termination
  advantage (the policy's value, the paper's; ``max``, the original code's) and ``xi`` (0, the tabular experiment's;
  0.01, the paper's ALE value). Writes ``grid.json``, ``grid_rates_<window>.png`` and a table (section
  ``option-critic-fourrooms-terminations``).

Termination rates are grouped per run by cell type: the doorways, the cells next to a doorway, the cells next to the
goal (before the move the goal *is* the east doorway, so its neighbours are set apart: every path ends through them),
and all other cells; the goal itself has no arrivals that can end an option.

    python -m benchmarks.option_critic.option_critic_fourrooms --runs 100 --temperatures 0.001 0.01
    python -m benchmarks.option_critic.option_critic_fourrooms --grid --runs 100 --temperatures 0.001 0.01
"""

from __future__ import annotations

import argparse
import itertools
import json
import pathlib
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from agents.option_critic.tabular import (
    GoalSwitchResult,
    TabularActorCritic,
    TabularOptionCritic,
    TabularSARSA,
    run_goal_switch,
    termination_rates,
)
from benchmarks.report import ROOT, page_link, write_section
from hrl_wrappers.envs.four_rooms import FourRoomsEnv

RESULTS = ROOT / "benchmarks" / "results" / "option_critic_fourrooms"
WINDOWS = ((0, 100), (900, 1000), (1000, 1100), (1000, 1010), (1100, 1200), (1900, 2000))
GROUPS = ("doorways", "next_to_doorways", "next_to_goal", "other_cells")
GRID = {
    "option_selection": ("epsilon_greedy", "softmax"),
    "termination_value": ("policy", "max"),
    "xi": (0.0, 0.01),
}


def oc_settings(args: argparse.Namespace, temperature: float) -> dict[str, Any]:
    """Keyword arguments of :class:`TabularOptionCritic` from the command line (one temperature)."""
    return {
        "lr_critic": args.lr_critic,
        "lr_intra": args.lr_intra,
        "lr_term": args.lr_term,
        "epsilon": args.epsilon,
        "temperature": temperature,
        "option_temperature": temperature,
        "option_selection": args.option_selection,
        "termination_value": args.termination_value,
        "xi": args.xi,
    }


def learners(args: argparse.Namespace, temperature: float) -> dict[str, Callable[[int, np.random.Generator], Any]]:
    """Factories ``(n_runs, rng) -> learner`` of every method of the experiment."""
    oc = oc_settings(args, temperature)
    return {
        "OC, 4 options": lambda n, rng: TabularOptionCritic(n, 4, rng, **oc),
        "OC, 8 options": lambda n, rng: TabularOptionCritic(n, 8, rng, **oc),
        "AC-PG": lambda n, rng: TabularActorCritic(
            n, rng, lr_critic=args.lr_critic, lr_actor=args.lr_intra, temperature=temperature
        ),
        "SARSA(0)": lambda n, rng: TabularSARSA(n, rng, lr=args.lr_critic, epsilon=args.epsilon),
    }


def cell_groups(goal: int) -> dict[str, list[int]]:
    """The non-goal cells by type, for a goal in ``goal`` (the neighbours of the goal are their own group)."""
    near_goal = set(FourRoomsEnv.neighbours(goal)) - {goal}
    doors = set(FourRoomsEnv.doorway_states()) - near_goal - {goal}
    near = {n for d in doors for n in FourRoomsEnv.neighbours(d)} - doors - near_goal - {goal}
    other = set(range(FourRoomsEnv.n_states)) - doors - near - near_goal - {goal}
    return {
        "doorways": sorted(doors),
        "next_to_doorways": sorted(near),
        "next_to_goal": sorted(near_goal),
        "other_cells": sorted(other),
    }


def group_rates(visits: np.ndarray, ends: np.ndarray, goals: np.ndarray) -> dict[str, np.ndarray]:
    """Per run: the empirical termination rate in each cell group (NaN where a run never arrived there)."""
    rates = {g: np.full(len(goals), np.nan) for g in GROUPS}
    for run, goal in enumerate(goals):
        for group, cells in cell_groups(int(goal)).items():
            rates[group][run] = termination_rates(visits[run : run + 1], ends[run : run + 1], cells)[0]
    return rates


def mean_sem(x: np.ndarray) -> tuple[float, float]:
    """Mean and standard error over runs, ignoring NaN."""
    x = x[~np.isnan(x)]
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan")


def rate_summary(visits: np.ndarray, ends: np.ndarray, goals: np.ndarray) -> dict[str, Any]:
    """Group rates (mean, sem over runs), paired differences to the other cells, option duration and arrivals."""
    rates = group_rates(visits, ends, goals)
    out: dict[str, Any] = {g: mean_sem(rates[g]) for g in GROUPS}
    out["doorways_minus_other"] = mean_sem(rates["doorways"] - rates["other_cells"])
    out["next_to_doorways_minus_other"] = mean_sem(rates["next_to_doorways"] - rates["other_cells"])
    out["arrivals_per_termination"] = float(visits.sum() / max(1, ends.sum()))
    return out


def rate_grid(visits: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Empirical termination rate per cell pooled over runs and options, as a 13x13 grid (walls NaN)."""
    rates = termination_rates(visits.sum(axis=0, keepdims=True), ends.sum(axis=0, keepdims=True))[0]
    grid = np.full((13, 13), np.nan)
    for s in range(FourRoomsEnv.n_states):
        grid[FourRoomsEnv.cell_of(s)] = rates[s]
    return grid


def doorway_names() -> dict[int, str]:
    """Each doorway named by the two rooms it joins."""
    short = {"upper_left": "UL", "upper_right": "UR", "lower_left": "LL", "lower_right": "LR"}
    names = {}
    for door in FourRoomsEnv.doorway_states():
        rooms = [
            short[room] for room in short if any(n in FourRoomsEnv.room_states(room) for n in FourRoomsEnv.neighbours(door))
        ]
        names[door] = "-".join(rooms)
    return names


def doorway_neighbour_rates(rate_map: np.ndarray) -> dict[str, float]:
    """From a pooled rate map: each doorway's rate and the mean rate of the cells next to it, and of all other cells."""
    out, near = {}, set()
    for door, name in doorway_names().items():
        cells = FourRoomsEnv.neighbours(door)
        near |= set(cells) | {door}
        out[f"{name} doorway"] = float(rate_map[FourRoomsEnv.cell_of(door)])
        out[f"next to {name}"] = float(np.nanmean([rate_map[FourRoomsEnv.cell_of(s)] for s in cells]))
    rest = [rate_map[FourRoomsEnv.cell_of(s)] for s in range(FourRoomsEnv.n_states) if s not in near]
    out["all other cells"] = float(np.nanmean(rest))
    return out


def termination_grid(betas: np.ndarray) -> np.ndarray:
    """Mean over runs and options of ``beta_w(s)`` (``betas``: runs x states x options) as a 13x13 grid (walls NaN)."""
    grid = np.full((13, 13), np.nan)
    mean = betas.mean(axis=(0, 2))
    for s in range(FourRoomsEnv.n_states):
        grid[FourRoomsEnv.cell_of(s)] = mean[s]
    return grid


def recovery(steps: np.ndarray, switch_at: int, below: float, average: int) -> np.ndarray:
    """Per run: episodes after the move until the mean of the last ``average`` episodes is at most ``below`` steps.

    The count is at least ``average``; a run that never gets there counts as ``n_episodes - switch_at + 1``.
    """
    post = steps[:, switch_at:].astype(np.float64)
    csum = np.concatenate([np.zeros((len(post), 1)), post.cumsum(axis=1)], axis=1)
    trailing = (csum[:, average:] - csum[:, :-average]) / average  # column j: episodes j+1 .. j+average after the move
    ok = trailing <= below
    return np.where(ok.any(axis=1), ok.argmax(axis=1) + average, post.shape[1] + 1)


def draw_cells(axis: Any, grid: np.ndarray, title: str, vmax: float = 1.0) -> Any:
    """One Four Rooms map with the doorways outlined in red."""
    image = axis.imshow(grid, cmap="viridis", vmin=0, vmax=vmax)
    for door in FourRoomsEnv.doorway_states():
        r, c = FourRoomsEnv.cell_of(door)
        axis.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="red", lw=1.5))
    axis.set_title(title, fontsize=8)
    axis.set_xticks([])
    axis.set_yticks([])
    return image


def fmt(pair: tuple[float, float], digits: int = 3) -> str:
    return f"{pair[0]:.{digits}f} ± {pair[1]:.{digits}f}"


def count_windows(args: argparse.Namespace) -> tuple[tuple[int, int], tuple[int, int]]:
    """The last ``--count-episodes`` episodes before the move and the last ones of the run."""
    n = min(args.count_episodes, args.switch_at, args.episodes - args.switch_at)
    return (args.switch_at - n, args.switch_at), (args.episodes - n, args.episodes)


def run_main(args: argparse.Namespace, out: pathlib.Path) -> str:
    """The four methods at every temperature; returns the section body."""
    windows = count_windows(args)
    summary: dict[str, Any] = {"settings": vars(args), "runs": {}}
    results: dict[tuple[float, str], GoalSwitchResult] = {}
    for t_index, temperature in enumerate(args.temperatures):
        for i, (name, make) in enumerate(learners(args, temperature).items()):
            rng = np.random.default_rng(args.seed + 1000 * i + 100_000 * t_index)
            start = time.perf_counter()
            result = run_goal_switch(
                make(args.runs, rng),
                args.runs,
                rng,
                n_episodes=args.episodes,
                switch_at=args.switch_at,
                snapshot_episodes=(args.switch_at, args.episodes),
                count_windows=windows if name.startswith("OC") else (),
            )
            wall = time.perf_counter() - start
            results[(temperature, name)] = result
            key = f"temperature {temperature}, {name}"
            rec = recovery(result.steps, args.switch_at, args.recovered_below, args.recovery_average)
            entry: dict[str, Any] = {
                "wall_s": round(wall, 1),
                "mean_steps": {f"{a + 1}-{b}": mean_sem(result.steps[:, a:b].mean(axis=1)) for a, b in WINDOWS},
                "episodes_to_recover": mean_sem(rec.astype(np.float64)),
                "episodes_to_recover_median": float(np.median(rec)),
                "not_recovered": int((rec > args.episodes - args.switch_at).sum()),
                "curve": np.round(result.steps.mean(axis=0), 2).tolist(),
            }
            if result.visits:
                pre_goals = np.full(args.runs, 62)
                entry["termination_rates"] = {
                    f"{a + 1}-{b}": rate_summary(
                        result.visits[(a, b)],
                        result.terminations[(a, b)],
                        pre_goals if b <= args.switch_at else result.new_goals,
                    )
                    for a, b in windows
                }
            summary["runs"][key] = entry
            print(f"{key}: {wall:.0f} s, 1001-1100 {fmt(entry['mean_steps']['1001-1100'], 1)}", flush=True)
            (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")

    figure = Figure(figsize=(9, 3.8 * len(args.temperatures)), layout="constrained")
    for ax, temperature in zip(np.atleast_1d(figure.subplots(len(args.temperatures), 1)), args.temperatures, strict=True):
        for (t, name), result in results.items():
            if t != temperature:
                continue
            curve = result.steps.mean(axis=0)
            ax.plot(np.arange(10, len(curve) + 1), np.convolve(curve, np.ones(10) / 10, mode="valid"), label=name)
        ax.axvline(args.switch_at, color="gray", ls="--", lw=1)
        ax.set_yscale("log")
        ax.set_xlabel("episode")
        ax.set_ylabel("steps per episode")
        ax.set_title(f"Boltzmann temperature {temperature}: mean of {args.runs} runs, 10-episode average", fontsize=9)
        ax.legend(fontsize=8)
    figure.suptitle(f"Four Rooms, goal moved after episode {args.switch_at}")
    figure.savefig(out / "steps.png", dpi=100)

    oc_runs = [(t, n) for (t, n) in results if n.startswith("OC")]
    figure = Figure(figsize=(2.6 * len(windows), 2.6 * len(oc_runs)), layout="constrained")
    axes = np.asarray(figure.subplots(len(oc_runs), len(windows))).reshape(len(oc_runs), len(windows))
    for row, (t, n) in enumerate(oc_runs):
        result = results[(t, n)]
        for col, (a, b) in enumerate(windows):
            image = draw_cells(
                axes[row, col],
                rate_grid(result.visits[(a, b)], result.terminations[(a, b)]),
                f"{n}, T={t}\nepisodes {a + 1}-{b}",
            )
    figure.colorbar(image, ax=axes, shrink=0.6, label="option terminations / arrivals")
    figure.suptitle(f"Where options end ({args.runs} runs pooled; doorways in red)")
    figure.savefig(out / "termination_rates.png", dpi=100)

    figure = Figure(figsize=(2.6 * 2, 2.6 * len(oc_runs)), layout="constrained")
    axes = np.asarray(figure.subplots(len(oc_runs), 2)).reshape(len(oc_runs), 2)
    for row, (t, n) in enumerate(oc_runs):
        for col, (ep, betas) in enumerate(sorted(results[(t, n)].snapshots.items())):
            image = draw_cells(axes[row, col], termination_grid(betas), f"{n}, T={t}\nbeta after episode {ep}")
    figure.colorbar(image, ax=axes, shrink=0.6, label="mean beta over runs and options")
    figure.savefig(out / "terminations.png", dpi=100)

    lines = [
        "| temperature | method | " + " | ".join(f"episodes {a + 1}-{b}" for a, b in WINDOWS) + " | wall s |",
        "|---|---|" + "---|" * (len(WINDOWS) + 1),
    ]
    rec_lines = [
        "| temperature | method | steps, episodes 1001-1100 | episodes to recover (mean) | median | not recovered "
        "by episode 2000 |",
        "|---|---|---|---|---|---|",
    ]
    term_lines = [
        "| temperature | options | episodes | doorways | next to doorways | next to goal | other cells | "
        "doorways - other | next to doorways - other | arrivals per termination |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, entry in summary["runs"].items():
        t, name = key.removeprefix("temperature ").split(", ", 1)
        lines.append(
            f"| {t} | {name} | "
            + " | ".join(fmt(entry["mean_steps"][f"{a + 1}-{b}"], 1) for a, b in WINDOWS)
            + f" | {entry['wall_s']:.0f} |"
        )
        rec_lines.append(
            f"| {t} | {name} | {fmt(entry['mean_steps']['1001-1100'], 1)} | {fmt(entry['episodes_to_recover'], 1)} | "
            f"{entry['episodes_to_recover_median']:.0f} | {entry['not_recovered']} / {args.runs} |"
        )
        for window, st in entry.get("termination_rates", {}).items():
            term_lines.append(
                f"| {t} | {name.removeprefix('OC, ')} | {window} | "
                + " | ".join(fmt(st[g]) for g in GROUPS)
                + f" | {fmt(st['doorways_minus_other'])} | {fmt(st['next_to_doorways_minus_other'])} | "
                f"{st['arrivals_per_termination']:.2f} |"
            )
    return (
        f"{args.runs} runs per method and temperature, {args.episodes} episodes, goal moved after episode "
        f"{args.switch_at} to a random cell of the lower-right room; moves fail with probability 1/3; gamma 0.99; step "
        f"sizes critic {args.lr_critic}, intra-option / actor {args.lr_intra}, termination {args.lr_term}; epsilon "
        f"{args.epsilon}; Option-Critic: {args.option_selection} policy over options, V_Omega = {args.termination_value} "
        f"in the termination advantage, xi {args.xi}. Mean steps per episode ± standard error over runs:\n\n"
        + "\n".join(lines)
        + f"\n\nRecovery after the move: mean steps over episodes 1001-1100, and episodes after the move until a run's "
        f"mean over its last {args.recovery_average} episodes is at most {args.recovered_below:g} steps (a run that "
        f"never gets there counts as {args.episodes - args.switch_at + 1}); ± standard error over runs:\n\n"
        + "\n".join(rec_lines)
        + "\n\nWhere options end: option terminations / arrivals (steps into a non-terminal cell with the option in "
        "force), per run and cell type, mean ± standard error over runs; differences paired per run. Before the move "
        "the goal is the east doorway, so the doorways column has the other three; after it, cells next to each run's "
        "goal are set apart:\n\n"
        + "\n".join(term_lines)
        + f"\n\n![steps per episode]({page_link(RESULTS / 'steps.png')})\n"
        f"![termination rates]({page_link(RESULTS / 'termination_rates.png')})\n"
        f"![termination probabilities]({page_link(RESULTS / 'terminations.png')})\n"
    )


def run_grid(args: argparse.Namespace, out: pathlib.Path) -> str:
    """4-option Option-Critic under every setting of ``GRID`` x temperatures; returns the section body."""
    windows = count_windows(args)
    combos = list(itertools.product(args.temperatures, *GRID.values()))
    grid: dict[str, Any] = {"settings": vars(args), "runs": {}}
    if (args.resume or args.render_only) and (out / "grid.json").exists():
        grid["runs"] = json.loads((out / "grid.json").read_text())["runs"]  # settings already run are kept
    maps: dict[str, list[np.ndarray]] = {
        key: [np.array(m, dtype=np.float64) for m in entry["rate_maps"]] for key, entry in grid["runs"].items()
    }
    for index, (temperature, selection, value, xi) in enumerate(combos):
        if args.render_only or f"T={temperature}, {selection}, V={value}, xi={xi}" in grid["runs"]:
            continue
        rng = np.random.default_rng(args.seed + 7919 * index)
        settings = oc_settings(args, temperature) | {
            "option_selection": selection,
            "termination_value": value,
            "xi": xi,
        }
        start = time.perf_counter()
        result = run_goal_switch(
            TabularOptionCritic(args.runs, 4, rng, **settings),
            args.runs,
            rng,
            n_episodes=args.episodes,
            switch_at=args.switch_at,
            count_windows=windows,
        )
        key = f"T={temperature}, {selection}, V={value}, xi={xi}"
        goals = {windows[0]: np.full(args.runs, 62), windows[1]: result.new_goals}
        grid["runs"][key] = {
            "wall_s": round(time.perf_counter() - start, 1),
            "mean_steps": {f"{a + 1}-{b}": mean_sem(result.steps[:, a:b].mean(axis=1)) for a, b in WINDOWS},
            "termination_rates": {
                f"{a + 1}-{b}": rate_summary(result.visits[(a, b)], result.terminations[(a, b)], goals[(a, b)])
                for a, b in windows
            },
        }
        maps[key] = [rate_grid(result.visits[w], result.terminations[w]) for w in windows]
        grid["runs"][key]["rate_maps"] = [np.round(m, 4).tolist() for m in maps[key]]
        print(f"{key}: {grid['runs'][key]['wall_s']:.0f} s", flush=True)
        (out / "grid.json").write_text(json.dumps(grid, indent=1) + "\n")

    n_cols = 4
    for col_window, (a, b) in enumerate(windows):
        n_rows = -(-len(maps) // n_cols)
        figure = Figure(figsize=(2.6 * n_cols, 2.7 * n_rows), layout="constrained")
        axes = np.asarray(figure.subplots(n_rows, n_cols)).reshape(-1)
        for axis, (key, grids) in zip(axes, maps.items(), strict=False):
            image = draw_cells(axis, grids[col_window], key.replace(", V=", "\nV="))
        for axis in axes[len(maps) :]:
            axis.set_axis_off()
        figure.colorbar(image, ax=axes.tolist(), shrink=0.5, label="option terminations / arrivals")
        figure.suptitle(f"OC, 4 options: where options end over episodes {a + 1}-{b} ({args.runs} runs pooled)")
        figure.savefig(out / f"grid_rates_{a + 1}-{b}.png", dpi=90)

    lines = [
        "| temperature | policy over options | V_Omega | xi | steps 901-1000 | steps 1001-1100 | episodes | doorways | "
        "next to doorways | next to goal | other cells | doorways - other | next to doorways - other | "
        "arrivals per termination |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, entry in grid["runs"].items():
        t, selection, value, xi = (part.split("=")[-1] for part in key.split(", "))
        for window, st in entry["termination_rates"].items():
            lines.append(
                f"| {t} | {selection} | {value} | {xi} | {fmt(entry['mean_steps']['901-1000'], 1)} | "
                f"{fmt(entry['mean_steps']['1001-1100'], 1)} | {window} | "
                + " | ".join(fmt(st[g]) for g in GROUPS)
                + f" | {fmt(st['doorways_minus_other'])} | {fmt(st['next_to_doorways_minus_other'])} | "
                f"{st['arrivals_per_termination']:.2f} |"
            )
    windows_named = [f"{a + 1}-{b}" for a, b in windows]
    door_lines: list[str] = []
    for key, grids in maps.items():
        for window, rate_map in zip(windows_named, grids, strict=True):
            rates = doorway_neighbour_rates(rate_map)
            if not door_lines:
                door_lines = ["| setting | episodes | " + " | ".join(rates) + " |", "|---|---|" + "---|" * len(rates)]
            door_lines.append(
                f"| {key} | {window} | " + " | ".join("-" if np.isnan(v) else f"{v:.3f}" for v in rates.values()) + " |"
            )
    body = (
        f"Option-Critic with 4 options, {args.runs} runs per setting, {args.episodes} episodes, goal moved after "
        f"episode {args.switch_at}; step sizes critic {args.lr_critic}, intra-option {args.lr_intra}, termination "
        f"{args.lr_term}; epsilon {args.epsilon}; the softmax policy over options uses the Boltzmann temperature of the "
        "row. Every setting tried is listed. Termination rate = option terminations / arrivals, per run and cell type, "
        "mean ± standard error over runs (differences paired per run). Settings run: "
        f"{len(grid['runs'])} of {len(combos)}. These rates are pooled over options, which hides options that end at a "
        'doorway another option passes through; the section "Tabular Option-Critic on Four Rooms: where each option '
        'ends" (`benchmarks/option_critic/option_critic_doorways.py`) scores each option on its own.\n\n'
        + "\n".join(lines)
        + "\n\nPer doorway, from the per-cell rates pooled over runs and options (the maps below): the doorway cell, the "
        "mean over the two cells next to it, and the mean over all other cells. Doorways are named by the rooms they "
        "join (U/L upper/lower, L/R left/right); UR-LR is the old goal, and the way into the room of the new goal; "
        "the pooled maps after the move include each run's cells next to its goal, all in the LR room:\n\n"
        + "\n".join(door_lines)
        + "\n\n"
    )
    if args.render_only:
        temperatures = " ".join(str(x) for x in args.temperatures)
        body = (
            "Rendered from the `grid.json` of `python -m benchmarks.option_critic.option_critic_fourrooms --grid "
            f"--runs {args.runs} --temperatures {temperatures}`.\n\n" + body
        )
    for a, b in windows:
        body += f"![termination rates {a + 1}-{b}]({page_link(RESULTS / f'grid_rates_{a + 1}-{b}.png')})\n"
    return body


def add_goal_switch_arguments(parser: argparse.ArgumentParser) -> None:
    """The goal-switch experiment's options shared by this script and ``option_critic_doorways``."""
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--switch-at", type=int, default=1000)
    parser.add_argument("--lr-critic", type=float, default=0.5)
    parser.add_argument("--lr-intra", type=float, default=0.25)
    parser.add_argument("--lr-term", type=float, default=0.25)
    parser.add_argument("--epsilon", type=float, default=0.01)
    parser.add_argument("--option-selection", choices=["epsilon_greedy", "softmax"], default="epsilon_greedy")
    parser.add_argument("--termination-value", choices=["policy", "max"], default="policy")
    parser.add_argument("--count-episodes", type=int, default=200, help="episodes per termination-count window")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_goal_switch_arguments(parser)
    parser.add_argument("--temperatures", type=float, nargs="+", default=[0.001])
    parser.add_argument("--xi", type=float, default=0.0)
    parser.add_argument("--recovered-below", type=float, default=50.0)
    parser.add_argument("--recovery-average", type=int, default=20)
    parser.add_argument("--grid", action="store_true", help="the termination-setting grid instead of the 4 methods")
    parser.add_argument("--resume", action="store_true", help="--grid: keep the settings already in grid.json")
    parser.add_argument("--render-only", action="store_true", help="--grid: only tables and maps from grid.json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = RESULTS if not args.no_write else pathlib.Path(tempfile.mkdtemp())  # --no-write keeps the committed results
    out.mkdir(parents=True, exist_ok=True)
    if args.grid:
        body = run_grid(args, out)
        section = ("option-critic-fourrooms-terminations", "Tabular Option-Critic on Four Rooms: where options end")
    else:
        body = run_main(args, out)
        section = ("option-critic-fourrooms", "Tabular Option-Critic on Four Rooms: goal switch")
    print(body)
    if not args.no_write:
        write_section(*section, body)


if __name__ == "__main__":
    main()
