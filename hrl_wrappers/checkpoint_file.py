"""The file behind a checkpoint path: found as the user named it, and a complete, uncorrupted zip archive.

Stable-Baselines3 reads ``path`` and, when it does not exist, ``path + ".zip"``; its errors then name the second path
(``nope.zip.zip``) or say only "wasn't a zip-file". :func:`checkpoint_file` resolves the path the same way but names
the path the user gave, and checks every member's CRC, so that a truncated or bit-flipped file is reported as such
before anything is unpickled.
"""

from __future__ import annotations

import pathlib
import zipfile
import zlib

__all__ = ["checkpoint_file"]


def checkpoint_file(path: str | pathlib.Path, what: str = "checkpoint") -> pathlib.Path:
    """The existing zip file that ``path`` names (``path`` itself, or ``path`` + ``.zip`` as SB3 reads it).

    :param path: the path the user gave.
    :param what: what the file should be, for the messages (``"checkpoint"``, ``"skill model"``).
    :return: the file, as a path.
    :raises FileNotFoundError: when neither ``path`` nor ``path.zip`` is a file (the message names ``path``).
    :raises ValueError: when the file is not a zip archive, or a truncated or corrupted one.
    """
    given = pathlib.Path(path)
    file = given
    if not file.is_file() and given.suffix != ".zip" and given.with_name(given.name + ".zip").is_file():
        file = given.with_name(given.name + ".zip")
    if not file.is_file():
        where = " (it is a folder)" if given.is_dir() else ""
        raise FileNotFoundError(f"path={str(path)!r}: no such file{where}: give the path of a saved {what} (a .zip file)")
    fix = f"save it again, or load another {what} (e.g. an earlier one of the run's checkpoints)"
    try:
        with zipfile.ZipFile(file) as archive:
            if not _ends_with_its_directory(file, archive):
                # a cut file can still open on a zip stored inside it (SB3 saves each torch tensor file as one)
                raise zipfile.BadZipFile("the file ends before its zip directory")
            broken = archive.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise ValueError(
            f"path={str(path)!r} is not a {what} (not a valid or complete zip archive: truncated or corrupted, {exc}); {fix}"
        ) from None
    if broken is not None:
        raise ValueError(
            f"path={str(path)!r} is not a {what} (not a valid or complete zip archive: its member {broken!r} is "
            f"corrupted, bad CRC); {fix}"
        )
    return file


def _ends_with_its_directory(file: pathlib.Path, archive: zipfile.ZipFile) -> bool:
    """Whether the zip's end-of-directory record (22 bytes and the archive comment) ends the file."""
    tail = 22 + len(archive.comment)
    with open(file, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        if size < tail:
            return False
        handle.seek(size - tail)
        return handle.read(4) == b"PK\x05\x06"
