"""How large a workbook may be: checked before openpyxl unpacks it and while rows stream in.

An .xlsx file is a zip archive, and a few hundred kilobytes of it can unpack
to gigabytes (a "zip bomb": two million identical rows, or one shared string
repeated without end). openpyxl unpacks whatever the archive holds, so the
archive's central directory is read first (zipfile reads only that
directory, not the members) and the workbook refused when it unpacks to more
than ``max_uncompressed_bytes`` in total, when one large member is packed
more than MAX_RATIO times tighter than ordinary workbooks ever are, or when
it holds more than MAX_MEMBERS files. The sizes the directory declares are
binding: zipfile stops every member at its declared size and fails on its
checksum when more would follow, so a directory that lies makes the
workbook unreadable, never larger.

Rows are counted while openpyxl streams them (read-only mode): a sheet with
more than ``max_rows`` rows is refused at the first row past the limit,
naming the sheet and that row, without reading the rest.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from ..settings import Settings
    from .problems import Problem

MB = 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED_MB = 200
"""A KRB workbook of 100,000 rows unpacks to some tens of megabytes."""
DEFAULT_MAX_ROWS = 100_000
MAX_RATIO = 100
"""Workbooks written by Excel or openpyxl pack their members 2 to 20 times; a member packed
more than 100 times is made to unpack, not to be read."""
RATIO_FLOOR = MB
"""Members that unpack to less than this are not ratio-checked: they cannot hurt."""
MAX_MEMBERS = 1_000
"""A workbook holds a few files per sheet; the KRB format has about twenty sheets."""
MAX_COLUMNS = 1_000
"""Header cells read per sheet; the widest KRB sheet has a few dozen columns."""
MAX_PROBLEMS_SHOWN = 1_000
"""Problems an answer or the command line lists; the total is always given."""


@dataclass(frozen=True)
class WorkbookLimits:
    """The sizes a workbook may reach; the defaults are those of the settings."""

    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_MB * MB
    max_rows: int = DEFAULT_MAX_ROWS
    """Rows per sheet, the header row included (a row number above this is refused)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkbookLimits:
        return cls(
            max_uncompressed_bytes=settings.max_workbook_uncompressed_mb * MB,
            max_rows=settings.max_workbook_rows,
        )


class WorkbookTooLarge(Exception):
    """The workbook passes a size limit; nothing of it was converted (HTTP 413, CLI exit 2).

    ``member`` names the archive member, or ``sheet`` and ``row`` the row where
    the limit was passed.
    """

    def __init__(
        self,
        message_nl: str,
        message_en: str,
        *,
        member: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(f"{message_nl} / {message_en}")
        self.message_nl = message_nl
        self.message_en = message_en
        self.member = member
        self.sheet = sheet
        self.row = row


def check_archive(source: str | Path | BinaryIO, limits: WorkbookLimits) -> None:
    """Refuse a workbook whose archive would unpack too far, before anything is unpacked.

    Reads only the zip's central directory. Raises WorkbookTooLarge. A file
    that is not a zip archive passes: opening it as a workbook reports that.
    A stream is left at its start.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    finally:
        if not isinstance(source, str | Path):
            source.seek(0)
    if len(members) > MAX_MEMBERS:
        raise WorkbookTooLarge(
            f"de werkmap bevat {len(members)} bestanden, meer dan {MAX_MEMBERS}",
            f"the workbook holds {len(members)} files, more than {MAX_MEMBERS}",
        )
    total = 0
    for member in members:
        size, packed = member.file_size, max(member.compress_size, 1)
        if size >= RATIO_FLOOR and size > MAX_RATIO * packed:
            raise WorkbookTooLarge(
                f"'{member.filename}' pakt uit tot {_mb(size)} uit {_mb(packed)} "
                f"(meer dan {MAX_RATIO} keer zo groot); zo'n werkmap wordt niet gelezen",
                f"'{member.filename}' unpacks to {_mb(size)} from {_mb(packed)} "
                f"(more than {MAX_RATIO} times larger); such a workbook is not read",
                member=member.filename,
            )
        total += size
        if total > limits.max_uncompressed_bytes:
            raise WorkbookTooLarge(
                f"de werkmap pakt uit tot meer dan {_mb(limits.max_uncompressed_bytes)} "
                f"(de grens is bereikt bij '{member.filename}')",
                f"the workbook unpacks to more than {_mb(limits.max_uncompressed_bytes)} "
                f"(the limit was passed at '{member.filename}')",
                member=member.filename,
            )


def too_many_rows(sheet: str, row: int, limits: WorkbookLimits) -> WorkbookTooLarge:
    """The error for a sheet that reaches ``row``, past ``limits.max_rows``."""
    return WorkbookTooLarge(
        f"blad {sheet} heeft meer dan {limits.max_rows} rijen (rij {row}); "
        "splits het over meer werkmappen",
        f"sheet {sheet} has more than {limits.max_rows} rows (row {row}); "
        "split it over several workbooks",
        sheet=sheet,
        row=row,
    )


def shown_problems(problems: list[Problem]) -> list[Problem]:
    """At most MAX_PROBLEMS_SHOWN problems, errors before warnings, otherwise in order."""
    return sorted(problems, key=lambda p: not p.is_error)[:MAX_PROBLEMS_SHOWN]


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB"
