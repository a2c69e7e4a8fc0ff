"""Zero-shot goal reaching with a METRA (or LSD) agent's phi: no planning model, no training on the goal.

METRA (Sec. 4.3 and Appendix) reaches a goal state g by acting with the skill ``z = (phi(g) - phi(s)) /
||phi(g) - phi(s)||`` and choosing it again from the state reached every few steps. A goal given as a position only
(x, y) becomes a full state by writing it into the current observation, the other coordinates unchanged.

The result is the :class:`~agents.common.goal_result.PlanResult` that DADS's planner returns, so both are scored the
same way (``final_distance``, ``normalized_distance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from agents.common.goal_result import PlanResult

__all__ = ["reach_goal"]


def reach_goal(
    model: Any,
    env: gym.Env,
    goal: Sequence[float] | np.ndarray,
    goal_indices: Sequence[int],
    max_steps: int = 200,
    replan_every: int = 10,
    deterministic: bool = True,
    seed: int | None = None,
    reset_options: dict[str, Any] | None = None,
) -> PlanResult:
    """Drive ``env`` towards ``goal`` with the skill ``z = normalise(phi(g) - phi(s))``, re-chosen every
    ``replan_every`` steps.

    :param model: a trained :class:`~agents.METRA` or :class:`~agents.LSD` (``goal_skill`` and ``predict_skill``).
    :param env: the raw environment the skills were trained on (without the SkillWrapper), with a flat Box
        observation.
    :param goal: the goal's values at ``goal_indices`` (e.g. x, y).
    :param goal_indices: indices of the observation the goal sets (e.g. ``[0, 1]`` for an exposed x-y position).
    :param max_steps: episode length; the episode also ends when the env ends it.
    :param replan_every: environment steps each chosen skill is held.
    :param deterministic: act deterministically.
    :param seed: seed of ``env.reset``.
    :param reset_options: options of ``env.reset``.
    :return: the executed path (goal coordinates), the skills and the distances.

    Example:
        >>> import gymnasium as gym
        >>> from agents import METRA
        >>> model = METRA("MlpPolicy", "hrl_wrappers/PointWorld-v0", learning_starts=50,
        ...               policy_kwargs={"net_arch": [16]}, phi_arch=[16], seed=0).learn(100)
        >>> result = reach_goal(model, gym.make("hrl_wrappers/PointWorld-v0"), goal=[3.0, 0.0], goal_indices=[0, 1],
        ...                     max_steps=20, seed=0)
        >>> result.executed.shape, len(result.skills)
        ((21, 2), 2)
    """
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
        raise ValueError(f"max_steps must be an integer >= 1, got {max_steps!r}")
    if isinstance(replan_every, bool) or not isinstance(replan_every, int) or replan_every < 1:
        raise ValueError(f"replan_every must be an integer >= 1, got {replan_every!r}")
    space = env.observation_space
    if not isinstance(space, gym.spaces.Box) or len(space.shape or ()) != 1:
        raise ValueError(f"env must have a flat Box observation space (the goal is written into it), got {space}")
    idx = [int(i) for i in goal_indices]
    if not idx or any(not 0 <= i < space.shape[0] for i in idx):
        last = space.shape[0] - 1
        raise ValueError(f"goal_indices must be indices of the observation (0..{last}), got {list(goal_indices)}")
    g = np.asarray(goal, dtype=np.float64)
    if g.shape != (len(idx),) or not np.all(np.isfinite(g)):
        raise ValueError(f"goal must be {len(idx)} finite values (one per goal index), got {goal!r}")
    obs, _ = env.reset(seed=seed, options=reset_options)
    executed = [np.asarray(obs, dtype=np.float64)[idx]]
    result = PlanResult(goal=g, executed=np.empty(0))
    steps, done = 0, False
    while steps < max_steps and not done:
        goal_obs = np.array(obs, dtype=np.float32, copy=True)
        goal_obs[idx] = g
        skill = model.goal_skill(obs, goal_obs)
        result.skills.append(skill)
        for _ in range(min(replan_every, max_steps - steps)):
            action, _ = model.predict_skill(obs, skill, deterministic=deterministic)
            obs, reward, terminated, truncated, _ = env.step(action)
            result.env_return += float(reward)
            executed.append(np.asarray(obs, dtype=np.float64)[idx])
            steps += 1
            if terminated or truncated:
                done = True
                break
    result.set_path(executed)
    return result
