"""The reward that METRA and LSD share: how far a transition moves along the skill in a learned space phi.

Both methods learn a map ``phi`` from states to ``R^d`` and reward the policy with

``r(s, z, s') = (phi(s') - phi(s))^T z``

so that a skill is a direction in phi-space and a good skill travels far along it. What keeps phi from growing
without bound is the method's own constraint on ``||phi(s') - phi(s)||``: LSD makes phi 1-Lipschitz in the state
(:class:`~hrl_wrappers.rewards.lsd.LSDReward`, spectral normalisation), METRA bounds it by 1 on every transition
of the data (:class:`~hrl_wrappers.rewards.metra.METRAReward`, a dual variable), which makes phi-distance a
temporal distance.

The skill vector ``z`` is read from the observation: a continuous skill is used as it is; a categorical skill
``i`` of ``n`` becomes the zero-centred one-hot ``(e_i - 1/n) * n / (n - 1)`` (``e_i`` when ``n == 1``), the
encoding of both papers' discrete skills, so that no skill is rewarded for moving along the mean of all skills.

A learned phi also gives zero-shot goal reaching: the skill that heads from s to a goal g is the direction
``phi(g) - phi(s)`` (:meth:`PhiReward.goal_skill`).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from hrl_wrappers.priors import CategoricalPrior, GaussianPrior, SphericalPrior, UniformPrior
from hrl_wrappers.rewards.base import IntrinsicReward, TensorObs
from hrl_wrappers.skill_layout import SkillLayout, integer_list
from hrl_wrappers.skill_wrapper import find_skill_layout

__all__ = ["DEFAULT_PHI_ARCH", "PhiReward", "skill_vectors"]

#: hidden layers of phi unless ``net_arch`` is given: as narrow as DIAYN's default discriminator, for the same reason.
#: phi steps on every SAC batch, and one as wide as SB3's 256x256 policy costs about a fifth of METRA-SAC's throughput
#: (0.80 of plain SAC, ``benchmarks/metra/overhead_metra.py``); 128x128 keeps it above 0.9. METRA's state-based runs
#: use 1024x1024, far too slow for a CPU.
DEFAULT_PHI_ARCH: tuple[int, ...] = (128, 128)


def skill_vectors(onehot: torch.Tensor) -> torch.Tensor:
    """Zero-centred one-hot skill vectors: ``(onehot - 1/n) * n / (n - 1)`` for ``n`` skills (``onehot`` if n == 1).

    Each vector has 1 at its own skill and ``-1/(n-1)`` elsewhere, so the vectors of all skills sum to zero.

    Example:
        >>> skill_vectors(torch.eye(3)[[0]]).tolist()
        [[1.0, -0.5, -0.5]]
    """
    n = onehot.shape[-1]
    if n == 1:
        return onehot
    return (onehot * n - 1.0) / (n - 1)  # = (onehot - 1/n) * n/(n-1), exact at the skill's own entry


class PhiReward(IntrinsicReward):
    """Base of the rewards ``(phi(s') - phi(s))^T z``; subclasses build phi and define its training loss.

    phi maps the chosen features of the state (times ``feature_scale``) to ``R^d``: ``d = skill_dim`` for continuous
    skills, ``d = n_skills`` for categorical ones.

    :param layout: skill layout of the environment (see :meth:`for_env`).
    :param features: indices of the environment observation phi sees; the whole state when None (the methods' point:
        no x-y prior is needed).
    :param net_arch: hidden layer sizes of phi.
    :param learning_rate: Adam learning rate of phi.
    :param feature_scale: multiplies the features before phi (a scalar or one value per feature).
    :param device: torch device.
    """

    feature_scale: torch.Tensor
    mode_dependent = False  # Linear and ReLU layers (LSD's spectral norm, which differs between modes, overrides it)

    def __init__(
        self,
        layout: SkillLayout,
        features: Sequence[int] | None = None,
        net_arch: Sequence[int] = DEFAULT_PHI_ARCH,
        learning_rate: float = 1e-4,
        feature_scale: float | Sequence[float] = 1.0,
        device: torch.device | str = "auto",
    ) -> None:
        super().__init__(layout, features, device)
        prior = layout.prior
        if not isinstance(prior, CategoricalPrior | SphericalPrior | GaussianPrior | UniformPrior):
            raise ValueError(f"{type(self).__name__} supports categorical and continuous priors, got {prior!r}")
        self.prior = prior
        self.phi_dim = prior.n_skills if isinstance(prior, CategoricalPrior) else prior.skill_dim
        self.net_arch = integer_list(net_arch, "net_arch", "layer sizes", minimum=1)
        self.learning_rate = float(learning_rate)
        self._register_feature_scale(feature_scale)
        self.phi_net = self._build_phi(self.feature_dim, self.phi_dim, self.net_arch)

    @abstractmethod
    def _build_phi(self, input_dim: int, output_dim: int, net_arch: list[int]) -> nn.Module:
        """The network phi: ``input_dim`` features to ``output_dim`` values."""

    @classmethod
    def for_env(cls, env: Any, **kwargs: Any) -> Any:
        """Build the reward model for a :class:`~hrl_wrappers.SkillWrapper`-wrapped env or VecEnv."""
        return cls(find_skill_layout(env), **kwargs)

    # --------------------------------------------------------------------------------------- phi and skills
    def phi(self, obs: TensorObs) -> torch.Tensor:
        """phi of the state inside ``obs`` (skill-wrapped observations), shape ``(batch, d)``."""
        return self.phi_of_features(self.state_features(obs).float())

    def phi_of_features(self, features: torch.Tensor) -> torch.Tensor:
        """phi of a batch of already-selected state features, shape ``(batch, d)``."""
        return self.phi_net(features * self.feature_scale)

    def skill_vector(self, obs: TensorObs) -> torch.Tensor:
        """The vector z of the skill inside ``obs``: the skill itself (continuous) or zero-centred one-hot."""
        z = self.layout.skill_encoding(obs).float()
        return skill_vectors(z) if isinstance(self.prior, CategoricalPrior) else z

    def _delta_and_reward(self, obs: TensorObs, next_obs: TensorObs) -> tuple[torch.Tensor, torch.Tensor]:
        """``phi(s') - phi(s)`` and the reward ``(phi(s') - phi(s))^T z`` (with gradients when enabled).

        phi runs once over s' and s stacked: one pass over twice the rows (forward and backward) costs less than two
        passes, and gives the same values up to float summation order. It also makes s and s' meet the same function:
        LSD's spectral normalisation runs its power iteration once per pass in train mode, so two passes would send s
        and s' through slightly different weights.
        """
        before = self.state_features(obs).float()
        both = self.phi_of_features(torch.cat([self.state_features(next_obs).float(), before]))
        delta = both[: len(before)] - both[len(before) :]
        return delta, (delta * self.skill_vector(obs)).sum(-1)

    # --------------------------------------------------------------------------------------- protocol
    def reward_th(self, obs: TensorObs, next_obs: TensorObs) -> torch.Tensor:
        with torch.no_grad():
            return self._delta_and_reward(obs, next_obs)[1]

    @abstractmethod
    def loss_from(
        self, delta: torch.Tensor, reward: torch.Tensor, with_metrics: bool
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """The training loss given ``phi(s') - phi(s)`` and the reward of each transition (with gradients)."""

    def loss_th(self, obs: TensorObs, next_obs: TensorObs, with_metrics: bool = True) -> tuple[torch.Tensor, dict[str, float]]:
        delta, reward = self._delta_and_reward(obs, next_obs)
        return self.loss_from(delta, reward, with_metrics)

    def reward_and_update_th(
        self, obs: TensorObs, next_obs: TensorObs, max_grad_norm: float | None = None, with_metrics: bool = True
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """One forward pass serves both: the reward under the current phi, then phi's gradient step."""
        with self.training_mode():
            delta, reward = self._delta_and_reward(obs, next_obs)
            loss, metrics = self.loss_from(delta, reward, with_metrics)
            self._optimizer_step(loss, max_grad_norm)
        return reward.detach(), metrics

    def _base_metrics(self, delta: torch.Tensor, reward: torch.Tensor) -> dict[str, float]:
        with torch.no_grad():
            return {
                "reward": float(reward.mean()),
                "reward_std": float(reward.std()) if reward.numel() > 1 else 0.0,
                "delta_norm": float(delta.norm(dim=-1).mean()),
            }

    # --------------------------------------------------------------------------------------- goals
    def goal_skill(self, features: np.ndarray, goal_features: np.ndarray) -> np.ndarray:
        """The skill that heads from state features ``features`` towards ``goal_features``: zero-shot goal reaching.

        Continuous skills: ``z = (phi(g) - phi(s)) / ||phi(g) - phi(s)||`` (METRA, Sec. 4.3), rescaled to the norm
        of the prior's typical skill (1 on the sphere; ``sqrt(d)`` capped to the box for the others). Categorical
        skills: the skill whose zero-centred vector has the largest inner product with ``phi(g) - phi(s)``.

        :param features: the current state's features, ``(d_f,)`` or ``(batch, d_f)`` (the ``features`` phi sees).
        :param goal_features: the goal's features, same shape.
        :return: one skill per state: ints (categorical) or ``(batch, skill_dim)`` float32 vectors.
        """
        s = np.asarray(features, dtype=np.float32)
        g = np.asarray(goal_features, dtype=np.float32)
        single = s.ndim == 1
        s, g = np.atleast_2d(s), np.atleast_2d(g)
        for name, arr in (("features", s), ("goal_features", g)):
            if arr.shape[-1] != self.feature_dim:
                raise ValueError(
                    f"{name} must have {self.feature_dim} values per state (the features phi sees), got shape {arr.shape}"
                )
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name} contains NaN or infinite values")
        with torch.no_grad():
            direction = self.phi_of_features(torch.as_tensor(g, device=self.device)) - self.phi_of_features(
                torch.as_tensor(s, device=self.device)
            )
        d = direction.cpu().numpy().astype(np.float64)
        if isinstance(self.prior, CategoricalPrior):
            vectors = skill_vectors(torch.eye(self.phi_dim)).numpy()
            out: np.ndarray = np.argmax(d @ vectors.T, axis=-1)
            return out[0] if single else out
        unit = d / np.maximum(np.linalg.norm(d, axis=-1, keepdims=True), 1e-8)
        if isinstance(self.prior, UniformPrior):
            # the largest multiple of the direction inside the box
            bound = np.where(unit > 0, self.prior.high, np.where(unit < 0, -self.prior.low, np.inf))
            scale = np.min(bound / np.maximum(np.abs(unit), 1e-12), axis=-1, keepdims=True)
            unit = unit * scale
        elif isinstance(self.prior, GaussianPrior):
            unit = unit * np.sqrt(self.phi_dim)
        z = unit.astype(np.float32)
        return z[0] if single else z

    def config(self) -> dict[str, Any]:
        return {
            "features": self.features,
            "net_arch": self.net_arch,
            "learning_rate": self.learning_rate,
            "feature_scale": self.feature_scale_arg,
        }
