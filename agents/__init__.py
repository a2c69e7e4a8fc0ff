"""agents: skill-discovery and hierarchical-RL algorithms with the Stable-Baselines3 API."""

from agents.diayn import DIAYN, DIAYNPPO, DIAYNSAC
from agents.hiro import HIRO

__all__ = ["DIAYN", "DIAYNPPO", "DIAYNSAC", "HIRO"]
