"""The agents on a CUDA device: training, relabelling, save on the GPU and load on the CPU (and back).

Every test here is skipped without CUDA (CI has none); run them on a machine with a GPU:

    python -m pytest tests/test_gpu.py -v

Each checks what a CPU run cannot: that every tensor a method builds lands on the model's device (rewards relabelled
at sample time, the off-policy correction's candidates, the planner's rollouts), and that a checkpoint written on the
GPU loads on a CPU-only machine with the same networks and predictions.
"""

from __future__ import annotations

import copy
import pathlib
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from agents import DADS, DIAYN, HIRO, PPOC, OptionCritic
from hrl_wrappers.envs import POINT_WORLD_ID

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def same_networks(a: torch.nn.Module, b: torch.nn.Module) -> None:
    """Equal state dicts, compared on the CPU."""
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    for key in sa:
        assert torch.equal(sa[key].cpu(), sb[key].cpu()), key


def skill_obs(n: int, n_skills: int, seed: int = 0) -> np.ndarray:
    """Point-world observations (x, y) with one-hot skills."""
    rng = np.random.default_rng(seed)
    states = rng.uniform(-5, 5, size=(n, 2)).astype(np.float32)
    return np.concatenate([states, np.eye(n_skills, dtype=np.float32)[np.arange(n) % n_skills]], -1)


def test_diayn_sac_trains_relabels_and_moves_between_devices(tmp_path: pathlib.Path) -> None:
    model = DIAYN(
        "MlpPolicy",
        POINT_WORLD_ID,
        n_skills=4,
        learning_starts=64,
        batch_size=32,
        buffer_size=2000,
        policy_kwargs={"net_arch": [32]},
        discriminator_arch=[32],
        discriminator_batch_size=32,
        device="cuda",
        seed=0,
    )
    model.learn(300)
    assert model.device.type == "cuda" and next(model.reward_model.parameters()).device.type == "cuda"
    # rewards relabelled at sample time equal log_softmax(q(s'))[z] - log p(z), computed here on the CPU
    batch = model.replay_buffer.sample(64)
    discriminator = copy.deepcopy(model.reward_model.discriminator).cpu()
    with torch.no_grad():
        logits = discriminator(batch.next_observations.cpu()[:, :2])
        z = batch.observations[:, 2:].argmax(-1).cpu()
        expected = F.log_softmax(logits, -1).gather(-1, z[:, None]).squeeze(-1) - np.log(1 / 4)
    assert batch.rewards.device.type == "cuda"
    assert torch.allclose(batch.rewards.squeeze(-1).cpu(), expected, atol=1e-4)

    model.save(tmp_path / "diayn.zip")
    model.save_replay_buffer(tmp_path / "buffer.pkl")
    on_cpu = DIAYN.load(tmp_path / "diayn.zip", env=POINT_WORLD_ID, device="cpu")
    assert on_cpu.device.type == "cpu" and next(on_cpu.reward_model.parameters()).device.type == "cpu"
    same_networks(model.policy, on_cpu.policy)
    same_networks(model.reward_model, on_cpu.reward_model)
    for key, state in model.reward_model.optimizer.state_dict()["state"].items():
        loaded = on_cpu.reward_model.optimizer.state_dict()["state"][key]
        assert torch.equal(state["exp_avg"].cpu(), loaded["exp_avg"])
    obs = skill_obs(8, 4)
    gpu_actions, _ = model.predict(obs, deterministic=True)
    cpu_actions, _ = on_cpu.predict(obs, deterministic=True)
    assert np.allclose(gpu_actions, cpu_actions, atol=1e-5)
    assert np.array_equal(model.reward_model.predict_skill(obs), on_cpu.reward_model.predict_skill(obs))
    # the CPU copy goes on learning with the GPU run's buffer, and a CPU checkpoint goes back to the GPU
    on_cpu.load_replay_buffer(tmp_path / "buffer.pkl")
    assert on_cpu.replay_buffer.size() == model.replay_buffer.size()
    on_cpu.learn(100, reset_num_timesteps=False)
    on_cpu.save(tmp_path / "cpu.zip")
    back = DIAYN.load(tmp_path / "cpu.zip", env=POINT_WORLD_ID, device="cuda")
    assert next(back.reward_model.parameters()).device.type == "cuda"
    back.learn(50, reset_num_timesteps=False)


