"""A Graph Store GET is the engine's own serialisation of one state of the graph.

Through an rdflib graph a GET of 100,000 triples took 12 s and 400,000 over half a
minute, the service growing by a gigabyte. Here, on every backend (embedded, the
supervised engine, a real ``oxigraph serve``) behind a real server: every format
and every way to name a graph answers the stored triples, blank nodes included,
with what the answer promised before (Turtle's prefixes, Content-Type, Vary, 404,
HEAD, If-Match/If-None-Match), from one state of the store while a writer writes.

That a 50,000-triple graph never becomes rdflib terms is held two ways. The store's
``read_graph`` refuses to be called, which fails at once on the rdflib path. And the
Python memory allocated while it is answered (tracemalloc: the server runs in a
thread of this process) stays under 40 MB: the streamed answer takes about 12 MB (a
spooled file keeps up to 8 MB in memory), the rdflib path took 95 to 145 MB for this
graph. tracemalloc counts this process's allocations only, not time nor the memory of
other processes or of the engine, so a busy shared machine does not move it.

Also here: a syntax error in a multipart upload names the file it is in, not the
form field all the files share.
"""

from __future__ import annotations

import io
import os
import signal
import threading
import tracemalloc
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from remote_server import running_oxigraph
from test_sparql_support import AUTH, BASE, TIMEOUT, empty_store, served

from krbgraph.settings import Settings
from krbgraph.store import Store, open_store
from krbgraph.store.remote import RemoteStore
from krbgraph.store.streaming import write_graph
from krbgraph.store.supervised import SupervisedStore

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

NAMED = "http://example.org/graphs/small"
LARGE = "http://example.org/graphs/large"
SWAPPED = "http://example.org/graphs/swapped"
MISSING = "http://example.org/graphs/none"
NOT_XML = {
    "http://example.org/graphs/slash-property": '<http://ex.org/s> <http://ex.org/p/> "x" .',
    "http://example.org/graphs/control": '<http://ex.org/s> <http://ex.org/p> "a\\u0001b" .',
}
"""Graphs RDF/XML cannot carry: a property whose IRI ends in no XML name, a control
character (XML 1.0 has none, escaped or not)."""
LARGE_TRIPLES = 50_000
PEAK_BYTES = 40_000_000
"""Python memory a GET of the large graph may allocate (see the module docstring)."""

SMALL = """
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://krb.demogemeente.nl/id/norm/1> a krb:Beleidsnorm ;
    foaf:name "Jan Jansen"@nl , "regel 1\\r\\nregel 2, \\"aangehaald\\", é" ;
    krb:waarde "48"^^xsd:decimal , "1000"^^xsd:double ;
    krb:geldigheid [ krb:van "2024-01-01"^^xsd:date ; krb:deel _:shared ] ;
    krb:ander [ krb:deel _:shared ] .
_:a <http://example.org/p> _:b .
_:b <http://example.org/p> _:a .
<http://example.org/caf\u00e9> <http://example.org/p> "plein" .
"""
DEFAULT = '<http://example.org/d> <http://example.org/p> _:x . _:x <http://example.org/q> "d" .'
FORMATS = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
]


@dataclass
class Backend:
    client: httpx.Client
    store: Store
    url: str


