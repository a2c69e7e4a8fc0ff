"""Sparse waypoint tasks: visit a fixed sequence of points in order, +1 for each (the DIAYN paper's ant navigation task).

:class:`WaypointsWrapper` turns any environment that reports its position in ``info`` (the point world does) into the
task; :func:`make_point_waypoints` builds it on the point world and is registered as ``hrl_wrappers/PointWaypoints-v0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from hrl_wrappers.envs.point_world import PointWorldEnv

__all__ = ["DEFAULT_WAYPOINTS", "WaypointsWrapper", "make_point_waypoints"]

#: Five waypoints on the point world, visited in this order from the origin: a square of side 10 and back to its
#: first corner.
DEFAULT_WAYPOINTS: tuple[tuple[float, float], ...] = ((5.0, 5.0), (5.0, -5.0), (-5.0, -5.0), (-5.0, 5.0), (5.0, 5.0))


class WaypointsWrapper(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Visit ``waypoints`` in order: reward 1 when the position comes within ``radius`` of the current one, else 0.

    * **Observation**: the environment's (1-D Box) observation followed by the current waypoint's coordinates, so the
      task is Markov; the environment's part comes first (a skill trained on it reads ``obs[:d]``).
    * **Termination**: when the last waypoint is reached (or when the environment terminates).
    * **Info**: ``"waypoints_reached"`` (count so far) besides the environment's own entries.

    :param env: an environment with a 1-D Box observation that puts its position in ``info[position_key]``.
    :param waypoints: the points to visit, in order (at least one).
    :param radius: distance at which a waypoint counts as reached (> 0).
    :param position_key: the ``info`` entry holding the position, or a sequence of entries holding one coordinate
        each (e.g. ``("x_position", "y_position")`` for Gymnasium's MuJoCo robots).

    Example:
        >>> import numpy as np
        >>> env = WaypointsWrapper(PointWorldEnv(max_step=1.0), waypoints=[(1.0, 0.0), (1.0, 1.0)], radius=0.2)
        >>> obs, info = env.reset(seed=0)
        >>> obs[2:].tolist()
        [1.0, 0.0]
        >>> obs, reward, terminated, truncated, info = env.step(np.array([1.0, 0.0]))
        >>> reward, info["waypoints_reached"], obs[2:].tolist()
        (1.0, 1, [1.0, 1.0])
    """

    def __init__(
        self,
        env: gym.Env,
        waypoints: Sequence[Sequence[float]] = DEFAULT_WAYPOINTS,
        radius: float = 1.0,
        position_key: str | Sequence[str] = "position",
    ) -> None:
        gym.utils.RecordConstructorArgs.__init__(self, waypoints=waypoints, radius=radius, position_key=position_key)
        gym.Wrapper.__init__(self, env)
        points = np.asarray(waypoints, dtype=np.float64)
        if points.ndim != 2 or len(points) < 1 or not np.all(np.isfinite(points)):
            raise ValueError(f"waypoints must be a non-empty sequence of finite points of equal length, got {waypoints!r}")
        if not (isinstance(radius, float | int) and np.isfinite(radius) and radius > 0):
            raise ValueError(f"radius must be a finite number > 0, got {radius!r}")
        space = env.observation_space
        if not isinstance(space, spaces.Box) or len(space.shape) != 1:
            raise ValueError(f"env must have a 1-D Box observation space, got {space}")
        self.waypoints = points
        self.radius = float(radius)
        if not isinstance(position_key, str):
            position_key = tuple(position_key)
            if not position_key or not all(isinstance(key, str) for key in position_key):
                raise ValueError(f"position_key must be a string or a non-empty sequence of strings, got {position_key!r}")
        self.position_key: str | tuple[str, ...] = position_key
        lo, hi = points.min(axis=0), points.max(axis=0)
        self.observation_space = spaces.Box(
            np.concatenate([space.low, lo]).astype(np.float32), np.concatenate([space.high, hi]).astype(np.float32)
        )
        self._next = 0

    @property
    def waypoints_reached(self) -> int:
        """Waypoints reached so far in this episode."""
        return self._next

    def _obs(self, obs: Any) -> np.ndarray:
        target = self.waypoints[min(self._next, len(self.waypoints) - 1)]
        return np.concatenate([np.asarray(obs, dtype=np.float32), target.astype(np.float32)])

    def _position(self, info: dict[str, Any]) -> np.ndarray:
        keys = (self.position_key,) if isinstance(self.position_key, str) else self.position_key
        for key in keys:
            if key not in info:
                raise KeyError(f"the environment's info has no {key!r} entry (position_key)")
        if isinstance(self.position_key, str):
            return np.asarray(info[self.position_key], dtype=np.float64)
        return np.array([float(info[key]) for key in keys], dtype=np.float64)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(seed=seed, options=options)
        self._next = 0
        info = dict(info)
        info["waypoints_reached"] = 0
        return self._obs(obs), info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, _, terminated, truncated, info = self.env.step(action)
        reward = 0.0
        if self._next < len(self.waypoints):
            if np.linalg.norm(self._position(info) - self.waypoints[self._next]) <= self.radius:
                reward = 1.0
                self._next += 1
        info = dict(info)
        info["waypoints_reached"] = self._next
        terminated = bool(terminated) or self._next >= len(self.waypoints)
        return self._obs(obs), reward, terminated, truncated, info


def make_point_waypoints(
    waypoints: Sequence[Sequence[float]] = DEFAULT_WAYPOINTS, radius: float = 1.0, **point_world_kwargs: Any
) -> gym.Env:
    """The point world (reward-free, no goal) with the sparse waypoint task on top (``hrl_wrappers/PointWaypoints-v0``).

    :param waypoints: the points to visit in order.
    :param radius: reaching distance.
    :param point_world_kwargs: :class:`PointWorldEnv` arguments (``size``, ``max_step``, ...).
    """
    return WaypointsWrapper(PointWorldEnv(**point_world_kwargs), waypoints, radius)
