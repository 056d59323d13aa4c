"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests.

The manifests (tests/data/w3c-protocol, copied from w3c/rdf-tests) describe
each test as HTTP requests with expected responses; every entry becomes one
pytest case, run against the real service (uvicorn on 127.0.0.1) on an
embedded store holding no model (the suite clears the whole store, which
the service refuses when model graphs are present). Paths are mapped:
``/sparql/`` -> ``/sparql``, ``/gsp`` -> ``/store``. The three service
description tests are prose only and are written by hand, keyed by their
manifest IRI. Every request carries the write token; authorisation has its
own tests.

``test_w3c_protocol_summary`` runs all entries once more in one process and
prints ``W3C protocol: 34/34 passed`` etc. (shown with ``pytest -rP`` or
``-s``). Known failures go in ALLOWED_FAILURES with a reason; none are
needed today.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pyshacl
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.term import Node
from test_sparql_support import AUTH, empty_store, served

from krbgraph.store import Store
from krbgraph.web.negotiation import parse_media_type

DATA = Path(__file__).parent / "data" / "w3c-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

SD_MANIFEST = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/service-description/manifest#"

ALLOWED_FAILURES: dict[str, str] = {}
"""Manifest test IRI -> why the service is allowed to fail it (empty: all pass)."""

STATUS_CODES = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


# -- reading the manifests ---------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: tuple[str, ...]
    boolean: bool | None = None
    result_format: str | None = None
    response_type: str | None = None
    response_body: str | None = None
    location_variable: str | None = None


@dataclass(frozen=True)
class Case:
    family: str
    iri: str
    name: str
    exchanges: tuple[Exchange, ...] = ()
    graph_data: tuple[tuple[Path, str], ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.family}:{self.iri.rsplit('#', 1)[-1]}"


def _items(graph: Graph, head: Node | None) -> list[Node]:
    return list(Collection(graph, head)) if head is not None else []


def _headers(graph: Graph, node: Node) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
        for h in _items(graph, graph.value(node, HT.headers))
    )


def _exchange(graph: Graph, request: Node) -> Exchange:
    body_node = graph.value(request, HT.body)
    body = None
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(request, HT.resp)
    expected_body = graph.value(graph.value(response, HT.body), CNT.chars)
    response_headers = dict((k.lower(), v) for k, v in _headers(graph, response))
    boolean = graph.value(response, MF.expectedBoolean)
    return Exchange(
        method=str(graph.value(request, HT.methodName)),
        path=str(graph.value(request, HT.absolutePath)),
        headers=_headers(graph, request),
        body=body,
        statuses=tuple(
            sorted(str(s).rsplit("#", 1)[-1] for s in graph.objects(response, MF.expectedStatus))
        ),
        boolean=None if boolean is None else bool(boolean.toPython()),
        result_format=_str(graph.value(response, MF.expectedFormat)),
        response_type=response_headers.get("content-type"),
        response_body=_str(expected_body),
        location_variable=_str(graph.value(response, MF.expectedLocation)),
    )


def _str(node: Node | None) -> str | None:
    return None if node is None else str(node)


def _entries(path: Path) -> tuple[Graph, list[Node]]:
    graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    return graph, _items(graph, graph.value(manifest, MF.entries))


def load_cases(family: str, manifest: Path) -> list[Case]:
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    root = next(graph.subjects(RDF.type, MF.Manifest))
    included = _items(graph, graph.value(root, MF.include))
    paths = [manifest.parent / str(i).rsplit("/", 1)[-1] for i in included] or [manifest]
    cases = []
    for path in paths:
        part, entries = _entries(path)
        for entry in entries:
            action = part.value(entry, MF.action)
            requests = _items(part, part.value(action, HT.requests)) if action else []
            graph_data = tuple(
                (
                    path.parent / str(part.value(d, UT.graph)).rsplit("/", 1)[-1],
                    str(part.value(d, RDFS_LABEL)),
                )
                for d in part.objects(entry, UT.graphData)
            )
            cases.append(
                Case(
                    family=family,
                    iri=str(entry),
                    name=str(part.value(entry, MF.name)),
                    exchanges=tuple(_exchange(part, r) for r in requests),
                    graph_data=tuple(sorted(graph_data)),
                )
            )
    return cases


PROTOCOL = load_cases("protocol", DATA / "protocol" / "manifest.ttl")
GRAPH_STORE = load_cases("graph-store", DATA / "graph-store-protocol" / "manifest.ttl")
SERVICE_DESCRIPTION = load_cases(
    "service-description", DATA / "service-description" / "manifest.ttl"
)
ALL_CASES = PROTOCOL + GRAPH_STORE + SERVICE_DESCRIPTION
FAMILY_NAMES = {
    "protocol": "W3C protocol",
    "graph-store": "W3C graph store protocol",
    "service-description": "W3C service description",
}


