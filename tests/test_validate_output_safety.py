"""`krb validate --output` never overwrites data, and a file the shell made empty for the
report is no data either.

`krb validate data/ -f junit -o data/geluid.ttl` left the policy file out of the
validation ("does not conform": its objects were missing) and then replaced it by the
report: the data was gone. An output file that holds anything but a report of krb
validate is refused before anything is read (exit 2, nothing written); a report of an
earlier run there (CI run again) is replaced and not read as data.

`krb validate . -f json > report.json`: the shell creates the empty report.json before
krb runs; it was read as JSON-LD ("Unexpected end of file", exit 2) where the same empty
shacl.xml or report.ttl was a warning. An empty file of any syntax is now the warning.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.model import project_root

DEMO = project_root() / "examples" / "demo"
VALID = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://krb.voorbeeld.nl/id/afdeling/milieu> a <http://www.w3.org/ns/org#OrganizationalUnit> ;
    rdfs:label "Afdeling Milieu"@nl ; dct:identifier "milieu" .
"""
JSON_LD_DATA = json.dumps(
    {
        "@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
        "@id": "https://krb.voorbeeld.nl/id/afdeling/milieu",
        "rdfs:comment": "data, not a report",
    }
)
HOLDS_DATA = "holds data, not a report of krb validate"


def run(*args: str | Path):
    return CliRunner().invoke(app, ["validate", *map(str, args)])


def krb_validate(*args: str | Path, cwd: Path, stdout: Path) -> subprocess.CompletedProcess[str]:
    """The installed `krb validate ARGS > stdout`, as a shell runs it: the file exists,
    empty, before krb starts."""
    script = Path(sys.executable).with_name("krb")
    with stdout.open("w", encoding="utf-8") as out:
        return subprocess.run(
            [str(script), "validate", *map(str, args)],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )


def demo_copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for path in DEMO.glob("*.ttl"):
        shutil.copy(path, folder / path.name)
    return folder


def small_registry(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "afdeling.ttl").write_text(VALID, encoding="utf-8")
    return folder


def contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


# --- 1. A data file named as --output is refused, untouched -------------------------------


def test_output_naming_a_data_file_of_the_folder_validated_is_refused(tmp_path: Path) -> None:
    data = demo_copy(tmp_path / "data")
    before = contents(data)
    target = data / "geluid.ttl"
    result = run(data, "-f", "junit", "-o", target)
    assert result.exit_code == 2, result.output
    assert f"error: {target} " in result.stderr and HOLDS_DATA in result.stderr
    assert "would overwrite it" in result.stderr
    assert result.stdout == ""  # not validated: no summary, no "does not conform"
    assert contents(data) == before  # byte for byte, and no temporary file left


def test_output_naming_one_of_the_files_named_is_refused(tmp_path: Path) -> None:
    data = demo_copy(tmp_path / "data")
    before = contents(data)
    target = data / "thema.ttl"
    result = run(*sorted(data.glob("*.ttl")), "-f", "json", "-o", target)
    assert result.exit_code == 2, result.output
    assert str(target) in result.stderr and HOLDS_DATA in result.stderr
    assert contents(data) == before


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("elders.ttl", VALID),  # data outside the folder validated: still data
        ("rapport.json", JSON_LD_DATA),  # JSON-LD data under a report's name
        ("notities.txt", "not RDF, not a report\n"),
    ],
)
def test_any_file_that_is_no_report_is_refused_as_output(
    tmp_path: Path, name: str, text: str
) -> None:
    data = small_registry(tmp_path / "data")
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    for report_format in ("text", "json", "junit", "turtle"):
        result = run(data, "-f", report_format, "-o", target)
        assert result.exit_code == 2, (report_format, result.output)
        assert HOLDS_DATA in result.stderr
        assert target.read_text(encoding="utf-8") == text
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(["data", name])


def test_output_naming_a_folder_is_refused_before_validating(tmp_path: Path) -> None:
    data = small_registry(tmp_path / "data")
    result = run(data, "-f", "json", "-o", data)
    assert result.exit_code == 2, result.output
    assert "is a folder" in result.stderr
    assert result.stdout == ""


# --- 2. A report of an earlier run is replaced, never read ---------------------------------

FORMATS = ("json", "junit", "turtle", "text")


def is_format(path: Path, report_format: str) -> bool:
    text = path.read_text(encoding="utf-8")
    if report_format == "json":
        return json.loads(text)["conforms"] is True
    if report_format == "junit":
        return ET.fromstring(text.encode()).tag == "testsuites"
    if report_format == "turtle":
        return "sh:ValidationReport" in text or "ValidationReport>" in text
    return text.startswith("voldoet / conforms")


@pytest.mark.parametrize("earlier", FORMATS)
def test_an_earlier_report_at_the_output_is_replaced_and_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, earlier: str
) -> None:
    """A CI job run again writes its report where the last run wrote one, in the folder
    it validates, whatever the format was then; the report is not data either way."""
    small_registry(tmp_path / "data")
    monkeypatch.chdir(tmp_path / "data")
    name = {"json": "rapport.json", "junit": "shacl.xml", "turtle": "report.ttl"}.get(
        earlier, "rapport.txt"
    )
    first = run(".", "-f", earlier, "-o", name)
    assert first.exit_code == 0, first.output
    assert is_format(Path(name), earlier)
    for report_format in FORMATS:
        result = run(".", "-f", report_format, "-o", name)
        assert result.exit_code == 0, (report_format, result.output)
        assert result.stdout.startswith("voldoet / conforms")
        assert name not in result.stderr  # neither read nor noted as a report beside it
        assert is_format(Path(name), report_format), report_format
        # Named among the files (a shell's glob): left out all the same.
        result = run(*sorted(Path().iterdir()), "-f", report_format, "-o", name)
        assert result.exit_code == 0, (report_format, result.output)
        assert is_format(Path(name), report_format)
    assert sorted(path.name for path in Path().iterdir()) == sorted(["afdeling.ttl", name])


