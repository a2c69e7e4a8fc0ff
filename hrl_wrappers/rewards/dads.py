"""DADS's intrinsic reward: a skill-dynamics model q(delta s | s, z) and its mutual-information reward.

Sharma et al., "Dynamics-Aware Unsupervised Discovery of Skills", ICLR 2020 (https://arxiv.org/abs/1907.01657),
Eq. 6, and the reference code ``google-research/dads`` (``dads_agent.py``, ``skill_dynamics.py``).

The skill-dynamics model predicts the change ``delta = f(s') - f(s)`` of chosen features ``f`` (the "x-y prior":
``features=[0, 1]`` on Ant) from the (normalised) input features of ``s`` and the skill ``z``, as a mixture of
Gaussian experts over the normalised change. The reward of a transition is

    r = log q(delta | s, z) - log sum_{i=0..L} q(delta | s, z_i) + log(L + 1),   z_0 = z, z_1..z_L ~ p(z),

i.e. Eq. 6 with the current skill among the terms, exactly as the reference code computes it
(``log(L+1) - log(1 + sum_i exp(clip(log q_i - log q, -50, 50)))``) as a stable log-sum-exp. For categorical skills
the marginal can be exact instead: ``r = log q(delta|s,z) - log sum_j p(z_j) q(delta|s,z_j)``.
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

__all__ = ["DADSReward", "mixture_log_prob"]

_LOG_2PI = math.log(2 * math.pi)


def mixture_log_prob(y: torch.Tensor, logits: torch.Tensor, means: torch.Tensor, log_std: torch.Tensor) -> torch.Tensor:
    """log of a mixture of diagonal Gaussians at ``y``.

    :param y: points, shape ``(..., D)``.
    :param logits: unnormalised mixture weights, shape ``(..., K)``.
    :param means: expert means, shape ``(..., K, D)``.
    :param log_std: expert log standard deviations, broadcastable to ``(..., K, D)``.
    :return: ``log sum_k softmax(logits)_k N(y; means_k, exp(log_std_k)^2)``, shape ``(...)``.

    Example:
        >>> y = torch.zeros(1, 2)
        >>> lp = mixture_log_prob(y, torch.zeros(1, 1), torch.zeros(1, 1, 2), torch.zeros(1, 1, 2))
        >>> round(float(lp), 4) == round(-math.log(2 * math.pi), 4)
        True
    """
    diff = (y.unsqueeze(-2) - means) * torch.exp(-log_std)
    comp = (-0.5 * diff**2 - log_std - 0.5 * _LOG_2PI).sum(-1)
    return torch.logsumexp(F.log_softmax(logits, dim=-1) + comp, dim=-1)


class _RunningNorm(nn.Module):
    """Running mean and standard deviation of a batch of vectors (exponential average; first batch taken as is)."""

    mean: torch.Tensor
    var: torch.Tensor
    count: torch.Tensor

    def __init__(self, dim: int, momentum: float) -> None:
        super().__init__()
        self.momentum = momentum
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("var", torch.ones(dim))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def update(self, x: torch.Tensor) -> None:
        if x.shape[0] < 2 or x.shape[-1] == 0:  # one sample has no spread; a model reading no state has nothing
            return
        mean, var = x.mean(0), x.var(0, unbiased=False)
        if int(self.count) == 0:
            self.mean.copy_(mean)
            self.var.copy_(var)
        else:
            m = self.momentum
            self.mean.mul_(1 - m).add_(m * mean)
            self.var.mul_(1 - m).add_(m * var)
        self.count += 1

    @property
    def std(self) -> torch.Tensor:
        return torch.sqrt(self.var + 1e-6)

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std

    def denormalize(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.std + self.mean


class DADSReward(IntrinsicReward):
    """DADS skill dynamics and reward.

    The model is ``q(delta | s, z) = sum_k w_k(s, z) N(delta_n; mu_k(s, z), sigma_k^2 I)`` over the normalised change
    ``delta_n = (f(s') - f(s) - m) / sd`` of the target features, with the input features of ``s`` normalised the
    same way (running statistics, updated on every training batch, like the batch normalisation of the reference).
    ``sigma_k = 1`` (the reference) unless ``learn_variance=True`` (then state-dependent, clamped to [e^-5, e^2]).

    :param layout: skill layout of the environment (see :meth:`for_env`).
    :param features: indices of the environment observation whose change is predicted (``[0, 1]``: the x-y prior);
        all when None.
    :param input_features: indices the model reads from ``s`` (default: ``features``). An empty list gives
        ``q(delta | z)``, a model that reads the skill only: the reference's x-y prior, whose skill dynamics drops
        the x-y it predicts from its input (``restrict_observation``), so that it cannot tell episodes apart by
        where they are instead of by their skill.
    :param n_experts: number of Gaussian experts in the mixture (4 in the reference).
    :param net_arch: hidden layer sizes (the reference uses the policy's width: 128 HalfCheetah, 512 Ant).
    :param learning_rate: Adam learning rate (3e-4 in the reference).
    :param learn_variance: learn the experts' standard deviations instead of fixing them to 1.
    :param n_alternatives: L, the number of skills drawn from the prior for the marginal's denominator (100 in the
        reference code, 500 in the paper). ``None`` (the default for categorical priors) sums over every categorical
        skill exactly; continuous priors need an integer.
    :param clip: clip of ``log q_i - log q`` before the log-sum-exp (50 in the reference code; None: no clip).
    :param normalize: normalise the inputs and the targets with running statistics.
    :param norm_momentum: weight of each new batch in those statistics.
    :param device: torch device.

    Example:
        >>> import gymnasium as gym
        >>> import hrl_wrappers
        >>> from hrl_wrappers import SkillWrapper
        >>> env = SkillWrapper(gym.make("hrl_wrappers/PointWorld-v0"), skill_dim=2)
        >>> reward = DADSReward.for_env(env, net_arch=[32], n_alternatives=10)
        >>> obs, _ = env.reset(seed=0)
        >>> next_obs, *_ = env.step(env.action_space.sample())
        >>> r = reward.reward(obs[None], next_obs[None])
        >>> r.shape, bool(r[0] <= np.log(11) + 1e-5)
        ((1,), True)
    """

    log_prefix = "dads"

    def __init__(
        self,
        layout: SkillLayout,
        features: Sequence[int] | None = None,
        input_features: Sequence[int] | None = None,
        n_experts: int = 4,
        net_arch: Sequence[int] = (256, 256),
        learning_rate: float = 3e-4,
        learn_variance: bool = False,
        n_alternatives: int | None = None,
        clip: float | None = 50.0,
        normalize: bool = True,
        norm_momentum: float = 0.01,
        device: torch.device | str = "auto",
    ) -> None:
        super().__init__(layout, features, device)
        prior = layout.prior
        if not isinstance(prior, CategoricalPrior | UniformPrior | GaussianPrior):
            raise ValueError(f"DADSReward supports categorical, uniform and gaussian priors, got {prior!r}")
        self.prior = prior
        self.input_features = layout.check_feature_indices(  # [] reads no state: q(delta | z)
            input_features if input_features is not None else features, "input_features", allow_empty=True
        )
        self.input_dim = layout.feature_dim(self.input_features)
        if isinstance(n_experts, bool) or not isinstance(n_experts, int | np.integer) or n_experts < 1:
            raise ValueError(f"n_experts must be an integer >= 1, got {n_experts!r}")
        if n_alternatives is None:
            if not isinstance(prior, CategoricalPrior):
                raise ValueError(
                    "n_alternatives must be an integer >= 1 for continuous skills (the number L of skills drawn from "
                    "the prior for the marginal; the reference uses 100); None (exact marginal) is for categorical skills"
                )
        elif isinstance(n_alternatives, bool) or not isinstance(n_alternatives, int | np.integer) or n_alternatives < 1:
            raise ValueError(f"n_alternatives (L) must be an integer >= 1 or None, got {n_alternatives!r}")
        if clip is not None and not (math.isfinite(clip) and clip > 0):
            raise ValueError(f"clip must be a finite number > 0 or None, got {clip!r}")
        if not (0 < norm_momentum <= 1):
            raise ValueError(f"norm_momentum must be in (0, 1], got {norm_momentum!r}")
        self.n_experts = int(n_experts)
        self.net_arch = integer_list(net_arch, "net_arch", "layer sizes", minimum=1)
        self.learning_rate = float(learning_rate)
        self.learn_variance = bool(learn_variance)
        self.n_alternatives = None if n_alternatives is None else int(n_alternatives)
        self.clip = None if clip is None else float(clip)
        self.normalize = bool(normalize)
        self.norm_momentum = float(norm_momentum)
        self.skill_dim = prior.encoding_dim
        d, k = self.feature_dim, self.n_experts
        in_dim = self.input_dim + self.skill_dim
        if self.net_arch:
            self.trunk: nn.Module = nn.Sequential(*mlp(in_dim, self.net_arch[-1], self.net_arch[:-1]), nn.ReLU())
            hidden = self.net_arch[-1]
        else:
            self.trunk, hidden = nn.Identity(), in_dim
        self.mean_head = nn.Linear(hidden, k * d)
        self.logit_head = nn.Linear(hidden, k)
        self.log_std_head = nn.Linear(hidden, k * d) if self.learn_variance else None
        self.input_norm = _RunningNorm(self.input_dim, self.norm_momentum)
        self.target_norm = _RunningNorm(d, self.norm_momentum)
        if isinstance(prior, CategoricalPrior):
            self.register_buffer("log_p_table", torch.as_tensor(np.log(prior.probs).astype(np.float32)))
        self.to(self.device)
        self.optimizer = self.make_optimizer(self.learning_rate)
        self.eval()

    @classmethod
    def for_env(cls, env: Any, **kwargs: Any) -> DADSReward:
        """Build the reward model for a :class:`SkillWrapper`-wrapped env or VecEnv."""
        return cls(find_skill_layout(env), **kwargs)

    # --------------------------------------------------------------------------------------- skill dynamics
    def input_state(self, obs: TensorObs) -> torch.Tensor:
        """The input features of the state inside ``obs`` (raw units)."""
        return self.layout.features(obs, self.input_features).float()

    def target_delta(self, obs: TensorObs, next_obs: TensorObs) -> torch.Tensor:
        """``f(s') - f(s)`` of the target features (raw units)."""
        return (self.state_features(next_obs) - self.state_features(obs)).float()

    def distribution(self, state: torch.Tensor, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Mixture parameters for raw input features ``state`` ``(..., input_dim)`` and skill encodings ``z``.

        :return: ``(logits (..., K), means (..., K, D), log_std (..., K, D))`` over the *normalised* change.
        """
        x = self.input_norm.normalize(state) if self.normalize else state
        h = self.trunk(torch.cat([x, z.float()], dim=-1))
        lead = h.shape[:-1]
        means = self.mean_head(h).reshape(*lead, self.n_experts, self.feature_dim)
        logits = self.logit_head(h)
        if self.log_std_head is not None:
            log_std = self.log_std_head(h).reshape(*lead, self.n_experts, self.feature_dim).clamp(-5.0, 2.0)
        else:
            log_std = torch.zeros_like(means)
        return logits, means, log_std

    def normalized_delta(self, delta: torch.Tensor) -> torch.Tensor:
        """A raw change in normalised units (what the mixture models)."""
        return self.target_norm.normalize(delta) if self.normalize else delta

    def log_prob(self, state: torch.Tensor, z: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
        """log q(delta | s, z) of raw changes ``delta``, as a density over the normalised change."""
        logits, means, log_std = self.distribution(state, z)
        return mixture_log_prob(self.normalized_delta(delta), logits, means, log_std)

    def transition_log_prob(self, obs: TensorObs, next_obs: TensorObs) -> torch.Tensor:
        """log q(f(s') - f(s) | s, z) of each transition, the skill z read from ``obs`` (no statistics updated)."""
        z = self.layout.skill_encoding(obs).float()
        return self.log_prob(self.input_state(obs), z, self.target_delta(obs, next_obs))

    def predict_delta(self, state: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """The mean predicted change of the target features in raw units (used by the planner)."""
        logits, means, _ = self.distribution(state, z)
        mean = (F.softmax(logits, dim=-1).unsqueeze(-1) * means).sum(-2)
        return self.target_norm.denormalize(mean) if self.normalize else mean

    # --------------------------------------------------------------------------------------- reward
    def _alternatives(self, batch: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """L skill encodings per transition drawn from the prior, shape ``(batch, L, skill_dim)``."""
        assert self.n_alternatives is not None
        shape = (batch, self.n_alternatives)
        prior = self.prior
        dev = self.device
        if isinstance(prior, CategoricalPrior):
            probs = torch.as_tensor(prior.probs, dtype=torch.float32, device=dev)
            idx = torch.multinomial(probs, batch * self.n_alternatives, replacement=True, generator=generator)
            return F.one_hot(idx.reshape(shape), prior.n_skills).float()
        if isinstance(prior, UniformPrior):
            u = torch.rand((*shape, prior.skill_dim), device=dev, generator=generator)
            return prior.low + (prior.high - prior.low) * u
        return torch.randn((*shape, prior.skill_dim), device=dev, generator=generator)

    def log_ratio(
        self,
        log_q: torch.Tensor,
        log_q_alt: torch.Tensor,
        log_weights: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The reward from log q of the current skill ``(B,)`` and of the alternatives ``(B, M)``.

        Without ``log_weights`` (sampled alternatives): ``log(L+1) - logsumexp([0, clip(log_q_alt - log_q)])``.
        With ``log_weights`` (the exact categorical marginal, ``log p(z_j)`` of every skill, the current one included
        in ``log_q_alt``): ``log q - logsumexp(log p + log_q_alt)``.
        """
        diff = log_q_alt - log_q.unsqueeze(-1)
        if self.clip is not None:
            diff = diff.clamp(-self.clip, self.clip)
        if log_weights is not None:
            return -torch.logsumexp(diff + log_weights, dim=-1)
        zero = torch.zeros_like(log_q).unsqueeze(-1)
        m = diff.shape[-1]
        return math.log(m + 1) - torch.logsumexp(torch.cat([zero, diff], dim=-1), dim=-1)

    def _affine_layers(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """(weight, bias) of every affine map of the network in order, the three heads fused into the last one."""
        layers: list[tuple[torch.Tensor, torch.Tensor]] = [
            (m.weight, m.bias) for m in self.trunk.modules() if isinstance(m, nn.Linear)
        ]
        heads = [self.mean_head, self.logit_head] + ([self.log_std_head] if self.log_std_head is not None else [])
        layers.append((torch.cat([h.weight for h in heads]), torch.cat([h.bias for h in heads])))
        return layers

    def _score_log_q(
        self, x: torch.Tensor, z: torch.Tensor, y: torch.Tensor, layers: list[tuple[torch.Tensor, torch.Tensor]]
    ) -> torch.Tensor:
        """log q(y | x, z_j) for M skills per transition in one pass, without gradients (the reward's hot path).

        The same numbers as :meth:`log_prob`, computed with less work: the state's part of the first layer once per
        transition (not once per skill), the heads as one matrix product, activations in place, and for unit-variance
        experts ``log N = -|y - mu|^2 / 2 + const``.

        :param x: normalised input features, ``(B, input_dim)``.
        :param z: skill encodings, ``(B, M, skill_dim)``.
        :param y: normalised changes, ``(B, D)``.
        :param layers: :meth:`_affine_layers`.
        :return: ``(B, M)``.
        """
        b, m, _ = z.shape
        k, d = self.n_experts, self.feature_dim
        w, bias = layers[0]
        n_in = x.shape[-1]
        base = torch.addmm(bias, x, w[:, :n_in].t()).unsqueeze(1)  # the state's part, once per transition
        h = torch.baddbmm(base, z, w[:, n_in:].t().expand(b, -1, -1))  # + the skills' part
        h = h.reshape(b * m, -1)  # (B * M, H)
        for w, bias in layers[1:]:
            h = torch.addmm(bias, h.relu_(), w.t())
        out = h.view(b, m, -1)
        means = out[..., : k * d].reshape(b, m, k, d)
        logits = out[..., k * d : k * d + k]
        diff = y.view(b, 1, 1, d) - means  # (B, M, K, D)
        if self.log_std_head is None:
            comp = diff.square_().sum(-1).mul_(-0.5).sub_(0.5 * d * _LOG_2PI)
        else:
            log_std = out[..., k * d + k :].reshape(b, m, k, d).clamp(-5.0, 2.0)
            comp = (diff.mul_(torch.exp(-log_std)).square_().mul_(-0.5) - log_std).sum(-1).sub_(0.5 * d * _LOG_2PI)
        return torch.logsumexp(comp.add_(logits), dim=-1) - torch.logsumexp(logits, dim=-1)

    #: rows (transitions x skills) per forward pass when scoring: small enough for the activations to stay in cache
    #: (on a CPU about twice as fast as one pass over 2000 x 101 rows with a 256 x 256 network).
    score_chunk_rows: int = 2048

    def reward_th(self, obs: TensorObs, next_obs: TensorObs) -> torch.Tensor:
        with torch.no_grad():
            state, delta = self.input_state(obs), self.target_delta(obs, next_obs)
            z = self.layout.skill_encoding(obs).float()
            # normalise once per transition, not once per (transition, skill) pair
            x = self.input_norm.normalize(state) if self.normalize else state
            y = self.normalized_delta(delta)
            batch = state.shape[0]
            log_weights: torch.Tensor | None = None
            if self.n_alternatives is None:
                assert isinstance(self.prior, CategoricalPrior)
                n_alt = self.prior.n_skills
                z_alt = torch.eye(n_alt, device=self.device).expand(batch, n_alt, n_alt)
                log_weights = self.log_p_table  # type: ignore[assignment]
            else:
                n_alt = self.n_alternatives
                z_alt = self._alternatives(batch)
            # the current skill first, then the alternatives: log q of all of them in one pass
            skills = torch.cat([z.unsqueeze(1), z_alt.to(z.dtype)], dim=1)
            layers = self._affine_layers()
            step = max(1, self.score_chunk_rows // (n_alt + 1))
            out = []
            for start in range(0, batch, step):
                sl = slice(start, start + step)
                log_q_all = self._score_log_q(x[sl], skills[sl], y[sl], layers)
                out.append(self.log_ratio(log_q_all[:, 0], log_q_all[:, 1:], log_weights))
            return torch.cat(out) if len(out) != 1 else out[0]

    # --------------------------------------------------------------------------------------- training
    def loss_th(
        self, obs: TensorObs, next_obs: TensorObs, with_metrics: bool = True, weights: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """``-mean(log q(delta | s, z))``, or ``-mean(weights * log q)`` with per-transition ``weights`` (the
        importance weights of off-policy DADS)."""
        state, delta = self.input_state(obs), self.target_delta(obs, next_obs)
        if self.normalize and self.training:
            self.input_norm.update(state)
            self.target_norm.update(delta)
        z = self.layout.skill_encoding(obs).float()
        log_q = self.log_prob(state, z, delta)
        if weights is not None:
            if weights.shape != log_q.shape:
                raise ValueError(
                    f"weights must have one entry per transition, shape {tuple(log_q.shape)}, got {tuple(weights.shape)}"
                )
            loss = -(weights.to(log_q) * log_q).mean()
        else:
            loss = -log_q.mean()
        metrics: dict[str, float] = {}
        if with_metrics:
            with torch.no_grad():
                metrics = {"loss": float(loss), "log_likelihood": float(log_q.mean())}
                if self.normalize:
                    # the same density per unit of the raw change (nats), independent of the normalisation
                    metrics["log_likelihood_raw"] = float(log_q.mean() - torch.log(self.target_norm.std).sum())
        return loss, metrics

    def update_th(
        self,
        obs: TensorObs,
        next_obs: TensorObs,
        max_grad_norm: float | None = None,
        with_metrics: bool = True,
        weights: torch.Tensor | None = None,
    ) -> dict[str, float]:
        """One optimizer step on a batch, optionally with per-transition ``weights`` in the loss."""
        if weights is None:
            return super().update_th(obs, next_obs, max_grad_norm, with_metrics)
        with torch.enable_grad():
            self.train()
            loss, metrics = self.loss_th(obs, next_obs, with_metrics, weights=weights)
            self._optimizer_step(loss, max_grad_norm)
            self.eval()
        return metrics

    def config(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "input_features": self.input_features,
            "n_experts": self.n_experts,
            "net_arch": self.net_arch,
            "learning_rate": self.learning_rate,
            "learn_variance": self.learn_variance,
            "n_alternatives": self.n_alternatives,
            "clip": self.clip,
            "normalize": self.normalize,
            "norm_momentum": self.norm_momentum,
        }
