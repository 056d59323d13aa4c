"""The rows of one sheet as read from the workbook, before any conversion."""

from __future__ import annotations

from dataclasses import dataclass, field

from .workbook_format import Sheet


@dataclass
class SheetRows:
    """The rows of one sheet as column -> raw cell value, with their row numbers.

    Empty cells are left out, so ``column in cells`` means "filled in".
    """

    sheet: Sheet
    present: bool
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)
