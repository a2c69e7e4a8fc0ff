"""Stable-Baselines3's own algorithm tests against the agents (see :mod:`tests.sb3_suite.runner`).

The default run takes the quick form (``test_save_load.py`` and ``test_predict.py``); ``-m slow`` runs the five files.
Both need the SB3 source distribution, downloaded into a cache folder on first use; without a network they skip.
"""

from __future__ import annotations

import collections

import pytest

from tests.sb3_suite import runner


def _run(files: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        runner.fetch_tests()
    except runner.SourceUnavailable as error:
        pytest.skip(f"the SB3 source distribution cannot be downloaded: {error}")
    return runner.run(runner.AGENT_NAMES, files, timeout=900)


def _check(rows: list[dict[str, str]]) -> None:
    failed = [f"{r['agent']} {r['nodeid'].split('tests/')[-1]}: {r['reason']}" for r in rows if r["outcome"] == "failed"]
    assert not failed, "\n".join(failed)
    passed = collections.Counter(r["agent"] for r in rows if r["outcome"] == "passed")
    assert set(passed) == set(runner.AGENT_NAMES), f"agents without a passing SB3 test: {passed}"


@pytest.mark.timeout(900)
def test_sb3_save_load_and_predict_tests_pass_for_every_agent() -> None:
    _check(_run(runner.QUICK_FILES))


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_sb3_algorithm_tests_pass_for_every_agent() -> None:
    _check(_run(runner.TEST_FILES))


def test_page_counts_outcomes_per_agent() -> None:
    rows = [
        {"agent": "PPOC", "nodeid": "tests/test_run.py::test_ppo[CartPole-v1-None]", "outcome": "passed", "reason": ""},
        {
            "agent": "PPOC",
            "nodeid": "tests/test_run.py::test_sac[auto]",
            "outcome": "not applicable",
            "reason": "builds SAC only",
        },
        {"agent": "PPOC", "nodeid": "tests/test_save_load.py::test_x", "outcome": "not applicable", "reason": "CnnPolicy"},
    ]
    page = runner.page(rows, runner.QUICK_FILES, 60.0)
    assert "| PPOC | 1 | 0 | 0 | 1 | 0 | 1 |" in page
    assert "| `test_save_load.py::test_x` | all | CnnPolicy |" in page
