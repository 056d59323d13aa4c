"""One write at a time among the processes that share a SPARQL server.

A service validates a write on its own copy of the store (krbgraph.replica) and then
sends it. Two services on one server could each validate a write on the same state
and both send it: each alone conforms, both together need not (two names where one
is allowed). A SPARQL server gives no compare-and-swap to prevent that: Oxigraph runs
each update on a snapshot of the store and commits it without looking for conflicts,
so an update conditioned on a version triple succeeds twice when two run at once.

So the writers take turns by what a snapshot store does give: a request that starts
after another's commit was acknowledged sees that commit. A writer

1. announces its write: an intent (a ``prov:Activity`` with the server's ``NOW()`` as
   its start and as its last sign of life, ``dct:modified``) in the managed graph
   WRITES_GRAPH, in an update of its own;
2. looks for a live intent of another writer; if there is one, it withdraws its own,
   waits a moment and tries again, for up to WAIT_S seconds (then
   WriteClaimedElsewhere, which says whose intent and since when);
3. holds the turn: it makes its copy current (the write version, below, tells whether
   another write landed since the copy was made), validates and commits, renewing its
   intent's sign of life every RENEW_S seconds meanwhile;
4. withdraws its intent.

Of two writers that announce at the same time at least one sees the other's intent
(each looks after its own announcement was stored), so at most one holds the turn; one
that announces later sees the commits of the first. An intent whose last sign of life
is older than LIFETIME_S (a process stopped mid-write) is ignored, and removed. Times
are the server's, compared here: date arithmetic in SPARQL is not SPARQL 1.1.

The write version is an ``owl:versionInfo`` of WRITES_GRAPH, replaced by every update
krbgraph sends to a shared server, in the same request (krbgraph.store.remote): a copy
of the store is current exactly while the version is the one it was made at, also when
another write replaced a value without changing any graph's size. It exists from the
first turn on; writers that do not go through krbgraph (a SPARQL client on the server
itself) change none, and for them graph sizes are compared as well
(krbgraph.replica_slot.shared_fingerprint).

Turns are re-entrant per store object and thread: a write path that holds one may call
another that takes one (a load that derives), which then goes ahead inside it; another
thread of the same process waits its turn like any other writer.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Protocol, TypeVar

from ..model import AUDIT_GRAPH, WRITES_GRAPH
from .base import QueryResult, StoreError

T = TypeVar("T")

logger = logging.getLogger(__name__)

_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
_PROV = "http://www.w3.org/ns/prov#"
_MODIFIED = "http://purl.org/dc/terms/modified"

LIFETIME_S = 630.0
"""How long an intent holds others off without a sign of life: a writer that holds the
turn renews it every RENEW_S seconds, so only a stopped one lets it lapse. Longer than
a write may take (krbgraph.store.remote.WRITE_TIMEOUT_S, ten minutes): the server runs
updates one after another, so a renewal waits behind the holder's own long write, and
an intent that lapsed meanwhile let a second writer in beside it."""

RENEW_S = 15.0

_WRITER = "http://purl.org/dc/terms/identifier"
"""Which process announced an intent: host, boot, process id and start, so a writer on
the same machine can tell an intent of a process that no longer runs (a command that
could not withdraw it while the server was briefly away, then exited) from a live one,
instead of waiting out LIFETIME_S."""

WAIT_S = 10.0
"""How long a writer waits for its turn before it gives up (HTTP 503)."""

UNCHECKED = object()
"""``copied_at`` of a turn taken before any copy of the store was made: the writer
reads what it needs inside the turn, so there is no version to compare."""

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
    """Another writer held the turn to write to the shared store for longer than this
    one waits (HTTP 503 with Retry-After)."""

    def __init__(self, other: str, started: datetime, alive: datetime) -> None:
        lapse = alive + timedelta(seconds=LIFETIME_S)
        super().__init__(
            f"Another writer ({other}) has been writing to this store since "
            f"{started.isoformat(timespec='seconds')}; nothing was written. Send the write "
            f"again later. Its intent, in graph <{WRITES_GRAPH}>, last showed a sign of "
            f"life at {alive.isoformat(timespec='seconds')}; if that writer has stopped, "
            f"the intent lapses at {lapse.isoformat(timespec='seconds')}."
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
    none (a server only scripts write, or one no turn was taken on yet)."""
    return (
        f"DELETE {{ GRAPH <{WRITES_GRAPH}> {{ {_VERSION} ?old }} }} "
        f'INSERT {{ GRAPH <{WRITES_GRAPH}> {{ {_VERSION} "{version}" }} }} '
        f"WHERE {{ GRAPH <{WRITES_GRAPH}> {{ {_VERSION} ?old }} }}"
    )


def read_version(store: _Queried) -> str | None:
    """The store's write version; None before a turn was first taken on it."""
    rows = store.query(_VERSION_QUERY).rows
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