def test_an_empty_or_missing_output_file_is_written(tmp_path: Path) -> None:
    data = small_registry(tmp_path / "data")
    empty = tmp_path / "leeg.xml"
    empty.write_text("\n", encoding="utf-8")
    missing = tmp_path / "nieuw" / "rapport.json"
    missing.parent.mkdir()
    for target, report_format in ((empty, "junit"), (missing, "json")):
        result = run(data, "-f", report_format, "-o", target)
        assert result.exit_code == 0, result.output
        assert is_format(target, report_format)


# --- 3. The output file is no input ---------------------------------------------------------


def test_the_output_file_as_the_only_input_says_so(tmp_path: Path) -> None:
    small_registry(tmp_path / "data")
    report = tmp_path / "rapport.json"
    assert run(tmp_path / "data", "-f", "json", "-o", report).exit_code == 0
    for target in (report, tmp_path / "nog-niet.json"):
        result = run(target, "-f", "json", "-o", target)
        assert result.exit_code == 2, result.output
        assert f"error: {target}: the file --output writes the report to" in result.stderr
        assert "no RDF files found" not in result.stderr
    assert not (tmp_path / "nog-niet.json").exists()
    # A folder that holds only that report: nothing else to validate, and it says why.
    alone = tmp_path / "alleen"
    alone.mkdir()
    shutil.move(report, alone / "rapport.json")
    result = run(alone, "-f", "junit", "-o", alone / "rapport.json")
    assert result.exit_code == 2, result.output
    assert f"no RDF files found besides {alone / 'rapport.json'}" in result.stderr


# --- 4. An empty file is no data, in any syntax ----------------------------------------------


@pytest.mark.parametrize(
    ("report_format", "name"),
    [("json", "report.json"), ("junit", "shacl.xml"), ("turtle", "report.ttl")],
)
def test_a_report_redirected_into_the_folder_validated_passes(
    tmp_path: Path, report_format: str, name: str
) -> None:
    """`krb validate . -f json > report.json` on the demo, which conforms: exit 0, the
    empty file the shell made is warned of, and the report is whole."""
    data = demo_copy(tmp_path / "data")
    done = krb_validate(".", "-f", report_format, cwd=data, stdout=data / name)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"warning: {name} holds no triples" in done.stderr
    assert "Unexpected end of file" not in done.stderr
    assert is_format(data / name, report_format)
    # Beside data of the same name (one graph's, by krb load's naming): no clash.
    (data / name).rename(data / "elders.txt")
    (data / Path(name).with_suffix(".nt").name).write_text(
        '<https://krb.voorbeeld.nl/id/x> <http://www.w3.org/2000/01/rdf-schema#comment> "x" .\n',
        encoding="utf-8",
    )
    done = krb_validate(".", "-f", report_format, cwd=data, stdout=data / name)
    assert done.returncode == 0, done.stderr[-2000:]
    assert is_format(data / name, report_format)
    # The next run in that folder reads the report as one, not as data.
    again = run(data, "-f", "text")
    assert again.exit_code == 0, again.output
    assert f"note: {data / name} is a report of krb validate" in again.stderr


@pytest.mark.parametrize("name", ["leeg.json", "leeg.jsonld", "leeg.rdf", "leeg.ttl", "leeg.nt"])
@pytest.mark.parametrize("blank", [b"", b" \n\t\r\n", b"\xef\xbb\xbf\n"])
def test_a_blank_file_of_any_syntax_is_a_warning_beside_data(
    tmp_path: Path, name: str, blank: bytes
) -> None:
    data = small_registry(tmp_path / "data")
    (data / name).write_bytes(blank)
    packed = data / f"ingepakt-{name}.gz"
    packed.write_bytes(gzip.compress(blank))
    result = run(data, "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["conforms"] is True
    for path in (data / name, packed):
        assert f"warning: {path} holds no triples" in result.stderr


def test_only_blank_files_are_nothing_validated(tmp_path: Path) -> None:
    folder = tmp_path / "leeg"
    folder.mkdir()
    (folder / "registry.json").write_bytes(b"")
    (folder / "registry.ttl").write_bytes(b"  \n")  # one graph's name: no matter, no data
    result = run(folder, "-f", "junit")
    assert result.exit_code == 2, result.output
    assert "nothing validated" in result.stderr and "Unexpected end of file" not in result.stderr
    assert result.stdout == ""


def test_a_workbook_in_a_folder_validated_is_named_not_passed_over(tmp_path: Path) -> None:
    """A CI validating a folder passed while the workbook in it was never looked at."""
    folder = tmp_path / "data"
    shutil.copytree(DEMO, folder)
    (folder / "geluid.xlsx").write_bytes(b"PK\x03\x04 not looked at")
    (folder / "~$geluid.xlsx").write_bytes(b"")
    ran = CliRunner().invoke(app, ["validate", str(folder)])
    assert ran.exit_code == 0, ran.output
    assert f"note: {folder / 'geluid.xlsx'} is a workbook, not RDF" in ran.output
    assert "~$" not in ran.output
