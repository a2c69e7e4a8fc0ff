"""HIRO checkpoints and ``hrl train --resume``: both levels, their optimizers and replay buffers; SIGKILL; refusals.

HIRO is not an SB3 ``BaseAlgorithm``: its ``learn`` loop calls the callbacks' ``on_rollout_start``/``on_rollout_end``
around each step, as SB3's off-policy loop does with ``train_freq=1``, so ``CheckpointCallback`` and ``TrainingRun``
(``hrl train hiro``) work on it unchanged.
"""

from __future__ import annotations

import csv
import json
import os
import pathlib
import shutil
import signal
import time
from typing import Any

import pytest
import torch
import yaml
from stable_baselines3.common.logger import configure
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

import hrl_wrappers.training_run as training_run_module
from agents import DIAYN, HIRO
from agents.app.main import main
from hrl_wrappers.sb3.checkpoint import Checkpoint, CheckpointCallback, latest_checkpoint, load_checkpoint, read_checkpoint
from tests.agents.test_hiro import TINY, CountingEnv
from tests.helpers import start_cli, wait_for_checkpoint

EVERY = 100


def _level_state(level: OffPolicyAlgorithm) -> dict[str, Any]:
    """Weights, optimizer states, update count and buffer size of one level (copies)."""
    optimizers = {name: getattr(level, name).optimizer.state_dict() for name in ("actor", "critic")}
    return {
        "policy": {k: v.detach().clone() for k, v in level.policy.state_dict().items()},
        "optimizers": {
            name: {i: {k: v.clone() for k, v in s.items()} for i, s in opt["state"].items()}
            for name, opt in optimizers.items()
        },
        "n_updates": int(level._n_updates),
        "buffer_size": int(level.replay_buffer.size()) if level.replay_buffer is not None else 0,
    }


def _state(model: HIRO) -> dict[str, Any]:
    return {"num_timesteps": int(model.num_timesteps), "high": _level_state(model.high), "low": _level_state(model.low)}


def _assert_same(got: dict[str, Any], expected: dict[str, Any], buffers: bool = True) -> None:
    assert got["num_timesteps"] == expected["num_timesteps"]
    for level in ("high", "low"):
        g, e = got[level], expected[level]
        assert g["n_updates"] == e["n_updates"] > 0, level
        if buffers:
            assert g["buffer_size"] == e["buffer_size"] > 0, level
        assert g["policy"].keys() == e["policy"].keys()
        for key, value in e["policy"].items():
            assert torch.equal(g["policy"][key], value), (level, key)
        for name, states in e["optimizers"].items():
            assert states and g["optimizers"][name].keys() == states.keys(), (level, name)
            for index, state in states.items():
                for key, value in state.items():
                    assert torch.equal(g["optimizers"][name][index][key], value), (level, name, index, key)


