"""Skill conditioning: :class:`SkillWrapper` draws a skill z each episode and puts it in the observation."""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium.utils import seeding

from hrl_wrappers.priors import SkillPrior, make_prior
from hrl_wrappers.skill_layout import SkillLayout

__all__ = ["SkillWrapper", "find_skill_layout"]


class SkillWrapper(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Condition an environment on a skill z drawn from a prior.

    A skill is drawn at every reset (or chosen with ``reset(options={"skill": z})``), optionally redrawn every
    ``resample_every`` steps, and appended to the observation: one-hot for ``n_skills`` categorical skills, the raw
    vector for ``skill_dim`` continuous ones. ``info["skill"]`` always holds the current skill.

    :param env: environment with a Box, Discrete or single-level Dict observation space.
    :param n_skills: number of categorical skills (one-hot), mutually exclusive with ``skill_dim``.
    :param skill_dim: dimension of continuous skills.
    :param distribution: continuous prior, ``"uniform"`` on ``[-1, 1]``, ``"gaussian"`` or ``"sphere"`` (unit vectors).
    :param skill_probs: categorical probabilities (uniform when ``None``).
    :param obs_mode: ``"flat"`` (Box concatenation) or ``"dict"`` (``{"observation", "skill"}``). Dict environments
        always use ``"dict"``.
    :param resample_every: draw a new skill every this many steps within an episode (``None``: once per episode).

    Example:
        >>> import gymnasium as gym
        >>> env = SkillWrapper(gym.make("Pendulum-v1"), n_skills=4)
        >>> obs, info = env.reset(seed=0, options={"skill": 2})
        >>> obs.shape, info["skill"]
        ((7,), 2)
        >>> obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        >>> info["skill"]
        2
    """

    def __init__(
        self,
        env: gym.Env,
        n_skills: int | None = None,
        skill_dim: int | None = None,
        distribution: str = "uniform",
        skill_probs: list[float] | tuple[float, ...] | None = None,
        obs_mode: str | None = None,
        resample_every: int | None = None,
    ) -> None:
        gym.utils.RecordConstructorArgs.__init__(
            self,
            n_skills=n_skills,
            skill_dim=skill_dim,
            distribution=distribution,
            skill_probs=skill_probs,
            obs_mode=obs_mode,
            resample_every=resample_every,
        )
        gym.Wrapper.__init__(self, env)
        self.prior: SkillPrior = make_prior(
            n_skills=n_skills, skill_dim=skill_dim, distribution=distribution, probs=skill_probs
        )
        if obs_mode is None:
            obs_mode = "dict" if isinstance(env.observation_space, gym.spaces.Dict) else "flat"
        self.layout = SkillLayout(env.observation_space, self.prior, obs_mode)
        if resample_every is not None and (isinstance(resample_every, bool) or int(resample_every) < 1):
            raise ValueError(f"resample_every must be a positive integer or None, got {resample_every!r}")
        self.resample_every = None if resample_every is None else int(resample_every)
        self.observation_space = self.layout.observation_space
        self._skill_rng, _ = seeding.np_random()
        self._skill: Any = self.prior.sample(self._skill_rng)
        self._encoded = self.prior.encode(self._skill)
        self._steps = 0

    # ------------------------------------------------------------------------------------------------- accessors
    @property
    def skill_layout(self) -> SkillLayout:
        """The :class:`SkillLayout` (reachable through ``get_wrapper_attr("skill_layout")`` and VecEnv ``get_attr``)."""
        return self.layout

    @property
    def skill_config(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this wrapper around a fresh env: ``SkillWrapper(env, **skill_config)``."""
        return dict(self._saved_kwargs)

    @property
    def skill(self) -> Any:
        """The current skill."""
        return self._skill

    def set_skill(self, skill: Any) -> None:
        """Switch to ``skill`` from the next observation on (used by planners and macro-actions)."""
        self._skill = self.prior.validate(skill, "skill")
        self._encoded = self.prior.encode(self._skill)

    def _observation(self, obs: Any) -> Any:
        return self.layout.join(obs, self._encoded, encoded=True)

    def _info(self, info: dict[str, Any]) -> dict[str, Any]:
        info = dict(info)
        info["skill"] = self._skill if isinstance(self._skill, int) else np.array(self._skill, copy=True)
        return info

    # ------------------------------------------------------------------------------------------------- gym API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Reset the environment and draw a skill; ``options={"skill": z}`` picks it instead."""
        if seed is not None:
            self._skill_rng, _ = seeding.np_random(seed)
        options = dict(options or {})
        chosen = options.pop("skill", None)
        if chosen is not None:
            self.set_skill(self.prior.validate(chosen, "options['skill']"))
        else:
            self.set_skill(self.prior.sample(self._skill_rng))
        obs, info = self.env.reset(seed=seed, options=options or None)
        self._steps = 0
        return self._observation(obs), self._info(info)

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """Step the environment; the skill may be redrawn every ``resample_every`` steps."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._steps += 1
        info = self._info(info)  # the skill that produced this transition
        if self.resample_every is not None and self._steps % self.resample_every == 0:
            self.set_skill(self.prior.sample(self._skill_rng))
        return self._observation(obs), reward, terminated, truncated, info


def find_skill_layout(env: Any) -> SkillLayout:
    """Return the :class:`SkillLayout` of a skill-wrapped ``gym.Env`` or SB3 ``VecEnv``.

    :param env: an environment wrapped with :class:`SkillWrapper` (directly or deeper in the stack).
    :return: its layout.
    :raises ValueError: when no :class:`SkillWrapper` is found.
    """
    try:
        if hasattr(env, "get_attr") and hasattr(env, "num_envs"):
            return env.get_attr("skill_layout", indices=[0])[0]
        if isinstance(env, gym.Env):
            return env.get_wrapper_attr("skill_layout")
    except AttributeError:
        pass
    raise ValueError(f"env must be wrapped with hrl_wrappers.SkillWrapper (no skill_layout found on {env!r})")
