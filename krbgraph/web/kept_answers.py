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
(``KeptFile``), never in memory: it weighs one row against the cache's bound (a memory
bound), and the files of the process together are bounded by ``KEPT_FILE_BYTES`` of
disk (past that an answer streams for each reader, as before). A file is deleted as
soon as the cache lets go of it (and no reader is still sending it); it is not
computed again in the background after a write (krbgraph.web.rewarm: minutes of the
engine at a million triples for an answer nobody may ask again). A disk that is full
costs the keeping, never the answer. A large answer that was quick to write streams
from the engine for each reader, as before.
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

from fastapi.responses import Response, StreamingResponse

from ..store import Store
from .aggregates import MAX_ROWS, cached, today_in_key
from .describe import READER_LANGUAGES
from .spooled_export import Spool, spooled_chunks

__all__ = [
    "COSTLY_S",
    "KEPT_BYTES",
    "KEPT_FILE_BYTES",
    "KeptFile",
    "answer_response",
    "kept_answer",
]

KEPT_BYTES = 1024 * 1024
"""An answer up to this size is kept in memory."""

COSTLY_S = 2.0
"""A larger answer that took at least this long to write is kept on disk."""

KEPT_FILE_BYTES = 1024 * 1024 * 1024
"""Disk the kept files of this process may take together."""

_BYTES_PER_ROW = 4096
"""What counts as one row of the cache's bound (aggregates.MAX_ROWS) for kept bytes: a
typed row of a research answer holds about that much, so the bound means the same memory."""


class KeptFile:
    """A large answer kept on disk for this store version: each reader opens it for
    itself; the file is deleted when nothing refers to this object any more (an open
    file stays readable after that on POSIX, so a reader being sent it finishes)."""

    rewarmed = False
    """Not computed again after a write (krbgraph.web.aggregates.rewarm)."""

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = size
        weakref.finalize(self, _delete, path, size)

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
        today_in_key(),  # a parameter left out may default to today
    )
    return cached(store, key, lambda: _as_kept(export), _weight)


def answer_response(
    answer: bytes | KeptFile | Spool, media_type: str, headers: dict[str, str]
) -> Response:
    """The response sending ``answer``: from memory, from its kept file, or streamed
    from the spooled file (closed at the end). A kept file is opened here, while the
    request still refers to it: the cache may let go of it (and delete it) meanwhile."""
    if isinstance(answer, bytes):
        return Response(answer, media_type=media_type, headers=headers)
    if isinstance(answer, KeptFile):
        chunks = spooled_chunks(answer.open(), 1024 * 1024)
    else:
        chunks = spooled_chunks(answer)
    return StreamingResponse(chunks, media_type=media_type, headers=headers)


def _as_kept(export: Callable[[], Spool]) -> bytes | KeptFile | Spool:
    started = time.monotonic()
    spool = export()
    took = time.monotonic() - started
    size = spool.seek(0, 2)
    spool.seek(0)
    if size <= KEPT_BYTES:
        with spool:
            return spool.read()
    if took < COSTLY_S or not _reserve(size):
        return spool
    try:
        handle, name = tempfile.mkstemp(prefix="answer-", suffix=".bin", dir=_folder())
    except OSError:
        _release(size)
        return spool
    try:
        with os.fdopen(handle, "wb") as file:
            shutil.copyfileobj(spool, file, 1024 * 1024)
    except OSError:  # a full disk costs the keeping, not the answer
        _delete(Path(name), size)
        spool.seek(0)
        return spool
    spool.close()
    return KeptFile(Path(name), size)


def _weight(value: bytes | KeptFile | Spool) -> int:
    """Its weight against MAX_ROWS (memory): a kept file weighs one row, a spooled file
    more than the bound, so it is not kept."""
    if isinstance(value, bytes):
        return 1 + len(value) // _BYTES_PER_ROW
    if isinstance(value, KeptFile):
        return 1
    return MAX_ROWS + 1


_ON_DISK = 0
_ON_DISK_LOCK = threading.Lock()


def _reserve(size: int) -> bool:
    """Whether a file of ``size`` bytes fits KEPT_FILE_BYTES; if so it is counted."""
    global _ON_DISK
    with _ON_DISK_LOCK:
        if _ON_DISK + size > KEPT_FILE_BYTES:
            return False
        _ON_DISK += size
        return True


def _release(size: int) -> None:
    global _ON_DISK
    with _ON_DISK_LOCK:
        _ON_DISK -= size


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


def _delete(path: Path, size: int) -> None:
    path.unlink(missing_ok=True)
    _release(size)
