"""The METRA and LSD agents: defaults, saving and loading every network and the dual variable, checkpoints of other
agents refused, phi's update ratio, and zero-shot goal reaching."""

from __future__ import annotations

import math
import pathlib
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch

from agents import DIAYN, LSD, METRA, reach_goal, skill_directions
from hrl_wrappers import LSDReward, METRAReward
from hrl_wrappers.envs import POINT_WORLD_ID

TINY: dict[str, Any] = {
    "phi_arch": [16],
    "policy_kwargs": {"net_arch": [16]},
    "learning_starts": 32,
    "batch_size": 32,
    "phi_batch_size": 32,
    "device": "cpu",
    "seed": 0,
}


def same_state(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, dict):
            if not same_state(x, y):
                return False
        elif isinstance(x, torch.Tensor):
            if not torch.equal(x, y):
                return False
        elif isinstance(x, list):
            if len(x) != len(y) or any(
                not (same_state(p, q) if isinstance(p, dict) else p == q) for p, q in zip(x, y, strict=True)
            ):
                return False
        elif x != y:
            return False
    return True


def test_defaults_follow_the_paper() -> None:
    model = METRA("MlpPolicy", POINT_WORLD_ID, **TINY)
    assert isinstance(model.reward_model, METRAReward)
    assert model.skill_layout.prior.config() == {"skill_dim": 2, "distribution": "sphere"}
    assert model.target_entropy == pytest.approx(-1.0)  # -|A| / 2 for the 2-D point
    assert float(torch.exp(model.log_ent_coef.detach())) == pytest.approx(0.01)
    assert model.learning_rate == pytest.approx(1e-4)
    assert model.reward_model.dual_lambda == pytest.approx(30.0)  # type: ignore[union-attr]
    assert model._reward_callback.update_ratio == pytest.approx(1.0)
    lsd = LSD("MlpPolicy", POINT_WORLD_ID, **TINY)
    assert isinstance(lsd.reward_model, LSDReward)
    assert lsd.skill_layout.prior.config()["distribution"] == "gaussian"


def test_phi_update_ratio_follows_sac() -> None:
    model = METRA("MlpPolicy", POINT_WORLD_ID, train_freq=8, gradient_steps=2, n_envs=2, **TINY)
    assert model._reward_callback.update_ratio == pytest.approx(2 / 16)
    model = METRA("MlpPolicy", POINT_WORLD_ID, train_freq=8, update_ratio=0.5, **TINY)
    assert model._reward_callback.update_ratio == pytest.approx(0.5)


