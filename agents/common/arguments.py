"""Checks of the arguments every agent's ``learn`` takes."""

from __future__ import annotations

import numbers
from typing import Any

__all__ = ["check_total_timesteps", "copy_user_dicts"]


def check_total_timesteps(total_timesteps: Any) -> int:
    """``total_timesteps`` as an int; a ``ValueError`` naming it unless it is a whole number >= 0.

    :param total_timesteps: the number of environment steps ``learn`` was asked to train for.
    :return: the same number, as an int.
    """
    integral = isinstance(total_timesteps, numbers.Integral) or (
        isinstance(total_timesteps, numbers.Real) and float(total_timesteps).is_integer()
    )
    if isinstance(total_timesteps, bool) or not integral or total_timesteps < 0:
        raise ValueError(
            f"total_timesteps must be a whole number of environment steps >= 0, got {total_timesteps!r}: "
            "pass how many steps to train for, e.g. learn(10_000)"
        )
    return int(total_timesteps)


def copy_user_dicts(kwargs: dict[str, Any] | None) -> dict[str, Any]:
    """A copy of ``kwargs`` whose dict values (``policy_kwargs``, ``replay_buffer_kwargs``, ...) are copies too, nested
    dicts included: the agents and SB3 write into these dicts (SAC sets ``policy_kwargs["use_sde"]``), and a user's own
    dict, reused for the next agent, must stay as the user wrote it.

    :param kwargs: keyword arguments given by the user (None: none).
    :return: the copy.
    """
    return {key: _copy_dicts(value) for key, value in (kwargs or {}).items()}


def _copy_dicts(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy_dicts(item) for key, item in value.items()}
    return value
