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
   its start and as its last sign of life, ``dct:modified``; the process that
   announced it; and that it marks its writes, below) in the managed graph
   WRITES_GRAPH, in an update of its own (one the server refused, or that never left,
   stored nothing, and nothing is withdrawn or said about withdrawing it);
2. looks for a live intent of another writer; if there is one, it withdraws its own,
   waits a moment and tries again, for up to WAIT_S seconds (then
   WriteClaimedElsewhere, which says whose intent and when it lapses);
3. holds the turn: it makes its copy current (the write version, below, tells whether
   another write landed since the copy was made), validates and commits, renewing its
   intent's sign of life every RENEW_S seconds meanwhile. Before each write of data it
   marks its intent as writing and reads the mark back; an intent found gone there was
   taken over (below), and the write is not sent (TurnTakenOver). The mark stays until
   the intent is withdrawn: a turn that may have written anything is never taken over,
   so a writer held up between its data and what follows it (the derived graph, the
   conformance mark) finishes its turn or is waited for, never told "not sent" for a
   write that was stored;
4. withdraws its intent. One it cannot withdraw (the server was away, the answer was
   lost) it withdraws again as soon as the server answers: every RETRY_S seconds, at
   once when any other request of the store is answered, and before the store is
   closed; its own next look at the intents removes it too. That failure is no
   failure of the write: it is logged, not raised.

Of two writers that announce at the same time at least one sees the other's intent
(each looks after its own announcement was stored), so at most one holds the turn; one
that announces later sees the commits of the first. Times are the server's, compared
here: date arithmetic in SPARQL is not SPARQL 1.1. An intent is ignored, and removed:

