"""`krb validate` as a CI job runs it: the demo registry copied and changed the way users'
data goes wrong, then the real command, judged by what CI reads (exit code, a report
its parser reads, the finding in it).

Both engines run the same checks and say the same; unreadable input is exit 2 with the
file and line, never a traceback; a report written into the folder it validates is not
read back as data by the next run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sparql_parse_cache import sparql_parsed_once_fixture
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.model import project_root
from krbgraph.nesting_check import NESTING_CHECK

DEMO = project_root() / "examples" / "demo"
NORM = "Geluidsdruk gevel maximaal 48 dB(A)"
ENGINES = ("sparql", "pyshacl")

sparql_parsed_once = sparql_parsed_once_fixture()
"""In this process, pySHACL's SHACL-SPARQL constraints parsed once, not once per focus
node and run: the same reports, in a fraction of the time (sparql_parse_cache). The
runs of `krb` in a process of its own (run_krb) parse as always."""


def demo_copy(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in DEMO.glob("*.ttl"):
        shutil.copy(path, folder / path.name)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the demo changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(*args: str | Path):
    """`krb validate` in this process: the same command, exit code and output as the
    installed script's, without a Python start and a model load per run (seconds each).
    Tests that judge what reaches stderr in a CI log use run_krb."""
    return CliRunner().invoke(app, ["validate", *map(str, args)])


def run_krb(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The installed `krb`, in a process of its own: what reaches its stderr is what a CI
    log shows (in-process, pytest's own log handlers would take rdflib's warnings)."""
    script = Path(sys.executable).with_name("krb")
    return subprocess.run(
        [str(script), "validate", *map(str, args)], capture_output=True, text=True, timeout=300
    )


def findings(output: str) -> list[dict[str, object]]:
    return json.loads(output)["findings"]


