"""agents: skill-discovery and hierarchical-RL algorithms with the Stable-Baselines3 API."""

from agents.dads import DADS, DADSPPO, DADSSAC, SkillPlanner
from agents.diayn import DIAYN, DIAYNPPO, DIAYNSAC

__all__ = ["DADS", "DADSPPO", "DADSSAC", "DIAYN", "DIAYNPPO", "DIAYNSAC", "SkillPlanner"]
