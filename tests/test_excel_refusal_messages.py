"""Refusals that say what is wrong and nothing that is not.

A refused re-import of a workbook with a sheet metingen does not blame graphs: its
measurements graph goes with the workbook graph. One unreadable norm value is one
error, not a second one at every effect on the norm. A name shared by two areas is
refused with the codes that tell them apart, as the message asks for a code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_excel_support import BASE, demo_workbook, edit, row_of

from krbgraph.excel.importing import ImportFailed, import_workbook
from krbgraph.excel.metingen_sheet import measurement_graph_iri
from krbgraph.excel.problems import Problem
from krbgraph.excel.reader import read_workbook
from krbgraph.model import model_graph
from krbgraph.store import Store


def _texts(problems: list[Problem]) -> str:
    return "\n".join(text for p in problems for text in (p.text_nl, p.text_en))


def _clear(path: Path, cells: list[tuple[str, int, str]]) -> None:
    """Empty cells given as (sheet, row, column name); test_excel_support.edit sets values
    only, as openpyxl's Worksheet.cell ignores value=None."""
    book = load_workbook(path)
    for sheet, row, column in cells:
        header = [cell.value for cell in book[sheet][1]]
        book[sheet].cell(row=row, column=header.index(column) + 1).value = None
    book.save(path)


# 1. The measurements graph of the target is the target's


def _with_measurement(workbook: Path) -> Path:
    """The demo workbook with one row in its sheet metingen."""
    book = load_workbook(workbook)
    sheet = book["metingen"]
    header = [cell.value for cell in sheet[1]]
    row = {
        "indicator": "GEL-I01",
        "gebied": "WK999901",
        "jaar": 2023,
        "waarde": "51,5",
        "eenheid": "dB(A)",
        "bron": "https://data.demogemeente.nl/geluid",
    }
    sheet.append([row.get(str(column)) for column in header])
    book.save(workbook)
    return workbook


def _triples(store: Store, graph: str) -> int:
    return len(store.read_graph(graph))


def test_a_refused_reimport_with_metingen_blames_no_other_graph(
    model_store: Store, tmp_path: Path
) -> None:
    workbook = _with_measurement(demo_workbook(tmp_path))
    first = import_workbook(model_store, workbook, base_iri=BASE)
    assert first.measurement_graph == measurement_graph_iri(first.graph)
    before = {
        graph: _triples(model_store, graph)
        for graph in (first.graph, measurement_graph_iri(first.graph))
    }
    row = row_of(workbook, "werkingsgebieden", "Demogemeente", column="naam")
    edit(workbook, [("werkingsgebieden", row, "ligt_in", "Centrum")])  # a cycle

    with pytest.raises(ImportFailed) as failed:
        import_workbook(model_store, workbook, base_iri=BASE, graph=first.graph)

    problems = failed.value.problems
    assert "spread over" not in _texts(problems) and "verspreid over" not in _texts(problems)
    assert "--graph" not in _texts(problems)
    assert {(p.sheet, p.column) for p in problems if p.is_error} == {
        ("werkingsgebieden", "ligt_in")
    }
    assert {graph: _triples(model_store, graph) for graph in before} == before


# 2. One unreadable norm value, one error


@pytest.mark.parametrize(
    ("value", "unit"),  # unit None: the norm's unit is its indicator's, dB(A)
    [("48 dB(A)", None), ("=40+8", None), (None, None), ("48 dB(A)", "dB(A)"), (None, "dB(A)")],
)
def test_an_unreadable_norm_value_is_one_error_not_one_more_per_effect(
    tmp_path: Path, value: object, unit: str | None
) -> None:
    workbook = demo_workbook(tmp_path)
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    effect = row_of(workbook, "beoogd_effect", "GEL-E01")  # on GEL-N01, in its unit
    _clear(workbook, [("beleidsnorm", norm, "waarde"), ("beleidsnorm", norm, "eenheid")])
    _clear(workbook, [("beoogd_effect", effect, "eenheid")])  # the norm's unit then
    edit(workbook, [("beleidsnorm", norm, "waarde", value), ("beleidsnorm", norm, "eenheid", unit)])

    result = read_workbook(workbook, BASE, model_graph())

    [error] = result.errors
    assert (error.sheet, error.row, error.column) == ("beleidsnorm", norm, "waarde")
    assert "heeft geen eenheid" not in _texts(result.problems)
    assert "has no unit" not in _texts(result.problems)


# 3. An ambiguous name is answered with the codes that tell its entries apart


def test_an_ambiguous_area_name_lists_the_codes_to_use(tmp_path: Path) -> None:
    workbook = demo_workbook(tmp_path)
    book = load_workbook(workbook)
    book["werkingsgebieden"].append(["Centrum", "plangebied", "Demogemeente", "PLAN-CENTRUM"])
    book.save(workbook)

    result = read_workbook(workbook, BASE, model_graph())

    assert result.errors
    for error in result.errors:
        assert error.text_nl.endswith(
            "'Centrum' is dubbelzinnig in blad werkingsgebieden: "
            "Centrum (PLAN-CENTRUM), Centrum (WK999901); gebruik de code"
        )
        assert error.text_en.endswith(
            "'Centrum' is ambiguous in sheet werkingsgebieden: "
            "Centrum (PLAN-CENTRUM), Centrum (WK999901); use the code"
        )
