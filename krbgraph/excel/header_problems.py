"""Problems of a sheet's header row whose columns hold values that would not be read.

A column without a name, or with a name like one of the sheet's but not it ("geldig tt"
for geldig_tot): its values would be dropped while the import succeeds, and with them
what they said (an administrator's end dates, all of them).
"""

from __future__ import annotations

from openpyxl.utils.cell import get_column_letter

from .problems import Problem, did_you_mean
from .workbook_format import Sheet


def unnamed_columns(sheet: Sheet, unnamed: dict[int, int]) -> list[Problem]:
    """A problem for each column with values but no name in the header row."""
    return [
        Problem(
            f"kolom {get_column_letter(index + 1)} heeft {count} waarde(n) maar geen naam in "
            "de kopregel; geef de kolom haar naam (terug) of maak haar leeg: zonder naam "
            "worden de waarden niet gelezen",
            f"column {get_column_letter(index + 1)} holds {count} value(s) but has no name in "
            "the header row; give the column its name (back) or empty it: without a name "
            "its values are not read",
            sheet=sheet.name,
            row=1,
            column=get_column_letter(index + 1),
        )
        for index, count in unnamed.items()
        if count
    ]


def misnamed_columns(
    sheet: Sheet, misnamed: dict[int, tuple[str, list[str]]], counts: dict[int, int]
) -> list[Problem]:
    """Per header like a column's name but not it: an error when its column holds values
    (they would not be read), else the warning that it is ignored."""
    found = []
    for index, (name, matches) in misnamed.items():
        nl, en = did_you_mean(matches)
        count = counts.get(index, 0)
        found.append(
            Problem(
                f"kolom '{name}' heeft {count} waarde(n) maar is geen kolom van dit blad: "
                f"hernoem de kopregel, anders worden de waarden niet gelezen{nl}",
                f"column '{name}' holds {count} value(s) but is no column of this sheet: "
                f"rename the header, or its values are not read{en}",
                sheet=sheet.name,
                row=1,
                column=name,
                value=name,
            )
            if count
            else unknown_column(sheet, name, matches)
        )
    return found


def unknown_column(sheet: Sheet, name: str, matches: list[str]) -> Problem:
    """The warning that a column the sheet does not have is ignored."""
    nl, en = did_you_mean(matches)
    return Problem(
        f"onbekende kolom '{name}' wordt genegeerd{nl}",
        f"unknown column '{name}' is ignored{en}",
        sheet=sheet.name,
        row=1,
        column=name,
        value=name,
        severity="waarschuwing",
    )
