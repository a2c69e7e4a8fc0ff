"""Frozen skills as macro-actions: :class:`MacroActionWrapper` (numpy only; the skills it calls may use torch).

One high-level action picks a skill; the wrapper runs that skill's frozen policy for ``hold_steps`` primitive steps
(or until the episode ends) and returns the summed reward. This is the hierarchical setup of DIAYN (Eysenbach et al.,
2019, Sec. 4.2.2: a meta-controller choosing a skill every k = 10 or 100 steps) as an ordinary Gymnasium env, so any
RL library, and any SB3 algorithm, can learn the high level.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from hrl_wrappers.skills import Skills

__all__ = ["MacroActionWrapper", "check_skill_spaces", "relative_indices"]


def _describe(space: spaces.Space) -> str:
    if isinstance(space, spaces.Box):
        return f"Box(shape={space.shape}, dtype={space.dtype})"
    return str(space)


def _skill_view_space(env_space: spaces.Space, skill_obs: Sequence[int] | None) -> spaces.Space:
    if skill_obs is None:
        return env_space
    if not isinstance(env_space, spaces.Box) or len(env_space.shape) != 1:
        raise ValueError(f"skill_obs needs a 1-D Box observation space, the environment's is {_describe(env_space)}")
    idx = np.asarray(skill_obs, dtype=np.int64)
    if idx.ndim != 1 or len(idx) == 0 or np.any(idx < -env_space.shape[0]) or np.any(idx >= env_space.shape[0]):
        raise ValueError(f"skill_obs must be indices into the {env_space.shape[0]} observation entries, got {skill_obs!r}")
    return spaces.Box(env_space.low[idx], env_space.high[idx], dtype=env_space.dtype)  # type: ignore[arg-type]


def relative_indices(relative_obs: Sequence[int] | None, space: spaces.Space) -> list[int] | None:
    """``relative_obs`` checked against the skills' observation space (a 1-D Box), as a list of indices."""
    if relative_obs is None:
        return None
    if not isinstance(space, spaces.Box) or len(space.shape) != 1:
        raise ValueError(f"relative_obs needs skills that read a 1-D Box observation, these read {_describe(space)}")
    try:
        idx = [int(i) for i in relative_obs]
    except (TypeError, ValueError):
        raise ValueError(f"relative_obs must be a sequence of integer indices, got {relative_obs!r}") from None
    if not idx or any(not -space.shape[0] <= i < space.shape[0] for i in idx):
        raise ValueError(
            f"relative_obs must be indices into the skills' {space.shape[0]} observation entries, got {relative_obs!r}"
        )
    return idx


def check_skill_spaces(env: gym.Env, skills: Skills, skill_obs: Sequence[int] | None = None) -> None:
    """Raise a ``ValueError`` naming ``skills`` unless they read ``env``'s observations and act in its action space.

    Different observation or action shapes or types are errors; different Box bounds only warn (the skills may then
    meet states they were not trained on).

    :param env: the target environment.
    :param skills: the skill set.
    :param skill_obs: indices of the environment observation the skills read (all when ``None``).
    """
    view = _skill_view_space(env.observation_space, skill_obs)
    want = skills.observation_space
    where = "the environment observation" if skill_obs is None else f"the environment observation entries {list(skill_obs)}"
    if type(view) is not type(want) or getattr(view, "shape", None) != getattr(want, "shape", None):
        hint = "" if skill_obs is not None else " (pass skill_obs=[...] to show the skills part of a larger observation)"
        raise ValueError(f"skills were trained on observations {_describe(want)}, but {where} is {_describe(view)}{hint}")
    if isinstance(view, spaces.Dict) and isinstance(want, spaces.Dict) and set(view.spaces) != set(want.spaces):
        raise ValueError(f"skills were trained on Dict keys {sorted(want.spaces)}, but {where} has {sorted(view.spaces)}")
    if isinstance(view, spaces.Discrete) and isinstance(want, spaces.Discrete) and view.n != want.n:
        raise ValueError(f"skills were trained on observations {want}, but {where} is {view}")
    if isinstance(view, spaces.Box) and isinstance(want, spaces.Box):
        if not (np.array_equal(view.low, want.low) and np.array_equal(view.high, want.high)):
            warnings.warn(
                f"skills were trained on observation bounds [{want.low}, {want.high}], {where} has [{view.low}, {view.high}]",
                stacklevel=3,
            )
    act, env_act = skills.action_space, env.action_space
    if type(act) is not type(env_act) or getattr(act, "shape", None) != getattr(env_act, "shape", None):
        raise ValueError(f"skills act in {_describe(act)}, but the environment's action space is {_describe(env_act)}")
    if isinstance(act, spaces.Discrete) and isinstance(env_act, spaces.Discrete) and act.n != env_act.n:
        raise ValueError(f"skills act in {act}, but the environment's action space is {env_act}")


