"""RDF terms written into compiled SPARQL, validated and escaped by pyoxigraph.

The compiler writes the constants of the shapes graph (classes, sh:in
members, patterns, paths) into query text; parameters cannot be bound here,
because property paths and prefixed SPARQL text admit no variables. Every
term goes through pyoxigraph's own constructors and serialiser, which reject
an IRI that is not one and escape every literal, so no text from the shapes
graph is pasted into a query as it is.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .errors import ShapesError, Uncompilable


def iri(node: Node) -> str:
    """``<iri>`` for an IRI of the shapes graph; raises ShapesError for anything else."""
    if not isinstance(node, URIRef):
        raise ShapesError("expected an IRI", node)
    try:
        return str(ox.NamedNode(str(node)))
    except ValueError as exc:
        raise ShapesError(f"not a valid IRI: {exc}", node) from exc


def term(node: Node) -> str:
    """The SPARQL text of an IRI or literal; a blank node has none (Uncompilable)."""
    if isinstance(node, URIRef):
        return iri(node)
    if isinstance(node, Literal):
        if node.language:
            return str(ox.Literal(str(node), language=node.language))
        datatype = node.datatype or XSD.string
        return str(ox.Literal(str(node), datatype=ox.NamedNode(str(datatype))))
    if isinstance(node, BNode):
        raise Uncompilable(f"blank node {node.n3()} used as a constant")
    raise ShapesError(f"unexpected RDF term {node!r}")


def string(text: str) -> str:
    """A SPARQL string literal holding ``text``."""
    return str(ox.Literal(text))


def integer(value: int) -> str:
    """A SPARQL integer; the compiler only writes Python ints, never text from a graph."""
    return str(int(value))


def iri_text(text: str) -> str:
    """``<iri>`` for an IRI given as text (a declared namespace); raises ShapesError."""
    return iri(URIRef(text))
