"""Exporting the registry (or one graph of it) from a store to a workbook.

One workbook graph is exported with its measurements (``{graph}/metingen``, sheet
metingen), so importing the file again gives back both.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from rdflib import RDF, Graph, URIRef

from ..model import DERIVED_GRAPH
from ..store import Store, graph_kind
from .metingen_sheet import measurement_graph_iri
from .problems import Problem
from .writer import write_workbook


def registry_data(store: Store, graph: str | None = None) -> Graph:
    """One data graph, or the union of all data graphs (never the model's).

    Raises KeyError for a graph the store does not hold.
    """
    names = [info.iri for info in store.graphs() if graph_kind(info.iri) == "data"]
    if graph is not None:
        if graph not in names:
            raise KeyError(graph)
        companion = measurement_graph_iri(graph)
        names = [graph] + ([companion] if companion in names else [])
    if not names:
        return Graph()
    data = store.read_graph(names[0])  # into the first graph read: one copy in memory
    for name in names[1:]:
        for triple in store.read_graph(name):
            data.add(triple)
    # A thing typed with the registry's own subclass of a model class goes on that class's
    # sheet (the type the derived graph gives it); its own type does not fit a workbook
    # and is reported as such, like any triple the workbook cannot hold.
    for subject, cls in store.query(_ENTAILED).rows:
        if (
            isinstance(subject, URIRef)
            and isinstance(cls, URIRef)
            and (subject, None, None) in data
        ):
            data.add((subject, RDF.type, cls))
    return data


_ENTAILED = f"SELECT ?s ?c WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s a ?c }} }}"


def export_workbook(
    store: Store, target: str | Path | BinaryIO, *, graph: str | None = None
) -> list[Problem]:
    """Write the registry to a workbook; returns warnings for what did not fit.

    Raises KeyError for an unknown graph and StoreError when the store fails.
    """
    return write_workbook(registry_data(store, graph), target, store=store)
