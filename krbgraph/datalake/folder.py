"""The export folder appears whole or not at all.

Files are written into a hidden sibling folder of the target and renamed into
place only after the last one is complete, so a failed or interrupted export
never leaves half an export where a researcher will look for one. A target
that holds files is refused; with ``overwrite`` it is replaced, but only when
every file in it is one an export writes, so a mistyped folder (a home
directory, a project) is never removed.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["ExportRefused", "check_target", "staged_folder"]

EXPORT_SUFFIXES = frozenset({".parquet", ".csv", ".json", ".ttl"})
"""What an export folder holds; a folder with anything else is not replaced."""
MARKER = "catalogus.ttl"
"""The file every complete export has."""


class ExportRefused(Exception):
    """The target folder cannot take the export; the message says why and what to do."""


def check_target(target: Path, *, overwrite: bool) -> None:
    """Raise ExportRefused when ``target`` cannot take an export (see the module)."""
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
    foreign = [
        entry.name
        for entry in entries
        if not entry.is_file() or entry.suffix not in EXPORT_SUFFIXES
    ]
    if foreign or not (target / MARKER).is_file():
        shown = ", ".join(foreign[:5]) or f"no {MARKER}"
        raise ExportRefused(
            f"{target} does not hold an earlier export ({shown}); --overwrite only "
            "replaces a folder written by this command"
        )


@contextmanager
def staged_folder(target: Path, *, overwrite: bool) -> Iterator[Path]:
    """A fresh folder to write into, renamed to ``target`` when the block succeeds.

    Raises ExportRefused before anything is written when ``target`` cannot take
    the export. When the block raises, the staged folder is removed and
    ``target`` is left as it was.
    """
    target = target.absolute()
    check_target(target, overwrite=overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = _sibling(target, "part")
    staging.mkdir()  # with the user's umask, unlike tempfile's private folders
    try:
        yield staging
        check_target(target, overwrite=overwrite)  # nothing else wrote there meanwhile
        _publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _publish(staging: Path, target: Path) -> None:
    if not target.exists():
        staging.rename(target)
        return
    if not any(target.iterdir()):
        target.rmdir()
        staging.rename(target)
        return
    # Replacing an earlier export: move it aside, move the new one in, then remove
    # the old one; if the second rename fails the old export is put back.
    old = _sibling(target, "old")
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _sibling(target: Path, kind: str) -> Path:
    """A hidden name beside ``target`` that nothing else uses."""
    return target.parent / f".{target.name}.{secrets.token_hex(6)}.{kind}"
