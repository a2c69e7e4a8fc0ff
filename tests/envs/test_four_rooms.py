"""Tests for :mod:`hrl_wrappers.envs.four_rooms`."""

from __future__ import annotations

import doctest
import math
import warnings

import gymnasium as gym
import numpy as np
import pytest

import hrl_wrappers.envs
import hrl_wrappers.envs.four_rooms as four_rooms_module
from hrl_wrappers.envs import FOUR_ROOMS_ID, FourRoomsEnv

UP, DOWN, LEFT, RIGHT = 0, 1, 2, 3


def make_env(**kwargs: object) -> FourRoomsEnv:
    return FourRoomsEnv(**kwargs)  # type: ignore[arg-type]


def test_layout_has_104_free_cells() -> None:
    lines = FourRoomsEnv.layout.splitlines()
    assert len(lines) == 13
    assert all(len(line) == 13 for line in lines)
    free = [(r, c) for r, line in enumerate(lines) for c, ch in enumerate(line) if ch == " "]
    assert len(free) == 104
    assert FourRoomsEnv.n_states == 104
    env = make_env()
    assert env.observation_space == gym.spaces.Discrete(104)
    assert env.action_space == gym.spaces.Discrete(4)
    # Row-major indexing round-trips.
    for s, (r, c) in enumerate(free):
        assert FourRoomsEnv.cell_of(s) == (r, c)
        assert FourRoomsEnv.state_of(r, c) == s


def test_state_62_is_east_doorway() -> None:
    assert FourRoomsEnv.cell_of(62) == (7, 9)
    assert 62 in FourRoomsEnv.doorway_states()
    assert make_env().goal == 62


def test_rooms_and_doorways_partition_the_free_cells() -> None:
    doorways = FourRoomsEnv.doorway_states()
    assert sorted(FourRoomsEnv.cell_of(s) for s in doorways) == [(3, 6), (6, 2), (7, 9), (10, 6)]
    sizes = {room: len(FourRoomsEnv.room_states(room)) for room in ("upper_left", "upper_right", "lower_left", "lower_right")}
    assert sizes == {"upper_left": 25, "upper_right": 30, "lower_left": 25, "lower_right": 20}
    all_states = sorted([s for room in sizes for s in FourRoomsEnv.room_states(room)] + list(doorways))
    assert all_states == list(range(104))
    assert FourRoomsEnv.room_of(FourRoomsEnv.state_of(9, 9)) == "lower_right"
    assert FourRoomsEnv.room_of(62) is None
    with pytest.raises(ValueError, match="room"):
        FourRoomsEnv.room_states("kitchen")
    with pytest.raises(ValueError, match="free cell"):
        FourRoomsEnv.state_of(0, 0)


def test_deterministic_motion_without_slip() -> None:
    env = make_env(slip_prob=0.0)
    start = FourRoomsEnv.state_of(2, 2)
    env.reset(seed=0, options={"start": start})
    expected = [((1, 2), UP), ((2, 2), DOWN), ((2, 1), LEFT), ((2, 2), RIGHT), ((3, 2), DOWN)]
    for cell, action in expected:
        obs, reward, terminated, truncated, info = env.step(action)
        assert FourRoomsEnv.cell_of(obs) == cell
        assert info["cell"] == cell
        assert info["slipped"] is False
        assert (reward, terminated, truncated) == (0.0, False, False)


def test_walls_block_motion() -> None:
    env = make_env(slip_prob=0.0)
    corner = FourRoomsEnv.state_of(1, 1)
    env.reset(seed=0, options={"start": corner})
    for action in (UP, LEFT):
        obs, *_ = env.step(action)
        assert obs == corner
    # Interior wall between the upper rooms at column 6.
    east_edge = FourRoomsEnv.state_of(1, 5)
    env.reset(options={"start": east_edge})
    obs, *_ = env.step(RIGHT)
    assert obs == east_edge
    # Through the west doorway (3, 6) the move succeeds.
    env.reset(options={"start": FourRoomsEnv.state_of(3, 5)})
    obs, *_ = env.step(RIGHT)
    assert FourRoomsEnv.cell_of(obs) == (3, 6)


def test_goal_gives_reward_and_terminates() -> None:
    env = make_env(slip_prob=0.0)
    env.reset(seed=0, options={"start": FourRoomsEnv.state_of(8, 9)})
    obs, reward, terminated, truncated, _ = env.step(UP)
    assert (obs, reward, terminated, truncated) == (62, 1.0, True, False)
    # Approach from the upper-right room too.
    env.reset(options={"start": FourRoomsEnv.state_of(6, 9)})
    obs, reward, terminated, _, _ = env.step(DOWN)
    assert (obs, reward, terminated) == (62, 1.0, True)


def test_goal_option_persists_and_set_goal() -> None:
    env = make_env(slip_prob=0.0)
    new_goal = FourRoomsEnv.state_of(9, 9)
    env.reset(seed=0, options={"goal": new_goal})
    assert env.goal == new_goal
    env.reset()
    assert env.goal == new_goal  # persists for later episodes
    env.reset(options={"start": FourRoomsEnv.state_of(8, 9)})
    obs, reward, terminated, *_ = env.step(UP)  # old goal 62 is no longer rewarding
    assert (obs, reward, terminated) == (62, 0.0, False)
    env.set_goal(62)
    assert env.goal == 62
    env.reset(options={"start": FourRoomsEnv.state_of(8, 9)})
    assert env.step(UP)[1:3] == (1.0, True)


