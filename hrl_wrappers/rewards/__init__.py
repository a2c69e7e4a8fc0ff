"""Learned intrinsic rewards: the :class:`IntrinsicReward` protocol and its implementations."""

from hrl_wrappers.rewards.base import IntrinsicReward
from hrl_wrappers.rewards.dads import DADSReward
from hrl_wrappers.rewards.diayn import DIAYNReward

__all__ = ["DADSReward", "DIAYNReward", "IntrinsicReward"]