class _SnapshotCheckpoints(CheckpointCallback):
    """Records the live agent's state each time a checkpoint is written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.snapshots: dict[int, dict[str, Any]] = {}

    def save(self) -> Checkpoint:
        checkpoint = super().save()
        self.snapshots[checkpoint.num_timesteps] = _state(self.model)  # type: ignore[arg-type]
        return checkpoint


def test_checkpoint_callback_saves_both_levels_after_each_step_is_trained(tmp_path: pathlib.Path) -> None:
    model = HIRO("MlpPolicy", CountingEnv, c=5, goal_indices=[0, 1], goal_range=0.5, **TINY)
    model.set_logger(configure(None, []))
    callback = _SnapshotCheckpoints(tmp_path, save_every=50, keep=0, save_replay_buffer=True, metadata={"algorithm": "hiro"})
    model.learn(120, callback=callback)
    assert sorted(callback.snapshots) == [50, 100, 120]
    # written at the next step's start: the step's transition is stored and trained on (updates from step 41 on)
    assert callback.snapshots[100]["low"]["buffer_size"] == 100 and callback.snapshots[100]["low"]["n_updates"] == 60
    # one per period of c=5, cut at each 23-step episode's end: 4 episodes x 5, then 1 period of the 5th
    assert callback.snapshots[100]["high"]["buffer_size"] == 4 * 5 + 1

    checkpoint = read_checkpoint(tmp_path / "checkpoint_100_steps.json")
    assert checkpoint.replay_buffer_path is not None and checkpoint.metadata == {"algorithm": "hiro"}
    fresh = HIRO("MlpPolicy", CountingEnv, c=5, goal_indices=[0, 1], goal_range=0.5, **TINY)
    loaded: Any = load_checkpoint(checkpoint, fresh)
    assert isinstance(loaded, HIRO) and loaded.env is fresh.env
    _assert_same(_state(loaded), callback.snapshots[100])
    # the correction is re-attached to the restored buffer: it relabels with the loaded low level
    assert loaded.high_buffer.sample(4) is not None
    loaded.learn(30, reset_num_timesteps=False)
    assert loaded.num_timesteps == 130 and loaded.low_buffer.size() == 130


def test_load_replay_buffer_rejects_another_file(tmp_path: pathlib.Path) -> None:
    model = HIRO("MlpPolicy", CountingEnv, c=5, goal_indices=[0, 1], goal_range=0.5, **TINY)
    path = tmp_path / "other.pkl"
    path.write_bytes(__import__("pickle").dumps({"buffer": 1}))
    with pytest.raises(ValueError, match="not a HIRO replay buffer file"):
        model.load_replay_buffer(path)


def _train_args(run: pathlib.Path, steps: int, *extra: str) -> list[str]:
    return [
        "train", "hiro", "--env", "PointMaze_UMaze-v3", "--steps", str(steps), "--goal-indices", "0", "1",
        "--goal-range", "1.0", "--net", "16", "--learning-starts", "50", "--batch-size", "16", "--c", "5",
        "--eval-episodes", "0", "--log-interval", "1", "--env-kwargs", '{"max_episode_steps": 40}',
        "--checkpoint-every", str(EVERY), "--run-dir", str(run), "--no-progress", *extra,
    ]  # fmt: skip


def _progress_steps(run: pathlib.Path) -> list[int]:
    with (run / "logs" / "progress.csv").open(newline="") as handle:
        return [int(float(r["time/total_timesteps"])) for r in csv.DictReader(handle) if r["time/total_timesteps"]]


def _snapshot(folder: pathlib.Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _spy_on_load(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    restored: dict[str, Any] = {}
    real_load = training_run_module.load_checkpoint

    def spy_load(ckpt: Checkpoint, model: Any, device: str | None = None) -> Any:
        restored["fresh"] = _state(model)
        loaded = real_load(ckpt, model, device)
        restored["loaded"] = _state(loaded)
        return loaded

    monkeypatch.setattr(training_run_module, "load_checkpoint", spy_load)
    return restored


@pytest.fixture(scope="module")
def hiro_run(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    run = tmp_path_factory.mktemp("hiro") / "run"
    assert main(_train_args(run, 200, "--checkpoint-replay-buffer")) == 0
    return run


def test_hrl_train_hiro_resumes_both_levels_optimizers_and_buffers(
    hiro_run: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = tmp_path / "run"
    shutil.copytree(hiro_run, run)
    checkpoint = latest_checkpoint(run / "checkpoints")
    assert checkpoint is not None and checkpoint.num_timesteps == 200 and checkpoint.metadata == {"algorithm": "hiro"}
    assert checkpoint.replay_buffer_path is not None
    saved = HIRO.load(checkpoint.model_path)
    saved.load_replay_buffer(checkpoint.replay_buffer_path)
    expected = _state(saved)
    assert expected["low"]["buffer_size"] == 200

    restored = _spy_on_load(monkeypatch)
    assert main(["train", "--resume", str(run), "--steps", "300"]) == 0
    _assert_same(restored["loaded"], expected)
    assert restored["fresh"]["num_timesteps"] == 0 and restored["fresh"]["low"]["n_updates"] == 0  # a fresh build
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["status"] == "finished" and config["total_timesteps"] == 300
    assert config["resumes"][0]["num_timesteps"] == 200 and config["command"].startswith("hrl train hiro")
    assert HIRO.load(run / "model.zip").num_timesteps == 300
    steps = _progress_steps(run)
    assert steps == sorted(steps) and steps[-1] == 300 and any(200 < s < 300 for s in steps)
    assert [s for s in steps if s <= 200] == [s for s in _progress_steps(hiro_run) if s <= 200]


def test_resume_refuses_a_checkpoint_of_another_algorithm(
    hiro_run: pathlib.Path, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    diayn = DIAYN("MlpPolicy", "hrl_wrappers/PointWorld-v0", n_skills=3, policy_kwargs={"net_arch": [16]})
    for number, (algorithm, expected) in enumerate(
        [("hiro", ["agents.diayn.diayn.DIAYNSAC checkpoint", "agents.hiro.hiro.HIRO"]), ("dads", ["'dads' checkpoint"])]
    ):
        run = tmp_path / algorithm
        shutil.copytree(hiro_run, run)
        diayn.num_timesteps = 10_000 * (number + 1)  # newer than the run's own checkpoints
        callback = CheckpointCallback(run / "checkpoints", save_every=0, keep=0, metadata={"algorithm": algorithm})
        callback.init_callback(diayn)
        checkpoint = callback.save()
        before = _snapshot(run)
        assert main(["train", "--resume", str(run)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("hrl: error:") and str(checkpoint.model_path) in err, err
        for text in expected:
            assert text in err, (text, err)
        assert _snapshot(run) == before  # nothing written, nothing removed


def test_sigkill_mid_run_then_resume(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = tmp_path / "run"
    proc = start_cli(_train_args(run, 1_000_000))
    try:
        wait_for_checkpoint(proc, run, 2 * EVERY)
        time.sleep(0.3)  # let it run on past the checkpoint
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL and not (run / "model.zip").exists()
    checkpoint = latest_checkpoint(run / "checkpoints")
    assert checkpoint is not None and checkpoint.num_timesteps % EVERY == 0
    expected = _state(HIRO.load(checkpoint.model_path))

    restored = _spy_on_load(monkeypatch)
    target = checkpoint.num_timesteps + 60
    assert main(["train", "--resume", str(run), "--steps", str(target)]) == 0
    _assert_same(restored["loaded"], expected, buffers=False)  # no --checkpoint-replay-buffer: empty buffers
    assert restored["loaded"]["low"]["buffer_size"] == 0
    config = yaml.safe_load((run / "config.yaml").read_text())
    assert config["total_timesteps"] == target and config["resumes"][0]["num_timesteps"] == checkpoint.num_timesteps
    steps = _progress_steps(run)
    assert steps == sorted(steps) and steps[-1] == target
    final = json.loads((latest_checkpoint(run / "checkpoints") or checkpoint).record_path.read_text())
    assert final["num_timesteps"] == target


def test_sigint_saves_a_checkpoint_and_the_model_before_exiting(tmp_path: pathlib.Path) -> None:
    run = tmp_path / "run"
    proc = start_cli(_train_args(run, 1_000_000))
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
    _assert_same(_state(HIRO.load(run / "model.zip")), _state(HIRO.load(checkpoint.model_path)), buffers=False)
