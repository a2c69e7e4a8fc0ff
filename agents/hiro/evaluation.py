"""HIRO's evaluation: success over whole episodes, and how close the low level gets to the goals it is given."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import gymnasium as gym
import numpy as np

__all__ = ["evaluate_subgoal_reaching", "evaluate_success"]


class _Step(NamedTuple):
    obs: Any  # the observation the action was taken in
    state: Any  # the predict state returned with that action
    next_obs: Any
    info: dict[str, Any]
    done: bool  # the episode ended with this step


def _deterministic_steps(model: Any, make_env: Callable[[], gym.Env], n_episodes: int, seed: int) -> Iterator[_Step]:
    """Every step of ``n_episodes`` deterministic episodes (episode ``i`` reset with ``seed + i``), ``state`` carried."""
    if n_episodes < 1:
        raise ValueError(f"n_episodes must be >= 1, got {n_episodes}")
    env = make_env()
    try:
        for episode in range(n_episodes):
            obs, _ = env.reset(seed=seed + episode)
            state: Any = None
            start = np.array([True])
            done = False
            while not done:
                action, state = model.predict(obs, state=state, episode_start=start, deterministic=True)
                start = np.array([False])
                next_obs, _, terminated, truncated, info = env.step(action)
                done = bool(terminated or truncated)
                yield _Step(obs, state, next_obs, info, done)
                obs = next_obs
    finally:
        env.close()


def _succeeded(info: dict[str, Any]) -> bool:
    return bool(info.get("success", info.get("is_success", False)))


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
    wins = 0
    for step in _deterministic_steps(model, make_env, n_episodes, seed):
        if step.done:
            wins += _succeeded(step.info)
    return wins / n_episodes


def evaluate_subgoal_reaching(
    model: Any, make_env: Callable[[], gym.Env], n_episodes: int = 5, seed: int = 0
) -> dict[str, float]:
    """How far the low level of a HIRO agent gets towards each goal in its ``c`` steps, on deterministic episodes.

    For every period (a goal drawn by the high level, then up to ``c`` low-level steps), the goal's absolute target is
    ``s_0[goal_indices] + g``; its distance is ``|g|`` when drawn and ``|s_0 + g - s_end|`` when the period ends
    (``s_end``: the state after the period's last action; an episode's last period ends with the episode). A low level
    that reaches its goals has ``final_distance`` near 0; one that does not move has it equal to ``goal_distance``.

    :return: ``periods`` (count), ``goal_distance`` and ``final_distance`` (means over periods),
        ``final_over_goal`` (their ratio), ``success`` (as :func:`evaluate_success` counts it, on the same
        episodes) and, when the model has ``goal_low`` / ``goal_high``, ``saturated``: the
        fraction of goal coordinates within 5% of the goal box's edge. A high level whose goals sit at the box's
        corners (``saturated`` near 1) only ever points the low level along the diagonals: a deterministic actor
        stuck where its tanh output has no gradient left.

    Example:
        >>> import gymnasium as gym
        >>> from agents import HIRO
        >>> model = HIRO("MlpPolicy", "Pendulum-v1", c=5, goal_indices=[0, 1], goal_range=0.5,
        ...              policy_kwargs={"net_arch": [8]}, seed=0)
        >>> stats = evaluate_subgoal_reaching(model, lambda: gym.make("Pendulum-v1", max_episode_steps=12), 1)
        >>> stats["periods"]  # 12 steps in periods of 5: 5, 5 and 2
        3.0
    """
    goal_dist: list[float] = []
    final_dist: list[float] = []
    goals: list[np.ndarray] = []
    wins = 0
    target: np.ndarray | None = None
    for step in _deterministic_steps(model, make_env, n_episodes, seed):
        position = _goal_position(model, step.obs)
        if (int(step.state[1][0]) - 1) % model.c == 0:  # the high level drew a goal at this step
            if target is not None:
                final_dist.append(float(np.linalg.norm(target - position)))
            goal = np.asarray(step.state[0][0], dtype=np.float64)
            goals.append(goal)
            target = position + goal
            goal_dist.append(float(np.linalg.norm(goal)))
        if step.done:  # the episode's last period ends with it
            if target is not None:
                final_dist.append(float(np.linalg.norm(target - _goal_position(model, step.next_obs))))
            target = None
            wins += _succeeded(step.info)
    goal_mean, final_mean = float(np.mean(goal_dist)), float(np.mean(final_dist))
    stats = {
        "periods": float(len(goal_dist)),
        "goal_distance": goal_mean,
        "final_distance": final_mean,
        "final_over_goal": final_mean / goal_mean if goal_mean > 0 else float("nan"),
        "success": wins / n_episodes,
    }
    low, high = getattr(model, "goal_low", None), getattr(model, "goal_high", None)
    if low is not None and high is not None:
        half, mid = (np.asarray(high) - np.asarray(low)) / 2, (np.asarray(high) + np.asarray(low)) / 2
        stats["saturated"] = float(np.mean(np.abs(np.array(goals) - mid) >= 0.95 * half))
    return stats


def _goal_position(model: Any, obs: Any) -> np.ndarray:
    """The goal-space coordinates of one raw observation (a Box array or a Dict of arrays)."""
    batch = {k: np.asarray(v)[None] for k, v in obs.items()} if isinstance(obs, dict) else np.asarray(obs)[None]
    return np.asarray(model.states(batch)[0, model.goal_indices], dtype=np.float64)
