"""DADS on the point world, then zero-shot planning to 8 goals at distance 5 (closed loop, MPPI over skills).

Trains DADS (continuous 2-D skills) on ``hrl_wrappers/PointWorld-v0`` without reward, then, for each of 8 goals on the
circle of radius 5 around the start, plans with the learned skill dynamics (dense reward, H_P=1, H_Z=10, K=50,
R=10, gamma=10) and executes the plan in the real environment for one 100-step episode. Reports the final distance
over the initial distance per goal and its mean (target: at most 0.2), and draws the planned and executed paths.

    python -m benchmarks.dads_point --steps 30000 --seed 0
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from agents import DADS, SkillPlanner, plot_plans
from benchmarks.report import write_section
from hrl_wrappers.envs import POINT_WORLD_ID

OUT = pathlib.Path(__file__).resolve().parent / "results" / "dads_point"


def skill_directions(model: Any, env: gym.Env, n: int = 16, steps: int = 10) -> np.ndarray:
    """Displacement after ``steps`` steps from the start for ``n`` skills on the unit circle of skill space."""
    out = []
    for a in np.arange(n) * 2 * np.pi / n:
        z = np.array([np.cos(a), np.sin(a)], np.float32)
        obs, _ = env.reset(seed=0)
        start = obs.copy()
        for _ in range(steps):
            action, _ = model.predict_skill(obs, z)
            obs, *_ = env.step(action)
        out.append(obs - start)
    return np.asarray(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--schedule", default="on-policy", choices=["on-policy", "off-policy"])
    parser.add_argument("--n-steps", type=int, default=1000, help="on-policy: N, env steps per iteration")
    parser.add_argument("--dynamics-steps", type=int, default=64, help="on-policy: K1 per iteration")
    parser.add_argument("--agent-steps", type=int, default=512, help="on-policy: K2 per iteration")
    parser.add_argument("--net", type=int, nargs="+", default=[64, 64])
    parser.add_argument("--std-decay", type=float, default=1.0, help="planner noise decay per refinement (1: paper)")
    parser.add_argument("--model", type=pathlib.Path, help="plan with this saved model instead of training")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.time()
    kwargs: dict[str, Any] = (
        {"learning_starts": 1000, "update_ratio": 0.25}
        if args.schedule == "off-policy"
        else {"n_steps": args.n_steps, "dynamics_steps": args.dynamics_steps, "agent_steps": args.agent_steps}
    )
    if args.model is not None:
        model: Any = DADS.load(args.model, device="cpu")
    else:
        model = DADS(
            "MlpPolicy",
            POINT_WORLD_ID,
            skill_dim=2,
            schedule=args.schedule,
            n_alternatives=100,
            policy_kwargs={"net_arch": args.net},
            dynamics_arch=args.net,
            seed=args.seed,
            device="cpu",
            **kwargs,
        )
        model.learn(args.steps)
        model.save(f"/tmp/dads_point_seed{args.seed}.zip")
    train_s = time.time() - started
    env = gym.make(POINT_WORLD_ID)
    directions = skill_directions(model, env)
    results = []
    for k in range(8):
        goal = 5.0 * np.array([np.cos(k * np.pi / 4), np.sin(k * np.pi / 4)])
        planner = SkillPlanner(model, std_decay=args.std_decay, seed=args.seed)
        results.append(planner.run(env, goal=goal, max_steps=100, seed=args.seed + k))
    ratios = [r.final_ratio for r in results]
    mean_ratio = float(np.mean(ratios))
    name = f"dads_point_seed{args.seed}" + ("" if args.std_decay == 1.0 else f"_decay{args.std_decay:g}")
    plot_plans(
        results,
        str(OUT / f"{name}.png"),
        title=f"DADS point world, seed {args.seed}: 8 goals at distance 5, mean final/initial {mean_ratio:.3f}\n"
        "executed (solid), plans at each decision (dotted), goals (stars)",
    )
    summary = {
        "seed": args.seed,
        "steps": int(model.num_timesteps),
        "schedule": model.schedule,
        "train_s": round(train_s, 1),
        "std_decay": args.std_decay,
        "final_over_initial": [round(r, 4) for r in ratios],
        "mean_final_over_initial": round(mean_ratio, 4),
        "normalized_distance": [round(r.normalized_distance, 4) for r in results],
        "skill_displacement_10_steps": np.round(directions, 3).tolist(),
    }
    (OUT / f"{name}.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "skill_displacement_10_steps"}, indent=2))
    if args.no_write:
        return
    angles = np.sort(np.degrees(np.arctan2(directions[:, 1], directions[:, 0])))
    largest_gap = float(np.max(np.diff(np.concatenate([angles, angles[:1] + 360]))))
    lines = [
        "| goal (x, y) | final / initial distance | mean distance over the episode / initial |",
        "|---|---|---|",
    ]
    for r in results:
        lines.append(f"| ({r.goal[0]:.2f}, {r.goal[1]:.2f}) | {r.final_ratio:.3f} | {r.normalized_distance:.3f} |")
    lines.append(f"| **mean** | **{mean_ratio:.3f}** | {np.mean([r.normalized_distance for r in results]):.3f} |")
    body = (
        f"DADS (SAC, {model.schedule} schedule"
        + (
            f" N={args.n_steps}, K1={args.dynamics_steps}, K2={args.agent_steps}"
            if model.schedule == "on-policy"
            else ", learning_starts 1000, one skill-dynamics step per 4 env steps"
        )
        + f", continuous 2-D skills, L=100, policy and skill dynamics {args.net}) "
        f"trained {int(model.num_timesteps)} reward-free steps on `{POINT_WORLD_ID}` (seed {args.seed}, "
        f"{train_s / 60:.1f} min on the shared machine). Then zero-shot: MPPI over skills with the learned skill "
        f"dynamics, dense reward, H_P=1, H_Z=10, K=50, R=10, gamma=10, sampling std sqrt(1.5)"
        + ("" if args.std_decay == 1.0 else f" times {args.std_decay:g} per refinement")
        + ", replanning every 10 steps, one 100-step episode per goal. Target: mean final/initial at most 0.2.\n\n"
        + "\n".join(lines)
        + f"\n\nHeadings of 16 skills on the unit circle of skill space (displacement after 10 steps): largest gap "
        f"between neighbouring headings {largest_gap:.0f} degrees. "
        f"Plot: [benchmarks/results/dads_point/{name}.png](benchmarks/results/dads_point/{name}.png)\n"
    )
    write_section(f"dads-point-seed{args.seed}", f"DADS zero-shot planning on the point world (seed {args.seed})", body)


if __name__ == "__main__":
    main()
