"""DIAYN and DADS refuse image observations and ``CnnPolicy`` at construction, saying what they take instead."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces

from agents import DADS, DIAYN

IMAGE = spaces.Box(0, 255, (16, 16, 3), np.uint8)


class ImageEnv(gym.Env):
    """16x16 RGB observations, a 2-D action."""

    action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def __init__(self, with_position: bool = False) -> None:
        self.observation_space = (
            spaces.Dict({"image": IMAGE, "pos": spaces.Box(-1, 1, (2,), np.float32)}) if with_position else IMAGE
        )

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict]:
        super().reset(seed=seed)
        return self.observation_space.sample(), {}

    def step(self, action: np.ndarray) -> tuple[Any, float, bool, bool, dict]:
        return self.observation_space.sample(), 0.0, False, False, {}


@pytest.mark.parametrize("factory", [DIAYN, DADS])
@pytest.mark.parametrize(
    ("policy", "with_position", "obs_mode", "message"),
    [
        ("CnnPolicy", False, None, r"policy='CnnPolicy' is not supported: \w+ takes a flat Box observation"),
        ("CnnPolicy", False, "dict", r"policy='CnnPolicy' is not supported"),
        ("MlpPolicy", False, None, r"env observation is Box\(0, 255, \(16, 16, 3\), uint8\), an image"),
        ("MultiInputPolicy", True, None, r"env observation\['image'\] is Box\(0, 255, \(16, 16, 3\), uint8\), an image"),
    ],
)
def test_images_are_refused(factory: Any, policy: str, with_position: bool, obs_mode: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        factory(policy, ImageEnv(with_position), obs_mode=obs_mode, device="cpu")
    assert "FlattenObservation" in str(info.value)