# -- running one case ----------------------------------------------------------


def local_path(path: str) -> str:
    """Map the manifest's endpoint paths onto the service's."""
    if path.startswith("/sparql/"):
        return "/sparql" + path[len("/sparql/") :]
    if path.startswith("/gsp"):
        return "/store" + path[len("/gsp") :]
    raise AssertionError(f"unexpected path in manifest: {path}")


def status_matches(code: int, expected: tuple[str, ...]) -> bool:
    for name in expected:
        if name.startswith("StatusCode"):  # StatusCode2xx etc.
            if str(code)[0] == name[len("StatusCode")]:
                return True
        elif STATUS_CODES[name] == code:
            return True
    return False


def boolean_of(response: httpx.Response) -> bool:
    media_type = parse_media_type(response.headers.get("content-type", ""))[0]
    if media_type == "application/sparql-results+json":
        return bool(json.loads(response.content)["boolean"])
    if media_type == "application/sparql-results+xml":
        root = ET.fromstring(response.content)
        element = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
        assert element is not None, "no <boolean> element"
        return element.text == "true"
    raise AssertionError(f"a boolean result came as {media_type}")


def check_tabular(response: httpx.Response) -> None:
    media_type = parse_media_type(response.headers.get("content-type", ""))[0]
    assert media_type in RESULT_TYPES, f"a SELECT result came as {media_type}"
    if media_type == "application/sparql-results+json":
        assert "bindings" in json.loads(response.content)["results"]
    elif media_type == "application/sparql-results+xml":
        ET.fromstring(response.content)
    else:
        delimiter = "," if media_type == "text/csv" else "\t"
        assert list(csv.reader(io.StringIO(response.text), delimiter=delimiter))


def rdf_of(media_type: str, text: str | bytes, base: str) -> Graph:
    fmt = RDF_TYPES.get(media_type)
    assert fmt is not None, f"an RDF result came as {media_type}"
    return Graph().parse(data=text, format=fmt, publicID=base)


def check_exchange(response: httpx.Response, expected: Exchange) -> None:
    assert status_matches(response.status_code, expected.statuses), (
        f"status {response.status_code}, expected {expected.statuses}: {response.text[:500]}"
    )
    media_type, params = parse_media_type(response.headers.get("content-type", ""))
    if expected.result_format == "boolean":
        value = boolean_of(response)
        if expected.boolean is not None:
            assert value is expected.boolean
    elif expected.result_format == "tabular":
        check_tabular(response)
    elif expected.result_format == "RDF":
        rdf_of(media_type, response.content, str(response.url))
    if expected.response_type is not None:
        assert (media_type, params) == parse_media_type(expected.response_type)
    if expected.response_body is not None:
        got = rdf_of(media_type, response.content, str(response.url))
        want = rdf_of(media_type, expected.response_body, str(response.url))
        assert isomorphic(got, want), f"graph differs:\n{response.text}"
    if expected.method == "HEAD":
        assert response.content == b"", "a HEAD response has no body"


def reset(store: Store, case: Case) -> None:
    store.update("DROP ALL")
    for path, graph in case.graph_data:
        store.replace_graph(graph, Graph().parse(path, format="nt"))


def run_case(client: httpx.Client, store: Store, case: Case) -> None:
    """Run one manifest entry; raises AssertionError saying what differed."""
    if case.family == "service-description":
        SD_CASES[case.iri](client)
        return
    reset(store, case)
    variables: dict[str, str] = {}
    for step, exchange in enumerate(case.exchanges, start=1):
        path, body = local_path(exchange.path), exchange.body
        for name, value in variables.items():
            path = path.replace(name, value)
            body = body.replace(name.encode(), value.encode()) if body else body
        headers = dict(exchange.headers) | AUTH
        response = client.request(exchange.method, path, headers=headers, content=body)
        try:
            check_exchange(response, exchange)
        except AssertionError as exc:
            where = f"{case.name}, request {step} ({exchange.method} {path})"
            raise AssertionError(f"{where}: {exc}") from None
        if exchange.location_variable:
            variables[exchange.location_variable] = response.headers["location"]


# -- the service description tests (prose in the manifest) -------------------

SD_SCHEMA = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix void: <http://rdfs.org/ns/void#> .

sd:ServiceShape a sh:NodeShape ; sh:targetClass sd:Service ;
  sh:property [ sh:path sd:endpoint ; sh:minCount 1 ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:supportedLanguage ; sh:minCount 1 ;
                sh:in ( sd:SPARQL10Query sd:SPARQL11Query sd:SPARQL11Update ) ] ;
  sh:property [ sh:path sd:resultFormat ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:feature ; sh:in ( sd:DereferencesURIs sd:UnionDefaultGraph
                sd:RequiresDataset sd:EmptyGraphs sd:BasicFederatedQuery ) ] ;
  sh:property [ sh:path sd:defaultEntailmentRegime ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:defaultDataset ; sh:maxCount 1 ; sh:class sd:Dataset ] .
