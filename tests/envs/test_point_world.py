"""Tests for :mod:`hrl_wrappers.envs.point_world`."""

from __future__ import annotations

import doctest
import math
import warnings

import gymnasium as gym
import numpy as np
import pytest

import hrl_wrappers.envs.point_world as point_world_module
from hrl_wrappers.envs import POINT_WORLD_ID, PointWorldEnv


def act(x: float, y: float) -> np.ndarray:
    return np.array([x, y], dtype=np.float32)


def test_spaces() -> None:
    env = PointWorldEnv()
    assert env.observation_space == gym.spaces.Box(-10.0, 10.0, (2,), np.float32)
    assert env.action_space == gym.spaces.Box(-1.0, 1.0, (2,), np.float32)
    obs, info = env.reset(seed=0)
    assert obs.dtype == np.float32
    assert env.observation_space.contains(obs)
    assert np.all(np.abs(obs) <= 0.1 + 1e-7)
    np.testing.assert_allclose(info["position"], obs, atol=1e-6)
    assert "distance" not in info


def test_action_scaling_and_clipping() -> None:
    env = PointWorldEnv(start_noise=0.0)
    obs, _ = env.reset(seed=0)
    np.testing.assert_array_equal(obs, [0.0, 0.0])
    obs, reward, terminated, truncated, _ = env.step(act(0.5, -1.0))
    np.testing.assert_allclose(obs, [0.25, -0.5], atol=1e-6)
    assert (reward, terminated, truncated) == (0.0, False, False)
    obs, *_ = env.step(act(5.0, -3.0))  # clipped to (1, -1) before scaling
    np.testing.assert_allclose(obs, [0.75, -1.0], atol=1e-6)
    env2 = PointWorldEnv(start_noise=0.0, max_step=2.0)
    env2.reset(seed=0)
    obs, *_ = env2.step(act(0.25, 1.0))
    np.testing.assert_allclose(obs, [0.5, 2.0], atol=1e-6)


def test_position_is_clipped_at_the_wall() -> None:
    env = PointWorldEnv(size=1.0, max_step=0.4, start_noise=0.0)
    env.reset(seed=0)
    for _ in range(5):
        obs, *_ = env.step(act(1.0, -1.0))
    np.testing.assert_array_equal(obs, np.array([1.0, -1.0], dtype=np.float32))
    assert env.observation_space.contains(obs)
    obs, *_ = env.step(act(-0.5, 0.0))
    np.testing.assert_allclose(obs, [0.8, -1.0], atol=1e-6)


def test_dense_goal_reward() -> None:
    env = PointWorldEnv(start_noise=0.0, goal=(3.0, 4.0))
    _, info = env.reset(seed=0)
    assert info["distance"] == pytest.approx(5.0)
    _, reward, terminated, _, info = env.step(act(1.0, 0.0))  # -> (0.5, 0)
    expected = math.hypot(3.0 - 0.5, 4.0)
    assert reward == pytest.approx(-expected)
    assert info["distance"] == pytest.approx(expected)
    assert not terminated


def test_sparse_goal_reward_and_termination() -> None:
    env = PointWorldEnv(start_noise=0.0, goal=(1.0, 0.0), goal_radius=0.3, reward_type="sparse")
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step(act(1.0, 0.0))  # -> (0.5, 0), distance 0.5
    assert (reward, terminated) == (0.0, False)
    assert info["distance"] == pytest.approx(0.5)
    _, reward, terminated, _, info = env.step(act(1.0, 0.0))  # -> (1.0, 0), at the goal
    assert (reward, terminated) == (1.0, False)  # terminate_at_goal defaults to False
    assert info["distance"] == pytest.approx(0.0)

    env_t = PointWorldEnv(start_noise=0.0, goal=(1.0, 0.0), reward_type="sparse", terminate_at_goal=True)
    env_t.reset(seed=0)
    assert env_t.step(act(1.0, 0.0))[1:3] == (1.0, True)  # distance 0.5 <= goal_radius 0.5


def test_goal_option_is_per_episode() -> None:
    env = PointWorldEnv(start_noise=0.0)
    _, info = env.reset(seed=0, options={"goal": (0.0, -2.0)})
    assert info["distance"] == pytest.approx(2.0)
    _, reward, *_ = env.step(act(0.0, -1.0))
    assert reward == pytest.approx(-1.5)
    _, info = env.reset()
    assert "distance" not in info
    assert env.step(act(0.0, -1.0))[1] == 0.0
    env_g = PointWorldEnv(start_noise=0.0, goal=(1.0, 1.0))
    _, info = env_g.reset(options={"goal": None})
    assert "distance" not in info and env_g.goal is None


