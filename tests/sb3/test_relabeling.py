"""Tests of the SB3 glue: relabelling replay/rollout buffers, the callback, and the env-side reward wrapper."""

from __future__ import annotations

import pickle
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3 import PPO, SAC
from stable_baselines3.common.buffers import DictReplayBuffer, ReplayBuffer
from stable_baselines3.common.callbacks import BaseCallback

from hrl_wrappers import (
    DIAYNReward,
    IntrinsicRewardCallback,
    IntrinsicRewardWrapper,
    RelabelingDictReplayBuffer,
    RelabelingDictRolloutBuffer,
    RelabelingReplayBuffer,
    RelabelingRolloutBuffer,
    SkillWrapper,
)
from hrl_wrappers.envs import FourRoomsEnv, PointWorldEnv
from hrl_wrappers.sb3 import relabeling_replay_buffer_class, relabeling_rollout_buffer_class
from tests.helpers import TinyDictEnv

N_SKILLS = 4


def perturb(reward: DIAYNReward, seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in reward.discriminator.parameters():
            p.add_(torch.randn(p.shape, generator=gen).to(p.device))


# ------------------------------------------------------------------------------------------------ replay buffers


def fill_box_buffer(buffer: ReplayBuffer, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    z = rng.integers(0, N_SKILLS, size=n)
    obs = np.concatenate([rng.uniform(-5, 5, (n, 2)), np.eye(N_SKILLS)[z]], -1).astype(np.float32)
    next_obs = np.concatenate([rng.uniform(-5, 5, (n, 2)), np.eye(N_SKILLS)[z]], -1).astype(np.float32)
    actions = rng.uniform(-1, 1, (n, 2)).astype(np.float32)
    env_rewards = rng.normal(size=n).astype(np.float32)
    for i in range(n):
        buffer.add(obs[i][None], next_obs[i][None], actions[i][None], env_rewards[i : i + 1], np.array([False]), [{}])
    return {"obs": obs, "next_obs": next_obs, "env_rewards": env_rewards}


@pytest.fixture
def box_setup() -> tuple[SkillWrapper, DIAYNReward]:
    env = SkillWrapper(PointWorldEnv(goal=(3.0, 3.0)), n_skills=N_SKILLS)
    return env, DIAYNReward.for_env(env, net_arch=[16], device="cpu")


def test_replay_relabels_with_the_current_discriminator(box_setup: tuple[SkillWrapper, DIAYNReward]) -> None:
    env, reward = box_setup
    buffer = RelabelingReplayBuffer(64, env.observation_space, env.action_space, device="cpu", reward=reward)
    data = fill_box_buffer(buffer, 40, np.random.default_rng(0))
    assert buffer.size() == 40

    # sample() draws its indices with np.random: the same seed gives the same transitions
    np.random.seed(123)
    sampled = buffer.sample(16)
    np.random.seed(123)
    inds = np.random.randint(0, buffer.size(), size=16)
    np.testing.assert_array_equal(sampled.observations.numpy(), data["obs"][inds])
    np.testing.assert_allclose(sampled.rewards.numpy()[:, 0], reward.reward(data["obs"][inds], data["next_obs"][inds]))

    before = buffer._get_samples(inds).rewards.numpy()[:, 0]
    with torch.no_grad():
        reward.discriminator[-1].bias.add_(torch.tensor([4.0, -2.0, 0.0, 1.0]))
        reward.discriminator[0].weight.mul_(-1.5)
    after_samples = buffer._get_samples(inds)
    after = after_samples.rewards.numpy()[:, 0]
    assert after_samples.rewards.shape == (16, 1)
    expected_after = reward.reward(data["obs"][inds], data["next_obs"][inds])
    np.testing.assert_allclose(after, expected_after, rtol=1e-6)
    assert np.all(np.abs(after - before) > 1e-4)
    # the stored environment rewards are untouched
    np.testing.assert_array_equal(buffer.rewards[inds, 0], data["env_rewards"][inds])

    # an update of the reward model changes the sampled rewards too
    for _ in range(3):
        reward.update(data["obs"], data["next_obs"])
    updated = buffer._get_samples(inds).rewards.numpy()[:, 0]
    np.testing.assert_allclose(updated, reward.reward(data["obs"][inds], data["next_obs"][inds]), rtol=1e-6)
    assert not np.allclose(updated, after)
    assert buffer.last_intrinsic_reward == pytest.approx(float(updated.mean()), rel=1e-5)


@pytest.mark.parametrize("fused_update", [False, True])
@pytest.mark.parametrize("field", ["observations", "next_observations"])
def test_replay_names_nan_in_sampled_observations_and_keeps_the_model(
    box_setup: tuple[SkillWrapper, DIAYNReward], field: str, fused_update: bool
) -> None:
    """A NaN in the buffer is reported by field, and the discriminator takes no gradient step on values it reads."""
    env, reward = box_setup
    buffer = RelabelingReplayBuffer(8, env.observation_space, env.action_space, device="cpu", reward=reward)
    fill_box_buffer(buffer, 8, np.random.default_rng(0))
    getattr(buffer, field)[3, 0, 1] = np.nan  # the y of one stored state
    buffer.pending_updates = 1 if fused_update else 0
    before = [p.detach().clone() for p in reward.parameters()]
    with pytest.raises(ValueError, match=rf"^{field} sampled from the replay buffer contains NaN"):
        buffer._get_samples(np.arange(8))
    if field == "next_observations" or not fused_update:  # DIAYN scores s': a NaN in s alone does not reach it
        assert all(torch.equal(a, b) for a, b in zip(before, reward.parameters(), strict=True))
    # the skill part is not a feature of the discriminator; a NaN there still makes the reward NaN and is named
    getattr(buffer, field)[3, 0, 1] = 0.0
    buffer.observations[5, 0, 2] = np.inf
    buffer.pending_updates = 1 if fused_update else 0
    with pytest.raises(ValueError, match=r"^observations sampled from the replay buffer contains NaN or infinite"):
        buffer._get_samples(np.arange(8))


@pytest.mark.parametrize(("intrinsic_coef", "extrinsic_coef"), [(1.0, 0.0), (0.5, 2.0), (0.0, 3.0), (2.0, -1.0)])
def test_replay_reward_mixing(
    box_setup: tuple[SkillWrapper, DIAYNReward], intrinsic_coef: float, extrinsic_coef: float
) -> None:
    env, reward = box_setup
    perturb(reward, 0)
    buffer = RelabelingReplayBuffer(
        32,
        env.observation_space,
        env.action_space,
        device="cpu",
        reward=reward,
        intrinsic_coef=intrinsic_coef,
        extrinsic_coef=extrinsic_coef,
    )
    data = fill_box_buffer(buffer, 20, np.random.default_rng(1))
    inds = np.array([0, 3, 3, 7, 19, 12])
    r_int = reward.reward(data["obs"][inds], data["next_obs"][inds])
    expected = intrinsic_coef * r_int + extrinsic_coef * data["env_rewards"][inds]
    np.testing.assert_allclose(buffer._get_samples(inds).rewards.numpy()[:, 0], expected, rtol=1e-5, atol=1e-6)
    # relabel=False (what the callback uses to train the reward model) returns the raw transitions
    buffer.relabel = False
    np.testing.assert_array_equal(buffer._get_samples(inds).rewards.numpy()[:, 0], data["env_rewards"][inds])


def test_replay_without_reward_model_and_pickling(box_setup: tuple[SkillWrapper, DIAYNReward]) -> None:
    env, reward = box_setup
    buffer = RelabelingReplayBuffer(16, env.observation_space, env.action_space, device="cpu")
    data = fill_box_buffer(buffer, 5, np.random.default_rng(2))
    with pytest.raises(RuntimeError, match=r"no reward model.*attach"):
        buffer.sample(2)
    buffer.attach(reward)
    restored = pickle.loads(pickle.dumps(buffer))
    assert restored.reward_model is None and buffer.reward_model is reward
    np.testing.assert_array_equal(restored.observations[:5, 0], data["obs"])
    restored.attach(reward)
    inds = np.arange(5)
    np.testing.assert_allclose(restored._get_samples(inds).rewards.numpy()[:, 0], reward.reward(data["obs"], data["next_obs"]))


def test_dict_replay_relabels() -> None:
    env = SkillWrapper(TinyDictEnv(horizon=10, reward_x=True), n_skills=N_SKILLS)
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    assert relabeling_replay_buffer_class(env.observation_space) is RelabelingDictReplayBuffer
    assert (
        relabeling_replay_buffer_class(SkillWrapper(PointWorldEnv(), n_skills=2).observation_space) is RelabelingReplayBuffer
    )
    buffer = RelabelingDictReplayBuffer(
        32, env.observation_space, env.action_space, device="cpu", reward=reward, intrinsic_coef=0.5, extrinsic_coef=2.0
    )
    assert isinstance(buffer, DictReplayBuffer)
    rng = np.random.default_rng(3)
    n = 12
    z = rng.integers(0, N_SKILLS, size=n)
    obs = {"pos": rng.uniform(-1, 1, (n, 2)).astype(np.float32), "room": rng.integers(0, 3, n), "skill": np.eye(N_SKILLS)[z]}
    nxt = {"pos": rng.uniform(-1, 1, (n, 2)).astype(np.float32), "room": rng.integers(0, 3, n), "skill": np.eye(N_SKILLS)[z]}
    env_r = rng.normal(size=n).astype(np.float32)
    for i in range(n):
        buffer.add(
            {k: v[i : i + 1] for k, v in obs.items()},
            {k: v[i : i + 1] for k, v in nxt.items()},
            rng.uniform(-1, 1, (1, 2)),
            env_r[i : i + 1],
            np.array([False]),
            [{}],
        )
    inds = np.array([1, 5, 5, 11, 0])

    def expected() -> np.ndarray:
        r_int = reward.reward({k: v[inds] for k, v in obs.items()}, {k: v[inds] for k, v in nxt.items()})
        return 0.5 * r_int + 2.0 * env_r[inds]

    before = buffer._get_samples(inds).rewards.numpy()[:, 0]
    np.testing.assert_allclose(before, expected(), rtol=1e-5, atol=1e-6)
    perturb(reward, 1)
    after = buffer._get_samples(inds).rewards.numpy()[:, 0]
    np.testing.assert_allclose(after, expected(), rtol=1e-5, atol=1e-6)
    assert not np.allclose(after, before)


# ------------------------------------------------------------------------------------------------ PPO


class CapturingRolloutBuffer(RelabelingRolloutBuffer):
    """Copies the buffer right after returns and advantages are computed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.captured: list[dict[str, Any]] = []

    def compute_returns_and_advantage(self, last_values: torch.Tensor, dones: np.ndarray) -> None:
        super().compute_returns_and_advantage(last_values, dones)
        assert self.reward_model is not None
        obs, next_obs = self.flat_pairs()
        self.captured.append(
            {
                "rewards": self.rewards.copy(),
                "advantages": self.advantages.copy(),
                "returns": self.returns.copy(),
                "values": self.values.copy(),
                "episode_starts": self.episode_starts.copy(),
                "intrinsic": self.intrinsic_rewards.copy(),
                "env_rewards": self.env_rewards.copy(),
                "observations": self.observations.copy(),
                "next_observations": self.next_observations.copy(),
                "r_model": self.reward_model.reward(obs, next_obs).reshape(self.buffer_size, self.n_envs),
                "last_values": last_values.clone().cpu().numpy().flatten(),
                "dones": np.asarray(dones, dtype=np.float32).copy(),
            }
        )


class StepRecorder(BaseCallback):
    """Records, at each step, the raw env rewards, the terminal observations and SB3's timeout bootstrap term."""

    def __init__(self) -> None:
        super().__init__()
        self.env_rewards: list[np.ndarray] = []
        self.bootstrap: list[np.ndarray] = []
        self.terminal: list[dict[int, np.ndarray]] = []

    def _on_step(self) -> bool:
        rewards, dones, infos = self.locals["rewards"], self.locals["dones"], self.locals["infos"]
        self.env_rewards.append(np.array(rewards, dtype=np.float32, copy=True))
        boot = np.zeros(len(dones), np.float32)
        terminal = {}
        for i, done in enumerate(dones):
            if done:
                terminal[i] = infos[i]["terminal_observation"]
                if infos[i].get("TimeLimit.truncated", False):
                    with torch.no_grad():
                        value = self.model.policy.predict_values(self.model.policy.obs_to_tensor(terminal[i])[0])
                    boot[i] = self.model.gamma * float(value[0, 0])
        self.bootstrap.append(boot)
        self.terminal.append(terminal)
        return True


def gae(rewards: np.ndarray, values: np.ndarray, episode_starts: np.ndarray, last_values: np.ndarray, dones: np.ndarray,
        gamma: float, lam: float) -> np.ndarray:  # fmt: skip
    """Generalised advantage estimation, written out."""
    n = len(rewards)
    adv = np.zeros_like(values, dtype=np.float64)
    running = np.zeros(values.shape[1])
    for t in reversed(range(n)):
        if t == n - 1:
            not_done, next_v = 1.0 - dones, last_values
        else:
            not_done, next_v = 1.0 - episode_starts[t + 1], values[t + 1]
        delta = rewards[t] + gamma * next_v * not_done - values[t]
        running = delta + gamma * lam * not_done * running
        adv[t] = running
    return adv


@pytest.mark.parametrize(("intrinsic_coef", "extrinsic_coef"), [(1.0, 0.0), (0.5, 2.0)])
def test_ppo_advantages_come_from_intrinsic_rewards(intrinsic_coef: float, extrinsic_coef: float) -> None:
    # dense goal reward (non-zero) and 20-step episodes, so the 64-step rollouts hold truncations
    env = SkillWrapper(gym.make("hrl_wrappers/PointWorld-v0", goal=(3.0, 3.0), max_episode_steps=20), n_skills=N_SKILLS)
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    perturb(reward, 0)
    gamma, lam, n_steps = 0.9, 0.8, 64
    model = PPO(
        "MlpPolicy",
        env,
        n_steps=n_steps,
        batch_size=32,
        n_epochs=1,
        gamma=gamma,
        gae_lambda=lam,
        rollout_buffer_class=CapturingRolloutBuffer,
        rollout_buffer_kwargs={"reward": reward, "intrinsic_coef": intrinsic_coef, "extrinsic_coef": extrinsic_coef},
        policy_kwargs={"net_arch": [16]},
        device="cpu",
        seed=0,
    )
    recorder = StepRecorder()
    model.learn(2 * n_steps, callback=[IntrinsicRewardCallback(reward, batch_size=32), recorder])
    captured = model.rollout_buffer.captured
    assert len(captured) == 2
    for k, cap in enumerate(captured):
        steps = slice(k * n_steps, (k + 1) * n_steps)
        env_r = np.stack(recorder.env_rewards[steps])
        boot = np.stack(recorder.bootstrap[steps])
        assert np.all(env_r != 0.0)
        assert np.count_nonzero(boot) == 3  # steps 20, 40, 60 of each 64-step rollout end by time limit
        np.testing.assert_array_equal(cap["env_rewards"], env_r)

        # s' is the next observation, or the terminal observation where an episode ended
        obs, nxt, starts = cap["observations"], cap["next_observations"], cap["episode_starts"]
        for t in range(n_steps - 1):
            if starts[t + 1, 0]:
                np.testing.assert_array_equal(nxt[t, 0], recorder.terminal[k * n_steps + t][0])
            else:
                np.testing.assert_array_equal(nxt[t, 0], obs[t + 1, 0])

        # the intrinsic rewards are the reward model's on those exact transitions
        np.testing.assert_allclose(cap["intrinsic"], cap["r_model"], rtol=1e-6)
        assert not np.allclose(cap["intrinsic"], env_r)
        expected_rewards = intrinsic_coef * cap["intrinsic"] + extrinsic_coef * env_r + boot
        np.testing.assert_allclose(cap["rewards"], expected_rewards, rtol=1e-5, atol=1e-5)

        args = (cap["values"], starts, cap["last_values"], cap["dones"], gamma, lam)
        expected_adv = gae(expected_rewards, *args)
        np.testing.assert_allclose(cap["advantages"], expected_adv, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(cap["returns"], expected_adv + cap["values"], rtol=1e-4, atol=1e-4)
        env_adv = gae(env_r + boot, *args)
        assert np.abs(cap["advantages"] - env_adv).max() > 0.1


def test_ppo_dict_rollout_buffer() -> None:
    env = SkillWrapper(TinyDictEnv(horizon=10, reward_x=True), n_skills=N_SKILLS)
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    assert relabeling_rollout_buffer_class(env.observation_space) is RelabelingDictRolloutBuffer

    class Capturing(RelabelingDictRolloutBuffer):
        def compute_returns_and_advantage(self, last_values: torch.Tensor, dones: np.ndarray) -> None:
            super().compute_returns_and_advantage(last_values, dones)
            assert self.reward_model is not None
            self.check = (self.intrinsic_rewards.copy(), self.reward_model.reward(*self.flat_pairs()))

    model = PPO(
        "MultiInputPolicy",
        env,
        n_steps=32,
        batch_size=16,
        n_epochs=1,
        rollout_buffer_class=Capturing,
        rollout_buffer_kwargs={"reward": reward},
        policy_kwargs={"net_arch": [16]},
        device="cpu",
        seed=0,
    )
    before = [p.detach().clone() for p in reward.parameters()]
    model.learn(32, callback=IntrinsicRewardCallback(reward, batch_size=16))
    intrinsic, recomputed = model.rollout_buffer.check
    np.testing.assert_allclose(intrinsic[:, 0], recomputed, rtol=1e-6)
    # the callback trained the discriminator on the rollout
    assert any(not torch.equal(a, b) for a, b in zip(before, reward.parameters(), strict=True))


def test_rollout_buffer_needs_the_callback(box_setup: tuple[SkillWrapper, DIAYNReward]) -> None:
    env, reward = box_setup
    model = PPO(
        "MlpPolicy",
        env,
        n_steps=16,
        batch_size=16,
        rollout_buffer_class=RelabelingRolloutBuffer,
        rollout_buffer_kwargs={"reward": reward},
        policy_kwargs={"net_arch": [16]},
        device="cpu",
    )
    with pytest.raises(RuntimeError, match=r"did not receive the next observations of 16 steps.*IntrinsicRewardCallback"):
        model.learn(16)
    no_model = PPO(
        "MlpPolicy",
        env,
        n_steps=16,
        batch_size=16,
        rollout_buffer_class=RelabelingRolloutBuffer,
        policy_kwargs={"net_arch": [16]},
        device="cpu",
    )
    with pytest.raises(RuntimeError, match="has no reward model"):
        no_model.learn(16)


def test_callback_rejects_plain_buffers(box_setup: tuple[SkillWrapper, DIAYNReward]) -> None:
    env, reward = box_setup
    ppo = PPO("MlpPolicy", env, n_steps=16, batch_size=16, policy_kwargs={"net_arch": [16]}, device="cpu")
    with pytest.raises(TypeError, match=r"rollout_buffer_class=RelabelingRolloutBuffer.*got RolloutBuffer"):
        ppo.learn(16, callback=IntrinsicRewardCallback(reward))
    sac = SAC("MlpPolicy", env, buffer_size=100, policy_kwargs={"net_arch": [16]}, device="cpu")
    with pytest.raises(TypeError, match=r"replay_buffer_class=RelabelingReplayBuffer.*got ReplayBuffer"):
        sac.learn(16, callback=IntrinsicRewardCallback(reward))
    with pytest.raises(TypeError, match="IntrinsicReward"):
        IntrinsicRewardCallback(torch.nn.Linear(2, 2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_size"):
        IntrinsicRewardCallback(reward, batch_size=0)


@pytest.mark.parametrize("on_learner_batches", [True, False])
def test_callback_attaches_and_trains_off_policy(
    box_setup: tuple[SkillWrapper, DIAYNReward], on_learner_batches: bool
) -> None:
    env, reward = box_setup
    model = SAC(
        "MlpPolicy",
        env,
        buffer_size=200,
        learning_starts=20,
        batch_size=16,
        replay_buffer_class=RelabelingReplayBuffer,
        policy_kwargs={"net_arch": [16]},
        device="cpu",
        seed=0,
    )
    callback = IntrinsicRewardCallback(reward, batch_size=16, update_ratio=0.5, train_on_learner_batches=on_learner_batches)
    model.learn(60, callback=callback, log_interval=10**6)
    assert model.replay_buffer.reward_model is reward
    # 0.5 updates per step after learning_starts=20: (60 - 20) / 2
    assert callback.n_updates == 20
    if on_learner_batches:
        # every update rode on one of SAC's own batches; the last one was taken in the final train() call, after
        # the callback logged at the end of the last rollout (60 steps, train_freq=1: updates at odd steps 21..59)
        assert model.replay_buffer.n_fused_updates == 20
        assert model.logger.name_to_value["diayn/n_updates"] == 19
    else:
        assert model.replay_buffer.n_fused_updates == 0
        assert model.logger.name_to_value["diayn/n_updates"] == 20
    assert "diayn/loss" in model.logger.name_to_value
    assert model.replay_buffer.relabel  # switched back on after the updates


# ------------------------------------------------------------------------------------------------ env-side wrapper


@pytest.mark.parametrize(("intrinsic_coef", "extrinsic_coef"), [(1.0, 0.0), (0.5, 2.0)])
def test_intrinsic_reward_wrapper(intrinsic_coef: float, extrinsic_coef: float) -> None:
    env = SkillWrapper(PointWorldEnv(goal=(3.0, 3.0)), n_skills=N_SKILLS)
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    perturb(reward, 2)
    wrapped = IntrinsicRewardWrapper(env, reward, intrinsic_coef=intrinsic_coef, extrinsic_coef=extrinsic_coef)
    with pytest.raises(gym.error.ResetNeeded):
        wrapped.step(wrapped.action_space.sample())
    obs, _ = wrapped.reset(seed=0)
    for _ in range(5):
        next_obs, r, _, _, info = wrapped.step(wrapped.action_space.sample())
        r_int = float(reward.reward(obs[None], next_obs[None])[0])
        assert info["intrinsic_reward"] == pytest.approx(r_int)
        assert info["extrinsic_reward"] == pytest.approx(-info["distance"])  # the point world's dense reward
        assert r == pytest.approx(intrinsic_coef * r_int + extrinsic_coef * info["extrinsic_reward"])
        obs = next_obs
    with pytest.raises(TypeError, match="IntrinsicReward"):
        IntrinsicRewardWrapper(env, torch.nn.Linear(2, 2))  # type: ignore[arg-type]


def test_intrinsic_reward_wrapper_dict_observations() -> None:
    env = SkillWrapper(FourRoomsEnv(), n_skills=N_SKILLS, obs_mode="dict")
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    perturb(reward, 3)
    wrapped = IntrinsicRewardWrapper(env, reward)
    obs, _ = wrapped.reset(seed=0)
    for _ in range(3):
        next_obs, r, _, _, info = wrapped.step(wrapped.action_space.sample())
        batch = {k: np.asarray(v)[None] for k, v in obs.items()}
        next_batch = {k: np.asarray(v)[None] for k, v in next_obs.items()}
        assert r == pytest.approx(float(reward.reward(batch, next_batch)[0]))
        assert info["extrinsic_reward"] in (0.0, 1.0)
        obs = next_obs


def test_callback_clips_reward_gradients_on_policy(box_setup: tuple[SkillWrapper, DIAYNReward]) -> None:
    env, reward = box_setup
    seen: list[float | None] = []
    original = reward.update_th

    def recording_update_th(obs: Any, next_obs: Any, max_grad_norm: float | None = None) -> dict[str, float]:
        seen.append(max_grad_norm)
        return original(obs, next_obs, max_grad_norm)

    reward.update_th = recording_update_th  # type: ignore[method-assign]
    model = PPO(
        "MlpPolicy",
        env,
        n_steps=32,
        batch_size=16,
        n_epochs=1,
        rollout_buffer_class=RelabelingRolloutBuffer,
        rollout_buffer_kwargs={"reward": reward},
        policy_kwargs={"net_arch": [16]},
        device="cpu",
    )
    model.learn(32, callback=IntrinsicRewardCallback(reward, batch_size=16, n_epochs=2, max_grad_norm=0.5))
    assert seen == [0.5] * 4  # 2 epochs of 32 / 16 minibatches


def test_pending_update_rides_on_sampled_batch(box_setup: tuple[SkillWrapper, DIAYNReward]) -> None:
    """A due reward-model update is taken on the sampled batch; the batch's rewards come from the model before it."""
    env, reward = box_setup
    buffer = RelabelingReplayBuffer(64, env.observation_space, env.action_space, device="cpu", reward=reward)
    obs, _ = env.reset(seed=0)
    for _ in range(40):
        action = env.action_space.sample()
        next_obs, r, terminated, _truncated, _ = env.step(action)
        buffer.add(obs[None], next_obs[None], action[None], np.array([r]), np.array([terminated]), [{}])
        obs = next_obs
    inds = np.arange(32)
    before = {k: v.clone() for k, v in reward.state_dict().items()}
    raw = buffer.observations[inds, 0], buffer.next_observations[inds, 0]
    expected = reward.reward(*raw)
    buffer.pending_updates = 1
    samples = buffer._get_samples(inds)
    np.testing.assert_allclose(samples.rewards.numpy().ravel(), expected, rtol=1e-5, atol=1e-6)
    assert buffer.pending_updates == 0 and buffer.n_fused_updates == 1
    assert any(not torch.equal(before[k], v) for k, v in reward.state_dict().items())
    # no update pending: plain relabelling with the updated model, nothing trained
    after = {k: v.clone() for k, v in reward.state_dict().items()}
    samples = buffer._get_samples(inds)
    np.testing.assert_allclose(samples.rewards.numpy().ravel(), reward.reward(*raw), rtol=1e-5, atol=1e-6)
    assert all(torch.equal(after[k], v) for k, v in reward.state_dict().items())


# ------------------------------------------------------------------------------------------------ logged returns
@pytest.mark.parametrize(("n_envs", "track_every"), [(1, 1000), (2, 3)])
def test_logged_intrinsic_return_is_the_episode_sum_of_rewards(n_envs: int, track_every: int) -> None:
    """``ep_intrinsic_return`` is scored in batches; it must equal the per-episode sum of r(s, s') computed directly."""
    from stable_baselines3.common.env_util import make_vec_env

    episode = 7
    env = make_vec_env(
        lambda: SkillWrapper(gym.wrappers.TimeLimit(PointWorldEnv(), episode), n_skills=N_SKILLS), n_envs=n_envs, seed=0
    )
    reward = DIAYNReward.for_env(env, net_arch=[8])
    perturb(reward, 0)
    callback = IntrinsicRewardCallback(reward, update_ratio=0.0, track_every=track_every)
    model = SAC(
        "MlpPolicy",
        env,
        learning_starts=10_000,  # no gradient steps: only collection
        replay_buffer_class=RelabelingReplayBuffer,
        policy_kwargs={"net_arch": [8]},
        seed=0,
    )
    model.learn(3 * episode, callback=callback)
    buffer = model.replay_buffer
    n = buffer.pos  # vectorised steps collected
    obs, next_obs = buffer.observations[:n], buffer.next_observations[:n]  # steps x envs x dim
    direct = reward.reward(obs.reshape(-1, obs.shape[-1]), next_obs.reshape(-1, obs.shape[-1])).reshape(n, n_envs)
    starts = range(0, n - episode + 1, episode)
    expected = [direct[start : start + episode, i].sum() for start in starts for i in range(n_envs)]
    assert len(callback._finished_returns) == len(expected) > 0
    np.testing.assert_allclose(sorted(callback._finished_returns), sorted(expected), rtol=1e-5)
