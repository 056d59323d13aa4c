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

from rdflib import Graph, URIRef
from rdflib.term import Node

from .containment import MAX_ENCLOSING, TooDeeplyNested
from .findings import Finding, TripleSink, label_of, report_finding
from .findings import described as described_of
from .model import SHAPES_GRAPH
from .namespaces import KRB
from .store.base import SparqlSource
from .validation import ValidationResult, with_violations

__all__ = ["NESTING_CHECK", "with_nesting_findings"]

NESTING_CHECK = URIRef(SHAPES_GRAPH + "#BegrensdeNesting")
"""sh:sourceShape of an area that lies in too many areas."""

CHECK_COMPONENT = URIRef(SHAPES_GRAPH + "#NestingConstraintComponent")
"""sh:sourceConstraintComponent of that check."""


def with_nesting_findings(
    result: ValidationResult, source: SparqlSource, refused: TooDeeplyNested
) -> ValidationResult:
    """``result`` with a Violation for every area ``refused`` names (so it does not
    conform), its report saying the same; names and types read from ``source``."""
    described = described_of(source, refused.areas)
    return with_violations(
        result, lambda report, node: _findings(described, refused.areas, report, node)
    )


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
