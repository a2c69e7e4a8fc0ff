"""Tabular Option-Critic on Four Rooms, with the SARSA(0) and actor-critic (AC-PG) baselines, vectorised over runs.

The learners follow Bacon, Harb & Precup (AAAI 2017, Algorithm 1 and the Four Rooms experiment): tabular Boltzmann
intra-option policies ``pi_w(a|s) ~ exp(theta[s, w, a] / temperature)``, sigmoid terminations
``beta_w(s) = sigmoid(vartheta[s, w])``, an epsilon-greedy policy over options, and a critic that learns ``Q_U(s, w, a)``
and ``Q_Omega(s, w)`` from the one-step intra-option target ``r + gamma ((1 - beta_w(s')) Q_Omega(s', w) +
beta_w(s') max Q_Omega(s', .))``. Every array carries a leading ``n_runs`` axis, so hundreds of independent runs step
together in numpy (:func:`run_goal_switch`); the environment dynamics are those of
:class:`hrl_wrappers.envs.FourRoomsEnv` (moves replaced by a random free neighbour with probability 1/3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from hrl_wrappers.envs.four_rooms import FourRoomsEnv

__all__ = [
    "GoalSwitchResult",
    "TabularActorCritic",
    "TabularOptionCritic",
    "TabularSARSA",
    "VectorFourRooms",
    "run_goal_switch",
    "termination_rates",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _softmax(x: FloatArray, temperature: float) -> FloatArray:
    z = x / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid(x: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-x))


def _sample_rows(probs: FloatArray, rng: np.random.Generator) -> IntArray:
    """One index per row of ``probs`` (rows sum to 1)."""
    u = rng.random((probs.shape[0], 1))
    return np.minimum((probs.cumsum(axis=1) < u).sum(axis=1), probs.shape[1] - 1).astype(np.int64)


def _argmax_random_ties(values: FloatArray, rng: np.random.Generator) -> IntArray:
    best = values == values.max(axis=1, keepdims=True)
    return _sample_rows(best / best.sum(axis=1, keepdims=True), rng)


def _epsilon_greedy(values: FloatArray, epsilon: float, rng: np.random.Generator) -> IntArray:
    greedy = _argmax_random_ties(values, rng)
    random = rng.integers(values.shape[1], size=values.shape[0])
    return np.where(rng.random(values.shape[0]) < epsilon, random, greedy)


class VectorFourRooms:
    """``n_runs`` independent copies of :class:`~hrl_wrappers.envs.FourRoomsEnv`, stepped together in numpy.

    :param n_runs: number of copies.
    :param rng: random generator (slips, starts).
    :param goal: initial goal state of every copy.
    :param slip_prob: probability that a move is replaced by one to a uniformly random free neighbour.

    Example:
        >>> env = VectorFourRooms(3, np.random.default_rng(0), slip_prob=0.0)
        >>> start = np.full(3, FourRoomsEnv.state_of(8, 9))
        >>> next_states, rewards, terminal = env.step(start, np.zeros(3, dtype=np.int64))  # up, into the doorway
        >>> next_states.tolist(), rewards.tolist(), terminal.tolist()
        ([62, 62, 62], [1.0, 1.0, 1.0], [True, True, True])
    """

    n_states = FourRoomsEnv.n_states
    n_actions = FourRoomsEnv.n_actions

    def __init__(self, n_runs: int, rng: np.random.Generator, goal: int = 62, slip_prob: float = 1.0 / 3.0) -> None:
        self.n_runs = n_runs
        self.rng = rng
        self.slip_prob = float(slip_prob)
        self.goals = np.full(n_runs, goal, dtype=np.int64)
        self.next_state = np.array(
            [[FourRoomsEnv.intended_next_state(s, a) for a in range(self.n_actions)] for s in range(self.n_states)],
            dtype=np.int64,
        )
        neighbours = [FourRoomsEnv.neighbours(s) for s in range(self.n_states)]
        self.n_neighbours = np.array([len(n) for n in neighbours], dtype=np.int64)
        self.neighbours = np.array([list(n) + [n[0]] * (4 - len(n)) for n in neighbours], dtype=np.int64)

    def reset(self, runs: IntArray) -> IntArray:
        """Uniform start states, other than the goal, for ``runs``."""
        k = self.rng.integers(self.n_states - 1, size=len(runs))
        return np.where(k < self.goals[runs], k, k + 1).astype(np.int64)

    def step(
        self, states: IntArray, actions: IntArray, runs: IntArray | None = None
    ) -> tuple[IntArray, FloatArray, BoolArray]:
        """Next states, rewards and terminal flags of ``runs`` (all runs by default)."""
        runs = np.arange(self.n_runs) if runs is None else runs
        slipped = self.rng.random(len(states)) < self.slip_prob
        pick = (self.rng.random(len(states)) * self.n_neighbours[states]).astype(np.int64)
        next_states = np.where(slipped, self.neighbours[states, pick], self.next_state[states, actions])
        terminal = next_states == self.goals[runs]
        return next_states, terminal.astype(np.float64), terminal


class TabularLearner(Protocol):
    """What :func:`run_goal_switch` needs from a learner (arrays over the runs ``runs``)."""

    def begin(self, runs: IntArray, states: IntArray) -> None: ...

    def act(self, runs: IntArray, states: IntArray) -> IntArray: ...

    def update(
        self,
        runs: IntArray,
        states: IntArray,
        actions: IntArray,
        rewards: FloatArray,
        next_states: IntArray,
        terminal: BoolArray,
    ) -> None: ...


@dataclass
class TabularOptionCritic:
    """Tabular Option-Critic (Bacon et al., 2017, Algorithm 1) for ``n_runs`` independent runs.

    :param n_runs: independent runs (leading axis of every table).
    :param n_options: number of options.
    :param rng: random generator.
    :param gamma: discount.
    :param lr_critic: step size of ``Q_U`` and ``Q_Omega``.
    :param lr_intra: step size of the intra-option policy gradient.
    :param lr_term: step size of the termination gradient.
    :param epsilon: epsilon of the policy over options.
    :param temperature: temperature of the Boltzmann intra-option policies.
    :param xi: regulariser added to the termination advantage (0 in the tabular experiment).
    :param baseline: subtract ``Q_Omega(s, w)`` from ``Q_U(s, w, a)`` in the intra-option gradient.
    :param option_selection: the policy over options ``pi_Omega(w|s)``: ``"epsilon_greedy"`` over ``Q_Omega(s, .)``
        (the paper's Algorithm 1) or ``"softmax"`` over ``Q_Omega(s, .) / option_temperature`` (the original code's).
    :param option_temperature: temperature of the ``softmax`` policy over options.
    :param termination_value: ``V_Omega(s')`` in the termination advantage ``Q_Omega(s', w) - V_Omega(s')``:
        ``"policy"`` (the paper's: ``sum_w pi_Omega(w|s') Q_Omega(s', w)``, the value of the policy over options; for
        epsilon-greedy ``(1 - epsilon) max_w Q_Omega(s', w) + epsilon mean_w Q_Omega(s', w)``) or ``"max"``
        (``max_w Q_Omega(s', w)``, the original code's, under which the greedy option's advantage is exactly 0 and its
        termination never moves).

    After each :meth:`update`, ``ended[run]`` says whether the option of that run terminated in ``s'`` (a new one was
    chosen there); :func:`run_goal_switch` counts these per state to measure where options actually end.

    Example:
        >>> oc = TabularOptionCritic(2, n_options=4, rng=np.random.default_rng(0))
        >>> oc.termination_probabilities().shape  # runs x states x options
        (2, 104, 4)
    """

    n_runs: int
    n_options: int = 4
    rng: np.random.Generator = field(default_factory=np.random.default_rng)
    gamma: float = 0.99
    lr_critic: float = 0.5
    lr_intra: float = 0.25
    lr_term: float = 0.25
    epsilon: float = 0.01
    temperature: float = 0.01
    xi: float = 0.0
    baseline: bool = True
    option_selection: str = "epsilon_greedy"
    option_temperature: float = 0.01
    termination_value: str = "policy"
    n_states: int = FourRoomsEnv.n_states
    n_actions: int = FourRoomsEnv.n_actions

    def __post_init__(self) -> None:
        if self.n_options < 1:
            raise ValueError(f"n_options must be >= 1, got {self.n_options}")
        if self.option_selection not in ("epsilon_greedy", "softmax"):
            raise ValueError(f"option_selection must be 'epsilon_greedy' or 'softmax', got {self.option_selection!r}")
        if not self.option_temperature > 0:
            raise ValueError(f"option_temperature must be > 0, got {self.option_temperature}")
        if self.termination_value not in ("policy", "max"):
            raise ValueError(f"termination_value must be 'policy' or 'max', got {self.termination_value!r}")
        shape = (self.n_runs, self.n_states, self.n_options)
        self.theta = np.zeros((*shape, self.n_actions))
        self.vartheta = np.zeros(shape)
        self.q_omega = np.zeros(shape)
        self.q_u = np.zeros((*shape, self.n_actions))
        self.options = np.zeros(self.n_runs, dtype=np.int64)
        self.switches = np.zeros(self.n_runs, dtype=np.int64)
        self.ended = np.zeros(self.n_runs, dtype=bool)

    def termination_probabilities(self) -> FloatArray:
        """``beta_w(s)`` for every run, state and option."""
        return _sigmoid(self.vartheta)

    def option_probabilities(self, runs: IntArray, states: IntArray) -> FloatArray:
        """``pi_Omega(w|s)`` of the policy over options, ``(len(runs), n_options)`` (ties of the greedy option split)."""
        q = self.q_omega[runs, states]
        if self.option_selection == "softmax":
            return _softmax(q, self.option_temperature)
        best = q == q.max(axis=1, keepdims=True)
        return (1.0 - self.epsilon) * best / best.sum(axis=1, keepdims=True) + self.epsilon / self.n_options

    def option_values(self, runs: IntArray, states: IntArray) -> FloatArray:
        """``V_Omega(s)`` of the termination advantage (see ``termination_value``)."""
        if self.termination_value == "max":
            return self.q_omega[runs, states].max(axis=1)
        return (self.option_probabilities(runs, states) * self.q_omega[runs, states]).sum(axis=1)

    def _choose_options(self, runs: IntArray, states: IntArray) -> IntArray:
        if self.option_selection == "softmax":
            return _sample_rows(self.option_probabilities(runs, states), self.rng)
        return _epsilon_greedy(self.q_omega[runs, states], self.epsilon, self.rng)

    def begin(self, runs: IntArray, states: IntArray) -> None:
        """Choose the first option of an episode in ``states``."""
        self.options[runs] = self._choose_options(runs, states)

    def act(self, runs: IntArray, states: IntArray) -> IntArray:
        """Sample actions of the current options' Boltzmann policies."""
        probs = _softmax(self.theta[runs, states, self.options[runs]], self.temperature)
        return _sample_rows(probs, self.rng)

    def update(
        self,
        runs: IntArray,
        states: IntArray,
        actions: IntArray,
        rewards: FloatArray,
        next_states: IntArray,
        terminal: BoolArray,
    ) -> None:
        """Evaluate and improve the options on one transition per run, then maybe terminate the option at ``s'``."""
        w = self.options[runs]
        beta_next = _sigmoid(self.vartheta[runs, next_states, w])
        q_next = self.q_omega[runs, next_states]
        continuation = (1.0 - beta_next) * q_next[np.arange(len(runs)), w] + beta_next * q_next.max(axis=1)
        target = rewards + self.gamma * np.where(terminal, 0.0, continuation)
        # options evaluation: Q_U and Q_Omega towards the intra-option target
        self.q_u[runs, states, w, actions] += self.lr_critic * (target - self.q_u[runs, states, w, actions])
        self.q_omega[runs, states, w] += self.lr_critic * (target - self.q_omega[runs, states, w])
        # options improvement: intra-option policy gradient ...
        critic = self.q_u[runs, states, w, actions] - (self.q_omega[runs, states, w] if self.baseline else 0.0)
        probs = _softmax(self.theta[runs, states, w], self.temperature)
        grad = -probs
        grad[np.arange(len(runs)), actions] += 1.0
        self.theta[runs, states, w] += self.lr_intra * critic[:, None] * grad
        # ... and termination gradient at s' (none at the end of the episode)
        advantage = self.q_omega[runs, next_states, w] - self.option_values(runs, next_states) + self.xi
        step = self.lr_term * beta_next * (1.0 - beta_next) * advantage
        self.vartheta[runs, next_states, w] -= np.where(terminal, 0.0, step)
        # the option ends in s' with probability beta_w(s'); the policy over options picks the next one
        ends = ~terminal & (self.rng.random(len(runs)) < _sigmoid(self.vartheta[runs, next_states, w]))
        self.ended[runs] = ends
        if ends.any():
            self.options[runs[ends]] = self._choose_options(runs[ends], next_states[ends])
            self.switches[runs[ends]] += 1


@dataclass
class TabularSARSA:
    """SARSA(0) over primitive actions with an epsilon-greedy policy, for ``n_runs`` independent runs.

    Example:
        >>> sarsa = TabularSARSA(2, rng=np.random.default_rng(0))
        >>> sarsa.q.shape
        (2, 104, 4)
    """

    n_runs: int
    rng: np.random.Generator = field(default_factory=np.random.default_rng)
    gamma: float = 0.99
    lr: float = 0.5
    epsilon: float = 0.01
    n_states: int = FourRoomsEnv.n_states
    n_actions: int = FourRoomsEnv.n_actions

    def __post_init__(self) -> None:
        self.q = np.zeros((self.n_runs, self.n_states, self.n_actions))
        self.next_actions = np.zeros(self.n_runs, dtype=np.int64)

    def begin(self, runs: IntArray, states: IntArray) -> None:
        self.next_actions[runs] = _epsilon_greedy(self.q[runs, states], self.epsilon, self.rng)

    def act(self, runs: IntArray, states: IntArray) -> IntArray:
        return self.next_actions[runs].copy()

    def update(
        self,
        runs: IntArray,
        states: IntArray,
        actions: IntArray,
        rewards: FloatArray,
        next_states: IntArray,
        terminal: BoolArray,
    ) -> None:
        next_actions = _epsilon_greedy(self.q[runs, next_states], self.epsilon, self.rng)
        target = rewards + self.gamma * np.where(terminal, 0.0, self.q[runs, next_states, next_actions])
        self.q[runs, states, actions] += self.lr * (target - self.q[runs, states, actions])
        self.next_actions[runs] = next_actions


@dataclass
class TabularActorCritic:
    """One-step actor-critic (AC-PG): Boltzmann policy over primitive actions, TD(0) state-value critic.

    Example:
        >>> ac = TabularActorCritic(2, rng=np.random.default_rng(0))
        >>> ac.theta.shape, ac.v.shape
        ((2, 104, 4), (2, 104))
    """

    n_runs: int
    rng: np.random.Generator = field(default_factory=np.random.default_rng)
    gamma: float = 0.99
    lr_critic: float = 0.5
    lr_actor: float = 0.25
    temperature: float = 0.01
    n_states: int = FourRoomsEnv.n_states
    n_actions: int = FourRoomsEnv.n_actions

    def __post_init__(self) -> None:
        self.theta = np.zeros((self.n_runs, self.n_states, self.n_actions))
        self.v = np.zeros((self.n_runs, self.n_states))

    def begin(self, runs: IntArray, states: IntArray) -> None:
        pass

    def act(self, runs: IntArray, states: IntArray) -> IntArray:
        return _sample_rows(_softmax(self.theta[runs, states], self.temperature), self.rng)

    def update(
        self,
        runs: IntArray,
        states: IntArray,
        actions: IntArray,
        rewards: FloatArray,
        next_states: IntArray,
        terminal: BoolArray,
    ) -> None:
        delta = rewards + self.gamma * np.where(terminal, 0.0, self.v[runs, next_states]) - self.v[runs, states]
        self.v[runs, states] += self.lr_critic * delta
        probs = _softmax(self.theta[runs, states], self.temperature)
        grad = -probs
        grad[np.arange(len(runs)), actions] += 1.0
        self.theta[runs, states] += self.lr_actor * delta[:, None] * grad


@dataclass
class GoalSwitchResult:
    """Output of :func:`run_goal_switch`.

    :param steps: ``(n_runs, n_episodes)`` steps taken in every episode.
    :param new_goals: the goal of every run after the switch.
    :param snapshots: ``episode -> termination probabilities (runs, states, options)`` of every run when it finished that
        many episodes (Option-Critic only).
    :param switches: option switches per run and episode (Option-Critic only).
    :param visits: ``(first, last) -> (runs, states, options)`` counts, over the episodes ``first + 1 .. last`` of
        each run, of the steps that arrived in a non-terminal state ``s'`` with option ``w`` in force, i.e. of the
        chances ``w`` had to terminate in ``s'`` (Option-Critic only; the windows are ``count_windows``).
    :param terminations: same shape: how many of those steps ended ``w`` in ``s'``.
    """

    steps: IntArray
    new_goals: IntArray
    snapshots: dict[int, FloatArray] = field(default_factory=dict)
    switches: IntArray | None = None
    visits: dict[tuple[int, int], IntArray] = field(default_factory=dict)
    terminations: dict[tuple[int, int], IntArray] = field(default_factory=dict)


def termination_rates(visits: IntArray, terminations: IntArray, states: IntArray | list[int] | None = None) -> FloatArray:
    """Empirical termination rate ``terminations / visits`` pooled over options, per run.

    :param visits: ``(runs, states, options)`` counts (:attr:`GoalSwitchResult.visits`).
    :param terminations: the matching termination counts.
    :param states: pool these states together (one rate per run); ``None``: one rate per run and state.
    :return: ``(runs,)`` or ``(runs, states)`` rates, NaN where there was no visit.

    Example:
        >>> visits = np.array([[[2, 2], [1, 0]]])  # 1 run, 2 states, 2 options
        >>> ends = np.array([[[1, 0], [1, 0]]])
        >>> termination_rates(visits, ends).tolist(), termination_rates(visits, ends, [0, 1]).tolist()
        ([[0.25, 1.0]], [0.4])
    """
    v, e = visits.sum(axis=2).astype(np.float64), terminations.sum(axis=2).astype(np.float64)
    if states is not None:
        v, e = v[:, states].sum(axis=1), e[:, states].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(v > 0, e / np.maximum(v, 1.0), np.nan)


def run_goal_switch(
    learner: TabularLearner,
    n_runs: int,
    rng: np.random.Generator,
    n_episodes: int = 2000,
    switch_at: int = 1000,
    max_steps: int = 1000,
    goal: int = 62,
    new_goal_room: str = "lower_right",
    snapshot_episodes: tuple[int, ...] = (),
    count_windows: tuple[tuple[int, int], ...] = (),
    slip_prob: float = 1.0 / 3.0,
) -> GoalSwitchResult:
    """The Four Rooms goal-switch experiment: ``n_runs`` runs of ``n_episodes`` episodes, stepped together.

    The goal starts at ``goal`` (the east doorway) and, after ``switch_at`` episodes of a run, moves to a uniformly
    random cell of ``new_goal_room`` (drawn per run). Episodes start in a uniformly random non-goal cell and are cut
    after ``max_steps`` steps; moves slip with probability ``slip_prob``. For Option-Critic, ``snapshot_episodes``
    keeps ``beta`` after those many episodes, and each ``(first, last)`` of ``count_windows`` counts, per state and
    option, the arrivals and option terminations over the episodes ``first + 1 .. last``
    (:attr:`GoalSwitchResult.visits`, :func:`termination_rates`).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> result = run_goal_switch(TabularSARSA(4, rng=rng), 4, rng, n_episodes=4, switch_at=2, max_steps=50)
        >>> result.steps.shape, bool((result.steps >= 1).all() and (result.steps <= 50).all())
        ((4, 4), True)
        >>> bool(np.isin(result.new_goals, FourRoomsEnv.room_states("lower_right")).all())
        True
    """
    env = VectorFourRooms(n_runs, rng, goal=goal, slip_prob=slip_prob)
    room = np.array(FourRoomsEnv.room_states(new_goal_room), dtype=np.int64)
    new_goals = room[rng.integers(len(room), size=n_runs)]
    steps = np.zeros((n_runs, n_episodes), dtype=np.int64)
    switches = np.zeros((n_runs, n_episodes), dtype=np.int64) if isinstance(learner, TabularOptionCritic) else None
    snapshots: dict[int, FloatArray] = {}
    counter = learner if isinstance(learner, TabularOptionCritic) and count_windows else None
    visits: dict[tuple[int, int], IntArray] = {}
    terminations: dict[tuple[int, int], IntArray] = {}
    for first, last in count_windows:
        if not 0 <= first < last <= n_episodes:
            raise ValueError(
                f"count_windows must hold (first, last) with 0 <= first < last <= n_episodes, got {(first, last)}"
            )
        if counter is not None:
            visits[(first, last)] = np.zeros((n_runs, counter.n_states, counter.n_options), dtype=np.int64)
            terminations[(first, last)] = np.zeros_like(visits[(first, last)])
    episode = np.zeros(n_runs, dtype=np.int64)
    length = np.zeros(n_runs, dtype=np.int64)
    all_runs = np.arange(n_runs)
    states = env.reset(all_runs)
    learner.begin(all_runs, states)
    runs = all_runs
    while len(runs):
        s = states[runs]
        actions = learner.act(runs, s)
        next_states, rewards, terminal = env.step(s, actions, runs)
        in_force = counter.options[runs].copy() if counter is not None else None
        learner.update(runs, s, actions, rewards, next_states, terminal)
        if counter is not None and in_force is not None:
            for (first, last), count in visits.items():
                sel = (episode[runs] >= first) & (episode[runs] < last) & ~terminal
                index = (runs[sel], next_states[sel], in_force[sel])
                np.add.at(count, index, 1)
                ends = counter.ended[runs][sel]
                np.add.at(terminations[(first, last)], (index[0][ends], index[1][ends], index[2][ends]), 1)
        length[runs] += 1
        ended = terminal | (length[runs] >= max_steps)
        states[runs] = next_states
        if ended.any():
            done = runs[ended]
            steps[done, episode[done]] = length[done]
            if switches is not None:
                assert isinstance(learner, TabularOptionCritic)
                switches[done, episode[done]] = learner.switches[done]
                learner.switches[done] = 0
            episode[done] += 1
            length[done] = 0
            if isinstance(learner, TabularOptionCritic):
                for snap in snapshot_episodes:
                    reached = done[episode[done] == snap]
                    if len(reached):
                        table = snapshots.setdefault(snap, np.zeros(learner.vartheta.shape))
                        table[reached] = _sigmoid(learner.vartheta[reached])
            moved = done[episode[done] == switch_at]
            env.goals[moved] = new_goals[moved]
            going = done[episode[done] < n_episodes]
            states[going] = env.reset(going)
            learner.begin(going, states[going])
            runs = all_runs[episode < n_episodes]
    return GoalSwitchResult(
        steps=steps,
        new_goals=new_goals,
        snapshots=snapshots,
        switches=switches,
        visits=visits,
        terminations=terminations,
    )
