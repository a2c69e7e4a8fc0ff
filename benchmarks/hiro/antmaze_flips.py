"""How often the ant of Gymnasium-Robotics' AntMaze_UMaze-v5 lies upside down, under random actions and saved agents.

AntMaze never ends an episode when the ant falls over, and a flipped ant cannot walk: every later step of that
episode is wasted data, and a low level trained on it does not learn to move. Gymnasium's ant has motor gear 150
with controls in [-1, 1]; the HIRO reference's ant (``efficient-hrl/environments/assets/ant.xml``) has gear 1 with
controls in +-30, a fifth of the torque. This script measures, for uniform random actions at several action scales
and for saved agents (``benchmarks/hiro/hiro_pointmaze.py --checkpoint-dir`` writes them; ``--agent PATH[@SCALE[@nocf]]``),
the fraction of steps with the torso's up axis pointing down, the fraction of episodes that flip at all, and the
distance from the start at the episode's end, then writes a section of ``docs/results/hiro.md``.

    python -m benchmarks.hiro.antmaze_flips --episodes 20 --agent runs/antmaze_boot/ckpt/hiro_her.zip
"""

from __future__ import annotations

import argparse
import pathlib
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.hiro.hiro_pointmaze import make_env
from benchmarks.report import repo_relative, write_section

ENV = "AntMaze_UMaze-v5"


def upside_down(observation: np.ndarray) -> bool:
    """Whether the torso's up axis points down: z-component 1 - 2(qx^2 + qy^2) of the rotated z axis below 0.

    AntMaze's ``observation`` starts with the torso's height and its orientation quaternion (w, x, y, z).
    """
    _, qx, qy, _ = observation[1:5]
    return bool(1.0 - 2.0 * (qx * qx + qy * qy) < 0.0)


def rollouts(
    act: Callable[[Any, Any], tuple[np.ndarray, Any]], options: dict[str, Any], episodes: int, seed: int
) -> dict[str, float]:
    """Run ``episodes`` whole episodes (reset with ``seed``, ``seed + 1``, ...) choosing actions with ``act``."""
    env = make_env(ENV, **options)
    flipped_steps, ever_flipped, displacement = [], [], []
    try:
        for episode in range(episodes):
            obs, _ = env.reset(seed=seed + episode)
            start = obs["achieved_goal"].copy()
            state: Any = None
            flags = []
            done = False
            while not done:
                action, state = act(obs, state)
                obs, _, terminated, truncated, _ = env.step(action)
                flags.append(upside_down(obs["observation"]))
                done = terminated or truncated
            flipped_steps.append(float(np.mean(flags)))
            ever_flipped.append(float(any(flags)))
            displacement.append(float(np.linalg.norm(obs["achieved_goal"] - start)))
    finally:
        env.close()
    return {
        "flipped_steps": float(np.mean(flipped_steps)),
        "episodes_flipped": float(np.mean(ever_flipped)),
        "displacement": float(np.median(displacement)),
    }


def random_actor(seed: int) -> Callable[[Any, Any], tuple[np.ndarray, Any]]:
    """Uniform actions in [-1, 1]^8 (the env's action scale is applied by :func:`make_env`'s wrapper)."""
    rng = np.random.default_rng(seed)
    return lambda obs, state: (rng.uniform(-1.0, 1.0, 8), state)


def agent_actor(path: pathlib.Path, options: dict[str, Any]) -> tuple[Callable[[Any, Any], tuple[np.ndarray, Any]], int]:
    """A saved HIRO or SAC agent acting deterministically, and the steps it was trained for."""
    from stable_baselines3 import SAC

    from agents import HIRO

    model: Any
    try:
        model = HIRO.load(path, load_buffers=False)
    except ValueError:  # not a HIRO checkpoint: a flat SB3 SAC one
        model = SAC.load(path, env=make_env(ENV, **options))

    def act(obs: Any, state: Any) -> tuple[np.ndarray, Any]:
        action, state = model.predict(obs, state=state, deterministic=True)
        return np.asarray(action), state

    return act, int(model.num_timesteps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=10_000)
    parser.add_argument("--scales", default="1,0.5,0.3,0.2", help="action scales for the random policy")
    parser.add_argument(
        "--agent",
        action="append",
        default=[],
        help="PATH[@SCALE[@nocf]]: a saved agent, the action scale it trained with, nocf if trained without contact forces",
    )
    parser.add_argument("--no-section", action="store_true", help="print the table only")
    args = parser.parse_args()
    rows = []
    for scale in [float(s) for s in args.scales.split(",")]:
        stats = rollouts(random_actor(args.seed), {"action_scale": scale}, args.episodes, args.seed)
        rows.append(("uniform random actions", "", scale, stats))
        print(rows[-1], flush=True)
    for spec in args.agent:
        path, *rest = spec.split("@")
        options = {"action_scale": float(rest[0]) if rest else 1.0, "contact_forces": "nocf" not in rest[1:]}
        act, steps = agent_actor(pathlib.Path(path), options)
        stats = rollouts(act, options, args.episodes, args.seed)
        label = f"`{repo_relative(path)}`" + ("" if options["contact_forces"] else ", no contact forces")
        rows.append((label + " (deterministic)", str(steps), options["action_scale"], stats))
        print(rows[-1], flush=True)
    table = (
        "| policy | trained steps | action scale (x gear 150) | steps upside down | episodes that flip | "
        "median distance from the start at the end |\n|---|---|---|---|---|---|\n"
    )
    table += "\n".join(
        f"| {label} | {steps} | {scale:g} | {s['flipped_steps']:.2f} | {s['episodes_flipped']:.2f} | {s['displacement']:.2f} |"
        for label, steps, scale, s in rows
    )
    print(table)
    if args.no_section:
        return
    body = (
        f"{ENV} (`continuing_task=False`), {args.episodes} whole episodes (700 steps) per row, reset with seeds "
        f"{args.seed}, {args.seed + 1}, ...; the action scale multiplies every action before the env (torque limit "
        "150 x scale; the HIRO reference's ant has 30, scale 0.2). A step is upside down when the torso's up axis "
        "points below the horizon.\n\n" + table
    )
    write_section("antmaze_flips", f"{ENV}: how often the ant lies upside down", body)


if __name__ == "__main__":
    main()
