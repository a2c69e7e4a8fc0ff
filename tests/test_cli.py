"""Tests of the ``hrl`` command line (:mod:`agents.app`): train / eval / plot and the error paths."""

from __future__ import annotations

import csv
import json
import pathlib
import subprocess
import sys

import pytest
import torch
import yaml

from agents import DIAYN
from agents.app.main import build_parser, main
from agents.app.trainers import TRAINERS
from agents.app.trainers.diayn import _diayn_agent_kwargs, _diayn_env_kwargs

torch.set_num_threads(1)

POINT = "hrl_wrappers/PointWorld-v0"


def _train_args(run: pathlib.Path, *extra: str, steps: int = 300) -> list[str]:
    return [
        "train",
        "diayn",
        "--env",
        POINT,
        "--steps",
        str(steps),
        "--n-skills",
        "3",
        "--net",
        "16",
        "--disc-net",
        "16",
        "--run-dir",
        str(run),
        "--no-progress",
        *extra,
    ]


@pytest.fixture(scope="module")
def sac_run(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    run = tmp_path_factory.mktemp("cli") / "run"
    assert main(_train_args(run, "--learning-starts", "50", "--eval-every", "150")) == 0
    return run


def test_train_writes_the_run_folder(sac_run: pathlib.Path) -> None:
    for name in ("config.yaml", "model.zip", "logs/progress.csv", "evaluation.json", "skills.md", "skills.png"):
        assert (sac_run / name).is_file(), name
    assert list((sac_run / "logs").glob("events.out.tfevents*")), "no TensorBoard events in logs/"
    assert list((sac_run / "eval").glob("*.png")) and list((sac_run / "eval").glob("*.csv")), "no periodic evaluation"

    config = yaml.safe_load((sac_run / "config.yaml").read_text())
    assert config["algorithm"] == "diayn" and config["env"] == POINT
    assert config["steps"] == 300 and config["n_skills"] == 3 and config["total_timesteps"] >= 300
    assert config["options"]["learning_starts"] == 50 and config["options"]["n_envs"] == 1  # every option, defaults too
    assert config["agent"]["ent_coef"] == 0.1 and config["agent"]["discriminator_arch"] == [16]
    assert config["learner"]["learning_starts"] == 50 and config["learner"]["batch_size"] == 256
    assert config["command"].startswith("hrl train diayn --env")
    assert config["status"] == "finished" and config["wall_time_s"] > 0 and config["steps_per_s"] > 0
    assert config["hrl_wrappers_version"] and config["start_time"] and config["end_time"]

    with (sac_run / "logs" / "progress.csv").open(newline="") as handle:
        header = next(csv.reader(handle))
    assert "diayn/loss" in header and "time/total_timesteps" in header

    model = DIAYN.load(sac_run / "model.zip")
    assert model.n_skills == 3
    evaluation = json.loads((sac_run / "evaluation.json").read_text())
    assert "summary" in evaluation
    assert "|" in (sac_run / "skills.md").read_text()


def test_eval_and_plot(sac_run: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    (sac_run / "evaluation.json").unlink()
    assert main(["eval", str(sac_run), "--rollouts", "1", "--stochastic", "--cell-size", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "|" in out and "evaluation.json" in out
    assert json.loads((sac_run / "evaluation.json").read_text())["settings"]["deterministic"] is False

    (sac_run / "skills.png").unlink()
    assert main(["plot", str(sac_run)]) == 0
    assert (sac_run / "skills.png").is_file() and (sac_run / "curves.png").is_file()

    (sac_run / "evaluation.json").unlink()  # plot re-evaluates when the evaluation is missing
    assert main(["plot", str(sac_run)]) == 0
    assert (sac_run / "evaluation.json").is_file()


def test_train_refuses_to_overwrite_a_run(sac_run: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (sac_run / "model.zip").stat().st_mtime_ns
    assert main(_train_args(sac_run)) == 2
    err = capsys.readouterr().err
    assert err.startswith("hrl: error:") and "--run-dir" in err and str(sac_run) in err
    assert (sac_run / "model.zip").stat().st_mtime_ns == before


def test_train_ppo(tmp_path: pathlib.Path) -> None:
    run = tmp_path / "ppo"
    args = _train_args(
        run, "--algo", "ppo", "--batch-size", "32", "--eval-every", "0", "--algo-kwargs", '{"n_steps": 32}', steps=64
    )
    assert main(args) == 0
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["algo"] == "PPO" and config["learner"]["n_steps"] == 32 and config["learner"]["batch_size"] == 32
    assert "ent_coef" not in config["agent"]  # SAC's 0.1 default is not forced on PPO
    assert not (run / "eval").exists()
    assert type(DIAYN.load(run / "model.zip")).__name__ == "DIAYNPPO"


def test_eval_of_a_folder_that_is_not_a_run(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hrl: error:") and str(tmp_path) in err and "config.yaml" in err
    assert main(["plot", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--features", "99"], "features"),
        (["--prior", "x"], "--prior"),
        (["--no-termination"], "--no-termination"),
        (["--distribution", "gaussian"], "--skill-dim"),
        (["--algo", "PPO", "--learning-starts", "10"], "--learning-starts"),
        (["--algo-kwargs", '{"no_such_argument": 1}'], "--algo-kwargs"),
        (["--episode-steps", "5", "--env-kwargs", '{"max_episode_steps": 5}'], "--episode-steps"),
    ],
)
def test_train_usage_errors(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    run = tmp_path / "run"
    assert main(_train_args(run, *extra)) == 2
    err = capsys.readouterr().err
    assert err.startswith("hrl: error:") and message in err, err
    assert not run.exists()  # nothing written before the configuration is valid


def test_unknown_env_and_algorithm(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "diayn", "--env", "NoSuchEnv-v0", "--steps", "10", "--run-dir", str(tmp_path / "r")]) == 2
    assert "--env 'NoSuchEnv-v0'" in capsys.readouterr().err
    assert main(["train", "nosuchalgo", "--env", POINT, "--steps", "10"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'nosuchalgo'" in err and "diayn" in err
    assert {"diayn", "dads", "hiro", "option-critic"} <= set(TRAINERS)


def test_locomotion_options_resolve_env_kwargs() -> None:
    parser = build_parser()
    ant = parser.parse_args(["train", "diayn", "--env", "Ant-v5", "--steps", "1", "--prior", "xy", "--no-termination"])
    assert _diayn_env_kwargs(ant) == (
        {"exclude_current_positions_from_observation": False, "terminate_when_unhealthy": False},
        [0, 1],
    )
    cheetah = parser.parse_args(
        [
            "train",
            "diayn",
            "--env",
            "HalfCheetah-v5",
            "--steps",
            "1",
            "--prior",
            "x",
            "--no-termination",
            "--episode-steps",
            "50",
        ]
    )
    assert _diayn_env_kwargs(cheetah) == ({"exclude_current_positions_from_observation": False, "max_episode_steps": 50}, [0])


def test_module_help() -> None:
    result = subprocess.run([sys.executable, "-m", "agents.app", "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "train" in result.stdout and "eval" in result.stdout and "plot" in result.stdout
    assert main(["train", "diayn", "--help"]) == 0


def test_train_eval_plot_hiro(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "hiro"
    args = ["train", "hiro", "--env", "PointMaze_UMaze-v3", "--steps", "200", "--goal-indices", "0", "1", "--goal-range",
            "1.0", "--net", "16", "--learning-starts", "50", "--batch-size", "16", "--eval-episodes", "1",
            "--env-kwargs", '{"max_episode_steps": 40}', "--run-dir", str(run), "--no-progress",
            "--high-gradient-steps", "3", "--high-noise", "0.3", "--low-noise", "0.05",
            "--high-action-penalty", "0.001", "--no-low-bootstrap-periods", "--action-scale", "0.5"]  # fmt: skip
    assert main(args) == 0
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["algorithm"] == "hiro" and config["env_kwargs"]["continuing_task"] is False
    assert config["action_scale"] == 0.5
    model_config = TRAINERS["hiro"].load(run / "model.zip", "cpu").config
    assert (model_config["high_gradient_steps"], model_config["high_noise"], model_config["low_noise"]) == (3, 0.3, 0.05)
    assert model_config["high_action_penalty"] == 0.001 and model_config["low_bootstrap_periods"] is False
    assert config["total_timesteps"] == 200 and "success_rate" in json.loads((run / "evaluation.json").read_text())
    assert TRAINERS["hiro"].load(run / "model.zip", "cpu").num_timesteps == 200
    assert main(["eval", str(run), "--rollouts", "1"]) == 0
    assert main(["plot", str(run)]) == 0
    assert (run / "curves.png").exists()
    capsys.readouterr()
    assert main(["train", "hiro", "--env", "PointMaze_UMaze-v3", "--steps", "10", "--goal-indices", "0", "9",
                 "--goal-range", "1", "--run-dir", str(tmp_path / "bad"), "--no-progress"]) == 2  # fmt: skip
    assert "goal_indices=[0, 9]" in capsys.readouterr().err


def test_hiro_action_scale_wraps_the_env_and_rejects_non_positive(capsys: pytest.CaptureFixture[str]) -> None:
    from agents.app.core import _make_run_env
    from hrl_wrappers import ScaleAction

    env = _make_run_env("Pendulum-v1", {}, 0.25)
    assert isinstance(env, ScaleAction) and env.scale == 0.25
    assert not isinstance(_make_run_env("Pendulum-v1", {}, 1.0), ScaleAction)
    assert main(["train", "hiro", "--env", "Pendulum-v1", "--steps", "10", "--action-scale", "0"]) == 2
    assert "--action-scale" in capsys.readouterr().err


def test_discriminator_width_defaults_to_diayns_own_not_the_policys() -> None:
    from hrl_wrappers.rewards.diayn import DEFAULT_DISCRIMINATOR_ARCH

    parser = build_parser()
    base = ["train", "diayn", "--env", POINT, "--steps", "1", "--net", "32"]
    default = _diayn_agent_kwargs(parser.parse_args(base), {}, None)
    assert default["discriminator_arch"] == list(DEFAULT_DISCRIMINATOR_ARCH) == [128, 128]
    given = _diayn_agent_kwargs(parser.parse_args([*base, "--disc-net", "16", "8"]), {}, None)
    assert given["discriminator_arch"] == [16, 8]
