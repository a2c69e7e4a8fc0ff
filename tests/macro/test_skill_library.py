"""load_skills / SkillLibrary: frozen CPU skills from saved DIAYN and plain SB3 models, choosing and pruning skills."""

from __future__ import annotations

import pathlib
import pickle
import zipfile
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from gymnasium import spaces
from stable_baselines3 import SAC
from stable_baselines3.common.env_util import make_vec_env

from agents import DIAYN
from hrl_wrappers import MacroActionWrapper, SkillLibrary, SkillWrapper, load_skills
from hrl_wrappers.envs import POINT_WORLD_ID

STATES = np.array([[0.0, 0.0], [1.5, -2.0], [-3.0, 4.0], [5.0, 5.0]], np.float32)


def test_diayn_skills_are_frozen_on_cpu_and_act_like_the_agent(diayn_path: pathlib.Path) -> None:
    skills = load_skills(diayn_path, env=gym.make(POINT_WORLD_ID))
    agent = DIAYN.load(diayn_path, device="cpu")
    assert skills.skill_space == spaces.Discrete(4) and skills.indices == [0, 1, 2, 3]
    assert skills.observation_space == gym.make(POINT_WORLD_ID).observation_space
    assert all(not p.requires_grad and p.device.type == "cpu" for p in skills.policy.parameters())
    assert not skills.policy.training
    for z in range(4):
        for s in STATES:
            expected, _ = agent.predict_skill(s, skill=z, deterministic=True)
            np.testing.assert_allclose(skills.act(s, z), expected, atol=1e-6)
    np.testing.assert_allclose(
        skills.act_batch(STATES, [0, 1, 2, 3]), np.stack([skills.act(s, i) for i, s in enumerate(STATES)]), atol=1e-6
    )


def test_skills_picked_by_index(diayn_path: pathlib.Path) -> None:
    full = load_skills(diayn_path)
    picked = load_skills(diayn_path, skills=[3, 1])
    assert picked.skill_space == spaces.Discrete(2) and picked.indices == [3, 1]
    np.testing.assert_allclose(picked.act(STATES[1], 0), full.act(STATES[1], 3))
    np.testing.assert_allclose(picked.act(STATES[1], 1), full.act(STATES[1], 1))
    again = picked.select([1])  # positions in the current choice
    assert again.indices == [1]
    with pytest.raises(ValueError, match=r"skills has indices \[4\] outside \[0, 4\)"):
        load_skills(diayn_path, skills=[0, 4])
    with pytest.raises(ValueError, match="picks a skill twice"):
        full.select([2, 2])
    with pytest.raises(ValueError, match="at least one skill"):
        full.select([])


def test_displacements_are_final_minus_initial_position(diayn_path: pathlib.Path) -> None:
    skills = load_skills(diayn_path)
    env = gym.make(POINT_WORLD_ID)
    disp = skills.displacements(env, n_steps=15, seed=5)
    for z in range(4):
        obs, _ = env.reset(seed=5)
        start = obs.copy()
        for _ in range(15):
            obs, *_ = env.step(skills.act(obs, z))
        np.testing.assert_allclose(disp[z], obs - start, atol=1e-5)


def test_prune_keeps_skills_whose_displacements_are_apart(diayn_path: pathlib.Path) -> None:
    skills = load_skills(diayn_path)
    env = gym.make(POINT_WORLD_ID)
    disp = skills.displacements(env, n_steps=20)
    norms = np.linalg.norm(disp, axis=1)
    for min_distance in (0.05, 0.5, 2.0, 1e6):
        kept = skills.prune(env, min_distance, n_steps=20).indices
        assert kept is not None and kept == sorted(kept)
        for i in kept:  # kept skills are pairwise at least min_distance apart
            assert all(np.linalg.norm(disp[i] - disp[j]) >= min_distance for j in kept if j != i)
        for i in set(range(4)) - set(kept):  # each dropped one duplicates a kept skill that moves at least as far
            assert any(np.linalg.norm(disp[i] - disp[j]) < min_distance and norms[j] >= norms[i] for j in kept)
    assert skills.prune(env, 1e6, n_steps=20).indices == [int(np.argmax(norms))]
    with pytest.raises(ValueError, match="min_distance must be a finite number > 0"):
        skills.prune(env, 0.0)


