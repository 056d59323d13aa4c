"""Moving RDF terms between rdflib (the project's API) and pyoxigraph (the engine).

Both backends parse and serialise with pyoxigraph, so this is the single place
where terms change representation. SPARQL update text is only ever built here,
from terms pyoxigraph has validated and serialised, never by pasting strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Identifier, Node, URIRef

from .. import sparql_binding
from ..rdfio import UnsupportedTerm, rdflib_term
from .base import GraphQuads, QuerySyntaxError, StoreError, UnsupportedAnswer

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def to_rdflib(term: object) -> Identifier:
    """An rdflib term for a pyoxigraph term; lexical forms are kept exactly as stored."""
    try:
        return rdflib_term(term, exact=True)
    except UnsupportedTerm as exc:
        if isinstance(term, ox.Literal):
            raise UnsupportedAnswer(
                f"The answer holds a literal with a base direction ({term}), which this "
                "service does not return; ask for STR() and LANG() of it instead."
            ) from exc
        raise UnsupportedAnswer(
            f"The answer holds an RDF 1.2 triple term ({term}), which this service does not "
            "return; ask for its subject, predicate and object (SUBJECT(), PREDICATE(), "
            "OBJECT()) instead."
        ) from exc


class ToOxigraph:
    """Converts rdflib terms, keeping one pyoxigraph blank node per rdflib blank node.

    rdflib blank node ids are not always valid N-Triples labels, so a label
    pyoxigraph rejects gets a fresh node that is reused for every occurrence.
    """

    def __init__(self) -> None:
        self._bnodes: dict[str, ox.BlankNode] = {}

    def term(self, term: Identifier) -> OxTerm:
        if isinstance(term, URIRef):
            try:
                return ox.NamedNode(str(term))
            except ValueError as exc:
                raise StoreError(f"not a valid IRI: <{term}>: {exc}") from exc
        if isinstance(term, BNode):
            node = self._bnodes.get(str(term))
            if node is None:
                try:
                    node = ox.BlankNode(str(term))
                except ValueError:
                    node = ox.BlankNode()
                self._bnodes[str(term)] = node
            return node
        if isinstance(term, rdflib.Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        raise StoreError(f"cannot store RDF term {term!r}")

    def quads(self, triples: Iterable[tuple[Node, Node, Node]], graph: str | None) -> GraphQuads:
        """The triples as quads of ``graph`` (None: the default graph), made once."""
        term = self.term
        name = ox.DefaultGraph() if graph is None else named_node(graph)
        return GraphQuads(
            graph,
            [ox.Quad(term(s), term(p), term(o), name) for s, p, o in triples],  # type: ignore[arg-type]
        )

    def triples(self, graph: rdflib.Graph | Iterable[tuple[Node, Node, Node]]) -> list[ox.Triple]:
        """The triples of an rdflib graph, or of any iterable of rdflib triples."""
        term = self.term
        return [ox.Triple(term(s), term(p), term(o)) for s, p, o in graph]  # type: ignore[arg-type]


def named_node(iri: str, what: str = "graph IRI") -> ox.NamedNode:
    """A validated IRI; raises StoreError naming the IRI (as ``what``) when it is not one."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise StoreError(f"not a valid {what}: {iri!r}: {exc}") from exc


def graph_ref(iri: str) -> str:
    """The SPARQL form ``<iri>`` of a validated IRI."""
    return str(named_node(iri))


def with_base(sparql: str, base_iri: str) -> str:
    """The text with ``BASE <base_iri>`` on a line of its own in front.

    For stores that take SPARQL text only. A BASE in the text itself still
    applies after this one. Positions in syntax errors are then one line
    further down (QuerySyntaxError.lines_removed(1) puts them back).
    """
    return f"BASE {named_node(base_iri, 'base IRI')}\n{sparql}"


def bind_values(sparql: str, bindings: Mapping[str, Identifier] | None) -> str:
    """The query with its variables pre-bound: a VALUES block first in the outer WHERE
    and the terms in place of the variables (krbgraph.sparql_binding.prebind says why).

    Both backends bind this way, so a bound query answers the same on either;
    the terms are validated and serialised by pyoxigraph, never pasted.
    """
    if not bindings:
        return sparql
    convert = ToOxigraph()
    terms: dict[str, ox.NamedNode | ox.Literal] = {}
    for name, value in bindings.items():
        term = convert.term(value)
        if isinstance(term, ox.BlankNode):
            raise StoreError(f"?{name} cannot be bound to a blank node")
        terms[name] = term
    try:
        return sparql_binding.prebind(sparql, {name: str(term) for name, term in terms.items()})
    except sparql_binding.SparqlTextError as exc:
        raise QuerySyntaxError(str(exc)) from exc


