"""Small environments and helpers shared by the tests."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from hrl_wrappers.sb3.checkpoint import Checkpoint, latest_checkpoint

ROOT = pathlib.Path(__file__).resolve().parent.parent


def start_cli(argv: Sequence[str]) -> subprocess.Popen[bytes]:
    """Run ``hrl <argv>`` in a child process (one torch thread), in its own process group, stderr captured."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "agents.app", *argv],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, which the SIGINT tests signal as a terminal's Ctrl-C does
    )


def wait_for_checkpoint(proc: subprocess.Popen[bytes], run: pathlib.Path, steps: int, timeout: float = 240) -> Checkpoint:
    """The first checkpoint of ``run`` at ``steps`` or more; fails if ``proc`` exits first or none comes in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        checkpoint = latest_checkpoint(run / "checkpoints")
        if checkpoint is not None and checkpoint.num_timesteps >= steps:
            return checkpoint
        if proc.poll() is not None:
            raise AssertionError(f"training exited early ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
        time.sleep(0.05)
    proc.kill()
    raise AssertionError(f"no checkpoint at {steps} steps within {timeout} s")


class TinyDictEnv(gym.Env):
    """Single-level Dict observations: a 2-D position ``"pos"`` and a Discrete room index ``"room"``.

    :param nested: add a nested Dict under ``"inner"`` (which the library must reject).
    :param step_size: how far one action moves the position.
    :param horizon: steps until truncation.
    :param reward_x: reward the x position (else the reward is 0).
    """

    def __init__(self, nested: bool = False, step_size: float = 0.2, horizon: int = 25, reward_x: bool = False) -> None:
        parts: dict[str, spaces.Space] = {"pos": spaces.Box(-1.0, 1.0, (2,), np.float32), "room": spaces.Discrete(3)}
        if nested:
            parts["inner"] = spaces.Dict({"a": spaces.Box(-1.0, 1.0, (1,), np.float32)})
        self.observation_space = spaces.Dict(parts)
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)
        self.step_size, self.horizon, self.reward_x = step_size, horizon, reward_x
        self._pos = np.zeros(2, np.float32)
        self._t = 0

    def _obs(self) -> dict[str, Any]:
        return {"pos": self._pos.copy(), "room": int(self._pos[0] > 0) + int(self._pos[1] > 0)}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict]:
        super().reset(seed=seed)
        self._pos = self.np_random.uniform(-0.5, 0.5, size=2).astype(np.float32)
        self._t = 0
        return self._obs(), {}

    def step(self, action: np.ndarray) -> tuple[dict[str, Any], float, bool, bool, dict]:
        self._pos = np.clip(self._pos + self.step_size * np.asarray(action, np.float32), -1, 1).astype(np.float32)
        self._t += 1
        reward = float(self._pos[0]) if self.reward_x else 0.0
        return self._obs(), reward, False, self._t >= self.horizon, {}
