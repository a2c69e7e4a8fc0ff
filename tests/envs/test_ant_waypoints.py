"""Tests for :mod:`hrl_wrappers.envs.ant_waypoints` (``hrl_wrappers/AntWaypoints-v0``)."""

from __future__ import annotations

import doctest
import warnings
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("mujoco")

import hrl_wrappers.envs.ant_waypoints as ant_module
from hrl_wrappers.envs import ANT_WAYPOINTS, ANT_WAYPOINTS_ID, WaypointsWrapper, make_ant_waypoints
from hrl_wrappers.locomotion import locomotion_kwargs
from hrl_wrappers.scale_action import ScaleAction

ZERO = np.zeros(8, dtype=np.float32)


def move_to(env: gym.Env, x: float, y: float) -> None:
    """Put the torso at ``(x, y)`` (keeping the rest of the pose) at rest."""
    data: Any = env.unwrapped.data  # type: ignore[attr-defined]
    qpos = data.qpos.copy()
    qpos[:2] = (x, y)
    env.unwrapped.set_state(qpos, np.zeros_like(data.qvel))  # type: ignore[attr-defined]


def test_observation_layout() -> None:
    env = make_ant_waypoints()
    plain = gym.make("Ant-v5", **locomotion_kwargs("Ant-v5", terminate_when_unhealthy=False, contact_forces=False))
    assert plain.observation_space.shape == (29,)
    assert env.observation_space.shape == (31,)
    assert env.action_space == plain.action_space
    obs, info = env.reset(seed=5)
    plain_obs, _ = plain.reset(seed=5)
    assert obs.dtype == np.float32  # WaypointsWrapper's observation dtype; Ant's own is float64
    np.testing.assert_array_equal(obs[:29], plain_obs.astype(np.float32))
    np.testing.assert_array_equal(obs[29:], ANT_WAYPOINTS[0])
    np.testing.assert_array_equal(obs[:2], np.float32([info["x_position"], info["y_position"]]))
    assert info["waypoints_reached"] == 0


def test_actions_are_scaled() -> None:
    env = make_ant_waypoints()
    assert isinstance(env, WaypointsWrapper) and isinstance(env.env, ScaleAction)
    env.reset(seed=0)
    action = np.linspace(-1.0, 1.0, 8).astype(np.float32)
    env.step(action)
    np.testing.assert_allclose(env.unwrapped.data.ctrl, 0.2 * action, rtol=1e-6)  # type: ignore[attr-defined]
    half = make_ant_waypoints(action_scale=0.5)
    half.reset(seed=0)
    half.step(action)
    np.testing.assert_allclose(half.unwrapped.data.ctrl, 0.5 * action, rtol=1e-6)  # type: ignore[attr-defined]


def test_waypoints_in_order() -> None:
    env = make_ant_waypoints()
    env.reset(seed=0)
    move_to(env, *ANT_WAYPOINTS[1])  # the second waypoint first: nothing
    obs, reward, terminated, _, info = env.step(ZERO)
    assert (reward, terminated, info["waypoints_reached"]) == (0.0, False, 0)
    np.testing.assert_array_equal(obs[29:], ANT_WAYPOINTS[0])
    move_to(env, 3.3, 0.3)  # within 1 m of (4, 0)
    obs, reward, terminated, _, info = env.step(ZERO)
    assert (reward, terminated, info["waypoints_reached"]) == (1.0, False, 1)
    np.testing.assert_array_equal(obs[29:], ANT_WAYPOINTS[1])
    obs, reward, *_ = env.step(ZERO)  # staying there gives nothing more
    assert reward == 0.0
    for k, point in enumerate(ANT_WAYPOINTS[1:], start=2):
        move_to(env, *point)
        obs, reward, terminated, truncated, info = env.step(ZERO)
        assert (reward, info["waypoints_reached"]) == (1.0, k)
        assert terminated == (k == len(ANT_WAYPOINTS))
        assert not truncated
    _, info = env.reset(seed=1)
    assert info["waypoints_reached"] == 0


def test_radius() -> None:
    env = make_ant_waypoints(waypoints=[(2.0, 0.0)], radius=0.5)
    env.reset(seed=0)
    move_to(env, 1.2, 0.0)
    _, reward, terminated, _, _ = env.step(ZERO)
    assert (reward, terminated) == (0.0, False)
    move_to(env, 1.8, 0.0)
    _, reward, terminated, _, _ = env.step(ZERO)
    assert (reward, terminated) == (1.0, True)


def test_no_early_termination() -> None:
    env = make_ant_waypoints()
    env.reset(seed=0)
    data: Any = env.unwrapped.data  # type: ignore[attr-defined]
    qpos = data.qpos.copy()
    qpos[2] = 2.0  # torso height outside Ant's healthy range
    env.unwrapped.set_state(qpos, np.zeros_like(data.qvel))  # type: ignore[attr-defined]
    _, _, terminated, _, _ = env.step(ZERO)
    assert not terminated


def test_registered() -> None:
    env = gym.make(ANT_WAYPOINTS_ID)
    assert env.spec is not None and env.spec.max_episode_steps == 1000
    assert env.observation_space.shape == (31,)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from gymnasium.utils.env_checker import check_env

        check_env(env, skip_render_check=True)
        # a single waypoint makes the appended coordinates' bounds equal, which the env checker warns about
        other = gym.make(ANT_WAYPOINTS_ID, waypoints=[(1.0, 1.0)], radius=0.5, reset_noise_scale=0.0)
    obs, _ = other.reset(seed=0)
    np.testing.assert_array_equal(obs[:2], [0.0, 0.0])
    np.testing.assert_array_equal(obs[29:], [1.0, 1.0])


def test_bad_arguments() -> None:
    for scale in (0.0, -0.2, float("nan"), True):
        with pytest.raises(ValueError, match="action_scale must be a finite number > 0"):
            make_ant_waypoints(action_scale=scale)
    with pytest.raises(ValueError, match="radius must be a finite number > 0"):
        make_ant_waypoints(radius=0.0)
    with pytest.raises(ValueError, match="waypoints must be a non-empty sequence"):
        make_ant_waypoints(waypoints=[])


def test_position_keys_option() -> None:
    env = gym.make("Ant-v5")
    with pytest.raises(ValueError, match="position_key must be a string or a non-empty sequence of strings"):
        WaypointsWrapper(env, position_key=())
    wrapped = WaypointsWrapper(env, waypoints=[(5.0, 5.0)], position_key=("x_position", "missing"))
    wrapped.reset(seed=0)
    with pytest.raises(KeyError, match="no 'missing' entry"):
        wrapped.step(ZERO)


def test_docstring_examples() -> None:
    results = doctest.testmod(ant_module, verbose=False)
    assert results.attempted > 0
    assert results.failed == 0
