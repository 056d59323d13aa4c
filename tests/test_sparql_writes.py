"""SPARQL Update over HTTP: the bearer token, validation before commit, nothing half-written.

A real uvicorn server on a real embedded store with the model and the demo
registry; the store is compared (every quad) before and after each refused
write.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH
from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
from SPARQLWrapper import POST, SPARQLWrapper
from test_sparql_support import AUTH, BASE, TIMEOUT, demo_store, same_content, served, snapshot

from krbgraph.settings import Settings
from krbgraph.store import Store

UPDATE = {"Content-Type": "application/sparql-update"}
GEL_N01 = URIRef(f"{BASE}/id/beleidsnorm/GEL-N01")
GELUID = f"{BASE}/graph/geluid"

# A norm without indicator, document, operator, value, area or level: many violations.
INVALID = f"""
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
INSERT DATA {{ GRAPH <{GELUID}> {{
  <{BASE}/id/beleidsnorm/GEL-N99> a krb:Beleidsnorm ;
      rdfs:label "Onvolledige norm"@nl ; dct:identifier "GEL-N99" .
}} }}
"""

RENAME = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
WITH <{GELUID}>
DELETE {{ ?norm rdfs:label ?old }}
INSERT {{ ?norm rdfs:label "Gevelbelasting maximaal 48 dB(A)"@nl }}
WHERE {{ ?norm dct:identifier "GEL-N01" ; rdfs:label ?old }}
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store, Settings]]:
    store, settings = demo_store(tmp_path_factory.mktemp("writes"))
    with served(store, settings) as url:
        yield url, store, settings
    store.close()


def post_update(url: str, text: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(
        f"{url}/sparql", content=text.encode(), headers=UPDATE | (headers or {}), timeout=TIMEOUT
    )


def labels(store: Store) -> list[Literal]:
    return list(store.read_graph(GELUID).objects(GEL_N01, RDFS.label))


def test_sparql_write_without_token_is_401(
    demo: tuple[str, Store, Settings], tmp_path: Path
) -> None:
    url, store, _ = demo
    before = snapshot(store, tmp_path)
    missing = post_update(url, RENAME)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = post_update(url, RENAME, {"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    basic = httpx.post(
        f"{url}/update", data={"update": RENAME}, auth=("admin", "secret"), timeout=TIMEOUT
    )
    assert basic.status_code == 401
    assert same_content(before, snapshot(store, tmp_path))


def test_sparql_read_only_service_refuses_writes_with_403(
    demo: tuple[str, Store, Settings], tmp_path: Path
) -> None:
    _, store, settings = demo
    before = snapshot(store, tmp_path)
    with served(store, replace(settings, token=None)) as url:
        response = post_update(url, RENAME, AUTH)
        assert response.status_code == 403
        assert "read-only" in response.json()["detail"]
        described = Graph().parse(
            data=httpx.get(f"{url}/sparql", timeout=TIMEOUT).content, format="turtle"
        )
        update_language = URIRef("http://www.w3.org/ns/sparql-service-description#SPARQL11Update")
        assert update_language not in set(described.objects())
        assert (
            httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=TIMEOUT).status_code
            == 200
        )
    assert same_content(before, snapshot(store, tmp_path))


def test_sparql_invalid_update_is_422_with_findings_and_writes_nothing(
    demo: tuple[str, Store, Settings], tmp_path: Path
) -> None:
    url, store, _ = demo
    before = snapshot(store, tmp_path)
    response = post_update(url, INVALID, AUTH)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["conforms"] is False
    about_new_norm = [f for f in body["findings"] if f["focus"].endswith("/GEL-N99")]
    assert about_new_norm, body["findings"]
    assert all(f["message_nl"] and f["message_en"] for f in about_new_norm)
    assert {f["severity"] for f in about_new_norm} >= {"Violation"}
    assert same_content(before, snapshot(store, tmp_path))


def test_sparql_refused_update_report_as_turtle(demo: tuple[str, Store, Settings]) -> None:
    url, _, _ = demo
    response = post_update(url, INVALID, AUTH | {"Accept": "text/turtle"})
    assert response.status_code == 422
    report = Graph().parse(data=response.content, format="turtle")
    assert (None, SH.conforms, Literal(False)) in report
    focus = set(report.objects(None, SH.focusNode))
    assert URIRef(f"{BASE}/id/beleidsnorm/GEL-N99") in focus


def test_sparql_valid_update_is_applied(demo: tuple[str, Store, Settings]) -> None:
    url, store, _ = demo
    response = post_update(url, RENAME, AUTH)
    assert response.status_code == 204, response.text
    assert labels(store) == [Literal("Gevelbelasting maximaal 48 dB(A)", lang="nl")]
    # and back, through /update with a form body this time
    restore = RENAME.replace(
        "Gevelbelasting maximaal 48 dB(A)", "Geluidsdruk gevel maximaal 48 dB(A)"
    )
    response = httpx.post(f"{url}/update", data={"update": restore}, headers=AUTH, timeout=TIMEOUT)
    assert response.status_code == 204, response.text
    assert labels(store) == [Literal("Geluidsdruk gevel maximaal 48 dB(A)", lang="nl")]


def test_sparql_update_syntax_error_is_400_with_position(
    demo: tuple[str, Store, Settings], tmp_path: Path
) -> None:
    url, store, _ = demo
    before = snapshot(store, tmp_path)
    response = post_update(url, "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b }", AUTH)
    assert response.status_code == 400
    assert "line 2, column" in response.json()["detail"]
    assert same_content(before, snapshot(store, tmp_path))


def test_sparql_update_of_the_model_is_refused(
    demo: tuple[str, Store, Settings], tmp_path: Path
) -> None:
    url, store, _ = demo
    before = snapshot(store, tmp_path)
    response = post_update(url, "CLEAR ALL", AUTH)
    assert response.status_code == 403
    assert "https://data.krb.nl/def/krb" in response.json()["detail"]
    assert same_content(before, snapshot(store, tmp_path))


@pytest.mark.parametrize(
    "update",
    [
        "DROP GRAPH <https://data.krb.nl/def/krb/shapes>",
        "DROP SILENT GRAPH <https://data.krb.nl/def/krb/afgeleid>",
        "PREFIX g: <https://data.krb.nl/graph/> CLEAR GRAPH g:audit",
        "INSERT { GRAPH <https://krb.demogemeente.nl/graph/kopie> { ?s ?p ?o } } "
        "WHERE { GRAPH <https://data.krb.nl/def/krb/afgeleid> { ?s ?p ?o } }",
        "MOVE <https://data.krb.nl/def/krb/meta> TO <https://krb.demogemeente.nl/graph/m>",
        # Spelled otherwise, as the engine reads it: COPY emptied the target (204).
        "COPY <https://data.krb.nl/graph/\\u0061udit> TO <https://krb.demogemeente.nl/graph/geluid>",
        "BASE <https://data.krb.nl/def/krb/> COPY <afgeleid> TO <https://krb.demogemeente.nl/graph/geluid>",
        "BASE <https://data.krb.nl/> PREFIX g: <graph/> CLEAR GRAPH g:audit",
        # Through a variable: on the copy, which holds no audit graph, NOT EXISTS held and
        # the data graph was emptied.
        "DELETE { GRAPH <https://krb.demogemeente.nl/graph/geluid> { ?s ?p ?o } } "
        "WHERE { GRAPH <https://krb.demogemeente.nl/graph/geluid> { ?s ?p ?o } "
        "FILTER NOT EXISTS { GRAPH ?g { ?x ?y ?z } "
        "VALUES ?g { <https://data.krb.nl/graph/audit> } } }",
        "INSERT { GRAPH <https://krb.demogemeente.nl/graph/kopie> { ?s ?p ?o } } "
        "WHERE { BIND (<https://data.krb.nl/def/krb/afgeleid> AS ?g) GRAPH ?g { ?s ?p ?o } }",
    ],
    ids=[
        "drop shapes",
        "drop derived",
        "clear audit by prefix",
        "read derived",
        "move meta",
        "copy from audit spelled with an escape",
        "copy from derived relative to BASE",
        "clear audit by a relative prefix",
        "audit named in VALUES",
        "derived named in BIND",
    ],
)
def test_sparql_update_naming_a_maintained_graph_is_refused(
    demo: tuple[str, Store, Settings], tmp_path: Path, update: str
) -> None:
    # Updates run on the registry data only: such an update used to answer 204 and
    # change nothing (or, reading the derived graph, match nothing).
    url, store, _ = demo
    before = snapshot(store, tmp_path)
    response = post_update(url, update, AUTH)
    assert response.status_code == 403, response.text
    assert "maintains itself" in response.json()["detail"]
    assert same_content(before, snapshot(store, tmp_path))


def test_sparql_load_is_refused(demo: tuple[str, Store, Settings]) -> None:
    url, _, _ = demo
    response = post_update(url, "LOAD <http://127.0.0.1:1/data.ttl> INTO GRAPH <urn:x>", AUTH)
    assert response.status_code == 400
    assert "LOAD" in response.json()["detail"]


def test_sparql_update_dataset_parameters_conflicting_with_with_clause(
    demo: tuple[str, Store, Settings],
) -> None:
    url, _, _ = demo
    response = httpx.post(
        f"{url}/sparql",
        params={"using-graph-uri": GELUID},
        content=RENAME.encode(),
        headers=UPDATE | AUTH,
        timeout=TIMEOUT,
    )
    assert response.status_code == 400
    assert "using-graph-uri" in response.json()["detail"]


def test_sparql_sparqlwrapper_and_rdflib_update_with_the_token(
    demo: tuple[str, Store, Settings],
) -> None:
    url, store, _ = demo
    client = SPARQLWrapper(f"{url}/sparql", updateEndpoint=f"{url}/update")
    client.addCustomHttpHeader("Authorization", AUTH["Authorization"])
    client.setMethod(POST)
    client.setQuery(RENAME)
    assert client.query().response.status == 204  # type: ignore[attr-defined]
    assert labels(store) == [Literal("Gevelbelasting maximaal 48 dB(A)", lang="nl")]

    remote = SPARQLUpdateStore(
        query_endpoint=f"{url}/sparql", update_endpoint=f"{url}/update", headers=AUTH
    )
    remote.update(
        RENAME.replace("Gevelbelasting maximaal 48 dB(A)", "Geluidsdruk gevel maximaal 48 dB(A)")
    )
    assert labels(store) == [Literal("Geluidsdruk gevel maximaal 48 dB(A)", lang="nl")]


def test_an_update_past_its_time_limit_is_refused_and_the_next_write_works(
    tmp_path: Path,
) -> None:
    # The engine cannot stop an update: it runs out in the background while the write
    # lock is free again, and the copy it changes is replaced by a new one.
    store, settings = demo_store(tmp_path, update_timeout_s=0.3)
    geluid, model = f"{BASE}/graph/geluid", "https://data.krb.nl/def/krb"
    slow = f"""DELETE {{ GRAPH <{geluid}> {{ ?a <http://example.org/none> ?c }} }}
        WHERE {{ GRAPH <{geluid}> {{ ?a ?p ?o }} GRAPH <{model}> {{ ?b ?q ?c }}
                 GRAPH <{BASE}/graph/gezondheid> {{ ?d ?r ?e }}
                 FILTER (STRLEN(CONCAT(STR(?o), STR(?c), STR(?e))) = 123456789) }}"""
    quick = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        INSERT DATA {{ GRAPH <{geluid}> {{
          <{BASE}/id/beleidsnorm/GEL-N01> rdfs:comment "na de trage update"@nl }} }}"""
    with store, served(store, settings) as url:
        before = snapshot(store, tmp_path)
        started = time.monotonic()
        refused = post_update(url, slow, AUTH)
        assert refused.status_code == 503, refused.text
        assert "time limit of updates" in refused.json()["detail"]
        assert time.monotonic() - started < 10  # not the whole join's time
        assert same_content(before, snapshot(store, tmp_path))
        deadline = time.monotonic() + 60
        while True:  # while the slow one runs out, further updates wait their turn
            answer = post_update(url, quick, AUTH)
            if answer.status_code != 503 or time.monotonic() > deadline:
                break
            assert "still being stopped" in answer.json()["detail"]
            assert answer.headers["Retry-After"]
            time.sleep(0.2)
        assert answer.status_code == 204, answer.text
        after = set(snapshot(store, tmp_path)) - set(before)
    assert any("na de trage update" in line for line in after)


def test_a_graph_emptied_or_refused_is_no_graph_to_the_next_update(
    demo: tuple[str, Store, Settings],
) -> None:
    """The service's copy of the store kept a named graph after its last triple went (or
    after a refused write into a new graph was undone): MOVE of it answered 204 and
    emptied the target, where the same MOVE of a graph that never held anything is 400
    (docs/web.md), and is 400 again after a restart."""
    url, store, _ = demo
    src, dst, new = (f"{BASE}/graph/leeg-{name}" for name in ("bron", "doel", "nieuw"))
    fact = f"<{BASE}/id/iets> <http://www.w3.org/2000/01/rdf-schema#comment> "
    for graph, text in ((src, '"weg"'), (dst, '"blijft"')):
        written = post_update(url, f"INSERT DATA {{ GRAPH <{graph}> {{ {fact} {text} }} }}", AUTH)
        assert written.status_code == 204, written.text
    emptied = post_update(url, f'DELETE DATA {{ GRAPH <{src}> {{ {fact} "weg" }} }}', AUTH)
    assert emptied.status_code == 204, emptied.text
    moved = post_update(url, f"MOVE <{src}> TO <{dst}>", AUTH)
    assert moved.status_code == 400, moved.text
    assert len(store.read_graph(dst)) == 1
    assert post_update(url, f"DROP GRAPH <{src}>", AUTH).status_code == 400
    refused = post_update(url, INVALID.replace(f"<{GELUID}>", f"<{new}>"), AUTH)
    assert refused.status_code == 422
    assert post_update(url, f"MOVE <{new}> TO <{dst}>", AUTH).status_code == 400
    assert len(store.read_graph(dst)) == 1
    # A graph that holds triples still moves, and its target is what it held.
    assert post_update(url, f"MOVE <{dst}> TO <{src}>", AUTH).status_code == 204
    assert len(store.read_graph(src)) == 1 and len(store.read_graph(dst)) == 0
    assert post_update(url, f"DROP GRAPH <{src}>", AUTH).status_code == 204


def test_operations_of_one_request_see_the_graphs_the_ones_before_emptied(
    demo: tuple[str, Store, Settings],
) -> None:
    """Sent in one request, DELETE DATA of a graph's last triple and a MOVE of that graph
    emptied the target (the engine keeps the empty graph until the update ends); it is
    refused as the same two operations sent one by one are, and nothing is written."""
    url, store, _ = demo
    src, dst = (f"{BASE}/graph/een-verzoek-{name}" for name in ("bron", "doel"))
    fact = f"<{BASE}/id/iets> rdfs:comment"
    prefix = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    for graph, text in ((src, '"weg"'), (dst, '"blijft"')):
        written = post_update(
            url, f"{prefix}INSERT DATA {{ GRAPH <{graph}> {{ {fact} {text} }} }}", AUTH
        )
        assert written.status_code == 204, written.text
    both = f'{prefix}DELETE DATA {{ GRAPH <{src}> {{ {fact} "weg" }} }} ;\nMOVE <{src}> TO <{dst}>'
    refused = post_update(url, both, AUTH)
    assert refused.status_code == 400, refused.text
    assert len(store.read_graph(src)) == 1 and len(store.read_graph(dst)) == 1
    # Operations that need no graph gone still run in one request, prologue and all.
    moved = post_update(
        url,
        f'{prefix}INSERT DATA {{ GRAPH <{src}> {{ {fact} "ook" }} }} ;\nMOVE <{src}> TO <{dst}>',
        AUTH,
    )
    assert moved.status_code == 204, moved.text
    assert len(store.read_graph(src)) == 0 and len(store.read_graph(dst)) == 2
    assert post_update(url, f"DROP GRAPH <{dst}>", AUTH).status_code == 204
