"""DIAYN: Diversity is All You Need."""

from agents.diayn.diayn import DIAYN, DIAYNPPO, DIAYNSAC, DIAYNBase

__all__ = ["DIAYN", "DIAYNPPO", "DIAYNSAC", "DIAYNBase"]
