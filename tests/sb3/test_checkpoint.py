"""CheckpointCallback, load_checkpoint and the resumable run logger, on DIAYN (SAC and PPO) and plain SB3."""

from __future__ import annotations

import csv
import json
import pathlib
from typing import Any

import numpy as np
import pytest
import torch
from stable_baselines3 import SAC

from agents import DIAYN
from hrl_wrappers.envs import POINT_WORLD_ID
from hrl_wrappers.sb3.checkpoint import CheckpointCallback, latest_checkpoint, load_checkpoint, read_checkpoint
from hrl_wrappers.sb3.run_logger import configure_run_logger
from tests.agents.test_diayn_run import tiny_kwargs


def _diayn(algo: str, seed: int = 0) -> Any:
    return DIAYN("MlpPolicy", POINT_WORLD_ID, algo=algo, n_skills=3, **{**tiny_kwargs(algo), "seed": seed})


def _state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _assert_same_state(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def _optimizer_steps(optimizer: torch.optim.Optimizer) -> list[float]:
    return sorted(float(s["step"]) for s in optimizer.state_dict()["state"].values())


def test_periodic_saves_keep_the_last_ones(tmp_path: pathlib.Path) -> None:
    model = _diayn("SAC")
    callback = CheckpointCallback(tmp_path, save_every=50, keep=2, metadata={"algorithm": "diayn"})
    model.learn(175, callback=callback)
    assert [c.num_timesteps for c in callback.saved] == [50, 100, 150, 175]  # 175: the end of training
    records = sorted(p.name for p in tmp_path.glob("*.json"))
    assert records == ["checkpoint_150_steps.json", "checkpoint_175_steps.json"]
    assert sorted(p.name for p in tmp_path.glob("*.zip")) == ["checkpoint_150_steps.zip", "checkpoint_175_steps.zip"]
    assert not list(tmp_path.glob(".tmp-*"))
    latest = latest_checkpoint(tmp_path)
    assert latest is not None and latest.num_timesteps == 175
    assert latest.model_class == "agents.diayn.diayn.DIAYNSAC" and latest.metadata == {"algorithm": "diayn"}


def test_an_incomplete_checkpoint_is_skipped(tmp_path: pathlib.Path) -> None:
    """A process killed between the zip and its record leaves a zip without a record: the previous one is used."""
    model = _diayn("PPO")
    model.learn(64, callback=CheckpointCallback(tmp_path, save_every=64))
    (tmp_path / "checkpoint_128_steps.zip").write_bytes(b"half-written")  # no record: not complete
    (tmp_path / "checkpoint_192_steps.json").write_text(json.dumps({"model": "missing.zip"}))  # a broken record
    latest = latest_checkpoint(tmp_path)
    assert latest is not None and latest.num_timesteps == 64
    with pytest.raises(ValueError, match=r"checkpoint_192_steps\.json"):
        read_checkpoint(tmp_path / "checkpoint_192_steps.json")


@pytest.mark.parametrize("algo", ["SAC", "PPO"])
def test_load_restores_networks_optimizers_reward_model_and_timesteps(tmp_path: pathlib.Path, algo: str) -> None:
    model = _diayn(algo)
    callback = CheckpointCallback(tmp_path, save_every=0, save_replay_buffer=algo == "SAC")
    model.learn(192, callback=callback)
    checkpoint = latest_checkpoint(tmp_path)
    assert checkpoint is not None and checkpoint.num_timesteps == model.num_timesteps == 192
    fresh = _diayn(algo, seed=1)  # different initial weights
    assert any(not torch.equal(v, fresh.reward_model.state_dict()[k]) for k, v in model.reward_model.state_dict().items())
    loaded = load_checkpoint(checkpoint, fresh)
    assert type(loaded) is type(model) and loaded.num_timesteps == 192
    assert loaded.get_env() is fresh.get_env()
    _assert_same_state(_state(loaded.reward_model), _state(model.reward_model))
    _assert_same_state(_state(loaded.policy), _state(model.policy))
    steps = _optimizer_steps(model.reward_model.optimizer)
    assert steps and steps[0] > 0 and _optimizer_steps(loaded.reward_model.optimizer) == steps
    optimizers = ["actor.optimizer", "critic.optimizer"] if algo == "SAC" else ["policy.optimizer"]
    for name in optimizers:
        a, b = loaded, model
        for part in name.split("."):
            a, b = getattr(a, part), getattr(b, part)
        assert _optimizer_steps(a) == _optimizer_steps(b) and _optimizer_steps(b), name
    if algo == "SAC":
        assert checkpoint.replay_buffer_path is not None
        assert loaded.replay_buffer.pos == model.replay_buffer.pos == 192
        np.testing.assert_array_equal(loaded.replay_buffer.observations, model.replay_buffer.observations)
        assert loaded.replay_buffer.reward_model is loaded.reward_model  # re-attached: relabelling works
        assert np.isfinite(loaded.replay_buffer.sample(8).rewards.numpy()).all()


def test_request_stop_saves_and_stops(tmp_path: pathlib.Path) -> None:
    model = _diayn("SAC")

    class StopAt(CheckpointCallback):
        def _on_step(self) -> bool:
            if self.num_timesteps == 77:
                self.request_stop()
            return super()._on_step()

    callback = StopAt(tmp_path, save_every=50)
    model.learn(1000, callback=callback)
    assert model.num_timesteps == 77  # requested during step 77's callback: saved there, and learn stopped
    assert [c.num_timesteps for c in callback.saved] == [50, 77]


def test_another_class_is_refused(tmp_path: pathlib.Path) -> None:
    ppo = _diayn("PPO")
    ppo.learn(64, callback=CheckpointCallback(tmp_path, save_every=64))
    checkpoint = latest_checkpoint(tmp_path)
    assert checkpoint is not None
    with pytest.raises(ValueError, match=r"DIAYNPPO checkpoint, but this run trains a agents\.diayn\.diayn\.DIAYNSAC"):
        load_checkpoint(checkpoint, _diayn("SAC"))
    plain = SAC("MlpPolicy", "Pendulum-v1", policy_kwargs={"net_arch": [8]})
    with pytest.raises(ValueError, match="DIAYNPPO checkpoint"):
        load_checkpoint(checkpoint, plain)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="save_every"):
        CheckpointCallback("x", save_every=-1)
    with pytest.raises(ValueError, match="keep"):
        CheckpointCallback("x", save_every=1, keep=-2)
    model = _diayn("PPO")
    with pytest.raises(ValueError, match="save_replay_buffer"):
        model.learn(64, callback=CheckpointCallback("unused", save_every=1, save_replay_buffer=True))


def test_resumed_logger_drops_later_rows_and_purges_tensorboard(tmp_path: pathlib.Path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    logger = configure_run_logger(tmp_path, ["csv", "tensorboard"])
    for step in (10, 20, 30, 40):  # 30 and 40: logged after the checkpoint at 20, by a process then killed
        logger.record("time/total_timesteps", step)
        logger.record("a", step * 1.0)
        logger.dump(step)
    logger.close()
    logger = configure_run_logger(tmp_path, ["csv", "tensorboard"], resume_step=20)
    for step in (25, 35):
        logger.record("time/total_timesteps", step)
        logger.record("a", -step * 1.0)
        logger.record("b", 1.0)
        logger.dump(step)
    logger.close()
    with (tmp_path / "progress.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["time/total_timesteps"] for r in rows] == ["10", "20", "25", "35"]
    assert [r["a"] for r in rows] == ["10.0", "20.0", "-25.0", "-35.0"] and [r["b"] for r in rows] == ["", "", "1.0", "1.0"]
    events = EventAccumulator(str(tmp_path))
    events.Reload()
    assert [(e.step, e.value) for e in events.Scalars("a")] == [(10, 10.0), (20, 20.0), (25, -25.0), (35, -35.0)]
