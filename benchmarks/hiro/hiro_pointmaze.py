"""HIRO against flat SAC, flat SAC + HER and flat SAC with temporally extended exploration on a PointMaze.

All agents get the same environment steps, networks and learning start, and are trained round-robin in chunks
(HIRO, then each baseline, ``--chunk`` steps each), so that whatever budget the machine reaches, every agent has
had the same. After each chunk an agent is evaluated on ``--eval-episodes`` episodes (deterministic policies, fixed
reset seeds, ``continuing_task=False``: an episode ends when the goal is reached); success = ``info["success"]`` at
the last step. The curve is written to CSV after every evaluation, and the plot and the section of
``docs/results/hiro.md`` after every round, so a run cut short still leaves its numbers (the run folder ``--out`` must
then lie under ``benchmarks/results/``, which the section links to). With ``--checkpoint-dir`` every agent is saved
with its replay buffer after each chunk, and ``--resume`` continues from there in a later process, appending to the
curves.

    python -m benchmarks.hiro.hiro_pointmaze --env PointMaze_UMaze-v3 --steps 100000
"""

from __future__ import annotations

import argparse
import csv
import pathlib
import time
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from benchmarks.report import command, page_link, write_section

AGENTS = ("hiro", "hiro_her", "sac", "sac_her", "sac_tee")
LABELS = {
    "hiro": "HIRO (TD3 both levels, off-policy correction)",
    "hiro_her": "HIRO + hindsight desired goals at the high level",
    "sac": "flat SAC",
    "sac_her": "flat SAC + HER",
    "sac_tee": "flat SAC + held noise (temporally extended exploration)",
}
#: curves kept from earlier runs with other HIRO settings (renamed CSVs; plotted and tabled, never trained here)
EARLIER = {
    "hiro_prev": "HIRO, earlier settings (1 high-level update per goal)",
    "hiro_her_prev": "HIRO + hindsight, earlier settings (1 high-level update per goal)",
}


def make_env(env_id: str, contact_forces: bool = True, action_scale: float = 1.0) -> gym.Env:
    """The maze with ``continuing_task=False``, optionally changed the way the HIRO reference's ant differs.

    ``contact_forces=False`` drops an AntMaze ant's 78 contact forces: its ``observation`` is then the 27 joint
    positions and velocities (x-y stay in ``achieved_goal``), what the reference's ant observes besides x-y.
    ``action_scale`` multiplies every action before the env sees it (the agents still act in [-1, 1]): Gymnasium's
    ant has motor gear 150, the reference's 1 with controls in +-30, so 0.2 gives the reference's torque limit.
    """
    import gymnasium_robotics

    from hrl_wrappers import ScaleAction

    gym.register_envs(gymnasium_robotics)
    kwargs: dict[str, Any] = {} if contact_forces else {"include_cfrc_ext_in_observation": False}
    env = gym.make(env_id, continuing_task=False, **kwargs)
    return env if action_scale == 1.0 else ScaleAction(env, action_scale)


def add_env_arguments(parser: argparse.ArgumentParser) -> None:
    """``--no-contact-forces`` and ``--action-scale``: :func:`make_env`'s options (read back by :func:`env_options`)."""
    parser.add_argument(
        "--no-contact-forces",
        dest="contact_forces",
        action="store_false",
        help="AntMaze: drop the ant's 78 contact forces from the observation (the HIRO reference's ant has none)",
    )
    parser.add_argument(
        "--action-scale",
        type=float,
        default=1.0,
        help="multiply every agent's actions by this before the env (AntMaze: 0.2 is the HIRO reference's torque limit)",
    )


def env_options(args: argparse.Namespace) -> dict[str, Any]:
    """:func:`make_env`'s keyword arguments from the command line."""
    return {"contact_forces": args.contact_forces, "action_scale": args.action_scale}