@pytest.mark.parametrize("bad", [(1.0,), (1.0, 2.0, 3.0), (float("nan"), 0.0), (0.0, float("inf")), (11.0, 0.0), "ab", 3.0])
def test_invalid_goal_option(bad: object) -> None:
    env = PointWorldEnv()
    with pytest.raises(ValueError, match=r"options\['goal'\].*length-2"):
        env.reset(options={"goal": bad})


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"size": 0.0}, "size"),
        ({"size": -1.0}, "size"),
        ({"max_step": 0.0}, "max_step"),
        ({"max_step": float("nan")}, "max_step"),
        ({"reward_type": "shaped"}, "reward_type"),
        ({"goal_radius": 0.0}, "goal_radius"),
        ({"start_noise": -0.1}, "start_noise"),
        ({"goal": (20.0, 0.0)}, "goal"),
        ({"render_mode": "human"}, "render_mode"),
    ],
)
def test_invalid_constructor_args(kwargs: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        PointWorldEnv(**kwargs)  # type: ignore[arg-type]


def test_invalid_action_raises() -> None:
    env = PointWorldEnv()
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="action"):
        env.step(np.zeros(3))


def test_seeding_reproducibility() -> None:
    def rollout(seed: int) -> np.ndarray:
        env = PointWorldEnv()
        env.action_space.seed(seed)
        obs, _ = env.reset(seed=seed)
        traj = [obs]
        for _ in range(10):
            traj.append(env.step(env.action_space.sample())[0])
        return np.stack(traj)

    np.testing.assert_array_equal(rollout(3), rollout(3))
    assert not np.array_equal(rollout(3), rollout(4))


def test_render_rgb_array() -> None:
    env = PointWorldEnv(goal=(5.0, 5.0), render_mode="rgb_array")
    env.reset(seed=0)
    for _ in range(20):
        env.step(act(1.0, 0.5))
    img = env.render()
    assert isinstance(img, np.ndarray)
    assert img.dtype == np.uint8
    assert img.ndim == 3 and img.shape[2] == 3
    assert img.shape == (128, 128, 3)
    # Agent (reddish) at its pixel; goal (greenish) at its pixel.
    r, c = env._to_pixel(*env.position.tolist())
    agent_px = img[round(r), round(c)]
    assert agent_px[0] > agent_px[1] + 50
    gr, gc = env._to_pixel(5.0, 5.0)
    goal_px = img[round(gr), round(gc)]
    assert goal_px[1] > goal_px[0] + 50
    assert PointWorldEnv().render() is None


def test_gymnasium_env_checker() -> None:
    from gymnasium.utils.env_checker import check_env

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_env(PointWorldEnv().unwrapped)
        check_env(PointWorldEnv(goal=(2.0, 2.0), reward_type="sparse", terminate_at_goal=True).unwrapped)
        check_env(PointWorldEnv(render_mode="rgb_array").unwrapped)


def test_sb3_env_checker() -> None:
    pytest.importorskip("stable_baselines3")
    from stable_baselines3.common.env_checker import check_env

    check_env(PointWorldEnv(), warn=True)
    check_env(PointWorldEnv(goal=(1.0, -1.0)), warn=True)


def test_gym_make() -> None:
    env = gym.make(POINT_WORLD_ID)
    assert env.spec is not None
    assert env.spec.max_episode_steps == 100
    assert isinstance(env.unwrapped, PointWorldEnv)
    env.reset(seed=0)
    truncated = False
    steps = 0
    while not truncated:
        _, reward, terminated, truncated, _ = env.step(env.action_space.sample())
        assert reward == 0.0 and not terminated
        steps += 1
    assert steps == 100
    env_goal = gym.make(POINT_WORLD_ID, goal=(2.0, 0.0), reward_type="sparse")
    assert env_goal.unwrapped.goal == (2.0, 0.0)  # type: ignore[attr-defined]


def test_docstring_examples() -> None:
    results = doctest.testmod(point_world_module, verbose=False)
    assert results.attempted > 0
    assert results.failed == 0
