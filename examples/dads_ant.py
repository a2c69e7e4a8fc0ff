"""DADS on Ant-v5 with the x-y prior, then zero-shot navigation to (+-10, +-10).

Reads top to bottom:
  1. the DADS Ant setup: Ant-v5 with the torso x, y at observation indices 0, 1, no contact forces, no early
     termination, 200-step episodes (as the DADS and METRA papers); by default every action is scaled by 0.2 before
     the env (``ScaleAction``: the gear-30 ant of HIRO and of DIAYN's navigation, against Gymnasium's 150), because
     at full torque the stochastic training policy leaves the ant upside down in about 40% of the steps and the
     skill dynamics then learns nothing (BENCHMARKS.md; ``--action-scale 1`` for Gymnasium's ant);
  2. the agent: continuous 2-D skills; the skill dynamics predicts the change of x-y from the skill alone (the
     reference's ``restrict_observation``), the policy does not see x-y; the paper's on-policy schedule on SAC
     (N=2000 steps per iteration) with K1=128 skill-dynamics steps and K2=512 SAC steps, four and eight times the
     paper's 32 and 64 (more updates per sample, for a budget of hundreds of thousands of steps, not millions);
  3. train (the paper trains for millions of steps; on a CPU expect about 100-300 steps/s, so budget accordingly);
  4. draw the x-y trajectories of a 3x3 grid of skills, and navigate to the four goals (+-10, +-10) with MPPI over
     skills, reporting the paper's metric (distance to the goal averaged over the episode, over the initial one).

    PYTHONPATH=. python examples/dads_ant.py --steps 500000 --out runs/dads_ant
"""

from __future__ import annotations

import argparse
import pathlib

import gymnasium as gym
import numpy as np
import torch

from agents import DADS, SkillPlanner, plot_plans
from hrl_wrappers import ScaleAction
from hrl_wrappers.locomotion import locomotion_kwargs, position_features

parser = argparse.ArgumentParser(description="DADS on Ant-v5 with the x-y prior")
parser.add_argument("--steps", type=int, default=200_000, help="environment steps")
parser.add_argument("--agent-steps", type=int, default=512, help="K2, SAC steps per 2000-step iteration (paper: 64)")
parser.add_argument("--action-scale", type=float, default=0.2, help="the env receives this x each action (1: Gymnasium's ant)")
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


def make_ant() -> gym.Env:
    """The DADS Ant env with the chosen torque (the agent still acts in [-1, 1])."""
    env = gym.make("Ant-v5", **env_kwargs)
    return env if args.action_scale == 1.0 else ScaleAction(env, args.action_scale)


# 2. The agent.
model = DADS(
    "MlpPolicy",
    make_ant,  # a factory: the agent builds 4 envs from it and wraps each in its SkillWrapper
    skill_dim=2,
    features=xy,  # the skill dynamics predicts the change of x-y ...
    input_features=[],  # ... from the skill alone ...
    hide_features=True,  # ... and the policy cannot see x-y
    n_steps=2000,
    dynamics_steps=128,
    agent_steps=args.agent_steps,
    n_alternatives=100,
    dynamics_arch=[256, 256],
    policy_kwargs={"net_arch": [256, 256]},
    gamma=0.995,
    n_envs=4,
    seed=args.seed,
)

# 3. Train, reward-free, and save (policy, skill dynamics and every optimizer in one zip).
model.learn(args.steps, progress_bar=True)
model.save(args.out / "dads_ant")

# 4a. The skills in x-y.
env = make_ant()
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
