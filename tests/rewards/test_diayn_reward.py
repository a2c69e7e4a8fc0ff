"""Tests of :class:`hrl_wrappers.DIAYNReward` against the DIAYN formulas computed directly on hand-made batches."""

from __future__ import annotations

import math
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces

from hrl_wrappers import DIAYNReward, SkillWrapper
from hrl_wrappers.envs import FourRoomsEnv, PointWorldEnv


def mlp_numpy(net: torch.nn.Sequential, x: np.ndarray) -> np.ndarray:
    """The discriminator's forward pass in float64 numpy, read off its Linear weights."""
    h = np.asarray(x, np.float64)
    for layer in net:
        if isinstance(layer, torch.nn.Linear):
            h = h @ layer.weight.detach().double().numpy().T + layer.bias.detach().double().numpy()
        else:
            assert isinstance(layer, torch.nn.ReLU)
            h = np.maximum(h, 0.0)
    return h


def log_softmax(logits: np.ndarray) -> np.ndarray:
    m = logits.max(-1, keepdims=True)
    return logits - m - np.log(np.exp(logits - m).sum(-1, keepdims=True))


def categorical_reward(reward: DIAYNReward, states: np.ndarray, z: np.ndarray, probs: np.ndarray) -> np.ndarray:
    logq = log_softmax(mlp_numpy(reward.discriminator, states))
    return logq[np.arange(len(z)), z] - np.log(probs[z])


def flat_obs(states: np.ndarray, encodings: np.ndarray) -> np.ndarray:
    return np.concatenate([states, encodings], -1).astype(np.float32)


