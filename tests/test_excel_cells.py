"""Cells that do not hold what the user sees: damaged packed data, percentages,
Excel error values and merged ranges.

Each of these used to load without a word (or crash): a norm of 2% stored as
0.02 %, a norm named "#REF!", a status that a merged cell shows on two rows
given to one. Most workbooks are the demo's export, edited with openpyxl the
way Excel would save the user's typing.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node
from test_excel_support import BASE, demo_workbook, edit, row_of, saved_by_libreoffice
from typer.testing import CliRunner

from krbgraph.cli import app as cli
from krbgraph.excel.importing import ImportFailed, import_workbook
from krbgraph.excel.metingen_sheet import cell_text
from krbgraph.excel.problems import WorkbookUnreadable
from krbgraph.excel.reader import ReadResult, read_workbook
from krbgraph.excel.uncomputed import uncomputed_formulas
from krbgraph.model import model_graph
from krbgraph.namespaces import KRB, QUDT
from krbgraph.store import Store


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return demo_workbook(tmp_path)


@pytest.fixture
def store(model_store: Store) -> Store:
    return model_store


def _read(source: Path | io.BytesIO) -> ReadResult:
    return read_workbook(source, BASE, model_graph())


def _quads(store: Store, tmp_path: Path, name: str) -> list[str]:
    path = tmp_path / f"{name}.nq"
    store.dump(path)
    return sorted(path.read_text(encoding="utf-8").splitlines())


def _column(path: Path, sheet: str, column: str) -> int:
    header = [cell.value for cell in load_workbook(path)[sheet][1]]
    return header.index(column) + 1


def _cell_triple(
    result: ReadResult, sheet: str, row: int, predicate: URIRef, column: str
) -> tuple[Node, Literal]:
    """The subject and the object that the cell (sheet, row, column) became."""
    [(subject, value)] = [
        (s, o)
        for s, p, o in result.triples
        if p == predicate
        and result.locations.get(s) == (sheet, row)
        and result.columns.get((s, p)) == column
    ]
    assert isinstance(value, Literal)
    return subject, value


def _value_at(result: ReadResult, sheet: str, row: int, predicate: URIRef, column: str) -> Literal:
    return _cell_triple(result, sheet, row, predicate, column)[1]


def _first_row(path: Path, sheet: str, column: str, value: object) -> int:
    ws = load_workbook(path)[sheet]
    index = _column(path, sheet, column) - 1
    return next(row[index].row for row in ws.iter_rows(min_row=2) if row[index].value == value)


# --- damaged packed data ------------------------------------------------------------------


def _themes_workbook(path: Path) -> str:
    """A workbook with one long sheet; returns that sheet's member in the archive."""
    book = Workbook()
    sheet = book.active
    sheet.title = "beleidsthemas"
    sheet.append(["naam", "omschrijving"])
    for number in range(3000):
        sheet.append([f"Thema {number}", f"Omschrijving van thema {number} " * 3])
    book.save(path)
    return "xl/worksheets/sheet1.xml"


def _damage(path: Path, member: str, *, intact: float) -> None:
    """Replace the packed data of ``member`` by its first ``intact`` fraction, packed
    well, followed by a deflate block of a type that does not exist: unpacking
    then stops with zlib.error at that point, as it does on bit rot."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
        text = archive.read(member)
    name_length, extra_length = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_length + extra_length
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = packer.compress(text[: int(len(text) * intact)]) + packer.flush(zlib.Z_FULL_FLUSH)
    packed += b"\x07"  # last block, block type 3: reserved, never valid
    assert len(packed) <= info.compress_size
    data[start : start + len(packed)] = packed
    path.write_bytes(bytes(data))


def test_a_workbook_with_damaged_packed_data_is_unreadable_with_exit_code_2(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kapot.xlsx"
    _damage(path, _themes_workbook(path), intact=0)

    result = CliRunner().invoke(
        cli,
        ["import-excel", str(path), "--store", str(tmp_path / "store")],
        env={"COLUMNS": "1000"},
    )

    assert result.exit_code == 2, result.output
    assert f"{path}: kan de werkmap niet lezen / cannot read the workbook" in result.output


def test_damage_found_while_the_rows_stream_in_is_unreadable_too(tmp_path: Path) -> None:
    """The archive opens and the sheet's first rows unpack; the damage is halfway."""
    path = tmp_path / "halfkapot.xlsx"
    _damage(path, _themes_workbook(path), intact=0.5)
    load_workbook(path, read_only=True).close()  # opening alone does not notice

    with pytest.raises(WorkbookUnreadable, match="halfkapot.xlsx"):
        _read(path)
    with pytest.raises(WorkbookUnreadable, match="werkmap"):  # an upload: a stream
        _read(io.BytesIO(path.read_bytes()))


