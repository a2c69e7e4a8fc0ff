"""``hrl train`` checkpoints and ``hrl train --resume``: SIGKILL and SIGINT mid-run, and the bad inputs.

The SIGKILL test kills a real training process (tiny networks, the point world) once it has written two
checkpoints, resumes it through the command line in this process and checks that the resumed learner started from
the last checkpoint: its timestep count, its reward model (discriminator weights and Adam state), and that the run's
``progress.csv`` continues the same curve.
"""

from __future__ import annotations

import csv
import os
import pathlib
import signal
import subprocess
import time
from typing import Any

import pytest
import torch
import yaml

import hrl_wrappers.training_run as training_run_module
from agents import DIAYN
from agents.app.main import main
from hrl_wrappers.sb3.checkpoint import Checkpoint, CheckpointCallback, latest_checkpoint
from tests.helpers import start_cli, wait_for_checkpoint

POINT = "hrl_wrappers/PointWorld-v0"
EVERY = 100


def _train_args(run: pathlib.Path, steps: int, *extra: str) -> list[str]:
    return [
        "train", "diayn", "--env", POINT, "--steps", str(steps), "--n-skills", "3", "--net", "16",
        "--batch-size", "16", "--learning-starts", "50", "--eval-every", "0", "--log-interval", "1",
        "--checkpoint-every", str(EVERY), "--run-dir", str(run), "--no-progress", *extra,
    ]  # fmt: skip


def _start(run: pathlib.Path, steps: int, *extra: str) -> subprocess.Popen[bytes]:
    return start_cli(_train_args(run, steps, *extra))


def _progress_steps(run: pathlib.Path) -> list[int]:
    with (run / "logs" / "progress.csv").open(newline="") as handle:
        return [int(float(r["time/total_timesteps"])) for r in csv.DictReader(handle) if r["time/total_timesteps"]]


