"""Aggregates behind pages, computed once per version of the store.

The counts on the home page, the dwarsverbanden network, the theme counts and
the concept-scheme trees read the whole registry: hundreds of milliseconds at a
million triples, the same answer for every reader until somebody writes. So
they are kept here, per store, for the store's current ``write_generation``
(krbgraph.store.backend: every write method of a backend moves it, whether the
write came over HTTP, the command line or a test). The first read after a write
computes again; every later read is a dictionary lookup.

A remote SPARQL server can be written by others, whose writes this process
never sees in ``write_generation``. For such a store an entry is also dropped
after ``SHARED_STORE_MAX_AGE_S``, so an outside write shows within that time.
The embedded store (its folder is locked by the process that opened it) and
the supervised engine (a child process of the service) have no other writer,
so there the generation is the whole rule.

The cache is bounded (``MAX_ENTRIES`` per store and ``MAX_ROWS`` rows of answers
per store: a reader varying a date must not fill the memory with whole-registry
answers), thread-safe, and holds nothing for a store that cannot be weakly referenced
or has no generation counter. Values are shared between requests: callers must treat
them as read-only (tuples and frozen dataclasses, or models nobody changes).

Which entry goes when the bounds are reached is a segmented LRU: an answer is first
kept "on probation"; read again, it moves to the "protected" segment (at most
``PROTECTED_SHARE`` of both bounds). Probation is emptied first, least recently used
first. A reader cycling once through ``?datum=`` or filter values (each answer read
once) thus only pushes out other answers read once, not the monitoring page every
officer comes back to; with a plain LRU one such reader emptied the cache for
everybody. The keys of answers dropped from probation are remembered (only the keys,
as many as ``MAX_ENTRIES``): one asked again after it was dropped was read again all
the same, and is kept protected, so readers who come back later than probation holds
are recomputed once, not every time, while stale protected entries make way. The
price: a reader going through the same hundreds of dates a second time is such a
reader too, and pushes out protected answers nobody read meanwhile. The entry
being added is never the one dropped (it would be computed again by every reader);
on a store others write, entries past their age go first.

An answer whose key holds ``today_in_key()`` depends on the registry's day (a date
left out is today): at midnight those entries are dropped, whatever their segment,
since no reader asks for yesterday's key again; every other entry stays for the
store's version.

``rewarm`` computes again, for the store's new generation, what readers asked for
at the previous one (krbgraph.web.rewarm calls it after a write), so the first
reader after a write does not wait for the whole registry to be read again.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import Context, copy_context
from dataclasses import dataclass
from typing import TypeVar

from rdflib.term import Identifier

from ..registry_day import today as registry_today
from ..store import Store
from ..store.remote import RemoteStore
from .describe import READER_LANGUAGES, run_query

__all__ = [
    "MAX_ENTRIES",
    "MAX_ROWS",
    "PROTECTED_SHARE",
    "REWARMED",
    "SHARED_STORE_MAX_AGE_S",
    "Rows",
    "Today",
    "cached",
    "cached_rows",
    "rewarm",
    "today_in_key",
]

T = TypeVar("T")

Rows = tuple[dict[str, Identifier], ...]
"""The answer of a named query as rows by column name; shared, so never changed."""

MAX_ENTRIES = 256
"""Entries kept per store; past this the least recently used one is dropped."""

SHARED_STORE_MAX_AGE_S = 30.0
"""How long an entry lives for a store others may write too (a remote SPARQL server)."""

MAX_ROWS = 75_000
"""Rows of answers kept per store (``cached(..., rows=len)``): at a million triples the
three whole-registry research answers (normtoets and normgat 24,000 rows each, behind
the monitoring page, and effectevaluatie 18,000), some 100 MB per 24,000 typed rows,
so about 300 MB at most. An answer larger than this is computed for its reader and
not kept."""

PROTECTED_SHARE = 0.8
"""The share of MAX_ENTRIES and MAX_ROWS that answers read more than once may hold."""

FLIGHT_WAIT_S = 600.0
"""How long a reader waits for another's computation of the same answer before it
computes for itself (a computation that hangs must not hang its waiters for ever)."""

REWARMED = 32
"""At most this many entries are computed again after a write: the protected ones (read
more than once) first, most recently used first, then those on probation."""


@dataclass(frozen=True)
class Today:
    """In a key: the answer depends on the registry's day (a parameter left out may
    default to today), so it ends at midnight."""

    day: str


def today_in_key() -> Today:
    """The registry's day, as a key names it (see Today)."""
    return Today(registry_today().isoformat())


