"""The locomotion adapter: positions Gymnasium hides, exposed for the reward model; early termination switched off."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("mujoco")

from hrl_wrappers.locomotion import ExposePositionWrapper, locomotion_kwargs, make_locomotion_env, position_features


def test_kwargs_expose_x_at_index_zero() -> None:
    env = make_locomotion_env("HalfCheetah-v5", max_episode_steps=7)
    hidden = gym.make("HalfCheetah-v5")
    obs, info = env.reset(seed=3)
    hidden_obs, _ = hidden.reset(seed=3)
    assert obs.shape == (hidden_obs.shape[0] + 1,)
    np.testing.assert_allclose(obs[1:], hidden_obs)
    assert obs[position_features("HalfCheetah-v5", "x")][0] == pytest.approx(env.unwrapped.data.qpos[0])
    for _ in range(7):
        obs, _, terminated, truncated, info = env.step(env.action_space.sample())
        assert obs[0] == pytest.approx(info["x_position"])
    assert truncated and not terminated


def test_ant_xy_no_contact_forces_no_termination() -> None:
    kwargs = locomotion_kwargs("Ant-v5", terminate_when_unhealthy=False, contact_forces=False)
    env = gym.make("Ant-v5", **kwargs)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (29,)  # qpos (15, x-y included) + qvel (14), no contact forces
    np.testing.assert_allclose(obs[position_features("Ant-v5")], env.unwrapped.data.qpos[:2])
    assert env.unwrapped._terminate_when_unhealthy is False


def test_wrapper_matches_kwargs_and_can_ignore_termination() -> None:
    wrapped = ExposePositionWrapper(gym.make("Ant-v5", include_cfrc_ext_in_observation=False), ignore_termination=True)
    exposed = gym.make("Ant-v5", **locomotion_kwargs("Ant-v5", contact_forces=False))
    a, _ = wrapped.reset(seed=1)
    b, _ = exposed.reset(seed=1)
    assert a.shape == b.shape == wrapped.observation_space.shape
    np.testing.assert_allclose(a[:2], b[:2])
    # lift the torso above the healthy height range: the env ends the episode, the wrapper reports terminated=False
    exposed.unwrapped.data.qpos[2] = 1.5
    assert exposed.step(np.zeros(8))[2] is True
    wrapped.unwrapped.data.qpos[2] = 1.5
    _, _, terminated, _, _ = wrapped.step(np.zeros(8))
    assert terminated is False
    assert wrapped.spec is not None and wrapped.spec.additional_wrappers[-1].kwargs["ignore_termination"] is True


def test_bad_arguments_name_themselves() -> None:
    with pytest.raises(ValueError, match="env_id"):
        position_features("CartPole-v1")
    with pytest.raises(ValueError, match="which"):
        position_features("Ant-v5", "z")
    with pytest.raises(ValueError, match="terminate_when_unhealthy"):
        locomotion_kwargs("HalfCheetah-v5", terminate_when_unhealthy=False)
    with pytest.raises(ValueError, match="contact_forces"):
        locomotion_kwargs("Humanoid-v5", contact_forces=False)
    with pytest.raises(ValueError, match="MuJoCo"):
        ExposePositionWrapper(gym.make("CartPole-v1"))
