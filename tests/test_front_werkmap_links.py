"""The workbook upload's answer links to the registry: a problem's row to the thing it
describes (or to its class's list when the registry has no such thing), a loaded
workbook's content per class to the class lists.

The workbooks are the page's own template filled in with openpyxl, as a policy
officer would in Excel; the registry is the demo, with a write token. The last
test sends them through the page in a real browser, where the script shows the links.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from live_server import live_server
from openpyxl import load_workbook
from rdflib import URIRef
from test_browser_pages import CHROMEDRIVER, CHROMIUM, Browser, browser  # noqa: F401
from test_pages_fixtures import BASE, Registry, build_registry
from test_sparql_support import AUTH

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KRB = "https://data.krb.nl/def/krb#"
KNOWN_NORM = "GEL-N01"
"""A norm of the demo registry; its row in the workbook below is the bad one."""
NEW_NORM = "NIEUW-N99"
NEW_AREAS = [
    ("Testdorp", "gemeente", None, "GM8888"),
    ("Testwijk Noord", "wijk", "Testdorp", "WK888801"),
    ("Testwijk Zuid", "wijk", "Testdorp", "WK888802"),
]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_registry(tmp_path_factory.mktemp("werkmap-links"))
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def template(client: TestClient) -> bytes:
    response = client.get("/werkmap/sjabloon.xlsx")
    assert response.status_code == 200
    return response.content


def _filled(template: bytes, sheet: str, rows: list[dict[str, object]]) -> bytes:
    """The template with ``rows`` (column name -> value) appended to ``sheet``."""
    book = load_workbook(io.BytesIO(template))
    ws = book[sheet]
    header = [cell.value for cell in ws[1]]
    for values in rows:
        ws.append([values.get(str(name)) for name in header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _broken(template: bytes) -> bytes:
    """Two norms whose indicator and document the workbook lacks: the registry's
    GEL-N01 (row 2) and a new one (row 3)."""
    row = {"indicator": "GEL-BESTAAT-NIET", "document": "DOC-BESTAAT-NIET"}
    row |= {"operator": "maximaal", "waarde": "48", "eenheid": "dB(A)"}
    return _filled(template, "beleidsnorm", [row | {"code": KNOWN_NORM}, row | {"code": NEW_NORM}])


def _upload(client: TestClient, content: bytes, name: str):
    files = {"file": (name, content, XLSX)}
    return client.post("/api/import/excel", files=files, headers=AUTH)


def _exists(registry: Registry, iri: str) -> bool:
    answer = registry.store.query(f"ASK {{ <{iri}> ?p ?o }}")
    return bool(answer.boolean)


def _graphs(registry: Registry) -> dict[str, int]:
    return {g.iri: g.triples for g in registry.store.graphs()}


def test_a_bad_row_links_to_its_resource_or_to_the_class_list(
    client: TestClient, registry: Registry, template: bytes
) -> None:
    known = f"{BASE.rstrip('/')}/id/beleidsnorm/{KNOWN_NORM}"
    assert _exists(registry, known)
    assert not _exists(registry, f"{BASE.rstrip('/')}/id/beleidsnorm/{NEW_NORM}")
    before = _graphs(registry)
    response = _upload(client, _broken(template), "kapot.xlsx")
    assert response.status_code == 422, response.text
    assert _graphs(registry) == before
    problems = response.json()["problems"]
    by_row: dict[int, list[dict[str, object]]] = {}
    for problem in problems:
        if problem["sheet"] == "beleidsnorm":
            by_row.setdefault(int(problem["row"]), []).append(problem)
    assert set(by_row) == {2, 3}, problems
    assert any(p["value"] == "GEL-BESTAAT-NIET" for p in by_row[2])
    assert {(p["href"], p["link_text"]) for p in by_row[2]} == {
        (f"/id/beleidsnorm/{KNOWN_NORM}", KNOWN_NORM)
    }
    page = client.get(f"/id/beleidsnorm/{KNOWN_NORM}")
    assert page.status_code == 200 and KNOWN_NORM in page.text
    norm_list = "/lijst?klasse=" + quote(KRB + "Beleidsnorm", safe="")
    assert {(p["href"], p["link_text"]) for p in by_row[3]} == {(norm_list, "Beleidsnormen")}
    assert client.get(norm_list).status_code == 200


def test_a_loaded_workbook_counts_its_things_per_class_with_their_lists(
    client: TestClient, registry: Registry, template: bytes
) -> None:
    columns = ("naam", "soort", "ligt_in", "code")
    rows = [dict(zip(columns, area, strict=True)) for area in NEW_AREAS]
    response = _upload(client, _filled(template, "werkingsgebieden", rows), "testgebieden.xlsx")
    assert response.status_code == 200, response.text
    body = response.json()
    counted = registry.store.query(
        "SELECT ?klasse (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?klasse } }"
        " GROUP BY ?klasse",
        bindings={"g": URIRef(body["graph"])},
    ).rows
    assert {str(k): int(n) for k, n in counted} == {KRB + "Werkingsgebied": len(NEW_AREAS)}
    assert [(c["klasse"], c["count"]) for c in body["classes"]] == [
        (KRB + "Werkingsgebied", len(NEW_AREAS))
    ]
    listed = client.get(body["classes"][0]["href"])
    assert body["classes"][0]["href"].startswith("/lijst?klasse=")
    assert listed.status_code == 200
    assert all(name in listed.text for name, *_ in NEW_AREAS)


def test_the_result_table_has_a_column_for_the_links(client: TestClient) -> None:
    html = client.get("/werkmap").text
    assert '<th scope="col">In het register</th>' in html
    assert 'id="werkmap-klassen"' in html


@pytest.fixture(scope="module")
def site(registry: Registry) -> Iterator[str]:
    with live_server(registry.app) as url:
        yield url


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason="needs chromium")
def test_the_page_shows_the_links_in_a_browser(
    browser: Browser,  # noqa: F811
    site: str,
    template: bytes,
    tmp_path: Path,
) -> None:
    from test_browser_pages import _upload_in_page, _wait_text
    from test_sparql_support import TOKEN

    broken = tmp_path / "kapot.xlsx"
    broken.write_bytes(_broken(template))
    _upload_in_page(browser, site, broken, TOKEN)
    assert "niet ingeladen" in _wait_text(browser, "#werkmap-melding.fout")
    links = browser.script(
        "return Array.from(document.querySelectorAll('#werkmap-problemen tbody tr'))"
        ".map(tr => { const a = tr.cells[tr.cells.length - 1].querySelector('a');"
        " return [tr.cells[2].textContent, a && a.getAttribute('href')]; })"
    )
    assert ["2", f"/id/beleidsnorm/{KNOWN_NORM}"] in links, links
    columns = ("naam", "soort", "ligt_in", "code")
    rows = [dict(zip(columns, area, strict=True)) for area in NEW_AREAS]
    good = tmp_path / "testgebieden.xlsx"  # the graph of the test above, replaced
    good.write_bytes(_filled(template, "werkingsgebieden", rows))
    _upload_in_page(browser, site, good, TOKEN)
    assert "triples" in _wait_text(browser, "#werkmap-melding.ok")
    items = browser.script(
        "return Array.from(document.querySelectorAll('#werkmap-klassen li'))"
        ".map(li => [li.textContent, li.querySelector('a').getAttribute('href')])"
    )
    expected_href = "/lijst?klasse=" + quote(KRB + "Werkingsgebied", safe="")
    assert [item[1] for item in items] == [expected_href], items
    assert items[0][0].endswith(f": {len(NEW_AREAS)}")
