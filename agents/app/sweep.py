"""Seeds x settings as Ray Tune trials: ``hrl sweep CONFIG.yaml`` and :func:`run_sweep`.

Each trial is one plain ``hrl train <algorithm>`` run (the same code path, in a Ray worker) into its own run folder
``OUTPUT/<setting>-seed<seed>/``, laid out as ``hrl train`` lays it out (``config.yaml``, ``model.zip``, ``logs/``
with ``progress.csv`` and TensorBoard events, ``checkpoints/``, ``evaluation.json``). When every trial has ended,
the sweep writes ``OUTPUT/results.csv`` (one row per trial) and ``OUTPUT/results.md`` (per trial, then per setting
with the mean over seeds, and the best setting), and prints the latter.

Without an address Ray starts on this machine, a new instance of its own (``ray.init(address="local")`` with its
own temporary folder, removed afterwards), never one another job started; with ``address="auto"``,
``"HEAD:6379"`` or ``"ray://head:10001"`` it joins a running cluster (see the command-line docs). Joining needs
``RAY_AUTH_MODE`` set as on the cluster (Ray's token authentication): it is checked before connecting, and Ray's
connection and authentication errors become a :class:`SweepError` that says what to do. Ray is the optional
``[ray]`` extra: ``pip install "hrl-wrappers[ray]"``.

The sweep file's format and its validation are in :mod:`agents.app.sweep_config`.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import io
import json
import os
import pathlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from agents.app.core import run_command
from agents.app.sweep_config import (
    SWEEP_FILE_EXAMPLE,
    SweepConfig,
    SweepError,
    SweepTrial,
    _short,
    load_sweep_config,
)
from agents.app.train import build_train_parser

__all__ = ["SweepConfig", "SweepError", "SweepResult", "SweepTrial", "load_sweep_config", "run_sweep", "run_trial"]

RAY_INSTALL_HINT = (
    'hrl sweep runs its trials with Ray Tune, which is not installed: pip install "hrl-wrappers[ray]" '
    '(or pip install "ray[tune]")'
)

RAY_TOKEN_PLACES = "~/.ray/auth_token, the file named by RAY_AUTH_TOKEN_PATH, or RAY_AUTH_TOKEN"
RAY_AUTH_HINT = (
    "`export RAY_AUTH_MODE=token` for a cluster with token authentication (what `ray start --head` turns on once a "
    f"token exists), with the head node's token (`ray get-auth-token` there) in {RAY_TOKEN_PLACES}; or "
    "`export RAY_AUTH_MODE=disabled` for a cluster started with RAY_AUTH_MODE=disabled"
)


def _ray_token_available() -> bool:
    """Whether a Ray token is where Ray looks: ``RAY_AUTH_TOKEN``, ``RAY_AUTH_TOKEN_PATH`` or ``~/.ray/auth_token``."""
    if os.environ.get("RAY_AUTH_TOKEN", "").strip():
        return True
    named = os.environ.get("RAY_AUTH_TOKEN_PATH")
    path = pathlib.Path(named).expanduser() if named else pathlib.Path.home() / ".ray" / "auth_token"
    try:
        return bool(path.read_text().strip())
    except OSError:
        return False


def check_cluster_auth(address: str) -> None:
    """Check, before joining the Ray cluster at ``address``, that ``RAY_AUTH_MODE`` is set and a token is at hand.

    Ray reads its authentication mode from ``RAY_AUTH_MODE`` only; a driver without it cannot join a cluster that
    uses token authentication (Ray then retries and fails with a bare "Failed to connect").

    :param address: the cluster's address, as given to ``--address``.
    :raises SweepError: naming the setting to make.
    """
    mode = os.environ.get("RAY_AUTH_MODE", "").strip().lower()
    if not mode:
        raise SweepError(f"--address {address}: set RAY_AUTH_MODE as the cluster has it before joining: {RAY_AUTH_HINT}")
    if mode == "token" and not _ray_token_available():
        raise SweepError(
            f"--address {address}: RAY_AUTH_MODE=token but no Ray token here: put the head node's token "
            f"(`ray get-auth-token` there) in {RAY_TOKEN_PLACES}"
        )


def _join_error(address: str, exc: BaseException) -> SweepError:
    """What to do about Ray's failure to join the cluster at ``address``."""
    mode = os.environ.get("RAY_AUTH_MODE", "")
    cause = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    if "uthenticat" in type(exc).__name__ + str(exc):
        return SweepError(
            f"the Ray cluster at {address} refused this machine's token ({cause}): use the head node's token "
            f"(`ray get-auth-token` there) in {RAY_TOKEN_PLACES}, with RAY_AUTH_MODE=token"
        )
    token = (
        "if it runs with token authentication, it refused this machine's token: use the head node's token "
        f"(`ray get-auth-token` there) in {RAY_TOKEN_PLACES}"
        if mode.strip().lower() == "token"
        else f"RAY_AUTH_MODE is {mode!r} here and must be as on the cluster ({RAY_AUTH_HINT})"
    )
    return SweepError(
        f"could not join the Ray cluster at {address} ({cause}): check that a cluster runs there "
        f"(`ray status --address {address}` on its head node) and that the address and port are the ones "
        f"`ray start --head` printed; {token}"
    )


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
    import torch

    from hrl_wrappers.sb3.checkpoint import latest_checkpoint

    torch.set_num_threads(max(1, int(trial.get("threads", 1))))
    run = pathlib.Path(trial["run_dir"])
    argv = list(trial["argv"])
    if trial.get("resume") and _unfinished(run) and latest_checkpoint(run / "checkpoints") is not None:
        argv = ["train", "--resume", str(run)]  # a retried trial: continue its run from the last checkpoint
    stderr = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(stderr):
        status = run_command(build_train_parser, argv)
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
    :param address: a running Ray cluster (``"auto"``, ``"HEAD:6379"``, ``"ray://head:10001"``); None starts a new
        Ray instance of its own on this machine (never joins another), shut down and removed at the end.
    :param output: the sweep's folder (overrides the file's ``output``).
    :param num_cpus: CPUs Ray may use when it starts on this machine (default: all).
    :param verbose: 1 prints the results table.
    """
    spec = source if isinstance(source, SweepConfig) else load_sweep_config(source, output)
    ray, tune = _ray_modules()
    if address is not None and not ray.is_initialized():
        check_cluster_auth(address)
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
    ray_temp: str | None = None
    if we_started_ray:
        init_kwargs: dict[str, Any] = {"address": address, "include_dashboard": False, "log_to_driver": verbose >= 2}
        if address is None:
            # a new instance of its own: "local" never joins a running one (not even through RAY_ADDRESS), and its
            # own temporary folder keeps it from finding another job's cluster through Ray's default folder
            ray_temp = tempfile.mkdtemp(prefix="hrl-ray-")
            init_kwargs.update(address="local", _temp_dir=ray_temp, num_cpus=num_cpus)
            init_kwargs["object_store_memory"] = 100 * 1024 * 1024
            # the workers import this package from where the driver does (e.g. a source checkout)
            package_root = str(pathlib.Path(__file__).resolve().parents[2])
            path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
            init_kwargs["runtime_env"] = {"env_vars": {"PYTHONPATH": path}}
        try:
            ray.init(**init_kwargs)
        except (ConnectionError, TimeoutError, ray.exceptions.RayError) as exc:
            if ray_temp is not None:
                shutil.rmtree(ray_temp, ignore_errors=True)
            if address is None:
                raise SweepError(f"Ray could not start on this machine: {str(exc).strip()[:300]}") from None
            raise _join_error(address, exc) from None
    gcs_address = str(ray.get_runtime_context().gcs_address)
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
        if ray_temp is not None:
            shutil.rmtree(ray_temp, ignore_errors=True)
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
        where = "started on this machine" if ray_temp is not None else "joined"
        print(f"Ray {where} at {gcs_address}: startup {startup:.1f} s, sweep {result.wall_s:.1f} s in all")
        print(f"results in {spec.output}")
    return result


def add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``hrl sweep``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "A sweep file:\n\n" + SWEEP_FILE_EXAMPLE
    parser.add_argument("config", type=pathlib.Path, metavar="CONFIG.yaml", help="the sweep file (format below)")
    parser.add_argument(
        "--address",
        metavar="ADDR",
        help="join a running Ray cluster ('auto', 'HEAD:6379' or 'ray://HEAD:10001'; needs RAY_AUTH_MODE set as on "
        "the cluster); default: start a Ray of its own on this machine",
    )
    parser.add_argument("--output", type=pathlib.Path, metavar="DIR", help="the sweep's folder (default: the file's output)")
    parser.add_argument(
        "--num-cpus", type=int, metavar="N", help="CPUs Ray may use when it starts on this machine (default: all)"
    )


def sweep_command(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``hrl sweep``: validate the file, run the trials, print the results table; exit status 1 if a trial failed."""
    result = run_sweep(args.config, address=args.address, output=args.output, num_cpus=args.num_cpus)
    return 1 if any(r["status"] != "done" for r in result.rows) else 0


def add_sweep_command(commands: argparse._SubParsersAction) -> None:
    """Add ``hrl sweep CONFIG.yaml`` to the sub-parsers ``commands``."""
    sweep = commands.add_parser(
        "sweep",
        help="run seeds x settings as Ray Tune trials",
        description="Run every (setting, seed) of CONFIG.yaml as one `hrl train` run, as Ray Tune trials; print and "
        "write the results table and the best setting.",
    )
    add_sweep_arguments(sweep)
    sweep.set_defaults(handler=sweep_command)
