"""A remote SPARQL server that other processes write too: the service's writes must
still commit what they mean (krbgraph.replica, krbgraph.commit).

A real `oxigraph serve` holds the demo; the service writes it through its API while a
second client writes it directly, as another service or `krb load --store URL` would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_backends import fill_with_demo
from fastapi.testclient import TestClient
from remote_server import running_oxigraph

from krbgraph import labels
from krbgraph.labels import fetch_names
from krbgraph.settings import Settings
from krbgraph.store import Store, open_store
from krbgraph.web import search
from krbgraph.web.app import create_app
from krbgraph.web.search import LabelIndex

pytestmark = pytest.mark.remote

NORM = "https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01"
GRAPH = "https://krb.demogemeente.nl/id/graph/demo"
TOKEN = "geheim-token-voor-de-test"
RENAME = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
DELETE {{ GRAPH ?g {{ <{norm}> rdfs:label ?old }} }}
INSERT {{ GRAPH ?g {{ <{norm}> rdfs:label "{name}"@nl }} }}
WHERE {{ GRAPH ?g {{ <{norm}> rdfs:label ?old FILTER (lang(?old) = "nl") }} }}
"""
NAMES = f"""
SELECT ?name WHERE {{ <{NORM}> <http://www.w3.org/2000/01/rdf-schema#label> ?name
  FILTER (lang(?name) = "nl") }}
"""


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[tuple[TestClient, Store]]:
    """The service on a remote server, and a second client of that server."""
    with running_oxigraph(tmp_path / "server") as url:
        settings = Settings(store=url, token=TOKEN)
        with open_store(settings) as store, open_store(Settings(store=url)) as other:
            fill_with_demo(store)
            with TestClient(create_app(settings, store=store)) as client:
                yield client, other


