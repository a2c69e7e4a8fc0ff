"""Write a benchmark's table into its method's results page, beside the command that made it and the machine it ran on.

The results pages are ``docs/results/<page>.md``, one per benchmarks folder (``diayn``, ``dads``, ``metra``,
``hiro``, ``option_critic``, ``macro``, ``runs``). Each benchmark owns sections of its page, delimited by HTML comments
(``<!-- name:start -->`` ... ``<!-- name:end -->``), so re-running one script rewrites only its sections and leaves the
rest of the page byte for byte. A script writes into the page of the folder it lives in, unless it names another
with ``page=``.

Images and notes of the runs live under ``benchmarks/results/<run>/``; ``docs/results/runs`` links there, so a page
refers to them as ``runs/<run>/<file>``: :func:`page_link` turns a path into that form.
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
#: The results pages.
DOCS = ROOT / "docs" / "results"
#: The run folders (plots, curves, notes) that the pages link to.
RESULTS = ROOT / "benchmarks" / "results"
#: The page of each benchmarks folder, with the name its header gives it.
PAGES = {
    "diayn": "DIAYN",
    "dads": "DADS",
    "metra": "METRA and LSD",
    "hiro": "HIRO",
    "option_critic": "Option-Critic",
    "macro": "Skills as macro-actions",
    "runs": "Sweep, resume and throughput",
}


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


def repo_relative(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the repository root (``../runs/x/model.zip`` for a file beside it), never absolute.

    A relative ``path`` is taken from the current directory. Sections show files this way: an absolute path would
    name one machine's folders.
    """
    absolute = os.path.normpath(os.path.abspath(os.fspath(path)))
    try:
        return pathlib.Path(os.path.relpath(absolute, ROOT)).as_posix()
    except ValueError:  # another drive: no relative path exists
        return pathlib.Path(absolute).name


def _shown_argument(arg: str) -> str:
    """``arg`` quoted for a shell; an absolute path (also after ``=``: ``--out=PATH``, ``LABEL=PATH``) made relative."""
    if os.path.isabs(arg):
        arg = repo_relative(arg)
    else:
        before, sep, value = arg.rpartition("=")
        if sep and os.path.isabs(value):
            arg = f"{before}={repo_relative(value)}"
    return shlex.quote(arg)


def command() -> str:
    """The command line that is running, as run from the repository root (absolute paths in it made relative)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    arguments = [_shown_argument(a) for a in sys.argv[1:]]
    if spec is not None and spec.name:
        return " ".join(["python", "-m", spec.name, *arguments])
    return " ".join(["python", repo_relative(pathlib.Path(sys.argv[0]).resolve()), *arguments])


def current_command(cmd: str) -> str:
    """A command recorded in a run folder, with a benchmark module named by its folder.

    Run folders keep the command that made them (``config.json``, ``curves.json``); those written before the scripts
    were grouped by method name ``benchmarks.<script>``, which now runs as ``benchmarks.<folder>.<script>``.
    """

    def moved(match: re.Match[str]) -> str:
        found = sorted((ROOT / "benchmarks").glob(f"*/{match[1]}.py"))
        return f"benchmarks.{found[0].parent.name}.{match[1]}" if len(found) == 1 else match[0]

    return re.sub(r"(?<=-m )benchmarks\.(\w+)\b(?!\.)", moved, cmd)


def caller_page() -> str:
    """The page of the script being run: the benchmarks folder it lives in.

    Read from ``__main__``'s module name (``benchmarks.dads.eval_dads_ant`` -> ``dads``) or, for a script run by its
    path, from that path (``benchmarks/dads/eval_dads_ant.py`` -> ``dads``).

    :raises ValueError: if the running script is not in one of the folders of :data:`PAGES`.
    """
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    parts: list[str] = []
    if spec is not None and spec.name:
        parts = spec.name.split(".")
    elif sys.argv and sys.argv[0]:
        script = pathlib.Path(sys.argv[0]).resolve()
        if script.is_relative_to(ROOT):
            parts = list(script.relative_to(ROOT).with_suffix("").parts)
    if len(parts) == 3 and parts[0] == "benchmarks" and parts[1] in PAGES:
        return parts[1]
    shown = ".".join(parts) or (sys.argv[0] if sys.argv else "?")
    raise ValueError(
        f"cannot tell the results page of {shown!r}: it is not a script of benchmarks/<folder>/ "
        f"(folders {', '.join(PAGES)}); pass page= explicitly"
    )


def page_path(page: str) -> pathlib.Path:
    """The file of the results page ``page`` (one of :data:`PAGES`).

    :raises ValueError: for a page that is not in :data:`PAGES`.
    """
    if page not in PAGES:
        raise ValueError(f"unknown results page {page!r}; the pages are {', '.join(PAGES)}")
    return DOCS / f"{page}.md"


def page_link(path: str | os.PathLike[str]) -> str:
    """How a results page links to a file of a run: ``benchmarks/results/<run>/<file>`` -> ``runs/<run>/<file>``.

    A relative ``path`` is taken from the current directory, as the scripts open it.

    :param path: a file or folder under ``benchmarks/results/``.
    :raises ValueError: for a path outside ``benchmarks/results/`` (a page cannot link to it).
    """
    absolute = pathlib.Path(os.path.normpath(pathlib.Path(path).absolute()))
    for candidate, results in ((absolute, RESULTS), (absolute.resolve(), RESULTS.resolve())):
        if candidate.is_relative_to(results):
            relative = candidate.relative_to(results).as_posix()
            return "runs" if relative == "." else f"runs/{relative}"
    raise ValueError(
        f"{os.fspath(path)!r} is not under benchmarks/results/: a results page can only link to the run folders there "
        "(as runs/<run>/<file>)"
    )


def write_section(name: str, title: str, body: str, cmd: str | None = None, page: str | None = None) -> pathlib.Path:
    """Replace (or append) the section ``name`` of a results page with ``body``; return the page's file.

    :param name: the section's name, in its markers ``<!-- name:start -->`` and ``<!-- name:end -->``.
    :param title: the section's heading.
    :param body: Markdown put under the command, machine and date lines.
    :param cmd: the command shown, by default the one running (:func:`command`).
    :param page: the results page (a key of :data:`PAGES`), by default the folder of the running script
        (:func:`caller_page`). A page that does not exist yet is created with a ``# <Method> results`` header.
    """
    path = page_path(page if page is not None else caller_page())
    header = f"# {PAGES[path.stem]} results\n"
    text = path.read_text() if path.exists() else header
    section = (
        f"<!-- {name}:start -->\n## {title}\n\n"
        f"Command: `{cmd or command()}`  \nMachine: {machine()}  \n"
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n"
        f"{body.strip()}\n<!-- {name}:end -->\n"
    )
    pattern = re.compile(rf"<!-- {re.escape(name)}:start -->.*?<!-- {re.escape(name)}:end -->\n", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"wrote section {name!r} of {shown}")
    return path