- when its last sign of life is older than LIFETIME_S (a process stopped mid-write;
  ten and a half minutes, as a renewal may wait behind its holder's own write);
- when it is of a process that no longer runs on this machine, or one this process
  could not withdraw itself (process_identity);
- when it marks its writes, has no write marked and showed no sign of life for QUIET_S
  seconds: such a writer's renewals wait behind no write of its own, so it stopped
  (a process gone, or cut off from the server). This take-over deletes the intent only
  as it was seen (no renewal, no mark since) and then reads that nothing of it is
  left; the writer marks before every write and reads its mark back. Whichever of the
  two reads comes later sees the other's update, so either the take-over finds the
  mark and leaves the intent be, or the writer finds its intent gone and sends
  nothing more: never two writers at once, even when the writer was only held up.

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

The module is longer than 500 lines on purpose: the announcement, renewal, marks,
take-over and withdrawal are one protocol, safe only together, and read together.
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
from .base import (
    QueryResult,
    QuerySyntaxError,
    StoreError,
    StoreUnreachable,
    WriteOutcomeUnknown,
)
from .remote_errors import ServerRefused

T = TypeVar("T")

logger = logging.getLogger(__name__)

_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
_PROV = "http://www.w3.org/ns/prov#"
_MODIFIED = "http://purl.org/dc/terms/modified"

LIFETIME_S = 630.0
"""How long an intent holds others off without a sign of life when its writer may have
a write on the server (one is marked, or the writer marks none: an older release): a
writer that holds the turn renews it every RENEW_S seconds, so only a stopped one lets
it lapse. Longer than a write may take (krbgraph.store.remote.WRITE_TIMEOUT_S, ten
minutes): a server may run updates one after another, so a renewal waits behind the
holder's own long write, and an intent that lapsed meanwhile let a second writer in
beside that write."""

RENEW_S = 15.0

QUIET_S = 60.0
"""How long an intent that marks its writes holds others off without a sign of life
while none of its writes is marked: four renewals missed, with no write of its own on
the server for them to wait behind. Then its writer stopped, or cannot reach the
server (an intent it could not withdraw while the server was briefly away, a process
that exited since, on another machine), and the intent is taken over."""

RETRY_S = 1.0
"""How often this process tries again to withdraw an intent it could not withdraw."""

_WRITER = "http://purl.org/dc/terms/identifier"
"""Which process announced an intent: host, boot, process id and start, so a writer on
the same machine can tell an intent of a process that no longer runs (a command that
could not withdraw it while the server was briefly away, then exited) from a live one,
instead of waiting out LIFETIME_S."""

_MARKS = "https://data.krb.nl/def/krb#markeertSchrijven"
"""``true`` on an intent whose writer marks each write of data before it sends it (and
reads the mark back): only such an intent may be taken over after QUIET_S."""

_WRITING = "https://data.krb.nl/def/krb#schrijftSinds"
"""The mark: since when a write of data of the intent's writer may be on the server.
Set before each write of the turn, and left until the intent is withdrawn."""

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


class TurnTakenOver(StoreChangedElsewhere):
    """This writer's intent was taken over by another writer while it held the turn: it
    showed no sign of life for QUIET_S seconds (the server could not be reached from
    here, or the process was held up). The write was not sent (HTTP 409)."""


class WriteClaimedElsewhere(StoreError):
    """Another writer held the turn to write to the shared store for longer than this
    one waits (HTTP 503 with Retry-After)."""

    def __init__(
        self, other: str, started: datetime, alive: datetime, lapse_s: float = LIFETIME_S
    ) -> None:
        lapse = alive + timedelta(seconds=lapse_s)
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


def sent_with_data(store: ClaimStore, version: str) -> str:
    """What an update of data to a shared ``store`` carries in its own request: the new
    write version. In a turn this thread holds, the intent is first marked as writing
    (and the mark read back: raises TurnTakenOver when the intent is gone, StoreError
    when the server fails; the data is then not sent). The mark is not taken away
    again: from the first write of a turn on, the turn may have stored something, and
    its intent is not taken over (only a turn that wrote nothing can be)."""
    intent = _turn_intent(store)
    if intent is not None:
        _mark_writing(store, intent)
    return version_update(version)


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
        _withdraw(store, intent)
        raise
    # Re-entrant for this thread only: another thread of the process waits its turn.
    setattr(store, "_krb_turn_holder", holder)  # noqa: B010  # a mark on another's object
    setattr(store, "_krb_turn_intent", intent)  # noqa: B010
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
        setattr(store, "_krb_turn_intent", None)  # noqa: B010
        renewal.stop()
        # Never raised: what the turn did is done (a committed write answered as one),
        # and an intent left behind is withdrawn again as soon as the server answers.
        _withdraw(store, intent)


def _turn_intent(store: object) -> str | None:
    """The intent of the turn this thread holds on ``store``, if it holds one."""
    if getattr(store, "_krb_turn_holder", None) != threading.get_ident():
        return None
    intent = getattr(store, "_krb_turn_intent", None)
    return intent if isinstance(intent, str) else None


def _mark_writing(store: ClaimStore, intent: str) -> None:
    """Mark ``intent`` as having a write of data on its way to the server, and read the
    mark back: TurnTakenOver when another writer took the intent over meanwhile."""
    try:
        store.update_unversioned(
            f"INSERT {{ GRAPH <{WRITES_GRAPH}> {{ {intent} <{_WRITING}> ?now }} }} "
            f"WHERE {{ GRAPH <{WRITES_GRAPH}> {{ {intent} a <{_PROV}Activity> }} "
            "BIND (NOW() AS ?now) }"
        )
    except WriteOutcomeUnknown as exc:  # only the mark may be stored: no data was sent
        raise StoreUnreachable(f"{exc} (the mark before a write; the write was not sent)") from exc
    marked = store.query(
        f"ASK {{ GRAPH <{WRITES_GRAPH}> {{ {intent} a <{_PROV}Activity> ; <{_WRITING}> ?since }} }}"
    )
    if not marked.boolean:
        raise TurnTakenOver(
            "Another writer took over this writer's turn to write: its intent showed no "
            f"sign of life for {QUIET_S:g} s (the store's server could not be reached from "
            "here, or the service was held up). The write was not sent; send it again (it "
            "is then tried on what the store holds now)."
        )


def _announce(store: ClaimStore, intent: str) -> None:
    """Announce ``intent`` until no other live one is seen; WriteClaimedElsewhere after
    WAIT_S seconds. Never leaves the intent behind when it raises (or withdraws it as
    soon as the server answers again)."""
    announce = (
        f"INSERT {{ GRAPH <{WRITES_GRAPH}> {{ {intent} a <{_PROV}Activity> ; "
        f"<{_PROV}startedAtTime> ?now ; <{_MODIFIED}> ?now ; <{_MARKS}> true ; "
        f'<{_WRITER}> "{process_identity()}" }} }} WHERE {{ BIND (NOW() AS ?now) }}'
    )
    deadline = time.monotonic() + WAIT_S
    attempt = 0
    while True:
        try:
            store.update_unversioned(announce)
        except BaseException as exc:
            if not _refused(exc):  # an announcement whose answer was lost may be stored
                _withdraw(store, intent, unsure=True)
            _nothing_written(exc)
            raise
        try:
            other = _live_other(store, intent)
        except BaseException as exc:
            _withdraw(store, intent)
            _nothing_written(exc)
            raise
        if other is None:
            return
        try:
            _withdraw(store, intent, quietly=False)
        except StoreError as exc:
            _nothing_written(exc)
            raise
        if time.monotonic() >= deadline:
            raise WriteClaimedElsewhere(*other)
        time.sleep(min(0.5, random.uniform(0.01, 0.02) * 2**attempt))
        attempt += 1


def _refused(exc: BaseException) -> bool:
    """Whether a request failed without being carried out: the server refused it (a 4xx,
    such as a krb service's 403 for the graph of intents it maintains itself, or a
    read-only dataset's) or it was never sent. Withdrawing an announcement refused so
    was a second refusal, logged as an intent that "could not be withdrawn" though it
    was never written."""
    return isinstance(exc, ServerRefused | QuerySyntaxError | StoreUnreachable)


def _nothing_written(exc: BaseException) -> None:
    """The lost answer of a request about turns is no write whose outcome is unknown (a
    502 saying it may have been stored): no data was sent."""
    if isinstance(exc, WriteOutcomeUnknown):
        raise StoreUnreachable(f"{exc} (about the turn to write; nothing was written)") from exc


_INTENTS = (
    f"SELECT ?other ?started ?alive ?writer ?marks ?writing (NOW() AS ?now) "
    f"WHERE {{ GRAPH <{WRITES_GRAPH}> {{ "
    f"{{ ?other a <{_PROV}Activity> }} UNION {{ ?other <{_WRITING}> ?any }} "
    f"OPTIONAL {{ ?other <{_PROV}startedAtTime> ?started }} "
    f"OPTIONAL {{ ?other <{_MODIFIED}> ?alive }} OPTIONAL {{ ?other <{_WRITER}> ?writer }} "
    f"OPTIONAL {{ ?other <{_MARKS}> ?marks }} OPTIONAL {{ ?other <{_WRITING}> ?writing }} }} "
    "FILTER (?other != %s) }"
)
"""Every intent but ``%s``, and what is left of one whose writer marked a write while it
was being taken over (a mark without the intent: held to LIFETIME_S)."""


class _Intent:
    """What one look saw of another writer's intent."""

    def __init__(self) -> None:
        self.started: list[datetime] = []
        self.alive: dict[datetime, object] = {}  # the times, and the terms as stored
        self.writing: list[datetime] = []
        self.writer = ""
        self.marks = False
        self.announced = False

    def add(
        self, started: object, alive: object, writer: object, marks: object, writing: object
    ) -> None:
        for found, into in ((started, self.started), (writing, self.writing)):
            when = _time(found)
            if when is not None:
                into.append(when)
        when = _time(alive)
        if when is not None:
            self.alive[when] = alive
        self.announced = self.announced or started is not None
        self.writer = self.writer or str(writer or "")
        self.marks = self.marks or str(marks) == "true"

    def lapse_s(self) -> float:
        """How long it holds others off after its last sign of life."""
        quiet = self.marks and self.announced and not self.writing
        return min(QUIET_S, LIFETIME_S) if quiet else LIFETIME_S


def _live_other(store: ClaimStore, intent: str) -> tuple[str, datetime, datetime, float] | None:
    """Another writer's live intent (IRI, start, last sign of life, seconds it holds off
    after that), or None; intents that lapsed are removed on the way."""
    rows = store.query(_INTENTS % intent).rows
    found: dict[str, _Intent] = {}
    now: datetime | None = None
    for subject, started, alive, writer, marks, writing, at in rows:
        found.setdefault(str(subject), _Intent()).add(started, alive, writer, marks, writing)
        now = now or _time(at)
    live = None
    for other, seen in found.items():
        begun = min(seen.started or seen.writing, default=None)
        last = max([*seen.alive, *seen.writing], default=begun)
        if now is None or begun is None or last is None:
            continue  # not an intent krbgraph wrote
        age = (now - last).total_seconds()
        gone = f"<{other}>" in _PENDING or not _may_run(seen.writer)
        if gone or age >= LIFETIME_S:
            _remove(store, other, begun)
        elif age < seen.lapse_s() or not _take_over(store, other, seen):
            live = (other, begun, last, seen.lapse_s())
    return live


def _remove(store: ClaimStore, other: str, begun: datetime) -> None:
    try:
        store.update_unversioned(f"DELETE WHERE {{ GRAPH <{WRITES_GRAPH}> {{ <{other}> ?p ?o }} }}")
        logger.warning("removed the lapsed write intent %s of %s", other, begun)
        with _PENDING_LOCK:
            _PENDING.pop(f"<{other}>", None)
    except StoreError:
        pass  # another writer may remove it as well; it is ignored either way


def _take_over(store: ClaimStore, other: str, seen: _Intent) -> bool:
    """Delete the intent ``other`` as it was seen, not renewed and with no write marked;
    True when nothing of it is left after (else it was renewed or marked meanwhile, and
    is live, as it is when the server fails here)."""
    ref = f"<{other}>"
    alive = ", ".join(getattr(term, "n3", lambda: "")() for term in seen.alive.values())
    try:
        store.update_unversioned(
            f"DELETE {{ GRAPH <{WRITES_GRAPH}> {{ {ref} ?p ?o }} }} "
            f"WHERE {{ GRAPH <{WRITES_GRAPH}> {{ {ref} ?p ?o "
            f"FILTER NOT EXISTS {{ {ref} <{_WRITING}> ?since }} "
            f"FILTER NOT EXISTS {{ {ref} <{_MODIFIED}> ?later "
            f"FILTER (?later NOT IN ({alive})) }} }} }}"
        )
        if store.query(f"ASK {{ GRAPH <{WRITES_GRAPH}> {{ {ref} ?p ?o }} }}").boolean:
            return False
    except StoreError:
        return False
    logger.warning(
        "took over the write intent %s: no sign of life for %g s and no write marked",
        other,
        QUIET_S,
    )
    return True


def _time(term: object) -> datetime | None:
    value = getattr(term, "toPython", lambda: None)()
    return value if isinstance(value, datetime) and value.tzinfo is not None else None


def _withdrawal(intent: str) -> str:
    return f"DELETE WHERE {{ GRAPH <{WRITES_GRAPH}> {{ {intent} ?p ?o }} }}"


def _withdraw(
    store: ClaimStore, intent: str, *, quietly: bool = True, unsure: bool = False
) -> None:
    """Withdraw ``intent``; when the server fails, withdraw it again as soon as it answers
    (and raise unless ``quietly``). ``unsure``: its announcement got no answer, so it
    may never have been stored, and the log says no more than that."""
    try:
        store.update_unversioned(_withdrawal(intent))
    except StoreError as exc:
        _pend(store, intent)
        logger.warning(
            "could not withdraw write intent %s (%s)%s; it is withdrawn as soon as the "
            "server answers again",
            intent,
            exc,
            "; its announcement got no answer, so it may never have been stored" if unsure else "",
        )
        if not quietly:
            raise
    else:
        with _PENDING_LOCK:
            _PENDING.pop(intent, None)


_PENDING: dict[str, tuple[ClaimStore, float]] = {}
"""This process's intents it could not withdraw (the server was away), with their store
and when to stop trying (they lapse by then): never another writer to wait for, so they
are withdrawn again as soon as the server answers, and its next turn removes them."""

_PENDING_LOCK = threading.Lock()
_ANSWERED = threading.Event()
_retrying: list[threading.Thread] = []


def _pend(store: ClaimStore, intent: str) -> None:
    with _PENDING_LOCK:
        _PENDING[intent] = (store, time.monotonic() + LIFETIME_S)
        if not _retrying:
            _retrying.append(threading.Thread(target=_retry, name="krb-withdraw", daemon=True))
            _retrying[0].start()


def _retry() -> None:
    """Withdraw the pending intents again every RETRY_S seconds, and at once when a
    request of their store was answered, until none is left."""
    while True:
        _ANSWERED.wait(RETRY_S)
        _ANSWERED.clear()
        with _PENDING_LOCK:
            pending = list(_PENDING.items())
            if not pending:
                _retrying.clear()
                return
        for intent, (store, until) in pending:
            _withdraw_again(store, intent, until)
        time.sleep(0.05)  # however often the server answers meanwhile


def _withdraw_again(store: ClaimStore, intent: str, until: float) -> None:
    try:
        store.update_unversioned(_withdrawal(intent))
        logger.warning("withdrew write intent %s now that the server answers again", intent)
    except StoreError:
        if time.monotonic() < until:
            return
    except Exception:  # noqa: BLE001 - a store closed meanwhile: nothing left to send with
        pass
    with _PENDING_LOCK:
        _PENDING.pop(intent, None)


def server_answered(store: object) -> None:
    """Called by a store whose server answered a request: intents of it this process
    could not withdraw are withdrawn at once (in the background)."""
    if _PENDING and any(pending is store for pending, _until in list(_PENDING.values())):
        _ANSWERED.set()


def closing(store: object) -> None:
    """Called before ``store`` is closed: one more try to withdraw its pending intents
    (a command that exits), then they are left to lapse or to be removed by others."""
    for intent, (pending, _until) in list(_PENDING.items()):
        if pending is store:
            _withdraw_again(pending, intent, until=0.0)


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
