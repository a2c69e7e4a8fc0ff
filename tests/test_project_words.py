"""The project speaks of itself: no file names an absolute path of a machine or how the work on it was organised.

Every text file of the repository (the tracked files when git is there, else the tree) is scanned for

- absolute machine paths (``/work/...``, ``/tmp/...``, ``/root/...``, ``/home/...``, ``/Users/...``, ``/mnt/...``,
  ``C:\\...``): run outputs and checkpoints are written relative to the run folder or the current directory;
- words about how the work was organised: work sessions, numbered stops, issue numbers, "next time".

pytest's ``scope="session"`` is a pytest term, not such a word, and is allowed.
"""

from __future__ import annotations

import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", "site", "build", "dist", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "runs"}
BINARY_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".mp4", ".zip", ".pkl", ".pt", ".npz", ".npy", ".gz", ".pdf"}
# Lines that match a pattern legitimately: pytest's fixture scope; the ignore file's repository-relative pattern.
ALLOWED = (re.compile(r"""scope=["']session["']"""),)
ALLOWED_FILES = {".gitignore", "tests/test_project_words.py"}

MACHINE_PATH = re.compile(r"(?<![\w.~-])(/(?:work|tmp|root|home|Users|mnt)/|[A-Z]:\\\\)")
PROCESS_WORDS = re.compile(
    r"\bsessions?\b|\bstops? \d|\bstop-\d|\bstops \d+ ?(?:-|to|and) ?\d|\bnext time\b|\bissue #?\d+|\bsubagents?\b",
    re.IGNORECASE,
)


def _files() -> list[pathlib.Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        paths = [ROOT / name for name in out.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*") if not SKIP_DIRS.intersection(p.relative_to(ROOT).parts)]
    return sorted(p for p in paths if p.is_file() and not p.is_symlink() and p.suffix.lower() not in BINARY_SUFFIXES)


def _offences(pattern: re.Pattern[str]) -> list[str]:
    found = []
    for path in _files():
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED_FILES:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            match = pattern.search(line)
            if match and not any(allowed.search(line) for allowed in ALLOWED):
                found.append(f"{name}:{number}: {match.group(0)!r} in {line.strip()[:120]}")
    return found


def test_scan_reads_the_tree() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _files()}
    assert {"README.md", "hrl_wrappers/__init__.py", "agents/__init__.py"} <= names


@pytest.mark.parametrize(
    ("pattern", "line", "hit"),
    [
        (MACHINE_PATH, "checkpoint at /work/runs/x/model.zip", True),
        (MACHINE_PATH, "python -m x --out /tmp/run", True),
        (MACHINE_PATH, "written to runs/x/model.zip (relative to the run folder)", False),
        (MACHINE_PATH, "see docs/results/runs/dads/notes.md", False),
        (PROCESS_WORDS, "Until stop 14 a period's end was terminal", True),
        (PROCESS_WORDS, "the stop-16 checkpoints", True),
        (PROCESS_WORDS, "longer than one 3-h session", True),
        (PROCESS_WORDS, "as issue 19 asked", True),
        (PROCESS_WORDS, "the episode stops when the goal is reached", False),
        (PROCESS_WORDS, "a train step of 256 samples", False),
    ],
)
def test_patterns(pattern: re.Pattern[str], line: str, hit: bool) -> None:
    assert bool(pattern.search(line)) is hit


def test_no_machine_paths() -> None:
    offences = _offences(MACHINE_PATH)
    assert not offences, "absolute machine paths (write paths relative to the run folder):\n" + "\n".join(offences)


def test_no_words_about_how_the_work_was_organised() -> None:
    offences = _offences(PROCESS_WORDS)
    assert not offences, "words about how the work was organised:\n" + "\n".join(offences)
