"""Small environments for skill discovery and hierarchical RL.

Importing this package registers the environments with Gymnasium:

* ``"hrl_wrappers/PointWorld-v0"`` (:data:`POINT_WORLD_ID`): :class:`PointWorldEnv`, a 2-D
  continuous point world, reward-free unless a goal is given; 100-step time limit.
* ``"hrl_wrappers/PointWaypoints-v0"`` (:data:`POINT_WAYPOINTS_ID`): the point world with a sparse task on top:
  visit 5 waypoints in order, +1 each (:class:`WaypointsWrapper`); 300-step time limit.
* ``"hrl_wrappers/FourRooms-v0"`` (:data:`FOUR_ROOMS_ID`): :class:`FourRoomsEnv`, the
  Sutton/Precup/Singh Four Rooms gridworld as used by Option-Critic; 1000-step time limit.
* ``"hrl_wrappers/CheetahHurdles-v0"`` (:data:`CHEETAH_HURDLES_ID`): HalfCheetah-v5 (torso x exposed, 18-D) on a
  track with 10 hurdles, +1 for each hurdle passed (:func:`make_cheetah_hurdles`, :class:`HurdlesWrapper`); the
  DIAYN paper's cheetah hurdle task; 1000-step time limit.
* ``"hrl_wrappers/AntWaypoints-v0"`` (:data:`ANT_WAYPOINTS_ID`): Ant-v5 (x, y exposed, no contact forces, no
  termination, actions times 0.2) visiting 5 waypoints in order, +1 each (:func:`make_ant_waypoints`); the DIAYN
  paper's ant navigation task; 1000-step time limit.

Example:
    >>> import gymnasium as gym
    >>> import hrl_wrappers.envs
    >>> env = gym.make(hrl_wrappers.envs.FOUR_ROOMS_ID)
    >>> env.spec.max_episode_steps
    1000
"""

from __future__ import annotations

import gymnasium

from hrl_wrappers.envs.ant_waypoints import ANT_WAYPOINTS, make_ant_waypoints
from hrl_wrappers.envs.cheetah_hurdles import HurdlesWrapper, make_cheetah_hurdles
from hrl_wrappers.envs.four_rooms import FourRoomsEnv
from hrl_wrappers.envs.point_world import PointWorldEnv
from hrl_wrappers.envs.waypoints import WaypointsWrapper, make_point_waypoints

__all__ = [
    "ANT_WAYPOINTS",
    "ANT_WAYPOINTS_ID",
    "CHEETAH_HURDLES_ID",
    "FOUR_ROOMS_ID",
    "POINT_WAYPOINTS_ID",
    "POINT_WORLD_ID",
    "FourRoomsEnv",
    "HurdlesWrapper",
    "PointWorldEnv",
    "WaypointsWrapper",
    "make_ant_waypoints",
    "make_cheetah_hurdles",
    "make_point_waypoints",
    "register_envs",
]

POINT_WORLD_ID = "hrl_wrappers/PointWorld-v0"
FOUR_ROOMS_ID = "hrl_wrappers/FourRooms-v0"
POINT_WAYPOINTS_ID = "hrl_wrappers/PointWaypoints-v0"
CHEETAH_HURDLES_ID = "hrl_wrappers/CheetahHurdles-v0"
ANT_WAYPOINTS_ID = "hrl_wrappers/AntWaypoints-v0"


#: each built-in environment: its id, entry point and time limit.
_ENVS: tuple[tuple[str, str, int], ...] = (
    (POINT_WORLD_ID, "hrl_wrappers.envs.point_world:PointWorldEnv", 100),
    (POINT_WAYPOINTS_ID, "hrl_wrappers.envs.waypoints:make_point_waypoints", 300),
    (FOUR_ROOMS_ID, "hrl_wrappers.envs.four_rooms:FourRoomsEnv", 1000),
    (CHEETAH_HURDLES_ID, "hrl_wrappers.envs.cheetah_hurdles:make_cheetah_hurdles", 1000),
    (ANT_WAYPOINTS_ID, "hrl_wrappers.envs.ant_waypoints:make_ant_waypoints", 1000),
)


def register_envs() -> None:
    """Register the environments with Gymnasium (idempotent; called on import)."""
    for env_id, entry_point, max_episode_steps in _ENVS:
        if env_id not in gymnasium.envs.registry:
            gymnasium.register(id=env_id, entry_point=entry_point, max_episode_steps=max_episode_steps)


register_envs()
