"""DADS on the point world, then zero-shot planning to 8 goals at distance 5 (closed loop, MPPI over skills).

For each seed: trains DADS (continuous 2-D skills) on ``hrl_wrappers/PointWorld-v0`` without reward, then, for each of
8 goals on the circle of radius 5 around the start, plans with the learned skill dynamics (dense reward, H_P=1,
H_Z=10, K=50, R=10, gamma=10: the paper's settings) and executes the plan in the real environment for one 100-step
episode. Reports the final distance over the initial distance per goal and its mean (target: at most 0.2) for every
seed with one configuration, draws the planned and executed paths, and records during training how spread the skills
are (the headings of 16 skills on the unit circle of skill space).

    python -m benchmarks.dads.dads_point --seeds 0 1 2 --steps 20000
    python -m benchmarks.dads.dads_point --seeds 0 1 2 --steps 20000 --replan --hold-steps 3 --name dads_point_xyprior_hz3

(the second plans again with the models the first saved under ``runs/dads_point/`` of the current directory, holding
each skill 3 steps instead of 10). Tables go into ``docs/results/dads.md``, plots and records into
``benchmarks/results/dads_point/``.

The default configuration is the x-y prior of the paper (the policy does not see x-y, ``hide_features``; the skill
dynamics does) with the skill redrawn every 10 steps (``resample_every``; 100 skills per 1000-step iteration).
``--see-xy --resample-every 0`` gives the configuration of the earlier runs.
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
from stable_baselines3.common.callbacks import BaseCallback

from agents import DADS, SkillPlanner, plot_plans
from benchmarks.report import ROOT, page_link, write_section
from hrl_wrappers import circle_skills, skill_displacements
from hrl_wrappers.envs import POINT_WORLD_ID

OUT = ROOT / "benchmarks" / "results" / "dads_point"
#: where training runs keep their models for ``--replan``, relative to the current directory (not committed)
MODELS = pathlib.Path("runs") / "dads_point"
#: name of the training run's results and section (the earlier single-seed runs used ``dads_point_seed<S>``)
TRAIN_NAME = "dads_point_xyprior"


def skill_directions(model: Any, env: gym.Env, n: int = 16, steps: int = 10) -> np.ndarray:
    """Displacement after ``steps`` steps from the start for ``n`` skills on the unit circle of skill space."""
    return skill_displacements(lambda obs, z: model.predict_skill(obs, z)[0], env, circle_skills(n), steps)


def spread(directions: np.ndarray) -> tuple[float, float]:
    """(largest gap in degrees between neighbouring skill headings, smaller / larger singular value of the
    displacements): 22.5 and 1 for skills evenly spread around the circle, 180 and 0 for skills on one line."""
    angles = np.sort(np.degrees(np.arctan2(directions[:, 1], directions[:, 0])))
    gap = float(np.max(np.diff(np.concatenate([angles, angles[:1] + 360]))))
    sv = np.linalg.svd(directions, compute_uv=False)
    return gap, float(sv[1] / max(sv[0], 1e-8))


class SpreadLog(BaseCallback):
    """Every ``every`` iterations: the skill-dynamics log-likelihood, the buffer's mean DADS reward, the skills' spread."""

    def __init__(self, every: int = 5) -> None:
        super().__init__()
        self.every = every
        self.env = gym.make(POINT_WORLD_ID)
        self.rows: list[dict[str, float]] = []
        self._iteration = 0

    def _on_step(self) -> bool:
        return True

    def _on_rollout_end(self) -> None:
        self._iteration += 1
        if self._iteration % self.every:
            return
        values = self.logger.name_to_value
        gap, ratio = spread(skill_directions(self.model, self.env))
        self.rows.append(
            {
                "steps": int(self.num_timesteps),
                "log_likelihood": round(float(values.get("dads/log_likelihood", float("nan"))), 3),
                "buffer_reward": round(float(values.get("dads/buffer_intrinsic_reward", float("nan"))), 3),
                "largest_gap_deg": round(gap, 1),
                "sv_ratio": round(ratio, 3),
            }
        )
        print(f"  {self.rows[-1]}", flush=True)


def saved_model(seed: int, name: str = TRAIN_NAME) -> pathlib.Path:
    """Where a training run keeps its model for ``--replan``: ``runs/dads_point/<name>_seed<S>.zip``."""
    return MODELS / f"{name}_seed{seed}.zip"


def train(args: argparse.Namespace, seed: int) -> tuple[Any, list[dict[str, float]], float]:
    started = time.time()
    kwargs: dict[str, Any] = (
        {"learning_starts": 1000, "update_ratio": 0.25}
        if args.schedule == "off-policy"
        else {"n_steps": args.n_steps, "dynamics_steps": args.dynamics_steps, "agent_steps": args.agent_steps}
    )
    model = DADS(
        "MlpPolicy",
        POINT_WORLD_ID,
        skill_dim=2,
        schedule=args.schedule,
        features=[0, 1],
        hide_features=not args.see_xy,
        resample_every=args.resample_every or None,
        n_alternatives=100,
        policy_kwargs={"net_arch": args.net},
        dynamics_arch=args.net,
        seed=seed,
        device="cpu",
        **kwargs,
    )
    log = SpreadLog()
    model.learn(args.steps, callback=log)
    model.save(saved_model(seed, args.name))
    return model, log.rows, time.time() - started


def wall_fraction(model: Any, resample_every: int, episodes: int = 20, seed: int = 0) -> float:
    """Fraction of steps that end against a wall of the point world (within 0.1 of it), with the stochastic policy and
    skills drawn from the prior on the training run's schedule (every ``resample_every`` steps, 0: once an episode)."""
    env = gym.make(POINT_WORLD_ID)
    size = float(env.unwrapped.size)  # type: ignore[attr-defined]
    rng = np.random.default_rng(seed)
    at_wall = total = 0
    z = np.zeros(2, np.float32)
    for episode in range(episodes):
        obs, _ = env.reset(seed=seed + episode)
        for t in range(100):
            if t == 0 or (resample_every and t % resample_every == 0):
                z = rng.uniform(-1, 1, 2).astype(np.float32)
            action, _ = model.predict_skill(obs, z, deterministic=False)
            obs, *_ = env.step(action)
            at_wall += bool(np.any(np.abs(obs) >= size - 0.1))
            total += 1
    return at_wall / total


