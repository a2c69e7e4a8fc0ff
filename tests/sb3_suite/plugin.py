"""A pytest plugin that runs Stable-Baselines3's own test files against one of this library's agents.

Loaded with ``-p tests.sb3_suite.plugin`` and the agent's name in the ``HRL_SB3_AGENT`` environment variable (one of
:data:`AGENTS`), next to SB3's test files from the source distribution of the installed SB3 version (see
:mod:`tests.sb3_suite.runner`). For every SB3 test module it:

* replaces the module's SB3 algorithm names by the agent for the back end that it runs on (for DIAYN on SAC:
  ``SAC`` becomes :class:`agents.DIAYNSAC`), so that the tests' own ``model_class == SAC`` branches take the agent;
* rewrites the ``@pytest.mark.parametrize`` values that are SB3 algorithm classes: the back end of the agent becomes
  the agent, the others are dropped (a test whose algorithm list keeps none is not applicable);
* marks as not applicable the tests that build no model of the agent's back end (tests of SB3's utilities, of
  DQN or TD3 only, ...), the tests listed in :data:`NOT_APPLICABLE` and those that hit one of the agent's documented
  refusals (:data:`REFUSALS`), each with the reason;
* runs the tests listed in :data:`KNOWN_ISSUES` (behaviours of an agent that differ from SB3's) as expected failures.

Each test's outcome goes, one JSON object a line, to the file named by ``HRL_SB3_RESULTS`` (when set).
"""

from __future__ import annotations

import json
import os
import types
from collections.abc import Iterator
from typing import Any

import pytest
import stable_baselines3
from _pytest.mark.structures import Mark, ParameterSet
from stable_baselines3.common.base_class import BaseAlgorithm

import agents

#: SB3's algorithms, by name.
SB3_ALGORITHMS: dict[str, type[BaseAlgorithm]] = {
    name: getattr(stable_baselines3, name) for name in ("A2C", "DDPG", "DQN", "PPO", "SAC", "TD3")
}
#: prefix of the skip reason of a test that does not apply to the agent.
NOT_APPLICABLE_PREFIX = "not applicable: "
#: prefix of the reason of an expected failure (a known difference from SB3's behaviour).
KNOWN_ISSUE_PREFIX = "known issue: "


class SkillControllerPPOSuite(agents.SkillControllerPPO):
    """:class:`agents.SkillControllerPPO` with default skills: an untrained DIAYN on the test's own environment.

    SB3's tests build ``model_class("MlpPolicy", env)``; a skill controller also needs the frozen skills it picks from,
    so this test adapter builds them (on PPO, which takes every action space of the tests) when none are given.
    """

    def __init__(self, policy: Any, env: Any, skills: Any = None, _init_setup_model: bool = True, **kwargs: Any) -> None:
        if skills is None and _init_setup_model and env is not None:
            skills = agents.DIAYNPPO("MlpPolicy", env, n_skills=2, n_steps=64, batch_size=64, seed=kwargs.get("seed"))
        super().__init__(policy, env, skills=skills, _init_setup_model=_init_setup_model, **kwargs)


class DADSSACSuite(agents.DADSSAC):
    """:class:`agents.DADSSAC` with ``schedule="off-policy"`` by default: SAC's own ``train_freq``, ``learning_starts``
    and ``buffer_size``, which SB3's tests set (DADS's default on-policy schedule sets them from ``n_steps``)."""

    def __init__(self, policy: Any, env: Any, *args: Any, schedule: str = "off-policy", **kwargs: Any) -> None:
        super().__init__(policy, env, *args, schedule=schedule, **kwargs)


#: agent name -> (the class the tests build, the SB3 algorithm name it stands in for).
AGENTS: dict[str, tuple[type[BaseAlgorithm], str]] = {
    "DIAYNSAC": (agents.DIAYNSAC, "SAC"),
    "DIAYNPPO": (agents.DIAYNPPO, "PPO"),
    "DADSSAC": (DADSSACSuite, "SAC"),
    "OptionCritic": (agents.OptionCritic, "A2C"),
    "PPOC": (agents.PPOC, "PPO"),
    "SkillControllerPPO": (SkillControllerPPOSuite, "PPO"),
}

