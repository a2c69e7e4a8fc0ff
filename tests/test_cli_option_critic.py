"""``hrl train option-critic``: the run folder (config.yaml, model.zip, logs/progress.csv, evaluation.json)."""

from __future__ import annotations

import csv
import json
import pathlib

import pytest
import yaml

from agents import PPOC, OptionCritic
from agents.app.main import main
from agents.app.trainers import TRAINERS


@pytest.mark.parametrize(("variant", "cls"), [("a2oc", OptionCritic), ("ppoc", PPOC)])
def test_train_option_critic_writes_a_run_folder(tmp_path: pathlib.Path, variant: str, cls: type) -> None:
    run = tmp_path / "run"
    extra = ["--algo-kwargs", '{"batch_size": 32, "n_epochs": 1}'] if variant == "ppoc" else []
    argv = [
        "train", "option-critic", "--env", "CartPole-v1", "--steps", "128", "--n-envs", "2", "--n-options", "3",
        "--variant", variant, "--n-steps", "16", "--net", "16", "--xi", "0.02", "--eval-episodes", "1",
        "--log-interval", "1", "--run-dir", str(run), "--no-progress", *extra,
    ]  # fmt: skip
    assert main(argv) == 0
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["algorithm"] == "option-critic" and config["status"] == "finished"
    assert config["n_options"] == 3 and config["agent"]["termination_reg"] == 0.02
    assert config["total_timesteps"] >= 128
    with (run / "logs" / "progress.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows and "options/mean_duration" in rows[0] and "options/usage_2" in rows[0]
    evaluation = json.loads((run / "evaluation.json").read_text())
    assert len(evaluation["option_usage"]) == 3 and evaluation["mean_return"] > 0
    model = TRAINERS["option-critic"].load(run / "model.zip", "cpu")
    assert type(model) is cls and model.n_options == 3
    assert main(argv) == 2  # the run folder already holds a model
    (run / "evaluation.json").unlink()
    assert main(["eval", str(run), "--rollouts", "1"]) == 0
    assert json.loads((run / "evaluation.json").read_text())["episodes"] == 1
    assert main(["plot", str(run)]) == 0
    assert (run / "curves.png").is_file()


def test_train_option_critic_bad_arguments(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["train", "option-critic", "--env", "CartPole-v1", "--steps", "16", "--run-dir", str(tmp_path / "r")]
    assert main([*base, "--n-options", "0"]) == 2
    assert "--n-options" in capsys.readouterr().err
    assert main([*base, "--algo-kwargs", '{"n_options": 3}']) == 2
    assert "n_options" in capsys.readouterr().err
    assert main(["train", "option-critic", "--env", "MountainCarContinuous-v0", "--steps", "16", "--xi", "nan"]) == 2
