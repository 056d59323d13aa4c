"""One validated write at a time among the services that share a SPARQL server.

A service validates a write on its own copy of the store (krbgraph.replica) and then
sends it. Two services on one server could each validate a write on the same state
and both send it: each alone conforms, both together need not (two names where one
is allowed). A SPARQL server gives no compare-and-swap to prevent that: Oxigraph runs
each update on a snapshot of the store and commits it without looking for conflicts,
so an update conditioned on a version triple succeeds twice when two run at once.

So the services take turns by what a snapshot store does give: a request that starts
after another's commit was acknowledged sees that commit. A service about to commit

1. announces its write: an intent (a ``prov:Activity`` with its start time, the
   server's ``NOW()``) in the managed graph WRITES_GRAPH, in an update of its own;
2. looks for the intent of another service; if there is one, it withdraws its own,
   waits a moment and tries again (a few times, then WriteClaimedElsewhere);
3. reads the store's write version and compares it with the version its copy was
   made at: another write since means its validation read an old state
   (krbgraph.replica.StoreChangedElsewhere, and the copy is made again);
4. commits, and withdraws its intent.

Of two services that announce at the same time at least one sees the other's intent
(each looks after its own announcement was stored), so at most one commits; one that
announces later sees the version the first one's commit set. An intent left behind by
a service that stopped mid-write is ignored once it is older than the longest write.

The write version is an ``owl:versionInfo`` of WRITES_GRAPH, replaced by every update
krbgraph sends to a shared server in the same request (krbgraph.store.remote): a copy
is current exactly while the version is the one it was made at, also when another
write replaced a value without changing any graph's size. Writers that do not go
through krbgraph (a SPARQL client on the server itself) change no version; for them
the graph sizes are compared as well (krbgraph.replica.shared_fingerprint).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from ..model import WRITES_GRAPH
from .base import QueryResult, StoreError

_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
_PROV = "http://www.w3.org/ns/prov#"
_XSD = "http://www.w3.org/2001/XMLSchema#"

INTENT_LIFETIME = "PT15M"
"""How long an intent holds off other services: longer than any write may take (a
write's limit is ten minutes, krbgraph.store.remote.WRITE_TIMEOUT_S)."""

_LIFETIME = f'"{INTENT_LIFETIME}"^^<{_XSD}dayTimeDuration>'

ATTEMPTS = 8
"""Announcements before giving up on a server another service keeps writing to; with
the waits between them, about two seconds."""

_VERSION = f"<{WRITES_GRAPH}> <{_VERSION_INFO}>"
"""Subject and predicate of the write version (in WRITES_GRAPH)."""

_VERSION_QUERY = f"SELECT ?version WHERE {{ GRAPH <{WRITES_GRAPH}> {{ {_VERSION} ?version }} }}"


class _Queried(Protocol):
    def query(self, sparql: str) -> QueryResult: ...


class ClaimStore(_Queried, Protocol):
    """What taking turns needs of a store: queries, and updates that leave the write
    version alone (an announcement is no write of data)."""

    def update_unversioned(self, sparql: str) -> None: ...


class StoreChangedElsewhere(StoreError):
    """Another process wrote the store since the service's copy of it was made (a SPARQL
    server shared with others): the write was validated on an older state, or the store
    no longer holds what it removes. Nothing was written (HTTP 409)."""


class WriteClaimedElsewhere(StoreError):
    """Another service kept writing to the shared store while this one waited its turn
    (HTTP 503 with Retry-After)."""

    def __init__(self) -> None:
        super().__init__(
            "Another service is writing to this store; nothing was written. Send the write "
            "again in a moment."
        )


def is_shared(store: object) -> bool:
    """Whether other processes may write ``store`` (a SPARQL server krbgraph was pointed
    at, not the supervised engine's own child)."""
    return getattr(store, "shared", False) is True


def new_version() -> str:
    return str(uuid.uuid4())


def version_update(version: str) -> str:
    """The update that replaces the store's write version by ``version``: sent with every
    update to a shared server, in the same request. A store without one keeps having
    none (a server only scripts write, or one no service has written yet): the first
    turn to write sets it (write_turn)."""
    return (
        f"DELETE {{ GRAPH <{WRITES_GRAPH}> {{ {_VERSION} ?old }} }} "
        f'INSERT {{ GRAPH <{WRITES_GRAPH}> {{ {_VERSION} "{version}" }} }} '
        f"WHERE {{ GRAPH <{WRITES_GRAPH}> {{ {_VERSION} ?old }} }}"
    )


def read_version(store: _Queried) -> str | None:
    """The store's write version; None before krbgraph first wrote to it."""
    rows = store.query(_VERSION_QUERY).rows
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


@contextmanager
def write_turn(store: ClaimStore, version: str | None) -> Iterator[None]:
    """Hold the turn to write to a shared ``store`` whose copy was made at ``version``
    (read_version before the copy). Raises WriteClaimedElsewhere when no turn comes,
    StoreChangedElsewhere when the store was written since."""
    intent = f"<urn:uuid:{uuid.uuid4()}>"
    announce = (
        f"INSERT {{ GRAPH <{WRITES_GRAPH}> {{ {intent} a <{_PROV}Activity> ; "
        f"<{_PROV}startedAtTime> ?now }} }} WHERE {{ BIND (NOW() AS ?now) }}"
    )
    withdraw = f"DELETE WHERE {{ GRAPH <{WRITES_GRAPH}> {{ {intent} ?p ?o }} }}"
    others = (
        f"ASK {{ GRAPH <{WRITES_GRAPH}> {{ ?other a <{_PROV}Activity> ; "
        f"<{_PROV}startedAtTime> ?started }} "
        f"FILTER (?other != {intent} && ?started > NOW() - {_LIFETIME}) }}"
    )
    for attempt in range(ATTEMPTS):
        store.update_unversioned(announce)
        if not store.query(others).boolean:
            break
        store.update_unversioned(withdraw)
        time.sleep(random.uniform(0.01, 0.03) * 2**attempt)
    else:
        raise WriteClaimedElsewhere()
    try:
        if read_version(store) != version:
            raise StoreChangedElsewhere(
                "The store was changed by another writer since this service last read it; "
                "nothing was written. Send the write again (it is then tried on what the "
                "store holds now)."
            )
        if version is None:  # the first turn on this server: from now on writes set it
            store.update_unversioned(
                f'INSERT DATA {{ GRAPH <{WRITES_GRAPH}> {{ {_VERSION} "{new_version()}" }} }}'
            )
        yield
    finally:
        store.update_unversioned(withdraw)
