"""The rollout buffer of :class:`~agents.OptionCritic`: transitions with their options, next states and critic values."""

from __future__ import annotations

from collections.abc import Generator
from typing import NamedTuple

import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3.common.buffers import BaseBuffer
from stable_baselines3.common.utils import explained_variance

__all__ = ["OptionRolloutBuffer", "OptionRolloutSamples", "option_gae"]


class OptionRolloutSamples(NamedTuple):
    """A minibatch of :class:`OptionRolloutBuffer` (flattened over steps and environments)."""

    observations: th.Tensor
    next_observations: th.Tensor
    actions: th.Tensor
    options: th.Tensor
    old_log_probs: th.Tensor
    advantages: th.Tensor
    returns: th.Tensor
    termination_advantages: th.Tensor
    termination_mask: th.Tensor


def option_gae(
    rewards: np.ndarray,
    dones: np.ndarray,
    q_taken: np.ndarray,
    next_continuation: np.ndarray,
    gamma: float,
    gae_lambda: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Advantages and critic targets over options (GAE with the option-continuation value ``U``).

    With ``delta_t = r_t + gamma (1 - done_t) U(s_{t+1}, w_t) - Q(s_t, w_t)`` and
    ``U(s', w) = (1 - beta_w(s')) Q(s', w) + beta_w(s') V(s')``, the advantage is
    ``A_t = delta_t + gamma lambda (1 - done_t) A_{t+1}`` and the critic target ``A_t + Q(s_t, w_t)``. With
    ``gae_lambda=0`` the target is the paper's one-step target ``r + gamma ((1 - beta) Q(s', w) + beta max Q(s', .))``.

    :param rewards: ``(n_steps, n_envs)`` rewards (time-limit bootstraps already added).
    :param dones: ``(n_steps, n_envs)``: 1 where the episode ended at step t.
    :param q_taken: ``(n_steps, n_envs)``: ``Q(s_t, w_t)``.
    :param next_continuation: ``(n_steps, n_envs)``: ``U(s_{t+1}, w_t)``.
    :param gamma: discount.
    :param gae_lambda: GAE lambda in ``[0, 1]``.
    :return: ``(advantages, returns)``.

    Example:
        >>> adv, ret = option_gae(np.ones((2, 1)), np.zeros((2, 1)), np.zeros((2, 1)), np.ones((2, 1)), 0.5, 0.0)
        >>> ret.ravel().tolist()
        [1.5, 1.5]
    """
    n_steps = rewards.shape[0]
    advantages = np.zeros_like(rewards, dtype=np.float32)
    last = np.zeros(rewards.shape[1:], dtype=np.float32)
    for t in reversed(range(n_steps)):
        not_done = 1.0 - dones[t]
        delta = rewards[t] + gamma * not_done * next_continuation[t] - q_taken[t]
        last = delta + gamma * gae_lambda * not_done * last
        advantages[t] = last
    return advantages, advantages + q_taken


class OptionRolloutBuffer(BaseBuffer):
    """On-policy storage of :class:`~agents.OptionCritic`.

    Besides SB3's rollout data it keeps, per step, the option ``w_t``, the next observation ``s_{t+1}`` (for the
    termination gradient at ``s'``), ``Q(s_t, .)``, ``Q(s_{t+1}, .)`` and ``beta(s_{t+1}, .)`` computed while
    collecting; :meth:`compute_returns_and_advantage` turns them into advantages, critic targets and termination
    advantages ``Q(s', w) - V(s') + xi + deliberation_cost``.
    """

    def __init__(
        self,
        buffer_size: int,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        n_options: int,
        device: th.device | str = "auto",
        gamma: float = 0.99,
        gae_lambda: float = 1.0,
        n_envs: int = 1,
    ) -> None:
        super().__init__(buffer_size, observation_space, action_space, device, n_envs=n_envs)
        self.n_options = n_options
        self.gamma = gamma
        self.gae_lambda = gae_lambda
        self.generator_ready = False
        self.reset()

    def reset(self) -> None:
        shape = (self.buffer_size, self.n_envs)
        self.observations = np.zeros((*shape, *self.obs_shape), dtype=self.observation_space.dtype)
        self.next_observations = np.zeros((*shape, *self.obs_shape), dtype=self.observation_space.dtype)
        self.actions = np.zeros((*shape, self.action_dim), dtype=np.float32)
        self.options = np.zeros(shape, dtype=np.int64)
        self.option_starts = np.zeros(shape, dtype=np.float32)
        self.rewards = np.zeros(shape, dtype=np.float32)
        self.dones = np.zeros(shape, dtype=np.float32)
        self.log_probs = np.zeros(shape, dtype=np.float32)
        self.q_values = np.zeros((*shape, self.n_options), dtype=np.float32)
        self.next_q_values = np.zeros((*shape, self.n_options), dtype=np.float32)
        self.next_terminations = np.zeros((*shape, self.n_options), dtype=np.float32)
        self.next_option_values = np.zeros(shape, dtype=np.float32)
        self.advantages = np.zeros(shape, dtype=np.float32)
        self.returns = np.zeros(shape, dtype=np.float32)
        self.termination_advantages = np.zeros(shape, dtype=np.float32)
        self.explained_variance = float("nan")
        self.generator_ready = False
        super().reset()

    def add(  # type: ignore[override]
        self,
        obs: np.ndarray,
        action: np.ndarray,
        option: np.ndarray,
        option_start: np.ndarray,
        reward: np.ndarray,
        log_prob: np.ndarray,
        q_values: np.ndarray,
    ) -> None:
        """Store step ``self.pos`` (its next-state entries are filled later by :meth:`set_next`)."""
        if isinstance(self.observation_space, spaces.Discrete):
            obs = obs.reshape((self.n_envs, *self.obs_shape))
        self.observations[self.pos] = np.array(obs)
        self.actions[self.pos] = np.array(action).reshape((self.n_envs, self.action_dim))
        self.options[self.pos] = option
        self.option_starts[self.pos] = option_start
        self.rewards[self.pos] = reward
        self.log_probs[self.pos] = log_prob
        self.q_values[self.pos] = q_values
        self.pos += 1
        if self.pos == self.buffer_size:
            self.full = True

    def set_next(
        self,
        index: int,
        next_obs: np.ndarray,
        dones: np.ndarray,
        next_q_values: np.ndarray,
        next_terminations: np.ndarray,
        next_option_values: np.ndarray,
    ) -> None:
        """Store ``s_{t+1}``, ``done_t``, ``Q(s_{t+1}, .)``, ``beta(s_{t+1}, .)`` and ``V(s_{t+1})`` of step ``index``."""
        if isinstance(self.observation_space, spaces.Discrete):
            next_obs = next_obs.reshape((self.n_envs, *self.obs_shape))
        self.next_observations[index] = np.array(next_obs)
        self.dones[index] = dones
        self.next_q_values[index] = next_q_values
        self.next_terminations[index] = next_terminations
        self.next_option_values[index] = next_option_values

    def compute_returns_and_advantage(  # type: ignore[override]
        self, termination_reg: float, deliberation_cost: float
    ) -> None:
        """Fill ``advantages``, ``returns`` (critic targets) and ``termination_advantages`` from the stored values."""
        q_taken = np.take_along_axis(self.q_values, self.options[..., None], axis=-1)[..., 0]
        next_q = np.take_along_axis(self.next_q_values, self.options[..., None], axis=-1)[..., 0]
        next_beta = np.take_along_axis(self.next_terminations, self.options[..., None], axis=-1)[..., 0]
        continuation = (1.0 - next_beta) * next_q + next_beta * (self.next_option_values - deliberation_cost)
        self.advantages, self.returns = option_gae(
            self.rewards, self.dones, q_taken, continuation, self.gamma, self.gae_lambda
        )
        self.explained_variance = float(explained_variance(q_taken.ravel(), self.returns.ravel()))
        self.termination_advantages = (next_q - self.next_option_values + termination_reg + deliberation_cost).astype(
            np.float32
        )

    def get(self, batch_size: int | None = None) -> Generator[OptionRolloutSamples, None, None]:  # type: ignore[override]
        """Minibatches of the whole rollout in a random order (``batch_size=None``: one batch)."""
        assert self.full, "the rollout buffer is not full"
        total = self.buffer_size * self.n_envs
        indices = np.random.permutation(total)
        if not self.generator_ready:
            for name in (
                "observations",
                "next_observations",
                "actions",
                "options",
                "log_probs",
                "advantages",
                "returns",
                "termination_advantages",
                "dones",
            ):
                self.__dict__[name] = self.swap_and_flatten(self.__dict__[name])
            self.generator_ready = True
        size = total if batch_size is None else batch_size
        for start in range(0, total, size):
            yield self._get_samples(indices[start : start + size])

    def _get_samples(self, batch_inds: np.ndarray, env: object = None) -> OptionRolloutSamples:  # type: ignore[override]
        return OptionRolloutSamples(
            observations=self.to_torch(self.observations[batch_inds]),
            next_observations=self.to_torch(self.next_observations[batch_inds]),
            actions=self.to_torch(self.actions[batch_inds]),
            options=self.to_torch(self.options[batch_inds]).long().flatten(),
            old_log_probs=self.to_torch(self.log_probs[batch_inds]).flatten(),
            advantages=self.to_torch(self.advantages[batch_inds]).flatten(),
            returns=self.to_torch(self.returns[batch_inds]).flatten(),
            termination_advantages=self.to_torch(self.termination_advantages[batch_inds]).flatten(),
            termination_mask=self.to_torch(1.0 - self.dones[batch_inds]).flatten(),
        )