_SKILL_OBS = (
    "predicts on observations of the unwrapped environment (gym.make): {agent}'s policy reads the observation with the "
    "skill appended (predict_skill(obs, skill) takes the unwrapped one)"
)
_EVAL_SKILL_OBS = (
    "evaluates on the unwrapped environment (EvalCallback(gym.make(...))): {agent}'s policy reads the observation "
    "with the skill appended (evaluate on an environment wrapped like the training one)"
)
_EVAL_MACRO = (
    "evaluates on the unwrapped environment (EvalCallback(gym.make(...))): {agent}'s action is a skill index, which "
    "only its macro-action wrapper turns into the environment's actions"
)
_NO_VF_CLIP = "sets clip_range_vf: {agent} has no value-function clipping argument"
_OPTIONS = ("OptionCritic", "PPOC")
_MLP_ONLY = "CnnPolicy: {agent} has MlpPolicy only (flat vector observations)"
#: (test file, test name, part of the parameter id ("" for all), agents (None for all), reason): tests that cannot
#: apply to an agent, by design.
NOT_APPLICABLE: list[tuple[str, str, str, tuple[str, ...] | None, str]] = [
    ("test_predict.py", "test_predict", "", ("DIAYNSAC", "DIAYNPPO", "DADSSAC"), _SKILL_OBS),
    (
        "test_predict.py",
        "test_predict",
        "Pendulum",
        ("SkillControllerPPO",),
        "checks that the action is one of the environment's: {agent}'s action is a skill index (Discrete), which the "
        "skill's frozen policy turns into the environment's action",
    ),
    (
        "test_save_load.py",
        "test_save_load_pytorch_var",
        "",
        ("DIAYNSAC", "DADSSAC"),
        "checks SAC's default ent_coef='auto' (a learned log_ent_coef); {agent}'s default is the paper's fixed 0.1",
    ),
    (
        "test_predict.py",
        "test_subclassed_space_env",
        "",
        None,
        "its environment's reset() takes no options argument, which the Gymnasium Env API requires and every "
        "gymnasium.Wrapper (the agent's own wrapper among them) passes",
    ),
    ("test_callbacks.py", "test_callbacks", "", ("DIAYNSAC", "DIAYNPPO", "DADSSAC"), _EVAL_SKILL_OBS),
    ("test_callbacks.py", "test_eval_callback_chaining", "", ("DIAYNSAC", "DIAYNPPO", "DADSSAC"), _EVAL_SKILL_OBS),
    ("test_callbacks.py", "test_callbacks", "", ("SkillControllerPPO",), _EVAL_MACRO),
    ("test_callbacks.py", "test_eval_callback_chaining", "", ("SkillControllerPPO",), _EVAL_MACRO),
    ("test_run.py", "test_ppo", "[0.2-", ("PPOC",), _NO_VF_CLIP),
    ("test_run.py", "test_ppo", "[-0.2-", ("PPOC",), _NO_VF_CLIP),
    ("test_save_load.py", "test_save_load_env_cnn", "", _OPTIONS, _MLP_ONLY),
    ("test_save_load.py", "test_save_load_policy", "CnnPolicy", _OPTIONS, _MLP_ONLY),
    (
        "test_save_load.py",
        "test_save_load_policy",
        "[True-",
        _OPTIONS,
        "use_sde=True: {agent}'s intra-option policies have no state-dependent exploration (gSDE)",
    ),
    (
        "test_save_load.py",
        "test_load_bad_zip",
        "",
        None,
        "expects SB3's wording \"wasn't a zip-file\"; the load of {agent} raises a ValueError of its own that names "
        'the file and what is wrong ("... is not a checkpoint: it is not a zip file")',
    ),
]
#: (test file, test name, part of the parameter id, agents, issue): known differences of the agents from SB3's
#: behaviour, run as expected failures (``xfail``, not strict) until fixed.
KNOWN_ISSUES: list[tuple[str, str, str, tuple[str, ...] | None, str]] = [
    (
        "test_save_load.py",
        "test_no_resource_warning",
        "",
        ("DIAYNPPO", "PPOC", "SkillControllerPPO"),
        "load() from an open file object closes it (SB3's load leaves it open: 'File stream ... is closed')",
    ),
    (
        "test_save_load.py",
        "test_save_load_policy",
        "[False-MlpPolicy",
        _OPTIONS,
        "OptionCriticPolicy.load: the saved constructor parameters lack lr_schedule",
    ),
    (
        "test_save_load.py",
        "test_save_load_backward_compatible",
        "",
        ("PPOC",),
        "PPOC's clip_range is not wrapped in SB3's FloatSchedule (a plain callable is saved)",
    ),
    (
        "test_save_load.py",
        "test_save_load_clip_range_portable",
        "",
        ("PPOC",),
        "PPOC's clip_range is not wrapped in SB3's FloatSchedule (a plain callable is saved)",
    ),
    (
        "test_deterministic.py",
        "test_deterministic_training_common",
        "",
        ("DIAYNSAC", "DIAYNPPO", "DADSSAC"),
        "seed= does not seed the reward model (discriminator, skill dynamics) that {agent} builds before SB3 seeds "
        "torch, so two runs with the same seed differ",
    ),
    (
        "test_run.py",
        "test_ppo_warnings",
        "",
        ("DIAYNPPO", "SkillControllerPPO"),
        "PPO's warning of a truncated mini-batch (n_steps * n_envs not a multiple of batch_size) is not raised",
    ),
    (
        "test_run.py",
        "test_ppo_warnings",
        "",
        ("PPOC",),
        "PPOC accepts n_steps=1 with normalize_advantage=True (PPO refuses it: the advantage's std is NaN)",
    ),
    (
        "test_predict.py",
        "test_mixing_gym_vecenv_api",
        "",
        ("PPOC",),
        "OptionCriticPolicy.predict lacks SB3's check for an (obs, info) tuple passed as the observation",
    ),
]


