"""Numbers, dates and periods as people write them in a measurements file.

The conventions are the ones the CSV reader (krbgraph.measurements.csvrows) accepts:
a decimal comma or point, Dutch thousands groups where they cannot be a decimal point,
dates as 2023-01-31 or 31-01-2023, years and CBS StatLine period codes. A space of any
kind inside a number is never read (space_in_number): '1 5' is not 15.
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
    """``text`` without surrounding spaces, a minus sign (U+2212) as '-'."""
    return text.strip().replace("\u2212", "-")


def ambiguous_number(text: str) -> bool:
    """Whether ``text`` may be read two ways a factor 1000 apart: one '.' followed by
    exactly three digits and no ',' (1.250: 1250 the Dutch way, 1,25 the English way).
    Not when the whole part is 0 (0.125): no thousands group starts with 0."""
    return bool(_AMBIGUOUS.match(plain(text)))


def parse_number(text: str) -> Decimal | None:
    """47,3 / 47.3 / 1.234,5 / 1.250.000 / -0,1 as a Decimal; None for anything else
    (CBS's '.').

    A ',' is the decimal sign and every '.' before it groups thousands (1.234,5). Without
    a ',' several '.' can only group thousands (1.250.000 is 1250000) and one '.' is the
    decimal point (47.3). So ``1.250`` is 1.25 here, as Excel's own digits mean it; text a
    person wrote is asked about it first (:func:`ambiguous_number`, parse_row's ``typed``).
    A space inside the number gives None: it is never read (:func:`space_in_number`).
    """
    value = plain(text)
    if not value or not _NUMBER.match(value):
        return None
    if "," in value or value.count(".") > 1:
        value = value.replace(".", "").replace(",", ".")
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


_SPACE = re.compile(r"\s+")
_SPACE_NAMES = {
    " ": ("een spatie", "a space"),
    "\u00a0": ("een harde spatie (U+00A0)", "a non-breaking space (U+00A0)"),
    "\u202f": ("een smalle harde spatie (U+202F)", "a narrow non-breaking space (U+202F)"),
    "\u2009": ("een dunne spatie (U+2009)", "a thin space (U+2009)"),
}


def space_in_number(text: str) -> tuple[str, str] | None:
    """Why ``text`` is refused (nl, en) when it is a number but for a space of any kind
    inside it ('1 000,5', '1 5', a non-breaking space as Excel and CBS group thousands):
    the space is not read, since dropping it (15) or taking it for a thousands separator
    guesses, and a guess silently changes the value; the workbook refuses the same
    (docs/excel.md, Numbers). Spaces before and after the number are no problem. None
    when ``text`` has no such space or is no number without it either."""
    inner = plain(text)
    found = _SPACE.search(inner)
    compact = _SPACE.sub("", inner)
    if found is None or parse_number(compact) is None:
        return None
    char = found.group()[0]
    code = f"U+{ord(char):04X}"
    nl, en = _SPACE_NAMES.get(char, (f"witruimte ({code})", f"white space ({code})"))
    where_nl, where_en = space_place(text)
    return (
        f"'{text}' heeft {nl} {where_nl}; een spatie in een getal wordt niet gelezen, "
        f"ook niet tussen duizendtallen: schrijf het getal zonder spaties ({compact}) als dat "
        "bedoeld is",
        f"'{text}' has {en} {where_en}; a space in a number is not read, not "
        f"between thousands either: write the number without spaces ({compact}) if that "
        "is meant",
    )


def space_place(text: str) -> tuple[str, str]:
    """Where the first space inside ``text`` is (nl, en): right after a leading sign
    ('- 5') or between the digits ('1 5')."""
    inner = plain(text)
    found = _SPACE.search(inner)
    if found is not None and found.start() == 1 and inner[0] in "+-":
        return "tussen het teken en de cijfers", "between its sign and its digits"
    return "tussen de cijfers", "between its digits"


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
