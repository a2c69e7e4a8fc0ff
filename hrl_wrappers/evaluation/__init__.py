"""Evaluate learned skills: rollouts per skill, discriminability, displacement, state coverage, plots and videos.

What this package offers, module by module:

* :mod:`~hrl_wrappers.evaluation.metrics`: :func:`evaluate_skills` rolls out every skill of a skill agent (anything
  with ``predict_skill(raw_obs, skill)`` and a ``skill_layout``, e.g. ``agents.DIAYN``) on a *raw* environment and
  measures, per skill, the mean displacement and velocity of chosen features, the episode length and return, and the
  discriminator's accuracy on the visited states; over all rollouts, the number of distinct cells visited (METRA's
  state coverage). The result is a :class:`SkillEvaluation` (``to_dict()``, ``markdown_table()``, ``summary()``).
  :func:`random_policy_coverage` gives the same metrics for uniformly random actions (the coverage baseline);
  :func:`state_coverage` counts the distinct ``floor(point / cell_size)`` cells among points.
* :mod:`~hrl_wrappers.evaluation.features`: what the metrics measure: :func:`info_features` (values from ``info``,
  e.g. HalfCheetah's ``"x_position"``) and :func:`locomotion_position_features` (the torso x or x-y of Gymnasium's
  MuJoCo locomotion envs), or indices into the flattened observation.
* :mod:`~hrl_wrappers.evaluation.episodes`: the :class:`SkillPolicy` protocol, the model checks, the plan of which
  skills to roll out, the episode runner and the per-skill statistics.
* :mod:`~hrl_wrappers.evaluation.plots`: :func:`plot_skill_trajectories`, the trajectories of every skill over two
  feature dimensions (or one over time).
* :mod:`~hrl_wrappers.evaluation.video`: :func:`record_skill_videos`, one video per skill with Gymnasium's
  ``RecordVideo``.
* :mod:`~hrl_wrappers.evaluation.callback`: :class:`SkillEvalCallback`, an SB3 callback that runs
  :func:`evaluate_skills` every ``eval_freq`` steps and logs the metrics and the trajectory plot (TensorBoard), a PNG
  and a CSV row.

matplotlib and ``RecordVideo`` are imported inside the functions that need them, so importing this package stays
light.

Example:
    >>> import numpy as np
    >>> state_coverage(np.array([[0.1, 0.1], [0.9, 0.2], [1.5, 0.1], [-0.2, 0.0]]), cell_size=1.0)
    3
"""

from hrl_wrappers.evaluation.callback import SkillEvalCallback
from hrl_wrappers.evaluation.episodes import DEFAULT_CONTINUOUS_ROLLOUTS, DEFAULT_MAX_STEPS, SkillPolicy
from hrl_wrappers.evaluation.features import (
    FeatureFn,
    Features,
    InfoFeatures,
    info_features,
    locomotion_position_features,
)
from hrl_wrappers.evaluation.metrics import SkillEvaluation, evaluate_skills, random_policy_coverage, state_coverage
from hrl_wrappers.evaluation.plots import plot_skill_trajectories
from hrl_wrappers.evaluation.video import record_skill_videos

__all__ = [
    "DEFAULT_CONTINUOUS_ROLLOUTS",
    "DEFAULT_MAX_STEPS",
    "FeatureFn",
    "Features",
    "InfoFeatures",
    "SkillEvalCallback",
    "SkillEvaluation",
    "SkillPolicy",
    "evaluate_skills",
    "info_features",
    "locomotion_position_features",
    "plot_skill_trajectories",
    "random_policy_coverage",
    "record_skill_videos",
    "state_coverage",
]