# --- percentages --------------------------------------------------------------------------


def _typed(path: Path, sheet: str, row: int, column: str, value: object, shown: str) -> None:
    """A cell as Excel saves what the user typed: the value and its number format."""
    book = load_workbook(path)
    cell = book[sheet].cell(row=row, column=_column(path, sheet, column), value=value)
    cell.number_format = shown
    book.save(path)


@pytest.mark.parametrize(
    ("stored", "number_format", "expected"),
    [
        (0.02, "0%", "2.0"),  # typed "2%"
        (0.081, "0.0%", "8.1"),  # typed "8,1%": exactly 8.1, not 8.100000000000001
        (0.125, "0.00%", "12.5"),
        (1, "0%", "100.0"),
        (0.5, "#,##0.0%;[Red]-#,##0.0%", "50.0"),
        (2.5, '0.0" %"', "2.5"),  # the % is text in the format: the cell shows 2.5 %
        (0.4, "General", "0.4"),
    ],
)
def test_a_norm_value_is_read_as_the_number_excel_shows(
    workbook: Path, stored: float, number_format: str, expected: str
) -> None:
    row = _first_row(workbook, "beleidsnorm", "eenheid", "%")
    _typed(workbook, "beleidsnorm", row, "waarde", stored, number_format)

    result = _read(workbook)

    assert result.ok, [p.text_en for p in result.errors]
    value = _value_at(result, "beleidsnorm", row, QUDT.numericValue, "waarde")
    assert (str(value), value.datatype) == (expected, XSD.decimal)


def test_every_number_column_reads_a_percentage_as_shown(workbook: Path) -> None:
    norm = _first_row(workbook, "beleidsnorm", "eenheid", "%")
    effect = _first_row(workbook, "beoogd_effect", "eenheid", "%")
    _typed(workbook, "beleidsnorm", norm, "referentiewaarde", 0.3, "0%")
    _typed(workbook, "beoogd_effect", effect, "waarde", -0.015, "0.0%")
    _typed(workbook, "metingen", 2, "waarde", 0.045, "0.0%")

    result = _read(workbook)

    assert result.ok, [p.text_en for p in result.errors]
    reference = _value_at(result, "beleidsnorm", norm, KRB.referentiewaarde, "referentiewaarde")
    assert str(reference) == "30.0"
    assert str(_value_at(result, "beoogd_effect", effect, QUDT.numericValue, "waarde")) == "-1.5"
    assert result.metingen is not None
    [(_, cells)] = result.metingen.rows
    assert cell_text(cells["waarde"]) == "4.5"  # what a CSV line of the measurement holds


def test_a_percentage_norm_is_stored_as_the_user_typed_it(store: Store, tmp_path: Path) -> None:
    workbook = demo_workbook(tmp_path)
    row = _first_row(workbook, "beleidsnorm", "eenheid", "%")
    _typed(workbook, "beleidsnorm", row, "waarde", 0.02, "0%")
    norm, _ = _cell_triple(_read(workbook), "beleidsnorm", row, QUDT.numericValue, "waarde")

    report = import_workbook(store, workbook, base_iri=BASE)

    [value] = store.read_graph(report.graph).objects(norm, QUDT.numericValue)
    assert Decimal(str(value)) == Decimal(2)


# --- Excel error values -------------------------------------------------------------------


