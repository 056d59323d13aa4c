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

import difflib
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import ParseError

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse
from rdflib import Graph

from .conversion import OutsideLookup
from .header_problems import misnamed_columns, unknown_column, unnamed_columns
from .limits import MAX_COLUMNS, WorkbookLimits, check_archive, too_many_rows
from .problems import Problem, WorkbookUnreadable, close_matches
from .rows_to_rdf import Progress, ReadResult, convert_rows
from .sheet_rows import SheetRows
from .uncomputed import uncomputed_formulas
from .values import displayed_number, excel_error, ooxml_unescape
from .vocabulary import load_vocabulary
from .workbook_base import BASE_PROPERTY, RecordedBaseInvalid, recorded_base
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
    zlib.error,
)
"""What openpyxl and zipfile raise for a file that is no (intact) workbook: among them
malformed XML in a part (ParseError), a cell pointing past the shared strings
(IndexError) and damaged packed data (zlib.error). Rows stream while they are read,
so these come from reading the rows as much as from opening the file."""


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
    opened = _AsWritten(source, read_only=True, data_only=True)
    opened.read()
    book = opened.wb
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
        titles = _titles(book.sheetnames, problems)
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


class _AsWritten(ExcelReader):
    """openpyxl's reader (what load_workbook runs), with the shared strings as the file
    holds them. openpyxl drops every 'x005F_' from shared strings, half of OOXML's
    escaping ('LDEN_x005F_x005F_GEVEL', how Excel and LibreOffice write the text
    LDEN_x005F_GEVEL, came back as LDEN_GEVEL) and leaves inline strings (what openpyxl
    writes) as written; the reader decodes both alike, whole (values.ooxml_unescape)."""

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is None:
            return
        strings: list[str] = []
        with self.archive.open(part.PartName[1:]) as src:
            for _, node in iterparse(src):
                if node.tag == _STRING_TAG:
                    text = Text.from_tree(node)
                    strings.append(text.content if text is not None else "")
                    node.clear()
        self.shared_strings = strings


_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"


def _titles(sheetnames: list[str], problems: list[Problem]) -> dict[str, str]:
    """The tab that holds each sheet of the format, by name (surrounding spaces and case
    ignored). Two tabs of one name ('afdelingen' and 'afdelingen ') are an error naming
    both: reading one would drop the other's rows without a word. The tab spelled
    exactly as the format spells it is read (the other rows' references then still
    resolve), so the rest of the workbook's problems are reported too."""
    tabs: dict[str, list[str]] = {}
    for title in sheetnames:
        tabs.setdefault(title.strip().lower(), []).append(title)
    formatted = {sheet.name for sheet in SHEETS}
    for name, same in tabs.items():
        if name in formatted and len(same) > 1:
            listed = " en ".join(f"'{title}'" for title in same)
            listed_en = " and ".join(f"'{title}'" for title in same)
            problems.append(
                Problem(
                    f"de werkmap heeft {len(same)} bladen die {name} heten: {listed} "
                    "(spaties eromheen en hoofdletters tellen niet); voeg hun rijen samen "
                    "in één blad en verwijder of hernoem het andere",
                    f"the workbook has {len(same)} sheets named {name}: {listed_en} "
                    "(surrounding spaces and case do not count); merge their rows into one "
                    "sheet and remove or rename the other",
                    sheet=name,
                )
            )
    return {name: name if name in same else same[0] for name, same in tabs.items()}


def _misspelt(name: str, columns: Iterable[str]) -> list[str]:
    """The columns ``name`` is a slip of the keyboard for ("nam", "geldig tt",
    "eenhied": a letter or two off), not a column of the municipality's own that merely
    resembles one ("oude code", "jaar", "opmerking", all 0.6-0.7 alike): those stay
    ignored with a warning."""
    return difflib.get_close_matches(name, list(columns), n=3, cutoff=0.8)


