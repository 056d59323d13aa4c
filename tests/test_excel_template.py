"""The template: drop-downs on the right columns, help on every header, opens in LibreOffice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from test_excel_support import saved_by_libreoffice

from krbgraph.excel.reader import read_workbook
from krbgraph.excel.template import write_template
from krbgraph.excel.workbook_format import HIDDEN_LISTS_SHEET, SHEETS, SHEETS_BY_NAME
from krbgraph.iris import DEFAULT_BASE_IRI


def _validations(ws) -> dict[str, str]:  # noqa: ANN001 - openpyxl worksheet
    """Column name -> the list formula of its drop-down."""
    header = [cell.value for cell in ws[1]]
    found = {}
    for validation in ws.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            column = header[cell_range.min_col - 1]
            assert cell_range.min_row == 2 and cell_range.max_row >= 1000
            found[column] = validation.formula1
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "krb-sjabloon.xlsx"
    write_template(path)
    return path


def test_every_sheet_has_the_contract_header_with_help_and_frozen_row(template: Path) -> None:
    book = load_workbook(template)
    assert book.sheetnames == [sheet.name for sheet in SHEETS] + [HIDDEN_LISTS_SHEET]
    assert book[HIDDEN_LISTS_SHEET].sheet_state == "hidden"
    for sheet in SHEETS:
        ws = book[sheet.name]
        assert [cell.value for cell in ws[1]] == list(sheet.names)
        assert ws.freeze_panes == "A2"
        for cell, column in zip(ws[1], sheet.columns, strict=True):
            assert cell.comment is not None
            assert column.help_nl in cell.comment.text and column.help_en in cell.comment.text


def test_drop_downs_point_at_pick_lists_and_value_lists(template: Path) -> None:
    book = load_workbook(template)
    norm = _validations(book["beleidsnorm"])
    assert norm["indicator"] == "=beleidsindicator!$A$2:$A$2000"
    assert norm["werkingsgebied"] == "=werkingsgebieden!$A$2:$A$2000"
    assert norm["leefomgeving"] == "=leefomgeving!$B$2:$B$2000"
    hidden = book[HIDDEN_LISTS_SHEET]
    keys = [cell.value for cell in hidden[1]]
    for column, key in (
        ("operator", "operator"),
        ("eenheid", "eenheid"),
        ("sector", "sector"),
        ("materiaal", "materiaal"),
        ("bestuurslaag", "bestuurslaag"),
    ):
        letter = get_column_letter(keys.index(key) + 1)
        assert norm[column].startswith(f"={HIDDEN_LISTS_SHEET}!${letter}$2:${letter}$")
        values = [c.value for c in hidden[letter][1:] if c.value is not None]
        assert len(values) == int(norm[column].rsplit("$", 1)[1]) - 1
    operators = [c.value for c in hidden[get_column_letter(keys.index("operator") + 1)][1:]]
    assert {"minimaal", "maximaal", "maximale toename"} <= set(operators)
    assert _validations(book["beleidsindicator"])["beleidsthema"] == ("=beleidsthemas!$A$2:$A$2000")
    assert set(_validations(book["besluitdocument"])) == {
        "soort",
        "dossier",
        "werkingsgebied",
        "bestuurslaag",
        "status",
        "vervangt",
        "vervangen_door",
        "gebaseerd_op",
    }
    for sheet, column in (("beleidsdossier", "dossiersoort"), ("beleidsnorm", "normsoort")):
        letter = get_column_letter(keys.index(column) + 1)
        assert _validations(book[sheet])[column].startswith(
            f"={HIDDEN_LISTS_SHEET}!${letter}$2:${letter}$"
        )
    kinds = [c.value for c in hidden[get_column_letter(keys.index("normsoort") + 1)][1:]]
    assert {"bindend", "streefwaarde"} <= set(kinds)
    assert _validations(book["besluitdocument"])["vervangen_door"] == (
        "=besluitdocument!$A$2:$A$2000"
    )
    assert _validations(book["beoogd_effect"])["doel_indicator"] == (
        "=beleidsindicator!$A$2:$A$2000"
    )
    assert _validations(book["beleidsmaatregel"])["objecttype"] == "=leefomgeving!$B$2:$B$2000"
    for sheet in SHEETS:
        expected = {c.name for c in sheet.columns if c.choices}
        assert set(_validations(book[sheet.name])) == expected, sheet.name


def test_status_drop_downs_offer_the_two_status_lists(template: Path) -> None:
    """Documents, norms and rules take a lifecycle status, measures an implementation
    status; each drop-down lists exactly the concepts of its list."""
    book = load_workbook(template)
    hidden = book[HIDDEN_LISTS_SHEET]
    keys = [cell.value for cell in hidden[1]]
    for sheet, key, names in (
        (
            "besluitdocument",
            "status",
            {"ontwerp", "vastgesteld", "in werking", "ingetrokken", "vervallen"},
        ),
        ("beleidsnorm", "status", None),
        ("beleidsregel", "status", None),
        ("beleidsmaatregel", "uitvoeringsstatus", {"gepland", "in uitvoering", "afgerond"}),
    ):
        letter = get_column_letter(keys.index(key) + 1)
        formula = _validations(book[sheet])["status"]
        assert formula.startswith(f"={HIDDEN_LISTS_SHEET}!${letter}$2:${letter}$"), sheet
        listed = {c.value for c in hidden[letter][1:] if c.value is not None}
        assert len(listed) == int(formula.rsplit("$", 1)[1]) - 1
        if names is not None:
            assert listed == names


def test_pick_lists_are_pre_filled_and_the_empty_template_reads_without_errors(
    template: Path,
) -> None:
    book = load_workbook(template)
    sectors = {(r[0].value, r[1].value) for r in book["sectoren"].iter_rows(min_row=2)}
    assert ("particulieren", "huishoudens") in sectors and ("alle", None) in sectors
    materials = {r[1].value for r in book["materiaalstromen"].iter_rows(min_row=2)}
    assert "GFT-afval" in materials
    result = read_workbook(template, DEFAULT_BASE_IRI)
    assert result.problems == [] and len(result.graph) == 0


def test_with_imbor_lists_every_object_type_with_its_zoekingang(tmp_path: Path) -> None:
    path = tmp_path / "imbor.xlsx"
    write_template(path, with_imbor=True)
    rows = list(
        load_workbook(path, read_only=True)["leefomgeving"].iter_rows(min_row=2, values_only=True)
    )
    assert len({row[2] for row in rows}) >= 1500
    assert (
        "Vastgoed",
        "Gebouw",
        "http://modellen.geostandaarden.nl/def/nen3610-2022#Gebouw",
        None,
        None,
        None,
    ) in rows
    assert read_workbook(path, DEFAULT_BASE_IRI).problems == []


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed; install libreoffice-calc",
)
def test_template_opens_in_libreoffice(template: Path, tmp_path: Path) -> None:
    """LibreOffice reads it (CSV of the first sheet) and keeps the drop-downs when it saves."""
    profile = tmp_path / "lo-profile"
    csv = saved_by_libreoffice(template, "csv", tmp_path / "csv", profile)
    saved_by_libreoffice(template, "xlsx", tmp_path / "xlsx", profile)
    assert csv.read_text(encoding="utf-8").splitlines()[0] == ",".join(
        SHEETS_BY_NAME["beleidsdossier"].names
    )
    resaved = load_workbook(tmp_path / "xlsx" / "krb-sjabloon.xlsx")
    norm = _validations(resaved["beleidsnorm"])
    assert {"indicator", "operator", "eenheid", "sector"} <= set(norm)
    assert "beleidsindicator" in norm["indicator"]


def test_the_public_format_page_documents_every_sheet_and_column() -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "excel.md").read_text(encoding="utf-8")
    for sheet in SHEETS:
        section = page.split(f"### `{sheet.name}`", 1)
        assert len(section) == 2, sheet.name
        table = section[1].split("###", 1)[0]
        for column in sheet.columns:
            assert f"| `{column.name}` |" in table, (sheet.name, column.name)


def test_own_list_sheets_offer_the_national_list_and_the_mapping_drop_downs(
    template: Path,
) -> None:
    """sectoren, materiaalstromen and documentsoorten list the national lists, the document
    type drop-down points at documentsoorten (so own entries appear in it), and koppeling
    offers the three SKOS mapping relations."""
    book = load_workbook(template)
    kinds = [row[0].value for row in book["documentsoorten"].iter_rows(min_row=2)]
    assert {"beleidsplan", "omgevingsplan", "programma"} <= set(kinds)
    assert _validations(book["besluitdocument"])["soort"] == "=documentsoorten!$A$2:$A$2000"
    hidden = book[HIDDEN_LISTS_SHEET]
    keys = [cell.value for cell in hidden[1]]
    letter = get_column_letter(keys.index("koppeling") + 1)
    assert [c.value for c in hidden[letter][1:] if c.value] == [
        "broadMatch",
        "closeMatch",
        "exactMatch",
    ]
    for sheet, key in (
        ("sectoren", "sector"),
        ("materiaalstromen", "materiaal"),
        ("documentsoorten", "documentsoort"),
    ):
        found = _validations(book[sheet])
        assert found["koppeling"].startswith(f"={HIDDEN_LISTS_SHEET}!${letter}$2:")
        national = get_column_letter(keys.index(key) + 1)
        assert found["landelijk_begrip"].startswith(f"={HIDDEN_LISTS_SHEET}!${national}$2:")


def test_the_readme_lists_every_sheet_with_its_columns_and_what_is_required() -> None:
    """The README's table of sheets fell behind the template (six columns, a sheet and a
    required column missing): it lists each sheet's columns in order, required in bold."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("| Sheet | Columns (required in bold) |", 1)[1].split("\n\n", 1)[0]
    listed = {}
    for line in table.splitlines()[2:]:
        sheet, columns = (cell.strip() for cell in line.strip("|").split("|"))
        listed[sheet] = columns
    expected = {
        f"`{sheet.name}`{'' if sheet.required else ' (optional)'}": ", ".join(
            f"**{column.name}**" if column.required else column.name for column in sheet.columns
        )
        for sheet in SHEETS
    }
    assert listed == expected
