"""One training run in its run folder: metrics to CSV and TensorBoard, periodic checkpoints, SIGINT, resume.

:class:`TrainingRun` is what every ``hrl train <algorithm>`` uses around its model (any SB3 ``BaseAlgorithm``: DIAYN
and the other agents alike; or HIRO, whose ``learn`` calls the callbacks as SB3 does), so each of them gets the same
run folder::

    RUN/config.yaml          the configuration, status, and one entry per resume
    RUN/logs/progress.csv    every metric SB3 and the callbacks record (train, rollout, reward model, evaluations)
    RUN/logs/events.*        the same in TensorBoard (tensorboard --logdir RUN/logs)
    RUN/checkpoints/         checkpoint_<steps>_steps.{zip,json} (+ _replay_buffer.pkl on request), the last `keep`
    RUN/model.zip            the final (or interrupted) model

A trainer calls, in order: :meth:`~TrainingRun.check_folder` (before building anything), builds its model,
:meth:`~TrainingRun.prepare` (loads the latest checkpoint when resuming), :meth:`~TrainingRun.start` (writes
``config.yaml``), :meth:`~TrainingRun.learn` and :meth:`~TrainingRun.finish`. Everything that can refuse the input
(not a run folder, a checkpoint of another class) runs before anything in the folder is written.

A run never overwrites or deletes a file it did not write: a new run goes into a missing or empty folder, or into a
run folder (``config.yaml`` written by a :class:`TrainingRun`, recognised by its ``run_folder`` entry) killed before
its first complete checkpoint, which is started again; anything else is refused, naming the files found. Each start
deletes the temporary files of a process killed mid-save; a finished run resumed with no more steps changes nothing
(:class:`RunFinished`).

Resuming continues the same curve: the timestep count, the optimizers and the reward model come from the checkpoint,
``learn`` runs with ``reset_num_timesteps=False`` up to the same total, ``progress.csv`` is appended to (rows logged
after the checkpoint by a killed process are dropped) and TensorBoard's steps continue (``purge_step``). The
environments restart (episodes in flight are lost) and random number generators are not restored, so a resumed run
is not bit-identical to an uninterrupted one.

Example:
    >>> import tempfile, pathlib
    >>> from stable_baselines3 import PPO
    >>> run_dir = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> def build():
    ...     return PPO("MlpPolicy", "Pendulum-v1", n_steps=64, batch_size=64, n_epochs=1,
    ...                policy_kwargs={"net_arch": [8]})
    >>> run = TrainingRun(run_dir, "ppo", checkpoint_every=64, log_formats=("csv",))
    >>> run.check_folder()
    >>> model = run.prepare(build())
    >>> _ = run.start({"algorithm": "ppo", "steps": 128})
    >>> run.learn(model, 128)
    'finished'
    >>> _ = run.finish(model, "finished")
    >>> resumed = TrainingRun(run_dir, "ppo", resume=True, checkpoint_every=64, log_formats=("csv",))
    >>> resumed.check_folder()
    >>> model = resumed.prepare(build())
    >>> model.num_timesteps
    128
    >>> _ = resumed.start({"algorithm": "ppo", "steps": 256})
    >>> resumed.learn(model, 256), model.num_timesteps
    ('finished', 256)
    >>> resumed.finish(model, "finished")["resumes"][0]["num_timesteps"]
    128
"""

from __future__ import annotations

import datetime
import enum
import pathlib
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import yaml
from stable_baselines3.common.base_class import BaseAlgorithm

from hrl_wrappers.sb3.checkpoint import (
    Checkpoint,
    CheckpointCallback,
    has_replay_buffer,
    latest_checkpoint,
    load_checkpoint,
    remove_partial_checkpoints,
)
from hrl_wrappers.sb3.run_logger import configure_run_logger

__all__ = [
    "CHECKPOINT_DIR",
    "CONFIG_FILE",
    "LOG_DIR",
    "MODEL_FILE",
    "RUN_FOLDER_MARK",
    "RunFinished",
    "TrainingRun",
    "is_run_config",
    "plain_data",
    "read_run_config",
]