sd:DatasetShape a sh:NodeShape ; sh:targetClass sd:Dataset ;
  sh:property [ sh:path sd:defaultGraph ; sh:maxCount 1 ; sh:class sd:Graph ] ;
  sh:property [ sh:path sd:namedGraph ; sh:class sd:NamedGraph ] .
sd:NamedGraphShape a sh:NodeShape ; sh:targetClass sd:NamedGraph ;
  sh:property [ sh:path sd:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:graph ; sh:maxCount 1 ; sh:class sd:Graph ] .
sd:GraphShape a sh:NodeShape ; sh:targetClass sd:Graph ;
  sh:property [ sh:path void:triples ; sh:maxCount 1 ; sh:datatype xsd:integer ] .
"""


def _description(client: httpx.Client, accept: str = "text/turtle") -> tuple[httpx.Response, Graph]:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    media_type = parse_media_type(response.headers["content-type"])[0]
    return response, rdf_of(media_type, response.content, str(response.url))


def sd_returns_rdf(client: httpx.Client) -> None:
    for accept in RDF_TYPES:
        _, graph = _description(client, accept)
        assert (None, RDF.type, SD.Service) in graph, accept


def sd_has_endpoint_triple(client: httpx.Client) -> None:
    response, graph = _description(client)
    endpoint = URIRef(str(response.url.copy_with(query=None)))
    assert (None, SD.endpoint, endpoint) in graph, graph.serialize(format="turtle")


def sd_conforms_to_schema(client: httpx.Client) -> None:
    _, graph = _description(client)
    conforms, _, text = pyshacl.validate(graph, shacl_graph=Graph().parse(data=SD_SCHEMA))
    assert conforms, text
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) in graph  # a token is configured
    assert any(isinstance(o, URIRef) for o in graph.objects(None, SD.resultFormat))


SD_CASES: dict[str, Callable[[httpx.Client], None]] = {
    SD_MANIFEST + "returns-rdf": sd_returns_rdf,
    SD_MANIFEST + "has-endpoint-triple": sd_has_endpoint_triple,
    SD_MANIFEST + "conforms-to-schema": sd_conforms_to_schema,
}


# -- the tests -----------------------------------------------------------------


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, Store]]:
    store, settings = empty_store(tmp_path_factory.mktemp("w3c"))
    with served(store, settings) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client, store
    store.close()


def test_w3c_protocol_every_manifest_entry_has_one_case() -> None:
    assert len(PROTOCOL) == 34
    assert len(GRAPH_STORE) == 13
    assert len(SERVICE_DESCRIPTION) == 3
    assert len({case.iri for case in ALL_CASES}) == len(ALL_CASES)
    assert set(SD_CASES) == {case.iri for case in SERVICE_DESCRIPTION}
    machine_readable = PROTOCOL + GRAPH_STORE
    assert all(case.exchanges for case in machine_readable), "an entry without requests"
    assert set(ALLOWED_FAILURES) <= {case.iri for case in ALL_CASES}


def _param(case: Case) -> object:
    marks = []
    if case.iri in ALLOWED_FAILURES:
        marks.append(pytest.mark.xfail(reason=ALLOWED_FAILURES[case.iri], strict=True))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in ALL_CASES])
def test_w3c_protocol_case(service: tuple[httpx.Client, Store], case: Case) -> None:
    client, store = service
    run_case(client, store, case)


def test_w3c_protocol_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], pytestconfig: pytest.Config
) -> None:
    """All entries once more, counted per manifest; unexpected failures fail this test."""
    store, settings = empty_store(tmp_path)
    failures: dict[str, str] = {}
    try:
        with served(store, settings) as url, httpx.Client(base_url=url, timeout=30) as client:
            for case in ALL_CASES:
                try:
                    run_case(client, store, case)
                except AssertionError as exc:
                    failures[case.iri] = str(exc)
    finally:
        store.close()
    lines = []
    for family, title in FAMILY_NAMES.items():
        cases = [case for case in ALL_CASES if case.family == family]
        passed = sum(case.iri not in failures for case in cases)
        lines.append(f"{title}: {passed}/{len(cases)} passed")
    if pytestconfig.getoption("capture") == "no":
        print("\n" + "\n".join(lines))
    else:
        print("\n".join(lines))  # in the report of `pytest -rP`
        with capsys.disabled():  # straight to the terminal of a run without xdist
            print("\n" + "\n".join(lines))
    unexpected = {iri: why for iri, why in failures.items() if iri not in ALLOWED_FAILURES}
    assert not unexpected, unexpected
    fixed = set(ALLOWED_FAILURES) - set(failures)
    assert not fixed, f"allowed failures that pass now (remove them from the list): {fixed}"
