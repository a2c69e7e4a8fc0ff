"""``hrl train`` never overwrites or deletes a file it did not write, and a kill never leaves a dead end.

Through ``agents.app.main.main`` with tiny runs: a folder that is not a run is refused (its files named, none changed);
a run killed before its first checkpoint (a real SIGKILL, and the partial files a kill mid-save leaves) is started
again by its own command or by ``--resume``; a finished run resumed with the same or fewer steps changes no file;
skill evaluations keep their timestep schedule across a resume; HIRO's and the SB3 learners' counters survive
save/load.
"""

from __future__ import annotations

import csv
import pathlib
import shutil
import signal
import time

import gymnasium as gym
import pytest
import yaml

from agents.app.main import main
from hrl_wrappers.sb3.checkpoint import latest_checkpoint, remove_partial_checkpoints
from tests.helpers import start_cli

POINT = "hrl_wrappers/PointWorld-v0"


def _train_args(run: pathlib.Path, steps: int, *extra: str) -> list[str]:
    return [
        "train", "diayn", "--env", POINT, "--steps", str(steps), "--n-skills", "3", "--net", "16",
        "--batch-size", "16", "--learning-starts", "50", "--eval-every", "0", "--eval-rollouts", "1",
        "--log-interval", "1", "--checkpoint-every", "100", "--run-dir", str(run), "--no-progress", *extra,
    ]  # fmt: skip


def _state(folder: pathlib.Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder``: its bytes and modification time."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in files}


def _progress_steps(run: pathlib.Path) -> list[int]:
    with (run / "logs" / "progress.csv").open(newline="") as handle:
        return [int(float(r["time/total_timesteps"])) for r in csv.DictReader(handle) if r["time/total_timesteps"]]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    run = tmp_path_factory.mktemp("safety") / "run"
    assert main(_train_args(run, 200)) == 0
    return run


@pytest.mark.parametrize(
    "files",
    [
        {"config.yaml": "lr: 0.1\nalgorithm: mine\n", "logs/progress.csv": "step,loss\n1,0.5\n"},
        {"notes.txt": "mine\n"},
        {"model.zip": "not hrl's\n", "data/x.csv": "1\n"},
    ],
    ids=["config-and-logs", "other-file", "a-model"],
)
def test_a_new_run_refuses_a_folder_it_did_not_write(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], files: dict[str, str]
) -> None:
    folder = tmp_path / "mine"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    before = _state(folder)
    assert main(_train_args(folder, 200)) == 2
    err = capsys.readouterr().err
    assert err.startswith("hrl: error: --run-dir") and "is not a run folder" in err and "nothing was changed" in err
    for name in files:
        assert name.split("/")[0] in err, (name, err)
    assert _state(folder) == before


def test_an_empty_folder_is_trained_into(tmp_path: pathlib.Path) -> None:
    run = tmp_path / "empty"
    run.mkdir()
    (run / ".tmp-config.yaml").write_text("algor")  # killed while writing its first config
    assert main(_train_args(run, 100)) == 0
    assert not (run / ".tmp-config.yaml").exists()
    assert (run / "model.zip").is_file()
    assert yaml.safe_load((run / "config.yaml").read_text())["run_folder"] == "hrl_wrappers.TrainingRun/1"


def _kill_before_first_checkpoint(run: pathlib.Path) -> list[str]:
    """Start a run that checkpoints only at its end and SIGKILL it once it has logged; returns its command line."""
    argv = _train_args(run, 1_000_000, "--checkpoint-every", "0")
    proc = start_cli(argv)
    try:
        deadline = time.monotonic() + 240
        progress = run / "logs" / "progress.csv"
        while not (progress.is_file() and len(progress.read_text().splitlines()) > 2):
            assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "no progress logged"
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert latest_checkpoint(run / "checkpoints") is None and not (run / "model.zip").exists()
    return argv


def _leave_partial_files(run: pathlib.Path) -> list[pathlib.Path]:
    """What a kill in the middle of saving a checkpoint or the config leaves."""
    partial = [
        run / "checkpoints" / ".tmp-checkpoint_100_steps.zip",  # killed in model.save
        run / "checkpoints" / "checkpoint_100_steps.zip",  # killed before its record was written
        run / ".tmp-config.yaml",
    ]
    for path in partial:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    return partial


