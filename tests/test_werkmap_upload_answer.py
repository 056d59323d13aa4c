"""What an upload on /werkmap answers, in-process, on the registry `krb serve --demo`
serves (the page's script in a real browser: test_werkmap_browser).

A. The answer names the measurements graph the sheet metingen replaced, with what it
   holds now and held before (an emptied sheet emptied it: that is to be seen), and
   says when the policy graph did not change at all. It said only "ingeladen in graaf
   …: 20 triples; de vorige inhoud van die graaf is vervangen".
B. A bad row on the sheet metingen hid every problem of the policy sheets the shapes
   find (docs/excel.md: all checks in one run).
C. The demo registry is kept in fourteen graphs, so its whole download cannot come back
   in one upload: the page offers one graph to download and upload into, every graph it
   offers comes back unchanged, and the advice to work graph by graph names the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from html import unescape
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from rdflib import URIRef
from test_sparql_support import AUTH, BASE
from test_werkmap_support import served_demo, workbook

from krbgraph.excel.importing import ImportFailed, import_workbook
from krbgraph.excel.metingen_sheet import measurement_graph_iri
from krbgraph.store import Store
from krbgraph.web.app import create_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEMO_GRAPHS = [
    f"{BASE}/graph/{name}"
    for name in (
        "circulaire-economie",
        "energietransitie",
        "gebieden",
        "geluid",
        "gezondheid",
        "groen",
        "hoogbouw",
        "kaders-rijk-provincie",
        "klimaatadaptatie",
        "leefomgeving-lokaal",
        "omgevingsplan",
        "organisatie",
        "thema",
        "torenflat",
    )
]
"""The graphs of examples/demo, one per file: each holds things of the workbook's sheets."""

NOT_OFFERED = [f"{BASE}/graph/{name}" for name in ("databronnen", "gerealiseerde-effecten")]
"""Research graphs (examples/onderzoek) holding what no workbook sheet describes."""

