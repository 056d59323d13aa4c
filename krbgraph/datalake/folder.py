"""The export folder appears whole or not at all, and holds nothing else.

Files are written into a hidden sibling folder of the target and swapped into
place only after the last one is complete, so a failed or interrupted export
never leaves half an export where a researcher will look for one. A target
that holds files is refused; with ``overwrite`` it is replaced, but only when
every file in it is one the export writes, by name: a researcher's own
``analyse.csv`` beside an earlier export, or a mistyped folder (a home
directory, a project), is never removed.

The swap is one atomic exchange of the two names where the system offers it
(Linux ``renameat2``), so no moment exists without the target. The staging
folder is locked while an export writes it; a later export removes the
unlocked ones a killed export left behind, but only a folder with exactly the
name an export gives (``.DIR.<12 hex digits>.part``) that holds nothing but
export files: a researcher's own ``.DIR.concept.part`` is never touched. A
target that is a symbolic link is the folder it points to.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["ExportRefused", "check_target", "staged_folder"]

MARKER = "catalogus.ttl"
"""The file every complete export has."""


class ExportRefused(Exception):
    """The target folder cannot take the export; the message says why and what to do."""


def check_target(target: Path, *, overwrite: bool, ours: frozenset[str]) -> None:
    """Raise ExportRefused when ``target`` cannot take an export of the files ``ours``."""
    if target.exists() and not target.is_dir():
        raise ExportRefused(f"{target} is a file, not a folder")
    if not target.is_dir():
        return
    entries = sorted(target.iterdir())
    if not entries:
        return
    if not overwrite:
        raise ExportRefused(
            f"{target} is not empty; choose a new or empty folder, or give --overwrite "
            "to replace an earlier export"
        )
    foreign = [entry.name for entry in entries if not entry.is_file() or entry.name not in ours]
    if foreign or not (target / MARKER).is_file():
        shown = ", ".join(foreign[:5]) or f"no {MARKER}"
        raise ExportRefused(
            f"{target} holds files an export does not write ({shown}); --overwrite only "
            "replaces a folder written by this command, so move them elsewhere first"
        )


@contextmanager
def staged_folder(target: Path, *, overwrite: bool, ours: frozenset[str]) -> Iterator[Path]:
    """A fresh folder to write into, swapped into ``target`` when the block succeeds.

    Raises ExportRefused before anything is written when ``target`` cannot take
    the export. When the block raises, the staged folder is removed and
    ``target`` is left as it was.
    """
    target = Path(os.path.realpath(target))  # through a link: the folder it names
    if target.parent.is_dir():
        _remove_leftovers(target, ours)
    check_target(target, overwrite=overwrite, ours=ours)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Made under another name and locked before it is named a staging folder, so no
    # other export ever takes it for one a killed export left behind.
    made = _sibling(target, "new")
    made.mkdir()  # with the user's umask, unlike tempfile's private folders
    lock = _lock(made)
    staging = made.rename(made.with_suffix(".part"))
    try:
        yield staging
        check_target(target, overwrite=overwrite, ours=ours)  # nothing else wrote meanwhile
        _publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        os.close(lock)


def _publish(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    if not any(target.iterdir()):
        target.rmdir()
        staging.rename(target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now the earlier export
        return
    # No atomic exchange here: move the earlier export aside, the new one in, then
    # remove the old one; if the second rename fails the old export is put back.
    old = _sibling(target, "old")
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False where the system has no such call."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # an old kernel, or a file system without it
    raise OSError(code, os.strerror(code), str(second))


def _lock(folder: Path) -> int:
    """Hold a lock on ``folder`` for as long as this process writes it."""
    handle = os.open(folder, os.O_RDONLY)
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


def _remove_leftovers(target: Path, ours: frozenset[str]) -> None:
    """Remove the staging folders of exports to ``target`` that were killed.

    A running export holds the lock on its folder, so only a folder whose lock
    can be taken is left over; the lock goes with its process, wherever that ran.
    Only folders named as an export names them and holding only files in ``ours``
    are looked at: anything else beside the target is the user's.
    """
    for leftover in _siblings_of(target, "part", ours):
        try:
            handle = os.open(leftover, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue  # another export is writing it
        finally:
            os.close(handle)
    # Where the two-step replace was cut between its renames, the earlier export
    # waits beside the target: put it back, or remove it once the target is there.
    for earlier in _siblings_of(target, "old", ours):
        if target.exists():
            shutil.rmtree(earlier, ignore_errors=True)
        else:
            earlier.rename(target)


def _siblings_of(target: Path, kind: str, ours: frozenset[str]) -> list[Path]:
    """The folders beside ``target`` an export to it made (``_sibling``): the exact name
    pattern, a real folder (no link), nothing in it but export files."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{12}}\.{kind}")
    found = []
    for entry in target.parent.iterdir():
        if not pattern.fullmatch(entry.name) or entry.is_symlink() or not entry.is_dir():
            continue
        if all(item.is_file() and item.name in ours for item in entry.iterdir()):
            found.append(entry)
    return found


def _sibling(target: Path, kind: str) -> Path:
    """A hidden name beside ``target`` that nothing else uses."""
    return target.parent / f".{target.name}.{secrets.token_hex(6)}.{kind}"