@pytest.mark.parametrize("bad", [-1, 104, 1000, 2.5, "62", None, True])
def test_goal_validation(bad: object) -> None:
    env = make_env()
    with pytest.raises(ValueError, match=r"options\['goal'\].*\[0, 103\]"):
        env.reset(options={"goal": bad})
    with pytest.raises(ValueError, match=r"goal.*free cell.*\[0, 103\]"):
        env.set_goal(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="goal"):
        make_env(goal=bad)


def test_start_and_other_validation() -> None:
    env = make_env()
    with pytest.raises(ValueError, match=r"options\['start'\]"):
        env.reset(options={"start": 104})
    with pytest.raises(ValueError, match=r"options\['start'\].*differ"):
        env.reset(options={"start": 62})
    with pytest.raises(ValueError, match="slip_prob"):
        make_env(slip_prob=1.5)
    with pytest.raises(ValueError, match="render_mode"):
        make_env(render_mode="human")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(4)


def test_random_start_is_uniform_over_non_goal_cells() -> None:
    env = make_env()
    env.reset(seed=123)
    starts = [env.reset()[0] for _ in range(3000)]
    assert 62 not in starts
    assert len(set(starts)) == 103


def test_seeding_is_reproducible() -> None:
    def rollout(seed: int) -> list[int]:
        env = make_env()
        obs, _ = env.reset(seed=seed)
        traj = [obs]
        for t in range(50):
            obs, _, terminated, _, _ = env.step(t % 4)
            traj.append(obs)
            if terminated:
                break
        return traj

    assert rollout(7) == rollout(7)
    assert rollout(7) != rollout(8)


def test_empirical_slip_frequency() -> None:
    """Slip frequency ~ 1/3, and slips land on free neighbours, within 4 binomial sigmas."""
    env = make_env(goal=0)
    rng = np.random.default_rng(0)
    interior = FourRoomsEnv.state_of(3, 3)  # all 4 neighbours free
    env.reset(seed=0)
    n = 6000
    slips = 0
    not_intended = 0
    for _ in range(n):
        env.reset(options={"start": interior})
        action = int(rng.integers(4))
        obs, _, _, _, info = env.step(action)
        intended = FourRoomsEnv.intended_next_state(interior, action)
        if info["slipped"]:
            slips += 1
            assert obs in FourRoomsEnv.neighbours(interior)
        else:
            assert obs == intended
        not_intended += obs != intended
    p = 1.0 / 3.0
    assert abs(slips / n - p) < 4 * math.sqrt(p * (1 - p) / n)
    # With 4 free neighbours a slip still lands on the intended cell 1/4 of the time.
    q = p * 3.0 / 4.0
    assert abs(not_intended / n - q) < 4 * math.sqrt(q * (1 - q) / n)


def test_render_modes() -> None:
    env = make_env(render_mode="rgb_array")
    env.reset(seed=0, options={"start": FourRoomsEnv.state_of(1, 1)})
    img = env.render()
    assert isinstance(img, np.ndarray)
    assert img.dtype == np.uint8
    assert img.shape == (13 * 8, 13 * 8, 3)
    agent_px = img[1 * 8 + 4, 1 * 8 + 4]
    goal_px = img[7 * 8 + 4, 9 * 8 + 4]
    assert agent_px[0] > agent_px[1]  # red
    assert goal_px[1] > goal_px[0]  # green
    text_env = make_env(render_mode="ansi")
    text_env.reset(seed=0, options={"start": FourRoomsEnv.state_of(1, 1)})
    text = text_env.render()
    assert isinstance(text, str)
    rows = text.splitlines()
    assert len(rows) == 13
    assert rows[1][1] == "A"
    assert rows[7][9] == "G"
    assert make_env().render() is None


def test_gymnasium_env_checker() -> None:
    from gymnasium.utils.env_checker import check_env

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_env(make_env().unwrapped)
        check_env(make_env(render_mode="rgb_array").unwrapped)


def test_sb3_env_checker() -> None:
    pytest.importorskip("stable_baselines3")
    from stable_baselines3.common.env_checker import check_env

    check_env(make_env(), warn=True)


def test_gym_make() -> None:
    assert hrl_wrappers.envs.FOUR_ROOMS_ID == "hrl_wrappers/FourRooms-v0"
    env = gym.make(FOUR_ROOMS_ID)
    assert env.spec is not None
    assert env.spec.max_episode_steps == 1000
    assert isinstance(env.unwrapped, FourRoomsEnv)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)
    env2 = gym.make(FOUR_ROOMS_ID, goal=5, slip_prob=0.0)
    assert env2.unwrapped.goal == 5  # type: ignore[attr-defined]
    env.close()
    env2.close()


def test_time_limit_truncates() -> None:
    env = gym.make(FOUR_ROOMS_ID, max_episode_steps=3, goal=0, slip_prob=0.0)
    env.reset(seed=0, options={"start": FourRoomsEnv.state_of(11, 11)})
    truncated = False
    for _ in range(3):
        _, _, terminated, truncated, _ = env.step(DOWN)
        assert not terminated
    assert truncated


def test_docstring_examples() -> None:
    results = doctest.testmod(four_rooms_module, verbose=False)
    assert results.attempted > 0
    assert results.failed == 0
    init_results = doctest.testmod(hrl_wrappers.envs, verbose=False)
    assert init_results.failed == 0
