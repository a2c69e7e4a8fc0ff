"""What a set of frozen skills offers to :class:`~hrl_wrappers.MacroActionWrapper` (numpy only, no torch).

A *skill set* is any object with:

* ``skill_space``: ``Discrete(n)`` for ``n`` categorical skills, or a ``Box`` for continuous skills;
* ``observation_space``: the environment observation the skills read (without the skill);
* ``action_space``: the environment's action space;
* ``act(observation, skill) -> action``: one primitive action for one observation.

and optionally ``seed(seed)`` (called by the wrapper's ``reset(seed=...)``, for stochastic skills). The library's
:class:`~hrl_wrappers.skill_library.SkillLibrary` (torch-backed, from a saved DIAYN or SB3 model) is one;
:class:`CallableSkills` turns plain functions into one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from gymnasium import spaces

__all__ = ["CallableSkills", "Skills"]


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
