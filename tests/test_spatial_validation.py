"""A krb:ligtIn that the geometry contradicts is a validation warning (never a
violation), shown in every report format of `krb validate` like a SHACL finding;
an unusable geometry is a warning too, not a crash.

The registry is the minimal one of the shape tests (tests/data/shapes) with a
square municipality and a buurt that sticks out of it by 37 %.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from typer.testing import CliRunner

from krbgraph import reports
from krbgraph.cli import app
from krbgraph.model import project_root
from krbgraph.namespaces import KRB
from krbgraph.rdfio import read_rdf_paths
from krbgraph.spatial_checks import GEOMETRY_CHECK, LIGT_IN_CHECK, spatial_findings
from krbgraph.validation import Finding, ValidationResult, validate_graph

DATA = Path(__file__).parent / "data" / "shapes"
BASE = "https://krb.example.org/id/werkingsgebied/"
GEMEENTE, BUURT = BASE + "GM9999", BASE + "BU99990001"
RD = "<http://www.opengis.net/def/crs/EPSG/0/28992>"

PREFIXES = """
@base <https://krb.example.org/id/> .
@prefix krb:  <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix geo:  <http://www.opengis.net/ont/geosparql#> .
@prefix gs:   <https://data.krb.nl/id/begrip/gebiedssoort/> .
"""


def area(code: str, label: str, wkt: str, *parents: str, kind: str = "buurt") -> str:
    """Turtle for an area with a geometry (RD New) and its declared parents."""
    ligt_in = "".join(f" krb:ligtIn <werkingsgebied/{p}> ;" for p in parents)
    notation = f' skos:notation "{code}" ;' if code.startswith(("BU", "WK", "GM")) else ""
    return f"""
<werkingsgebied/{code}> a krb:Werkingsgebied ; rdfs:label "{label}"@nl ;
    dct:identifier "{code}" ; krb:gebiedssoort gs:{kind} ;{notation}{ligt_in}
    geo:hasGeometry [ a geo:Geometry ; geo:asWKT "{wkt}"^^geo:wktLiteral ] .
"""


def square(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"{RD} POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


# The municipality of the minimal registry gets a 2 km square around its
# Parkstraat (a point at 155000 463000); the buurt is 1000 m wide, and 370 m of
# it lie east of the municipality.
GEMEENTE_GEOMETRY = f"""
<werkingsgebied/GM9999> geo:hasGeometry [ a geo:Geometry ;
    geo:asWKT "{square(154000, 462000, 156000, 464000)}"^^geo:wktLiteral ] .
