"""Tabular Option-Critic on Four Rooms: the goal-switch experiment of Bacon, Harb & Precup (AAAI 2017).

The goal starts in the east doorway and, after 1000 episodes, moves to a random cell of the lower-right room (drawn
per run). Option-Critic with 4 and with 8 options, actor-critic (AC-PG) and SARSA(0) each run ``--runs`` independent
runs, vectorised over runs with numpy (:func:`agents.option_critic.tabular.run_goal_switch`). Writes, under
``benchmarks/results/option_critic_fourrooms/``: ``steps.png`` (mean steps per episode of every method),
``terminations.png`` (mean termination probability of the 4-option learner per cell, before the switch and at the
end), ``summary.json``, and a table into BENCHMARKS.md.

    python -m benchmarks.option_critic_fourrooms --runs 100
"""

from __future__ import annotations

import argparse
import json
import pathlib
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from agents.option_critic.tabular import (
    GoalSwitchResult,
    TabularActorCritic,
    TabularOptionCritic,
    TabularSARSA,
    run_goal_switch,
)
from benchmarks.report import ROOT, write_section
from hrl_wrappers.envs.four_rooms import FourRoomsEnv

RESULTS = ROOT / "benchmarks" / "results" / "option_critic_fourrooms"
WINDOWS = ((0, 100), (900, 1000), (1000, 1100), (1000, 1010), (1100, 1200), (1900, 2000))


def learners(args: argparse.Namespace) -> dict[str, Callable[[int, np.random.Generator], Any]]:
    """Factories ``(n_runs, rng) -> learner`` of every method of the experiment."""
    oc = {
        "lr_critic": args.lr_critic,
        "lr_intra": args.lr_intra,
        "lr_term": args.lr_term,
        "epsilon": args.epsilon,
        "temperature": args.temperature,
    }
    return {
        "OC, 4 options": lambda n, rng: TabularOptionCritic(n, 4, rng, **oc),
        "OC, 8 options": lambda n, rng: TabularOptionCritic(n, 8, rng, **oc),
        "AC-PG": lambda n, rng: TabularActorCritic(
            n, rng, lr_critic=args.lr_critic, lr_actor=args.lr_intra, temperature=args.temperature
        ),
        "SARSA(0)": lambda n, rng: TabularSARSA(n, rng, lr=args.lr_critic, epsilon=args.epsilon),
    }


def termination_grid(betas: np.ndarray) -> np.ndarray:
    """Mean over runs and options of ``beta_w(s)`` (``betas``: runs x states x options) as a 13x13 grid (walls NaN)."""
    grid = np.full((13, 13), np.nan)
    mean = betas.mean(axis=(0, 2))
    for s in range(FourRoomsEnv.n_states):
        grid[FourRoomsEnv.cell_of(s)] = mean[s]
    return grid


