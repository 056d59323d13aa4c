"""One validation finding and how its object is named: shared by every check.

SHACL (krbgraph.validation) and the checks SHACL cannot express (geometry in
krbgraph.spatial_checks, units in krbgraph.unit_checks) all report Findings; keeping
the type here lets those checks run inside validation without importing it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from .namespaces import KRB, ORG
from .store.base import SparqlSource

__all__ = [
    "DEFAULT_GRAPH",
    "SEVERITIES",
    "Finding",
    "label_of",
    "path_text",
    "report_finding",
    "stored_graphs",
    "type_name",
]

SEVERITIES = ("Violation", "Warning", "Info")

DEFAULT_GRAPH = "urn:x-krb:default-graph"
"""Stands for a store's own default graph where a graph is named (stored_graphs), as in
krbgraph.restated_check's messages."""

_TYPE_NAMES: dict[URIRef, str] = {ORG.OrganizationalUnit: "Afdeling"}
"""Non-KRB classes of registry things, named by their Dutch domain term."""

READS = (RDFS.label, SKOS.prefLabel, RDF.type, RDFS.subClassOf)
"""The predicates label_of, type_name and so report_finding read of the data."""


class Described(Protocol):
    """What label_of and type_name read a node's name and types from: a graph, or the
    small index of just the nodes of a report (krbgraph.shacl.findings.NodeContext)."""

    def objects(self, subject: Node, predicate: Node, /) -> Iterable[Node]: ...

    def __contains__(self, triple: tuple[Node, Node, Node], /) -> bool: ...


class QuadSource(Protocol):
    """Where stored_graphs looks an object up: a copy of a store
    (krbgraph.replica.ValidationReplica), which can name its own blank nodes."""

    def quads_matching(
        self, subject: object | None, predicate: ox.NamedNode | None, obj: object | None, /
    ) -> list[ox.Quad]: ...


class TripleSink(Protocol):
    """Where report_finding writes its sh:ValidationResult: a report graph, or a set of
    triples kept for a report graph that is built only when someone reads it."""

    def add(self, triple: tuple[Node, Node, Node], /) -> object: ...


@dataclass(frozen=True)
class Finding:
    """One validation result, ready to show: who, what, where and why (nl and en)."""

    severity: str  # "Violation" | "Warning" | "Info"
    focus: str  # IRI (or blank node id) of the object
    focus_label: str | None  # its rdfs:label / skos:prefLabel
    focus_type: str | None  # its KRB class local name, e.g. "Beleidsnorm"
    path: str | None  # property IRI
    value: str | None
    message_nl: str
    message_en: str
    shape: str | None
    value_blank: bool = False
    """Whether ``value`` is a blank node's id (a report names it, not the id: another
    every run)."""


_LABELS = (RDFS.label, SKOS.prefLabel)
_TYPE, _SUBCLASS_OF, _KRB = RDF.type, RDFS.subClassOf, str(KRB)
"""Looked up once: a whole registry's report names some 100,000 nodes, and rdflib's
namespaces build the term again on every attribute access."""


def label_of(graph: Described, node: Node, lang: str = "nl") -> str | None:
    """The display name of a node: rdfs:label, else skos:prefLabel, preferring ``lang``."""
    for prop in _LABELS:
        labels = [o for o in graph.objects(node, prop) if isinstance(o, Literal)]
        for wanted in (lang, "nl", None):
            # The same one of several labels in one language whatever order the graph
            # or the store lists them in (QUDT's PERCENT has "percent"@en and "Percent"@en).
            matching = [str(label) for label in labels if label.language == wanted]
            if matching:
                return min(matching)
        if labels:
            return str(min(labels, key=str))
    return None


def type_name(graph: Described, node: Node) -> str | None:
    """The most specific KRB class of a node ("MerMaatregel" rather than
    "Beleidsmaatregel"), or the Dutch term for a borrowed class ("Afdeling").

    A class of the registry's own (``gem:Team rdfs:subClassOf org:OrganizationalUnit``,
    which docs/datamodel.md allows) is named by the nearest classes above it that are
    named so: the shapes target its objects through rdfs:subClassOf, and an object
    the shapes check as an Afdeling is reported as one."""
    types = [t for t in graph.objects(node, _TYPE) if isinstance(t, URIRef)]
    named = [t for t in types if _is_named(t)]
    own = [t for t in types if not _is_named(t)]
    if own:
        named.extend(_named_above(graph, own))
    krb_types = {t for t in named if t.startswith(_KRB)}
    specific = [
        t for t in krb_types if not any(o != t and (o, _SUBCLASS_OF, t) in graph for o in krb_types)
    ]
    if specific:
        return min(specific)[len(_KRB) :]
    for t in named:
        if t in _TYPE_NAMES:
            return _TYPE_NAMES[t]
    return None


