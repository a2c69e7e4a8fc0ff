"""HIRO: goal-conditioned two-level hierarchy with the off-policy correction."""

from agents.hiro.hiro import HIRO

__all__ = ["HIRO"]
