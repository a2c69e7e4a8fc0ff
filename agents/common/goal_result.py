"""What one closed-loop goal-reaching episode did: DADS's planner and METRA's zero-shot goal reaching both return it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["PlanResult"]


@dataclass
class PlanResult:
    """What one closed-loop goal-reaching episode did.

    :param goal: the goal, in goal-feature coordinates.
    :param executed: goal features of every real state visited, shape ``(T + 1, G)``.
    :param planned: for each decision, the goal features predicted for the chosen plan, each ``(H_P * H_Z + 1, G)``
        (DADS's planner; empty where nothing is predicted, as in METRA's zero-shot goal reaching).
    :param skills: the skill executed at each decision.
    :param initial_distance: distance from the start to the goal.
    :param final_distance: distance from the last state to the goal.
    :param mean_distance: distance averaged over the episode's states (the paper's metric before normalising).
    :param env_return: sum of the environment's own rewards.
    """

    goal: np.ndarray
    executed: np.ndarray
    planned: list[np.ndarray] = field(default_factory=list)
    skills: list[Any] = field(default_factory=list)
    initial_distance: float = 0.0
    final_distance: float = 0.0
    mean_distance: float = 0.0
    env_return: float = 0.0

    def set_path(self, executed: Any) -> None:
        """Record the executed path (goal coordinates of every state visited, start first) and its distances to the
        goal."""
        self.executed = np.asarray(executed)
        dist = np.linalg.norm(self.executed - self.goal, axis=-1)
        self.initial_distance = float(dist[0])
        self.final_distance = float(dist[-1])
        self.mean_distance = float(dist.mean())

    @property
    def final_ratio(self) -> float:
        """Final distance over initial distance."""
        return self.final_distance / max(self.initial_distance, 1e-8)

    @property
    def normalized_distance(self) -> float:
        """The DADS paper's metric: distance to the goal averaged over the episode, over the initial distance."""
        return self.mean_distance / max(self.initial_distance, 1e-8)
