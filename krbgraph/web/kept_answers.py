"""Answers of the named-query API kept per store version, for the readers who ask again.

A dashboard asks ``/api/queries/dwarsverbanden-themas`` every minute; at a million
triples the engine takes about 0.65 s for its 20 rows, the same answer until somebody
writes or the day changes. So an answer of up to ``KEPT_BYTES`` is kept as its bytes in
the aggregates cache (krbgraph.web.aggregates: per write generation, and with the day,
the reader's languages, the parameters and the form in its key) and sent from memory; a
write makes it stale at once, and ``krb serve`` computes it again in the background
(krbgraph.web.rewarm).

A larger answer is kept only when it was costly to write (``COSTLY_S``): a researcher's
script that fetches ``normgat`` of the whole registry every night waited 40 s or more at
a million triples for an answer no write had changed. It is kept as a file on disk
(``KeptFile``), never in memory, weighed against the cache's bound by its size as the
bytes are, so the same bound and the same choice of what goes first hold for both, and
deleted as soon as the cache lets go of it (and no reader is still sending it). A large
answer that was quick to write (a few seconds of streaming) streams from the engine for
each reader, as before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..registry_day import today as registry_today
from ..store import Store
from .aggregates import MAX_ROWS, cached
from .describe import READER_LANGUAGES
from .spooled_export import Spool

__all__ = ["COSTLY_S", "KEPT_BYTES", "KeptFile", "kept_answer"]

KEPT_BYTES = 1024 * 1024
"""An answer up to this size is kept in memory."""

COSTLY_S = 2.0
"""A larger answer that took at least this long to write is kept on disk."""

_BYTES_PER_ROW = 4096
"""What counts as one row of the cache's bound (aggregates.MAX_ROWS) for kept bytes: a
typed row of a research answer holds about that much, so the bound means the same memory."""


class KeptFile:
    """A large answer kept on disk for this store version: each reader opens it for
    itself; the file is deleted when nothing refers to this object any more (an open
    file stays readable after that on POSIX, so a reader being sent it finishes)."""

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = size
        weakref.finalize(self, _delete, path)

    def open(self) -> IO[bytes]:
        return self.path.open("rb")


def kept_answer(
    store: Store,
    name: str,
    values: dict[str, str],
    form: tuple[object, ...],
    export: Callable[[], Spool],
) -> bytes | KeptFile | Spool:
    """The bytes of the answer ``export`` writes, kept for this store version; a large
    costly one as a KeptFile; or the spooled file itself when it is large and was quick
    (the caller sends and closes it).

    ``form`` is everything besides the parameters that shapes the bytes (format, name
    columns). Errors of ``export`` pass through and nothing is kept.
    """
    key = (
        "api-answer",
        name,
        tuple(sorted(values.items())),
        form,
        READER_LANGUAGES.get(),
        registry_today().isoformat(),  # a parameter left out may default to today
    )
    return cached(store, key, lambda: _as_kept(export), _weight)


def _as_kept(export: Callable[[], Spool]) -> bytes | KeptFile | Spool:
    started = time.monotonic()
    spool = export()
    took = time.monotonic() - started
    size = spool.seek(0, 2)
    spool.seek(0)
    if size <= KEPT_BYTES:
        with spool:
            return spool.read()
    if took < COSTLY_S or size // _BYTES_PER_ROW >= MAX_ROWS:
        return spool
    with spool:
        handle, name = tempfile.mkstemp(prefix="answer-", suffix=".bin", dir=_folder())
        with os.fdopen(handle, "wb") as file:
            shutil.copyfileobj(spool, file, 1024 * 1024)
    return KeptFile(Path(name), size)


def _weight(value: bytes | KeptFile | Spool) -> int:
    """Its weight against MAX_ROWS; a spooled file weighs more than the bound, so it is
    not kept."""
    if isinstance(value, bytes):
        return 1 + len(value) // _BYTES_PER_ROW
    if isinstance(value, KeptFile):
        return 1 + value.size // _BYTES_PER_ROW
    return MAX_ROWS + 1


_FOLDER: Path | None = None
_FOLDER_LOCK = threading.Lock()


def _folder() -> Path:
    """This process's folder of kept answers, made on first use; what is left in it
    when the process ends is deleted with it."""
    global _FOLDER
    with _FOLDER_LOCK:
        if _FOLDER is None or not _FOLDER.is_dir():
            _FOLDER = Path(tempfile.mkdtemp(prefix="krb-kept-answers-"))
            weakref.finalize(_FOLDER_LOCK, shutil.rmtree, str(_FOLDER), True)
        return _FOLDER


def _delete(path: Path) -> None:
    path.unlink(missing_ok=True)
