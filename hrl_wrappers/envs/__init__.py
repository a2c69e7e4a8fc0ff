"""Small environments for skill discovery and hierarchical RL.

Importing this package registers the environments with Gymnasium:

* ``"hrl_wrappers/PointWorld-v0"`` (:data:`POINT_WORLD_ID`): :class:`PointWorldEnv`, a 2-D
  continuous point world, reward-free unless a goal is given; 100-step time limit.
* ``"hrl_wrappers/PointWaypoints-v0"`` (:data:`POINT_WAYPOINTS_ID`): the point world with a sparse task on top:
  visit 5 waypoints in order, +1 each (:class:`WaypointsWrapper`); 300-step time limit.
* ``"hrl_wrappers/FourRooms-v0"`` (:data:`FOUR_ROOMS_ID`): :class:`FourRoomsEnv`, the
  Sutton/Precup/Singh Four Rooms gridworld as used by Option-Critic; 1000-step time limit.

Example:
    >>> import gymnasium as gym
    >>> import hrl_wrappers.envs
    >>> env = gym.make(hrl_wrappers.envs.FOUR_ROOMS_ID)
    >>> env.spec.max_episode_steps
    1000
"""

from __future__ import annotations

import gymnasium

from hrl_wrappers.envs.four_rooms import FourRoomsEnv
from hrl_wrappers.envs.point_world import PointWorldEnv
from hrl_wrappers.envs.waypoints import WaypointsWrapper, make_point_waypoints

__all__ = [
    "FOUR_ROOMS_ID",
    "POINT_WAYPOINTS_ID",
    "POINT_WORLD_ID",
    "FourRoomsEnv",
    "PointWorldEnv",
    "WaypointsWrapper",
    "make_point_waypoints",
    "register_envs",
]

POINT_WORLD_ID = "hrl_wrappers/PointWorld-v0"
FOUR_ROOMS_ID = "hrl_wrappers/FourRooms-v0"
POINT_WAYPOINTS_ID = "hrl_wrappers/PointWaypoints-v0"


def register_envs() -> None:
    """Register the environments with Gymnasium (idempotent; called on import)."""
    if POINT_WORLD_ID not in gymnasium.envs.registry:
        gymnasium.register(
            id=POINT_WORLD_ID,
            entry_point="hrl_wrappers.envs.point_world:PointWorldEnv",
            max_episode_steps=100,
        )
    if POINT_WAYPOINTS_ID not in gymnasium.envs.registry:
        gymnasium.register(
            id=POINT_WAYPOINTS_ID,
            entry_point="hrl_wrappers.envs.waypoints:make_point_waypoints",
            max_episode_steps=300,
        )
    if FOUR_ROOMS_ID not in gymnasium.envs.registry:
        gymnasium.register(
            id=FOUR_ROOMS_ID,
            entry_point="hrl_wrappers.envs.four_rooms:FourRoomsEnv",
            max_episode_steps=1000,
        )


register_envs()
