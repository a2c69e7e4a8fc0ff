"""The callback through which any SB3 SAC/TD3/PPO/A2C becomes a skill learner.

:class:`IntrinsicRewardCallback` fits the reward model on the learner's own data and logs its metrics:

* off-policy: ``update_ratio`` gradient steps of the reward model per environment step. By default they are taken
  on the learner's own batches (``train_on_learner_batches``): after each rollout the callback tells the relabelling
  replay buffer how many are due, and the buffer takes them on the next batches the learner samples, sharing the
  forward pass that computes their rewards. Steps the learner did not sample batches for are taken on batches the
  callback samples itself (raw, not relabelled), as are all of them when ``train_on_learner_batches=False``;
* on-policy: at each step it records s' and the env reward into the :mod:`relabelling rollout buffer
  <hrl_wrappers.sb3.rollout_buffer>`; after the rollout, ``n_epochs`` passes over it in minibatches.

Metrics go to ``<prefix>/...`` (``diayn/loss``, ``diayn/accuracy``, ...), together with the mean intrinsic return
per episode (``<prefix>/ep_intrinsic_return``; ``rollout/ep_rew_mean`` stays the environment's reward).
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any

import numpy as np
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm

from hrl_wrappers.rewards.base import IntrinsicReward
from hrl_wrappers.sb3.replay_buffer import RelabelingDictReplayBuffer, RelabelingReplayBuffer
from hrl_wrappers.sb3.rollout_buffer import RelabelingDictRolloutBuffer, RelabelingRolloutBuffer
from hrl_wrappers.sb3.terminal import copy_observations, true_next_observations

__all__ = ["IntrinsicRewardCallback"]


class IntrinsicRewardCallback(BaseCallback):
    """Train a reward model alongside an SB3 learner and log its metrics.

    :param reward: the reward model (the same object the buffer relabels with).
    :param batch_size: reward-model minibatch size.
    :param update_ratio: off-policy: reward-model gradient steps per environment step (0.5: one every 2 steps).
    :param n_epochs: on-policy: passes over each rollout.
    :param learning_starts: no reward-model update before this many steps (default: the learner's own).
    :param log_prefix: metric prefix (default: the reward model's ``log_prefix``).
    :param max_grad_norm: gradient clipping of the reward model (None: off).
    :param train_on_learner_batches: off-policy: train the reward model on the learner's sampled batches (cheaper)
        rather than on separately sampled ones of ``batch_size``.
    :param track_returns: score every transition with the reward model to log ``ep_intrinsic_return``. Transitions
        are kept and scored in one batch when an episode ends (or every ``track_every`` steps), so an episode's
        return is scored with the model of its last step; off for rewards that are expensive to score, such as DADS's
        marginal.
    :param track_every: with ``track_returns``, score the kept transitions at least every this many steps.
    :param verbose: verbosity.

    Example:
        >>> import gymnasium as gym
        >>> from stable_baselines3 import PPO
        >>> from hrl_wrappers import SkillWrapper, DIAYNReward, RelabelingRolloutBuffer
        >>> env = SkillWrapper(gym.make("Pendulum-v1"), n_skills=4)
        >>> reward = DIAYNReward.for_env(env, net_arch=[16])
        >>> model = PPO("MlpPolicy", env, n_steps=64, batch_size=32, rollout_buffer_class=RelabelingRolloutBuffer,
        ...             rollout_buffer_kwargs={"reward": reward}, policy_kwargs={"net_arch": [16]})
        >>> _ = model.learn(64, callback=IntrinsicRewardCallback(reward, batch_size=32))
    """

    def __init__(
        self,
        reward: IntrinsicReward,
        batch_size: int = 256,
        update_ratio: float = 1.0,
        n_epochs: int = 1,
        learning_starts: int | None = None,
        log_prefix: str | None = None,
        max_grad_norm: float | None = None,
        train_on_learner_batches: bool = True,
        track_returns: bool = True,
        track_every: int = 1000,
        verbose: int = 0,
    ) -> None:
        super().__init__(verbose)
        if not isinstance(reward, IntrinsicReward):
            raise TypeError(f"reward must be an hrl_wrappers IntrinsicReward, got {type(reward).__name__}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if update_ratio < 0:
            raise ValueError(f"update_ratio must be >= 0, got {update_ratio}")
        if n_epochs < 1:
            raise ValueError(f"n_epochs must be >= 1, got {n_epochs}")
        if track_every < 1:
            raise ValueError(f"track_every must be >= 1, got {track_every}")
        self.reward = reward
        self.batch_size = int(batch_size)
        self.update_ratio = float(update_ratio)
        self.n_epochs = int(n_epochs)
        self.learning_starts = learning_starts
        self.log_prefix = log_prefix or reward.log_prefix
        if max_grad_norm is not None and not (isinstance(max_grad_norm, float | int) and 0 < max_grad_norm < float("inf")):
            raise ValueError(f"max_grad_norm must be a finite number > 0 (or None: no clipping), got {max_grad_norm!r}")
        self.max_grad_norm = max_grad_norm
        self.train_on_learner_batches = bool(train_on_learner_batches)
        self.track_returns = bool(track_returns)
        self.track_every = int(track_every)
        self._unscored: list[tuple[Any, Any]] = []
        self._separate_updates = 0
        self._fused_base = 0
        self._pending = 0.0
        self._last_timesteps = 0
        self._episode_returns: np.ndarray | None = None
        self._finished_returns: deque[float] = deque(maxlen=100)

    def _init_callback(self) -> None:
        model: BaseAlgorithm = self.model
        if isinstance(model, OffPolicyAlgorithm):
            buffer = model.replay_buffer
            if not isinstance(buffer, RelabelingReplayBuffer | RelabelingDictReplayBuffer):
                raise TypeError(
                    "IntrinsicRewardCallback needs the learner to use replay_buffer_class=RelabelingReplayBuffer "
                    f"(or RelabelingDictReplayBuffer for Dict observations), got {type(buffer).__name__}"
                )
            if buffer.reward_model is None:
                buffer.attach(self.reward)
            self._fused_base = buffer.n_fused_updates
        elif isinstance(model, OnPolicyAlgorithm):
            rollout = model.rollout_buffer
            if not isinstance(rollout, RelabelingRolloutBuffer | RelabelingDictRolloutBuffer):
                raise TypeError(
                    "IntrinsicRewardCallback needs the learner to use rollout_buffer_class=RelabelingRolloutBuffer "
                    f"(or RelabelingDictRolloutBuffer for Dict observations), got {type(rollout).__name__}"
                )
            if rollout.reward_model is None:
                rollout.attach(self.reward)
        else:
            raise TypeError(
                f"IntrinsicRewardCallback supports SB3 off-policy and on-policy algorithms, got {type(model).__name__}"
            )
        self._last_timesteps = model.num_timesteps

    # ------------------------------------------------------------------------------------------------ per step
    def _on_step(self) -> bool:
        new_obs, rewards, dones, infos = (self.locals[k] for k in ("new_obs", "rewards", "dones", "infos"))
        if isinstance(self.model, OnPolicyAlgorithm):
            rollout = self.model.rollout_buffer
            assert isinstance(rollout, RelabelingRolloutBuffer | RelabelingDictRolloutBuffer)
            rollout.record_transition(new_obs, rewards, dones, infos)
        if self.track_returns:
            self._track_returns(new_obs, dones, infos)
        return True

    def _track_returns(self, new_obs: Any, dones: np.ndarray, infos: list[dict[str, Any]]) -> None:
        """Keep this step's transitions; score the kept ones when an episode ends (for logging only)."""
        last_obs = self.model._last_obs  # the observation the action was taken in
        if last_obs is None:
            return
        next_obs = true_next_observations(new_obs, dones, infos)
        self._unscored.append((copy_observations(last_obs), copy_observations(next_obs)))
        if np.any(dones) or len(self._unscored) >= self.track_every:
            self._score_unscored()
        if self._episode_returns is None:
            return
        for i in np.flatnonzero(dones):
            self._finished_returns.append(float(self._episode_returns[i]))
            self._episode_returns[i] = 0.0

    def _score_unscored(self) -> None:
        """Score every kept transition in one batch and add the rewards to the running episodes' returns."""
        if not self._unscored:
            return
        n_steps = len(self._unscored)
        obs = _concat_obs([o for o, _ in self._unscored])
        next_obs = _concat_obs([n for _, n in self._unscored])
        self._unscored.clear()
        r = self.reward.reward(obs, next_obs).reshape(n_steps, -1)  # steps x envs
        if self._episode_returns is None or len(self._episode_returns) != r.shape[1]:
            self._episode_returns = np.zeros(r.shape[1])
        self._episode_returns += r.sum(axis=0)

    # ------------------------------------------------------------------------------------------------ training
    def _on_rollout_end(self) -> None:
        metrics: dict[str, list[float]] = defaultdict(list)
        if isinstance(self.model, OffPolicyAlgorithm):
            self._update_off_policy(metrics)
        else:
            self._update_on_policy(metrics)
        self._log(metrics)

    @property
    def n_updates(self) -> int:
        """Reward-model gradient steps taken so far (on the learner's batches and on separate ones)."""
        buffer = getattr(self.model, "replay_buffer", None) if self.model is not None else None
        fused = 0
        if isinstance(buffer, RelabelingReplayBuffer | RelabelingDictReplayBuffer):
            fused = buffer.n_fused_updates - self._fused_base
        return self._separate_updates + fused

    def _on_training_start(self) -> None:
        buffer = getattr(self.model, "replay_buffer", None)
        if isinstance(buffer, RelabelingReplayBuffer | RelabelingDictReplayBuffer):
            buffer.pending_updates = 0
            buffer.update_max_grad_norm = self.max_grad_norm

    def _update_off_policy(self, metrics: dict[str, list[float]]) -> None:
        model = self.model
        assert isinstance(model, OffPolicyAlgorithm)
        buffer = model.replay_buffer
        assert isinstance(buffer, RelabelingReplayBuffer | RelabelingDictReplayBuffer)
        # what the learner's batches did since the last rollout: their metrics, and the steps left over
        for m in buffer.update_metrics:
            for k, v in m.items():
                metrics[k].append(v)
        buffer.update_metrics.clear()
        separate = buffer.pending_updates
        buffer.pending_updates = 0

        new_steps = model.num_timesteps - self._last_timesteps
        self._last_timesteps = model.num_timesteps
        starts = model.learning_starts if self.learning_starts is None else self.learning_starts
        if model.num_timesteps > starts and buffer.size() > 0:
            self._pending += new_steps * self.update_ratio
            due = int(self._pending)
            self._pending -= due
            if self.train_on_learner_batches:
                buffer.pending_updates = due
            else:
                separate += due
        if separate == 0 or buffer.size() == 0:
            return
        buffer.relabel = False  # the reward model trains on raw transitions
        try:
            for _ in range(separate):
                batch = buffer.sample(self.batch_size)
                for k, v in self.reward.update_th(batch.observations, batch.next_observations, self.max_grad_norm).items():
                    metrics[k].append(v)
                self._separate_updates += 1
        finally:
            buffer.relabel = True

    def _update_on_policy(self, metrics: dict[str, list[float]]) -> None:
        model = self.model
        assert isinstance(model, OnPolicyAlgorithm)
        rollout = model.rollout_buffer
        assert isinstance(rollout, RelabelingRolloutBuffer | RelabelingDictRolloutBuffer)
        metrics["rollout_intrinsic_reward"].append(float(rollout.intrinsic_rewards.mean()))
        if self.learning_starts is not None and model.num_timesteps <= self.learning_starts:
            return
        obs, next_obs = rollout.flat_pairs()
        n = rollout.buffer_size * rollout.n_envs
        rng = np.random.default_rng(model.num_timesteps)
        for _ in range(self.n_epochs):
            order = rng.permutation(n)
            for start in range(0, n, self.batch_size):
                idx = order[start : start + self.batch_size]
                ob = {k: v[idx] for k, v in obs.items()} if isinstance(obs, dict) else obs[idx]
                nob = {k: v[idx] for k, v in next_obs.items()} if isinstance(next_obs, dict) else next_obs[idx]
                batch = self.reward.to_tensor(ob, "obs"), self.reward.to_tensor(nob, "next_obs")
                for k, v in self.reward.update_th(*batch, self.max_grad_norm).items():
                    metrics[k].append(v)
                self._separate_updates += 1

    def _log(self, metrics: dict[str, list[float]]) -> None:
        for k, values in metrics.items():
            self.logger.record(f"{self.log_prefix}/{k}", float(np.mean(values)))
        self.logger.record(f"{self.log_prefix}/n_updates", self.n_updates)
        buffer = getattr(self.model, "replay_buffer", None)
        relabeled = getattr(buffer, "last_intrinsic_reward", float("nan"))
        if np.isfinite(relabeled):
            self.logger.record(f"{self.log_prefix}/relabeled_reward", relabeled)
        if self._finished_returns:
            self.logger.record(f"{self.log_prefix}/ep_intrinsic_return", float(np.mean(self._finished_returns)))


def _concat_obs(batches: list[Any]) -> Any:
    """Stack per-step (Dict) observation batches of shape ``(n_envs, ...)`` into one ``(steps * n_envs, ...)`` batch."""
    if isinstance(batches[0], dict):
        return {k: np.concatenate([b[k] for b in batches]) for k in batches[0]}
    return np.concatenate(batches)
