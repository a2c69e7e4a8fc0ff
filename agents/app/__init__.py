"""agents.app: the application above the algorithms: the ``hrl`` command line, sweeps and run-folder commands.

:func:`main` runs the ``hrl`` command line (``python -m agents.app`` does too); :func:`run_sweep` runs a sweep file's
trials through Ray Tune. Nothing in :mod:`hrl_wrappers` or in the algorithm packages imports this package.

``main`` is imported with the package (its module :mod:`agents.app.main` has the same name, so a name resolved on
first use would be shadowed by the module once anything imported it); ``run_sweep`` is resolved on first use. Ray is
only imported when a sweep runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from agents.app.main import build_parser, main

if TYPE_CHECKING:
    from agents.app.sweep import run_sweep

_LAZY = {"run_sweep": "agents.app.sweep"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'agents.app' has no attribute {name!r}")


__all__ = ["build_parser", "main", "run_sweep"]
