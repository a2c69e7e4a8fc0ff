"""Throughput of HIRO (TD3 at both levels) against flat SB3 TD3 on the same env and networks, measured side by side.

All learners train on the same environment with the same ``net_arch``, batch size and one gradient step per
environment step (HIRO's low level; its high level adds one step every c environment steps, plus the off-policy
correction: ``n_candidates`` x c low-level forward passes per sampled transition). Flat TD3 runs twice: on the Dict
observation with SB3's ``MultiInputPolicy`` (the usual way) and on the same observation flattened into one Box
(``MlpPolicy``, like HIRO's own inputs), which separates SB3's Dict overhead from HIRO's. Timed chunks alternate (TD3, HIRO,
HIRO without correction, TD3, ...) after a warm-up past ``learning_starts``, so all see the same machine load; the
reported ratios are medians of the per-round ratios (HIRO steps/s / TD3 steps/s).

    python -m benchmarks.hiro.overhead_hiro --env PointMaze_UMaze-v3 --net 64 64 --repeats 5 --chunk 1000
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import gymnasium as gym
import torch
from gymnasium.wrappers import FlattenObservation
from stable_baselines3 import TD3

from agents import HIRO
from benchmarks.report import write_section


def make_env(env_id: str) -> gym.Env:
    import gymnasium_robotics

    gym.register_envs(gymnasium_robotics)
    return gym.make(env_id, continuing_task=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="PointMaze_UMaze-v3")
    parser.add_argument("--net", type=int, nargs="+", default=[64, 64], help="actor and critic layers (both levels)")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument(
        "--high-gradient-steps", type=int, default=10, help="also time HIRO with this many high-level steps per goal"
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    common: dict[str, Any] = {
        "policy_kwargs": {"net_arch": args.net},
        "learning_starts": 200,
        "batch_size": args.batch_size,
        "seed": 0,
        "device": "cpu",
    }
    hiro: dict[str, Any] = {"c": 10, "goal_indices": [0, 1], "goal_range": 1.0}
    flat_env = FlattenObservation(make_env(args.env))  # same inputs, one Box: SB3's MlpPolicy and plain ReplayBuffer
    learners: dict[str, Any] = {
        "flat TD3": TD3("MultiInputPolicy", make_env(args.env), **common),
        "flat TD3, flattened observation": TD3("MlpPolicy", flat_env, **common),
        "HIRO": HIRO("MlpPolicy", lambda: make_env(args.env), **hiro, **common),
        "HIRO, no correction": HIRO("MlpPolicy", lambda: make_env(args.env), off_policy_correction=False, **hiro, **common),
    }
    if args.high_gradient_steps > 1:  # the setting of the UMaze success run: more high-level work per env step
        learners[f"HIRO, {args.high_gradient_steps} high-level steps per goal"] = HIRO(
            "MlpPolicy", lambda: make_env(args.env), high_gradient_steps=args.high_gradient_steps, **hiro, **common
        )
    for model in learners.values():
        model.learn(500)  # warm-up past learning_starts
    rounds: list[dict[str, float]] = []
    for _ in range(args.repeats):
        speeds = {}
        for name, model in learners.items():
            start = time.perf_counter()
            model.learn(args.chunk, reset_num_timesteps=False)
            speeds[name] = args.chunk / (time.perf_counter() - start)
        rounds.append(speeds)
        print("  ".join(f"{k}: {v:.1f} steps/s" for k, v in speeds.items()), flush=True)
    names = list(learners)
    flat2 = "flat TD3, flattened observation"
    lines = [
        f"| learner | median steps/s | median ratio to flat TD3 (Dict obs) | median ratio to {flat2} |",
        "|---|---|---|---|",
    ]
    for name in names:
        speed = statistics.median(r[name] for r in rounds)
        ratio = statistics.median(r[name] / r["flat TD3"] for r in rounds)
        ratio2 = statistics.median(r[name] / r[flat2] for r in rounds)
        lines.append(f"| {name} | {speed:.1f} | {ratio:.3f} | {ratio2:.3f} |")
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        body = (
            f"{args.env}, networks {args.net} (actor and critics, both HIRO levels), batch {args.batch_size}, one "
            f"gradient step per env step, {args.repeats} interleaved rounds of {args.chunk} training steps after a "
            "500-step warm-up; the machine was shared with other jobs (each round's learners saw the same load). "
            "HIRO's default is one high-level gradient step per goal (every c steps); the last row takes "
            f"{args.high_gradient_steps} per goal, the setting of the PointMaze success runs, so its high level does as "
            "many gradient steps as its low level and the off-policy correction runs that much more often. "
            "Goal: HIRO at least 0.85 of flat TD3's throughput. The flattened-observation TD3 is the stricter reference: "
            "SB3's Dict path (MultiInputPolicy, DictReplayBuffer) is slower than its Box path.\n\n" + table
        )
        write_section("hiro_overhead", "HIRO overhead against flat TD3", body)


if __name__ == "__main__":
    main()
