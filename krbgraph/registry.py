"""The registry as it would be after a change: one gate for every write path.

A file load (krbgraph.loading), a workbook import (krbgraph.excel.importing)
and every write over HTTP (krbgraph.web.writes) ask the same questions before
anything reaches the store, and ask them here so the answers cannot drift apart:

- May this graph be written? Graphs the service manages itself (the model,
  the shapes, the derived dates and geometry relations) are refused by
  ``refuse_managed``, with one message for every path.
- What would the registry be? ``registry_with`` gives every registry data
  graph (the default graph included: data there is registry data too) with the
  new content of the changed graphs in place, as one rdflib graph. The model
  is not part of it: validation adds what the shapes need of the model.
- Does it conform? ``require_conforming`` validates that state (the shapes
  compiled to SPARQL, plus the geometry and unit checks) and raises
  ValidationFailed with the findings when it does not.

The caller then commits exactly the change it validated, in one store call,
and refreshes the derived graph (krbgraph.derived).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rdflib import Graph

from .store import Store, model_graph_iris
from .validation import ValidationFailed, ValidationResult, validate_graph

__all__ = [
    "ManagedGraphRefused",
    "ValidationFailed",
    "data_graph_names",
    "refuse_managed",
    "registry_with",
    "require_conforming",
]


class ManagedGraphRefused(ValueError):
    """The write targets a graph the service maintains itself; nothing was written."""


def refuse_managed(graphs: Iterable[str | None]) -> None:
    """Raise ManagedGraphRefused naming every managed graph among ``graphs``."""
    managed = model_graph_iris()
    hit = sorted({g for g in graphs if g is not None and g in managed})
    if hit:
        names = ", ".join(f"<{g}>" for g in hit)
        raise ManagedGraphRefused(
            f"{names} {'is a graph' if len(hit) == 1 else 'are graphs'} of the KRB model, "
            "which the service maintains from the product's own files; only registry data "
            "graphs can be written (nothing was written)"
        )


def data_graph_names(store: Store) -> list[str | None]:
    """The registry's data graphs: the default graph (None) and every named graph that
    is not managed by the service."""
    managed = model_graph_iris()
    return [None] + sorted(info.iri for info in store.graphs() if info.iri not in managed)


def registry_with(
    store: Store, changes: Mapping[str | None, Graph], *, replace: bool = True
) -> Graph:
    """Every registry data graph with ``changes`` applied, merged into one graph.

    Each entry of ``changes`` is a graph's new content (``replace=True``: it takes
    the place of what the graph holds now; False: it is added to it). An empty
    graph with ``replace=True`` stands for a graph that is dropped.
    """
    combined = Graph()
    for name in data_graph_names(store):
        if replace and name in changes:
            continue
        for triple in store.read_graph(name):
            combined.add(triple)
    for data in changes.values():
        for triple in data:
            combined.add(triple)
    return combined


def require_conforming(data: Graph) -> ValidationResult:
    """The validation result of ``data``; ValidationFailed when it has violations."""
    result = validate_graph(data)
    if not result.conforms:
        raise ValidationFailed(result)
    return result
