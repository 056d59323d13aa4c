"""The SPARQL endpoint over real HTTP: every result format, negotiation, datasets, errors, clients.

A uvicorn server runs the KRB app on an embedded store with the model and the
demo registry. Answers are parsed back (JSON, XML with ElementTree, CSV, TSV,
Turtle, N-Triples, JSON-LD, RDF/XML) and compared with what the store itself
returns for the same query, term by term or triple by triple.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote
from xml.etree import ElementTree as ET

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper
from test_sparql_support import AUTH, BASE, TIMEOUT, demo_store, served

from krbgraph.settings import Settings
from krbgraph.store import QueryResult, Store
from krbgraph.store.terms import to_rdflib

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

SRX = "{http://www.w3.org/2005/sparql-results#}"
KRB = "https://data.krb.nl/def/krb#"
GEL_N01 = URIRef(f"{BASE}/id/beleidsnorm/GEL-N01")

NORMS = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?norm ?label ?code ?value ?unit WHERE {
  ?norm a krb:Beleidsnorm ; rdfs:label ?label ; dct:identifier ?code .
  OPTIONAL { ?norm qudt:numericValue ?value }
  OPTIONAL { ?norm qudt:hasUnit ?unit }
} ORDER BY ?norm
"""

LABELS = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?norm rdfs:label ?label ; a krb:Beleidsnorm ; krb:indicator [ rdfs:label ?i ] }
WHERE { ?norm a krb:Beleidsnorm ; rdfs:label ?label ; krb:indicator/rdfs:label ?i }
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store, Settings]]:
    store, settings = demo_store(tmp_path_factory.mktemp("sparql"))
    with served(store, settings) as url:
        yield url, store, settings
    store.close()


@pytest.fixture(scope="module")
def url(demo: tuple[str, Store, Settings]) -> str:
    return demo[0]


@pytest.fixture(scope="module")
def store(demo: tuple[str, Store, Settings]) -> Store:
    return demo[1]


@pytest.fixture(scope="module")
def truth(store: Store) -> QueryResult:
    result = store.query(NORMS)
    assert len(result.rows) >= 3, "the demo registry should have several norms"
    assert any(None in row for row in result.rows), "the query should leave some values unbound"
    return result


