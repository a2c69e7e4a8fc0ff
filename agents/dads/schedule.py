"""The "on-policy" schedule of DADS on an off-policy learner (Sharma et al., 2020, Algorithm 1; ``ant_xy_onpolicy``).

Each iteration: the replay buffer is cleared, N steps are collected with the current policy, the skill dynamics
takes K1 gradient steps on them (done by :class:`~hrl_wrappers.IntrinsicRewardCallback` with separate batches), the
intrinsic rewards of the whole buffer are computed *once* with the updated model, and the agent takes K2 gradient
steps (the learner's ``gradient_steps``) on the stored rewards. :class:`OnPolicyScheduleCallback` does the clearing
and the one-shot relabelling; the learner's ``train_freq`` (N) and ``gradient_steps`` (K2) do the rest.
"""

from __future__ import annotations

import numpy as np
import torch
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

from hrl_wrappers.rewards.base import IntrinsicReward
from hrl_wrappers.sb3.replay_buffer import RelabelingReplayBuffer

__all__ = ["OnPolicyScheduleCallback"]


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
