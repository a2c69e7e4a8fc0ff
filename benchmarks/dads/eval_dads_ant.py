"""Evaluate the DADS Ant run of ``benchmarks/dads/train_dads_ant.py``: curve, skills, zero-shot navigation.

Writes into the run folder (``--out``, by default ``benchmarks/results/dads_ant/``):

* ``log_likelihood.png``: the skill dynamics' log-likelihood over training, on its training batches and held out
  (each iteration's new data before it trains on them), and the mean DADS reward;
* ``skills_xy.png``: x-y trajectories (200 steps, deterministic) of skills on a grid of skill space;
* ``navigation.png`` / ``navigation.json``: zero-shot MPPI navigation to (+-10, +-10), 200-step episodes, dense
  reward, H_P=1, H_Z=10, K=50, R=10, gamma=10 (the paper's settings), with the paper's metric (distance to the goal
  averaged over the episode, over the initial distance) and the final distance;

and the section ``dads-ant`` of ``docs/results/dads.md`` (``dads-ant-<run>`` for another run folder), whose links point
into the run folder.

    python -m benchmarks.dads.eval_dads_ant --checkpoint runs/dads_ant/model.zip
"""

from __future__ import annotations

import argparse
import csv
import json
import pathlib
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from agents import DADS, SkillPlanner, plot_plans
from benchmarks.dads.train_dads_ant import CHECKPOINT, OUT, make_ant
from benchmarks.report import current_command, page_link, write_section

GOALS = [(10.0, 10.0), (-10.0, 10.0), (-10.0, -10.0), (10.0, -10.0)]
#: the normalised log-likelihood of a model that predicts N(0, I) for normalised 2-D data with unit variance,
#: -log(2 pi) - 1: what a skill dynamics that has learnt nothing (it predicts the mean change) scores
UNINFORMED_LL = -float(np.log(2 * np.pi)) - 1.0


def read_curve(path: pathlib.Path) -> dict[str, np.ndarray]:
    """A ``train_dads_ant`` curve, one array per column.

    The held-out log-likelihood (``log_likelihood_fresh``) of a run's first iteration is NaN: that data is scored
    before the target normaliser has seen any, so its value measures raw changes against unit variance, not what the
    skill dynamics has learnt. A curve that starts at a resume keeps its first row.
    """
    with path.open() as f:
        rows = list(csv.DictReader(f))
    curve = {k: np.array([float(r[k]) for r in rows]) for k in rows[0]} if rows else {}
    if "log_likelihood_fresh" in curve and curve["steps"][0] <= 2000:  # the run's first iteration (N=2000)
        curve["log_likelihood_fresh"][0] = np.nan
    return curve


