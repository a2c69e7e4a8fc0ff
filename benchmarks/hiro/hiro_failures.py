"""Which maze episodes a saved HIRO agent fails: success by the start's distance from the goal.

Runs deterministic episodes of a Gymnasium-Robotics maze with a HIRO checkpoint and records, per episode, the
straight-line distance from the start to the goal, the closest the agent came, where it ended and whether it
succeeded. Prints one Markdown table of success by bins of the start distance (with the failed episodes' closest
approach) and the fraction of failures that came within 1.0 of the goal. Failures only on far goals that end far away
point at a high level that does not find the way round the maze's walls; failures on near goals, or close misses, at
a low level that does not get there. The script measures distances only; it does not look at the walls.

    python -m benchmarks.hiro.hiro_failures runs/antmaze_t30_hiro_her/ckpt/hiro_her.zip --env AntMaze_UMaze-v5 \
        --no-contact-forces --action-scale 0.2 --episodes 100
"""

from __future__ import annotations

import argparse
import itertools
import pathlib
from typing import Any

import numpy as np

from agents import HIRO
from agents.hiro.evaluation import _deterministic_steps, _succeeded
from benchmarks.hiro.hiro_pointmaze import add_env_arguments, env_options, make_env
from benchmarks.report import repo_relative


def episode_records(model: HIRO, env_id: str, options: dict[str, Any], n_episodes: int, seed: int) -> list[dict[str, float]]:
    """Start distance, closest and final distance to the goal, and success, of each deterministic episode."""
    records: list[dict[str, float]] = []
    start_distance: float | None = None
    closest = np.inf
    for step in _deterministic_steps(model, lambda: make_env(env_id, **options), n_episodes, seed):
        if start_distance is None:
            start_distance = float(np.linalg.norm(step.obs["achieved_goal"] - step.obs["desired_goal"]))
        distance = float(np.linalg.norm(step.next_obs["achieved_goal"] - step.next_obs["desired_goal"]))
        closest = min(closest, distance)
        if step.done:
            records.append(
                {"start": start_distance, "closest": closest, "final": distance, "success": float(_succeeded(step.info))}
            )
            start_distance, closest = None, np.inf
    return records


def table(records: list[dict[str, float]], edges: list[float]) -> list[str]:
    """Success and distances by bins of the start distance, as Markdown lines."""
    lines = [
        "| start distance | episodes | success | median closest distance | median final distance "
        "| failures' median closest distance |",
        "|---|---|---|---|---|---|",
    ]
    start = np.array([r["start"] for r in records])
    groups = [
        (f"{low:g}-{high:g}", [r for r, s in zip(records, start, strict=True) if low <= s < high])
        for low, high in itertools.pairwise(edges)
    ]
    for label, rows in [*groups, ("all", records)]:
        if not rows:
            continue
        failed = [r["closest"] for r in rows if not r["success"]]
        lines.append(
            f"| {label} | {len(rows)} | {np.mean([r['success'] for r in rows]):.2f} "
            f"| {np.median([r['closest'] for r in rows]):.2f} | {np.median([r['final'] for r in rows]):.2f} "
            f"| {f'{np.median(failed):.2f}' if failed else '-'} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=pathlib.Path)
    parser.add_argument("--env", default="AntMaze_UMaze-v5")
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=10_000)
    parser.add_argument("--bins", type=float, nargs="+", default=[0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 20.0])
    add_env_arguments(parser)  # the same env options the run was trained with
    args = parser.parse_args()
    model = HIRO.load(args.checkpoint, load_buffers=False)
    records = episode_records(model, args.env, env_options(args), args.episodes, args.seed)
    shown = repo_relative(args.checkpoint)
    print(f"`{shown}` ({model.num_timesteps} steps), {args.env}, {args.episodes} deterministic episodes\n")
    print("\n".join(table(records, args.bins)))
    failures = [r for r in records if not r["success"]]
    if failures:
        came_close = np.mean([r["closest"] <= 1.0 for r in failures])
        print(f"\n{len(failures)} failures; {came_close:.2f} of them came within 1.0 of the goal at some step")


if __name__ == "__main__":
    main()
