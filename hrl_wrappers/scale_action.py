"""``ScaleAction``: the agent acts in the env's action box, the env receives the action times a fixed scale.

A weaker (or stronger) robot without editing its model file. Gymnasium's ant has motor gear 150 with controls in
[-1, 1]; the HIRO reference's ant (``efficient-hrl``) has gear 1 with controls in +-30, a fifth of the torque, and
under Gymnasium's torque an AntMaze ant that random or young policies drive falls on its back in most episodes
(AntMaze never ends an episode when it does). ``ScaleAction(env, 0.2)`` gives the reference's torque limit while
the agent keeps Gymnasium's action space, so any SB3 agent, its noise and its ``tanh`` squashing are unchanged.
"""

from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

__all__ = ["ScaleAction"]


class ScaleAction(gym.ActionWrapper[Any, np.ndarray, np.ndarray], gym.utils.RecordConstructorArgs):
    """Multiply every action by ``scale`` (a positive number, or one per action dimension) before the env sees it.

    The wrapper's ``action_space`` is the env's: an agent's action ``a`` in it reaches the env as ``scale * a``,
    which lies in the box scaled by ``scale`` (inside the env's own box for ``0 < scale <= 1``). ``scale`` is recorded
    in ``env.spec``, so ``gym.make(env.spec)`` rebuilds the wrapper.

    :param env: an environment with a ``Box`` action space.
    :param scale: the factor, > 0 and finite; a sequence gives one factor per action dimension.

    Example:

    >>> import gymnasium as gym
    >>> from hrl_wrappers import ScaleAction
    >>> env = ScaleAction(gym.make("Pendulum-v1"), 0.5)
    >>> env.action_space                              # unchanged: the agent still acts in [-2, 2]
    Box(-2.0, 2.0, (1,), float32)
    >>> env.action(np.array([2.0], dtype=np.float32))  # what the pendulum receives
    array([1.], dtype=float32)
    """

    def __init__(self, env: gym.Env[Any, Any], scale: SupportsFloat | Any) -> None:
        if not isinstance(env.action_space, gym.spaces.Box):
            raise TypeError(f"env: ScaleAction needs a Box action space, got {env.action_space}")
        try:
            factor = np.asarray(scale, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"scale must be a number > 0 or one per action dimension, got {scale!r}") from None
        shape = env.action_space.shape
        if factor.ndim > 1 or (factor.ndim == 1 and factor.shape != shape):
            raise ValueError(f"scale must be a number or one per action dimension {shape}, got shape {factor.shape}")
        if not np.all(np.isfinite(factor)) or np.any(factor <= 0):
            raise ValueError(f"scale must be finite and > 0, got {scale!r}")
        gym.utils.RecordConstructorArgs.__init__(self, scale=factor.tolist() if factor.ndim else float(factor))
        gym.ActionWrapper.__init__(self, env)
        self.scale = factor.astype(env.action_space.dtype) if factor.ndim else float(factor)

    def action(self, action: np.ndarray) -> np.ndarray:
        """``scale * action``, in the env's action dtype."""
        dtype = self.env.action_space.dtype
        return np.asarray(np.asarray(action, dtype=dtype) * self.scale, dtype=dtype)
