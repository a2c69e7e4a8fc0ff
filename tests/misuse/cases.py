"""The misuse table: what a user can get wrong through the public API and ``hrl``, and the error each case must give.

Each :class:`~misuse_fixtures.Case` is one misuse (a callable doing it), the exception type it must raise and a regex
that its message must match: the regex names the argument (or the file) and the value or what is allowed.
``test_misuse.py`` runs the table; ``docs/misuse_table.py`` runs it too and writes ``docs/misuse.md``.
"""

from __future__ import annotations

import cases_agents
import cases_tools
import cases_wrappers
from misuse_fixtures import Case

__all__ = ["CASES", "Case"]

CASES: list[Case] = [*cases_wrappers.cases(), *cases_agents.cases(), *cases_tools.cases()]
