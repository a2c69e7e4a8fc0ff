"""Features for reward models on Gymnasium's MuJoCo locomotion envs (the papers' "x-y prior").

Gymnasium's HalfCheetah, Ant, Swimmer, Humanoid, Hopper and Walker2d hide the torso position from the observation
(``exclude_current_positions_from_observation=True``), and Ant/Humanoid/Hopper/Walker2d end episodes when the body
is "unhealthy". Skill-discovery papers (DIAYN+prior, DADS, METRA) give the reward model the x(-y) position and run
without early termination. Two ways to get that:

* :func:`locomotion_kwargs` / :func:`make_locomotion_env`: ``gym.make`` keyword arguments that put the position at the
  start of the observation and switch termination (and Ant's contact forces) off;
* :class:`ExposePositionWrapper`: the same for an env that is already built (it prepends ``qpos[:k]`` and can
  ignore ``terminated``).

In both cases the position features are indices ``[0]`` (x) or ``[0, 1]`` (x, y) of the observation:
:func:`position_features` returns them.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

__all__ = ["POSITION_DIMS", "ExposePositionWrapper", "locomotion_kwargs", "make_locomotion_env", "position_features"]

#: number of torso position coordinates each family hides (x; or x, y).
POSITION_DIMS: dict[str, int] = {
    "HalfCheetah": 1,
    "Hopper": 1,
    "Walker2d": 1,
    "Swimmer": 2,
    "Ant": 2,
    "Humanoid": 2,
    "HumanoidStandup": 2,
}
_TERMINATING = {"Ant", "Humanoid", "Hopper", "Walker2d"}


def _family(env_id: str) -> str:
    name = env_id.split("/")[-1].split("-v")[0]
    if name not in POSITION_DIMS:
        raise ValueError(
            f"env_id must be one of the MuJoCo locomotion envs {sorted(POSITION_DIMS)} (any version), got {env_id!r}"
        )
    return name


def position_features(env_id: str, which: str = "xy") -> list[int]:
    """Observation indices of the exposed position: ``which="x"`` gives ``[0]``, ``"xy"`` gives ``[0, 1]`` where y exists.

    Example:
        >>> position_features("Ant-v5"), position_features("HalfCheetah-v5"), position_features("Ant-v5", "x")
        ([0, 1], [0], [0])
    """
    dims = POSITION_DIMS[_family(env_id)]
    if which not in ("x", "xy"):
        raise ValueError(f"which must be 'x' or 'xy', got {which!r}")
    return [0] if which == "x" else list(range(dims))


def locomotion_kwargs(
    env_id: str, expose_position: bool = True, terminate_when_unhealthy: bool | None = None, contact_forces: bool | None = None
) -> dict[str, Any]:
    """``gym.make`` keyword arguments for a locomotion env with its position exposed and, if asked, no termination.

    :param env_id: e.g. ``"HalfCheetah-v5"`` or ``"Ant-v5"``.
    :param expose_position: put x (and y) at the start of the observation.
    :param terminate_when_unhealthy: override early termination (None: the env's default).
    :param contact_forces: Ant only: include the 78 contact-force values (None: the env's default).
    :return: keyword arguments.

    Example:
        >>> kwargs = locomotion_kwargs("Ant-v5", terminate_when_unhealthy=False, contact_forces=False)
        >>> sorted(kwargs.items())  # doctest: +NORMALIZE_WHITESPACE
        [('exclude_current_positions_from_observation', False), ('include_cfrc_ext_in_observation', False),
         ('terminate_when_unhealthy', False)]
    """
    family = _family(env_id)
    kwargs: dict[str, Any] = {"exclude_current_positions_from_observation": not expose_position}
    if terminate_when_unhealthy is not None:
        if family not in _TERMINATING:
            raise ValueError(f"terminate_when_unhealthy applies to {sorted(_TERMINATING)}, not {env_id!r}")
        kwargs["terminate_when_unhealthy"] = bool(terminate_when_unhealthy)
    if contact_forces is not None:
        if family != "Ant":
            raise ValueError(f"contact_forces applies to Ant only, not {env_id!r}")
        kwargs["include_cfrc_ext_in_observation"] = bool(contact_forces)
    return kwargs


def make_locomotion_env(
    env_id: str,
    expose_position: bool = True,
    terminate_when_unhealthy: bool | None = None,
    contact_forces: bool | None = None,
    max_episode_steps: int | None = None,
    **kwargs: Any,
) -> gym.Env:
    """``gym.make(env_id, **locomotion_kwargs(...), **kwargs)``; see :func:`locomotion_kwargs`."""
    make_kwargs = {**locomotion_kwargs(env_id, expose_position, terminate_when_unhealthy, contact_forces), **kwargs}
    if max_episode_steps is not None:
        make_kwargs["max_episode_steps"] = int(max_episode_steps)
    return gym.make(env_id, **make_kwargs)


class ExposePositionWrapper(gym.ObservationWrapper, gym.utils.RecordConstructorArgs):
    """Prepend the first ``n_position`` entries of MuJoCo ``qpos`` (the torso x, y) to the observation.

    :param env: a MuJoCo env built with its positions excluded.
    :param n_position: how many ``qpos`` entries to expose (1: x; 2: x, y); inferred from the env id when None.
    :param ignore_termination: report ``terminated=False`` always (episodes then end by time limit only).

    Example:
        >>> import gymnasium as gym
        >>> env = ExposePositionWrapper(gym.make("HalfCheetah-v5"))
        >>> obs, _ = env.reset(seed=0)
        >>> obs.shape
        (18,)
    """

    def __init__(self, env: gym.Env, n_position: int | None = None, ignore_termination: bool = False) -> None:
        gym.utils.RecordConstructorArgs.__init__(self, n_position=n_position, ignore_termination=ignore_termination)
        gym.ObservationWrapper.__init__(self, env)
        if not hasattr(env.unwrapped, "data") or not hasattr(env.unwrapped.data, "qpos"):
            raise ValueError("env must be a MuJoCo environment (its unwrapped env needs data.qpos)")
        if n_position is None:
            spec_id = env.spec.id if env.spec is not None else ""
            n_position = POSITION_DIMS[_family(spec_id)]
        if n_position < 1:
            raise ValueError(f"n_position must be >= 1, got {n_position}")
        self.n_position = int(n_position)
        self.ignore_termination = bool(ignore_termination)
        box = env.observation_space
        assert isinstance(box, gym.spaces.Box)
        self.observation_space = gym.spaces.Box(
            np.concatenate([np.full(self.n_position, -np.inf), box.low]),
            np.concatenate([np.full(self.n_position, np.inf), box.high]),
            dtype=box.dtype,  # type: ignore[arg-type]
        )

    def observation(self, observation: np.ndarray) -> np.ndarray:
        qpos = self.env.unwrapped.data.qpos  # type: ignore[attr-defined]
        return np.concatenate([np.asarray(qpos[: self.n_position], dtype=observation.dtype), observation])

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = super().step(action)
        if self.ignore_termination:
            terminated = False
        return obs, reward, terminated, truncated, info
