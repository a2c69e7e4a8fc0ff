"""Rollout buffers that rewrite rewards with a reward model *before* returns and advantages are computed.

SB3's on-policy loop calls ``rollout_buffer.compute_returns_and_advantage`` before ``callback.on_rollout_end``, so a
callback cannot change the rewards that GAE sees. These buffers override ``compute_returns_and_advantage``: they
recompute every reward of the rollout as

    reward = intrinsic_coef * r_intrinsic(s, s') + extrinsic_coef * r_env + timeout_bootstrap

and then run SB3's GAE. ``timeout_bootstrap`` is the ``gamma * V(terminal_obs)`` that SB3 adds to the reward of a
truncated step; it is kept. The next observations (with ``terminal_observation`` substituted at episode ends) and the
raw environment rewards are recorded by :class:`~hrl_wrappers.sb3.callbacks.IntrinsicRewardCallback` at each step,
because ``RolloutBuffer.add`` receives neither.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.buffers import DictRolloutBuffer, RolloutBuffer

from hrl_wrappers.rewards.base import IntrinsicReward, check_relabeling_arguments
from hrl_wrappers.sb3.terminal import true_next_observations

__all__ = ["RelabelingDictRolloutBuffer", "RelabelingRolloutBuffer", "relabeling_rollout_buffer_class"]


class _RolloutRelabelingMixin:
    """Shared state and logic of the Box and Dict relabelling rollout buffers."""

    buffer_size: int
    n_envs: int
    pos: int
    rewards: np.ndarray
    observation_space: spaces.Space
    obs_shape: Any
    reward_model: IntrinsicReward | None

    def _init_relabeling(self, reward: IntrinsicReward | None, intrinsic_coef: float, extrinsic_coef: float) -> None:
        space = getattr(self, "observation_space", None)
        check_relabeling_arguments(type(self).__name__, reward, intrinsic_coef, extrinsic_coef, space)
        self.reward_model = reward
        self.intrinsic_coef = float(intrinsic_coef)
        self.extrinsic_coef = float(extrinsic_coef)

    def attach(self, reward: IntrinsicReward) -> None:
        """Attach the reward model."""
        self.reward_model = reward

    def _reset_relabeling(self) -> None:
        shape = (self.buffer_size, self.n_envs)
        if isinstance(self.observation_space, spaces.Dict):
            self.next_observations: Any = {
                k: np.zeros((*shape, *s), dtype=self.observation_space[k].dtype) for k, s in self.obs_shape.items()
            }
        else:
            self.next_observations = np.zeros((*shape, *self.obs_shape), dtype=self.observation_space.dtype)
        self.env_rewards = np.zeros(shape, dtype=np.float32)
        self.intrinsic_rewards = np.zeros(shape, dtype=np.float32)
        self.recorded = np.zeros(self.buffer_size, dtype=bool)

    def record_transition(
        self, next_obs: Any, env_rewards: np.ndarray, dones: np.ndarray, infos: list[dict[str, Any]]
    ) -> None:
        """Store s' (the terminal observation where an episode ended) and the env reward of the step about to be added.

        Called from a callback's ``_on_step``, which runs before ``add`` for the same step.
        """
        if self.pos >= self.buffer_size:
            return
        nxt = true_next_observations(next_obs, dones, infos)
        if isinstance(nxt, dict):
            for k, v in nxt.items():
                self.next_observations[k][self.pos] = np.asarray(v).reshape((self.n_envs, *self.obs_shape[k]))
        else:
            self.next_observations[self.pos] = np.asarray(nxt).reshape((self.n_envs, *self.obs_shape))
        self.env_rewards[self.pos] = np.asarray(env_rewards, dtype=np.float32)
        self.recorded[self.pos] = True

    def flat_pairs(self) -> tuple[Any, Any]:
        """All (obs, next_obs) of the rollout, flattened to ``(buffer_size * n_envs, ...)``."""
        n = self.buffer_size * self.n_envs
        obs: Any = self.observations  # type: ignore[attr-defined]
        if isinstance(obs, dict):
            return (
                {k: v.reshape((n, *v.shape[2:])) for k, v in obs.items()},
                {k: v.reshape((n, *v.shape[2:])) for k, v in self.next_observations.items()},
            )
        return obs.reshape((n, *obs.shape[2:])), self.next_observations.reshape((n, *obs.shape[2:]))

    def relabel_rewards(self) -> None:
        """Rewrite ``self.rewards`` from the reward model, keeping SB3's timeout bootstrap."""
        if self.reward_model is None:
            raise RuntimeError(f"{type(self).__name__} has no reward model: pass rollout_buffer_kwargs={{'reward': model}}")
        if not self.recorded.all():
            raise RuntimeError(
                f"{type(self).__name__} did not receive the next observations of {int((~self.recorded).sum())} steps: "
                "train with hrl_wrappers.IntrinsicRewardCallback (it records them at each step)"
            )
        obs, next_obs = self.flat_pairs()
        r_int = self.reward_model.reward(obs, next_obs).reshape(self.buffer_size, self.n_envs).astype(np.float32)
        bootstrap = self.rewards - self.env_rewards
        self.intrinsic_rewards = r_int
        self.rewards = self.intrinsic_coef * r_int + self.extrinsic_coef * self.env_rewards + bootstrap


