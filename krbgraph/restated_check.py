"""A fact stated in two graphs, as a validation finding: each fact belongs to one graph.

The store's default graph is the union of its graphs, and SPARQL reads a union as one
RDF graph: a triple held by two graphs is one fact. The engine (Oxigraph 0.5) returns
it once per graph instead (oxigraph#1919, fixed in its next major version), so every
answer whose pattern passes through it repeats rows, and sums and counts double: a
second file restating a tenth of the demo made `normen` give 65,566 rows for 19 norms
and normgat add effects twice. So a write that would put a fact about a thing of the
registry into a second graph (data, model, or the store's own default graph) is
refused, naming the fact and both graphs; the administrator keeps it in one (a
national framework in its own graph, which the municipality's graphs refer to).
Triples with a blank node are never the same fact in two graphs, and the model's own
graphs are not checked against each other.

Run beside the shapes like krbgraph.nesting_check: a Violation per fact (at most
MAX_REPORTED), with an sh:sourceShape naming the check.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from .findings import Finding, TripleSink, label_of, report_finding
from .findings import described as described_of
from .iris import file_of_graph
from .model import AUDIT_GRAPH, DERIVED_GRAPH, SHAPES_GRAPH, WRITES_GRAPH
from .store.base import QueryResult, SparqlSource
from .store.modelgraphs import META_GRAPH, graph_kind
from .validation import ValidationResult, with_violations

__all__ = ["MAX_REPORTED", "RESTATED_CHECK", "restated_findings", "with_restated_findings"]

RESTATED_CHECK = URIRef(SHAPES_GRAPH + "#EenGraafPerFeit")
"""sh:sourceShape of a fact that is in two graphs."""

CHECK_COMPONENT = URIRef(SHAPES_GRAPH + "#EenGraafPerFeitConstraintComponent")

MAX_REPORTED = 100
"""Facts reported per write: a whole file restated is one mistake, not 100,000."""

VALUES_ROWS = 5_000
"""Added quads looked up per query (about 10 µs each at a million triples)."""

DEFAULT_GRAPH = "urn:x-krb:default-graph"
"""Stands for the store's own default graph in the queries and in messages."""

_UNCHECKED = (DERIVED_GRAPH, AUDIT_GRAPH, META_GRAPH, WRITES_GRAPH)
"""Graphs the product writes itself: derived facts, the audit trail, model metadata."""

_SKIPPED = ", ".join(f"<{iri}>" for iri in _UNCHECKED)

_OF_THE_REGISTRY = (
    "EXISTS { ?s a ?klasse . FILTER EXISTS { ?klasse a <http://www.w3.org/2002/07/owl#Class> } }"
)
"""A fact about a thing of a class the model declares (a norm, an area, a measurement,
a concept, a concept scheme): what the named queries read. Other data a SPARQL client keeps
in the store (the Graph Store's own tests put one graph's triples in several) is left
to standard SPARQL."""

_ADDED_ELSEWHERE = f"""
SELECT ?s ?p ?o ?g ?other WHERE {{
  VALUES (?s ?p ?o ?g) {{ %s }}
  GRAPH ?other {{ ?s ?p ?o }}
  FILTER (?other != ?g && ?other NOT IN ({_SKIPPED}))
  FILTER {_OF_THE_REGISTRY}
}} LIMIT {MAX_REPORTED * 4}
"""

_GRAPH_ELSEWHERE = f"""
SELECT ?s ?p ?o ?other WHERE {{
  GRAPH %(graph)s {{ ?s ?p ?o }}
  FILTER (!isBlank(?s) && !isBlank(?o))
  GRAPH ?other {{ ?s ?p ?o }}
  FILTER (?other != %(graph)s && ?other NOT IN ({_SKIPPED}))
  FILTER {_OF_THE_REGISTRY}
}} LIMIT {MAX_REPORTED * 4}
"""

_ADDED_IN_DEFAULT = f"""
SELECT ?s ?p ?o ?g WHERE {{
  VALUES (?s ?p ?o ?g) {{ %s }}
  ?s ?p ?o
  FILTER (?g != <{DEFAULT_GRAPH}>)
}} LIMIT {MAX_REPORTED * 4}
"""

_DEFAULT_ELSEWHERE = f"""
SELECT ?s ?p ?o ?other WHERE {{
  ?s ?p ?o
  FILTER (!isBlank(?s) && !isBlank(?o))
  GRAPH ?other {{ ?s ?p ?o }}
  FILTER (?other NOT IN ({_SKIPPED}))
}} LIMIT {MAX_REPORTED * 4}
"""

