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
    termination_rates,
)
from hrl_wrappers.envs import FourRoomsEnv


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + np.exp(-x))


def test_option_critic_update_matches_algorithm_1() -> None:
    rng = np.random.default_rng(0)
    oc = TabularOptionCritic(
        2, n_options=3, rng=rng, gamma=0.9, lr_critic=0.5, lr_intra=0.25, lr_term=0.25, xi=0.01, termination_value="max"
    )
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


@pytest.mark.parametrize(
    ("option_selection", "termination_value"),
    [("epsilon_greedy", "policy"), ("softmax", "policy"), ("epsilon_greedy", "max"), ("softmax", "max")],
)
def test_termination_advantage_uses_the_value_of_the_policy_over_options(
    option_selection: str, termination_value: str
) -> None:
    """vartheta_w(s') -= lr_term beta (1 - beta) (Q(s', w) - V(s') + xi), V(s') = sum_w pi_Omega(w|s') Q(s', w) or max."""
    epsilon, temp, lr_term, xi = 0.1, 0.5, 0.25, 0.01
    oc = TabularOptionCritic(
        1,
        n_options=3,
        rng=np.random.default_rng(0),
        epsilon=epsilon,
        lr_term=lr_term,
        xi=xi,
        option_selection=option_selection,
        option_temperature=temp,
        termination_value=termination_value,
    )
    q = np.array([1.0, 0.2, 0.5])
    oc.q_omega[0, 5] = q
    oc.vartheta[0, 5, 1] = 0.3
    oc.options[:] = 1
    oc.update(np.array([0]), np.array([4]), np.array([0]), np.zeros(1), np.array([5]), np.zeros(1, dtype=bool))
    if termination_value == "max":
        v = 1.0
    elif option_selection == "epsilon_greedy":
        v = (1 - epsilon) * 1.0 + epsilon * (1.0 + 0.2 + 0.5) / 3
    else:
        pi = np.exp(q / temp) / np.exp(q / temp).sum()
        v = float(pi @ q)
    beta = _sigmoid(0.3)
    assert oc.vartheta[0, 5, 1] == pytest.approx(0.3 - lr_term * beta * (1 - beta) * (0.2 - v + xi))
    assert oc.option_values(np.array([0]), np.array([5]))[0] == pytest.approx(v)


def test_greedy_option_termination_moves_only_under_the_policy_value() -> None:
    """With V = max Q (and xi = 0) the greedy option's advantage is 0; under the epsilon-greedy policy it is > 0."""
    for termination_value, moves in (("max", False), ("policy", True)):
        oc = TabularOptionCritic(1, n_options=2, rng=np.random.default_rng(0), termination_value=termination_value)
        oc.q_omega[0, 5] = [1.0, 0.0]
        oc.options[:] = 0
        oc.update(np.array([0]), np.array([4]), np.array([0]), np.zeros(1), np.array([5]), np.zeros(1, dtype=bool))
        assert bool(oc.termination_probabilities()[0, 5, 0] < 0.5) is moves


def test_option_probabilities_and_softmax_selection() -> None:
    oc = TabularOptionCritic(1, n_options=3, rng=np.random.default_rng(0), epsilon=0.3)
    oc.q_omega[0, 7] = [2.0, 2.0, 0.0]  # tied greedy options share 1 - epsilon
    np.testing.assert_allclose(oc.option_probabilities(np.array([0]), np.array([7]))[0], [0.45, 0.45, 0.1])
    n = 40_000
    oc = TabularOptionCritic(n, n_options=3, rng=np.random.default_rng(1), option_selection="softmax", option_temperature=0.5)
    oc.q_omega[:, 7] = [1.0, 0.2, 0.5]
    expected = np.exp(oc.q_omega[0, 7] / 0.5) / np.exp(oc.q_omega[0, 7] / 0.5).sum()
    oc.begin(np.arange(n), np.full(n, 7))
    np.testing.assert_allclose(np.bincount(oc.options, minlength=3) / n, expected, atol=0.01)


def test_termination_rates_formula() -> None:
    visits = np.array([[[3, 1], [0, 0], [2, 2]], [[1, 0], [4, 0], [0, 0]]])  # 2 runs, 3 states, 2 options
    ends = np.array([[[1, 1], [0, 0], [0, 1]], [[0, 0], [1, 0], [0, 0]]])
    rates = termination_rates(visits, ends)
    np.testing.assert_allclose(rates, [[2 / 4, np.nan, 1 / 4], [0.0, 1 / 4, np.nan]])
    np.testing.assert_allclose(termination_rates(visits, ends, [0, 2]), [3 / 8, 0.0])


