"""Throughput of DIAYN-PPO with 2 environments against 1, measured side by side.

Three learners on the point world, same networks and same PPO update per rollout: ``n_envs=1`` with ``n_steps=N``,
and ``n_envs=2`` (DummyVecEnv, then SubprocVecEnv) with ``n_steps=N/2``, so every rollout holds N transitions and
gets the same number of gradient steps; only collection differs (one batched policy forward and one batched
discriminator call for both envs per step). Timed chunks alternate (1 env, 2 Dummy, 2 Subproc, 1 env, ...) after a
warm-up, so all see the same machine load; the ratios are medians of the per-round ratios. The 1-minute load average
is printed beside each round (the machine is shared).

    python -m benchmarks.runs.throughput_n_envs --rounds 7 --chunk 4096
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import torch
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

from agents import DIAYN
from benchmarks.report import write_section
from hrl_wrappers.envs import POINT_WORLD_ID


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=4096, help="env steps per timed chunk (a multiple of --rollout)")
    parser.add_argument("--rollout", type=int, default=1024, help="transitions per PPO rollout, all envs together")
    parser.add_argument("--net", type=int, nargs="+", default=[64, 64])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    common: dict[str, Any] = dict(
        algo="PPO",
        n_skills=8,
        policy_kwargs={"net_arch": args.net},
        discriminator_arch=args.net,
        batch_size=64,
        n_epochs=10,
        device="cpu",
        seed=0,
    )
    learners: dict[str, Any] = {
        "n_envs=1": DIAYN("MlpPolicy", POINT_WORLD_ID, n_envs=1, n_steps=args.rollout, **common),
        "n_envs=2 DummyVecEnv": DIAYN(
            "MlpPolicy", POINT_WORLD_ID, n_envs=2, vec_env_cls=DummyVecEnv, n_steps=args.rollout // 2, **common
        ),
        "n_envs=2 SubprocVecEnv": DIAYN(
            "MlpPolicy", POINT_WORLD_ID, n_envs=2, vec_env_cls=SubprocVecEnv, n_steps=args.rollout // 2, **common
        ),
    }
    for model in learners.values():
        model.learn(args.rollout)  # warm-up
    rounds: list[dict[str, float]] = []
    loads: list[float] = []
    for i in range(args.rounds):
        speeds = {}
        for name, model in learners.items():
            start = time.perf_counter()
            model.learn(args.chunk, reset_num_timesteps=False)
            speeds[name] = args.chunk / (time.perf_counter() - start)
        rounds.append(speeds)
        loads.append(os.getloadavg()[0])
        print(f"round {i}: " + "  ".join(f"{k}: {v:.0f} steps/s" for k, v in speeds.items()) + f"  load {loads[-1]:.2f}")
    for model in learners.values():
        model.get_env().close()
    base = "n_envs=1"
    lines = [
        "| learner | steps/s per round | median steps/s | median ratio to n_envs=1 |",
        "|---|---|---|---|",
    ]
    for name in learners:
        ratios = [r[name] / r[base] for r in rounds]
        lines.append(
            f"| {name} | {', '.join(f'{r[name]:.0f}' for r in rounds)} | {statistics.median(r[name] for r in rounds):.0f} "
            f"| {statistics.median(ratios):.3f} |"
        )
    body = (
        f"DIAYN-PPO on {POINT_WORLD_ID}, 8 skills, policy and discriminator {args.net}, rollouts of {args.rollout} "
        f"transitions (n_steps={args.rollout} with 1 env, {args.rollout // 2} with 2), batch 64, 10 epochs; "
        f"{args.rounds} rounds of {args.chunk} steps per learner, alternating. Steps/s include PPO's updates. "
        f"1-minute load average after each round: {', '.join(f'{x:.2f}' for x in loads)} (2 cores shared with other "
        "jobs).\n\n" + "\n".join(lines) + "\n"
    )
    print(body)
    if not args.no_write:
        write_section("throughput-n-envs", "DIAYN-PPO throughput: 2 environments against 1", body)


if __name__ == "__main__":
    main()
