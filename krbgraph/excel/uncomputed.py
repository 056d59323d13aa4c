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
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CHUNK = 1 << 20


def uncomputed_formulas(worksheet: Any) -> dict[tuple[int, int], str]:
    """(row, column) -> formula text ('' for a shared formula's follower) of every
    cell of a read-only openpyxl worksheet that holds a formula but no value."""
    archive = getattr(worksheet.parent, "_archive", None)
    path = getattr(worksheet, "_worksheet_path", None)
    if archive is None or path is None:  # pragma: no cover - openpyxl internals moved
        raise RuntimeError("openpyxl no longer exposes a read-only sheet's archive part")
    if not _has_formula(archive, path):
        return {}
    found: dict[tuple[int, int], str] = {}
    with archive.open(path) as part:
        for _event, element in iterparse(part, events=("end",)):
            if _local(element.tag) != "c":
                continue
            formula = value = None
            for child in element:
                name = _local(child.tag)
                if name == "f":
                    formula = child
                elif name == "v":
                    value = child
            # An empty <v/> is a computed empty text only in a cell typed as text ("str");
            # openpyxl writes it, untyped, for every formula it saves.
            empty = value is None or (not value.text and element.get("t") != "str")
            if formula is not None and empty:
                ref = element.get("r")
                if ref:
                    letters, row = coordinate_from_string(ref)
                    found[(row, column_index_from_string(letters))] = formula.text or ""
            element.clear()
    return found


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
