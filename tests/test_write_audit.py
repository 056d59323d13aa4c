"""The audit history records what a write changed: nothing for a write that changes
nothing, and only the triples a Graph Store POST really adds.

A PUT of a graph's own content (or the same workbook imported again) was recorded as a
change of no graph, which the audit shape forbids and which `?graph=` never found; a
POST of a triple the graph already held was counted as added.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_sparql_support import AUTH, demo_store

from krbgraph.web.app import create_app

GRAPH = "https://krb.demogemeente.nl/graph/audit-proef"
ONE = "<https://krb.demogemeente.nl/id/afdeling/a> <http://www.w3.org/2000/01/rdf-schema#label> "
TURTLE = {**AUTH, "Content-Type": "text/turtle"}


@pytest.fixture
def client(tmp_path: Path):
    store, config = demo_store(tmp_path)
    with store, TestClient(create_app(config, store=store)) as test_client:
        yield test_client


def history(client: TestClient) -> list[dict]:
    answer = client.get("/api/history", params={"graph": GRAPH}, headers=AUTH)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_graph_put_again_unchanged_is_not_recorded(client: TestClient) -> None:
    body = f'{ONE}"A"@nl .\n'.encode()
    assert client.put("/store", params={"graph": GRAPH}, content=body, headers=TURTLE).is_success
    first = history(client)
    assert [(r["added"], r["removed"]) for r in first] == [(1, 0)]
    assert client.put("/store", params={"graph": GRAPH}, content=body, headers=TURTLE).is_success
    assert history(client) == first
    everything = client.get("/api/history", headers=AUTH).json()
    assert all(record["graphs"] for record in everything)  # every record names its graph


def test_a_post_counts_only_the_triples_the_graph_lacked(client: TestClient) -> None:
    first = f'{ONE}"A"@nl .\n'.encode()
    assert client.put("/store", params={"graph": GRAPH}, content=first, headers=TURTLE).is_success
    again = client.post("/store", params={"graph": GRAPH}, content=first, headers=TURTLE)
    assert again.is_success, again.text
    assert len(history(client)) == 1  # nothing changed, nothing recorded
    more = f'{ONE}"A"@nl .\n{ONE}"B"@nl .\n'.encode()
    assert client.post("/store", params={"graph": GRAPH}, content=more, headers=TURTLE).is_success
    newest = history(client)[0]
    assert (newest["added"], newest["removed"]) == (1, 0)


def test_a_multipart_upload_is_recorded_by_the_files_it_held(client: TestClient) -> None:
    """The history said "Graph Store POST" for an upload of several files, where a
    workbook's write names the workbook: the record names the files now."""
    files = [
        ("a", ("afdeling-a.ttl", f'{ONE}"A"@nl .\n'.encode(), "text/turtle")),
        ("b", ("afdeling-b.nt", f'{ONE}"B"@nl .\n'.encode(), "application/n-triples")),
    ]
    posted = client.post("/store", params={"graph": GRAPH}, files=files, headers=AUTH)
    assert posted.status_code in (201, 204), posted.text
    [record] = history(client)
    assert record["source"] == "Graph Store POST of afdeling-a.ttl, afdeling-b.nt"
    assert (record["added"], record["removed"]) == (2, 0)


def test_the_history_api_pages_back_by_the_last_change_it_gave(client: TestClient) -> None:
    for letter in "ABCDE":
        body = f'{ONE}"{letter}"@nl .\n'.encode()
        put = client.put("/store", params={"graph": GRAPH}, content=body, headers=TURTLE)
        assert put.is_success, put.text
    whole = [record["change"] for record in history(client)]
    assert len(whole) == 5
    paged: list[str] = []
    params = {"graph": GRAPH, "limit": 2}
    while page := client.get("/api/history", params=params, headers=AUTH).json():
        paged += [record["change"] for record in page]
        params["before_change"] = page[-1]["change"]
    assert paged == whole
    unknown = client.get("/api/history", params={"before_change": f"{GRAPH}#geen"}, headers=AUTH)
    assert unknown.status_code == 400
    assert "no recorded change" in unknown.json()["detail"]
