"""How often a DADS Ant-v5 agent's ant lies upside down: its deterministic skills, its stochastic (training) policy,
and uniform random actions, in the DADS Ant setup of ``benchmarks/train_dads_ant.py`` (no early termination).

The training data of the on-policy schedule comes from the stochastic policy; an ant on its back barely moves, so
the skill dynamics sees little skill-dependent motion in those episodes. Prints a Markdown table (200-step episodes,
a skill drawn from U(-1, 1)^2 per episode) and writes it to BENCHMARKS.md.

    python -m benchmarks.dads_ant_flips /work/runs/dads_ant_k512/model.zip --episodes 40
"""

from __future__ import annotations

import argparse
import pathlib
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from benchmarks.antmaze_flips import upside_down
from benchmarks.report import write_section
from benchmarks.train_dads_ant import ENV_ID, ant_env_kwargs


def main() -> None:
    from agents import DADS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=pathlib.Path)
    parser.add_argument("--episodes", type=int, default=12)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--no-section", action="store_true", help="print the table only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    model: Any = DADS.load(args.checkpoint)
    env = gym.make(ENV_ID, **ant_env_kwargs())
    lines = [
        f"`{args.checkpoint}` ({model.num_timesteps} steps), {args.episodes} episodes of 200 steps per row, episode "
        f"i reset with seed {args.seed} + i, one skill per episode drawn from U(-1, 1)^2 (seeded).",
        "",
        "| actions | steps upside down | episodes that flip | median distance from the start at the end |",
        "|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for mode in ("deterministic skills", "stochastic policy (as in training)", "uniform random actions"):
        rng = np.random.default_rng(args.seed)
        flipped, ever, distance = [], [], []
        for episode in range(args.episodes):
            obs, _ = env.reset(seed=args.seed + episode)
            skill = rng.uniform(-1.0, 1.0, 2).astype(np.float32)
            start = obs[:2].copy()
            flags = []
            for _ in range(200):
                if mode.startswith("uniform"):
                    action = rng.uniform(-1.0, 1.0, 8)
                else:
                    action, _ = model.predict_skill(obs, skill, deterministic=mode.startswith("deterministic"))
                obs, *_ = env.step(action)
                flags.append(upside_down(obs[2:]))  # x, y come first here; then z and the quaternion
            flipped.append(float(np.mean(flags)))
            ever.append(float(any(flags)))
            distance.append(float(np.linalg.norm(obs[:2] - start)))
        lines.append(f"| {mode} | {np.mean(flipped):.2f} | {np.mean(ever):.2f} | {np.median(distance):.2f} |")
        print(lines[-1], flush=True)
    if not args.no_section:
        write_section("dads_ant_flips", "DADS on Ant-v5: how often the ant lies upside down", "\n".join(lines))


if __name__ == "__main__":
    main()