def _snapshot(folder: pathlib.Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_sigkill_mid_run_then_resume_continues_from_the_last_checkpoint(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "run"
    proc = _start(run, steps=1_000_000)
    try:
        wait_for_checkpoint(proc, run, EVERY)
        time.sleep(0.3)  # let it run on past the checkpoint, so that something is lost
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not (run / "model.zip").exists()  # killed: nothing saved at the end
    checkpoint = latest_checkpoint(run / "checkpoints")
    assert checkpoint is not None and checkpoint.num_timesteps % EVERY == 0
    logged_before = _progress_steps(run)
    # at most one interval lost: the last step logged (every episode) is less than one interval past the checkpoint
    assert logged_before and max(logged_before) - checkpoint.num_timesteps < EVERY + 100  # + one episode of logging lag
    saved = DIAYN.load(checkpoint.model_path)
    saved_reward_state = {k: v.clone() for k, v in saved.reward_model.state_dict().items()}
    saved_adam_steps = sorted(float(s["step"]) for s in saved.reward_model.optimizer.state_dict()["state"].values())
    assert saved_adam_steps and saved_adam_steps[0] > 0

    restored: dict[str, Any] = {}
    real_load = training_run_module.load_checkpoint

    def spy_load(ckpt: Checkpoint, model: Any, device: str | None = None) -> Any:
        loaded = real_load(ckpt, model, device)
        restored["timesteps"] = loaded.num_timesteps
        restored["reward_state"] = {k: v.clone() for k, v in loaded.reward_model.state_dict().items()}
        restored["adam_steps"] = sorted(float(s["step"]) for s in loaded.reward_model.optimizer.state_dict()["state"].values())
        restored["fresh_reward_state"] = {k: v.clone() for k, v in model.reward_model.state_dict().items()}
        return loaded

    monkeypatch.setattr(training_run_module, "load_checkpoint", spy_load)
    target = checkpoint.num_timesteps + 110
    assert main(["train", "--resume", str(run), "--steps", str(target)]) == 0

    # the resumed learner is the checkpoint's: timesteps, discriminator weights and its optimizer's state
    assert restored["timesteps"] == checkpoint.num_timesteps
    assert restored["adam_steps"] == saved_adam_steps
    for key, value in saved_reward_state.items():
        assert torch.equal(restored["reward_state"][key], value), key
    assert any(not torch.equal(restored["fresh_reward_state"][k], v) for k, v in saved_reward_state.items())

    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["status"] == "finished" and config["total_timesteps"] == target
    assert config["resumes"][0]["num_timesteps"] == checkpoint.num_timesteps
    assert config["command"].startswith("hrl train diayn")  # the original command is kept
    final = DIAYN.load(run / "model.zip")
    assert final.num_timesteps == target
    # one curve: the rows up to the checkpoint, then the resumed ones, strictly increasing
    steps = _progress_steps(run)
    assert steps == sorted(steps) and steps[-1] == target  # (the final flush may repeat the last step)
    assert [s for s in steps if s <= checkpoint.num_timesteps] == [s for s in logged_before if s <= checkpoint.num_timesteps]
    assert any(s > checkpoint.num_timesteps for s in steps)
    assert (latest_checkpoint(run / "checkpoints") or checkpoint).num_timesteps == target


@pytest.mark.parametrize("vec_env", ["dummy", pytest.param("subproc", marks=pytest.mark.slow)])
def test_sigint_saves_a_checkpoint_and_the_model_before_exiting(tmp_path: pathlib.Path, vec_env: str) -> None:
    """Ctrl-C in a terminal signals the whole process group (SubprocVecEnv's workers included)."""
    run = tmp_path / "run"
    proc = _start(run, 1_000_000, "--n-envs", "2", "--vec-env", vec_env)
    try:
        wait_for_checkpoint(proc, run, EVERY)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err.decode()[-2000:]
    assert b"SIGINT: saving a checkpoint" in err
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["status"] == "interrupted"
    checkpoint = latest_checkpoint(run / "checkpoints")
    assert checkpoint is not None and checkpoint.num_timesteps == config["total_timesteps"]  # saved at the stop
    model = DIAYN.load(run / "model.zip")
    saved = DIAYN.load(checkpoint.model_path)
    assert model.num_timesteps == saved.num_timesteps == config["total_timesteps"]
    for key, value in saved.reward_model.state_dict().items():
        assert torch.equal(model.reward_model.state_dict()[key], value), key


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    run = tmp_path_factory.mktemp("resume") / "run"
    assert main(_train_args(run, 200, "--checkpoint-replay-buffer")) == 0
    return run


def test_resume_keeps_the_replay_buffer(small_run: pathlib.Path, tmp_path: pathlib.Path) -> None:
    import shutil

    run = tmp_path / "copy"
    shutil.copytree(small_run, run)
    checkpoint = latest_checkpoint(run / "checkpoints")
    assert checkpoint is not None and checkpoint.replay_buffer_path is not None
    training = training_run_module.TrainingRun(run, "diayn", resume=True, checkpoint_every=EVERY)
    training.check_folder()
    fresh = DIAYN("MlpPolicy", POINT, n_skills=3, policy_kwargs={"net_arch": [16]}, discriminator_arch=[16])
    loaded: Any = training.prepare(fresh)
    assert loaded.num_timesteps == 200 and loaded.replay_buffer.size() == 200
    assert loaded.replay_buffer.reward_model is loaded.reward_model


def test_resume_refuses_a_folder_that_is_not_a_run(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a run\n")
    (folder / "checkpoints").mkdir()
    before = _snapshot(folder)
    assert main(["train", "--resume", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hrl: error: --resume") and str(folder) in err and "not a run folder" in err
    assert _snapshot(folder) == before and sorted(p.name for p in folder.iterdir()) == ["checkpoints", "notes.txt"]
    assert main(["train", "--resume", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()


def _save_checkpoint(model: Any, folder: pathlib.Path, metadata: dict[str, Any]) -> Checkpoint:
    callback = CheckpointCallback(folder, save_every=0, keep=0, metadata=metadata)
    callback.init_callback(model)
    return callback.save()


def _refused(run: pathlib.Path, capsys: pytest.CaptureFixture[str], *expected: str) -> None:
    before = _snapshot(run)
    assert main(["train", "--resume", str(run)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hrl: error:"), err
    for text in expected:
        assert text in err, (text, err)
    assert _snapshot(run) == before  # every file byte-identical, none added or removed


def test_resume_refuses_a_checkpoint_of_another_algorithm(
    small_run: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import shutil

    from stable_baselines3 import SAC

    from hrl_wrappers import SkillWrapper

    # a DIAYN-PPO checkpoint, newer than the run's own, in this DIAYN-SAC run
    run = tmp_path / "ppo"
    shutil.copytree(small_run, run)
    ppo = DIAYN("MlpPolicy", POINT, algo="PPO", n_skills=3, n_steps=64, batch_size=32, policy_kwargs={"net_arch": [16]})
    ppo.num_timesteps = 10_000
    checkpoint = _save_checkpoint(ppo, run / "checkpoints", {"algorithm": "diayn"})
    _refused(run, capsys, str(checkpoint.model_path), "agents.diayn.diayn.DIAYNPPO checkpoint", "DIAYNSAC")

    # a checkpoint recorded by another algorithm's trainer
    run = tmp_path / "dads"
    shutil.copytree(small_run, run)
    ppo.num_timesteps = 20_000
    checkpoint = _save_checkpoint(ppo, run / "checkpoints", {"algorithm": "dads"})
    _refused(run, capsys, str(checkpoint.model_path), "'dads' checkpoint", "'diayn'")

    # a record that claims DIAYN-SAC over a plain SB3 SAC zip
    run = tmp_path / "plain"
    shutil.copytree(small_run, run)
    import gymnasium as gym

    plain = SAC("MlpPolicy", SkillWrapper(gym.make(POINT), n_skills=3), policy_kwargs={"net_arch": [16]})
    plain.num_timesteps = 30_000
    checkpoint = _save_checkpoint(plain, run / "checkpoints", {"algorithm": "diayn"})
    record = json.loads(checkpoint.record_path.read_text())
    checkpoint.record_path.write_text(json.dumps({**record, "class": "agents.diayn.diayn.DIAYNSAC"}))
    _refused(run, capsys, str(checkpoint.model_path), "is not a DIAYN checkpoint")


def test_resume_usage_errors(small_run: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train"]) == 2
    assert "--resume RUN" in capsys.readouterr().err
    # a new run into a folder that holds a run (here: only checkpoints, as a killed run leaves it)
    import shutil

    run = tmp_path / "killed"
    shutil.copytree(small_run, run)
    (run / "model.zip").unlink()
    before = _snapshot(run)
    assert main(_train_args(run, 300)) == 2
    err = capsys.readouterr().err
    assert "already holds a run" in err and "--resume" in err
    assert _snapshot(run) == before
    # a run whose config names an algorithm that cannot resume / is unknown
    config = yaml.safe_load((run / "config.yaml").read_text())
    (run / "config.yaml").write_text(yaml.safe_dump({**config, "algorithm": "nope"}))
    before = _snapshot(run)
    assert main(["train", "--resume", str(run)]) == 2
    assert "unknown algorithm 'nope'" in capsys.readouterr().err
    assert _snapshot(run) == before


def test_dads_runs_resume_too(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The DADS trainer goes through TrainingRun as well: its checkpoints hold the skill dynamics and its optimizer."""
    from agents import DADS

    run = tmp_path / "dads"
    argv = [
        "train", "dads", "--env", POINT, "--steps", "200", "--net", "16", "--iteration-steps", "100",
        "--dynamics-steps", "2", "--agent-steps", "2", "--alternatives", "4", "--checkpoint-every", "100",
        "--run-dir", str(run), "--no-progress",
    ]  # fmt: skip
    assert main(argv) == 0
    checkpoint = latest_checkpoint(run / "checkpoints")
    assert checkpoint is not None and checkpoint.num_timesteps == 200 and checkpoint.metadata == {"algorithm": "dads"}
    saved = DADS.load(checkpoint.model_path)
    restored: dict[str, Any] = {}
    real_load = training_run_module.load_checkpoint

    def spy_load(ckpt: Checkpoint, model: Any, device: str | None = None) -> Any:
        loaded = real_load(ckpt, model, device)
        restored["timesteps"] = loaded.num_timesteps
        restored["state"] = {k: v.clone() for k, v in loaded.reward_model.state_dict().items()}
        return loaded

    monkeypatch.setattr(training_run_module, "load_checkpoint", spy_load)
    assert main(["train", "--resume", str(run), "--steps", "300"]) == 0
    assert restored["timesteps"] == 200
    for key, value in saved.reward_model.state_dict().items():
        assert torch.equal(restored["state"][key], value), key
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["algorithm"] == "dads" and config["total_timesteps"] == 300 and config["resumes"][0]["num_timesteps"] == 200
    steps = _progress_steps(run)
    assert steps == sorted(steps) and steps[-1] == 300


@pytest.mark.parametrize("variant", ["a2oc", "ppoc"])
def test_option_critic_runs_resume_too(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, variant: str) -> None:
    """Option-Critic (its own policy: option values, terminations, intra-option policies) through TrainingRun."""
    from agents import PPOC, OptionCritic

    run = tmp_path / variant
    extra = ["--algo-kwargs", '{"batch_size": 32, "n_epochs": 1}'] if variant == "ppoc" else []
    argv = [
        "train", "option-critic", "--env", "CartPole-v1", "--steps", "128", "--n-envs", "2", "--n-options", "3",
        "--variant", variant, "--n-steps", "16", "--net", "16", "--eval-episodes", "1", "--log-interval", "1",
        "--checkpoint-every", "64", "--run-dir", str(run), "--no-progress", *extra,
    ]  # fmt: skip
    assert main(argv) == 0
    checkpoint = latest_checkpoint(run / "checkpoints")
    assert checkpoint is not None and checkpoint.num_timesteps == 128
    cls = PPOC if variant == "ppoc" else OptionCritic
    saved = cls.load(checkpoint.model_path)
    restored: dict[str, Any] = {}
    real_load = training_run_module.load_checkpoint

    def spy_load(ckpt: Checkpoint, model: Any, device: str | None = None) -> Any:
        loaded = real_load(ckpt, model, device)
        restored["type"], restored["timesteps"] = type(loaded), loaded.num_timesteps
        restored["policy"] = {k: v.clone() for k, v in loaded.policy.state_dict().items()}
        return loaded

    monkeypatch.setattr(training_run_module, "load_checkpoint", spy_load)
    assert main(["train", "--resume", str(run), "--steps", "192"]) == 0
    assert restored["type"] is cls and restored["timesteps"] == 128
    for key, value in saved.policy.state_dict().items():
        assert torch.equal(restored["policy"][key], value), key
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["total_timesteps"] == 192 and config["resumes"][0]["num_timesteps"] == 128
    steps = _progress_steps(run)
    assert steps == sorted(steps) and steps[-1] == 192
