"""Reading and writing single cell values: text, numbers, whole numbers, dates, ';'-lists.

Excel gives numbers as int/float and dates as datetime, but people also type
"0,4" or "16-11-2023"; every form is accepted here and turned into the one
lexical form the RDF needs, so a workbook round-trips without drift.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ..measurements.values import ambiguous_number, space_in_number, space_place
from .workbook_format import SEPARATOR


class CellError(ValueError):
    """A cell value that cannot be read; the reader adds sheet, row and column."""

    def __init__(self, message_nl: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_nl = message_nl
        self.message_en = message_en


def cell_text(value: object) -> str | None:
    """The cell as trimmed text; None for an empty cell.

    Whole numbers typed as codes (2030) come back as '2030', not '2030.0'.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def split_many(text: str) -> list[str]:
    """'huishoudens; bedrijven' -> ['huishoudens', 'bedrijven'] (empty parts dropped)."""
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


def canonical_decimal(value: Decimal) -> str:
    """The XSD canonical lexical form: 48 -> '48.0', 0.40 -> '0.4', -3 -> '-3.0'."""
    if not value.is_finite():
        raise CellError(f"'{value}' is geen eindig getal", f"'{value}' is not a finite number")
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    if text.startswith("-0") and Decimal(text) == 0:
        text = "0.0"
    return text


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_INTEGER = re.compile(r"^[+-]?\d+$")


def _number_text(value: object) -> str:
    """The cell as typed (trimmed). A space of any kind inside it is never read, the rule
    of the sheet metingen and krb import-metingen (space_in_number, docs/excel.md,
    Numbers): where the text without it is a number ('1 000,5', '1 5', '- 5', a
    non-breaking space as Excel groups thousands) it is refused saying so; any other
    text with a space inside is no number either. Dropping the space (15, -5) or taking
    it for a thousands separator would guess, and a guess silently changes the value."""
    text = cell_text(value) or ""
    if space_in_number(text) is not None:
        compact = re.sub(r"\s+", "", text)
        where_nl, where_en = space_place(text)
        raise CellError(
            f"'{text}' heeft een spatie {where_nl}; een spatie in een getal wordt niet "
            f"gelezen, ook niet tussen duizendtallen: schrijf het getal zonder spaties "
            f"({compact}) als dat bedoeld is",
            f"'{text}' has a space {where_en}; a space in a number is not read, not "
            f"between thousands either: write the number without spaces ({compact}) if that "
            "is meant",
        )
    return text


def _refuse_ambiguous(text: str, compact: str) -> None:
    """CellError for '1.250' or '-12.500': a point followed by exactly three digits is
    1250 with a point between the thousands or 1,25 with a decimal point, a factor 1000
    apart. Refused as the sheet metingen refuses it (the same test, ambiguous_number)."""
    if not ambiguous_number(compact):
        return
    small = Decimal(compact.lstrip("+"))
    large = format(small.scaleb(3).quantize(1), "f")
    point = format(small.normalize(), "f")
    comma = point.replace(".", ",")
    raise CellError(
        f"'{text}' is dubbelzinnig: {large} (met een punt tussen de duizendtallen) of "
        f"{comma} (met een decimale punt); schrijf {large} of {comma}",
        f"'{text}' is ambiguous: {large} (with a point between the thousands) or {point} "
        f"(with a decimal point); write {large} or {comma}",
    )


