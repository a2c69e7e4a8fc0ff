"""A NaN or infinite observation or reward from the environment stops ``learn`` of every agent with a
:class:`NonFiniteDataError` naming it, the env index and the step, before any network is updated."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch as th
from stable_baselines3.common.env_util import make_vec_env

from agents import (
    DADSPPO,
    DADSSAC,
    DIAYNPPO,
    DIAYNSAC,
    HIRO,
    PPOC,
    OptionCritic,
    SkillControllerDQN,
    SkillControllerPPO,
    SkillControllerSAC,
)
from hrl_wrappers.envs import POINT_WAYPOINTS_ID, POINT_WORLD_ID
from hrl_wrappers.sb3.non_finite import NonFiniteDataError, check_finite_reset, check_finite_step
from tests.agents.test_hiro import CountingEnv
from tests.agents.test_seeding import all_parameters

K = 10  # the environment step (of each env) that goes wrong


class NonFiniteAt(gym.Wrapper):
    """Emits a NaN observation entry (``kind="observation"``), an infinite reward (``"reward"``) at its ``at``-th
    step (counted over episodes), or a NaN observation from its first ``reset`` (``"reset"``)."""

    def __init__(self, env: gym.Env, kind: str, at: int = K) -> None:
        super().__init__(env)
        self.kind, self.at, self.steps, self.resets = kind, at, 0, 0

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        self.resets += 1
        if self.kind == "reset" and self.resets == 1:
            obs = np.array(obs, dtype=np.float32)
            obs[-1] = np.nan
        return obs, info

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.steps += 1
        if self.steps == self.at:
            if self.kind == "observation":
                obs = np.array(obs, dtype=np.float32)
                obs[0] = np.nan
            elif self.kind == "reward":
                reward = float("inf")
        return obs, reward, terminated, truncated, info


def factory(make: Callable[[], gym.Env], kind: str, bad_env: int = 0) -> Callable[[], gym.Env]:
    """An env factory whose ``bad_env``-th env (in the order the VecEnv builds them) goes wrong."""
    count = itertools.count()

    def build() -> gym.Env:
        env = make()
        return NonFiniteAt(env, kind) if next(count) == bad_env else env

    return build


_SAC = {"learning_starts": 32, "batch_size": 16, "buffer_size": 500}
_PPO = {"n_steps": 64, "batch_size": 32, "n_epochs": 1}
_DADS = {"n_steps": 64, "dynamics_steps": 2, "dynamics_arch": [8], "batch_size": 16, "n_alternatives": 4}
# K = 10 primitive steps is inside the third decision: the hold ends there, before the skill acts on a NaN
_CONTROLLER = {"hold_steps": 4, "skill_obs": [0, 1]}

# class, env maker, constructor arguments ("skills": the kind of frozen skills), the step reported for K
CASES: dict[str, tuple[Callable[..., Any], Callable[[], gym.Env], dict[str, Any], int]] = {
    "DIAYNSAC": (DIAYNSAC, lambda: gym.make(POINT_WORLD_ID), {"n_skills": 3, "discriminator_arch": [8], **_SAC}, K),
    "DIAYNPPO": (DIAYNPPO, lambda: gym.make(POINT_WORLD_ID), {"n_skills": 3, "discriminator_arch": [8], **_PPO}, K),
    "DADSSAC-on-policy": (DADSSAC, lambda: gym.make(POINT_WORLD_ID), {"agent_steps": 2, **_DADS}, K),
    "DADSSAC-off-policy": (
        DADSSAC,
        lambda: gym.make(POINT_WORLD_ID),
        {"schedule": "off-policy", **_DADS, "learning_starts": 32, "buffer_size": 500},
        K,
    ),
    "DADSPPO": (DADSPPO, lambda: gym.make(POINT_WORLD_ID), {**_DADS, "n_epochs": 1}, K),
    "HIRO": (HIRO, CountingEnv, {"c": 5, "batch_size": 16, "buffer_size": 500, "learning_starts": 40}, K),
    "OptionCritic": (OptionCritic, lambda: gym.make("Pendulum-v1"), {"n_options": 2, "n_steps": 16}, K),
    "PPOC": (PPOC, lambda: gym.make("Pendulum-v1"), {"n_options": 2, **_PPO}, K),
    "SkillControllerPPO": (
        SkillControllerPPO,
        lambda: gym.make(POINT_WAYPOINTS_ID),
        {"skills": "categorical", **_CONTROLLER, **_PPO},
        3,
    ),
    "SkillControllerDQN": (
        SkillControllerDQN,
        lambda: gym.make(POINT_WAYPOINTS_ID),
        {"skills": "categorical", **_CONTROLLER, "learning_starts": 16, "batch_size": 8, "buffer_size": 100},
        3,
    ),
    "SkillControllerSAC": (
        SkillControllerSAC,
        lambda: gym.make(POINT_WAYPOINTS_ID),
        {"skills": "continuous", **_CONTROLLER, "learning_starts": 16, "batch_size": 8, "buffer_size": 100},
        3,
    ),
}


@pytest.fixture(scope="module")
def skill_models() -> dict[str, DIAYNSAC]:
    """Frozen skills for the controllers: one categorical and one continuous DIAYN, untrained."""
    small = {"policy_kwargs": {"net_arch": [8]}, "discriminator_arch": [8], "seed": 0, "device": "cpu"}
    return {
        "categorical": DIAYNSAC("MlpPolicy", POINT_WORLD_ID, n_skills=3, **small),
        "continuous": DIAYNSAC("MlpPolicy", POINT_WORLD_ID, skill_dim=2, **small),
    }


def _build(name: str, kind: str, skill_models: dict[str, DIAYNSAC], n_envs: int = 1, bad_env: int = 0) -> Any:
    cls, make, kwargs, _ = CASES[name]
    kwargs = {"policy_kwargs": {"net_arch": [8]}, "seed": 0, "device": "cpu", **kwargs}
    if "skills" in kwargs:
        kwargs["skills"] = skill_models[kwargs["skills"]]
    env = factory(make, kind, bad_env)
    if cls in (OptionCritic, PPOC):  # they take an id, a gym.Env or a VecEnv
        return cls("MlpPolicy", make_vec_env(env, n_envs=n_envs, seed=0), **kwargs)
    return cls("MlpPolicy", env, n_envs=n_envs, **kwargs)


def _assert_unchanged(before: dict[str, th.Tensor], model: Any) -> None:
    after = all_parameters(model)
    assert before.keys() == after.keys() and before
    for key, value in before.items():
        assert th.equal(value, after[key]), key


@pytest.mark.parametrize("kind", ["observation", "reward"])
@pytest.mark.parametrize("name", list(CASES))
def test_non_finite_step_stops_learn_before_any_update(name: str, kind: str, skill_models: dict[str, DIAYNSAC]) -> None:
    model = _build(name, kind, skill_models)
    before = all_parameters(model)
    step = CASES[name][3]
    with pytest.raises(NonFiniteDataError, match=rf"the {kind} of env 0 at step {step} \(num_timesteps\)") as info:
        model.learn(200)
    assert (info.value.what, info.value.env_index, info.value.step) == (kind, 0, step)
    assert isinstance(info.value, ValueError)
    _assert_unchanged(before, model)


@pytest.mark.parametrize("name", list(CASES))
def test_non_finite_reset_observation_stops_learn(name: str, skill_models: dict[str, DIAYNSAC]) -> None:
    model = _build(name, "reset", skill_models)
    before = all_parameters(model)
    with pytest.raises(NonFiniteDataError, match=r"the observation of env 0 at step 0 .*env\.reset\(\)"):
        model.learn(100)
    _assert_unchanged(before, model)


@pytest.mark.parametrize("name", ["DIAYNSAC", "HIRO", "PPOC"])
def test_the_env_index_is_the_one_that_went_wrong(name: str, skill_models: dict[str, DIAYNSAC]) -> None:
    model = _build(name, "observation", skill_models, n_envs=2, bad_env=1)
    with pytest.raises(NonFiniteDataError, match=rf"the observation of env 1 at step {2 * K} "):
        model.learn(200)


def test_checks_name_dict_keys_and_terminal_observations() -> None:
    obs = {"pos": np.zeros((2, 2), np.float32), "room": np.array([0, 1])}
    check_finite_reset(obs, 0)
    check_finite_step(obs, np.zeros(2), np.array([True, False]), [{"terminal_observation": obs}, {}], 4)
    obs["pos"][1, 0] = -np.inf
    with pytest.raises(NonFiniteDataError, match=r"the observation\['pos'\] of env 1 at step 3 .*\[0\]=-inf"):
        check_finite_step(obs, np.zeros(2), step=3)
    terminal = {"terminal_observation": np.array([np.nan, 0.0])}
    with pytest.raises(NonFiniteDataError, match=r"the terminal observation of env 1 at step 5 "):
        check_finite_step(np.zeros((2, 2)), np.zeros(2), np.array([False, True]), [{}, terminal], 5)


def test_a_non_finite_primitive_step_ends_the_hold(skill_models: dict[str, DIAYNSAC]) -> None:
    from hrl_wrappers import MacroActionWrapper, load_skills

    env = MacroActionWrapper(
        NonFiniteAt(gym.make(POINT_WAYPOINTS_ID), "observation", at=3),
        load_skills(skill_models["categorical"]),
        hold_steps=10,
        skill_obs=[0, 1],
    )
    env.reset(seed=0)
    obs, _, _, _, info = env.step(1)
    assert info["primitive_steps"] == 3 and np.isnan(obs[0])
