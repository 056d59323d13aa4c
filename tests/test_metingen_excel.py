"""Sheet ``metingen`` of the workbook: the measurements CSV, as cells, in a graph of its own.

Checked on a real embedded store holding the model and the demo registry, with real
.xlsx files: the demo CSV typed into the sheet gives exactly the demo's measurements;
random rows (numbers, dates and years as Excel types or as text, convertible units)
give the value an independent oracle computes; bad rows are refused at their row and
column with nothing written, the workbook's policy included; and an export read back
gives the same observations.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metingen_store import policy_store_folder
from openpyxl import load_workbook
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from krbgraph.excel.exporting import export_workbook
from krbgraph.excel.importing import ImportFailed, excel_graph_iri, import_workbook
from krbgraph.excel.metingen_sheet import cell_text, measurement_graph_iri, read_measurements
from krbgraph.excel.sheet_rows import SheetRows
from krbgraph.excel.template import write_template
from krbgraph.excel.workbook_format import SHEETS_BY_NAME
from krbgraph.measurements.csvrows import OPTIONAL, REQUIRED, ROW_REQUIRED
from krbgraph.measurements.importing import import_measurements
from krbgraph.model import project_root
from krbgraph.namespaces import SOSA
from krbgraph.replica_slot import ReplicaSlot
from krbgraph.settings import Settings
from krbgraph.store import Store, open_store

BASE = "https://krb.demogemeente.nl"
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
DEMO_CSV = project_root() / "examples" / "onderzoek" / "demo-metingen.csv"
DEMO_TTL = project_root() / "examples" / "onderzoek" / "metingen.ttl"
SHEET = SHEETS_BY_NAME["metingen"]

VALUES = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?m ?waarde ?eenheid WHERE {
  ?m sosa:hasResult [ qudt:numericValue ?waarde ; qudt:hasUnit ?eenheid ] .
}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("metingen-excel")
    # The model and the demo but its measurements (sources stay): a copy (metingen_store).
    with open_store(Settings(store=str(policy_store_folder(folder / "db")))) as handle:
        yield handle


def _canonical(graph: Graph) -> Graph:
    """Decimals by value: Turtle writes 52.0 where the store gives back 52."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def _workbook(path: Path, rows: list[dict[str, object]], *, department: bool = False) -> Path:
    """An empty template with ``rows`` in sheet metingen (and one department: some policy)."""
    write_template(path)
    book = load_workbook(path)
    if department:
        book["afdelingen"].append(["Onderzoek en Statistiek"])
    sheet = book["metingen"]
    for row in rows:
        sheet.append([row.get(column) for column in SHEET.names])
    book.save(path)
    return path


def _demo_rows_as_cells() -> list[dict[str, object]]:
    """The demo CSV as someone types it into Excel: years, dates and values as Excel types."""
    with DEMO_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    cells = []
    for row in rows:
        typed: dict[str, object] = {k: v for k, v in row.items() if v}
        if row["jaar"].isdigit():
            typed["jaar"] = int(row["jaar"])
        for column in ("periode_van", "periode_tot"):
            if row[column]:
                typed[column] = datetime.fromisoformat(row[column])
        if row["eenheid"]:  # else a label: energielabel C stays text
            typed["waarde"] = float(row["waarde"].replace(",", "."))
        cells.append(typed)
    return cells


def test_the_sheet_has_exactly_the_columns_of_the_csv() -> None:
    assert set(SHEET.names) == set(REQUIRED + OPTIONAL)
    assert {c.name for c in SHEET.columns if c.required} == set(ROW_REQUIRED)


