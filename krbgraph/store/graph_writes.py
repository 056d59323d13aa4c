"""Whole graphs written as the difference with what they hold, in one transaction.

Replacing a graph by deleting all its triples and inserting the new ones costs
what the graph holds, however little changed: re-importing a workbook of
10,000 norms with a few changed rows deleted and inserted all of its 175,000
triples (10 s on disk). Here a replace deletes the triples the graph has and
the new version lacks, and inserts the ones it lacks, in one SPARQL update.

Blank nodes have no identity to compare across two versions, so the triples
with one are all rewritten: an update deletes them by pattern first. Written
blank nodes are always fresh nodes, as in INSERT DATA, never merged with a
node the store holds, also when a graph is new and the quads go in through
``Store.extend`` (the cheaper transaction, without SPARQL text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox

from .backend import TripleData
from .base import GraphQuads
from .terms import graph_ref, named_node, quads_update

GraphName = ox.NamedNode | ox.DefaultGraph


def plan(
    graphs: TripleData, replace: bool, held: Callable[[GraphName], Iterable[ox.Quad]]
) -> list[ox.Quad] | str:
    """What to write for ``graphs`` (None: the default graph): quads to add in one
    ``Store.extend``, or one update text ("" or [] for nothing). ``held`` gives the
    quads a graph holds now; it is asked only for a replace."""
    written: list[ox.Quad] = []
    for iri, content in graphs.items():
        if isinstance(content, GraphQuads):
            written.extend(content.of(iri))
        else:
            name = graph_name(iri)
            written.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in content)
    old: set[ox.Quad] = set()
    if replace:
        for iri in graphs:
            old.update(held(graph_name(iri)))
    if not old:
        return fresh_blank_nodes(written)
    new = set(written)
    plain_old = {q for q in old if not has_blank_node(q)}
    plain_new = {q for q in new if not has_blank_node(q)}
    parts = [
        _DROP_BLANK % _graph_pattern(iri)
        for iri in graphs
        if any(has_blank_node(q) and q.graph_name == graph_name(iri) for q in old)
    ]
    added = (plain_new - plain_old) | (new - plain_new)
    if (removed := plain_old - plain_new) or added:
        parts.append(quads_update(removed, added))
    return " ;\n".join(parts)


_DROP_BLANK = "DELETE { %s } WHERE { %s FILTER (isBlank(?s) || isBlank(?o)) }"
"""The triples of one graph that have a blank node (filled in by _graph_pattern)."""


def _graph_pattern(graph: str | None) -> tuple[str, str]:
    pattern = "?s ?p ?o" if graph is None else f"GRAPH {graph_ref(graph)} {{ ?s ?p ?o }}"
    return pattern, pattern


def graph_name(graph: str | None) -> GraphName:
    return ox.DefaultGraph() if graph is None else named_node(graph)


def has_blank_node(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def fresh_blank_nodes(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """``quads`` with every blank node replaced by a new one (the same for the same)."""
    fresh: dict[ox.BlankNode, ox.BlankNode] = {}

    def node(term: object) -> object:
        if isinstance(term, ox.BlankNode):
            return fresh.setdefault(term, ox.BlankNode())
        return term

    return [
        ox.Quad(node(q.subject), q.predicate, node(q.object), q.graph_name)  # type: ignore[arg-type]
        if has_blank_node(q)
        else q
        for q in quads
    ]