def test_pyshacl_engine_reports_areas_nested_too_deep_as_the_default_engine_does(
    tmp_path: Path,
) -> None:
    """A chain of 110 areas, each krb:ligtIn the next: more than 100 enclosing areas is a
    Violation (krbgraph.nesting_check) whichever engine checks the shapes."""
    folder = demo_copy(tmp_path / "data")
    lines = [
        "@prefix krb: <https://data.krb.nl/def/krb#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix wg: <https://krb.demogemeente.nl/id/werkingsgebied/> .",
    ]
    for i in range(110):
        up = f"wg:K{i + 1}" if i < 109 else "wg:GM9999"
        lines.append(
            f'wg:K{i} a krb:Werkingsgebied ; rdfs:label "Keten {i}"@nl ; dct:identifier "K{i}" ;'
            " krb:gebiedssoort <https://data.krb.nl/id/begrip/gebiedssoort/buurt> ;"
            f" krb:ligtIn {up} ."
        )
    (folder / "keten.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    reports = {}
    for engine in ENGINES:
        result = run(folder, "--engine", engine, "--format", "json")
        assert result.exit_code == 1, (engine, result.output)
        reports[engine] = findings(result.stdout)
        nested = [f for f in reports[engine] if f["shape"] == str(NESTING_CHECK)]
        assert len(nested) == 12, engine  # K0..K11 lie in more than 100 areas
        assert all(f["severity"] == "Violation" for f in nested)
    assert reports["pyshacl"] == reports["sparql"]


def test_messages_name_a_value_by_its_label_in_both_engines(tmp_path: Path) -> None:
    """{?value} in a SHACL-SPARQL message is the value's name ('Geluid 2030', 'national
    government'), never its IRI, with the default engine as with pySHACL."""
    folder = demo_copy(tmp_path / "data")
    geluid = folder / "geluid.ttl"
    edit(
        geluid,
        "    krb:bestuurslaag bestuurslaag:gemeente .\n\n# Expired",
        "    krb:bestuurslaag bestuurslaag:rijk .\n\n# Expired",
    )
    edit(
        geluid,
        'dcat:startDate "2024-01-01"^^xsd:date ;\n        dcat:endDate "2030-12-31"',
        'dcat:startDate "2023-01-01"^^xsd:date ;\n        dcat:endDate "2030-12-31"',
    )
    reports = {}
    for engine in ENGINES:
        result = run(folder, "--engine", engine, "--format", "json")
        assert result.exit_code == 0, (engine, result.output)  # warnings only
        reports[engine] = findings(result.stdout)
        messages = {f["shape"].rsplit("#", 1)[-1]: f["message_en"] for f in reports[engine]}
        level = messages["BestuurslaagVanDocument"]
        assert "level of government national government (krb:bestuurslaag)" in level
        period = messages["GeldigheidBinnenDocument"]
        assert "its decision document 'Geluid 2030'" in period
        assert not any("https://" in f["message_en"] for f in reports[engine])
        assert not any("https://" in f["message_nl"] for f in reports[engine])
    assert reports["sparql"] == reports["pyshacl"]


def test_junit_is_xml_when_a_label_holds_a_control_character(tmp_path: Path) -> None:
    """A vertical tab (Word's manual line break) is legal in RDF and forbidden in XML 1.0:
    the JUnit report writes it out as U+000B and stays readable."""
    folder = demo_copy(tmp_path / "data")
    edit(
        folder / "geluid.ttl",
        f'rdfs:label "{NORM}"@nl ;',
        'rdfs:label "Geluidsdruk gevel\\u000Bmaximaal 48 dB(A)"@nl ;',
    )
    report = tmp_path / "shacl.xml"
    result = run(folder, "--format", "junit", "--output", report)
    assert result.exit_code == 0, result.output
    root = ET.parse(report).getroot()
    names = [case.get("name") for case in root.iter("testcase")]
    assert any(name.startswith("Geluidsdruk gevelU+000Bmaximaal 48 dB(A)") for name in names)


@pytest.mark.parametrize("engine", ENGINES)
def test_junit_lists_an_object_without_iri_once_under_the_same_name_every_run(
    tmp_path: Path, engine: str
) -> None:
    """A norm written as a JSON-LD object without @id (a blank node) is one failing test
    case, counted once, named alike in every run (CI compares runs by test case name)."""
    folder = demo_copy(tmp_path / "data")
    (folder / "extra.jsonld").write_text(
        json.dumps(
            {
                "@context": {
                    "krb": "https://data.krb.nl/def/krb#",
                    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                },
                "@type": "krb:Beleidsnorm",
                "rdfs:label": {"@value": "Norm zonder id", "@language": "nl"},
            }
        ),
        encoding="utf-8",
    )
    runs = []
    for _ in range(2):
        result = run(folder, "--engine", engine, "--format", "junit")
        assert result.exit_code == 1, result.output
        root = ET.fromstring(result.stdout)
        cases = root.findall(".//testcase")
        assert int(root.get("tests")) == len(cases)
        [suite] = root.findall("testsuite")
        assert int(suite.get("tests")) == len(cases)
        ours = [c for c in cases if "Norm zonder id" in c.get("name")]
        assert len(ours) == 1, [c.get("name") for c in ours]
        assert ours[0].get("classname") == "krb.Beleidsnorm"
        assert ours[0].findall("failure")
        runs.append(sorted(c.get("name") for c in cases))
    assert runs[0] == runs[1]


def test_a_term_over_16_mib_is_unreadable_input_naming_file_and_line(tmp_path: Path) -> None:
    """pyoxigraph's parser refuses one term over 16 MiB (a detailed WKT boundary): exit 2
    (unreadable input) with the file and line, not a traceback and exit 1."""
    folder = demo_copy(tmp_path / "data")
    huge = folder / "groot.ttl"
    huge.write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<https://krb.demogemeente.nl/id/x> rdfs:comment "{"x" * (17 << 20)}" .\n',
        encoding="utf-8",
    )
    for engine in ENGINES:
        result = run(folder, "--engine", engine)
        assert result.exit_code == 2, (engine, result.output[-500:])
        assert f"{huge}:2: " in result.stderr
        assert "16 MiB" in result.stderr
        assert result.stdout == ""


