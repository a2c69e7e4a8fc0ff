"""Zero-shot goal reaching with a METRA (or LSD) agent's phi: no planning model, no training on the goal.

METRA (Sec. 4.3 and Appendix) reaches a goal state g by acting with the skill ``z = (phi(g) - phi(s)) /
||phi(g) - phi(s)||`` and choosing it again from the state reached every few steps. A goal given as a position only
(x, y) becomes a full state by writing it into the current observation, the other coordinates unchanged.

:func:`skill_directions` gives a second zero-shot chooser that needs no phi: each skill's direction of travel, measured
once by rolling it out from a reset; ``reach_goal(..., directions=...)`` then takes, every few steps, the skill whose
direction points most nearly at the goal. It follows the skills the policy actually realises, where phi's direction
asks for a skill the policy does not perform.

The result is the :class:`~agents.common.goal_result.PlanResult` that DADS's planner returns, so both are scored the
same way (``final_distance``, ``normalized_distance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from agents.common.goal_result import PlanResult
from hrl_wrappers.skills import circle_skills, skill_displacements

__all__ = ["reach_goal", "skill_directions"]


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
    directions: tuple[np.ndarray, np.ndarray] | None = None,
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
    :param directions: ``(skills, unit directions)`` as :func:`skill_directions` returns them: choose the skill whose
        direction has the largest dot product with ``goal - position`` instead of ``normalise(phi(g) - phi(s))``.
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
    idx = _goal_index_list(env, goal_indices)
    g = np.asarray(goal, dtype=np.float64)
    if g.shape != (len(idx),) or not np.all(np.isfinite(g)):
        raise ValueError(f"goal must be {len(idx)} finite values (one per goal index), got {goal!r}")
    table = None if directions is None else _check_directions(directions, len(idx))
    obs, _ = env.reset(seed=seed, options=reset_options)
    executed = [np.asarray(obs, dtype=np.float64)[idx]]
    result = PlanResult(goal=g, executed=np.empty(0))
    steps, done = 0, False
    while steps < max_steps and not done:
        if table is None:
            goal_obs = np.array(obs, dtype=np.float32, copy=True)
            goal_obs[idx] = g
            skill = model.goal_skill(obs, goal_obs)
        else:
            skill = table[0][int(np.argmax(table[1] @ (g - executed[-1])))]
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


def skill_directions(
    model: Any,
    env: gym.Env,
    goal_indices: Sequence[int],
    skills: np.ndarray | None = None,
    n_skills: int = 64,
    steps: int = 200,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Each skill's direction of travel: the unit vector of its displacement at ``goal_indices`` after ``steps``
    deterministic steps from ``env.reset(seed=seed)`` (for ``reach_goal(..., directions=...)``).

    :param model: a trained skill agent with ``predict_skill`` (METRA, LSD, DADS, DIAYN with continuous skills).
    :param env: the raw environment the skills were trained on, with a flat Box observation.
    :param goal_indices: the observation entries the directions are measured on (e.g. ``[0, 1]`` for x-y).
    :param skills: the skill vectors to measure (one per row); default ``n_skills`` unit 2-D skills at equal angles.
    :param n_skills: how many default skills (2-D skills only).
    :param steps: environment steps of each rollout (fewer if the env ends it).
    :param seed: reset seed of every rollout.
    :return: ``(skills, directions)``: the skills and the unit directions, one row each (a zero row for a skill that
        does not move).

    Example:
        >>> import gymnasium as gym
        >>> from agents import METRA
        >>> model = METRA("MlpPolicy", "hrl_wrappers/PointWorld-v0", learning_starts=50,
        ...               policy_kwargs={"net_arch": [16]}, phi_arch=[16], seed=0).learn(100)
        >>> skills, directions = skill_directions(model, gym.make("hrl_wrappers/PointWorld-v0"), [0, 1], n_skills=8,
        ...                                       steps=10)
        >>> skills.shape, directions.shape
        ((8, 2), (8, 2))
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    idx = _goal_index_list(env, goal_indices)
    if skills is None:
        if isinstance(n_skills, bool) or not isinstance(n_skills, int) or n_skills < 1:
            raise ValueError(f"n_skills must be an integer >= 1, got {n_skills!r}")
        skills = circle_skills(n_skills)
    table = np.asarray(skills, dtype=np.float32)
    if table.ndim != 2 or len(table) == 0 or not np.all(np.isfinite(table)):
        raise ValueError(f"skills must be a non-empty 2-D array of finite skill vectors (one per row), got {skills!r}")
    moves = skill_displacements(
        lambda obs, z: model.predict_skill(obs, z, deterministic=True)[0], env, table, steps, idx, seed
    )
    norms = np.linalg.norm(moves, axis=1, keepdims=True)
    return table, np.divide(moves, norms, out=np.zeros_like(moves), where=norms > 0)


def _goal_index_list(env: gym.Env, goal_indices: Sequence[int]) -> list[int]:
    """``goal_indices`` checked against ``env``'s observation, which must be a flat Box (a goal is written into it)."""
    space = env.observation_space
    if not isinstance(space, gym.spaces.Box) or len(space.shape or ()) != 1:
        raise ValueError(f"env must have a flat Box observation space (the goal is written into it), got {space}")
    idx = [int(i) for i in goal_indices]
    if not idx or any(not 0 <= i < space.shape[0] for i in idx):
        last = space.shape[0] - 1
        raise ValueError(f"goal_indices must be indices of the observation (0..{last}), got {list(goal_indices)}")
    return idx


def _check_directions(directions: Any, n_goal: int) -> tuple[np.ndarray, np.ndarray]:
    """``directions`` as two arrays with one row per skill, the directions in goal coordinates."""
    if not isinstance(directions, tuple) or len(directions) != 2:
        raise ValueError(f"directions must be (skills, directions) as skill_directions returns, got {directions!r}")
    skills, dirs = np.asarray(directions[0], dtype=np.float32), np.asarray(directions[1], dtype=np.float64)
    if skills.ndim != 2 or dirs.shape != (len(skills), n_goal) or len(skills) == 0:
        raise ValueError(
            f"directions must hold one skill row and one direction of {n_goal} values (the goal's) per skill, got "
            f"skills of shape {skills.shape} and directions of shape {dirs.shape}"
        )
    return skills, dirs
