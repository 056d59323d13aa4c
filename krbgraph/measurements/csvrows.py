"""Reading a measurements CSV into typed rows, with every problem at its line and column.

The file is what researchers export from their spreadsheet or download from CBS
StatLine, so the reader accepts their conventions rather than asking for ours:

- columns ``indicator``, ``gebied``, ``waarde``, ``eenheid``, ``bron`` and either
  ``periode_van`` + ``periode_tot`` or ``jaar``; optional ``rekenmethode``,
  ``sector``, ``materiaal`` and ``leefomgeving`` (the classification of norms). Header names ignore
  case and surrounding spaces; the separator (``,`` ``;`` or tab) is detected.
- text in UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text",
  tab-separated) or Windows-1252 (Excel's plain CSV on Windows);
- a label of an ordered value list (energielabel ``C``) in ``waarde`` with an empty
  ``eenheid``, for an indicator without a unit;
- numbers with a decimal comma (``47,3``), a decimal point (``47.3``) or both as
  Dutch writes them (``1.234,5``); thousands separators without a decimal part
  only where they cannot be a decimal point: ``1.250.000`` (several groups) is
  1250000, but ``1.250`` is refused as ambiguous (1250 written the Dutch way, or
  1,25 written the English way?), as the workbook refuses thousands separators
  (docs/excel.md) rather than guess a factor 1000; write ``1250`` or ``1,25``.
  ``0.125`` is no such case: no thousands group starts with 0. In a file separated by
  commas (written the English way) ``1,250`` is refused likewise. A space of any kind
  between digits (``1 000,5``, ``1 5``, a non-breaking space) is refused: never read;
- dates as ``2023-01-31`` or ``31-01-2023``; periods as StatLine codes: ``2023JJ00``
  (a year), ``2023KW02`` (a quarter), ``2023MM07`` (a month), in ``jaar`` or
  ``periode_van``.

Nothing here knows the registry: which indicator, area or source a text names is
decided by krbgraph.measurements.importing. The reader only reports what is wrong
with the text itself, and reports all of it, so one run shows every fix needed.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..registry_day import today as registry_today
from .values import (
    AMBIGUOUS_COMMA,
    ambiguous_number,
    cbs_code,
    parse_date,
    parse_number,
    parse_period,
    plain,
    space_in_number,
)

REQUIRED = ("indicator", "gebied", "waarde", "eenheid", "bron")
"""Columns the header must have."""
ROW_REQUIRED = ("indicator", "gebied", "waarde", "bron")
"""Columns every row must fill: ``eenheid`` stays empty for a label (energielabel C) of an
indicator without a unit; whether the indicator has one is decided on import."""
OPTIONAL = (
    "periode_van",
    "periode_tot",
    "jaar",
    "rekenmethode",
    "sector",
    "materiaal",
    "leefomgeving",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, at ``file:line`` and a column (None: the whole row)."""

    file: str
    line: int | None
    column: str | None
    message_nl: str
    message_en: str
    value: str | None = None

    def _where(self, column_word: str) -> str:
        where = self.file + (f":{self.line}" if self.line is not None else "")
        if self.column is not None:
            where += f", {column_word} {self.column}"
        return where + ": "

    @property
    def text_nl(self) -> str:
        """'metingen.csv:7, kolom waarde: ...'."""
        return self._where("kolom") + self.message_nl

    @property
    def text_en(self) -> str:
        return self._where("column") + self.message_en

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "message_nl": self.text_nl,
            "message_en": self.text_en,
        }


@dataclass(frozen=True)
class Row:
    """One measurement as written: texts still to be resolved, number and period parsed."""

    line: int
    indicator: str
    gebied: str
    start: date
    end: date
    waarde: Decimal | None
    """None for a label: ``label`` holds the text."""
    eenheid: str
    """Empty for a label."""
    bron: str
    rekenmethode: str | None = None
    sector: str | None = None
    materiaal: str | None = None
    leefomgeving: str | None = None
    """An IMBOR or local object type (the norms' krb:leefomgeving), by name, UUID or IRI."""
    label: str | None = None
    """``waarde`` as written when ``eenheid`` is empty: a label such as energielabel C."""
    broken: bool = False
    """The row's text has problems (reported with it): it is not imported, but what it
    names (indicator, area, source, classification) is still looked up, so that one run
    reports every fix the row needs. ``start`` and ``end`` are then only a guess."""


