"""METRA and LSD: skill discovery in a learned distance-preserving space, on SB3's SAC."""

from agents.metra.goal_reaching import reach_goal, skill_directions
from agents.metra.metra import LSD, METRA

__all__ = ["LSD", "METRA", "reach_goal", "skill_directions"]