def perturb_weights(reward: DIAYNReward, seed: int = 0) -> None:
    """Give the discriminator non-trivial weights (so that every formula term matters)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in reward.discriminator.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))


STATES = np.array([[0.5, -1.0], [2.0, 3.0], [-4.0, 0.25], [1.5, 1.5], [-0.3, -2.2]], np.float32)
NEXT_STATES = np.array([[0.7, -0.9], [1.8, 3.4], [-3.5, 0.0], [1.0, 2.0], [-0.1, -2.6]], np.float32)


@pytest.mark.parametrize("probs", [None, [0.5, 0.25, 0.125, 0.125]], ids=["uniform", "non-uniform"])
def test_categorical_reward_formula(probs: list[float] | None) -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=4, skill_probs=probs)
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    perturb_weights(reward)
    p = np.full(4, 0.25) if probs is None else np.asarray(probs)
    z = np.array([0, 3, 1, 2, 3])
    obs = flat_obs(STATES, np.eye(4)[z])
    next_obs = flat_obs(NEXT_STATES, np.eye(4)[z])
    r = reward.reward(obs, next_obs)
    assert r.shape == (5,) and r.dtype == np.float32
    np.testing.assert_allclose(r, categorical_reward(reward, NEXT_STATES, z, p), rtol=1e-5, atol=1e-5)
    # the same with torch on the discriminator's weights
    with torch.no_grad():
        logq = torch.log_softmax(reward.discriminator(torch.as_tensor(NEXT_STATES)), -1)[torch.arange(5), torch.as_tensor(z)]
    np.testing.assert_allclose(r, logq.numpy() - np.log(p[z]), rtol=1e-5, atol=1e-5)
    # log q(z|s) <= 0, so r <= -log p(z)
    assert np.all(r <= -np.log(p[z]) + 1e-6)


def test_scores_next_obs_reads_skill_from_obs() -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=4)
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    perturb_weights(reward, 1)
    z = np.array([1, 1, 0, 3, 2])
    z_next = (z + 1) % 4  # e.g. the skill was resampled after this step
    obs = flat_obs(STATES, np.eye(4)[z])
    next_obs = flat_obs(NEXT_STATES, np.eye(4)[z_next])
    p = np.full(4, 0.25)
    expected = categorical_reward(reward, NEXT_STATES, z, p)
    np.testing.assert_allclose(reward.reward(obs, next_obs), expected, rtol=1e-5, atol=1e-5)
    assert not np.allclose(expected, categorical_reward(reward, NEXT_STATES, z_next, p))
    assert not np.allclose(expected, categorical_reward(reward, STATES, z, p))
    # the state in obs does not matter
    other_obs = flat_obs(STATES[::-1] * 3, np.eye(4)[z])
    np.testing.assert_allclose(reward.reward(other_obs, next_obs), expected, rtol=1e-5, atol=1e-5)

    scores_s = DIAYNReward.for_env(env, net_arch=[16], use_next_obs=False, device="cpu")
    scores_s.load_state_dict(reward.state_dict())
    expected_s = categorical_reward(scores_s, STATES, z, p)
    np.testing.assert_allclose(scores_s.reward(obs, next_obs), expected_s, rtol=1e-5, atol=1e-5)
    other_next = flat_obs(NEXT_STATES * -2, np.eye(4)[z_next])
    np.testing.assert_allclose(scores_s.reward(obs, other_next), expected_s, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("distribution", ["gaussian", "uniform"])
def test_continuous_reward_formula(distribution: str) -> None:
    env = SkillWrapper(PointWorldEnv(), skill_dim=3, distribution=distribution)
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    perturb_weights(reward, 2)
    log_std = np.array([0.3, -0.2, 0.0])
    with torch.no_grad():
        reward.log_std.copy_(torch.as_tensor(log_std))
    z = np.random.default_rng(0).uniform(-1, 1, size=(5, 3)).astype(np.float32)
    obs = flat_obs(STATES, z)
    next_obs = flat_obs(NEXT_STATES, z[::-1])
    mu = mlp_numpy(reward.discriminator, NEXT_STATES)
    sigma = np.exp(log_std)
    zd = z.astype(np.float64)
    log_q = np.sum(-0.5 * ((zd - mu) / sigma) ** 2 - np.log(sigma * math.sqrt(2 * math.pi)), axis=-1)
    if distribution == "gaussian":
        log_p = np.sum(-0.5 * zd**2 - 0.5 * math.log(2 * math.pi), axis=-1)
    else:
        log_p = np.full(5, 3 * math.log(1 / 2))
    np.testing.assert_allclose(reward.reward(obs, next_obs), log_q - log_p, rtol=1e-5, atol=1e-4)
    # the discriminator's output is the Gaussian mean
    np.testing.assert_allclose(reward.predict_skill(next_obs), mu, rtol=1e-5, atol=1e-5)


def test_feature_selection() -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=3)
    reward = DIAYNReward.for_env(env, features=[0], net_arch=[16], device="cpu")
    perturb_weights(reward, 3)
    assert reward.discriminator[0].in_features == 1
    z = np.array([0, 1, 2, 0, 1])
    obs = flat_obs(STATES, np.eye(3)[z])
    next_obs = flat_obs(NEXT_STATES, np.eye(3)[z])
    r = reward.reward(obs, next_obs)
    np.testing.assert_allclose(r, categorical_reward(reward, NEXT_STATES[:, :1], z, np.full(3, 1 / 3)), rtol=1e-5, atol=1e-5)
    moved_y = next_obs.copy()
    moved_y[:, 1] += 5.0
    np.testing.assert_array_equal(reward.reward(obs, moved_y), r)
    moved_x = next_obs.copy()
    moved_x[:, 0] += 5.0
    assert not np.allclose(reward.reward(obs, moved_x), r)


def test_feature_scale() -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=3)
    reward = DIAYNReward.for_env(env, net_arch=[16], feature_scale=[0.5, 2.0], device="cpu")
    perturb_weights(reward, 4)
    z = np.array([2, 1, 0, 0, 1])
    obs = flat_obs(STATES, np.eye(3)[z])
    next_obs = flat_obs(NEXT_STATES, np.eye(3)[z])
    expected = categorical_reward(reward, NEXT_STATES * np.array([0.5, 2.0]), z, np.full(3, 1 / 3))
    np.testing.assert_allclose(reward.reward(obs, next_obs), expected, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="feature_scale"):
        DIAYNReward.for_env(env, net_arch=[16], feature_scale=0.0)


@pytest.mark.parametrize("features", [[2], [0, 5], [-1], [99]])
def test_feature_index_outside_observation(features: list[int]) -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=3)
    with pytest.raises(ValueError, match=r"features has indices .* outside the observation"):
        DIAYNReward.for_env(env, features=features)


def test_feature_indices_must_be_integers() -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=3)
    with pytest.raises(ValueError, match="features must be a sequence of integer"):
        DIAYNReward.for_env(env, features=["x"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="features must name at least one"):
        DIAYNReward.for_env(env, features=[])


def test_nan_observations_rejected() -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=3)
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    obs = flat_obs(STATES, np.eye(3)[[0, 1, 2, 0, 1]])
    bad = obs.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="next_obs contains NaN"):
        reward.reward(obs, bad)
    with pytest.raises(ValueError, match="obs contains NaN"):
        reward.reward(bad, obs)
    with pytest.raises(ValueError, match="NaN or infinite"):
        reward.update(obs, np.where(np.isnan(bad), np.inf, bad))


def test_update_lowers_loss_on_separable_batch() -> None:
    torch.manual_seed(0)
    env = SkillWrapper(PointWorldEnv(), n_skills=4)
    reward = DIAYNReward.for_env(env, net_arch=[16], learning_rate=1e-2, device="cpu")
    rng = np.random.default_rng(0)
    z = np.repeat(np.arange(4), 16)
    centres = np.array([[3.0, 3.0], [-3.0, 3.0], [-3.0, -3.0], [3.0, -3.0]])
    states = (centres[z] + rng.normal(0, 0.3, size=(64, 2))).astype(np.float32)
    obs = flat_obs(np.zeros((64, 2), np.float32), np.eye(4)[z])
    next_obs = flat_obs(states, np.eye(4)[z])

    def loss() -> float:
        with torch.no_grad():
            value, _ = reward.loss_th(reward.to_tensor(obs), reward.to_tensor(next_obs))
        return float(value)

    before = loss()
    # the loss is the mean negative log-likelihood of the skills: -mean(r + log p(z))
    assert before == pytest.approx(-float(np.mean(reward.reward(obs, next_obs) + math.log(0.25))), rel=1e-5)
    metrics: dict[str, float] = {}
    for _ in range(100):
        metrics = reward.update(obs, next_obs)
    after = loss()
    assert after < 0.25 * before
    assert metrics["accuracy"] == 1.0
    assert set(metrics) == {"loss", "accuracy", "q_entropy", "reward"}
    assert not reward.training  # back in eval mode after the update
    np.testing.assert_array_equal(reward.predict_skill(next_obs), z)


def test_update_continuous_lowers_loss() -> None:
    torch.manual_seed(0)
    env = SkillWrapper(PointWorldEnv(), skill_dim=2)
    reward = DIAYNReward.for_env(env, net_arch=[16], learning_rate=1e-2, device="cpu")
    z = np.random.default_rng(1).uniform(-1, 1, size=(64, 2)).astype(np.float32)
    obs = flat_obs(np.zeros((64, 2), np.float32), z)
    next_obs = flat_obs(3 * z, z)  # s' = 3 z: z is recoverable from s'
    first = reward.update(obs, next_obs)
    for _ in range(100):
        last = reward.update(obs, next_obs)
    assert last["loss"] < first["loss"] - 1.0
    assert last["mse"] < 0.1 * first["mse"]


class TinyDictEnv(gym.Env):
    def __init__(self) -> None:
        self.observation_space = spaces.Dict({"pos": spaces.Box(-1.0, 1.0, (2,), np.float32), "room": spaces.Discrete(3)})
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict]:
        super().reset(seed=seed)
        return {"pos": np.zeros(2, np.float32), "room": 0}, {}

    def step(self, action: np.ndarray) -> tuple[dict[str, Any], float, bool, bool, dict]:
        return {"pos": np.asarray(action, np.float32), "room": 1}, 0.0, False, False, {}


def test_dict_observations() -> None:
    env = SkillWrapper(TinyDictEnv(), n_skills=3)
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    perturb_weights(reward, 5)
    assert reward.discriminator[0].in_features == 2 + 3
    z = np.array([2, 0, 1])
    rooms = np.array([1, 2, 0])
    pos = STATES[:3] / 5
    obs = {"pos": pos, "room": rooms, "skill": np.eye(3, dtype=np.float32)[z]}
    next_obs = {"pos": NEXT_STATES[:3] / 5, "room": rooms[::-1].copy(), "skill": np.eye(3, dtype=np.float32)[z]}
    feats = np.concatenate([next_obs["pos"], np.eye(3)[next_obs["room"]]], -1)
    expected = categorical_reward(reward, feats, z, np.full(3, 1 / 3))
    np.testing.assert_allclose(reward.reward(obs, next_obs), expected, rtol=1e-5, atol=1e-5)
    # SB3 buffers store Discrete entries as (batch, 1)
    sb3_style = {k: (v[:, None] if k == "room" else v) for k, v in next_obs.items()}
    np.testing.assert_allclose(reward.reward(obs, sb3_style), expected, rtol=1e-5, atol=1e-5)
    # a batch of one stays a batch of one
    one = {k: v[:1] for k, v in obs.items()}
    one_next = {k: v[:1] for k, v in next_obs.items()}
    np.testing.assert_allclose(reward.reward(one, one_next), expected[:1], rtol=1e-5, atol=1e-5)
    # features index the flattened observation: 0, 1 = pos, 2..4 = one-hot room
    room_only = DIAYNReward.for_env(env, features=[2, 3, 4], net_arch=[16], device="cpu")
    moved = {**next_obs, "pos": -next_obs["pos"]}
    np.testing.assert_array_equal(room_only.reward(obs, moved), room_only.reward(obs, next_obs))
    with pytest.raises(ValueError, match="features"):
        DIAYNReward.for_env(env, features=[5])


def test_discrete_observation_in_dict_mode() -> None:
    env = SkillWrapper(FourRoomsEnv(), n_skills=4, obs_mode="dict")
    reward = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    perturb_weights(reward, 6)
    z = np.array([3])
    obs = {"observation": np.array([10]), "skill": np.eye(4, dtype=np.float32)[z]}
    next_obs = {"observation": np.array([11]), "skill": np.eye(4, dtype=np.float32)[z]}
    expected = categorical_reward(reward, np.eye(104)[[11]], z, np.full(4, 0.25))
    np.testing.assert_allclose(reward.reward(obs, next_obs), expected, rtol=1e-5, atol=1e-5)


def test_config_rebuilds_the_model() -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=3)
    reward = DIAYNReward.for_env(env, features=[1], net_arch=[8, 8], learning_rate=1e-3, feature_scale=0.5, use_next_obs=False)
    rebuilt = DIAYNReward(env.layout, **reward.config())
    assert rebuilt.config() == reward.config()
    rebuilt.load_state_dict(reward.state_dict())
    obs = flat_obs(STATES, np.eye(3)[[0, 1, 2, 0, 1]])
    np.testing.assert_array_equal(rebuilt.reward(obs, obs[::-1]), reward.reward(obs, obs[::-1]))


@pytest.mark.parametrize("skill_kwargs", [{"n_skills": 4}, {"skill_dim": 2}], ids=["categorical", "continuous"])
def test_reward_and_update_equals_reward_then_update(skill_kwargs: dict[str, Any]) -> None:
    """The fused step (one forward pass) returns the pre-update reward and takes the same gradient step."""
    env = SkillWrapper(PointWorldEnv(), **skill_kwargs)
    fused = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    perturb_weights(fused)
    separate = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    separate.load_state_dict(fused.state_dict())
    separate.optimizer.load_state_dict(fused.optimizer.state_dict())
    rng = np.random.default_rng(0)
    prior = env.layout.prior
    skills = prior.sample(rng, size=len(STATES))
    obs = torch.as_tensor(flat_obs(STATES, prior.encode(skills)))
    next_obs = torch.as_tensor(flat_obs(NEXT_STATES, prior.encode(skills)))

    expected_reward = separate.reward_th(obs, next_obs)
    expected_metrics = separate.update_th(obs, next_obs)
    with torch.no_grad():  # the fused step must train even when called under no_grad
        got_reward, got_metrics = fused.reward_and_update_th(obs, next_obs)
    torch.testing.assert_close(got_reward, expected_reward)
    assert got_metrics == pytest.approx(expected_metrics)
    for (name, a), b in zip(fused.state_dict().items(), separate.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, msg=name)
    assert not torch.allclose(fused.reward_th(obs, next_obs), expected_reward)  # the step changed the model
    _, no_metrics = fused.reward_and_update_th(obs, next_obs, with_metrics=False)
    assert no_metrics == {}


def test_feature_noise_only_in_training() -> None:
    """``feature_noise`` perturbs the discriminator's training input, never the reward it pays."""
    env = SkillWrapper(PointWorldEnv(), n_skills=4)
    noisy = DIAYNReward.for_env(env, net_arch=[16], feature_noise=2.0, device="cpu")
    perturb_weights(noisy)
    skills = np.array([0, 1, 2, 3, 0])
    encodings = env.layout.prior.encode(skills)
    obs, next_obs = flat_obs(STATES, encodings), flat_obs(NEXT_STATES, encodings)
    probs = np.full(4, 0.25)
    np.testing.assert_allclose(noisy.reward(obs, next_obs), categorical_reward(noisy, NEXT_STATES, skills, probs), rtol=1e-5)
    torch.manual_seed(0)
    losses = {float(noisy.loss_th(noisy.to_tensor(obs), noisy.to_tensor(next_obs))[0].detach()) for _ in range(3)}
    assert len(losses) == 3  # a fresh noise draw each time
    clean = DIAYNReward.for_env(env, net_arch=[16], device="cpu")
    clean.load_state_dict(noisy.state_dict())
    clean_loss = float(clean.loss_th(clean.to_tensor(obs), clean.to_tensor(next_obs))[0].detach())
    assert clean_loss not in losses
    with pytest.raises(ValueError, match="feature_noise"):
        DIAYNReward.for_env(env, feature_noise=-1.0)
