"""Tests for :mod:`hrl_wrappers.evaluation`."""

from __future__ import annotations

import csv
import json
import os
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3.common.logger import configure

from agents import DIAYN
from hrl_wrappers.envs import POINT_WORLD_ID
from hrl_wrappers.evaluation import (
    SkillEvalCallback,
    SkillEvaluation,
    evaluate_skills,
    info_features,
    locomotion_position_features,
    plot_skill_trajectories,
    random_policy_coverage,
    record_skill_videos,
    state_coverage,
)
from hrl_wrappers.priors import CategoricalPrior
from hrl_wrappers.skill_layout import SkillLayout

torch.set_num_threads(1)

DIRECTIONS = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], dtype=np.float32)


def tiny_diayn(**kwargs: Any) -> Any:
    return DIAYN(
        "MlpPolicy",
        POINT_WORLD_ID,
        learning_starts=50,
        policy_kwargs={"net_arch": [16]},
        discriminator_arch=[16],
        seed=0,
        **kwargs,
    )


@pytest.fixture(scope="module")
def model() -> Any:
    return tiny_diayn(n_skills=4).learn(200)


class ScriptedModel:
    """Moves the point world at full speed in a fixed direction per skill; has no reward model."""

    def __init__(self, observation_space: gym.Space, n_skills: int = 4, directions: np.ndarray = DIRECTIONS) -> None:
        self.skill_layout = SkillLayout(observation_space, CategoricalPrior(n_skills))
        self.directions = directions

    def predict_skill(self, observation: Any, skill: Any, deterministic: bool = True) -> tuple[np.ndarray, None]:
        return self.directions[int(skill)].copy(), None


# ------------------------------------------------------------------------------------------------ coverage
def test_state_coverage_hand_made_points() -> None:
    points = np.array([[0.1, 0.1], [0.9, 0.2], [1.5, 0.1], [-0.2, 0.0]])
    assert state_coverage(points, cell_size=1.0) == 3
    assert state_coverage(points, cell_size=0.5) == 4  # (0,0), (1,0), (3,0), (-1,0)
    assert state_coverage(points, cell_size=10.0) == 2  # floor(-0.02) = -1
    assert state_coverage(np.array([0.5, 1.5, 1.7]), cell_size=1.0) == 2  # 1-D points
    assert state_coverage(np.zeros((0, 2))) == 0
    with pytest.raises(ValueError, match="cell_size"):
        state_coverage(points, cell_size=0.0)
    with pytest.raises(ValueError, match="NaN"):
        state_coverage(np.array([[np.nan, 0.0]]))


# ------------------------------------------------------------------------------------------------ evaluate_skills
def test_evaluate_all_categorical_skills(model: Any) -> None:
    ev = evaluate_skills(model, POINT_WORLD_ID, max_steps=20)
    assert isinstance(ev, SkillEvaluation)
    assert ev.skills == [0, 1, 2, 3]
    assert [g["skill"] for g in ev.per_skill] == [0, 1, 2, 3]
    assert all(t.shape == (21, 2) for t in ev.trajectories)
    assert ev.n_steps == 80 and ev.episode_lengths == [20] * 4
    assert ev.accuracy is not None and 0.0 <= ev.accuracy <= 1.0
    assert all(0.0 <= g["discriminability"] <= 1.0 for g in ev.per_skill)
    assert ev.dt is None and all(g["velocity_per_second"] is None for g in ev.per_skill)
    assert 1 <= ev.coverage <= 4 * 21

    # the accuracy recomputed by hand from the discriminator on the visited next states
    layout = model.skill_layout
    hits = []
    for skill, traj in zip(ev.skills, ev.trajectories, strict=True):
        batch = layout.join(traj[1:].astype(np.float32), skill)
        pred = model.reward_model.predict_skill(batch)
        hits.append(pred == skill)
    assert ev.accuracy == pytest.approx(float(np.mean(np.concatenate(hits))))
    for g, h in zip(ev.per_skill, hits, strict=True):
        assert g["discriminability"] == pytest.approx(float(np.mean(h)))
    assert ev.summary()["mean_discriminability"] == pytest.approx(float(np.mean([np.mean(h) for h in hits])))

    # the trajectories are what the agent does from the same start states
    env = gym.make(POINT_WORLD_ID)
    obs, _ = env.reset(seed=0)
    np.testing.assert_allclose(ev.trajectories[2][0], obs)
    for t in range(20):
        obs, *_ = env.step(model.predict_skill(obs, 2)[0])
        np.testing.assert_allclose(ev.trajectories[2][t + 1], obs)


