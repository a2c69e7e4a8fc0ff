"""``hrl sweep`` / :func:`run_sweep`: sweep-file validation, the missing-Ray message, one trial, and (slow) a Ray run."""

from __future__ import annotations

import pathlib
import sys
from typing import Any

import pytest
import yaml

from agents.app.main import main
from agents.app.sweep import RAY_INSTALL_HINT, SweepError, load_sweep_config, run_sweep, run_trial

POINT = "hrl_wrappers/PointWorld-v0"
BASE: dict[str, Any] = {
    "env": POINT, "steps": 200, "n-skills": 3, "net": [16], "batch-size": 16, "learning-starts": 50,
    "eval-every": 0, "checkpoint-every": 100,
}  # fmt: skip


def _config(**changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "algorithm": "diayn",
        "seeds": [0, 1],
        "base": dict(BASE),
        "settings": [{"name": "lr-a", "learning-rate": 0.001}, {"name": "lr-b", "learning_rate": 0.0003}],
        "resources": {"cpu": 1},
    }
    config.update(changes)
    return config


def _write(tmp_path: pathlib.Path, config: dict[str, Any]) -> pathlib.Path:
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_trials_are_seeds_times_settings(tmp_path: pathlib.Path) -> None:
    spec = load_sweep_config(_write(tmp_path, _config()), output=tmp_path / "out")
    trials = spec.trials()
    assert [t.name for t in trials] == ["lr-a-seed0", "lr-a-seed1", "lr-b-seed0", "lr-b-seed1"]
    argv = trials[3].argv(spec.output)
    assert argv[:2] == ["train", "diayn"] and "--learning-rate" in argv and argv[argv.index("--learning-rate") + 1] == "0.0003"
    assert argv[argv.index("--seed") + 1] == "1" and argv[argv.index("--run-dir") + 1] == str(tmp_path / "out" / "lr-b-seed1")
    assert argv[argv.index("--net") + 1 : argv.index("--net") + 2] == ["16"]
    spec = load_sweep_config(
        _config(settings=[{"name": "s"}], grid={"net": [[16], [32, 32]], "learning-rate": [0.1, 0.2]}), tmp_path
    )
    assert [name for name, _ in spec.settings] == [
        "s-net=16-learning-rate=0.1",
        "s-net=16-learning-rate=0.2",
        "s-net=32x32-learning-rate=0.1",
        "s-net=32x32-learning-rate=0.2",
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seeds": [0], "sedes": [1]}, "unknown key 'sedes'"),
        ({"algorithm": "diyan"}, "unknown algorithm 'diyan' (known: "),
        (
            {"settings": [{"name": "x", "lerning-rate": 0.1}]},
            "settings[0] has unknown option 'lerning-rate' for `hrl train diayn`",
        ),
        ({"base": {**BASE, "seed": 3}}, "base sets 'seed', which the sweep sets for each trial"),
        (
            {"settings": [{"name": "bad", "steps": -5}]},
            "setting 'bad': argument --steps: expected a positive integer, got '-5'",
        ),
        ({"settings": [{"name": "a"}, {"name": "a"}]}, "two settings are named 'a'"),
        ({"seeds": []}, "seeds must be a non-empty list of integers"),
        ({"mode": "best"}, "mode must be 'max' or 'min'"),
        ({"resources": {"cpus": 1}}, "resources has unknown key 'cpus'"),
        ({"resources": {"cpu": -1}}, "resources['cpu'] must be a number >= 0"),
        ({"grid": {"net": 16}}, "grid['net'] must be a non-empty list of values"),
        ({"max_failures": -1}, "max_failures must be an integer >= 0"),
    ],
)
def test_bad_sweep_files_name_what_is_wrong(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], changes: dict[str, Any], message: str
) -> None:
    path = _write(tmp_path, _config(**changes))
    with pytest.raises(SweepError) as info:
        load_sweep_config(path)
    assert message in str(info.value) and str(path) in str(info.value)
    assert main(["sweep", str(path), "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hrl: error: sweep file") and message in err
    assert not (tmp_path / "out").exists()  # nothing started, nothing written


def test_missing_file_and_not_a_mapping(tmp_path: pathlib.Path) -> None:
    with pytest.raises(SweepError, match="does not exist"):
        load_sweep_config(tmp_path / "nope.yaml")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    with pytest.raises(SweepError, match="must be a mapping"):
        load_sweep_config(tmp_path / "list.yaml")


def test_without_ray_the_command_says_how_to_install_it(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError, as when it is not installed
    monkeypatch.setitem(sys.modules, "ray.tune", None)
    path = _write(tmp_path, _config())
    with pytest.raises(SweepError, match=r"pip install \"hrl-wrappers\[ray\]\""):
        run_sweep(path, output=tmp_path / "out")
    assert main(["sweep", str(path), "--output", str(tmp_path / "out")]) == 2
    assert RAY_INSTALL_HINT in capsys.readouterr().err


def test_one_trial_is_a_plain_hrl_train_run(tmp_path: pathlib.Path) -> None:
    """What each Ray trial runs, run here directly: the run folder is laid out as `hrl train` lays it out."""
    spec = load_sweep_config(_config(seeds=[3], base={**BASE, "steps": 100}), output=tmp_path / "out")
    trial = spec.trials()[0]
    run = trial.run_dir(spec.output)
    metrics = run_trial({"argv": trial.argv(spec.output), "run_dir": str(run), "threads": 1})
    for name in ("config.yaml", "model.zip", "logs/progress.csv", "evaluation.json", "skills.md", "checkpoints"):
        assert (run / name).exists(), name
    assert list((run / "logs").glob("events.out.tfevents*"))
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["options"]["seed"] == 3 and config["options"]["learning_rate"] == 0.001
    assert metrics["total_timesteps"] == 100 and 0.0 <= metrics["accuracy"] <= 1.0
    assert "diayn/loss" in metrics  # the last progress.csv values come along
    # the final evaluation is in progress.csv and TensorBoard too, at the last step
    assert metrics["final_eval/accuracy"] == pytest.approx(metrics["accuracy"])
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run / "logs"))
    events.Reload()
    assert [(e.step, round(e.value, 5)) for e in events.Scalars("final_eval/accuracy")] == [
        (100, round(metrics["accuracy"], 5))
    ]
    assert events.Scalars("diayn/loss")  # the training metrics
    with pytest.raises(RuntimeError, match="exited with status 2"):
        run_trial({"argv": trial.argv(spec.output), "run_dir": str(run)})  # the folder already holds a run


