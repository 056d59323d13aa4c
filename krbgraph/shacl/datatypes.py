"""Well-formedness of typed literals for sh:datatype, as SPARQL expressions.

SHACL 4.1.2: a literal with the right datatype IRI still fails sh:datatype
when its lexical form is not in the datatype's lexical space ("abc"^^xsd:integer,
"300"^^xsd:byte, "2023-02-30"^^xsd:date, " 9"^^xsd:decimal: the lexical space of
XSD 1.1 part 2 holds no white space; its whiteSpace facet "collapse" is what an XML
Schema processor does to element text before it looks, and RDF 1.1 takes a literal's
lexical form as written, 3.3 and 5.1). The checks are regular expressions
over the lexical form (XSD 1.1 part 2, with [0-9] for digits: SPARQL engines
read \\d as any Unicode digit), range tests for the bounded integer types and
an arithmetic leap-year test, so they mean the same on every SPARQL 1.1 store.
Datatypes not listed here are checked by their IRI only, as pySHACL does.

Dates and times take a year of four digits, 0001 to 9999, where XSD 1.1 also allows
"10000-01-01", year 0000 and negative years. That is the calendar pySHACL (through
rdflib), Python and spreadsheets hold: a policy date outside it was valid to this
engine, ill-typed to pySHACL, and dropped by the lifecycle rules, which read the
dates in Python, so a norm meant to start in year 10000 (or a typo like 20204) was
in force today.
"""

from __future__ import annotations

import re
from functools import cache

from rdflib import URIRef
from rdflib.namespace import RDF, XSD

from . import terms

_ZONE = r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_TZ = f"{_ZONE}?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"
_CALENDAR_YEAR = r"([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_MONTH_DAY = (
    r"((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)"
    r"|(0[13578]|1[02])-31|02-29)"
)
_TIME = r"(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
_INTEGER = r"[+-]?[0-9]+"
_DECIMAL = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_FLOAT = r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([Ee][+-]?[0-9]+)?|[+-]?INF|NaN)"

_LEXICAL: dict[URIRef, str] = {
    XSD.boolean: "true|false|1|0",
    XSD.decimal: _DECIMAL,
    XSD.integer: _INTEGER,
    XSD.double: _FLOAT,
    XSD.float: _FLOAT,
    XSD.date: f"{_CALENDAR_YEAR}-{_MONTH_DAY}{_TZ}",
    XSD.dateTime: f"{_CALENDAR_YEAR}-{_MONTH_DAY}T{_TIME}{_TZ}",
    XSD.dateTimeStamp: f"{_CALENDAR_YEAR}-{_MONTH_DAY}T{_TIME}{_ZONE}",
    XSD.time: f"{_TIME}{_TZ}",
    XSD.gYear: f"{_YEAR}{_TZ}",
    XSD.gYearMonth: f"{_YEAR}-(0[1-9]|1[0-2]){_TZ}",
    XSD.gMonth: f"--(0[1-9]|1[0-2]){_TZ}",
    XSD.gDay: f"---(0[1-9]|[12][0-9]|3[01]){_TZ}",
    XSD.gMonthDay: f"--{_MONTH_DAY}{_TZ}",
    XSD.duration: r"-?P([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?",
    XSD.hexBinary: "([0-9a-fA-F]{2})*",
    XSD.language: "[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*",
    XSD.normalizedString: "[^\r\n\t]*",
    XSD.token: "([^\\s]+( [^\\s]+)*)?",
}

_INTEGER_RANGES: dict[URIRef, tuple[int | None, int | None]] = {
    XSD.nonPositiveInteger: (None, 0),
    XSD.negativeInteger: (None, -1),
    XSD.long: (-(2**63), 2**63 - 1),
    XSD.int: (-(2**31), 2**31 - 1),
    XSD.short: (-(2**15), 2**15 - 1),
    XSD.byte: (-(2**7), 2**7 - 1),
    XSD.nonNegativeInteger: (0, None),
    XSD.unsignedLong: (0, 2**64 - 1),
    XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 2**16 - 1),
    XSD.unsignedByte: (0, 2**8 - 1),
    XSD.positiveInteger: (1, None),
}


DERIVED_INTEGERS = frozenset(_INTEGER_RANGES)


def has_datatype(datatype: URIRef, value: str) -> str:
    """An expression (possibly raising an error: wrap it) true when ``value`` is a
    well-formed literal of ``datatype``."""
    if datatype == RDF.langString:
        return f'(isLiteral({value}) && LANG({value}) != "")'
    test = f"isLiteral({value}) && DATATYPE({value}) = {terms.iri(datatype)}"
    lexical = f"STR({value})"
    if datatype in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[datatype]
        number = f"{terms.iri(XSD.integer)}({lexical})"
        test += f" && REGEX({lexical}, {terms.string('^' + _INTEGER + '$')})"
        if low is not None:
            test += f" && {number} >= {terms.integer(low)}"
        if high is not None:
            test += f" && {number} <= {terms.integer(high)}"
        return f"({test})"
    pattern = _LEXICAL.get(datatype)
    if pattern is not None:
        test += f" && REGEX({lexical}, {terms.string('^(' + pattern + ')$')})"
    if datatype == XSD.duration:
        test += f' && !REGEX({lexical}, "^-?P$") && !REGEX({lexical}, "T$")'
    if datatype in (XSD.date, XSD.dateTime, XSD.dateTimeStamp):
        test += f" && {_leap_day_ok(lexical)}"
    return f"({test})"


def _leap_day_ok(lexical: str) -> str:
    """29 February only in leap years (the regular expression allows it in every year)."""
    year = f'{terms.iri(XSD.integer)}(STRBEFORE({lexical}, "-02-29"))'
    divisible = "({y} - FLOOR({y} / {n}) * {n} = 0)"
    leap = (
        f"({divisible.format(y=year, n=4)} && (!{divisible.format(y=year, n=100)}"
        f" || {divisible.format(y=year, n=400)}))"
    )
    return f'(!CONTAINS({lexical}, "-02-29") || {leap})'


def well_formed(datatype: URIRef, lexical: str) -> bool | None:
    """Whether ``lexical`` is in the lexical space of ``datatype`` as ``has_datatype``
    tests it (None for a datatype not checked here), for the reference engine's run
    (krbgraph.pyshacl_run): rdflib's Python conversions accept what XSD does not
    ("NaN"^^xsd:decimal, "nan"^^xsd:double, " 2"^^xsd:gYear), and pySHACL passed them."""
    if datatype in _INTEGER_RANGES:
        if not _compiled(_INTEGER).fullmatch(lexical):
            return False
        low, high = _INTEGER_RANGES[datatype]
        number = int(lexical)
        return (low is None or number >= low) and (high is None or number <= high)
    pattern = _LEXICAL.get(datatype)
    if pattern is None:
        return None
    if not _compiled(pattern).fullmatch(lexical):
        return False
    if datatype == XSD.duration and (lexical.endswith("T") or lexical.lstrip("-") == "P"):
        return False
    if datatype in (XSD.date, XSD.dateTime, XSD.dateTimeStamp) and "-02-29" in lexical:
        year = int(lexical.split("-02-29", 1)[0])
        return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return True


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # ASCII: \s and \w as XSD's regular expressions read them, not Unicode's.
    return re.compile(pattern, re.ASCII)
