"""DADS agents: the on-policy schedule, the off-policy mode, PPO, the x-y prior, n_envs > 1, save/load, bad input."""

from __future__ import annotations

import copy
import pathlib
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3.common.callbacks import BaseCallback

from agents import DADS, DADSPPO, DADSSAC, DIAYN
from agents.dads.policies import HideFeaturesExtractor
from hrl_wrappers import DADSReward
from hrl_wrappers.envs import POINT_WORLD_ID


def tiny() -> dict[str, Any]:
    """Small networks (a fresh dict each time: SB3 writes into policy_kwargs)."""
    return {"dynamics_arch": [16], "dynamics_batch_size": 32, "policy_kwargs": {"net_arch": [16]}, "device": "cpu", "seed": 0}


def assert_same(a: Any, b: Any, where: str = "") -> None:
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


class ScheduleProbe(BaseCallback):
    """Records, at each rollout end (after the schedule's callbacks), the buffer size and its stored rewards."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []
        self.checks: list[float] = []
        self.updates: list[int] = []

    def _on_step(self) -> bool:
        return True

    def _on_rollout_end(self) -> None:
        model: Any = self.model
        buffer = model.replay_buffer
        n = buffer.size()
        self.sizes.append(n)
        obs = buffer.observations[:n].reshape(n * buffer.n_envs, -1)
        nxt = buffer.next_observations[:n].reshape(n * buffer.n_envs, -1)
        reward: DADSReward = model.reward_model
        # the exact categorical marginal is deterministic: the stored rewards must equal a fresh computation
        expected = reward.reward(obs, nxt).reshape(n, buffer.n_envs)
        self.checks.append(float(np.abs(buffer.rewards[:n] - expected).max()))
        self.updates.append(model._reward_callback.n_updates)


@pytest.mark.parametrize("n_envs", [1, 2])
def test_on_policy_schedule(n_envs: int) -> None:
    """The buffer holds only the current iteration's N steps, K1 dynamics steps per iteration, rewards labelled once."""
    model = DADS("MlpPolicy", POINT_WORLD_ID, n_skills=3, n_steps=40, dynamics_steps=3, agent_steps=5, n_envs=n_envs, **tiny())
    assert isinstance(model, DADSSAC)
    assert model.gradient_steps == 5 and model.train_freq.frequency == 40 // n_envs and model.learning_starts == 0
    probe = ScheduleProbe()
    grad_steps: list[int] = []
    model.learn(120, callback=probe)
    grad_steps.append(model._n_updates)
    assert probe.sizes == [40 // n_envs] * 3  # cleared each iteration: never more than one iteration's data
    assert max(probe.checks) < 1e-5  # buffer rewards = DADS rewards under the dynamics after its K1 steps
    assert probe.updates == [3, 6, 9]
    assert grad_steps == [3 * 5]  # K2 agent steps per iteration


class FreshLikelihoodProbe(BaseCallback):
    """Copies the skill dynamics at each rollout start; at the end, scores the new data with that copy and with the
    trained model, beside the logged ``dads/log_likelihood_fresh``."""

    def __init__(self) -> None:
        super().__init__()
        self.before: DADSReward | None = None
        self.rows: list[tuple[float, float, float]] = []  # (logged, direct before K1, direct after K1)

    def _on_step(self) -> bool:
        return True

    def _on_rollout_start(self) -> None:
        model: Any = self.model
        self.before = copy.deepcopy(model.reward_model)

    def _on_rollout_end(self) -> None:
        model: Any = self.model
        buffer = model.replay_buffer
        n = buffer.size()
        obs = torch.as_tensor(buffer.observations[:n].reshape(n * buffer.n_envs, -1))
        nxt = torch.as_tensor(buffer.next_observations[:n].reshape(n * buffer.n_envs, -1))
        direct = []
        for reward in (self.before, model.reward_model):
            assert reward is not None
            with torch.no_grad():  # log q(delta | s, z) written out: the mixture density of the normalised change
                logits, means, log_std = reward.distribution(reward.input_state(obs), reward.layout.skill_encoding(obs))
                y = reward.target_norm.normalize(reward.target_delta(obs, nxt)).unsqueeze(-2)
                per_expert = (-0.5 * ((y - means) / log_std.exp()) ** 2 - log_std - 0.5 * np.log(2 * np.pi)).sum(-1)
                log_q = torch.logsumexp(torch.log_softmax(logits, -1) + per_expert, -1)
            direct.append(float(log_q.mean()))
        logged = model.logger.name_to_value["dads/log_likelihood_fresh"]
        self.rows.append((logged, direct[0], direct[1]))


def test_fresh_data_log_likelihood_is_scored_before_the_dynamics_trains_on_it() -> None:
    model = DADS("MlpPolicy", POINT_WORLD_ID, skill_dim=2, n_steps=40, dynamics_steps=5, agent_steps=2, **tiny())
    probe = FreshLikelihoodProbe()
    model.learn(120, callback=probe)
    assert len(probe.rows) == 3
    for logged, before, after in probe.rows:
        assert logged == pytest.approx(before, abs=1e-5)  # the model as it was when the data arrived
        assert abs(logged - after) > 1e-4  # not the model after its K1 steps on that data


def test_off_policy_schedule_relabels_with_current_dynamics() -> None:
    model = DADS(
        "MlpPolicy",
        POINT_WORLD_ID,
        skill_dim=2,
        schedule="off-policy",
        n_alternatives=4,
        learning_starts=30,
        batch_size=16,
        buffer_size=500,
        **tiny(),
    )
    model.learn(100)
    assert model.replay_buffer.size() == 100  # never cleared
    assert model._reward_callback.n_updates > 50  # update_ratio = 1 dynamics step per env step, after learning_starts
    assert np.isfinite(model.replay_buffer.last_intrinsic_reward)
    assert model.replay_buffer.relabel


def test_ppo_backend_and_continuous_skills() -> None:
    model = DADS("MlpPolicy", POINT_WORLD_ID, skill_dim=2, algo="PPO", n_steps=64, batch_size=32, n_alternatives=4, **tiny())
    assert isinstance(model, DADSPPO) and model.n_steps == 64
    before = [p.detach().clone() for p in model.reward_model.parameters()]
    model.learn(128)
    assert any(not torch.equal(a, b) for a, b in zip(before, model.reward_model.parameters(), strict=True))
    rollout = model.rollout_buffer
    assert np.isfinite(rollout.intrinsic_rewards).all() and rollout.intrinsic_rewards.std() > 0


def test_xy_prior_hides_position_from_policy() -> None:
    """Skill dynamics on x-y, policy blind to x-y: actions do not depend on the position."""
    model = DADS(
        "MlpPolicy",
        "Pendulum-v1",
        skill_dim=2,
        features=[0, 1],
        hide_features=True,
        n_steps=50,
        agent_steps=2,
        dynamics_steps=2,
        n_alternatives=4,
        **tiny(),
    )
    assert isinstance(model.actor.features_extractor, HideFeaturesExtractor)
    assert model.actor.features_extractor.hidden == [0, 1]
    assert model.reward_model.features == [0, 1]
    model.learn(50)
    z = np.array([0.3, -0.2], np.float32)
    a1, _ = model.predict_skill(np.array([1.0, 0.0, 0.5], np.float32), z)
    a2, _ = model.predict_skill(np.array([-1.0, 0.7, 0.5], np.float32), z)
    a3, _ = model.predict_skill(np.array([-1.0, 0.7, -3.0], np.float32), z)
    assert np.allclose(a1, a2) and not np.allclose(a1, a3)


def test_skill_only_dynamics_trains_saves_and_loads(tmp_path: pathlib.Path) -> None:
    """``input_features=[]``: the skill dynamics predicts the x-y change from the skill alone, as the reference's."""
    model = DADS(
        "MlpPolicy",
        "Pendulum-v1",
        skill_dim=2,
        features=[0, 1],
        input_features=[],
        hide_features=True,
        n_steps=50,
        agent_steps=2,
        dynamics_steps=2,
        n_alternatives=4,
        **tiny(),
    )
    assert model.reward_model.input_dim == 0
    model.learn(100)
    model.save(tmp_path / "dads.zip")
    loaded = DADS.load(tmp_path / "dads.zip", device="cpu")
    assert loaded.reward_model.input_features == [] and loaded.reward_model.input_dim == 0
    assert_same(model.reward_model.state_dict(), loaded.reward_model.state_dict(), "skill_dynamics")
    obs = torch.tensor([[1.0, 0.0, 0.5, 0.3, -0.2], [-1.0, 0.5, 0.5, 0.3, -0.2]])  # state (3) + skill (2)
    assert loaded.reward_model.input_state(obs).shape == (2, 0)  # it reads no state, positions included
    a, b = loaded.reward_model.predict_delta(loaded.reward_model.input_state(obs), obs[:, 3:]).detach()
    assert torch.allclose(a, b) and torch.isfinite(a).all()


def test_save_load_keeps_skill_dynamics_and_optimizer(tmp_path: pathlib.Path) -> None:
    model = DADS(
        "MlpPolicy", POINT_WORLD_ID, skill_dim=2, n_steps=40, dynamics_steps=4, agent_steps=2, n_alternatives=4, **tiny()
    )
    model.learn(80)
    assert model.reward_model.target_norm.count > 0
    model.save(tmp_path / "dads.zip")
    loaded = DADS.load(tmp_path / "dads.zip", device="cpu")
    assert isinstance(loaded, DADSSAC) and loaded.schedule == "on-policy"
    assert loaded.reward_model.config() == model.reward_model.config()
    assert_same(model.reward_model.state_dict(), loaded.reward_model.state_dict(), "skill_dynamics")
    assert_same(model.reward_model.optimizer.state_dict(), loaded.reward_model.optimizer.state_dict(), "optimizer")
    obs = np.array([[0.5, -1.0, 0.2, 0.3]], np.float32)
    assert np.allclose(
        model.reward_model.predict_delta(torch.tensor(obs[:, :2]), torch.tensor(obs[:, 2:])).detach(),
        loaded.reward_model.predict_delta(torch.tensor(obs[:, :2]), torch.tensor(obs[:, 2:])).detach(),
    )
    a, _ = model.predict_skill([0.0, 0.0], skill=[0.5, 0.5])
    b, _ = loaded.predict_skill([0.0, 0.0], skill=[0.5, 0.5])
    assert np.allclose(a, b)
    # training continues (the raw env is re-wrapped in the saved SkillWrapper)
    resumed = DADS.load(tmp_path / "dads.zip", env=gym.make(POINT_WORLD_ID), device="cpu")
    resumed.learn(40, reset_num_timesteps=False)
    assert resumed.num_timesteps == 120


def test_load_rejects_other_checkpoints(tmp_path: pathlib.Path) -> None:
    diayn = DIAYN(
        "MlpPolicy",
        POINT_WORLD_ID,
        n_skills=2,
        learning_starts=10,
        discriminator_arch=[8],
        policy_kwargs={"net_arch": [8]},
        device="cpu",
    )
    diayn.save(tmp_path / "diayn.zip")
    with pytest.raises(ValueError, match="is not a DADS checkpoint: it is a DIAYN checkpoint"):
        DADS.load(tmp_path / "diayn.zip")


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="features has indices \\[2\\] outside the observation"):
        DADS("MlpPolicy", POINT_WORLD_ID, features=[0, 2], **tiny())
    with pytest.raises(ValueError, match="hide_features has indices \\[5\\]"):
        DADS("MlpPolicy", POINT_WORLD_ID, hide_features=[5], **tiny())
    with pytest.raises(ValueError, match="n_alternatives \\(L\\) must be an integer >= 1"):
        DADS("MlpPolicy", POINT_WORLD_ID, n_alternatives=0, **tiny())
    with pytest.raises(ValueError, match="schedule must be one of"):
        DADS("MlpPolicy", POINT_WORLD_ID, schedule="sometimes", **tiny())
    with pytest.raises(ValueError, match="train_freq is set by the on-policy schedule"):
        DADS("MlpPolicy", POINT_WORLD_ID, train_freq=4, **tiny())
    with pytest.raises(ValueError, match="n_steps=41 must be a multiple"):
        DADS("MlpPolicy", POINT_WORLD_ID, n_steps=41, n_envs=2, **tiny())
    with pytest.raises(ValueError, match="schedule='off-policy' needs algo='SAC'"):
        DADS("MlpPolicy", POINT_WORLD_ID, algo="PPO", schedule="off-policy", **tiny())
    with pytest.raises(ValueError, match="buffer_size=10 must hold"):
        DADS("MlpPolicy", POINT_WORLD_ID, n_steps=40, buffer_size=10, **tiny())


def test_schedule_callback_needs_a_relabelling_replay_buffer() -> None:
    from stable_baselines3 import SAC

    from agents.dads.schedule import OnPolicyScheduleCallback

    model = DADS("MlpPolicy", POINT_WORLD_ID, skill_dim=2, n_steps=40, n_alternatives=2, **tiny())
    plain = SAC("MlpPolicy", model.get_env(), policy_kwargs={"net_arch": [8]}, device="cpu")
    with pytest.raises(TypeError, match="RelabelingReplayBuffer"):
        plain.learn(1, callback=OnPolicyScheduleCallback(model.reward_model))
