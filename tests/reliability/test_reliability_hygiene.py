"""What every response owes a public audience: security headers, no internals, consistent GSP.

Headers: every HTML page carries a Content-Security-Policy without inline
scripts and with ``frame-ancestors 'none'``, and every response
``X-Content-Type-Options: nosniff``. Errors: a store's own message (which
names its folder or server) stays in the log. Graph Store: this store keeps
no empty graphs, so a PUT that would make one is refused instead of
answered 201 for a graph that GET then does not find.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import live_server
from rdflib import Graph
from reliability_support import AUTH, BASE, TIMEOUT, Server

from krbgraph.settings import Settings
from krbgraph.store import StoreError
from krbgraph.web.app import create_app

HTML = {"Accept": "text/html"}
SECRET_PATH = "/srv/krb-secret-store"


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/query",
        "/query?query=SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%203",
        "/query?query=SELECT",  # an error shown in the page
        "/begrippen",
        "/dwarsverbanden",
        "/def/krb",
        "/id/beleidsnorm/GEL-N01",
        "/id/bestaat-niet",  # the 404 page
        "/docs",
        "/redoc",
    ],
)
def test_reliability_html_pages_carry_the_security_headers(krb_server: Server, path: str) -> None:
    response = httpx.get(f"{krb_server.url}{path}", headers=HTML, timeout=TIMEOUT)
    assert response.headers["content-type"].startswith("text/html"), path
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = _directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts is not None and "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts and "*" not in scripts


def test_reliability_the_api_docs_admit_only_their_own_inline_script(krb_server: Server) -> None:
    import base64
    import hashlib
    import re

    page = httpx.get(f"{krb_server.url}/docs", timeout=TIMEOUT)
    inline = re.findall(rb"<script>(.*?)</script>", page.content, flags=re.DOTALL)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0]).digest()).decode()
    scripts = _directives(page.headers["content-security-policy"])["script-src"]
    assert f"'sha256-{digest}'" in scripts


def test_reliability_other_responses_are_not_sniffed(krb_server: Server) -> None:
    response = httpx.get(f"{krb_server.url}/sparql", params={"query": "ASK {}"}, timeout=TIMEOUT)
    assert response.headers["x-content-type-options"] == "nosniff"


class BrokenStore:
    """A store whose every call fails with a message naming its folder, as real ones do."""

    def _fail(self, *args: object, **kwargs: object) -> None:
        raise StoreError(f"query failed in store {SECRET_PATH}: IO error: disk on fire")

    query = update = graphs = read_graph = write_graphs = drop_graph = dump = _fail

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def broken() -> Iterator[str]:
    settings = Settings(store=SECRET_PATH, base_iri=BASE, token=None)
    with live_server(create_app(settings, store=BrokenStore())) as url:  # type: ignore[arg-type]
        yield url


@pytest.mark.parametrize(
    "path,params",
    [
        ("/sparql", {"query": "SELECT * WHERE { ?s ?p ?o }"}),
        ("/query", {"query": "SELECT * WHERE { ?s ?p ?o }"}),
        ("/query/download", {"query": "SELECT * WHERE { ?s ?p ?o }"}),
        ("/store", {"graph": f"{BASE}/graph/x"}),
    ],
)
def test_reliability_store_errors_do_not_reach_the_client(
    broken: str, path: str, params: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = httpx.get(f"{broken}{path}", params=params, timeout=TIMEOUT)
    assert response.status_code == 500
    assert SECRET_PATH not in response.text and "disk on fire" not in response.text
    assert " at 0x" not in response.text
    assert SECRET_PATH in caplog.text  # the operator still learns what happened


def test_reliability_put_of_an_empty_graph_agrees_with_get(krb_server: Server) -> None:
    store = f"{krb_server.url}/store"
    turtle = {"Content-Type": "text/turtle"} | AUTH
    new = f"{BASE}/graph/betrouwbaarheid-leeg"
    refused = httpx.put(store, params={"graph": new}, content=b"", headers=turtle, timeout=60)
    assert refused.status_code == 400, refused.text
    assert "DELETE" in refused.json()["detail"]
    assert httpx.get(store, params={"graph": new}, timeout=TIMEOUT).status_code == 404
    posted = httpx.post(store, params={"graph": new}, content=b"", headers=turtle, timeout=60)
    assert posted.status_code == 400
    assert httpx.get(store, params={"graph": new}, timeout=TIMEOUT).status_code == 404

    triple = b"<http://example.org/s> <http://example.org/p> 1 ."
    assert (
        httpx.put(store, params={"graph": new}, content=triple, headers=turtle).status_code == 201
    )
    emptied = httpx.put(store, params={"graph": new}, content=b"", headers=turtle, timeout=60)
    assert emptied.status_code == 400
    kept = httpx.get(store, params={"graph": new}, headers={"Accept": "text/turtle"})
    assert kept.status_code == 200 and len(Graph().parse(data=kept.text, format="turtle")) == 1
    assert httpx.delete(store, params={"graph": new}, headers=AUTH).status_code == 204
    assert httpx.get(store, params={"graph": new}, timeout=TIMEOUT).status_code == 404


def test_reliability_docs_describe_the_limits() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text(encoding="utf-8")
    for name in ("max_chars", "max_depth", "max_union", "max_tokens", "KRB_MAX_RESULT_ROWS"):
        assert name in text, name


def _sent_in_pieces(url: str, target: str, piece: int = 1460) -> bytes:
    """The answer's head to a GET whose request head arrives as over a network: in
    pieces the size of a TCP segment, not in one write."""
    import socket
    import time
    from urllib.parse import urlsplit

    where = urlsplit(url)
    head = f"GET {target} HTTP/1.1\r\nHost: {where.netloc}\r\nAccept: text/html\r\n"
    request = (head + "Connection: close\r\n\r\n").encode()
    with socket.create_connection((where.hostname, where.port), timeout=TIMEOUT) as sock:
        for start in range(0, len(request), piece):
            sock.sendall(request[start : start + piece])
            time.sleep(0.001)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def test_reliability_a_long_editor_query_arriving_in_pieces_is_run(krb_server: Server) -> None:
    """The editor sends its text in the address; 18,000 characters arriving in pieces (as
    over any real network) got a bare "400 Invalid HTTP request received"."""
    from urllib.parse import quote

    numbers = " ".join(str(n) for n in range(4_000))
    query = f"SELECT (COUNT(*) AS ?c) WHERE {{ VALUES ?n {{ {numbers} }} }}"
    assert len(query) > 16_384
    status = _sent_in_pieces(krb_server.url, "/query?query=" + quote(query))
    assert status == b"HTTP/1.1 200 OK"


def test_reliability_a_page_parameter_of_the_wrong_kind_gets_the_site_page(
    krb_server: Server,
) -> None:
    """A browser got FastAPI's English JSON (the value echoed back) for ?rijen=100."""
    page = httpx.get(f"{krb_server.url}/monitoring", params={"rijen": "100"}, headers=HTML)
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "rijen" in page.text
    client = httpx.get(f"{krb_server.url}/monitoring", params={"rijen": "100"})
    assert client.status_code == 422
    assert client.headers["content-type"] == "application/json"
    # The API keeps its contract (422 JSON), also for a browser looking at it.
    api = httpx.get(f"{krb_server.url}/api/queries/zoek", params={"format": "pdf"}, headers=HTML)
    assert api.status_code == 422
    assert api.headers["content-type"] == "application/json"
