"""HTTP as standard clients and caches read it (RFC 9110, 9111): what a client refuses
is never sent, HEAD carries GET's headers, and answers say what they vary by."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from krbgraph.web.describe import local_href

NORM = "/id/beleidsnorm/GEL-N01"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path", [NORM, "/def/krb"])
@pytest.mark.parametrize(
    "accept",
    ["text/html;q=0, */*", "application/*", "text/html;q=0, application/xhtml+xml, */*"],
)
def test_a_client_that_refuses_html_gets_rdf(client: TestClient, path: str, accept: str) -> None:
    """The pages were also offered as XHTML, so any range matching that (*/*,
    application/*) sent text/html to a client that had refused it."""
    answer = client.get(path, headers={"Accept": accept})
    assert answer.status_code == 200
    assert not answer.headers["content-type"].startswith("text/html")


def test_a_client_asking_only_for_xhtml_gets_406(client: TestClient) -> None:
    assert client.get(NORM, headers={"Accept": "application/xhtml+xml"}).status_code == 406


def test_accept_on_two_lines_is_one_list(client: TestClient) -> None:
    """Only the first line was read: HTML (q=0.1) won over the Turtle of the second."""
    lines = [("Accept", "text/html;q=0.1"), ("Accept", "text/turtle")]
    answer = client.get(NORM, headers=lines)
    assert answer.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("path", [NORM, "/def/krb?format=ttl", "/openapi.json"])
def test_head_with_gzip_has_the_headers_of_get(client: TestClient, path: str) -> None:
    asked = {"Accept-Encoding": "gzip"}
    got = client.get(path, headers=asked)
    head = client.head(path, headers=asked)
    assert got.headers["content-encoding"] == "gzip"
    assert head.content == b""
    for name in ("content-type", "content-encoding", "content-length", "vary"):
        assert head.headers.get(name) == got.headers.get(name), name


@pytest.mark.parametrize("path", ["/bestaat-niet", "/def/krb/BestaatNiet", "/id/gebied/nergens"])
def test_a_404_whose_body_depends_on_accept_says_so(client: TestClient, path: str) -> None:
    html = client.get(path, headers={"Accept": "text/html"})
    other = client.get(path, headers={"Accept": "application/json, text/plain"})
    assert html.status_code == other.status_code == 404
    assert html.headers["content-type"] != other.headers["content-type"]
    for answer in (html, other):
        assert "accept" in answer.headers.get("vary", "").lower()


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/def/krb/Beleidsnorm?format=nt", "/def/krb?format=nt#Beleidsnorm"),
        ("/def/krb/0.1.0?format=nt", "/def/krb?format=nt"),
    ],
)
def test_an_ontology_redirect_keeps_the_format_asked(
    client: TestClient, path: str, location: str
) -> None:
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == location


def test_a_link_to_an_iri_with_a_query_keeps_it_in_the_path() -> None:
    base = "https://krb.example.nl"
    href = local_href(f"{base}/id/gebied/x?y=1", base)
    assert href == "/id/gebied/x%3Fy=1"
    assert local_href(f"{base}/id/doc#p2", base) == "/id/doc%23p2"


def test_a_browser_following_the_endpoint_link_gets_the_query_page(client: TestClient) -> None:
    """Its Accept names application/xml, which served the service description as
    RDF/XML: a download instead of a page."""
    answer = client.get("/sparql", headers={"Accept": BROWSER}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/query"
    assert "accept" in answer.headers["vary"].lower()
    for accept in ("*/*", "application/rdf+xml", "text/turtle, text/html;q=0.5"):
        rdf = client.get("/sparql", headers={"Accept": accept})
        assert rdf.status_code == 200
        assert not rdf.headers["content-type"].startswith("text/html")
