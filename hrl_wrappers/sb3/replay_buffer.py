"""Replay buffers whose rewards are recomputed at *sample* time by the current reward model.

A learned reward (DIAYN's discriminator, DADS's skill dynamics) changes while the agent trains, so rewards stored
at collection time go stale. As SB3's ``HerReplayBuffer`` recomputes rewards when it samples, these buffers call
``reward_model.reward_th(obs, next_obs)`` on every sampled batch and return

    reward = intrinsic_coef * r_intrinsic + extrinsic_coef * r_env.

When :class:`~hrl_wrappers.sb3.callbacks.IntrinsicRewardCallback` has reward-model updates due
(``pending_updates``), the buffer takes them on the learner's own sampled batches with
``reward_model.reward_and_update_th``: the reward is computed first, under the model as it was, and the same forward
pass then trains the model (one pass instead of three; the original DIAYN code trains its discriminator on SAC's
minibatch in the same way).

:class:`RelabelingReplayBuffer` is for Box observations, :class:`RelabelingDictReplayBuffer` for Dict ones; use
:func:`relabeling_replay_buffer_class` to pick. The reward model is not pickled with the buffer (it is saved with
the agent); re-attach it with :meth:`attach` after ``load_replay_buffer``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.buffers import DictReplayBuffer, ReplayBuffer
from stable_baselines3.common.type_aliases import DictReplayBufferSamples, ReplayBufferSamples
from stable_baselines3.common.vec_env import VecNormalize

from hrl_wrappers.rewards.base import IntrinsicReward, check_relabeling_arguments

__all__ = ["RelabelingDictReplayBuffer", "RelabelingReplayBuffer", "relabeling_replay_buffer_class"]


def _total(x: Any) -> torch.Tensor:
    """Sum of every floating-point value of a tensor or dict of tensors (NaN or infinite if any value is)."""
    values = x.values() if isinstance(x, dict) else [x]
    return sum((v.sum() for v in values if v.is_floating_point()), torch.zeros((), device=next(iter(values)).device))


class _RelabelingMixin:
    """Sample-time relabelling shared by the Box and Dict replay buffers."""

    reward_model: IntrinsicReward | None
    intrinsic_coef: float
    extrinsic_coef: float
    device: torch.device

    def _init_relabeling(self, reward: IntrinsicReward | None, intrinsic_coef: float, extrinsic_coef: float) -> None:
        space = getattr(self, "observation_space", None)
        check_relabeling_arguments(type(self).__name__, reward, intrinsic_coef, extrinsic_coef, space)
        self.reward_model = reward
        self.intrinsic_coef = float(intrinsic_coef)
        self.extrinsic_coef = float(extrinsic_coef)
        self.relabel = True
        #: mean intrinsic reward of the last relabelled batch (for logging).
        self.last_intrinsic_reward = float("nan")
        #: reward-model gradient steps to take on the next sampled batches (set by IntrinsicRewardCallback).
        self.pending_updates = 0
        #: gradient clipping of those steps.
        self.update_max_grad_norm: float | None = None
        #: compute the model's metrics on every this-many-th of those steps (metrics cost a few syncs).
        self.metrics_every = 10
        #: metrics of the steps taken since the callback last collected them.
        self.update_metrics: list[dict[str, float]] = []
        self.n_fused_updates = 0

    def attach(self, reward: IntrinsicReward) -> None:
        """(Re-)attach the reward model, e.g. after loading the buffer from disk."""
        self.reward_model = reward

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["reward_model"] = None  # saved with the agent, re-attached on load
        return state

    def _raw_pair(self, samples: Any, env: VecNormalize | None) -> tuple[Any, Any]:
        obs, next_obs = samples.observations, samples.next_observations
        if env is None:
            return obs, next_obs

        def unnormalize(x: Any) -> Any:
            if isinstance(x, dict):
                arr: Any = {k: v.cpu().numpy() for k, v in x.items()}
            else:
                arr = x.cpu().numpy()
            return env.unnormalize_obs(arr)

        return unnormalize(obs), unnormalize(next_obs)

    @staticmethod
    def _name_non_finite(model: IntrinsicReward, obs: Any, next_obs: Any) -> None:
        """Raise the error that names which sampled observations hold NaN or infinite values, if any do."""
        model.to_tensor(obs, "observations sampled from the replay buffer")
        model.to_tensor(next_obs, "next_observations sampled from the replay buffer")

    def _relabel(self, samples: Any, env: VecNormalize | None) -> Any:
        if not self.relabel:
            return samples
        if self.intrinsic_coef == 0.0:
            return samples._replace(rewards=self.extrinsic_coef * samples.rewards)
        if self.reward_model is None:
            raise RuntimeError(
                f"{type(self).__name__} has no reward model: pass replay_buffer_kwargs={{'reward': model}} "
                "or call replay_buffer.attach(model) (needed after load_replay_buffer)"
            )
        model = self.reward_model
        obs, next_obs = self._raw_pair(samples, env)
        # NaN and infinities are caught from one scalar read (below) and from the training loss, not by scanning
        # every sampled observation each step with its own read; the scan runs only to name the culprit
        obs_t = model.to_tensor(obs, "observations", check_finite=False)
        next_obs_t = model.to_tensor(next_obs, "next_observations", check_finite=False)
        try:
            if self.pending_updates > 0:
                # the reward model is due a gradient step: take it on this batch, sharing the forward pass
                with_metrics = self.n_fused_updates % self.metrics_every == 0
                r_int, metrics = model.reward_and_update_th(obs_t, next_obs_t, self.update_max_grad_norm, with_metrics)
                self.pending_updates -= 1
                self.n_fused_updates += 1
                if metrics:
                    self.update_metrics.append(metrics)
            else:
                r_int = model.reward_th(obs_t, next_obs_t)
        except ValueError:
            self._name_non_finite(model, obs_t, next_obs_t)
            raise
        r_int = r_int.reshape(-1, 1).to(self.device, dtype=samples.rewards.dtype)
        # 0 * (sum of every sampled value) is 0 unless one is NaN or infinite: one read checks the batch and the rewards
        probe = 0.0 * (_total(obs_t) + _total(next_obs_t)).to(r_int.device)
        self.last_intrinsic_reward = float(r_int.mean() + probe)
        if not np.isfinite(self.last_intrinsic_reward):
            self._name_non_finite(model, obs_t, next_obs_t)
            raise ValueError(f"{type(model).__name__} gave NaN or infinite rewards on finite observations (diverged?)")
        rewards = self.intrinsic_coef * r_int
        if self.extrinsic_coef != 0.0:
            rewards = rewards + self.extrinsic_coef * samples.rewards
        return samples._replace(rewards=rewards)


class RelabelingReplayBuffer(_RelabelingMixin, ReplayBuffer):
    """A :class:`~stable_baselines3.common.buffers.ReplayBuffer` that relabels rewards with a reward model on sample.

    Takes SB3's replay-buffer arguments plus:

    :param reward: the reward model (e.g. :class:`~hrl_wrappers.DIAYNReward`).
    :param intrinsic_coef: weight of the intrinsic reward.
    :param extrinsic_coef: weight of the stored environment reward (0: pure skill discovery).

    Example:
        >>> import gymnasium as gym
        >>> from stable_baselines3 import SAC
        >>> from hrl_wrappers import SkillWrapper, DIAYNReward
        >>> env = SkillWrapper(gym.make("Pendulum-v1"), n_skills=4)
        >>> reward = DIAYNReward.for_env(env, net_arch=[16])
        >>> model = SAC("MlpPolicy", env, learning_starts=10, replay_buffer_class=RelabelingReplayBuffer,
        ...             replay_buffer_kwargs={"reward": reward}, policy_kwargs={"net_arch": [16]})
        >>> _ = model.learn(20)
    """

    def __init__(
        self,
        buffer_size: int,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        device: torch.device | str = "auto",
        n_envs: int = 1,
        optimize_memory_usage: bool = False,
        handle_timeout_termination: bool = True,
        reward: IntrinsicReward | None = None,
        intrinsic_coef: float = 1.0,
        extrinsic_coef: float = 0.0,
    ) -> None:
        super().__init__(
            buffer_size,
            observation_space,
            action_space,
            device=device,
            n_envs=n_envs,
            optimize_memory_usage=optimize_memory_usage,
            handle_timeout_termination=handle_timeout_termination,
        )
        self._init_relabeling(reward, intrinsic_coef, extrinsic_coef)

    def _get_samples(self, batch_inds: np.ndarray, env: VecNormalize | None = None) -> ReplayBufferSamples:
        return self._relabel(super()._get_samples(batch_inds, env), env)


class RelabelingDictReplayBuffer(_RelabelingMixin, DictReplayBuffer):
    """The Dict-observation version of :class:`RelabelingReplayBuffer` (same extra arguments)."""

    def __init__(
        self,
        buffer_size: int,
        observation_space: spaces.Dict,
        action_space: spaces.Space,
        device: torch.device | str = "auto",
        n_envs: int = 1,
        optimize_memory_usage: bool = False,
        handle_timeout_termination: bool = True,
        reward: IntrinsicReward | None = None,
        intrinsic_coef: float = 1.0,
        extrinsic_coef: float = 0.0,
    ) -> None:
        super().__init__(
            buffer_size,
            observation_space,
            action_space,
            device=device,
            n_envs=n_envs,
            optimize_memory_usage=optimize_memory_usage,
            handle_timeout_termination=handle_timeout_termination,
        )
        self._init_relabeling(reward, intrinsic_coef, extrinsic_coef)

    def _get_samples(  # type: ignore[override]  # as SB3's DictReplayBuffer
        self, batch_inds: np.ndarray, env: VecNormalize | None = None
    ) -> DictReplayBufferSamples:
        return self._relabel(super()._get_samples(batch_inds, env), env)


def relabeling_replay_buffer_class(observation_space: spaces.Space) -> type[ReplayBuffer]:
    """:class:`RelabelingDictReplayBuffer` for Dict observation spaces, :class:`RelabelingReplayBuffer` otherwise."""
    return RelabelingDictReplayBuffer if isinstance(observation_space, spaces.Dict) else RelabelingReplayBuffer
