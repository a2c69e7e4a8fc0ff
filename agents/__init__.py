"""agents: skill-discovery and hierarchical-RL algorithms with the Stable-Baselines3 API."""

from agents.dads import DADS, DADSPPO, DADSSAC, PlanResult, SkillPlanner, plot_plans
from agents.diayn import DIAYN, DIAYNPPO, DIAYNSAC
from agents.hiro import HIRO

__all__ = [
    "DADS",
    "DADSPPO",
    "DADSSAC",
    "DIAYN",
    "DIAYNPPO",
    "DIAYNSAC",
    "HIRO",
    "PlanResult",
    "SkillPlanner",
    "plot_plans",
]