class RelabelingRolloutBuffer(_RolloutRelabelingMixin, RolloutBuffer):
    """A :class:`~stable_baselines3.common.buffers.RolloutBuffer` whose rewards come from a reward model.

    Takes SB3's rollout-buffer arguments plus:

    :param reward: the reward model.
    :param intrinsic_coef: weight of the intrinsic reward.
    :param extrinsic_coef: weight of the environment reward.
    """

    def __init__(
        self,
        buffer_size: int,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        device: torch.device | str = "auto",
        gae_lambda: float = 1,
        gamma: float = 0.99,
        n_envs: int = 1,
        reward: IntrinsicReward | None = None,
        intrinsic_coef: float = 1.0,
        extrinsic_coef: float = 0.0,
    ) -> None:
        self._init_relabeling(reward, intrinsic_coef, extrinsic_coef)
        super().__init__(buffer_size, observation_space, action_space, device, gae_lambda, gamma, n_envs)

    def reset(self) -> None:
        super().reset()
        self._reset_relabeling()

    def compute_returns_and_advantage(self, last_values: torch.Tensor, dones: np.ndarray) -> None:
        self.relabel_rewards()
        super().compute_returns_and_advantage(last_values, dones)


class RelabelingDictRolloutBuffer(_RolloutRelabelingMixin, DictRolloutBuffer):  # type: ignore[misc]
    """The Dict-observation version of :class:`RelabelingRolloutBuffer` (same extra arguments)."""

    def __init__(
        self,
        buffer_size: int,
        observation_space: spaces.Dict,
        action_space: spaces.Space,
        device: torch.device | str = "auto",
        gae_lambda: float = 1,
        gamma: float = 0.99,
        n_envs: int = 1,
        reward: IntrinsicReward | None = None,
        intrinsic_coef: float = 1.0,
        extrinsic_coef: float = 0.0,
    ) -> None:
        self._init_relabeling(reward, intrinsic_coef, extrinsic_coef)
        super().__init__(buffer_size, observation_space, action_space, device, gae_lambda, gamma, n_envs)

    def reset(self) -> None:
        super().reset()
        self._reset_relabeling()

    def compute_returns_and_advantage(self, last_values: torch.Tensor, dones: np.ndarray) -> None:
        self.relabel_rewards()
        super().compute_returns_and_advantage(last_values, dones)


def relabeling_rollout_buffer_class(observation_space: spaces.Space) -> type[RolloutBuffer]:
    """:class:`RelabelingDictRolloutBuffer` for Dict observation spaces, :class:`RelabelingRolloutBuffer` otherwise."""
    return RelabelingDictRolloutBuffer if isinstance(observation_space, spaces.Dict) else RelabelingRolloutBuffer
