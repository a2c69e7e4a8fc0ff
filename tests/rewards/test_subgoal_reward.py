"""HIRO's low-level reward -||s + g - s'|| and goal transition h(s, g, s') = s + g - s' on hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest

from hrl_wrappers.rewards.subgoal import SubgoalReward


def test_reward_matches_formula_on_hand_made_batch() -> None:
    r = SubgoalReward(goal_indices=[2, 0], scale=2.0)
    s = np.array([[1.0, 9.0, 2.0], [0.0, 0.0, 0.0]])
    g = np.array([[0.5, -1.0], [3.0, 4.0]])
    s2 = np.array([[0.0, 7.0, 2.0], [0.0, 1.0, 0.0]])
    # goal dims of s are (s[2], s[0]): row 0: (2, 1) + (0.5, -1) - (2, 0) = (0.5, 0); row 1: (0, 0) + (3, 4) - (0, 0)
    np.testing.assert_allclose(r.transition(s, g, s2), [[0.5, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(r.reward(s, g, s2), [-2.0 * 0.5, -2.0 * 5.0])


def test_goal_transition_through_c_steps_keeps_the_absolute_target() -> None:
    rng = np.random.default_rng(0)
    r = SubgoalReward(goal_indices=[0, 1])
    states = rng.normal(size=(11, 3))
    g = np.array([0.7, -0.2])
    target = states[0, :2] + g
    goals = [g]
    for i in range(10):
        goals.append(r.transition(states[i], goals[-1], states[i + 1]))
    for i, gi in enumerate(goals):
        np.testing.assert_allclose(states[i, :2] + gi, target)  # s_i + g_i stays s_0 + g_0
        np.testing.assert_allclose(gi, g + states[0, :2] - states[i, :2])  # h telescopes
    # reaching the target exactly gives the maximal reward, 0
    assert r.reward(states[0], g, np.array([*target, 5.0])) == 0.0


def test_empty_goal_indices_rejected() -> None:
    with pytest.raises(ValueError, match="goal_indices"):
        SubgoalReward(goal_indices=[])