def test_diayn_ppo_intrinsic_advantages_on_cuda() -> None:
    model = DIAYN(
        "MlpPolicy",
        POINT_WORLD_ID,
        n_skills=3,
        algo="PPO",
        n_steps=64,
        batch_size=32,
        policy_kwargs={"net_arch": [16]},
        discriminator_arch=[16],
        device="cuda",
        seed=0,
    )
    model.learn(128)
    rollout = model.rollout_buffer
    assert np.isfinite(rollout.rewards).all() and np.isfinite(rollout.advantages).all()
    obs = torch.as_tensor(rollout.observations.reshape(-1, rollout.observations.shape[-1]), device="cuda")
    assert model.reward_model.reward_th(obs, obs).device.type == "cuda"


def test_dads_trains_plans_and_loads_on_cpu(tmp_path: pathlib.Path) -> None:
    from agents.dads.planner import SkillPlanner

    model = DADS(
        "MlpPolicy",
        POINT_WORLD_ID,
        skill_dim=2,
        n_steps=64,
        dynamics_steps=4,
        agent_steps=4,
        n_alternatives=8,
        batch_size=32,
        policy_kwargs={"net_arch": [32]},
        device="cuda",
        seed=0,
    )
    model.learn(192)
    assert next(model.reward_model.parameters()).device.type == "cuda"
    planner = SkillPlanner(model, horizon=2, hold_steps=5, n_candidates=16, n_refine=2, seed=0)
    result = planner.run(gym.make(POINT_WORLD_ID), goal=np.array([3.0, 4.0]), max_steps=20, seed=0)
    assert np.isfinite(result.final_ratio)
    model.save(tmp_path / "dads.zip")
    on_cpu = DADS.load(tmp_path / "dads.zip", env=POINT_WORLD_ID, device="cpu")
    same_networks(model.reward_model, on_cpu.reward_model)
    obs = np.concatenate([np.zeros((4, 2), np.float32), np.random.default_rng(0).uniform(-1, 1, (4, 2))], -1)
    obs = obs.astype(np.float32)
    assert np.allclose(model.predict(obs, deterministic=True)[0], on_cpu.predict(obs, deterministic=True)[0], atol=1e-5)
    on_cpu.learn(64, reset_num_timesteps=False)


def test_hiro_correction_on_cuda_and_load_on_cpu(tmp_path: pathlib.Path) -> None:
    model = HIRO(
        "MlpPolicy",
        POINT_WORLD_ID,
        c=5,
        goal_indices=[0, 1],
        goal_range=1.0,
        learning_starts=40,
        batch_size=16,
        buffer_size=2000,
        high_gradient_steps=2,
        policy_kwargs={"net_arch": [16]},
        device="cuda",
        seed=0,
    )
    model.learn(300)  # the high level trains through the off-policy correction on the GPU
    assert model.high.device.type == "cuda" and model.low.device.type == "cuda"
    assert model.high._n_updates > 0
    model.save(tmp_path / "hiro.zip")
    on_cpu = HIRO.load(tmp_path / "hiro.zip", env=POINT_WORLD_ID, device="cpu")
    same_networks(model.high.policy, on_cpu.high.policy)
    same_networks(model.low.policy, on_cpu.low.policy)
    env = gym.make(POINT_WORLD_ID)
    obs, _ = env.reset(seed=1)
    state_gpu: Any = None
    state_cpu: Any = None
    for _ in range(12):  # across a goal change: the carried goal and counter agree
        a_gpu, state_gpu = model.predict(obs, state=state_gpu, deterministic=True)
        a_cpu, state_cpu = on_cpu.predict(obs, state=state_cpu, deterministic=True)
        assert np.allclose(a_gpu, a_cpu, atol=1e-4)
        obs, *_ = env.step(a_gpu)
    on_cpu.learn(50)


@pytest.mark.parametrize(("cls", "env_id"), [(OptionCritic, "Pendulum-v1"), (PPOC, "CartPole-v1")])
def test_option_critic_on_cuda_and_load_on_cpu(tmp_path: pathlib.Path, cls: type[OptionCritic], env_id: str) -> None:
    extra = {"n_steps": 16, "batch_size": 8, "n_epochs": 2} if cls is PPOC else {"n_steps": 8}
    model = cls("MlpPolicy", env_id, n_options=3, seed=0, device="cuda", policy_kwargs={"net_arch": [16]}, **extra)
    model.learn(64)
    assert model.device.type == "cuda"
    model.save(tmp_path / "oc")
    on_cpu = cls.load(tmp_path / "oc", env=model.get_env(), device="cpu")
    same_networks(model.policy, on_cpu.policy)
    on_cpu.learn(32, reset_num_timesteps=False)
