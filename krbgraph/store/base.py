"""The one interface the rest of krbgraph uses to reach a graph store.

Two backends implement it: an embedded Oxigraph store in a folder (no server
to run, the default) and any SPARQL 1.1 server. Code above this layer never
knows which one it talks to, so the CLI, the HTTP server and the tests can
swap them through Settings alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import pyoxigraph as ox
import rdflib
from rdflib.term import Identifier

if TYPE_CHECKING:
    from ..settings import Settings


class StoreError(Exception):
    """The store could not do what was asked; the message says what and where."""


class StoreUnreachable(StoreError):
    """The SPARQL server could not be reached (down, restarting, a wrong address): a
    condition that passes, unlike a store that failed what was asked."""


class WriteOutcomeUnknown(StoreError):
    """A write reached the SPARQL server but its answer was lost (the server died after
    committing, a proxy cut the connection): it may have been stored. Never "try again"
    (a retried insert of blank nodes is stored twice); check first."""


class UnsupportedAnswer(StoreError):
    """The answer holds a term the service cannot return (an RDF 1.2 triple term, made by
    TRIPLE() in a client's query: the registry itself holds none)."""


class QueryTimeout(StoreError):
    """A query ran longer than the allowed time."""


class ResultTooLarge(StoreError):
    """A query answer has more solutions or triples than the caller allows.

    Raised as soon as the answer exceeds the limit (the store stops reading
    it there), so the full size is unknown: ``limit`` is the limit that was
    exceeded, ``unit`` is "rows" or "triples".
    """

    def __init__(self, limit: int, unit: str):
        super().__init__(f"the answer has more than {limit} {unit}")
        self.limit = limit
        self.unit = unit


class QuerySyntaxError(StoreError):
    """A SPARQL query or update is not valid SPARQL.

    ``line`` and ``column`` are 1-based and set when the store reports them.
    """

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column

    @classmethod
    def from_message(cls, message: str) -> QuerySyntaxError:
        """Pick the position out of Oxigraph's 'error at LINE:COLUMN: ...' messages."""
        match = _POSITION.search(message)
        if match:
            return cls(message, line=int(match[2]), column=int(match[3]))
        return cls(message)

    def lines_removed(self, count: int) -> QuerySyntaxError:
        """The same error for a text ``count`` lines shorter at the top.

        Used when a backend put lines (a BASE declaration) in front of the
        caller's text: the position then points into the caller's text again.
        """
        if self.line is None or count == 0:
            return self
        line = max(self.line - count, 1)
        message = _POSITION.sub(lambda m: f"{m[1]}{line}:{m[3]}", str(self), count=1)
        return QuerySyntaxError(message, line=line, column=self.column)


_POSITION = re.compile(r"(error at )(\d+):(\d+)", re.IGNORECASE)
"""Oxigraph's position in a syntax error: 'error at LINE:COLUMN' (1-based)."""


@dataclass(frozen=True)
class QueryResult:
    """The answer to any SPARQL query form, with rdflib terms.

    Simple literals come back without a datatype (``Literal("x")``), whatever
    the backend, so results compare equal across backends.
    """

    kind: Literal["select", "ask", "graph"]
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Identifier | None, ...], ...] = ()
    """One tuple per solution, in ``variables`` order; None where a variable is unbound."""
    boolean: bool | None = None
    graph: rdflib.Graph | None = None
    """The triples of a CONSTRUCT or DESCRIBE query."""

    def dicts(self) -> list[dict[str, Identifier]]:
        """Solutions as dicts without the unbound variables, the shape most callers want."""
        return [
            {
                name: value
                for name, value in zip(self.variables, row, strict=True)
                if value is not None
            }
            for row in self.rows
        ]


class SparqlSource(Protocol):
    """Anything that answers SPARQL like a Store: the store, or the service's replica
    (the derivation and the checks beside validation read either)."""

    def query(self, sparql: str) -> QueryResult: ...


@dataclass(frozen=True)
class GraphQuads:
    """A graph's content as quads of that graph, made once for both the in-memory copy
    that validates it and the write: turning 175,000 triples into quads costs half a
    second each time (a workbook of 10,000 norms)."""

    graph: str | None
    """The graph IRI (None: the default graph) every quad names."""
    quads: Sequence[ox.Quad]

    def __len__(self) -> int:
        return len(self.quads)

    def of(self, graph: str | None) -> Sequence[ox.Quad]:
        """The quads, when they are those of ``graph``; ValueError otherwise (never write
        one graph's quads into another)."""
        if graph != self.graph:
            raise ValueError(f"quads of graph {self.graph!r} given for graph {graph!r}")
        return self.quads

    def triples(self) -> list[ox.Triple]:
        return [quad.triple for quad in self.quads]


GraphContent = rdflib.Graph | Sequence[ox.Triple] | GraphQuads
"""A graph's content: an rdflib graph (a workbook's), pyoxigraph triples as parsed from a
request body, or quads of that graph converted once (a registry of a million triples
never becomes an rdflib graph; a workbook's triples are converted once, as GraphQuads,
for validation and the write)."""

GraphData = Mapping[str, GraphContent] | Mapping[str | None, GraphContent]
"""Graph contents by graph IRI; the key None names the store's own default graph."""


@dataclass(frozen=True)
class GraphInfo:
    iri: str
    triples: int