def large_graph(size: int = LARGE_TRIPLES) -> list[ox.Triple]:
    """Five triples per subject, one through a blank node of its own."""
    krb = "https://data.krb.nl/def/krb#"
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    value, period = ox.NamedNode(f"{krb}waarde"), ox.NamedNode(f"{krb}geldigheid")
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    kind = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples = []
    for i in range(size // 5):
        norm, node = ox.NamedNode(f"https://krb.demogemeente.nl/id/norm/n{i}"), ox.BlankNode()
        triples += [
            ox.Triple(norm, kind, ox.NamedNode(f"{krb}Beleidsnorm")),
            ox.Triple(norm, label, ox.Literal(f"norm {i}", language="nl")),
            ox.Triple(norm, value, ox.Literal(f"{i}.5", datatype=decimal)),
            ox.Triple(norm, period, node),
            ox.Triple(node, label, ox.Literal(f"periode {i}")),
        ]
    return triples


def turtle(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


@pytest.fixture(
    scope="module",
    params=["embedded", "supervised", pytest.param("remote", marks=pytest.mark.remote)],
)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    folder = tmp_path_factory.mktemp(request.param)
    with ExitStack() as stack:
        if request.param == "remote":
            settings = Settings(store=stack.enter_context(running_oxigraph(folder)), base_iri=BASE)
        else:
            settings = Settings(store=str(folder / "db"), base_iri=BASE, engine=request.param)
        store = stack.enter_context(open_store(settings))
        store.write_graphs(
            {NAMED: turtle(SMALL), None: turtle(DEFAULT), LARGE: large_graph()}
            | {iri: turtle(text) for iri, text in NOT_XML.items()},
            replace=True,
        )
        url = stack.enter_context(served(store, settings))
        store.replace_graph(f"{url}/store/direct/g", turtle(SMALL))
        client = stack.enter_context(httpx.Client(base_url=url, timeout=TIMEOUT))
        yield Backend(client, store, url)


@pytest.mark.parametrize("accept,fmt", FORMATS)
def test_every_format_and_every_way_to_name_a_graph_answers_its_triples(
    backend: Backend, accept: str, fmt: str
) -> None:
    asked = [
        ("/store", {"graph": NAMED}, SMALL),
        ("/store", {"default": ""}, DEFAULT),
        ("/store/direct/g", {}, SMALL),
    ]
    for path, params, stored in asked:
        response = backend.client.get(path, params=params, headers={"Accept": accept})
        assert response.status_code == 200, (path, params, response.text)
        assert response.headers["content-type"] == f"{accept}; charset=utf-8"
        assert "Accept" in response.headers["vary"].replace(" ", "").split(",")
        got = Graph().parse(data=response.content, format=fmt)
        assert isomorphic(got, turtle(stored)), (path, params, response.text)


def test_turtle_declares_the_prefixes_its_iris_use_and_no_others(backend: Backend) -> None:
    text = backend.client.get("/store", params={"graph": NAMED}).text  # Turtle by default
    assert "@prefix krb: <https://data.krb.nl/def/krb#> ." in text
    assert "@prefix foaf: <http://xmlns.com/foaf/0.1/> ." in text  # rdflib's own, as before
    assert "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> ." in text  # a datatype's
    assert "sosa:" not in text and "dcat:" not in text


def test_a_graph_rdf_xml_cannot_carry_is_406_and_other_formats_carry_it(
    backend: Backend,
) -> None:
    for iri, text in NOT_XML.items():
        params = {"graph": iri}
        xml = backend.client.get("/store", params=params, headers={"Accept": "application/rdf+xml"})
        assert xml.status_code == 406, xml.text
        assert "Turtle" in xml.json()["detail"]
        got = backend.client.get("/store", params=params, headers={"Accept": "text/turtle"})
        assert isomorphic(turtle(got.text), turtle(text))


def test_missing_graphs_head_and_conditions_answer_as_before(backend: Backend) -> None:
    client = backend.client
    missing = client.get("/store", params={"graph": MISSING})
    assert missing.status_code == 404
    assert MISSING in missing.json()["detail"]
    assert client.head("/store", params={"graph": MISSING}).status_code == 404

    get = client.get("/store", params={"graph": NAMED})
    head = client.head("/store", params={"graph": NAMED})
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == get.headers["content-type"]

    there = client.get("/store", params={"graph": NAMED}, headers={"If-None-Match": "*"})
    assert there.status_code == 304
    absent = client.get("/store", params={"graph": MISSING}, headers={"If-Match": "*"})
    assert absent.status_code == 412
    default = client.get("/store", params={"default": ""}, headers={"If-Match": "*"})
    assert default.status_code == 200  # the default graph always exists


@pytest.mark.parametrize("accept", [accept for accept, _ in FORMATS])
def test_a_large_graph_is_streamed_never_held_as_rdflib_terms(
    backend: Backend, accept: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(graph: str | None) -> Graph:
        raise AssertionError(f"the Graph Store GET read {graph} as an rdflib graph")

    monkeypatch.setattr(backend.store, "read_graph", refused)
    headers = {"Accept": accept, "Accept-Encoding": "identity"}
    tracemalloc.start()
    try:
        with backend.client.stream(
            "GET", "/store", params={"graph": LARGE}, headers=headers
        ) as response:
            assert response.status_code == 200, response.read()[:500]
            received = lines = 0
            for chunk in response.iter_raw():
                received += len(chunk)
                lines += chunk.count(b"\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received == int(response.headers["content-length"])
    if accept == "application/n-triples":
        assert lines == LARGE_TRIPLES
    assert peak < PEAK_BYTES, f"{peak / 1e6:.0f} MB allocated while answering"


def test_a_get_reads_one_state_of_the_graph_while_a_writer_replaces_it(backend: Backend) -> None:
    size = 2_000
    versions = [
        [
            ox.Triple(
                ox.NamedNode(f"http://example.org/s{i}"),
                ox.NamedNode("http://example.org/p"),
                ox.Literal(value),
            )
            for i in range(size)
        ]
        for value in ("a", "b")
    ]
    backend.store.write_graphs({SWAPPED: versions[0]}, replace=True)
    stop = threading.Event()
    written = [0]

    def write() -> None:
        while not stop.is_set():
            backend.store.write_graphs({SWAPPED: versions[(written[0] + 1) % 2]}, replace=True)
            written[0] += 1

    writer = threading.Thread(target=write, name="test-writer")
    writer.start()
    try:
        for _ in range(8):
            answer = backend.client.get(
                "/store", params={"graph": SWAPPED}, headers={"Accept": "application/n-triples"}
            )
            assert answer.status_code == 200
            values = {line.rsplit(" ", 2)[1] for line in answer.text.splitlines() if line}
            assert len(answer.text.splitlines()) == size
            assert values in ({'"a"'}, {'"b"'}), "one answer held two states of the graph"
    finally:
        stop.set()
        writer.join()
    assert written[0] > 0


def test_a_read_the_supervised_engine_dropped_halfway_is_read_again_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine killed after the first piece of its answer was written: the read runs
    again on the restarted engine, over what the cut one wrote, and what the output held
    before stays. The cut is made where the answer is read (the engine could otherwise
    have sent it all into the socket before the kill), the kill is real."""
    with open_store(Settings(store=str(tmp_path / "db"), engine="supervised")) as store:
        store.write_graphs({LARGE: large_graph(20_000)}, replace=True)
        engine = store.engine_pid
        assert isinstance(store, SupervisedStore) and engine is not None
        answered = RemoteStore.graph_response
        runs: list[str] = []

        @contextmanager
        def cut_once(remote: RemoteStore, graph: str | None) -> Iterator[object]:
            with answered(remote, graph) as response:
                assert response is not None
                runs.append("cut" if not runs else "whole")
                yield response if runs[-1] == "whole" else _CutAnswer(response, engine)

        monkeypatch.setattr(RemoteStore, "graph_response", cut_once)
        output = io.BytesIO(b"kept\n")
        output.seek(0, io.SEEK_END)
        assert write_graph(store, LARGE, output)
        assert runs == ["cut", "whole"]
        lines = output.getvalue().splitlines()
        assert lines[0] == b"kept"
        assert len(lines) == len(set(lines)) == 20_000 + 1
        assert store.engine_pid != engine


class _CutAnswer:
    """A response whose body stops after its first piece, with its engine killed."""

    def __init__(self, response: httpx.Response, engine: int) -> None:
        self.headers = response.headers
        self._response = response
        self._engine = engine

    def iter_bytes(self) -> Iterator[bytes]:
        yield next(self._response.iter_bytes())
        os.kill(self._engine, signal.SIGKILL)
        raise httpx.RemoteProtocolError("the engine went away mid-answer")


# -- multipart uploads -------------------------------------------------------


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    store, settings = empty_store(tmp_path_factory.mktemp("gsp-upload"))
    with served(store, settings) as url, httpx.Client(base_url=url, timeout=TIMEOUT) as client:
        yield client
    store.close()


def test_a_syntax_error_in_a_multipart_upload_names_its_file_not_the_field(
    writable: httpx.Client,
) -> None:
    good = b'<http://example.org/a> <http://example.org/p> "a" .\n'
    lines = [f'<http://example.org/b{i}> <http://example.org/p> "b" .\n' for i in range(40)]
    bad = "".join(lines).encode() + b"<x> oops .\n"
    files = [
        ("file", ("geluid-extra.ttl", good, "text/turtle")),
        ("file", ("groen-extra.ttl", bad, "text/turtle")),
        ("file", ("water.ttl", good, "text/turtle")),
    ]
    graph = {"graph": "http://example.org/graphs/upload"}
    answer = writable.put("/store", params=graph, files=files, headers=AUTH)
    assert answer.status_code == 400, answer.text
    detail = answer.json()["detail"]
    assert "file 'groen-extra.ttl'" in detail and "line 41" in detail, detail
    assert "'file'" not in detail

    unknown = [("file", ("notities.bin", good, "application/octet-stream"))]
    refused = writable.put("/store", params=graph, files=unknown, headers=AUTH)
    assert refused.status_code == 415
    assert "notities.bin" in refused.json()["detail"]
    assert writable.get("/store", params=graph).status_code == 404, "a refused upload wrote"
