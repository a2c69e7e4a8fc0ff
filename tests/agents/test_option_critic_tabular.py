"""Tabular Option-Critic, SARSA(0) and AC-PG on Four Rooms: updates against their formulas, dynamics against the env."""

from __future__ import annotations

import numpy as np
import pytest

from agents.option_critic.tabular import (
    TabularActorCritic,
    TabularOptionCritic,
    TabularSARSA,
    VectorFourRooms,
    run_goal_switch,
)
from hrl_wrappers.envs import FourRoomsEnv


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + np.exp(-x))


def test_option_critic_update_matches_algorithm_1() -> None:
    rng = np.random.default_rng(0)
    oc = TabularOptionCritic(2, n_options=3, rng=rng, gamma=0.9, lr_critic=0.5, lr_intra=0.25, lr_term=0.25, xi=0.01)
    oc.q_omega[:] = rng.normal(size=oc.q_omega.shape)
    oc.q_u[:] = rng.normal(size=oc.q_u.shape)
    oc.theta[:] = rng.normal(size=oc.theta.shape) * 0.01
    oc.vartheta[:] = rng.normal(size=oc.vartheta.shape)
    oc.options[:] = [1, 2]
    runs, s, a, s2 = np.array([0, 1]), np.array([10, 20]), np.array([3, 0]), np.array([11, 21])
    r, terminal = np.array([0.0, 1.0]), np.array([False, True])
    before = {k: getattr(oc, k).copy() for k in ("q_omega", "q_u", "theta", "vartheta")}
    oc.update(runs, s, a, r, s2, terminal)
    for i in range(2):
        w = [1, 2][i]
        beta = _sigmoid(before["vartheta"][i, s2[i], w])
        q2 = before["q_omega"][i, s2[i]]
        target = r[i] + (0.0 if terminal[i] else 0.9 * ((1 - beta) * q2[w] + beta * q2.max()))
        q_u = before["q_u"][i, s[i], w, a[i]] + 0.5 * (target - before["q_u"][i, s[i], w, a[i]])
        q_o = before["q_omega"][i, s[i], w] + 0.5 * (target - before["q_omega"][i, s[i], w])
        assert oc.q_u[i, s[i], w, a[i]] == pytest.approx(q_u)
        assert oc.q_omega[i, s[i], w] == pytest.approx(q_o)
        logits = before["theta"][i, s[i], w] / oc.temperature
        pi = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
        grad = -pi
        grad[a[i]] += 1
        assert oc.theta[i, s[i], w] == pytest.approx(before["theta"][i, s[i], w] + 0.25 * (q_u - q_o) * grad)
        if terminal[i]:
            assert oc.vartheta[i, s2[i], w] == before["vartheta"][i, s2[i], w]  # no termination gradient at the end
        else:
            q2_new = oc.q_omega[i, s2[i]]
            step = 0.25 * beta * (1 - beta) * (q2_new[w] - q2_new.max() + 0.01)
            assert oc.vartheta[i, s2[i], w] == pytest.approx(before["vartheta"][i, s2[i], w] - step)


def test_termination_gradient_sign_tabular() -> None:
    """With xi > 0, beta falls in s' for the best option there; it rises for a worse one."""
    oc = TabularOptionCritic(2, n_options=2, rng=np.random.default_rng(0), xi=0.01)
    oc.q_omega[:, 5] = [1.0, 0.0]
    oc.options[:] = [0, 1]
    oc.update(np.array([0, 1]), np.array([4, 4]), np.array([0, 0]), np.zeros(2), np.array([5, 5]), np.zeros(2, dtype=bool))
    assert oc.termination_probabilities()[0, 5, 0] < 0.5 < oc.termination_probabilities()[1, 5, 1]


def test_sarsa_and_actor_critic_updates() -> None:
    rng = np.random.default_rng(1)
    sarsa = TabularSARSA(1, rng=rng, gamma=0.9, lr=0.5, epsilon=0.0)
    sarsa.q[0, 7] = [0.0, 2.0, 1.0, 0.0]
    sarsa.update(np.array([0]), np.array([3]), np.array([2]), np.array([1.0]), np.array([7]), np.array([False]))
    assert sarsa.q[0, 3, 2] == pytest.approx(0.5 * (1.0 + 0.9 * 2.0))  # greedy next action 1
    assert sarsa.next_actions[0] == 1
    ac = TabularActorCritic(1, rng=rng, gamma=0.9, lr_critic=0.5, lr_actor=0.25, temperature=1.0)
    ac.v[0, 7] = 2.0
    ac.update(np.array([0]), np.array([3]), np.array([1]), np.array([0.0]), np.array([7]), np.array([False]))
    delta = 0.9 * 2.0
    assert ac.v[0, 3] == pytest.approx(0.5 * delta)
    assert ac.theta[0, 3] == pytest.approx(0.25 * delta * (np.eye(4)[1] - 0.25))


def test_vector_four_rooms_has_the_env_dynamics() -> None:
    env = VectorFourRooms(1, np.random.default_rng(0))
    for s in range(FourRoomsEnv.n_states):
        for a in range(4):
            assert env.next_state[s, a] == FourRoomsEnv.intended_next_state(s, a)
        assert set(env.neighbours[s, : env.n_neighbours[s]]) == set(FourRoomsEnv.neighbours(s))
    n = 30_000
    vec = VectorFourRooms(n, np.random.default_rng(1))
    start = FourRoomsEnv.state_of(3, 3)  # open cell, 4 free neighbours
    nxt, _, _ = vec.step(np.full(n, start), np.zeros(n, dtype=np.int64))  # up
    up = FourRoomsEnv.intended_next_state(start, 0)
    # the move succeeds w.p. 2/3, plus 1/3 * 1/4 from a slip onto the same cell
    assert np.mean(nxt == up) == pytest.approx(2 / 3 + 1 / 12, abs=0.01)
    assert set(np.unique(nxt)) == set(FourRoomsEnv.neighbours(start))


def test_goal_switch_moves_the_goal_into_the_lower_right_room() -> None:
    rng = np.random.default_rng(0)
    oc = TabularOptionCritic(3, n_options=2, rng=rng)
    result = run_goal_switch(oc, 3, rng, n_episodes=6, switch_at=3, max_steps=200, snapshot_episodes=(3,))
    assert result.steps.shape == (3, 6) and (result.steps >= 1).all()
    assert set(result.new_goals) <= set(FourRoomsEnv.room_states("lower_right"))
    assert result.snapshots[3].shape == (3, FourRoomsEnv.n_states, 2)
    assert result.switches is not None and result.switches.shape == (3, 6)
