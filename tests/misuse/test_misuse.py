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
