"""hrl_wrappers: skill discovery and hierarchical RL as Gymnasium wrappers and Stable-Baselines3 glue.

Layers (each imports only the ones above it):

1. Gymnasium wrappers, numpy only: :class:`SkillWrapper`, :class:`MacroActionWrapper` (frozen skills as
   macro-actions; the skills it calls may use torch), :class:`ScaleAction` (a weaker or stronger robot), the skill
   priors, :mod:`hrl_wrappers.locomotion` (positions that Gymnasium's MuJoCo envs hide) and the built-in
   environments (:mod:`hrl_wrappers.envs`).
2. Learned intrinsic rewards (torch): :class:`IntrinsicReward`, :class:`DIAYNReward`, :class:`DADSReward`,
   :class:`METRAReward`, :class:`LSDReward`; HIRO's
   fixed :class:`SubgoalReward`.
3. SB3 glue: :class:`RelabelingReplayBuffer`, :class:`RelabelingRolloutBuffer`, :class:`IntrinsicRewardCallback`,
   and the env-side :class:`IntrinsicRewardWrapper`; HIRO's :class:`OffPolicyCorrectionReplayBuffer`; the held
   exploration noise :class:`TemporallyExtendedNoise`; :class:`SkillLibrary` / :func:`load_skills` (the policies
   of saved skill models, frozen on the CPU, as skills for :class:`MacroActionWrapper`; ``load_skills(name)`` loads a
   skill set shipped with the package, see :mod:`hrl_wrappers.skill_zoo`: :func:`skill_sets`,
   :func:`list_skill_sets`, :class:`SkillSet`, :func:`export_skill_set`); :class:`CheckpointCallback`.
4. Runs: :class:`TrainingRun` (a run folder: metrics, checkpoints, resume).

The agents (DIAYN, DADS, HIRO, Option-Critic) live in the ``agents`` package, and the application above them, the
``hrl`` command line and Ray Tune sweeps (:func:`agents.app.run_sweep`), in ``agents.app``; nothing here imports
either.

Names of layers 2 and 3 are imported lazily, so ``from hrl_wrappers import SkillWrapper`` does not import torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import hrl_wrappers.envs  # noqa: F401  (registers the built-in environments)
from hrl_wrappers.macro_action_wrapper import MacroActionWrapper
from hrl_wrappers.priors import CategoricalPrior, GaussianPrior, SkillPrior, SphericalPrior, UniformPrior, make_prior
from hrl_wrappers.scale_action import ScaleAction
from hrl_wrappers.skill_layout import SkillLayout
from hrl_wrappers.skill_wrapper import SkillWrapper, find_skill_layout
from hrl_wrappers.skills import CallableSkills, Skills, circle_skills, skill_displacements

__version__ = "0.1.0"

_LAZY = {
    "IntrinsicReward": "hrl_wrappers.rewards.base",
    "DIAYNReward": "hrl_wrappers.rewards.diayn",
    "METRAReward": "hrl_wrappers.rewards.metra",
    "LSDReward": "hrl_wrappers.rewards.lsd",
    "DADSReward": "hrl_wrappers.rewards.dads",
    "IntrinsicRewardWrapper": "hrl_wrappers.intrinsic_reward_wrapper",
    "IntrinsicRewardCallback": "hrl_wrappers.sb3.callbacks",
    "RelabelingReplayBuffer": "hrl_wrappers.sb3.replay_buffer",
    "RelabelingDictReplayBuffer": "hrl_wrappers.sb3.replay_buffer",
    "RelabelingRolloutBuffer": "hrl_wrappers.sb3.rollout_buffer",
    "RelabelingDictRolloutBuffer": "hrl_wrappers.sb3.rollout_buffer",
    "OffPolicyCorrectionReplayBuffer": "hrl_wrappers.sb3.off_policy_correction",
    "SubgoalReward": "hrl_wrappers.rewards.subgoal",
    "TemporallyExtendedNoise": "hrl_wrappers.temporally_extended_exploration",
    "SkillEvalCallback": "hrl_wrappers.evaluation",
    "evaluate_skills": "hrl_wrappers.evaluation",
    "SkillEvaluation": "hrl_wrappers.evaluation",
    "random_policy_coverage": "hrl_wrappers.evaluation",
    "state_coverage": "hrl_wrappers.evaluation",
    "plot_skill_trajectories": "hrl_wrappers.evaluation",
    "record_skill_videos": "hrl_wrappers.evaluation",
    "info_features": "hrl_wrappers.evaluation",
    "locomotion_position_features": "hrl_wrappers.evaluation",
    "SkillLibrary": "hrl_wrappers.skill_library",
    "load_skills": "hrl_wrappers.skill_library",
    "SkillSet": "hrl_wrappers.skill_zoo",
    "skill_sets": "hrl_wrappers.skill_zoo",
    "list_skill_sets": "hrl_wrappers.skill_zoo",
    "export_skill_set": "hrl_wrappers.skill_zoo",
    "CheckpointCallback": "hrl_wrappers.sb3.checkpoint",
    "TrainingRun": "hrl_wrappers.training_run",
}

if TYPE_CHECKING:
    from hrl_wrappers.evaluation import (
        SkillEvalCallback,
        SkillEvaluation,
        evaluate_skills,
        info_features,
        locomotion_position_features,
        plot_skill_trajectories,
        random_policy_coverage,
        record_skill_videos,
        state_coverage,
    )
    from hrl_wrappers.intrinsic_reward_wrapper import IntrinsicRewardWrapper
    from hrl_wrappers.rewards.base import IntrinsicReward
    from hrl_wrappers.rewards.dads import DADSReward
    from hrl_wrappers.rewards.diayn import DIAYNReward
    from hrl_wrappers.rewards.lsd import LSDReward
    from hrl_wrappers.rewards.metra import METRAReward
    from hrl_wrappers.rewards.subgoal import SubgoalReward
    from hrl_wrappers.sb3.callbacks import IntrinsicRewardCallback
    from hrl_wrappers.sb3.checkpoint import CheckpointCallback
    from hrl_wrappers.sb3.off_policy_correction import OffPolicyCorrectionReplayBuffer
    from hrl_wrappers.sb3.replay_buffer import RelabelingDictReplayBuffer, RelabelingReplayBuffer
    from hrl_wrappers.sb3.rollout_buffer import RelabelingDictRolloutBuffer, RelabelingRolloutBuffer
    from hrl_wrappers.skill_library import SkillLibrary, load_skills
    from hrl_wrappers.skill_zoo import SkillSet, export_skill_set, list_skill_sets, skill_sets
    from hrl_wrappers.temporally_extended_exploration import TemporallyExtendedNoise
    from hrl_wrappers.training_run import TrainingRun


#: names that moved out of this package, and where they are now.
_MOVED = {"run_sweep": "from agents.app import run_sweep"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _MOVED:
        # ImportError, not AttributeError: ``from hrl_wrappers import run_sweep`` then shows this message instead of
        # Python's generic "cannot import name".
        raise ImportError(f"hrl_wrappers.{name} is part of the application layer now: {_MOVED[name]}")
    raise AttributeError(f"module 'hrl_wrappers' has no attribute {name!r}")


__all__ = [
    "CallableSkills",
    "CategoricalPrior",
    "CheckpointCallback",
    "DADSReward",
    "DIAYNReward",
    "GaussianPrior",
    "IntrinsicReward",
    "IntrinsicRewardCallback",
    "IntrinsicRewardWrapper",
    "LSDReward",
    "METRAReward",
    "MacroActionWrapper",
    "OffPolicyCorrectionReplayBuffer",
    "RelabelingDictReplayBuffer",
    "RelabelingDictRolloutBuffer",
    "RelabelingReplayBuffer",
    "RelabelingRolloutBuffer",
    "ScaleAction",
    "SkillEvalCallback",
    "SkillEvaluation",
    "SkillLayout",
    "SkillLibrary",
    "SkillPrior",
    "SkillSet",
    "SkillWrapper",
    "Skills",
    "SphericalPrior",
    "SubgoalReward",
    "TemporallyExtendedNoise",
    "TrainingRun",
    "UniformPrior",
    "circle_skills",
    "evaluate_skills",
    "export_skill_set",
    "find_skill_layout",
    "info_features",
    "list_skill_sets",
    "load_skills",
    "locomotion_position_features",
    "make_prior",
    "plot_skill_trajectories",
    "random_policy_coverage",
    "record_skill_videos",
    "skill_displacements",
    "skill_sets",
    "state_coverage",
]
