"""Importance weighting of the skill-dynamics updates in off-policy DADS (Sharma et al., 2020, Sec. 3.3 "off-DADS").

Transitions in a replay buffer were collected by older policies. The reference code (``google-research/dads``,
``relabel_skill(..., relabel_type="importance_sampling")`` with ``is_clip_eps``) records the behaviour policy's
log-likelihood of every action when it is collected and weights each transition in the skill-dynamics loss by

    w = clip(pi(a | s, z) / mu(a | s, z), 1 / eps, eps),         loss = -mean(w * log q(delta | s, z)),

where pi is the current policy and mu the behaviour policy (``eps`` is 10 in the off-DADS configs; with
``normalize=True``, the ``normalized_importance_sampling`` variant, ``w`` is divided by its batch mean).

:class:`ImportanceWeightedDynamicsCallback` does this on an SB3 SAC: at each environment step it stores
``log mu(a|s,z)`` of the action taken beside the replay buffer (``buffer.behaviour_log_prob``, written where the
transition will be stored), and it trains the skill dynamics on its own batches with the weights.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import torch
from stable_baselines3 import SAC
from stable_baselines3.common.distributions import SquashedDiagGaussianDistribution

from hrl_wrappers.rewards.dads import DADSReward
from hrl_wrappers.sb3.callbacks import IntrinsicRewardCallback
from hrl_wrappers.sb3.replay_buffer import RelabelingReplayBuffer

__all__ = ["ImportanceWeightedDynamicsCallback", "importance_weights"]


def importance_weights(
    log_prob: torch.Tensor, behaviour_log_prob: torch.Tensor, clip: float, normalize: bool = False
) -> torch.Tensor:
    """``clip(exp(log_prob - behaviour_log_prob), 1 / clip, clip)``, divided by its mean when ``normalize``.

    Example:
        >>> w = importance_weights(torch.tensor([0.0, math.log(2.0), 5.0]), torch.zeros(3), clip=10.0)
        >>> [round(float(v), 4) for v in w]
        [1.0, 2.0, 10.0]
    """
    if not (math.isfinite(clip) and clip > 1):
        raise ValueError(f"clip must be a finite number > 1 (the ratio is clipped to [1/clip, clip]), got {clip!r}")
    w = torch.exp(log_prob - behaviour_log_prob).clamp(1.0 / clip, clip)
    return w / w.mean() if normalize else w


class ImportanceWeightedDynamicsCallback(IntrinsicRewardCallback):
    """:class:`~hrl_wrappers.IntrinsicRewardCallback` for off-policy DADS on SAC with importance-weighted
    skill-dynamics updates (see the module docstring).

    :param reward: the :class:`~hrl_wrappers.DADSReward`.
    :param clip: ``eps``: ratios are clipped to ``[1/eps, eps]`` (10 in the reference's off-DADS configs).
    :param normalize: divide the weights of each batch by their mean.
    :param kwargs: the :class:`~hrl_wrappers.IntrinsicRewardCallback` arguments (``train_on_learner_batches`` must
        stay False: the weights need the batch's buffer indices).
    """

    def __init__(self, reward: DADSReward, clip: float = 10.0, normalize: bool = False, **kwargs: object) -> None:
        if kwargs.get("train_on_learner_batches"):
            raise ValueError(
                "importance weighting trains the skill dynamics on its own batches: train_on_learner_batches=False"
            )
        kwargs["train_on_learner_batches"] = False
        super().__init__(reward, **kwargs)  # type: ignore[arg-type]
        importance_weights(torch.zeros(1), torch.zeros(1), clip)  # validates clip
        self.clip = float(clip)
        self.normalize = bool(normalize)
        #: the weights of the last skill-dynamics update.
        self.last_weights: torch.Tensor | None = None

    def _init_callback(self) -> None:
        super()._init_callback()
        model = self.model
        if not isinstance(model, SAC):
            raise TypeError(f"importance weighting needs SB3's SAC (a stochastic actor), got {type(model).__name__}")
        if model.use_sde or model.action_noise is not None:
            raise ValueError("importance weighting needs SAC without gSDE or action noise (log-likelihoods of actions)")
        buffer = model.replay_buffer
        if not isinstance(buffer, RelabelingReplayBuffer) or buffer.optimize_memory_usage:
            raise TypeError("importance weighting needs a RelabelingReplayBuffer without optimize_memory_usage")
        if getattr(buffer, "behaviour_log_prob", None) is None:
            # transitions already in the buffer (e.g. a loaded one) get ratio 1 until they are overwritten
            buffer.behaviour_log_prob = np.full((buffer.buffer_size, buffer.n_envs), np.nan, dtype=np.float32)  # type: ignore[attr-defined]

    @torch.no_grad()
    def policy_log_prob(self, obs: np.ndarray, actions: np.ndarray) -> torch.Tensor:
        """log pi(a | s, z) under the current actor of skill-conditioned observations and actions scaled to [-1, 1]."""
        model = self.model
        assert isinstance(model, SAC)
        obs_t, _ = model.policy.obs_to_tensor(obs)
        mean, log_std, _ = model.actor.get_action_dist_params(obs_t)
        dist = model.actor.action_dist
        assert isinstance(dist, SquashedDiagGaussianDistribution)  # SAC without gSDE
        actions_t = torch.as_tensor(actions, dtype=torch.float32, device=model.device)
        return dist.proba_distribution(mean, log_std).log_prob(actions_t)

    def _on_step(self) -> bool:
        model = self.model
        assert isinstance(model, SAC)
        buffer = model.replay_buffer
        assert buffer is not None
        actions = self.locals["buffer_actions"]
        n_envs = actions.shape[0]
        if model.num_timesteps - n_envs < model.learning_starts:
            # SB3's warm-up acts uniformly at random: the density on [-1, 1]^d
            log_mu = np.full(n_envs, -actions.shape[-1] * math.log(2.0), dtype=np.float32)
        else:
            log_mu = self.policy_log_prob(model._last_obs, actions).cpu().numpy()  # type: ignore[arg-type]
        # SB3 stores this transition right after the callbacks, at the buffer's current position
        buffer.behaviour_log_prob[buffer.pos] = log_mu  # type: ignore[attr-defined]
        return super()._on_step()

    def sample_weighted(self, batch_size: int) -> tuple[np.ndarray, np.ndarray, torch.Tensor, float]:
        """A batch of raw ``(obs, next_obs)`` from the buffer, the importance weights of its transitions and the
        fraction of them that were clipped."""
        model = self.model
        assert isinstance(model, SAC)
        buffer = model.replay_buffer
        assert isinstance(buffer, RelabelingReplayBuffer)
        upper = buffer.buffer_size if buffer.full else buffer.pos
        idx = np.random.randint(0, upper, size=batch_size)
        env_idx = np.random.randint(0, buffer.n_envs, size=batch_size)
        obs, next_obs = buffer.observations[idx, env_idx], buffer.next_observations[idx, env_idx]
        log_pi = self.policy_log_prob(obs, buffer.actions[idx, env_idx])
        log_mu = torch.as_tensor(buffer.behaviour_log_prob[idx, env_idx], device=log_pi.device)  # type: ignore[attr-defined]
        log_mu = torch.where(torch.isnan(log_mu), log_pi, log_mu)
        clipped = float(((log_pi - log_mu).abs() >= math.log(self.clip)).float().mean())
        return obs, next_obs, importance_weights(log_pi, log_mu, self.clip, self.normalize), clipped

    def _update_off_policy(self, metrics: dict[str, list[float]]) -> None:
        model = self.model
        assert isinstance(model, SAC)
        buffer = model.replay_buffer
        assert isinstance(buffer, RelabelingReplayBuffer)
        new_steps = model.num_timesteps - self._last_timesteps
        self._last_timesteps = model.num_timesteps
        starts = model.learning_starts if self.learning_starts is None else self.learning_starts
        if model.num_timesteps <= starts or buffer.size() == 0:
            return
        self._pending += new_steps * self.update_ratio
        due = int(self._pending)
        self._pending -= due
        reward = self.reward
        assert isinstance(reward, DADSReward)
        collected: dict[str, list[float]] = defaultdict(list)
        for _ in range(due):
            obs, next_obs, weights, clipped = self.sample_weighted(self.batch_size)
            step = reward.update_th(
                reward.to_tensor(obs, "obs"), reward.to_tensor(next_obs, "next_obs"), self.max_grad_norm, weights=weights
            )
            self.last_weights = weights
            self._separate_updates += 1
            for k, v in step.items():
                collected[k].append(v)
            collected["importance_weight"].append(float(weights.mean()))
            collected["importance_clipped"].append(clipped)
        for k, values in collected.items():
            metrics[k].extend(values)