"""
GRENSBUURT = area("BU99990001", "Grensbuurt", square(155370, 463000, 156370, 463100), "GM9999")
MESSAGE_NL = (
    "Werkingsgebied 'Grensbuurt' ligt volgens krb:ligtIn in 'Voorbeeldgemeente', "
    "maar de geometrie ligt er voor 37 % buiten."
)
MESSAGE_EN = (
    "Area 'Grensbuurt' lies in 'Voorbeeldgemeente' according to krb:ligtIn, "
    "but 37 % of its geometry lies outside it."
)


def registry_text(extra: str) -> str:
    return (DATA / "minimal.ttl").read_text(encoding="utf-8") + PREFIXES + extra


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spatial") / "register.ttl"
    path.write_text(registry_text(GEMEENTE_GEOMETRY + GRENSBUURT), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result(registry: Path) -> ValidationResult:
    return validate_graph(read_rdf_paths([registry]))


def check(extra: str) -> tuple[list[Finding], Graph]:
    """spatial_findings alone (no pySHACL) over the minimal registry plus ``extra``."""
    data = Graph().parse(data=registry_text(extra), format="turtle")
    report = Graph()
    node = URIRef("urn:report")
    report.add((node, RDF.type, SH.ValidationReport))
    return spatial_findings(data, report, node), report


def test_a_contradicted_ligt_in_is_exactly_one_warning(result: ValidationResult) -> None:
    assert result.conforms
    assert result.violations() == ()
    assert result.warnings() == (
        Finding(
            severity="Warning",
            focus=BUURT,
            focus_label="Grensbuurt",
            focus_type="Werkingsgebied",
            path=str(KRB.ligtIn),
            value=GEMEENTE,
            message_nl=MESSAGE_NL,
            message_en=MESSAGE_EN,
            shape=str(LIGT_IN_CHECK),
        ),
    )


def test_the_warning_is_a_result_in_the_shacl_report(result: ValidationResult) -> None:
    report = result.report
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    assert report.value(node, SH.conforms) == Literal(True)
    [found] = [
        r for r in report.objects(node, SH.result) if (r, SH.sourceShape, LIGT_IN_CHECK) in report
    ]
    assert report.value(found, RDF.type) == SH.ValidationResult
    assert report.value(found, SH.focusNode) == URIRef(BUURT)
    assert report.value(found, SH.resultPath) == KRB.ligtIn
    assert report.value(found, SH.value) == URIRef(GEMEENTE)
    assert report.value(found, SH.resultSeverity) == SH.Warning
    assert set(report.objects(found, SH.resultMessage)) == {
        Literal(MESSAGE_NL, lang="nl"),
        Literal(MESSAGE_EN, lang="en"),
    }
    turtle = Graph().parse(data=reports.turtle_report(result), format="turtle")
    assert (None, SH.resultMessage, Literal(MESSAGE_NL, lang="nl")) in turtle


def test_text_json_and_junit_show_the_warning(result: ValidationResult) -> None:
    text = reports.text_report(result).plain
    assert f"Werkingsgebied 'Grensbuurt'  <{BUURT}>" in text
    assert f"Warning (waarschuwing)  krb:ligtIn = <{GEMEENTE}>" in text
    assert f"nl: {MESSAGE_NL}" in text and f"en: {MESSAGE_EN}" in text
    assert "0 overtreding(en) / violation(s), 1 waarschuwing(en) / warning(s)" in text

    document = json.loads(reports.json_report(result))
    assert document["counts"] == {"Violation": 0, "Warning": 1, "Info": 0}
    assert document["findings"][0]["message_nl"] == MESSAGE_NL

    for strict in (False, True):
        root = ET.fromstring(reports.junit_report(result, strict=strict))
        [case] = [c for c in root.iter("testcase") if BUURT in c.get("name", "")]
        assert (case.find("failure") is not None) == strict
        shown = case.find("failure") if strict else case.find("system-out")
        assert MESSAGE_NL in (shown.text or "")


def test_krb_validate_passes_with_the_warning_unless_strict(registry: Path) -> None:
    lenient = CliRunner().invoke(app, ["validate", str(registry)])
    assert lenient.exit_code == 0, lenient.output
    assert MESSAGE_NL in lenient.stdout
    strict = CliRunner().invoke(app, ["validate", "--strict", "--format", "json", str(registry)])
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["findings"][0]["message_en"] == MESSAGE_EN


def test_geometry_within_the_declared_parent_gives_no_finding() -> None:
    # Parkstraat (a point) lies in the municipality; the buurt in it has 2 cm of
    # boundary noise beyond it.
    inside = area("BU99990002", "Randbuurt", square(155000, 463000, 156000.02, 463500), "GM9999")
    findings, report = check(GEMEENTE_GEOMETRY + inside)
    assert findings == []
    assert len(report) == 1


def test_a_parent_without_geometry_is_not_compared() -> None:
    findings, _ = check(GRENSBUURT)  # the municipality has no geometry here
    assert findings == []


def test_an_area_may_lie_across_its_declared_parents() -> None:
    buurten = area("BU99990003", "West", square(154000, 462000, 155000, 463000), "GM9999")
    buurten += area("BU99990004", "Oost", square(155000, 462000, 156000, 463000), "GM9999")
    across = square(154900, 462400, 155100, 462600)
    plan = area("bouwplan", "Bouwplan", across, "BU99990003", "BU99990004", kind="plangebied")
    findings, _ = check(GEMEENTE_GEOMETRY + buurten + plan)
    assert findings == []

    # Half of the plan area north of both buurten: one finding about both parents.
    sticking_out = square(154900, 462900, 155100, 463100)
    plan = area("bouwplan", "Bouwplan", sticking_out, "BU99990003", "BU99990004", kind="plangebied")
    [finding] = check(GEMEENTE_GEOMETRY + buurten + plan)[0]
    assert finding.focus == BASE + "bouwplan" and finding.value is None
    assert finding.message_nl == (
        "Werkingsgebied 'Bouwplan' ligt volgens krb:ligtIn in 'West' en 'Oost', "
        "maar de geometrie ligt er voor 50 % buiten."
    )
    assert finding.message_en.endswith("but 50 % of its geometry lies outside them.")


def test_an_unusable_geometry_is_a_warning_not_a_crash() -> None:
    broken = area("BU99990005", "Kapotte buurt", f"{RD} POLYGON((1 2, 3 4", "GM9999")
    findings, report = check(GEMEENTE_GEOMETRY + GRENSBUURT + broken)
    by_focus = {f.focus: f for f in findings}
    assert set(by_focus) == {BUURT, BASE + "BU99990005"}  # the rest is still checked
    unusable = by_focus[BASE + "BU99990005"]
    assert unusable.severity == "Warning" and unusable.shape == str(GEOMETRY_CHECK)
    assert unusable.path == "http://www.opengis.net/ont/geosparql#hasGeometry"
    assert unusable.message_nl.startswith(
        "Werkingsgebied 'Kapotte buurt' heeft een geometrie (geo:asWKT) die niet te gebruiken "
        "is: de WKT is niet te lezen"
    )
    assert "cannot be read" in unusable.message_en
    assert len(set(report.objects(None, SH.result))) == 2


def test_a_repaired_geometry_is_said_to_be_used_as_repaired() -> None:
    """make_valid's repair decides where the area lies (the derived graph uses it): the
    warning must not say the geometry plays no part."""
    bowtie = area(
        "BU99990006",
        "Vlinder",
        f"{RD} POLYGON((155100 463100, 155300 463300, 155300 463100, 155100 463300, "
        "155100 463100))",
        "GM9999",
    )
    findings, _ = check(GEMEENTE_GEOMETRY + bowtie)
    (repaired,) = [f for f in findings if f.focus == BASE + "BU99990006"]
    assert "is used as repaired: invalid geometry (Self-intersection" in repaired.message_en
    assert "hersteld is gebruikt" in repaired.message_nl
    assert "cannot be used" not in repaired.message_en


def test_the_demo_stays_without_violations_and_warnings() -> None:
    demo = read_rdf_paths([project_root() / "examples" / "demo"])
    assert spatial_findings(demo, Graph(), URIRef("urn:report")) == []
    assert validate_graph(demo).findings == ()
