"""A named query's answer as an Excel workbook, written row by row.

For readers who continue in Excel: the header row has the columns' titles
from the query's header rather than variable names, and cells are typed so
Excel can sort and compute: numbers as numbers, dates as dates, booleans as
TRUE/FALSE, IRIs as hyperlinks. An IRI whose resource has a name column
(``object`` and ``object_label``; for a unit its symbol) shows that name,
linked to the IRI, so the sheet reads like the page; without a name the cell
shows the IRI itself. The columns stay those of the CSV download, one for
one, so the two files can be compared cell by cell.

openpyxl's write-only mode keeps only the current row in memory, so a large
answer streams from the engine into the file (see
krbgraph.queries.stream_named_query). Text that Excel would take for a formula
stays text, and characters a worksheet cannot hold are left out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from .describe import web_address

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_LEXICAL = {
    str(XSD.decimal): re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
    **{str(XSD[name]): re.compile(r"[+-]?[0-9]+") for name in ("integer", "int", "long")},
}
"""The lexical forms of the number types whose Python reading is loose."""

EXCEL_DIGITS = 15
"""Significant digits an Excel cell keeps of a number."""

MAX_CELL_TEXT = 32_767
"""Excel's limit on the characters of one cell."""

_NUMBERS = {
    str(datatype)
    for datatype in (
        XSD.integer,
        XSD.decimal,
        XSD.double,
        XSD.float,
        XSD.int,
        XSD.long,
        XSD.short,
        XSD.nonNegativeInteger,
        XSD.positiveInteger,
        XSD.nonPositiveInteger,
        XSD.negativeInteger,
    )
}
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_HEADER_FONT = Font(bold=True)


def write_answer(
    target: IO[bytes],
    *,
    sheet_title: str,
    variables: Sequence[str],
    titles: Sequence[str],
    rows: Iterable[Sequence[Identifier | None]],
    names: Mapping[str, str],
) -> int:
    """Write one sheet with a header row of ``titles`` and one row per answer row.

    ``names`` maps a column of IRIs to the column holding their names. Returns
    the number of rows written (the header not counted).
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(sheet_title))
    sheet.freeze_panes = "A2"
    for index, title in enumerate(titles, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(title), 12), 50)
    header = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=_text(title))
        cell.font = _HEADER_FONT
        header.append(cell)
    sheet.append(header)
    position = {name: index for index, name in enumerate(variables)}
    label_at = [position.get(names.get(name, "")) for name in variables]
    count = 0
    for row in rows:
        cells: list[Cell | None] = []
        for value, label_index in zip(row, label_at, strict=True):
            label = row[label_index] if label_index is not None else None
            cells.append(_cell(sheet, value, label))
        sheet.append(cells)
        count += 1
    book.save(target)
    return count


def _sheet_title(title: str) -> str:
    """A worksheet title Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Resultaat"


def _cell(
    sheet: WriteOnlyWorksheet, value: Identifier | None, label: Identifier | None
) -> Cell | None:
    if value is None:
        return None
    if isinstance(value, URIRef):
        shown = str(label) if isinstance(label, Literal) and str(label) else str(value)
        cell = WriteOnlyCell(sheet, value=_text(shown))
        cell.data_type = "s"
        if web_address(str(value)) is not None:  # never file:, javascript:, ms-msdt: ...
            cell.hyperlink = str(value)
            cell.style = "Hyperlink"
        return cell
    if isinstance(value, BNode):
        return _text_cell(sheet, f"_:{value}")
    if isinstance(value, Literal):
        typed = _typed(value)
        if typed is None:
            return _text_cell(sheet, str(value))
        cell = WriteOnlyCell(sheet)
        cell.value = typed
        if isinstance(typed, datetime):
            cell.number_format = _DATETIME_FORMAT
        elif isinstance(typed, date):
            cell.number_format = _DATE_FORMAT
        return cell
    return _text_cell(sheet, str(value))


def _typed(value: Literal) -> int | float | Decimal | bool | date | datetime | None:
    """The Excel value of a literal of a number, boolean or date type; None for text."""
    datatype = str(value.datatype) if value.datatype is not None else None
    if datatype is None:
        return None
    python = value.toPython()
    if datatype in _NUMBERS and isinstance(python, int | float | Decimal):
        # A text no number of its type is ("1_000", "1E5" as a decimal) stays as written.
        written = _LEXICAL.get(datatype)
        if written is not None and not written.fullmatch(str(value)):
            return None
        return python if _excel_holds(python) else None
    if datatype == str(XSD.boolean) and isinstance(python, bool):
        return python
    # A date with a time zone ("2026-01-01+01:00") stays text, as a moment with one does.
    if datatype == str(XSD.date) and isinstance(python, date) and len(str(value)) == 10:
        return python
    # Excel has no time zones: a moment with one stays text rather than shift silently.
    if datatype == str(XSD.dateTime) and isinstance(python, datetime) and python.tzinfo is None:
        return python
    return None


def _excel_holds(number: int | float | Decimal) -> bool:
    """Whether an Excel cell holds the number: a cell is a double shown to 15 significant
    digits. INF and NaN would be written as an empty cell, and a whole part of more digits
    (a 16-digit identifier, 1E+30 written out) would change; those stay text, as the CSV
    has them. A fraction with more digits (2/3 as the engine divides it,
    0.666666666666666667) is a number Excel rounds as it rounds every calculation."""
    if isinstance(number, float):
        return math.isfinite(number)
    if isinstance(number, Decimal):  # by its exponent: 1E+999999999 is not written out
        return number.is_finite() and (number.is_zero() or number.adjusted() < EXCEL_DIGITS)
    return abs(number) < 10**EXCEL_DIGITS


def _text_cell(sheet: WriteOnlyWorksheet, text: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=_text(text))
    cell.data_type = "s"  # "=SUM(...)" in a name stays a name
    return cell


def _text(text: str) -> str:
    cleaned = ILLEGAL_CHARACTERS_RE.sub("", text)
    return cleaned if len(cleaned) <= MAX_CELL_TEXT else cleaned[: MAX_CELL_TEXT - 1] + "…"
