"""Write ``docs/misuse.md``: every case of the misuse table (``tests/misuse/cases.py``), what it does, the error it
raises and the first line of its message, and how many of the cases give a clear error.

Run from the repository root: ``OMP_NUM_THREADS=1 python docs/misuse_table.py``.
"""

from __future__ import annotations

import pathlib
import re
import sys
import warnings

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "misuse")]  # this checkout's code, and the table

from cases import CASES, Case  # noqa: E402
from misuse_fixtures import folder  # noqa: E402

MAX_MESSAGE = 300


def _run(case: Case) -> tuple[str, str, bool]:
    """The error type, the message's first line and whether the case is clear (the expected error, message matched)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            case.call()
    except Exception as exc:
        text = str(exc).replace(str(folder()), "DIR")  # the table's temporary folder, not this machine's path
        message = text.strip().splitlines()[0] if text.strip() else ""
        clear = isinstance(exc, case.error) and re.search(case.match, str(exc), re.IGNORECASE | re.DOTALL) is not None
        return type(exc).__name__, message, clear
    return "(no error)", "", False


def _cell(text: str) -> str:
    text = text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."
    return text.replace("|", "\\|").replace("`", "'")


def main() -> int:
    """Run the table and write the page; return 0."""
    rows = []
    n_clear = 0
    for case in CASES:
        error, message, clear = _run(case)
        n_clear += clear
        mark = "" if clear else " (unclear)"
        rows.append(f"| `{case.id}`{mark} | `{_cell(case.what)}` | {error} | {_cell(message)} |")
    lines = [
        "# Misuse table",
        "",
        "What a user can get wrong through the public API (`hrl_wrappers`, `agents`) and the `hrl` command line, and",
        "the error each mistake gives. Every row is a case of the test `tests/misuse/test_misuse.py`: the call must",
        "raise the error type shown, and its message must name the argument (or file) and the value given or what",
        "is allowed. `hrl` rows show the command's error line (exit status 2). `DIR` is the table's temporary folder.",
        "",
        f"**{n_clear} of {len(CASES)} cases give a clear error.**",
        "",
        "A sweep's metric is checked before Ray starts: a name without `/` must be one the algorithm's trials report",
        "(the skill evaluation's summary for DIAYN and DADS, and `total_timesteps`, `wall_time_s`, `steps_per_s`,",
        "`trial_time_s`); a `progress.csv` column (a name with `/`) depends on the back end and is not checked then.",
        "",
        "Regenerate with `OMP_NUM_THREADS=1 python docs/misuse_table.py`.",
        "",
        "| case | what was done | error type | message (first line) |",
        "|---|---|---|---|",
        *rows,
        "",
    ]
    (ROOT / "docs" / "misuse.md").write_text("\n".join(lines))
    print(f"{n_clear} of {len(CASES)} cases clear; wrote docs/misuse.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