def _is_named(cls: URIRef) -> bool:
    return cls.startswith(_KRB) or cls in _TYPE_NAMES


def _named_above(graph: Described, classes: Iterable[URIRef]) -> list[URIRef]:
    """The KRB and borrowed classes first reached going up rdfs:subClassOf from
    ``classes``; a cycle in the data's own hierarchy ends the walk, not the report."""
    seen = set(classes)
    pending = list(seen)
    found: list[URIRef] = []
    while pending:
        for above in graph.objects(pending.pop(), _SUBCLASS_OF):
            if not isinstance(above, URIRef) or above in seen:
                continue
            seen.add(above)
            if _is_named(above):
                found.append(above)
            else:
                pending.append(above)
    return found


def report_finding(
    data: Graph,
    report: TripleSink,
    report_node: Node,
    *,
    severity: str,
    focus: URIRef,
    path: URIRef,
    value: URIRef | Literal | None,
    message_nl: str,
    message_en: str,
    shape: URIRef,
    component: URIRef,
) -> Finding:
    """A finding of a check beside SHACL, added to the SHACL report graph as a standard
    sh:ValidationResult (so every report format shows it) and returned as a Finding."""
    result = BNode()
    report.add((report_node, SH.result, result))
    report.add((result, RDF.type, SH.ValidationResult))
    report.add((result, SH.focusNode, focus))
    report.add((result, SH.resultPath, path))
    if value is not None:
        report.add((result, SH.value, value))
    report.add((result, SH.resultSeverity, SH[severity]))
    report.add((result, SH.sourceShape, shape))
    report.add((result, SH.sourceConstraintComponent, component))
    report.add((result, SH.resultMessage, Literal(message_nl, lang="nl")))
    report.add((result, SH.resultMessage, Literal(message_en, lang="en")))
    return Finding(
        severity=severity,
        focus=str(focus),
        focus_label=label_of(data, focus),
        focus_type=type_name(data, focus),
        path=str(path),
        value=str(value) if value is not None else None,
        message_nl=message_nl,
        message_en=message_en,
        shape=str(shape),
    )


def path_text(report: Graph, path: Node | None) -> str | None:
    """A property IRI, or a SPARQL-like rendering of a complex path (^inverse, a/b)."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + (path_text(report, inverse) or "")
    if report.value(path, RDF.first) is not None:
        return "/".join(path_text(report, p) or "" for p in report.items(path))
    return str(path)


_NAMES = """
CONSTRUCT { ?thing ?p ?o } WHERE {
  VALUES ?thing { %s }
  ?thing ?p ?o FILTER (?p IN (%s))
}
"""


def described(source: SparqlSource, things: Iterable[str]) -> Graph:
    """What report_finding reads of ``things`` (names, types), from ``source``: the
    checks beside the shapes name the objects they report as the shapes do."""
    listed = list(things)
    graph = Graph()
    predicates = ", ".join(f"<{p}>" for p in READS)
    for start in range(0, len(listed), 1000):
        # Written by pyoxigraph, which checks and escapes an IRI from the data.
        values = " ".join(str(ox.NamedNode(t)) for t in listed[start : start + 1000])
        graph += source.query(_NAMES % (values, predicates)).graph or Graph()
    return graph


def stored_graphs(source: QuadSource, focuses: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The graphs of ``source`` that describe each of ``focuses`` (a finding's focus: an
    IRI, or the copy's blank node id; DEFAULT_GRAPH for the default graph), or mention
    it, for one that is described nowhere. Looked up on the copy the findings were found
    on: a SPARQL query cannot name its blank nodes, and the store may have changed since."""
    found: dict[str, tuple[str, ...]] = {}
    for focus in dict.fromkeys(focuses):
        try:
            term = ox.NamedNode(focus) if ":" in focus else ox.BlankNode(focus)
        except ValueError:  # no node of the data: nowhere to point at
            continue
        quads = source.quads_matching(term, None, None) or source.quads_matching(None, None, term)
        graphs = {
            q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else DEFAULT_GRAPH
            for q in quads
        }
        if graphs:
            found[focus] = tuple(sorted(graphs))
    return found
