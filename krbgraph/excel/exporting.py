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
    """One data graph with its measurements graph, or the union of all data graphs (never
    the model's).

    Raises KeyError for a graph the store holds neither of: a workbook whose only filled
    sheet is metingen is imported as an empty graph (which the store does not keep) and
    its ``{graph}/metingen``, and is exported by the first's name all the same.
    """
    names = [info.iri for info in store.graphs() if graph_kind(info.iri) == "data"]
    if graph is not None:
        companion = measurement_graph_iri(graph)
        names = [name for name in (graph, companion) if name in names]
        if not names:
            raise KeyError(graph)
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
    data = registry_data(store, graph)
    moved = [] if graph is None else _measurements_moved(store, graph)
    return moved + write_workbook(data, target, store=store)


_OWN_MEASUREMENTS = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX krb: <https://data.krb.nl/def/krb#>
SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { GRAPH ?g {
  ?o a sosa:Observation ; sosa:hasResult ?r FILTER NOT EXISTS { ?o krb:beoogdEffect ?e } } }
"""


def _measurements_moved(store: Store, graph: str) -> list[Problem]:
    """A warning when ``graph`` holds measurements itself: sheet metingen is imported into
    ``{graph}/metingen``, so the workbook cannot give them back to the graph they are
    in (a file of measurements loaded as a graph of its own). The names the import gives
    measurements no longer mark this (they are read from the whole registry since
    krbgraph.excel.metingen_sheet._LabelCodes), so it is said in so many words."""
    rows = store.query(_OWN_MEASUREMENTS, bindings={"g": URIRef(graph)}).rows
    count = int(str(rows[0][0])) if rows and rows[0][0] is not None else 0
    if not count:
        return []
    target = measurement_graph_iri(graph)
    return [
        Problem(
            f"{count} metingen van graaf <{graph}> passen niet in de werkmap zoals ze staan: "
            f"het blad metingen gaat bij het inladen naar graaf <{target}>, niet naar de "
            "graaf zelf",
            f"{count} measurements of graph <{graph}> do not fit the workbook as they are: "
            f"sheet metingen is imported into graph <{target}>, not into the graph itself",
            severity="waarschuwing",
        )
    ]
