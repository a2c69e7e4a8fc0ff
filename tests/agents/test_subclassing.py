"""Every agent class subclasses as an SB3 algorithm does: the subclass's ``__init__`` runs, ``type(model)`` is the
subclass, it learns, and ``save`` / ``Sub.load`` round-trip it; the short names (``DIAYN``, ``DADS``,
``SkillController``) build the concrete classes by an ordinary call and cannot be subclassed."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import pytest
import torch as th

from agents import (
    DADS,
    DADSPPO,
    DADSSAC,
    DIAYN,
    DIAYNPPO,
    DIAYNSAC,
    HIRO,
    PPOC,
    DADSBase,
    DIAYNBase,
    OptionCritic,
    SkillController,
    SkillControllerBase,
    SkillControllerDQN,
    SkillControllerPPO,
    SkillControllerSAC,
)
from hrl_wrappers.envs import POINT_WAYPOINTS_ID, POINT_WORLD_ID
from tests.agents.test_hiro import TINY as HIRO_TINY
from tests.agents.test_hiro import CountingEnv


def small(**kwargs: Any) -> dict[str, Any]:
    """``kwargs`` with small networks on the CPU, in a fresh ``policy_kwargs`` (SB3's SAC writes into it)."""
    return {"policy_kwargs": {"net_arch": [8]}, "seed": 0, "device": "cpu", **kwargs}


class MyDIAYNSAC(DIAYNSAC):
    def __init__(self, policy: Any, env: Any, marker: str = "default", **kwargs: Any) -> None:
        kwargs.setdefault("n_skills", 3)
        self.marker = marker
        super().__init__(policy, env, **kwargs)


class MyDIAYNPPO(DIAYNPPO):
    def __init__(self, policy: Any, env: Any, marker: str = "default", **kwargs: Any) -> None:
        kwargs.setdefault("n_skills", 3)
        self.marker = marker
        super().__init__(policy, env, **kwargs)


class MyDADSSAC(DADSSAC):
    def __init__(self, policy: Any, env: Any, marker: str = "default", **kwargs: Any) -> None:
        kwargs.setdefault("n_alternatives", 4)
        self.marker = marker
        super().__init__(policy, env, **kwargs)


class MyDADSPPO(DADSPPO):
    def __init__(self, policy: Any, env: Any, marker: str = "default", **kwargs: Any) -> None:
        kwargs.setdefault("n_alternatives", 4)
        self.marker = marker
        super().__init__(policy, env, **kwargs)


class MyHIRO(HIRO):
    def __init__(self, policy: str = "MlpPolicy", env: Any = None, marker: str = "default", **kwargs: Any) -> None:
        kwargs.setdefault("c", 5)
        self.marker = marker
        super().__init__(policy, env, **kwargs)


class MyOptionCritic(OptionCritic):
    def __init__(self, policy: Any, env: Any, marker: str = "default", **kwargs: Any) -> None:
        kwargs.setdefault("n_options", 3)
        self.marker = marker
        super().__init__(policy, env, **kwargs)


class MyPPOC(PPOC):
    def __init__(self, policy: Any, env: Any, marker: str = "default", **kwargs: Any) -> None:
        kwargs.setdefault("n_options", 3)
        self.marker = marker
        super().__init__(policy, env, **kwargs)


class MyControllerPPO(SkillControllerPPO):
    def __init__(self, policy: Any, env: Any, skills: Any = None, marker: str = "default", **kwargs: Any) -> None:
        kwargs.setdefault("hold_steps", 4)
        kwargs.setdefault("skill_obs", [0, 1])
        self.marker = marker
        super().__init__(policy, env, skills, **kwargs)


class MyControllerDQN(SkillControllerDQN):
    def __init__(self, policy: Any, env: Any, skills: Any = None, marker: str = "default", **kwargs: Any) -> None:
        kwargs.setdefault("hold_steps", 4)
        kwargs.setdefault("skill_obs", [0, 1])
        self.marker = marker
        super().__init__(policy, env, skills, **kwargs)


class MyControllerSAC(SkillControllerSAC):
    def __init__(self, policy: Any, env: Any, skills: Any = None, marker: str = "default", **kwargs: Any) -> None:
        kwargs.setdefault("hold_steps", 4)
        kwargs.setdefault("skill_obs", [0, 1])
        self.marker = marker
        super().__init__(policy, env, skills, **kwargs)


@pytest.fixture(scope="module")
def categorical_skills() -> DIAYNSAC:
    return DIAYNSAC("MlpPolicy", POINT_WORLD_ID, n_skills=3, **small(discriminator_arch=[8]))


@pytest.fixture(scope="module")
def continuous_skills() -> DIAYNSAC:
    return DIAYNSAC("MlpPolicy", POINT_WORLD_ID, skill_dim=2, **small(discriminator_arch=[8]))


DADS_SMALL = {"n_steps": 32, "dynamics_steps": 2, "dynamics_arch": [8]}
OC_SMALL = {"n_steps": 16, "batch_size": 8, "n_epochs": 1}
# class, environment, constructor arguments (skills: the fixture to pass as `skills`), learn steps
CASES: dict[str, tuple[type, Any, dict[str, Any], int]] = {
    "DIAYNSAC": (MyDIAYNSAC, POINT_WORLD_ID, {"learning_starts": 16, "batch_size": 16, "discriminator_arch": [8]}, 48),
    "DIAYNPPO": (MyDIAYNPPO, POINT_WORLD_ID, {"n_steps": 16, "batch_size": 16, "discriminator_arch": [8]}, 32),
    "DADSSAC": (MyDADSSAC, POINT_WORLD_ID, {"agent_steps": 2, "batch_size": 16, **DADS_SMALL}, 64),
    "DADSPPO": (MyDADSPPO, POINT_WORLD_ID, {"algo": "PPO", "batch_size": 16, **DADS_SMALL}, 64),
    "HIRO": (MyHIRO, CountingEnv, {k: v for k, v in HIRO_TINY.items() if k != "policy_kwargs"}, 60),
    "OptionCritic": (MyOptionCritic, "Pendulum-v1", {"n_steps": 8}, 32),
    "PPOC": (MyPPOC, "CartPole-v1", OC_SMALL, 32),
    "SkillControllerPPO": (MyControllerPPO, POINT_WAYPOINTS_ID, {"skills": "categorical", **OC_SMALL}, 16),
    "SkillControllerDQN": (
        MyControllerDQN,
        POINT_WAYPOINTS_ID,
        {"skills": "categorical", "learning_starts": 4, "batch_size": 4},
        12,
    ),
    "SkillControllerSAC": (
        MyControllerSAC,
        POINT_WAYPOINTS_ID,
        {"skills": "continuous", "learning_starts": 4, "batch_size": 4},
        12,
    ),
}


def _networks(model: Any) -> dict[str, th.Tensor]:
    """Every learned parameter: the policy's (both levels' for HIRO) and the reward model's."""
    if isinstance(model, HIRO):
        parts = {"high": model.high.policy, "low": model.low.policy}
    else:
        parts = {"policy": model.policy}
        if hasattr(model, "reward_model"):
            parts["reward_model"] = model.reward_model
    return {f"{part}.{name}": value for part, module in parts.items() for name, value in module.state_dict().items()}


@pytest.mark.parametrize("name", list(CASES))
def test_subclass_builds_learns_saves_and_loads_as_itself(
    name: str, tmp_path: pathlib.Path, request: pytest.FixtureRequest
) -> None:
    cls, env, kwargs, steps = CASES[name]
    kwargs = small(**kwargs)
    if "skills" in kwargs:
        kwargs["skills"] = request.getfixturevalue(f"{kwargs['skills']}_skills")
    model = cls("MlpPolicy", env, marker="custom", **kwargs)
    assert type(model) is cls  # the subclass's __init__ ran, and the object is the subclass
    assert model.marker == "custom"
    assert model.learn(steps) is model
    assert model.num_timesteps >= steps
    path = tmp_path / "model"
    model.save(path)
    loaded = cls.load(path, device="cpu")
    assert type(loaded) is cls
    # the subclass's __init__ ran on load; SB3's load then restores the saved attributes (HIRO saves its configuration
    # and both levels, and rebuilds itself from them: the subclass's own attribute is its __init__'s default)
    assert loaded.marker == ("default" if name == "HIRO" else "custom")
    saved, restored = _networks(model), _networks(loaded)
    assert saved.keys() == restored.keys() and saved
    for key, value in saved.items():
        assert th.equal(value.cpu(), restored[key].cpu()), key


def test_the_issue_snippet() -> None:
    class MyDIAYN(DIAYNSAC):
        def __init__(self, policy: Any, env: Any, **kw: Any) -> None:
            kw.setdefault("n_skills", 4)
            super().__init__(policy, env, **kw)

    m = MyDIAYN("MlpPolicy", "Pendulum-v1", buffer_size=1000, device="cpu")
    assert (type(m).__name__, hasattr(m, "policy")) == ("MyDIAYN", True)
    assert m.n_skills == 4
    m.learn(100)
    assert m.num_timesteps == 100


@pytest.mark.parametrize(
    ("factory", "base", "names"),
    [
        (DIAYN, DIAYNBase, ("DIAYNSAC", "DIAYNPPO")),
        (DADS, DADSBase, ("DADSSAC", "DADSPPO")),
        (SkillController, SkillControllerBase, ("SkillControllerPPO", "SkillControllerSAC", "SkillControllerDQN")),
    ],
)
def test_abstract_bases_and_short_names_refuse_subclasses_without_a_back_end(
    factory: Any, base: type, names: tuple[str, ...]
) -> None:
    with pytest.raises(TypeError, match="is not a class to subclass: subclass " + ".*".join(names)):

        class FromShortName(factory):  # type: ignore[misc]
            pass

    class Bare(base):  # type: ignore[misc, valid-type]
        pass

    with pytest.raises(TypeError, match=r"Bare has no SB3 back end: subclass " + ".*".join(names)):
        Bare("MlpPolicy", POINT_WORLD_ID, **({"skills": "unused"} if base is SkillControllerBase else {}))


def test_short_names_build_the_concrete_class_by_an_ordinary_call(categorical_skills: DIAYNSAC) -> None:
    ppo = DIAYN(
        "MlpPolicy", POINT_WORLD_ID, n_skills=3, algo="ppo", n_steps=16, batch_size=16, **small(discriminator_arch=[8])
    )
    sac = DIAYN("MlpPolicy", POINT_WORLD_ID, n_skills=3, **small(discriminator_arch=[8]))
    assert (type(ppo), type(sac)) == (DIAYNPPO, DIAYNSAC)
    assert isinstance(ppo, DIAYN) and isinstance(ppo, DIAYNBase) and not isinstance(ppo, DADS)
    assert issubclass(DIAYNSAC, DIAYN) and not issubclass(DADSSAC, DIAYN)
    assert type(DADS("MlpPolicy", POINT_WORLD_ID, n_alternatives=4, **DADS_SMALL)) is DADSSAC
    controller = SkillController("MlpPolicy", POINT_WAYPOINTS_ID, categorical_skills, algo="DQN", skill_obs=[0, 1], **small())
    assert type(controller) is SkillControllerDQN and isinstance(controller, SkillController)
    with pytest.raises(ValueError, match=r"algo must be one of \['PPO', 'SAC'\], got 'TD3'"):
        DIAYN("MlpPolicy", POINT_WORLD_ID, algo="TD3")
    with pytest.raises(ValueError, match="DIAYNSAC runs on SAC, got algo='PPO'"):
        DIAYNSAC("MlpPolicy", POINT_WORLD_ID, algo="PPO")
    with pytest.raises(ValueError, match="SkillControllerPPO runs on PPO, got algo='DQN'"):
        SkillControllerPPO("MlpPolicy", POINT_WAYPOINTS_ID, categorical_skills, algo="DQN")


def test_load_dispatch_and_refusals(tmp_path: pathlib.Path) -> None:
    sub = MyDIAYNPPO("MlpPolicy", POINT_WORLD_ID, marker="custom", n_steps=16, batch_size=16, **small(discriminator_arch=[8]))
    sub.save(tmp_path / "sub")
    plain = DIAYN.load(tmp_path / "sub", device="cpu")  # the short name loads with the class of the stored back end
    assert type(plain) is DIAYNPPO and plain.marker == "custom"
    with pytest.raises(ValueError, match=r"is a DIAYN checkpoint on PPO, and DIAYNSAC runs on SAC: load it with DIAYN\.load"):
        DIAYNSAC.load(tmp_path / "sub")
    with pytest.raises(ValueError, match="is not a DADS checkpoint: it is a DIAYN checkpoint"):
        DADS.load(tmp_path / "sub")
    with pytest.raises(ValueError, match="is not a DADS checkpoint: it is a DIAYN checkpoint"):
        DADSPPO.load(tmp_path / "sub")
    with pytest.raises(TypeError, match=r"DIAYNBase has no SB3 back end: load with DIAYN\.load"):
        DIAYNBase.load(tmp_path / "sub")


def _build(factory: Callable[..., Any]) -> Any:
    return factory("MlpPolicy", POINT_WORLD_ID, n_skills=3, **small(discriminator_arch=[8]))


def test_factories_are_callables_like_classes() -> None:
    assert type(_build(DIAYN)) is DIAYNSAC and type(_build(MyDIAYNSAC)) is MyDIAYNSAC
