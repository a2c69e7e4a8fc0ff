"""Throughput of DIAYN-SAC against plain SB3 SAC on the same env and networks, measured side by side.

All learners run on the same skill-wrapped environment (so the policy and critics have the same input), with the same
net_arch, batch size and update schedule; the DIAYN learners differ only in their discriminator's size. Timed chunks
alternate (plain, DIAYN with each discriminator, plain, ...) after a warm-up, so all see the same machine load; the
reported ratios are medians of the per-round ratios.

    python -m benchmarks.overhead_diayn --env HalfCheetah-v5 --net 256 256 --disc-nets 256,256 64,64 --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import torch
from stable_baselines3 import SAC
from stable_baselines3.common.env_util import make_vec_env

from agents import DIAYN
from benchmarks.report import write_section
from hrl_wrappers import SkillWrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="HalfCheetah-v5")
    parser.add_argument("--net", type=int, nargs="+", default=[256, 256], help="policy and critic layers")
    parser.add_argument("--disc-nets", nargs="+", default=["256,256", "64,64"], help="discriminator layers, one per learner")
    parser.add_argument("--n-skills", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    common: dict[str, Any] = dict(
        policy_kwargs={"net_arch": args.net}, learning_starts=256, batch_size=256, ent_coef=0.1, seed=0
    )
    plain_env = make_vec_env(args.env, wrapper_class=SkillWrapper, wrapper_kwargs={"n_skills": args.n_skills}, seed=0)
    learners: dict[str, Any] = {"plain SAC": SAC("MlpPolicy", plain_env, **common)}
    for disc in args.disc_nets:
        arch = [int(w) for w in disc.split(",")]
        learners[f"DIAYN, discriminator {disc.replace(',', 'x')}"] = DIAYN(
            "MlpPolicy", args.env, n_skills=args.n_skills, discriminator_arch=arch, **common
        )
    for model in learners.values():
        model.learn(500)  # warm-up past learning_starts
    load_before = os.getloadavg()[0]
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
    lines = [
        "| learner | steps/s per round | median steps/s | median ratio to plain SAC |",
        "|---|---|---|---|",
    ]
    for name in names:
        ratios = [r[name] / r["plain SAC"] for r in rounds]
        lines.append(
            f"| {name} | {', '.join(f'{r[name]:.1f}' for r in rounds)} | {statistics.median(r[name] for r in rounds):.1f} "
            f"| {statistics.median(ratios):.3f} |"
        )
    body = (
        f"{args.env}, {args.n_skills} skills, policy and critics {args.net}, batch 256, one SAC gradient step per env step, "
        f"one discriminator step per env step (taken on SAC's own batch); {args.repeats} rounds of {args.chunk} steps per "
        f"learner, alternating. Goal: ratio at least 0.90. 1-minute load average {load_before:.1f} before the rounds and "
        f"{os.getloadavg()[0]:.1f} after (2 cores).\n\n" + "\n".join(lines) + "\n"
    )
    print(body)
    if not args.no_write:
        write_section(f"overhead-diayn-{args.env}", f"DIAYN-SAC overhead against plain SAC ({args.env})", body)


if __name__ == "__main__":
    main()
