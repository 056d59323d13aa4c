"""Updates commit exactly what was validated, and graph management answers as the spec says.

A SPARQL Update used to run twice, once on a validation copy and once on the
store, so an update with RAND() could pass on the copy and write an invalid
norm into the store. The change is now computed once (quads added and
removed) and that change is committed. DROP, CLEAR, MOVE, COPY and ADD
answered 500 because a syntax check ran them on an empty store.

Runs against the real `krb serve` of the session; each test uses graphs of
its own under {BASE}/graph/betrouwbaarheid-...
"""

from __future__ import annotations

import httpx
import pytest
from reliability_support import AUTH, BASE, TIMEOUT, Server

KRB = "https://data.krb.nl/def/krb#"
UPDATE = {"Content-Type": "application/sparql-update"} | AUTH
JSON = {"Accept": "application/sparql-results+json"}


def graph(name: str) -> str:
    return f"{BASE}/graph/betrouwbaarheid-{name}"


def update(server: Server, text: str) -> httpx.Response:
    return httpx.post(f"{server.url}/update", content=text.encode(), headers=UPDATE, timeout=120)


def ask(server: Server, text: str) -> bool:
    response = httpx.get(
        f"{server.url}/sparql", params={"query": text}, headers=JSON, timeout=TIMEOUT
    )
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def rows(server: Server, text: str) -> list[dict[str, dict[str, str]]]:
    response = httpx.get(
        f"{server.url}/sparql", params={"query": text}, headers=JSON, timeout=TIMEOUT
    )
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def exists(server: Server, iri: str) -> bool:
    response = httpx.get(f"{server.url}/store", params={"graph": iri}, timeout=TIMEOUT)
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


def test_reliability_rand_never_lets_an_invalid_norm_in(krb_server: Server) -> None:
    norm = f"{BASE}/id/beleidsnorm/RAND-1"
    text = (
        f"INSERT {{ GRAPH <{graph('rand')}> {{ <{norm}> a <{KRB}Beleidsnorm> }} }} "
        "WHERE { FILTER(RAND() < 0.5) }"
    )
    statuses = set()
    for _ in range(20):
        response = update(krb_server, text)
        statuses.add(response.status_code)
        assert response.status_code in (204, 422), response.text[:300]
        assert not ask(krb_server, f"ASK {{ <{norm}> ?p ?o }}"), "an unvalidated norm was stored"
    assert 422 in statuses, "the copy never drew the insert; the test proved nothing"


def test_reliability_generated_values_are_stored_as_validated(krb_server: Server) -> None:
    g = graph("gegenereerd")
    text = (
        f"INSERT {{ GRAPH <{g}> {{ <http://example.org/x> <http://example.org/p> _:b . "
        "_:b <http://example.org/id> ?id ; <http://example.org/at> ?now } } "
        "WHERE { BIND(STRUUID() AS ?id) BIND(NOW() AS ?now) }"
    )
    assert update(krb_server, text).status_code == 204
    found = rows(
        krb_server,
        f"SELECT ?id ?now WHERE {{ GRAPH <{g}> {{ <http://example.org/x> <http://example.org/p> "
        "?b . ?b <http://example.org/id> ?id ; <http://example.org/at> ?now } }",
    )
    assert len(found) == 1  # one blank node, carrying both values