def test_the_demo_csv_typed_into_the_sheet_gives_the_demo_measurements_beside_the_policy(
    store: Store, tmp_path: Path
) -> None:
    path = _workbook(tmp_path / "onderzoek.xlsx", _demo_rows_as_cells())
    report = import_workbook(store, path, base_iri=BASE)
    try:
        assert report.graph == excel_graph_iri(BASE, "onderzoek.xlsx")
        assert report.measurement_graph == f"{report.graph}/metingen"
        assert report.measurements == 20
        measured = store.read_graph(report.measurement_graph)
        expected = Graph().parse(DEMO_TTL, format="turtle")
        assert isomorphic(_canonical(measured), _canonical(expected))
        # the policy graph holds no observation: research data stays apart
        policy = store.read_graph(report.graph)
        sosa = URIRef("http://www.w3.org/ns/sosa/Observation")
        assert not any(True for _ in policy.subjects(None, sosa))
    finally:
        store.drop_graph(str(report.measurement_graph))


def test_bad_rows_are_refused_at_their_row_and_column_and_nothing_is_written(
    store: Store, tmp_path: Path
) -> None:
    graphs_before = {info.iri for info in store.graphs()}
    good = {"indicator": "GRO-I01", "gebied": "WK999902", "jaar": 2024, "bron": "cbs-nabijheid"}
    rows: list[dict[str, object]] = [
        {**good, "waarde": 0.55, "eenheid": "km"},  # row 2, fine
        {**good, "indicator": "GRO-I99", "waarde": 0.5, "eenheid": "km"},  # row 3
        {**good, "waarde": "veel", "eenheid": "km"},  # row 4
        {**good, "jaar": 2025, "waarde": 0.4, "eenheid": "dB(A)"},  # row 5
        {**good, "jaar": None, "periode_van": datetime(2025, 2, 1), "periode_tot": "2025-01-01"}
        | {"waarde": 1, "eenheid": "km"},  # row 6
        {**good, "waarde": 0.41, "eenheid": "km"},  # row 7: the same measurement as row 2
    ]
    path = _workbook(tmp_path / "fout.xlsx", rows)
    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, path, base_iri=BASE)
    where = [(p.sheet, p.row, p.column) for p in failed.value.problems if p.is_error]
    assert where == [
        ("metingen", 3, "indicator"),
        ("metingen", 4, "waarde"),
        ("metingen", 5, "eenheid"),
        ("metingen", 6, "periode_tot"),
        ("metingen", 7, None),
    ]
    texts = [p.message_nl for p in failed.value.problems if p.is_error]
    assert "niet om te rekenen naar de eenheid van de indicator, km" in texts[2]
    assert "regel 2" in texts[4]
    assert {info.iri for info in store.graphs()} == graphs_before  # neither graph written


def test_text_that_may_be_dutch_thousands_is_refused_but_an_excel_number_is_not(
    store: Store, tmp_path: Path
) -> None:
    """'1.250' typed as text is 1250 the Dutch way or 1,25 the English way: refused at its
    cell, as the CSV refuses it. The number 1.25 in a number cell is Excel's own: read."""
    good = {"indicator": "GRO-I01", "gebied": "WK999902", "bron": "cbs-nabijheid"}
    rows: list[dict[str, object]] = [
        {**good, "jaar": 2021, "waarde": 1.25, "eenheid": "km"},
        {**good, "jaar": 2022, "waarde": "1.250", "eenheid": "km"},
    ]
    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, _workbook(tmp_path / "duizend.xlsx", rows), base_iri=BASE)
    errors = [p for p in failed.value.problems if p.is_error]
    assert [(p.sheet, p.row, p.column) for p in errors] == [("metingen", 3, "waarde")]
    assert "'1.250' is dubbelzinnig: 1250" in errors[0].message_nl