READ_ATTEMPTS = 3
"""Reads of a whole shared store tried between writes before one takes the turn."""

_AUDITED_QUERY = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{AUDIT_GRAPH}> {{ ?s ?p ?o }} }}"


def _changes_seen(store: _Queried) -> tuple[str | None, str | None]:
    """What moves with every write: the write version krb writers of a shared server
    set, and the size of the audit trail, which a krb service adds to with each write in
    the same transaction (a service writes its own engine without a write version: a
    dump through its endpoints mixed the states before and after its writes)."""
    rows = store.query(_AUDITED_QUERY).rows
    audited = str(rows[0][0]) if rows and rows[0][0] is not None else None
    return read_version(store), audited


def read_between_writes(store: _Queried, read: Callable[[], T]) -> T:
    """``read()`` of several requests (a dump: one per graph) that no write landed in
    the middle of: a dump taken while a service wrote held a derived graph of the data
    before a write and the data after it. Tried while writers go on (nothing moved
    between before and after, _changes_seen), and when writes keep landing, once more
    in a turn of its own, so writers of a shared server wait for it. Raises StoreError
    when even that read saw a write land (a krb service, whose writers take no turns):
    never a read of two states."""
    for _attempt in range(READ_ATTEMPTS):
        before = _changes_seen(store)
        result = read()
        if _changes_seen(store) == before:
            return result
    kept_writing = (
        f"the store was written during each of {READ_ATTEMPTS} or more reads of it, so what "
        "was read mixes the states before and after a write; read it again when writes "
        "pause (a krb service: pause its writers, or stop it and use its store folder)"
    )
    with ExitStack() as turn:
        try:
            turn.enter_context(turn_for(store))
        except StoreError as exc:  # a krb service's endpoints: no turn to take there
            raise StoreError(f"{kept_writing}; no write turn could be taken ({exc})") from exc
        before = _changes_seen(store)
        result = read()
        if _changes_seen(store) == before:
            return result
    raise StoreError(kept_writing)


def turn_for(store: object, copied_at: object = UNCHECKED) -> AbstractContextManager[None]:
    """write_turn on a shared store, nothing on one only this process writes."""
    if not is_shared(store) or not hasattr(store, "update_unversioned"):
        return nullcontext()
    return write_turn(store, copied_at)  # type: ignore[arg-type]  # checked just above


@contextmanager
def write_turn(store: ClaimStore, copied_at: object = UNCHECKED) -> Iterator[None]:
    """Hold the turn to write to a shared ``store``. ``copied_at``: the write version a
    copy the write was validated on was made at (read_version before the copy); the
    turn then raises StoreChangedElsewhere when the store was written since. Raises
    WriteClaimedElsewhere when no turn comes within WAIT_S seconds."""
    holder = threading.get_ident()
    if getattr(store, "_krb_turn_holder", None) == holder:
        yield  # a turn this thread already holds: the outer one checked what it needed
        return
    intent = f"<urn:uuid:{uuid.uuid4()}>"
    _announce(store, intent)
    try:
        renewal = _Renewal(store, intent)
    except BaseException:
        _withdraw(store, intent, quietly=True)
        raise
    # Re-entrant for this thread only: another thread of the process waits its turn.
    setattr(store, "_krb_turn_holder", holder)  # noqa: B010  # a mark on another's object
    try:
        version = read_version(store)
        if copied_at is not UNCHECKED and version != copied_at:
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
        setattr(store, "_krb_turn_holder", None)  # noqa: B010
        renewal.stop()
        _withdraw(store, intent, quietly=_failing())


def _announce(store: ClaimStore, intent: str) -> None:
    """Announce ``intent`` until no other live one is seen; WriteClaimedElsewhere after
    WAIT_S seconds. Never leaves the intent behind when it raises."""
    announce = (
        f"INSERT {{ GRAPH <{WRITES_GRAPH}> {{ {intent} a <{_PROV}Activity> ; "
        f"<{_PROV}startedAtTime> ?now ; <{_MODIFIED}> ?now ; "
        f'<{_WRITER}> "{process_identity()}" }} }} WHERE {{ BIND (NOW() AS ?now) }}'
    )
    deadline = time.monotonic() + WAIT_S
    attempt = 0
    while True:
        try:  # an announcement whose answer was lost may still have been stored
            store.update_unversioned(announce)
            other = _live_other(store, intent)
        except BaseException:
            _withdraw(store, intent, quietly=True)
            raise
        if other is None:
            return
        _withdraw(store, intent, quietly=False)
        if time.monotonic() >= deadline:
            raise WriteClaimedElsewhere(*other)
        time.sleep(min(0.5, random.uniform(0.01, 0.02) * 2**attempt))
        attempt += 1