def test_reliability_changes_that_touch_existing_blank_nodes(krb_server: Server) -> None:
    g = graph("blank")
    x, p, q, r = (f"<http://example.org/{n}>" for n in ("x", "p", "q", "r"))
    data = f'INSERT DATA {{ GRAPH <{g}> {{ {x} {p} _:b . _:b {q} "1" . {x} {q} "keep" }} }}'
    assert update(krb_server, data).status_code == 204
    add = f'INSERT {{ GRAPH <{g}> {{ ?b {r} "2" }} }} WHERE {{ GRAPH <{g}> {{ {x} {p} ?b }} }}'
    assert update(krb_server, add).status_code == 204
    assert ask(krb_server, f'ASK {{ GRAPH <{g}> {{ {x} {p} ?b . ?b {q} "1" ; {r} "2" }} }}')
    remove = f'DELETE {{ GRAPH <{g}> {{ ?b {q} "1" }} }} WHERE {{ GRAPH <{g}> {{ ?b {q} "1" }} }}'
    assert update(krb_server, remove).status_code == 204
    assert ask(krb_server, f'ASK {{ GRAPH <{g}> {{ {x} {p} ?b . ?b {r} "2" }} }}')
    assert not ask(krb_server, f'ASK {{ GRAPH <{g}> {{ ?b {q} "1" }} }}')
    assert ask(krb_server, f'ASK {{ GRAPH <{g}> {{ {x} {q} "keep" }} }}')


def _fill(server: Server, *names: str) -> None:
    triples = " ".join(
        f'GRAPH <{graph(name)}> {{ <http://example.org/{name}> <http://example.org/in> "{name}" }}'
        for name in names
    )
    assert update(server, f"INSERT DATA {{ {triples} }}").status_code == 204


def test_reliability_graph_management_on_existing_graphs(krb_server: Server) -> None:
    _fill(krb_server, "drop", "clear", "bron", "doel")
    for text in (
        f"DROP GRAPH <{graph('drop')}>",
        f"CLEAR GRAPH <{graph('clear')}>",
        f"COPY <{graph('bron')}> TO <{graph('kopie')}>",
        f"ADD <{graph('bron')}> TO <{graph('doel')}>",
        f"MOVE <{graph('bron')}> TO <{graph('verplaatst')}>",
    ):
        response = update(krb_server, text)
        assert response.status_code == 204, (text, response.text[:300])
    assert not exists(krb_server, graph("drop"))
    assert not exists(krb_server, graph("clear"))
    assert not exists(krb_server, graph("bron"))
    for name in ("kopie", "verplaatst"):
        assert ask(krb_server, f'ASK {{ GRAPH <{graph(name)}> {{ ?s ?p "bron" }} }}'), name
    both = rows(krb_server, f"SELECT ?o WHERE {{ GRAPH <{graph('doel')}> {{ ?s ?p ?o }} }}")
    assert sorted(row["o"]["value"] for row in both) == ["bron", "doel"]


@pytest.mark.parametrize(
    "text",
    [
        "DROP GRAPH <{missing}>",
        "CLEAR GRAPH <{missing}>",
        "MOVE <{missing}> TO <{other}>",
    ],
)
def test_reliability_a_missing_graph_fails_without_silent(krb_server: Server, text: str) -> None:
    names = {"missing": graph("bestaat-niet"), "other": graph("ander")}
    response = update(krb_server, text.format(**names))
    assert response.status_code == 400, response.text[:300]
    assert "does not exist" in response.json()["detail"]
    silent = text.replace("DROP ", "DROP SILENT ").replace("CLEAR ", "CLEAR SILENT ")
    silent = silent.replace("MOVE ", "MOVE SILENT ")
    assert update(krb_server, silent.format(**names)).status_code == 204
    assert not exists(krb_server, names["other"])


@pytest.mark.parametrize("operation", ["COPY", "ADD"])
def test_reliability_copy_and_add_read_a_missing_graph_as_empty(
    krb_server: Server, operation: str
) -> None:
    """SPARQL 1.1 Update lets a service fail or not when COPY or ADD reads a missing graph
    (MAY); this one reads it as an empty graph, as the engine does."""
    _fill(krb_server, f"{operation.lower()}-doel")
    target = graph(f"{operation.lower()}-doel")
    text = f"{operation} <{graph('bestaat-niet')}> TO <{target}>"
    assert update(krb_server, text).status_code == 204
    assert exists(krb_server, target) is (operation == "ADD")
