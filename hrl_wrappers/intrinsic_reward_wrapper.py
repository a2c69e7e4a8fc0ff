"""Env-side intrinsic reward: :class:`IntrinsicRewardWrapper` computes a reward model's reward at step time.

For users of RL libraries other than Stable-Baselines3. With SB3 prefer the relabelling buffers
(:mod:`hrl_wrappers.sb3`): a reward computed at step time goes stale as the reward model learns.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
import torch
from gymnasium.utils import seeding

from hrl_wrappers.rewards.base import IntrinsicReward

__all__ = ["IntrinsicRewardWrapper"]


def _batch(obs: Any) -> Any:
    if isinstance(obs, dict):
        return {k: np.asarray(v)[None] for k, v in obs.items()}
    return np.asarray(obs)[None]


class IntrinsicRewardWrapper(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Replace (or mix) the environment reward with a reward model's ``reward(obs, next_obs)``.

    ``reward = intrinsic_coef * r_intrinsic + extrinsic_coef * r_env``; the environment reward stays in
    ``info["extrinsic_reward"]`` and the intrinsic one in ``info["intrinsic_reward"]``.

    The reward is a function of the seed given to ``reset``: whatever the model draws (DADS's L alternative skills)
    comes from a generator of the wrapper's own, seeded by ``reset(seed=...)``, and the global torch generator is
    left as it was. ``env.spec`` records the arguments, the reward model included (as Gymnasium records the function
    of its ``TransformReward``): ``gym.make(env.spec)`` rebuilds the wrapper around a copy of the model, which does not
    follow the original's training; re-apply the wrapper to share the model.

    :param env: a skill-conditioned environment (wrapped with :class:`~hrl_wrappers.SkillWrapper`).
    :param reward: the reward model.
    :param intrinsic_coef: weight of the intrinsic reward.
    :param extrinsic_coef: weight of the environment reward.

    Example:
        >>> import gymnasium as gym
        >>> from hrl_wrappers import SkillWrapper, DIAYNReward
        >>> env = SkillWrapper(gym.make("Pendulum-v1"), n_skills=4)
        >>> env = IntrinsicRewardWrapper(env, DIAYNReward.for_env(env, net_arch=[16]))
        >>> _ = env.reset(seed=0)
        >>> _, r, _, _, info = env.step(env.action_space.sample())
        >>> bool(r == info["intrinsic_reward"])
        True
    """

    def __init__(
        self, env: gym.Env, reward: IntrinsicReward, intrinsic_coef: float = 1.0, extrinsic_coef: float = 0.0
    ) -> None:
        if not isinstance(reward, IntrinsicReward):
            raise TypeError(f"reward must be an hrl_wrappers IntrinsicReward, got {type(reward).__name__}")
        gym.utils.RecordConstructorArgs.__init__(
            self, reward=reward, intrinsic_coef=intrinsic_coef, extrinsic_coef=extrinsic_coef
        )
        gym.Wrapper.__init__(self, env)
        self.reward_model = reward
        self.intrinsic_coef = float(intrinsic_coef)
        self.extrinsic_coef = float(extrinsic_coef)
        self._last_obs: Any = None
        self._reward_rng, _ = seeding.np_random()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Reset the environment; with ``seed``, also reseed the generator the reward model draws from."""
        if seed is not None:
            self._reward_rng, _ = seeding.np_random(seed)
        obs, info = self.env.reset(seed=seed, options=options)
        self._last_obs = obs
        return obs, info

    def _intrinsic(self, obs: Any, next_obs: Any) -> float:
        """The model's reward of one transition, its random draws seeded from the wrapper's generator."""
        seed = int(self._reward_rng.integers(2**63 - 1))
        device = torch.device(getattr(self.reward_model, "device", "cpu"))
        cuda = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda):  # the global generators are restored afterwards
            torch.default_generator.manual_seed(seed)
            if cuda:
                torch.cuda.manual_seed(seed)
            return float(self.reward_model.reward(_batch(obs), _batch(next_obs))[0])

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        if self._last_obs is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        obs, env_reward, terminated, truncated, info = self.env.step(action)
        r_int = self._intrinsic(self._last_obs, obs)
        self._last_obs = obs
        info = dict(info)
        info["extrinsic_reward"] = float(env_reward)
        info["intrinsic_reward"] = r_int
        return obs, self.intrinsic_coef * r_int + self.extrinsic_coef * float(env_reward), terminated, truncated, info
