"""agents: skill-discovery and hierarchical-RL algorithms with the Stable-Baselines3 API.

The application above the algorithms, the ``hrl`` command line and Ray Tune sweeps, is :mod:`agents.app`;
``from agents import run_sweep`` resolves :func:`agents.app.run_sweep` on first use, so ``import agents`` does not
import it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from agents.dads import DADS, DADSPPO, DADSSAC, DADSBase, PlanResult, SkillPlanner, plot_plans
from agents.diayn import DIAYN, DIAYNPPO, DIAYNSAC, DIAYNBase
from agents.hiro import HIRO
from agents.metra import LSD, METRA, reach_goal, skill_directions
from agents.option_critic import PPOC, OptionCritic
from agents.skill_controller import (
    SkillController,
    SkillControllerBase,
    SkillControllerDQN,
    SkillControllerPPO,
    SkillControllerSAC,
)

if TYPE_CHECKING:
    from agents.app.sweep import run_sweep

#: names resolved on first use (the application layer, above the algorithms).
_LAZY = {"run_sweep": "agents.app.sweep"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'agents' has no attribute {name!r}")


__all__ = [
    "DADS",
    "DADSPPO",
    "DADSSAC",
    "DIAYN",
    "DIAYNPPO",
    "DIAYNSAC",
    "HIRO",
    "LSD",
    "METRA",
    "PPOC",
    "DADSBase",
    "DIAYNBase",
    "OptionCritic",
    "PlanResult",
    "SkillController",
    "SkillControllerBase",
    "SkillControllerDQN",
    "SkillControllerPPO",
    "SkillControllerSAC",
    "SkillPlanner",
    "plot_plans",
    "reach_goal",
    "run_sweep",
    "skill_directions",
]