def build(name: str, env_id: str, net: list[int], seed: int, learning_starts: int, args: argparse.Namespace) -> Any:
    from stable_baselines3 import SAC, HerReplayBuffer
    from stable_baselines3.common.noise import NormalActionNoise

    from agents import HIRO
    from hrl_wrappers.temporally_extended_exploration import TemporallyExtendedNoise

    if name in ("hiro", "hiro_her"):
        extra: dict[str, Any] = {}
        if name == "hiro_her":  # the maze's success radius (0.45) ends relabelled episodes, as the env does
            extra = {"high_hindsight": args.her_ratio, "hindsight_success_distance": 0.45}
        return HIRO(
            "MlpPolicy",
            lambda: make_env(env_id, **env_options(args)),
            c=args.c,
            goal_indices=[0, 1],
            goal_range=args.goal_range,
            reward_scale=args.reward_scale,
            high_noise=args.high_noise,
            low_noise=args.low_noise,
            high_gradient_steps=args.high_gradient_steps,
            high_action_penalty=args.high_action_penalty,
            low_bootstrap_periods=args.low_bootstrap_periods,
            high_algo=args.high_algo,
            low_level_hidden=[int(i) for i in args.low_level_hidden.split(",")] if args.low_level_hidden else None,
            policy_kwargs={"net_arch": net},
            learning_starts=learning_starts,
            seed=seed,
            **extra,
        )
    env = make_env(env_id, **env_options(args))
    kwargs: dict[str, Any] = {"policy_kwargs": {"net_arch": net}, "learning_starts": learning_starts, "seed": seed}
    if name == "sac_her":
        kwargs["replay_buffer_class"] = HerReplayBuffer
        kwargs["replay_buffer_kwargs"] = {"n_sampled_goal": 4, "goal_selection_strategy": "future"}
    if name == "sac_tee":
        assert env.action_space.shape is not None
        dim = env.action_space.shape[0]
        kwargs["action_noise"] = TemporallyExtendedNoise(
            NormalActionNoise(np.zeros(dim), args.tee_sigma * np.ones(dim)), hold_steps=args.c
        )
    return SAC("MultiInputPolicy", env, **kwargs)


def save(model: Any, name: str, folder: pathlib.Path) -> None:
    """Write ``<name>.zip`` and ``<name>_buffer.pkl`` (both levels' buffers for HIRO); replaced only once complete."""
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / f"{name}.tmp.zip")
    model.save_replay_buffer(folder / f"{name}_buffer.tmp.pkl")
    (folder / f"{name}.tmp.zip").replace(folder / f"{name}.zip")
    (folder / f"{name}_buffer.tmp.pkl").replace(folder / f"{name}_buffer.pkl")


def restore(name: str, env_id: str, folder: pathlib.Path, options: dict[str, Any]) -> Any:
    """An agent written by :func:`save`, with its replay buffer, ready to train on."""
    from stable_baselines3 import SAC

    from agents import HIRO

    path = folder / f"{name}.zip"
    if not path.exists():
        raise SystemExit(f"--resume: no checkpoint of agent {name!r} at {path}")
    model: Any
    if name in ("hiro", "hiro_her"):
        model = HIRO.load(path, env=lambda: make_env(env_id, **options))
    else:
        model = SAC.load(path, env=make_env(env_id, **options))
    model.load_replay_buffer(folder / f"{name}_buffer.pkl")
    return model


def evaluate(model: Any, env_id: str, n_episodes: int, options: dict[str, Any]) -> float:
    """Success over ``n_episodes`` deterministic episodes reset with seeds 10000, 10001, ..."""
    from agents.hiro.evaluation import evaluate_success

    return evaluate_success(model, lambda: make_env(env_id, **options), n_episodes, seed=10_000)


def read_curves(folder: pathlib.Path) -> list[dict[str, Any]]:
    """Every ``curve_<agent>.csv`` in ``folder``."""
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("curve_*.csv")):
        with path.open() as f:
            for r in csv.DictReader(f):
                rows.append(
                    {
                        "agent": r["agent"],
                        "steps": int(r["steps"]),
                        "success": float(r["success"]),
                        "train_s": float(r["train_s"]),
                    }
                )
    return rows


