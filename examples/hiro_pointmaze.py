"""HIRO on Gymnasium-Robotics' PointMaze (sparse reward): a goal-emitting high level over a goal-reaching low level.

Reads top to bottom:
  1. the environment: PointMaze_UMaze-v3 with ``continuing_task=False`` (an episode ends when the ball reaches the
     desired goal; reward 1 there, 0 elsewhere). Observations are Dicts: ``observation`` (x, y, vx, vy),
     ``achieved_goal`` (x, y) and ``desired_goal`` (x, y);
  2. the agent: every c=10 steps the high level (TD3) reads the state and the desired goal and emits a relative x-y
     goal within +-1; the low level (TD3) is rewarded -||s + g - s'|| and steered by it, bootstrapping past each
     period's end from the carried goal (``low_bootstrap_periods``, the default); the high level's replay buffer
     relabels its goals with the off-policy correction. The high level takes 10 gradient steps per goal (one per
     environment step; the paper takes 1) and an L2 penalty of 0.001 on its goals keeps them off the corners of the
     goal box, as in BENCHMARKS.md. ``--hindsight`` also relabels the desired goal of high-level samples with goals
     reached later in the episode (not in the paper; the benchmark's HIRO rows use 0.8);
  3. train, then evaluate the success rate over 20 deterministic episodes and save the agent.

    PYTHONPATH=. python examples/hiro_pointmaze.py --hindsight 0.8       # 100k steps (about an hour on one CPU core)
    PYTHONPATH=. python examples/hiro_pointmaze.py --steps 20000 --hindsight 0.8 --maze PointMaze_Medium-v3
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

parser = argparse.ArgumentParser(description="HIRO on a PointMaze")
parser.add_argument("--maze", default="PointMaze_UMaze-v3")
parser.add_argument("--steps", type=int, default=100_000)
parser.add_argument("--hindsight", type=float, default=0.0, help="fraction of high-level samples with hindsight goals")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("hiro_pointmaze"))
args = parser.parse_args()
torch.set_num_threads(1)
gym.register_envs(gymnasium_robotics)


# 1. The environment (a factory, so that HIRO can build its VecEnv and the evaluation a fresh copy).
def make_env() -> gym.Env:
    return gym.make(args.maze, continuing_task=False)


# 2. The agent. State = achieved_goal + observation = (x, y, x, y, vx, vy); the goal space is its first two indices.
model = HIRO(
    "MlpPolicy",
    make_env,
    c=10,
    goal_indices=[0, 1],
    goal_range=1.0,  # relative goals within +-1 (the ball covers about 0.5 in 10 steps at full speed)
    policy_kwargs={"net_arch": [64, 64]},
    learning_starts=1_000,
    high_gradient_steps=10,  # one high-level update per environment step (the paper: one per goal)
    high_action_penalty=0.001,  # an L2 penalty on the high level's goals (scaled to [-1, 1]), as in HER's DDPG
    high_hindsight=args.hindsight,
    hindsight_success_distance=0.45,  # the maze's own success radius ends relabelled episodes
    seed=args.seed,
    verbose=1,
)

# 3. Train, evaluate, save.
start = time.time()
model.learn(args.steps, log_interval=20)
print(f"trained {args.steps} steps in {time.time() - start:.0f} s")
success = evaluate_success(model, make_env, n_episodes=20, seed=10_000)
print(f"success rate over 20 deterministic episodes: {success:.2f}")
args.out.mkdir(parents=True, exist_ok=True)
model.save(args.out / "hiro.zip")
print(f"saved {args.out / 'hiro.zip'} (HIRO.load(path, env=make_env) to continue training)")
