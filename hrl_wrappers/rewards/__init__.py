"""Learned intrinsic rewards: the :class:`IntrinsicReward` protocol and its implementations."""

from hrl_wrappers.rewards.base import IntrinsicReward
from hrl_wrappers.rewards.diayn import DIAYNReward

__all__ = ["DIAYNReward", "IntrinsicReward"]
