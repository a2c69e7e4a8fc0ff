"""PPOC (Klissarov et al., 2017): Option-Critic with PPO's clipped surrogate, several epochs and minibatches."""

from __future__ import annotations

from typing import Any, ClassVar

from stable_baselines3.common.type_aliases import GymEnv, Schedule

from agents.option_critic.option_critic import OptionCritic
from agents.option_critic.policies import OptionCriticPolicy

__all__ = ["PPOC"]


class PPOC(OptionCritic):
    """PPOC: Option-Critic with PPO's clipped surrogate (Klissarov et al., 2017, https://arxiv.org/abs/1712.00004).

    The same agent as :class:`OptionCritic` with PPO's defaults: long rollouts, GAE, several epochs of minibatches and
    the clipped intra-option ratio ``pi_w(a|s) / pi_w_old(a|s)``. Every parameter is :class:`OptionCritic`'s.

    Example:
        >>> from agents import PPOC
        >>> model = PPOC("MlpPolicy", "Pendulum-v1", n_options=2, n_steps=32, batch_size=16, n_epochs=2, seed=0)
        >>> model = model.learn(32)
        >>> model.clip_range
        0.2
    """

    agent_name: ClassVar[str] = "PPOC"

    def __init__(
        self,
        policy: str | type[OptionCriticPolicy],
        env: GymEnv | str,
        n_options: int = 4,
        learning_rate: float | Schedule = 3e-4,
        n_steps: int = 2048,
        gamma: float = 0.99,
        gae_lambda: float = 0.95,
        ent_coef: float = 0.0,
        vf_coef: float = 0.5,
        n_epochs: int = 10,
        batch_size: int | None = 64,
        clip_range: float | Schedule | None = 0.2,
        normalize_advantage: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            policy,
            env,
            n_options=n_options,
            learning_rate=learning_rate,
            n_steps=n_steps,
            gamma=gamma,
            gae_lambda=gae_lambda,
            ent_coef=ent_coef,
            vf_coef=vf_coef,
            n_epochs=n_epochs,
            batch_size=batch_size,
            clip_range=clip_range,
            normalize_advantage=normalize_advantage,
            **kwargs,
        )
