"""Target nodes that are no node of the data, and paths that can be empty.

SHACL gives a path of length zero (``ex:p*``, ``ex:p?``) the focus node itself as a value,
also for a sh:targetNode that the data never mentions. A compiled query binds the focus
node first and then matches the path, and SPARQL's zero-length path with a variable
subject matches only nodes of the data: the value would be missing. Such a root shape is
left to pySHACL (krbgraph.shacl.fallback), which the report says; no other is, so the
cost is one small query for the roots with target nodes and such a path.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph
from rdflib.namespace import SH
from rdflib.term import Node

from ..store import QueryResult
from . import terms
from .errors import Uncompilable
from .paths import read_path
from .shapes import ShapesGraph


def refuse_empty_paths_from_absent_nodes(
    run: Callable[[str], QueryResult], shapes: ShapesGraph, root: Node
) -> None:
    """Uncompilable when a sh:targetNode of ``root`` is no node of the data and a path of
    the shapes it reaches can be empty. SHACL gives such a path the focus node itself as
    a value; a compiled query binds the focus node first and the path then matches only
    nodes of the data (SPARQL's zero-length path with a variable subject), so the value
    would be missing (a minCount broken, a sh:class passed). pySHACL validates that
    root instead, as for any shape the compiler cannot translate."""
    listed = [t.value for t in shapes.targets(root) if t.kind == "node"]
    if not listed or not _reaches_an_empty_path(shapes.graph, root):
        return
    values = " ".join(terms.term(n) for n in listed)
    absent = run(
        f"SELECT ?n WHERE {{ VALUES ?n {{ {values} }} "
        "FILTER NOT EXISTS { ?n ?p ?o } FILTER NOT EXISTS { ?s ?q ?n } }"
    ).rows
    named = sorted(str(row[0]) for row in absent if row[0] is not None)
    if named:
        raise Uncompilable(
            f"a path that can be empty from target node {named[0]}, which is no node of "
            "the data (a compiled path binds only the data's nodes)"
        )


_SHAPE_LINKS = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)


def _reaches_an_empty_path(graph: Graph, root: Node) -> bool:
    """Whether ``root`` or a shape it refers to has a sh:path that can be empty."""
    seen, pending = set(), [root]
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        path = graph.value(node, SH.path)
        if path is not None and read_path(graph, path).can_be_empty:
            return True
        for link in _SHAPE_LINKS:
            pending.extend(graph.objects(node, link))
        for link in _SHAPE_LISTS:
            for head in graph.objects(node, link):
                pending.extend(graph.items(head))
    return False
