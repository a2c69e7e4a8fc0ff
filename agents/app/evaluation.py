"""Skill evaluations of a run folder: what describes a skill, and ``evaluation.json``, ``skills.md``, ``skills.png``.

``hrl train diayn`` evaluates its skills at the end, ``hrl eval`` evaluates them again and ``hrl plot`` redraws them
from the saved evaluation; all three use these helpers.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.app.core import _is_locomotion, _make_eval_env, _plain
from hrl_wrappers.envs import FOUR_ROOMS_ID
from hrl_wrappers.locomotion import position_features

if TYPE_CHECKING:
    from hrl_wrappers.evaluation import SkillEvaluation


def _eval_features(env_id: str) -> Any:
    """Features that describe a skill in evaluations (see :func:`_eval_features_name`)."""
    from hrl_wrappers.evaluation import info_features, locomotion_position_features

    if _is_locomotion(env_id):
        return locomotion_position_features(env_id)
    if env_id == FOUR_ROOMS_ID:
        return info_features("cell")
    return None


def _eval_features_name(env_id: str) -> str:
    """The torso position (locomotion envs), Four Rooms' (row, col) cell, else the whole observation."""
    if _is_locomotion(env_id):
        return "position x" if len(position_features(env_id)) == 1 else "position x, y"
    if env_id == FOUR_ROOMS_ID:
        return "info cell (row, col)"
    return "observation"


def _plot_dims(env_id: str) -> tuple[int, int]:
    """x-y plot of the first two features; the first one over time for 1-D features (HalfCheetah's x)."""
    return (0, 0) if _is_locomotion(env_id) and len(position_features(env_id)) == 1 else (0, 1)


def _evaluate_run(
    model: Any,
    run: pathlib.Path,
    config: dict[str, Any],
    n_rollouts: int | None,
    cell_size: float,
    deterministic: bool,
    seed: int,
) -> SkillEvaluation:
    """Evaluate every skill of ``model``; write ``evaluation.json``, ``skills.md`` and ``skills.png`` into ``run``."""
    from hrl_wrappers.evaluation import evaluate_skills

    env = _make_eval_env(config)
    try:
        evaluation = evaluate_skills(
            model,
            env,
            n_rollouts=n_rollouts,
            features=_eval_features(config["env"]),
            cell_size=cell_size,
            deterministic=deterministic,
            seed=seed,
        )
    finally:
        env.close()
    data = evaluation.to_dict()  # the summary included
    data["settings"] = {
        "env": config["env"],
        "features": _eval_features_name(config["env"]),
        "cell_size": cell_size,
        "n_rollouts": n_rollouts,
        "deterministic": deterministic,
        "seed": seed,
    }
    (run / "evaluation.json").write_text(json.dumps(_plain(data), indent=2) + "\n")
    (run / "skills.md").write_text(evaluation.markdown_table() + "\n")
    _save_trajectory_plot(evaluation, run / "skills.png", config)
    return evaluation


def _save_trajectory_plot(evaluation: SkillEvaluation, path: pathlib.Path, config: dict[str, Any]) -> None:
    from hrl_wrappers.evaluation import plot_skill_trajectories

    title = f"{str(config['algorithm']).upper()} skills on {config['env']}: coverage {evaluation.coverage}"
    if evaluation.accuracy is not None:
        title += f", accuracy {evaluation.accuracy:.2f}"
    dims = (0, 1) if evaluation.feature_dim >= 2 else (0, 0)
    plot_skill_trajectories(evaluation, path=str(path), dims=dims, title=title)  # an Agg figure, no pyplot state


def _print_evaluation(evaluation: SkillEvaluation) -> None:
    print(evaluation.markdown_table())
    print("\n".join(f"{key}: {value:.4g}" for key, value in evaluation.summary().items()))


def _saved_evaluation(run: pathlib.Path) -> SkillEvaluation | None:
    """The evaluation saved in ``run/evaluation.json`` (by ``SkillEvaluation.to_dict``); None if missing or unreadable."""
    from hrl_wrappers.evaluation import SkillEvaluation

    path = run / "evaluation.json"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        values = {f.name: data[f.name] for f in dataclasses.fields(SkillEvaluation) if f.name in data}
        values["trajectories"] = [np.asarray(t, dtype=np.float64).reshape(len(t), -1) for t in data["trajectories"]]
        return SkillEvaluation(**values)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # e.g. written without trajectories: evaluate again
