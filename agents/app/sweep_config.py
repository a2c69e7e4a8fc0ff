"""The sweep file of ``hrl sweep`` and :func:`~agents.app.sweep.run_sweep`: its format, validation and trials.

A sweep runs every (setting, seed) of a sweep file as one ``hrl train <algorithm>`` trial; :func:`load_sweep_config`
reads the file, checks every entry (each error names the file and the entry) and parses every trial's command line
before anything runs.

A sweep file::

    algorithm: diayn                 # a `hrl train` algorithm
    seeds: [0, 1]
    base:                            # `hrl train diayn` options of every trial (names as on the command line)
      env: hrl_wrappers/PointWorld-v0
      steps: 4000
      net: [32, 32]
    settings:                        # one entry per setting (name optional), and/or a grid (cartesian product)
      - {name: disc16, disc-net: [16]}
      - {name: disc64, disc-net: [64, 64]}
    metric: accuracy                 # evaluation.json summary key, or a progress.csv column (diayn/accuracy)
    mode: max
    resources: {cpu: 1, gpu: 0}      # per trial
    max_concurrent: 2
    max_failures: 1                  # a failed trial is retried, resuming from its run folder's last checkpoint
    output: sweeps/point             # default: sweeps/<name>-<timestamp>

Example (validation only; running it needs Ray):
    >>> spec = load_sweep_config({"algorithm": "diayn", "seeds": [0, 1],
    ...                           "base": {"env": "hrl_wrappers/PointWorld-v0", "steps": 500},
    ...                           "grid": {"learning-rate": [0.001, 0.0003]}})
    >>> [t.name for t in spec.trials()]
    ['learning-rate=0.001-seed0', 'learning-rate=0.001-seed1', 'learning-rate=0.0003-seed0', 'learning-rate=0.0003-seed1']
    >>> spec.trials()[0].argv(spec.output)[:4]
    ['train', 'diayn', '--env', 'hrl_wrappers/PointWorld-v0']
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import difflib
import io
import itertools
import json
import math
import os
import pathlib
from collections.abc import Mapping
from typing import Any

import yaml

from agents.app.train import build_train_parser
from agents.app.trainers import TRAINERS

__all__ = ["SweepConfig", "SweepError", "SweepTrial", "load_sweep_config"]

SWEEP_KEYS = (
    "algorithm",
    "name",
    "seeds",
    "base",
    "settings",
    "grid",
    "metric",
    "mode",
    "resources",
    "max_concurrent",
    "max_failures",
    "output",
)
RESOURCE_KEYS = ("cpu", "gpu")
#: options the sweep sets itself for every trial.
RESERVED_OPTIONS = ("seed", "run-dir", "resume")


#: an annotated sweep file (shown by ``hrl sweep --help``).
SWEEP_FILE_EXAMPLE = """\
algorithm: diayn                 # a `hrl train` algorithm
seeds: [0, 1]
base:                            # `hrl train diayn` options of every trial (names as on the command line)
  env: hrl_wrappers/PointWorld-v0
  steps: 4000
  net: [32, 32]
settings:                        # one entry per setting (name optional), and/or a grid (cartesian product)
  - {name: disc16, disc-net: [16]}
  - {name: disc64, disc-net: [64, 64]}
metric: accuracy                 # evaluation.json summary key, or a progress.csv column (diayn/accuracy)
mode: max
resources: {cpu: 1, gpu: 0}      # per trial
max_concurrent: 2
max_failures: 1                  # a failed trial is retried, resuming from its run folder's last checkpoint
output: sweeps/point             # default: sweeps/<name>-<timestamp>
"""


class SweepError(ValueError):
    """A sweep file or sweep run that cannot go ahead (the message names what and why)."""


def _option_flag(key: str) -> str:
    return "--" + str(key).replace("_", "-")


def _option_argv(key: str, value: Any) -> list[str]:
    flag = _option_flag(key)
    if value is True:
        return [flag]
    if value is False or value is None:
        return []
    if isinstance(value, Mapping):
        return [flag, json.dumps(value)]
    if isinstance(value, list | tuple):
        return [flag, *(str(v) for v in value)]
    return [flag, str(value)]


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        text = ",".join(f"{k}={_short(v)}" for k, v in value.items())
    elif isinstance(value, list | tuple):
        text = "x".join(map(str, value))
    else:
        text = str(value)
    return "".join(c if c.isalnum() or c in "-_.=," else "_" for c in text)


@dataclasses.dataclass(frozen=True)
class SweepTrial:
    """One trial: an algorithm, one setting's options and one seed."""

    algorithm: str
    setting: str
    seed: int
    options: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.setting}-seed{self.seed}"

    def run_dir(self, output: pathlib.Path) -> pathlib.Path:
        return output / self.name

    def argv(self, output: pathlib.Path) -> list[str]:
        """The ``hrl`` command line of this trial (without ``hrl``)."""
        argv = ["train", self.algorithm]
        for key, value in self.options.items():
            argv += _option_argv(key, value)
        return [*argv, "--seed", str(self.seed), "--run-dir", str(self.run_dir(output)), "--no-progress"]


