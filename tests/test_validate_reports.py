"""`krb validate` as a CI job reads it: what each object is called and where it is.

An object of the registry's own subclass of a model class is a test case with its
class, passing or failing; an object without an IRI is named by its label, the same
every run; a literal outside its datatype's lexical space is a Violation whichever
engine checks it; an object in a JSON-LD file gets its file from either engine, and a
passing object its file and line as a failing one does.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.pyshacl_run import pyshacl_report

MINIMAL = Path(__file__).parent / "data" / "shapes" / "minimal.ttl"
ENGINES = ("sparql", "pyshacl")
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
AFDELING = "https://krb.voorbeeld.nl/id/afdeling/"
HEAD = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix gem: <https://krb.voorbeeld.nl/def/gem#> .
"""
LATER_THAN_ENTRY = (
    "Known difference: rdflib's SPARQL orders a stand-in for an ill-typed date above "
    "every date (datatype IRI order, not SPARQL's type error); see krbgraph.pyshacl_run"
)


def run(*args: str | Path):
    """`krb validate` in this process (tests/test_validate_pipeline.py: no Python start
    and model load per run)."""
    return CliRunner().invoke(app, ["validate", *map(str, args)])


def findings(output: str) -> list[dict[str, object]]:
    return json.loads(output)["findings"]


def junit_cases(output: str) -> dict[str, ET.Element]:
    """The JUnit report's test cases by the object's IRI (or name, for a blank node)."""
    root = ET.fromstring(output)
    cases = {}
    for case in root.iter("testcase"):
        name = case.get("name", "")
        iri = name.rsplit("<", 1)[-1].rstrip(">") if name.endswith(">") else name
        cases[iri] = case
    return cases


def minimal_with(tmp_path: Path, old: str, new: str, extra: str = "") -> Path:
    text = MINIMAL.read_text(encoding="utf-8")
    assert old in text, f"the minimal registry changed: {old!r}"
    path = tmp_path / "register.ttl"
    path.write_text(text.replace(old, new, 1) + extra, encoding="utf-8")
    return path


# -- 1. the registry's own subclasses -------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_objects_of_an_own_subclass_are_test_cases_of_the_model_class(
    tmp_path: Path, engine: str
) -> None:
    """docs/datamodel.md allows a registry its own subclasses; the shapes target their
    objects through rdfs:subClassOf (two steps here), so JUnit lists them, passing or
    failing, as Afdeling, and the text heading names the type."""
    path = tmp_path / "afdelingen.ttl"
    path.write_text(
        HEAD
        + """gem:Team rdfs:subClassOf gem:Groep . gem:Groep rdfs:subClassOf org:OrganizationalUnit .
<https://krb.voorbeeld.nl/id/afdeling/milieu> a org:OrganizationalUnit ;
    rdfs:label "Afdeling Milieu"@nl ; dct:identifier "milieu" .
<https://krb.voorbeeld.nl/id/afdeling/team-geluid> a gem:Team ;
    rdfs:label "Team Geluid"@nl ; dct:identifier "team-geluid" .
<https://krb.voorbeeld.nl/id/afdeling/team-lucht> a gem:Team ;
    rdfs:label "Team Lucht"@nl .
""",
        encoding="utf-8",
    )
    junit = run(path, "-f", "junit", "--engine", engine)
    assert junit.exit_code == 1, junit.output
    cases = junit_cases(junit.stdout)
    assert set(cases) == {AFDELING + name for name in ("milieu", "team-geluid", "team-lucht")}
    assert {case.get("classname") for case in cases.values()} == {"krb.Afdeling"}
    assert cases[AFDELING + "team-geluid"].find("failure") is None
    assert cases[AFDELING + "team-lucht"].find("failure") is not None
    text = run(path, "--engine", engine)
    assert text.stdout.startswith(f"Afdeling 'Team Lucht'  <{AFDELING}team-lucht>")


# -- 2. objects without an IRI ------------------------------------------------------------


