"""An SB3 logger writing to a run folder's ``progress.csv`` and TensorBoard events, which a resumed run continues.

SB3's own ``configure`` truncates ``progress.csv`` and starts a TensorBoard file that overlaps the old one. With
``resume_step=T`` (the timestep count of the checkpoint a run resumes from), :func:`configure_run_logger`:

* keeps the rows of ``progress.csv`` up to step ``T`` (those after it were logged by the lost part of a killed run)
  and appends to it, adding columns as new keys appear, as SB3 does;
* opens a new TensorBoard writer in the same folder with ``purge_step=T + 1``, so TensorBoard discards the old
  events after ``T`` and shows one curve.

Example:
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> logger = configure_run_logger(folder, ["csv"])
    >>> for step in (10, 20, 30):
    ...     logger.record("time/total_timesteps", step)
    ...     logger.record("loss", step / 10)
    ...     logger.dump(step)
    >>> logger.close()
    >>> logger = configure_run_logger(folder, ["csv"], resume_step=20)  # resumed from a checkpoint at step 20
    >>> logger.record("time/total_timesteps", 25); logger.record("accuracy", 0.5); logger.dump(25)
    >>> logger.close()
    >>> import csv
    >>> rows = list(csv.DictReader(open(f"{folder}/progress.csv")))  # step 30 was after the checkpoint: dropped
    >>> [(row["time/total_timesteps"], row["loss"], row["accuracy"]) for row in rows]
    [('10', '1.0', ''), ('20', '2.0', ''), ('25', '', '0.5')]
"""

from __future__ import annotations

import csv
import os
import pathlib
import sys
from collections.abc import Sequence

from stable_baselines3.common.logger import (
    CSVOutputFormat,
    HumanOutputFormat,
    KVWriter,
    Logger,
    TensorBoardOutputFormat,
)

__all__ = ["ResumableCSVOutputFormat", "ResumableTensorBoardOutputFormat", "configure_run_logger"]

STEP_KEY = "time/total_timesteps"


class ResumableCSVOutputFormat(CSVOutputFormat):
    """SB3's CSV output continuing an existing file: rows whose ``step_key`` exceeds ``resume_step`` are dropped.

    :param filename: the CSV file (created if missing).
    :param resume_step: keep the existing rows up to this step (None: start a new file, as SB3 does).
    :param step_key: the column holding the step.
    """

    def __init__(self, filename: str | os.PathLike[str], resume_step: int | None = None, step_key: str = STEP_KEY) -> None:
        path = pathlib.Path(filename)
        if resume_step is None or not path.is_file() or path.stat().st_size == 0:
            super().__init__(str(path))
            return
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
        header, body = rows[0], rows[1:]
        column = header.index(step_key) if step_key in header else None

        def keep(row: list[str]) -> bool:
            if column is None or column >= len(row) or not row[column]:
                return True
            try:
                return float(row[column]) <= resume_step
            except ValueError:
                return True

        kept = [row for row in body if keep(row)]
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(kept)
        self.file = path.open("r+")
        self.file.seek(0, os.SEEK_END)
        self.keys = list(header)
        self.separator = ","
        self.quotechar = '"'


class ResumableTensorBoardOutputFormat(TensorBoardOutputFormat):
    """SB3's TensorBoard output; with ``resume_step`` TensorBoard drops the folder's older events after that step."""

    def __init__(self, folder: str | os.PathLike[str], resume_step: int | None = None) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.writer = SummaryWriter(log_dir=str(folder), purge_step=None if resume_step is None else resume_step + 1)
        self._is_closed = False


def configure_run_logger(
    folder: str | os.PathLike[str],
    formats: Sequence[str] = ("stdout", "csv", "tensorboard"),
    resume_step: int | None = None,
) -> Logger:
    """An SB3 :class:`~stable_baselines3.common.logger.Logger` into ``folder`` (``progress.csv``, TensorBoard events).

    :param folder: the log folder (created).
    :param formats: any of ``"stdout"``, ``"csv"``, ``"tensorboard"``.
    :param resume_step: the step a resumed run continues from (see the module docstring); None for a new run.
    :return: the logger; pass it to ``model.set_logger``.
    """
    path = pathlib.Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    outputs: list[KVWriter] = []
    for name in formats:
        if name == "stdout":
            outputs.append(HumanOutputFormat(sys.stdout))
        elif name == "csv":
            outputs.append(ResumableCSVOutputFormat(path / "progress.csv", resume_step))
        elif name == "tensorboard":
            outputs.append(ResumableTensorBoardOutputFormat(path, resume_step))
        else:
            raise ValueError(f"formats: unknown format {name!r}; expected 'stdout', 'csv' or 'tensorboard'")
    return Logger(folder=str(path), output_formats=outputs)