def test_a_retried_trial_resumes_its_run(tmp_path: pathlib.Path) -> None:
    """A trial Ray retries (its process died mid-run) continues its run folder from the last checkpoint."""
    spec = load_sweep_config(_config(seeds=[0], base={**BASE, "steps": 100}), output=tmp_path / "out")
    trial = spec.trials()[0]
    run = trial.run_dir(spec.output)
    assert main(trial.argv(spec.output)) == 0
    config = yaml.safe_load((run / "config.yaml").read_text())
    (run / "config.yaml").write_text(yaml.safe_dump({**config, "status": "running"}))  # as a killed run leaves it
    (run / "model.zip").unlink()
    metrics = run_trial({"argv": trial.argv(spec.output), "run_dir": str(run), "resume": True})
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["status"] == "finished" and config["resumes"][0]["num_timesteps"] == 100
    assert metrics["total_timesteps"] == 100 and (run / "model.zip").is_file()


@pytest.mark.slow
def test_sweep_through_ray_on_this_machine(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("ray")
    config = _config(seeds=[0], max_concurrent=2)
    result = run_sweep(config, output=tmp_path / "out", num_cpus=2, verbose=0)
    assert [r["trial"] for r in result.rows] == ["lr-a-seed0", "lr-b-seed0"]
    assert all(r["status"] == "done" and r["metric"] is not None for r in result.rows)
    assert result.best_setting in ("lr-a", "lr-b")
    assert (tmp_path / "out" / "results.md").is_file() and (tmp_path / "out" / "results.csv").is_file()
    for row in result.rows:
        assert (pathlib.Path(row["run_dir"]) / "model.zip").is_file()
