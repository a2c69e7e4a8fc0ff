"""Seeds x settings as Ray Tune trials: ``hrl sweep CONFIG.yaml`` and :func:`run_sweep`.

Each trial is one plain ``hrl train <algorithm>`` run (the same code path, in a Ray worker) into its own run folder
``OUTPUT/<setting>-seed<seed>/``, laid out as ``hrl train`` lays it out (``config.yaml``, ``model.zip``, ``logs/``
with ``progress.csv`` and TensorBoard events, ``checkpoints/``, ``evaluation.json``). When every trial has ended,
the sweep writes ``OUTPUT/results.csv`` (one row per trial) and ``OUTPUT/results.md`` (per trial, then per setting
with the mean over seeds, and the best setting), and prints the latter.

Without an address Ray starts on this machine (``ray.init()``, the embedded single-machine default); with
``address="auto"`` or ``"ray://head:10001"`` it joins a running cluster (see the README). Ray is the optional
``[ray]`` extra: ``pip install "hrl-wrappers[ray]"``.

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
import csv
import dataclasses
import datetime
import itertools
import json
import math
import os
import pathlib
import statistics
import time
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

__all__ = ["SweepConfig", "SweepResult", "SweepTrial", "load_sweep_config", "run_sweep", "run_trial"]

RAY_INSTALL_HINT = (
    'hrl sweep runs its trials with Ray Tune, which is not installed: pip install "hrl-wrappers[ray]" '
    '(or pip install "ray[tune]")'
)
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
    from hrl_wrappers.cli import TRAINERS

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
        from hrl_wrappers.cli import TRAINERS

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
    _check_trial_arguments(spec)
    return spec


def _check_trial_arguments(spec: SweepConfig) -> None:
    """Parse every trial's command line now, so that a bad value fails before Ray starts."""
    import contextlib
    import io

    from hrl_wrappers.cli import build_parser

    parser = build_parser()
    for trial in spec.trials():
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr):
                parser.parse_args(trial.argv(spec.output))
        except SystemExit:
            lines = stderr.getvalue().strip().splitlines()
            message = lines[-1].split(": error: ", 1)[-1] if lines else "invalid options"
            raise SweepError(f"{spec.source}: setting {trial.setting!r}: {message}") from None


def _read_metrics(run: pathlib.Path) -> dict[str, float]:
    """A finished trial's metrics: the last value of each ``progress.csv`` column, then ``evaluation.json``'s summary."""
    metrics: dict[str, float] = {}
    progress = run / "logs" / "progress.csv"
    if progress.is_file():
        with progress.open(newline="") as handle:
            for row in csv.DictReader(handle):
                for key, value in row.items():
                    if key and value not in (None, ""):
                        try:
                            metrics[key] = float(value)
                        except ValueError:
                            pass
    evaluation = run / "evaluation.json"
    if evaluation.is_file():
        summary = json.loads(evaluation.read_text()).get("summary") or {}
        metrics.update({str(k): float(v) for k, v in summary.items() if isinstance(v, int | float)})
    config_path = run / "config.yaml"
    if config_path.is_file():
        config = yaml.safe_load(config_path.read_text()) or {}
        for key in ("total_timesteps", "wall_time_s", "steps_per_s"):
            if isinstance(config.get(key), int | float):
                metrics[key] = float(config[key])
    return metrics


def _unfinished(run: pathlib.Path) -> bool:
    try:
        config = yaml.safe_load((run / "config.yaml").read_text()) or {}
    except (OSError, yaml.YAMLError):
        return False
    return isinstance(config, dict) and config.get("status") != "finished"


def run_trial(trial: Mapping[str, Any]) -> dict[str, float]:
    """Run one trial (a plain ``hrl train``) and return its metrics; what each Ray Tune trial calls.

    With ``"resume": True`` (what :func:`run_sweep` passes) a trial whose run folder holds an unfinished run with a
    checkpoint (a trial Ray retries after a failure) continues it with ``hrl train --resume`` instead.

    :param trial: ``{"argv": [...], "run_dir": ..., "threads": n, "resume": bool}`` as :func:`run_sweep` builds it.
    :raises RuntimeError: if the training command fails (its exit status and last error lines).
    """
    import contextlib
    import io

    import torch

    from hrl_wrappers.cli import main
    from hrl_wrappers.sb3.checkpoint import latest_checkpoint

    torch.set_num_threads(max(1, int(trial.get("threads", 1))))
    run = pathlib.Path(trial["run_dir"])
    argv = list(trial["argv"])
    if trial.get("resume") and _unfinished(run) and latest_checkpoint(run / "checkpoints") is not None:
        argv = ["train", "--resume", str(run)]  # a retried trial: continue its run from the last checkpoint
    stderr = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(stderr):
        status = main(argv)
    if status != 0:
        tail = "\n".join(stderr.getvalue().strip().splitlines()[-5:])
        raise RuntimeError(f"`hrl {' '.join(argv)}` exited with status {status}:\n{tail}")
    metrics = _read_metrics(run)
    metrics["trial_time_s"] = time.perf_counter() - started
    return metrics


