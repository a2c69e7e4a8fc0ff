"""DIAYN's intrinsic reward: a discriminator q(z | f(s')) and ``r = log q(z | f(s')) - log p(z)``.

Eysenbach et al., "Diversity is All You Need: Learning Skills without a Reward Function", ICLR 2019
(https://arxiv.org/abs/1802.06070), Eq. 3 and Algorithm 1, which score the *next* state s'. The skill is read from
the observation the action was taken in (``obs``), the state from ``next_obs``; training the discriminator uses the
same pairing, so the reward and the classifier can never disagree about which state they score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from hrl_wrappers.priors import CategoricalPrior, GaussianPrior, UniformPrior
from hrl_wrappers.rewards.base import IntrinsicReward, TensorObs
from hrl_wrappers.rewards.networks import mlp
from hrl_wrappers.skill_layout import SkillLayout, integer_list
from hrl_wrappers.skill_wrapper import find_skill_layout

__all__ = ["DEFAULT_DISCRIMINATOR_ARCH", "DIAYNReward"]

#: hidden layers of the discriminator unless ``net_arch`` is given: the width of the HalfCheetah runs in
#: BENCHMARKS.md. One as wide as SB3's 256x256 policy costs about 13% of DIAYN-SAC's throughput
#: (``benchmarks/diayn/overhead_diayn.py``): its gradient step alone weighs about a seventh of SAC's.
DEFAULT_DISCRIMINATOR_ARCH: tuple[int, ...] = (128, 128)


class DIAYNReward(IntrinsicReward):
    """DIAYN discriminator and reward.

    For a categorical prior the discriminator is a softmax classifier and
    ``r = log_softmax(D(f(s')))[z] - log p(z)``; for a continuous prior it is a Gaussian with a learned mean and a
    learned state-independent diagonal standard deviation, ``r = log N(z; mu(f(s')), sigma^2) - log p(z)``.

    :param layout: skill layout of the environment (see :meth:`for_env`).
    :param features: indices of the environment observation the discriminator sees (the "x-y prior"); all when None.
    :param net_arch: hidden layer sizes of the discriminator.
    :param learning_rate: Adam learning rate.
    :param feature_scale: multiplies the features before the discriminator (a scalar or one value per feature).
    :param feature_noise: standard deviation (in the features' own units) of Gaussian noise added to the features
        while the discriminator *trains* (never when it scores). A discriminator that cannot resolve differences
        smaller than the noise pays only skills that stay well apart, e.g. metres apart in x rather than centimetres,
        which is what makes the x-prior skills run.
    :param use_next_obs: score s' (the paper) when True, s (the original code) when False.
    :param device: torch device.

    Example:
        >>> import gymnasium as gym
        >>> from hrl_wrappers import SkillWrapper
        >>> env = SkillWrapper(gym.make("Pendulum-v1"), n_skills=4)
        >>> reward = DIAYNReward.for_env(env, net_arch=[32])
        >>> obs, _ = env.reset(seed=0)
        >>> next_obs, *_ = env.step(env.action_space.sample())
        >>> reward.reward(obs[None], next_obs[None]).shape
        (1,)
    """

    log_prefix = "diayn"

    feature_scale: torch.Tensor
    log_p_table: torch.Tensor
    mode_dependent = False  # an MLP of Linear and ReLU layers: train and eval mode compute the same

    def __init__(
        self,
        layout: SkillLayout,
        features: Sequence[int] | None = None,
        net_arch: Sequence[int] = DEFAULT_DISCRIMINATOR_ARCH,
        learning_rate: float = 3e-4,
        feature_scale: float | Sequence[float] = 1.0,
        feature_noise: float = 0.0,
        use_next_obs: bool = True,
        device: torch.device | str = "auto",
    ) -> None:
        super().__init__(layout, features, device)
        prior = layout.prior
        if not isinstance(prior, CategoricalPrior | UniformPrior | GaussianPrior):
            raise ValueError(f"DIAYNReward supports categorical, uniform and gaussian priors, got {prior!r}")
        self.prior = prior
        self.net_arch = integer_list(net_arch, "net_arch", "layer sizes", minimum=1)
        self.learning_rate = float(learning_rate)
        self.use_next_obs = bool(use_next_obs)
        if not (np.isfinite(feature_noise) and feature_noise >= 0):
            raise ValueError(f"feature_noise must be a finite number >= 0, got {feature_noise!r}")
        self.feature_noise = float(feature_noise)
        self._register_feature_scale(feature_scale)
        out_dim = prior.n_skills if isinstance(prior, CategoricalPrior) else prior.skill_dim
        self.discriminator = mlp(self.feature_dim, out_dim, self.net_arch)
        if not isinstance(prior, CategoricalPrior):
            self.log_std = nn.Parameter(torch.zeros(prior.skill_dim))
        self.register_buffer(
            "log_p_table",
            torch.as_tensor(
                np.asarray(prior.probs if isinstance(prior, CategoricalPrior) else [1.0]).astype(np.float32)
            ).log(),
        )
        self.to(self.device)
        self.optimizer = self.make_optimizer(self.learning_rate)
        self.eval()

    @classmethod
    def for_env(cls, env: Any, **kwargs: Any) -> DIAYNReward:
        """Build the reward model for a :class:`SkillWrapper`-wrapped env or VecEnv."""
        return cls(find_skill_layout(env), **kwargs)

    # --------------------------------------------------------------------------------------- discriminator
    def logits(self, obs: TensorObs, noisy: bool = False) -> torch.Tensor:
        """Discriminator output on the state inside ``obs``: logits (categorical) or the Gaussian mean (continuous).

        ``noisy=True`` adds the training noise ``feature_noise`` to the features first.
        """
        feats = self.state_features(obs).float()
        if noisy and self.feature_noise > 0:
            feats = feats + self.feature_noise * torch.randn_like(feats)
        feats = feats * self.feature_scale
        return self.discriminator(feats)

    def log_q(self, scored_obs: TensorObs, skill_obs: TensorObs) -> torch.Tensor:
        """log q(z | f(s)) with s read from ``scored_obs`` and z from ``skill_obs``."""
        out = self.logits(scored_obs)
        if isinstance(self.prior, CategoricalPrior):
            z = self.layout.skill(skill_obs).long()
            return F.log_softmax(out, dim=-1).gather(-1, z.unsqueeze(-1)).squeeze(-1)
        z = self.layout.skill_encoding(skill_obs).float()
        var = torch.exp(2 * self.log_std)
        return (-0.5 * (z - out) ** 2 / var - self.log_std - 0.5 * math.log(2 * math.pi)).sum(-1)

    def log_p(self, skill_obs: TensorObs) -> torch.Tensor:
        """log p(z) of the skills inside ``skill_obs``."""
        if isinstance(self.prior, CategoricalPrior):
            return self.log_p_table[self.layout.skill(skill_obs).long()]
        z = self.layout.skill_encoding(skill_obs).float()
        if isinstance(self.prior, GaussianPrior):
            return -0.5 * (z**2).sum(-1) - 0.5 * self.prior.skill_dim * math.log(2 * math.pi)
        return torch.full(z.shape[:-1], -self.prior.skill_dim * math.log(self.prior.high - self.prior.low), device=z.device)

    def predict_skill(self, obs: np.ndarray | dict[str, np.ndarray]) -> np.ndarray:
        """The discriminator's guess of the skill for each observation: index (categorical) or mean (continuous)."""
        with torch.no_grad():
            out = self.logits(self.to_tensor(obs))
        return out.argmax(-1).cpu().numpy() if isinstance(self.prior, CategoricalPrior) else out.cpu().numpy()

    # --------------------------------------------------------------------------------------- protocol
    def reward_th(self, obs: TensorObs, next_obs: TensorObs) -> torch.Tensor:
        scored = next_obs if self.use_next_obs else obs
        with torch.no_grad():
            return self.log_q(scored, obs) - self.log_p(obs)

    def _forward(self, obs: TensorObs, next_obs: TensorObs, noisy: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """Discriminator output on the scored state and log q(z|f(s)) of the true skills (with gradients)."""
        out = self.logits(next_obs if self.use_next_obs else obs, noisy)
        if isinstance(self.prior, CategoricalPrior):
            z = self.layout.skill(obs).long()
            return out, F.log_softmax(out, dim=-1).gather(-1, z.unsqueeze(-1)).squeeze(-1)
        z = self.layout.skill_encoding(obs).float()
        var = torch.exp(2 * self.log_std)
        return out, (-0.5 * (z - out) ** 2 / var - self.log_std - 0.5 * math.log(2 * math.pi)).sum(-1)

    def _metrics(self, obs: TensorObs, out: torch.Tensor, log_q: torch.Tensor) -> dict[str, float]:
        with torch.no_grad():
            metrics = {"loss": float(-log_q.mean()), "reward": float((log_q - self.log_p(obs)).mean())}
            if isinstance(self.prior, CategoricalPrior):
                z = self.layout.skill(obs).long()
                log_probs = F.log_softmax(out, dim=-1)
                metrics["accuracy"] = float((out.argmax(-1) == z).float().mean())
                metrics["q_entropy"] = float(-(log_probs.exp() * log_probs).sum(-1).mean())
            else:
                metrics["mse"] = float(((self.layout.skill_encoding(obs).float() - out) ** 2).mean())
        return metrics

    def loss_th(self, obs: TensorObs, next_obs: TensorObs, with_metrics: bool = True) -> tuple[torch.Tensor, dict[str, float]]:
        out, log_q = self._forward(obs, next_obs, noisy=True)
        return -log_q.mean(), (self._metrics(obs, out, log_q) if with_metrics else {})

    def reward_and_update_th(
        self, obs: TensorObs, next_obs: TensorObs, max_grad_norm: float | None = None, with_metrics: bool = True
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """One forward pass serves both: the reward under the current discriminator, then its gradient step.

        With ``feature_noise`` the training pass sees noisy features and the reward must not, so two passes are made.
        """
        if self.feature_noise > 0:
            return super().reward_and_update_th(obs, next_obs, max_grad_norm, with_metrics)
        with self.training_mode():
            out, log_q = self._forward(obs, next_obs)
            with torch.no_grad():
                reward = log_q.detach() - self.log_p(obs)
            metrics = self._metrics(obs, out, log_q) if with_metrics else {}
            self._optimizer_step(-log_q.mean(), max_grad_norm)
        return reward, metrics

    def config(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "net_arch": self.net_arch,
            "learning_rate": self.learning_rate,
            "feature_scale": self.feature_scale_arg,
            "feature_noise": self.feature_noise,
            "use_next_obs": self.use_next_obs,
        }
