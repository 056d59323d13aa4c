"""Results as krbgraph.validation.Finding, the form the CLI, the web pages and the
write paths show to users.

A Finding names the object by its label and most specific KRB type and gives
the message in Dutch and English, with {?label}, {$this}, {?value} and {?path}
filled in as krbgraph.validation does for pySHACL's reports. Labels and types
come from a graph: the validated graph itself, or for a store the NodeContext
``node_context`` reads for just the nodes of the report (an index of query rows,
not an rdflib graph: a report of 58,617 warnings has some 170,000 such facts,
which took 5 s to add to an rdflib graph). A blank node cannot be named in a query,
so of an in-memory copy (krbgraph.replica.ValidationReplica) its facts are read by
its id: "Afdeling 'cdbaf131…'" changed from run to run, in every CI report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from ..findings import (
    SEVERITIES,
    Described,
    Finding,
    QuadSource,
    label_of,
    path_text,
    type_name,
)
from ..store import StoreError
from ..store.terms import to_rdflib
from . import terms
from .engine import QueryStore
from .paths import Path
from .report import Report, Result

_PLACEHOLDER = re.compile(r"\{[?$](label|this|value|path)\}")

# The nodes once, then one branch per property, each binding its property: the engine
# looks up each node's triples of that property (at 1M, 47,000 nodes: 1.75 -> 1.0 s).
# A FILTER on ?p read every triple of every node instead; `VALUES ?p` started from
# every triple of those properties in the store; a VALUES of nodes per branch repeats
# the list, which at 58,000 nodes is 10 MB of query text. The superclasses of the
# types found come after.
_CONTEXT = (
    "SELECT DISTINCT ?node ?p ?o WHERE {{ VALUES ?node {{ {nodes} }} "
    "{{ ?node {type} ?o BIND ({type} AS ?p) }} UNION "
    "{{ ?node {label} ?o BIND ({label} AS ?p) }} UNION "
    "{{ ?node {pref} ?o BIND ({pref} AS ?p) }} }}"
)
# Every step up from those types, not only the first: a registry's own class
# (gem:Team) is named by the model's class above it (org:OrganizationalUnit), and
# the most specific of several is told by the steps between them (type_name).
_SUPERCLASSES = (
    "SELECT DISTINCT ?node ?o WHERE {{ VALUES ?type {{ {types} }} "
    "?type {sub}* ?node . ?node {sub} ?o }}"
)
_DESCRIBING = (RDF.type, RDFS.label, SKOS.prefLabel)


class NodeContext:
    """The labels and types of some nodes and the superclasses of those types, as
    label_of and type_name read them (krbgraph.findings.Described)."""

    def __init__(self, facts: Iterable[tuple[Node, Node, Node]] = ()) -> None:
        self._objects: dict[tuple[Node, Node], list[Node]] = {}
        for subject, predicate, value in facts:
            self._objects.setdefault((subject, predicate), []).append(value)

    def objects(self, subject: Node, predicate: Node, /) -> Iterable[Node]:
        return iter(self._objects.get((subject, predicate), ()))

    def __contains__(self, triple: tuple[Node, Node, Node], /) -> bool:
        subject, predicate, value = triple
        return value in self._objects.get((subject, predicate), ())


def to_findings(report: Report, context: Described) -> tuple[Finding, ...]:
    """One Finding per result, sorted as krbgraph.validation sorts them.

    ``context`` holds the labels (rdfs:label, skos:prefLabel) and types
    (rdf:type, rdfs:subClassOf of those types) of the report's nodes.
    """
    found = [_finding(item, context) for item in report.results]
    return tuple(sorted(found, key=_sort_key))


def node_context(
    store: QueryStore,
    report: Report,
    *,
    data_graphs: Sequence[str] | None = None,
    timeout_s: float | None = None,
) -> NodeContext:
    """Labels and types of the focus and value nodes of ``report``, read from ``store``;
    of its blank nodes only when ``store`` can name them (``quads_matching``: an
    in-memory copy, on which the report was made), as a query cannot."""
    nodes = {n for item in report.results for n in (item.focus, item.value) if n is not None}
    named = sorted((n for n in nodes if isinstance(n, URIRef)), key=str)
    blank = sorted((n for n in nodes if isinstance(n, BNode)), key=str)
    dataset = tuple(data_graphs or ())
    rows: list[tuple[Node, Node, Node]] = []
    if named:
        text = _CONTEXT.format(
            nodes=" ".join(terms.iri(n) for n in named),
            type=terms.iri(RDF.type),
            label=terms.iri(RDFS.label),
            pref=terms.iri(SKOS.prefLabel),
        )
        answer = store.query(text, default_graph_uris=dataset, timeout_s=timeout_s)
        rows.extend(answer.rows)  # type: ignore[arg-type]  # every variable is always bound
    if blank and hasattr(store, "quads_matching"):
        rows.extend(_blank_node_facts(cast(QuadSource, store), blank))
    if not rows:
        return NodeContext()
    types = sorted({o for _, p, o in rows if p == RDF.type and isinstance(o, URIRef)})
    if types:
        text = _SUPERCLASSES.format(
            types=" ".join(terms.iri(t) for t in types), sub=terms.iri(RDFS.subClassOf)
        )
        answer = store.query(text, default_graph_uris=dataset, timeout_s=timeout_s)
        rows.extend((node, RDFS.subClassOf, o) for node, o in answer.rows)  # type: ignore[misc]
    return NodeContext(rows)


def _blank_node_facts(source: QuadSource, nodes: Iterable[BNode]) -> list[tuple[Node, Node, Node]]:
    """The types and labels of ``nodes``, blank nodes of ``source``, read by their ids."""
    facts: list[tuple[Node, Node, Node]] = []
    predicates = [(p, ox.NamedNode(str(p))) for p in _DESCRIBING]
    for node in nodes:
        try:
            term = ox.BlankNode(str(node))
        except ValueError:  # not an id of the copy's: nothing to read
            continue
        for predicate, named in predicates:
            for quad in source.quads_matching(term, named, None):
                try:
                    facts.append((node, predicate, to_rdflib(quad.object)))
                except StoreError:  # a label with a base direction: named by its id
                    continue
    return facts


def _finding(item: Result, context: Described) -> Finding:
    focus_label = label_of(context, item.focus)
    path = None if item.path is None else path_shown(item.path)

    def fill(template: str, lang: str) -> str:
        if "{" not in template:
            return template

        def filler(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in ("label", "this"):
                return focus_label or str(item.focus)
            if name == "path":
                return path or ""
            value = item.value  # its name looked up only for a template that shows it
            return (label_of(context, value, lang) or str(value)) if value is not None else ""

        return _PLACEHOLDER.sub(filler, template)

    # The templates when the report filled in a node where users read its name.
    texts = item.templates or item.messages
    messages = {m.language: fill(str(m), m.language or "nl") for m in _sorted(texts)}
    fallback = next(iter(messages.values()), f"constraint {item.component} not satisfied")
    return Finding(
        severity=item.severity_name,
        focus=str(item.focus),
        focus_label=focus_label,
        focus_type=type_name(context, item.focus),
        path=path,
        value=str(item.value) if item.value is not None else None,
        message_nl=messages.get("nl", fallback),
        message_en=messages.get("en", fallback),
        shape=str(item.shape) if isinstance(item.shape, URIRef) else None,
        value_blank=isinstance(item.value, BNode),
    )


@lru_cache(maxsize=1024)
def path_shown(path: Path) -> str | None:
    """As findings show paths; the same few paths recur in every result of a shape."""
    scratch = Graph()
    return path_text(scratch, path.write(scratch))


def _sorted(messages: Iterable[Literal]) -> list[Literal]:
    return sorted(messages, key=lambda m: (m.language or "", str(m)))


def _sort_key(finding: Finding) -> tuple[int, str, str, str, str]:
    return (
        SEVERITIES.index(finding.severity) if finding.severity in SEVERITIES else 3,
        finding.focus_label or finding.focus,
        finding.focus,
        finding.path or "",
        finding.message_nl,
    )
