"""The embedded backend: an Oxigraph (RocksDB) store in a folder, no server needed.

Atomicity: pyoxigraph 0.5 offers no transaction object, but ``Store.update``
and ``Store.extend`` each commit all-or-nothing. A replace is therefore one
SPARQL update, ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { ... } }``,
built from data that was parsed completely beforehand: readers see the old
graph or the new one, never a mix, and a failure changes nothing.
``bulk_load`` is not used because it is not transactional.

Limits: pyoxigraph evaluates lazily, one solution per step of its iterator,
and cannot be interrupted inside a step. A query with a timeout therefore
runs in a daemon worker thread (pyoxigraph releases the GIL while it
evaluates) that checks the deadline, the row limit and the caller's
cancellation between solutions: when time is up the caller gets QueryTimeout
at once and the worker stops at its next solution, dropping what it read. A
step that computes a lot before its first solution (an aggregate such as
COUNT over a huge join, ORDER BY) cannot be stopped and ends in the
background; isolation that stops those too needs a separate process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.term import Identifier

from ..rdfio import parse_quads
from .answers import AnswerLimits, collect
from .backend import StoreBackend, TripleData
from .base import (
    QueryResult,
    QuerySyntaxError,
    StoreError,
)
from .dumps import dump_format, write_dump
from .terms import bind_values, named_node, rdflib_graph, write_update


class EmbeddedStore(StoreBackend):
    """A Store on an Oxigraph database folder; one process at a time may open it."""

    def __init__(self, path: Path, *, default_timeout_s: float | None = None):
        self.path = Path(path)
        self.default_timeout_s = default_timeout_s
        self._store = _open(self.path)

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.path)!r})"

    # -- reading ---------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout_s: float | None = None,
        max_rows: int | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        options: dict[str, object] = {}
        if default_graph_uris:
            options["default_graph"] = [named_node(iri) for iri in default_graph_uris]
        else:
            options["use_default_graph_as_union"] = True
        if named_graph_uris:
            options["named_graphs"] = [named_node(iri) for iri in named_graph_uris]
        if base_iri is not None:
            options["base_iri"] = named_node(base_iri, "base IRI").value
        text = bind_values(sparql, bindings)
        timeout = timeout_s if timeout_s is not None else self.default_timeout_s
        limits = AnswerLimits(max_rows=max_rows, timeout_s=timeout)

        def run() -> QueryResult:
            try:
                return collect(self._live().query(text, **options), limits)  # type: ignore[arg-type]
            except SyntaxError as exc:
                raise QuerySyntaxError.from_message(str(exc)) from exc
            except OSError as exc:
                raise StoreError(f"query failed in store {self.path}: {exc}") from exc

        return run() if timeout is None else _in_worker(run, limits)

    def read_graph(self, graph: str | None) -> rdflib.Graph:
        return rdflib_graph(self._live().quads_for_pattern(None, None, None, _graph_name(graph)))

    # -- writing ---------------------------------------------------------

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        base = None if base_iri is None else named_node(base_iri, "base IRI").value
        try:
            self._live().update(sparql, base_iri=base)
        except SyntaxError as exc:
            raise QuerySyntaxError.from_message(str(exc)) from exc
        except OSError as exc:
            raise StoreError(f"update failed in store {self.path}: {exc}") from exc

    def drop_graph(self, graph: str) -> None:
        name = named_node(graph)
        if not self._live().contains_named_graph(name):
            raise KeyError(f"the store has no graph <{graph}>")
        try:
            self._live().remove_graph(name)
        except OSError as exc:
            raise StoreError(f"could not drop graph <{graph}>: {exc}") from exc

    def _write_triples(self, graphs: TripleData, replace: bool) -> None:
        if not replace:
            quads = [
                ox.Quad(t.subject, t.predicate, t.object, _graph_name(iri))
                for iri, triples in graphs.items()
                for t in triples
            ]
            try:
                self._live().extend(quads)
            except OSError as exc:
                raise StoreError(f"could not write to store {self.path}: {exc}") from exc
            return
        self.update(write_update(graphs, replace=True))

    # -- whole store -----------------------------------------------------

    def dump(self, path: Path) -> int:
        dump_format(path)
        try:
            return write_dump(path, iter(self._live()))
        except OSError as exc:
            raise StoreError(f"could not write dump {path}: {exc}") from exc

    def restore(self, path: Path) -> int:
        dump_format(path)
        if not self._is_empty():
            raise StoreError(
                f"store {self.path} is not empty; restore only into an empty store "
                "(use a new folder, or drop its graphs first)"
            )
        quads = parse_quads(path)
        try:
            self._live().extend(quads)
        except OSError as exc:
            raise StoreError(f"could not restore into store {self.path}: {exc}") from exc
        return len(quads)

    def close(self) -> None:
        if self._store is not None:
            try:
                self._store.flush()
            finally:
                self._store = None

    def _is_empty(self) -> bool:
        """No quad and no (even empty) named graph; O(1), unlike len()."""
        return (
            next(iter(self._live()), None) is None
            and next(iter(self._live().named_graphs()), None) is None
        )

    def _live(self) -> ox.Store:
        """The open store, fetched per use and never kept in a local variable.

        A traceback holding such a frame would keep the database (and its
        lock) alive after close().
        """
        if self._store is None:
            raise StoreError(f"store {self.path} is closed")
        return self._store


def _graph_name(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else named_node(graph)


def _open(path: Path) -> ox.Store:
    if path.exists() and not path.is_dir():
        raise StoreError(f"store location {path} is a file; it must be a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreError(
                f"store {path} is in use by another process; an embedded store can be "
                "opened by one process at a time (stop it, or run a SPARQL server)"
            ) from exc
        raise StoreError(f"cannot open store {path}: {exc}") from exc


def _in_worker(run: Callable[[], QueryResult], limits: AnswerLimits) -> QueryResult:
    """Run ``run`` in a worker thread and wait for it no longer than the time limit.

    The worker checks ``limits`` between solutions; on time-out it is
    cancelled, so it stops at its next solution rather than reading on.
    """
    outcome: list[QueryResult | BaseException] = []

    def work() -> None:
        try:
            outcome.append(run())
        except BaseException as exc:  # handed to the caller below, never swallowed
            outcome.append(exc)

    worker = threading.Thread(target=work, name="krb-query", daemon=True)
    worker.start()
    remaining = (limits.timeout_s or 0.0) - (time.monotonic() - limits.started)
    worker.join(max(remaining, 0.0))
    if not outcome:
        limits.cancel()
        raise limits.timeout()
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result
