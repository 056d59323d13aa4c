"""The API description says what the protocol routes read and answer, and 405s say
every method a path is served with.

A client generated from /openapi.json could send neither a SPARQL query nor a graph:
the W3C protocol routes read their parameters and bodies themselves, and the
description knew none of them. Checked by a property: for requests of every kind
(query, update, graph read and write, dereferencing in each format, and their errors),
the status and media type the service answers are ones the description declares for
that operation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from test_sparql_support import AUTH, BASE, demo_store, served

from krbgraph.store import Store

GRAPH = f"{BASE}/graph/openapi-proef"
NORM_TTL = f"""
<{BASE}/id/beleidsnorm/OAS-N01> a <https://data.krb.nl/def/krb#Beleidsnorm> ;
  <http://www.w3.org/2000/01/rdf-schema#label> "Proefnorm"@nl .
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    store, settings = demo_store(tmp_path_factory.mktemp("openapi"))
    with served(store, settings) as url:
        yield url, store
    store.close()


def _operation(description: dict, method: str, path: str) -> tuple[str, dict]:
    """The described operation a request path falls under (templates matched in order)."""
    for template, operations in description["paths"].items():
        pattern = re.sub(r"\{[^}]+:path\}|\{path\}", ".+", template)
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", pattern)
        if re.fullmatch(pattern, path) and method.lower() in operations:
            return template, operations[method.lower()]
    raise AssertionError(f"no described operation for {method} {path}")


CASES: list[tuple[str, str, dict]] = [
    ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}}),
    (
        "GET",
        "/sparql",
        {
            "params": {"query": "ASK { ?s ?p ?o }"},
            "headers": {"Accept": "application/sparql-results+xml"},
        },
    ),
    (
        "GET",
        "/sparql",
        {
            "params": {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"},
            "headers": {"Accept": "text/turtle"},
        },
    ),
    ("GET", "/sparql", {"headers": {"Accept": "text/turtle"}}),  # the service description
    ("GET", "/sparql", {"params": {"query": "SELEKT"}}),
    ("GET", "/sparql", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}),
    (
        "POST",
        "/sparql",
        {
            "content": b"SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            "headers": {"Content-Type": "application/sparql-query"},
        },
    ),
    ("POST", "/sparql", {"content": b"x", "headers": {"Content-Type": "image/png"}}),
    (
        "POST",
        "/update",
        {
            "content": b"INSERT DATA { }",
            "headers": {"Content-Type": "application/sparql-update", **AUTH},
        },
    ),
    (
        "POST",
        "/update",
        {"content": b"INSERT DATA { }", "headers": {"Content-Type": "application/sparql-update"}},
    ),
    (
        "PUT",
        "/store",
        {
            "params": {"graph": GRAPH},
            "content": NORM_TTL.encode(),
            "headers": {"Content-Type": "text/turtle", **AUTH},
        },
    ),
    ("GET", "/store", {"params": {"graph": GRAPH}, "headers": {"Accept": "application/n-triples"}}),
    ("DELETE", "/store", {"params": {"graph": GRAPH}, "headers": AUTH}),
    ("GET", "/store", {"params": {"graph": GRAPH}}),
    ("GET", "/id/beleidsnorm/GEL-N01", {"headers": {"Accept": "text/html"}}),
    ("GET", "/id/beleidsnorm/GEL-N01", {"headers": {"Accept": "application/ld+json"}}),
    ("GET", "/id/beleidsnorm/GEL-N01", {"headers": {"Accept": "image/png"}}),
    ("GET", "/id/beleidsnorm/BESTAAT-NIET", {"headers": {"Accept": "text/turtle"}}),
    ("GET", "/resource", {"params": {"iri": f"{BASE}/id/beleidsnorm/GEL-N01"}}),
    ("GET", "/def/krb", {"headers": {"Accept": "application/rdf+xml"}}),
    ("GET", "/api/dwarsverbanden", {"params": {"gebeid": "x"}}),  # misspelt: refused
    ("GET", "/api/normtoets", {"params": {"datum": ["2024-01-01", "2025-01-01"]}}),
    ("GET", "/api/queries/beleid-in-gebied", {"params": {"gebied": "parkstraat"}}),
    ("GET", "/api/export/excel", {"params": {"graaf": "x"}}),
]


