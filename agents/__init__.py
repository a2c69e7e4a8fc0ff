"""agents: skill-discovery and hierarchical-RL algorithms with the Stable-Baselines3 API."""

from agents.dads import DADS, DADSPPO, DADSSAC, PlanResult, SkillPlanner, plot_plans
from agents.diayn import DIAYN, DIAYNPPO, DIAYNSAC

__all__ = ["DADS", "DADSPPO", "DADSSAC", "DIAYN", "DIAYNPPO", "DIAYNSAC", "PlanResult", "SkillPlanner", "plot_plans"]
