"""What a set of frozen skills offers to :class:`~hrl_wrappers.MacroActionWrapper` (numpy only, no torch).

A *skill set* is any object with:

* ``skill_space``: ``Discrete(n)`` for ``n`` categorical skills, or a ``Box`` for continuous skills;
* ``observation_space``: the environment observation the skills read (without the skill);
* ``action_space``: the environment's action space;
* ``act(observation, skill) -> action``: one primitive action for one observation.

and optionally ``seed(seed)`` (called by the wrapper's ``reset(seed=...)``, for stochastic skills). The library's
:class:`~hrl_wrappers.skill_library.SkillLibrary` (torch-backed, from a saved DIAYN or SB3 model) is one;
:class:`CallableSkills` turns plain functions into one. :func:`skill_displacements` measures where skills go: any
``act(observation, skill)``, a skill set's or an agent's; :func:`circle_skills` gives the 2-D skills it is usually
asked about.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import gymnasium as gym
import numpy as np
from gymnasium import spaces

__all__ = ["CallableSkills", "Skills", "circle_skills", "skill_displacements"]


@runtime_checkable
class Skills(Protocol):
    """The interface of a set of frozen skills (see the module docstring)."""

    @property
    def skill_space(self) -> spaces.Space: ...

    @property
    def observation_space(self) -> spaces.Space: ...

    @property
    def action_space(self) -> spaces.Space: ...

    def act(self, observation: Any, skill: Any) -> Any: ...


class CallableSkills:
    """Skills given as plain functions ``policy(observation) -> action``, one per categorical skill.

    Hand-written skills (e.g. "move east") are useful as baselines, in tests, and to wrap controllers from other
    libraries. For continuous skills pass one function ``policy(observation, z)`` and a ``skill_space`` Box.

    :param policies: one function per skill, or one function of ``(observation, z)`` for a Box ``skill_space``.
    :param observation_space: the observation the functions read.
    :param action_space: the action space of what they return.
    :param skill_space: ``None`` (``Discrete(len(policies))``) or a ``Box`` for continuous skills.

    Example:
        >>> import numpy as np
        >>> from gymnasium import spaces
        >>> box = spaces.Box(-1.0, 1.0, (2,), np.float32)
        >>> east_west = CallableSkills([lambda obs: np.array([1.0, 0.0]), lambda obs: np.array([-1.0, 0.0])], box, box)
        >>> east_west.skill_space, east_west.act(np.zeros(2), 1).tolist()
        (Discrete(2), [-1.0, 0.0])
    """

    def __init__(
        self,
        policies: Sequence[Callable[[Any], Any]] | Callable[[Any, Any], Any],
        observation_space: spaces.Space,
        action_space: spaces.Space,
        skill_space: spaces.Space | None = None,
    ) -> None:
        if skill_space is None:
            if callable(policies) or len(policies) < 1:
                raise ValueError("policies must be a non-empty sequence of functions when skill_space is None")
            skill_space = spaces.Discrete(len(policies))
        elif isinstance(skill_space, spaces.Box):
            if not callable(policies):
                raise ValueError("policies must be one function policy(observation, z) for a Box skill_space")
        elif not isinstance(skill_space, spaces.Discrete):
            raise ValueError(f"skill_space must be None, Discrete or Box, got {skill_space}")
        self._policies = policies
        self._skill_space = skill_space
        self._observation_space = observation_space
        self._action_space = action_space

    @property
    def skill_space(self) -> spaces.Space:
        return self._skill_space

    @property
    def observation_space(self) -> spaces.Space:
        return self._observation_space

    @property
    def action_space(self) -> spaces.Space:
        return self._action_space

    def act(self, observation: Any, skill: Any) -> Any:
        """The action of ``skill`` for one ``observation``."""
        if isinstance(self._skill_space, spaces.Discrete):
            return np.asarray(self._policies[int(skill)](observation))  # type: ignore[index]
        return np.asarray(self._policies(observation, skill))  # type: ignore[operator]


def circle_skills(n: int) -> np.ndarray:
    """``n`` unit 2-D skill vectors at equal angles, counter-clockwise from ``(1, 0)``: shape ``(n, 2)``, float32.

    Example:
        >>> circle_skills(4).round(3)
        array([[ 1.,  0.],
               [ 0.,  1.],
               [-1.,  0.],
               [-0., -1.]], dtype=float32)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    angles = np.arange(int(n)) * (2 * np.pi / int(n))
    return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)


