"""Off-policy DADS with importance-weighted skill-dynamics updates (the reference's off-DADS ``is_clip_eps``)."""

from __future__ import annotations

import math
import pathlib
from typing import Any

import numpy as np
import pytest
import torch

from agents import DADS
from agents.dads.importance import ImportanceWeightedDynamicsCallback, importance_weights
from hrl_wrappers.envs import POINT_WORLD_ID


def off_policy(**kwargs: Any) -> Any:
    base: dict[str, Any] = {
        "skill_dim": 2,
        "schedule": "off-policy",
        "importance_clip": 10.0,
        "n_alternatives": 4,
        "dynamics_arch": [16],
        "dynamics_batch_size": 32,
        "update_ratio": 0.5,
        "learning_starts": 40,
        "batch_size": 32,
        "policy_kwargs": {"net_arch": [16]},
        "device": "cpu",
        "seed": 0,
    }
    base.update(kwargs)
    return DADS("MlpPolicy", POINT_WORLD_ID, **base)


def test_importance_weights_hand_made() -> None:
    log_pi = torch.tensor([0.0, math.log(3.0), math.log(50.0), -math.log(50.0), math.log(0.5)])
    log_mu = torch.tensor([0.0, 0.0, 0.0, 0.0, math.log(2.0)])
    w = importance_weights(log_pi, log_mu, clip=10.0)
    # ratios 1, 3, 50, 1/50, 1/4, clipped to [0.1, 10]
    assert w.tolist() == pytest.approx([1.0, 3.0, 10.0, 0.1, 0.25])
    normalized = importance_weights(log_pi, log_mu, clip=10.0, normalize=True)
    assert normalized.tolist() == pytest.approx(
        [v / np.mean([1.0, 3.0, 10.0, 0.1, 0.25]) for v in [1.0, 3.0, 10.0, 0.1, 0.25]]
    )
    with pytest.raises(ValueError, match="clip must be a finite number > 1"):
        importance_weights(log_pi, log_mu, clip=1.0)


def test_weights_enter_the_skill_dynamics_loss() -> None:
    model = off_policy()
    reward = model.reward_model
    rng = np.random.default_rng(0)
    obs = np.concatenate([rng.normal(size=(6, 2)), rng.uniform(-1, 1, (6, 2))], 1).astype(np.float32)
    nxt = obs.copy()
    nxt[:, :2] += rng.normal(size=(6, 2)).astype(np.float32)
    obs_t, nxt_t = torch.as_tensor(obs), torch.as_tensor(nxt)
    w = torch.tensor([0.1, 1.0, 2.0, 10.0, 0.5, 3.0])
    loss, _ = reward.loss_th(obs_t, nxt_t, weights=w)
    with torch.no_grad():
        log_q = reward.log_prob(
            reward.input_state(obs_t), reward.layout.skill_encoding(obs_t).float(), reward.target_delta(obs_t, nxt_t)
        )
    assert float(loss.detach()) == pytest.approx(float(-(w * log_q).mean()), rel=1e-6)
    with pytest.raises(ValueError, match="weights must have one entry per transition"):
        reward.loss_th(obs_t, nxt_t, weights=torch.ones(5))


def test_behaviour_log_probs_line_up_with_the_buffer() -> None:
    """Without agent training the policy stays the behaviour policy: every weight after the warm-up is exactly 1,
    which only holds if each stored log-likelihood sits beside its own transition."""
    model = off_policy(gradient_steps=0)
    model.learn(120)
    callback = model._reward_callback
    assert isinstance(callback, ImportanceWeightedDynamicsCallback)
    buffer = model.replay_buffer
    n = buffer.size()
    stored = buffer.behaviour_log_prob[:n, 0]
    assert np.allclose(stored[:40], -2 * math.log(2.0))  # SB3's uniform warm-up actions on [-1, 1]^2
    log_pi = callback.policy_log_prob(buffer.observations[40:n, 0], buffer.actions[40:n, 0]).numpy()
    assert np.allclose(stored[40:n], log_pi, atol=1e-4)
    assert callback.n_updates > 0 and callback.last_weights is not None


def test_weights_after_training_are_clipped_ratios(tmp_path: pathlib.Path) -> None:
    model = off_policy(importance_clip=5.0)
    model.learn(200)
    callback = model._reward_callback
    assert isinstance(callback, ImportanceWeightedDynamicsCallback)
    _, _, w, _ = callback.sample_weighted(64)
    assert float(w.min()) >= 0.2 - 1e-6 and float(w.max()) <= 5.0 + 1e-6
    assert not torch.allclose(w, torch.ones_like(w))  # the policy moved away from the ones that collected the data
    model.save(tmp_path / "dads.zip")
    loaded = DADS.load(tmp_path / "dads.zip", device="cpu")
    assert loaded.importance_clip == 5.0 and isinstance(loaded._reward_callback, ImportanceWeightedDynamicsCallback)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="importance_clip must be a number > 1"):
        off_policy(importance_clip=1.0)
    with pytest.raises(ValueError, match="importance_clip needs schedule='off-policy'"):
        DADS("MlpPolicy", POINT_WORLD_ID, skill_dim=2, importance_clip=10.0, n_alternatives=4, device="cpu")