def test_a_measurement_another_graph_holds_is_refused_naming_that_graph(
    store: Store, tmp_path: Path
) -> None:
    """The same indicator, area and period from the CSV import and from the sheet would
    give one node two results; refused at its row, naming the graph that holds it."""
    path = tmp_path / "eerder.csv"
    path.write_text(
        "indicator;gebied;jaar;periode_van;periode_tot;waarde;eenheid;bron\n"
        "GRO-I01;WK999902;2019;;;0,5;km;cbs-nabijheid\n",
        encoding="utf-8",
    )
    held = import_measurements(store, path, base_iri=BASE)
    try:
        row = {"indicator": "GRO-I01", "gebied": "WK999902", "jaar": 2019}
        rows: list[dict[str, object]] = [
            {**row, "waarde": 0.5, "eenheid": "km", "bron": "cbs-nabijheid"}
        ]
        graphs_before = {info.iri for info in store.graphs()}
        with pytest.raises(ImportFailed) as failed:
            import_workbook(store, _workbook(tmp_path / "dubbel.xlsx", rows), base_iri=BASE)
        errors = [p for p in failed.value.problems if p.is_error]
        assert [(p.sheet, p.row) for p in errors] == [("metingen", 2)]
        assert f"staat al in graaf {held.graph}" in errors[0].message_nl
        assert {info.iri for info in store.graphs()} == graphs_before
    finally:
        store.drop_graph(held.graph)


def test_problems_of_the_policy_sheets_and_of_metingen_are_listed_in_one_run(
    store: Store, tmp_path: Path
) -> None:
    """docs/excel.md: every problem is listed at once. A problem in a policy sheet hid
    those of the sheet metingen until it was fixed: three rounds instead of one."""
    good = {"indicator": "GRO-I01", "gebied": "WK999902", "bron": "cbs-nabijheid"}
    rows: list[dict[str, object]] = [{**good, "jaar": 2021, "waarde": 0.5, "eenheid": "dB(A)"}]
    path = _workbook(tmp_path / "alles.xlsx", rows)
    book = load_workbook(path)
    book["werkingsgebieden"].append(["Nergens", "geen-soort"])  # not a kind of area
    book.save(path)
    graphs_before = {info.iri for info in store.graphs()}
    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, path, base_iri=BASE)
    sheets = {p.sheet for p in failed.value.problems if p.is_error}
    assert {"werkingsgebieden", "metingen"} <= sheets
    assert {info.iri for info in store.graphs()} == graphs_before


def test_an_exported_workbook_imported_again_gives_the_same_observations(
    store: Store, tmp_path: Path
) -> None:
    first = import_workbook(
        store,
        _workbook(tmp_path / "heen.xlsx", _demo_rows_as_cells(), department=True),
        base_iri=BASE,
    )
    assert first.measurement_graph is not None
    exported = tmp_path / "terug.xlsx"
    try:
        export_workbook(store, exported, graph=first.graph)
        sheet = load_workbook(exported)["metingen"]
        header = [cell.value for cell in sheet[1]]
        assert header == list(SHEET.names)
        assert sheet.max_row == 21
        assert load_workbook(exported)["afdelingen"]["A2"].value == "Onderzoek en Statistiek"
        before = _canonical(store.read_graph(first.measurement_graph))
        again = import_workbook(store, exported, base_iri=BASE, graph=first.graph)
        assert (again.measurement_graph, again.measurements) == (first.measurement_graph, 20)
        assert isomorphic(_canonical(store.read_graph(first.measurement_graph)), before)
    finally:
        store.drop_graph(first.measurement_graph)
        store.drop_graph(first.graph)


# ------------------------------------------------------------------ property: the oracle

INDICATORS = {
    # indicator: (area codes, source, its unit, {unit text: factor to its unit})
    "GEL-I01": (("parkstraat",), "geluidmeetnet", "DeciB_A", {"dB(A)": Decimal(1)}),
    "GRO-I01": (
        ("BU99990201", "WK999902"),
        "cbs-nabijheid",
        "KiloM",
        {"km": Decimal(1), "m": Decimal("0.001")},
    ),
    "GEZ-I01": (
        ("WK999901", "WK999902"),
        "ggd-gezondheidsmonitor",
        "PERCENT",
        {"%": Decimal(1), "{fraction}": Decimal(100)},
    ),
}


