"""Option-Critic's losses and targets against a direct computation of their formulas on hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch as th
from gymnasium import spaces

from agents import OptionCritic
from agents.option_critic import OptionCriticPolicy, option_critic_losses
from agents.option_critic.buffers import OptionRolloutBuffer, option_gae


def _filled_buffer(gae_lambda: float, rewards: np.ndarray, dones: np.ndarray) -> OptionRolloutBuffer:
    rng = np.random.default_rng(0)
    n_steps, n_envs, n_options = rewards.shape[0], rewards.shape[1], 3
    buf = OptionRolloutBuffer(
        n_steps, spaces.Box(-1, 1, (2,)), spaces.Discrete(2), n_options, "cpu", gamma=0.9, gae_lambda=gae_lambda, n_envs=n_envs
    )
    for t in range(n_steps):
        q = rng.normal(size=(n_envs, n_options)).astype(np.float32)
        buf.add(
            np.zeros((n_envs, 2)),
            np.zeros(n_envs),
            rng.integers(n_options, size=n_envs),
            np.ones(n_envs),
            rewards[t],
            np.zeros(n_envs),
            q,
        )
        next_q = rng.normal(size=(n_envs, n_options)).astype(np.float32)
        beta = rng.uniform(size=(n_envs, n_options)).astype(np.float32)
        buf.set_next(t, np.zeros((n_envs, 2)), dones[t], next_q, beta, next_q.max(axis=1))
    return buf


def test_one_step_critic_target_is_the_papers() -> None:
    """gae_lambda=0: target = r + gamma ((1 - beta_w(s')) Q(s', w) + beta_w(s') max Q(s', .)); r alone at episode ends."""
    rewards = np.array([[1.0, 0.0], [0.5, 2.0], [0.0, 1.0]], dtype=np.float32)
    dones = np.array([[0, 0], [1, 0], [0, 0]], dtype=np.float32)
    buf = _filled_buffer(0.0, rewards, dones)
    buf.compute_returns_and_advantage(termination_reg=0.01, deliberation_cost=0.0)
    for t in range(3):
        for e in range(2):
            w = buf.options[t, e]
            beta, q_next = buf.next_terminations[t, e, w], buf.next_q_values[t, e]
            expected = rewards[t, e] + 0.9 * (1 - dones[t, e]) * ((1 - beta) * q_next[w] + beta * q_next.max())
            assert buf.returns[t, e] == pytest.approx(expected, abs=1e-5)
            assert buf.advantages[t, e] == pytest.approx(expected - buf.q_values[t, e, w], abs=1e-5)
            assert buf.termination_advantages[t, e] == pytest.approx(q_next[w] - q_next.max() + 0.01, abs=1e-6)


def test_deliberation_cost_enters_the_target_and_the_termination_advantage() -> None:
    rewards = np.ones((1, 1), dtype=np.float32)
    buf = _filled_buffer(0.0, rewards, np.zeros((1, 1), dtype=np.float32))
    buf.compute_returns_and_advantage(termination_reg=0.01, deliberation_cost=0.2)
    w = buf.options[0, 0]
    beta, q_next = buf.next_terminations[0, 0, w], buf.next_q_values[0, 0]
    assert buf.returns[0, 0] == pytest.approx(1 + 0.9 * ((1 - beta) * q_next[w] + beta * (q_next.max() - 0.2)), abs=1e-5)
    assert buf.termination_advantages[0, 0] == pytest.approx(q_next[w] - q_next.max() + 0.01 + 0.2, abs=1e-6)


def test_option_gae_with_lambda_one_sums_the_td_errors() -> None:
    r = np.array([[1.0], [2.0], [3.0]])
    q = np.array([[0.5], [0.2], [0.1]])
    u = np.array([[0.3], [0.4], [0.6]])
    d = np.array([[0.0], [1.0], [0.0]])
    g = 0.9
    adv, ret = option_gae(r, d, q, u, g, 1.0)
    delta = r[:, 0] + g * (1 - d[:, 0]) * u[:, 0] - q[:, 0]
    expected = [delta[0] + g * delta[1], delta[1], delta[2]]  # the episode ends after step 1
    assert adv[:, 0] == pytest.approx(expected)
    assert ret[:, 0] == pytest.approx(np.array(expected) + q[:, 0])


def test_collected_rollout_uses_the_one_step_target() -> None:
    """The whole collection path: stored values from the live networks give the paper's target (gae_lambda=0)."""
    model = OptionCritic("MlpPolicy", "CartPole-v1", n_options=3, n_steps=16, gae_lambda=0.0, gamma=0.95, seed=1, device="cpu")
    model.learn(16)  # one rollout (then one update, which does not touch the buffer's values)
    buf = model.rollout_buffer
    # the update changed the networks: the targets come from the values stored while collecting
    q_next, beta_next = buf.next_q_values.reshape(16, 3), buf.next_terminations.reshape(16, 3)
    w = buf.options.reshape(16)
    rows = np.arange(16)
    dones = buf.dones.reshape(16)
    expected = buf.rewards.reshape(16) + 0.95 * (1 - dones) * (
        (1 - beta_next[rows, w]) * q_next[rows, w] + beta_next[rows, w] * q_next.max(axis=1)
    )
    assert buf.returns.reshape(16) == pytest.approx(expected, abs=1e-5)


def test_termination_gradient_sign() -> None:
    """Descending the termination loss lowers beta where Q(s', w) - V(s') + xi > 0 and raises it where it is < 0."""
    q_next = th.tensor([[2.0, 1.0], [2.0, 1.0]])
    options = th.tensor([0, 1])  # row 0: the best option (advantage xi > 0); row 1: a worse one (advantage -0.99)
    xi = 0.01
    term_adv = q_next.gather(1, options.view(-1, 1)).squeeze(1) - q_next.max(1).values + xi
    logits = th.zeros(2, requires_grad=True)
    beta = th.sigmoid(logits)
    zeros = th.zeros(2)
    loss = option_critic_losses(zeros, zeros, zeros, zeros, zeros, beta, term_adv, th.ones(2))["termination_loss"]
    loss.backward()
    assert logits.grad is not None
    direct = (0.5 * 0.5 * term_adv / 2).numpy()  # d/dlogit mean(sigmoid(logit) * A) = beta (1 - beta) A / N
    assert logits.grad.numpy() == pytest.approx(direct)
    assert logits.grad[0] > 0 > logits.grad[1]  # a gradient step lowers beta_0 and raises beta_1
    masked = option_critic_losses(zeros, zeros, zeros, zeros, zeros, beta, term_adv, th.zeros(2))["termination_loss"]
    assert float(masked.detach()) == 0.0  # no termination gradient at the end of an episode


def test_termination_gradient_step_through_the_policy() -> None:
    """One optimizer step on the termination loss moves beta_w(s') the way the sign of the advantage says."""
    policy = OptionCriticPolicy(spaces.Box(-1, 1, (3,)), spaces.Discrete(2), lambda _: 0.1, n_options=2, net_arch=[8])
    policy.optimizer = th.optim.SGD(policy.termination_net.parameters(), lr=1.0)
    s_next = th.ones(2, 3)
    before = policy.terminations(s_next).detach()
    options = th.tensor([0, 1])
    beta = policy.terminations(s_next).gather(1, options.view(-1, 1)).squeeze(1)
    adv = th.tensor([0.5, -0.5])
    zeros = th.zeros(2)
    loss = option_critic_losses(zeros, zeros, zeros, zeros, zeros, beta, adv, th.ones(2))["termination_loss"]
    policy.optimizer.zero_grad()
    loss.backward()
    policy.optimizer.step()
    after = policy.terminations(s_next).detach()
    assert after[0, 0] < before[0, 0] and after[1, 1] > before[1, 1]


def test_policy_entropy_and_value_losses() -> None:
    q = th.tensor([1.0, 2.0])
    g = th.tensor([1.5, 1.0])
    logp = th.log(th.tensor([0.5, 0.25]))
    adv = g - q
    ent = th.tensor([0.6, 0.2])
    zeros = th.zeros(2)
    losses = option_critic_losses(q, g, logp, adv, ent, zeros, zeros, zeros)
    assert float(losses["value_loss"]) == pytest.approx(((0.5**2) + 1.0) / 2)
    assert float(losses["policy_loss"]) == pytest.approx(-(np.log(0.5) * 0.5 + np.log(0.25) * -1.0) / 2)
    assert float(losses["entropy_loss"]) == pytest.approx(-0.4)
    old = logp + th.tensor([-0.5, 0.5])  # ratios e^0.5 (clipped to 1.2 for A > 0) and e^-0.5 (to 0.8 for A < 0)
    clipped = option_critic_losses(q, g, logp, adv, ent, zeros, zeros, zeros, old_log_prob=old, clip_range=0.2)
    expected = -(min(np.exp(0.5) * 0.5, 1.2 * 0.5) + min(np.exp(-0.5) * -1.0, 0.8 * -1.0)) / 2
    assert float(clipped["policy_loss"]) == pytest.approx(expected, rel=1e-5)
