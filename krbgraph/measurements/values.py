"""Numbers, dates and periods as people write them in a measurements file.

The conventions are the ones the CSV reader (krbgraph.measurements.csvrows) accepts:
a decimal comma or point, Dutch thousands groups where they cannot be a decimal point,
dates as 2023-01-31 or 31-01-2023, years and CBS StatLine period codes.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from decimal import Decimal, InvalidOperation

_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$|^[+-]?\d*\.?\d+$")


_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}\.\d{3}$")


AMBIGUOUS_COMMA = re.compile(r"^[+-]?[1-9]\d{0,2},\d{3}$")


def plain(text: str) -> str:
    return text.strip().replace("\u2212", "-").replace(" ", "")


def ambiguous_number(text: str) -> bool:
    """Whether ``text`` may be read two ways a factor 1000 apart: one '.' followed by
    exactly three digits and no ',' (1.250: 1250 the Dutch way, 1,25 the English way).
    Not when the whole part is 0 (0.125): no thousands group starts with 0."""
    return bool(_AMBIGUOUS.match(text.strip().replace("\u2212", "-").replace(" ", "")))


def parse_number(text: str) -> Decimal | None:
    """47,3 / 47.3 / 1.234,5 / 1.250.000 / -0,1 as a Decimal; None for anything else
    (CBS's '.').

    A ',' is the decimal sign and every '.' before it groups thousands (1.234,5). Without
    a ',' several '.' can only group thousands (1.250.000 is 1250000) and one '.' is the
    decimal point (47.3). So ``1.250`` is 1.25 here, as Excel's own digits mean it; text a
    person wrote is asked about it first (:func:`ambiguous_number`, parse_row's ``typed``).
    """
    value = text.strip().replace("\u2212", "-").replace(" ", "")
    if not value or not _NUMBER.match(value):
        return None
    if "," in value or value.count(".") > 1:
        value = value.replace(".", "").replace(",", ".")
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DUTCH = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def parse_date(text: str) -> date | None:
    """2023-01-31 or 31-01-2023 (the way Dutch spreadsheets write dates)."""
    text = text.strip()
    try:
        if match := _ISO.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DUTCH.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    return None


_YEAR = re.compile(r"^\d{4}$")
_CBS = re.compile(r"^(\d{4})(JJ00|KW0[1-4]|MM(0[1-9]|1[0-2]))$")


def parse_period(text: str) -> tuple[date, date] | None:
    """A year (2023) or a CBS StatLine period code as first and last day; None for
    anything else, year 0000 included (no calendar has it)."""
    text = text.strip().upper()
    try:
        if _YEAR.match(text):
            return date(int(text), 1, 1), date(int(text), 12, 31)
        return cbs_code(text)
    except ValueError:
        return None


def cbs_code(text: str) -> tuple[date, date] | None:
    match = _CBS.match(text.strip().upper())
    if not match or int(match[1]) == 0:
        return None
    year, kind = int(match[1]), match[2]
    if kind == "JJ00":
        return date(year, 1, 1), date(year, 12, 31)
    if kind.startswith("KW"):
        quarter = int(kind[2:])
        first, last = 3 * quarter - 2, 3 * quarter
        return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
    month = int(kind[2:])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