@st.composite
def measurement(draw: st.DrawFn) -> tuple[dict[str, object], tuple[object, ...]]:
    """A row as Excel cells, and what the oracle expects of it."""
    indicator = draw(st.sampled_from(sorted(INDICATORS)))
    areas, source, unit, factors = INDICATORS[indicator]
    area = draw(st.sampled_from(areas))
    unit_text = draw(st.sampled_from(sorted(factors)))
    value = Decimal(draw(st.integers(-(10**6), 10**6))).scaleb(-draw(st.integers(0, 3)))
    as_cell: object = draw(
        st.sampled_from(
            [
                float(value),
                format(value, "f").replace(".", ","),
                int(value) if value == value.to_integral_value() else float(value),
            ]
        )
    )
    year = draw(st.integers(2000, 2030))
    period_kind = draw(st.sampled_from(["jaar", "statline", "dates"]))
    cells: dict[str, object] = {
        "indicator": indicator,
        "gebied": area,
        "waarde": as_cell,
        "eenheid": unit_text,
        "bron": source,
    }
    if period_kind == "jaar":
        cells["jaar"], start, end = year, date(year, 1, 1), date(year, 12, 31)
    elif period_kind == "statline":
        cells["jaar"], start, end = f"{year}KW03", date(year, 7, 1), date(year, 9, 30)
    else:
        start, end = date(year, 3, draw(st.integers(1, 31))), date(year, 4, 30)
        cells["periode_van"] = datetime.combine(start, datetime.min.time())
        cells["periode_tot"] = end.strftime("%d-%m-%Y")
    expected = (indicator, area, start, end, (value * factors[unit_text]).normalize(), unit)
    return cells, expected


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(measurement(), min_size=1, max_size=8, unique_by=lambda m: m[1][:4]))
def test_every_row_stores_the_value_the_oracle_computes_in_the_indicators_unit(
    store: Store, rows: list[tuple[dict[str, object], tuple[object, ...]]]
) -> None:
    sheet = SheetRows(SHEET, present=True)
    for number, (cells, _) in enumerate(rows, start=2):
        sheet.rows.append((number, {k: v for k, v in cells.items() if v is not None}))
    graph, problems, lines = read_measurements(
        sheet, store, Graph(), BASE, f"{BASE}/graph/excel/proef/metingen"
    )
    assert problems == []
    assert len(lines) == len(rows)
    by_line = {line: URIRef(iri) for iri, line in lines.items()}
    results = {}
    for solution in graph.query(VALUES):
        m, w, u = solution  # type: ignore[misc]
        results[str(m)] = (Decimal(str(w)).normalize(), str(u))
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    sosa = Namespace("http://www.w3.org/ns/sosa/")
    for number, (_, (indicator, area, start, end, value, unit)) in enumerate(rows, start=2):
        node = by_line[number]
        assert results[str(node)] == (value, str(UNIT[str(unit)]))
        period = graph.value(node, sosa.phenomenonTime)
        assert str(graph.value(period, dcat.startDate)) == start.isoformat()  # type: ignore[attr-defined]
        assert str(graph.value(period, dcat.endDate)) == end.isoformat()  # type: ignore[attr-defined]
        assert str(graph.value(node, sosa.observedProperty)).endswith(f"/{indicator}")
        assert (
            str(graph.value(node, sosa.hasFeatureOfInterest))
            .casefold()
            .endswith(f"/{area}".casefold())
        )


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (2023.0, "2023"),
        (47.3, "47.3"),
        (1e-05, "0.00001"),
        (-3, "-3"),
        (datetime(2024, 3, 1, 0, 0), "2024-03-01"),
        (date(2024, 3, 1), "2024-03-01"),
        (" 2023JJ00 ", "2023JJ00"),
    ],
)
def test_excel_cells_read_as_the_text_a_csv_would_hold(cell: object, text: str) -> None:
    assert cell_text(cell) == text


