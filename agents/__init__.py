"""agents: skill-discovery and hierarchical-RL algorithms with the Stable-Baselines3 API."""

from agents.diayn import DIAYN, DIAYNPPO, DIAYNSAC
from agents.option_critic import PPOC, OptionCritic

__all__ = ["DIAYN", "DIAYNPPO", "DIAYNSAC", "PPOC", "OptionCritic"]
