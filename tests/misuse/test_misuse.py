"""The misuse table (:mod:`tests.misuse.cases`): every case raises the expected error, and its message is clear
(it matches the case's regex, which names the argument and the value or what is allowed)."""

from __future__ import annotations

import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from cases import CASES, Case


def test_table_size() -> None:
    assert len(CASES) >= 119
    assert len({case.id for case in CASES}) == len(CASES)
    assert sum(not case.clear for case in CASES) <= 4


def _param(case: Case) -> object:
    marks = [] if case.clear else [pytest.mark.xfail(reason=case.reason, strict=True)]
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_misuse(case: Case) -> None:
    with pytest.raises(case.error) as info:
        case.call()
    message = str(info.value)
    assert re.search(case.match, message, re.IGNORECASE | re.DOTALL), f"unclear message: {message!r}"


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", ["DIAYN", "DADS", "OptionCritic", "HIRO"])
def test_user_dicts_are_not_changed(name: str) -> None:
    """The agents copy the dicts they are given (SAC writes ``use_sde`` into ``policy_kwargs``): the caller's dicts stay
    as written, and a second agent built from the same dicts builds."""
    import agents

    policy_kwargs = {"net_arch": [8], "optimizer_kwargs": {"eps": 1e-5}}
    env_kwargs = {"max_episode_steps": 20}
    kwargs: dict[str, object] = {"policy_kwargs": policy_kwargs, "env_kwargs": env_kwargs}
    if name == "DIAYN":
        kwargs.update(n_skills=2, discriminator_arch=[8], replay_buffer_kwargs={})
    elif name == "DADS":
        kwargs.update(skill_dim=2, algo="SAC", dynamics_arch=[8], n_steps=20)
    env = "CartPole-v1" if name == "OptionCritic" else "hrl_wrappers/PointWorld-v0"
    for _ in range(2):
        getattr(agents, name)("MlpPolicy", env, **kwargs)
    assert policy_kwargs == {"net_arch": [8], "optimizer_kwargs": {"eps": 1e-5}}
    assert env_kwargs == {"max_episode_steps": 20}
    assert kwargs.get("replay_buffer_kwargs", {}) == {}
