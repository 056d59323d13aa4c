"""Reading a SELECT answer solution by solution, for exports that must not hold it all.

``Store.query`` collects an answer before returning it, which is right for
pages and API answers of a few hundred rows, but an export of a whole registry
(a hundred thousand rows of thirty columns) would sit in memory several times
over: as rdflib terms, as dicts and as text. ``select_rows`` hands the rows
out as the engine produces them, so a caller that writes each row as it comes
runs in constant memory.

The embedded backend iterates pyoxigraph's lazy solutions in the calling
thread (pyoxigraph's iterators are bound to the thread that made them, so the
whole ``with`` block must stay in one thread). The time limit is checked
between solutions, as in krbgraph.store.answers; a step that computes a lot
before its first solution (ORDER BY over the whole answer) cannot be stopped
inside, the same as for ``Store.query`` without a worker. The remote and the
supervised backends parse the server's answer as it arrives (the time limit
checked as it does), so their exports run in constant memory too; any other
Store answers through ``Store.query`` and its rows are handed out: the same
interface, without the memory saving.

``write_answer`` goes further for exports that need no Python per row (no names to
fill in): the engine's solutions are written by pyoxigraph's own serialiser straight
into the output, in the engine's own time. ``write_graph`` does the same for a whole
graph (a Graph Store GET): collected as an rdflib graph, 100,000 triples took 12 s and
400,000 over 30 s and a gigabyte.
"""

from __future__ import annotations

import io
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, cast

import pyoxigraph as ox
from rdflib.term import Identifier

from ..sparql_results import csv_chunks, json_chunks, tsv_chunks
from .answers import AnswerLimits, value_too_long
from .base import QuerySyntaxError, Store, StoreError
from .embedded import EmbeddedStore
from .graph_writes import graph_name
from .remote import BodyReader, RemoteStore, rdf_format
from .remote_errors import graph_store_errors
from .supervised import SupervisedStore
from .terms import ToOxigraph, bind_values, to_rdflib

__all__ = [
    "SERIALISED",
    "Row",
    "engine_solutions",
    "released_on_error",
    "select_rows",
    "write_answer",
    "write_graph",
]

Row = tuple[Identifier | None, ...]
"""One solution in the order of the variables; None where a variable is unbound."""

_TERM_CACHE_LIMIT = 100_000
"""Converted terms remembered per answer; past this the memo starts over, so memory
stays bounded however many distinct terms an answer holds."""


@contextmanager
def select_rows(
    store: Store,
    sparql: str,
    *,
    bindings: Mapping[str, Identifier] | None = None,
    timeout_s: float | None = None,
) -> Iterator[tuple[tuple[str, ...], Iterator[Row]]]:
    """``(variables, rows)`` of a SELECT query, the rows read lazily from the engine.

    Use the rows inside the ``with`` block and in the thread that opened it.
    Raises QuerySyntaxError, QueryTimeout (between rows, while iterating) or
    StoreError (also for a query that is not a SELECT).
    """
    with engine_solutions(store, sparql, bindings=bindings, timeout_s=timeout_s) as found:
        if found is None:
            result = store.query(sparql, bindings=bindings, timeout_s=timeout_s)
            if result.kind != "select":
                raise StoreError(f"only SELECT answers can be streamed, not {result.kind}")
            yield result.variables, iter(result.rows)
            return
        answer, limits = found
        yield tuple(v.value for v in answer.variables), _rows(answer, limits)


SERIALISED = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}
"""The formats write_answer writes (SPARQL 1.1 Query Results CSV, TSV and JSON)."""


def write_answer(
    store: Store,
    sparql: str,
    output: IO[bytes],
    fmt: str,
    *,
    bindings: Mapping[str, Identifier] | None = None,
    timeout_s: float | None = None,
) -> None:
    """Write a SELECT answer to ``output`` in ``fmt`` (a key of SERIALISED) by the
    engine's own serialiser, as the engine produces it: no row becomes a Python object
    (a whole registry's export at a million triples in about the engine's own time,
    where reading it row by row took four times that). A remote server's answer is
    parsed and written again by pyoxigraph as it arrives.

    The time limit is checked at every piece written (and as a remote answer arrives).
    Raises QuerySyntaxError, QueryTimeout, StoreError; what was written before stays.
    """
    with engine_solutions(store, sparql, bindings=bindings, timeout_s=timeout_s) as found:
        if found is None:
            writers = {"csv": csv_chunks, "tsv": tsv_chunks, "json": json_chunks}
            with select_rows(store, sparql, bindings=bindings, timeout_s=timeout_s) as answer:
                for piece in writers[fmt](*answer):
                    output.write(piece.encode("utf-8"))
            return
        solutions, limits = found
        try:
            solutions.serialize(cast(IO[bytes], _TimedOutput(output, limits)), SERIALISED[fmt])
        except OSError as exc:
            raise StoreError(f"query failed while its answer was written: {exc}") from exc
        except MemoryError as exc:
            raise value_too_long(exc) or exc from None


class _TimedOutput(io.RawIOBase):
    """``output``, with the time limit checked at every piece the serialiser writes."""

    def __init__(self, output: IO[bytes], limits: AnswerLimits) -> None:
        self._output = output
        self._limits = limits

    def writable(self) -> bool:
        return True

    def write(self, piece: bytes) -> int:  # type: ignore[override]
        self._limits.check_time()
        self._output.write(piece)
        return len(piece)


