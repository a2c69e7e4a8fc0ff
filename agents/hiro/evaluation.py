"""Success rate of an agent over whole episodes, for goal-reaching tasks (HIRO's evaluation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

__all__ = ["evaluate_success"]


def evaluate_success(model: Any, make_env: Callable[[], gym.Env], n_episodes: int = 20, seed: int = 0) -> float:
    """Fraction of ``n_episodes`` deterministic episodes whose last step reports success.

    Success is ``info["success"]`` (Gymnasium-Robotics) or ``info["is_success"]`` at the last step. ``model`` is
    anything with SB3's ``predict(obs, state, episode_start, deterministic)`` (HIRO, or a flat SB3 agent); its
    ``state`` is carried through the episode. Episode ``i`` is reset with seed ``seed + i``.

    Example:
        >>> from stable_baselines3 import TD3
        >>> model = TD3("MlpPolicy", "Pendulum-v1", policy_kwargs={"net_arch": [8]})
        >>> evaluate_success(model, lambda: gym.make("Pendulum-v1", max_episode_steps=5), n_episodes=2)
        0.0
    """
    if n_episodes < 1:
        raise ValueError(f"n_episodes must be >= 1, got {n_episodes}")
    env = make_env()
    wins = 0
    try:
        for episode in range(n_episodes):
            obs, _ = env.reset(seed=seed + episode)
            state: Any = None
            start = np.array([True])
            done, info = False, dict[str, Any]()
            while not done:
                action, state = model.predict(obs, state=state, episode_start=start, deterministic=True)
                start = np.array([False])
                obs, _, terminated, truncated, info = env.step(action)
                done = terminated or truncated
            wins += bool(info.get("success", info.get("is_success", False)))
    finally:
        env.close()
    return wins / n_episodes
