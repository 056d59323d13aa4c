"""The W3C SHACL test suite (Core and SHACL-SPARQL) run through krbgraph.shacl, the
engine that compiles shapes into SPARQL on the store.

Cases are read from the manifests in tests/data/w3c-shacl exactly as
tests/test_shapes_w3c_conformance.py reads them for pySHACL, and compared the
same way: the expected sh:conforms and the same multiset of results (focus
node, path, value, severity, constraint component, source shape), blank nodes
by structure, messages ignored; a case expecting sht:Failure passes when the
engine refuses the shapes graph. A case passes on its own merits: one whose
shapes fell back to pySHACL is counted apart and may not count towards the
target. test_pass_counts_per_folder prints the counts per folder.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import test_shapes_w3c_conformance as w3c
from rdflib import Graph
from rdflib.namespace import RDF, SH
from rdflib.term import URIRef

from krbgraph.shacl import ShapesError, validate_graph

ALLOWED_FAILURES = {
    # rdflib normalises "1"^^xsd:boolean to "true" while parsing, so the engine
    # (given rdflib graphs) cannot see that the spec leaves sh:uniqueLang off.
    # pySHACL fails it the same way (tests/test_shapes_w3c_conformance.py).
    "core/property/uniqueLang-002": 'rdflib reads "1"^^xsd:boolean as "true"',
}

FALLBACK_EXPECTED = {
    # Oxigraph stores the types derived from xsd:integer as xsd:integer
    # ("300"^^xsd:byte comes back as "300"^^xsd:integer), so sh:datatype xsd:byte
    # cannot be decided by a query: the engine hands the shape to pySHACL, which
    # sees the caller's graph. Passes, but not by SPARQL.
    "core/property/datatype-ill-formed": "xsd:byte on Oxigraph",
}

TARGET = 118
"""pySHACL 0.40.1 passes 118 of the 120 cases (its test file reports 120 passed: the
118 cases and two tests of its own); this engine must pass as many by SPARQL alone."""


@cache
def outcome(name: str) -> tuple[bool, bool, str]:
    """(passed, fell back to pySHACL, what differed) for case ``name``."""
    manifest, entry = next((m, e) for n, m, e in w3c.CASES if n == name)
    graph = w3c.parse(manifest)
    action = graph.value(entry, w3c.MF.action)
    data_file = Path(str(graph.value(action, w3c.SHT.dataGraph)).removeprefix("file://"))
    shapes_file = Path(str(graph.value(action, w3c.SHT.shapesGraph)).removeprefix("file://"))
    data, shapes = w3c.parse(data_file), w3c.parse(shapes_file)
    expected = graph.value(entry, w3c.MF.result)
    try:
        report = validate_graph(data, shapes)
    except ShapesError as exc:
        return expected == w3c.SHT.Failure, False, f"refused: {exc}"
    fell_back = bool(report.fallbacks)
    if expected == w3c.SHT.Failure:
        return False, fell_back, "validated a shapes graph that should be refused"
    conforms = graph.value(expected, SH.conforms).toPython()
    if report.conforms != conforms:
        return False, fell_back, f"conforms {report.conforms}, expected {conforms}"
    node = next(report.graph.subjects(RDF.type, SH.ValidationReport))
    got = w3c.results((report.graph, shapes, data), node)
    want = w3c.results((graph,), expected)
    if got != want:
        return False, fell_back, f"results differ: extra {got - want}, missing {want - got}"
    return True, fell_back, ""


def folder(name: str) -> str:
    return name.rsplit("/", 1)[0]


@pytest.mark.parametrize("name", [c[0] for c in w3c.CASES])
def test_w3c_shacl_case(request: pytest.FixtureRequest, name: str) -> None:
    if name in ALLOWED_FAILURES:
        request.applymarker(pytest.mark.xfail(reason=ALLOWED_FAILURES[name], strict=True))
    passed, fell_back, why = outcome(name)
    assert passed, why
    assert fell_back == (name in FALLBACK_EXPECTED), "fallback to pySHACL, or none expected"


def test_allowed_failures_are_cases() -> None:
    assert set(ALLOWED_FAILURES) | set(FALLBACK_EXPECTED) <= {name for name, *_ in w3c.CASES}


def test_pass_counts_per_folder(capsys: pytest.CaptureFixture[str]) -> None:
    counts: dict[str, Counter[str]] = {}
    for name, *_ in w3c.CASES:
        passed, fell_back, _ = outcome(name)
        tally = counts.setdefault(folder(name), Counter())
        tally["cases"] += 1
        tally["passed"] += passed and not fell_back
        tally["pyshacl"] += passed and fell_back
    with capsys.disabled():
        print("\nW3C SHACL suite with krbgraph.shacl (passed by SPARQL / by pySHACL fallback)")
        for name, tally in sorted(counts.items()):
            print(f"  {name:28} {tally['passed']:3} / {tally['cases']:3}  (+{tally['pyshacl']})")
        total = sum(t["passed"] for t in counts.values())
        print(f"  {'total':28} {total:3} / {len(w3c.CASES):3}")
    assert total >= TARGET


def test_an_entry_resolves() -> None:
    name, manifest, entry = w3c.CASES[0]
    assert isinstance(entry, URIRef) and isinstance(w3c.parse(manifest), Graph)
