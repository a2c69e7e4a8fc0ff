"""The sparse waypoint task (WaypointsWrapper, hrl_wrappers/PointWaypoints-v0)."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from hrl_wrappers.envs import POINT_WAYPOINTS_ID, PointWorldEnv, WaypointsWrapper
from hrl_wrappers.envs.waypoints import DEFAULT_WAYPOINTS

EAST, NORTH, WEST = np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([-1.0, 0.0])


def make(**kwargs: object) -> WaypointsWrapper:
    return WaypointsWrapper(PointWorldEnv(max_step=1.0, start_noise=0.0), **kwargs)  # type: ignore[arg-type]


def test_waypoints_are_rewarded_once_each_in_order() -> None:
    env = make(waypoints=[(2.0, 0.0), (2.0, 2.0)], radius=0.1)
    obs, info = env.reset(seed=0)
    assert obs.tolist() == [0.0, 0.0, 2.0, 0.0] and info["waypoints_reached"] == 0
    rewards = []
    # passing through (2, 2) before (2, 0) earns nothing: the order matters
    for action in (NORTH, NORTH, EAST, EAST, WEST, WEST):
        obs, reward, terminated, _, info = env.step(action)
        rewards.append(reward)
        assert not terminated
    assert rewards == [0.0] * 6 and info["waypoints_reached"] == 0
    for action, expected in ((np.array([0.0, -1.0]), 0.0), (np.array([0.0, -1.0]), 0.0), (EAST, 0.0), (EAST, 1.0)):
        obs, reward, terminated, _, info = env.step(action)
        assert reward == expected
    assert info["waypoints_reached"] == 1 and obs[2:].tolist() == [2.0, 2.0] and not terminated
    _, reward, terminated, _, info = env.step(NORTH)
    assert reward == 0.0 and not terminated
    _, reward, terminated, truncated, info = env.step(NORTH)  # the last waypoint ends the episode
    assert (reward, terminated, truncated, info["waypoints_reached"]) == (1.0, True, False, 2)


def test_registered_task() -> None:
    env = gym.make(POINT_WAYPOINTS_ID)
    assert env.spec is not None and env.spec.max_episode_steps == 300
    assert env.observation_space.shape == (4,)
    obs, _ = env.reset(seed=0)
    np.testing.assert_array_equal(obs[2:], DEFAULT_WAYPOINTS[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_env(env.unwrapped)
        check_env(env)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="waypoints must be a non-empty sequence"):
        make(waypoints=[])
    with pytest.raises(ValueError, match="waypoints must be a non-empty sequence"):
        make(waypoints=[(0.0, np.nan)])
    with pytest.raises(ValueError, match="radius must be a finite number > 0"):
        make(radius=0.0)
    with pytest.raises(ValueError, match="env must have a 1-D Box observation space"):
        WaypointsWrapper(gym.make("hrl_wrappers/FourRooms-v0"))
    env = make(position_key="where")
    env.reset(seed=0)
    with pytest.raises(KeyError, match="no 'where' entry"):
        env.step(EAST)
