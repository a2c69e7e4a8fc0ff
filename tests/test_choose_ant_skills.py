"""choose_ant_skills: what a candidate is (a run folder or one of its checkpoints), and stored episodes kept for a
candidate whose model is not."""

from __future__ import annotations

import json
import pathlib
import re

import pytest

from benchmarks.metra.choose_ant_skills import Candidate, measure


def _run(tmp_path: pathlib.Path, steps: int = 800) -> pathlib.Path:
    run = tmp_path / "ant_run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"steps": steps}))
    return run


def test_a_candidate_is_a_run_folder_or_a_checkpoint(tmp_path: pathlib.Path) -> None:
    run = _run(tmp_path)
    assert Candidate.of(run) == Candidate(run, "model.zip", 800)
    checkpoint = run / "checkpoints" / "model_650_steps.zip"
    assert Candidate.of(checkpoint) == Candidate(run, "checkpoints/model_650_steps.zip", 650)
    with pytest.raises(ValueError, match=re.escape("a run folder or RUN/checkpoints/model_<steps>_steps.zip")):
        Candidate.of(run / "model_650.zip")


def test_stored_episodes_stand_in_for_a_model_that_is_not_kept(tmp_path: pathlib.Path) -> None:
    run = _run(tmp_path)
    record = {"held_out": [[0.5, 0.4, 0.6, 0.5]], "test": [[0.55, 0.6, 0.5, 0.45]], "steps": 650}
    key = "checkpoints/model_650_steps.zip"
    (run / "choice.json").write_text(json.dumps({"candidates": {key: record}}))
    assert measure(Candidate(run, key, 650), 1) == record
    with pytest.raises(FileNotFoundError, match="no 3 episodes of it"):
        measure(Candidate(run, key, 650), 3)  # stored with one episode per goal, asked for three
    with pytest.raises(FileNotFoundError, match=re.escape("model.zip: no model")):
        measure(Candidate.of(run), 1)