def test_excel_error_values_are_refused_at_their_cells_and_nothing_is_loaded(
    store: Store, tmp_path: Path
) -> None:
    workbook = demo_workbook(tmp_path)
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    other = row_of(workbook, "beleidsnorm", "GEL-N02")
    indicator = row_of(workbook, "beleidsindicator", "GEL-I01")
    measure = row_of(workbook, "beleidsmaatregel", "GEL-M01")
    cells = [
        ("beleidsnorm", norm, "naam", "#REF!"),
        ("beleidsnorm", norm, "indicator", "#N/A"),
        ("beleidsnorm", other, "waarde", "#DIV/0!"),
        ("beleidsnorm", other, "rekenmethode", "#VALUE!"),
        ("beleidsindicator", indicator, "beleidsthema", "#NAME?"),
        ("beleidsmaatregel", measure, "naam", "#NUM!"),
        ("beleidsmaatregel", measure, "werkingsgebied", "#NULL!"),
    ]
    edit(workbook, cells)
    assert "e" in {c.data_type for c in load_workbook(workbook)["beleidsnorm"][norm]}  # as Excel
    before = _quads(store, tmp_path, "before")

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, workbook, base_iri=BASE)

    errors = [p for p in failed.value.problems if p.is_error]
    # One problem per cell: what '#N/A' would be as a code is not reported besides.
    assert sorted((p.sheet, p.row, p.column, p.value) for p in errors) == sorted(cells)
    by_cell = {(p.sheet, p.row, p.column): p for p in errors}
    problem = by_cell[("beleidsnorm", norm, "naam")]
    assert problem.text_nl.startswith(
        f"beleidsnorm rij {norm}, kolom naam: de cel bevat een Excel-fout (#REF!)"
    )
    assert problem.text_en.startswith(
        f"beleidsnorm row {norm}, column naam: the cell holds an Excel error (#REF!)"
    )
    assert _quads(store, tmp_path, "after") == before


# --- merged cells -------------------------------------------------------------------------


def test_a_value_merged_over_rows_is_a_warning_at_each_row_it_leaves_empty(
    workbook: Path,
) -> None:
    first = row_of(workbook, "beleidsnorm", "GEL-N01")
    column = _column(workbook, "beleidsnorm", "status")
    book = load_workbook(workbook)
    sheet = book["beleidsnorm"]
    sheet.cell(row=first, column=column, value="vastgesteld")
    merged = f"{get_column_letter(column)}{first}:{get_column_letter(column)}{first + 2}"
    sheet.merge_cells(merged)
    book.save(workbook)

    for source in (workbook, io.BytesIO(workbook.read_bytes())):  # command line, upload
        result = _read(source)

        assert result.ok, [p.text_en for p in result.errors]
        warned = [p for p in result.problems if "samengevoegd" in p.message_nl]
        assert [(p.sheet, p.row, p.column, p.severity) for p in warned] == [
            ("beleidsnorm", first + 1, "status", "waarschuwing"),
            ("beleidsnorm", first + 2, "status", "waarschuwing"),
        ]
        assert warned[0].text_nl.startswith(
            f"beleidsnorm rij {first + 1}, kolom status: cel valt in samengevoegd bereik "
            f"{merged}; alleen de eerste rij ervan (rij {first}) krijgt de waarde"
        )
        assert f"cell lies in merged range {merged}" in warned[1].text_en


def test_a_value_merged_across_columns_names_the_top_left_cell(workbook: Path) -> None:
    row = row_of(workbook, "beleidsnorm", "GEL-N01")
    method = _column(workbook, "beleidsnorm", "rekenmethode")
    level = _column(workbook, "beleidsnorm", "bestuurslaag")
    assert level == method + 1
    book = load_workbook(workbook)
    merged = f"{get_column_letter(method)}{row}:{get_column_letter(level)}{row}"
    book["beleidsnorm"].merge_cells(merged)
    book.save(workbook)

    [warning] = [p for p in _read(workbook).problems if "samengevoegd" in p.message_nl]

    assert (warning.row, warning.column, warning.is_error) == (row, "bestuurslaag", False)
    assert f"only its top-left cell ({get_column_letter(method)}{row}) gets the value" in (
        warning.text_en
    )


def test_an_empty_merged_range_is_no_problem(workbook: Path) -> None:
    first = row_of(workbook, "beleidsnorm", "GEL-N01")
    column = get_column_letter(_column(workbook, "beleidsnorm", "status"))
    book = load_workbook(workbook)
    book["beleidsnorm"].merge_cells(f"{column}{first}:{column}{first + 1}")
    book.save(workbook)

    assert not [p for p in _read(workbook).problems if "samengevoegd" in p.message_nl]


# --- formulas never computed, and Excel's date 0 --------------------------------------------


