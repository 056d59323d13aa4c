"""After a write, compute again in the background what readers will ask for first.

The aggregates behind pages (krbgraph.web.aggregates) and the label index of the
search box (krbgraph.web.search) are kept per write generation of the store: a
write makes them stale, and the first reader after it waited while they were
computed from the whole registry (the home page 2.6 s, the first search 12 s at
a million triples). ``Rewarmer`` does that work on one background thread after
writes instead, so readers find it done.

The application also schedules one round when it starts: nothing was read yet,
so it only builds the search index, which is the same for every reader (the
aggregates are kept per reader language and are left to the readers). The names of
every resource that a whole-registry export read before the write (in the languages it
read them) are read again too (krbgraph.labels.preload_again): about a second at a
million triples, which the first such export after the write would otherwise pay; and
the spellings of names with capitals, if a name typed in another case needed them
before (krbgraph.queries.read_spellings_again: 3-4 s at a million triples).

One thread per application. A round starts once writes have paused for
``QUIET_S`` (a stream of writes would make every round stale before it ends: at
a million triples a round reads for some 20 s), and writes that come while it
works are coalesced into one more round. Only an application that opened its
own store runs one (``krb serve``): it stops the thread before it closes the
store. A store handed in by a caller (tests, embedding) has an owner that may
close it at any moment.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from ..labels import preload_again
from ..queries import read_spellings_again
from ..store import Store
from .aggregates import rewarm

__all__ = ["RewarmAfterWrites", "Rewarmer"]

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})

QUIET_S = 1.0
"""Seconds without a write before a round starts."""


class Rewarmer:
    """One background thread that warms the caches of a store after writes."""

    def __init__(self, warm_index: Callable[[Store], object], *, quiet_s: float = QUIET_S) -> None:
        self._warm_index = warm_index
        self.quiet_s = quiet_s
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = False
        self._store: Store | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def schedule(self, store: Store) -> None:
        """Warm the caches of ``store`` soon (once, however many writes ask meanwhile)."""
        with self._lock:
            if self._stopping:
                return
            self._store = store
            self._idle.clear()
            self._wanted.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="krb-rewarm", daemon=True)
                self._thread.start()

    def wait_idle(self, timeout_s: float | None = None) -> bool:
        """Whether every scheduled round has finished (within ``timeout_s``)."""
        return self._idle.wait(timeout_s)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Finish the round under way (a query cannot be interrupted) and end the thread."""
        with self._lock:
            self._stopping = True
            thread = self._thread
            self._wanted.set()
        if thread is not None:
            thread.join(timeout_s)

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            while True:  # until the writes pause
                with self._lock:
                    self._wanted.clear()
                    stopping = self._stopping
                if stopping or not self._wanted.wait(self.quiet_s):
                    break
            with self._lock:
                store, stopping = self._store, self._stopping
            if stopping or store is None:
                self._idle.set()
                return
            try:
                generation = getattr(store, "write_generation", None)
                rewarm(store)
                if getattr(store, "write_generation", None) == generation:
                    self._warm_index(store)
                if getattr(store, "write_generation", None) == generation:
                    preload_again(store)
                if getattr(store, "write_generation", None) == generation:
                    read_spellings_again(store)
            except Exception:  # noqa: BLE001 -- readers compute it themselves then
                log.debug("warming the caches after a write failed", exc_info=True)
            with self._lock:
                if not self._wanted.is_set():
                    self._idle.set()


class RewarmAfterWrites:
    """Schedules the app's Rewarmer after a request that wrote to its store.

    Plain ASGI, like the other middleware, so streamed bodies stay streamed. A write
    is told by the store's ``write_generation`` (krbgraph.store.backend), which every
    write method moves, so a refused write schedules nothing.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        before = getattr(state.store, "write_generation", None)
        try:
            await self.app(scope, receive, send)
        finally:
            rewarmer: Rewarmer | None = getattr(state, "rewarmer", None)
            store = state.store
            wrote = getattr(store, "write_generation", None) != before
            if rewarmer is not None and store is not None and wrote:
                rewarmer.schedule(store)