def write_graph(store: Store, graph: str | None, output: IO[bytes]) -> bool:
    """Write one graph (None: the store's own default graph) to ``output`` as N-Triples,
    all of one state of the store, by the engine's own serialiser; return whether it
    holds a triple (a named graph without any does not exist, base.Store.graphs).

    Embedded: pyoxigraph's dump of the graph, which reads one snapshot however many
    writers commit meanwhile. Supervised and remote: the server's own Graph Store GET,
    copied as it arrives (Oxigraph's also reads one snapshot); anything but N-Triples
    is parsed and written again by pyoxigraph. The supervised engine's read runs again
    from the start when the engine restarted under it, which is why ``output`` must be
    seekable. No query time limit applies, as to ``read_graph``: a graph is read in one
    scan of an index, in a time that grows with its size only; a server's answer may
    take a write's time (remote.WRITE_TIMEOUT_S). A remote server without a Graph Store
    endpoint, or another Store, goes through ``read_graph`` (rdflib terms: the memory
    this saves elsewhere). Raises StoreError; what was written before stays.
    """
    start = output.tell()
    if isinstance(store, EmbeddedStore):
        try:
            # Inside the store package: the live pyoxigraph store, as Store.query uses it.
            store._live().dump(output, ox.RdfFormat.N_TRIPLES, from_graph=graph_name(graph))
        except OSError as exc:
            raise StoreError(f"could not read graph {graph or 'default'}: {exc}") from exc
    elif isinstance(store, SupervisedStore):
        store.read_through(lambda remote: _server_graph(remote, graph, output, start))
    elif isinstance(store, RemoteStore) and store.endpoints.graph_store is not None:
        _server_graph(store, graph, output, start)
    else:
        triples = ToOxigraph().triples(store.read_graph(graph))
        ox.serialize(triples, output, format=ox.RdfFormat.N_TRIPLES)
    return output.tell() > start


def _server_graph(remote: RemoteStore, graph: str | None, output: IO[bytes], start: int) -> None:
    """The server's Graph Store answer for ``graph`` written at ``start`` of ``output``
    (over what an interrupted run wrote there)."""
    output.seek(start)
    output.truncate()
    with remote.graph_response(graph) as response:
        if response is None:
            return
        fmt = rdf_format(response)
        if fmt == ox.RdfFormat.N_TRIPLES:
            for chunk in response.iter_bytes():
                output.write(chunk)
            return
        body = io.BufferedReader(BodyReader(response, AnswerLimits()))
        with graph_store_errors():
            ox.serialize(ox.parse(body, format=fmt), output, format=ox.RdfFormat.N_TRIPLES)


@contextmanager
def engine_solutions(
    store: Store,
    sparql: str,
    *,
    bindings: Mapping[str, Identifier] | None = None,
    timeout_s: float | None = None,
) -> Iterator[tuple[ox.QuerySolutions, AnswerLimits] | None]:
    """The engine's lazy solutions of a SELECT (pyoxigraph terms, no rdflib) and the
    limits to check while reading them, or None for a Store that has none (it answers
    through Store.query). For writers that need a term's text only (krbgraph.named_csv,
    labels.preload_names); same rules as ``select_rows``."""
    if isinstance(store, RemoteStore | SupervisedStore):
        # Parsed as the server sends it; the time limit is checked as it arrives.
        with store.solutions(sparql, bindings=bindings, timeout_s=timeout_s) as solutions:
            yield solutions, AnswerLimits()
        return
    if not isinstance(store, EmbeddedStore):
        yield None
        return
    timeout = timeout_s if timeout_s is not None else store.default_timeout_s
    limits = AnswerLimits(timeout_s=timeout)
    try:
        text = bind_values(sparql, bindings)
        # Inside the store package: the live pyoxigraph store, as Store.query uses it.
        answer = store._live().query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QuerySyntaxError.from_message(str(exc)) from exc
    except OSError as exc:
        raise StoreError(f"query failed in store {store.path}: {exc}") from exc
    if not isinstance(answer, ox.QuerySolutions):
        raise StoreError("only SELECT answers can be streamed")
    try:
        yield answer, limits
    finally:
        del answer  # released in the thread that made it


def _rows(solutions: ox.QuerySolutions, limits: AnswerLimits) -> Iterator[Row]:
    memo: dict[object, Identifier | None] = {None: None}

    def term(value: object) -> Identifier | None:
        converted = memo.get(value, memo)
        if converted is memo:
            if len(memo) > _TERM_CACHE_LIMIT:
                memo.clear()
                memo[None] = None
            converted = memo[value] = to_rdflib(value)
        return converted  # type: ignore[return-value]

    try:
        for solution in solutions:
            limits.check_time()
            yield tuple(map(term, solution))
    except OSError as exc:
        raise StoreError(f"query failed while reading its answer: {exc}") from exc
    except MemoryError as exc:
        raise value_too_long(exc) or exc from None


@contextmanager
def released_on_error() -> Iterator[None]:
    """Around work in a thread that is not the one that will handle its errors (a web
    worker thread, whose exception the event loop's thread handles): on an error, the
    locals of every finished frame of its traceback are cleared here, in this thread.

    pyoxigraph's answers may only be dropped in the thread that made them. A query that
    timed out in the middle of a streamed export left its solutions in the locals of the
    frames its traceback holds; the server's error handler dropped them in another
    thread, where pyoxigraph refuses (a RuntimeError in the log) and leaks them, with
    what they hold of the store. The traceback keeps its lines for the log.
    """
    try:
        yield
    except BaseException as exc:
        seen: set[int] = set()
        error: BaseException | None = exc
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            traceback.clear_frames(error.__traceback__)
            error = error.__context__
        raise