@pytest.mark.parametrize(("method", "path", "request_options"), CASES)
def test_every_answer_is_one_the_description_declares(
    site: tuple[str, Store], method: str, path: str, request_options: dict
) -> None:
    url, _ = site
    with httpx.Client(base_url=url, timeout=60) as client:
        description = client.get("/openapi.json").json()
        response = client.request(method, path, follow_redirects=False, **request_options)
    template, operation = _operation(description, method, path)
    declared = operation["responses"]
    status = str(response.status_code)
    assert status in declared, (method, template, status, sorted(declared))
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if response.content and 200 <= response.status_code < 300:
        assert media in declared[status].get("content", {}), (method, template, status, media)


def test_the_protocols_inputs_are_described(site: tuple[str, Store]) -> None:
    url, _ = site
    paths = httpx.get(f"{url}/openapi.json", timeout=60).json()["paths"]
    get_sparql = {p["name"] for p in paths["/sparql"]["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri"} <= get_sparql
    assert "application/sparql-query" in paths["/sparql"]["post"]["requestBody"]["content"]
    assert "application/sparql-update" in paths["/update"]["post"]["requestBody"]["content"]
    assert "text/turtle" in paths["/store"]["put"]["requestBody"]["content"]
    assert {p["name"] for p in paths["/store"]["get"]["parameters"]} >= {"graph", "default"}


@pytest.mark.parametrize(
    ("path", "served_methods"),
    [
        ("/store", {"GET", "HEAD", "PUT", "POST", "DELETE"}),
        ("/store/een/graaf", {"GET", "HEAD", "PUT", "POST", "DELETE"}),
        ("/sparql", {"GET", "HEAD", "POST"}),
        ("/id/beleidsnorm/GEL-N01", {"GET", "HEAD"}),
    ],
)
def test_a_method_not_served_is_answered_with_every_method_that_is(
    site: tuple[str, Store], path: str, served_methods: set[str]
) -> None:
    """RFC 9110: a 405 lists in Allow the methods the resource supports."""
    url, _ = site
    response = httpx.request("PATCH", f"{url}{path}", timeout=60)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == served_methods


def test_every_api_operation_declares_its_refusals_with_their_body(site: tuple[str, Store]) -> None:
    url, _ = site
    paths = httpx.get(f"{url}/openapi.json", timeout=60).json()["paths"]
    for path, operations in paths.items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            refused = operation["responses"].get("400")
            assert refused is not None, (method, path)
            assert refused.get("content", {}).get("application/json"), (method, path)
    own = paths["/api/queries/{name}"]["get"]["parameters"]
    assert any(p["in"] == "query" and p["schema"].get("type") == "object" for p in own)


def test_writes_declare_the_successes_they_answer_and_no_json_default(
    site: tuple[str, Store],
) -> None:
    """A generated client takes the declared success as the one to expect: the writes
    answer 201 or 204, never FastAPI's default 200 JSON."""
    url, _ = site
    paths = httpx.get(f"{url}/openapi.json", timeout=60).json()["paths"]
    for path, method in [
        ("/store", "put"),
        ("/store", "delete"),
        ("/store/{path}", "post"),
        ("/update", "post"),
    ]:
        declared = paths[path][method]["responses"]
        assert "200" not in declared, (method, path)
        assert "204" in declared, (method, path)
    for path in ("/store", "/id/{path}", "/sparql"):
        ok = paths[path]["get"]["responses"]["200"]["content"]
        assert "application/json" not in ok, path  # negotiation gives JSON-LD or results


@pytest.mark.parametrize("path", ["/static/store", "/static/sparql", "/static/krb.css"])
def test_a_mounted_path_keeps_its_own_methods(site: tuple[str, Store], path: str) -> None:
    url, _ = site
    response = httpx.request("PUT", f"{url}{path}", timeout=60)
    assert response.status_code in (404, 405)
    if response.status_code == 405:
        assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "HEAD"}
