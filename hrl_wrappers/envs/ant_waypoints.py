"""Ant waypoints: Gymnasium's Ant visits five waypoints in order, +1 for each (the DIAYN paper's ant navigation
hierarchy task, Eysenbach et al. 2019, Sec 4.2.2).

:func:`make_ant_waypoints` builds it and is registered as ``hrl_wrappers/AntWaypoints-v0``: Ant-v5 with its x, y
exposed, no contact forces and no early termination (a 29-D observation, exactly what
:func:`hrl_wrappers.locomotion.locomotion_kwargs` gives for ``"Ant-v5"`` with ``terminate_when_unhealthy=False,
contact_forces=False``), its actions scaled by 0.2 (:class:`~hrl_wrappers.scale_action.ScaleAction`, the weaker
"gear 30" ant of the DIAYN and HIRO papers), and :class:`~hrl_wrappers.envs.waypoints.WaypointsWrapper` on top, which
appends the current waypoint: a skill trained on the 29-D ant reads ``obs[:29]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import gymnasium as gym

from hrl_wrappers.envs.waypoints import WaypointsWrapper
from hrl_wrappers.locomotion import locomotion_kwargs
from hrl_wrappers.scale_action import ScaleAction

__all__ = ["ANT_WAYPOINTS", "make_ant_waypoints"]

#: Five distinct waypoints (m) visited in this order from the ant's start at the origin: 4 m east, north, west, west
#: again and south, so that reaching them all needs travel in every direction.
ANT_WAYPOINTS: tuple[tuple[float, float], ...] = ((4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (-4.0, 4.0), (-4.0, 0.0))


def make_ant_waypoints(
    waypoints: Sequence[Sequence[float]] = ANT_WAYPOINTS,
    radius: float = 1.0,
    action_scale: float = 0.2,
    **ant_kwargs: Any,
) -> gym.Env:
    """Ant-v5 (x, y exposed, no contact forces, no termination, actions times ``action_scale``) with the sparse waypoint
    task on top (``hrl_wrappers/AntWaypoints-v0``).

    The position checked against the waypoints is the torso's ``(info["x_position"], info["y_position"])``. The
    default ``radius`` of 1 m is wider than the DIAYN paper's 0.5 m, which was measured with that paper's own ant.

    :param waypoints: the (x, y) points to visit in order.
    :param radius: reaching distance (m, > 0).
    :param action_scale: factor applied to every action before the ant receives it (> 0).
    :param ant_kwargs: further ``AntEnv`` arguments (``render_mode``, ``reset_noise_scale``, ...); they override the
        defaults above.

    Example:
        >>> env = make_ant_waypoints()
        >>> obs, info = env.reset(seed=0)
        >>> obs.shape, obs[29:].tolist(), info["waypoints_reached"]
        ((31,), [4.0, 0.0], 0)
    """
    scale_ok = isinstance(action_scale, float | int) and not isinstance(action_scale, bool)
    if not (scale_ok and math.isfinite(action_scale) and action_scale > 0):
        raise ValueError(f"action_scale must be a finite number > 0, got {action_scale!r}")
    from gymnasium.envs.mujoco.ant_v5 import AntEnv  # needs the mujoco extra; imported here, not on registering

    kwargs = {**locomotion_kwargs("Ant-v5", terminate_when_unhealthy=False, contact_forces=False), **ant_kwargs}
    env = ScaleAction(AntEnv(**kwargs), action_scale)
    return WaypointsWrapper(env, waypoints, radius, position_key=("x_position", "y_position"))
