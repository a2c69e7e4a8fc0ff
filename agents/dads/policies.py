"""Policy parts for DADS: a features extractor that hides chosen observation entries from the policy.

With the x-y prior (Sharma et al., 2020) the skill dynamics sees the torso position, while the policy does not
(``hide_coords`` in the reference code): skills must then move the agent the same way wherever it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

__all__ = ["HideFeaturesExtractor"]


class HideFeaturesExtractor(BaseFeaturesExtractor):
    """Flatten a Box observation and drop the entries ``hidden`` (e.g. the x-y position) before the policy's MLP.

    :param observation_space: a flat Box (the skill-conditioned observation of a ``"flat"`` SkillWrapper).
    :param hidden: indices of the observation the policy must not see.

    Example:
        >>> space = gym.spaces.Box(-1, 1, (4,))
        >>> extractor = HideFeaturesExtractor(space, hidden=[0, 1])
        >>> extractor(torch.tensor([[1.0, 2.0, 3.0, 4.0]])).tolist()
        [[3.0, 4.0]]
    """

    keep: torch.Tensor

    def __init__(self, observation_space: gym.spaces.Space, hidden: Sequence[int]) -> None:
        if not isinstance(observation_space, gym.spaces.Box) or len(observation_space.shape) != 1:
            raise ValueError(
                f"HideFeaturesExtractor needs a flat Box observation space (obs_mode='flat'), got {observation_space}"
            )
        n = int(observation_space.shape[0])
        drop = sorted({int(i) for i in hidden})
        if not drop or any(not 0 <= i < n for i in drop):
            raise ValueError(f"hidden must be indices in [0, {n}) of the observation, got {list(hidden)!r}")
        keep = np.array([i for i in range(n) if i not in set(drop)], dtype=np.int64)
        if len(keep) == 0:
            raise ValueError("hidden must leave at least one observation entry to the policy")
        super().__init__(observation_space, features_dim=len(keep))
        self.hidden = drop
        self.register_buffer("keep", torch.as_tensor(keep))

    def forward(self, observations: torch.Tensor) -> torch.Tensor:
        return observations.flatten(1).index_select(1, self.keep)