CONFIG_FILE = "config.yaml"
MODEL_FILE = "model.zip"
LOG_DIR = "logs"
CHECKPOINT_DIR = "checkpoints"
#: the ``run_folder`` entry :meth:`TrainingRun.start` writes into ``config.yaml``: how a folder is recognised as a run.
RUN_FOLDER_MARK = "hrl_wrappers.TrainingRun/1"
#: files a run writes that a restart (a run killed before its first checkpoint) deletes, relative to the run folder.
_RESTART_FILES = (
    f"{LOG_DIR}/progress.csv",
    f"{LOG_DIR}/events.out.tfevents.*",
    "eval/skill_eval.csv",
    "eval/skills_*.png",
)


class RunFinished(Exception):
    """Raised by :meth:`TrainingRun.prepare` when a resumed run already reached its steps (nothing is changed)."""


def is_run_config(config: Any) -> bool:
    """Whether ``config`` (a parsed ``config.yaml``) was written by a :class:`TrainingRun` (or an older ``hrl train``)."""
    if not isinstance(config, dict) or "algorithm" not in config:
        return False
    return config.get("run_folder") == RUN_FOLDER_MARK or str(config.get("command", "")).startswith("hrl train ")


def _run_config(run: pathlib.Path) -> dict[str, Any] | None:
    """The ``config.yaml`` of ``run`` if a :class:`TrainingRun` wrote it, else None."""
    try:
        config = yaml.safe_load((run / CONFIG_FILE).read_text())
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    return config if is_run_config(config) else None


