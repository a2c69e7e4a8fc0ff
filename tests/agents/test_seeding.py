"""``seed=`` makes a run reproducible for every agent: two agents built with the same seed after different global
torch and numpy states, trained on the CPU with one thread, end with bit-identical parameters (the reward model's
included), and another seed gives other parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
import torch as th

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
from tests.agents.test_hiro import CountingEnv


def _small(**kwargs: Any) -> dict[str, Any]:
    """``kwargs`` with small networks on the CPU, in a fresh ``policy_kwargs`` dict."""
    return {"policy_kwargs": {"net_arch": [16]}, "device": "cpu", **kwargs}


_DADS = {"n_steps": 64, "dynamics_steps": 2, "dynamics_arch": [16], "batch_size": 32, "n_alternatives": 4}
_SAC = {"learning_starts": 32, "batch_size": 32, "buffer_size": 1000}
_PPO = {"n_steps": 64, "batch_size": 32, "n_epochs": 2}

# class, environment, constructor arguments ("skills": which fixture library the controller takes), learn steps
CASES: dict[str, tuple[Callable[..., Any], Any, dict[str, Any], int]] = {
    "DIAYNSAC": (DIAYNSAC, POINT_WORLD_ID, {"n_skills": 3, "discriminator_arch": [16], **_SAC}, 200),
    "DIAYNPPO": (DIAYNPPO, POINT_WORLD_ID, {"n_skills": 3, "discriminator_arch": [16], **_PPO}, 192),
    "DIAYNSAC-continuous": (DIAYNSAC, POINT_WORLD_ID, {"skill_dim": 2, "discriminator_arch": [16], **_SAC}, 200),
    "DADSSAC-on-policy": (DADSSAC, POINT_WORLD_ID, {"agent_steps": 4, **_DADS}, 192),
    "DADSSAC-off-policy": (
        DADSSAC,
        POINT_WORLD_ID,
        {"schedule": "off-policy", **_DADS, "learning_starts": 32, "buffer_size": 1000},
        200,
    ),
    "DADSSAC-importance": (
        DADSSAC,
        POINT_WORLD_ID,
        {"schedule": "off-policy", "importance_clip": 10.0, **_DADS, "learning_starts": 32, "buffer_size": 1000},
        200,
    ),
    "DADSPPO": (DADSPPO, POINT_WORLD_ID, {**_DADS, "n_epochs": 2}, 192),
    "HIRO": (HIRO, CountingEnv, {"c": 5, "batch_size": 16, "buffer_size": 1000, "learning_starts": 40}, 200),
    "OptionCritic": (OptionCritic, "Pendulum-v1", {"n_options": 2, "n_steps": 16}, 192),
    "PPOC": (PPOC, "CartPole-v1", {"n_options": 2, **_PPO}, 192),
    "SkillControllerPPO": (
        SkillControllerPPO,
        POINT_WAYPOINTS_ID,
        {"skills": "categorical", "hold_steps": 4, "skill_obs": [0, 1], **_PPO},
        128,
    ),
    "SkillControllerDQN": (
        SkillControllerDQN,
        POINT_WAYPOINTS_ID,
        {
            "skills": "categorical",
            "hold_steps": 4,
            "skill_obs": [0, 1],
            "learning_starts": 16,
            "batch_size": 16,
            "buffer_size": 500,
        },
        64,
    ),
    "SkillControllerSAC": (
        SkillControllerSAC,
        POINT_WAYPOINTS_ID,
        {
            "skills": "continuous",
            "hold_steps": 4,
            "skill_obs": [0, 1],
            "learning_starts": 16,
            "batch_size": 16,
            "buffer_size": 500,
        },
        64,
    ),
}


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Bit-identical CPU results need one intra-op thread (a reduction's order depends on the thread count)."""
    threads = th.get_num_threads()
    th.set_num_threads(1)
    yield
    th.set_num_threads(threads)


@pytest.fixture(scope="module")
def skill_models() -> dict[str, DIAYNSAC]:
    """Frozen skills for the controllers: one categorical and one continuous DIAYN, untrained."""
    arch = {"discriminator_arch": [8], "seed": 0}
    return {
        "categorical": DIAYNSAC("MlpPolicy", POINT_WORLD_ID, n_skills=3, **_small(**arch)),
        "continuous": DIAYNSAC("MlpPolicy", POINT_WORLD_ID, skill_dim=2, **_small(**arch)),
    }


def all_parameters(model: Any) -> dict[str, th.Tensor]:
    """Every tensor of ``get_parameters()`` (networks and optimizers, the reward model's included); both levels' for
    HIRO, which has no ``get_parameters``."""
    if isinstance(model, HIRO):
        levels = {"high": model.high.get_parameters(), "low": model.low.get_parameters()}
        params = {f"{level}.{k}": v for level, got in levels.items() for k, v in got.items()}
    else:
        params = model.get_parameters()
    flat: dict[str, th.Tensor] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, th.Tensor):
            flat[prefix] = value.detach().cpu().clone()
        elif isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}", sub)
        elif isinstance(value, list | tuple):
            for i, sub in enumerate(value):
                walk(f"{prefix}.{i}", sub)

    walk("", params)
    return flat


def _train(name: str, seed: int, global_seed: int, skill_models: dict[str, DIAYNSAC]) -> dict[str, th.Tensor]:
    """Set the global generators to ``global_seed``, build the agent with ``seed``, train it; its parameters."""
    cls, env, kwargs, steps = CASES[name]
    kwargs = _small(**kwargs)
    if "skills" in kwargs:
        kwargs["skills"] = skill_models[kwargs["skills"]]
    th.manual_seed(global_seed)
    np.random.seed(global_seed)
    model = cls("MlpPolicy", env, seed=seed, **kwargs)
    model.learn(steps)
    return all_parameters(model)


def _max_difference(a: dict[str, th.Tensor], b: dict[str, th.Tensor]) -> float:
    assert a.keys() == b.keys()
    return max((float((a[k].double() - b[k].double()).abs().max()) if a[k].numel() else 0.0) for k in a)


@pytest.mark.parametrize("name", list(CASES))
def test_same_seed_same_parameters_other_seed_other_parameters(name: str, skill_models: dict[str, DIAYNSAC]) -> None:
    first = _train(name, seed=3, global_seed=1, skill_models=skill_models)
    second = _train(name, seed=3, global_seed=2, skill_models=skill_models)
    if name.startswith(("DIAYN", "DADS")):
        assert any(key.startswith(".reward_model.") for key in first), sorted(first)
    assert _max_difference(first, second) == 0.0
    other = _train(name, seed=4, global_seed=1, skill_models=skill_models)
    assert _max_difference(first, other) > 0.0


def test_reward_model_is_built_from_the_seed() -> None:
    """The issue's case: two DIAYN agents with ``seed=0`` start with the same discriminator whatever the global state."""
    models = []
    for global_seed in (1, 2):
        th.manual_seed(global_seed)
        models.append(DIAYNSAC("MlpPolicy", POINT_WORLD_ID, n_skills=4, seed=0, **_small(discriminator_arch=[16])))
    a, b = (dict(m.reward_model.state_dict()) for m in models)
    assert all(th.equal(a[k], b[k]) for k in a)
