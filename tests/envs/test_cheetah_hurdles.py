"""Tests for :mod:`hrl_wrappers.envs.cheetah_hurdles` (``hrl_wrappers/CheetahHurdles-v0``)."""

from __future__ import annotations

import doctest
import pathlib
import warnings
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

pytest.importorskip("mujoco")

import hrl_wrappers.envs.cheetah_hurdles as hurdles_module
from hrl_wrappers.envs import CHEETAH_HURDLES_ID, HurdlesWrapper, make_cheetah_hurdles
from hrl_wrappers.envs.cheetah_hurdles import hurdle_positions, hurdles_xml_file
from hrl_wrappers.locomotion import locomotion_kwargs

ZERO = np.zeros(6, dtype=np.float32)


def move_to(env: gym.Env, x: float, vx: float = 0.0) -> None:
    """Put the torso at ``x`` (keeping the rest of the state) with forward velocity ``vx``."""
    data: Any = env.unwrapped.data  # type: ignore[attr-defined]
    qpos, qvel = data.qpos.copy(), data.qvel.copy()
    qpos[0] = x
    qvel[:] = 0.0
    qvel[0] = vx
    env.unwrapped.set_state(qpos, qvel)  # type: ignore[attr-defined]


def test_spaces_and_observation_match_plain_half_cheetah() -> None:
    env = make_cheetah_hurdles()
    plain = gym.make("HalfCheetah-v5", **locomotion_kwargs("HalfCheetah-v5"))
    assert env.observation_space.shape == (18,)
    assert env.observation_space == plain.observation_space
    assert env.action_space == plain.action_space
    obs, info = env.reset(seed=3)
    plain_obs, _ = plain.reset(seed=3)
    np.testing.assert_array_equal(obs, plain_obs)
    assert info["hurdles_passed"] == 0
    assert obs[0] == info["x_position"]


def test_hurdle_geoms() -> None:
    plain = gym.make("HalfCheetah-v5").unwrapped
    env = make_cheetah_hurdles(n_hurdles=4, first=1.5, spacing=2.0, height=0.3)
    model: Any = env.unwrapped.model  # type: ignore[attr-defined]
    assert model.ngeom == plain.model.ngeom + 4  # type: ignore[attr-defined]
    for i, x in enumerate([1.5, 3.5, 5.5, 7.5]):
        geom = model.geom(f"hurdle{i}")
        np.testing.assert_allclose(geom.pos, [x, 0.0, 0.15])
        np.testing.assert_allclose(geom.size, [0.05, 1.0, 0.15])
        assert (int(geom.contype[0]), int(geom.conaffinity[0])) == (1, 1)
    with pytest.raises(KeyError):
        model.geom("hurdle4")
    np.testing.assert_array_equal(env.hurdle_x, [1.5, 3.5, 5.5, 7.5])  # type: ignore[attr-defined]


def test_xml_file_cached_outside_the_package() -> None:
    path = pathlib.Path(hurdles_xml_file(3, 2.0, 3.0, 0.12))
    assert path.exists()
    assert hurdles_xml_file(3, 2.0, 3.0, 0.12) == str(path)
    assert hurdles_xml_file(3, 2.0, 3.0, 0.2) != str(path)
    package = pathlib.Path(hurdles_module.__file__).parent
    assert package not in path.parents


def test_reward_once_per_hurdle_and_termination() -> None:
    env = make_cheetah_hurdles(n_hurdles=3, first=2.0, spacing=3.0, clear=0.5)  # hurdles at 2, 5, 8
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step(ZERO)
    assert (reward, terminated, info["hurdles_passed"]) == (0.0, False, 0)
    assert "dense_reward" in info
    move_to(env, 2.4)  # beyond the hurdle but not by the 0.5 m margin
    _, reward, terminated, _, info = env.step(ZERO)
    assert info["x_position"] < 2.5
    assert (reward, terminated, info["hurdles_passed"]) == (0.0, False, 0)
    move_to(env, 2.7)
    _, reward, terminated, _, info = env.step(ZERO)
    assert (reward, terminated, info["hurdles_passed"]) == (1.0, False, 1)
    _, reward, _, _, info = env.step(ZERO)  # still past it: no second reward
    assert (reward, info["hurdles_passed"]) == (0.0, 1)
    move_to(env, 0.0)  # back before it, then past it again: nothing
    _, reward, _, _, info = env.step(ZERO)
    assert (reward, info["hurdles_passed"]) == (0.0, 1)
    move_to(env, 3.0)
    _, reward, _, _, info = env.step(ZERO)
    assert (reward, info["hurdles_passed"]) == (0.0, 1)
    move_to(env, 5.7)
    _, reward, terminated, _, info = env.step(ZERO)
    assert (reward, terminated, info["hurdles_passed"]) == (1.0, False, 2)
    move_to(env, 8.7)
    _, reward, terminated, truncated, info = env.step(ZERO)
    assert (reward, terminated, truncated, info["hurdles_passed"]) == (1.0, True, False, 3)
    _, info = env.reset(seed=1)
    assert info["hurdles_passed"] == 0
    assert env.hurdles_passed == 0  # type: ignore[attr-defined]


