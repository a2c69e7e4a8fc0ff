"""``benchmarks/macro/zoo_tasks.py``: several commands' curves files merge into one table (the longest curve of a
learner and seed wins; a controller's curves are keyed by its skill set), and learner groups are ordered and named."""

from __future__ import annotations

import json
import pathlib

import pytest

from benchmarks.macro import zoo_tasks


def _write(path: pathlib.Path, curves: dict[str, list[list[float]]], budget: int = 100, **args: object) -> None:
    saved = {
        "args": {"task": "hurdles", "budget": budget, **args},
        "curves": curves,
        "seconds": {k: 1.0 for k in curves},
        "commands": [f"python -m benchmarks.macro.zoo_tasks {path.stem}"],
    }
    path.write_text(json.dumps(saved))


def test_curves_files_merge_with_the_longest_curve_and_controllers_keyed_by_their_skills(tmp_path: pathlib.Path) -> None:
    _write(tmp_path / "curves.json", {"controller/0": [[0, 0.0], [100, 1.0]], "sac/0": [[0, 0.0]]})
    _write(tmp_path / "curves_sac.json", {"sac/0": [[0, 0.0], [50, 0.0], [100, 2.0]]})
    _write(
        tmp_path / "curves_controller@halfcheetah-metra-x.json",
        {"controller@halfcheetah-metra-x/0": [[0, 0.0], [100, 3.0]]},
        skills="halfcheetah-metra-x",
    )
    merged = zoo_tasks.load_curves(tmp_path)
    assert merged["curves"]["sac/0"] == [[0, 0.0], [50, 0.0], [100, 2.0]]  # the complete run, not the stopped one
    assert merged["curves"]["controller@halfcheetah-diayn-x/0"] == [[0, 0.0], [100, 1.0]]  # the task's default set
    assert zoo_tasks.complete(merged)
    assert zoo_tasks.groups(merged) == ["controller@halfcheetah-diayn-x", "controller@halfcheetah-metra-x", "sac"]
    task = zoo_tasks.TASKS["hurdles"]
    assert zoo_tasks.label("controller@halfcheetah-metra-x", task) == "SkillController (PPO over halfcheetah-metra-x, k=10)"
    assert zoo_tasks.label("sac", task) == "flat SAC"
    assert len(merged["commands"]) == 3


def test_curves_files_of_different_budgets_are_refused(tmp_path: pathlib.Path) -> None:
    _write(tmp_path / "curves_ppo.json", {"ppo/0": [[0, 0.0]]}, budget=100)
    _write(tmp_path / "curves_sac.json", {"sac/0": [[0, 0.0]]}, budget=200)
    with pytest.raises(SystemExit, match="budget 200"):
        zoo_tasks.load_curves(tmp_path)
    (tmp_path / "curves_sac.json").unlink()
    assert not zoo_tasks.complete(zoo_tasks.load_curves(tmp_path))  # a curve short of the budget
