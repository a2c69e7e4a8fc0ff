"""HIRO's off-policy correction buffer: candidates, the log-probability formula, the winner, and hindsight goals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from gymnasium import spaces

from hrl_wrappers.sb3.off_policy_correction import OffPolicyCorrectionReplayBuffer

C = 4
GOAL_LOW, GOAL_HIGH = np.array([-2.0, -1.0]), np.array([2.0, 1.0])


def low_policy(obs: np.ndarray, goals: np.ndarray) -> np.ndarray:
    """A hand-made deterministic low level: a = clip(0.5 g + 0.1 o_0, -1, 1) (2-D actions)."""
    return np.clip(0.5 * goals + 0.1 * obs[:, :1], -1.0, 1.0)


def make_buffer(**kwargs: Any) -> OffPolicyCorrectionReplayBuffer:
    box = spaces.Box(-np.inf, np.inf, (5,), np.float32)
    act = spaces.Box(GOAL_LOW.astype(np.float32), GOAL_HIGH.astype(np.float32))
    defaults: dict[str, Any] = {
        "c": C,
        "low_obs_dim": 1,
        "low_action_dim": 2,
        "goal_low": GOAL_LOW,
        "goal_high": GOAL_HIGH,
        "device": "cpu",
        "seed": 0,
    }
    buf = OffPolicyCorrectionReplayBuffer(100, box, act, **{**defaults, **kwargs})
    buf.attach(low_policy)
    return buf


def rollout(goal: np.ndarray, n_steps: int = C, seed: int = 0) -> dict[str, np.ndarray]:
    """States (goal dims), low-level observations and the actions ``low_policy`` takes pursuing ``goal`` via h."""
    rng = np.random.default_rng(seed)
    states = np.cumsum(rng.normal(scale=0.3, size=(C + 1, 2)), axis=0)
    obs = rng.normal(size=(C, 1))
    actions = np.zeros((C, 2))
    g = goal.copy()
    for i in range(n_steps):
        actions[i] = low_policy(obs[i : i + 1], g[None])[0]
        g = states[i] + g - states[i + 1]  # h(s, g, s')
    return {"states": states, "obs": obs, "actions": actions}


def add(buf: OffPolicyCorrectionReplayBuffer, stored_goal: np.ndarray, data: dict[str, np.ndarray], n_steps: int = C) -> None:
    buf.add(
        np.zeros((1, 5)),
        np.zeros((1, 5)),
        buf.goal_to_action(stored_goal)[None],
        np.zeros(1),
        np.zeros(1),
        [{}],
        low_observations=data["obs"][None],
        low_actions=data["actions"][None],
        goal_states=data["states"][None],
        n_low_steps=np.array([n_steps]),
    )


def direct_log_prob(candidate: np.ndarray, data: dict[str, np.ndarray], n_steps: int) -> float:
    """-1/2 sum_i ||a_i - mu(o_i, g_i)||^2 with g_i rolled forward step by step with h."""
    total, g = 0.0, candidate.copy()
    for i in range(n_steps):
        mu = low_policy(data["obs"][i : i + 1], g[None])[0]
        total += -0.5 * float(np.sum((data["actions"][i] - mu) ** 2))
        g = data["states"][i] + g - data["states"][i + 1]
    return total


def test_candidates_are_original_diff_and_clipped_gaussians() -> None:
    buf = make_buffer(n_candidates=10)
    data = rollout(np.array([0.3, 0.2]))
    add(buf, np.array([1.5, -0.5]), data)
    cand = buf.candidate_goals(np.zeros(2000, dtype=int), np.zeros(2000, dtype=int))
    assert cand.shape == (2000, 10, 2)
    np.testing.assert_allclose(cand[:, 0], [[1.5, -0.5]] * 2000, atol=1e-6)
    diff = np.clip(data["states"][C] - data["states"][0], GOAL_LOW, GOAL_HIGH)
    np.testing.assert_allclose(cand[:, 1], np.broadcast_to(diff, (2000, 2)), atol=1e-6)
    samples = cand[:, 2:].reshape(-1, 2)
    assert np.all(samples >= GOAL_LOW - 1e-6) and np.all(samples <= GOAL_HIGH + 1e-6)
    # std 0.5 x half range (2 and 1) around the difference, before clipping: check with the unclipped middle
    inner = samples[np.all((samples > GOAL_LOW + 1e-3) & (samples < GOAL_HIGH - 1e-3), axis=1)]
    assert abs(np.median(inner[:, 0]) - diff[0]) < 0.2


@pytest.mark.parametrize("n_steps", [C, 2])
def test_log_probs_match_formula_and_best_candidate_wins(n_steps: int) -> None:
    buf = make_buffer()
    data = rollout(np.array([0.8, -0.4]), n_steps=n_steps, seed=3)
    add(buf, np.array([-1.0, 0.9]), data, n_steps=n_steps)
    idx = np.zeros(1, dtype=int)
    buf.rng = np.random.default_rng(7)
    cand = buf.candidate_goals(idx, idx)
    log_probs = buf.candidate_log_probs(idx, idx, cand)
    direct = np.array([direct_log_prob(c, data, n_steps) for c in cand[0]])
    np.testing.assert_allclose(log_probs[0], direct, rtol=1e-5, atol=1e-6)
    buf.rng = np.random.default_rng(7)  # the same candidates again
    goals, winner = buf.correct_goals(idx, idx)
    assert winner[0] == int(np.argmax(direct))
    np.testing.assert_allclose(goals[0], cand[0, np.argmax(direct)])


def test_original_goal_wins_when_the_policy_is_unchanged_and_diff_when_it_explains_the_actions() -> None:
    buf = make_buffer()
    idx = np.zeros(1, dtype=int)
    true_goal = np.array([0.8, -0.4])
    add(buf, true_goal, rollout(true_goal, seed=1))
    _, winner = buf.correct_goals(idx, idx)
    assert winner[0] == 0
    data = rollout(np.zeros(2), seed=2)
    diff = data["states"][C] - data["states"][0]
    data = rollout(diff, seed=2)  # the actions pursue s_(t+c) - s_t, the stored goal is something else
    buf2 = make_buffer()
    add(buf2, np.array([-1.9, 0.9]), data)
    goals, winner = buf2.correct_goals(idx, idx)
    assert winner[0] == 1
    np.testing.assert_allclose(goals[0], diff, atol=1e-6)
    assert buf2.pop_winner_fractions() == {"original": 0.0, "diff": 1.0, "sampled": 0.0}


def test_sample_returns_the_corrected_goal_and_can_be_switched_off() -> None:
    data = rollout(np.zeros(2), seed=2)
    diff = data["states"][C] - data["states"][0]
    data = rollout(diff, seed=2)
    stored = np.array([-1.9, 0.9])
    on, off = make_buffer(), make_buffer(correction=False)
    for buf in (on, off):
        add(buf, stored, data)
    np.testing.assert_allclose(on.sample(3).actions.numpy(), np.broadcast_to(on.goal_to_action(diff), (3, 2)), atol=1e-5)
    np.testing.assert_allclose(off.sample(3).actions.numpy(), np.broadcast_to(off.goal_to_action(stored), (3, 2)), atol=1e-6)


def test_missing_policy_and_bad_arguments() -> None:
    buf = make_buffer()
    buf.attach(None)
    add(buf, np.zeros(2), rollout(np.zeros(2)))
    with pytest.raises(RuntimeError, match="attach"):
        buf.sample(2)
    with pytest.raises(ValueError, match="c must be >= 1"):
        make_buffer(c=0)
    with pytest.raises(ValueError, match="n_low_steps"):
        add(make_buffer(), np.zeros(2), rollout(np.zeros(2)), n_steps=C + 1)
    with pytest.raises(ValueError, match="hindsight_ratio"):
        make_buffer(hindsight_ratio=1.5)


def sparse_reward(achieved: np.ndarray, desired: np.ndarray) -> np.ndarray:
    return (np.linalg.norm(achieved - desired, axis=-1) <= 0.45).astype(np.float64)


def hindsight_buffer(success_distance: float | None = 0.45) -> OffPolicyCorrectionReplayBuffer:
    return make_buffer(
        correction=False,
        hindsight_ratio=1.0,
        desired_goal_slice=(3, 5),
        goal_reward_fn=sparse_reward,
        reward_scale=0.1,
        success_distance=success_distance,
    )


def test_hindsight_rewards_match_formula() -> None:
    achieved = np.array([[0.0, 0.0], [1.0, 0.0], [1.1, 0.1], [3.0, 0.0]])
    goal = np.array([[1.0, 0.0]])
    for distance, reward, done in ((0.45, 0.1 * 1.0, True), (None, 0.1 * 2.0, False)):
        buf = hindsight_buffer(distance)
        data = rollout(np.zeros(2))
        buf.add(np.zeros((1, 5)), np.zeros((1, 5)), np.zeros((1, 2)), np.zeros(1), np.zeros(1), [{}],
                low_observations=data["obs"][None], low_actions=data["actions"][None], goal_states=data["states"][None],
                n_low_steps=np.array([C]), achieved_goals=achieved[None])  # fmt: skip
        r, d = buf.hindsight_rewards(np.array([0]), goal)
        # sum over steps of r(achieved_i, goal): with a success distance, up to the first success (step 1) only
        assert r[0] == pytest.approx(reward) and bool(d[0]) == done


def test_hindsight_goals_come_from_later_in_the_same_episode() -> None:
    buf = hindsight_buffer()
    data = rollout(np.zeros(2))
    # two interleaved episodes (env 0 and env 1); achieved goals encode (episode, transition index * 10 + step)
    for t in range(3):
        for env in (0, 1):
            achieved = np.array([[env, 10 * t + j] for j in range(C)], dtype=np.float64)
            done = np.array([float(t == 2)])
            obs = np.zeros((1, 5))
            buf.add(obs, obs, np.zeros((1, 2)), np.zeros(1), done, [{}], low_observations=data["obs"][None],
                    low_actions=data["actions"][None], goal_states=data["states"][None], n_low_steps=np.array([C]),
                    achieved_goals=achieved[None], episode_key=env)  # fmt: skip
    positions = np.arange(6)
    for _ in range(20):
        goals, found = buf.future_goals(positions)
        assert found.all()
        for pos, goal in zip(positions, goals, strict=True):
            env, t = pos % 2, pos // 2
            assert goal[0] == env and goal[1] >= 10 * t  # same episode, this transition or later
    torch.manual_seed(0)
    batch = buf.sample(16)
    desired = batch.observations[:, 3:5].numpy()
    assert np.all(desired[:, 0] <= 1) and np.all(batch.rewards.numpy() >= 0)
