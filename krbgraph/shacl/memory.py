"""An in-memory pyoxigraph store answering queries like krbgraph.store's backends.

validate_graph loads an rdflib graph here and validates it with the same
code as a store on disk or a SPARQL server. Only ``query`` of the Store
protocol is needed, with the same answer type (rdflib terms). Blank nodes
keep their rdflib labels where pyoxigraph accepts them, so a report about
the graph names the graph's own blank nodes.

Oxigraph stores literals of the XSD value types in canonical form ("4.0"
comes back as "4") and language tags in lower case; ``original`` gives the
literal as the graph wrote it, so a report on a graph shows its own terms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from ..rdfio import rdflib_term
from ..store import QueryResult, QuerySyntaxError, StoreError
from .datatypes import DERIVED_INTEGERS

SHAPES_GRAPH = "urn:x-krbgraph:shapes-graph"
"""The named graph holding the shapes graph, for $shapesGraph; queries see it only there."""


class MemoryStore:
    """An rdflib graph copied into pyoxigraph's in-memory store (default graph), and
    optionally the shapes graph (named graph SHAPES_GRAPH)."""

    def __init__(self, graph: rdflib.Graph, shapes: rdflib.Graph | None = None):
        self._graph = graph
        self._originals: dict[tuple[object, ...], Literal] | None = None
        self._stand_ins: dict[tuple[str, str], Literal] = {}
        self._store = ox.Store()
        self._bnodes: dict[str, ox.BlankNode] = {}
        term = self._term
        self._store.extend(
            ox.Quad(term(s), term(p), term(o), ox.DefaultGraph())  # type: ignore[arg-type]
            for s, p, o in graph
        )
        if shapes is not None:
            name = ox.NamedNode(SHAPES_GRAPH)
            self._store.extend(
                ox.Quad(term(s), term(p), term(o), name)  # type: ignore[arg-type]
                for s, p, o in shapes
            )

    def _term(self, node: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            found = self._bnodes.get(str(node))
            if found is None:
                try:
                    found = ox.BlankNode(str(node))
                except ValueError:
                    found = ox.BlankNode()
                self._bnodes[str(node)] = found
            return found
        if isinstance(node, Literal):
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype is None:
                return ox.Literal(str(node))
            lexical = str(node)
            if getattr(node, "ill_typed", False) and _stands_in(lexical, node.datatype):
                # rdflib replaced an ill-formed lexical form with a valid one ("none"^^
                # xsd:boolean reads as "false"): keep it ill-formed in the store. Any
                # other stays as written, as the checks of its text read it (SHACL 4.4).
                lexical += _ILL_TYPED
                self._stand_ins[lexical, str(node.datatype)] = node
            return ox.Literal(lexical, datatype=ox.NamedNode(str(node.datatype)))
        raise StoreError(f"cannot store RDF term {node!r}")

    def original(self, node: Identifier) -> Identifier:
        """The literal of the graph that the store returned as ``node`` (which it may
        have canonicalised); any other term as it is."""
        if not isinstance(node, Literal) or (None, None, node) in self._graph:
            return node
        stand_in = self._stand_ins.get((str(node), str(node.datatype)))
        if stand_in is not None:
            return stand_in
        if self._originals is None:
            self._originals = {}
            for literal in self._graph.objects():
                if isinstance(literal, Literal):
                    self._originals.setdefault(_key(literal), literal)
        return self._originals.get(_key(node), node)

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Identifier] | None = None,
        default_graph_uris: Sequence[str] = (),
        named_graph_uris: Sequence[str] = (),
        timeout_s: float | None = None,
        max_rows: int | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SELECT, ASK or CONSTRUCT query; only ``sparql`` is used (the store holds one
        graph and validation sets no limits). Raises QuerySyntaxError."""
        try:
            answer = self._store.query(sparql)
        except SyntaxError as exc:
            raise QuerySyntaxError.from_message(str(exc)) from exc
        if isinstance(answer, ox.QueryBoolean):
            return QueryResult(kind="ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = tuple(v.value for v in answer.variables)
            rows = tuple(
                tuple(None if t is None else rdflib_term(t, exact=True) for t in solution)
                for solution in answer
            )
            return QueryResult(kind="select", variables=variables, rows=rows)
        graph = rdflib.Graph()
        for triple in answer:
            graph.add(
                (
                    rdflib_term(triple.subject, exact=True),
                    rdflib_term(triple.predicate, exact=True),
                    rdflib_term(triple.object, exact=True),
                )
            )
        return QueryResult(kind="graph", graph=graph)


_ILL_TYPED = " (ill-typed)"
"""Appended to the lexical form of an ill-typed literal whose text rdflib replaced with
a valid one."""


def _stands_in(lexical: str, datatype: URIRef) -> bool:
    """Whether rdflib gives an ill-typed literal a valid text in place of its own: only
    booleans, which it reads as true or false whatever they say."""
    return datatype == XSD.boolean and lexical in ("true", "false")


def _key(literal: Literal) -> tuple[object, ...]:
    """Literals that one canonical form stands for share a key: datatype and value (or
    lexical form when it has no value), language tags in lower case; the types derived
    from xsd:integer count as xsd:integer, as Oxigraph stores them."""
    if literal.language:
        return ("lang", literal.language.lower(), str(literal))
    value = literal.value if not getattr(literal, "ill_typed", False) else None
    if value is None:
        return ("lexical", literal.datatype, str(literal))
    if literal.datatype in DERIVED_INTEGERS:
        return ("value", XSD.integer, type(value).__name__, value)
    try:
        hash(value)
    except TypeError:
        return ("lexical", literal.datatype, str(literal))
    return ("value", literal.datatype, type(value).__name__, value)
