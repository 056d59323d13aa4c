"""Findings say where their object is written: file and line (krbgraph.source_lines).

A registry of many files is written to disk here; each object breaks the shapes (a
norm with only a label), and the report must name the file, and the line where the
object's description starts, read back from the file itself.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from model_store import model_template_fixture
from rdflib import Graph
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.findings import Finding
from krbgraph.loading import validate_paths
from krbgraph.reports import json_report, junit_report, plain_report
from krbgraph.source_lines import Place, statement_lines
from krbgraph.validation import ValidationResult

ID = "https://krb.example.org/id/beleidsnorm/"
KRB = "https://data.krb.nl/def/krb#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

A_TTL = f"""# Norms A and C, and the first part of B.
@prefix krb: <{KRB}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix norm: <{ID}> .

norm:A a krb:Beleidsnorm ;
    rdfs:label "Norm A"@nl ;
    rdfs:comment \"\"\"Says something about
norm:C a krb:Beleidsnorm .
which is text, not a statement.\"\"\" ;
    rdfs:seeAlso
        norm:C .

<{ID}B> a krb:Beleidsnorm ;
    rdfs:label "Norm B"@nl .

norm:C
    a krb:Beleidsnorm ; rdfs:label "Norm C"@nl .
"""
B_TTL = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
@base <https://krb.example.org/id/> .

# More about norm B, written relative to the base.
<beleidsnorm/B> rdfs:comment "Described in two files."@nl .
"""
C_NT = (
    f'<https://krb.example.org/id/beleidsthema/T> <{LABEL}> "Thema"@nl .\n'
    f"<{ID}D> <{TYPE}> <{KRB}Beleidsnorm> .\n"
    f'<{ID}D> <{LABEL}> "Norm D"@nl .\n'
)
D_JSONLD = json.dumps(
    {"@id": f"{ID}E", "@type": f"{KRB}Beleidsnorm", LABEL: {"@value": "Norm E", "@language": "nl"}}
)
model_template = model_template_fixture()

E_TTL = f"""@prefix krb: <{KRB}> .
[] a krb:Beleidsnorm ; <{LABEL}> "Blanco"@nl .
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("where") / "registry"
    (folder / "sub").mkdir(parents=True)
    files = {"a.ttl": A_TTL, "b.ttl": B_TTL, "sub/c.nt": C_NT, "d.jsonld": D_JSONLD}
    files["e.ttl"] = E_TTL
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def result(registry: Path) -> ValidationResult:
    return validate_paths([registry])


def written_line(place: Place) -> str:
    """The line of the file a place points at, as the user would open it."""
    assert place.line is not None
    return Path(place.path).read_text(encoding="utf-8").splitlines()[place.line - 1]


def line_number(text: str, line: str) -> int:
    return text.splitlines().index(line) + 1


def test_a_prefixed_subject_gets_its_file_and_the_line_its_description_starts(
    result: ValidationResult, registry: Path
) -> None:
    assert result.places[f"{ID}A"] == (Place(str(registry / "a.ttl"), 6),)
    assert written_line(result.places[f"{ID}A"][0]).startswith("norm:A a krb:Beleidsnorm")


def test_a_subject_in_a_long_string_or_as_an_object_is_not_where_it_starts(
    result: ValidationResult, registry: Path
) -> None:
    # norm:C opens a line inside a multi-line string and as an object before it is described.
    (place,) = result.places[f"{ID}C"]
    assert place == Place(str(registry / "a.ttl"), line_number(A_TTL, "norm:C"))
    assert written_line(place) == "norm:C"


def test_an_object_described_in_two_files_gets_both(
    result: ValidationResult, registry: Path
) -> None:
    # A full IRI in one file, an IRI relative to the @base of the other.
    first, second = result.places[f"{ID}B"]
    assert first == Place(
        str(registry / "a.ttl"), line_number(A_TTL, f"<{ID}B> a krb:Beleidsnorm ;")
    )
    assert second == Place(str(registry / "b.ttl"), 5)
    assert written_line(first).startswith(f"<{ID}B>")
    assert written_line(second).startswith("<beleidsnorm/B>")


def test_n_triples_lines(result: ValidationResult, registry: Path) -> None:
    (place,) = result.places[f"{ID}D"]
    assert place == Place(str(registry / "sub" / "c.nt"), 2)
    assert written_line(place).startswith(f"<{ID}D> ")


def test_json_ld_gets_its_file_without_a_line_and_a_blank_node_the_line_of_its_bracket(
    result: ValidationResult, registry: Path
) -> None:
    assert result.places[f"{ID}E"] == (Place(str(registry / "d.jsonld")),)
    blank = next(f.focus for f in result.findings if ":" not in f.focus)  # a blank node id
    assert result.places[blank] == (Place(str(registry / "e.ttl"), 2),)
    assert {f.focus for f in result.findings} == set(result.places)


def test_a_file_read_by_its_base_and_sparql_style_prefixes() -> None:
    """The registry's own layout (@base, relative IRIs), TriG graphs, comments."""
    path = Path(__file__).parent / "data" / "shapes" / "minimal.ttl"
    norm = "https://krb.example.org/id/beleidsnorm/GEL-N01"
    (line,) = statement_lines(path, {norm}).values()
    assert (
        path.read_text(encoding="utf-8")
        .splitlines()[line - 1]
        .startswith("<beleidsnorm/GEL-N01> a krb:Beleidsnorm")
    )


