"""What the two backends share: the Store methods that follow from a few primitives.

A backend answers queries, writes parsed triples in one transaction and
closes; listing graphs, writing rdflib graphs and loading files are the same
on top of that. Written once here, the backends cannot drift apart on them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

import pyoxigraph as ox
import rdflib

from .base import GRAPH_COUNT_QUERY, GraphData, GraphInfo, GraphQuads, Store, graph_infos
from .rdffiles import parse_triples
from .terms import ToOxigraph

TripleData = (
    Mapping[str, list[ox.Triple] | GraphQuads] | Mapping[str | None, list[ox.Triple] | GraphQuads]
)
"""Parsed triples (or quads of that graph) by graph IRI; the key None names the store's
own default graph."""

T = TypeVar("T")


WRITE_METHODS = (
    "update",
    "write_graphs",
    "replace_graph",
    "add_to_graph",
    "drop_graph",
    "load_files",
    "load_file",
    "restore",
    "_write_triples",
)
"""Every method through which a backend changes its data."""


class StoreBackend:
    """Base class of the backends; a subclass provides query, _write_triples and close.

    ``write_generation`` goes up with every write call (whether it succeeds or
    not), so a copy of the store (krbgraph.replica) can tell that someone wrote
    the store behind its back and must be made again. It goes up when the call starts
    and again when it ends, and ``writes_in_flight`` counts the calls under way: a reader
    that saw no write under way and the same generation before and after reading saw no
    commit in between (krbgraph.web.consistent_reads).
    """

    write_generation: int = 0
    writes_in_flight: int = 0

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        for name in WRITE_METHODS:
            if name in cls.__dict__:
                setattr(cls, name, _counted(cls.__dict__[name]))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError

    def _write_triples(self, graphs: TripleData, replace: bool, then: str = "") -> None:
        """Write every graph in one transaction; ``replace`` drops each graph's old triples;
        ``then`` is an update run after them in the same transaction."""
        raise NotImplementedError

    def graphs(self: Store) -> list[GraphInfo]:
        return graph_infos(self.query(GRAPH_COUNT_QUERY))

    def write_graphs(self, data: GraphData, *, replace: bool, then: str = "") -> None:
        convert = ToOxigraph()  # one converter, so a blank node shared by graphs stays shared
        self._write_triples(
            {
                iri: (
                    convert.triples(graph)
                    if isinstance(graph, rdflib.Graph)
                    else graph
                    if isinstance(graph, GraphQuads)
                    else list(graph)
                )
                for iri, graph in data.items()
            },
            replace,
            then,
        )

    def replace_graph(self, graph: str | None, data: rdflib.Graph) -> None:
        self.write_graphs({graph: data}, replace=True)

    def add_to_graph(self, graph: str | None, data: rdflib.Graph) -> None:
        self.write_graphs({graph: data}, replace=False)

    def load_files(self, files: Mapping[str, Sequence[Path]], *, replace: bool) -> dict[str, int]:
        parsed = {
            iri: [t for path in paths for t in parse_triples(path)] for iri, paths in files.items()
        }
        self._write_triples(parsed, replace)
        return {iri: len(triples) for iri, triples in parsed.items()}

    def load_file(self, path: Path, graph: str, *, replace: bool) -> int:
        return self.load_files({graph: [path]}, replace=replace)[graph]


_COUNTING = threading.Lock()
"""Guards the counters: ``+=`` on an attribute is no atomic step between threads."""


def _counted(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def counted(self: StoreBackend, *args: object, **kwargs: object) -> T:
        with _COUNTING:
            self.write_generation += 1
            self.writes_in_flight += 1
        try:
            return method(self, *args, **kwargs)
        finally:
            with _COUNTING:
                self.writes_in_flight -= 1
                self.write_generation += 1

    return counted


for _name in WRITE_METHODS:
    if _name in StoreBackend.__dict__:
        setattr(StoreBackend, _name, _counted(StoreBackend.__dict__[_name]))
