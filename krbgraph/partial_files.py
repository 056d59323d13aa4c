"""Files written beside their target and renamed into place once whole.

`krb dump` and `krb export-excel` never leave a half file where the user's previous one
was: they write ``.NAME.PID.RANDOM.SUFFIX`` beside it and rename. Two things such a file
must also get right, which ``tempfile.mkstemp`` does not:

- its mode: mkstemp makes 0600, and the rename kept it, so a shared export or dump
  (0644) came back readable by its owner alone. A new file here gets the mode any new
  file gets (0666 less the umask, applied by the kernel), or the mode the target has.
- what a killed writer leaves: a process stopped outright cannot remove its part file.
  The writer holds a lock on it while it writes; the next writer to the same target
  removes every part file whose lock is free (a process id alone tells nothing of a
  writer in another container or on another host writing to the same share).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import secrets
import stat
from pathlib import Path

__all__ = ["open_beside", "remove_leftovers"]


def open_beside(path: Path, suffix: str) -> tuple[int, Path]:
    """A new file beside ``path`` for writing, locked while its descriptor is open, with
    the mode ``path`` has or else the one a new file gets; the caller closes it."""
    while True:
        name = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{suffix}"
        try:
            fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
            break
        except FileExistsError:
            continue
    with contextlib.suppress(FileNotFoundError):  # a new target: the mode the umask gives
        os.chmod(fd, stat.S_IMODE(path.stat().st_mode))
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd, name


def remove_leftovers(path: Path, suffix: str) -> None:
    """Remove the part files of earlier writers of ``path`` that no writer holds."""
    for partial in path.parent.glob(f".{glob.escape(path.name)}.*{suffix}"):
        pid = partial.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _being_written(partial):
            partial.unlink(missing_ok=True)


def _being_written(partial: Path) -> bool:
    try:
        with partial.open("rb") as held:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # unreadable, or gone meanwhile: not ours to remove
        return True
    return False
