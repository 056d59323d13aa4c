"""The write lock with a waiting limit: a writer waits for the running write, but not forever.

Writes are serialised by one lock per application (``app.state.write_lock``).
A long write (a large workbook being validated) would otherwise keep every
other writer hanging with an open connection for as long as it runs. Here a
writer waits at most ``settings.write_wait_s`` seconds, then gets 503 with
``Retry-After``, so clients know the service is busy rather than stuck and
when to try again.

``hold_write_lock(request)`` is a context manager that can also be handed
to code that takes ``lock=`` and enters it with ``with lock:`` (writes.py).

Whoever holds the lock first makes sure the derived graph is of the store's data
(krbgraph.derived.ensure_current), and does so again when a write failed in the
store. A write whose reply was lost (a server that committed and died, a proxy that
cut the connection) may have been committed: its derived graph is then marked stale
(krbgraph.derived_stale), and without this a running service served the dates in
force from before that write until it was restarted, and derived every later write's
dates from them.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from types import TracebackType

from fastapi import Request
from fastapi.responses import JSONResponse

from ..derived import ensure_current
from ..derived_stale import may_have_written
from ..store import StoreError

log = logging.getLogger(__name__)


class WriterBusy(Exception):
    """Another write held the lock for longer than this writer may wait (HTTP 503)."""

    def __init__(self, waited_s: float) -> None:
        super().__init__(
            f"Another write is in progress; this one waited {waited_s:g} s. Try again later."
        )
        self.waited_s = waited_s

    @property
    def retry_after(self) -> int:
        """Seconds a client should wait before trying again (at least 1)."""
        return max(1, math.ceil(self.waited_s))


def hold_write_lock(request: Request) -> BoundedLock:
    """The application's write lock, waited for at most ``settings.write_wait_s`` seconds;
    the derived graph is made current when it is taken and after a write the store
    failed."""
    store = request.app.state.store
    return BoundedLock(
        request.app.state.write_lock,
        request.app.state.settings.write_wait_s,
        held=lambda: ensure_current(store),
    )


class BoundedLock:
    """A lock entered with ``with``, waiting at most ``wait_s``; raises WriterBusy on entry.

    Usable in a worker thread (the lock is a threading.Lock) and more than
    once, one holder at a time.
    """

    def __init__(
        self, lock: threading.Lock, wait_s: float, *, held: Callable[[], object] | None = None
    ) -> None:
        self._lock = lock
        self.wait_s = wait_s
        self._held = held
        """Run with the lock taken, and again on leaving it after a StoreError."""

    def __enter__(self) -> BoundedLock:
        if not self._lock.acquire(timeout=self.wait_s):
            raise WriterBusy(self.wait_s)
        if self._held is not None:
            try:
                self._held()
            except BaseException:
                self._lock.release()
                raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._held is not None and isinstance(exc, StoreError) and may_have_written(exc):
                try:
                    self._held()
                except StoreError:  # still away: the next writer's turn tries again
                    log.warning("the derived graph could not be checked after a failed write")
        finally:
            self._lock.release()


async def writer_busy(request: Request, exc: Exception) -> JSONResponse:
    """Exception handler for WriterBusy: 503 with Retry-After."""
    assert isinstance(exc, WriterBusy)
    return JSONResponse(
        {"detail": str(exc)},
        status_code=503,
        headers={"Retry-After": str(exc.retry_after)},
    )
