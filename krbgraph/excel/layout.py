"""An empty KRB workbook: sheets, header comments, drop-downs, value lists.

Both the template and the export start from this layout, so an exported
registry offers the same help and drop-downs as a fresh template.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .values import ooxml_escape
from .vocabulary import Vocabulary
from .workbook_format import (
    DEFAULT_SCHEME_TITLES,
    HIDDEN_LISTS_SHEET,
    SHEETS,
    SHEETS_BY_NAME,
    VALUE_LISTS,
    Sheet,
)

MIN_ROWS = 2000
"""Drop-downs cover at least this many rows, and pick-list ranges as many."""

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")


def value_list_names(vocabulary: Vocabulary) -> dict[str, list[str]]:
    """The entries of each hidden value list, as the drop-downs show them."""
    names = {key: vocabulary[key].names() for key, _, _ in VALUE_LISTS if key in vocabulary.lists}
    names["conceptschema"] = list(DEFAULT_SCHEME_TITLES)
    return names


def new_workbook(
    vocabulary: Vocabulary,
    rows: dict[str, int] | None = None,
    offered: dict[str, list[str]] | None = None,
) -> Workbook:
    """All sheets with headers, comments, drop-downs and the hidden value lists.

    ``rows`` gives the number of data rows a sheet will get, so drop-downs and
    the ranges they point at stretch far enough. ``offered``: what a list offers instead
    of the national names (an exported registry's sectors, materials and document kinds
    with its own among them, which the drop-down of a norm's sector called unknown
    values; a national name an own concept hides is offered by a name that reads back).
    """
    rows = rows or {}
    book = Workbook()
    default_sheet = book.active  # the one sheet a new workbook starts with
    if default_sheet is not None:
        book.remove(default_sheet)
    for sheet in SHEETS:
        _header(book.create_sheet(sheet.name), sheet)
    lists = value_list_names(vocabulary)
    lists.update(offered or {})
    hidden = book.create_sheet(HIDDEN_LISTS_SHEET)
    hidden.sheet_state = "hidden"
    for index, (key, title_nl, title_en) in enumerate(VALUE_LISTS, start=1):
        cell = hidden.cell(row=1, column=index, value=key)
        cell.font = _HEADER_FONT
        cell.comment = Comment(f"{title_nl} / {title_en}", "krbgraph")
        for offset, name in enumerate(lists.get(key, []), start=2):
            hidden.cell(row=offset, column=index, value=ooxml_escape(name))
    for sheet in SHEETS:
        _drop_downs(book[sheet.name], sheet, lists, rows)
    return book


def _header(ws: Worksheet, sheet: Sheet) -> None:
    ws.append(list(sheet.names))
    ws.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = _HEADER_FONT
        cell.fill = _REQUIRED_FILL if column.required else _OPTIONAL_FILL
        need_nl = "Verplicht." if column.required else "Optioneel."
        need_en = "Required." if column.required else "Optional."
        comment = Comment(
            f"{column.name}: {column.help_nl} {need_nl}\n\n{column.help_en} {need_en}",
            "krbgraph",
        )
        comment.width, comment.height = 320, 160
        cell.comment = comment
        ws.column_dimensions[get_column_letter(index)].width = max(14, len(column.name) + 4)


def _source_range(choices: str, lists: dict[str, list[str]], rows: dict[str, int]) -> str:
    """'=beleidsthemas!$A$2:$A$2000' or '=waardelijsten!$B$2:$B$12' for a column's choices."""
    if choices.startswith("list:"):
        key = choices.removeprefix("list:")
        index = [k for k, _, _ in VALUE_LISTS].index(key) + 1
        letter = get_column_letter(index)
        last = max(2, len(lists.get(key, [])) + 1)
        return f"={HIDDEN_LISTS_SHEET}!${letter}$2:${letter}${last}"
    sheet_name, column = choices.split("!")
    letter = get_column_letter(SHEETS_BY_NAME[sheet_name].names.index(column) + 1)
    last = max(MIN_ROWS, rows.get(sheet_name, 0) + 1000)
    return f"={sheet_name}!${letter}$2:${letter}${last}"  # sheet names need no quoting


def _drop_downs(
    ws: Worksheet, sheet: Sheet, lists: dict[str, list[str]], rows: dict[str, int]
) -> None:
    """Excel list validations; warnings rather than stops, because a cell may
    also hold an alternative spelling ('max'), several values ('a; b') or an IRI."""
    last = max(MIN_ROWS, rows.get(sheet.name, 0) + 1000)
    for index, column in enumerate(sheet.columns, start=1):
        if column.choices is None:
            continue
        validation = DataValidation(
            type="list",
            formula1=_source_range(column.choices, lists, rows),
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="Onbekende waarde / unknown value",
            error=f"{column.help_nl}\n{column.help_en}"[:255],
            promptTitle=column.name[:32],
            prompt=column.help_nl[:255],
            showInputMessage=False,
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(validation)
