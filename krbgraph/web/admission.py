"""Per-client admission of user SPARQL: one client's runaway queries cannot take every core.

Public SPARQL services bound what one client may run at once. Here free-form
SPARQL from users (/sparql GET and POST, the query page /query and its
/query/download) runs only in one of its client's slots: at most
``Settings.query_per_client`` queries of one client at once, and at most
``Settings.query_total`` of all clients together (0: no limit; by default two
per core, at least 4). A further query waits up to ``WAIT_S`` for a slot, then gets
ClientBusy, answered with 429 Too Many Requests and Retry-After.

The total matters because one address is not one attacker: runaways sent
from many addresses are many clients, each within its own limit. The total
caps what they hold together; it stays above the per-client limit, or one
address could close the endpoint to all others. The pages and the named
queries do not pass through here and keep being answered beside them.

A client is the address the request came from (``request.client.host``;
behind a reverse proxy named in KRB_TRUSTED_PROXIES, the address that proxy
reports). Named queries with typed parameters and the pages are not
admitted here: what they cost is known, and bounded by the time limit.

A slot is released in a ``finally`` around the store call, so it is given
back however the query ends: an answer, an error, the time limit, an engine
restart. A client that hangs up keeps its slot until its query ends (at the
time limit at the latest): the engine still spends a core on it until then.

The async form waits on the event loop, so the queries a client has waiting
hold no worker thread; the sync form is for routes that already run in one.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from fastapi import Request
from fastapi.responses import JSONResponse

WAIT_S = 1.0
"""How long a query waits for one of its client's slots before ClientBusy."""
RETRY_AFTER_S = 1
"""Retry-After of a 429: a slot may come free at any moment."""
POLL_S = 0.02
"""How often a query waiting on the event loop looks for a free slot."""


class ClientBusy(Exception):
    """The client already runs as many queries as one client may (HTTP 429)."""

    def __init__(self, limit: int, *, whole_service: bool = False) -> None:
        noun = "query" if limit == 1 else "queries"
        dutch_noun = "query" if limit == 1 else "query's"
        if whole_service:
            super().__init__(
                f"The service already runs {limit} SPARQL {noun} of its users, the most it "
                "runs at once; wait a moment and try again (the pages and the named "
                "queries under /api/queries are answered meanwhile)."
            )
            self.nl = (
                f"De dienst voert al {limit} eigen {dutch_noun} van gebruikers tegelijk uit, "
                "het maximum; probeer het over een moment opnieuw."
            )
        else:
            super().__init__(
                f"This client already has {limit} {noun} running, the most one client may "
                "run at once on this service; wait for one to finish and try again."
            )
            self.nl = (
                f"Van uw adres lopen al {limit} {dutch_noun} tegelijk, "
                "het maximum van deze dienst; wacht tot er een klaar is en probeer het opnieuw."
            )
        self.limit = limit
        self.whole_service = whole_service
        self.retry_after = RETRY_AFTER_S


class Slot:
    """One admitted query of a client; held until ``release`` (which may be called twice)."""

    def __init__(self, admission: QueryAdmission, client: str) -> None:
        self._admission = admission
        self._client = client
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            self._admission._give_back(self._client)


class QueryAdmission:
    """Counts the queries each client runs; at most ``per_client`` of one client and
    ``total`` of all at once (0: no limit).

    Thread-safe: slots are taken on the event loop and in worker threads alike.
    """

    def __init__(self, per_client: int, total: int = 0, *, wait_s: float = WAIT_S) -> None:
        if per_client < 0:
            raise ValueError(f"queries per client {per_client} is negative")
        if total < 0:
            raise ValueError(f"queries in total {total} is negative")
        self.per_client = per_client
        self.total = total
        self.wait_s = wait_s
        self._running: dict[str, int] = {}
        self._all = 0
        self._freed = threading.Condition()

    def running(self, client: str) -> int:
        """How many queries of ``client`` run now."""
        with self._freed:
            return self._running.get(client, 0)

    def _try_take(self, client: str) -> Slot | None:
        """A slot if one is free now; hold ``_freed``."""
        count = self._running.get(client, 0)
        if self.per_client and count >= self.per_client:
            return None
        if self.total and self._all >= self.total:
            return None
        self._running[client] = count + 1
        self._all += 1
        return Slot(self, client)

    def _busy(self, client: str) -> ClientBusy:
        """Why ``client`` got no slot: its own limit first, else the service's."""
        if self.per_client and self._running.get(client, 0) >= self.per_client:
            return ClientBusy(self.per_client)
        return ClientBusy(self.total, whole_service=True)

    def _give_back(self, client: str) -> None:
        with self._freed:
            self._all -= 1
            left = self._running[client] - 1
            if left:
                self._running[client] = left
            else:
                del self._running[client]  # no entry per address ever seen
            self._freed.notify_all()

    def take(self, client: str) -> Slot:
        """A slot for ``client``, waiting at most ``wait_s`` (blocks: worker threads only).

        Raises ClientBusy."""
        deadline = time.monotonic() + self.wait_s
        with self._freed:
            while (slot := self._try_take(client)) is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._busy(client)
                self._freed.wait(left)
            return slot

    async def take_async(self, client: str) -> Slot:
        """A slot for ``client``, waiting at most ``wait_s`` on the event loop.

        Raises ClientBusy."""
        deadline = time.monotonic() + self.wait_s
        while True:
            with self._freed:
                slot = self._try_take(client)
                busy = None if slot is not None else self._busy(client)
            if slot is not None:
                return slot
            left = deadline - time.monotonic()
            if left <= 0:
                assert busy is not None
                raise busy
            await asyncio.sleep(min(POLL_S, left))


def client_of(request: Request) -> str:
    """The client a request counts for: its address (set by a trusted proxy, if any)."""
    return request.client.host if request.client is not None else "unknown"


def _admission(request: Request) -> QueryAdmission:
    return request.app.state.admission


@contextmanager
def query_slot(request: Request) -> Iterator[Slot]:
    """One of the request's client's slots while the block runs (worker threads only).

    Raises ClientBusy."""
    slot = _admission(request).take(client_of(request))
    try:
        yield slot
    finally:
        slot.release()


@asynccontextmanager
async def query_slot_async(request: Request) -> AsyncIterator[Slot]:
    """One of the request's client's slots while the block runs; waits on the event loop.

    The block awaits the worker thread that runs the query; that await ends
    only when the thread has (a cancelled task waits for its thread), so the
    slot is held exactly as long as the query runs. Raises ClientBusy."""
    slot = await _admission(request).take_async(client_of(request))
    try:
        yield slot
    finally:
        slot.release()


async def client_busy(request: Request, exc: Exception) -> JSONResponse:
    """Exception handler for ClientBusy: 429 with Retry-After."""
    assert isinstance(exc, ClientBusy)
    return JSONResponse(
        {"detail": str(exc)},
        status_code=429,
        headers={"Retry-After": str(exc.retry_after)},
    )
