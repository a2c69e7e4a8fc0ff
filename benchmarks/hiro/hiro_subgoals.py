"""How close a saved HIRO agent's low level gets to the goals its high level sets (a diagnosis of a maze run).

Loads a HIRO checkpoint (e.g. the ones ``benchmarks/hiro/hiro_pointmaze.py --checkpoint-dir`` writes after every chunk)
and runs :func:`agents.hiro.evaluation.evaluate_subgoal_reaching` on deterministic episodes of the maze, then prints
one Markdown row: the goal distance when drawn, the distance left when the period ends, their ratio, the fraction
of goal coordinates at the edge of the goal box (a saturated high level), and the success rate of the same episodes.
A ratio near 1 means the low level does not move towards its goals; near 0, it reaches them. Goals farther than the
low level can travel in ``c`` steps keep the ratio high even for a good low level: compare with the distance a
straight run covers in ``c`` steps.

    python -m benchmarks.hiro.hiro_subgoals runs/antmaze/ckpt/hiro_her.zip --env AntMaze_UMaze-v5
    python -m benchmarks.hiro.hiro_subgoals runs/antmaze_t30_hiro_her/ckpt/hiro_her.zip --env AntMaze_UMaze-v5 \
        --no-contact-forces --action-scale 0.2     # a run trained with the reference's ant
"""

from __future__ import annotations

import argparse
import pathlib

from agents import HIRO
from agents.hiro.evaluation import evaluate_subgoal_reaching
from benchmarks.hiro.hiro_pointmaze import add_env_arguments, env_options, make_env
from benchmarks.report import repo_relative


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=pathlib.Path)
    parser.add_argument("--env", default="PointMaze_UMaze-v3")
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=10_000)
    add_env_arguments(parser)  # the same env options the run was trained with
    args = parser.parse_args()
    model = HIRO.load(args.checkpoint, load_buffers=False)
    stats = evaluate_subgoal_reaching(model, lambda: make_env(args.env, **env_options(args)), args.episodes, args.seed)
    print(
        "| checkpoint | steps | periods | goal distance when drawn | distance left at the period's end | ratio "
        "| goal coordinates at the box's edge | success |"
    )
    print("|---|---|---|---|---|---|---|---|")
    shown = repo_relative(args.checkpoint)
    print(
        f"| `{shown}` | {model.num_timesteps} | {stats['periods']:.0f} | {stats['goal_distance']:.3f} | "
        f"{stats['final_distance']:.3f} | {stats['final_over_goal']:.2f} | {stats['saturated']:.2f} | {stats['success']:.2f} |"
    )


if __name__ == "__main__":
    main()
