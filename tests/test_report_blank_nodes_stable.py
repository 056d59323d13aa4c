"""`krb validate` reports of the same files are the same every run, blank nodes and all.

The parser gives every blank node a new random id each run (per process), and the
reports printed it (a finding's focus and value, messages of objects without a label)
and sorted and numbered by it (JUnit's "Team (blank node 2)" was either team). Each
format is run in three fresh processes here, and every place a report gives a blank
node must lead to it: its line opens the node's ``[``, or the object holding it is
named by IRI.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NORM = "https://krb.voorbeeld.nl/id/beleidsnorm/"
DATA = """@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix norm: <https://krb.voorbeeld.nl/id/beleidsnorm/> .

# Two teams of one name, one with a code.
[] a org:OrganizationalUnit ; rdfs:label "Team"@nl ; dct:identifier "T1" .

[] a org:OrganizationalUnit ;
    rdfs:label "Team"@nl .

norm:N1 a krb:Beleidsnorm ; rdfs:label "Norm een"@nl ; dct:identifier "N1" ;
    dct:temporal [
        a dct:PeriodOfTime ;
        dcat:startDate "2025-01-01"^^xsd:date ;
        dcat:endDate "2024-01-01"^^xsd:date
    ] .

norm:N2 a krb:Beleidsnorm ; rdfs:label "Norm twee"@nl ; dct:identifier "N2" ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2026-05-01"^^xsd:date ;
        dcat:endDate "2020-01-01"^^xsd:date ] .

# A department without an IRI holding a unit holding another, without a label.
[ a org:OrganizationalUnit ; rdfs:label "Dienst"@nl ;
  org:hasUnit [
      a org:OrganizationalUnit ; rdfs:label "Bureau"@nl ;
      org:hasUnit [ a org:OrganizationalUnit ; dct:identifier "diep" ]
  ]
] .
"""
RUNS = 3
_RANDOM_ID = re.compile(r"\b[0-9a-f]{16,32}\b")


def validate(path: Path, *args: str) -> str:
    """`krb validate` in a process of its own: blank node ids are the parser's, per run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "krbgraph.cli", "validate", str(path), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("blank") / "blank.ttl"
    path.write_text(DATA, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=[(), ("-f", "json"), ("-f", "junit")], ids=str)
def reports(request: pytest.FixtureRequest, data: Path) -> list[str]:
    return [validate(data, *request.param) for _ in range(RUNS)]


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def leads_to_a_blank_node(path: Path, line: int) -> bool:
    """Whether ``line`` (1-based) of ``path`` opens a blank node's ``[``."""
    lines = lines_of(path)
    return 1 <= line <= len(lines) and "[" in lines[line - 1]


def test_every_run_gives_the_same_report(reports: list[str]) -> None:
    assert all(report == reports[0] for report in reports[1:])
    assert not _RANDOM_ID.search(reports[0]), "a parser's blank node id in the report"


def test_json_names_each_blank_node_where_it_is_written(data: Path) -> None:
    found = json.loads(validate(data, "-f", "json"))["findings"]
    blank_focus = [f for f in found if "focus" in f["blank"]]
    assert {f["focus"] for f in blank_focus} == {"_:b1", "_:b2", "_:b3", "_:b4", "_:b5"}
    for f in blank_focus:
        file, line = f["where"].rsplit(":", 1)
        assert file == str(data) and leads_to_a_blank_node(data, int(line)), f
    periods = [f for f in found if f["path"] == "http://purl.org/dc/terms/temporal"]
    assert {f["focus"] for f in periods} == {f"{NORM}N1", f"{NORM}N2"}
    for f in periods:  # the period of the norm, which is written with its IRI
        assert f["value"] == "[]" and f["blank"] == ["value"]
        file, line = f["where"].rsplit(":", 1)
        assert lines_of(data)[int(line) - 1].startswith(f"norm:{f['focus'].rsplit('/', 1)[1]}")
    labelled = {f["focus"]: f["focus_label"] for f in blank_focus}
    # Numbered by type, label, then line: the first team is the one written first.
    assert [labelled[f"_:b{n}"] for n in range(1, 6)] == [None, "Bureau", "Dienst", "Team", "Team"]
    teams = [f for f in blank_focus if f["focus_label"] == "Team"]
    assert {f["focus"]: f["where"] for f in teams} == {
        "_:b4": f"{data}:10",
        "_:b5": f"{data}:12",
    }
    nameless = [f for f in blank_focus if f["focus_label"] is None]
    assert any("'_:b1'" in f["message_en"] for f in nameless)


def test_text_gives_each_blank_node_its_line(data: Path) -> None:
    text = validate(data)
    places = re.findall(rf"  <(_:b\d)>  \({re.escape(str(data))}:(\d+)\)", text)
    assert len(places) == 5
    for _, line in places:
        assert leads_to_a_blank_node(data, int(line))
    assert text.count("dct:temporal = []") == 2


def test_junit_cases_of_blank_nodes_keep_their_names_and_lines(data: Path) -> None:
    root = ET.fromstring(validate(data, "-f", "junit"))
    blank = {
        case.get("name"): case
        for case in root.iter("testcase")
        if "(blank node" in case.get("name", "")
    }
    assert set(blank) == {
        "Afdeling (blank node)",
        "Bureau (blank node)",
        "Dienst (blank node)",
        "Team (blank node)",
        "Team (blank node 2)",
    }
    for case in blank.values():
        assert case.get("file") == str(data)
        assert leads_to_a_blank_node(data, int(case.get("line", "0")))
    # The team with a code (line 10) has no failure about its code; the other has.
    first, second = blank["Team (blank node)"], blank["Team (blank node 2)"]
    assert (first.get("line"), second.get("line")) == ("10", "12")
    assert "dct:identifier" not in ET.tostring(first, encoding="unicode")
    assert "dct:identifier" in ET.tostring(second, encoding="unicode")
