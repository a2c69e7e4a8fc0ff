"""DADS on Ant-v5 with the x-y prior, then zero-shot navigation to (+-10, +-10).

Reads top to bottom:
  1. the DADS Ant setup: Ant-v5 with the torso x, y at observation indices 0, 1, no contact forces, no early
     termination, 200-step episodes (as the DADS and METRA papers);
  2. the agent: continuous 2-D skills; the skill dynamics sees and predicts x-y only, the policy does not see x-y;
     the paper's on-policy schedule on SAC (N=2000 steps per iteration, K1 skill-dynamics steps, K2 SAC steps);
  3. train (the paper trains for millions of steps; on a CPU expect about 100-300 steps/s, so budget accordingly);
  4. draw the x-y trajectories of a 3x3 grid of skills, and navigate to the four goals (+-10, +-10) with MPPI over
     skills, reporting the paper's metric (distance to the goal averaged over the episode, over the initial one).

    PYTHONPATH=. python examples/dads_ant.py --steps 200000 --out runs/dads_ant
"""

from __future__ import annotations

import argparse
import pathlib

import gymnasium as gym
import numpy as np
import torch

from agents import DADS, SkillPlanner, plot_plans
from hrl_wrappers.locomotion import locomotion_kwargs, position_features

parser = argparse.ArgumentParser(description="DADS on Ant-v5 with the x-y prior")
parser.add_argument("--steps", type=int, default=200_000, help="environment steps")
parser.add_argument("--agent-steps", type=int, default=64, help="K2, SAC steps per 2000-step iteration (paper: 64)")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("."), help="folder for the model and plots")
args = parser.parse_args()
torch.set_num_threads(1)
args.out.mkdir(parents=True, exist_ok=True)

# 1. The environment: x, y exposed, no contact forces, no termination, 200-step episodes.
env_kwargs = {
    **locomotion_kwargs("Ant-v5", terminate_when_unhealthy=False, contact_forces=False),
    "max_episode_steps": 200,
}
xy = position_features("Ant-v5")  # [0, 1]

# 2. The agent.
model = DADS(
    "MlpPolicy",
    "Ant-v5",
    skill_dim=2,
    features=xy,  # the skill dynamics predicts the change of x-y ...
    hide_features=True,  # ... and the policy cannot see x-y
    n_steps=2000,
    dynamics_steps=32,
    agent_steps=args.agent_steps,
    n_alternatives=100,
    dynamics_arch=[256, 256],
    policy_kwargs={"net_arch": [256, 256]},
    gamma=0.995,
    n_envs=4,
    env_kwargs=env_kwargs,
    seed=args.seed,
)

# 3. Train, reward-free, and save (policy, skill dynamics and every optimizer in one zip).
model.learn(args.steps, progress_bar=True)
model.save(args.out / "dads_ant")

# 4a. The skills in x-y.
env = gym.make("Ant-v5", **env_kwargs)
paths = []
for zx in (-1.0, 0.0, 1.0):
    for zy in (-1.0, 0.0, 1.0):
        obs = env.reset(seed=0)[0]
        path = [obs[:2].copy()]
        for _step in range(200):
            action, _ = model.predict_skill(obs, np.array([zx, zy], np.float32))
            obs = env.step(action)[0]
            path.append(obs[:2].copy())
        paths.append(np.asarray(path))
        print(f"skill ({zx:+.0f}, {zy:+.0f}): ends at x, y = {np.round(path[-1], 2)}")

# 4b. Zero-shot navigation with the paper's dense-reward MPPI settings.
results = []
for k, goal in enumerate([(10, 10), (-10, 10), (-10, -10), (10, -10)]):
    result = SkillPlanner(model, seed=k).run(env, goal=goal, max_steps=200, seed=k)
    results.append(result)
    print(f"goal {goal}: normalised distance {result.normalized_distance:.3f}, final x, y {np.round(result.executed[-1], 2)}")
plot_plans(results, str(args.out / "dads_ant_navigation.png"))