class Unreadable(Exception):
    """The file cannot be read as a CSV at all (missing, not text, no header)."""


def read_rows(path: Path) -> tuple[list[Row], list[Problem]]:
    """The rows of a measurements CSV and the problems found in its text.

    Raises Unreadable when the file cannot be opened or decoded, has no header or is
    not CSV as the csv module reads it.
    """
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    # cp1252 accepts almost any bytes, UTF-16 too: so UTF-16, recognised by its BOM
    # (which also gives the byte order), is tried before it and never falls back.
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)  # Excel's "Unicode text"
    else:
        encodings = ("utf-8-sig", "cp1252")  # cp1252: Excel's CSV on Windows
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError as exc:
            reason = exc.reason
    else:
        raise Unreadable(f"{path}: not a text file ({reason})")
    return parse_rows(text, name)


def parse_rows(text: str, name: str) -> tuple[list[Row], list[Problem]]:
    """As read_rows, for text already in memory; ``name`` is used in the problems."""
    if not text.strip():
        raise Unreadable(f"{name}: the file is empty")
    # Excel for Mac's "CSV (Macintosh)" ends lines with CR alone; the csv module reads
    # such a file as one line with new-line characters in unquoted fields.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    records = _records(text, delimiter, name)
    header = [cell.strip().lower() for cell in next(records)[1]]
    while header and not header[-1]:
        header.pop()  # Excel's empty columns after the last one (";;;")
    problems = _header_problems(header, name)
    if problems:
        return [], problems
    rows: list[Row] = []
    read = 0
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        read += 1
        if len(cells) > len(header) and not any(c.strip() for c in cells[len(header) :]):
            cells = cells[: len(header)]  # empty fields past the header's last column
        if len(cells) != len(header):
            problems.append(
                Problem(
                    name,
                    number,
                    None,
                    f"de regel heeft {len(cells)} velden, de kop {len(header)}",
                    f"the line has {len(cells)} fields, the header {len(header)}",
                )
            )
            continue
        row, found = parse_row(
            dict(zip(header, (c.strip() for c in cells), strict=True)),
            number,
            name,
            typed=True,
            comma_separated=delimiter == ",",
        )
        problems.extend(found)
        if row is not None:
            rows.append(row)
    if not read:
        # Imported, it would replace an earlier import by nothing; `krb drop` removes one.
        raise Unreadable(f"{name}: the file holds a header but no measurements")
    return rows, problems


