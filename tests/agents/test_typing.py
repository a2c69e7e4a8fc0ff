"""A user's script that builds an agent and calls SB3's API on it type-checks with mypy.

``DIAYN(...)``, ``DADS(...)`` and ``SkillController(...)`` return a back-end class chosen at run time, so their
mixins declare SB3's ``BaseAlgorithm`` as their base for type checkers; without it mypy reports ``"DIAYN" has no
attribute "save"`` in every user script.
"""

from __future__ import annotations

import pathlib
import textwrap

import pytest

mypy_api = pytest.importorskip("mypy.api")

USER_SCRIPT = textwrap.dedent(
    """
    from agents import DADS, DIAYN, DIAYNSAC, SkillController

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
