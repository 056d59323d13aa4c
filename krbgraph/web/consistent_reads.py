"""Pages and API answers never show half of a write.

A write commits in one transaction, and every query sees the store before or after
it. But a page or a JSON answer is built from several queries (the rows, the details
of each thing, their names), and a write that commits between two of them gave an
answer with a norm's new name beside its old value. The engine offers no snapshot
that spans queries, so a reading request is checked instead: ``write_generation``
goes up when a write starts and again when it ends (krbgraph.store.backend). An
answer whose build saw the generation move, or a write under way at its start or
end (whose commit may already be in the engine), is built again, at most
``ATTEMPTS`` times and only when it was cheap (``REBUILD_UNDER_S``); the last one is
served as it is, so a reader is never starved by a stream of writes, nor waits for one
(under writes sent back to back an answer can still mix, rarely).

The answer is held back until it is known to be whole, up to ``HELD_BYTES``; a larger
answer (a whole-registry export, one engine query streamed) passes unchecked from
there on. SPARQL and the Graph Store answer one query each and pass straight through.
Writes by other processes to a shared SPARQL server are not counted here.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ATTEMPTS = 5
"""Times a reading request is built before its last answer is served as it is."""

HELD_BYTES = 1 << 20
"""An answer is held back (and can be built again) up to this size."""

REBUILD_UNDER_S = 3.0
"""Only an answer built faster than this is built again: a dear one (a first read of a
whole-registry page) is served as it is rather than cost the engine several times.
Four readers beside a writer sending updates back to back took over half a second per
answer, and mixed answers came through at 0.5."""

READS = frozenset({"GET", "HEAD"})
SINGLE_QUERY_PATHS = ("/sparql", "/store", "/static", "/def/")
"""Answers of one query (or of the model, which writes over HTTP never change)."""


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
            before, quiet = _generation(store), not _writing(store)
            started = time.monotonic()
            held = _HeldAnswer(send)
            await self.app(scope, _replayed(receive), held)
            if held.passing:
                return
            moved = _generation(store) != before
            # One write under way the whole build (the generation did not move): its
            # commit may have landed, so built once more; a long write (a load) would
            # only make every attempt the same, so not more than once.
            whole = not moved and (quiet and not _writing(store) or attempt > 1)
            dear = time.monotonic() - started > REBUILD_UNDER_S
            if whole or dear or attempt == ATTEMPTS:
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


def _writing(store: object) -> bool:
    """A write under way: its commit may land in the engine before its call returns and
    moves the generation (with the engine in a child process, a round trip later)."""
    return bool(getattr(store, "writes_in_flight", 0))


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