class Store(Protocol):
    """A quad store holding the model and one or more registries in named graphs.

    Queries see the union of all graphs as their default graph unless
    ``default_graph_uris`` is given. Every write is all-or-nothing: a write
    that fails leaves the store as it was.
    """

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout_s: float | None = None,
        max_rows: int | None = None,
        max_bytes: int | None = None,
        base_iri: str | None = None,
        nice: int = 0,
    ) -> QueryResult:
        """Run a query; ``bindings`` binds variables (name without '?') to IRIs or literals.

        The binding is a VALUES block placed first in the outermost ``WHERE {``
        (which the query must spell out), the same on every backend.

        The answer is read solution by solution and reading stops at the first
        one past a limit: ``timeout_s`` (None: the store's default) raises
        QueryTimeout, more than ``max_rows`` solutions (SELECT) or distinct
        triples (CONSTRUCT, DESCRIBE) raise ResultTooLarge, and so do values whose
        text, counted each time a row names them, is more than ``max_bytes``; the
        caller never gets a truncated answer. ``base_iri`` resolves relative IRIs in the
        query. ``nice`` lowers its CPU priority where the backend can
        (krbgraph.store.priority): 0 is normal, 19 the lowest, so that queries
        of unknown cost leave the cores to the service's own requests first.

        Raises QuerySyntaxError, QueryTimeout, ResultTooLarge or StoreError.
        """
        ...

    def update(self, sparql: str, *, base_iri: str | None = None, repeatable: bool = False) -> None:
        """Run a SPARQL update as one transaction; ``base_iri`` resolves relative IRIs.

        ``repeatable`` says the update leaves the same state when it runs twice
        (concrete quads deleted and inserted, whole graphs replaced; not blank
        nodes inserted, not a WHERE that reads what it changes). A store may then
        send it again when its engine stopped under it before confirming it, as
        the supervised one does; otherwise such a write fails as unconfirmed.

        Raises QuerySyntaxError or StoreError.
        """
        ...

    def graphs(self) -> list[GraphInfo]:
        """The named graphs that hold triples, sorted by IRI."""
        ...

    def read_graph(self, graph: str | None) -> rdflib.Graph:
        """The triples of one named graph, or of the store's own default graph for None."""
        ...

    def write_graphs(self, data: GraphData, *, replace: bool, then: str = "") -> None:
        """Write several graphs in one transaction; the key None is the store's default graph.

        With ``replace`` each graph's old content is removed first; without it
        the triples are added to what is there. ``then``: a SPARQL update run after
        the graphs are written, in the same transaction (a change's audit record and
        derived facts, which must never be stored apart from it).
        """
        ...

    def replace_graph(self, graph: str | None, data: rdflib.Graph) -> None:
        """Replace one graph (None: the default graph) in one transaction."""
        ...

    def add_to_graph(self, graph: str | None, data: rdflib.Graph) -> None:
        """Add triples to one graph (None: the default graph) in one transaction."""
        ...

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph; raises KeyError when the store has no such graph."""
        ...

    def load_files(self, files: Mapping[str, Sequence[Path]], *, replace: bool) -> dict[str, int]:
        """Parse RDF files natively and write them, graph IRI -> files, all or nothing.

        Embedded: bulk-loaded when every target graph is empty (and removed again
        on failure), otherwise one transaction; remote: one update request.

        A syntax error (krbgraph.rdfio.RdfInputError, ``file:line:column``)
        leaves the store untouched. No validation happens here. Returns the
        number of triples per graph.
        """
        ...

    def load_file(self, path: Path, graph: str, *, replace: bool) -> int: ...

    def dump(self, path: Path) -> int:
        """Write every quad to ``path`` (.nq or .trig); returns the number of quads."""
        ...

    def copy_data(self, into: ox.Store, *, leave_out: Collection[str]) -> None:
        """Every quad but those of the named graphs in ``leave_out`` into ``into`` (an
        empty in-memory store), all of one state of the store, read and loaded by the
        engines' own serialisers and parsers: the copy writes are validated on
        (krbgraph.replica). Blank nodes get labels of the copy's own."""
        ...

    def restore(self, path: Path, *, unchecked: bool = False) -> int:
        """Load a dump into an empty store; raises StoreError when the store holds data,
        or, unless ``unchecked``, when the dump does not end with the count of its quads
        (dumps.check_complete)."""
        ...

    def close(self) -> None: ...


GRAPH_COUNT_QUERY = """
SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g
"""
"""Named graphs with their size; portable across SPARQL 1.1 servers."""


def graph_infos(result: QueryResult) -> list[GraphInfo]:
    """GraphInfo rows from the answer to GRAPH_COUNT_QUERY, sorted by IRI."""
    infos = [
        GraphInfo(str(graph), int(str(count)))
        for graph, count in result.rows
        if graph is not None and count is not None
    ]
    return sorted(infos, key=lambda info: info.iri)


def open_store(settings: Settings) -> Store:
    """The backend the settings ask for: a server for an http(s) URL; for a folder the
    embedded store in this process, or with ``settings.engine == "supervised"`` one
    `oxigraph serve` child process over it (see supervised.py).

    Raises StoreError when the store cannot be opened or the engine does not start.
    """
    if settings.is_remote:
        from .remote import RemoteStore

        return RemoteStore.from_settings(settings)
    if settings.engine == "supervised":
        from .supervised import SupervisedStore

        return SupervisedStore.from_settings(settings)
    from .embedded import EmbeddedStore

    return EmbeddedStore(Path(settings.store), default_timeout_s=settings.query_timeout_s)