def _finite(obs: Any, reward: float) -> bool:
    """Whether a primitive step's observation (an array or a dict of arrays) and the hold's reward so far are finite."""
    parts = obs.values() if isinstance(obs, dict) else [obs]
    return math.isfinite(reward) and all(
        bool(np.isfinite(a).all()) for a in map(np.asarray, parts) if np.issubdtype(a.dtype, np.inexact)
    )


class MacroActionWrapper(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Turn frozen skills into the actions of a new task: one action = one skill held for ``hold_steps`` steps.

    * **Action space**: ``Discrete(n_skills)`` for categorical skills, the skills' ``Box`` for continuous ones
      (out-of-bounds continuous actions are clipped, as SB3 clips its own).
    * **Step**: runs ``skills.act(obs, skill)`` on ``env`` for ``hold_steps`` primitive steps, stopping early when the
      episode terminates or is truncated, or when an observation or reward is NaN or infinite (the skill does not act
      on it; the macro step returns it, for the learner to stop on). The reward is ``sum_t gamma^t r_t`` over those
      steps (``gamma=1``: the plain sum). ``terminated`` and ``truncated`` are those of the last primitive step, kept apart.
    * **Info**: the last primitive step's info, plus ``"primitive_steps"`` (how many ran), ``"macro_discount"``
      (``gamma ** primitive_steps``, the factor a semi-MDP learner would discount the next value by) and ``"skill"``.

    ``env.spec`` records the arguments, the skill set included (as Gymnasium records the function of its
    ``TransformObservation``): ``gym.make(env.spec)`` rebuilds the wrapper around a copy of the skills. To share
    one skill set, build vectorised copies with
    ``make_vec_env(env_id, wrapper_class=MacroActionWrapper, wrapper_kwargs={"skills": skills, ...})``.

    :param env: the task environment.
    :param skills: a skill set (:class:`~hrl_wrappers.skills.Skills`: e.g. ``hrl_wrappers.load_skills(path)``).
    :param hold_steps: primitive steps per high-level action (k; the DIAYN paper used 10 and 100), at least 1.
    :param gamma: discount applied inside one macro-action to sum its rewards, in ``(0, 1]``.
    :param skill_obs: indices of the (1-D Box) environment observation that the skills read, when the task observation
        carries more than the skills were trained on (e.g. the current waypoint); all of it when ``None``.
    :param relative_obs: indices of the skills' observation (after ``skill_obs``) that the skills read relative to
        their value when the macro-action started. Skills trained from one start state (a locomotion robot that
        reads its x-y position, always reset near the origin) then see, wherever a macro-action begins, the
        displacement they saw in training rather than a position they never visited. None: the observation as it is.

    Example:
        >>> import numpy as np
        >>> import gymnasium as gym
        >>> from hrl_wrappers.skills import CallableSkills
        >>> env = gym.make("hrl_wrappers/PointWorld-v0")
        >>> moves = [lambda obs, d=d: np.array(d, dtype=np.float32) for d in ([1, 0], [0, 1], [-1, 0], [0, -1])]
        >>> skills = CallableSkills(moves, env.observation_space, env.action_space)
        >>> task = MacroActionWrapper(env, skills, hold_steps=10)
        >>> task.action_space
        Discrete(4)
        >>> obs, info = task.reset(seed=0)
        >>> obs, reward, terminated, truncated, info = task.step(0)   # 10 steps east, 0.5 each
        >>> info["primitive_steps"], round(float(obs[0] - info["position"][0]), 6)
        (10, 0.0)
    """

    def __init__(
        self,
        env: gym.Env,
        skills: Skills,
        hold_steps: int = 10,
        gamma: float = 1.0,
        skill_obs: Sequence[int] | None = None,
        relative_obs: Sequence[int] | None = None,
    ) -> None:
        gym.utils.RecordConstructorArgs.__init__(
            self, skills=skills, hold_steps=hold_steps, gamma=gamma, skill_obs=skill_obs, relative_obs=relative_obs
        )
        gym.Wrapper.__init__(self, env)
        if isinstance(hold_steps, bool) or not isinstance(hold_steps, int | np.integer) or hold_steps < 1:
            raise ValueError(f"hold_steps must be an integer >= 1, got {hold_steps!r}")
        if isinstance(gamma, bool) or not isinstance(gamma, float | int) or not 0.0 < float(gamma) <= 1.0:
            raise ValueError(f"gamma must be a number in (0, 1], got {gamma!r}")
        for name in ("skill_space", "observation_space", "action_space", "act"):
            if not hasattr(skills, name):
                raise ValueError(
                    f"skills must be a skill set with skill_space, observation_space, action_space and act() "
                    f"(e.g. hrl_wrappers.load_skills(path)); {type(skills).__name__} has no {name!r}"
                )
        skill_space = skills.skill_space
        if not isinstance(skill_space, spaces.Discrete | spaces.Box):
            raise ValueError(f"skills.skill_space must be Discrete or Box, got {skill_space}")
        check_skill_spaces(env, skills, skill_obs)
        self.skills = skills
        self.hold_steps = int(hold_steps)
        self.gamma = float(gamma)
        self.skill_obs = None if skill_obs is None else [int(i) for i in skill_obs]
        self._skill_idx = None if skill_obs is None else np.asarray(self.skill_obs, dtype=np.int64)
        self.relative_obs = relative_indices(relative_obs, skills.observation_space)
        self.action_space = skill_space
        self._obs: Any = None

    @property
    def macro_config(self) -> dict[str, Any]:
        """The wrapper's plain-data arguments (everything but ``env`` and ``skills``)."""
        return {
            "hold_steps": self.hold_steps,
            "gamma": self.gamma,
            "skill_obs": self.skill_obs,
            "relative_obs": self.relative_obs,
        }

    def _skill_view(self, obs: Any) -> Any:
        return obs if self._skill_idx is None else np.asarray(obs)[self._skill_idx]

    def _check_action(self, action: Any) -> Any:
        space = self.action_space
        if isinstance(space, spaces.Discrete):
            arr = np.asarray(action)
            if arr.size != 1 or not np.issubdtype(arr.dtype, np.integer):
                raise ValueError(f"action must be one integer skill index in [0, {space.n}), got {action!r}")
            skill = int(arr.reshape(()))
            if not 0 <= skill - int(space.start) < int(space.n):
                raise ValueError(f"action must be a skill index in [0, {space.n}), got {skill}")
            return skill
        assert isinstance(space, spaces.Box)
        z = np.asarray(action, dtype=space.dtype)
        if z.shape != space.shape:
            raise ValueError(f"action must be a continuous skill of shape {space.shape}, got shape {z.shape}")
        if not np.all(np.isfinite(z)):
            raise ValueError(f"action must be finite, got {action!r}")
        return np.clip(z, space.low, space.high)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Reset the environment (and seed stochastic skills when ``seed`` is given)."""
        if seed is not None and hasattr(self.skills, "seed"):
            self.skills.seed(seed)
        obs, info = self.env.reset(seed=seed, options=options)
        self._obs = obs
        return obs, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """Hold the skill ``action`` for up to ``hold_steps`` primitive steps; see the class docstring."""
        skill = self._check_action(action)
        if self._obs is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        total, discount, n = 0.0, 1.0, 0
        obs, terminated, truncated = self._obs, False, False
        info: dict[str, Any] = {}
        origin = None
        for _ in range(self.hold_steps):
            view = self._skill_view(obs)
            if self.relative_obs is not None:  # the entries the skills read relative to where this macro-action started
                view = np.array(view, dtype=np.float64)
                if origin is None:
                    origin = view[self.relative_obs].copy()
                view[self.relative_obs] -= origin
            obs, reward, terminated, truncated, info = self.env.step(self.skills.act(view, skill))
            total += discount * float(reward)
            discount *= self.gamma
            n += 1
            if terminated or truncated or not _finite(obs, total):
                break  # a NaN or infinite value ends the hold: the skill never acts on it, the learner sees it
        self._obs = obs
        info = dict(info)
        info["primitive_steps"] = n
        info["macro_discount"] = discount
        info["skill"] = skill
        return obs, total, bool(terminated), bool(truncated), info
