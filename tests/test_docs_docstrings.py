"""The docs build's docstring rewrite (``docs/docstrings.py``): roles, field order and doctest fences."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
from types import ModuleType

import pytest

pytest.importorskip("griffe")
PATH = pathlib.Path(__file__).resolve().parent.parent / "docs" / "docstrings.py"


@pytest.fixture(scope="module")
def docstrings() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_docstrings", PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_roles_become_code(docstrings: ModuleType) -> None:
    text = "Uses :class:`~hrl_wrappers.SkillWrapper` and :func:`agents.app.run_sweep`; see :ref:`the guide <guide>`."
    assert docstrings.convert_roles(text) == "Uses `SkillWrapper` and `agents.app.run_sweep`; see `the guide`."


def test_prose_after_the_fields_moves_before_them(docstrings: ModuleType) -> None:
    text = "Summary.\n\n:param a: first,\n    continued.\n:param b: second.\n\nExample:\n    >>> 1\n    1"
    expected = "Summary.\n\nExample:\n    >>> 1\n    1\n\n:param a: first,\n    continued.\n:param b: second."
    assert docstrings.fields_last(text) == expected
    assert docstrings.fields_last("Only prose.\n\nMore.") == "Only prose.\n\nMore."


def test_doctests_are_fenced(docstrings: ModuleType) -> None:
    text = "Example:\n    >>> x = [1,\n    ...      2]\n    >>> x\n    [1, 2]\n\nAfter."
    assert docstrings.fence_doctests(text) == (
        "Example:\n\n```pycon\n>>> x = [1,\n...      2]\n>>> x\n[1, 2]\n```\n\nAfter."
    )