def test_an_object_without_iri_is_named_by_its_label_the_same_every_run(tmp_path: Path) -> None:
    """The default engine named it by the copy's random blank node id ("Department
    'cdbaf131…' must have an IRI …"), another every run, so a CI system saw a new
    failure text each time. Its nodeKind and pattern results both say so: two
    constraint components, two results, as SHACL prescribes."""
    path = tmp_path / "afdeling.ttl"
    path.write_text(
        HEAD + '[] a org:OrganizationalUnit ; rdfs:label "Afdeling Zonder IRI"@nl ;\n'
        '    dct:identifier "zonder" .\n',
        encoding="utf-8",
    )
    found = findings(run(path, "-f", "json").stdout)
    assert [f["focus_label"] for f in found] == ["Afdeling Zonder IRI"] * 2
    assert {f["message_en"] for f in found} == {
        "Department 'Afdeling Zonder IRI' must have an IRI of the form {base}/id/afdeling/{code}."
    }
    assert {f["focus_type"] for f in found} == {"Afdeling"}
    first, second = (run(path, "-f", "junit").stdout for _ in range(2))
    assert first == second
    (case,) = junit_cases(first).values()
    assert case.get("name") == "Afdeling Zonder IRI (blank node)"


# -- 3. literals outside their datatype's lexical space ------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_decimal_outside_the_lexical_space_is_a_violation_in_both_engines(
    tmp_path: Path, engine: str
) -> None:
    """An xsd:decimal is digits with an optional sign and point (XSD 1.1), never "NaN".
    Python's Decimal reads it, so rdflib called it well-typed and pySHACL passed it."""
    path = minimal_with(
        tmp_path, "qudt:numericValue 48.0 ;", 'qudt:numericValue "NaN"^^xsd:decimal ;'
    )
    result = run(path, "-f", "json", "--engine", engine)
    assert result.exit_code == 1, result.output
    assert [(f["severity"], f["focus"], f["value"]) for f in findings(result.stdout)] == [
        ("Violation", "https://krb.example.org/id/beleidsnorm/GEL-N01", "NaN")
    ]


@pytest.mark.parametrize(
    "engine",
    [
        "sparql",
        "pyshacl",
    ],
)
def test_white_space_around_a_decimal_is_a_violation(tmp_path: Path, engine: str) -> None:
    """RDF 1.1 takes the lexical form as written and the lexical space of xsd:decimal
    has no white space; XSD's whiteSpace facet (collapse) is what an XML Schema
    processor does to element text before it looks, not part of the datatype."""
    path = minimal_with(
        tmp_path, "qudt:numericValue 48.0 ;", 'qudt:numericValue " 48"^^xsd:decimal ;'
    )
    result = run(path, "-f", "json", "--engine", engine)
    assert [(f["severity"], f["value"]) for f in findings(result.stdout)] == [("Violation", " 48")]


