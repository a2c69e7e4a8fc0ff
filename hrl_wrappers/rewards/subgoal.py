"""HIRO's goal-reaching reward and relative-goal transition (Nachum et al., 2018, Eqs. 2-3).

The low level of HIRO is told a *relative* goal g: reach ``s + g`` on the goal dimensions of the state. As the state
moves, the goal is carried along so that it keeps pointing at the same absolute target,

    h(s, g, s') = s + g - s'                      (goal transition)
    r(s, g, a, s') = -|| s + g - s' ||_2           (low-level reward)

both over the chosen goal dimensions only. The reward has no parameters: it is computed once, when the transition is
collected, and never goes stale. It does not follow the :class:`~hrl_wrappers.IntrinsicReward` protocol, whose
``reward(obs, next_obs)`` reads everything from the policy's observation: HIRO's low level may be blind to the
absolute position (the original hides x-y), which the reward needs.

Example:
    >>> import numpy as np
    >>> from hrl_wrappers.rewards.subgoal import SubgoalReward
    >>> r = SubgoalReward(goal_indices=[0, 1])
    >>> s, g, s2 = np.array([0.0, 0.0, 5.0]), np.array([1.0, 1.0]), np.array([1.0, 0.0, 7.0])
    >>> r.transition(s, g, s2)
    array([0., 1.])
    >>> float(r.reward(s, g, s2))
    -1.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["SubgoalReward"]


class SubgoalReward:
    """``-||s + g - s'||`` and ``h(s, g, s') = s + g - s'`` over the state dimensions ``goal_indices``.

    :param goal_indices: indices of the state that form the goal space.
    :param scale: multiplies the reward (1.0 in the paper).
    """

    def __init__(self, goal_indices: Sequence[int], scale: float = 1.0) -> None:
        self.goal_indices = np.asarray([int(i) for i in goal_indices], dtype=np.int64)
        if self.goal_indices.ndim != 1 or len(self.goal_indices) == 0:
            raise ValueError(f"goal_indices must be a non-empty list of state indices, got {list(goal_indices)!r}")
        self.scale = float(scale)

    @property
    def goal_dim(self) -> int:
        """Dimension of the goal space."""
        return len(self.goal_indices)

    def project(self, state: np.ndarray) -> np.ndarray:
        """The goal dimensions of a state (or a batch of states, leading axes kept)."""
        return np.asarray(state)[..., self.goal_indices]

    def transition(self, state: np.ndarray, goal: np.ndarray, next_state: np.ndarray) -> np.ndarray:
        """``h(s, g, s') = s + g - s'`` on the goal dimensions (batched over leading axes)."""
        return self.project(state) + np.asarray(goal) - self.project(next_state)

    def reward(self, state: np.ndarray, goal: np.ndarray, next_state: np.ndarray) -> np.ndarray:
        """``-scale * ||s + g - s'||_2`` on the goal dimensions (batched over leading axes)."""
        return -self.scale * np.linalg.norm(self.transition(state, goal, next_state), axis=-1)
