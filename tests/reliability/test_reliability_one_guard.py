"""Every route that runs a client's SPARQL passes the same gate.

The endpoint refused SERVICE and applied the row limit while the query page
(/query) and its downloads (/query/download) ran SERVICE and answered in
full. The same hostile queries now go through each route of a real `krb
serve`: each is refused, and a listener on the loopback address, named in
the SERVICE and LOAD clauses, never sees a connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from reliability_support import MAX_ROWS, TIMEOUT, Listener, Server


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def sparql_get(server: Server, text: str) -> httpx.Response:
    return httpx.get(f"{server.url}/sparql", params={"query": text}, timeout=TIMEOUT)


def sparql_form(server: Server, text: str) -> httpx.Response:
    return httpx.post(f"{server.url}/sparql", data={"query": text}, timeout=TIMEOUT)


def sparql_direct(server: Server, text: str) -> httpx.Response:
    headers = {"Content-Type": "application/sparql-query"}
    return httpx.post(f"{server.url}/sparql", content=text.encode(), headers=headers, timeout=60)


def query_page(server: Server, text: str) -> httpx.Response:
    return httpx.get(f"{server.url}/query", params={"query": text}, timeout=TIMEOUT)


def query_download(server: Server, text: str) -> httpx.Response:
    params = {"query": text, "format": "csv"}
    return httpx.get(f"{server.url}/query/download", params=params, timeout=TIMEOUT)


ROUTES: dict[str, Callable[[Server, str], httpx.Response]] = {
    "sparql-get": sparql_get,
    "sparql-form": sparql_form,
    "sparql-direct": sparql_direct,
    "query-page": query_page,
    "query-download": query_download,
}

HOSTILE: dict[str, tuple[str, int]] = {
    "service": ("SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/s> {{ ?s ?p ?o }} }}", 400),
    "service-after-cr-comment": (
        "SELECT * WHERE {{ #x\rSERVICE <http://127.0.0.1:{port}/c> {{ ?s ?p ?o }} }}",
        400,
    ),
    "service-behind-less-than": (
        "SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<3)SERVICE#>\n"
        "<http://127.0.0.1:{port}/l>{{ ?s ?p ?o }} }}",
        400,
    ),
    "load": ("LOAD <http://127.0.0.1:{port}/data.ttl>", 400),
    "too-many-rows": ("SELECT * WHERE {{ ?s ?p ?o }}", 422),
    "too-deep": ("SELECT * WHERE " + "{{" * 100 + "}}" * 100, 400),
}


@pytest.mark.parametrize("hostile", list(HOSTILE))
@pytest.mark.parametrize("route", list(ROUTES))
def test_reliability_every_route_refuses_the_same_queries(
    krb_server: Server, listener: Listener, route: str, hostile: str
) -> None:
    template, expected = HOSTILE[hostile]
    response = ROUTES[route](krb_server, template.format(port=listener.port))
    assert response.status_code == expected, response.text[:300]
    if expected == 422:
        assert str(MAX_ROWS) in response.text
    assert listener.connections == 0
    krb_server.assert_alive()


def test_reliability_the_query_page_explains_a_refusal_in_dutch(
    krb_server: Server, listener: Listener
) -> None:
    text = HOSTILE["service"][0].format(port=listener.port)
    page = query_page(krb_server, text)
    assert page.status_code == 400
    assert "staat uit op dit endpoint" in page.text
    rows = query_page(krb_server, HOSTILE["too-many-rows"][0].format())
    assert rows.status_code == 422
    assert f"meer dan {MAX_ROWS} rijen" in rows.text


def test_reliability_queries_within_the_limits_still_run(krb_server: Server) -> None:
    text = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"
    for route, call in ROUTES.items():
        response = call(krb_server, text)
        assert response.status_code == 200, (route, response.text[:300])
