"""Reading a query answer into a QueryResult, stopping at the first solution past a limit.

Both backends get answers as lazy iterators (the embedded store from
pyoxigraph's evaluation, the remote store from the streamed HTTP body), so
the time and size limits are checked between solutions: a query that runs too
long or answers too much stops costing memory and CPU at that point instead of
after the whole answer has been collected.

pyoxigraph's iterators are bound to the thread that made them and must be
released there too: ``collect`` reads the answer and lets go of it before
returning or raising, so an exception carried to another thread (or kept
alive by a reference cycle until some other thread runs the garbage
collector) never holds the iterator.
"""

from __future__ import annotations

import re
import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib

from .base import QueryResult, QueryTimeout, ResultTooLarge, StoreError, UnsupportedAnswer
from .terms import to_rdflib


@dataclass
class AnswerLimits:
    """The limits of one query, shared between the caller and the thread reading the answer.

    ``cancel()`` lets a caller that gave up waiting stop the reader at its
    next solution.
    """

    max_rows: int | None = None
    max_bytes: int | None = None
    """The most text the answer's values may hold together, each time a row names them:
    what its serialisation costs (500 rows of a 1 MiB value each took 1.6 GB)."""
    timeout_s: float | None = None
    started: float = field(default_factory=time.monotonic)
    _cancelled: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._cancelled.set()

    def timeout(self) -> QueryTimeout:
        """The error for a query past its time limit, the same wherever it is noticed."""
        limit = f"{self.timeout_s:g} s" if self.timeout_s is not None else "the time allowed"
        return QueryTimeout(f"query did not finish within {limit}")

    def check_time(self) -> None:
        """Raise QueryTimeout when the time is up or the caller stopped waiting."""
        if self._cancelled.is_set():
            raise self.timeout()
        if self.timeout_s is not None and time.monotonic() - self.started > self.timeout_s:
            raise self.timeout()

    def check_size(self, size: int, unit: str) -> None:
        """Raise ResultTooLarge when ``size`` solutions or triples are more than allowed."""
        if self.max_rows is not None and size > self.max_rows:
            raise ResultTooLarge(self.max_rows, unit)


_BUFFER_LIMIT = re.compile(r"buffer maximal size of (\d+)")


def value_too_long(exc: MemoryError) -> UnsupportedAnswer | None:
    """The UnsupportedAnswer for an answer of the engine or a server that holds a value
    longer than pyoxigraph's parser reads in one piece (16 MiB: a whole file stored as
    one literal), or None for a MemoryError of another kind (memory ran out)."""
    found = _BUFFER_LIMIT.search(str(exc))
    if found is None:
        return None
    mib = int(found[1]) // (1024 * 1024)
    return UnsupportedAnswer(
        f"The answer holds a value longer than this service reads from its query engine "
        f"in one piece ({mib} MiB, less in JSON); select part of it (SUBSTR(?o, 1, 10000), "
        "STRLEN(?o)). Values that long are refused when written."
    )


def collect(answer: object, limits: AnswerLimits) -> QueryResult:
    """A QueryResult from a pyoxigraph answer or RDF parser, read here and only up to the limits.

    Raises QueryTimeout or ResultTooLarge at the first solution or triple past
    a limit, and whatever reading the answer raises (SyntaxError, OSError).
    """
    try:
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult(kind="ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            return _select(answer, limits)
        if isinstance(answer, ox.QueryTriples | ox.QuadParser):
            return _graph(answer, limits)
        raise StoreError(f"unexpected query answer {type(answer).__name__}")
    except MemoryError as exc:
        traceback.clear_frames(exc.__traceback__)
        raise value_too_long(exc) or exc from None
    except BaseException as exc:
        traceback.clear_frames(exc.__traceback__)  # the frames below hold the answer
        raise
    finally:
        del answer


class _Terms(dict[object, rdflib.term.Identifier | None]):
    """The rdflib term of each pyoxigraph term met in one answer, converted once.

    Codes, themes, units and IRIs repeat across the rows of an answer, and
    building an rdflib term (IRI checks, literal parsing) costs far more than a
    dict lookup. A lookup of a term not yet met converts and remembers it; None
    (an unbound variable) stays None. One instance per answer: nothing outlives
    it, and the same blank node label gives the same node only within it.
    """

    def __init__(self) -> None:
        super().__init__({None: None})

    def __missing__(self, term: object) -> rdflib.term.Identifier:
        converted = self[term] = to_rdflib(term)
        return converted


def _select(solutions: ox.QuerySolutions, limits: AnswerLimits) -> QueryResult:
    """The rows of a SELECT answer; a solution iterates its values in ``variables`` order."""
    variables = tuple(v.value for v in solutions.variables)
    rows: list[tuple[rdflib.term.Identifier | None, ...]] = []
    append, check_time, check_size = rows.append, limits.check_time, limits.check_size
    term = _Terms().__getitem__  # map() over it stays in C for every term already met
    if limits.max_bytes is not None:
        size, budget = _Sizes().__getitem__, _Budget(limits.max_bytes)
        for solution in solutions:
            check_time()
            append(tuple(map(term, solution)))
            check_size(len(rows), "rows")
            budget.spend(sum(map(size, solution)))
        return QueryResult(kind="select", variables=variables, rows=tuple(rows))
    for solution in solutions:
        check_time()
        append(tuple(map(term, solution)))
        check_size(len(rows), "rows")
    return QueryResult(kind="select", variables=variables, rows=tuple(rows))


class _Sizes(dict[object, int]):
    """The length of each term's text, computed once per term of an answer."""

    def __init__(self) -> None:
        super().__init__({None: 0})

    def __missing__(self, term: object) -> int:
        size = self[term] = len(getattr(term, "value", "")) + len(
            str(getattr(term, "datatype", ""))
        )
        return size


class _Budget:
    """The text an answer may still hold (AnswerLimits.max_bytes): ResultTooLarge past it."""

    def __init__(self, limit: int) -> None:
        self.limit, self.left = limit, limit

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise ResultTooLarge(self.limit // (1024 * 1024), "MB of values")


def _graph(triples: Iterable[ox.Triple | ox.Quad], limits: AnswerLimits) -> QueryResult:
    """The graph of a CONSTRUCT or DESCRIBE answer; duplicate triples count once."""
    graph = rdflib.Graph()
    add, check_time, check_size = graph.add, limits.check_time, limits.check_size
    term = _Terms().__getitem__
    size = _Sizes().__getitem__
    budget = _Budget(limits.max_bytes) if limits.max_bytes is not None else None
    for triple in triples:
        check_time()
        add((term(triple.subject), term(triple.predicate), term(triple.object)))  # type: ignore[arg-type]
        if limits.max_rows is not None:
            check_size(len(graph), "triples")
        if budget is not None:
            budget.spend(size(triple.subject) + size(triple.predicate) + size(triple.object))
    return QueryResult(kind="graph", graph=graph)