def test_plain_sb3_model_on_a_skill_wrapper(tmp_path: pathlib.Path) -> None:
    venv = make_vec_env(POINT_WORLD_ID, wrapper_class=SkillWrapper, wrapper_kwargs={"n_skills": 3}, seed=0)
    model = SAC("MlpPolicy", venv, policy_kwargs={"net_arch": [8]}, learning_starts=10, seed=0)
    model.learn(20)
    model.save(tmp_path / "plain")
    with pytest.raises(ValueError, match=r"pass n_skills= .* or skill_dim="):
        load_skills(tmp_path / "plain.zip")
    # a wrong n_skills reads the observation as 1 + 4 entries: the check against the env says what does not fit
    with pytest.raises(ValueError, match=r"trained on observations Box\(shape=\(1,\).*is Box\(shape=\(2,\)"):
        load_skills(tmp_path / "plain.zip", n_skills=4, env=gym.make(POINT_WORLD_ID))
    with pytest.raises(ValueError, match="with 5 skill entries appended"):
        load_skills(tmp_path / "plain.zip", n_skills=5)
    skills = load_skills(tmp_path / "plain.zip", n_skills=3, env=gym.make(POINT_WORLD_ID))
    assert skills.skill_space == spaces.Discrete(3)
    for z in range(3):
        joined = np.concatenate([STATES[2], np.eye(3, dtype=np.float32)[z]])
        expected, _ = model.predict(joined, deterministic=True)
        np.testing.assert_allclose(skills.act(STATES[2], z), expected, atol=1e-6)
    # the same through a model in memory: the layout is read from its env's SkillWrapper
    np.testing.assert_allclose(load_skills(model).act(STATES[2], 1), skills.act(STATES[2], 1), atol=1e-6)


def test_continuous_skills(diayn_continuous_path: pathlib.Path) -> None:
    skills = load_skills(diayn_continuous_path)
    agent = DIAYN.load(diayn_continuous_path, device="cpu")
    assert skills.skill_space == spaces.Box(-1.0, 1.0, (2,), np.float32) and skills.n_skills is None
    z = np.array([0.3, -0.7], np.float32)
    expected, _ = agent.predict_skill(STATES[1], skill=z, deterministic=True)
    np.testing.assert_allclose(skills.act(STATES[1], z), expected, atol=1e-6)
    assert MacroActionWrapper(gym.make(POINT_WORLD_ID), skills).action_space == skills.skill_space
    with pytest.raises(ValueError, match="categorical"):
        skills.select([0])


def test_displacements_of_continuous_skills_roll_out_the_given_vectors(diayn_continuous_path: pathlib.Path) -> None:
    skills = load_skills(diayn_continuous_path)
    env = gym.make(POINT_WORLD_ID)
    vectors = np.array([[0.3, -0.7], [-1.0, 0.2]], np.float32)
    disp = skills.displacements(env, n_steps=12, features=[1], seed=3, skills=vectors)
    assert disp.shape == (2, 1)
    for row, z in zip(disp, vectors, strict=True):  # the same rollout written out: y after 12 steps minus y at reset
        obs, _ = env.reset(seed=3)
        start = obs[1]
        for _ in range(12):
            obs, *_ = env.step(skills.act(obs, z))
        np.testing.assert_allclose(row, [obs[1] - start], atol=1e-5)
    with pytest.raises(ValueError, match="skills must list the skill vectors"):
        skills.displacements(env, n_steps=12)
    with pytest.raises(ValueError, match=r"prune\(\) keeps categorical"):
        skills.prune(env, 0.5, n_steps=12)


def test_pickling_keeps_the_networks(diayn_path: pathlib.Path) -> None:
    skills = load_skills(diayn_path, skills=[2, 0])
    copy = pickle.loads(pickle.dumps(skills))
    assert isinstance(copy, SkillLibrary) and copy.indices == [2, 0] and copy.source == skills.source
    for z in range(2):
        np.testing.assert_array_equal(copy.act(STATES[3], z), skills.act(STATES[3], z))
    assert all(not p.requires_grad for p in copy.policy.parameters())


def test_skills_trained_on_another_observation_space(diayn_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match=r"skills were trained on observations Box\(shape=\(2,\).*Box\(shape=\(3,\)"):
        load_skills(diayn_path, env=gym.make("Pendulum-v1"))


def test_a_file_that_is_not_a_skill_model(tmp_path: pathlib.Path) -> None:
    text = tmp_path / "notes.zip"
    text.write_text("not a model")
    with pytest.raises(ValueError, match=r"path='.*notes.zip' is not a skill model"):
        load_skills(text)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ValueError, match=r"path='.*other.zip' is not a skill model"):
        load_skills(other)
    with pytest.raises(FileNotFoundError, match=r"path='.*missing.zip': no such file"):
        load_skills(tmp_path / "missing.zip")


def test_deterministic_skills_leave_the_torch_generator_alone(diayn_path: pathlib.Path) -> None:
    import torch

    deterministic, stochastic = load_skills(diayn_path), load_skills(diayn_path, deterministic=False)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    deterministic.seed(7)
    np.testing.assert_array_equal(torch.rand(3), expected)
    torch.manual_seed(7)
    after_seed = torch.rand(3)
    stochastic.seed(7)
    np.testing.assert_array_equal(torch.rand(3), after_seed)


def test_diayn_ppo_skills(tmp_path: pathlib.Path) -> None:
    agent = DIAYN("MlpPolicy", POINT_WORLD_ID, n_skills=3, algo="PPO", policy_kwargs={"net_arch": [8]}, discriminator_arch=[8])
    agent.save(tmp_path / "ppo_skills")
    skills = load_skills(tmp_path / "ppo_skills.zip", env=gym.make(POINT_WORLD_ID))
    for z in range(3):
        expected, _ = agent.predict_skill(STATES[2], skill=z, deterministic=True)
        np.testing.assert_allclose(skills.act(STATES[2], z), expected, atol=1e-6)


