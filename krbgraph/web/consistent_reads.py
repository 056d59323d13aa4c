"""Pages and API answers never show half of a write.

A write commits in one transaction, and every query sees the store before or after
it. But a page or a JSON answer is built from several queries (the rows, the details
of each thing, their names), and a write that commits between two of them gave an
answer with a norm's new name beside its old value. The engine offers no snapshot
that spans queries, so a reading request is checked instead: the store counts its
writes as a sequence lock (``write_generation`` goes up when a write starts and when
it ends, ``writes_in_flight`` counts those under way; krbgraph.store.backend). An
answer built while no write was under way and with the same generation at its end
saw no commit in between; otherwise it is built again (at most ``ATTEMPTS`` times,
the last one served as it is, so a reader is never starved by a stream of writes).

The answer is held back until it is known to be whole, up to ``HELD_BYTES``; a larger
answer (a whole-registry export, one engine query streamed) passes unchecked from
there on. SPARQL and the Graph Store answer one query each and pass straight through.
Writes by other processes to a shared SPARQL server are not counted here.
"""

from __future__ import annotations

import asyncio
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ATTEMPTS = 3
"""Times a reading request is built before its last answer is served as it is."""

HELD_BYTES = 1 << 20
"""An answer is held back (and can be built again) up to this size."""

WAIT_FOR_COMMIT_S = 1.0
"""How long a reader waits for writes under way (commits take milliseconds) before it
reads anyway, unchecked."""

READS = frozenset({"GET", "HEAD"})
SINGLE_QUERY_PATHS = ("/sparql", "/store", "/static")


class ConsistentReads:
    """Plain ASGI middleware: builds a reading request again when a write committed
    while it was built."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        store = _store(scope)
        if (
            scope["type"] != "http"
            or scope["method"] not in READS
            or scope["path"].startswith(SINGLE_QUERY_PATHS)
            or store is None
        ):
            await self.app(scope, receive, send)
            return
        for attempt in range(1, ATTEMPTS + 1):
            before = await _quiet_generation(store)
            held = _HeldAnswer(send)
            await self.app(scope, _replayed(receive), held)
            if held.passing:
                return
            # A write that stayed under way the whole wait (a large load committing):
            # building again would only wait again; served as it is.
            whole = before is None or _generation(store) == before
            if whole or attempt == ATTEMPTS:
                await held.release()
                return


class _HeldAnswer:
    """The messages of one attempt's answer, held back until released; past
    ``HELD_BYTES`` they are sent at once and from then on as they come."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.messages: list[Message] = []
        self.size = 0
        self.passing = False

    async def __call__(self, message: Message) -> None:
        if self.passing:
            await self.send(message)
            return
        self.messages.append(message)
        if message["type"] == "http.response.body":
            self.size += len(message.get("body", b""))
            if self.size > HELD_BYTES and message.get("more_body", False):
                self.passing = True
                await self.release()

    async def release(self) -> None:
        for message in self.messages:
            await self.send(message)
        self.messages.clear()


def _store(scope: Scope) -> object | None:
    app = scope.get("app")
    state = getattr(app, "state", None)
    return getattr(state, "store", None)


def _generation(store: object) -> int | None:
    return getattr(store, "write_generation", None)


async def _quiet_generation(store: object) -> int | None:
    """The store's generation once no write is under way (None after waiting
    ``WAIT_FOR_COMMIT_S`` in vain)."""
    deadline = time.monotonic() + WAIT_FOR_COMMIT_S
    while True:
        generation = _generation(store)
        if not getattr(store, "writes_in_flight", 0):
            return generation
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.005)


def _replayed(receive: Receive) -> Receive:
    """A reading request has no body: each attempt gets the empty request message
    first, then the client's own messages (a disconnect)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return replay