def _read_sheet(
    sheet: Sheet, worksheet: Any, problems: list[Problem], limits: WorkbookLimits
) -> SheetRows:
    header = next(worksheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
    positions: dict[str, int] = {}
    misnamed: dict[int, tuple[str, list[str]]] = {}
    for index, raw in enumerate(header):
        if raw is None or not str(raw).strip():
            continue
        name = str(raw).strip().lower()
        # "geldig tot" is the column geldig_tot as people type it: read as that column.
        spelled = re.sub(r"[\s-]+", "_", name)
        if name not in sheet.names and spelled in sheet.names and spelled not in positions:
            name = spelled
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
        elif name not in sheet.names and (matches := _misspelt(spelled, sheet.names)):
            misnamed[index] = (name, matches)  # an error if it holds values (below)
        elif name not in sheet.names:
            problems.append(unknown_column(sheet, name, close_matches(name, sheet.names)))
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
    # A column whose header cell is empty (its name cleared by mistake, also the last
    # one): its values would be dropped without a word, and with them what they said.
    width = worksheet.max_column if isinstance(worksheet.max_column, int) else 0
    last = max(positions.values())
    unnamed = {
        index: 0
        for index, raw in enumerate(header[: max(last, min(width, MAX_COLUMNS))])
        if raw is None or not str(raw).strip()
    }
    # A header like a column's name but not it ("geldig tt"): its values would be dropped
    # while the import succeeds (an administrator's end dates, all of them): counted as
    # the unnamed ones, an error when it holds any.
    unnamed.update(dict.fromkeys(misnamed, 0))
    # Only the columns up to the last known or unnamed one, and one row past the limit:
    # openpyxl pads every row to the widest (or declared) column and fills gaps before a
    # far row number.
    rows: Iterator[tuple[Any, ...]] = worksheet.iter_rows(
        min_row=2,
        max_row=limits.max_rows + 1,
        max_col=max([last, *unnamed]) + 1,
    )
    columns = list(positions.items())
    formulas = uncomputed_formulas(worksheet, limits.max_rows + 1)
    for number, row in enumerate(rows, start=2):
        if number > limits.max_rows:
            raise too_many_rows(sheet.name, number, limits)
        cells: dict[str, object] = {}
        for name, index in columns:
            if index >= len(row):
                continue
            cell = row[index]
            value = cell.value
            if value is None:
                if formulas and (number, index + 1) in formulas:
                    problems.append(_uncomputed(sheet, number, name, formulas[number, index + 1]))
                continue
            kind = type(value)
            if kind is str:
                value = ooxml_unescape(value)
                if not value.strip():
                    continue
                if cell.data_type == "e":
                    problems.append(_excel_error(sheet, number, name, value))
            elif kind is float or kind is int:
                value = displayed_number(value, cell.number_format)
            cells[name] = value
        if cells:
            result.rows.append((number, cells))
        for index in unnamed:
            if index < len(row) and str(row[index].value or "").strip():
                unnamed[index] += 1
    problems.extend(unnamed_columns(sheet, {i: n for i, n in unnamed.items() if i not in misnamed}))
    problems.extend(misnamed_columns(sheet, misnamed, unnamed))
    problems.extend(_merged_cell_warnings(sheet, worksheet, positions, result))
    return result


def _uncomputed(sheet: Sheet, row: int, column: str, formula: str) -> Problem:
    return Problem(
        "de cel bevat een formule zonder berekende waarde (de werkmap is door een programma "
        "geschreven en nooit in Excel of LibreOffice berekend); open en bewaar de werkmap in "
        "Excel of LibreOffice, of typ de waarde zelf",
        "the cell holds a formula whose value was never computed (the workbook was written "
        "by a program and never calculated in Excel or LibreOffice); open and save it in "
        "Excel or LibreOffice, or type the value",
        sheet=sheet.name,
        row=row,
        column=column,
        value=f"={formula}" if formula else "(gedeelde formule)",
    )


def _excel_error(sheet: Sheet, row: int, column: str, code: str) -> Problem:
    error = excel_error(code)
    return Problem(
        error.message_nl, error.message_en, sheet=sheet.name, row=row, column=column, value=code
    )


def _merged_cell_warnings(
    sheet: Sheet, worksheet: Any, positions: dict[str, int], rows: SheetRows
) -> list[Problem]:
    """A warning at every cell of a data row that a merged range covers but does not fill.

    Excel shows a merged range's value across all its cells, but the file holds
    it in the top-left cell only: a status merged over two norm rows belongs,
    as far as the user can see, to both, and the second would silently get none.
    """
    ranges = _merged_ranges(worksheet)
    if not ranges:
        return []
    by_row = dict(rows.rows)
    names = {index + 1: name for name, index in positions.items()}
    last = max(by_row, default=1)
    warnings: list[Problem] = []
    for ref in ranges:
        first_col, first_row, last_col, last_row = range_boundaries(ref)
        if first_col is None or first_row is None or last_col is None or last_row is None:
            continue  # not written by Excel: a merge is always of cells, never of whole rows
        top = names.get(first_col)
        if top is None or by_row.get(first_row, {}).get(top) is None:
            continue  # an empty range, or one whose value is in an ignored column
        if first_col == last_col:
            nl = f"alleen de eerste rij ervan (rij {first_row}) krijgt de waarde"
            en = f"only its first row (row {first_row}) gets the value"
        else:
            corner = f"{get_column_letter(first_col)}{first_row}"
            nl = f"alleen de cel linksboven ({corner}) krijgt de waarde"
            en = f"only its top-left cell ({corner}) gets the value"
        for number in range(max(first_row, 2), min(last_row, last) + 1):
            cells = by_row.get(number)
            if cells is None:
                continue  # a row with nothing else in it is not read at all
            for column in range(first_col, last_col + 1):
                name = names.get(column)
                if name is None or (number, column) == (first_row, first_col) or name in cells:
                    continue
                warnings.append(
                    Problem(
                        f"cel valt in samengevoegd bereik {ref}; {nl}, deze cel wordt als leeg "
                        "gelezen (hef het samenvoegen op en vul elke cel in)",
                        f"cell lies in merged range {ref}; {en}, this cell is read as empty "
                        "(unmerge the range and fill in every cell)",
                        sheet=sheet.name,
                        row=number,
                        column=name,
                        severity="waarschuwing",
                    )
                )
    return warnings


_MERGE_REF = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*[\"']"  # any namespace prefix
    rb"([A-Za-z]{1,3}[0-9]+:[A-Za-z]{1,3}[0-9]+)"
)
_CHUNK = 1 << 20


def _merged_ranges(worksheet: Any) -> list[str]:
    """The merged ranges of a sheet ('P2:P3'), read from the sheet's XML.

    openpyxl's read-only mode, which keeps a large workbook streaming, skips
    <mergeCells>. The element comes after all rows, so the sheet's part is
    unpacked once more and searched as bytes, in chunks, without parsing XML:
    that costs a few milliseconds where parsing the rows costs seconds.
    """
    # openpyxl's own way to the sheet's part in the open archive; the name is private, and
    # without it merges go unnoticed as before (the tests of merged cells then fail).
    source = getattr(worksheet, "_get_source", None)
    if source is None:
        return []
    tail = b""
    with source() as part:
        while chunk := part.read(_CHUNK):
            data = tail + chunk
            found = data.find(b"mergeCell")
            if found >= 0:
                rest = data[max(found - 64, 0) :] + part.read()
                return [ref.decode("ascii").upper() for ref in _MERGE_REF.findall(rest)]
            tail = data[-64:]
    return []


def read_workbook(
    source: str | Path | BinaryIO,
    base_iri: str,
    model: Graph | None = None,
    *,
    progress: Progress | None = None,
    limits: WorkbookLimits | None = None,
    outside: OutsideLookup | None = None,
) -> ReadResult:
    """Convert a KRB workbook to RDF, collecting every problem with its location.

    ``model`` is the model graph (value lists, units, IMBOR extract); by
    default the project's model. A reference that names no row is refused, unless
    ``outside`` (krbgraph.excel.elsewhere, for an import into a store) finds the thing
    it names in the rest of the registry. Codes become IRIs under the base the workbook
    records (krbgraph.excel.workbook_base), else under ``base_iri``. The graph is complete only when
    ``result.ok``; callers must not load it otherwise. Raises
    WorkbookUnreadable when the file cannot be opened as a workbook and
    WorkbookTooLarge when it passes ``limits`` (default: WorkbookLimits()).
    """
    if model is None:
        from ..model import vocabulary_graph

        model = vocabulary_graph()
    sheets, problems = read_sheets(source, limits=limits)
    try:
        recorded = recorded_base(source)
    except RecordedBaseInvalid as invalid:
        problems.append(Problem(invalid.message_nl, invalid.message_en))
    else:
        if recorded is not None and recorded != base_iri.rstrip("/"):
            problems.append(_other_base(recorded, base_iri))
            base_iri = recorded
    vocabulary = load_vocabulary(model)
    converted = convert_rows(sheets, vocabulary, base_iri, progress=progress, outside=outside)
    # A cell refused while reading (an Excel error such as #REF!) is reported once, as
    # that: what the conversion makes of its text ('#REF!' is no number) only repeats it.
    refused = {(p.sheet, p.row, p.column) for p in problems if p.is_error and p.column}
    later = [p for p in converted.problems if (p.sheet, p.row, p.column) not in refused]
    return replace(converted, problems=problems + later, metingen=sheets.get("metingen"))


def _other_base(recorded: str, base_iri: str) -> Problem:
    """Said on every import that mints codes under another base than the registry's, so
    a workbook exported elsewhere and filled in here is not read under it unnoticed."""
    return Problem(
        f"codes worden IRI's onder {recorded}, de basis die de werkmap vastlegt "
        f"(documenteigenschap '{BASE_PROPERTY}'), niet onder {base_iri.rstrip('/')}; "
        "verwijder de eigenschap om ze onder de basis van dit register te lezen",
        f"codes become IRIs under {recorded}, the base the workbook records (document "
        f"property '{BASE_PROPERTY}'), not under {base_iri.rstrip('/')}; remove the "
        "property to read them under this registry's base",
        severity="waarschuwing",
    )