def test_a_run_killed_before_its_first_checkpoint_restarts_with_the_same_command(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "killed"
    argv = _kill_before_first_checkpoint(run)
    assert yaml.safe_load((run / "config.yaml").read_text())["status"] == "running"
    killed_events = sorted((run / "logs").glob("events.out.tfevents.*"))
    assert killed_events
    partial = _leave_partial_files(run)
    (run / "notes.txt").write_text("the user's\n")
    notes = _state(run)["notes.txt"]
    capsys.readouterr()
    argv[argv.index("--steps") + 1] = "150"  # the same command, shorter for the test
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "killed before its first complete checkpoint: starting it again from step 0" in err
    assert all(not p.exists() for p in [*partial, *killed_events])
    assert _state(run)["notes.txt"] == notes  # not hrl's: untouched
    assert not list((run / "checkpoints").glob(".tmp-*"))
    assert _progress_steps(run) == sorted(_progress_steps(run)) and _progress_steps(run)[-1] == 150  # a new curve
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["status"] == "finished" and config["total_timesteps"] == 150


def test_resume_of_a_run_killed_before_its_first_checkpoint_starts_it_again(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "killed"
    _kill_before_first_checkpoint(run)
    command = yaml.safe_load((run / "config.yaml").read_text())["command"]
    partial = _leave_partial_files(run)
    capsys.readouterr()
    assert main(["train", "--resume", str(run), "--steps", "150"]) == 0
    assert "starting it again from step 0" in capsys.readouterr().err
    assert all(not p.exists() for p in partial)
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["command"] == command and config["total_timesteps"] == 150 and len(config["restarts"]) == 1
    checkpoint = latest_checkpoint(run / "checkpoints")
    assert checkpoint is not None and checkpoint.num_timesteps == 150
    # from now on it resumes as any run does
    assert main(["train", "--resume", str(run), "--steps", "200"]) == 0
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["total_timesteps"] == 200 and config["resumes"][-1]["num_timesteps"] == 150


def test_a_restart_refuses_a_killed_run_of_another_algorithm(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "killed"
    run.mkdir()
    (run / "config.yaml").write_text(yaml.safe_dump({"algorithm": "dads", "command": "hrl train dads --env X"}))
    before = _state(run)
    assert main(_train_args(run, 100)) == 2
    assert "holds a 'dads' run killed before its first checkpoint" in capsys.readouterr().err
    assert _state(run) == before


@pytest.mark.parametrize("steps", [None, "200", "150"])
def test_resuming_a_finished_run_changes_no_file(
    finished_run: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], steps: str | None
) -> None:
    run = tmp_path / "copy"
    shutil.copytree(finished_run, run)
    before = _state(run)
    capsys.readouterr()
    code = main(["train", "--resume", str(run), *([] if steps is None else ["--steps", steps])])
    captured = capsys.readouterr()
    if steps == "150":  # below the steps trained: a usage error that says what --steps means
        assert code == 2
        assert "--steps 150 is below the 200 steps" in captured.err and "--steps is the total to reach" in captured.err
    else:
        assert code == 0
        out = captured.out
        assert "is finished: trained to 200 steps" in out and "nothing was changed" in out and "--steps N" in out
    assert _state(run) == before  # model.zip, config.yaml, progress.csv (no second final_eval row): untouched


def test_partial_checkpoints_are_removed_and_nothing_else(finished_run: pathlib.Path, tmp_path: pathlib.Path) -> None:
    folder = tmp_path / "checkpoints"
    shutil.copytree(finished_run / "checkpoints", folder)
    complete = sorted(p.name for p in folder.iterdir())
    for name in (".tmp-checkpoint_300_steps.zip", ".tmp-checkpoint_300_replay_buffer.pkl", "checkpoint_300_steps.zip"):
        (folder / name).write_bytes(b"partial")
    (folder / "mine_300_steps.zip").write_bytes(b"user's")
    (folder / "notes.txt").write_text("user's\n")
    removed = remove_partial_checkpoints(folder)
    assert sorted(p.name for p in removed) == [
        ".tmp-checkpoint_300_replay_buffer.pkl",
        ".tmp-checkpoint_300_steps.zip",
        "checkpoint_300_steps.zip",
    ]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*complete, "mine_300_steps.zip", "notes.txt"])
    assert latest_checkpoint(folder) is not None
    assert remove_partial_checkpoints(tmp_path / "missing") == []


def test_skill_evaluations_keep_their_timestep_schedule_across_a_resume(tmp_path: pathlib.Path) -> None:
    run = tmp_path / "run"
    argv = _train_args(run, 150)
    argv[argv.index("--eval-every") + 1] = "100"
    assert main(argv) == 0
    assert main(["train", "--resume", str(run), "--steps", "300"]) == 0
    with (run / "eval" / "skill_eval.csv").open(newline="") as handle:
        steps = [int(float(row["timesteps"])) for row in csv.DictReader(handle)]
    assert steps == [100, 200, 300]  # not 100, 250 (calls counted from the resume)


def test_hiro_keeps_its_episode_counter_through_save_and_load(tmp_path: pathlib.Path) -> None:
    from stable_baselines3.common.logger import configure

    from agents import HIRO

    def make_env() -> gym.Env:
        return gym.make("Pendulum-v1", max_episode_steps=20)

    kwargs = {"c": 5, "goal_indices": [0, 1], "goal_range": 1.0, "learning_starts": 10, "batch_size": 8}
    model = HIRO("MlpPolicy", make_env, policy_kwargs={"net_arch": [8]}, **kwargs)
    model.set_logger(configure(None, []))
    model.learn(60)
    assert model._episode_num == 3
    model.save(tmp_path / "hiro.zip")
    loaded = HIRO.load(tmp_path / "hiro.zip", env=make_env)
    assert loaded._episode_num == 3 and loaded.num_timesteps == 60
    loaded.set_logger(configure(None, []))
    loaded.learn(40, reset_num_timesteps=False)
    assert loaded._episode_num == 5


def test_the_learners_update_and_episode_counters_survive_save_and_load(tmp_path: pathlib.Path) -> None:
    from agents import DIAYN, OptionCritic

    diayn = DIAYN("MlpPolicy", POINT, n_skills=2, learning_starts=20, batch_size=8, policy_kwargs={"net_arch": [8]})
    diayn.learn(120)
    diayn.save(tmp_path / "diayn.zip")
    loaded = DIAYN.load(tmp_path / "diayn.zip")
    assert (loaded._n_updates, loaded._episode_num) == (diayn._n_updates, diayn._episode_num)
    assert loaded._n_updates > 0
    oc = OptionCritic("MlpPolicy", "CartPole-v1", n_options=2, n_steps=16, policy_kwargs={"net_arch": [8]})
    oc.learn(64)
    oc.save(tmp_path / "oc.zip")
    loaded_oc = OptionCritic.load(tmp_path / "oc.zip")
    assert loaded_oc._n_updates == oc._n_updates > 0
