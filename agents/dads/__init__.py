"""DADS: skills with predictable dynamics, and zero-shot planning over them."""

from agents.dads.dads import DADS, DADSPPO, DADSSAC, DADSBase
from agents.dads.planner import PlanResult, SkillPlanner, plot_plans

__all__ = ["DADS", "DADSPPO", "DADSSAC", "DADSBase", "PlanResult", "SkillPlanner", "plot_plans"]
