"""The query page's workbook keeps every value the CSV download has.

An Excel cell is a double shown to 15 significant digits: a value it cannot hold (INF,
NaN, a whole part of more digits, a date with a time zone) is written as its text, as
the CSV has it, never as an empty or changed number; a fraction of more digits is a
number, rounded as Excel rounds every calculation."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from rdflib import Literal
from rdflib.namespace import XSD

from krbgraph.web.xlsx_results import write_answer


def stored(lexical: str, datatype: object) -> Literal:
    """A literal as the store hands it over: as written, not normalised by rdflib."""
    return Literal(lexical, datatype=datatype, normalize=False)


def _written(value: Literal) -> object:
    """The cell the workbook holds for ``value``, read back from the file."""
    out = io.BytesIO()
    write_answer(out, sheet_title="t", variables=["v"], titles=["V"], rows=[[value]], names={})
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    return sheet.cell(row=2, column=1).value


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (stored("INF", datatype=XSD.double), "INF"),
        (stored("-INF", datatype=XSD.double), "-INF"),
        (stored("NaN", datatype=XSD.double), "NaN"),
        (stored("12345678901234567890.5", datatype=XSD.decimal), "12345678901234567890.5"),
        (stored("1234567890123456.5", datatype=XSD.decimal), "1234567890123456.5"),
        (stored("1E+30", datatype=XSD.decimal), "1E+30"),
        (stored("1_000", datatype=XSD.decimal), "1_000"),
        (stored("1_000", datatype=XSD.integer), "1_000"),
        (stored("123456789012345678", datatype=XSD.integer), "123456789012345678"),
        (stored("2026-01-01+01:00", datatype=XSD.date), "2026-01-01+01:00"),
    ],
)
def test_a_value_excel_cannot_hold_is_its_text(value: Literal, cell: object) -> None:
    assert _written(value) == (str(value) if cell is None else cell)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (stored("47.5", datatype=XSD.decimal), 47.5),
        (stored("0.1", datatype=XSD.decimal), 0.1),
        # 2/3 as the engine divides decimals: a number Excel rounds, not text.
        (stored("0.666666666666666667", datatype=XSD.decimal), 0.666666666666666667),
        (stored("-0.12345678901234567890123", datatype=XSD.decimal), -0.1234567890123457),
        (stored("123456789012345", datatype=XSD.integer), 123456789012345),
        (stored("1.5E300", datatype=XSD.double), 1.5e300),
        (stored("-0.001", datatype=XSD.double), -0.001),
    ],
)
def test_a_number_excel_holds_stays_a_number(value: Literal, cell: object) -> None:
    written = _written(value)
    assert written == cell and not isinstance(written, str)


def test_a_date_without_a_time_zone_stays_a_date() -> None:
    written = _written(stored("2026-01-01", datatype=XSD.date))
    assert written is not None and written.date() == date(2026, 1, 1)  # type: ignore[attr-defined]
