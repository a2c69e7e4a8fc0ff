"""Stop training at the first NaN or infinite observation or reward that the environment returns.

A NaN in an observation otherwise travels into the policy and surfaces many frames later inside
``torch.distributions`` ("Expected parameter loc ... Real()"), or silently spoils the replay buffer and the reward
model. :func:`check_finite_reset` and :func:`check_finite_step` raise a :class:`NonFiniteDataError` naming what was
not finite (the observation, its key, the reward, a terminal observation), the environment's index in the VecEnv
and the step (``num_timesteps``), before the data reaches a buffer or a network. :class:`FiniteDataCallback` runs
them inside SB3's collection (on ``reset`` at the training start, then on every step, before the transition is stored
and before any gradient step); :func:`with_finite_check` puts it first among an agent's callbacks.

The cost is one ``np.isfinite`` over each float array of a step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from stable_baselines3.common.callbacks import BaseCallback, ConvertCallback
from stable_baselines3.common.type_aliases import MaybeCallback

__all__ = ["FiniteDataCallback", "NonFiniteDataError", "check_finite_reset", "check_finite_step", "with_finite_check"]


class NonFiniteDataError(ValueError):
    """The environment returned a NaN or infinite observation or reward during training.

    :param what: what was not finite (``"observation"``, ``"observation['pos']"``, ``"reward"``, ...).
    :param env_index: the environment's index in the VecEnv.
    :param step: the agent's ``num_timesteps`` when the value came in.
    :param value: the offending value(s).
    :param when: ``"step"`` or ``"reset"``.
    """

    def __init__(self, what: str, env_index: int, step: int, value: Any, when: str = "step") -> None:
        self.what = what
        self.env_index = int(env_index)
        self.step = int(step)
        source = "reset" if when == "reset" else "step"
        super().__init__(
            f"the {what} of env {self.env_index} at step {self.step} (num_timesteps) is not finite: {_describe(value)} "
            f"(returned by env.{source}()). Training stopped before any network was updated with it; find where the "
            "environment produces it (or wrap it to replace or clip such values)"
        )


def _describe(value: Any) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return repr(arr.item())
    bad = np.flatnonzero(~np.isfinite(arr.reshape(-1)))
    shown = ", ".join(f"[{i}]={arr.reshape(-1)[i].item()!r}" for i in bad[:4])
    more = f" and {len(bad) - 4} more" if len(bad) > 4 else ""
    return f"{shown}{more} of {arr.size} entries"


def _float_parts(obs: Any, name: str) -> list[tuple[str, np.ndarray]]:
    """(name, array) of every floating-point part of a batch (a Dict observation part by part)."""
    if isinstance(obs, Mapping):
        return [part for key, sub in obs.items() for part in _float_parts(sub, f"{name}[{key!r}]")]
    arr = np.asarray(obs)
    return [(name, arr)] if np.issubdtype(arr.dtype, np.inexact) else []


def _check_batch(obs: Any, name: str, step: int, when: str) -> None:
    for what, arr in _float_parts(obs, name):
        finite = np.isfinite(arr)
        if not finite.all():
            rows = finite.reshape(len(arr), -1).all(axis=1) if arr.ndim > 1 else finite
            index = int(np.flatnonzero(~rows)[0])
            raise NonFiniteDataError(what, index, step, arr[index], when)


def check_finite_reset(obs: Any, step: int) -> None:
    """Raise a :class:`NonFiniteDataError` if a VecEnv ``reset`` returned a NaN or infinite observation.

    :param obs: the observation batch (an array, or a dict of arrays for Dict observations).
    :param step: the agent's ``num_timesteps``.
    """
    _check_batch(obs, "observation", step, "reset")


def check_finite_step(
    new_obs: Any, rewards: Any, dones: Any = None, infos: Sequence[dict[str, Any]] | None = None, step: int = 0
) -> None:
    """Raise a :class:`NonFiniteDataError` if a VecEnv ``step`` returned a NaN or infinite observation, reward or
    terminal observation (``infos[i]["terminal_observation"]`` of the environments whose episode ended).

    :param new_obs: the observation batch.
    :param rewards: the rewards, one per environment.
    :param dones: the episode ends, one per environment (terminal observations are checked where True).
    :param infos: the infos, one per environment.
    :param step: the agent's ``num_timesteps`` (after this step).

    Example:
        >>> check_finite_step(np.zeros((2, 3)), np.array([0.0, np.inf]), step=8)
        Traceback (most recent call last):
        ...
        hrl_wrappers.sb3.non_finite.NonFiniteDataError: the reward of env 1 at step 8 (num_timesteps) is not finite: ...
    """
    _check_batch(new_obs, "observation", step, "step")
    if rewards is not None:
        _check_batch(np.asarray(rewards, dtype=np.float64).reshape(-1), "reward", step, "step")
    if dones is None or infos is None:
        return
    for i in np.flatnonzero(np.asarray(dones)):
        terminal = infos[int(i)].get("terminal_observation")
        if terminal is None:
            continue
        for what, arr in _float_parts(terminal, "terminal observation"):
            if not np.isfinite(arr).all():
                raise NonFiniteDataError(what, int(i), step, arr)


class FiniteDataCallback(BaseCallback):
    """Check the observations of the training start's ``reset`` and every step's observations, rewards and terminal
    observations with :func:`check_finite_reset` / :func:`check_finite_step`.

    SB3 calls a callback's ``on_step`` right after ``env.step``, before it stores the transition or trains, so a
    non-finite value stops ``learn`` before any network sees it (put this callback first: :func:`with_finite_check`).
    """

    def _on_training_start(self) -> None:
        last_obs = getattr(self.model, "_last_obs", None)
        if last_obs is not None:
            check_finite_reset(last_obs, self.model.num_timesteps)

    def _on_step(self) -> bool:
        loc = self.locals
        check_finite_step(loc.get("new_obs"), loc.get("rewards"), loc.get("dones"), loc.get("infos"), self.num_timesteps)
        return True


def with_finite_check(callback: MaybeCallback) -> list[BaseCallback]:
    """``callback`` (None, a callback, a list of them or a function) as a list with a :class:`FiniteDataCallback`
    first (for an algorithm's ``_init_callback``)."""
    if callback is None:
        rest: list[BaseCallback] = []
    elif isinstance(callback, list):
        rest = list(callback)
    elif isinstance(callback, BaseCallback):
        rest = [callback]
    else:
        rest = [ConvertCallback(callback)]
    return [FiniteDataCallback(), *rest]
