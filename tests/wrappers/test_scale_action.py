"""ScaleAction: the env receives scale x the agent's action; the agent's action space is unchanged; bad input."""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

from hrl_wrappers import ScaleAction


class RecordingEnv(gym.Env[np.ndarray, np.ndarray]):
    """A 3-D Box action env that remembers every action it receives."""

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
        self.action_space = gym.spaces.Box(np.array([-1.0, -2.0, -4.0]), np.array([1.0, 2.0, 4.0]), dtype=np.float32)
        self.received: list[np.ndarray] = []

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        return np.zeros(1, np.float32), {}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        self.received.append(np.array(action))
        return np.zeros(1, np.float32), 0.0, False, False, {}


@pytest.mark.parametrize("scale", [0.2, [0.5, 1.0, 0.25]])
def test_env_receives_scaled_action_and_agent_space_is_unchanged(scale: Any) -> None:
    inner = RecordingEnv()
    env = ScaleAction(inner, scale)
    assert env.action_space == inner.action_space
    env.reset(seed=0)
    actions = [np.array([1.0, -2.0, 4.0], np.float32), np.array([-0.5, 0.1, -3.0], np.float32)]
    for a in actions:
        env.step(a)
    for a, got in zip(actions, inner.received, strict=True):
        expected = np.array([a[i] * (scale[i] if isinstance(scale, list) else scale) for i in range(3)], np.float32)
        np.testing.assert_allclose(got, expected, rtol=1e-6)
        assert got.dtype == np.float32
        assert np.all(np.abs(got) <= np.abs(a))  # scales <= 1: never beyond the agent's action


def test_bad_input_names_the_argument() -> None:
    with pytest.raises(TypeError, match="env: ScaleAction needs a Box action space"):
        ScaleAction(gym.make("CartPole-v1"), 0.5)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="scale must be finite and > 0"):
            ScaleAction(RecordingEnv(), bad)
    with pytest.raises(ValueError, match=r"scale must be a number or one per action dimension \(3,\), got shape \(2,\)"):
        ScaleAction(RecordingEnv(), [0.5, 0.5])