def _live_other(store: ClaimStore, intent: str) -> tuple[str, datetime, datetime] | None:
    """Another writer's live intent (IRI, start, last sign of life), or None; intents
    that lapsed are removed on the way."""
    rows = store.query(
        f"SELECT ?other ?started ?alive (NOW() AS ?now) ?writer WHERE {{ GRAPH <{WRITES_GRAPH}> {{ "
        f"?other a <{_PROV}Activity> ; <{_PROV}startedAtTime> ?started . "
        f"OPTIONAL {{ ?other <{_MODIFIED}> ?alive }} OPTIONAL {{ ?other <{_WRITER}> ?writer }} }} "
        f"FILTER (?other != {intent}) }}"
    ).rows
    live = None
    for other, started, alive, now, writer in rows:
        begun, seen, at = _time(started), _time(alive if alive is not None else started), _time(now)
        if None in (begun, seen, at):
            continue  # not an intent krbgraph wrote
        assert begun is not None and seen is not None and at is not None
        gone = f"<{other}>" in _UNWITHDRAWN or not _may_run(str(writer or ""))
        if (at - seen).total_seconds() < LIFETIME_S and not gone:
            live = (str(other), begun, seen)
        else:
            try:
                store.update_unversioned(
                    f"DELETE WHERE {{ GRAPH <{WRITES_GRAPH}> {{ <{other}> ?p ?o }} }}"
                )
                logger.warning("removed the lapsed write intent %s of %s", other, begun)
                _UNWITHDRAWN.discard(f"<{other}>")
            except StoreError:
                pass  # another writer may remove it as well; it is ignored either way
    return live


def _time(term: object) -> datetime | None:
    value = getattr(term, "toPython", lambda: None)()
    return value if isinstance(value, datetime) and value.tzinfo is not None else None


def _withdraw(store: ClaimStore, intent: str, *, quietly: bool) -> None:
    try:
        store.update_unversioned(f"DELETE WHERE {{ GRAPH <{WRITES_GRAPH}> {{ {intent} ?p ?o }} }}")
    except StoreError:
        if not quietly:
            raise
        # an error is already on its way: this one must not hide it; the intent lapses,
        # and this process's next turn removes it (it was this process's own)
        _UNWITHDRAWN.add(intent)
        logger.warning("could not withdraw write intent %s; it lapses by itself", intent)


_UNWITHDRAWN: set[str] = set()
"""This process's intents it could not withdraw (the server was away): never another
writer to wait for, so its next turn removes them instead of waiting LIFETIME_S."""


@cache
def process_identity() -> str:
    """``host boot-id pid-namespace pid start-ticks`` of this process (bookkeeping)."""
    return " ".join(
        (socket.gethostname(), _boot_id(), _pid_namespace(), str(os.getpid()), _start_ticks("self"))
    )


def _may_run(writer: str) -> bool:
    """Whether the process ``writer`` names may still run: False only for one of this
    machine and process namespace (same host name, boot and PID namespace: containers
    share the first two, and their process ids mean other processes) whose process id
    is gone or was taken by another process since; anything else (another machine or
    container, an older release's intent, a process this one may not see) may."""
    parts = writer.split(" ")
    mine = process_identity().split(" ")
    if len(parts) != len(mine) or not mine[1] or not mine[2] or parts[:3] != mine[:3]:
        return True
    pid, ticks = parts[3], parts[4]
    if not pid.isdigit():
        return True
    if pid == mine[3]:
        return ticks == mine[4]  # this process, unless a former one had its id
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process: there, and not ours to look at
    now = _start_ticks(pid)
    return not now or now == ticks  # unreadable (/proc hidden): taken as running


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""  # no namespaces to tell apart: no process is ever taken for gone


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""  # not Linux: no process is ever taken for gone


def _start_ticks(pid: str) -> str:
    """The start time of process ``pid`` since boot (/proc/PID/stat, field 22); "" when
    there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def _failing() -> bool:
    """Whether an exception is being handled (the finally of a turn that failed)."""
    import sys

    return sys.exc_info()[0] is not None


class _Renewal:
    """Renews an intent's sign of life every RENEW_S seconds until stopped."""

    def __init__(self, store: ClaimStore, intent: str) -> None:
        self._stopped = threading.Event()
        self._renew = (
            f"DELETE {{ GRAPH <{WRITES_GRAPH}> {{ {intent} <{_MODIFIED}> ?old }} }} "
            f"INSERT {{ GRAPH <{WRITES_GRAPH}> {{ {intent} <{_MODIFIED}> ?now }} }} "
            f"WHERE {{ GRAPH <{WRITES_GRAPH}> {{ {intent} <{_MODIFIED}> ?old }} "
            "BIND (NOW() AS ?now) }"
        )
        self._store = store
        self._thread = threading.Thread(target=self._run, name="krb-turn", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(RENEW_S):
            try:
                self._store.update_unversioned(self._renew)
            except StoreError as exc:
                logger.warning("could not renew a write intent: %s", exc)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
