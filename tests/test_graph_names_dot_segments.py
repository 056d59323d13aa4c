"""No write fills a graph whose name has a '.' or '..' path segment.

Every client resolves such a segment away before it asks (RFC 3986 5.2.4), so a graph
``{base}/graph/x/../beleid`` could never be asked for by its name: the service listed
it, and its link opened the graph ``{base}/graph/beleid`` instead. Every way of writing
refuses to put triples into one, saying why (the service with 400); a graph of that
name written earlier (or by hand) can still be emptied and dropped.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from test_pages_fixtures import BASE, Registry, build_registry
from test_sparql_support import TOKEN

from krbgraph.dropping import drop_data_graph
from krbgraph.excel.template import write_template
from krbgraph.loading import GraphNameRefused, load_paths, plan_load
from krbgraph.measurements.importing import import_measurements

DOTTED = [
    f"{BASE}/graph/x/../beleid",
    f"{BASE}/graph/./beleid",
    f"{BASE}/graph/x/..",
    f"{BASE}/graph/x/%2E%2E/beleid",
]
KEPT = f"{BASE}/graph/oud/../kept"
TRIPLE = f"<{BASE}/id/beleidsthema/x> <http://www.w3.org/2000/01/rdf-schema#label> 'x' ."


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """The demo, and a graph named with a dot segment written past the checks (an older
    release, or a hand-made store)."""
    extra = {KEPT: f"<{BASE}/id/x> <http://www.w3.org/2000/01/rdf-schema#comment> 'oud' ."}
    return build_registry(tmp_path_factory.mktemp("dots"), extra)


@pytest.fixture(scope="module")
def client(registry: Registry) -> Iterator[TestClient]:
    with TestClient(registry.app, headers={"Authorization": f"Bearer {TOKEN}"}) as test_client:
        yield test_client


def _graphs(registry: Registry) -> list[str]:
    return sorted(info.iri for info in registry.store.graphs())


@pytest.mark.parametrize("graph", DOTTED)
def test_the_graph_store_refuses_to_fill_it(
    client: TestClient, registry: Registry, graph: str
) -> None:
    before = _graphs(registry)
    for method in ("PUT", "POST"):
        answer = client.request(
            method,
            "/store",
            params={"graph": graph},
            content=TRIPLE,
            headers={"Content-Type": "text/turtle"},
        )
        assert answer.status_code == 400, (method, answer.text)
        assert "'.' or '..'" in answer.json()["detail"]
    assert _graphs(registry) == before


@pytest.mark.parametrize(
    "graph",
    [
        f"{BASE}/graph/beleid%2Eversie2",
        f"{BASE}/graph/v1.2",
        f"{BASE}/graph/plan?bron=/../archief",
        f"{BASE}/graph/plan#/./deel",
        "urn:krb:import:%2e%2e",
    ],
)
def test_a_dot_inside_a_segment_or_outside_the_path_is_no_dot_segment(
    client: TestClient, registry: Registry, graph: str
) -> None:
    """Only a path segment '.' or '..' (also escaped) is resolved away by a client."""
    answer = client.put(
        "/store", params={"graph": graph}, content=TRIPLE, headers={"Content-Type": "text/turtle"}
    )
    assert answer.status_code == 201, answer.text
    assert graph in _graphs(registry)
    assert client.delete("/store", params={"graph": graph}).status_code == 204


@pytest.mark.parametrize("graph", DOTTED)
def test_an_update_may_not_fill_it(client: TestClient, registry: Registry, graph: str) -> None:
    before = _graphs(registry)
    answer = client.post(
        "/sparql",
        content=f"INSERT DATA {{ GRAPH <{graph}> {{ {TRIPLE} }} }}",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert answer.status_code == 400, answer.text
    assert graph in answer.json()["detail"]
    assert _graphs(registry) == before


def test_a_workbook_upload_may_not_fill_it(
    client: TestClient, registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "thema.xlsx"
    write_template(path)
    before = _graphs(registry)
    answer = client.post(
        "/api/import/excel",
        params={"graph": DOTTED[0]},
        files={"file": ("thema.xlsx", io.BytesIO(path.read_bytes()))},
    )
    assert answer.status_code == 400, answer.text
    assert "'.' of '..'" in answer.json()["detail"]
    assert _graphs(registry) == before


def test_load_and_a_measurement_import_refuse_it(registry: Registry, tmp_path: Path) -> None:
    data = tmp_path / "thema.ttl"
    data.write_text(TRIPLE.replace("'x'", '"x"'), encoding="utf-8")
    with pytest.raises(GraphNameRefused, match="nothing was written"):
        plan_load([data], base_iri=BASE, graph=DOTTED[0])
    with pytest.raises(GraphNameRefused):
        load_paths(registry.store, [data], base_iri=BASE, graph=DOTTED[1])
    csv = tmp_path / "metingen.csv"
    csv.write_text("indicator,gebied,waarde,eenheid,van,tot\n", encoding="utf-8")
    with pytest.raises(GraphNameRefused):
        import_measurements(registry.store, csv, base_iri=BASE, graph=DOTTED[0])
    assert not any(g in DOTTED for g in _graphs(registry))


def test_such_a_graph_written_earlier_can_still_be_emptied_and_dropped(
    client: TestClient, registry: Registry
) -> None:
    assert KEPT in _graphs(registry)
    removed = client.post(
        "/sparql",
        content=f"DELETE WHERE {{ GRAPH <{KEPT}> {{ ?s ?p ?o }} }}",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert removed.status_code == 204, removed.text
    assert KEPT not in _graphs(registry)
    registry.store.add_to_graph(KEPT, Graph().parse(data=TRIPLE, format="turtle"))
    assert drop_data_graph(registry.store, KEPT) == 1
    assert KEPT not in _graphs(registry)
