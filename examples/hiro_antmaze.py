"""HIRO on Gymnasium-Robotics' AntMaze_UMaze-v5 (sparse reward), set up as in the paper.

Reads top to bottom:
  1. the environment: AntMaze_UMaze-v5 with ``continuing_task=False``. Observations are Dicts: ``observation`` (27
     values: torso z, orientation, joint angles and velocities; the torso x-y is *not* there; the 78 contact forces
     are dropped, as in the paper's ant), ``achieved_goal`` (the torso x-y) and ``desired_goal``. Gymnasium's ant has
     five times the paper's torque (motor gear 150 against 30) and, since AntMaze never ends an episode when it
     falls, it spends most steps upside down under random actions; ``--action-scale 0.2`` (the default) multiplies
     every action by 0.2, the paper's torque limit (1.0: Gymnasium's);
  2. the agent: state = achieved_goal + observation, so indices 0, 1 are x-y. Goals are relative x-y (the paper's
     "hiro_xy" goal space; pass more indices, e.g. the joint angles, for "hiro_orig"), c=10, TD3 with (300, 300)
     networks at both levels; the low level is blind to the absolute x-y (``low_level_hidden=[0, 1]``), as in the
     original, and sees the rest of the state and its goal; it bootstraps past each period's end (the default) and
     the high level's goals get an L2 penalty of 0.001 (``high_action_penalty``), the settings that solved
     PointMaze_Medium here;
  3. train, evaluate the success rate (20 deterministic episodes), save.

The paper trains for millions of steps; on a CPU that is days. A short run only checks that everything runs:

    PYTHONPATH=. python examples/hiro_antmaze.py --steps 5000
    PYTHONPATH=. python examples/hiro_antmaze.py --steps 1000000 --hindsight 0.8     # the budget of the target
"""

from __future__ import annotations

import argparse
import pathlib
import time

import gymnasium as gym
import gymnasium_robotics
import torch

from agents import HIRO
from agents.hiro.evaluation import evaluate_success
from hrl_wrappers import ScaleAction

parser = argparse.ArgumentParser(description="HIRO on AntMaze")
parser.add_argument("--maze", default="AntMaze_UMaze-v5")
parser.add_argument("--steps", type=int, default=1_000_000)
parser.add_argument("--hindsight", type=float, default=0.0, help="fraction of high-level samples with hindsight goals")
parser.add_argument("--action-scale", type=float, default=0.2, help="actions x this before the env (0.2: the paper's torque)")
parser.add_argument("--eval-episodes", type=int, default=20)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("hiro_antmaze"))
args = parser.parse_args()
torch.set_num_threads(1)
gym.register_envs(gymnasium_robotics)


# 1. The environment.
def make_env() -> gym.Env:
    env = gym.make(args.maze, continuing_task=False, include_cfrc_ext_in_observation=False)
    return ScaleAction(env, args.action_scale)  # the agent still acts in [-1, 1]


# 2. The agent. AntMaze's cells are 4 units wide (half the paper's 8): relative goals within +-2 in 10 steps.
model = HIRO(
    "MlpPolicy",
    make_env,
    c=10,
    goal_indices=[0, 1],
    goal_range=2.0,
    low_level_hidden=[0, 1],
    policy_kwargs={"net_arch": [300, 300]},
    learning_starts=10_000,
    batch_size=100,
    high_action_penalty=0.001,
    high_hindsight=args.hindsight,
    hindsight_success_distance=0.45,
    seed=args.seed,
    verbose=1,
)

# 3. Train, evaluate, save.
start = time.time()
model.learn(args.steps, log_interval=10)
print(f"trained {args.steps} steps in {time.time() - start:.0f} s")
success = evaluate_success(model, make_env, n_episodes=args.eval_episodes, seed=10_000)
print(f"success rate over {args.eval_episodes} deterministic episodes: {success:.2f}")
args.out.mkdir(parents=True, exist_ok=True)
model.save(args.out / "hiro.zip")