def plot_curve(curve: dict[str, np.ndarray], path: pathlib.Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    keys = [
        ("log_likelihood_raw", "log q(delta xy | s, z), nats per m^2 (raw units)"),
        ("log_likelihood", "log q, normalised units, training batches"),
        ("log_likelihood_fresh", "log q, normalised units, held out\n(each iteration's data before training on it)"),
        ("buffer_intrinsic_reward", "mean DADS reward of the iteration"),
    ]
    keys = [(k, label) for k, label in keys if k in curve and np.isfinite(curve[k]).any()]
    fig = Figure(figsize=(3.7 * len(keys), 3.4))
    FigureCanvasAgg(fig)
    for i, (key, label) in enumerate(keys):
        ax = fig.add_subplot(1, len(keys), i + 1)
        x, y = curve["steps"], curve[key]
        x, y = x[np.isfinite(y)], y[np.isfinite(y)]
        if key in ("log_likelihood", "log_likelihood_fresh"):
            ax.axhline(UNINFORMED_LL, color="grey", ls="--", lw=1, label="predicting no change")
            ax.legend(fontsize=7, loc="lower right")
        ax.plot(x, y, ".", alpha=0.35, ms=3)
        if len(y) >= 5:
            w = max(3, len(y) // 10)
            smooth = np.convolve(y, np.ones(w) / w, mode="valid")
            ax.plot(x[w - 1 :], smooth, "-", lw=2)
        ax.set_xlabel("environment steps")
        ax.set_title(label, fontsize=9)
        ax.grid(alpha=0.3)
    fig.suptitle("DADS on Ant-v5 (x-y prior): skill dynamics over training", fontsize=10, y=1.07)
    fig.savefig(path, dpi=110, bbox_inches="tight")


def skill_trajectories(model: Any, env: gym.Env, n_side: int = 3, steps: int = 200) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for zx in np.linspace(-1, 1, n_side):
        for zy in np.linspace(-1, 1, n_side):
            z = np.array([zx, zy], np.float32)
            obs, _ = env.reset(seed=0)
            path = [obs[:2].copy()]
            for _ in range(steps):
                action, _ = model.predict_skill(obs, z)
                obs, *_ = env.step(action)
                path.append(obs[:2].copy())
            out.append((z, np.asarray(path)))
    return out


def plot_skills(trajs: list[tuple[np.ndarray, np.ndarray]], path: pathlib.Path, title: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for i, (z, p) in enumerate(trajs):
        ax.plot(p[:, 0], p[:, 1], "-", color=f"C{i % 10}", lw=1.5, label=f"z=({z[0]:+.1f},{z[1]:+.1f})")
        ax.plot(p[-1, 0], p[-1, 1], "o", color=f"C{i % 10}", ms=4)
    ax.plot(0, 0, "k+", ms=10)
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=6, loc="best")
    ax.set_title(title, fontsize=9)
    fig.savefig(path, dpi=110, bbox_inches="tight")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=pathlib.Path, default=CHECKPOINT)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=pathlib.Path, default=OUT, help="the run folder of train_dads_ant (its --out); results go there too"
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    out = args.out.resolve()
    rel = page_link(out)
    config = json.loads((out / "config.json").read_text())
    curve = read_curve(out / "curve.csv")
    plot_curve(curve, out / "log_likelihood.png")
    model: Any = DADS.load(args.checkpoint, device="cpu")
    scale = float(config.get("action_scale", 1.0))  # runs from before --action-scale: 1
    env = make_ant(scale)
    trajs = skill_trajectories(model, env)
    final_dist = [float(np.linalg.norm(p[-1])) for _, p in trajs]
    plot_skills(
        trajs,
        out / "skills_xy.png",
        f"DADS Ant x-y skills after {model.num_timesteps} steps: 200-step deterministic rollouts on a 3x3 grid of z",
    )
    results = []
    for k, goal in enumerate(GOALS):
        planner = SkillPlanner(model, seed=args.seed + k)
        results.append(planner.run(env, goal=goal, max_steps=200, seed=args.seed + k))
    plot_plans(
        results,
        str(out / "navigation.png"),
        title=f"DADS Ant zero-shot navigation after {model.num_timesteps} steps: executed (solid), plans (dotted)",
    )
    nav = {
        "checkpoint_steps": int(model.num_timesteps),
        "goals": GOALS,
        "normalized_distance": [round(r.normalized_distance, 4) for r in results],
        "final_over_initial": [round(r.final_ratio, 4) for r in results],
        "final_xy": [np.round(r.executed[-1], 3).tolist() for r in results],
        "skill_final_distance_from_start": [round(d, 3) for d in final_dist],
    }
    (out / "navigation.json").write_text(json.dumps(nav, indent=2))
    print(json.dumps(nav, indent=2))
    if args.no_write:
        return
    n = len(curve.get("steps", []))
    k = max(1, n // 10)
    ll = curve["log_likelihood_raw"] if n else np.array([np.nan])
    lines = [
        "| goal | normalised distance (mean over episode / initial) | final / initial | final x, y |",
        "|---|---|---|---|",
    ]
    for g, r in zip(GOALS, results, strict=True):
        lines.append(
            f"| ({g[0]:+.0f}, {g[1]:+.0f}) | {r.normalized_distance:.3f} | {r.final_ratio:.3f} | "
            f"({r.executed[-1][0]:.2f}, {r.executed[-1][1]:.2f}) |"
        )
    lines.append(
        f"| **mean** | **{np.mean([r.normalized_distance for r in results]):.3f}** | "
        f"{np.mean([r.final_ratio for r in results]):.3f} | |"
    )
    fresh = curve.get("log_likelihood_fresh", np.array([]))
    fresh = fresh[np.isfinite(fresh)]
    fresh_text = (
        f"Held out (each iteration's new data scored before the skill dynamics trains on it; normalised units, "
        f"{UNINFORMED_LL:.2f} for predicting no change): median of the first {k} iterations "
        f"{np.nanmedian(fresh[:k]):.3f}, of the last {k} {np.nanmedian(fresh[-k:]):.3f}. "
        if len(fresh)
        else ""
    )
    resumed = [int(s["resumed_at"]) for s in config.get("resumes", []) if "resumed_at" in s]
    timing = (
        f"{int(model.num_timesteps)} environment steps over {len(resumed) + 1} processes, resumed at "
        f"{', '.join(map(str, resumed))}; the last process's command is shown, it ran "
        f"{int(model.num_timesteps) - resumed[-1]} steps in {config.get('wall_s', float('nan')) / 60:.0f} min"
        if resumed
        else f"{int(model.num_timesteps)} environment steps in {config.get('wall_s', float('nan')) / 60:.0f} min"
    )
    body = (
        f"Training: `{current_command(config['command'])}` ({timing} on the shared 2-core machine; "
        f"{config.get('steps_per_s', float('nan'))} steps/s). Ant-v5, x-y exposed, no contact forces, no termination, "
        + (f"actions x {scale} before the env (ScaleAction), " if scale != 1.0 else "")
        + "200-step episodes, continuous 2-D skills U(-1,1)^2, skill dynamics predicting the change of x-y from "
        + ("the skill only" if config.get("dynamics_input") == "none" else "x-y and the skill")
        + f" (4 experts, unit variance, {config['net']}), policy blind to x-y, "
        f"on-policy schedule N=2000, K1={config['dynamics_steps']}, "
        f"K2={config['agent_steps']} (reference: 32, 64), L={config['n_alternatives']}, "
        f"{config['n_envs']} envs. **Step budget: {int(model.num_timesteps)} steps**; the paper trains for millions "
        "(the reference config allows up to 20M).\n\n"
        f"Skill-dynamics log-likelihood of each iteration's data (raw units, nats): first {k} iterations "
        f"{np.nanmean(ll[:k]):.3f}, last {k} iterations {np.nanmean(ll[-k:]):.3f} "
        f"([plot]({rel}/log_likelihood.png)). "
        + fresh_text
        + f"x-y trajectories of 9 skills: distance from the start after 200 steps {min(final_dist):.2f} to "
        f"{max(final_dist):.2f} m, mean {np.mean(final_dist):.2f} m ([plot]({rel}/skills_xy.png)).\n\n"
        "Zero-shot navigation (MPPI over skills with the learned skill dynamics, dense reward, H_P=1, H_Z=10, K=50, "
        f"R=10, gamma=10, one 200-step episode per goal; [plot]({rel}/navigation.png)):\n\n"
        + "\n".join(lines)
        + "\n\nBeside the paper: DADS (Sharma et al., 2020) reports this metric only in figures (no table), for goals "
        "drawn from [-15, 15]^2 after millions of training steps, with DADS+MPPI reaching lower normalised distances "
        "than the model-based (PETS-style) baselines; "
        "a policy that does not move scores 1.0 on this metric and one that reaches the goal at constant speed "
        "within the episode about 0.5.\n"
    )
    key, title = "dads-ant", "DADS on Ant-v5 with the x-y prior: skill dynamics, skills, zero-shot navigation"
    if out != OUT.resolve():  # another run gets its own section beside the first
        key, title = f"dads-ant-{out.name}", f"{title} ({out.name})"
    write_section(key, title, body)


if __name__ == "__main__":
    main()