def skill_displacements(
    act: Callable[[Any, Any], Any],
    env: gym.Env,
    skills: Sequence[Any] | np.ndarray,
    n_steps: int | None = None,
    features: Sequence[int] | Callable[[Any, dict[str, Any]], Any] | None = None,
    seed: int | None = 0,
) -> np.ndarray:
    """Where each skill takes ``features`` in one rollout from ``env.reset(seed=seed)``: final minus initial.

    :param act: ``act(observation, skill) -> action``: a skill set's :meth:`Skills.act`, or an agent's
        ``lambda obs, z: model.predict_skill(obs, z)[0]``.
    :param env: the environment the skills act in (raw observations, as ``act`` reads them).
    :param skills: the skills to roll out, one rollout each (indices or skill vectors, whatever ``act`` takes).
    :param n_steps: rollout length (fewer if the episode ends; until it ends when ``None``).
    :param features: indices of the flattened observation, or ``f(observation, info) -> vector``; the whole
        flattened observation when ``None``.
    :param seed: reset seed of every rollout (the same start for every skill).
    :return: an array ``(len(skills), n_features)``.

    Example:
        >>> import gymnasium as gym
        >>> from hrl_wrappers.envs import POINT_WORLD_ID
        >>> push = lambda obs, z: np.asarray(z, dtype=np.float32)      # the skill is the action
        >>> skill_displacements(push, gym.make(POINT_WORLD_ID), [[1.0, 0.0], [0.0, -1.0]], n_steps=3).round(2)
        array([[ 1.5,  0. ],
               [ 0. , -1.5]])
    """
    if n_steps is not None and (isinstance(n_steps, bool) or not isinstance(n_steps, int) or n_steps < 1):
        raise ValueError(f"n_steps must be an integer >= 1 or None, got {n_steps!r}")
    if len(skills) == 0:
        raise ValueError("skills must name at least one skill, got an empty sequence")
    index = None if features is None or callable(features) else feature_indices(env, features)

    def feat(obs: Any, info: dict[str, Any]) -> np.ndarray:
        if callable(features):
            return np.asarray(features(obs, info), dtype=np.float64).reshape(-1)
        flat = np.asarray(spaces.flatten(env.observation_space, obs), dtype=np.float64)
        return flat if index is None else flat[index]

    out = []
    for skill in skills:
        obs, info = env.reset(seed=seed)
        start = feat(obs, info)
        t = 0
        while n_steps is None or t < n_steps:
            obs, _, terminated, truncated, info = env.step(act(obs, skill))
            t += 1
            if terminated or truncated:
                break
        out.append(feat(obs, info) - start)
    return np.stack(out)


def feature_indices(env: gym.Env, features: Sequence[int]) -> list[int]:
    """``features`` as a list of indices of ``env``'s flattened observation; a ``ValueError`` naming it otherwise (the
    check of every ``features=`` that measures skills: here and in :mod:`hrl_wrappers.evaluation`)."""
    dim = spaces.flatdim(env.observation_space)
    wrong = f"features must be None, integer indices of the flattened observation or a callable, got {features!r}"
    if isinstance(features, str | bytes):
        raise ValueError(wrong)
    try:
        index = [int(i) for i in features]
    except (TypeError, ValueError):
        raise ValueError(wrong) from None
    if not index:
        raise ValueError("features must name at least one index, got an empty sequence")
    bad = [i for i in index if not 0 <= i < dim]
    if bad:
        raise ValueError(f"features has indices {bad} outside the flattened observation (valid: 0..{dim - 1})")
    return index