#: (part of the agent's error message, reason): what the agents refuse by design, with a message saying what to pass.
REFUSALS: list[tuple[str, str]] = [
    (
        "env is a VecEnv whose environments are not wrapped with hrl_wrappers.SkillWrapper",
        "passes a VecEnv built without the skill wrapper: {agent} takes an env id, a factory or a gym.Env (and wraps "
        "it), or a VecEnv built with wrapper_class=SkillWrapper",
    ),
]


def agent_name() -> str:
    """The agent under test, from ``HRL_SB3_AGENT``."""
    name = os.environ.get("HRL_SB3_AGENT", "")
    if name not in AGENTS:
        raise pytest.UsageError(f"HRL_SB3_AGENT must be one of {sorted(AGENTS)}, got {name!r}")
    return name


def _stand_in(value: Any) -> Any:
    """The agent for SB3 algorithm class ``value``, ``None`` for another SB3 algorithm, else ``value`` itself."""
    if isinstance(value, type) and any(value is cls for cls in SB3_ALGORITHMS.values()):
        cls, backend = AGENTS[agent_name()]
        return cls if value is SB3_ALGORITHMS[backend] else None
    return value


def _values(entry: Any, mark: Mark) -> tuple[Any, ...]:
    if isinstance(entry, ParameterSet):
        return tuple(entry.values)
    argnames = mark.args[0]
    return (entry,) if isinstance(argnames, str) and "," not in argnames else tuple(entry)


def _mark(mark: Mark, argnames: Any, argvalues: list[Any]) -> Mark:
    return pytest.mark.parametrize(argnames, argvalues, *mark.args[2:], **mark.kwargs).mark


def _rewrite(mark: Mark) -> tuple[Mark, bool]:
    """``mark`` (a parametrize mark) with SB3 algorithms mapped to the agent; and whether it held any."""
    argnames, argvalues = mark.args[0], list(mark.args[1])
    single = isinstance(argnames, str) and "," not in argnames
    had_algorithm, kept = False, []
    for entry in argvalues:
        values = _values(entry, mark)
        mapped = [_stand_in(value) for value in values]
        if any(_stand_in(value) is not value for value in values):
            had_algorithm = True
        if any(m is None for m in mapped):
            continue
        new: Any = mapped[0] if single else tuple(mapped)
        if isinstance(entry, ParameterSet):
            new = pytest.param(*mapped, marks=entry.marks, id=entry.id)
        kept.append(new)
    return _mark(mark, argnames, kept), had_algorithm


def _names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


def _patch_module(module: types.ModuleType) -> None:
    if getattr(module, "_hrl_sb3_patched", False):
        return
    cls, backend = AGENTS[agent_name()]
    for name, algorithm in SB3_ALGORITHMS.items():
        if getattr(module, name, None) is algorithm and name == backend:
            setattr(module, name, cls)
    module._hrl_sb3_patched = True  # type: ignore[attr-defined]


