"""Stable-Baselines3 glue: relabelling replay and rollout buffers, HIRO's off-policy correction, the reward-model
callback, checkpoints, the check that stops training on NaN or infinite data."""

from hrl_wrappers.sb3.callbacks import IntrinsicRewardCallback
from hrl_wrappers.sb3.checkpoint import CheckpointCallback, latest_checkpoint, load_checkpoint
from hrl_wrappers.sb3.non_finite import FiniteDataCallback, NonFiniteDataError
from hrl_wrappers.sb3.off_policy_correction import OffPolicyCorrectionReplayBuffer
from hrl_wrappers.sb3.replay_buffer import RelabelingDictReplayBuffer, RelabelingReplayBuffer, relabeling_replay_buffer_class
from hrl_wrappers.sb3.rollout_buffer import (
    RelabelingDictRolloutBuffer,
    RelabelingRolloutBuffer,
    relabeling_rollout_buffer_class,
)

__all__ = [
    "CheckpointCallback",
    "FiniteDataCallback",
    "IntrinsicRewardCallback",
    "NonFiniteDataError",
    "OffPolicyCorrectionReplayBuffer",
    "RelabelingDictReplayBuffer",
    "RelabelingDictRolloutBuffer",
    "RelabelingReplayBuffer",
    "RelabelingRolloutBuffer",
    "latest_checkpoint",
    "load_checkpoint",
    "relabeling_replay_buffer_class",
    "relabeling_rollout_buffer_class",
]
