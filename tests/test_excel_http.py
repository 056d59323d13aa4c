"""The workbook over HTTP: export, and import behind the bearer token.

Real embedded stores: one with the demo registry to export from, and an empty
one (model only) to import into, as a municipality moving from Excel to the
graph would. The uploaded workbooks are the service's own exports, edited with
openpyxl the way a user would in Excel.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from remote_server import running_oxigraph
from test_pages_fixtures import BASE, Registry, build_registry

from krbgraph.settings import Settings
from krbgraph.store import ensure_model, open_store
from krbgraph.web.aggregates import rewarm
from krbgraph.web.app import create_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AUTH = {"Authorization": "Bearer secret"}


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_registry(tmp_path_factory.mktemp("excel-http"))
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def source(registry: Registry) -> Iterator[TestClient]:
    with TestClient(registry.app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    folder = tmp_path_factory.mktemp("excel-http-empty")
    settings = Settings(store=str(folder / "store"), base_iri=BASE, token="secret")
    store = open_store(settings)
    ensure_model(store)
    yield Registry(create_app(settings, store=store), store, settings)
    store.close()


@pytest.fixture(scope="module")
def client(empty: Registry) -> Iterator[TestClient]:
    with TestClient(empty.app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def exported(source: TestClient) -> bytes:
    response = source.get("/api/export/excel")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    return response.content


def upload(client: TestClient, content: bytes, *, name: str = "beleid.xlsx", **kw):
    files = {"file": (name, content, XLSX)}
    return client.post("/api/import/excel", files=files, **kw)


def graphs(registry: Registry) -> dict[str, int]:
    return {g.iri: g.triples for g in registry.store.graphs()}


def test_export_is_a_workbook_with_the_demo_norms(exported: bytes) -> None:
    book = load_workbook(io.BytesIO(exported))
    codes = {row[0] for row in book["beleidsnorm"].iter_rows(min_row=2, values_only=True)}
    assert {"GEL-N01", "BOU-N01"} <= codes


def test_import_without_token_is_refused_and_writes_nothing(
    client: TestClient, empty: Registry, exported: bytes
) -> None:
    before = graphs(empty)
    response = upload(client, exported)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert graphs(empty) == before


def test_import_with_token_loads_one_graph_and_reimport_replaces_it(
    client: TestClient, empty: Registry, exported: bytes
) -> None:
    target = "https://krb.demogemeente.nl/graph/excel/http-kopie"
    first = upload(client, exported, params={"graph": target}, headers=AUTH)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["graph"] == target and body["triples"] > 500 and body["replaced"] is False
    again = upload(client, exported, params={"graph": target}, headers=AUTH)
    assert again.status_code == 200 and again.json()["replaced"] is True
    assert graphs(empty)[target] == body["triples"]
    norms = client.get("/api/imbor/Asfaltverharding/normen")
    assert norms.status_code == 200 and "GEL-N01" in norms.text


def test_workbook_problems_are_422_with_their_cell_and_nothing_is_written(
    client: TestClient, empty: Registry, exported: bytes
) -> None:
    book = load_workbook(io.BytesIO(exported))
    sheet = book["beleidsnorm"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("indicator") + 1, value="GEL-BESTAAT-NIET")
    broken = io.BytesIO()
    book.save(broken)
    before = graphs(empty)
    response = upload(client, broken.getvalue(), name="kapot.xlsx", headers=AUTH)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert any(
        p["sheet"] == "beleidsnorm"
        and p["row"] == 2
        and p["column"] == "indicator"
        and "GEL-BESTAAT-NIET" in p["message_nl"]
        for p in problems
    ), problems
    assert graphs(empty) == before


def test_a_file_that_is_not_a_workbook_is_400(client: TestClient) -> None:
    response = upload(client, b"code;naam\nGEL;Geluid\n", name="beleid.csv", headers=AUTH)
    assert response.status_code == 400
    assert "beleid.csv" in response.json()["detail"]


@pytest.mark.parametrize("graph", ["y", ".", "x y", "http://x/\x04"])
def test_a_target_graph_that_is_no_iri_is_400_and_writes_nothing(
    client: TestClient, empty: Registry, exported: bytes, graph: str
) -> None:
    """It was the store's 500 (found by schemathesis)."""
    before = graphs(empty)
    response = upload(client, exported, headers=AUTH, params={"graph": graph})
    assert response.status_code == 400
    assert "not an absolute IRI" in response.json()["detail"]
    assert graphs(empty) == before


def test_a_misspelt_parameter_of_the_excel_routes_is_400_and_writes_nothing(
    client: TestClient, empty: Registry, exported: bytes
) -> None:
    """'grahp=' was ignored: the workbook went to a new graph of its file name beside the
    one meant, and the export gave the whole registry."""
    before = graphs(empty)
    response = upload(client, exported, headers=AUTH, params={"grahp": "https://x.nl/g"})
    assert response.status_code == 400 and "grahp" in response.json()["detail"]
    assert graphs(empty) == before
    export = client.get("/api/export/excel", params={"grph": "https://x.nl/g"})
    assert export.status_code == 400 and "grph" in export.json()["detail"]


