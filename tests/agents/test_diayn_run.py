"""DIAYN learns on every supported kind of environment and back end (in the style of SB3's test_run.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3 import PPO, SAC

from agents import DIAYN, DIAYNPPO, DIAYNSAC
from hrl_wrappers import SkillWrapper
from hrl_wrappers.envs import FOUR_ROOMS_ID, POINT_WORLD_ID, PointWorldEnv
from tests.helpers import TinyDictEnv


def tiny_kwargs(algo: str) -> dict[str, Any]:
    common: dict[str, Any] = {
        "policy_kwargs": {"net_arch": [16]},
        "discriminator_arch": [16],
        "discriminator_batch_size": 16,
        "device": "cpu",
        "seed": 0,
    }
    if algo == "SAC":
        return {**common, "learning_starts": 50, "batch_size": 16, "buffer_size": 1000}
    return {**common, "n_steps": 64, "batch_size": 32, "n_epochs": 1}


CASES = [
    ("SAC", POINT_WORLD_ID, {}),
    ("PPO", POINT_WORLD_ID, {}),
    ("PPO", FOUR_ROOMS_ID, {}),
    ("PPO", FOUR_ROOMS_ID, {"obs_mode": "dict"}),
    ("SAC", "dict", {}),
    ("PPO", "dict", {}),
    ("SAC", POINT_WORLD_ID, {"n_envs": 2}),
    ("PPO", POINT_WORLD_ID, {"n_envs": 2}),
    ("SAC", POINT_WORLD_ID, {"skill_dim": 2}),
    ("PPO", POINT_WORLD_ID, {"skill_dim": 2, "distribution": "gaussian"}),
    ("SAC", POINT_WORLD_ID, {"obs_mode": "dict", "resample_every": 30, "features": [0]}),
]


@pytest.mark.parametrize(("algo", "env_id", "extra"), CASES, ids=lambda v: str(v))
def test_learn(algo: str, env_id: str, extra: dict[str, Any]) -> None:
    env: Any = TinyDictEnv() if env_id == "dict" else env_id
    kwargs = {"n_skills": 3, **extra} if "skill_dim" not in extra else extra
    model = DIAYN("MlpPolicy", env, algo=algo, **tiny_kwargs(algo), **kwargs)
    assert isinstance(model, DIAYN)
    assert isinstance(model, SAC if algo == "SAC" else PPO)
    assert type(model) is (DIAYNSAC if algo == "SAC" else DIAYNPPO)
    assert model.algo_name == algo
    assert model.get_env().num_envs == extra.get("n_envs", 1)
    if isinstance(model.observation_space, spaces.Dict):
        assert "skill" in model.observation_space.spaces
    before = [p.detach().clone() for p in model.reward_model.parameters()]
    model.learn(128, log_interval=10**6)
    assert model.num_timesteps >= 128
    metrics = model.logger.name_to_value
    assert "diayn/loss" in metrics and metrics["diayn/n_updates"] > 0
    assert ("diayn/mse" if "skill_dim" in extra else "diayn/accuracy") in metrics
    assert any(not torch.equal(a, b) for a, b in zip(before, model.reward_model.parameters(), strict=True))
    if "features" in extra:
        assert model.reward_model.features == extra["features"]
        assert model.reward_model.discriminator[0].in_features == len(extra["features"])


def raw_observations(model: DIAYN, n: int) -> tuple[Any, Any]:
    """One raw environment observation and a batch of ``n`` (sampled from the env's own space)."""
    space = model.skill_layout.base_space
    space.seed(0)
    batch = [space.sample() for _ in range(n)]
    if isinstance(space, spaces.Dict):
        return batch[0], {k: np.stack([b[k] for b in batch]) for k in space.spaces}
    return batch[0], np.stack(batch)


@pytest.mark.parametrize(
    ("algo", "env_id", "extra"),
    [
        ("SAC", POINT_WORLD_ID, {}),
        ("PPO", FOUR_ROOMS_ID, {}),
        ("SAC", "dict", {}),
        ("PPO", POINT_WORLD_ID, {"skill_dim": 2}),
        ("PPO", POINT_WORLD_ID, {"obs_mode": "dict"}),
    ],
    ids=lambda v: str(v),
)
def test_predict_skill(algo: str, env_id: str, extra: dict[str, Any]) -> None:
    env: Any = TinyDictEnv() if env_id == "dict" else env_id
    kwargs = {"n_skills": 3, **extra} if "skill_dim" not in extra else extra
    model = DIAYN("MlpPolicy", env, algo=algo, **tiny_kwargs(algo), **kwargs)
    layout = model.skill_layout
    single, batch = raw_observations(model, 4)
    skills = model.skill_layout.prior.sample(np.random.default_rng(0), size=4)
    skill = skills[0]

    def encoded(z: Any) -> np.ndarray:
        return np.eye(3, dtype=np.float32)[z] if layout.is_categorical else np.asarray(z, np.float32)

    def conditioned(obs: Any, z: Any) -> Any:
        """The skill-conditioned observation, assembled by hand."""
        if isinstance(layout.base_space, spaces.Dict):
            return {**obs, "skill": encoded(z)}
        if layout.mode == "dict":
            return {"observation": obs, "skill": encoded(z)}
        flat = np.eye(104, dtype=np.float32)[obs] if isinstance(layout.base_space, spaces.Discrete) else obs
        return np.concatenate([flat, encoded(z)], -1)

    action, _ = model.predict_skill(single, skill)
    assert model.action_space.contains(action)
    expected, _ = model.predict(conditioned(single, skill), deterministic=True)
    np.testing.assert_array_equal(action, expected)

    actions, _ = model.predict_skill(batch, skills)
    n_act = model.action_space.shape or ()
    assert np.shape(actions) == (4, *n_act)
    expected_batch, _ = model.predict(conditioned(batch, skills), deterministic=True)
    np.testing.assert_array_equal(actions, expected_batch)
    # one skill for a whole batch
    same, _ = model.predict_skill(batch, skill)
    repeated = np.stack([skill] * 4) if not layout.is_categorical else np.full(4, skill)
    np.testing.assert_array_equal(same, model.predict(conditioned(batch, repeated), deterministic=True)[0])


# ------------------------------------------------------------------------------------------------ bad input


@pytest.fixture(scope="module")
def categorical_model() -> DIAYN:
    return DIAYN("MlpPolicy", POINT_WORLD_ID, n_skills=3, **tiny_kwargs("SAC"))


@pytest.fixture(scope="module")
def continuous_model() -> DIAYN:
    return DIAYN("MlpPolicy", POINT_WORLD_ID, skill_dim=2, algo="PPO", **tiny_kwargs("PPO"))


@pytest.mark.parametrize("skill", [3, -1, [0, 3]])
def test_skill_out_of_range(categorical_model: DIAYN, skill: Any) -> None:
    obs = np.zeros((2, 2)) if isinstance(skill, list) else np.zeros(2)
    with pytest.raises(ValueError, match=r"skill(\[1\])? must be in \[0, 3\)"):
        categorical_model.predict_skill(obs, skill)


def test_skill_of_the_wrong_kind(categorical_model: DIAYN, continuous_model: DIAYN) -> None:
    with pytest.raises(ValueError, match="skill must be an int"):
        categorical_model.predict_skill(np.zeros(2), 1.5)
    with pytest.raises(ValueError, match=r"skill must be a float vector of shape \(2,\).*integer"):
        continuous_model.predict_skill(np.zeros(2), 1)
    with pytest.raises(ValueError, match=r"skill must have shape \(2,\)"):
        continuous_model.predict_skill(np.zeros(2), [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"skill must lie in \[-1.0, 1.0\]"):
        continuous_model.predict_skill(np.zeros(2), [0.1, 2.0])
    with pytest.raises(ValueError, match=r"skill must be one skill or one per observation \(3\)"):
        categorical_model.predict_skill(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="skills are continuous"):
        continuous_model.skills()
    assert categorical_model.skills() == [0, 1, 2] and categorical_model.n_skills == 3


def test_raw_observation_of_the_wrong_shape(categorical_model: DIAYN) -> None:
    # a skill-conditioned observation is not a raw one
    with pytest.raises(ValueError, match=r"observation must have shape \(2,\)"):
        categorical_model.predict_skill(np.zeros(5), 0)
    with pytest.raises(ValueError, match=r"observation must have shape \(2,\).*got \(4, 3\)"):
        categorical_model.predict_skill(np.zeros((4, 3)), 0)
    with pytest.raises(ValueError, match="observation contains NaN"):
        categorical_model.predict_skill(np.array([np.nan, 0.0]), 0)
    dict_model = DIAYN("MlpPolicy", TinyDictEnv(), n_skills=3, **tiny_kwargs("SAC"))
    with pytest.raises(ValueError, match=r"observation must be a dict with keys \['pos', 'room'\]"):
        dict_model.predict_skill({"pos": np.zeros(2)}, 0)


def test_nested_dict_observations() -> None:
    with pytest.raises(ValueError, match="nested Dict under key 'inner'"):
        DIAYN("MlpPolicy", TinyDictEnv(nested=True), n_skills=3, **tiny_kwargs("SAC"))


@pytest.mark.parametrize("features", [[99], [0, 2]])
def test_feature_index_outside_observation(features: list[int]) -> None:
    with pytest.raises(ValueError, match=r"features has indices \[\d+\] outside the observation"):
        DIAYN("MlpPolicy", POINT_WORLD_ID, n_skills=3, features=features, **tiny_kwargs("SAC"))


@pytest.mark.parametrize("n_skills", [1, 0])
def test_n_skills_at_least_two(n_skills: int) -> None:
    with pytest.raises(ValueError, match="n_skills must be an integer >= 2"):
        DIAYN("MlpPolicy", POINT_WORLD_ID, n_skills=n_skills, **tiny_kwargs("SAC"))


def test_unknown_algo() -> None:
    with pytest.raises(ValueError, match=r"algo must be one of \['PPO', 'SAC'\], got 'DQN'"):
        DIAYN("MlpPolicy", POINT_WORLD_ID, n_skills=3, algo="DQN")


def test_both_skill_kinds_rejected() -> None:
    with pytest.raises(ValueError, match=r"n_skills.*skill_dim"):
        DIAYN("MlpPolicy", POINT_WORLD_ID, n_skills=3, skill_dim=2, **tiny_kwargs("SAC"))


def test_prewrapped_env_must_match() -> None:
    env = SkillWrapper(PointWorldEnv(), n_skills=4, resample_every=9)
    with pytest.raises(ValueError, match=r"n_skills=3 does not match the SkillWrapper already around env \(n_skills=4\)"):
        DIAYN("MlpPolicy", env, n_skills=3, **tiny_kwargs("SAC"))
    model = DIAYN("MlpPolicy", env, **tiny_kwargs("SAC"))
    assert model.n_skills == 4
    # the wrapper's own arguments are recorded (load() re-wraps a raw env with them)
    assert model.skill_config["n_skills"] == 4 and model.skill_config["resample_every"] == 9
    assert model.get_env().get_attr("resample_every") == [9]


def test_default_is_ten_categorical_skills() -> None:
    model = DIAYN("MlpPolicy", POINT_WORLD_ID, **tiny_kwargs("SAC"))
    assert model.n_skills == 10
    assert model.observation_space.shape == (12,)
    assert model.ent_coef == 0.1  # the paper's entropy coefficient for SAC
