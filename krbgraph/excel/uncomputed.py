"""Cells holding a formula whose value was never computed.

A workbook keeps a formula's result beside the formula only once a spreadsheet
program has calculated it. One written by a script (openpyxl, pandas, a report
generator) and never opened in Excel or LibreOffice holds ``=40+8`` without the
48, and openpyxl, reading values, gives such a cell as empty: an optional value
would silently vanish and a required one be reported missing while the user sees
a formula in it. So the reader asks here which cells are such formulas, and says so.

Only worksheet parts that contain a formula at all are parsed (a byte search
first): workbooks without formulas, nearly all of them, cost one pass over bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    range_boundaries,
)

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CHUNK = 1 << 20


class Uncomputed:
    """The cells found: single cells, and the ranges of array formulas kept as ranges
    (one can span a whole sheet: filled in cell by cell, it took the memory of 17
    billion cells)."""

    def __init__(self, max_row: int) -> None:
        self.cells: dict[tuple[int, int], str] = {}
        self.ranges: list[tuple[int, int, int, int, str]] = []
        self.max_row = max_row

    def __bool__(self) -> bool:
        return bool(self.cells or self.ranges)

    def __contains__(self, cell: object) -> bool:
        return self.get(cell) is not None  # type: ignore[arg-type]

    def __getitem__(self, cell: tuple[int, int]) -> str:
        found = self.get(cell)
        if found is None:
            raise KeyError(cell)
        return found

    def get(self, cell: tuple[int, int]) -> str | None:
        if cell in self.cells:
            return self.cells[cell]
        row, column = cell
        for first_row, first_col, last_row, last_col, text in self.ranges:
            if first_row <= row <= last_row and first_col <= column <= last_col:
                return text
        return None

    def __iter__(self) -> Iterator[tuple[int, int]]:
        """Every cell, those of ranges up to ``max_row`` (for tests and messages)."""
        seen = set(self.cells)
        yield from self.cells
        for first_row, first_col, last_row, last_col, _ in self.ranges:
            for row in range(first_row, min(last_row, self.max_row) + 1):
                for column in range(first_col, last_col + 1):
                    if (row, column) not in seen:
                        seen.add((row, column))
                        yield (row, column)


def uncomputed_formulas(worksheet: Any, max_row: int) -> Uncomputed:
    """(row, column) -> formula text ('' for a shared formula's follower) of every
    cell of a read-only openpyxl worksheet that holds a formula but no value, up to row
    ``max_row`` (past it the reader refuses the sheet anyway). The cells an array
    formula without a value spans count too; cells and rows without a reference
    (``r``) are placed after the one before, as openpyxl places them."""
    archive = getattr(worksheet.parent, "_archive", None)
    path = getattr(worksheet, "_worksheet_path", None)
    if archive is None or path is None:  # pragma: no cover - openpyxl internals moved
        raise RuntimeError("openpyxl no longer exposes a read-only sheet's archive part")
    found = Uncomputed(max_row)
    if not _has_formula(archive, path):
        return found
    row = column = 0
    rows_parent = None
    with archive.open(path) as part:
        for event, element in iterparse(part, events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "sheetData":
                    rows_parent = element
                elif name == "row":
                    row = int(element.get("r") or row + 1)
                    column = 0
                    if row > max_row:
                        break
                continue
            if name == "row":
                element.clear()  # a sheet of a million cells is never held whole
                if rows_parent is not None:
                    rows_parent.remove(element)
            elif name == "c":
                column = _column_of(element.get("r"), column + 1)
                _note(element, row, column, found)
                element.clear()
    return found


def _column_of(ref: str | None, following: int) -> int:
    if not ref:
        return following
    letters, _ = coordinate_from_string(ref)
    return column_index_from_string(letters)


def _note(cell: Any, row: int, column: int, found: Uncomputed) -> None:
    formula = value = None
    for child in cell:
        name = _local(child.tag)
        if name == "f":
            formula = child
        elif name == "v":
            value = child
    # An empty <v/> is a computed empty text only in a cell typed as text ("str");
    # openpyxl writes it, untyped, for every formula it saves.
    empty = value is None or (not value.text and cell.get("t") != "str")
    if formula is None or not empty:
        return
    text = formula.text or ""
    found.cells[(row, column)] = text
    spanned = formula.get("ref") if formula.get("t") == "array" else None
    if spanned:
        first_col, first_row, last_col, last_row = range_boundaries(spanned)
        if first_col and first_row and last_col and last_row:
            found.ranges.append((first_row, first_col, last_row, last_col, text))


def _has_formula(archive: Any, path: str) -> bool:
    with archive.open(path) as part:
        tail = b""
        while chunk := part.read(_CHUNK):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-8:]
    return False


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