def test_two_hurdles_in_one_step_give_two() -> None:
    env = make_cheetah_hurdles(n_hurdles=3, first=2.0, spacing=3.0)
    env.reset(seed=0)
    move_to(env, 6.0)
    _, reward, terminated, _, info = env.step(ZERO)
    assert (reward, terminated, info["hurdles_passed"]) == (2.0, False, 2)


def test_cheetah_collides_with_a_hurdle() -> None:
    env = make_cheetah_hurdles(n_hurdles=1, first=1.2, height=1.0)
    env.reset(seed=0)
    hurdle = env.unwrapped.model.geom("hurdle0").id  # type: ignore[attr-defined]
    data: Any = env.unwrapped.data  # type: ignore[attr-defined]
    move_to(env, 0.0, vx=10.0)  # unobstructed, 10 m/s would carry it 4 m in the 0.4 s below
    touched = False
    for _ in range(8):
        _, reward, _, _, info = env.step(ZERO)
        assert reward == 0.0
        touched |= any(hurdle in (c.geom1, c.geom2) for c in data.contact[: data.ncon])
    assert touched
    assert info["x_position"] < 1.2


def test_registered() -> None:
    env = gym.make(CHEETAH_HURDLES_ID)
    assert env.spec is not None and env.spec.max_episode_steps == 1000
    assert env.observation_space.shape == (18,)
    np.testing.assert_array_equal(env.unwrapped.model.geom("hurdle9").pos, [29.0, 0.0, 0.06])  # type: ignore[attr-defined]
    with pytest.raises(KeyError):
        env.unwrapped.model.geom("hurdle10")  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from gymnasium.utils.env_checker import check_env

        check_env(env, skip_render_check=True)
    small = gym.make(CHEETAH_HURDLES_ID, n_hurdles=2, reset_noise_scale=0.0)
    obs, _ = small.reset(seed=0)
    assert obs[0] == 0.0
    assert small.unwrapped.model.ngeom == gym.make("HalfCheetah-v5").unwrapped.model.ngeom + 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_hurdles": 0}, "n_hurdles must be an integer >= 1"),
        ({"n_hurdles": 2.5}, "n_hurdles must be an integer >= 1"),
        ({"first": 0.0}, "first must be a finite number > 0"),
        ({"spacing": -1.0}, "spacing must be a finite number > 0"),
        ({"spacing": float("inf")}, "spacing must be a finite number > 0"),
        ({"height": float("nan")}, "height must be a finite number > 0"),
        ({"height": 0}, "height must be a finite number > 0"),
        ({"clear": -0.1}, "clear must be a finite number >= 0"),
        ({"xml_file": "half_cheetah.xml"}, "xml_file is set by make_cheetah_hurdles"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_cheetah_hurdles(**kwargs)


def test_wrapper_bad_arguments() -> None:
    env = gym.make("HalfCheetah-v5")
    with pytest.raises(ValueError, match="hurdle_x must be a non-empty sequence"):
        HurdlesWrapper(env, [])
    with pytest.raises(ValueError, match="hurdle_x must be a non-empty sequence"):
        HurdlesWrapper(env, [1.0, np.nan])
    with pytest.raises(ValueError, match="clear must be a finite number >= 0"):
        HurdlesWrapper(env, [1.0], clear=float("inf"))


def test_hurdle_positions() -> None:
    assert hurdle_positions() == tuple(2.0 + 3.0 * i for i in range(10))


def test_docstring_examples() -> None:
    results = doctest.testmod(hurdles_module, verbose=False)
    assert results.attempted > 0
    assert results.failed == 0