def test_formulas_a_program_wrote_but_never_computed_are_refused_at_their_cells(
    store: Store, tmp_path: Path
) -> None:
    """openpyxl and report generators save a formula without its result: read as values,
    the norm's value would be missing (an error about the wrong thing) and an optional
    reference value would silently vanish."""
    workbook = demo_workbook(tmp_path)
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    other = row_of(workbook, "beleidsnorm", "GEL-N02")
    edit(
        workbook,
        [
            ("beleidsnorm", norm, "waarde", "=40+8"),
            ("beleidsnorm", other, "referentiewaarde", "=B2*2"),
        ],
    )
    before = _quads(store, tmp_path, "before")

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, workbook, base_iri=BASE)

    errors = [p for p in failed.value.problems if p.is_error]
    assert sorted((p.sheet, p.row, p.column, p.value) for p in errors) == sorted(
        [
            ("beleidsnorm", norm, "waarde", "=40+8"),
            ("beleidsnorm", other, "referentiewaarde", "=B2*2"),
        ]
    )
    assert "formula whose value was never computed" in errors[0].text_en
    assert _quads(store, tmp_path, "after") == before


def test_the_same_formulas_computed_by_a_spreadsheet_program_are_read_as_their_values(
    tmp_path: Path,
) -> None:
    workbook = demo_workbook(tmp_path)
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    edit(workbook, [("beleidsnorm", norm, "waarde", "=40+8")])
    saved = saved_by_libreoffice(workbook, "xlsx", tmp_path / "saved", tmp_path / "profile")

    result = _read(saved)

    assert result.ok, [p.text_en for p in result.errors]
    assert str(_value_at(result, "beleidsnorm", norm, QUDT.numericValue, "waarde")) == "48.0"


def test_a_formula_computing_empty_text_is_an_empty_cell() -> None:
    """LibreOffice stores a formula's empty text result as an empty typed value: computed."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = '=""'
    data = io.BytesIO()
    book.save(data)
    part = zipfile.ZipFile(data).read("xl/worksheets/sheet1.xml").decode()
    computed = part.replace(
        '<c r="A1"><f>""</f><v /></c>', '<c r="A1" t="str"><f>""</f><v></v></c>'
    )
    assert computed != part
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            target.writestr(item, computed if item.filename.endswith("sheet1.xml") else body)
    out.seek(0)
    read = load_workbook(out, read_only=True, data_only=True)

    assert not uncomputed_formulas(read.worksheets[0], 10)
    data.seek(0)
    written = load_workbook(data, read_only=True, data_only=True)
    found = uncomputed_formulas(written.worksheets[0], 10)
    assert (list(found), found[1, 1]) == ([(1, 1)], '""')


def _rewritten(book: Workbook, edit: Callable[[str], str] = lambda part: part) -> Any:
    """``book`` saved, its first sheet's XML passed through ``edit``, opened as the reader
    opens a workbook; returns that first sheet."""
    data = io.BytesIO()
    book.save(data)
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                body = edit(body.decode()).encode()
            target.writestr(item, body)
    out.seek(0)
    return load_workbook(out, read_only=True, data_only=True).worksheets[0]


def test_every_cell_of_an_uncomputed_array_formula_is_found() -> None:
    """Only the first cell holds the formula; the others of its range read empty too."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in range(1, 4):
        sheet.cell(row, 1).value = row
    sheet["B1"] = ArrayFormula("B1:B3", "=A1:A3*2")
    found = uncomputed_formulas(_rewritten(book), 10)
    assert sorted(found) == [(1, 2), (2, 2), (3, 2)]


def test_an_array_formula_over_a_whole_sheet_is_found_without_filling_it_in() -> None:
    """One cell spanning A2:XFD1048576 (a 69 KB upload) made the reader note 17 billion
    cells one by one: the import never returned."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A2"] = ArrayFormula("A2:XFD1048576", "=1")
    found = uncomputed_formulas(_rewritten(book), 100_001)
    assert (5_000, 300) in found and (1, 1) not in found
    assert found[40_000, 2] == "1"


def test_cells_and_rows_without_a_reference_are_placed_as_openpyxl_places_them() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "x"
    sheet["B1"] = "=40+8"
    sheet["C3"] = "=1+1"
    unreferenced = _rewritten(
        book, lambda part: re.sub(r'<row r="3"', "<row", re.sub(r'<c r="[A-Z]+\d+"', "<c", part))
    )
    values = {
        (c.row, c.column): c.value
        for row in unreferenced.iter_rows()
        for c in row
        if hasattr(c, "row")
    }
    found = uncomputed_formulas(unreferenced, 10)
    assert set(found) == {(1, 2), (2, 1)}
    assert all(values.get(cell) is None for cell in found)


def test_formulas_past_the_row_limit_are_not_read() -> None:
    """The sheet is refused at the limit anyway; reading all of it first cost a large
    sheet's whole part in time and memory."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in range(1, 51):
        sheet.cell(row, 1).value = "=1+1"
    assert sorted(uncomputed_formulas(_rewritten(book), 10)) == [(r, 1) for r in range(1, 11)]


