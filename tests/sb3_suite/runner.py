"""Runs Stable-Baselines3's own algorithm tests against this library's agents, and writes the result page.

The tests come from the source distribution of the installed SB3 version, downloaded at test time
(``pip download stable-baselines3==<version> --no-deps --no-binary :all:``) into a cache folder and unpacked; they are
not part of this repository. Each agent runs in its own pytest process with :mod:`tests.sb3_suite.plugin`, which maps
the tests' SB3 algorithm to the agent of the same back end.

Usage (from the repository root)::

    python -m tests.sb3_suite.runner                 # the five test files, every agent; writes docs/sb3_compatibility.md
    python -m tests.sb3_suite.runner --quick --no-docs   # test_save_load.py and test_predict.py only
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import pathlib
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from typing import Any

import stable_baselines3

ROOT = pathlib.Path(__file__).resolve().parents[2]
#: SB3's test files that test algorithms, in the order of the page.
TEST_FILES = ("test_save_load.py", "test_predict.py", "test_callbacks.py", "test_deterministic.py", "test_run.py")
QUICK_FILES = ("test_save_load.py", "test_predict.py")
AGENT_NAMES = ("DIAYNSAC", "DIAYNPPO", "DADSSAC", "OptionCritic", "PPOC", "SkillControllerPPO")
#: agents of the quick form (one per agent family and back end that the default test run covers)
QUICK_AGENTS = AGENT_NAMES
DOC = ROOT / "docs" / "sb3_compatibility.md"


class SourceUnavailable(RuntimeError):
    """The SB3 source distribution could not be downloaded (no network, no index)."""


def cache_dir() -> pathlib.Path:
    """Where the unpacked sources are kept: ``$HRL_SB3_CACHE`` or ``~/.cache/hrl-wrappers/sb3-tests``."""
    return pathlib.Path(os.environ.get("HRL_SB3_CACHE", pathlib.Path.home() / ".cache" / "hrl-wrappers" / "sb3-tests"))


def fetch_tests(version: str = stable_baselines3.__version__, cache: pathlib.Path | None = None) -> pathlib.Path:
    """The ``tests`` folder of SB3 ``version``'s source distribution, downloaded and unpacked on first use.

    :param version: the SB3 version (default: the installed one).
    :param cache: the cache folder (default :func:`cache_dir`).
    :return: the folder with SB3's test files.
    :raises SourceUnavailable: when ``pip download`` fails.
    """
    cache = cache or cache_dir()
    tests = cache / f"stable_baselines3-{version}" / "tests"
    if (tests / "test_save_load.py").is_file() and (tests.parent / "pyproject.toml").is_file():
        return tests
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as download:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            f"stable-baselines3=={version}",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--disable-pip-version-check",
            "-q",
            "-d",
            download,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        archives = sorted(pathlib.Path(download).glob("stable_baselines3-*.tar.gz"))
        if done.returncode != 0 or not archives:
            raise SourceUnavailable(f"pip download stable-baselines3=={version} failed: {done.stderr.strip()[-500:]}")
        with tarfile.open(archives[0]) as archive:
            members = [
                m
                for m in archive.getmembers()
                if m.isfile() and ("/tests/" in m.name or m.name.endswith(f"stable_baselines3-{version}/pyproject.toml"))
            ]
            archive.extractall(cache, members=members, filter="data")
    if not (tests / "test_save_load.py").is_file() or not (tests.parent / "pyproject.toml").is_file():
        raise SourceUnavailable(f"the source distribution of stable-baselines3 {version} holds no tests/test_save_load.py")
    return tests


def run_agent(agent: str, tests: pathlib.Path, files: Sequence[str], results: pathlib.Path, timeout: float) -> int:
    """Runs SB3's ``files`` against ``agent`` in a pytest process; outcomes are appended to ``results`` (JSON lines).

    :return: pytest's exit code (0: all passed, 1: some failed).
    :raises RuntimeError: with pytest's output when pytest could not run the tests (usage or collection error).
    """
    env = dict(os.environ, HRL_SB3_AGENT=agent, HRL_SB3_RESULTS=str(results), OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "tests.sb3_suite.plugin",
        "--import-mode=importlib",
        "-c",
        str(tests.parent / "pyproject.toml"),
        "--rootdir",
        str(tests.parent),
        "-W",
        "ignore::DeprecationWarning",
        *[str(tests / f) for f in files],
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, timeout=timeout, check=False, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"pytest could not run SB3's tests for {agent} (exit {done.returncode}):\n{done.stdout[-3000:]}")
    return done.returncode


def run(agents: Sequence[str] = AGENT_NAMES, files: Sequence[str] = TEST_FILES, timeout: float = 1800) -> list[dict[str, Any]]:
    """Fetches SB3's tests and runs ``files`` against every agent in ``agents``.

    :return: one row per test and agent: ``agent``, ``nodeid``, ``outcome`` and ``reason``.
    """
    tests = fetch_tests()
    rows: list[dict[str, Any]]
    with tempfile.TemporaryDirectory() as folder:
        results = pathlib.Path(folder) / "results.jsonl"
        results.touch()
        for agent in agents:
            run_agent(agent, tests, files, results, timeout)
        rows = [json.loads(line) for line in results.read_text().splitlines()]
    missing = set(agents) - {row["agent"] for row in rows}
    if missing:
        raise RuntimeError(f"no SB3 test outcome was recorded for {sorted(missing)}")
    return rows


#: the columns of the page's table, in order
COLUMNS = ("passed", "failed", "known issue", "not applicable", "skipped by SB3", "other algorithm")
#: reasons of the tests that test no algorithm of the agent's back end (other algorithms, SB3's utilities)
_OTHER = ("runs only on ", "builds ", "tests SB3 utilities")


def _category(row: dict[str, Any]) -> str:
    if row["outcome"] == "not applicable" and row["reason"].startswith(_OTHER):
        return "other algorithm"
    return str(row["outcome"])


def summary(rows: Sequence[dict[str, Any]]) -> dict[str, collections.Counter[str]]:
    """Per agent, the count of tests by category (passed, failed, not applicable, skipped by SB3)."""
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for row in rows:
        counts[row["agent"]][_category(row)] += 1
    return counts


def page(rows: Sequence[dict[str, Any]], files: Sequence[str], seconds: float) -> str:
    """The Markdown page of a run."""
    counts = summary(rows)
    lines = [
        "# Stable-Baselines3 compatibility",
        "",
        f"Stable-Baselines3's own algorithm tests (version {stable_baselines3.__version__}, from its source distribution, "
        f"files {', '.join(f'`{f}`' for f in files)}) run against the agents of this library. Each test that "
        "builds an SB3 algorithm runs with the agent of the same back end in its place (DIAYN and DADS on SAC for SAC, "
        "DIAYN, PPOC and SkillController on PPO for PPO, OptionCritic for A2C); a test that builds only other algorithms, "
        "or only tests SB3's utilities, does not apply. The agents wrap the environments themselves (the skill is "
        "appended to the observation). Two test adapters fill in what SB3's calls cannot pass: SkillController gets an "
        'untrained DIAYN on the test\'s environment as its skills, and DADS runs with `schedule="off-policy"`, so that '
        "the tests' own `train_freq`, `learning_starts` and `buffer_size` apply (DADS's default on-policy schedule sets "
        "them from `n_steps`).",
        "",
        "Reproduce (downloads the source distribution of the installed SB3 into a cache folder):",
        "",
        "```bash",
        "python -m tests.sb3_suite.runner   # writes this page",
        "```",
        "",
        f"The default test run (`tests/sb3_suite/test_sb3_suite.py`) runs the quick form ({', '.join(QUICK_FILES)}); "
        "`python -m pytest -m slow tests/sb3_suite` runs all five files.",
        "",
        "## Tests per agent",
        "",
        "| agent | passed | failed | known issue | not applicable | skipped by SB3 | other algorithm or SB3 utility |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for agent in AGENT_NAMES:
        if agent in counts:
            cells = [counts[agent][k] for k in COLUMNS]
            lines.append(f"| {agent} | " + " | ".join(map(str, cells)) + " |")
    lines += [
        "",
        "Passed: the test passed with the agent in place of SB3's algorithm. Known issue: an expected failure, listed "
        "below. Not applicable: a test of the agent's back end that tests what the agent does differently by design "
        "(listed below with the reason). Skipped by SB3: the test's own condition (no CUDA). Other algorithm or SB3 "
        "utility: a test of algorithms other than the agent's back end, or of SB3's utilities.",
        "",
        f"Run time: {seconds / 60:.1f} minutes on CPU (one thread).",
        "",
    ]
    failed = [r for r in rows if r["outcome"] == "failed"]
    if failed:
        lines += ["## Failures", "", "| agent | test | error |", "| --- | --- | --- |"]
        lines += [f"| {r['agent']} | `{_short(r['nodeid'])}` | {_cell(r['reason'])} |" for r in failed]
        lines.append("")
    tables = {name: _grouped(rows, name, counts) for name in ("known issue", "not applicable", "other algorithm")}
    if len(tables["known issue"]) > 2:  # more than the header
        lines += [
            "## Known differences (expected failures)",
            "",
            "Tests that run and fail on a behaviour of the agent that differs from SB3's; they run as expected "
            "failures (an unexpected pass counts as passed) until the agent is fixed.",
            "",
        ]
        lines += tables["known issue"] + [""]
    lines += [
        "## Tests that do not apply",
        "",
        "Tests of the agent's back end that test what the agent does differently by design.",
        "",
    ] + tables["not applicable"]
    lines += [
        "",
        "## Tests of other algorithms or of SB3's utilities",
        "",
        "These test no model of the agent's back end "
        "(SAC for DIAYNSAC and DADSSAC, PPO for DIAYNPPO, PPOC and SkillControllerPPO, A2C for OptionCritic).",
        "",
    ]
    lines += tables["other algorithm"]
    lines += ["", "## Skipped by SB3's own conditions", "", "| test | reason |", "| --- | --- |"]
    own = sorted({(_short(r["nodeid"]), r["reason"]) for r in rows if _category(r) == "skipped by SB3"})
    lines += [f"| `{test}` | {_cell(reason)} |" for test, reason in own]
    return "\n".join(lines) + "\n"


def _grouped(rows: Sequence[dict[str, Any]], category: str, counts: dict[str, Any]) -> list[str]:
    """The table of the tests of ``category``: one row per test (parameters merged) and reason, with its agents."""
    table: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for row in rows:
        if _category(row) == category:
            table[(_short(row["nodeid"], params=False), re.sub(rf"\b{row['agent']}\b", "the agent", row["reason"]))].add(
                row["agent"]
            )
    lines = ["| test | agents | reason |", "| --- | --- | --- |"]
    for (test, reason), names in sorted(table.items()):
        shown = "all" if names == set(counts) else ", ".join(a for a in AGENT_NAMES if a in names)
        lines.append(f"| `{test}` | {shown} | {_cell(reason)} |")
    return lines


def _short(nodeid: str, params: bool = True) -> str:
    name = nodeid.split("tests/")[-1]
    return name if params else name.split("[")[0]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run, print the counts, write the page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK_FILES)}")
    parser.add_argument("--agents", nargs="*", default=list(AGENT_NAMES), choices=AGENT_NAMES)
    parser.add_argument("--no-docs", action="store_true", help=f"do not write {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    files = QUICK_FILES if args.quick else TEST_FILES
    start = time.perf_counter()
    rows = run(args.agents, files)
    seconds = time.perf_counter() - start
    for agent, counts in summary(rows).items():
        print(agent, dict(counts))
    if not args.no_docs:
        DOC.write_text(page(rows, files, seconds))
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 1 if any(r["outcome"] == "failed" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