def _rename(client: TestClient, name: str) -> int:
    answer = client.post(
        "/update",
        content=RENAME.format(norm=NORM, name=name).encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code in (204, 409), answer.text
    return answer.status_code


def _names(store: Store) -> list[str]:
    return sorted(str(row[0]) for row in store.query(NAMES).rows)


def test_a_write_after_an_outside_rename_commits_what_it_means(
    shared: tuple[TestClient, Store],
) -> None:
    """The service's copy still held the first name; its DELETE DATA of that name beside
    INSERT DATA of the new one left the outside name and the service's side by side."""
    client, other = shared
    assert _rename(client, "Eerste naam") == 204
    # Another process replaces the name: the same number of triples.
    other.update(RENAME.format(norm=NORM, name="Naam van elders"))
    status = _rename(client, "Tweede naam")
    if status == 409:  # refused, nothing written; sent again, tried on the store as it is
        assert _names(other) == ["Naam van elders"]
        status = _rename(client, "Tweede naam")
    assert status == 204
    assert _names(other) == ["Tweede naam"]


def test_a_write_after_an_outside_load_is_tried_on_what_the_store_holds(
    shared: tuple[TestClient, Store],
) -> None:
    client, other = shared
    assert _rename(client, "Eerste naam") == 204
    other.update(  # another graph's worth of data, and the name changed with it
        RENAME.format(norm=NORM, name="Naam van elders")
        + f' ; INSERT DATA {{ GRAPH <{GRAPH}-extra> {{ <urn:x> <urn:p> "x" }} }}'
    )
    assert _rename(client, "Tweede naam") == 204  # the copy was made again first
    assert _names(other) == ["Tweede naam"]


def test_names_and_search_follow_an_outside_rename_in_time(
    shared: tuple[TestClient, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names and the search index were kept until the service's own next write: an
    outside rename keeps every graph's size, so they showed the old name for good."""
    client, other = shared
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    index = LabelIndex(check_interval_s=0)
    assert fetch_names(store, [NORM])[NORM] != "Naam van elders"
    assert not index.search(store, "naam van elders")
    other.update(RENAME.format(norm=NORM, name="Naam van elders"))
    monkeypatch.setattr(labels, "SHARED_MAX_AGE_S", 0.0)
    monkeypatch.setattr(search, "SHARED_MAX_AGE_S", 0.0)
    assert fetch_names(store, [NORM]) == {NORM: "Naam van elders"}
    found = [
        hit.entry.iri for group in index.search(store, "naam van elders") for hit in group.hits
    ]
    assert found == [NORM]


PERIOD_END = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
DELETE { GRAPH ?g { ?period dcat:endDate ?end } }
INSERT { GRAPH ?g { ?period dcat:endDate "2031-12-31"^^xsd:date } }
WHERE { GRAPH ?g { <https://krb.demogemeente.nl/id/beleidsnorm/GEL-N02> dct:temporal ?period .
                   ?period dcat:endDate ?end } }
"""


def _post(client: TestClient, update: str) -> int:
    answer = client.post(
        "/update",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code in (204, 409), answer.text
    return answer.status_code


def test_a_write_of_a_blank_node_keeps_an_outside_rename_in_its_graph(
    shared: tuple[TestClient, Store],
) -> None:
    """A change of a period (a blank node) is written as its whole graph from the copy:
    the copy's older name of another norm in that graph overwrote the outside rename."""
    client, other = shared
    assert _rename(client, "Eerste naam") == 204
    other.update(RENAME.format(norm=NORM, name="Naam van elders"))
    if _post(client, PERIOD_END) == 409:
        assert _post(client, PERIOD_END) == 204
    assert _names(other) == ["Naam van elders"]


def test_a_write_to_the_default_graph_after_an_outside_change_commits_what_it_means(
    shared: tuple[TestClient, Store],
) -> None:
    client, other = shared
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    rename = (
        f'DELETE {{ <urn:d> <{label}> ?old }} INSERT {{ <urn:d> <{label}> "{{}}" }} '
        f"WHERE {{ OPTIONAL {{ <urn:d> <{label}> ?old }} }}"
    )
    assert _post(client, rename.replace("{}", "B")) == 204
    other.update(
        f'DELETE DATA {{ <urn:d> <{label}> "B" }} ; INSERT DATA {{ <urn:d> <{label}> "C" }}'
    )
    if _post(client, rename.replace("{}", "D")) == 409:
        assert _post(client, rename.replace("{}", "D")) == 204
    query = f"SELECT ?n WHERE {{ GRAPH ?g {{ <urn:d> <{label}> ?n }} }}"
    default = f"SELECT ?n WHERE {{ <urn:d> <{label}> ?n }}"
    names = {str(r[0]) for r in other.query(default).rows} | {
        str(r[0]) for r in other.query(query).rows
    }
    assert names == {"D"}


SECOND_NAME = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {{ GRAPH <https://krb.demogemeente.nl/graph/elders> {{
  <{NORM}> rdfs:comment "van elders" }} }}
"""
DROP_COMMENTS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
DELETE WHERE {{ GRAPH ?g {{ <{NORM}> rdfs:comment ?c }} }}
"""


def test_a_write_landing_beside_the_services_own_leaves_no_stale_copy(
    shared: tuple[TestClient, Store],
) -> None:
    """Another process writes between the service's check and its commit, so the
    server's graph sizes after the service's write include both. The copy was marked
    current all the same, and a later DELETE WHERE, tried on it, left the other
    process's triple on the server (204)."""
    client, other = shared
    store = client.app.state.store
    original = store.update
    landed: list[bool] = []

    def commit_then_elsewhere(*args: object, **kwargs: object) -> object:
        result = original(*args, **kwargs)
        if not landed:
            landed.append(True)
            other.update(SECOND_NAME)  # the other process's write, just after ours
        return result

    store.update = commit_then_elsewhere
    try:
        assert _rename(client, "Eigen naam") == 204
    finally:
        del store.update
    assert landed
    answer = client.post(
        "/update",
        content=DROP_COMMENTS.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 204, answer.text
    left = other.query(f"ASK {{ <{NORM}> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }}")
    assert not left.boolean