@dataclass(frozen=True)
class _Entry:
    """A value, when it was made, its weight in rows, and how to make it again in the
    reader's context (its languages)."""

    made: float
    value: object
    weight: int
    compute: Callable[[], object]
    measure: Callable[[object], int] | None
    context: Context


class _StoreEntries:
    """The entries of one store, all made at one write generation, in two segments of
    least recently used first: on probation (read once) and protected (read again);
    and the keys lately dropped (``ghosts``). ``day`` is the registry day of the
    entries whose key names one."""

    def __init__(self, generation: int, day: str) -> None:
        self.generation = generation
        self.day = day
        self.probation: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.protected: OrderedDict[Hashable, _Entry] = OrderedDict()
        self.ghosts: OrderedDict[Hashable, None] = OrderedDict()
        self.computing: dict[Hashable, _Flight] = {}
        self.weight = 0
        self.protected_weight = 0

    @property
    def entries(self) -> dict[Hashable, _Entry]:
        """Every entry kept, on probation first (a copy: for reading)."""
        return {**self.probation, **self.protected}

    def get(self, key: Hashable) -> _Entry | None:
        if key in self.protected:
            return self.protected[key]
        return self.probation.get(key)

    def drop(self, key: Hashable, remember: bool = False) -> None:
        """Drops ``key``; ``remember`` it as lately dropped (pushed out by others, not
        stale)."""
        if key in self.protected:
            entry = self.protected.pop(key)
            self.protected_weight -= entry.weight
        else:
            entry = self.probation.pop(key)
        self.weight -= entry.weight
        if remember:
            self.ghosts[key] = None
            self.ghosts.move_to_end(key)
            while len(self.ghosts) > MAX_ENTRIES:
                self.ghosts.popitem(last=False)

    def read(self, key: Hashable) -> None:
        """``key`` was read again: it becomes the most recent protected entry."""
        if key in self.protected:
            self.protected.move_to_end(key)
            return
        entry = self.probation.pop(key)
        self.protected[key] = entry
        self.protected_weight += entry.weight
        self._bound_protected()

    def keep(
        self,
        key: Hashable,
        entry: _Entry,
        protected: bool = False,
        max_age: float | None = None,
    ) -> None:
        """Keep ``entry`` as the most recent on probation, or protected (it was before a
        write, or was dropped lately and is asked again), then drop entries past the
        bounds, never this one: first those older than ``max_age``, then probation's,
        then protected ones. An entry heavier than MAX_ROWS alone is not kept."""
        if key in self.probation or key in self.protected:
            self.drop(key)
        if entry.weight > MAX_ROWS:
            return
        if self.ghosts.pop(key, False) is None:
            protected = True
        self.weight += entry.weight
        if protected:
            self.protected[key] = entry
            self.protected_weight += entry.weight
            self._bound_protected()
        else:
            self.probation[key] = entry
        if not self._over():
            return
        if max_age is not None:
            for old in [k for k, e in self.entries.items() if entry.made - e.made >= max_age]:
                if old != key:
                    self.drop(old)
        while self._over():
            victim = next((k for k in self.probation if k != key), None)
            if victim is None:
                victim = next((k for k in self.protected if k != key), None)
            if victim is None:
                break
            self.drop(victim, remember=True)

    def new_day(self, day: str) -> None:
        """Drops the entries whose key names a day before ``day`` (see Today)."""
        for key in [k for k in self.entries if _names_a_day_before(k, day)]:
            self.drop(key)
        self.day = day

    def _over(self) -> bool:
        return len(self.probation) + len(self.protected) > MAX_ENTRIES or self.weight > MAX_ROWS

    def _bound_protected(self) -> None:
        """Move the least recently used protected entries back to probation (as its most
        recent) while the protected segment is over its share of either bound."""
        while len(self.protected) > 1 and (
            len(self.protected) > PROTECTED_SHARE * MAX_ENTRIES
            or self.protected_weight > PROTECTED_SHARE * MAX_ROWS
        ):
            key, entry = self.protected.popitem(last=False)
            self.protected_weight -= entry.weight
            self.probation[key] = entry