def test_subset_rollouts_and_stochastic_default(model: Any) -> None:
    ev = evaluate_skills(model, gym.make(POINT_WORLD_ID), skills=[1, 3], n_rollouts=2, max_steps=5)
    assert ev.skills == [1, 1, 3, 3]
    assert [g["n_rollouts"] for g in ev.per_skill] == [2, 2]
    ev = evaluate_skills(model, POINT_WORLD_ID, skills=[0], deterministic=False, max_steps=3)
    assert len(ev.trajectories) == 5  # 5 rollouts per skill when stochastic
    with pytest.raises(ValueError, match="skills"):
        evaluate_skills(model, POINT_WORLD_ID, skills=[7], max_steps=3)


def test_scripted_displacement_equals_direct_computation() -> None:
    env = gym.make(POINT_WORLD_ID)
    stub = ScriptedModel(env.observation_space)
    ev = evaluate_skills(stub, env, max_steps=10, n_rollouts=2)
    assert ev.accuracy is None and all(g["discriminability"] is None for g in ev.per_skill)
    for k, g in enumerate(ev.per_skill):
        disps = []
        for r in range(2):
            obs0, _ = env.reset(seed=r)
            obs = obs0
            for _ in range(10):
                obs, *_ = env.step(DIRECTIONS[k])
            disps.append(obs.astype(np.float64) - obs0.astype(np.float64))
        direct = np.mean(disps, axis=0)
        np.testing.assert_allclose(g["displacement"], direct, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(g["displacement"], 10 * 0.5 * DIRECTIONS[k], atol=1e-5)  # max_step 0.5
        assert g["velocity_per_step"] == pytest.approx(direct[0] / 10, abs=1e-6)
        assert g["episode_length"] == 10 and g["return"] == 0.0
    summary = ev.summary()
    assert summary["max_forward_velocity"] == pytest.approx(0.5, abs=1e-5)
    assert summary["max_backward_velocity"] == pytest.approx(0.5, abs=1e-5)
    assert summary["mean_abs_displacement"] == pytest.approx(5.0, abs=1e-4)
    # the table and the dict
    table = ev.markdown_table()
    assert table.count("\n") == 1 + 4 and "(5.000, 0.000)" in table
    data = json.loads(json.dumps(ev.to_dict()))
    assert data["skills"] == [0, 0, 1, 1, 2, 2, 3, 3] and len(data["trajectories"]) == 8
    assert data["summary"]["coverage"] == ev.coverage


def test_features_indices_and_callable() -> None:
    env = gym.make(POINT_WORLD_ID)
    stub = ScriptedModel(env.observation_space)
    ev = evaluate_skills(stub, env, features=[1], max_steps=4)
    assert all(t.shape == (5, 1) for t in ev.trajectories)
    np.testing.assert_allclose([g["displacement"][0] for g in ev.per_skill], [0.0, 2.0, 0.0, -2.0], atol=1e-5)
    ev = evaluate_skills(stub, env, features=info_features("position"), max_steps=4)
    np.testing.assert_allclose(ev.per_skill[0]["displacement"], [2.0, 0.0], atol=1e-5)
    with pytest.raises(ValueError, match="outside"):
        evaluate_skills(stub, env, features=[5], max_steps=4)
    with pytest.raises(KeyError, match="x_position"):
        evaluate_skills(stub, env, features=info_features("x_position"), max_steps=4)


def test_rejects_skill_wrapped_env(model: Any) -> None:
    from hrl_wrappers import SkillWrapper

    with pytest.raises(ValueError, match="raw environment"):
        evaluate_skills(model, SkillWrapper(gym.make(POINT_WORLD_ID), n_skills=4), max_steps=2)


def test_continuous_skills_get_48_rollouts() -> None:
    model = tiny_diayn(skill_dim=2)
    ev = evaluate_skills(model, POINT_WORLD_ID, max_steps=5)
    assert len(ev.trajectories) == 48 and len(ev.per_skill) == 48
    assert not ev.categorical and ev.accuracy is None and ev.mse is not None and ev.mse >= 0
    expected = np.random.default_rng(0).uniform(-1, 1, size=(48, 2)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(ev.skills), expected)
    # the MSE recomputed by hand
    errors = [
        np.mean((model.reward_model.predict_skill(model.skill_layout.join(t[1:].astype(np.float32), np.float32(z))) - z) ** 2)
        for z, t in zip(ev.skills, ev.trajectories, strict=True)
    ]
    assert ev.mse == pytest.approx(float(np.mean(errors)), rel=1e-5)
    assert "mse" in ev.markdown_table().splitlines()[0]
    fig = plot_skill_trajectories(ev)
    assert len(fig.axes[0].lines) == 48


def test_random_policy_coverage() -> None:
    ev = random_policy_coverage(POINT_WORLD_ID, n_rollouts=3, max_steps=10, seed=1)
    assert ev.skills == [None] * 3 and ev.accuracy is None
    assert ev.per_skill[0]["skill"] == "random" and ev.per_skill[0]["n_rollouts"] == 3
    assert ev.coverage == state_coverage(np.concatenate(ev.trajectories))
    again = random_policy_coverage(POINT_WORLD_ID, n_rollouts=3, max_steps=10, seed=1)
    np.testing.assert_array_equal(ev.trajectories[2], again.trajectories[2])


# ------------------------------------------------------------------------------------------------ plots, videos
def test_plot_writes_png(tmp_path: Any, model: Any) -> None:
    ev = evaluate_skills(model, POINT_WORLD_ID, max_steps=10)
    path = tmp_path / "plots" / "skills.png"
    fig = plot_skill_trajectories(ev, path, title="tiny")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert fig.axes[0].get_title() == "tiny"
    legend = fig.axes[0].get_legend()
    assert legend is not None and len(legend.get_texts()) == 4
    ev1 = evaluate_skills(model, POINT_WORLD_ID, features=[0], max_steps=10)
    fig = plot_skill_trajectories(ev1, tmp_path / "x.png")  # one feature: plotted over time
    assert fig.axes[0].get_xlabel() == "step"
    with pytest.raises(ValueError, match="dims"):
        plot_skill_trajectories(ev, dims=(0, 2))


def test_record_skill_videos(tmp_path: Any, model: Any) -> None:
    pytest.importorskip("moviepy")
    paths = record_skill_videos(model, POINT_WORLD_ID, tmp_path / "videos", skills=[0, 2], video_length=10)
    assert [os.path.basename(p) for p in paths] == ["skill_0-episode-0.mp4", "skill_1-episode-0.mp4"]
    assert all(os.path.getsize(p) > 0 for p in paths)
    with pytest.raises(ValueError, match="rgb_array"):
        record_skill_videos(model, lambda **kwargs: gym.make(POINT_WORLD_ID), tmp_path / "none", video_length=2)


# ------------------------------------------------------------------------------------------------ callback
def test_callback_logs_during_learn(tmp_path: Any) -> None:
    model = tiny_diayn(n_skills=4)
    recorded: dict[str, Any] = {}
    logger = configure(str(tmp_path / "tb"), ["tensorboard"])
    original = logger.record

    def spy(key: str, value: Any, exclude: Any = None) -> None:
        recorded[key] = value
        original(key, value, exclude)

    logger.record = spy  # type: ignore[method-assign]
    model.set_logger(logger)
    callback = SkillEvalCallback(POINT_WORLD_ID, eval_freq=60, max_steps=10, log_dir=tmp_path / "eval")
    model.learn(120, callback=callback)
    assert 0.0 <= recorded["skills/accuracy"] <= 1.0
    assert recorded["skills/coverage"] >= 1 and "skills/mean_abs_displacement" in recorded
    assert "skills/mean_discriminability" in recorded
    assert type(recorded["skills/trajectories"]).__name__ == "Figure"
    logger.dump(model.num_timesteps)  # the figure goes to TensorBoard
    logger.close()
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(tmp_path / "tb"))
    assert callback.last_evaluation is not None and callback.last_evaluation.skills == [0, 1, 2, 3]
    assert sorted(os.listdir(tmp_path / "eval")) == ["skill_eval.csv", "skills_120.png", "skills_60.png"]
    with open(tmp_path / "eval" / "skill_eval.csv") as f:
        rows = list(csv.DictReader(f))
    assert [float(r["timesteps"]) for r in rows] == [60.0, 120.0] and "accuracy" in rows[0]


