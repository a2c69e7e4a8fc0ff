"""The "on-policy" schedule of DADS on an off-policy learner (Sharma et al., 2020, Algorithm 1; ``ant_xy_onpolicy``).

Each iteration: the replay buffer is cleared, N steps are collected with the current policy, the skill dynamics
takes K1 gradient steps on them (done by :class:`~hrl_wrappers.IntrinsicRewardCallback` with separate batches), the
intrinsic rewards of the whole buffer are computed *once* with the updated model, and the agent takes K2 gradient
steps (the learner's ``gradient_steps``) on the stored rewards. :class:`OnPolicyScheduleCallback` does the clearing
and the one-shot relabelling; the learner's ``train_freq`` (N) and ``gradient_steps`` (K2) do the rest.
:class:`FreshDataLikelihoodCallback` scores each iteration's new data with the skill dynamics *before* its K1 steps:
a held-out log-likelihood, where the ``dads/log_likelihood`` of the K1 steps is measured on the batches it trains on.
"""

from __future__ import annotations

import numpy as np
import torch
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

from hrl_wrappers.rewards.base import IntrinsicReward
from hrl_wrappers.rewards.dads import DADSReward
from hrl_wrappers.sb3.replay_buffer import RelabelingReplayBuffer

__all__ = ["FreshDataLikelihoodCallback", "OnPolicyScheduleCallback"]


class OnPolicyScheduleCallback(BaseCallback):
    """Clear the replay buffer before each collection and label its rewards once after the reward model trained.

    Place it *after* the :class:`~hrl_wrappers.IntrinsicRewardCallback` that trains the reward model, so that the
    rewards come from the model updated on this iteration's data.

    :param reward: the reward model.
    :param chunk_size: transitions scored per forward pass when labelling the buffer.
    :param verbose: verbosity.
    """

    def __init__(self, reward: IntrinsicReward, chunk_size: int = 4096, verbose: int = 0) -> None:
        super().__init__(verbose)
        self.reward = reward
        self.chunk_size = int(chunk_size)
        self.n_cleared = 0

    def _init_callback(self) -> None:
        if not isinstance(self.model, OffPolicyAlgorithm) or not isinstance(self.model.replay_buffer, RelabelingReplayBuffer):
            raise TypeError("OnPolicyScheduleCallback needs an off-policy learner with a RelabelingReplayBuffer (Box obs)")

    def _on_step(self) -> bool:
        return True

    def _on_rollout_start(self) -> None:
        assert isinstance(self.model, OffPolicyAlgorithm)
        buffer = self.model.replay_buffer
        assert isinstance(buffer, RelabelingReplayBuffer)
        if buffer.size() > 0:
            buffer.reset()
            self.n_cleared += 1
        buffer.relabel = True

    def _on_rollout_end(self) -> None:
        assert isinstance(self.model, OffPolicyAlgorithm)
        buffer = self.model.replay_buffer
        assert isinstance(buffer, RelabelingReplayBuffer)
        n = buffer.size()
        if n == 0:
            return
        obs = buffer.observations[:n].reshape(n * buffer.n_envs, -1)
        next_obs = buffer.next_observations[:n].reshape(n * buffer.n_envs, -1)
        r_int = np.empty(n * buffer.n_envs, dtype=np.float32)
        with torch.no_grad():
            for start in range(0, len(obs), self.chunk_size):
                sl = slice(start, start + self.chunk_size)
                r_int[sl] = self.reward.reward(obs[sl], next_obs[sl])
        per_env = r_int.reshape(n, buffer.n_envs)
        env_rewards = buffer.rewards[:n]
        buffer.rewards[:n] = buffer.intrinsic_coef * per_env + buffer.extrinsic_coef * env_rewards
        buffer.relabel = False  # the agent's K2 steps use these rewards, as the reference does
        buffer.last_intrinsic_reward = float(r_int.mean())
        self.logger.record(f"{self.reward.log_prefix}/buffer_intrinsic_reward", float(r_int.mean()))


class FreshDataLikelihoodCallback(BaseCallback):
    """Log the skill dynamics' mean log q(delta | s, z) of each iteration's new data, before the model trains on it.

    Place it *before* the callback that trains the skill dynamics, with the on-policy schedule (the buffer holds
    exactly this iteration's N steps). The value, in the same normalised units as ``dads/log_likelihood``, goes to
    ``dads/log_likelihood_fresh`` and :attr:`last_log_likelihood`; no normaliser statistics change.

    :param reward: the skill-dynamics model.
    :param chunk_size: transitions scored per forward pass.
    :param verbose: verbosity.
    """

    def __init__(self, reward: DADSReward, chunk_size: int = 4096, verbose: int = 0) -> None:
        super().__init__(verbose)
        self.reward = reward
        self.chunk_size = int(chunk_size)
        self.last_log_likelihood = float("nan")

    def _on_step(self) -> bool:
        return True

    def _on_rollout_end(self) -> None:
        buffer = getattr(self.model, "replay_buffer", None)
        if not isinstance(buffer, RelabelingReplayBuffer) or buffer.size() == 0:
            return
        n = buffer.size()
        obs = buffer.observations[:n].reshape(n * buffer.n_envs, -1)
        next_obs = buffer.next_observations[:n].reshape(n * buffer.n_envs, -1)
        device = self.reward.device
        total = 0.0
        with torch.no_grad():
            for start in range(0, len(obs), self.chunk_size):
                sl = slice(start, start + self.chunk_size)
                o, o2 = torch.as_tensor(obs[sl], device=device), torch.as_tensor(next_obs[sl], device=device)
                total += float(self.reward.transition_log_prob(o, o2).sum())
        self.last_log_likelihood = total / len(obs)
        self.logger.record(f"{self.reward.log_prefix}/log_likelihood_fresh", self.last_log_likelihood)