def parse_decimal(value: object) -> str:
    """A cell as an xsd:decimal lexical form.

    Excel numbers get the canonical form; typed text keeps its digits
    ('0,40' -> '0.40') so a value exported as text comes back identical.
    Nothing that may be a thousands separator is guessed: text with both '.' and
    ',' (1.000,5), a '.' followed by exactly three digits (1.250: 1250 or 1,25) and
    a space of any kind inside the number (1 000,5; - 5) are refused. The export
    never writes such text: it writes an Excel number or text with a decimal comma
    (decimal_cell).
    """
    if isinstance(value, bool):
        raise CellError(f"'{value}' is geen getal", f"'{value}' is not a number")
    if isinstance(value, int):
        return canonical_decimal(Decimal(value))
    if isinstance(value, float):
        return canonical_decimal(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    text = compact = _number_text(value)
    if not _NUMBER.match(compact):
        raise CellError(
            f"'{text}' is geen getal (gebruik bijvoorbeeld 48 of 0,4; geen duizendtallen)",
            f"'{text}' is not a number (use e.g. 48 or 0,4; no thousands separators)",
        )
    _refuse_ambiguous(text, compact)
    compact = compact.replace(",", ".")
    if compact.startswith("."):
        compact = "0" + compact
    elif compact[:2] in ("-.", "+."):
        compact = compact[0] + "0" + compact[1:]
    if compact.endswith("."):
        compact += "0"
    if "." not in compact:
        compact += ".0"
    try:
        Decimal(compact)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules this out
        raise CellError(f"'{text}' is geen getal", f"'{text}' is not a number") from exc
    return compact.lstrip("+")


def parse_integer(value: object) -> int:
    """A cell as a whole number: an Excel number without fraction, or text like '2' or '-1'."""
    if isinstance(value, bool):
        raise CellError(f"'{value}' is geen geheel getal", f"'{value}' is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    text = _number_text(value)
    if not _INTEGER.match(text):
        raise CellError(
            f"'{text}' is geen geheel getal (gebruik bijvoorbeeld 2 of -1)",
            f"'{text}' is not a whole number (use e.g. 2 or -1)",
        )
    return int(text)


def decimal_cell(lexical: str) -> float | str:
    """What to write in a cell for a decimal: an Excel number when that reads back
    as the same lexical form, otherwise text with a decimal comma."""
    try:
        number = float(lexical)
    except ValueError:
        return lexical
    if canonical_decimal(Decimal(repr(number))) == lexical:
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return lexical.replace(".", ",")


_ISO = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_DUTCH = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def refuse_date_zero(value: datetime | time) -> None:
    """CellError for what a date cell holding no real date reads as: openpyxl reads the
    serial number 0 (an empty formula result, or a 0 typed in a date cell) as the time
    00:00 and a negative one as a day in 1899, while Excel holds no date before 1900."""
    if isinstance(value, time):
        raise CellError(
            f"'{value.isoformat()}' is een tijd zonder datum (Excel's datum 0: een lege formule "
            "of een 0 in een datumcel, of een tijd); typ de datum",
            f"'{value.isoformat()}' is a time without a date (Excel's date 0: an empty formula "
            "result or a 0 in a date cell, or a time); type the date",
        )
    if value.year < 1900:
        raise CellError(
            f"'{value.date().isoformat()}' ligt voor 1900, wat Excel niet als datum kent (een "
            "negatief getal in een datumcel); typ de datum",
            f"'{value.date().isoformat()}' lies before 1900, which Excel holds no date for (a "
            "negative number in a date cell); type the date",
        )


def parse_date(value: object) -> date:
    """An Excel date, 'jjjj-mm-dd' or 'dd-mm-jjjj' (also with / or .) as a date.

    The four-digit year says which order is meant, so '2024/02/01' is 1 February
    as surely as '01/02/2024' is; a mix of separators ('2024-02/01') is a typo."""
    if isinstance(value, datetime | time):
        refuse_date_zero(value)
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise CellError(
                f"'{value}' bevat een tijd; alleen een datum is toegestaan",
                f"'{value}' has a time of day; only a date is allowed",
            )
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value) or ""
    match = _ISO.match(text)
    parts: tuple[int, int, int] | None = None
    if match:
        parts = (int(match[1]), int(match[3]), int(match[4]))
    else:
        match = _DUTCH.match(text)
        if match:
            parts = (int(match[3]), int(match[2]), int(match[1]))
    if parts is not None:
        try:
            return date(*parts)
        except ValueError:
            pass
    raise CellError(
        f"'{text}' is geen geldige datum (gebruik een Excel-datum, jjjj-mm-dd of dd-mm-jjjj)",
        f"'{text}' is not a valid date (use an Excel date, yyyy-mm-dd or dd-mm-yyyy)",
    )


def displayed_number(value: int | float, number_format: str | None) -> int | float | Decimal:
    """A number cell as the number Excel shows: 0.02 in format 0% is 2, 0.081 in 0.0% is 8.1.

    Typing "2%" makes Excel store 0.02 and format the cell as a percentage;
    the user sees and means 2 (a norm in %), and reading the stored fraction
    would make the value a hundred times too small without a word. No column
    of the format is meant to hold a fraction that is shown as a percentage,
    so every number is read as shown: what the user sees is what they mean.
    (Even in a unit of fractions, QUDT's FRACTION, a cell showing 2% is read
    as 2: the reader does not guess against what is on the screen.)
    The factor 100 is applied in decimal, so 0.081 becomes exactly 8.1, not
    8.100000000000001.
    """
    if not number_format or "%" not in number_format:
        return value
    positive, negative = _percent_sections(number_format)
    if not (negative if value < 0 else positive):
        return value
    return (Decimal(value) if isinstance(value, int) else Decimal(repr(value))).scaleb(2)


@lru_cache(maxsize=256)
def _percent_sections(number_format: str) -> tuple[bool, bool]:
    """Whether the format's section for positive numbers and the one for negative
    numbers multiply by 100: a '%' outside quotes, escapes and [colour/condition]
    brackets does, '0" %"' or '0\\%' only shows the sign."""
    sections: list[bool] = [False]
    chars = iter(number_format)
    for char in chars:
        if char == ";":
            sections.append(False)
        elif char == "%":
            sections[-1] = True
        elif char == '"':
            for quoted in chars:
                if quoted == '"':
                    break
        elif char == "[":
            for bracketed in chars:
                if bracketed == "]":
                    break
        elif char in "\\_*":  # escaped character, space as wide as it, repeated fill
            next(chars, None)
    return sections[0], sections[1] if len(sections) > 1 else sections[0]


def excel_error(code: str) -> CellError:
    """The problem of a cell holding an Excel error value (#REF!, #N/A, ...).

    openpyxl gives such a cell as the text of the error; read as text it would
    become a name or a code ("#REF!") and load without complaint, while the
    user's real value was lost to a broken formula or reference.
    """
    return CellError(
        f"de cel bevat een Excel-fout ({code}); herstel de formule of verwijzing, "
        "of typ de waarde in",
        f"the cell holds an Excel error ({code}); repair the formula or reference, "
        "or type the value",
    )


_ESCAPE_START = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_escape(text: str) -> str:
    """Text as an OOXML cell holds it: OOXML reads '_xHHHH_' as the character HHHH, so a
    '_' that starts such a sequence is written '_x005F_' (the '_' escaped). Without it
    the text LDEN_x005F_GEVEL came back as LDEN_GEVEL after a save in Excel or
    LibreOffice. openpyxl writes text as given, so the export escapes it."""
    return _ESCAPE_START.sub("_x005F_", text) if "_x" in text else text


def ooxml_unescape(text: str) -> str:
    """The text an OOXML cell's '_xHHHH_' escapes stand for (left to right, each once):
    what Excel and LibreOffice show and openpyxl leaves as written. A surrogate code
    (no character on its own) stays as written, and so does a control character other
    than tab and line feed (the line break Word pastes, U+000B; a carriage return):
    no cell the export writes can hold it, so decoded it was dropped from the next
    export and lost on the import after (written, `_x000b_` comes back as it came)."""
    if "_x" not in text:
        return text

    def character(match: re.Match[str]) -> str:
        code = int(match[1], 16)
        if 0xD800 <= code <= 0xDFFF or (code < 0x20 and code not in (0x09, 0x0A)):
            return match[0]
        return chr(code)

    return _ESCAPED.sub(character, text)
