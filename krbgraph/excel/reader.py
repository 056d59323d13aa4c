"""Workbook -> RDF: the public entry point of the Excel import.

Reading happens in two steps so that every problem of a workbook is reported
in one run: first the sheets are read as rows (missing sheets and columns,
extra columns, empty rows), then rows_to_rdf turns the rows into triples and
collects every bad cell with its sheet, row and column.

Size limits (limits.py) hold before and during the first step: the archive
is checked before openpyxl unpacks anything, and each sheet's rows are
counted as they stream in, so an oversized workbook is refused at once and
in bounded memory.

Messages name a workbook by its file name, never by the Python object it
was read from (an upload arrives as a stream).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from rdflib import Graph

from .limits import MAX_COLUMNS, WorkbookLimits, check_archive, too_many_rows
from .problems import Problem, WorkbookUnreadable, close_matches, did_you_mean
from .rows_to_rdf import Progress, ReadResult, convert_rows
from .sheet_rows import SheetRows
from .vocabulary import load_vocabulary
from .workbook_format import HIDDEN_LISTS_SHEET, SHEETS, Sheet

_UNREADABLE = (
    InvalidFileException,
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    EOFError,
    ParseError,
    IndexError,
)
"""What openpyxl and zipfile raise for a file that is no (intact) workbook: among them
malformed XML in a part (ParseError) and a cell pointing past the shared strings
(IndexError)."""


def read_sheets(
    source: str | Path | BinaryIO, *, limits: WorkbookLimits | None = None
) -> tuple[dict[str, SheetRows], list[Problem]]:
    """Read every sheet of the format as rows; report structural problems.

    Raises WorkbookUnreadable when the file is not an .xlsx workbook and
    WorkbookTooLarge when it passes ``limits`` (default: WorkbookLimits()).
    """
    limits = limits or WorkbookLimits()
    name = source_name(source)
    check_archive(source, limits)
    try:
        return _read_book(source, limits)
    except _UNREADABLE as exc:
        raise WorkbookUnreadable(name, str(exc) or type(exc).__name__) from exc


def source_name(source: str | Path | BinaryIO) -> str:
    """The file name of a path or of a file opened by name; "werkmap" for an anonymous stream."""
    if isinstance(source, str | Path):
        return str(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "werkmap"


def _read_book(
    source: str | Path | BinaryIO, limits: WorkbookLimits
) -> tuple[dict[str, SheetRows], list[Problem]]:
    book = load_workbook(source, read_only=True, data_only=True)
    problems: list[Problem] = []
    result: dict[str, SheetRows] = {}
    try:
        known = {sheet.name for sheet in SHEETS} | {HIDDEN_LISTS_SHEET}
        for title in book.sheetnames:
            if title.strip().lower() not in known:
                problems.append(
                    Problem(
                        "onbekend blad, wordt genegeerd",
                        "unknown sheet, ignored",
                        sheet=title,
                        severity="waarschuwing",
                    )
                )
        titles = {title.strip().lower(): title for title in book.sheetnames}
        for sheet in SHEETS:
            found = titles.get(sheet.name)
            if found is None:
                result[sheet.name] = SheetRows(sheet, present=False)
                if sheet.required:
                    problems.append(
                        Problem(
                            "verplicht blad ontbreekt in de werkmap",
                            "required sheet is missing from the workbook",
                            sheet=sheet.name,
                        )
                    )
                continue
            result[sheet.name] = _read_sheet(sheet, book[found], problems, limits)
    finally:
        book.close()
    return result, problems


def _read_sheet(
    sheet: Sheet, worksheet: Any, problems: list[Problem], limits: WorkbookLimits
) -> SheetRows:
    header = next(worksheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        if raw is None or not str(raw).strip():
            continue
        name = str(raw).strip().lower()
        if name in positions:
            problems.append(
                Problem(
                    f"kolom '{name}' staat twee keer in de kopregel",
                    f"column '{name}' appears twice in the header row",
                    sheet=sheet.name,
                    row=1,
                    column=name,
                    value=name,
                )
            )
        elif name not in sheet.names:
            nl, en = did_you_mean(close_matches(name, sheet.names))
            problems.append(
                Problem(
                    f"onbekende kolom '{name}' wordt genegeerd{nl}",
                    f"unknown column '{name}' is ignored{en}",
                    sheet=sheet.name,
                    row=1,
                    column=name,
                    value=name,
                    severity="waarschuwing",
                )
            )
        else:
            positions[name] = index
    for col in sheet.columns:
        if col.required and col.name not in positions:
            problems.append(
                Problem(
                    f"verplichte kolom '{col.name}' ontbreekt in de kopregel",
                    f"required column '{col.name}' is missing from the header row",
                    sheet=sheet.name,
                    row=1,
                    column=col.name,
                )
            )
    result = SheetRows(sheet, present=True)
    if not positions:
        return result
    # Only the columns up to the last known one, and one row past the limit: openpyxl pads
    # every row to the widest (or declared) column and fills gaps before a far row number.
    rows: Iterator[tuple[object, ...]] = worksheet.iter_rows(
        min_row=2,
        max_row=limits.max_rows + 1,
        max_col=max(positions.values()) + 1,
        values_only=True,
    )
    for number, values in enumerate(rows, start=2):
        if number > limits.max_rows:
            raise too_many_rows(sheet.name, number, limits)
        cells = {
            name: values[index]
            for name, index in positions.items()
            if index < len(values) and _filled(values[index])
        }
        if cells:
            result.rows.append((number, cells))
    return result


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def read_workbook(
    source: str | Path | BinaryIO,
    base_iri: str,
    model: Graph | None = None,
    *,
    progress: Progress | None = None,
    limits: WorkbookLimits | None = None,
) -> ReadResult:
    """Convert a KRB workbook to RDF, collecting every problem with its location.

    ``model`` is the model graph (value lists, units, IMBOR extract); by
    default the project's model. The graph is complete only when
    ``result.ok``; callers must not load it otherwise. Raises
    WorkbookUnreadable when the file cannot be opened as a workbook and
    WorkbookTooLarge when it passes ``limits`` (default: WorkbookLimits()).
    """
    if model is None:
        from ..model import model_graph

        model = model_graph()
    sheets, problems = read_sheets(source, limits=limits)
    vocabulary = load_vocabulary(model)
    converted = convert_rows(sheets, vocabulary, base_iri, progress=progress)
    return replace(
        converted, problems=problems + converted.problems, metingen=sheets.get("metingen")
    )
