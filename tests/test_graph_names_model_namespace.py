"""No write fills a graph named in the model's namespace (https://data.krb.nl/def/).

The write history names the default graph ``krb:standaardgraaf``: a named graph of that
IRI was recorded as the default graph, and any graph under the model's namespace reads
as part of the model. Every way of writing refuses to put triples into one (the service
with 403), saying where to name it instead; a graph of such a name that an older release
let in can still be listed, emptied and dropped, so its data is never stuck.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from rdflib import Graph
from test_pages_fixtures import BASE, Registry, build_registry
from test_sparql_support import TOKEN

from krbgraph.dropping import drop_data_graph
from krbgraph.excel.template import write_template
from krbgraph.excel.workbook_format import SHEETS_BY_NAME
from krbgraph.loading import load_paths, plan_load
from krbgraph.measurements.importing import import_measurements
from krbgraph.registry import ReservedGraphRefused

RESERVED = [
    "https://data.krb.nl/def/krb#standaardgraaf",
    "https://data.krb.nl/def/mijn-data",
]
KEPT = "https://data.krb.nl/def/oude-gegevens"
TRIPLE = f"<{BASE}/id/beleidsthema/x> <http://www.w3.org/2000/01/rdf-schema#label> 'x' ."


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """The demo, and a data graph in the model's namespace written past the checks."""
    extra = {KEPT: f"<{BASE}/id/x> <http://www.w3.org/2000/01/rdf-schema#comment> 'oud' ."}
    return build_registry(tmp_path_factory.mktemp("reserved"), extra)


@pytest.fixture(scope="module")
def client(registry: Registry) -> Iterator[TestClient]:
    with TestClient(registry.app, headers={"Authorization": f"Bearer {TOKEN}"}) as test_client:
        yield test_client


def _graphs(registry: Registry) -> list[str]:
    return sorted(info.iri for info in registry.store.graphs())


@pytest.mark.parametrize("graph", RESERVED)
def test_no_http_write_fills_it(client: TestClient, registry: Registry, graph: str) -> None:
    before = _graphs(registry)
    for method in ("PUT", "POST"):
        answer = client.request(
            method,
            "/store",
            params={"graph": graph},
            content=TRIPLE,
            headers={"Content-Type": "text/turtle"},
        )
        assert answer.status_code == 403, (method, answer.text)
        assert "namespace" in answer.json()["detail"] or graph == RESERVED[0]
    update = client.post(
        "/sparql",
        content=f"INSERT DATA {{ GRAPH <{graph}> {{ {TRIPLE} }} }}",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert update.status_code == 403, update.text
    assert "base IRI" in update.json()["detail"] or graph == RESERVED[0]
    assert _graphs(registry) == before


def test_a_workbook_upload_may_not_fill_it(
    client: TestClient, registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "thema.xlsx"
    write_template(path)
    before = _graphs(registry)
    answer = client.post(
        "/api/import/excel",
        params={"graph": RESERVED[1]},
        files={"file": ("thema.xlsx", io.BytesIO(path.read_bytes()))},
    )
    assert answer.status_code == 403, answer.text
    assert "naamruimte van het KRB-model" in answer.json()["detail"]
    assert _graphs(registry) == before


def test_a_workbook_upload_may_not_fill_it_by_its_measurements_graph(
    client: TestClient, registry: Registry, tmp_path: Path
) -> None:
    """A target just outside the namespace ("https://data.krb.nl/def") whose sheet
    metingen fills "{target}/metingen", inside it."""
    path = tmp_path / "metingen.xlsx"
    write_template(path)
    book = load_workbook(path)
    row = {"indicator": "GEL-I01", "gebied": "parkstraat", "jaar": 2019, "waarde": 41.3,
           "eenheid": "dB(A)", "bron": "https://meetnet.example/geluid"}  # fmt: skip
    book["metingen"].append([row.get(name) for name in SHEETS_BY_NAME["metingen"].names])
    book.save(path)
    before = _graphs(registry)
    answer = client.post(
        "/api/import/excel",
        params={"graph": "https://data.krb.nl/def"},
        files={"file": ("metingen.xlsx", io.BytesIO(path.read_bytes()))},
    )
    assert answer.status_code == 403, answer.text
    assert "https://data.krb.nl/def/metingen" in answer.json()["detail"]
    assert _graphs(registry) == before


def test_a_graph_named_as_the_historys_default_graph_is_not_changed_over_http(
    client: TestClient, registry: Registry
) -> None:
    """Dropped over HTTP, a named graph krb:standaardgraaf was recorded in the history
    as a change of the default graph."""
    standaard = RESERVED[0]
    registry.store.add_to_graph(standaard, Graph().parse(data=TRIPLE, format="turtle"))
    try:
        assert client.delete("/store", params={"graph": standaard}).status_code == 403
        emptied = client.post(
            "/sparql",
            content=f"DELETE WHERE {{ GRAPH <{standaard}> {{ ?s ?p ?o }} }}",
            headers={"Content-Type": "application/sparql-update"},
        )
        assert emptied.status_code == 403, emptied.text
        assert "krb drop" in emptied.json()["detail"]
        assert standaard in _graphs(registry)
    finally:
        assert drop_data_graph(registry.store, standaard) == 1  # the command line's way
    assert standaard not in _graphs(registry)


def test_load_and_a_measurement_import_refuse_it(registry: Registry, tmp_path: Path) -> None:
    data = tmp_path / "thema.ttl"
    data.write_text(TRIPLE.replace("'x'", '"x"'), encoding="utf-8")
    with pytest.raises(ReservedGraphRefused, match="nothing was written"):
        plan_load([data], base_iri=BASE, graph=RESERVED[1])
    with pytest.raises(ReservedGraphRefused, match="stands for the default graph"):
        load_paths(registry.store, [data], base_iri=BASE, graph=RESERVED[0])
    csv = tmp_path / "metingen.csv"
    csv.write_text("indicator,gebied,waarde,eenheid,van,tot\n", encoding="utf-8")
    with pytest.raises(ReservedGraphRefused):
        import_measurements(registry.store, csv, base_iri=BASE, graph=RESERVED[1])
    assert not any(g in RESERVED for g in _graphs(registry))


def test_such_a_graph_written_earlier_can_still_be_emptied_and_dropped(
    client: TestClient, registry: Registry
) -> None:
    """A release that let such a graph in left it stuck: every removal was refused as a
    write to "a graph of the KRB model", which it is not."""
    assert KEPT in _graphs(registry)
    removed = client.post(
        "/sparql",
        content=f"DELETE WHERE {{ GRAPH <{KEPT}> {{ ?s ?p ?o }} }}",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert removed.status_code == 204, removed.text
    assert KEPT not in _graphs(registry)
    registry.store.add_to_graph(KEPT, Graph().parse(data=TRIPLE, format="turtle"))
    assert client.delete("/store", params={"graph": KEPT}).status_code == 204
    assert KEPT not in _graphs(registry)
    registry.store.add_to_graph(KEPT, Graph().parse(data=TRIPLE, format="turtle"))
    assert drop_data_graph(registry.store, KEPT) == 1
    assert KEPT not in _graphs(registry)
