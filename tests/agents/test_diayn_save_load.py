"""Saving and loading DIAYN agents (in the style of SB3's test_save_load.py)."""

from __future__ import annotations

import pathlib
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3 import SAC

from agents import DIAYN, DIAYNPPO, DIAYNSAC
from hrl_wrappers import SkillWrapper
from hrl_wrappers.envs import POINT_WORLD_ID

TINY: dict[str, Any] = {"discriminator_arch": [16], "discriminator_batch_size": 16, "device": "cpu", "seed": 0}


def assert_same(a: Any, b: Any, where: str = "") -> None:
    """Recursive equality of (optimizer / module) state dicts."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b), where
    else:
        assert a == b, where


def hand_made_obs(n_skills: int) -> np.ndarray:
    states = np.array([[0.0, 0.0], [1.5, -2.0], [-3.0, 4.0], [5.0, 5.0]], np.float32)
    z = np.arange(4) % n_skills
    return np.concatenate([states, np.eye(n_skills, dtype=np.float32)[z]], -1)


@pytest.fixture(scope="module")
def saved_sac(tmp_path_factory: pytest.TempPathFactory) -> tuple[DIAYN, pathlib.Path, pathlib.Path]:
    model = DIAYN(
        "MlpPolicy",
        POINT_WORLD_ID,
        n_skills=3,
        learning_starts=50,
        batch_size=16,
        buffer_size=1000,
        policy_kwargs={"net_arch": [16]},
        **TINY,
    )
    model.learn(150)
    folder = tmp_path_factory.mktemp("diayn_sac")
    model.save(folder / "model.zip")
    model.save_replay_buffer(folder / "buffer.pkl")
    return model, folder / "model.zip", folder / "buffer.pkl"


def test_sac_round_trip(saved_sac: tuple[DIAYN, pathlib.Path, pathlib.Path]) -> None:
    model, path, _ = saved_sac
    loaded = DIAYN.load(path, env=gym.make(POINT_WORLD_ID), device="cpu")
    assert type(loaded) is DIAYNSAC and isinstance(loaded, DIAYN)

    # the same skill layout
    assert loaded.skill_layout.prior == model.skill_layout.prior
    assert loaded.skill_layout.mode == model.skill_layout.mode
    assert loaded.skill_layout.observation_space == model.skill_layout.observation_space
    assert loaded.skill_layout.state_dim == model.skill_layout.state_dim
    assert loaded.observation_space == model.observation_space
    assert loaded.reward_model.config() == model.reward_model.config()

    # identical deterministic actions for every skill
    raw = np.random.default_rng(0).uniform(-10, 10, size=(6, 2)).astype(np.float32)
    for z in model.skills():
        np.testing.assert_array_equal(loaded.predict_skill(raw, z)[0], model.predict_skill(raw, z)[0])

    # identical discriminator outputs
    obs = torch.as_tensor(hand_made_obs(3))
    with torch.no_grad():
        torch.testing.assert_close(loaded.reward_model.logits(obs), model.reward_model.logits(obs), rtol=0, atol=0)
    np.testing.assert_array_equal(
        loaded.reward_model.reward(obs.numpy(), obs.numpy()[::-1]), model.reward_model.reward(obs.numpy(), obs.numpy()[::-1])
    )

    # identical networks and optimizer states (the optimizers have stepped)
    assert_same(loaded.policy.state_dict(), model.policy.state_dict(), "policy")
    assert_same(loaded.reward_model.state_dict(), model.reward_model.state_dict(), "reward_model")
    for name in ("actor.optimizer", "critic.optimizer", "reward_model.optimizer"):
        owner, attr = name.split(".")
        saved_state = getattr(getattr(model, owner), attr).state_dict()
        assert len(saved_state["state"]) > 0, name
        assert_same(getattr(getattr(loaded, owner), attr).state_dict(), saved_state, name)

    # the reward callback and the buffer use the loaded reward model
    assert loaded._reward_callback.reward is loaded.reward_model
    assert loaded.replay_buffer.reward_model is loaded.reward_model


def test_sac_learn_continues(saved_sac: tuple[DIAYN, pathlib.Path, pathlib.Path]) -> None:
    model, path, _ = saved_sac
    loaded = DIAYN.load(path, env=gym.make(POINT_WORLD_ID), device="cpu")
    assert loaded.num_timesteps == model.num_timesteps == 150
    before = [p.detach().clone() for p in loaded.reward_model.parameters()]
    loaded.learn(60, reset_num_timesteps=False, log_interval=10**6)
    assert loaded.num_timesteps == 210
    assert any(not torch.equal(a, b) for a, b in zip(before, loaded.reward_model.parameters(), strict=True))
    assert "diayn/loss" in loaded.logger.name_to_value


def test_sac_replay_buffer_relabels_with_the_loaded_discriminator(saved_sac: tuple[DIAYN, pathlib.Path, pathlib.Path]) -> None:
    model, path, buffer_path = saved_sac
    loaded = DIAYN.load(path, env=gym.make(POINT_WORLD_ID), device="cpu")
    loaded.load_replay_buffer(buffer_path)
    buffer = loaded.replay_buffer
    assert buffer.size() == model.replay_buffer.size() == 150
    assert buffer.reward_model is loaded.reward_model
    np.testing.assert_array_equal(buffer.observations[:150], model.replay_buffer.observations[:150])

    inds = np.array([0, 10, 57, 99, 149])
    obs, next_obs = buffer.observations[inds, 0], buffer.next_observations[inds, 0]
    np.testing.assert_allclose(buffer._get_samples(inds).rewards.numpy()[:, 0], loaded.reward_model.reward(obs, next_obs))
    # change the loaded discriminator only: the loaded buffer follows it, not the original agent's
    with torch.no_grad():
        loaded.reward_model.discriminator[-1].bias.add_(torch.tensor([3.0, -3.0, 0.0]))
    relabeled = buffer._get_samples(inds).rewards.numpy()[:, 0]
    np.testing.assert_allclose(relabeled, loaded.reward_model.reward(obs, next_obs))
    assert not np.allclose(relabeled, model.reward_model.reward(obs, next_obs))


def test_ppo_round_trip(tmp_path: pathlib.Path) -> None:
    model = DIAYN(
        "MlpPolicy",
        POINT_WORLD_ID,
        algo="PPO",
        skill_dim=2,
        n_steps=64,
        batch_size=32,
        n_epochs=1,
        policy_kwargs={"net_arch": [16]},
        **TINY,
    )
    model.learn(64)
    model.save(tmp_path / "ppo.zip")
    loaded = DIAYN.load(tmp_path / "ppo.zip", env=POINT_WORLD_ID, device="cpu")
    assert type(loaded) is DIAYNPPO
    assert loaded.skill_layout.prior == model.skill_layout.prior
    assert loaded.n_skills is None
    raw = np.random.default_rng(1).uniform(-10, 10, size=(5, 2)).astype(np.float32)
    for z in np.random.default_rng(2).uniform(-1, 1, size=(4, 2)).astype(np.float32):
        np.testing.assert_array_equal(loaded.predict_skill(raw, z)[0], model.predict_skill(raw, z)[0])
    obs = np.concatenate([raw, np.random.default_rng(3).uniform(-1, 1, size=(5, 2))], -1).astype(np.float32)
    np.testing.assert_array_equal(loaded.reward_model.reward(obs, obs), model.reward_model.reward(obs, obs))
    assert_same(loaded.policy.optimizer.state_dict(), model.policy.optimizer.state_dict(), "policy.optimizer")
    assert len(model.reward_model.optimizer.state_dict()["state"]) > 0
    assert_same(
        loaded.reward_model.optimizer.state_dict(), model.reward_model.optimizer.state_dict(), "reward_model.optimizer"
    )
    assert_same(loaded.reward_model.state_dict(), model.reward_model.state_dict(), "reward_model")
    loaded.learn(64, reset_num_timesteps=False)
    assert loaded.num_timesteps == 128


def test_load_without_env_predicts(saved_sac: tuple[DIAYN, pathlib.Path, pathlib.Path]) -> None:
    model, path, _ = saved_sac
    loaded = DIAYN.load(path, device="cpu")
    assert loaded.get_env() is None
    np.testing.assert_array_equal(loaded.predict_skill([1.0, 2.0], 2)[0], model.predict_skill([1.0, 2.0], 2)[0])


def test_prewrapped_env_reloads_on_a_raw_env(tmp_path: pathlib.Path) -> None:
    env = SkillWrapper(gym.make(POINT_WORLD_ID), n_skills=4, resample_every=7)
    model = DIAYN(
        "MlpPolicy", env, learning_starts=10, batch_size=16, buffer_size=100, policy_kwargs={"net_arch": [16]}, **TINY
    )
    model.save(tmp_path / "prewrapped.zip")
    loaded = DIAYN.load(tmp_path / "prewrapped.zip", env=gym.make(POINT_WORLD_ID), device="cpu")
    assert loaded.n_skills == 4
    assert loaded.get_env().get_attr("resample_every") == [7]
    assert loaded.get_env().get_attr("prior")[0] == model.skill_layout.prior


def test_plain_sac_checkpoint_is_refused(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "plain_sac.zip"
    SAC("MlpPolicy", "Pendulum-v1", policy_kwargs={"net_arch": [16]}, buffer_size=10, device="cpu").save(path)
    with pytest.raises(ValueError, match=r"path='.*plain_sac\.zip' is not a DIAYN checkpoint: it is a plain SB3"):
        DIAYN.load(path)
