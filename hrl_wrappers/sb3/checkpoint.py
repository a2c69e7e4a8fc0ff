"""Periodic, crash-safe checkpoints of any SB3 algorithm, and resuming from the latest one.

:class:`CheckpointCallback` saves ``model.save(...)`` (every network and optimizer the algorithm lists in
``_get_torch_save_params``: for the skill agents the reward model and its optimizer too) every ``save_every``
environment steps and, when asked, the replay buffer. Each checkpoint is written under a temporary name and renamed
into place, and its ``.json`` record is written last, so a process killed mid-save (SIGKILL) leaves the previous
checkpoint intact and at most one interval of training is lost. :meth:`CheckpointCallback.request_stop` (what a
SIGINT handler calls) saves one more checkpoint at the next step and stops ``learn`` cleanly.

:func:`latest_checkpoint` finds the newest complete checkpoint of a folder and :func:`load_checkpoint` loads it into
the class of a freshly built model, on that model's environment, refusing checkpoints of another class.

Example:
    >>> import tempfile
    >>> from stable_baselines3 import PPO
    >>> folder = tempfile.mkdtemp()
    >>> model = PPO("MlpPolicy", "Pendulum-v1", n_steps=64, batch_size=32, policy_kwargs={"net_arch": [8]})
    >>> _ = model.learn(128, callback=CheckpointCallback(folder, save_every=64))
    >>> checkpoint = latest_checkpoint(folder)
    >>> checkpoint.num_timesteps, checkpoint.model_path.name
    (128, 'checkpoint_128_steps.zip')
    >>> fresh = PPO("MlpPolicy", "Pendulum-v1", n_steps=64, batch_size=32, policy_kwargs={"net_arch": [8]})
    >>> load_checkpoint(checkpoint, fresh).num_timesteps
    128
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import pathlib
import re
from typing import Any, cast

from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm

__all__ = [
    "Checkpoint",
    "CheckpointCallback",
    "class_path",
    "has_replay_buffer",
    "latest_checkpoint",
    "load_checkpoint",
    "remove_partial_checkpoints",
]

_RECORD = re.compile(r"^(?P<prefix>.+)_(?P<steps>\d+)_steps\.json$")
FORMAT_VERSION = 1


def class_path(cls: type) -> str:
    """``module.QualName`` of a class, as checkpoints record it."""
    return f"{cls.__module__}.{cls.__qualname__}"


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    """One complete checkpoint: its record (``.json``), model zip and optional replay buffer."""

    record_path: pathlib.Path
    model_path: pathlib.Path
    replay_buffer_path: pathlib.Path | None
    num_timesteps: int
    model_class: str
    metadata: dict[str, Any]


def has_replay_buffer(model: Any) -> bool:
    """Whether ``model`` can save and load a replay buffer (an SB3 off-policy algorithm, or e.g. HIRO's two)."""
    return isinstance(model, OffPolicyAlgorithm) or (
        callable(getattr(model, "save_replay_buffer", None)) and callable(getattr(model, "load_replay_buffer", None))
    )


def _atomic_write_text(path: pathlib.Path, text: str) -> None:
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(text)
    os.replace(tmp, path)


def read_checkpoint(record_path: str | os.PathLike[str]) -> Checkpoint:
    """The :class:`Checkpoint` described by a ``.json`` record; ``ValueError`` naming it if it is unusable."""
    record = pathlib.Path(record_path)
    try:
        data = json.loads(record.read_text())
        model_path = record.with_name(str(data["model"]))
        replay = data.get("replay_buffer")
        checkpoint = Checkpoint(
            record_path=record,
            model_path=model_path,
            replay_buffer_path=None if replay is None else record.with_name(str(replay)),
            num_timesteps=int(data["num_timesteps"]),
            model_class=str(data["class"]),
            metadata=dict(data.get("metadata") or {}),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"checkpoint record {str(record)!r} is unreadable ({type(exc).__name__}: {exc})") from None
    missing = [p for p in (checkpoint.model_path, checkpoint.replay_buffer_path) if p is not None and not p.is_file()]
    if missing:
        raise ValueError(f"checkpoint record {str(record)!r} names missing file(s): {', '.join(map(str, missing))}")
    return checkpoint


def latest_checkpoint(folder: str | os.PathLike[str]) -> Checkpoint | None:
    """The complete checkpoint with the most timesteps in ``folder`` (None if there is none)."""
    path = pathlib.Path(folder)
    if not path.is_dir():
        return None
    found: list[tuple[int, pathlib.Path]] = []
    for entry in path.iterdir():
        match = _RECORD.match(entry.name)
        if match is not None:
            found.append((int(match.group("steps")), entry))
    for _, record in sorted(found, reverse=True):
        try:
            return read_checkpoint(record)
        except ValueError:
            continue  # e.g. its files pruned or half-deleted: take the previous one
    return None


def remove_partial_checkpoints(folder: str | os.PathLike[str], prefix: str = "checkpoint") -> list[pathlib.Path]:
    """Delete what a process killed while saving left in ``folder``; returns the deleted files.

    Only files :class:`CheckpointCallback` writes with ``prefix`` are considered: its temporary files
    (``.tmp-<prefix>_*``) and the model zips and replay buffers that no readable ``.json`` record names (written just
    before a kill, or left by a kill while pruning). Complete checkpoints and any other file are kept.
    """
    path = pathlib.Path(folder)
    if not path.is_dir():
        return []
    named: set[str] = set()
    for entry in path.iterdir():
        match = _RECORD.match(entry.name)
        if match is not None and match["prefix"] == prefix:
            try:
                checkpoint = read_checkpoint(entry)
            except ValueError:
                continue
            named.update(p.name for p in (checkpoint.model_path, checkpoint.replay_buffer_path) if p is not None)
    data = re.compile(rf"^{re.escape(prefix)}_\d+_(steps\.zip|replay_buffer\.pkl)$")
    removed = []
    for entry in sorted(path.iterdir()):
        if not entry.is_file():
            continue
        if entry.name.startswith(f".tmp-{prefix}_") or (data.match(entry.name) and entry.name not in named):
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def load_checkpoint(checkpoint: Checkpoint, model: BaseAlgorithm, device: str | None = None) -> BaseAlgorithm:
    """Load ``checkpoint`` as ``type(model)``, on ``model``'s environment (and replay buffer, if it was saved).

    ``model`` is a freshly built model of the run (same class, same environment); it is used for its class, its
    environment and its device, and the loaded model replaces it.

    :param checkpoint: from :func:`latest_checkpoint` or :func:`read_checkpoint`.
    :param model: a model built the same way as the one that was checkpointed.
    :param device: torch device (default: ``model``'s).
    :return: the loaded model, with the checkpoint's timestep count, networks and optimizers.
    :raises ValueError: if the checkpoint was written by another class, or its files cannot be loaded as one.
    """
    expected = class_path(type(model))
    if checkpoint.model_class != expected:
        raise ValueError(
            f"checkpoint {str(checkpoint.model_path)!r} is a {checkpoint.model_class} checkpoint, but this run trains a "
            f"{expected}: it cannot be resumed from it"
        )
    env = model.get_env()
    try:
        loaded = type(model).load(checkpoint.model_path, env=env, device=device or str(model.device))
    except (ValueError, KeyError, RuntimeError, AssertionError) as exc:
        raise ValueError(f"checkpoint {str(checkpoint.model_path)!r} cannot be loaded as a {expected}: {exc}") from None
    if checkpoint.replay_buffer_path is not None:
        if not has_replay_buffer(loaded):
            raise ValueError(f"checkpoint {str(checkpoint.record_path)!r} has a replay buffer but {expected} has none")
        cast(Any, loaded).load_replay_buffer(checkpoint.replay_buffer_path)
    return loaded


class CheckpointCallback(BaseCallback):
    """Save the model (and, if asked, its replay buffer) every ``save_every`` environment steps, crash-safely.

    A checkpoint falls due when the step count crosses a multiple of ``save_every`` and is written when the next
    rollout starts (SAC with ``train_freq=1``: at that step, after its transition is stored and trained on; PPO: after
    the rollout's update), so a resumed learner has every transition its timestep count says it has.
    :meth:`request_stop` saves at once (the transition of that step is not in the replay buffer yet).

    Files in ``folder``: ``<prefix>_<steps>_steps.zip`` (``model.save``), ``<prefix>_<steps>_replay_buffer.pkl``
    (with ``save_replay_buffer``) and ``<prefix>_<steps>_steps.json``, the record naming them, written last.

    :param folder: where checkpoints go (created).
    :param save_every: environment steps (all environments together) between checkpoints; 0 saves only on
        :meth:`request_stop` and at the end of training.
    :param keep: how many checkpoints to keep (older ones are deleted); 0 keeps all.
    :param save_replay_buffer: also save the replay buffer (off-policy algorithms).
    :param save_on_training_end: save once more when ``learn`` returns (unless the last save was at that step).
    :param prefix: file name prefix.
    :param metadata: plain data stored in each record (e.g. the algorithm's name in a run folder).
    :param verbose: 1 prints a line per checkpoint.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        save_every: int,
        keep: int = 2,
        save_replay_buffer: bool = False,
        save_on_training_end: bool = True,
        prefix: str = "checkpoint",
        metadata: dict[str, Any] | None = None,
        verbose: int = 0,
    ) -> None:
        super().__init__(verbose)
        if save_every < 0:
            raise ValueError(f"save_every must be >= 0 (0: only on stop and at the end), got {save_every}")
        if keep < 0:
            raise ValueError(f"keep must be >= 0 (0: keep all), got {keep}")
        if not prefix or "/" in prefix:
            raise ValueError(f"prefix must be a non-empty file name part, got {prefix!r}")
        self.folder = pathlib.Path(folder)
        self.save_every = int(save_every)
        self.keep = int(keep)
        self.save_replay_buffer = bool(save_replay_buffer)
        self.save_on_training_end = bool(save_on_training_end)
        self.prefix = prefix
        self.metadata = dict(metadata or {})
        self.last_saved: int | None = None
        self.stop_requested = False
        self.saved: list[Checkpoint] = []
        self._due = False

    def _init_callback(self) -> None:
        if self.save_replay_buffer and not has_replay_buffer(self.model):
            raise ValueError(
                f"save_replay_buffer=True needs an off-policy algorithm with a replay buffer, got {type(self.model).__name__}"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.last_saved is None:
            self.last_saved = self.model.num_timesteps  # a resumed run does not re-save the step it starts from

    def request_stop(self) -> None:
        """Save at the next environment step and stop training (safe to call from a signal handler)."""
        self.stop_requested = True

    def _on_step(self) -> bool:
        if self.stop_requested:
            self.save()
            return False
        if self.save_every > 0:
            assert self.last_saved is not None
            if self.num_timesteps // self.save_every > self.last_saved // self.save_every:
                self._due = True
        return True

    def _on_rollout_start(self) -> None:
        # saved between rollouts: the transitions collected so far are in the replay buffer and trained on
        if self._due:
            self.save()

    def _on_training_end(self) -> None:
        if self.save_on_training_end and self.last_saved != self.num_timesteps:
            self.save()

    def save(self) -> Checkpoint:
        """Write a checkpoint of the model now; returns it."""
        steps = int(self.model.num_timesteps)
        stem = f"{self.prefix}_{steps}"
        model_path = self.folder / f"{stem}_steps.zip"
        tmp_model = self.folder / f".tmp-{stem}_steps.zip"
        self.model.save(tmp_model)
        os.replace(tmp_model, model_path)
        replay_path: pathlib.Path | None = None
        if self.save_replay_buffer:
            replay_path = self.folder / f"{stem}_replay_buffer.pkl"
            tmp_replay = self.folder / f".tmp-{stem}_replay_buffer.pkl"
            cast(Any, self.model).save_replay_buffer(tmp_replay)
            os.replace(tmp_replay, replay_path)
        record = self.folder / f"{stem}_steps.json"
        data = {
            "format": FORMAT_VERSION,
            "num_timesteps": steps,
            "class": class_path(type(self.model)),
            "model": model_path.name,
            "replay_buffer": None if replay_path is None else replay_path.name,
            "time": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "metadata": self.metadata,
        }
        _atomic_write_text(record, json.dumps(data, indent=2) + "\n")  # the commit point
        checkpoint = read_checkpoint(record)
        self.saved.append(checkpoint)
        self.last_saved = steps
        self._due = False
        self._prune()
        if self.verbose >= 1:
            print(f"[CheckpointCallback] saved {model_path} at {steps} steps")
        return checkpoint

    def _prune(self) -> None:
        if self.keep == 0:
            return
        records = sorted(
            (
                (int(m.group("steps")), e)
                for e in self.folder.iterdir()
                if (m := _RECORD.match(e.name)) and m["prefix"] == self.prefix
            ),
            reverse=True,
        )
        for _, record in records[self.keep :]:
            try:
                old = read_checkpoint(record)
            except ValueError:
                continue
            record.unlink(missing_ok=True)  # the record first: a crash in between leaves no record naming lost files
            old.model_path.unlink(missing_ok=True)
            if old.replay_buffer_path is not None:
                old.replay_buffer_path.unlink(missing_ok=True)
