"""agents: skill-discovery and hierarchical-RL algorithms with the Stable-Baselines3 API."""

from agents.diayn import DIAYN, DIAYNPPO, DIAYNSAC
from agents.skill_controller import SkillController, SkillControllerDQN, SkillControllerPPO, SkillControllerSAC

__all__ = [
    "DIAYN",
    "DIAYNPPO",
    "DIAYNSAC",
    "SkillController",
    "SkillControllerDQN",
    "SkillControllerPPO",
    "SkillControllerSAC",
]