_REGISTRY_THINGS = "SELECT DISTINCT ?s WHERE { VALUES ?s { %s } FILTER " + _OF_THE_REGISTRY + " }"

_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


Restated = tuple[URIRef, URIRef, Node, str, str]
"""(subject, predicate, object, the graph written, the other graph holding it)."""


def restated_findings(
    source: SparqlSource,
    added: Collection[ox.Quad] | None,
    report: TripleSink,
    report_node: Node,
) -> list[Finding]:
    """A Violation for each fact (of ``added``, or of the whole store when None) that a
    data graph and another graph both hold, read on ``source`` (the store as the write
    would leave it)."""
    found: dict[tuple[str, str, str], Restated] = {}
    for fact in _restated(source, added):
        s, p, o, graph, other = fact
        if graph_kind(graph) == "model" and graph_kind(other) == "model":
            continue  # the model's own overlaps (a unit typed in two of its files)
        key = (str(s), str(p), o.n3())
        found.setdefault(key, fact)
        if len(found) >= MAX_REPORTED:
            break
    if not found:
        return []
    described = described_of(source, sorted({str(fact[0]) for fact in found.values()}))
    whole = added is None  # which graph is the new one is not known then
    capped = len(found) >= MAX_REPORTED
    return [
        _finding(described, fact, whole, capped, report, report_node) for fact in found.values()
    ]


def _restated(source: SparqlSource, added: Collection[ox.Quad] | None) -> Iterator[Restated]:
    if added is None:
        yield from _by_graph(source, None)
        return
    rows = [
        f"({q.subject} {q.predicate} {q.object} {_graph_term(q.graph_name)})"
        for q in added
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in _UNCHECKED)
        and isinstance(q.subject, ox.NamedNode)
        and not isinstance(q.object, ox.BlankNode | ox.Triple)
    ]
    for start in range(0, len(rows), VALUES_ROWS):
        chunk = " ".join(rows[start : start + VALUES_ROWS])
        yield from _facts(source.query(_ADDED_ELSEWHERE % chunk))
        yield from _in_default_graph(source, chunk)