def test_graph_names_and_statements_that_do_not_start_a_line_get_no_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "graphs.trig"
    path.write_text(
        "PREFIX ex: <https://example.org/>\n"
        "ex:g {\n"  # 2: a graph name, not a subject
        "  ex:a ex:p ex:b . ex:b ex:p 1 .\n"  # 3: ex:b starts mid-line: no line
        "}\n"
        "<https://example.org/h>\n"  # 5: a graph name on a line of its own
        "{ ex:c ex:p 2 . }\n"
        "ex:d ex:p 'it\\'s # no comment' ,\n"
        "  ex:g .\n"  # 8: an object
        "ex:e ex:p 3 . # ex:g in a comment .\n"
        "  ex:g ex:p 4 .\n",  # 10: ex:g's own statement
        encoding="utf-8",
    )
    wanted = {f"https://example.org/{name}" for name in "abdgh"}
    found = statement_lines(path, wanted)
    assert found == {
        "https://example.org/a": 3,
        "https://example.org/d": 7,
        "https://example.org/g": 10,
    }


def test_reports_show_the_place_in_the_heading_json_and_junit() -> None:
    finding = Finding("Violation", f"{ID}X", "X", "Beleidsnorm", None, None, "nl", "en", None)
    places = {f"{ID}X": (Place("registry/geluid.ttl", 42), Place("registry/extra.ttl", 3))}
    result = ValidationResult(False, (finding,), Graph(), places)
    text = plain_report(result)
    assert f"Beleidsnorm 'X'  <{ID}X>  (registry/geluid.ttl:42, registry/extra.ttl:3)\n" in text
    assert json.loads(json_report(result))["findings"][0]["where"] == (
        "registry/geluid.ttl:42, registry/extra.ttl:3"
    )
    case = ET.fromstring(junit_report(result)).find(".//testcase")
    assert case is not None
    assert (case.get("file"), case.get("line")) == ("registry/geluid.ttl", "42")
    unknown = ValidationResult(False, (finding,), Graph())
    assert f"<{ID}X>\n" in plain_report(unknown)
    assert json.loads(json_report(unknown))["findings"][0]["where"] is None


def run_validate(registry: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.chdir(registry.parent)  # the user names the folder relatively
    outcome = CliRunner().invoke(app, ["validate", "registry", *args])
    assert outcome.exit_code == 1, outcome.output
    return outcome.stdout


def test_krb_validate_text_names_file_and_line_as_the_user_gave_them(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = run_validate(registry, monkeypatch)
    assert f"Beleidsnorm 'Norm A'  <{ID}A>  (registry/a.ttl:6)\n" in out
    assert f"<{ID}B>  (registry/a.ttl:14, registry/b.ttl:5)\n" in out
    assert f"<{ID}E>  (registry/d.jsonld)\n" in out


def test_krb_validate_json_and_junit_carry_it(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    findings = json.loads(run_validate(registry, monkeypatch, "--format", "json"))["findings"]
    assert {f["where"] for f in findings if f["focus"] == f"{ID}D"} == {"registry/sub/c.nt:2"}
    suite = ET.fromstring(run_validate(registry, monkeypatch, "--format", "junit"))
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    norm_a = cases[f"Norm A <{ID}A>"]
    assert (norm_a.get("file"), norm_a.get("line")) == ("registry/a.ttl", "6")
    norm_e = cases[f"Norm E <{ID}E>"]
    assert (norm_e.get("file"), norm_e.get("line")) == ("registry/d.jsonld", None)


def test_a_refused_krb_load_says_where_each_object_is_written(
    registry: Path, model_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = registry.parent / "store"
    shutil.copytree(model_template, store)
    monkeypatch.chdir(registry.parent)
    outcome = CliRunner().invoke(app, ["load", "registry", "--store", str(store)])
    assert outcome.exit_code == 1, outcome.output
    err = outcome.stderr
    assert f"Beleidsnorm 'Norm A'  <{ID}A>  (registry/a.ttl:6)\n" in err
    assert f"<{ID}B>  (registry/a.ttl:14, registry/b.ttl:5)\n" in err
    assert f"<{ID}D>  (registry/sub/c.nt:2)\n" in err
    assert "nothing was written" in err