def doorway_stats(betas: np.ndarray) -> dict[str, float]:
    """Mean termination probability on the doorways, the cells next to them and everywhere else."""
    mean = betas.mean(axis=(0, 2))
    doors = set(FourRoomsEnv.doorway_states())
    near = {n for d in doors for n in FourRoomsEnv.neighbours(d)} - doors
    rest = set(range(FourRoomsEnv.n_states)) - doors - near
    return {
        "doorways": float(np.mean([mean[s] for s in doors])),
        "next_to_doorways": float(np.mean([mean[s] for s in near])),
        "other_cells": float(np.mean([mean[s] for s in rest])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--episodes", type=int, default=2000)
    parser.add_argument("--switch-at", type=int, default=1000)
    parser.add_argument("--lr-critic", type=float, default=0.5)
    parser.add_argument("--lr-intra", type=float, default=0.25)
    parser.add_argument("--lr-term", type=float, default=0.25)
    parser.add_argument("--epsilon", type=float, default=0.01)
    parser.add_argument("--temperature", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    out = RESULTS if not args.no_write else pathlib.Path(tempfile.mkdtemp())  # --no-write keeps the committed results
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, GoalSwitchResult] = {}
    wall: dict[str, float] = {}
    for i, (name, make) in enumerate(learners(args).items()):
        rng = np.random.default_rng(args.seed + 1000 * i)
        start = time.perf_counter()
        results[name] = run_goal_switch(
            make(args.runs, rng),
            args.runs,
            rng,
            n_episodes=args.episodes,
            switch_at=args.switch_at,
            snapshot_episodes=(args.switch_at, args.episodes),
        )
        wall[name] = time.perf_counter() - start
        curve = results[name].steps.mean(axis=0)
        print(f"{name}: {wall[name]:.0f} s, mean steps first/last episode {curve[0]:.0f}/{curve[-1]:.0f}", flush=True)

    summary: dict[str, Any] = {"settings": vars(args), "methods": {}}
    lines = [
        "| method | " + " | ".join(f"episodes {a + 1}-{b}" for a, b in WINDOWS) + " | wall s |",
        "|---|" + "---|" * (len(WINDOWS) + 1),
    ]
    for name, result in results.items():
        means = [float(result.steps[:, a:b].mean()) for a, b in WINDOWS]
        sems = [float(result.steps[:, a:b].mean(axis=1).std(ddof=1) / np.sqrt(args.runs)) for a, b in WINDOWS]
        summary["methods"][name] = {
            "mean_steps": dict(zip([f"{a + 1}-{b}" for a, b in WINDOWS], means, strict=True)),
            "sem": dict(zip([f"{a + 1}-{b}" for a, b in WINDOWS], sems, strict=True)),
            "curve": np.round(result.steps.mean(axis=0), 2).tolist(),
            "wall_s": round(wall[name], 1),
        }
        lines.append(
            f"| {name} | "
            + " | ".join(f"{m:.1f} ± {e:.1f}" for m, e in zip(means, sems, strict=True))
            + f" | {wall[name]:.0f} |"
        )
        if result.snapshots:
            summary["methods"][name]["terminations"] = {
                str(ep): doorway_stats(betas) for ep, betas in sorted(result.snapshots.items())
            }
            assert result.switches is not None
            steps = result.steps[:, args.switch_at - 100 : args.switch_at].sum()
            summary["methods"][name]["mean_option_duration_episodes_901_1000"] = float(
                steps / max(1, result.switches[:, args.switch_at - 100 : args.switch_at].sum() + 100 * args.runs)
            )
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")

    figure = Figure(figsize=(9, 4.5), layout="constrained")
    ax = figure.subplots()
    for name, result in results.items():
        curve = result.steps.mean(axis=0)
        smooth = np.convolve(curve, np.ones(10) / 10, mode="valid")
        ax.plot(np.arange(10, len(curve) + 1), smooth, label=name)
    ax.axvline(args.switch_at, color="gray", ls="--", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("episode")
    ax.set_ylabel("steps per episode")
    ax.set_title(f"Four Rooms, goal moved after episode {args.switch_at} (mean of {args.runs} runs, 10-episode average)")
    ax.legend()
    figure.savefig(out / "steps.png", dpi=110)

    oc4 = results["OC, 4 options"]
    figure = Figure(figsize=(9, 4.2), layout="constrained")
    axes = figure.subplots(1, len(oc4.snapshots))
    for axis, (ep, betas) in zip(np.atleast_1d(axes), sorted(oc4.snapshots.items()), strict=True):
        image = axis.imshow(termination_grid(betas), cmap="viridis", vmin=0, vmax=1)
        for door in FourRoomsEnv.doorway_states():
            r, c = FourRoomsEnv.cell_of(door)
            axis.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="red"))
        axis.set_title(f"after episode {ep}")
        axis.set_xticks([])
        axis.set_yticks([])
        figure.colorbar(image, ax=axis, shrink=0.8)
    figure.suptitle(f"OC (4 options): mean termination probability per cell ({args.runs} runs; doorways in red)")
    figure.savefig(out / "terminations.png", dpi=110)

    # each option of the first run separately: averaging over options and runs can hide where single options end
    snap = oc4.snapshots[args.switch_at]
    figure = Figure(figsize=(3.2 * snap.shape[2], 3.2), layout="constrained")
    for w, axis in enumerate(np.atleast_1d(figure.subplots(1, snap.shape[2]))):
        image = axis.imshow(termination_grid(snap[:1, :, w : w + 1]), cmap="viridis", vmin=0, vmax=1)
        for door in FourRoomsEnv.doorway_states():
            r, c = FourRoomsEnv.cell_of(door)
            axis.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="red"))
        axis.set_title(f"option {w}")
        axis.set_xticks([])
        axis.set_yticks([])
    figure.colorbar(image, ax=axis, shrink=0.8)
    figure.suptitle(f"OC (4 options), run 0: termination probability of each option after episode {args.switch_at}")
    figure.savefig(out / "terminations_per_option.png", dpi=110)
    summary["run0_terminations_after_switch"] = np.round(snap[0], 3).tolist()
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")

    term_lines = ["| options | after episode | doorways | cells next to doorways | other cells |", "|---|---|---|---|---|"]
    for name, result in results.items():
        for ep, betas in sorted(result.snapshots.items()):
            st = doorway_stats(betas)
            term_lines.append(
                f"| {name} | {ep} | {st['doorways']:.3f} | {st['next_to_doorways']:.3f} | {st['other_cells']:.3f} |"
            )
    body = (
        f"{args.runs} runs per method, {args.episodes} episodes, goal moved after episode {args.switch_at} to a random "
        f"cell of the lower-right room; moves fail with probability 1/3; gamma 0.99; step sizes critic {args.lr_critic}, "
        f"intra-option / actor {args.lr_intra}, termination {args.lr_term}; epsilon {args.epsilon}; Boltzmann "
        f"temperature {args.temperature}. Mean steps per episode ± standard error over runs:\n\n"
        + "\n".join(lines)
        + "\n\nMean termination probability (over runs and options) by cell type:\n\n"
        + "\n".join(term_lines)
        + "\n\n![steps per episode](benchmarks/results/option_critic_fourrooms/steps.png)\n"
        "![termination probabilities](benchmarks/results/option_critic_fourrooms/terminations.png)\n"
        "![termination probabilities per option](benchmarks/results/option_critic_fourrooms/terminations_per_option.png)\n"
    )
    print(body)
    if not args.no_write:
        write_section("option-critic-fourrooms", "Tabular Option-Critic on Four Rooms: goal switch", body)


if __name__ == "__main__":
    main()