def _listing(run: pathlib.Path, limit: int = 8) -> str:
    names = sorted(str(p.relative_to(run)) + ("/" if p.is_dir() else "") for p in run.iterdir())
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def plain_data(value: Any) -> Any:
    """``value`` as plain YAML/JSON data (lists, dicts, numbers, strings); anything else as its ``repr``."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, enum.Enum):
        return plain_data(value.value)
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain_data(v) for v in value]
    return repr(value)


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def read_run_config(run_dir: str | pathlib.Path, argument: str = "RUN") -> dict[str, Any]:
    """The ``config.yaml`` of a run folder; ``ValueError`` naming ``argument`` if ``run_dir`` is not a run folder."""
    run = pathlib.Path(run_dir)
    if not run.is_dir():
        what = "does not exist" if not run.exists() else "is not a folder"
        raise ValueError(f"{argument} {str(run)!r} is not a run folder: it {what} (make one with `hrl train`)")
    path = run / CONFIG_FILE
    if not path.is_file():
        raise ValueError(f"{argument} {str(run)!r} is not a run folder: it has no {CONFIG_FILE} (make one with `hrl train`)")
    try:
        config = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ValueError(f"{argument} {str(run)!r}: cannot read {CONFIG_FILE}: {exc}") from None
    if not isinstance(config, dict) or "algorithm" not in config:
        raise ValueError(f"{argument} {str(run)!r}: {CONFIG_FILE} has no 'algorithm' entry (not written by `hrl train`?)")
    return config


class TrainingRun:
    """A model trained into a run folder, with checkpoints and resume; see the module docstring.

    :param run_dir: the run folder.
    :param algorithm: the algorithm's name in the run's config (``"diayn"``); recorded in each checkpoint.
    :param resume: continue the run from its latest checkpoint instead of starting a new one.
    :param checkpoint_every: environment steps between checkpoints (0: only on SIGINT/SIGTERM and at the end).
    :param keep_checkpoints: checkpoints kept (0: all).
    :param checkpoint_replay_buffer: save the replay buffer with each checkpoint (off-policy learners).
    :param log_formats: SB3 logger outputs into ``RUN/logs``.
    :param total_steps: the steps the run trains up to; a resumed run that finished at or past them is left as it is
        (:meth:`prepare` raises :class:`RunFinished`).
    """

    def __init__(
        self,
        run_dir: str | pathlib.Path,
        algorithm: str,
        resume: bool = False,
        checkpoint_every: int = 0,
        keep_checkpoints: int = 2,
        checkpoint_replay_buffer: bool = False,
        log_formats: Sequence[str] = ("stdout", "csv", "tensorboard"),
        total_steps: int | None = None,
    ) -> None:
        if checkpoint_every < 0:
            raise ValueError(f"checkpoint_every must be >= 0, got {checkpoint_every}")
        if keep_checkpoints < 0:
            raise ValueError(f"keep_checkpoints must be >= 0 (0: keep all), got {keep_checkpoints}")
        self.run_dir = pathlib.Path(run_dir)
        self.algorithm = algorithm
        self.resume = bool(resume)
        self.checkpoint_every = int(checkpoint_every)
        self.keep_checkpoints = int(keep_checkpoints)
        self.checkpoint_replay_buffer = bool(checkpoint_replay_buffer)
        self.log_formats = tuple(log_formats)
        self.total_steps = None if total_steps is None else int(total_steps)
        self.checkpoint: Checkpoint | None = None
        self.restarting = False
        self.config: dict[str, Any] = {}
        self.callback: CheckpointCallback | None = None
        self._old_config: dict[str, Any] | None = None
        self._logger: Any = None
        self._started = 0.0
        self._start_steps = 0

    # ------------------------------------------------------------------------------------------------ before
    def check_folder(self) -> None:
        """Refuse a folder that cannot be trained into; nothing is written.

        A new run needs a missing or empty folder, or a run folder (its ``config.yaml`` written by a
        :class:`TrainingRun`) of the same algorithm that was killed before its first complete checkpoint: that one is
        started again (:attr:`restarting`). A folder holding anything else is refused, naming its files; a run with a
        checkpoint or ``model.zip`` is refused with a pointer to ``--resume``. A resumed run needs a run folder of
        this algorithm with a complete checkpoint (without one, and without ``model.zip``, it is started again); if
        it finished at or past :attr:`total_steps`, :meth:`prepare` raises :class:`RunFinished`.
        """
        run = self.run_dir
        if not self.resume:
            if run.exists() and not run.is_dir():
                raise ValueError(f"--run-dir {str(run)!r} is a file, not a folder")
            if not run.exists() or all(p.name == f".tmp-{CONFIG_FILE}" for p in run.iterdir()):
                return  # empty, or killed while writing its first config.yaml (the temporary is deleted by start)
            config = _run_config(run)
            if config is None:
                raise ValueError(
                    f"--run-dir {str(run)!r} is not empty and is not a run folder (no {CONFIG_FILE} written by "
                    f"`hrl train`): it holds {_listing(run)}; choose a new or empty --run-dir (nothing was changed)"
                )
            if (run / MODEL_FILE).exists() or latest_checkpoint(run / CHECKPOINT_DIR) is not None:
                raise ValueError(
                    f"--run-dir {str(run)!r} already holds a run ({MODEL_FILE} or {CHECKPOINT_DIR}/): continue it with "
                    f"`hrl train --resume {run}`, or choose another --run-dir"
                )
            self._check_restart(config, "--run-dir")
            return
        config = read_run_config(run, "--resume")
        if config["algorithm"] != self.algorithm:
            raise ValueError(
                f"--resume {str(run)!r} is a {config['algorithm']!r} run, not a {self.algorithm!r} one ({CONFIG_FILE})"
            )
        checkpoint = latest_checkpoint(run / CHECKPOINT_DIR)
        if checkpoint is None:
            if is_run_config(config) and not (run / MODEL_FILE).exists():
                self._check_restart(config, "--resume")
                self.resume = False
                return
            raise ValueError(
                f"--resume {str(run)!r} has no complete checkpoint in {CHECKPOINT_DIR}/ (was it trained with "
                "--checkpoint-every 0?): train a new run into another --run-dir"
            )
        algorithm = checkpoint.metadata.get("algorithm")
        if algorithm is not None and algorithm != self.algorithm:
            raise ValueError(
                f"checkpoint {str(checkpoint.model_path)!r} is a {algorithm!r} checkpoint, not a {self.algorithm!r} one: "
                "it cannot resume this run"
            )
        self._old_config = config
        self.checkpoint = checkpoint

    def _check_restart(self, config: dict[str, Any], argument: str) -> None:
        """Accept a run of this algorithm killed before its first complete checkpoint, to be started again."""
        if config["algorithm"] != self.algorithm:
            raise ValueError(
                f"{argument} {str(self.run_dir)!r} holds a {config['algorithm']!r} run killed before its first checkpoint, "
                f"not a {self.algorithm!r} one: start it again with its own command ({CONFIG_FILE}), or choose another "
                "--run-dir"
            )
        self._old_config = config
        self.restarting = True

    def prepare(self, model: BaseAlgorithm) -> BaseAlgorithm:
        """Check ``model`` against the options; when resuming, return the checkpoint loaded on ``model``'s env."""
        if self.checkpoint_replay_buffer and not has_replay_buffer(model):
            raise ValueError(
                f"--checkpoint-replay-buffer applies to off-policy learners; {type(model).__name__} has no replay buffer"
            )
        if not self.resume:
            return model
        if self.checkpoint is None:
            self.check_folder()
            if not self.resume:  # killed before its first checkpoint: started again
                return model
        assert self.checkpoint is not None
        loaded = load_checkpoint(self.checkpoint, model)
        assert self._old_config is not None
        if (
            self.total_steps is not None
            and self.checkpoint.num_timesteps >= self.total_steps
            and self._old_config.get("status") == "finished"
            and (self.run_dir / MODEL_FILE).is_file()
        ):
            steps = self.checkpoint.num_timesteps
            env = loaded.get_env()
            if env is not None:
                env.close()
            raise RunFinished(
                f"{self.run_dir} is finished: trained to {steps} steps (--steps {self.total_steps}); nothing was "
                f"changed. To train it longer: hrl train --resume {self.run_dir} --steps N, with N > {steps}"
            )
        if has_replay_buffer(loaded) and self.checkpoint.replay_buffer_path is None:
            print(
                f"warning: {self.checkpoint.model_path} has no replay buffer (train with --checkpoint-replay-buffer to "
                "keep it): the resumed learner starts from an empty one",
                file=sys.stderr,
            )
        return loaded

    def start(self, config: dict[str, Any]) -> dict[str, Any]:
        """Write ``config.yaml`` (a resumed run keeps its config and records the resume); returns the config.

        Before that it deletes what a killed process left: temporary and incomplete checkpoint files and, for a run
        started again (:attr:`restarting`), the logs and evaluations of the killed attempt.
        """
        removed = self._clean()
        if self.restarting:
            shown = ", ".join(str(p.relative_to(self.run_dir)) for p in removed) or "nothing"
            print(
                f"{self.run_dir}: the run was killed before its first complete checkpoint: starting it again from step 0 "
                f"(removed {shown})",
                file=sys.stderr,
            )
        elif removed:
            shown = ", ".join(map(str, removed))
            print(f"{self.run_dir}: removed the partial files of a killed process: {shown}", file=sys.stderr)
        if self.resume:
            assert self._old_config is not None and self.checkpoint is not None
            merged = dict(self._old_config)
            merged["resumes"] = [
                *list(merged.get("resumes") or []),
                {
                    "time": _now(),
                    "from_checkpoint": f"{CHECKPOINT_DIR}/{self.checkpoint.model_path.name}",
                    "num_timesteps": self.checkpoint.num_timesteps,
                    "steps": config.get("steps"),
                    "command": config.get("command"),
                },
            ]
            if "steps" in config:
                merged["steps"] = config["steps"]
            merged["status"] = "running"
            self.config = merged
        else:
            self.config = {**config, "status": "running", "start_time": config.get("start_time", _now())}
            if self.restarting and self._old_config is not None:
                # started again through `--resume`: keep the command that `--resume` re-reads
                if "command" in self._old_config:
                    self.config["command"] = self._old_config["command"]
                self.config["restarts"] = [*list(self._old_config.get("restarts") or []), {"time": _now()}]
        self.config["run_folder"] = RUN_FOLDER_MARK
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        return self.config

    def _clean(self) -> list[pathlib.Path]:
        """Delete the temporary files of a killed process (and the files of a killed attempt when restarting)."""
        removed = remove_partial_checkpoints(self.run_dir / CHECKPOINT_DIR)
        tmp = self.run_dir / f".tmp-{CONFIG_FILE}"
        if tmp.is_file():
            tmp.unlink()
            removed.append(tmp)
        if self.restarting:
            for pattern in _RESTART_FILES:
                for path in sorted(self.run_dir.glob(pattern)):
                    if path.is_file():
                        path.unlink()
                        removed.append(path)
        return removed

    def _write_config(self) -> None:
        text = yaml.safe_dump(plain_data(self.config), sort_keys=False, default_flow_style=None)
        tmp = self.run_dir / f".tmp-{CONFIG_FILE}"
        tmp.write_text(text)
        tmp.replace(self.run_dir / CONFIG_FILE)

    # ------------------------------------------------------------------------------------------------ training
    def learn(
        self,
        model: BaseAlgorithm,
        total_steps: int,
        callbacks: Sequence[Any] = (),
        log_interval: int | None = None,
        progress_bar: bool = False,
    ) -> str:
        """Train ``model`` up to ``total_steps`` environment steps in all; returns ``"finished"`` or ``"interrupted"``.

        A first SIGINT (Ctrl-C) or SIGTERM saves a checkpoint at the next step and stops; a second SIGINT aborts at
        once (a checkpoint is still written). The logger stays open for :meth:`finish`.
        """
        resume_step = model.num_timesteps if self.resume else None
        self._logger = configure_run_logger(self.run_dir / LOG_DIR, self.log_formats, resume_step)
        model.set_logger(self._logger)
        self.callback = CheckpointCallback(
            self.run_dir / CHECKPOINT_DIR,
            save_every=self.checkpoint_every,
            keep=self.keep_checkpoints,
            save_replay_buffer=self.checkpoint_replay_buffer,
            metadata={"algorithm": self.algorithm},
        )
        self._started, self._start_steps = time.perf_counter(), int(model.num_timesteps)
        remaining = int(total_steps) - int(model.num_timesteps)
        kwargs: dict[str, Any] = {} if log_interval is None else {"log_interval": log_interval}
        status = "finished"
        restore = self._install_signal_handlers(self.callback)
        if remaining <= 0:
            print(f"nothing to train: the model is at {model.num_timesteps} steps, --steps is {total_steps}", file=sys.stderr)
        try:
            if remaining > 0:
                model.learn(
                    remaining,
                    callback=[*callbacks, self.callback],
                    reset_num_timesteps=not self.resume,
                    progress_bar=progress_bar,
                    **kwargs,
                )
        except (KeyboardInterrupt, EOFError, BrokenPipeError, ConnectionResetError) as exc:
            if not isinstance(exc, KeyboardInterrupt) and not self.callback.stop_requested:
                raise
            # Ctrl-C reaches the whole process group: SubprocVecEnv workers may have quit before the stop took effect
            status = "interrupted"
            print(f"\ninterrupted at {model.num_timesteps} steps; saving a checkpoint and the model", file=sys.stderr)
            if self.callback.model is not None and self.callback.last_saved != model.num_timesteps:
                self.callback.save()
        finally:
            restore()
        if self.callback.stop_requested:
            status = "interrupted"
        return status

    def _install_signal_handlers(self, callback: CheckpointCallback) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None  # e.g. a Ray Tune trial: signals are the worker's business

        def handler(signum: int, frame: Any) -> None:
            if callback.stop_requested and signum == signal.SIGINT:
                raise KeyboardInterrupt
            callback.request_stop()
            name = signal.Signals(signum).name
            print(f"\n{name}: saving a checkpoint at the next step and stopping (SIGINT again aborts)", file=sys.stderr)

        previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

        def restore() -> None:
            for sig, old in previous.items():
                signal.signal(sig, old)

        return restore

    def record(self, metrics: dict[str, float], step: int) -> None:
        """Append ``metrics`` at ``step`` to ``progress.csv`` and TensorBoard (e.g. the final evaluation, after
        :meth:`finish`)."""
        logger = configure_run_logger(self.run_dir / LOG_DIR, [f for f in self.log_formats if f != "stdout"], step)
        for key, value in metrics.items():
            logger.record(key, value)
        logger.record("time/total_timesteps", step)
        logger.dump(step)
        logger.close()

    def finish(self, model: BaseAlgorithm, status: str) -> dict[str, Any]:
        """Flush the metrics, save ``RUN/model.zip``, record the end of this run (or segment) in ``config.yaml`` and
        close the training environment."""
        if self._logger is not None:
            if self._logger.name_to_value:  # values recorded since SB3's last dump (e.g. the last episodes)
                self._logger.record("time/total_timesteps", model.num_timesteps)
                self._logger.dump(model.num_timesteps)
            self._logger.close()
            self._logger = None
        model.save(self.run_dir / MODEL_FILE)
        wall = time.perf_counter() - self._started
        steps = int(model.num_timesteps) - self._start_steps
        self.config.update(
            status=status,
            end_time=_now(),
            wall_time_s=round(wall, 3),
            total_timesteps=int(model.num_timesteps),
            steps_per_s=round(steps / wall, 3) if wall > 0 else None,
        )
        if self.callback is not None and self.callback.saved:
            self.config["last_checkpoint"] = f"{CHECKPOINT_DIR}/{self.callback.saved[-1].model_path.name}"
        self._write_config()
        env = model.get_env()
        if env is not None:
            try:
                env.close()
            except (EOFError, BrokenPipeError, ConnectionResetError):
                pass  # SubprocVecEnv workers already gone (Ctrl-C reached them too)
        return self.config
