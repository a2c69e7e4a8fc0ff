"""SkillController: a high-level PPO, SAC or DQN over frozen pretrained skills (DIAYN's hierarchical setup)."""

from agents.skill_controller.skill_controller import (
    SkillController,
    SkillControllerBase,
    SkillControllerDQN,
    SkillControllerPPO,
    SkillControllerSAC,
)

__all__ = ["SkillController", "SkillControllerBase", "SkillControllerDQN", "SkillControllerPPO", "SkillControllerSAC"]