def rdflib_graph(triples: Iterable[ox.Triple | ox.Quad]) -> rdflib.Graph:
    graph = rdflib.Graph()
    add = graph.add
    for t in triples:
        add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def _triples(content: Iterable[ox.Triple] | GraphQuads, graph: str | None) -> Iterable[ox.Triple]:
    if isinstance(content, GraphQuads):
        content.of(graph)  # refuses another graph's quads
        return content.triples()
    return content


def write_update(
    graphs: Mapping[str, Iterable[ox.Triple] | GraphQuads]
    | Mapping[str | None, Iterable[ox.Triple] | GraphQuads],
    *,
    replace: bool,
) -> str:
    """One SPARQL update that writes whole graphs (None: the default graph), applied atomically.

    The data is N-Triples produced by pyoxigraph's serialiser; blank node
    labels are scoped to this one INSERT DATA, so nodes shared between graphs
    stay shared. With ``replace`` the graphs are emptied first.
    """
    parts: list[str] = []
    if replace:
        parts.extend(
            "DROP SILENT DEFAULT ;\n" if iri is None else f"DROP SILENT GRAPH {graph_ref(iri)} ;\n"
            for iri in graphs
        )
    body = "".join(
        _ntriples(_triples(content, iri))
        if iri is None
        else f"GRAPH {graph_ref(iri)} {{\n{_ntriples(_triples(content, iri))}}}\n"
        for iri, content in graphs.items()
    )
    if "_:" in body:
        # Blank nodes: INSERT { ... } WHERE {} means the same as INSERT DATA (one
        # empty solution, fresh nodes shared across the whole template), and it is
        # also accepted by servers that refuse blank nodes in INSERT DATA
        # (Virtuoso: "Blank node ... is not allowed in a constant clause").
        parts.append(f"INSERT {{\n{body}}} WHERE {{}}\n")
    else:
        parts.append(f"INSERT DATA {{\n{body}}}\n")
    return "".join(parts)


def joined_update(first: str | list[ox.Quad], then: str) -> str:
    """One update of ``first`` (update text, or quads to insert) followed by ``then``."""
    text = first if isinstance(first, str) else quads_update((), first)
    return " ;\n".join(part for part in (text, then) if part)


def followed_by(update: str, then: str) -> str:
    """``update`` and then ``then`` as one request: on a line of its own (the last line
    may be a comment), after a separator unless the update ends with one."""
    body = update.rstrip()
    if not body:
        return then
    return f"{body}\n{'' if body.endswith(';') else ';'}\n{then}"


def quads_update(removed: Iterable[ox.Quad], added: Iterable[ox.Quad]) -> str:
    """One update deleting and inserting concrete quads (no blank nodes: DATA blocks
    cannot name a node the store holds), as pyoxigraph serialises them."""
    parts = []
    for keyword, quads in (("DELETE", removed), ("INSERT", added)):
        by_graph: dict[str | None, list[ox.Triple]] = {}
        for quad in quads:
            name = quad.graph_name
            by_graph.setdefault(
                None if isinstance(name, ox.DefaultGraph) else str(name.value), []
            ).append(quad.triple)
        if by_graph:
            body = "".join(
                _ntriples(triples)
                if iri is None
                else f"GRAPH {graph_ref(iri)} {{\n{_ntriples(triples)}}}\n"
                for iri, triples in by_graph.items()
            )
            parts.append(f"{keyword} DATA {{\n{body}}}")
    return " ;\n".join(parts)


def dataset_update(quads: Iterable[ox.Quad]) -> str:
    """One SPARQL update inserting a whole dataset, default graph included."""
    graphs: dict[str | None, list[ox.Triple]] = {None: []}
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            graphs[None].append(quad.triple)
        elif isinstance(quad.graph_name, ox.NamedNode):
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
        else:
            raise StoreError(f"graphs named by a blank node are not supported: {quad}")
    return write_update(graphs, replace=False)


def _ntriples(triples: Iterable[ox.Triple]) -> str:
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert text is not None  # without an output, serialize returns the bytes
    return text.decode("utf-8")


def ox_quads(data: rdflib.Graph, graph: str | None) -> list[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph quads in ``graph`` (None: the default
    graph), written and read back as N-Triples so terms are exactly what the store keeps."""
    name: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph() if graph is None else named_node(graph)
    text = data.serialize(format="nt", encoding="utf-8")
    return [
        ox.Quad(t.subject, t.predicate, t.object, name)
        for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    ]
