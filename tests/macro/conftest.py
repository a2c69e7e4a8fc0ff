"""Fixtures shared by the skill-library, macro-action and controller tests: tiny saved skill models, trained once."""

from __future__ import annotations

import pathlib

import pytest


@pytest.fixture(scope="session")
def diayn_path(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A DIAYN-SAC with 4 categorical skills on the point world, trained 150 steps and saved."""
    from agents import DIAYN

    model = DIAYN(
        "MlpPolicy",
        "hrl_wrappers/PointWorld-v0",
        n_skills=4,
        learning_starts=50,
        batch_size=32,
        policy_kwargs={"net_arch": [16]},
        discriminator_arch=[16],
        seed=0,
    )
    model.learn(150)
    path = tmp_path_factory.mktemp("skills") / "diayn4.zip"
    model.save(path)
    return path


@pytest.fixture(scope="session")
def diayn_continuous_path(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A DIAYN-SAC with 2-D continuous skills on the point world, untrained, saved."""
    from agents import DIAYN

    model = DIAYN(
        "MlpPolicy",
        "hrl_wrappers/PointWorld-v0",
        skill_dim=2,
        policy_kwargs={"net_arch": [16]},
        discriminator_arch=[16],
        seed=0,
    )
    path = tmp_path_factory.mktemp("skills") / "diayn_cont.zip"
    model.save(path)
    return path
