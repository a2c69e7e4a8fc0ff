"""Overhead of MacroActionWrapper: primitive steps per second through the wrapper against the same frozen skill policy
called in a bare loop (act, env.step, switch skill every --hold-steps steps, reset at episode end).

Both run the same frozen DIAYN skill policy (SAC actor, --net layers, on the CPU) on the point world, in interleaved
rounds of --steps primitive steps each; the reported ratio is the median of the per-round ratios. Goal: at least 0.95.

    python -m benchmarks.macro.overhead_macro --rounds 7 --steps 5000
"""

from __future__ import annotations

import argparse
import statistics
import time

import gymnasium as gym
import numpy as np
import torch

from agents import DIAYN
from benchmarks.report import write_section
from hrl_wrappers import MacroActionWrapper, SkillLibrary, load_skills
from hrl_wrappers.envs import POINT_WORLD_ID


def bare_loop(skills: SkillLibrary, steps: int, hold_steps: int, seed: int) -> float:
    env = gym.make(POINT_WORLD_ID)
    rng = np.random.default_rng(seed)
    n = skills.n_skills or 1
    obs, _ = env.reset(seed=seed)
    start = time.perf_counter()
    skill, t = int(rng.integers(n)), 0
    for _ in range(steps):
        obs, _, terminated, truncated, _ = env.step(skills.act(obs, skill))
        t += 1
        if terminated or truncated:
            obs, _ = env.reset()
            skill, t = int(rng.integers(n)), 0
        elif t % hold_steps == 0:
            skill = int(rng.integers(n))
    return steps / (time.perf_counter() - start)


def through_wrapper(skills: SkillLibrary, steps: int, hold_steps: int, seed: int) -> float:
    env = MacroActionWrapper(gym.make(POINT_WORLD_ID), skills, hold_steps=hold_steps)
    rng = np.random.default_rng(seed)
    n = skills.n_skills or 1
    env.reset(seed=seed)
    start = time.perf_counter()
    done = 0
    while done < steps:
        _, _, terminated, truncated, info = env.step(int(rng.integers(n)))
        done += info["primitive_steps"]
        if terminated or truncated:
            env.reset()
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=5_000)
    parser.add_argument("--hold-steps", type=int, default=10)
    parser.add_argument("--net", type=int, nargs="+", default=[64, 64])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    # the speed of a frozen policy does not depend on its training: an untrained DIAYN of the benchmark's shape
    model = DIAYN("MlpPolicy", POINT_WORLD_ID, n_skills=8, policy_kwargs={"net_arch": args.net}, seed=0)
    skills = load_skills(model)
    bare_loop(skills, 500, args.hold_steps, 0)  # warm-up
    through_wrapper(skills, 500, args.hold_steps, 0)
    rounds = []
    for r in range(args.rounds):
        first, second = (bare_loop, through_wrapper) if r % 2 == 0 else (through_wrapper, bare_loop)
        speeds = {f.__name__: f(skills, args.steps, args.hold_steps, r) for f in (first, second)}
        rounds.append(speeds)
        print(f"round {r}: bare {speeds['bare_loop']:.0f}, wrapper {speeds['through_wrapper']:.0f} steps/s", flush=True)
    ratios = [r["through_wrapper"] / r["bare_loop"] for r in rounds]
    lines = ["| | primitive steps/s per round | median steps/s |", "|---|---|---|"]
    for key, label in (("bare_loop", "bare loop (act + env.step)"), ("through_wrapper", "through MacroActionWrapper")):
        per_round = [r[key] for r in rounds]
        lines.append(f"| {label} | {', '.join(f'{s:.0f}' for s in per_round)} | {statistics.median(per_round):.0f} |")
    body = (
        f"`{POINT_WORLD_ID}`, 8 frozen DIAYN skills (SAC actor {args.net}, CPU, one torch thread), a random skill every "
        f"{args.hold_steps} primitive steps; {args.rounds} rounds of {args.steps} primitive steps, bare loop and wrapper "
        "alternating which goes first. Per-round ratio wrapper / bare: "
        f"{', '.join(f'{x:.3f}' for x in ratios)}; **median ratio {statistics.median(ratios):.3f}** (goal at least 0.95)."
        "\n\n" + "\n".join(lines) + "\n"
    )
    print(body)
    if not args.no_write:
        write_section("overhead-macro", "MacroActionWrapper overhead against a bare loop", body)


if __name__ == "__main__":
    main()