def _graph_term(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    return str(graph) if isinstance(graph, ox.NamedNode) else f"<{DEFAULT_GRAPH}>"


def _default_graph_elsewhere(source: SparqlSource) -> Iterator[Restated]:
    """The facts of the store's own default graph that a named graph holds too."""
    for s, p, o, other in _on_default_graph(source, _DEFAULT_ELSEWHERE):
        yield s, p, o, DEFAULT_GRAPH, str(other)


def _in_default_graph(source: SparqlSource, chunk: str) -> Iterator[Restated]:
    """The added facts the store's own default graph holds too (an update without GRAPH
    writes there, and queries read it in the union like any graph)."""
    for s, p, o, graph in _on_default_graph(source, _ADDED_IN_DEFAULT % chunk):
        yield s, p, o, str(graph), DEFAULT_GRAPH


def _on_default_graph(source: SparqlSource, query: str) -> Iterator[tuple]:
    """``query``'s rows (subject, predicate, object, a graph) on the store's own default
    graph, for subjects that are registry things (their types are in the named graphs,
    so that is asked of the union after). Nothing for a source without a default graph
    of its own to ask apart."""
    query_on = getattr(source, "query_on", None)
    found = query_on(query, [ox.DefaultGraph()]).rows if query_on is not None else ()
    if not found:
        return
    subjects = " ".join(f"<{row[0]}>" for row in found)
    registry = {str(row[0]) for row in source.query(_REGISTRY_THINGS % subjects).rows}
    for s, p, o, graph in found:
        if str(s) in registry and isinstance(s, URIRef) and isinstance(p, URIRef):
            yield s, p, o, graph


def _by_graph(source: SparqlSource, graphs: set[str] | None) -> Iterator[Restated]:
    """Each graph scanned against the others. For the whole store every graph but the
    largest: a fact it shares with the largest is found from the other side, and the
    largest (a million-triple registry) is never read whole. When the largest is a model
    graph, only the data graphs: two model graphs sharing a fact is no finding, so every
    finding has a data graph to be found from (a new store, with the model only, scanned
    all thirty model graphs against each other for nothing). The store's own default
    graph too (an update without GRAPH writes it), against the named graphs."""
    sizes = {
        str(row[0]): int(str(row[1]))
        for row in source.query(_SIZES).rows
        if row[0] is not None and row[1] is not None and str(row[0]) not in _UNCHECKED
    }
    if graphs is None:
        ordered = sorted(sizes, key=lambda iri: (sizes[iri], iri))
        if ordered and graph_kind(ordered[-1]) == "model":
            graphs = {iri for iri in ordered if graph_kind(iri) != "model"}
        else:
            graphs = set(ordered[:-1])
    yield from _default_graph_elsewhere(source)
    for graph in sorted(graphs - set(_UNCHECKED), key=lambda iri: (sizes.get(iri, 0), iri)):
        named = str(ox.NamedNode(graph))  # written by pyoxigraph: checked and escaped
        result = source.query(_GRAPH_ELSEWHERE % {"graph": named})
        for s, p, o, other in result.rows:
            if isinstance(s, URIRef) and isinstance(p, URIRef) and o is not None and other:
                yield s, p, o, graph, str(other)


def _facts(result: QueryResult) -> Iterator[Restated]:
    for s, p, o, g, other in result.rows:
        if isinstance(s, URIRef) and isinstance(p, URIRef) and o is not None and g and other:
            yield s, p, o, str(g), str(other)


def _finding(
    described: Graph,
    fact: Restated,
    whole: bool,
    capped: bool,
    report: TripleSink,
    report_node: Node,
) -> Finding:
    s, p, o, graph, other = fact
    where_nl = (
        f"staat zowel in {_nl(graph)} als in {_nl(other)}"
        if whole
        else f"staat ook in {_nl(other)} (en komt nu in {_nl(graph)})"
    )
    where_en = (
        f"is both in {_en(graph)} and in {_en(other)}"
        if whole
        else f"is also in {_en(other)} (and now comes into {_en(graph)})"
    )
    label = label_of(described, s) or str(s)
    value = o if isinstance(o, URIRef | Literal) else None
    shown = f"<{o}>" if isinstance(o, URIRef) else repr(str(o))
    return report_finding(
        described,
        report,
        report_node,
        severity="Violation",
        focus=s,
        path=p,
        value=value,
        message_nl=f"'{label}': het feit <{p}> {shown} {where_nl}. Een feit hoort in één "
        "graaf: de query-engine telt een "
        "feit in twee grafen twee keer, zodat antwoorden rijen herhalen en sommen "
        "verdubbelen. Laat het in één van beide staan (verwijs vanuit de andere naar het "
        "ding)."
        + (f" (De eerste {MAX_REPORTED} zulke feiten; er kunnen er meer zijn.)" if capped else ""),
        message_en=f"'{label}': the fact <{p}> {shown} {where_en}. A fact belongs to one "
        "graph: the query engine "
        "counts a fact in two graphs twice, so answers repeat rows and sums double. Keep "
        "it in one of them (refer to the thing from the other)."
        + (f" (The first {MAX_REPORTED} such facts; there may be more.)" if capped else ""),
        shape=RESTATED_CHECK,
        component=CHECK_COMPONENT,
    )


def _nl(graph: str) -> str:
    if graph == DEFAULT_GRAPH:
        return "de standaardgraaf van de store"
    file = file_of_graph(graph)
    return f"bestand {file}" if file is not None else f"graaf <{graph}>"


def _en(graph: str) -> str:
    if graph == DEFAULT_GRAPH:
        return "the store's default graph"
    file = file_of_graph(graph)
    return f"file {file}" if file is not None else f"graph <{graph}>"


def with_restated_findings(result: ValidationResult, source: SparqlSource) -> ValidationResult:
    """``result`` (of pySHACL, which reads the files merged into one graph and so never
    sees a fact twice) with the facts ``source`` holds in two graphs as Violations, as
    the default engine reports them (krbgraph.registry.validate_change)."""
    return with_violations(
        result, lambda report, node: restated_findings(source, None, report, node)
    )


def after_model_update(store: SparqlSource, reloaded: Collection[str]) -> list[Finding]:
    """The facts a data graph shares with the model graphs just (re)loaded: a new model
    version may state what a registry already said itself (a concept's definition). No
    write refused it; every later validated load names it. Said at once instead, by
    whoever updated the model (`krb` commands print it, the service logs it)."""
    if not reloaded:
        return []
    found = restated_findings(store, None, set(), URIRef("urn:x-krb:report"))
    return [f for f in found if any(f"<{graph}>" in f.message_en for graph in reloaded)]
