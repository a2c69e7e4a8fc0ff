"""Temporally extended exploration for flat off-policy agents: hold each noise sample for several steps.

Nachum et al. (2019, "Why Does Hierarchy (Sometimes) Work So Well in RL?") found that most of what hierarchy gains
in these tasks comes from exploring with temporally correlated behaviour. :class:`TemporallyExtendedNoise` wraps any
SB3 :class:`~stable_baselines3.common.noise.ActionNoise` and redraws it only every ``hold_steps`` calls, so a flat
TD3 or SAC (SB3 adds ``action_noise`` for every off-policy algorithm) commits to one exploratory direction for a
while, as a high level's goal would. The noisy action is what SB3 stores, so learning stays off-policy-correct.
:meth:`reset` (called by SB3 at each episode end) starts a new hold.

Example:
    >>> import numpy as np
    >>> from stable_baselines3.common.noise import NormalActionNoise
    >>> noise = TemporallyExtendedNoise(NormalActionNoise(np.zeros(2), np.ones(2)), hold_steps=3)
    >>> a, b, c, d = noise(), noise(), noise(), noise()
    >>> bool(np.all(a == b) and np.all(b == c) and np.any(c != d))
    True
"""

from __future__ import annotations

import numpy as np
from stable_baselines3.common.noise import ActionNoise

__all__ = ["TemporallyExtendedNoise"]


class TemporallyExtendedNoise(ActionNoise):
    """Hold each sample of ``base_noise`` for ``hold_steps`` steps.

    :param base_noise: the noise to hold (e.g. ``NormalActionNoise``); for several envs wrap each env's noise, or
        wrap this one in SB3's ``VectorizedActionNoise``.
    :param hold_steps: how many consecutive steps share one sample (1: the base noise unchanged).
    """

    def __init__(self, base_noise: ActionNoise, hold_steps: int = 10) -> None:
        super().__init__()
        if not isinstance(base_noise, ActionNoise):
            raise TypeError(f"base_noise must be an SB3 ActionNoise, got {type(base_noise).__name__}")
        if int(hold_steps) < 1:
            raise ValueError(f"hold_steps must be >= 1, got {hold_steps}")
        self.base_noise = base_noise
        self.hold_steps = int(hold_steps)
        self._held: np.ndarray | None = None
        self._age = 0

    def __call__(self) -> np.ndarray:
        if self._held is None or self._age >= self.hold_steps:
            self._held = np.asarray(self.base_noise())
            self._age = 0
        self._age += 1
        return self._held.copy()

    def reset(self) -> None:
        """Start a new hold at the next call (SB3 calls this at episode ends)."""
        self.base_noise.reset()
        self._held = None
        self._age = 0

    def __repr__(self) -> str:
        return f"TemporallyExtendedNoise({self.base_noise!r}, hold_steps={self.hold_steps})"
