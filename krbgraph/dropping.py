"""Removing a registry graph from a store, and the two lookups a load shares with it:
whether a graph holds data, and how much."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import URIRef

from .conformance import forget_conformance
from .derived import refresh as refresh_derived
from .derived import stale_during
from .registry import refuse_managed
from .store import Store
from .store.write_claim import turn_for

__all__ = ["drop_data_graph", "graph_size", "holds_data"]


def drop_data_graph(store: Store, graph: str, announce: Callable[[int], None] | None = None) -> int:
    """Drop a registry graph and return how many triples it held; the model's graphs are
    refused (they are managed). ``announce`` is told that number first: Oxigraph takes
    over a minute to remove a million triples, and a command that says nothing looks hung.

    Raises ManagedGraphRefused for a model graph and KeyError for an unknown graph.
    """
    refuse_managed([graph])
    with turn_for(store):
        if not holds_data(store, graph):
            raise KeyError(f"the store has no graph <{graph}>")
        size = graph_size(store, graph)
        if announce is not None:
            announce(size)
        forget_conformance(store)  # a reference into the graph may be left dangling
        with stale_during(store):
            store.drop_graph(graph)
        refresh_derived(store)
    return size


_HOLDS_DATA = "ASK WHERE { GRAPH ?g { ?s ?p ?o } }"
_GRAPH_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def holds_data(store: Store, graph: str) -> bool:
    """One lookup, where counting every graph in a big store (store.graphs()) takes seconds."""
    return bool(store.query(_HOLDS_DATA, bindings={"g": URIRef(graph)}).boolean)


def graph_size(store: Store, graph: str) -> int:
    rows = store.query(_GRAPH_SIZE, bindings={"g": URIRef(graph)}).rows
    return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0
