"""Pretrained skills as macro-actions (DIAYN, Sec. 4.2.2): a high-level learner picks a frozen skill every k steps.

Two tasks, reading top to bottom:

``waypoints`` (default): the point world with 5 sparse waypoints (``hrl_wrappers/PointWaypoints-v0``: +1 for each
  waypoint reached in order, observation = position + current waypoint).
  1. pretrain 8 DIAYN skills without reward (or load them with --skills PATH);
  2. wrap the task so that one action = one skill held for k = 10 steps (SkillController does it) and train a PPO
     controller on it;
  3. evaluate: waypoints reached, beside a random choice of skills.
  (benchmarks/macro/macro_waypoints.py runs the same against flat SAC and PPO, with seeds and curves.)

``hurdles``: the DIAYN paper's "cheetah hurdle": ``hrl_wrappers/CheetahHurdles-v0`` (HalfCheetah-v5 with 10 hurdles,
  +1 for each one passed, nothing else), a PPO controller choosing one of the shipped ``halfcheetah-metra-x`` skills
  (the skill zoo: loaded, not trained) every k = 10 steps; evaluated beside random skills and each skill held for a
  whole episode. ``benchmarks/macro/zoo_tasks.py`` runs it against flat SAC and PPO, with seeds and curves.

    PYTHONPATH=. python examples/skills_as_macro_actions.py                        # waypoints, 5-15 minutes on 2 shared cores
    PYTHONPATH=. python examples/skills_as_macro_actions.py --task hurdles --decisions 2000
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import gymnasium as gym
import numpy as np
import torch

from agents import DIAYN, SkillController
from hrl_wrappers import MacroActionWrapper, SkillLibrary, load_skills
from hrl_wrappers.envs import CHEETAH_HURDLES_ID, POINT_WAYPOINTS_ID, POINT_WORLD_ID

parser = argparse.ArgumentParser(description="skills as macro-actions")
parser.add_argument("--task", choices=["waypoints", "hurdles"], default="waypoints")
parser.add_argument("--skills", default=None, help="a saved skill model or a skill-zoo name (default: see the task)")
parser.add_argument("--pretrain-steps", type=int, default=20_000, help="DIAYN steps when --skills is not given")
parser.add_argument("--hold-steps", type=int, default=10, help="k: primitive steps per skill choice")
parser.add_argument("--decisions", type=int, default=10_000, help="high-level decisions the controller trains for")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
torch.set_num_threads(1)


def run_episodes(env: gym.Env, choose: object, episodes: int = 5) -> list[dict[str, float]]:
    """Roll out ``choose(obs) -> skill`` on the macro-action env; return each episode's return and final info."""
    out = []
    for i in range(episodes):
        obs, info = env.reset(seed=10_000 + i)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, info = env.step(choose(obs))  # type: ignore[operator]
            total += float(reward)
            done = terminated or truncated
        out.append({"return": total, **{k: float(np.asarray(v).reshape(-1)[0]) for k, v in info.items() if k in KEYS}})
    return out


# ------------------------------------------------------------------------------------------------- the task
skill_obs: list[int] | None
if args.task == "waypoints":
    KEYS: tuple[str, ...] = ("waypoints_reached",)
    task_id, skill_obs = POINT_WAYPOINTS_ID, [0, 1]  # the skills read (x, y); the controller also sees the waypoint
    make_task = lambda: gym.make(POINT_WAYPOINTS_ID)  # noqa: E731
    if args.skills is None:
        # 1. Pretrain 8 skills without reward (the settings of examples/diayn_point.py).
        start = time.time()
        diayn = DIAYN(
            "MlpPolicy",
            POINT_WORLD_ID,
            n_skills=8,
            policy_kwargs={"net_arch": [64, 64]},
            discriminator_arch=[64, 64],
            ent_coef=0.1,
            learning_starts=1_000,
            batch_size=128,
            train_freq=2,
            seed=args.seed,
        )
        diayn.learn(args.pretrain_steps)
        print(f"pretrained 8 DIAYN skills for {args.pretrain_steps} steps in {time.time() - start:.0f} s")
        skills: SkillLibrary = load_skills(diayn)
    else:
        skills = load_skills(args.skills)
    controller_kwargs: dict[str, Any] = {"n_envs": 8, "n_steps": 64, "batch_size": 128, "ent_coef": 0.02, "gamma": 0.95}
else:
    # The cheetah hurdle: hrl_wrappers/CheetahHurdles-v0 (HalfCheetah-v5 with 10 hurdles 0.12 m high, every 3 m from
    # x = 2 m; +1 per hurdle passed) and the shipped HalfCheetah skills of the skill zoo (no training here).
    KEYS = ("hurdles_passed", "x_position")
    task_id, skill_obs = CHEETAH_HURDLES_ID, None
    make_task = lambda: gym.make(CHEETAH_HURDLES_ID)  # noqa: E731
    skills = load_skills(args.skills or "halfcheetah-metra-x", env=make_task())  # the skills read the 18-D observation
    controller_kwargs = {"n_envs": 4, "n_steps": 128, "batch_size": 128, "ent_coef": 0.01}
    os.environ.setdefault("MUJOCO_GL", "egl")

print(skills)

# 2. The controller: PPO whose actions are skills, each held for k primitive steps.
controller = SkillController(
    "MlpPolicy",
    make_task,
    skills,
    hold_steps=args.hold_steps,
    skill_obs=skill_obs,
    algo="PPO",
    seed=args.seed,
    **controller_kwargs,
)
start = time.time()
controller.learn(args.decisions, progress_bar=False)
print(f"trained the controller for {args.decisions} decisions ({controller.num_timesteps}) in {time.time() - start:.0f} s")

# 3. Evaluate on fresh episodes: the controller, a random choice of skills, and (hurdles) each skill held throughout.
task = MacroActionWrapper(make_task(), skills, hold_steps=args.hold_steps, skill_obs=skill_obs)
rng = np.random.default_rng(0)
n = skills.n_skills or 1
rows = {
    "controller": run_episodes(task, lambda obs: int(controller.predict(obs, deterministic=True)[0])),
    "random skills": run_episodes(task, lambda obs: int(rng.integers(n))),
}
if args.task == "hurdles":
    for z in range(n):
        rows[f"skill {z} held"] = run_episodes(task, lambda obs, z=z: z, episodes=1)
for name, eps in rows.items():
    means = {k: float(np.mean([e[k] for e in eps])) for k in eps[0]}
    print(f"{name:>16}: " + ", ".join(f"{k} {v:.2f}" for k, v in means.items()))