def get(url: str, query: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(
        f"{url}/sparql", params={"query": query, **params}, headers=headers, timeout=TIMEOUT
    )


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def oxigraph_rows(body: bytes, fmt: ox.QueryResultsFormat) -> list[tuple[object, ...]]:
    solutions = ox.parse_query_results(body, fmt)
    names = [v.value for v in solutions.variables]
    return [tuple(None if s[n] is None else to_rdflib(s[n]) for n in names) for s in solutions]


# -- SELECT in every format ---------------------------------------------------


def test_sparql_select_json_matches_the_store(url: str, truth: QueryResult) -> None:
    response = get(url, NORMS, "application/sparql-results+json")
    assert response.status_code == 200
    assert media_type(response) == "application/sparql-results+json"
    body = json.loads(response.content)
    assert body["head"]["vars"] == list(truth.variables)
    assert len(body["results"]["bindings"]) == len(truth.rows)
    first = body["results"]["bindings"][[r[0] for r in truth.rows].index(GEL_N01)]
    assert first["norm"] == {"type": "uri", "value": str(GEL_N01)}
    assert first["label"]["xml:lang"] == "nl"
    assert first["value"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"
    assert "datatype" not in first["code"], "xsd:string is written as a simple literal"
    assert oxigraph_rows(response.content, ox.QueryResultsFormat.JSON) == list(truth.rows)


def test_sparql_select_xml_matches_the_store(url: str, truth: QueryResult) -> None:
    response = get(url, NORMS, "application/sparql-results+xml")
    assert response.status_code == 200
    assert media_type(response) == "application/sparql-results+xml"
    root = ET.fromstring(response.content)
    names = [v.get("name") for v in root.iter(f"{SRX}variable")]
    assert names == list(truth.variables)
    results = root.findall(f"{SRX}results/{SRX}result")
    assert len(results) == len(truth.rows)
    literal = root.find(f"{SRX}results/{SRX}result/{SRX}binding[@name='label']/{SRX}literal")
    assert literal is not None
    assert literal.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"
    assert oxigraph_rows(response.content, ox.QueryResultsFormat.XML) == list(truth.rows)


def test_sparql_select_csv_matches_the_store(url: str, truth: QueryResult) -> None:
    response = get(url, NORMS, "text/csv")
    assert response.status_code == 200
    assert media_type(response) == "text/csv"
    assert b"\r\n" in response.content, "CSV lines end with CRLF"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"), newline="")))
    assert rows[0] == list(truth.variables)
    expected = [["" if v is None else str(v) for v in row] for row in truth.rows]
    assert rows[1:] == expected


def test_sparql_select_tsv_matches_the_store(url: str, truth: QueryResult) -> None:
    response = get(url, NORMS, "text/tab-separated-values")
    assert response.status_code == 200
    assert media_type(response) == "text/tab-separated-values"
    lines = response.content.decode("utf-8").splitlines()
    assert lines[0].split("\t") == [f"?{v}" for v in truth.variables]
    assert len(lines) == len(truth.rows) + 1
    assert oxigraph_rows(response.content, ox.QueryResultsFormat.TSV) == list(truth.rows)


def test_sparql_literals_with_tabs_and_quotes_survive_tsv_and_json(url: str) -> None:
    query = 'SELECT ?x ?y WHERE { BIND("a\\tb \\"c\\"\\nd" AS ?x) BIND("é"@nl-BE AS ?y) }'
    for accept, fmt in (
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ):
        response = get(url, query, accept)
        assert response.status_code == 200, response.text
        assert oxigraph_rows(response.content, fmt) == [
            (Literal('a\tb "c"\nd'), Literal("é", lang="nl-BE"))
        ], accept


# -- ASK, CONSTRUCT, DESCRIBE ---------------------------------------------------


@pytest.mark.parametrize("code,expected", [("GEL-N01", True), ("NO-SUCH", False)])
def test_sparql_ask_in_json_and_xml(url: str, code: str, expected: bool) -> None:
    query = f'ASK {{ ?n <http://purl.org/dc/terms/identifier> "{code}" }}'
    as_json = get(url, query, "application/sparql-results+json")
    assert json.loads(as_json.content)["boolean"] is expected
    as_xml = get(url, query, "application/sparql-results+xml")
    element = ET.fromstring(as_xml.content).find(f"{SRX}boolean")
    assert element is not None and element.text == str(expected).lower()


def test_sparql_ask_cannot_be_csv(url: str) -> None:
    response = get(url, "ASK {}", "text/csv")
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json()["detail"]


@pytest.mark.parametrize(
    "accept,fmt",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_sparql_construct_in_every_rdf_format(
    url: str, store: Store, accept: str, fmt: str
) -> None:
    expected = store.query(LABELS).graph
    assert expected is not None and len(expected) > 10
    response = get(url, LABELS, accept)
    assert response.status_code == 200, response.text
    assert media_type(response) == accept
    got = Graph().parse(data=response.content, format=fmt)
    assert isomorphic(got, expected)


def test_sparql_describe_returns_the_resource(url: str) -> None:
    response = get(url, f"DESCRIBE <{GEL_N01}>", "text/turtle")
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    assert (GEL_N01, URIRef("http://purl.org/dc/terms/identifier"), Literal("GEL-N01")) in graph


# -- content negotiation ---------------------------------------------------------


@pytest.mark.parametrize(
    "accept,expected",
    [
        ("application/sparql-results+json;q=0.5, text/csv", "text/csv"),
        ("text/csv;q=0.2, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        (None, "application/sparql-results+json"),
        ("text/*", "text/csv"),
        ("text/csv;q=0, */*;q=0.1", "application/sparql-results+json"),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/sparql-results+xml",
        ),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_sparql_negotiates_the_select_format(url: str, accept: str | None, expected: str) -> None:
    response = get(url, "SELECT ?x WHERE { BIND(1 AS ?x) }", accept)
    assert response.status_code == 200
    assert media_type(response) == expected
    assert response.headers["vary"] == "Accept"


def test_sparql_unacceptable_type_gets_406(url: str) -> None:
    response = get(url, "SELECT ?x WHERE { BIND(1 AS ?x) }", "text/html")
    assert response.status_code == 406
    response = get(url, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/csv")
    assert response.status_code == 406


def test_sparql_bad_q_value_is_a_clear_400(url: str) -> None:
    response = get(url, "ASK {}", "text/csv;q=high")
    assert response.status_code == 400
    assert "q-value" in response.json()["detail"]


# -- the ways of sending a query ------------------------------------------------


def test_sparql_get_post_form_and_post_direct_agree(url: str, truth: QueryResult) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = get(url, NORMS, accept["Accept"])
    by_form = httpx.post(f"{url}/sparql", data={"query": NORMS}, headers=accept, timeout=TIMEOUT)
    by_body = httpx.post(
        f"{url}/sparql",
        content=NORMS.encode(),
        headers=accept | {"Content-Type": "application/sparql-query"},
        timeout=TIMEOUT,
    )
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200
        assert oxigraph_rows(response.content, ox.QueryResultsFormat.JSON) == list(truth.rows)


def test_sparql_default_and_named_graph_uris_choose_the_dataset(url: str, store: Store) -> None:
    geluid = f"{BASE}/graph/geluid"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    in_geluid = len(store.read_graph(geluid))
    everything = int(json.loads(get(url, count).content)["results"]["bindings"][0]["n"]["value"])
    only = get(url, count, **{"default-graph-uri": geluid})
    assert int(json.loads(only.content)["results"]["bindings"][0]["n"]["value"]) == in_geluid
    assert everything > in_geluid
    graphs = get(
        url,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
        **{"named-graph-uri": geluid},
    )
    values = [b["g"]["value"] for b in json.loads(graphs.content)["results"]["bindings"]]
    assert values == [geluid]


def test_one_kind_of_dataset_parameter_leaves_the_other_part_of_the_dataset_empty(
    url: str,
) -> None:
    """SPARQL 1.1 Protocol 2.1.4: the parameters are the whole dataset. With only
    named-graph-uri the default graph is empty, with only default-graph-uri there are no
    named graphs; the embedded engine read every graph instead (the supervised one did
    not)."""
    geluid = f"{BASE}/graph/geluid"

    def count(query: str, **dataset: str) -> int:
        answer = json.loads(get(url, query, **dataset).content)
        return int(answer["results"]["bindings"][0]["n"]["value"])

    in_default = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    in_named = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(in_named, **{"named-graph-uri": geluid}) > 0
    assert count(in_default, **{"named-graph-uri": geluid}) == 0
    assert count(in_default, **{"default-graph-uri": geluid}) > 0
    assert count(in_named, **{"default-graph-uri": geluid}) == 0


def test_a_querys_own_from_chooses_the_dataset_as_the_parameters_do(url: str, store: Store) -> None:
    """The engines' union default graph overrode FROM: FROM <nothing> counted every triple."""
    geluid = f"{BASE}/graph/geluid"
    in_geluid = len(store.read_graph(geluid))

    def count(query: str, **params: str) -> int:
        answer = get(url, query, **params)
        assert answer.status_code == 200, answer.text
        return int(json.loads(answer.content)["results"]["bindings"][0]["n"]["value"])

    body = "SELECT (COUNT(*) AS ?n) %s WHERE { ?s ?p ?o }"
    assert count(body % "FROM <http://nothing.example/g>") == 0
    assert count(body % f"FROM <{geluid}>") == in_geluid
    assert count(f"PREFIX g: <{BASE}/graph/>\n" + body % "FROM g:geluid") == in_geluid
    # FROM NAMED only: the default graph is empty (SPARQL 1.1, 13.2)
    assert count(body % f"FROM NAMED <{geluid}>") == 0
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{geluid}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert count(named) == in_geluid
    # a relative FROM resolves against the endpoint, as the rest of the query does
    assert count(body % "FROM <thema>") == 0
    # the protocol's parameters win over the query's own dataset (SPARQL protocol 2.1.4)
    assert count(body % "FROM <http://nothing.example/g>", **{"default-graph-uri": geluid}) == (
        in_geluid
    )


def test_sparql_relative_iris_resolve_against_the_endpoint(url: str) -> None:
    response = get(url, "SELECT ?x WHERE { BIND(<norm> AS ?x) }", "application/sparql-results+json")
    value = json.loads(response.content)["results"]["bindings"][0]["x"]["value"]
    assert value == f"{url}/norm"


# -- errors ----------------------------------------------------------------------


def test_sparql_malformed_query_gets_400_with_the_position(url: str) -> None:
    response = get(url, "SELECT ?x\nWHERE { ?x ?y }")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "line 2, column" in detail, detail


def test_sparql_update_by_get_is_refused_not_described(url: str, store: Store) -> None:
    before = store.graphs()
    response = httpx.get(f"{url}/sparql", params={"update": "CLEAR ALL"}, timeout=TIMEOUT)
    assert response.status_code == 400
    assert "POST" in response.json()["detail"]
    assert store.graphs() == before


def test_sparql_two_queries_are_refused(url: str) -> None:
    response = httpx.get(f"{url}/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D", timeout=TIMEOUT)
    assert response.status_code == 400


def test_sparql_wrong_content_type_and_charset_are_415(url: str) -> None:
    plain = httpx.post(
        f"{url}/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=TIMEOUT
    )
    assert plain.status_code == 415
    utf16 = httpx.post(
        f"{url}/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
        timeout=TIMEOUT,
    )
    assert utf16.status_code == 415


def test_sparql_service_clause_is_refused(url: str) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    response = get(url, query)
    assert response.status_code == 400
    assert "SERVICE" in response.json()["detail"]
    # ... but the word in a string or an IRI is just data
    harmless = get(url, 'SELECT * WHERE { BIND("SERVICE" AS ?x) BIND(<urn:SERVICE> AS ?y) }')
    assert harmless.status_code == 200


@pytest.fixture
def intranet() -> Iterator[tuple[str, list[str]]]:
    """A server on the municipality's network the endpoint must never reach for a
    client: its base URL and the paths it was asked for."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            asked.append(self.path)
            body = b'<urn:s> <urn:p> "internal" .'
            self.send_response(200)
            self.send_header("Content-Type", "application/n-triples")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "pattern",
    [
        "?s ?p ?o . SERVICE:intern",
        "?s ?p ?o . service:intern",
        "?s ?p ?o . SERVICESILENT:intern",
        "?s ?p ?o . Service:intern",
        "?s ?p ?o . SERVICEx:y",
        "?s ?p trueSERVICE:intern",  # the boolean ends the pattern, then SERVICE :intern
        "?s ?p falseSERVICE:intern",
    ],
)
def test_service_written_as_a_prefixed_name_is_refused_and_nothing_is_fetched(
    url: str, intranet: tuple[str, list[str]], pattern: str
) -> None:
    """``SERVICE:x`` is one prefixed name to a tokenizer, but the engine reads the
    keyword SERVICE and the name ``:x`` when no prefix ``SERVICE:`` is declared: any
    anonymous client made the server fetch from its own network and got the answer."""
    where, asked = intranet
    query = f"PREFIX : <{where}> PREFIX x: <{where}> SELECT ?o WHERE {{ {pattern} {{ ?s ?p ?o }} }}"
    for response in (
        get(url, query),
        httpx.post(f"{url}/sparql", data={"query": query}, timeout=TIMEOUT),
        httpx.post(
            f"{url}/sparql",
            content=query,
            headers={"Content-Type": "application/sparql-query"},
            timeout=TIMEOUT,
        ),
    ):
        assert response.status_code == 400, response.text
        assert "SERVICE" in response.json()["detail"]
    assert asked == []
    # A name whose local part holds the word stays a name, and so does a prefix that
    # holds it further on (the engine reads those as the prefixes they are).
    named = get(url, f"PREFIX ex: <{where}> SELECT * WHERE {{ ?s ex:SERVICE ?o }}")
    assert named.status_code == 200
    for prefix in ("download", "upload", "payload", "webservice", "ecoservice"):
        text = f"PREFIX {prefix}: <{where}> SELECT * WHERE {{ ?s {prefix}:p ?o }}"
        assert get(url, text).status_code == 200, prefix


def test_load_written_as_a_prefixed_name_is_refused_and_nothing_is_fetched(
    url: str, intranet: tuple[str, list[str]]
) -> None:
    where, asked = intranet
    update = f"PREFIX : <{where}> LOAD:data.nt INTO GRAPH <{BASE}/graph/geladen>"
    response = httpx.post(
        f"{url}/update",
        content=update,
        headers={"Content-Type": "application/sparql-update", **AUTH},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400, response.text
    assert "LOAD" in response.json()["detail"]
    assert asked == []


def test_sparql_service_description_without_query(url: str) -> None:
    sd = "http://www.w3.org/ns/sparql-service-description#"
    turtle = httpx.get(f"{url}/sparql", timeout=TIMEOUT)
    assert turtle.status_code == 200 and media_type(turtle) == "text/turtle"
    graph = Graph().parse(data=turtle.content, format="turtle")
    assert (URIRef(f"{url}/sparql"), URIRef(f"{sd}endpoint"), URIRef(f"{url}/sparql")) in graph
    names = set(graph.objects(None, URIRef(f"{sd}name")))
    assert URIRef(f"{BASE}/graph/geluid") in names
    as_jsonld = httpx.get(
        f"{url}/sparql", headers={"Accept": "application/ld+json"}, timeout=TIMEOUT
    )
    assert isomorphic(Graph().parse(data=as_jsonld.content, format="json-ld"), graph)


def test_sparql_result_size_limit_is_an_error_not_a_truncation(
    demo: tuple[str, Store, Settings],
) -> None:
    _, store, settings = demo
    limited = replace(settings, max_result_rows=5)
    with served(store, limited) as small:
        too_many = get(small, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 6")
        assert too_many.status_code == 422
        assert "5" in too_many.json()["detail"] and "LIMIT" in too_many.json()["detail"]
        fits = get(small, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5")
        assert fits.status_code == 200
        assert len(json.loads(fits.content)["results"]["bindings"]) == 5
        graph = get(small, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 6", "text/turtle")
        assert graph.status_code == 422


# -- real SPARQL clients -----------------------------------------------------------


def test_sparql_sparqlwrapper_select_ask_construct(url: str, truth: QueryResult) -> None:
    client = SPARQLWrapper(f"{url}/sparql")
    client.setQuery(NORMS)
    client.setReturnFormat(JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert [b["norm"]["value"] for b in bindings] == [str(r[0]) for r in truth.rows]

    client.setReturnFormat(XML)
    client.setMethod("POST")
    client.setQuery('ASK { ?n <http://purl.org/dc/terms/identifier> "GEL-N01" }')
    assert client.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]

    client.setReturnFormat(TURTLE)
    client.setQuery(LABELS)
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert (
        GEL_N01,
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        URIRef(f"{KRB}Beleidsnorm"),
    ) in graph


def test_sparql_rdflib_sparqlstore_reads_the_registry(url: str, truth: QueryResult) -> None:
    remote = Graph(store=SPARQLStore(query_endpoint=f"{url}/sparql"))
    rows = list(remote.query(NORMS))
    assert [row[0] for row in rows] == [r[0] for r in truth.rows]
    assert (GEL_N01, URIRef("http://purl.org/dc/terms/identifier"), Literal("GEL-N01")) in remote
    labels = list(remote.objects(GEL_N01, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert labels == [Literal("Geluidsdruk gevel maximaal 48 dB(A)", lang="nl")]


def test_a_graph_named_twice_in_the_dataset_is_counted_once(url: str) -> None:
    graph = f"{BASE}/graph/geluid"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def counted(response: httpx.Response) -> int:
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    once = counted(get(url, count.replace("WHERE", f"FROM <{graph}> WHERE")))
    assert once > 0
    assert counted(get(url, count.replace("WHERE", f"FROM <{graph}> FROM <{graph}> WHERE"))) == once
    twice = httpx.get(
        f"{url}/sparql",
        params=[("query", count), ("default-graph-uri", graph), ("default-graph-uri", graph)],
        timeout=TIMEOUT,
    )
    assert counted(twice) == once


def test_percent_escapes_that_are_not_utf8_are_refused_never_replaced(
    url: str, store: Store
) -> None:
    """A Latin-1 client sends "café" as caf%E9: it reached the engine as "caf\ufffd", and an
    update stored it, where the same bytes in a raw body were refused."""
    latin1 = "SELECT%20%28%22caf%E9%22%20AS%20%3Fx%29%20%7B%7D"
    got = httpx.get(f"{url}/sparql?query={latin1}", timeout=TIMEOUT)
    assert got.status_code == 400 and "UTF-8" in got.json()["detail"]
    graph = f"{BASE}/graph/latin1"
    update = quote(f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> "cafX" }} }}', safe="")
    update = update.replace("cafX", "caf%E9")
    posted = httpx.post(
        f"{url}/update",
        content=f"update={update}",
        headers={"Content-Type": "application/x-www-form-urlencoded", **AUTH},
        timeout=TIMEOUT,
    )
    assert posted.status_code == 400 and "UTF-8" in posted.json()["detail"]
    assert not store.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").boolean
    # The same text in UTF-8 is a query like any other.
    utf8 = httpx.get(f"{url}/sparql?query={latin1.replace('%E9', '%C3%A9')}", timeout=TIMEOUT)
    assert utf8.status_code == 200
    assert utf8.json()["results"]["bindings"][0]["x"]["value"] == "café"
