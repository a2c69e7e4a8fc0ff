"""``hrl train metra`` (METRA, and LSD with ``--constraint spectral``): the run folder, ``--resume``, ``hrl eval`` and
``hrl plot``, and the usage errors of its options."""

from __future__ import annotations

import csv
import json
import os
import pathlib
import subprocess
import sys

import pytest
import torch
import yaml

from agents import LSD, METRA
from agents.app.commands import _read_curves
from agents.app.main import main
from agents.app.trainers import TRAINERS
from hrl_wrappers import LSDReward, METRAReward
from tests.helpers import ROOT

torch.set_num_threads(1)

POINT = "hrl_wrappers/PointWorld-v0"


def _train_args(run: pathlib.Path, *extra: str, steps: int = 200) -> list[str]:
    return [
        "train", "metra", "--env", POINT, "--steps", str(steps), "--net", "16", "--phi-arch", "16",
        "--batch-size", "32", "--phi-batch-size", "32", "--learning-starts", "50", "--device", "cpu",
        "--run-dir", str(run), "--no-progress", *extra,
    ]  # fmt: skip


def _hrl(*argv: str) -> subprocess.CompletedProcess[str]:
    """``python -m agents.app ARGV`` in a child process (this checkout's code, one torch thread)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "agents.app", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _progress_header(run: pathlib.Path) -> list[str]:
    with (run / "logs" / "progress.csv").open(newline="") as handle:
        return next(csv.reader(handle))


@pytest.fixture(scope="module")
def metra_run(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    run = tmp_path_factory.mktemp("cli_metra") / "run"
    args = _train_args(run, "--eval-every", "100", "--eval-rollouts", "2", "--checkpoint-every", "100", "--dual-lambda", "10")
    result = _hrl(*args)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "coverage" in result.stdout and f"run folder: {run}" in result.stdout
    return run


def test_train_writes_the_run_folder(metra_run: pathlib.Path) -> None:
    for name in ("config.yaml", "model.zip", "logs/progress.csv", "evaluation.json", "skills.md", "skills.png"):
        assert (metra_run / name).is_file(), name
    assert list((metra_run / "eval").glob("*.png")), "no periodic evaluation"
    assert list((metra_run / "checkpoints").glob("checkpoint_*_steps.zip"))

    config = yaml.safe_load((metra_run / "config.yaml").read_text())
    assert config["algorithm"] == "metra" and config["agent_class"] == "METRA" and config["constraint"] == "dual"
    assert config["status"] == "finished" and config["total_timesteps"] == 200
    assert config["skill_config"]["distribution"] == "sphere" and config["skill_dim"] == 2 and config["n_skills"] is None
    assert config["agent"]["phi_arch"] == [16] and config["reward_model"]["dual_lambda"] == 10.0
    assert config["learner"]["learning_starts"] == 50 and config["learner"]["learning_rate"] == pytest.approx(1e-4)
    assert config["command"].startswith("hrl train metra --env")

    header = _progress_header(metra_run)
    assert {"metra/loss", "metra/dual_lambda", "skills/coverage", "final_eval/coverage"} <= set(header)
    model = METRA.load(metra_run / "model.zip", device="cpu")
    assert isinstance(model.reward_model, METRAReward) and model.num_timesteps == 200
    assert "coverage" in json.loads((metra_run / "evaluation.json").read_text())["summary"]


def test_resume_to_more_steps(metra_run: pathlib.Path) -> None:
    result = _hrl("train", "--resume", str(metra_run), "--steps", "300")
    assert result.returncode == 0, result.stderr[-2000:]
    config = yaml.safe_load((metra_run / "config.yaml").read_text())
    assert config["status"] == "finished" and config["total_timesteps"] == 300
    assert config["resumes"][0]["num_timesteps"] == 200
    assert TRAINERS["metra"].load(metra_run / "model.zip", "cpu").num_timesteps == 300


def test_eval_reports_coverage_and_plot_draws(metra_run: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    (metra_run / "evaluation.json").unlink()
    assert main(["eval", str(metra_run), "--rollouts", "3"]) == 0
    out = capsys.readouterr().out
    assert "coverage:" in out and "evaluation.json" in out
    summary = json.loads((metra_run / "evaluation.json").read_text())["summary"]
    assert summary["coverage"] >= 1 and summary["n_rollouts"] == 3

    (metra_run / "curves.png").unlink(missing_ok=True)
    assert main(["plot", str(metra_run)]) == 0
    assert (metra_run / "skills.png").is_file() and (metra_run / "curves.png").is_file()
    assert {"metra/loss", "metra/dual_lambda"} <= set(_read_curves(metra_run / "logs" / "progress.csv"))


def test_spectral_constraint_trains_lsd(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "lsd"
    extra = ("--constraint", "spectral", "--n-skills", "3", "--eval-every", "0", "--eval-rollouts", "1")
    assert main(_train_args(run, *extra, steps=100)) == 0
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["agent_class"] == "LSD" and config["n_skills"] == 3 and "dual_lambda" not in config["reward_model"]
    assert "lsd/loss" in _progress_header(run)
    model = TRAINERS["metra"].load(run / "model.zip", "cpu")
    assert type(model) is LSD and isinstance(model.reward_model, LSDReward)
    assert type(LSD.load(run / "model.zip", device="cpu")) is LSD
    with pytest.raises(ValueError, match=r"not a METRA checkpoint.*LSD"):
        METRA.load(run / "model.zip")
    capsys.readouterr()
    assert main(["eval", str(run), "--rollouts", "1"]) == 0
    assert "coverage:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--constraint", "l2"], "--constraint"),
        (["--distribution", "cube"], "--distribution"),
        (["--dual-lambda", "0"], "--dual-lambda"),
        (["--phi-arch", "0"], "--phi-arch"),
        (["--update-ratio", "-1"], "--update-ratio"),
        (["--train-freq", "0"], "--train-freq"),
        (["--constraint", "spectral", "--dual-lambda", "5"], "--dual-lambda"),
        (["--n-skills", "4", "--distribution", "sphere"], "--distribution"),
        (["--skill-dim", "1"], "--skill-dim"),
        (["--n-skills", "4", "--skill-dim", "2"], "--skill-dim"),
        (["--features", "9"], "features"),
        (["--algo-kwargs", '{"constraint": "dual"}'], "--algo-kwargs"),
        (["--algo-kwargs", '{"no_such_argument": 1}'], "--algo-kwargs"),
    ],
)
def test_train_usage_errors(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    run = tmp_path / "run"
    assert main(_train_args(run, *extra)) == 2
    err = capsys.readouterr().err
    assert "error:" in err and message in err, err
    assert not run.exists()  # nothing written before the configuration is valid


def test_registered_with_its_help() -> None:
    assert TRAINERS["metra"].resumable
    assert TRAINERS["metra"].help.startswith("METRA (Park et al., 2024) and LSD (--constraint spectral)")
    assert main(["train", "metra", "--help"]) == 0
