"""``hrl train dads`` and ``hrl plan``: the run folder, a plan, and the error paths."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import gymnasium as gym
import pytest
import torch
import yaml

from agents import DADS
from agents.app.main import main

torch.set_num_threads(1)

POINT = "hrl_wrappers/PointWorld-v0"


@pytest.fixture(scope="module")
def dads_run(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    run = tmp_path_factory.mktemp("cli_dads") / "run"
    argv = [
        "train",
        "dads",
        "--env",
        POINT,
        "--steps",
        "200",
        "--net",
        "16",
        "--iteration-steps",
        "100",
        "--dynamics-steps",
        "4",
        "--agent-steps",
        "4",
        "--alternatives",
        "8",
        "--run-dir",
        str(run),
        "--no-progress",
    ]
    assert main(argv) == 0
    return run


def test_train_dads_writes_a_run(dads_run: pathlib.Path) -> None:
    config = yaml.safe_load((dads_run / "config.yaml").read_text())
    assert config["algorithm"] == "dads" and config["status"] == "finished" and config["total_timesteps"] == 200
    model = DADS.load(dads_run / "model.zip", device="cpu")
    assert model.reward_model.n_alternatives == 8 and model.n_steps_per_iter == 100


def test_plan(dads_run: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["plan", str(dads_run), "--goal", "3", "-2", "--steps", "20", "--candidates", "8", "--refine", "2"]
    assert main(argv) == 0
    out = json.loads((dads_run / "plan.json").read_text())
    assert out["goal"] == [3.0, -2.0] and out["steps"] == 20
    assert (dads_run / "plan.png").stat().st_size > 0
    assert "final_over_initial" in capsys.readouterr().out


def test_plan_errors(dads_run: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(dads_run), "--goal", "1", "2", "3"]) == 2
    assert "goal must have 2 entries" in capsys.readouterr().err
    diayn = tmp_path / "diayn"
    argv = [
        "train",
        "diayn",
        "--env",
        POINT,
        "--steps",
        "60",
        "--n-skills",
        "2",
        "--net",
        "8",
        "--learning-starts",
        "20",
        "--eval-every",
        "0",
        "--eval-rollouts",
        "1",
        "--run-dir",
        str(diayn),
        "--no-progress",
    ]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["plan", str(diayn), "--goal", "1", "2"]) == 2
    assert "model must be a trained DADS agent" in capsys.readouterr().err


def test_train_dads_usage_errors(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "r"
    assert main(["train", "dads", "--env", POINT, "--steps", "10", "--hide-features", "--run-dir", str(run)]) == 2
    assert "--hide-features" in capsys.readouterr().err
    assert main(["train", "dads", "--env", POINT, "--steps", "10", "--features", "5", "--run-dir", str(run)]) == 2
    assert "features has indices [5] outside the observation" in capsys.readouterr().err


def test_train_dads_off_policy_importance_weighted(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    argv = [
        "train",
        "dads",
        "--env",
        POINT,
        "--steps",
        "120",
        "--net",
        "16",
        "--alternatives",
        "4",
        "--schedule",
        "off-policy",
    ]
    argv += ["--importance-clip", "10", "--resample-every", "10", "--features", "0", "1", "--hide-features"]
    argv += ["--skill-only-dynamics"]
    argv += ["--algo-kwargs", '{"learning_starts": 40, "batch_size": 16, "dynamics_batch_size": 16}']
    assert main([*argv, "--run-dir", str(run), "--no-progress"]) == 0
    model = DADS.load(run / "model.zip", device="cpu")
    assert model.importance_clip == 10.0 and model.skill_config["resample_every"] == 10
    assert model.reward_model.input_features == [] and model.reward_model.features == [0, 1]
    on_policy = ["train", "dads", "--env", POINT, "--steps", "10", "--importance-clip", "10", "--run-dir", str(tmp_path / "x")]
    assert main(on_policy) == 2
    assert "importance_clip needs schedule='off-policy'" in capsys.readouterr().err


def test_train_dads_action_scale(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--action-scale`` wraps every training env in ScaleAction, is recorded, and ``hrl plan`` uses it too."""
    from agents.app import core
    from agents.app.trainers import dads as cli
    from hrl_wrappers import ScaleAction

    built: list[gym.Env] = []

    def recording(*args: Any) -> gym.Env:
        built.append(make_run_env(*args))
        return built[-1]

    make_run_env = cli._make_run_env
    monkeypatch.setattr(cli, "_make_run_env", recording)
    run = tmp_path / "run"
    argv = ["train", "dads", "--env", POINT, "--steps", "100", "--net", "8", "--iteration-steps", "50"]
    argv += ["--dynamics-steps", "2", "--agent-steps", "2", "--alternatives", "4", "--n-envs", "2"]
    assert main([*argv, "--action-scale", "0.25", "--run-dir", str(run), "--no-progress"]) == 0
    assert len(built) == 2 and all(isinstance(e, ScaleAction) and e.scale == 0.25 for e in built)  # both training envs
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["action_scale"] == 0.25 and config["total_timesteps"] == 100
    env = core._make_eval_env(config)
    assert isinstance(env, ScaleAction) and env.scale == 0.25
    assert main(["plan", str(run), "--goal", "1", "1", "--steps", "5", "--candidates", "4", "--refine", "1"]) == 0
    assert json.loads((run / "plan.json").read_text())["steps"] == 5
    capsys.readouterr()
    assert main([*argv, "--action-scale", "0", "--run-dir", str(tmp_path / "bad")]) == 2
    assert "--action-scale" in capsys.readouterr().err
