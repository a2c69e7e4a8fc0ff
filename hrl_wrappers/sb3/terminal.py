"""The true next observations of a VecEnv step: ``terminal_observation`` where an episode ended.

SB3's VecEnvs reset finished environments at once and return the first observation of the next episode; the last
observation of the finished one is in ``infos[i]["terminal_observation"]``. Rewards of (s, s') need the latter.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["copy_observations", "true_next_observations"]


def copy_observations(obs: Any) -> Any:
    """A copy of a (Dict) VecEnv observation batch, safe to keep after the env reuses its arrays.

    Example:
        >>> obs = {"observation": np.zeros((2, 3))}
        >>> copy_observations(obs)["observation"] is obs["observation"]
        False
    """
    if isinstance(obs, dict):
        return {k: np.array(v, copy=True) for k, v in obs.items()}
    return np.array(obs, copy=True)


def true_next_observations(new_obs: Any, dones: np.ndarray, infos: list[dict[str, Any]]) -> Any:
    """``new_obs`` with ``infos[i]["terminal_observation"]`` substituted for every env ``i`` that is done.

    Returns ``new_obs`` itself when no episode ended, else a copy (a dict of arrays for Dict observations).

    Example:
        >>> true_next_observations(np.zeros((2, 1)), np.array([False, True]), [{}, {"terminal_observation": [7.0]}])
        array([[0.],
               [7.]])
    """
    if not np.any(dones):
        return new_obs
    is_dict = isinstance(new_obs, dict)
    out = copy_observations(new_obs)
    for i in np.flatnonzero(dones):
        terminal = infos[i].get("terminal_observation")
        if terminal is None:
            continue
        if is_dict:
            for k in out:
                out[k][i] = terminal[k]
        else:
            out[i] = terminal
    return out