class _Flight:
    """An answer being computed, for the readers who ask for it meanwhile: they wait for
    it rather than compute the same whole-registry answer side by side (at nine o'clock
    ten officers opening the monitoring page of a million triples were ten reads of the
    whole registry on two cores). They get its error too (a time-out would be theirs
    as well, after as long again), and its value only if the cache kept it: a value
    not kept (a spooled file a reader sends and closes) is not for sharing, so then
    each computes for itself."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.done = threading.Event()
        self.ok = False
        self.value: object = None
        self.error: Exception | None = None

    def outcome(self) -> object:
        """The value, or the computation's own error raised again (a copy rebuilt from
        its arguments garbled the project's messages; only its traceback is shared)."""
        if self.error is not None:
            raise self.error
        return self.value


def _landed(held: _StoreEntries, key: Hashable, flight: _Flight) -> None:
    with _LOCK:
        if held.computing.get(key) is flight:
            del held.computing[key]
    flight.done.set()


def _names_a_day_before(key: Hashable, day: str) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(part, Today) and part.day < day for part in parts)


_CACHES: weakref.WeakKeyDictionary[object, _StoreEntries] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def cached(
    store: Store,
    key: Hashable,
    compute: Callable[[], T],
    rows: Callable[[T], int] | None = None,
) -> T:
    """``compute()`` for ``key``, computed once per write generation of ``store``.

    ``rows`` measures a large answer (its number of rows) against MAX_ROWS; without
    it an entry counts as one row.

    ``key`` must name everything the answer depends on besides the store's data
    (the query, its parameters, the reader's languages, the date when the
    answer depends on today). ``compute`` runs outside the lock, so a slow
    aggregate does not hold up other readers; a reader who misses while another
    computes the same answer waits for that one and gets its value if it is kept, or
    its error (see _Flight; a computation asking for its own key in its own thread is
    not waited for). An answer computed while a
    write happened is returned to its caller but not kept. Exceptions of ``compute``
    pass through and nothing is kept.
    """
    return _cached(store, key, compute, rows)


def _cached(
    store: Store,
    key: Hashable,
    compute: Callable[[], T],
    rows: Callable[[T], int] | None,
    protected: bool = False,
) -> T:
    """cached(); ``protected`` keeps a computed answer in the protected segment (rewarm:
    it was read again before the write)."""
    generation = getattr(store, "write_generation", None)
    if not isinstance(generation, int):
        return compute()
    max_age = SHARED_STORE_MAX_AGE_S if isinstance(store, RemoteStore) else None
    now = time.monotonic()
    day = registry_today().isoformat()
    mine: _Flight | None = None
    with _LOCK:
        held = _entries(store, generation, day)
        entry = None if held is None else held.get(key)
        if held is not None and entry is not None:
            if max_age is None or now - entry.made < max_age:
                held.read(key)
                return entry.value  # type: ignore[return-value]
            held.drop(key)
        flight = None if held is None else held.computing.get(key)
        if held is not None and flight is None:
            mine = held.computing[key] = _Flight()
    waits = flight is not None and flight.thread != threading.get_ident()
    landed = waits and flight is not None and flight.done.wait(FLIGHT_WAIT_S)
    if landed and flight is not None and (flight.ok or flight.error is not None):
        return flight.outcome()  # type: ignore[return-value]
    try:
        value = compute()
    except Exception as exc:
        if mine is not None and held is not None:
            mine.error = exc
            _landed(held, key, mine)
        raise
    except BaseException:
        if mine is not None and held is not None:
            _landed(held, key, mine)  # the waiters compute for themselves
        raise
    kept = False
    try:
        weight = 1 if rows is None else max(1, rows(value))
        with _LOCK:
            now_held = _entries(store, generation, day)
            if now_held is not None and getattr(store, "write_generation", None) == generation:
                made = _Entry(now, value, weight, compute, rows, copy_context())  # type: ignore[arg-type]
                now_held.keep(key, made, protected, max_age)
                kept = now_held.get(key) is made
    finally:  # whatever happens here, the waiters are let go (they compute their own)
        if mine is not None and held is not None:
            mine.value, mine.ok = value, kept
            _landed(held, key, mine)
    return value