# ------------------------------------------------------------------------------------------------ MuJoCo
def test_halfcheetah_x_from_info(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("mujoco")
    monkeypatch.chdir(tmp_path)  # MuJoCo appends its compiler warnings to ./MUJOCO_LOG.TXT
    env = gym.make("HalfCheetah-v5")
    cheetah: Any = env.unwrapped
    feats = locomotion_position_features("HalfCheetah-v5")
    assert feats.keys == ("x_position",)
    assert locomotion_position_features("Ant-v5").keys == ("x_position", "y_position")
    stub = ScriptedModel(env.observation_space, n_skills=2, directions=np.stack([np.ones(6), -np.ones(6)]).astype(np.float32))
    ev = evaluate_skills(stub, env, features=feats, max_steps=5)
    assert all(t.shape == (6, 1) for t in ev.trajectories)
    assert ev.dt == pytest.approx(cheetah.dt)
    # the x feature is the torso x position
    env.reset(seed=0)
    for _ in range(5):
        env.step(np.ones(6, dtype=np.float32))
    assert ev.trajectories[0][-1, 0] == pytest.approx(float(cheetah.data.qpos[0]))
    g = ev.per_skill[0]
    assert g["velocity_per_second"] == pytest.approx(g["velocity_per_step"] / cheetah.dt)
    assert g["velocity"] == g["velocity_per_second"]
    # the qpos fallback when info lacks the key
    assert feats(None, {}, env)[0] == pytest.approx(float(cheetah.data.qpos[0]))
    with pytest.raises(ValueError, match="locomotion"):
        locomotion_position_features("Pendulum-v1")
