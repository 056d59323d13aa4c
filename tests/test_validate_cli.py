"""`krb validate`: exit codes, and each report format as its reader sees it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.findings import Finding
from krbgraph.model import project_root
from krbgraph.nesting_check import NESTING_CHECK

DATA = Path(__file__).parent / "data" / "shapes"
NORM = "Geluidsdruk gevel maximaal 48 dB(A)"

# Appended to the minimal registry (whose @base makes <beleidsnorm/..> absolute):
# a second operator from the wrong list breaks the norm twice (count and list).
VIOLATIONS = "\n<beleidsnorm/GEL-N01> krb:operator <https://data.krb.nl/id/begrip/sector/alle> .\n"
# An indicator no norm or rule uses: complete policy is only a warning.
WARNING = """
<beleidsindicator/LOS> a krb:Beleidsindicator ; rdfs:label "Losse indicator"@nl ;
    dct:identifier "LOS" ; krb:beleidsthema <beleidsthema/geluid> ;
    krb:indicatorsoort <https://data.krb.nl/id/begrip/indicatorsoort/systeemindicator> .
"""


def registry(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "register.ttl"
    path.write_text((DATA / "minimal.ttl").read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def run(*args: str | Path):
    return CliRunner().invoke(app, ["validate", *map(str, args)])


@pytest.fixture(scope="module")
def variant_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The variants of tests/test_shacl_engine_differential.py (each breaks one rule of
    the shapes, or none), renamed to sit side by side in one registry: as Turtle, and as
    TriG, its triples in the default graph (a named graph is refused, as `krb load`
    refuses it). Built once per module (about half of what the
    two tests that read them took); the tests only read the files."""
    import test_shacl_engine_differential as differential

    merged = Graph()
    for index, (_, graph) in enumerate(differential.variants()):
        merged += differential.renamed(graph, f"v{index}")
    folder = tmp_path_factory.mktemp("varianten")
    turtle, trig = folder / "varianten.ttl", folder / "varianten.trig"
    merged.serialize(turtle, format="turtle")
    trig.write_text(f"{{\n{merged.serialize(format='nt')}}}\n")
    return turtle, trig


def test_the_demo_registry_passes_with_exit_0() -> None:
    result = run(project_root() / "examples" / "demo")
    assert result.exit_code == 0, result.output
    assert "voldoet / conforms: 0 overtreding(en)" in result.output


def test_violations_exit_1_with_findings_grouped_per_object(tmp_path: Path) -> None:
    result = run(registry(tmp_path, VIOLATIONS + WARNING))
    assert result.exit_code == 1
    out = result.stdout
    assert "\x1b[" not in out  # no colour codes when not writing to a terminal
    norm_heading = f"Beleidsnorm '{NORM}'  <https://krb.example.org/id/beleidsnorm/GEL-N01>"
    indicator_heading = "Beleidsindicator 'Losse indicator'"
    assert norm_heading in out and indicator_heading in out
    norm_block = out[out.index(norm_heading) : out.index(indicator_heading)]
    assert norm_block.count("Violation (overtreding)  krb:operator") == 2
    assert "= begrip:sector/alle" in norm_block
    assert f"nl: Beleidsnorm '{NORM}' moet precies één operator" in norm_block
    assert f"en: Policy norm '{NORM}' must have exactly one operator" in norm_block
    assert out.rstrip().endswith(
        "voldoet niet / does not conform: 2 overtreding(en) / violation(s), "
        "1 waarschuwing(en) / warning(s), 0 info in 2 object(en) / object(s)"
    )


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    path = registry(tmp_path, WARNING)
    lenient = run(path)
    assert lenient.exit_code == 0
    assert "Warning (waarschuwing)" in lenient.stdout
    assert run(path, "--strict").exit_code == 1


def test_unreadable_turtle_exits_2_naming_file_line_and_column() -> None:
    result = run(DATA / "broken.ttl")
    assert result.exit_code == 2
    assert f"{DATA / 'broken.ttl'}:6:1: A dot is expected" in result.stderr
    assert result.stdout == ""