def test_an_ill_typed_date_is_a_violation_in_both_engines_without_a_traceback(
    tmp_path: Path,
) -> None:
    """ "2000-99-01"^^xsd:date as the last day in force: a report with the Violation from
    either engine (pySHACL died of a TypeError), and no rdflib traceback on stderr."""
    folder = demo_copy(tmp_path / "data")
    edit(
        folder / "geluid.ttl",
        '    eli:first_date_entry_in_force "2024-01-01"^^xsd:date ;\n',
        '    eli:first_date_entry_in_force "2024-01-01"^^xsd:date ;\n'
        '    eli:date_no_longer_in_force "2000-99-01"^^xsd:date ;\n',
    )
    reports = {}
    for engine in ENGINES:
        done = run_krb(folder, "--engine", engine, "--format", "json")
        assert done.returncode == 1, (engine, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, (engine, done.stderr[-2000:])
        reports[engine] = findings(done.stdout)
        ill_typed = [
            f
            for f in reports[engine]
            if f["value"] == "2000-99-01" and str(f["path"]).endswith("#date_no_longer_in_force")
        ]
        assert ill_typed and ill_typed[0]["severity"] == "Violation", engine
    assert reports["pyshacl"] == reports["sparql"]


@pytest.mark.parametrize(
    ("report_format", "name"), [("junit", "shacl.xml"), ("json", "report.json")]
)
def test_a_report_written_into_the_folder_it_validates_is_not_read_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report_format: str, name: str
) -> None:
    """CI validating its checkout writes the report into it (`krb validate . --output
    shacl.xml`); the next run in that workspace validates the data, not the report."""
    demo_copy(tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        result = run(".", "--format", report_format, "--output", name)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("voldoet / conforms")
    if report_format == "junit":
        assert ET.parse(tmp_path / name).getroot().get("failures") == "0"
    else:
        assert json.loads((tmp_path / name).read_text(encoding="utf-8"))["conforms"] is True


def test_an_ill_typed_code_is_a_violation_in_both_engines(tmp_path: Path) -> None:
    """ "GEL-N01"^^xsd:integer as a norm's code (a spreadsheet converter typed it): the
    stand-in pySHACL got for an ill-typed value was a plain string, which passes the
    code's sh:datatype xsd:string, so the reference engine passed what a load refuses."""
    folder = demo_copy(tmp_path / "data")
    edit(
        folder / "geluid.ttl",
        'dct:identifier "GEL-N01" ;',
        'dct:identifier "GEL-N01"^^xsd:integer ;',
    )
    reports = {}
    for engine in ENGINES:
        done = run(folder, "--engine", engine, "--format", "json")
        assert done.exit_code == 1, (engine, done.output[-2000:])
        assert not isinstance(done.exception, Exception), (engine, done.exception)  # no crash
        reports[engine] = findings(done.stdout)
        code = [f for f in reports[engine] if str(f["path"]).endswith("/identifier")]
        assert code and code[0]["value"] == "GEL-N01", (engine, reports[engine])
    assert reports["pyshacl"] == reports["sparql"]


def test_ill_typed_values_where_text_is_required_are_violations_in_both_engines(
    tmp_path: Path,
) -> None:
    """ "abc"^^xsd:date as a norm's name (sh:datatype rdf:langString) and "2024-13-01"^^xsd:date
    as its method (sh:or of xsd:string and rdf:langString): the reference engine's stand-in
    for an ill-typed value was a language-tagged text, which passes both, so it said the
    registry conforms."""
    folder = demo_copy(tmp_path / "data")
    (folder / "zz-ill-typed.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix krb: <https://data.krb.nl/def/krb#> .\n"
        '<https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01> rdfs:label "abc"^^xsd:date .\n'
        "<https://krb.demogemeente.nl/id/beleidsnorm/GEL-N02> "
        'krb:rekenmethode "2024-13-01"^^xsd:date .\n',
        encoding="utf-8",
    )
    reports = {}
    for engine in ENGINES:
        done = run(folder, "--engine", engine, "--format", "json")
        assert done.exit_code == 1, (engine, done.output[-2000:])
        assert not isinstance(done.exception, Exception), (engine, done.exception)  # no crash
        reports[engine] = findings(done.stdout)
        values = {f["value"] for f in reports[engine] if f["severity"] == "Violation"}
        assert {"abc", "2024-13-01"} <= values, (engine, reports[engine])
    assert reports["pyshacl"] == reports["sparql"]


def test_two_ill_typed_descriptions_break_no_rule_of_one_per_language(tmp_path: Path) -> None:
    """Neither has a language tag, so sh:uniqueLang has nothing to say: the reference
    engine's stand-ins shared one private tag and it reported a second description."""
    folder = demo_copy(tmp_path / "data")
    (folder / "zz-ill-typed.ttl").write_text(
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://krb.demogemeente.nl/id/beleidsindicator/GEL-I01> "
        'dct:description "abc"^^xsd:date , "2024-13-01"^^xsd:date .\n',
        encoding="utf-8",
    )
    for engine in ENGINES:
        done = run(folder, "--engine", engine, "--format", "json")
        assert done.exit_code == 0, (engine, done.stdout[-2000:], done.stderr[-2000:])
        assert done.exception is None, (engine, done.exception)