@pytest.mark.parametrize("kind", [{"skill_dim": 2}, {"n_skills": 3}, {"skill_dim": 2, "features": [0], "hide_features": True}])
def test_dads_skills(tmp_path: pathlib.Path, kind: dict[str, Any]) -> None:
    """DADS is built on the same SkillAgent mixin: its saved skills load, and act as the agent does (x-y blindfold too)."""
    from agents import DADS

    agent = DADS("MlpPolicy", POINT_WORLD_ID, policy_kwargs={"net_arch": [8]}, dynamics_arch=[8], seed=0, **kind)
    agent.save(tmp_path / "dads_skills")
    skills = load_skills(tmp_path / "dads_skills.zip", env=gym.make(POINT_WORLD_ID))
    z: np.ndarray | int = np.array([0.3, -0.7], np.float32) if "skill_dim" in kind else 2
    expected, _ = agent.predict_skill(STATES[1], skill=z, deterministic=True)
    np.testing.assert_allclose(skills.act(STATES[1], z), expected, atol=1e-6)
    assert MacroActionWrapper(gym.make(POINT_WORLD_ID), skills).action_space == skills.skill_space


METRA_TINY: dict[str, Any] = {
    "phi_arch": [8],
    "policy_kwargs": {"net_arch": [8]},
    "learning_starts": 16,
    "batch_size": 16,
    "phi_batch_size": 16,
    "device": "cpu",
    "seed": 0,
}


@pytest.mark.parametrize(
    ("name", "kind"),
    [("METRA", {"n_skills": 4}), ("LSD", {}), ("METRA", {}), ("LSD", {"n_skills": 3, "features": [0]})],
    ids=["metra-categorical", "lsd-gaussian", "metra-sphere", "lsd-categorical-x"],
)
def test_metra_and_lsd_skills(tmp_path: pathlib.Path, name: str, kind: dict[str, Any]) -> None:
    """METRA and LSD are built on the same SkillAgent mixin: their saved skills (categorical, unit vectors, Gaussian)
    load, act as the agent does, and drive a MacroActionWrapper."""
    import agents

    agent = getattr(agents, name)("MlpPolicy", POINT_WORLD_ID, **METRA_TINY, **kind).learn(32)
    agent.save(tmp_path / "skills")
    skills = load_skills(tmp_path / "skills.zip", env=gym.make(POINT_WORLD_ID))
    assert skills.layout.prior.config() == agent.skill_layout.prior.config()
    categorical = "n_skills" in kind
    z: np.ndarray | int = 2 if categorical else np.array([0.6, -0.8], np.float32)
    assert skills.n_skills == kind.get("n_skills")
    for s in STATES:
        expected, _ = agent.predict_skill(s, skill=z, deterministic=True)
        np.testing.assert_allclose(skills.act(s, z), expected, atol=1e-6)
    wrapper = MacroActionWrapper(gym.make(POINT_WORLD_ID), skills, hold_steps=3)
    assert wrapper.action_space == skills.skill_space
    wrapper.reset(seed=0)
    wrapper.action_space.seed(0)
    for _ in range(4):
        obs, reward, terminated, truncated, _ = wrapper.step(wrapper.action_space.sample())
        assert wrapper.observation_space.contains(obs) and np.isfinite(reward)
        assert not (terminated or truncated)


def test_unit_vector_skills_name_the_skill_of_their_direction(tmp_path: pathlib.Path) -> None:
    """With METRA's unit-vector skills any vector of the skill box (a controller's action) acts as the unit skill of
    its direction; the agent itself accepts unit vectors only."""
    from agents import METRA

    agent = METRA("MlpPolicy", POINT_WORLD_ID, **METRA_TINY)
    agent.save(tmp_path / "metra")
    skills = load_skills(tmp_path / "metra.zip")
    assert skills.skill_space == spaces.Box(-1.0, 1.0, (2,), np.float32)
    unit = np.array([0.6, -0.8], np.float32)
    expected, _ = agent.predict_skill(STATES[1], skill=unit, deterministic=True)
    np.testing.assert_allclose(skills.act(STATES[1], 0.5 * unit), expected, atol=1e-6)
    both = skills.act_batch(np.stack([STATES[1], STATES[1]]), [0.5 * unit, unit])
    np.testing.assert_allclose(both, np.stack([expected, expected]), atol=1e-6)
    np.testing.assert_allclose(skills.encode(0.5 * unit), unit, atol=1e-6)
    np.testing.assert_array_equal(skills.encode(np.zeros(2)), np.zeros(2, np.float32))
    with pytest.raises(ValueError, match="unit vector"):
        agent.predict_skill(STATES[1], skill=0.5 * unit)