def _records(text: str, delimiter: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on, the header first.

    Counting records would put everything after a quoted field spanning lines too
    early, and csv.reader's line_num is the last line read, past the start of such
    a record; the line after the previous record is where this one starts. What the
    csv module cannot read ends the file with Unreadable at that record: past it the
    reader's idea of where fields start is no longer to be trusted.
    """
    # strict: a quote never closed swallowed every later line into one field, unsaid
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    start = 1
    header: list[str] | None = None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            lines = text.split("\n")[start - 1 : reader.line_num]
            raise Unreadable(
                _csv_error(exc, name, start, "\n".join(lines), delimiter, header)
            ) from None
        if header is None:
            header = [cell.strip().lower() for cell in cells]
        yield start, cells
        start = reader.line_num + 1


def _csv_error(
    exc: csv.Error, name: str, line: int, record: str, delimiter: str, header: list[str] | None
) -> str:
    found = _overlong_field(record, delimiter)
    if found is None and "unexpected end of data" in str(exc):
        return (
            f'{name}:{line}: a quote (") opened in this line is never closed; close it, or '
            "remove it (a field needs quotes only when it holds the separator or a quote)"
        )
    if found is None:
        return f"{name}:{line}: not readable as CSV ({exc})"
    index, unclosed = found
    column = header[index] if header is not None and index < len(header) else str(index + 1)
    hint = '; is a quote (") left unclosed?' if unclosed else ""
    return (
        f"{name}:{line}, column {column}: the field is longer than "
        f"{csv.field_size_limit()} characters, more than any measurement needs{hint}"
    )


def _overlong_field(record: str, delimiter: str) -> tuple[int, bool] | None:
    """Which field of ``record`` (from 0) the csv module refused as too long, and
    whether that is a quote never closed; None if no field is too long.

    The limit is the csv module's own and stays as it is: it is process-wide, shared
    with every other CSV reader in the process, and no measurement comes near it, so
    a field that long is a mistake (often a quote never closed) to point at, not read.
    """
    limit = csv.field_size_limit()
    index, length, quoted, inside = 0, 0, False, False
    for position, char in enumerate(record):
        if char == '"' and (quoted or length == 0):
            if quoted and not inside and length > 0:
                length += 1  # "" within quotes: one quote in the text
            quoted, inside = True, not inside
        elif not inside and char == delimiter:
            index, length, quoted = index + 1, 0, False
        elif not inside and char in "\r\n":
            return None
        else:
            length += 1
            if length > limit:
                return index, quoted and '"' not in record[position:]
    return None


def _header_problems(header: list[str], name: str) -> list[Problem]:
    problems = []
    missing = [c for c in REQUIRED if c not in header]
    if "jaar" not in header and "periode_van" not in header:
        missing.append("jaar (of periode_van en periode_tot)")
    if missing:
        problems.append(
            Problem(
                name,
                1,
                None,
                f"kolommen ontbreken: {', '.join(missing)}",
                "columns missing: "
                + ", ".join(missing).replace(" (of ", " (or ").replace(" en ", " and "),
            )
        )
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        known = ", ".join(REQUIRED + OPTIONAL)
        problems.append(
            Problem(
                name,
                1,
                None,
                f"onbekende kolommen: {', '.join(unknown)} (bekend: {known})",
                f"unknown columns: {', '.join(unknown)} (known: {known})",
            )
        )
    duplicates = sorted({c for c in header if header.count(c) > 1})
    if duplicates:
        problems.append(
            Problem(
                name,
                1,
                None,
                f"kolommen staan dubbel in de kop: {', '.join(duplicates)}",
                f"columns appear twice in the header: {', '.join(duplicates)}",
            )
        )
    return problems


def parse_row(
    cells: dict[str, str],
    line: int,
    name: str,
    *,
    typed: bool = False,
    comma_separated: bool = False,
) -> tuple[Row | None, list[Problem]]:
    """One row from column -> stripped text (a column left out counts as empty): the Row,
    or None and every problem of its text. The workbook's sheet metingen uses this too.

    ``typed``: the text is what a person or spreadsheet wrote (a CSV), so ``1.250`` may be
    1250 with a Dutch thousands separator and is refused as ambiguous. The workbook gives
    Excel's own numbers as their digits (1.125 is 1,125), where no such doubt exists.
    ``comma_separated``: a file separated by commas is written the English way, so there
    ``1,250`` may be 1250 too, and is refused as ambiguous.
    """
    problems: list[Problem] = []

    def problem(column: str, nl: str, en: str) -> None:
        problems.append(Problem(name, line, column, nl, en, cells.get(column) or None))

    for column in ROW_REQUIRED:
        if not cells.get(column):
            problem(column, "dit veld is leeg", "this field is empty")
    waarde, label = None, None
    if cells.get("waarde") and not cells.get("eenheid"):
        label = cells["waarde"]  # a label, or a number without its unit: told on import
    elif spaced := space_in_number(cells["waarde"]):
        problem("waarde", *spaced)
    elif typed and comma_separated and AMBIGUOUS_COMMA.match(plain(cells["waarde"])):
        text = cells["waarde"]
        thousands = text.replace(",", "").strip()
        decimal = text.strip()
        problem(
            "waarde",
            f"'{text}' is dubbelzinnig in een bestand met komma's tussen de velden: {thousands} "
            f"(met een komma tussen de duizendtallen) of {decimal} (met een decimale komma); "
            f"schrijf {thousands} of {decimal.replace(',', '.')}",
            f"'{text}' is ambiguous in a file with commas between its fields: {thousands} (with a "
            f"comma between the thousands) or {decimal.replace(',', '.')} (with a decimal "
            f"comma); write {thousands} or {decimal.replace(',', '.')}",
        )
    elif typed and ambiguous_number(cells["waarde"]):
        text = cells["waarde"]
        small = parse_number(text) or Decimal(0)
        large, point = format(small.scaleb(3).quantize(1), "f"), format(small.normalize(), "f")
        problem(
            "waarde",
            f"'{text}' is dubbelzinnig: {large} (met een punt tussen de duizendtallen) of "
            f"{point.replace('.', ',')} (met een decimale punt); schrijf {large} of "
            f"{point.replace('.', ',')}",
            f"'{text}' is ambiguous: {large} (with a point between the thousands) or "
            f"{point} (with a decimal point); write {large} or {point.replace('.', ',')}",
        )
    elif cells.get("waarde"):
        waarde = parse_number(cells["waarde"])
        if waarde is None:
            problem(
                "waarde",
                f"'{cells['waarde']}' is geen getal (schrijf bijvoorbeeld 47,3 of 47.3)",
                f"'{cells['waarde']}' is not a number (write for example 47,3 or 47.3)",
            )
    period = _period(cells, problem)
    broken = bool(problems) or (waarde is None and label is None) or period is None
    if broken and not all(cells.get(column) for column in ("indicator", "gebied", "bron")):
        return None, problems
    if period is None:
        period = (registry_today(), registry_today())  # broken: the latest edition of an area
    return (
        Row(
            line=line,
            indicator=cells["indicator"],
            gebied=cells["gebied"],
            start=period[0],
            end=period[1],
            waarde=waarde,
            eenheid=cells.get("eenheid", ""),
            bron=cells["bron"],
            rekenmethode=cells.get("rekenmethode") or None,
            sector=cells.get("sector") or None,
            materiaal=cells.get("materiaal") or None,
            leefomgeving=cells.get("leefomgeving") or None,
            label=label,
            broken=broken,
        ),
        problems,
    )


def _period(cells: dict[str, str], problem) -> tuple[date, date] | None:  # noqa: ANN001
    jaar = cells.get("jaar", "")
    van, tot = cells.get("periode_van", ""), cells.get("periode_tot", "")
    if jaar and (van or tot):
        problem(
            "jaar",
            "vul jaar óf periode_van en periode_tot in, niet beide",
            "fill in jaar or periode_van and periode_tot, not both",
        )
        return None
    if jaar:
        period = parse_period(jaar)
        if period is None:
            problem(
                "jaar",
                f"'{jaar}' is geen jaar (2023) of CBS-periodecode (2023JJ00, 2023KW02, 2023MM07)",
                f"'{jaar}' is not a year (2023) or CBS period code (2023JJ00, 2023KW02, 2023MM07)",
            )
        return period
    if not van:
        problem(
            "periode_van",
            "vul jaar in, of periode_van en periode_tot",
            "fill in jaar, or periode_van and periode_tot",
        )
        return None
    if not tot:
        period = cbs_code(van)  # a StatLine code is a whole period on its own
        if period is None:
            problem(
                "periode_tot",
                "dit veld is leeg (alleen een CBS-periodecode in periode_van mag alleen staan)",
                "this field is empty (only a CBS period code in periode_van may stand alone)",
            )
        return period
    start, end = parse_date(van), parse_date(tot)
    for column, text, value in (("periode_van", van, start), ("periode_tot", tot, end)):
        if value is None:
            problem(
                column,
                f"'{text}' is geen datum (schrijf 2023-01-31 of 31-01-2023)",
                f"'{text}' is not a date (write 2023-01-31 or 31-01-2023)",
            )
    if start is None or end is None:
        return None
    if end < start:
        problem(
            "periode_tot",
            f"de periode eindigt ({end}) voordat hij begint ({start})",
            f"the period ends ({end}) before it starts ({start})",
        )
        return None
    return start, end
