"""Pieces shared by the agents."""

from agents.common.skill_agent import SkillAgent, make_skill_env

__all__ = ["SkillAgent", "make_skill_env"]