def test_a_date_cell_holding_no_real_date_is_refused(tmp_path: Path) -> None:
    """A 0 (or an empty formula) in a date cell is the time 00:00 to openpyxl, a negative
    number a day in 1899: never a real date of a decision."""
    workbook = demo_workbook(tmp_path)
    decision = row_of(workbook, "besluitproces", "BOU-HBV-RB")
    column = _column(workbook, "besluitproces", "datum")
    book = load_workbook(workbook)
    for row, value in ((decision, 0), (decision + 1, -1)):
        cell = book["besluitproces"].cell(row, column)
        cell.value = value
        cell.number_format = "dd-mm-yyyy"
    book.save(workbook)

    result = _read(workbook)

    found = {(p.sheet, p.row, p.column): p for p in result.errors}
    zero = found[("besluitproces", decision, "datum")]
    assert "a time without a date (Excel's date 0" in zero.text_en
    assert zero.value == "00:00:00"
    assert (
        "'1899-12-29' lies before 1900" in found[("besluitproces", decision + 1, "datum")].text_en
    )


def test_a_document_date_cell_before_1900_is_one_problem(tmp_path: Path) -> None:
    """The date of entry into force was read twice (for the row and for the check that
    it precedes the last day), so one bad cell was counted as two errors."""
    workbook = demo_workbook(tmp_path)
    column = _column(workbook, "besluitdocument", "in_werking_vanaf")
    book = load_workbook(workbook)
    cell = book["besluitdocument"].cell(2, column)
    cell.value = -1
    cell.number_format = "yyyy-mm-dd"
    book.save(workbook)

    result = _read(workbook)

    at_cell = [
        p
        for p in result.errors
        if (p.sheet, p.row, p.column) == ("besluitdocument", 2, "in_werking_vanaf")
    ]
    assert len(at_cell) == 1 and "lies before 1900" in at_cell[0].text_en
    assert len(result.errors) == 1


def test_a_measurement_dated_excel_date_zero_is_refused_at_its_cell(
    store: Store, tmp_path: Path
) -> None:
    workbook = demo_workbook(tmp_path)
    book = load_workbook(workbook)
    sheet = book["metingen"]
    header = [cell.value for cell in sheet[1]]
    measurement = {
        "indicator": "GEL-I01",
        "gebied": "parkstraat",
        "periode_van": 0,
        "periode_tot": "2022-12-31",
        "waarde": 50.9,
        "eenheid": "dB(A)",
        "bron": "geluidmeetnet",
    }
    for name, value in measurement.items():
        sheet.cell(2, header.index(name) + 1).value = value
    sheet.cell(2, header.index("periode_van") + 1).number_format = "yyyy-mm-dd"
    book.save(workbook)

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, workbook, base_iri=BASE)

    [problem] = [p for p in failed.value.problems if p.is_error]
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "metingen",
        2,
        "periode_van",
        "00:00:00",
    )
    assert "a time without a date (Excel's date 0" in problem.text_en


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2024/02/01", "2024-02-01"),
        ("2024.2.1", "2024-02-01"),
        ("2024-02-01", "2024-02-01"),
        ("01/02/2024", "2024-02-01"),
        ("1.2.2024", "2024-02-01"),
        ("2024-02/01", None),
        ("2024/13/01", None),
    ],
)
def test_a_date_typed_as_text_is_read_by_where_its_year_stands(
    typed: str, meant: str | None
) -> None:
    from datetime import date

    from krbgraph.excel.values import CellError, parse_date

    if meant is None:
        with pytest.raises(CellError, match="not a valid date"):
            parse_date(typed)
    else:
        assert parse_date(typed) == date.fromisoformat(meant)
