"""Results as krbgraph.validation.Finding, the form the CLI, the web pages and the
write paths show to users.

A Finding names the object by its label and most specific KRB type and gives
the message in Dutch and English, with {?label}, {$this}, {?value} and {?path}
filled in as krbgraph.validation does for pySHACL's reports. Labels and types
come from a graph: the validated graph itself, or for a store the small graph
``context_graph`` reads for just the nodes of the report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..findings import SEVERITIES, Finding, label_of, path_text, type_name
from . import terms
from .engine import QueryStore
from .report import Report, Result

_PLACEHOLDER = re.compile(r"\{[?$](label|this|value|path)\}")

# One branch per property, each with its own VALUES: with `VALUES ?p` Oxigraph
# starts from every triple of those properties in the store (seconds at a million
# triples); with the nodes fixed in each branch it starts from the nodes (ms).
_CONTEXT_BRANCH = "{{ VALUES ?node {{ {nodes} }} ?node {p} ?o . BIND ({p} AS ?p) }}"

_CONTEXT = """
CONSTRUCT {{ ?node ?p ?o . ?type {sub} ?super }} WHERE {{
  {branches}
  UNION {{
    {{ SELECT DISTINCT ?type WHERE {{ VALUES ?node {{ {nodes} }} ?node {rdf_type} ?type }} }}
    ?type {sub} ?super
  }}
}}
"""


def to_findings(report: Report, context: Graph) -> tuple[Finding, ...]:
    """One Finding per result, sorted as krbgraph.validation sorts them.

    ``context`` holds the labels (rdfs:label, skos:prefLabel) and types
    (rdf:type, rdfs:subClassOf of those types) of the report's nodes.
    """
    found = [_finding(item, context) for item in report.results]
    return tuple(sorted(found, key=_sort_key))


def context_graph(
    store: QueryStore,
    report: Report,
    *,
    data_graphs: Sequence[str] | None = None,
    timeout_s: float | None = None,
) -> Graph:
    """Labels and types of the focus and value nodes of ``report``, read from ``store``
    (blank nodes cannot be named in a query and keep no label)."""
    nodes = {n for item in report.results for n in (item.focus, item.value) if n is not None}
    named = sorted(n for n in nodes if isinstance(n, URIRef))
    if not named:
        return Graph()
    listed = " ".join(terms.iri(n) for n in named)
    properties = (RDF.type, RDFS.label, SKOS.prefLabel)
    text = _CONTEXT.format(
        branches=" UNION ".join(
            _CONTEXT_BRANCH.format(nodes=listed, p=terms.iri(p)) for p in properties
        ),
        nodes=listed,
        rdf_type=terms.iri(RDF.type),
        sub=terms.iri(RDFS.subClassOf),
    )
    answer = store.query(text, default_graph_uris=tuple(data_graphs or ()), timeout_s=timeout_s)
    return answer.graph if answer.graph is not None else Graph()


def _finding(item: Result, context: Graph) -> Finding:
    focus_label = label_of(context, item.focus)
    path = None
    if item.path is not None:
        scratch = Graph()
        path = path_text(scratch, item.path.write(scratch))

    def fill(template: str, lang: str) -> str:
        value = item.value
        fillers = {
            "label": focus_label or str(item.focus),
            "this": focus_label or str(item.focus),
            "value": (label_of(context, value, lang) or str(value)) if value is not None else "",
            "path": path or "",
        }
        return _PLACEHOLDER.sub(lambda m: fillers[m.group(1)], template)

    messages = {m.language: fill(str(m), m.language or "nl") for m in _sorted(item.messages)}
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
    )


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
