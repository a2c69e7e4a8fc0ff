"""Write a benchmark's table into BENCHMARKS.md, beside the command that made it and the machine it ran on.

Each benchmark owns one section, delimited by HTML comments, so re-running one script rewrites only its section.
"""

from __future__ import annotations

import os
import pathlib
import platform
import re
import shlex
import sys
import time

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
HEADER = "# Benchmarks\n\nEvery table below was written by the script named beside it; rerun the command to reproduce it.\n"


def machine() -> str:
    """One line describing this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPU cores ({cpu}), Python {platform.python_version()}, torch {torch.__version__}, no GPU used"


def command() -> str:
    """The command line that is running, relative to the repository root."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        return " ".join(["python", "-m", spec.name, *map(shlex.quote, sys.argv[1:])])
    script = pathlib.Path(sys.argv[0]).resolve()
    try:
        shown = str(script.relative_to(ROOT))
    except ValueError:
        shown = str(script)
    return " ".join(["python", shown, *map(shlex.quote, sys.argv[1:])])


def write_section(name: str, title: str, body: str, cmd: str | None = None) -> None:
    """Replace (or append) the section ``name`` of BENCHMARKS.md with ``body``."""
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else HEADER
    section = (
        f"<!-- {name}:start -->\n## {title}\n\n"
        f"Command: `{cmd or command()}`  \nMachine: {machine()}  \n"
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n"
        f"{body.strip()}\n<!-- {name}:end -->\n"
    )
    pattern = re.compile(rf"<!-- {re.escape(name)}:start -->.*?<!-- {re.escape(name)}:end -->\n", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    BENCHMARKS.write_text(text)
    print(f"wrote section {name!r} of {BENCHMARKS}")
