"""Who changed what, end to end: named tokens on a real `krb serve`, the audit trail over HTTP.

A service of its own (not the session's), started with a tokens file: an
admin, a writer limited to graphs under one prefix, and a reader. Every
accepted write must show up in ``/api/history`` under the token's name; the
audit graph, the reader and the limited writer outside its prefix are refused
with the store unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from reliability_support import BASE, TIMEOUT, Server, krb_serve

from krbgraph.audit import AUDIT_GRAPH
from krbgraph.tokens import hash_token

ADMIN = "beheer-" + "a" * 40
EDITOR = "redactie-" + "e" * 40
READER = "lezer-" + "r" * 40
PREFIX = f"{BASE}/graph/betrouwbaarheid-audit-"


def graph(name: str) -> str:
    return f"{PREFIX}{name}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("krb-audit")
    tokens = folder / "tokens.toml"
    tokens.write_text(
        f'[tokens.beheer]\nhash = "{hash_token(ADMIN)}"\nscope = "admin"\n\n'
        f'[tokens.redactie]\nhash = "{hash_token(EDITOR)}"\nscope = "write"\n'
        f'graphs = "{PREFIX}"\n\n'
        f'[tokens.lezer]\nhash = "{hash_token(READER)}"\nscope = "read"\n',
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KRB_TOKENS_FILE", str(tokens))
        with krb_serve(folder) as started:
            yield started


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def update(server: Server, token: str, text: str) -> httpx.Response:
    headers = {"Content-Type": "application/sparql-update"} | bearer(token)
    return httpx.post(f"{server.url}/update", content=text.encode(), headers=headers, timeout=120)


def insert(target: str, name: str = "x") -> str:
    return (
        f"INSERT DATA {{ GRAPH <{target}> "
        f'{{ <http://example.org/{name}> <http://example.org/p> "{name}" }} }}'
    )


def history(server: Server, **params: object) -> list[dict]:
    response = httpx.get(
        f"{server.url}/api/history", params=params, headers=bearer(READER), timeout=TIMEOUT
    )
    assert response.status_code == 200, response.text
    assert not any(token in response.text for token in (ADMIN, EDITOR, READER))
    return response.json()


def ask(server: Server, text: str) -> bool:
    response = httpx.get(
        f"{server.url}/sparql",
        params={"query": text},
        headers={"Accept": "application/sparql-results+json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def test_reliability_audit_a_read_token_cannot_write_and_history_needs_a_token(
    server: Server,
) -> None:
    refused = update(server, READER, insert(graph("lezer")))
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    assert not ask(server, f"ASK {{ GRAPH <{graph('lezer')}> {{ ?s ?p ?o }} }}")
    assert httpx.get(f"{server.url}/api/history", timeout=TIMEOUT).status_code == 401
    history(server)
    server.assert_alive()


def test_reliability_audit_an_update_is_recorded_under_the_token_name(server: Server) -> None:
    target = graph("update")
    text = insert(target, "update")
    assert update(server, EDITOR, text).status_code == 204
    (entry,) = history(server, graph=target)
    assert entry["writer"] == "redactie"
    assert entry["graphs"] == [target]
    assert (entry["added"], entry["removed"]) == (1, 0)
    assert entry["source"] == text
    assert history(server, limit=1)[0]["change"] == entry["change"]


def test_reliability_audit_a_graph_store_write_is_recorded(server: Server) -> None:
    target = graph("gsp")
    response = httpx.put(
        f"{server.url}/store",
        params={"graph": target},
        content=b'<http://example.org/gsp> <http://example.org/p> "gsp" .',
        headers={"Content-Type": "text/turtle"} | bearer(ADMIN),
        timeout=TIMEOUT,
    )
    assert response.status_code in (200, 201, 204), response.text
    (entry,) = history(server, graph=target)
    assert entry["writer"] == "beheer"
    assert entry["added"] == 1


def test_reliability_audit_the_audit_graph_is_not_writable_over_http(server: Server) -> None:
    before = history(server, limit=1000)
    forged = insert(AUDIT_GRAPH, "vervalst")
    assert update(server, ADMIN, forged).status_code == 403
    body = b'<http://example.org/v> <http://example.org/p> "v" .'
    for method in ("PUT", "POST", "DELETE"):
        response = httpx.request(
            method,
            f"{server.url}/store",
            params={"graph": AUDIT_GRAPH},
            content=None if method == "DELETE" else body,
            headers={"Content-Type": "text/turtle"} | bearer(ADMIN),
            timeout=TIMEOUT,
        )
        assert response.status_code == 403, (method, response.text)
    assert history(server, limit=1000) == before
    assert not ask(
        server, f"ASK {{ GRAPH <{AUDIT_GRAPH}> {{ <http://example.org/vervalst> ?p ?o }} }}"
    )


def test_reliability_audit_no_token_states_facts_about_a_record_or_its_writer(
    server: Server,
) -> None:
    """A write token's triple in its own graph about a real record (another count,
    another writer, a graph it never touched) showed on the record's page and the graph
    pages as part of the trail; a named graph krb:standaardgraaf was recorded as the
    default graph. Refused from any graph, for any token, over SPARQL and the Graph
    Store alike, and nothing is written."""
    target = graph("echt")
    assert update(server, EDITOR, insert(target, "echt")).status_code == 204
    (real,) = history(server, graph=target)
    before = history(server, limit=1000)
    krb = "https://data.krb.nl/def/krb#"
    facts = {
        "a record": f"<{real['change']}> <{krb}aantalVerwijderd> 5000 .",
        "a writer": (
            "<https://data.krb.nl/id/schrijver/redactie> "
            '<http://www.w3.org/2000/01/rdf-schema#label> "beheer" .'
        ),
    }
    for what, fact in facts.items():
        for token in (EDITOR, ADMIN):
            refused = update(
                server, token, f"INSERT DATA {{ GRAPH <{graph('vals')}> {{ {fact} }} }}"
            )
            assert refused.status_code == 403, (what, refused.text)
            assert "audit" in refused.json()["detail"], refused.text
        response = httpx.post(
            f"{server.url}/store",
            params={"graph": graph("vals")},
            content=fact.encode(),
            headers={"Content-Type": "text/turtle"} | bearer(ADMIN),
            timeout=TIMEOUT,
        )
        assert response.status_code == 403, (what, response.text)
    standaard = update(server, ADMIN, insert(f"{krb}standaardgraaf", "standaard"))
    assert standaard.status_code == 403, standaard.text
    assert history(server, limit=1000) == before
    assert not ask(server, f"ASK {{ GRAPH <{graph('vals')}> {{ ?s ?p ?o }} }}")


def test_reliability_audit_a_prefix_token_stays_inside_its_prefix(server: Server) -> None:
    outside = f"{BASE}/graph/betrouwbaarheid-elders"
    refused = update(server, EDITOR, insert(outside, "elders"))
    assert refused.status_code == 403
    assert f"<{PREFIX}>" in refused.json()["detail"]
    assert not ask(server, f"ASK {{ GRAPH <{outside}> {{ ?s ?p ?o }} }}")
    default = update(
        server, EDITOR, 'INSERT DATA { <http://example.org/d> <http://example.org/p> "d" }'
    )
    assert default.status_code == 403
    assert history(server, graph=outside) == []
