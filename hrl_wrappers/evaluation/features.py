"""What an evaluation measures a skill by: the ``features`` argument of the evaluators.

``features`` is None (the whole flattened observation), indices into the flattened observation, or a callable
``(obs, info) -> array``; :func:`info_features` and :func:`locomotion_position_features` build callables that read
positions from ``info`` (e.g. HalfCheetah's ``"x_position"``), with a MuJoCo ``qpos`` fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from hrl_wrappers.locomotion import POSITION_DIMS
from hrl_wrappers.skills import feature_indices

__all__ = ["FeatureFn", "Features", "InfoFeatures", "info_features", "locomotion_position_features"]

#: A features callable: ``(obs, info) -> 1-D array``.
FeatureFn = Callable[[Any, dict[str, Any]], np.ndarray]
Features = Sequence[int] | FeatureFn | None


class InfoFeatures:
    """Read features from the step/reset ``info`` dict: ``np.array([info[k] for k in keys])``.

    Usable wherever a ``features`` callable ``(obs, info) -> np.ndarray`` is accepted. When a key is missing from
    ``info`` and ``qpos_index`` maps it to a MuJoCo ``qpos`` entry, the value is read from
    ``env.unwrapped.data.qpos`` instead (the evaluators pass ``env``).

    :param keys: ``info`` keys, in order.
    :param qpos_index: fallback ``qpos`` index of each key (MuJoCo envs only).

    Example:
        >>> f = InfoFeatures("x_position", "y_position")
        >>> f(None, {"x_position": 1.5, "y_position": -2.0}).tolist()
        [1.5, -2.0]
    """

    def __init__(self, *keys: str, qpos_index: Mapping[str, int] | None = None) -> None:
        if not keys:
            raise ValueError("info_features needs at least one info key, e.g. info_features('x_position')")
        for key in keys:
            if not isinstance(key, str):
                raise ValueError(f"info keys must be strings, got {key!r}")
        self.keys = tuple(keys)
        self.qpos_index = dict(qpos_index or {})

    def __call__(self, obs: Any, info: Mapping[str, Any], env: gym.Env | None = None) -> np.ndarray:
        values = []
        for key in self.keys:
            if key in info:
                values.append(np.asarray(info[key], dtype=np.float64).reshape(-1))
            elif key in self.qpos_index and env is not None and hasattr(getattr(env.unwrapped, "data", None), "qpos"):
                qpos = env.unwrapped.data.qpos  # type: ignore[attr-defined]
                values.append(np.asarray([qpos[self.qpos_index[key]]], dtype=np.float64))
            else:
                raise KeyError(
                    f"info has no key {key!r} (keys: {sorted(info)}); pick features that the environment reports in "
                    "info after reset and after every step"
                )
        return np.concatenate(values)

    def __repr__(self) -> str:
        return f"info_features({', '.join(repr(k) for k in self.keys)})"


def info_features(*keys: str, qpos_index: Mapping[str, int] | None = None) -> InfoFeatures:
    """A ``features`` callable reading ``info[key]`` for each key (e.g. HalfCheetah's ``"x_position"``).

    :param keys: ``info`` keys, in order.
    :param qpos_index: optional fallback ``qpos`` index of each key, for MuJoCo envs that omit it from ``info``.
    :return: a callable ``(obs, info) -> np.ndarray``.

    Example:
        >>> info_features("x_position")(None, {"x_position": 0.25}).tolist()
        [0.25]
    """
    return InfoFeatures(*keys, qpos_index=qpos_index)


def locomotion_position_features(env_id: str) -> InfoFeatures:
    """The torso position of a Gymnasium MuJoCo locomotion env: x (HalfCheetah, Hopper, Walker2d) or x, y (Ant,
    Swimmer, Humanoid, HumanoidStandup), read from ``info["x_position"]`` / ``info["y_position"]`` with
    ``env.unwrapped.data.qpos[0]`` / ``[1]`` as fallback (versions whose reset info lacks them).

    :param env_id: e.g. ``"HalfCheetah-v5"`` or ``"Ant-v5"``.
    :return: a ``features`` callable for :func:`~hrl_wrappers.evaluation.evaluate_skills`.

    Example:
        >>> locomotion_position_features("Ant-v5")
        info_features('x_position', 'y_position')
    """
    family = str(env_id).split("/")[-1].split("-v")[0]
    if family not in POSITION_DIMS:
        raise ValueError(
            f"env_id must be one of the MuJoCo locomotion envs {sorted(POSITION_DIMS)} (any version), got {env_id!r}"
        )
    keys = ("x_position", "y_position")[: POSITION_DIMS[family]]
    return InfoFeatures(*keys, qpos_index={"x_position": 0, "y_position": 1})


def _feature_fn(env: gym.Env, features: Features) -> Callable[[Any, dict[str, Any]], np.ndarray]:
    """Turn ``features`` (None, indices or a callable) into ``(obs, info) -> 1-D float64 array``."""
    if isinstance(features, InfoFeatures):
        info_fn = features
        return lambda obs, info: info_fn(obs, info, env)
    if callable(features):
        fn = features
        return lambda obs, info: np.asarray(fn(obs, info), dtype=np.float64).reshape(-1)
    space = env.observation_space
    idx = None if features is None else feature_indices(env, features)

    def flat(obs: Any, info: dict[str, Any]) -> np.ndarray:
        values = np.asarray(spaces.flatten(space, obs), dtype=np.float64)
        return values if idx is None else values[idx]

    return flat