def test_json_lists_findings_and_counts(tmp_path: Path) -> None:
    result = run(registry(tmp_path, VIOLATIONS + WARNING), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["counts"] == {"Violation": 2, "Warning": 1, "Info": 0}
    first = report["findings"][0]
    assert first["focus"] == "https://krb.example.org/id/beleidsnorm/GEL-N01"
    assert first["focus_label"] == NORM and first["focus_type"] == "Beleidsnorm"
    assert first["path"] == "https://data.krb.nl/def/krb#operator"
    assert NORM in first["message_nl"] and NORM in first["message_en"]


def test_turtle_is_the_shacl_report_with_messages_in_both_languages(tmp_path: Path) -> None:
    result = run(registry(tmp_path, VIOLATIONS), "--format", "turtle")
    assert result.exit_code == 1
    report = Graph().parse(data=result.stdout, format="turtle")
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    assert report.value(node, SH.conforms) == Literal(False)
    results = list(report.objects(node, SH.result))
    assert len(results) == 2
    for r in results:
        assert sorted(m.language for m in report.objects(r, SH.resultMessage)) == ["en", "nl"]
        assert all(NORM in m for m in report.objects(r, SH.resultMessage))


@pytest.mark.parametrize(("strict", "failures"), [(False, 2), (True, 3)])
def test_junit_has_a_testcase_per_object_and_a_failure_per_violation(
    tmp_path: Path, strict: bool, failures: int
) -> None:
    args = ["--format", "junit", *(["--strict"] if strict else [])]
    result = run(registry(tmp_path, VIOLATIONS + WARNING), *args)
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    cases = root.findall(".//testcase")
    assert len(root.findall(".//failure")) == failures == int(root.get("failures"))
    # Every checked object is a test case, the ones without findings pass.
    assert len(cases) == 21
    norm = next(c for c in cases if c.get("name").startswith(NORM))
    assert len(norm.findall("failure")) == 2
    loose = next(c for c in cases if c.get("name").startswith("Losse indicator"))
    assert (loose.find("failure") is not None) == strict
    assert (loose.find("system-out") is not None) != strict


def test_output_file_gets_the_report_and_stdout_the_summary(tmp_path: Path) -> None:
    target = tmp_path / "rapport.json"
    result = run(registry(tmp_path, VIOLATIONS), "--format", "json", "--output", target)
    assert result.exit_code == 1
    assert json.loads(target.read_text(encoding="utf-8"))["counts"]["Violation"] == 2
    assert result.stdout.startswith("voldoet niet / does not conform: 2 overtreding(en)")


def test_both_engines_report_the_same_findings(tmp_path: Path) -> None:
    """--engine pyshacl (the reference) and the default compiled engine agree finding by
    finding, messages included, so switching engines never changes what a user is told."""
    path = registry(tmp_path, VIOLATIONS + WARNING)
    reports = {}
    for engine in ("sparql", "pyshacl"):
        result = CliRunner().invoke(
            app, ["validate", "--engine", engine, "--format", "json", str(path)]
        )
        assert result.exit_code == 1, result.output
        reports[engine] = json.loads(result.stdout)["findings"]
    assert len(reports["sparql"]) == 3
    assert reports["sparql"] == reports["pyshacl"]


def test_an_unknown_engine_is_refused_with_the_choices(tmp_path: Path) -> None:
    result = run("--engine", "fast", registry(tmp_path, ""))
    assert result.exit_code == 2
    assert "sparql" in result.output and "pyshacl" in result.output


def test_krb_validate_finds_what_the_graph_validation_finds_for_every_broken_rule(
    variant_files: tuple[Path, Path],
) -> None:
    """`krb validate` reads the files as a validated load does (pyoxigraph, in memory);
    for the variants that break each rule of the shapes once, it finds exactly the
    findings of validate_graph on the same data (object, path, shape, severity), and
    a TriG file's triples count as its data."""
    from krbgraph.loading import validate_paths
    from krbgraph.rdfio import read_rdf_paths
    from krbgraph.validation import validate_graph

    turtle, trig = variant_files

    def key(finding: object) -> tuple[object, ...]:
        return tuple(getattr(finding, name) for name in ("severity", "focus", "path", "shape"))

    def shapes_and_checks(findings: Iterable[Finding]) -> list[Finding]:
        # The variants are 120 copies of one registry with the same geometries, so every
        # area lies in over a hundred areas: `krb validate` derives where areas lie and
        # refuses that (krbgraph.nesting_check, tests/test_area_nesting.py); the graph
        # validation derives nothing.
        return [f for f in findings if f.shape != str(NESTING_CHECK)]

    graph_result = validate_graph(read_rdf_paths([turtle]))
    expected = graph_result.findings
    assert len(expected) > 100
    for path in (turtle, trig):
        found = shapes_and_checks(validate_paths([path]).findings)
        assert len(found) == len(expected)
        assert {key(f) for f in found} == {key(f) for f in expected}


def test_the_turtle_report_of_a_whole_registry_is_the_report_graph_of_a_graph_validation(
    tmp_path: Path, variant_files: tuple[Path, Path]
) -> None:
    """`krb validate --format turtle` writes the report's triples without building a
    graph; read back, its results are those of the report graph validate_graph builds
    (every field, paths by their SPARQL form, messages with the names filled in), and
    those of the geometry and unit checks are among them."""
    import test_spatial_validation as spatial

    from krbgraph.loading import validate_paths
    from krbgraph.rdfio import read_rdf_paths
    from krbgraph.reports import turtle_report
    from krbgraph.shacl.paths import read_path
    from krbgraph.validation import validate_graph

    file, area = variant_files[0], tmp_path / "grensbuurt.ttl"
    area.write_text(spatial.registry_text(spatial.GEMEENTE_GEOMETRY + spatial.GRENSBUURT))

    def results(report: Graph) -> list[tuple[object, ...]]:
        """Each result's fields; blank nodes (property shapes) as "_": their ids are
        the parser's own."""
        [node] = report.subjects(RDF.type, SH.ValidationReport)
        found = []
        for r in report.objects(node, SH.result):
            path = report.value(r, SH.resultPath)
            fields = [
                report.value(r, SH.focusNode),
                None if path is None else read_path(report, path).sparql(),
                report.value(r, SH.value),
                report.value(r, SH.sourceConstraintComponent),
                report.value(r, SH.sourceShape),
                report.value(r, SH.resultSeverity),
            ]
            fields = ["_" if isinstance(f, BNode) else f for f in fields]
            found.append((*fields, frozenset(report.objects(r, SH.resultMessage))))
        return sorted(found, key=repr)

    expected = validate_graph(read_rdf_paths([file, area]))
    validated = validate_paths([file, area])
    written = Graph().parse(data=turtle_report(validated), format="turtle")
    # Beside those: the areas of the 120 copies lie in too many areas (see above).
    nesting = [r for r in results(written) if r[4] == NESTING_CHECK]
    assert len(nesting) == sum(f.shape == str(NESTING_CHECK) for f in validated.findings) > 0
    assert [r for r in results(written) if r[4] != NESTING_CHECK] == results(expected.report)
    [node] = written.subjects(RDF.type, SH.ValidationReport)
    assert written.value(node, SH.conforms) == Literal(expected.conforms)
    components = {fields[3] for fields in results(written)}
    assert len(components) > 10
    assert any(not str(c).startswith(str(SH)) for c in components)  # the checks beside SHACL


def test_a_folder_without_rdf_files_fails_as_load_does(tmp_path: Path) -> None:
    """A CI job pointed at the wrong folder (or one whose files have a suffix krbgraph
    does not read) must not pass: nothing validated is no verdict."""
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "beleid.turtle").write_text("this is not read at all", encoding="utf-8")
    result = run(folder)
    assert result.exit_code == 2
    assert "no RDF files found" in result.stderr
    assert str(folder) in result.stderr
