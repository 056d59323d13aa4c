"""The W3C SHACL test suite (Core and SHACL-SPARQL) run through pySHACL, the
engine krbgraph validates with: the KRB shapes rely on it implementing SHACL
as specified.

Test cases are discovered from the manifests in tests/data/w3c-shacl (copied
from the W3C data-shapes repository, W3C test suite licence). A case passes
when pySHACL's report has the expected sh:conforms and the same multiset of
results (focus node, path, value, severity, constraint component, source
shape); blank nodes are compared by their structure, messages are ignored.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from pyshacl.errors import ReportableRuntimeError, ValidationFailure
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

SUITE = Path(__file__).parent / "data" / "w3c-shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

ALLOWED_FAILURES = {
    # pySHACL 0.40.1 does not reject a pre-bound $shapesGraph in a SPARQL constraint.
    "sparql/pre-binding/shapesGraph-001",
    # With graphs parsed by rdflib (as krbgraph passes them) pySHACL reads
    # sh:uniqueLang "1"^^xsd:boolean as true; the spec only activates on "true".
    # It passes when pySHACL parses the files itself. The KRB shapes write true.
    "core/property/uniqueLang-002",
}


@cache
def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=path.as_uri())


def manifests(path: Path) -> list[Path]:
    found = [path]
    for included in parse(path).objects(None, MF.include):
        found += manifests(Path(str(included).removeprefix("file://")))
    return found


def discover() -> list[tuple[str, Path, URIRef]]:
    cases = []
    for manifest in manifests(SUITE / "manifest.ttl"):
        graph = parse(manifest)
        for entries in graph.objects(None, MF.entries):
            for entry in graph.items(entries):
                if (entry, RDF.type, SHT.Validate) in graph:
                    name = str(entry).removeprefix(SUITE.as_uri() + "/").removesuffix(".ttl")
                    cases.append((name, manifest, entry))
    return cases


CASES = discover()


def shape(graphs: tuple[Graph, ...], node: Node | None, depth: int = 12) -> object:
    """A comparable form of a term: a blank node by its (bounded) structure, read
    from the first graph that describes it (the report copies shapes and paths)."""
    if not isinstance(node, BNode):
        return node
    if depth == 0:
        return "_:"
    graph = next((g for g in graphs if (node, None, None) in g), graphs[0])
    return tuple(
        sorted(
            (str(p), repr(shape(graphs, o, depth - 1))) for p, o in graph.predicate_objects(node)
        )
    )


def results(graphs: tuple[Graph, ...], node: Node) -> Counter:
    report = graphs[0]
    keys = (
        SH.focusNode,
        SH.resultPath,
        SH.value,
        SH.resultSeverity,
        SH.sourceConstraintComponent,
        SH.sourceShape,
    )
    return Counter(
        tuple(repr(shape(graphs, report.value(r, k))) for k in keys)
        for r in report.objects(node, SH.result)
    )


def test_the_suite_was_found() -> None:
    assert len(CASES) > 100
    assert {name for name, *_ in CASES} >= ALLOWED_FAILURES


@pytest.mark.parametrize(("manifest", "entry"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_w3c_shacl_case(request: pytest.FixtureRequest, manifest: Path, entry: URIRef) -> None:
    name = request.node.callspec.id
    if name in ALLOWED_FAILURES:
        request.applymarker(pytest.mark.xfail(reason="known pySHACL 0.40.1 gap", strict=True))
    graph = parse(manifest)
    action = graph.value(entry, MF.action)
    data_file = Path(str(graph.value(action, SHT.dataGraph)).removeprefix("file://"))
    shapes_file = Path(str(graph.value(action, SHT.shapesGraph)).removeprefix("file://"))
    data, shapes = parse(data_file), parse(shapes_file)
    expected = graph.value(entry, MF.result)

    try:
        conforms, report, _ = pyshacl.validate(
            data, shacl_graph=shapes, advanced=True, inference="none", inplace=False
        )
    except ReportableRuntimeError:
        report = None
    if expected == SHT.Failure:  # ill-formed shapes must be refused, not validated with
        assert report is None or isinstance(report, ValidationFailure)
        return
    assert isinstance(report, Graph)
    assert conforms == graph.value(expected, SH.conforms).toPython()
    actual_node = next(report.subjects(RDF.type, SH.ValidationReport))
    assert results((report, shapes, data), actual_node) == results((graph,), expected)


def test_results_compare_blank_nodes_by_structure() -> None:
    a, b = Graph(), Graph()
    for g, path in ((a, BNode("x")), (b, BNode("y"))):
        g.add((path, SH.inversePath, URIRef("http://e/p")))
    assert shape((a,), BNode("x")) == shape((b,), BNode("y"))
    b.add((BNode("y"), SH.minCount, Literal(1)))
    assert shape((a,), BNode("x")) != shape((b,), BNode("y"))
