"""Checks on the geometry of areas that SHACL cannot express, as validation findings.

krb:ligtIn declares the direct parent of an area (a subproperty of
geo:sfWithin). Where child and parent both carry a geometry, krbgraph.geometry
compares them, and a child that lies more than geometry.SHARE_TOLERANCE outside
its declared parent is reported. A geometry that cannot be used (unreadable
WKT, an unknown coordinate reference system, invalid topology) is reported too,
because the spatial relations derived after loading leave it out or repair it.

Both are warnings, never violations: the declared hierarchy is what queries
follow, and a coarse or outdated geometry should not block loading the data.

Each finding is added to the SHACL report graph as an sh:ValidationResult like
pySHACL's own, with messages in Dutch and English, so every report format of
`krb validate` shows it. Its sh:sourceShape names the check (an IRI in the
shapes namespace that is not a shape in the shapes graph: the check is code).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .findings import READS as FINDINGS_READ
from .findings import Finding, TripleSink, label_of, report_finding
from .geometry import contradicted_containment, read_areas
from .model import SHAPES_GRAPH
from .namespaces import GEO, KRB

LIGT_IN_CHECK = URIRef(SHAPES_GRAPH + "#LigtInVolgensGeometrie")
"""sh:sourceShape of a krb:ligtIn that the geometries contradict."""

GEOMETRY_CHECK = URIRef(SHAPES_GRAPH + "#BruikbareGeometrie")
"""sh:sourceShape of a geometry that cannot be used as it is."""

CHECK_COMPONENT = URIRef(SHAPES_GRAPH + "#GeometrieConstraintComponent")
"""sh:sourceConstraintComponent of both checks."""

READS = (*FINDINGS_READ, GEO.hasGeometry, GEO.asWKT, KRB.ligtIn)
"""Every predicate these checks read of the data: a caller that checks a whole
registry hands them only triples with these (see krbgraph.registry)."""

FOLLOWS = (KRB.ligtIn, GEO.hasGeometry)
"""The links these checks follow from an area: to the areas it lies in and to its
geometries (and theirs); a caller that checks some areas hands them the triples
(with READS) of the nodes reached from those areas along these in two steps."""


CANDIDATES = (
    f"?node a <{KRB.Werkingsgebied}> ; <{GEO.hasGeometry}> ?geometry . "
    f"?geometry <{GEO.asWKT}> ?wkt",
)
"""SPARQL groups (each a UNION branch) binding ?node to every area these checks could
report: every one with a geometry (both checks need one). Checking a whole registry,
the checks read the surroundings of these only; checking a write, not at all when
the write reaches none."""


def spatial_findings(data: Graph, report: TripleSink, report_node: Node) -> list[Finding]:
    """Warnings for contradicted krb:ligtIn and unusable geometries of the areas
    (krb:Werkingsgebied) in ``data``, also added to ``report`` as results of
    ``report_node``."""
    areas = _area_geometries(data)
    findings: list[Finding] = []
    _, problems = read_areas(areas)
    for problem in problems:
        area = URIRef(problem.area)
        label = label_of(data, area) or problem.area
        findings.append(
            _add(
                data,
                report,
                report_node,
                focus=area,
                path=GEO.hasGeometry,
                value=None,
                # A repaired geometry is used as repaired: it decides where the area lies.
                message_nl=f"Werkingsgebied '{label}' heeft een geometrie (geo:asWKT) die "
                + ("hersteld is gebruikt" if problem.usable else "niet te gebruiken is")
                + f": {problem.message_nl}.",
                message_en=f"Area '{label}' has a geometry (geo:asWKT) that "
                + ("is used as repaired" if problem.usable else "cannot be used")
                + f": {problem.message_en}.",
                shape=GEOMETRY_CHECK,
            )
        )
    declared = [(str(child), str(parent)) for child, parent in data.subject_objects(KRB.ligtIn)]
    for contradiction in contradicted_containment(declared, areas):
        child = URIRef(contradiction.child)
        child_label = label_of(data, child) or contradiction.child
        parents = [URIRef(contradiction.parent), *map(URIRef, contradiction.together_with)]
        share = contradiction.outside_share
        findings.append(
            _add(
                data,
                report,
                report_node,
                focus=child,
                path=KRB.ligtIn,
                # Outside several declared parents together: about the set, not one value.
                value=None if contradiction.together_with else parents[0],
                message_nl=f"Werkingsgebied '{child_label}' ligt volgens krb:ligtIn in "
                f"{_names(data, parents, 'nl')}, maar de geometrie ligt er voor "
                f"{percentage(share, 'nl')} buiten.",
                message_en=f"Area '{child_label}' lies in {_names(data, parents, 'en')} "
                f"according to krb:ligtIn, but {percentage(share, 'en')} of its geometry "
                f"lies outside {'them' if contradiction.together_with else 'it'}.",
                shape=LIGT_IN_CHECK,
            )
        )
    return findings


def percentage(share: float, lang: str) -> str:
    """A share (0..1) as people read it: '37 %', below 10 % with one decimal
    ('1,4 %' in Dutch, '1.4 %' in English).

    >>> percentage(0.3712, "nl"), percentage(0.014, "nl"), percentage(0.014, "en")
    ('37 %', '1,4 %', '1.4 %')
    """
    text = f"{share * 100:.0f}" if share >= 0.095 else f"{share * 100:.1f}"
    return (text.replace(".", ",") if lang == "nl" else text) + " %"


def _names(data: Graph, areas: list[URIRef], lang: str) -> str:
    """'A', or 'A' en 'B' ('A' and 'B'), or 'A', 'B' en 'C'."""
    names = [f"'{label_of(data, area, lang) or area}'" for area in areas]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + (" en " if lang == "nl" else " and ") + names[-1]


def _area_geometries(data: Graph) -> dict[str, str]:
    """Area IRI -> lexical form of its geo:asWKT literal (the first one in sort order,
    when the data has more: the shapes report that)."""
    areas: dict[str, str] = {}
    for area in set(data.subjects(RDF.type, KRB.Werkingsgebied)):
        if not isinstance(area, URIRef):
            continue
        literals = sorted(
            str(wkt)
            for geometry in data.objects(area, GEO.hasGeometry)
            for wkt in data.objects(geometry, GEO.asWKT)
            if isinstance(wkt, Literal)
        )
        if literals:
            areas[str(area)] = literals[0]
    return areas


def _add(
    data: Graph,
    report: TripleSink,
    report_node: Node,
    *,
    focus: URIRef,
    path: URIRef,
    value: URIRef | None,
    message_nl: str,
    message_en: str,
    shape: URIRef,
) -> Finding:
    """A geometry Warning, in the report and as a Finding."""
    return report_finding(
        data,
        report,
        report_node,
        severity="Warning",
        focus=focus,
        path=path,
        value=value,
        message_nl=message_nl,
        message_en=message_en,
        shape=shape,
        component=CHECK_COMPONENT,
    )


__all__ = ["GEOMETRY_CHECK", "LIGT_IN_CHECK", "percentage", "spatial_findings"]