def rewarm(store: Store, limit: int = REWARMED) -> int:
    """Compute again, for the store's current generation, ``limit`` entries of the
    generation before: those read more than once first (they stay protected), most
    recently used first; returns how many were computed. Each runs in the context its
    reader had (its languages). A later write stops the round: what it computed would
    be stale already. Errors of one entry leave it to its reader. Entries of an earlier
    registry day are not computed again (their keys name a day gone by), nor values
    whose ``rewarmed`` attribute is False."""
    generation = getattr(store, "write_generation", None)
    if not isinstance(generation, int) or isinstance(store, RemoteStore):
        return 0
    day = registry_today().isoformat()
    with _LOCK:
        try:
            held = _CACHES.get(store)
        except TypeError:
            return 0
        if held is None or held.generation >= generation:
            return 0
        if held.day < day:
            held.new_day(day)
        previous = [(k, e, True) for k, e in reversed(held.protected.items())]
        previous += [(k, e, False) for k, e in reversed(held.probation.items())]
        # A value may say it is not worth computing again unasked (a large answer kept
        # on disk: minutes of the engine after every write): it goes with the write.
        previous = [p for p in previous if getattr(p[1].value, "rewarmed", True)][:limit]
        _CACHES[store] = _StoreEntries(generation, day)
    done = 0
    # The most wanted first: a write may stop the round.
    for key, entry, protected in previous:
        if getattr(store, "write_generation", None) != generation:
            break
        try:
            entry.context.run(_cached, store, key, entry.compute, entry.measure, protected)
        except Exception:  # noqa: BLE001 -- the reader that needs it will see the error
            continue
        done += 1
    return done


def _entries(store: Store, generation: int, day: str) -> _StoreEntries | None:
    """The entries of ``store`` for ``generation`` (emptied when the store moved on; at
    a new ``day`` those whose key names the day before are dropped); None for a store
    that cannot be weakly referenced, or for a reader that started before a write or
    before midnight (the newer entries stay). Called with _LOCK held."""
    try:
        held = _CACHES.get(store)
        if held is None or held.generation < generation:
            held = _StoreEntries(generation, day)
            _CACHES[store] = held
    except TypeError:
        return None
    if held.generation > generation or held.day > day:
        return None
    if held.day < day:
        held.new_day(day)
    return held


def cached_rows(store: Store, name: str, **bindings: Identifier | None) -> Rows:
    """The rows of named query ``name`` (names in the reader's languages), computed
    once per write generation and day for these bindings.

    The day is part of the key because a parameter left out may default to today
    (``datum``): what is in force changes at midnight without any write.
    """
    bound = tuple(sorted((k, v.n3()) for k, v in bindings.items() if v is not None))
    key = ("rows", name, bound, READER_LANGUAGES.get(), today_in_key())
    return cached(store, key, lambda: tuple(run_query(store, name, **bindings).dicts()), len)