class _RecordingOptionCritic(TabularOptionCritic):
    """Records, per update, what the counts of ``run_goal_switch`` must be computed from."""

    log: list[tuple[int, int, int, bool, bool]]

    def update(self, runs, states, actions, rewards, next_states, terminal):  # type: ignore[no-untyped-def]
        w = self.options[runs].copy()
        super().update(runs, states, actions, rewards, next_states, terminal)
        for i, run in enumerate(runs):
            self.log.append((int(run), int(next_states[i]), int(w[i]), bool(terminal[i]), bool(self.ended[run])))


def test_goal_switch_counts_visits_and_terminations_per_state_in_the_windows() -> None:
    rng = np.random.default_rng(3)
    oc = _RecordingOptionCritic(2, n_options=2, rng=rng)
    oc.log = []
    windows = ((1, 3), (0, 4))
    result = run_goal_switch(oc, 2, rng, n_episodes=4, switch_at=2, max_steps=7, count_windows=windows)
    # replay the log: a run's episode ends at the goal or after 7 steps
    expected_v = {w: np.zeros((2, 104, 2), dtype=np.int64) for w in windows}
    expected_e = {w: np.zeros((2, 104, 2), dtype=np.int64) for w in windows}
    episode, length = [0, 0], [0, 0]
    for run, s2, w, terminal, ended in oc.log:
        for first, last in windows:
            if first <= episode[run] < last and not terminal:
                expected_v[(first, last)][run, s2, w] += 1
                expected_e[(first, last)][run, s2, w] += ended
        assert not (terminal and ended)  # no termination decision at the end of an episode
        length[run] += 1
        if terminal or length[run] == 7:
            episode[run], length[run] = episode[run] + 1, 0
    for w in windows:
        np.testing.assert_array_equal(result.visits[w], expected_v[w])
        np.testing.assert_array_equal(result.terminations[w], expected_e[w])
    # every step of episodes 1..4 is an arrival, except the one that reaches the goal
    reached = result.steps < 7
    assert result.visits[(0, 4)].sum() == result.steps.sum() - reached.sum()
    assert result.visits[(1, 3)].sum() == result.steps[:, 1:3].sum() - reached[:, 1:3].sum()
    assert 0 < result.terminations[(0, 4)].sum() < result.visits[(0, 4)].sum()


def test_counts_with_certain_and_impossible_terminations() -> None:
    """beta = 1 everywhere: every visit ends the option; beta = 0: none does. Without slips, an option that always
    moves up visits exactly the cells above the start until the wall, then the top cell again and again."""
    for vartheta, all_end in ((50.0, True), (-50.0, False)):
        rng = np.random.default_rng(0)
        oc = TabularOptionCritic(1, n_options=2, rng=rng, temperature=0.01)
        oc.vartheta[:] = vartheta
        oc.theta[..., 0] = 1.0  # always "up"
        result = run_goal_switch(
            oc, 1, rng, n_episodes=1, switch_at=5, max_steps=12, count_windows=((0, 1),), slip_prob=0.0, goal=103
        )
        visits, ends = result.visits[(0, 1)], result.terminations[(0, 1)]
        assert visits.sum() == 12
        np.testing.assert_array_equal(ends, visits if all_end else 0)
        cells = np.flatnonzero(visits.sum(axis=(0, 2)))
        column = {FourRoomsEnv.cell_of(int(s))[1] for s in cells}
        assert len(column) == 1  # one column, climbed to the wall above
        top = min(cells, key=lambda s: FourRoomsEnv.cell_of(int(s))[0])
        assert visits[0, top].sum() == 12 - (len(cells) - 1)
        assert FourRoomsEnv.intended_next_state(int(top), 0) == top


def test_tabular_option_critic_bad_input() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n_options"):
        TabularOptionCritic(1, n_options=0, rng=rng)
    with pytest.raises(ValueError, match="option_selection"):
        TabularOptionCritic(1, rng=rng, option_selection="greedy")
    with pytest.raises(ValueError, match="termination_value"):
        TabularOptionCritic(1, rng=rng, termination_value="mean")
    with pytest.raises(ValueError, match="option_temperature"):
        TabularOptionCritic(1, rng=rng, option_temperature=0.0)
    with pytest.raises(ValueError, match="count_windows"):
        run_goal_switch(TabularOptionCritic(1, rng=rng), 1, rng, n_episodes=3, count_windows=((2, 5),))