MEASUREMENTS = f"{BASE}/graph/metingen"
"""The demo's measurements, loaded from Turtle: no workbook's policy graph."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store]]:
    store, settings = served_demo(tmp_path_factory.mktemp("werkmap-answer"))
    try:
        with TestClient(create_app(settings, store=store)) as client:
            yield client, store
    finally:
        store.close()


def _upload(client: TestClient, path: Path, graph: str | None = None) -> dict[str, object]:
    response = client.post(
        "/api/import/excel",
        params={"graph": graph} if graph else {},
        files={"file": (path.name, path.read_bytes(), XLSX)},
        headers=AUTH,
    )
    assert response.status_code in (200, 422), response.text
    answer: dict[str, object] = response.json()
    return answer


def _observations(store: Store, graph: str) -> int:
    sosa = "http://www.w3.org/ns/sosa/"
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?m a <{sosa}Observation> }} }}"
    rows = store.query(query, bindings={"g": URIRef(graph)}).rows
    return int(str(rows[0][0]))


# A. The measurements graph and whether the policy graph changed


def test_the_answer_says_what_the_measurements_graph_holds_now_and_held_before(
    demo: tuple[TestClient, Store], tmp_path: Path
) -> None:
    client, store = demo
    graph = f"{BASE}/graph/excel/proefmetingen"
    measured = measurement_graph_iri(graph)

    first = _upload(client, workbook(tmp_path / "1" / "proefmetingen.xlsx", [2023, 2024]))
    assert (first["graph"], first["replaced"], first["changed"]) == (graph, False, True)
    assert first["measurements"] == {"graph": measured, "count": 2, "before": 0}

    # The same policy, a third measurement: the policy graph is the same as it was.
    again = _upload(client, workbook(tmp_path / "2" / "proefmetingen.xlsx", [2023, 2024, 2025]))
    assert (again["replaced"], again["changed"]) == (True, False)
    assert again["measurements"] == {"graph": measured, "count": 3, "before": 2}
    assert _observations(store, measured) == 3

    # The sheet emptied: so is the graph, and the answer says what went.
    emptied = _upload(client, workbook(tmp_path / "3" / "proefmetingen.xlsx", []))
    assert emptied["changed"] is False
    assert emptied["measurements"] == {"graph": measured, "count": 0, "before": 3}
    assert _observations(store, measured) == 0

    # A workbook without the sheet metingen leaves that graph alone, and says nothing of it.
    path = workbook(tmp_path / "4" / "proefmetingen.xlsx", [2020])
    book = load_workbook(path)
    del book["metingen"]
    book.save(path)
    without = _upload(client, path)
    assert (without["changed"], without["measurements"]) == (False, None)


def test_the_openapi_description_documents_the_answer(demo: tuple[TestClient, Store]) -> None:
    client, _ = demo
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    answer = schemas["ImportResult"]["properties"]
    assert "measurements" in answer and "changed" in answer
    assert "sheet metingen" in answer["measurements"]["description"]
    assert "nothing in it changed" in answer["changed"]["description"]
    measured = schemas["MeasurementsGraph"]["properties"]
    assert set(measured) == {"graph", "count", "before"}
    assert all(field["description"] for field in measured.values())


def test_the_command_line_report_counts_the_measurements_before_too(
    model_store: Store, tmp_path: Path
) -> None:
    """The whole-registry validation of the command line, the other way to the write."""
    first = import_workbook(model_store, workbook(tmp_path / "a" / "w.xlsx", [2020]), base_iri=BASE)
    assert (first.measurements, first.before) == (1, 0)
    emptied = import_workbook(model_store, workbook(tmp_path / "b" / "w.xlsx", []), base_iri=BASE)
    assert (emptied.measurement_graph, emptied.measurements, emptied.before) == (
        measurement_graph_iri(first.graph),
        0,
        1,
    )


# B. Every problem in one run


def _places(answer: dict[str, object]) -> set[tuple[object, ...]]:
    problems = answer["problems"]
    assert isinstance(problems, list)
    return {(p["sheet"], p["column"]) for p in problems if p["severity"] == "fout" and p["sheet"]}


def test_a_bad_measurement_row_hides_no_problem_of_the_policy_sheets(
    demo: tuple[TestClient, Store], tmp_path: Path
) -> None:
    client, store = demo
    graphs = {info.iri for info in store.graphs()}
    path = workbook(tmp_path / "kring.xlsx", [2024], number=2, cycle=True, unknown_indicator=True)
    both = _upload(client, path)
    assert {("werkingsgebieden", "ligt_in"), ("metingen", "indicator")} <= _places(both)
    assert {info.iri for info in store.graphs()} == graphs  # nothing written
    # The cycle alone gives the same finding: the measurement row did not change it.
    path = workbook(tmp_path / "alleen-kring" / "kring.xlsx", [], number=2, cycle=True)
    cycle = _upload(client, path)
    assert _places(cycle) == {("werkingsgebieden", "ligt_in")}
    # Its theme list (a concept scheme) is the demo's too, in graph thema: no sign that
    # the workbook was imported before, so no "likely cause" leads the problems.
    assert isinstance(cycle["problems"], list)
    assert not any("staan al in" in p["message_nl"] for p in cycle["problems"])
    # A bad row alone: its problem, no more (the shapes find nothing, so no likely cause).
    path = workbook(tmp_path / "rij" / "kring.xlsx", [2024], number=2, unknown_indicator=True)
    row = _upload(client, path)
    problems = row["problems"]
    assert isinstance(problems, list)
    errors = [(p["sheet"], p["row"], p["column"]) for p in problems if p["severity"] == "fout"]
    assert errors == [("metingen", 3, "indicator")]  # the shapes' warnings besides
    assert not any("staan al in" in p["message_nl"] for p in problems)  # no "likely cause"
    assert {info.iri for info in store.graphs()} == graphs


def test_on_the_command_line_too(model_store: Store, tmp_path: Path) -> None:
    path = workbook(tmp_path / "kring.xlsx", [2024], cycle=True, unknown_indicator=True)
    with pytest.raises(ImportFailed) as failed:
        import_workbook(model_store, path, base_iri=BASE)
    errors = {(p.sheet, p.column) for p in failed.value.problems if p.is_error}
    assert {("werkingsgebieden", "ligt_in"), ("metingen", "indicator")} <= errors
    assert not model_store.query(
        "ASK { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), '/graph/excel/')) }"
    ).boolean


# C. One graph to download and upload into


def _options(html: str) -> list[str]:
    select = re.search(r'<select id="werkmap-graaf".*?</select>', html, re.S)
    assert select, "the page offers no graph choice"
    return [unescape(value) for value in re.findall(r'<option value="([^"]*)"', select.group(0))]


def test_the_page_offers_the_graphs_a_workbook_can_hold(demo: tuple[TestClient, Store]) -> None:
    client, store = demo
    held = {info.iri for info in store.graphs()}
    assert set(DEMO_GRAPHS + NOT_OFFERED + [MEASUREMENTS]) <= held
    offered = _options(client.get("/werkmap").text)
    assert offered[0] == ""  # no choice first: the whole registry, the file's graph
    assert [g for g in offered[1:] if "/graph/excel/" not in g] == DEMO_GRAPHS


def test_a_chosen_graph_sets_the_download_and_the_upload(demo: tuple[TestClient, Store]) -> None:
    client, _ = demo
    geluid = f"{BASE}/graph/geluid"
    html = client.get("/werkmap", params={"graaf": geluid}).text
    assert re.search(r'<option value="[^"]*geluid" selected>', html)
    link = re.search(r'<a id="werkmap-export" href="([^"]*)"', html)
    assert link and unescape(link.group(1)) == "/api/export/excel?" + urlencode({"graph": geluid})
    assert re.search(rf"Inladen in:\s+graaf {re.escape(geluid)}</p>", html.replace("<wbr>", ""))
    answer = client.get("/werkmap", params={"graaf": MEASUREMENTS})
    unknown = answer.text
    assert answer.status_code == 404
    assert "staat niet in deze lijst" in unknown
    assert 'href="/api/export/excel" ' in unknown  # the whole registry, as without a choice
    markup = client.get("/werkmap", params={"graaf": "<b>x</b>"}).text
    assert "&lt;b&gt;x&lt;/<wbr>b&gt;" in markup and "<b>x" not in markup
    for control in ("\x00", f"{geluid}\r\nX: y", "\x7f"):
        refused = client.get("/werkmap", params={"graaf": control})
        assert refused.status_code == 400
        assert "stuurteken" in refused.text and control not in refused.text


def test_every_graph_offered_comes_back_unchanged(demo: tuple[TestClient, Store]) -> None:
    client, _ = demo
    for graph in DEMO_GRAPHS:
        download = client.get("/api/export/excel", params={"graph": graph})
        assert download.status_code == 200
        response = client.post(
            "/api/import/excel",
            params={"graph": graph},
            files={"file": ("krb-export.xlsx", download.content, XLSX)},
            headers=AUTH,
        )
        assert response.status_code == 200, (graph, response.text[:2000])
        answer = response.json()
        assert (answer["graph"], answer["replaced"], answer["changed"]) == (graph, True, False)
        assert (answer["added"], answer["removed"]) == (0, 0), graph


def test_the_answer_counts_what_an_upload_changed(demo: tuple[TestClient, Store]) -> None:
    """One value edited in a downloaded graph: the answer says one triple went and one
    came, where it said only that the graph was replaced."""
    client, store = demo
    graph = f"{BASE}/graph/geluid"
    download = client.get("/api/export/excel", params={"graph": graph})
    book = load_workbook(BytesIO(download.content))
    sheet = book["beleidsnorm"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("code")].value)
    old = row[header.index("waarde")].value
    row[header.index("waarde")].value = str(Decimal(str(old)) + 1)
    edited = BytesIO()
    book.save(edited)
    before = set(store.read_graph(graph))
    response = client.post(
        "/api/import/excel",
        params={"graph": graph},
        files={"file": ("geluid.xlsx", edited.getvalue(), XLSX)},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text[:2000]
    answer = response.json()
    after = set(store.read_graph(graph))
    assert answer["changed"] is True
    assert (answer["added"], answer["removed"]) == (len(after - before), len(before - after))
    assert (answer["added"], answer["removed"]) == (1, 1)
    # Back as it was, for the other tests of the module.
    client.post(
        "/api/import/excel",
        params={"graph": graph},
        files={"file": ("geluid.xlsx", download.content, XLSX)},
        headers=AUTH,
    )


def test_the_advice_to_work_graph_by_graph_names_the_page_when_it_comes_from_the_web(
    demo: tuple[TestClient, Store], tmp_path: Path
) -> None:
    client, store = demo
    whole = tmp_path / "krb-export.xlsx"
    whole.write_bytes(client.get("/api/export/excel").content)
    answer = _upload(client, whole)
    problems = answer["problems"]
    assert isinstance(problems, list)
    lead = problems[0]
    assert "verspreid over" in lead["message_nl"]
    assert "Op de pagina /werkmap: kies bij Graaf één graaf" in lead["message_nl"]
    assert "krb export-excel --graph G" in lead["message_nl"]  # and the command line's way
    assert "On the page /werkmap: choose one graph under Graaf" in lead["message_en"]
    # The shapes' findings of the policy sheets are listed with the sheet metingen's.
    assert {p["sheet"] for p in problems} >= {"metingen", "beleidsnorm"}

    with pytest.raises(ImportFailed) as failed:  # the command line: its own way only
        import_workbook(store, whole, base_iri=BASE)
    assert "krb export-excel --graph G" in failed.value.problems[0].message_nl
    assert "/werkmap" not in failed.value.problems[0].message_nl