def _tune_trainable(config: dict[str, Any]) -> None:
    from ray import tune

    tune.report(run_trial(config["trial"]))


@dataclasses.dataclass
class SweepResult:
    """What a sweep gave: one row per trial, per-setting aggregates and the best setting."""

    spec: SweepConfig
    rows: list[dict[str, Any]]
    best_setting: str | None
    startup_s: float
    wall_s: float

    def per_setting(self) -> list[dict[str, Any]]:
        """Mean, min and max of the metric over seeds, per setting (trials without the metric left out)."""
        out = []
        for name, _ in self.spec.settings:
            values = [r["metric"] for r in self.rows if r["setting"] == name and r["metric"] is not None]
            out.append(
                {
                    "setting": name,
                    "n": len(values),
                    "mean": statistics.fmean(values) if values else None,
                    "min": min(values) if values else None,
                    "max": max(values) if values else None,
                }
            )
        return out

    def markdown(self) -> str:
        """The results table (per trial, then per setting) and the best setting, as Markdown."""

        def fmt(x: Any) -> str:
            return "-" if x is None else f"{x:.4g}" if isinstance(x, float) else str(x)

        metric = self.spec.metric
        lines = [
            f"| trial | setting | seed | status | {metric} | steps | trial time (s) | run folder |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in self.rows:
            lines.append(
                f"| {r['trial']} | {r['setting']} | {r['seed']} | {r['status']} | {fmt(r['metric'])} | "
                f"{fmt(r.get('total_timesteps'))} | {fmt(r.get('trial_time_s'))} | `{r['run_dir']}` |"
            )
        lines += ["", f"| setting | trials | mean {metric} | min | max |", "|---|---|---|---|---|"]
        for s in self.per_setting():
            lines.append(f"| {s['setting']} | {s['n']} | {fmt(s['mean'])} | {fmt(s['min'])} | {fmt(s['max'])} |")
        best = "none (no trial reported the metric)" if self.best_setting is None else f"`{self.best_setting}`"
        options = dict(self.spec.settings).get(self.best_setting or "", {})
        lines += [
            "",
            f"Best setting ({self.spec.mode} mean {metric} over seeds): {best} {options if options else ''}".rstrip(),
        ]
        return "\n".join(lines) + "\n"

    def write(self) -> None:
        """Write ``results.csv`` and ``results.md`` into the sweep's folder."""
        out = self.spec.output
        out.mkdir(parents=True, exist_ok=True)
        keys = ["trial", "setting", "seed", "status", "metric", "total_timesteps", "trial_time_s", "run_dir", "error"]
        with (out / "results.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=keys, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(self.rows)
        (out / "results.md").write_text(self.markdown())


def _ray_modules() -> tuple[Any, Any]:
    try:
        import ray
        from ray import tune
    except ImportError:
        raise SweepError(RAY_INSTALL_HINT) from None
    return ray, tune


def run_sweep(
    source: str | os.PathLike[str] | Mapping[str, Any] | SweepConfig,
    address: str | None = None,
    output: str | os.PathLike[str] | None = None,
    num_cpus: int | None = None,
    verbose: int = 1,
) -> SweepResult:
    """Run a sweep through Ray Tune: every (setting, seed) as one trial; returns the results (also written to disk).

    :param source: a sweep file, its content as a mapping, or a :class:`SweepConfig`.
    :param address: a running Ray cluster (``"auto"``, ``"ray://head:10001"``); None starts Ray on this machine.
    :param output: the sweep's folder (overrides the file's ``output``).
    :param num_cpus: CPUs Ray may use when it starts on this machine (default: all).
    :param verbose: 1 prints the results table.
    """
    spec = source if isinstance(source, SweepConfig) else load_sweep_config(source, output)
    ray, tune = _ray_modules()
    trials = spec.trials()
    clashing = [t.name for t in trials if (t.run_dir(spec.output) / "config.yaml").exists()]
    if clashing:
        raise SweepError(f"sweep folder {str(spec.output)!r} already holds trial {clashing[0]!r}: choose another output")
    spec.output.mkdir(parents=True, exist_ok=True)
    (spec.output / "sweep.yaml").write_text(
        yaml.safe_dump(
            {
                "algorithm": spec.algorithm,
                "name": spec.name,
                "seeds": spec.seeds,
                "base": spec.base,
                "settings": [{"name": n, **o} for n, o in spec.settings],
                "metric": spec.metric,
                "mode": spec.mode,
                "resources": spec.resources,
                "max_concurrent": spec.max_concurrent,
                "max_failures": spec.max_failures,
                "address": address,
            },
            sort_keys=False,
        )
    )
    started = time.perf_counter()
    we_started_ray = not ray.is_initialized()
    if we_started_ray:
        init_kwargs: dict[str, Any] = {"address": address, "include_dashboard": False, "log_to_driver": verbose >= 2}
        if address is None:
            init_kwargs["num_cpus"] = num_cpus
            init_kwargs["object_store_memory"] = 100 * 1024 * 1024
            # the workers import this package from where the driver does (e.g. a source checkout)
            package_root = str(pathlib.Path(__file__).resolve().parent.parent)
            path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
            init_kwargs["runtime_env"] = {"env_vars": {"PYTHONPATH": path}}
        ray.init(**init_kwargs)
    startup = time.perf_counter() - started
    try:
        threads = max(1, int(spec.resources.get("cpu", 1)))
        param_space = {
            "trial": tune.grid_search(
                [
                    {
                        "name": t.name,
                        "setting": t.setting,
                        "seed": t.seed,
                        "argv": t.argv(spec.output),
                        "run_dir": str(t.run_dir(spec.output)),
                        "threads": threads,
                        "resume": True,
                    }
                    for t in trials
                ]
            )
        }
        tuner = tune.Tuner(
            tune.with_resources(_tune_trainable, dict(spec.resources)),
            param_space=param_space,
            tune_config=tune.TuneConfig(max_concurrent_trials=spec.max_concurrent),
            run_config=tune.RunConfig(
                name=_short(spec.name),
                storage_path=str(spec.output / "_ray"),
                verbose=0,
                failure_config=tune.FailureConfig(max_failures=spec.max_failures),
            ),
        )
        grid = tuner.fit()
        rows: list[dict[str, Any]] = []
        for result in grid:
            trial = result.config["trial"]
            metrics = dict(result.metrics or {})
            rows.append(
                {
                    "trial": trial["name"],
                    "setting": trial["setting"],
                    "seed": trial["seed"],
                    "status": "error" if result.error else "done",
                    "metric": float(metrics[spec.metric]) if spec.metric in metrics else None,
                    "total_timesteps": metrics.get("total_timesteps"),
                    "trial_time_s": metrics.get("trial_time_s"),
                    "run_dir": trial["run_dir"],
                    "error": None if result.error is None else str(result.error).strip().splitlines()[-1][:300],
                }
            )
    finally:
        if we_started_ray:
            ray.shutdown()
    order = {t.name: i for i, t in enumerate(trials)}
    rows.sort(key=lambda r: order[r["trial"]])
    result = SweepResult(spec, rows, None, startup, time.perf_counter() - started)
    scored = [s for s in result.per_setting() if s["mean"] is not None]
    if scored:
        pick = max if spec.mode == "max" else min
        result.best_setting = pick(scored, key=lambda s: s["mean"])["setting"]
    result.write()
    if verbose:
        print(result.markdown())
        print(f"Ray startup {startup:.1f} s, sweep {result.wall_s:.1f} s in all; results in {spec.output}")
    return result


def add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``hrl sweep``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "A sweep file:\n\n" + SWEEP_FILE_EXAMPLE
    parser.add_argument("config", type=pathlib.Path, metavar="CONFIG.yaml", help="the sweep file (format below)")
    parser.add_argument(
        "--address",
        metavar="ADDR",
        help="join a running Ray cluster ('auto', or 'ray://HEAD:10001'); default: start Ray on this machine",
    )
    parser.add_argument("--output", type=pathlib.Path, metavar="DIR", help="the sweep's folder (default: the file's output)")
    parser.add_argument(
        "--num-cpus", type=int, metavar="N", help="CPUs Ray may use when it starts on this machine (default: all)"
    )


def sweep_command(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``hrl sweep``: validate the file, run the trials, print the results table; exit status 1 if a trial failed."""
    result = run_sweep(args.config, address=args.address, output=args.output, num_cpus=args.num_cpus)
    return 1 if any(r["status"] != "done" for r in result.rows) else 0
