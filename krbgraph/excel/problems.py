"""Problems found in a workbook, each with its place (sheet, row, column) and value.

A problem carries its message in Dutch and English so the CLI, the HTTP API
and the tests show the same text, and so a user can find the cell at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..units import MAX_SUGGESTIONS

Severity = Literal["fout", "waarschuwing"]


@dataclass(frozen=True)
class Problem:
    message_nl: str
    message_en: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "fout"

    @property
    def is_error(self) -> bool:
        return self.severity == "fout"

    def _where(self, row_word: str, column_word: str, sheet_word: str) -> str:
        if self.sheet is None:
            return ""
        parts = [self.sheet if self.row is not None else f"{sheet_word} {self.sheet}"]
        if self.row is not None:
            parts[0] += f" {row_word} {self.row}"
        if self.column is not None:
            parts.append(f"{column_word} {self.column}")
        return ", ".join(parts) + ": "

    @property
    def text_nl(self) -> str:
        """'beleidsnorm rij 7, kolom indicator: 'GEL-02' bestaat niet in blad beleidsindicator'."""
        return self._where("rij", "kolom", "blad") + self.message_nl

    @property
    def text_en(self) -> str:
        return self._where("row", "column", "sheet") + self.message_en

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for the HTTP API."""
        return {
            "severity": self.severity,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message_nl": self.text_nl,
            "message_en": self.text_en,
        }


class WorkbookUnreadable(Exception):
    """The file is not an .xlsx workbook that openpyxl can open (CLI exit code 2)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: kan de werkmap niet lezen / cannot read the workbook: {reason}")
        self.path = path
        self.reason = reason


def close_matches(name: str, options: Iterable[str], *, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """At most ``limit`` options closest to ``name`` (difflib, case and spacing ignored),
    best first; never the whole list."""
    by_key: dict[str, str] = {}
    for option in options:
        by_key.setdefault(" ".join(option.split()).casefold(), option)
    key = " ".join(name.split()).casefold()
    return [by_key[match] for match in difflib.get_close_matches(key, by_key, n=limit, cutoff=0.6)]


def did_you_mean(suggestions: Iterable[str]) -> tuple[str, str]:
    """'; bedoelt u: a, b?' and '; did you mean: a, b?', or two empty texts."""
    listed = ", ".join(suggestions)
    if not listed:
        return "", ""
    return f"; bedoelt u: {listed}?", f"; did you mean: {listed}?"
