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

**Overrunners run one at a time.** A query that ran into the time limit (or
was stopped with the engine twice) marks its client and its text (whitespace
aside) for ``Settings.query_penalty_s``. While marked, queries from that
client, and that same text from any client, run only in one lane for the
whole service: one at a time, without waiting (429 at once when the lane is
taken). Runaways sent again and again, from one address or the same text from
many, then hold one core instead of one per client, and the other users'
queries keep their slots. After a query in the lane overran, the lane rests
for ``rest_s`` (the service's time limit) before it takes the next: a
runaway sent again at once then holds that core a fraction of the time, and the
engine is restarted less often. A query in the lane also has a shorter time limit
(``Settings.query_lane_timeout_s``, 2 s by default): the engine cannot stop a query
before its limit, so a runaway in the lane holds its core for that long per try
instead of the whole limit, and meanwhile at the lowest CPU priority
(krbgraph.web.user_sparql, krbgraph.store.priority), so that core goes to
everyone else first. It is a
brake, not a wall: a text changed on each try from many addresses passes it,
and a reverse proxy's rate limit per address range is the tool for that.

The async form waits on the event loop, so the queries a client has waiting
hold no worker thread; the sync form is for routes that already run in one.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from fastapi import Request
from fastapi.responses import JSONResponse

from ..store import QueryTimeout

WAIT_S = 1.0
"""How long a query waits for one of its client's slots before ClientBusy."""
RETRY_AFTER_S = 1
"""Retry-After of a 429: a slot may come free at any moment."""
POLL_S = 0.02
"""How often a query waiting on the event loop looks for a free slot."""
PENALTY_S = 300.0
"""How long a client and a query text stay marked after an overrun (Settings default)."""
MARKS_KEPT = 10_000
"""Most clients and texts remembered as overrunners; the oldest marks go first."""


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


class LaneBusy(ClientBusy):
    """The lane of marked clients and texts runs a query or rests (HTTP 429)."""

    def __init__(self, penalty_s: float, retry_after: int) -> None:
        super().__init__(1)
        minutes = max(1, round(penalty_s / 60))
        wait = max(RETRY_AFTER_S, retry_after)
        Exception.__init__(
            self,
            "A query from this address, or this same query, ran into the time limit in "
            f"the last {minutes} minutes; such queries run one at a time on this service, "
            f"with a pause after one that overruns. Try again in {wait} s, or make the "
            "query cheaper (a LIMIT, fewer unbound patterns).",
        )
        self.nl = (
            "Een query van dit adres, of deze zelfde query, liep de afgelopen "
            f"{minutes} minuten tegen de tijdslimiet; zulke query's lopen één voor één op "
            "deze dienst, met een pauze na een die te lang duurt. Probeer het over "
            f"{wait} s opnieuw, of maak de query lichter (een LIMIT, minder ongebonden "
            "patronen)."
        )
        self.retry_after = wait


class LaneTimeout(QueryTimeout):
    """A query in the lane of marked clients and texts ran into the lane's time limit
    (HTTP 503, saying which limit and why it applies)."""

    def __init__(self, limit_s: float, penalty_s: float) -> None:
        minutes = max(1, round(penalty_s / 60))
        super().__init__(
            f"The query did not finish within {limit_s:g} s, the time limit on this service "
            "for queries from an address, or of a text, that ran into its time limit in the "
            f"last {minutes} minutes; narrow it down (more specific patterns, LIMIT) and "
            "try again."
        )
        self.nl = (
            f"De query duurde langer dan {limit_s:g} seconden, de tijdslimiet van deze dienst "
            "voor query's van een adres, of met een tekst, die de afgelopen "
            f"{minutes} minuten tegen de tijdslimiet liepen; maak de query lichter (een LIMIT, "
            "specifiekere patronen) en probeer het opnieuw."
        )
        self.limit_s = limit_s


class Slot:
    """One admitted query of a client; held until ``release`` (which may be called twice)."""

    def __init__(
        self, admission: QueryAdmission, client: str, text_key: str, *, penalised: bool
    ) -> None:
        self._admission = admission
        self._client = client
        self._text_key = text_key
        self.penalised = penalised
        """Whether it runs in the one lane of marked clients and texts."""
        self.held = True

    def overran(self) -> None:
        """Mark this client and this query text: the query ran into the time limit."""
        self._admission._mark(self._client, self._text_key, penalised=self.penalised)

    def release(self) -> None:
        if self.held:
            self.held = False
            self._admission._give_back(self._client, penalised=self.penalised)


def text_key(text: str) -> str:
    """The same key for the same query, however it is spaced or indented."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class QueryAdmission:
    """Counts the queries each client runs; at most ``per_client`` of one client and
    ``total`` of all at once (0: no limit).

    Thread-safe: slots are taken on the event loop and in worker threads alike.
    """

    def __init__(
        self,
        per_client: int,
        total: int = 0,
        *,
        wait_s: float = WAIT_S,
        penalty_s: float = PENALTY_S,
        rest_s: float = 0.0,
    ) -> None:
        if per_client < 0:
            raise ValueError(f"queries per client {per_client} is negative")
        if total < 0:
            raise ValueError(f"queries in total {total} is negative")
        if penalty_s < 0:
            raise ValueError(f"penalty {penalty_s} s is negative")
        self.per_client = per_client
        self.total = total
        self.wait_s = wait_s
        self.penalty_s = penalty_s
        self.rest_s = rest_s
        self._lane_opens = 0.0  # monotonic time the lane takes a query again after a rest
        self._running: dict[str, int] = {}
        self._all = 0
        self._lane = 0  # queries running in the one lane of marked clients and texts
        self._marked: dict[str, float] = {}  # client or text key -> end of its mark
        self._freed = threading.Condition()

    def running(self, client: str) -> int:
        """How many queries of ``client`` run now."""
        with self._freed:
            return self._running.get(client, 0)

    def marked(self, client: str, text: str = "") -> bool:
        """Whether ``client`` or ``text`` overran within the last ``penalty_s``."""
        with self._freed:
            return self._is_marked(client, text_key(text))

    def _is_marked(self, client: str, key: str) -> bool:
        now = time.monotonic()
        return any(self._marked.get(k, 0.0) > now for k in (client, key))

    def _mark(self, client: str, key: str, *, penalised: bool = False) -> None:
        if not self.penalty_s:
            return
        with self._freed:
            now = time.monotonic()
            if penalised:  # a query in the lane overran: the lane rests
                self._lane_opens = now + self.rest_s
            for k in [k for k, end in self._marked.items() if end <= now]:
                del self._marked[k]
            for k in (client, key):
                self._marked.pop(k, None)  # re-inserted last: the newest mark
                self._marked[k] = now + self.penalty_s
            while len(self._marked) > MARKS_KEPT:
                del self._marked[next(iter(self._marked))]

    def _try_take(self, client: str, key: str) -> Slot | None:
        """A slot if one is free now; hold ``_freed``."""
        count = self._running.get(client, 0)
        if self.per_client and count >= self.per_client:
            return None
        if self.total and self._all >= self.total:
            return None
        penalised = self._is_marked(client, key)
        if penalised and self._lane_closed():
            return None
        self._running[client] = count + 1
        self._all += 1
        self._lane += penalised
        return Slot(self, client, key, penalised=penalised)

    def _busy(self, client: str, key: str) -> ClientBusy:
        """Why ``client`` got no slot: its own limit first, then the lane, then the service's."""
        if self.per_client and self._running.get(client, 0) >= self.per_client:
            return ClientBusy(self.per_client)
        if self._is_marked(client, key) and self._lane_closed():
            rest = self._lane_opens - time.monotonic()
            return LaneBusy(self.penalty_s, math.ceil(rest) if rest > 0 else RETRY_AFTER_S)
        return ClientBusy(self.total, whole_service=True)

    def _lane_closed(self) -> bool:
        """Whether the lane runs a query or rests after an overrun."""
        return bool(self._lane) or time.monotonic() < self._lane_opens

    def _waits(self, client: str, key: str) -> bool:
        """Whether a query without a slot waits for one: not in the lane, which is for
        queries known to overrun (a wait would hold them in the queue for nothing)."""
        return not (self._is_marked(client, key) and self._lane_closed())

    def _give_back(self, client: str, *, penalised: bool = False) -> None:
        with self._freed:
            self._all -= 1
            self._lane -= penalised
            left = self._running[client] - 1
            if left:
                self._running[client] = left
            else:
                del self._running[client]  # no entry per address ever seen
            self._freed.notify_all()

    def take(self, client: str, text: str = "") -> Slot:
        """A slot for ``client`` to run ``text``, waiting at most ``wait_s`` (blocks: worker
        threads only).

        Raises ClientBusy."""
        key = text_key(text)
        deadline = time.monotonic() + self.wait_s
        with self._freed:
            while (slot := self._try_take(client, key)) is None:
                left = deadline - time.monotonic()
                if left <= 0 or not self._waits(client, key):
                    raise self._busy(client, key)
                self._freed.wait(left)
            return slot

    async def take_async(self, client: str, text: str = "") -> Slot:
        """A slot for ``client`` to run ``text``, waiting at most ``wait_s`` on the event loop.

        Raises ClientBusy."""
        key = text_key(text)
        deadline = time.monotonic() + self.wait_s
        while True:
            with self._freed:
                slot = self._try_take(client, key)
                busy = None if slot is not None else self._busy(client, key)
                waits = slot is None and self._waits(client, key)
            if slot is not None:
                return slot
            left = deadline - time.monotonic()
            if left <= 0 or not waits:
                assert busy is not None
                raise busy
            await asyncio.sleep(min(POLL_S, left))


def client_of(request: Request) -> str:
    """The client a request counts for: its address (set by a trusted proxy, if any)."""
    return request.client.host if request.client is not None else "unknown"


def _admission(request: Request) -> QueryAdmission:
    return request.app.state.admission


@contextmanager
def query_slot(request: Request, text: str) -> Iterator[Slot]:
    """One of the request's client's slots to run ``text`` while the block runs (worker
    threads only).

    Raises ClientBusy."""
    slot = _admission(request).take(client_of(request), text)
    try:
        yield slot
    finally:
        slot.release()


@asynccontextmanager
async def query_slot_async(request: Request, text: str) -> AsyncIterator[Slot]:
    """One of the request's client's slots to run ``text`` while the block runs; waits on
    the event loop.

    The block awaits the worker thread that runs the query; that await ends
    only when the thread has (a cancelled task waits for its thread), so the
    slot is held exactly as long as the query runs. Raises ClientBusy."""
    slot = await _admission(request).take_async(client_of(request), text)
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