def test_the_reference_run_takes_a_literal_outside_the_lexical_space_as_ill_typed() -> None:
    """A graph whose literals rdflib did not normalise (made with normalize=False, as a
    store gives them back) keeps " 9"; pySHACL passed it as Decimal(" 9") reads."""
    ex = Namespace("http://example.org/ns#")
    data = Graph()
    data.add((ex.n, ex.v, Literal(" 9", datatype=DECIMAL, normalize=False)))
    data.add((ex.n, ex.w, Literal("9", datatype=DECIMAL)))
    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix ex: <http://example.org/ns#> .
        ex:S a sh:NodeShape ; sh:targetNode ex:n ;
            sh:property [ sh:path ex:v ; sh:datatype xsd:decimal ] ,
                [ sh:path ex:w ; sh:datatype xsd:decimal ] .""",
        format="turtle",
    )
    report, node = pyshacl_report(data, shapes)
    results = [
        (report.value(r, SH.resultPath), str(report.value(r, SH.value)))
        for r in report.objects(node, SH.result)
    ]
    assert results == [(ex.v, " 9")]
    assert set(data.objects(ex.n, ex.v)) == {Literal(" 9", datatype=DECIMAL, normalize=False)}


@pytest.mark.parametrize(
    "engine",
    [
        "sparql",
        pytest.param("pyshacl", marks=pytest.mark.xfail(strict=True, reason=LATER_THAN_ENTRY)),
    ],
)
def test_an_ill_typed_start_date_is_not_compared_with_the_documents_life(
    tmp_path: Path, engine: str
) -> None:
    """A start date "2024-1-1" is no xsd:date: krbsh:geldigheidsperiode reports it, and
    SPARQL cannot compare it with the document's dates (a type error), so
    krbsh:GeldigheidBinnenDocument says nothing about it."""
    path = minimal_with(
        tmp_path,
        'dcat:startDate "2024-01-01"^^xsd:date ; dcat:endDate',
        'dcat:startDate "2024-1-1"^^xsd:date ; dcat:endDate',
        '<besluitdocument/GEL-2030> eli:first_date_entry_in_force "2024-01-01"^^xsd:date ;'
        ' eli:date_no_longer_in_force "2030-12-31"^^xsd:date .\n',
    )
    result = run(path, "-f", "json", "--engine", engine)
    assert [
        (f["severity"], str(f["shape"]).rsplit("#", 1)[-1]) for f in findings(result.stdout)
    ] == [("Violation", "geldigheidsperiode")]


# -- 4. files and lines -------------------------------------------------------------------


@pytest.fixture
def turtle_and_json_ld(tmp_path: Path) -> Path:
    """A passing department in Turtle (line 5), a failing one (no code) in JSON-LD."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.ttl").write_text(
        HEAD
        + """<https://krb.voorbeeld.nl/id/afdeling/milieu> a org:OrganizationalUnit ;
    rdfs:label "Afdeling Milieu"@nl ; dct:identifier "milieu" .
""",
        encoding="utf-8",
    )
    (folder / "b.jsonld").write_text(
        json.dumps(
            [
                {
                    "@id": AFDELING + "lucht",
                    "@type": ["http://www.w3.org/ns/org#OrganizationalUnit"],
                    "http://www.w3.org/2000/01/rdf-schema#label": [
                        {"@value": "Afdeling Lucht", "@language": "nl"}
                    ],
                }
            ]
        ),
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize("engine", ENGINES)
def test_an_object_in_a_json_ld_file_gets_its_file_from_either_engine(
    turtle_and_json_ld: Path, engine: str
) -> None:
    """pySHACL's findings were looked up in the files' text only, which a JSON-LD file
    has no lines of: neither file nor line. Like the default engine: the file."""
    where = str(turtle_and_json_ld / "b.jsonld")
    found = findings(run(turtle_and_json_ld, "-f", "json", "--engine", engine).stdout)
    assert {(f["focus"], f["where"]) for f in found} == {(AFDELING + "lucht", where)}
    case = junit_cases(run(turtle_and_json_ld, "-f", "junit", "--engine", engine).stdout)[
        AFDELING + "lucht"
    ]
    assert (case.get("file"), case.get("line")) == (where, None)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_passing_test_case_has_its_file_and_line(turtle_and_json_ld: Path, engine: str) -> None:
    """README: "one test case per checked object, with its file and line"."""
    case = junit_cases(run(turtle_and_json_ld, "-f", "junit", "--engine", engine).stdout)[
        AFDELING + "milieu"
    ]
    assert case.find("failure") is None
    assert (case.get("file"), case.get("line")) == (str(turtle_and_json_ld / "a.ttl"), "5")


@pytest.mark.parametrize("engine", ENGINES)
def test_each_result_of_a_turtle_report_carries_its_own_message(
    tmp_path: Path, engine: str
) -> None:
    """Two missing properties of one norm (no value, unnamed property shapes): both
    results of the default engine's Turtle report said the indicator was missing."""
    path = minimal_with(
        tmp_path,
        "krb:indicator <beleidsindicator/GEL-I01> ; krb:document <besluitdocument/GEL-2030> ;",
        "",
    )
    report = Graph().parse(data=run(path, "-f", "turtle", "--engine", engine).stdout)
    said = {
        str(report.value(result, SH.resultPath)).rsplit("#", 1)[-1]: str(message)
        for result in report.objects(None, SH.result)
        for message in report.objects(result, SH.resultMessage)
        if message.language == "en"
    }
    assert {"indicator", "document"} <= set(said)
    assert "indicator" in said["indicator"] and "document" in said["document"]
    assert "document" not in said["indicator"] and "indicator" not in said["document"]
