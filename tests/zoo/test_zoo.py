"""rl-baselines3-zoo trains and evaluates DIAYN and PPOC through :mod:`agents.zoo` (tiny budgets, in a tmp folder)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("rl_zoo3", reason="rl_zoo3 is not installed (pip install 'hrl-wrappers[zoo]')")

from agents.zoo import ALGORITHMS, HYPERPARAMS

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _zoo(*args: str, cwd: pathlib.Path) -> str:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=path)
    done = subprocess.run(
        [sys.executable, "-m", "agents.zoo", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_hyperparameter_files_are_shipped_for_every_algorithm() -> None:
    assert {p.stem for p in HYPERPARAMS.glob("*.yml")} == set(ALGORITHMS)


@pytest.mark.timeout(600)
@pytest.mark.parametrize(
    ("algo", "env_id", "steps"), [("diayn", "hrl_wrappers/PointWorld-v0", "600"), ("ppoc", "CartPole-v1", "256")]
)
def test_zoo_trains_and_enjoys(tmp_path: pathlib.Path, algo: str, env_id: str, steps: str) -> None:
    params = ["-params", "learning_starts:100"] if algo == "diayn" else ["-params", "n_steps:64"]
    out = _zoo(
        "train",
        "--algo",
        algo,
        "--env",
        env_id,
        "-n",
        steps,
        "-f",
        "logs",
        "--seed",
        "0",
        "--eval-freq",
        "-1",
        *params,
        cwd=tmp_path,
    )
    run = tmp_path / "logs" / algo / f"{env_id.replace('/', '-')}_1"
    assert "Saving to" in out and (run / f"{env_id.replace('/', '-')}.zip").is_file()
    out = _zoo("enjoy", "--algo", algo, "--env", env_id, "-f", "logs", "-n", "150", "--no-render", "--seed", "0", cwd=tmp_path)
    assert "Episode Reward" in out


def test_unknown_script_is_refused() -> None:
    from agents.zoo.__main__ import main

    with pytest.raises(SystemExit, match="usage"):
        main(["tune"])
