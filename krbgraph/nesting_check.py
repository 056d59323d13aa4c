"""The bound on how deep areas nest (containment.MAX_ENCLOSING), as validation findings.

The derivation of ``krb:ligtBinnen`` walks every area's enclosing areas anyway, and
only it knows the geo:sfWithin computed from geometries, so it is what finds an area
that would lie in too many others (krbgraph.containment.TooDeeplyNested). A validated
write, load or `krb validate` runs it beside the shapes, and this module turns what
it refuses into Violations of the same report: one per area, named, with messages
in Dutch and English, and an sh:sourceShape naming the check (an IRI in the shapes
namespace that is not a shape: the check is code, as krbgraph.spatial_checks).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .containment import MAX_ENCLOSING, TooDeeplyNested
from .findings import READS as FINDINGS_READ
from .findings import Finding, TripleSink, label_of, report_finding
from .model import SHAPES_GRAPH
from .namespaces import KRB
from .store.base import SparqlSource
from .validation import ValidationResult, finding_sort_key

__all__ = ["NESTING_CHECK", "with_nesting_findings"]

NESTING_CHECK = URIRef(SHAPES_GRAPH + "#BegrensdeNesting")
"""sh:sourceShape of an area that lies in too many areas."""

CHECK_COMPONENT = URIRef(SHAPES_GRAPH + "#NestingConstraintComponent")
"""sh:sourceConstraintComponent of that check."""

_NAMES = """
CONSTRUCT { ?area ?p ?o } WHERE {
  VALUES ?area { %s }
  ?area ?p ?o FILTER (?p IN (%s))
}
"""


def with_nesting_findings(
    result: ValidationResult, source: SparqlSource, refused: TooDeeplyNested
) -> ValidationResult:
    """``result`` with a Violation for every area ``refused`` names (so it does not
    conform), its report saying the same; names and types read from ``source``."""
    described = _described(source, refused.areas)
    # The findings now; their results in the report once it is read, under its node.
    added = _findings(described, refused.areas, set(), URIRef("urn:x-krb:report"))
    findings = tuple(sorted((*result.findings, *added), key=finding_sort_key))
    earlier = result.report_triples

    def report_triples() -> Iterator[tuple]:
        report_node = None
        for subject, predicate, obj in earlier():
            if predicate == RDF.type and obj == SH.ValidationReport:
                report_node = subject
            if predicate == SH.conforms:
                obj = Literal(False)
            yield subject, predicate, obj
        if report_node is not None:
            results: set[tuple] = set()
            _findings(described, refused.areas, results, report_node)
            yield from results

    return replace(result, conforms=False, findings=findings, report_source=report_triples)


def _findings(
    described: Graph, areas: tuple[str, ...], report: TripleSink, report_node: Node
) -> list[Finding]:
    return [_finding(described, URIRef(area), report, report_node) for area in areas]


def _finding(described: Graph, area: URIRef, report: TripleSink, report_node: Node) -> Finding:
    label = label_of(described, area) or str(area)
    return report_finding(
        described,
        report,
        report_node,
        severity="Violation",
        focus=area,
        path=KRB.ligtIn,
        value=None,
        message_nl=f"Werkingsgebied '{label}' ligt in meer dan {MAX_ENCLOSING} gebieden "
        "(via krb:ligtIn en volgens de geometrie); zo'n gebiedsindeling bestaat niet (van "
        "Nederland tot een straat zijn het zes niveaus). Meestal is het een keten van "
        "gebieden die elk in het volgende liggen, of veel gebieden met dezelfde geometrie: "
        "leg bij een gebied vast waar het direct in ligt en voeg kopieën samen.",
        message_en=f"Area '{label}' lies in more than {MAX_ENCLOSING} areas (through "
        "krb:ligtIn and by geometry); no area hierarchy is like that (from the Netherlands "
        "down to a street is six levels). Usually it is a chain of areas each inside the "
        "next, or many areas with the same geometry: record for an area the area it lies "
        "in directly, and merge copies.",
        shape=NESTING_CHECK,
        component=CHECK_COMPONENT,
    )


def _described(source: SparqlSource, areas: tuple[str, ...]) -> Graph:
    """The names and types of ``areas`` (what report_finding reads of them)."""
    graph = Graph()
    predicates = ", ".join(f"<{p}>" for p in FINDINGS_READ)
    for start in range(0, len(areas), 1000):
        # Written by pyoxigraph, which checks and escapes an IRI from the data.
        values = " ".join(str(ox.NamedNode(a)) for a in areas[start : start + 1000])
        graph += source.query(_NAMES % (values, predicates)).graph or Graph()
    return graph
