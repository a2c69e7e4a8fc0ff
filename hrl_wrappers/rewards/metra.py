"""METRA's reward: skills that travel far in a temporal-distance space, learned from the full state.

Park, Rybkin and Levine, "METRA: Scalable Unsupervised RL with Metric-Aware Abstraction", ICLR 2024
(https://arxiv.org/abs/2310.08887), Eq. 7-9 and Algorithm 1. phi maps states to ``R^d`` and is trained to

``maximise E[(phi(s') - phi(s))^T z]  subject to  ||phi(s) - phi(s')||^2 <= 1 for every transition (s, s')``

with dual gradient descent: the Lagrangian ``(phi(s') - phi(s))^T z + lambda * min(eps, 1 - ||phi(s') - phi(s)||^2)``
is maximised over phi with lambda held fixed, and ``log lambda`` takes gradient steps on
``log lambda * min(eps, 1 - ||phi(s') - phi(s)||^2)``, so lambda grows while the constraint is violated and shrinks
slowly (by the slack ``eps``) while it holds. The policy's reward is ``(phi(s') - phi(s))^T z`` (see
:mod:`hrl_wrappers.rewards.phi`).

Like the official code (``iod/metra.py``), the squared distance is the mean over the ``d`` coordinates of
``(phi(s') - phi(s))^2`` (the paper writes the squared norm, larger by the factor d), lambda starts at 30, the slack
is 1e-3, and phi and lambda take Adam steps at the same learning rate unless ``dual_lr`` is given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from hrl_wrappers.rewards.networks import mlp
from hrl_wrappers.rewards.phi import DEFAULT_PHI_ARCH, PhiReward
from hrl_wrappers.skill_layout import SkillLayout

__all__ = ["METRAReward", "metra_constraint"]


def metra_constraint(delta: torch.Tensor, slack: float) -> torch.Tensor:
    """METRA's constraint term ``min(slack, 1 - mean_k (phi(s')_k - phi(s)_k)^2)`` per transition.

    Positive while the transition's phi-distance is within the bound; the dual variable's loss is
    ``log lambda * mean(constraint)``.

    Example:
        >>> metra_constraint(torch.tensor([[0.0, 0.0], [2.0, 0.0]]), slack=1e-3).tolist()
        [0.0010000000474974513, -1.0]
    """
    return torch.clamp(1.0 - (delta**2).mean(-1), max=slack)


class METRAReward(PhiReward):
    """METRA's phi, its dual variable and the reward ``(phi(s') - phi(s))^T z``.

    :param layout: skill layout of the environment (see :meth:`for_env`).
    :param features: indices of the environment observation phi sees; the whole state when None.
    :param net_arch: hidden layer sizes of phi.
    :param learning_rate: Adam learning rate of phi (the paper: 1e-4).
    :param feature_scale: multiplies the features before phi.
    :param dual_lambda: initial value of the dual variable lambda (the paper: 30).
    :param dual_slack: the slack eps of the constraint (the paper: 1e-3).
    :param dual_lr: Adam learning rate of ``log lambda`` (None: ``learning_rate``).
    :param device: torch device.

    Example:
        >>> import gymnasium as gym
        >>> from hrl_wrappers import SkillWrapper
        >>> env = SkillWrapper(gym.make("Pendulum-v1"), skill_dim=2, distribution="sphere")
        >>> reward = METRAReward.for_env(env, net_arch=[32])
        >>> obs, _ = env.reset(seed=0)
        >>> next_obs, *_ = env.step(env.action_space.sample())
        >>> reward.reward(obs[None], next_obs[None]).shape
        (1,)
        >>> round(reward.dual_lambda, 3)
        30.0
    """

    log_prefix = "metra"

    def __init__(
        self,
        layout: SkillLayout,
        features: Sequence[int] | None = None,
        net_arch: Sequence[int] = DEFAULT_PHI_ARCH,
        learning_rate: float = 1e-4,
        feature_scale: float | Sequence[float] = 1.0,
        dual_lambda: float = 30.0,
        dual_slack: float = 1e-3,
        dual_lr: float | None = None,
        device: torch.device | str = "auto",
    ) -> None:
        super().__init__(layout, features, net_arch, learning_rate, feature_scale, device)
        for name, value in (("dual_lambda", dual_lambda), ("dual_slack", dual_slack), ("dual_lr", dual_lr)):
            if name == "dual_lr" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, float | int) or not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        self.initial_dual_lambda = float(dual_lambda)
        self.dual_slack = float(dual_slack)
        self.dual_lr = None if dual_lr is None else float(dual_lr)
        self.log_dual_lambda = nn.Parameter(torch.tensor(math.log(self.initial_dual_lambda)))
        self.to(self.device)
        groups = [
            {"params": list(self.phi_net.parameters())},
            {"params": [self.log_dual_lambda], "lr": self.learning_rate if self.dual_lr is None else self.dual_lr},
        ]
        self.optimizer = self.make_optimizer(self.learning_rate, groups)
        self.eval()

    def _build_phi(self, input_dim: int, output_dim: int, net_arch: list[int]) -> nn.Module:
        return mlp(input_dim, output_dim, net_arch)

    @property
    def dual_lambda(self) -> float:
        """The current value of the dual variable lambda."""
        return float(self.log_dual_lambda.detach().exp())

    def loss_from(
        self, delta: torch.Tensor, reward: torch.Tensor, with_metrics: bool
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """phi's loss ``-mean(r + lambda * c)`` (lambda held fixed) plus the dual loss ``log lambda * mean(c)``, with
        ``c`` :func:`metra_constraint`: one Adam step on their sum moves phi and ``log lambda`` as two separate steps
        on their own losses would (neither loss has a gradient in the other's parameters)."""
        constraint = metra_constraint(delta, self.dual_slack)
        lam = self.log_dual_lambda.exp().detach()
        phi_loss = -(reward + lam * constraint).mean()
        dual_loss = self.log_dual_lambda * constraint.detach().mean()
        metrics: dict[str, float] = {}
        if with_metrics:
            metrics = self._base_metrics(delta, reward)
            with torch.no_grad():
                metrics.update(
                    {
                        "loss": float(phi_loss),
                        "dual_lambda": float(lam),
                        "constraint": float(constraint.mean()),
                        "violation_rate": float(((delta**2).mean(-1) > 1.0).float().mean()),
                    }
                )
        return phi_loss + dual_loss, metrics

    def config(self) -> dict[str, Any]:
        return {
            **super().config(),
            "dual_lambda": self.initial_dual_lambda,
            "dual_slack": self.dual_slack,
            "dual_lr": self.dual_lr,
        }
