"""LSD's reward: skills that travel far in a space where phi is 1-Lipschitz in the state.

Park, Choi, Kim, Lee and Kim, "Lipschitz-constrained Unsupervised Skill Discovery", ICLR 2022
(https://arxiv.org/abs/2202.00914), Eq. 5-6. phi is made 1-Lipschitz by spectral normalisation of every layer
(``torch.nn.utils.parametrizations.spectral_norm``), so ``||phi(s') - phi(s)|| <= ||s' - s||`` for any two states,
and phi is trained to maximise ``E[(phi(s') - phi(s))^T z]``: the only way to earn reward is to move the state
far along the skill's direction. The policy's reward is the same quantity (see :mod:`hrl_wrappers.rewards.phi`).

LSD measures distance in the raw state, so the scale of each feature matters: ``feature_scale`` sets it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from hrl_wrappers.rewards.phi import DEFAULT_PHI_ARCH, PhiReward
from hrl_wrappers.skill_layout import SkillLayout

__all__ = ["LSDReward"]


class LSDReward(PhiReward):
    """LSD's spectrally normalised phi and the reward ``(phi(s') - phi(s))^T z``.

    :param layout: skill layout of the environment (see :meth:`for_env`).
    :param features: indices of the environment observation phi sees; the whole state when None.
    :param net_arch: hidden layer sizes of phi.
    :param learning_rate: Adam learning rate of phi.
    :param feature_scale: multiplies the features before phi: the Lipschitz bound holds in these scaled units.
    :param device: torch device.

    Example:
        >>> import gymnasium as gym, torch
        >>> from hrl_wrappers import SkillWrapper
        >>> env = SkillWrapper(gym.make("Pendulum-v1"), n_skills=4)
        >>> reward = LSDReward.for_env(env, net_arch=[32])
        >>> obs, _ = env.reset(seed=0)
        >>> next_obs, *_ = env.step(env.action_space.sample())
        >>> reward.reward(obs[None], next_obs[None]).shape
        (1,)
    """

    log_prefix = "lsd"
    mode_dependent = True  # spectral norm's power iteration advances in train mode only

    def __init__(
        self,
        layout: SkillLayout,
        features: Sequence[int] | None = None,
        net_arch: Sequence[int] = DEFAULT_PHI_ARCH,
        learning_rate: float = 1e-4,
        feature_scale: float | Sequence[float] = 1.0,
        device: torch.device | str = "auto",
    ) -> None:
        super().__init__(layout, features, net_arch, learning_rate, feature_scale, device)
        self.to(self.device)
        self.optimizer = self.make_optimizer(self.learning_rate)
        self.eval()

    def _build_phi(self, input_dim: int, output_dim: int, net_arch: list[int]) -> nn.Module:
        layers: list[nn.Module] = []
        last = input_dim
        for width in [*net_arch, output_dim]:
            layers += [spectral_norm(nn.Linear(last, width)), nn.ReLU()]
            last = width
        return nn.Sequential(*layers[:-1])

    def loss_from(
        self, delta: torch.Tensor, reward: torch.Tensor, with_metrics: bool
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """phi's loss ``-mean((phi(s') - phi(s))^T z)``: the Lipschitz constraint is in phi's layers."""
        loss = -reward.mean()
        metrics: dict[str, float] = {}
        if with_metrics:
            metrics = {**self._base_metrics(delta, reward), "loss": float(loss.detach())}
        return loss, metrics