def test_export_of_an_unknown_graph_is_404(source: TestClient) -> None:
    response = source.get("/api/export/excel", params={"graph": "https://example.org/none"})
    assert response.status_code == 404
    assert "https://example.org/none" in response.json()["detail"]


_SHARED = re.compile(rb'"inlineStr"><is><t[^>]*>[^<]*</t></is>')


def _with_part(workbook: bytes, part: str, change) -> bytes:
    """The workbook with one zip member rewritten by ``change``."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, change(data) if item.filename == part else data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("part", "change"),
    [
        ("xl/workbook.xml", lambda _: b"<workbook><unclosed>"),
        ("[Content_Types].xml", lambda _: b"not xml"),
        ("xl/styles.xml", lambda _: b"<<<"),
        # A cell pointing into shared strings the workbook does not have (the export
        # writes its strings inline).
        ("xl/worksheets/sheet2.xml", lambda data: _SHARED.sub(b'"s"><v>99999</v>', data, 1)),
    ],
    ids=["workbook part", "content types", "styles", "shared string index"],
)
def test_a_damaged_workbook_is_400_naming_the_file_and_writes_nothing(
    client: TestClient, empty: Registry, exported: bytes, part: str, change
) -> None:
    before = graphs(empty)
    response = upload(client, _with_part(exported, part, change), headers=AUTH)
    assert response.status_code == 400, response.text
    assert "beleid.xlsx" in response.json()["detail"]
    assert graphs(empty) == before


def test_what_a_download_leaves_out_is_that_workbooks_or_409_after_a_write(
    source: TestClient, registry: Registry
) -> None:
    """The page asks what the workbook leaves out after the download: a write in between
    made it list what another registry leaves out."""
    first = source.get("/api/export/excel")
    version = first.headers["X-KRB-Export-Version"]
    said = source.get("/api/export/excel/meldingen", params={"versie": version})
    assert said.status_code == 200
    assert said.json()["total"] == int(first.headers["X-KRB-Export-Warnings"])
    target = "https://krb.demogemeente.nl/graph/excel/versie-proef"
    # A write: that download's list is no longer to be had.
    written = source.put(
        "/store",
        params={"graph": target},
        content=b"<https://krb.demogemeente.nl/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "
        b"'x' .",
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert written.status_code == 201, written.text
    stale = source.get("/api/export/excel/meldingen", params={"versie": version})
    assert stale.status_code == 409
    assert "download the workbook again" in stale.json()["detail"]
    # The service computes again after a write what readers asked for (krb serve's
    # rewarm): the list then is the new registry's, as the next download says.
    rewarm(registry.store)
    again = source.get("/api/export/excel")
    assert again.headers["X-KRB-Export-Version"] != version
    fresh = source.get(
        "/api/export/excel/meldingen", params={"versie": again.headers["X-KRB-Export-Version"]}
    )
    assert fresh.status_code == 200
    assert fresh.json()["total"] == int(again.headers["X-KRB-Export-Warnings"])
    assert fresh.json()["total"] == said.json()["total"] + 1, fresh.json()


@pytest.mark.remote
def test_a_shared_server_gives_no_version_and_the_list_is_the_registry_now(
    tmp_path: Path,
) -> None:
    """Two services on one SPARQL server: every download of one said version 0, a
    write through the other moved nothing, and ``?versie=0`` answered an old list."""
    with (
        running_oxigraph(tmp_path / "remote") as url,
        open_store(Settings(store=url, base_iri=BASE)) as store,
    ):
        ensure_model(store)
        with TestClient(create_app(Settings(store=url, base_iri=BASE), store=store)) as web:
            exported = web.get("/api/export/excel")
            assert exported.status_code == 200
            assert "X-KRB-Export-Version" not in exported.headers
            said = web.get("/api/export/excel/meldingen", params={"versie": 0})
            assert said.status_code == 200
            assert said.json()["total"] == int(exported.headers["X-KRB-Export-Warnings"])
            # Another service writes to the same server: the list is that of the registry
            # now, as the next download says (a kept list disagreed for half a minute).
            with open_store(Settings(store=url, base_iri=BASE)) as other:
                other.update(
                    "INSERT DATA { GRAPH <https://krb.demogemeente.nl/graph/elders> { "
                    "<https://krb.demogemeente.nl/id/x> "
                    "<http://www.w3.org/2000/01/rdf-schema#label> 'x' } }"
                )
            again = web.get("/api/export/excel")
            now = web.get("/api/export/excel/meldingen")
            assert now.json()["total"] == int(again.headers["X-KRB-Export-Warnings"])
            assert now.json()["total"] == said.json()["total"] + 1
