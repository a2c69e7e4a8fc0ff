"""The import-linter contracts (``[tool.importlinter]`` in pyproject.toml): the layers only point down.

``lint-imports`` passes on the repository, and fails, naming the contract and the import, when a copy of the packages
gets an upward import (a wrapper importing an agent, an algorithm importing the application).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: ``lint-imports`` through this interpreter (importlinter.cli has no ``__main__``).
LINT_IMPORTS = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
    "--no-cache",
]


def _lint_imports(cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` in ``cwd`` with only ``cwd`` on the path (so it analyses the packages found there)."""
    env = {**os.environ, "PYTHONPATH": str(cwd), "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(LINT_IMPORTS, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_contracts_are_kept() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward_import", "contract", "chain"),
    [
        (
            "hrl_wrappers/skill_wrapper.py",
            "import agents.diayn",
            "hrl_wrappers imports nothing from agents BROKEN",
            "hrl_wrappers.skill_wrapper -> agents.diayn",
        ),
        (
            "agents/diayn/diayn.py",
            "import agents.app",
            "The algorithm packages do not import the application (agents.app) BROKEN",
            "agents.diayn.diayn -> agents.app",
        ),
    ],
)
def test_an_upward_import_breaks_its_contract(
    tmp_path: pathlib.Path, module: str, upward_import: str, contract: str, chain: str
) -> None:
    for package in ("hrl_wrappers", "agents"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / module).open("a") as handle:
        handle.write(f"\n{upward_import}  # an upward import\n")
    result = _lint_imports(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert contract in output
    assert chain in output  # the import added to the copy: the copy was analysed, not the installed packages


def test_moved_name_says_where_it_went() -> None:
    """``run_sweep`` belongs to the application layer; the old import names the new one."""
    with pytest.raises(ImportError, match=r"from agents\.app import run_sweep"):
        from hrl_wrappers import run_sweep  # noqa: F401
    from agents import run_sweep as from_agents
    from agents.app import run_sweep as from_app

    assert from_agents is from_app
