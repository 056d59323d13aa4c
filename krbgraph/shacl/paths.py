"""SHACL property paths (SHACL 2.3.1): read from the shapes graph, written as SPARQL.

A path is an IRI or a blank node holding one of the path forms. A node that
is an RDF list is a sequence path, whatever else it says (the W3C suite's
"strange" paths), as pySHACL reads it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from . import terms
from .errors import ShapesError


class TripleSink(Protocol):
    """Where Path.write adds a path's triples: a graph, or a list of them."""

    def add(self, triple: tuple[Node, Node, Node], /) -> object: ...


@dataclass(frozen=True)
class Path:
    """One path form; ``kind`` is 'predicate', 'inverse', 'sequence', 'alternative',
    'zeroOrMore', 'oneOrMore' or 'zeroOrOne'."""

    kind: str
    iri: URIRef | None = None
    parts: tuple[Path, ...] = ()

    @property
    def predicate(self) -> URIRef | None:
        """The IRI of a predicate path, else None."""
        return self.iri if self.kind == "predicate" else None

    @property
    def can_be_empty(self) -> bool:
        """Whether the path can have length zero, binding a node to itself."""
        if self.kind in ("zeroOrMore", "zeroOrOne"):
            return True
        if self.kind == "sequence":
            return all(part.can_be_empty for part in self.parts)
        if self.kind in ("alternative", "inverse", "oneOrMore"):
            return any(part.can_be_empty for part in self.parts)
        return False

    def sparql(self) -> str:
        """The path in SPARQL syntax, parenthesised so it can be nested anywhere."""
        if self.kind == "predicate":
            assert self.iri is not None
            return terms.iri(self.iri)
        if self.kind == "inverse":
            return f"^({self.parts[0].sparql()})"
        if self.kind == "sequence":
            return "(" + " / ".join(p.sparql() for p in self.parts) + ")"
        if self.kind == "alternative":
            return "(" + " | ".join(p.sparql() for p in self.parts) + ")"
        suffix = {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}[self.kind]
        return f"({self.parts[0].sparql()}){suffix}"

    def write(self, graph: TripleSink) -> Node:
        """Add the path to ``graph`` as SHACL (fresh blank nodes) and return its node."""
        if self.kind == "predicate":
            assert self.iri is not None
            return self.iri
        node = BNode()
        if self.kind == "sequence":
            _write_list(graph, node, [p.write(graph) for p in self.parts])
        elif self.kind == "alternative":
            items = BNode()
            _write_list(graph, items, [p.write(graph) for p in self.parts])
            graph.add((node, SH.alternativePath, items))
        else:
            graph.add((node, _PREDICATES[self.kind], self.parts[0].write(graph)))
        return node


_PREDICATES = {
    "inverse": SH.inversePath,
    "zeroOrMore": SH.zeroOrMorePath,
    "oneOrMore": SH.oneOrMorePath,
    "zeroOrOne": SH.zeroOrOnePath,
}


def read_path(graph: Graph, node: Node) -> Path:
    """The path at ``node``; raises ShapesError for an ill-formed or cyclic path."""
    return _read(graph, node, frozenset())


def _read(graph: Graph, node: Node, seen: frozenset[Node]) -> Path:
    if isinstance(node, URIRef):
        return Path("predicate", iri=node)
    if not isinstance(node, BNode) or node in seen:
        raise ShapesError("ill-formed property path", node)
    seen = seen | {node}
    if (node, RDF.first, None) in graph:
        members = _items(graph, node)
        if not members:
            raise ShapesError("a sequence path needs at least one member", node)
        parts = tuple(_read(graph, m, seen) for m in members)
        return parts[0] if len(parts) == 1 else Path("sequence", parts=parts)
    alternatives = list(graph.objects(node, SH.alternativePath))
    if alternatives:
        members = _items(graph, alternatives[0])
        if len(alternatives) > 1 or not members:
            raise ShapesError("sh:alternativePath needs one list with members", node)
        return Path("alternative", parts=tuple(_read(graph, m, seen) for m in members))
    for kind, predicate in _PREDICATES.items():
        values = list(graph.objects(node, predicate))
        if len(values) == 1:
            return Path(kind, parts=(_read(graph, values[0], seen),))
        if values:
            raise ShapesError(f"more than one {predicate.n3()}", node)
    raise ShapesError("ill-formed property path", node)


def _items(graph: Graph, head: Node) -> list[Node]:
    items: list[Node] = []
    seen: set[Node] = set()
    while head != RDF.nil:
        if head in seen:
            raise ShapesError("cyclic RDF list", head)
        seen.add(head)
        first = list(graph.objects(head, RDF.first))
        rest = list(graph.objects(head, RDF.rest))
        if len(first) != 1 or len(rest) != 1:
            raise ShapesError("ill-formed RDF list", head)
        items.append(first[0])
        head = rest[0]
    return items


def read_list(graph: Graph, head: Node) -> list[Node]:
    """The members of a well-formed RDF list; raises ShapesError otherwise."""
    return _items(graph, head)


def _write_list(graph: TripleSink, head: Node, items: list[Node]) -> None:
    for i, item in enumerate(items):
        graph.add((head, RDF.first, item))
        rest: Node = BNode() if i < len(items) - 1 else RDF.nil
        graph.add((head, RDF.rest, rest))
        head = rest
