"""agents: skill-discovery and hierarchical-RL algorithms with the Stable-Baselines3 API."""

from agents.dads import DADS, DADSPPO, DADSSAC, PlanResult, SkillPlanner, plot_plans
from agents.diayn import DIAYN, DIAYNPPO, DIAYNSAC
from agents.hiro import HIRO
from agents.option_critic import PPOC, OptionCritic
from agents.skill_controller import SkillController, SkillControllerDQN, SkillControllerPPO, SkillControllerSAC

__all__ = [
    "DADS",
    "DADSPPO",
    "DADSSAC",
    "DIAYN",
    "DIAYNPPO",
    "DIAYNSAC",
    "HIRO",
    "PPOC",
    "OptionCritic",
    "PlanResult",
    "SkillController",
    "SkillControllerDQN",
    "SkillControllerPPO",
    "SkillControllerSAC",
    "SkillPlanner",
    "plot_plans",
]
