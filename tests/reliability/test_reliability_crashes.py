"""Texts that crashed or hung the whole service are refused, and `krb serve` keeps running.

Before these checks, each request below ended the `krb serve` process (a
segfault in pyoxigraph's parser) or held it for minutes: nested groups, a
long UNION or operator chain, JSON-LD nested 5,000 deep, RDF/XML that
declares entities or nests thousands of elements. Each now gets 400 with a
message naming the limit, and the same process answers the next query.
"""

from __future__ import annotations

import time

import httpx
import pytest
from reliability_support import AUTH, BASE, TIMEOUT, Server

QUERY = {"Content-Type": "application/sparql-query"}
UPDATE = {"Content-Type": "application/sparql-update"} | AUTH
TARGET = f"{BASE}/graph/betrouwbaarheid-aanval"


@pytest.mark.parametrize(
    "text,named",
    [
        ("SELECT * WHERE " + "{" * 3000 + "}" * 3000, "64 levels"),
        ("SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 20_000) + " }", "UNION"),
        ("SELECT * WHERE { BIND(" + " + ".join(["1"] * 20_000) + " AS ?x) }", "tokens"),
        ("SELECT * WHERE { FILTER(" + "!" * 20_000 + "true) }", "tokens"),
        ("SELECT * WHERE { ?s ?p " + "[ ?p " * 5000 + "1" + " ]" * 5000 + " }", "64 levels"),
        ("SELECT * WHERE { FILTER(?a<" + "(" * 20_000 + "1>0) }", "64 levels"),
    ],
    ids=["nested-groups", "union", "plus-chain", "not-chain", "nested-blank-nodes", "hidden"],
)
def test_reliability_hostile_query_is_400_and_the_service_lives(
    krb_server: Server, text: str, named: str
) -> None:
    response = httpx.post(
        f"{krb_server.url}/sparql", content=text.encode(), headers=QUERY, timeout=TIMEOUT
    )
    assert response.status_code == 400, response.text[:300]
    assert named in response.json()["detail"]
    krb_server.assert_alive()


def test_reliability_hostile_update_is_400_and_the_service_lives(krb_server: Server) -> None:
    text = "DELETE WHERE " + "{" * 3000 + "}" * 3000
    response = httpx.post(
        f"{krb_server.url}/update", content=text.encode(), headers=UPDATE, timeout=TIMEOUT
    )
    assert response.status_code == 400, response.text[:300]
    assert "64 levels" in response.json()["detail"]
    krb_server.assert_alive()


def test_reliability_deep_json_ld_is_refused_before_parsing(krb_server: Server) -> None:
    depth = 5000
    body = '{"http://example.org/p": ' * depth + "1" + "}" * depth
    response = httpx.put(
        f"{krb_server.url}/store",
        params={"graph": TARGET},
        content=body.encode(),
        headers={"Content-Type": "application/ld+json"} | AUTH,
        timeout=TIMEOUT,
    )
    assert response.status_code == 400, response.text[:300]
    assert "100 levels" in response.json()["detail"]
    krb_server.assert_alive()


@pytest.mark.parametrize(
    "media_type,body",
    [
        ("text/turtle", "<http://example.org/s> <http://example.org/p> " + "( " * 50_000 + "1"),
        ("text/turtle", "<http://example.org/s> <http://example.org/p> " + "[ <p> " * 50_000),
        ("text/n3", "{ " * 50_000),
    ],
    ids=["collections", "blank-nodes", "formulas"],
)
def test_reliability_deep_turtle_is_refused_before_parsing(
    krb_server: Server, media_type: str, body: str
) -> None:
    """The parser took 7 to 17 s for 50,000 levels while holding the write lock."""
    started = time.monotonic()
    response = httpx.post(
        f"{krb_server.url}/store",
        params={"graph": TARGET},
        content=body.encode(),
        headers={"Content-Type": media_type} | AUTH,
        timeout=TIMEOUT,
    )
    assert response.status_code == 400, response.text[:300]
    assert "100 levels" in response.json()["detail"]
    assert time.monotonic() - started < 3
    krb_server.assert_alive()


def test_reliability_turtle_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    from krbgraph.web.negotiation import check_rdf_body

    text = (
        '<http://example.org/s> <http://example.org/p> "'
        + "(" * 500
        + '" , """'
        + "[ " * 500
        + '""" , <http://example.org/'
        + "{" * 500
        + "> .  # "
        + "(" * 500
    )
    check_rdf_body("turtle", text.encode())  # no error: nothing nests


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/s"><ex:p>&g;</ex:p></rdf:Description>
</rdf:RDF>
"""


def _deep_rdf_xml(depth: int) -> str:
    opening = "<rdf:Description><ex:p>" * depth
    closing = "</ex:p></rdf:Description>" * depth
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:ex="http://example.org/">{opening}{closing}</rdf:RDF>'
    )


@pytest.mark.parametrize(
    "body,named",
    [(BILLION_LAUGHS, "DOCTYPE"), (_deep_rdf_xml(30_000), "100 levels")],
    ids=["entities", "deep"],
)
def test_reliability_hostile_rdf_xml_is_refused_before_parsing(
    krb_server: Server, body: str, named: str
) -> None:
    response = httpx.post(
        f"{krb_server.url}/store",
        params={"graph": TARGET},
        content=body.encode(),
        headers={"Content-Type": "application/rdf+xml"} | AUTH,
        timeout=TIMEOUT,
    )
    assert response.status_code == 400, response.text[:300]
    assert named in response.json()["detail"]
    krb_server.assert_alive()
    missing = httpx.get(f"{krb_server.url}/store", params={"graph": TARGET}, timeout=TIMEOUT)
    assert missing.status_code == 404