def plot(rows: list[dict[str, Any]], path: pathlib.Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for name in [*AGENTS, *EARLIER]:
        pts = [(r["steps"], r["success"]) for r in rows if r["agent"] == name]
        if pts:
            xs, ys = zip(*pts, strict=True)
            ax.plot(xs, ys, marker="o", label={**LABELS, **EARLIER}[name], linestyle=":" if name in EARLIER else "-")
    ax.set_xlabel("environment steps")
    ax.set_ylabel("success rate (20 eval episodes)")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def table(rows: list[dict[str, Any]], agents: list[str]) -> str:
    steps = sorted({r["steps"] for r in rows})
    labels = {**LABELS, **EARLIER}
    lines = ["| steps | " + " | ".join(labels[a] for a in agents) + " |", "|---" * (len(agents) + 1) + "|"]
    for s in steps:
        cells = []
        for a in agents:
            hit = [r for r in rows if r["agent"] == a and r["steps"] == s]
            cells.append(f"{hit[0]['success']:.2f}" if hit else "")
        lines.append(f"| {s} | " + " | ".join(cells) + " |")
    lines.append(
        "| train wall time (min) | "
        + " | ".join(f"{sum(r['train_s'] for r in rows if r['agent'] == a) / 60:.1f}" for a in agents)
        + " |"
    )
    return "\n".join(lines)


def main(results_root: str = "benchmarks/results/hiro_pointmaze", **defaults: Any) -> None:
    """Train, evaluate and report; ``defaults`` override the command line's defaults (see hiro_antmaze.py)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="PointMaze_UMaze-v3")
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--eval-episodes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--net", default="64,64")
    parser.add_argument("--learning-starts", type=int, default=1000)
    parser.add_argument("--c", type=int, default=10)
    parser.add_argument("--goal-range", type=float, default=1.0)
    parser.add_argument("--reward-scale", type=float, default=0.1, help="HIRO's high-level reward scale")
    parser.add_argument("--high-noise", type=float, default=0.2, help="HIRO's high-level TD3 noise (x goal half-range)")
    parser.add_argument("--low-noise", type=float, default=0.1, help="HIRO's low-level TD3 noise (x action half-range)")
    parser.add_argument("--high-gradient-steps", type=int, default=1, help="HIRO's high-level gradient steps per goal")
    parser.add_argument(
        "--high-action-penalty", type=float, default=0.0, help="HIRO's L2 penalty on TD3 high-level goals (0: none)"
    )
    parser.add_argument(
        "--low-bootstrap-periods",
        action="store_true",
        help="HIRO's low level bootstraps past a period's end from the carried goal (the library's default; off here "
        "unless given, so that the commands recorded in the results before it existed still reproduce)",
    )
    parser.add_argument("--high-algo", default="TD3", help="HIRO's high-level learner (TD3 or SAC); the low level is TD3")
    parser.add_argument("--tee-sigma", type=float, default=0.5)
    parser.add_argument("--her-ratio", type=float, default=0.8)
    parser.add_argument(
        "--low-level-hidden", default="", help="state indices HIRO's low level does not see (e.g. 0,1: blind to x-y)"
    )
    add_env_arguments(parser)
    parser.add_argument("--agents", default=",".join(AGENTS))
    parser.add_argument("--out", default=None)
    parser.add_argument("--checkpoint-dir", default=None, help="save every agent and its buffer here after each chunk")
    parser.add_argument("--resume", action="store_true", help="continue the agents in --checkpoint-dir")
    parser.add_argument("--report-only", action="store_true", help="only redraw the plot and table from the CSVs")
    parser.add_argument(
        "--no-section", action="store_true", help="write no section (settings sweeps: CSVs and plot in --out)"
    )
    parser.set_defaults(**defaults)
    args = parser.parse_args()
    torch.set_num_threads(1)
    net = [int(w) for w in args.net.split(",")]
    agents = [a.strip() for a in args.agents.split(",")]
    name = args.env.split("-")[0].lower()
    out = pathlib.Path(args.out or f"{results_root}/{name}")
    out.mkdir(parents=True, exist_ok=True)
    if not args.no_section:
        page_link(out)  # the section links into the run folder: fail now, not after the first round
    if args.report_only:  # redraw the plot and the section from the CSVs (e.g. of a run stopped mid-round)
        report(args, net, out, name)
        return
    checkpoints = pathlib.Path(args.checkpoint_dir) if args.checkpoint_dir else None
    rows: list[dict[str, Any]] = []
    done_steps = 0
    if args.resume:
        if checkpoints is None:
            parser.error("--resume needs --checkpoint-dir")
        models = {a: restore(a, args.env, checkpoints, env_options(args)) for a in agents}
        reached = {a: int(models[a].num_timesteps) for a in agents}
        if len(set(reached.values())) != 1:
            parser.error(f"--resume: the agents' checkpoints are at different steps {reached}; resume them one by one")
        done_steps = next(iter(reached.values()))
        # the curve up to the checkpoint (a row written after the last checkpoint is dropped, and redone)
        rows = [r for r in read_curves(out) if r["agent"] in agents and r["steps"] <= done_steps]
        print(f"resumed {agents} at {done_steps} steps", flush=True)
    else:
        models = {a: build(a, args.env, net, args.seed, args.learning_starts, args) for a in agents}
    fieldnames = ["agent", "steps", "success", "train_s"]
    while done_steps < args.steps:
        chunk = min(args.chunk, args.steps - done_steps)
        for a in agents:
            t0 = time.time()
            models[a].learn(chunk, reset_num_timesteps=False)
            train_s = time.time() - t0
            success = evaluate(models[a], args.env, args.eval_episodes, env_options(args))
            row = {"agent": a, "steps": done_steps + chunk, "success": success, "train_s": round(train_s, 1)}
            rows.append(row)
            print(row, flush=True)
            with (out / f"curve_{a}.csv").open("w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=fieldnames)
                writer.writeheader()
                writer.writerows(r for r in rows if r["agent"] == a)
            if checkpoints is not None:
                save(models[a], a, checkpoints)
        done_steps += chunk
        # every agent's curve in this folder, also those of an earlier run of this script (other --agents)
        report(args, net, out, name)


def report(args: argparse.Namespace, net: list[int], out: pathlib.Path, name: str) -> None:
    """Plot every agent's curve found in ``out`` and write the section of the results page."""
    rows_all = read_curves(out)
    shown = [a for a in [*AGENTS, *EARLIER] if any(r["agent"] == a for r in rows_all)]
    plot(rows_all, out / "success.png", f"{args.env}, sparse, continuing_task=False, seed {args.seed}")
    if args.no_section:
        return
    # settings tried before this run and where the earlier rows come from, kept beside the CSVs
    notes = (out / "notes.md").read_text().strip() + "\n\n" if (out / "notes.md").exists() else ""
    body = (
        f"{args.env} (sparse reward, `continuing_task=False`), seed {args.seed}, success rate over "
        f"{args.eval_episodes} deterministic evaluation episodes after each {args.chunk}-step chunk; networks "
        f"{net} for every agent, learning starts at {args.learning_starts} steps. Budget: {args.steps} steps "
        f"per agent; see the last row each agent reached. HIRO ({args.high_algo} high level, TD3 low level): "
        f"c={args.c}, relative x-y goals "
        f"within +-{args.goal_range}, high-level reward {args.reward_scale} x the sum of env rewards, TD3 noise "
        f"{args.high_noise} (high, x goal half-range) / {args.low_noise} (low, x action half-range), "
        f"{args.high_gradient_steps} high-level gradient step(s) per goal, "
        + (
            f"an L2 penalty {args.high_action_penalty} x mean(g^2) on the high-level actor's goals (scaled to "
            "[-1, 1]; `high_action_penalty`), "
            if args.high_action_penalty
            else ""
        )
        + (
            "the low level bootstrapping past each period's end from the carried goal (`low_bootstrap_periods`), "
            if args.low_bootstrap_periods
            else ""
        )
        + (f"the low level blind to state indices {args.low_level_hidden}, " if args.low_level_hidden else "")
        + ("" if args.contact_forces else "the ant's contact forces dropped from every agent's observation, ")
        + (f"every agent's actions multiplied by {args.action_scale} before the env, " if args.action_scale != 1 else "")
        + "and, for "
        f"the HIRO + hindsight row, the desired goal of {args.her_ratio:.0%} of high-level samples replaced by "
        f"an achieved goal later in the same episode. Held noise: N(0, {args.tee_sigma}) held for {args.c} steps.\n\n"
        "The run shared 2 CPU cores with other jobs (niced), so the budget reached is what the machine's time allowed; "
        "train wall time covers training only.\n\n"
        "If the agents were split over several runs of this script (`--agents`), the notes below say how those runs "
        "were scheduled.\n\n"
        f"{notes}"
        f"{table(rows_all, shown)}\n\n![curves]({page_link(out / 'success.png')}) "
        f"(data: `{page_link(out)}/curve_<agent>.csv`)"
    )
    cmd = command().replace(" --report-only", "").replace(" --resume", "")  # the training command that wrote the CSVs
    write_section(f"hiro_{name}", f"HIRO vs flat agents: {args.env}", body, cmd=cmd)


if __name__ == "__main__":
    main()
