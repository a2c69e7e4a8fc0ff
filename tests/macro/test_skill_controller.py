"""SkillController: the high level over frozen skills with PPO, SAC or DQN; save/load with a copy of or a reference to
the skills (in the style of SB3's test_run.py and test_save_load.py)."""

from __future__ import annotations

import pathlib
import shutil
import zipfile
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium import spaces

from agents import DIAYN, SkillController, SkillControllerDQN, SkillControllerPPO, SkillControllerSAC
from hrl_wrappers import MacroActionWrapper, load_skills
from hrl_wrappers.envs import POINT_WAYPOINTS_ID, POINT_WORLD_ID

SMALL: dict[str, Any] = {"seed": 0, "device": "cpu"}
ALGO_KWARGS: dict[str, dict[str, Any]] = {
    "PPO": {"n_steps": 16, "batch_size": 16},
    "DQN": {"learning_starts": 8, "batch_size": 8},
    "SAC": {"learning_starts": 8, "batch_size": 8},
}
OBS = np.array([[0.0, 0.0, 5.0, 5.0], [3.0, -2.0, 5.0, -5.0], [-4.0, 1.0, -5.0, 5.0]], np.float32)


def make(skills: Any, algo: str, **kwargs: Any) -> Any:
    return SkillController(
        "MlpPolicy",
        POINT_WAYPOINTS_ID,
        skills,
        hold_steps=5,
        skill_obs=[0, 1],
        algo=algo,
        policy_kwargs={"net_arch": [16]},  # a fresh dict: SB3's SAC writes into it
        **SMALL,
        **ALGO_KWARGS[algo],
        **kwargs,
    )


@pytest.mark.parametrize(("algo", "cls"), [("PPO", SkillControllerPPO), ("DQN", SkillControllerDQN)])
def test_learns_over_categorical_skills(diayn_path: pathlib.Path, algo: str, cls: type) -> None:
    model = make(diayn_path, algo)
    assert type(model) is cls and isinstance(model, SkillController)
    assert model.action_space == spaces.Discrete(4)
    model.learn(32)
    assert model.num_timesteps == 32  # high-level decisions
    skill, _ = model.predict(OBS, deterministic=True)
    assert skill.shape == (3,) and all(0 <= s < 4 for s in skill)
    primitive, chosen = model.predict_primitive(OBS[0])
    np.testing.assert_allclose(primitive, model.skills.act(OBS[0, :2], int(chosen)), atol=1e-6)


def test_sac_and_ppo_over_continuous_skills(diayn_continuous_path: pathlib.Path) -> None:
    for algo, cls in (("SAC", SkillControllerSAC), ("PPO", SkillControllerPPO)):
        model = make(diayn_continuous_path, algo)
        assert type(model) is cls and model.action_space == spaces.Box(-1.0, 1.0, (2,), np.float32)
        model.learn(16)


def test_algo_must_fit_the_skills(diayn_path: pathlib.Path, diayn_continuous_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match="algo='SAC' needs continuous skills"):
        make(diayn_path, "SAC")
    with pytest.raises(ValueError, match="algo='DQN' needs categorical skills"):
        make(diayn_continuous_path, "DQN")
    with pytest.raises(ValueError, match="algo must be one of"):
        SkillController("MlpPolicy", POINT_WORLD_ID, diayn_path, algo="TD3")


def test_bad_arguments(diayn_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match="hold_steps must be an integer >= 1"):
        SkillController("MlpPolicy", POINT_WORLD_ID, diayn_path, hold_steps=0)
    with pytest.raises(ValueError, match="skills must be given"):
        SkillController("MlpPolicy", POINT_WORLD_ID)
    with pytest.raises(TypeError, match="skills must be a path"):
        SkillController("MlpPolicy", POINT_WORLD_ID, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="store_skills must be one of"):
        SkillController("MlpPolicy", POINT_WORLD_ID, diayn_path, store_skills="link")
    with pytest.raises(ValueError, match="skills were trained on observations"):
        SkillController("MlpPolicy", "Pendulum-v1", diayn_path)


def test_vectorised_and_prewrapped_envs(diayn_path: pathlib.Path) -> None:
    model = SkillController(
        "MlpPolicy", POINT_WAYPOINTS_ID, diayn_path, skill_obs=[0, 1], n_envs=2, n_steps=8, batch_size=16, **SMALL
    )
    assert model.n_envs == 2
    model.learn(16)
    wrapped = MacroActionWrapper(gym.make(POINT_WORLD_ID), load_skills(diayn_path), hold_steps=3)
    model = SkillController("MlpPolicy", wrapped, diayn_path, n_steps=8, batch_size=8, **SMALL)
    assert model.env.get_attr("hold_steps") == [3]  # the given wrapper is used as it is


