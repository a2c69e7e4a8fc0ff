"""Option-Critic on CartPole-v1, top to bottom: train PPOC with 2 options, save, load, run the options.

    PYTHONPATH=. python examples/option_critic_cartpole.py --steps 50000

The current option travels in ``predict``'s ``state`` (as an LSTM state does for RecurrentPPO): pass back the state
that the previous call returned, and ``episode_start`` at the first step of an episode.
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np
import torch

from agents import PPOC

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--steps", type=int, default=50_000)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()
torch.set_num_threads(1)

# Settings of benchmarks/option_critic/option_critic_cartpole.py (PPO's CartPole settings from rl-zoo, plus the options).
model = PPOC(
    "MlpPolicy",
    "CartPole-v1",
    n_options=2,
    n_envs=8,
    n_steps=32,
    batch_size=256,
    n_epochs=20,
    learning_rate=1e-3,
    gamma=0.98,
    gae_lambda=0.8,
    termination_reg=0.01,  # xi: keeps options from shrinking to one step
    exploration_initial_eps=1.0,  # epsilon over options decays to the policy's 0.05
    exploration_fraction=0.3,
    seed=args.seed,
    verbose=0,
)
model.learn(args.steps, progress_bar=False)
model.save("option_critic_cartpole")
model = PPOC.load("option_critic_cartpole")

env = gym.make("CartPole-v1")
for episode in range(3):
    obs, _ = env.reset(seed=episode)
    state, start, done, total, switches = None, np.ones(1, dtype=bool), False, 0.0, 0
    usage = np.zeros(model.n_options, dtype=int)
    while not done:
        action, state, ended = model.policy.predict_options(obs, state, start, deterministic=True)
        switches += int(ended[0] and not start[0])
        usage[int(state[0])] += 1
        start = np.zeros(1, dtype=bool)
        obs, reward, terminated, truncated, _ = env.step(int(action))
        total += float(reward)
        done = terminated or truncated
    print(f"episode {episode}: return {total:.0f}, steps per option {usage.tolist()}, option terminations {switches}")
