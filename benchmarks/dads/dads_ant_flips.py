"""How often a DADS Ant-v5 agent's ant lies upside down: its deterministic skills, its stochastic (training) policy,
and uniform random actions, in the DADS Ant setup of ``benchmarks/dads/train_dads_ant.py`` (no early termination).

The training data of the on-policy schedule comes from the stochastic policy; an ant on its back barely moves, so
the skill dynamics sees little skill-dependent motion in those episodes. Each row also scores its transitions with
the agent's skill dynamics (log q(delta | s, z) in the training curve's normalised units, and the DADS reward),
separately over the steps that end upright and those that end upside down: where the data is predictable and where
it is not. Prints a Markdown table (200-step episodes, a skill drawn from U(-1, 1)^2 per episode) and writes it to
``docs/results/dads.md``.

    python -m benchmarks.dads.dads_ant_flips runs/dads_ant_k512/model.zip --episodes 40
"""

from __future__ import annotations

import argparse
import pathlib
from typing import Any

import numpy as np
import torch

from benchmarks.dads.train_dads_ant import make_ant
from benchmarks.hiro.antmaze_flips import upside_down
from benchmarks.report import repo_relative, write_section


def skill_dynamics_scores(
    model: Any, obs: np.ndarray, next_obs: np.ndarray, skills: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """log q(delta | s, z) (normalised units) and the DADS reward of raw transitions taken with ``skills``."""
    layout, dynamics = model.skill_layout, model.skill_dynamics
    before = torch.as_tensor(layout.join(obs, skills, encoded=True), dtype=torch.float32)
    after = torch.as_tensor(layout.join(next_obs, skills, encoded=True), dtype=torch.float32)
    with torch.no_grad():
        log_q = dynamics.transition_log_prob(before, after)
        reward = dynamics.reward_th(before, after)
    return log_q.cpu().numpy(), reward.cpu().numpy()


def main() -> None:
    from agents import DADS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=pathlib.Path)
    parser.add_argument("--episodes", type=int, default=12)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--action-scale", type=float, default=1.0, help="as the run was trained (train_dads_ant)")
    parser.add_argument("--no-section", action="store_true", help="print the table only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    model: Any = DADS.load(args.checkpoint)
    env = make_ant(args.action_scale)
    lines = [
        f"`{repo_relative(args.checkpoint)}` ({model.num_timesteps} steps), "
        + (f"every action x {args.action_scale:g} before the env (ScaleAction), " if args.action_scale != 1.0 else "")
        + f"{args.episodes} episodes of 200 steps per row, episode "
        f"i reset with seed {args.seed} + i, one skill per episode drawn from U(-1, 1)^2 (seeded). The last four "
        "columns score every transition with the agent's skill dynamics: log q(delta xy | s, z) as a density over the "
        "normalised change (the unit of the training curve; -2.84 for a model that predicts nothing) and the DADS "
        "reward (L alternatives drawn from the prior, torch seeded), averaged over the transitions that end upright "
        "and over those that end upside down.",
        "",
        "| actions | steps upside down | episodes that flip | median distance from the start at the end "
        "| log q, upright | log q, upside down | reward, upright | reward, upside down |",
        "|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for mode in ("deterministic skills", "stochastic policy (as in training)", "uniform random actions"):
        rng = np.random.default_rng(args.seed)
        torch.manual_seed(args.seed)
        flipped, ever, distance = [], [], []
        before, after, skills, flags_all = [], [], [], []
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
                next_obs, *_ = env.step(action)
                flags.append(upside_down(next_obs[2:]))  # x, y come first here; then z and the quaternion
                before.append(obs)
                after.append(next_obs)
                skills.append(skill)
                obs = next_obs
            flags_all += flags
            flipped.append(float(np.mean(flags)))
            ever.append(float(any(flags)))
            distance.append(float(np.linalg.norm(obs[:2] - start)))
        log_q, reward = skill_dynamics_scores(model, np.stack(before), np.stack(after), np.stack(skills))
        down = np.asarray(flags_all)
        cells = [f"{v[m].mean():.2f}" if m.any() else "" for v in (log_q, reward) for m in (~down, down)]
        lines.append(
            f"| {mode} | {np.mean(flipped):.2f} | {np.mean(ever):.2f} | {np.median(distance):.2f} | "
            + " | ".join(cells)
            + " |"
        )
        print(lines[-1], flush=True)
    if not args.no_section:
        key, title = "dads_ant_flips", "DADS on Ant-v5: how often the ant lies upside down"
        if args.action_scale != 1.0:  # a weaker ant gets its own section beside Gymnasium's
            key, title = f"{key}_x{args.action_scale:g}", f"{title} (actions x {args.action_scale:g})"
        write_section(key, title, "\n".join(lines))


if __name__ == "__main__":
    main()