@dataclasses.dataclass
class SweepConfig:
    """A validated sweep file (see the module docstring)."""

    algorithm: str
    name: str
    seeds: list[int]
    base: dict[str, Any]
    settings: list[tuple[str, dict[str, Any]]]
    metric: str
    mode: str
    resources: dict[str, float]
    max_concurrent: int | None
    output: pathlib.Path
    source: str = "<dict>"
    max_failures: int = 0

    def trials(self) -> list[SweepTrial]:
        """Every (setting, seed) trial, settings first."""
        return [
            SweepTrial(self.algorithm, name, seed, {**self.base, **options})
            for name, options in self.settings
            for seed in self.seeds
        ]


def _known_options(algorithm: str) -> set[str]:
    """The long option names (without ``--``) of ``hrl train <algorithm>``."""
    parser = argparse.ArgumentParser(add_help=False)
    TRAINERS[algorithm].add_arguments(parser)
    return {s[2:] for action in parser._actions for s in action.option_strings if s.startswith("--")}


def _read_source(source: str | os.PathLike[str] | Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The sweep file's mapping and how to name it in errors."""
    if isinstance(source, Mapping):
        data: Any = dict(source)
        where = "sweep config"
    else:
        path = pathlib.Path(source)
        where = f"sweep file {str(path)!r}"
        if not path.is_file():
            raise SweepError(f"{where} does not exist")
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise SweepError(f"{where} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SweepError(f"{where} must be a mapping with keys {', '.join(SWEEP_KEYS)}")
    unknown = [k for k in data if k not in SWEEP_KEYS]
    if unknown:
        raise SweepError(f"{where}: unknown key {unknown[0]!r} (known keys: {', '.join(SWEEP_KEYS)})")
    return data, where


class _Validator:
    """Checks the entries of one sweep file, each error naming the file and the entry."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data, self.where = data, where
        algorithm = data.get("algorithm")
        if algorithm not in TRAINERS:
            raise SweepError(f"{where}: unknown algorithm {algorithm!r} (known: {', '.join(sorted(TRAINERS))})")
        self.algorithm: str = algorithm
        self.known = _known_options(algorithm)

    def error(self, message: str) -> SweepError:
        return SweepError(f"{self.where}: {message}")

    def options(self, options: Any, label: str) -> dict[str, Any]:
        if options is None:
            return {}
        if not isinstance(options, Mapping):
            raise self.error(f"{label} must be a mapping of `hrl train {self.algorithm}` options")
        out: dict[str, Any] = {}
        for key, value in options.items():
            flag = str(key).replace("_", "-")
            if flag in RESERVED_OPTIONS:
                raise self.error(f"{label} sets {key!r}, which the sweep sets for each trial (use 'seeds')")
            if flag not in self.known:
                known = ", ".join(sorted(self.known - set(RESERVED_OPTIONS)))
                raise self.error(f"{label} has unknown option {key!r} for `hrl train {self.algorithm}` (known: {known})")
            out[flag] = value
        return out

    def seeds(self) -> list[int]:
        seeds = self.data.get("seeds", [0])
        if isinstance(seeds, int) and not isinstance(seeds, bool):
            seeds = [seeds]
        if not isinstance(seeds, list) or not seeds or not all(isinstance(s, int) and not isinstance(s, bool) for s in seeds):
            raise self.error(f"seeds must be a non-empty list of integers, got {seeds!r}")
        if len(set(seeds)) != len(seeds):
            raise self.error(f"seeds has duplicates: {seeds!r}")
        return list(seeds)

    def listed_settings(self) -> list[tuple[str, dict[str, Any]]]:
        raw = self.data.get("settings")
        if raw is None:
            return []
        if not isinstance(raw, list) or not raw:
            raise self.error("settings must be a non-empty list of option mappings")
        listed = []
        for i, entry in enumerate(raw):
            if not isinstance(entry, Mapping):
                raise self.error(f"settings[{i}] must be a mapping of options, got {entry!r}")
            entry = dict(entry)
            name = entry.pop("name", None)
            options = self.options(entry, f"settings[{i}]")
            label = str(name) if name is not None else "-".join(f"{k}={_short(v)}" for k, v in options.items())
            listed.append((_short(label or f"setting{i}"), options))
        return listed

    def grid_settings(self) -> list[tuple[str, dict[str, Any]]]:
        raw = self.data.get("grid")
        if raw is None:
            return []
        grid = self.options(raw, "grid")
        for key, values in grid.items():
            if not isinstance(values, list) or not values:
                raise self.error(f"grid[{key!r}] must be a non-empty list of values, got {values!r}")
        out = []
        for combo in itertools.product(*grid.values()):
            options = dict(zip(grid, combo, strict=True))
            out.append(("-".join(f"{k}={_short(v)}" for k, v in options.items()), options))
        return out

    def settings(self) -> list[tuple[str, dict[str, Any]]]:
        listed, grid = self.listed_settings(), self.grid_settings()
        if listed and grid:
            settings = [(f"{a}-{b}", {**oa, **ob}) for (a, oa), (b, ob) in itertools.product(listed, grid)]
        else:
            settings = listed or grid or [("base", {})]
        names = [n for n, _ in settings]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise self.error(f"two settings are named {duplicated[0]!r}; give each a distinct 'name'")
        return settings

    def resources(self) -> dict[str, float]:
        raw = self.data.get("resources") or {"cpu": 1}
        if not isinstance(raw, Mapping):
            raise self.error("resources must be a mapping such as {cpu: 1, gpu: 0}")
        resources: dict[str, float] = {}
        for key, value in raw.items():
            if key not in RESOURCE_KEYS:
                raise self.error(f"resources has unknown key {key!r} (known: {', '.join(RESOURCE_KEYS)})")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or not math.isfinite(value):
                raise self.error(f"resources[{key!r}] must be a number >= 0, got {value!r}")
            resources[key] = float(value)
        resources.setdefault("cpu", 1.0)
        return resources

    def max_failures(self) -> int:
        value = self.data.get("max_failures", 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.error(f"max_failures must be an integer >= 0, got {value!r}")
        return value

    def scalars(self) -> tuple[str, str, int | None]:
        mode = self.data.get("mode", "max")
        if mode not in ("max", "min"):
            raise self.error(f"mode must be 'max' or 'min', got {mode!r}")
        metric = self.data.get("metric", "accuracy")
        if not isinstance(metric, str) or not metric:
            raise self.error(f"metric must be a metric name such as 'accuracy', got {metric!r}")
        limit = self.data.get("max_concurrent")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise self.error(f"max_concurrent must be a positive integer, got {limit!r}")
        return metric, mode, limit


def load_sweep_config(
    source: str | os.PathLike[str] | Mapping[str, Any], output: str | os.PathLike[str] | None = None
) -> SweepConfig:
    """Read and validate a sweep file (or an already-parsed mapping); ``SweepError`` names what is wrong.

    :param source: path of the YAML file, or its content as a mapping.
    :param output: the sweep's folder (overrides the file's ``output``).
    """
    data, where = _read_source(source)
    check = _Validator(data, where)
    metric, mode, max_concurrent = check.scalars()
    name = str(data.get("name") or f"{check.algorithm}-sweep")
    out = output if output is not None else data.get("output")
    if out is None:
        out = pathlib.Path("sweeps") / f"{_short(name)}-{datetime.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    spec = SweepConfig(
        algorithm=check.algorithm,
        name=name,
        seeds=check.seeds(),
        base=check.options(data.get("base"), "base"),
        settings=check.settings(),
        metric=metric,
        mode=mode,
        resources=check.resources(),
        max_concurrent=max_concurrent,
        output=pathlib.Path(out).resolve(),
        source=where,
        max_failures=check.max_failures(),
    )
    _check_metric(spec)
    _check_trial_arguments(spec)
    return spec


#: metrics every trial reports (from its config.yaml, and the trial's wall time).
RUN_METRICS = ("total_timesteps", "wall_time_s", "steps_per_s", "trial_time_s")
#: the skill evaluation's summary (evaluation.json) of the algorithms that evaluate skills.
SKILL_EVALUATION_METRICS = (
    "accuracy",
    "mse",
    "coverage",
    "n_rollouts",
    "n_steps",
    "mean_episode_length",
    "mean_return",
    "mean_abs_displacement",
    "max_forward_velocity",
    "max_backward_velocity",
    "mean_discriminability",
    "min_discriminability",
)


def _check_metric(spec: SweepConfig) -> None:
    """Refuse, before Ray starts, a metric name that no trial of ``spec.algorithm`` reports.

    A name without ``/`` must be one of the run metrics or (DIAYN, DADS) of the skill evaluation's summary; a name with
    ``/`` is a ``progress.csv`` column (``diayn/accuracy``, ``rollout/ep_rew_mean``), which depends on the back end and
    its options, and is not checked here.
    """
    if "/" in spec.metric:
        return
    known = list(RUN_METRICS) + (list(SKILL_EVALUATION_METRICS) if spec.algorithm in ("diayn", "dads", "metra") else [])
    if spec.metric not in known:
        close = difflib.get_close_matches(spec.metric, known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise SweepError(
            f"{spec.source}: metric {spec.metric!r} is not reported by {spec.algorithm} trials: {hint}give one of "
            f"{', '.join(known)}, or a progress.csv column such as '{spec.algorithm}/...' or 'rollout/ep_rew_mean'"
        )


def _check_trial_arguments(spec: SweepConfig) -> None:
    """Parse every trial's command line now, so that a bad value fails before Ray starts."""
    parser = build_train_parser()
    for trial in spec.trials():
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr):
                parser.parse_args(trial.argv(spec.output))
        except SystemExit:
            lines = stderr.getvalue().strip().splitlines()
            message = lines[-1].split(": error: ", 1)[-1] if lines else "invalid options"
            raise SweepError(f"{spec.source}: setting {trial.setting!r}: {message}") from None