def _same_policy(a: Any, b: Any) -> None:
    sa, sb = a.policy.state_dict(), b.policy.state_dict()
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k].cpu(), sb[k].cpu()) for k in sa)  # devices may differ
    skill_a, _ = a.predict(OBS, deterministic=True)
    skill_b, _ = b.predict(OBS, deterministic=True)
    np.testing.assert_array_equal(skill_a, skill_b)


def test_save_load_with_a_copy_of_the_skills(diayn_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    source = tmp_path / "skills.zip"
    shutil.copy(diayn_path, source)
    model = make(load_skills(source, skills=[3, 0, 2]), "DQN")
    model.learn(24)
    model.save(tmp_path / "controller")
    source.unlink()  # a copy does not need the skill file any more
    loaded = SkillController.load(tmp_path / "controller", env=gym.make(POINT_WAYPOINTS_ID))
    assert type(loaded) is SkillControllerDQN and loaded.store_skills == "copy"
    assert loaded.skills.indices == [3, 0, 2] and loaded.hold_steps == 5 and loaded.skill_obs == [0, 1]
    _same_policy(model, loaded)
    for z in range(3):
        np.testing.assert_array_equal(loaded.skills.act(OBS[1, :2], z), model.skills.act(OBS[1, :2], z))
    assert loaded.env.get_attr("skills")[0] is loaded.skills
    loaded.learn(8)  # and it trains on


def test_relative_obs_reaches_the_wrappers_and_survives_save_load(diayn_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match="relative_obs must be a sequence of integer indices"):
        make(load_skills(diayn_path), "PPO", relative_obs=["x"])
    with pytest.raises(ValueError, match=r"relative_obs must be indices into the skills' 2 observation entries"):
        make(load_skills(diayn_path), "PPO", relative_obs=[2])
    model = make(load_skills(diayn_path), "PPO", relative_obs=[0, 1])
    assert model.relative_obs == [0, 1] and model.env.get_attr("relative_obs") == [[0, 1]]
    model.learn(16)
    model.save(tmp_path / "controller")
    loaded = SkillController.load(tmp_path / "controller", env=gym.make(POINT_WAYPOINTS_ID))
    assert loaded.relative_obs == [0, 1] and loaded.env.get_attr("relative_obs") == [[0, 1]]
    # the primitive action of the first step of a macro-action: the skill reads x-y as 0 (no displacement yet)
    action, skill = loaded.predict_primitive(OBS[1], deterministic=True)
    np.testing.assert_allclose(action, loaded.skills.act(np.zeros(2, np.float32), skill), atol=1e-6)


def test_save_load_with_a_reference_to_the_skills(diayn_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    source = tmp_path / "skills.zip"
    shutil.copy(diayn_path, source)
    model = make(load_skills(source, skills=[1, 2]), "PPO", store_skills="reference")
    model.learn(16)
    model.save(tmp_path / "controller")
    with zipfile.ZipFile(tmp_path / "controller.zip") as archive:
        data = archive.read("data").decode()
    assert '"skills"' not in data and str(source) in data  # only the path and the chosen skills are stored
    loaded = SkillController.load(tmp_path / "controller", env=gym.make(POINT_WAYPOINTS_ID))
    assert loaded.store_skills == "reference" and loaded.skills.source == str(source)
    assert loaded.skills.indices == [1, 2]
    _same_policy(model, loaded)
    for z in range(2):
        np.testing.assert_array_equal(loaded.skills.act(OBS[2, :2], z), model.skills.act(OBS[2, :2], z))
    source.unlink()
    with pytest.raises(ValueError, match=r"refers to skills at .*skills.zip.*pass skills="):
        SkillController.load(tmp_path / "controller")
    other = SkillController.load(tmp_path / "controller", skills=load_skills(diayn_path, skills=[1, 2]))
    _same_policy(model, other)
    with pytest.raises(ValueError, match=r"skills act in Discrete\(4\), the checkpoint's controller in Discrete\(2\)"):
        SkillController.load(tmp_path / "controller", skills=diayn_path)


def test_reference_needs_skills_from_a_file(tmp_path: pathlib.Path) -> None:
    skills = DIAYN("MlpPolicy", POINT_WORLD_ID, n_skills=3, policy_kwargs={"net_arch": [8]}, discriminator_arch=[8])
    with pytest.raises(ValueError, match="store_skills='reference' needs skills loaded from a file"):
        make(skills, "PPO", store_skills="reference")


def test_load_refuses_other_checkpoints(diayn_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match=r"is not a SkillController checkpoint: it is a DIAYN checkpoint"):
        SkillController.load(diayn_path)