#: (test module file, test function name) -> why the test does not apply (applied to the items after collection)
_SKIPS: dict[tuple[str, str], str] = {}


def _skip(definition: Any, reason: str) -> None:
    _SKIPS[(str(definition.module.__file__), definition.function.__name__)] = reason


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks the tests found not to apply (see :func:`pytest_generate_tests`) as skipped, with the reason."""
    for item in items:
        if isinstance(item, pytest.Function):
            reason = _SKIPS.get((str(item.module.__file__), item.function.__name__))  # type: ignore[union-attr]
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=NOT_APPLICABLE_PREFIX + reason))
                continue
            name = agent_name()
            file = os.path.basename(str(item.module.__file__))  # type: ignore[union-attr]
            for entries, mark in ((NOT_APPLICABLE, "skip"), (KNOWN_ISSUES, "xfail")):
                for test_file, test, part, only, why in entries:
                    if (test_file, test) == (file, item.originalname) and part in item.name and (only is None or name in only):
                        text = why.format(agent=name)
                        if mark == "skip":
                            item.add_marker(pytest.mark.skip(reason=NOT_APPLICABLE_PREFIX + text))
                        else:
                            item.add_marker(pytest.mark.xfail(reason=KNOWN_ISSUE_PREFIX + text, strict=False))


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Maps the test module and its parametrisation to the agent before pytest parametrises the test."""
    backend = AGENTS[agent_name()][1]
    _patch_module(metafunc.module)
    definition = metafunc.definition
    had_algorithm = False
    for index, mark in enumerate(definition.own_markers):
        if mark.name == "parametrize":
            new, held = _rewrite(mark)
            had_algorithm |= held
            definition.own_markers[index] = new
            if held and not new.args[1]:
                # keep one (skipped) item, named after the algorithms the test runs on
                others = sorted({n for v in mark.args[1] for n, a in SB3_ALGORITHMS.items() if a in _values(v, mark)})
                _skip(metafunc, f"runs only on {', '.join(others)}")
                definition.own_markers[index] = _mark(mark, mark.args[0], [mark.args[1][0]])
                return
    if had_algorithm:
        return
    used = set(_names(metafunc.function.__code__))
    if backend in used:
        return
    sb3_used = sorted(n for n in SB3_ALGORITHMS if n in used)
    if sb3_used:
        _skip(metafunc, f"builds {', '.join(sb3_used)} only")
    else:
        _skip(metafunc, "tests SB3 utilities (no algorithm)")


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Any:
    """Turns the agent's documented refusals of what a test builds (see :data:`REFUSALS`) into "not applicable"."""
    try:
        return (yield)
    except (ValueError, TypeError) as error:
        for message, reason in REFUSALS:
            if message in str(error):
                pytest.skip(NOT_APPLICABLE_PREFIX + reason.format(agent=agent_name()))
        raise


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Writes each test's outcome to ``HRL_SB3_RESULTS``: ``passed``, ``failed``, ``not applicable`` (with the
    reason), ``known issue`` (an expected failure, with the issue) or ``skipped by SB3`` (its own conditions)."""
    path = os.environ.get("HRL_SB3_RESULTS")
    if not path or (report.when != "call" and report.outcome != "failed" and not (report.when == "setup" and report.skipped)):
        return
    reason = ""
    outcome = report.outcome
    if hasattr(report, "wasxfail"):
        outcome = "known issue" if report.skipped else "passed"
        reason = str(report.wasxfail).removeprefix(KNOWN_ISSUE_PREFIX)
    elif report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2]).removeprefix("Skipped: ")
        outcome = "not applicable" if reason.startswith(NOT_APPLICABLE_PREFIX) else "skipped by SB3"
        reason = reason.removeprefix(NOT_APPLICABLE_PREFIX)
    elif report.failed:
        lines = report.longreprtext.strip().splitlines()
        errors = [line[1:].strip() for line in lines if line.startswith("E ")]
        reason = (errors or lines or [""])[0][:300]
    row = {"agent": agent_name(), "nodeid": report.nodeid, "outcome": outcome, "reason": reason}
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")


__all__ = ["AGENTS", "KNOWN_ISSUES", "NOT_APPLICABLE", "SB3_ALGORITHMS", "DADSSACSuite", "SkillControllerPPOSuite"]
