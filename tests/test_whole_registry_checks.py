"""A validated load checks units and geometry of the whole registry from a part of it.

Validating everything (``krb load``), the unit and geometry checks get only the
triples with the predicates they declare to read (unit_checks.READS,
spatial_checks.READS), not a copy of the registry. Whatever they would find on
the whole data they must find on that part: here the findings of a real load
into a store on disk are compared with the checks run on the complete graph.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from store_templates import copy_of
from test_shapes_constraints import DATA, changed
from test_spatial_validation import GEMEENTE_GEOMETRY, GRENSBUURT, registry_text

from krbgraph.loading import load_paths
from krbgraph.settings import Settings
from krbgraph.spatial_checks import GEOMETRY_CHECK, LIGT_IN_CHECK, spatial_findings
from krbgraph.store import ensure_model, open_store
from krbgraph.unit_checks import EFFECT_UNIT_CHECK, NORM_UNIT_CHECK, unit_findings
from krbgraph.validation import Finding, ValidationFailed, ValidationResult

WRONG_UNITS = """DELETE WHERE { <beleidsnorm/GEL-N01> qudt:hasUnit ?u ; qudt:numericValue ?v }
    ; INSERT DATA { <beleidsnorm/GEL-N01> qudt:hasUnit unit:PERCENT ; qudt:numericValue 45.0 }
    ; INSERT DATA { <beoogd-effect/ENE-E01> qudt:hasUnit unit:NUM }
    ; INSERT DATA { <beleidsindicator/BOU-I01> qudt:hasUnit unit:DeciB_A }"""


OWN_UNIT = """DELETE WHERE { <beleidsnorm/GEL-N01> qudt:hasUnit ?u }
    ; INSERT DATA { <beleidsnorm/GEL-N01> qudt:hasUnit <eenheid/gehinderden-per-straat> .
                    <eenheid/gehinderden-per-straat> rdfs:label "gehinderden per straat"@nl }"""
"""A municipality's own unit, named in its own data: the messages must name it too."""


def loaded(folder: Path, graph: Graph) -> ValidationResult:
    """The validation result of `krb load`'s path for ``graph`` written to a file."""
    path = folder / "register.ttl"
    graph.serialize(path, format="turtle")
    # The model: a copy of a store made once per process (store_templates).
    store = open_store(
        Settings(store=str(copy_of("model", Settings(), ensure_model, folder / "store")))
    )
    try:
        ensure_model(store)  # nothing to do: the copy has the model
        try:
            report = load_paths(store, [path])
        except ValidationFailed as failed:
            return failed.result
        assert report.validation is not None
        return report.validation
    finally:
        store.close()


def on_the_whole(graph: Graph) -> set[tuple[str, str, str, str | None]]:
    """The unit and geometry findings over the complete graph, the model included."""
    from krbgraph.model import model_graph

    data = graph + model_graph()
    report, node = Graph(), URIRef("urn:report")
    report.add((node, RDF.type, SH.ValidationReport))
    return _keys([*unit_findings(data, report, node), *spatial_findings(data, report, node)])


def _keys(findings: list[Finding]) -> set[tuple[str, str, str, str | None]]:
    return {(f.focus, f.shape, f.message_nl, f.focus_label) for f in findings}


def _checks(result: ValidationResult) -> set[tuple[str, str, str, str | None]]:
    """The findings of the checks beside SHACL."""
    checks = {str(c) for c in (NORM_UNIT_CHECK, EFFECT_UNIT_CHECK, LIGT_IN_CHECK, GEOMETRY_CHECK)}
    return _keys([f for f in result.findings if f.shape in checks])


@pytest.mark.parametrize("case", ["units", "geometry", "own unit"])
def test_a_validated_load_finds_what_the_checks_find_on_the_whole_registry(
    tmp_path: Path, case: str
) -> None:
    if case in ("units", "own unit"):
        graph = Graph()
        for name in ("minimal.ttl", "levenscyclus.ttl", "samenhang.ttl"):
            graph.parse(DATA / name)
        graph = changed(graph, WRONG_UNITS if case == "units" else OWN_UNIT)
    else:
        graph = Graph().parse(data=registry_text(GEMEENTE_GEOMETRY + GRENSBUURT), format="turtle")
    expected = on_the_whole(graph)
    if case == "own unit":
        # The messages name the unit as its data does, not by its IRI.
        assert expected and all("gehinderden per straat" in key[2] for key in expected)
    else:
        # The norm, its effect on it, the effect on a norm without a unit and the effect
        # directly on an indicator in dB(A); one area.
        assert len(expected) == (4 if case == "units" else 1), expected
    found = _checks(loaded(tmp_path, graph))
    assert found == expected


def test_the_report_graph_of_a_validated_load_holds_every_finding(tmp_path: Path) -> None:
    """The report graph is built only when read; it must then hold a result for every
    finding, the checks beside SHACL included, and the verdict of the findings."""
    graph = Graph()
    for name in ("minimal.ttl", "levenscyclus.ttl", "samenhang.ttl"):
        graph.parse(DATA / name)
    result = loaded(tmp_path, changed(graph, WRONG_UNITS))
    assert not result.conforms
    report = result.report
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    assert report.value(node, SH.conforms).toPython() is False
    in_report = {
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.sourceShape)))
        for r in report.objects(node, SH.result)
    }
    assert len(list(report.objects(node, SH.result))) == len(result.findings)
    assert {(f.focus, f.shape) for f in result.findings if f.shape} <= in_report
    assert {str(NORM_UNIT_CHECK), str(EFFECT_UNIT_CHECK)} <= {shape for _, shape in in_report}
