"""Throughput of DADS-SAC against plain SB3 SAC on the same env, networks and schedule, measured side by side.

Every learner runs on the same skill-wrapped environment (the DADS Ant setup by default: Ant-v5 with x-y exposed, no
contact forces, no termination, 200-step episodes, continuous 2-D skills) with the same policy/critic net_arch,
batch size and the DADS on-policy schedule: N env steps, then K2 SAC gradient steps. Plain SAC stops there; DADS also
clears its buffer, takes K1 skill-dynamics steps and scores the N transitions against L + 1 skills. Timed chunks of
whole iterations alternate between the learners after a warm-up, so all see the same machine load; the reported
ratios are medians of the per-round ratios.

    python -m benchmarks.dads.overhead_dads --repeats 5 --alternatives 100 10
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

from agents import DADS
from benchmarks.dads.train_dads_ant import ant_env_kwargs
from benchmarks.report import write_section
from hrl_wrappers import SkillWrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="Ant-v5")
    parser.add_argument("--net", type=int, nargs="+", default=[256, 256], help="policy, critic and skill-dynamics layers")
    parser.add_argument("--alternatives", type=int, nargs="+", default=[100, 10], help="L of each DADS learner")
    parser.add_argument("--n-steps", type=int, default=2000, help="N, env steps per iteration")
    parser.add_argument("--n-envs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=1, help="iterations per timed chunk")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    env_kwargs = ant_env_kwargs() if args.env.startswith("Ant") else {}
    features = [0, 1]
    schedule: dict[str, Any] = {"batch_size": 256, "ent_coef": 0.1, "gamma": 0.995, "seed": 0, "device": "cpu"}
    plain_env = make_vec_env(
        args.env,
        n_envs=args.n_envs,
        env_kwargs=env_kwargs,
        wrapper_class=SkillWrapper,
        wrapper_kwargs={"skill_dim": 2},
        seed=0,
    )
    learners: dict[str, Any] = {
        "plain SAC": SAC(
            "MlpPolicy",
            plain_env,
            policy_kwargs={"net_arch": args.net},
            train_freq=(args.n_steps // args.n_envs, "step"),
            gradient_steps=64,
            learning_starts=0,
            buffer_size=args.n_steps,
            **schedule,
        )
    }
    for n_alt in args.alternatives:
        learners[f"DADS, L={n_alt}"] = DADS(
            "MlpPolicy",
            args.env,
            skill_dim=2,
            features=features,
            hide_features=True,
            n_steps=args.n_steps,
            dynamics_steps=32,
            agent_steps=64,
            n_alternatives=n_alt,
            dynamics_arch=args.net,
            n_envs=args.n_envs,
            env_kwargs=env_kwargs,
            policy_kwargs={"net_arch": args.net},
            **schedule,
        )
    chunk = args.iterations * args.n_steps
    for model in learners.values():
        model.learn(args.n_steps)  # warm-up: one iteration
    load_before = os.getloadavg()[0]
    rounds: list[dict[str, float]] = []
    for _ in range(args.repeats):
        speeds = {}
        for name, model in learners.items():
            start = time.perf_counter()
            model.learn(chunk, reset_num_timesteps=False)
            speeds[name] = chunk / (time.perf_counter() - start)
        rounds.append(speeds)
        print("  ".join(f"{k}: {v:.1f} steps/s" for k, v in speeds.items()), flush=True)
    lines = [
        "| learner | steps/s per round | median steps/s | median ratio to plain SAC |",
        "|---|---|---|---|",
    ]
    for name in learners:
        ratios = [r[name] / r["plain SAC"] for r in rounds]
        lines.append(
            f"| {name} | {', '.join(f'{r[name]:.1f}' for r in rounds)} | {statistics.median(r[name] for r in rounds):.1f} "
            f"| {statistics.median(ratios):.3f} |"
        )
    body = (
        f"{args.env} (DADS setup: x-y exposed, no contact forces, no termination, 200-step episodes), {args.n_envs} envs, "
        f"continuous 2-D skills, policy, critics and skill dynamics {args.net}, batch 256. Same schedule for all: "
        f"N={args.n_steps} env steps then K2=64 SAC steps; DADS adds K1=32 skill-dynamics steps and scores the N "
        f"transitions against L+1 skills (policy blind to x-y). {args.repeats} rounds of {chunk} steps per learner, "
        f"alternating, so any other load on the machine is spread evenly; 1-minute load average {load_before:.1f} before "
        f"the rounds and {os.getloadavg()[0]:.1f} after ({os.cpu_count()} cores). Goal: ratio at least 0.85.\n\n"
        + "\n".join(lines)
        + "\n"
    )
    print(body)
    if not args.no_write:
        write_section(f"overhead-dads-{args.env}", f"DADS-SAC overhead against plain SAC ({args.env})", body)


if __name__ == "__main__":
    main()