def test_bad_arguments_name_themselves() -> None:
    with pytest.raises(ValueError, match="constraint must be 'dual'"):
        METRA("MlpPolicy", POINT_WORLD_ID, constraint="l2", **TINY)
    with pytest.raises(ValueError, match="update_ratio"):
        METRA("MlpPolicy", POINT_WORLD_ID, update_ratio=-1.0, **TINY)
    with pytest.raises(ValueError, match="features"):
        METRA("MlpPolicy", POINT_WORLD_ID, features=[5], **TINY)
    model = METRA("MlpPolicy", POINT_WORLD_ID, **TINY)
    with pytest.raises(ValueError, match="unit vector"):
        model.predict_skill([0.0, 0.0], skill=[1.0, 1.0])
    with pytest.raises(ValueError, match="observation"):
        model.goal_skill([0.0, 0.0, 0.0], goal=[1.0, 1.0])
    with pytest.raises(ValueError, match=r"^goal: observation must have shape"):
        model.goal_skill([0.0, 0.0], goal=[1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="constraint='spectral'"):
        LSD("MlpPolicy", POINT_WORLD_ID, dual_lambda=5.0, **TINY)


@pytest.mark.parametrize("cls", [METRA, LSD])
def test_save_load_keeps_every_network_the_dual_variable_and_the_replay_buffer(cls: Any, tmp_path: pathlib.Path) -> None:
    model = cls("MlpPolicy", POINT_WORLD_ID, n_skills=4, **TINY).learn(200)
    if cls is METRA:
        assert model.reward_model.dual_lambda != pytest.approx(30.0)  # it trained
    model.save(tmp_path / "m.zip")
    model.save_replay_buffer(tmp_path / "buffer.pkl")
    loaded = cls.load(tmp_path / "m.zip", env=gym.make(POINT_WORLD_ID))
    assert type(loaded) is cls and loaded.constraint == model.constraint
    assert same_state(model.reward_model.state_dict(), loaded.reward_model.state_dict())
    assert same_state(model.reward_model.optimizer.state_dict(), loaded.reward_model.optimizer.state_dict())
    assert same_state(model.policy.state_dict(), loaded.policy.state_dict())
    assert same_state(model.actor.optimizer.state_dict(), loaded.actor.optimizer.state_dict())
    assert loaded.reward_model.config() == model.reward_model.config()
    loaded.load_replay_buffer(tmp_path / "buffer.pkl")
    assert loaded.replay_buffer.size() == model.replay_buffer.size()
    loaded.learn(64, reset_num_timesteps=False)  # trains on: the buffer's reward model is attached
    obs = np.array([[1.0, 2.0], [-3.0, 0.5]], np.float32)
    np.testing.assert_array_equal(model.phi(obs), cls.load(tmp_path / "m.zip").phi(obs))


def test_other_checkpoints_are_refused(tmp_path: pathlib.Path) -> None:
    DIAYN("MlpPolicy", POINT_WORLD_ID, n_skills=2, discriminator_arch=[8], policy_kwargs={"net_arch": [8]}, seed=0).save(
        tmp_path / "diayn.zip"
    )
    with pytest.raises(ValueError, match="not a METRA checkpoint: it is a DIAYN checkpoint"):
        METRA.load(tmp_path / "diayn.zip")
    METRA("MlpPolicy", POINT_WORLD_ID, **TINY).save(tmp_path / "metra.zip")
    with pytest.raises(ValueError, match="not an LSD checkpoint: it is a METRA checkpoint"):
        LSD.load(tmp_path / "metra.zip")
    with pytest.raises(ValueError, match="not a DIAYN checkpoint: it is a METRA checkpoint"):
        DIAYN.load(tmp_path / "metra.zip")


def test_goal_skill_points_along_phi() -> None:
    model = METRA("MlpPolicy", POINT_WORLD_ID, **TINY)
    s, g = np.array([0.0, 0.0], np.float32), np.array([3.0, -4.0], np.float32)
    z = model.goal_skill(s, g)
    d = model.phi(g) - model.phi(s)
    np.testing.assert_allclose(z, d / np.linalg.norm(d), rtol=1e-5)
    batch = model.goal_skill(np.stack([s, g]), np.stack([g, s]))
    assert batch.shape == (2, 2)
    discrete = METRA("MlpPolicy", POINT_WORLD_ID, n_skills=4, **TINY)
    assert isinstance(discrete.goal_skill(s, g), int)


def test_reach_goal_on_the_point_world() -> None:
    model = METRA("MlpPolicy", POINT_WORLD_ID, **TINY).learn(200)
    env = gym.make(POINT_WORLD_ID)
    result = reach_goal(model, env, goal=[3.0, 0.0], goal_indices=[0, 1], max_steps=25, replan_every=10, seed=0)
    assert result.executed.shape == (26, 2)
    assert len(result.skills) == 3
    assert all(abs(np.linalg.norm(z) - 1) < 1e-4 for z in result.skills)
    dist = np.linalg.norm(result.executed - [3.0, 0.0], axis=-1)
    assert result.final_distance == pytest.approx(dist[-1])
    assert result.normalized_distance == pytest.approx(dist.mean() / dist[0])
    with pytest.raises(ValueError, match="goal_indices"):
        reach_goal(model, env, goal=[3.0, 0.0], goal_indices=[0, 7])
    with pytest.raises(ValueError, match="goal must be 2 finite values"):
        reach_goal(model, env, goal=[3.0, math.nan], goal_indices=[0, 1])
    with pytest.raises(ValueError, match="replan_every"):
        reach_goal(model, env, goal=[3.0, 0.0], goal_indices=[0, 1], replan_every=0)


class _Plane(gym.Env):
    """A point on the plane that moves by its action each step, from the origin."""

    observation_space = gym.spaces.Box(-100, 100, (2,))
    action_space = gym.spaces.Box(-1, 1, (2,))

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        self.pos = np.zeros(2, dtype=np.float32)
        return self.pos.copy(), {}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict]:
        self.pos = self.pos + np.asarray(action, dtype=np.float32)
        return self.pos.copy(), 0.0, False, False, {}


class _Rotated:
    """A skill agent whose skill z moves the point along z rotated by 90 degrees, at half speed."""

    def predict_skill(self, obs: np.ndarray, skill: np.ndarray, deterministic: bool = True) -> tuple[np.ndarray, None]:
        z = np.asarray(skill, dtype=np.float64)
        return 0.5 * np.array([-z[1], z[0]]), None


def test_skill_directions_measure_where_each_skill_goes_and_steer_reach_goal() -> None:
    skills, directions = skill_directions(_Rotated(), _Plane(), [0, 1], n_skills=4, steps=3)
    np.testing.assert_allclose(skills, [[1, 0], [0, 1], [-1, 0], [0, -1]], atol=1e-6)
    np.testing.assert_allclose(directions, [[0, 1], [-1, 0], [0, -1], [1, 0]], atol=1e-6)  # z rotated by 90 degrees
    # the goal at (0, 4): the skill whose walk points there is z = (1, 0); 8 steps of 0.5 reach it exactly
    result = reach_goal(_Rotated(), _Plane(), goal=[0.0, 4.0], goal_indices=[0, 1], max_steps=8, replan_every=4,
                        directions=(skills, directions))  # fmt: skip
    np.testing.assert_allclose(result.skills, [[1, 0], [1, 0]], atol=1e-6)
    assert result.final_distance == pytest.approx(0.0, abs=1e-5)
    with pytest.raises(ValueError, match="directions must hold one skill row"):
        reach_goal(_Rotated(), _Plane(), goal=[0.0, 4.0], goal_indices=[0, 1], directions=(skills, directions[:, :1]))
    with pytest.raises(ValueError, match="steps must be an integer"):
        skill_directions(_Rotated(), _Plane(), [0, 1], steps=0)
    with pytest.raises(ValueError, match="goal_indices must be indices"):
        skill_directions(_Rotated(), _Plane(), [0, 2], n_skills=4, steps=3)