def test_the_measurement_graph_sits_under_the_workbook_graph() -> None:
    assert measurement_graph_iri(f"{BASE}/graph/excel/registry") == (
        f"{BASE}/graph/excel/registry/metingen"
    )


def test_an_empty_sheet_empties_the_measurement_graph_and_no_sheet_leaves_it(
    store: Store, tmp_path: Path
) -> None:
    rows = _demo_rows_as_cells()[:2]
    first = import_workbook(store, _workbook(tmp_path / "leeg.xlsx", rows), base_iri=BASE)
    assert first.measurement_graph is not None and first.measurements == 2
    without = _workbook(tmp_path / "leeg.xlsx", [])
    book = load_workbook(without)
    del book["metingen"]
    book.save(without)
    kept = import_workbook(store, without, base_iri=BASE)
    assert kept.measurement_graph is None
    assert first.measurement_graph in {info.iri for info in store.graphs()}
    emptied = import_workbook(store, _workbook(tmp_path / "leeg.xlsx", []), base_iri=BASE)
    assert (emptied.measurement_graph, emptied.measurements) == (first.measurement_graph, 0)
    assert first.measurement_graph not in {info.iri for info in store.graphs()}


def test_a_row_deleted_from_the_sheet_deletes_its_measurement(
    tmp_path: Path,
) -> None:
    """The documented way to remove a wrong measurement: delete its row from the graph's
    own workbook and import it again. Its generated name (no cell holds it, and its area
    is described in another graph) was counted as what no workbook can hold, and the
    import was refused unless the whole policy graph was dropped."""
    geluid = f"{BASE}/graph/geluid"
    # The model and the demo but its measurements (sources stay): a copy (metingen_store).
    with open_store(Settings(store=str(policy_store_folder(tmp_path / "db")))) as handle:
        exported = tmp_path / "geluid.xlsx"
        export_workbook(handle, exported, graph=geluid)

        def with_rows(years: list[int]) -> Path:
            book = load_workbook(exported)
            for year in years:
                book["metingen"].append(
                    ["GEL-I01", "GM9999", year, None, None, 50.0, "dB(A)", "geluidmeetnet"]
                )
            book.save(tmp_path / "bewerkt.xlsx")
            return tmp_path / "bewerkt.xlsx"

        first = import_workbook(handle, with_rows([2023, 2024]), base_iri=BASE, graph=geluid)
        assert first.measurements == 2
        for years in ([2023], []):
            again = import_workbook(handle, with_rows(years), base_iri=BASE, graph=geluid)
            assert again.measurements == len(years)
            held = handle.read_graph(str(first.measurement_graph)) if years else Graph()
            assert len(set(held.subjects(RDF.type, SOSA.Observation))) == len(years)


def test_the_service_path_writes_policy_and_measurements_with_their_audit(
    store: Store, tmp_path: Path
) -> None:
    """With the service's replica (an upload over HTTP) both graphs are written too, and a
    bad measurement still leaves both unwritten."""
    slot = ReplicaSlot()
    rows = _demo_rows_as_cells()[:3]
    path = _workbook(tmp_path / "dienst.xlsx", rows, department=True)
    report = import_workbook(store, path, base_iri=BASE, replicas=slot)
    try:
        assert report.measurements == 3
        graphs = {info.iri for info in store.graphs()}
        assert {report.graph, str(report.measurement_graph)} <= graphs
        bad = [{**rows[0], "eenheid": "kg"}]
        with pytest.raises(ImportFailed):
            import_workbook(
                store, _workbook(tmp_path / "dienst.xlsx", bad), base_iri=BASE, replicas=slot
            )
        assert len(store.read_graph(str(report.measurement_graph))) > 0  # untouched
        assert len(store.read_graph(report.graph)) > 0
    finally:
        store.drop_graph(str(report.measurement_graph))
        store.drop_graph(report.graph)