def evaluate(model: Any, args: argparse.Namespace, seed: int) -> tuple[list[Any], np.ndarray]:
    env = gym.make(POINT_WORLD_ID)
    directions = skill_directions(model, env)
    results = []
    for k in range(8):
        goal = 5.0 * np.array([np.cos(k * np.pi / 4), np.sin(k * np.pi / 4)])
        planner = SkillPlanner(model, hold_steps=args.hold_steps, std_decay=args.std_decay, seed=seed)
        results.append(planner.run(env, goal=goal, max_steps=100, seed=seed + k))
    return results, directions


def config_text(args: argparse.Namespace) -> str:
    schedule = (
        f"on-policy schedule N={args.n_steps}, K1={args.dynamics_steps}, K2={args.agent_steps}"
        if args.schedule == "on-policy"
        else "off-policy schedule, learning_starts 1000, one skill-dynamics step per 4 env steps"
    )
    return (
        f"DADS (SAC, {schedule}, continuous 2-D skills, L=100, policy and skill dynamics {args.net}, "
        + ("policy sees x-y" if args.see_xy else "policy blind to x-y (the x-y prior)")
        + (f", skill redrawn every {args.resample_every} steps" if args.resample_every else ", one skill per 100-step episode")
        + f") trained {args.steps} reward-free steps on `{POINT_WORLD_ID}`. Then zero-shot: MPPI over skills with the "
        f"learned skill dynamics, dense reward, H_P=1, H_Z={args.hold_steps}"
        + ("" if args.hold_steps == 10 else " (paper: 10)")
        + ", K=50, R=10, gamma=10, sampling std sqrt(1.5)"
        + ("" if args.std_decay == 1.0 else f" times {args.std_decay:g} per refinement")
        + f", replanning every {args.hold_steps} steps, one 100-step episode per goal. Target: mean final/initial at "
        "most 0.2."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--schedule", default="on-policy", choices=["on-policy", "off-policy"])
    parser.add_argument("--n-steps", type=int, default=1000, help="on-policy: N, env steps per iteration")
    parser.add_argument("--dynamics-steps", type=int, default=64, help="on-policy: K1 per iteration")
    parser.add_argument("--agent-steps", type=int, default=512, help="on-policy: K2 per iteration")
    parser.add_argument("--net", type=int, nargs="+", default=[64, 64])
    parser.add_argument("--see-xy", action="store_true", help="let the policy see x-y (default: blind, the x-y prior)")
    parser.add_argument("--resample-every", type=int, default=10, help="redraw the skill every this many steps (0: never)")
    parser.add_argument("--std-decay", type=float, default=1.0, help="planner noise decay per refinement (1: paper)")
    parser.add_argument("--hold-steps", type=int, default=10, help="H_Z, steps each skill is held (paper: 10)")
    parser.add_argument(
        "--replan",
        action="store_true",
        help="plan with the models the training run --train-name saved to runs/dads_point/ instead of training (its training "
        "record is read from results/dads_point/<train-name>_seed<S>.json; give it the same configuration flags)",
    )
    parser.add_argument("--train-name", default=TRAIN_NAME, help="--replan: the training run's --name")
    parser.add_argument("--name", default=TRAIN_NAME, help=f"results file prefix and section name (default: {TRAIN_NAME})")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    OUT.mkdir(parents=True, exist_ok=True)
    per_seed: list[dict[str, Any]] = []
    for seed in args.seeds:
        print(f"seed {seed}", flush=True)
        if args.replan:
            model: Any = DADS.load(saved_model(seed, args.train_name), device="cpu")
            record = json.loads((OUT / f"{args.train_name}_seed{seed}.json").read_text())
            curve: list[dict[str, float]] = record["training_curve"]
            train_s = float(record["train_s"])
        else:
            model, curve, train_s = train(args, seed)
        results, directions = evaluate(model, args, seed)
        ratios = [r.final_ratio for r in results]
        mean_ratio = float(np.mean(ratios))
        gap, sv_ratio = spread(directions)
        png = f"{args.name}_seed{seed}.png"
        plot_plans(
            results,
            str(OUT / png),
            title=f"DADS point world, seed {seed}: 8 goals at distance 5, mean final/initial {mean_ratio:.3f}\n"
            "executed (solid), plans at each decision (dotted), goals (stars)",
        )
        summary = {
            "seed": seed,
            "steps": int(model.num_timesteps),
            "train_s": round(train_s, 1),
            "hold_steps": args.hold_steps,
            "std_decay": args.std_decay,
            "final_over_initial": [round(r, 4) for r in ratios],
            "mean_final_over_initial": round(mean_ratio, 4),
            "normalized_distance": [round(r.normalized_distance, 4) for r in results],
            "largest_gap_deg": round(gap, 1),
            "sv_ratio": round(sv_ratio, 3),
            "wall_fraction": round(wall_fraction(model, args.resample_every, seed=seed), 3),
            "training_curve": curve,
            "skill_displacement_10_steps": np.round(directions, 3).tolist(),
            "results": results,
        }
        per_seed.append(summary)
        (OUT / f"{args.name}_seed{seed}.json").write_text(
            json.dumps({k: v for k, v in summary.items() if k != "results"}, indent=2)
        )
        print(json.dumps({k: v for k, v in summary.items() if k not in ("results", "skill_displacement_10_steps")}))
        if not args.no_write:
            write_section(
                args.name,
                "DADS zero-shot planning on the point world, "
                + ("policy sees x-y" if args.see_xy else "x-y prior")
                + (f", skill redrawn every {args.resample_every} steps" if args.resample_every else ", one skill per episode")
                + (" (seed " if len(per_seed) == 1 else " (seeds ")
                + ", ".join(str(s["seed"]) for s in per_seed)
                + f"; {args.steps // 1000}k steps; H_Z={args.hold_steps}"
                + (", re-planned)" if args.replan else ")"),
                report(args, per_seed),
            )


def report(args: argparse.Namespace, per_seed: list[dict[str, Any]]) -> str:
    lines = [
        "| seed | " + " | ".join(f"goal {k * 45} deg" for k in range(8)) + " | **mean final / initial** | "
        "mean distance over the episode / initial | largest gap between skill headings | steps against a wall | "
        "train min |",
        "|---" * 14 + "|",
    ]
    for s in per_seed:
        lines.append(
            f"| {s['seed']} | "
            + " | ".join(f"{r:.3f}" for r in s["final_over_initial"])
            + f" | **{s['mean_final_over_initial']:.3f}** | {np.mean(s['normalized_distance']):.3f} | "
            f"{s['largest_gap_deg']:.0f} deg | {s['wall_fraction']:.2f} | {s['train_s'] / 60:.1f} |"
        )
    means = [s["mean_final_over_initial"] for s in per_seed]
    met = sum(m <= 0.2 for m in means)
    curves = []
    for s in per_seed:
        if s["training_curve"]:
            rows = ", ".join(
                f"{c['steps'] // 1000}k: {c['largest_gap_deg']:.0f} deg / {c['buffer_reward']:.2f}"
                for c in s["training_curve"]
            )
            curves.append(f"- seed {s['seed']}: {rows}")
    links = {s["seed"]: page_link(OUT / f"{args.name}_seed{s['seed']}.png") for s in per_seed}
    plots = ", ".join(f"[seed {seed}]({link})" for seed, link in links.items())
    return (
        config_text(args)
        + (
            f" The models are the ones the training run (section `{args.train_name}`) saved; only the planner settings differ."
            if args.replan
            else ""
        )
        + "\n\n"
        + "\n".join(lines)
        + f"\n\nTarget met on {met} of {len(per_seed)} seeds; mean over seeds {np.mean(means):.3f}. The headings gap is "
        "over 16 skills on the unit circle of skill space, 10 steps from the start (22.5 deg: evenly spread; near 180 "
        "deg: skills on one line). Steps against a wall: fraction of the steps of 20 episodes with the stochastic policy and "
        "skills drawn on the training schedule that end within 0.1 of a wall.\n\nDuring training (every 5 iterations: largest "
        "heading gap / mean DADS reward of the buffer):\n\n"
        + "\n".join(curves)
        + f"\n\nPlots (planned and executed paths): {plots}\n"
    )


if __name__ == "__main__":
    main()
