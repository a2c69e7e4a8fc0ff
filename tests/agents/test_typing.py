"""A user's script that builds an agent and calls SB3's API on it type-checks with mypy.

The agents' mixins declare SB3's ``BaseAlgorithm`` as their base for type checkers (the back end comes second in the
MRO at run time), so ``model.save`` type-checks; ``DIAYN(..., algo="PPO")`` is seen as a ``DIAYNPPO`` (the factories'
calls are overloaded on ``algo``) and a user's subclass as itself, with no help from the user.
"""

from __future__ import annotations

import pathlib
import textwrap

import pytest

mypy_api = pytest.importorskip("mypy.api")

USER_SCRIPT = textwrap.dedent(
    """
    from typing import Any, assert_type

    from agents import (
        DADS, DADSPPO, DADSSAC, DIAYN, DIAYNPPO, DIAYNSAC, DIAYNBase, SkillController, SkillControllerDQN,
        SkillControllerPPO, SkillControllerSAC,
    )

    class MyDIAYN(DIAYNSAC):
        def __init__(self, policy: str, env: str, width: int = 8, **kwargs: Any) -> None:
            super().__init__(policy, env, policy_kwargs={"net_arch": [width]}, **kwargs)

    class MyDADS(DADSPPO):
        pass

    class MyController(SkillControllerDQN):
        pass

    def construction_paths(algo: str) -> None:
        env = "hrl_wrappers/PointWorld-v0"
        assert_type(DIAYN("MlpPolicy", env, algo="SAC"), DIAYNSAC)
        assert_type(DIAYN("MlpPolicy", env, algo="PPO", n_skills=4), DIAYNPPO)
        assert_type(DIAYN("MlpPolicy", env), DIAYNSAC)
        assert_type(DIAYN("MlpPolicy", env, algo=algo), DIAYNBase)
        assert_type(DIAYNSAC("MlpPolicy", env), DIAYNSAC)
        mine = MyDIAYN("MlpPolicy", env, width=16)
        assert_type(mine, MyDIAYN)
        assert_type(mine.learn(10), MyDIAYN)
        mine.save("mine")
        assert_type(MyDIAYN.load("mine"), MyDIAYN)
        assert_type(DIAYNSAC.load("mine"), DIAYNSAC)
        assert_type(DADS("MlpPolicy", env), DADSSAC)
        assert_type(DADS("MlpPolicy", env, algo="PPO"), DADSPPO)
        assert_type(MyDADS("MlpPolicy", env), MyDADS)
        assert_type(MyDADS.load("dads"), MyDADS)
        assert_type(SkillController("MlpPolicy", env, "skills.zip"), SkillControllerPPO)
        assert_type(SkillController("MlpPolicy", env, "skills.zip", algo="SAC"), SkillControllerSAC)
        assert_type(SkillController("MlpPolicy", env, "skills.zip", algo="DQN"), SkillControllerDQN)
        assert_type(MyController("MlpPolicy", env, "skills.zip"), MyController)
        assert_type(MyController.load("controller").learn(10), MyController)
        model = DIAYN("MlpPolicy", env)
        model = DIAYN.load("diayn")  # the class comes from the file: the short name's load may replace any model
        if isinstance(model, DIAYN):
            model.save("again")

    def use_diayn() -> int:
        model = DIAYN("MlpPolicy", "hrl_wrappers/PointWorld-v0", n_skills=4)
        model = model.learn(100)
        model.save("diayn")
        loaded = DIAYN.load("diayn")
        action, _ = loaded.predict(loaded.observation_space.sample())
        return model.num_timesteps + int(action.size)

    def use_diayn_sac() -> None:
        model = DIAYNSAC("MlpPolicy", "hrl_wrappers/PointWorld-v0", n_skills=4)
        model.save_replay_buffer("buffer.pkl")
        print(model.replay_buffer)

    def use_dads() -> None:
        model = DADS("MlpPolicy", "hrl_wrappers/PointWorld-v0", skill_dim=2)
        model.set_random_seed(0)
        print(model.get_env(), model.policy, model.reward_model)

    def use_controller() -> None:
        model = SkillController("MlpPolicy", "hrl_wrappers/PointWorld-v0", "skills.zip", algo="PPO")
        model.learn(10).save("controller")

    def caught() -> None:
        model = DIAYN("MlpPolicy", "hrl_wrappers/PointWorld-v0", n_skills=4)
        model.no_such_method()
    """
)


def test_agents_type_check_as_sb3_algorithms_in_user_code(tmp_path: pathlib.Path) -> None:
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT)
    root = pathlib.Path(__file__).resolve().parents[2]
    stdout, _, status = mypy_api.run(
        [
            str(script),
            "--no-error-summary",
            "--config-file",
            str(root / "pyproject.toml"),
            "--cache-dir",  # the project's own cache: warm after the `mypy` that the test command runs first
            str(root / ".mypy_cache"),
        ]
    )
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    # exactly one error: the deliberate call of a method that does not exist (mypy is really checking)
    assert len(errors) == 1, stdout
    assert 'has no attribute "no_such_method"' in errors[0], stdout
    assert status == 1
