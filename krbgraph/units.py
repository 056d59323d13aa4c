"""Units of measure: which QUDT unit a text means, and how values convert between units.

The KRB records every quantity with a QUDT unit IRI (``qudt:hasUnit``), like IMBOR.
A :class:`UnitCatalogue` knows every unit of QUDT 3.1 (the extract in
``ontology/qudt/``, see its README) plus the KRB's own list ``ontology/eenheden.ttl``:
the Dutch notations people type (``per jaar``, ``kg/jr``, ``aantal``) and the units
QUDT lacks (the percentage point).

Resolving a text (:func:`resolve`) stops at the first step that finds something:

1. The text as typed (surrounding and repeated spaces removed): a unit IRI or
   ``unit:NAME``; else a KRB notation (``skos:altLabel``, label or symbol in
   eenheden.ttl); else a UCUM code, case-sensitive (``km/h``, ``ug/m3``); else a
   QUDT symbol (``μg/m³``).
2. The text normalised for typography: Unicode compatibility forms (``m³`` is
   ``m3``, ``⁻¹`` is ``-1``), the micro sign ``µ``, Greek ``μ`` and UCUM's ``u``
   as one, ``·`` as ``.``, ``kWh`` as ``kW.h``, no spaces around ``/`` and ``.``,
   Dutch ``per`` as ``/`` and Dutch time words after a slash as UCUM (``/jr``,
   ``/jaar`` and ``per jaar`` are ``/a``; ``/uur`` and ``/u`` are ``/h``; ``/dag`` is ``/d``).
   It is compared with the normalised KRB notations, then with the UCUM codes as
   products of units (``kg/a`` is ``kg.a-1``), then with the normalised symbols.
3. The normalised text ignoring case, over all of the above: ``KM/H`` is km/h,
   ``KWH`` kWh, but ``MG`` (mg or Mg) and ``KG`` (kg or kG, kilogauss) are ambiguous,
   and ``MWH`` (mWh or MWh) unknown. Mixed case with a capital M or P before a small
   letter is not folded: ``Mm3`` (a million cubic metres) is not ``mm3``.

A currency symbol in capitals that is another unit's UCUM code or KRB notation in
lower case is not read: ``KM`` (the Bosnian mark) is a kilometre in capitals; the
currency's IRI still names it.

A step that finds several units leaves out those QUDT deprecated (unless all
are). If the rest are interchangeable (compatible, with the same multiplier and
offset, such as ``unit:TONNE`` and ``unit:TON_Metric`` for ``t``), it takes the
KRB's own unit, else the first IRI. A step that finds units that are not
interchangeable raises :class:`AmbiguousUnit`, naming every candidate with its
UCUM codes; a symbol is only accepted when it is unambiguous in that sense. A
text no step matches raises :class:`UnknownUnit` with at most five close
notations. KRB notations win over UCUM: ``dag`` is a day, not UCUM's decagram.

``K`` multiplied with other units in a text that is not a known code as typed
(``K/jr``, ``K/uur``) is refused with :class:`AmbiguousUnit`: in UCUM ``K`` is the
kelvin, while in Dutch writing it often means "kilo" or "thousand" (the IDGB's
"120 K/jr" is 120 tonnes per year). The message asks for the UCUM code and names
the readings that exist (``t/a``, ``kt/a``, kelvin per hour ``K/h``). Per kelvin
(``W/(m2.K)``) is not refused: nobody writes "per thousand" that way.

Compatibility (:func:`compatible`) and conversion (:func:`convert`):

- A unit is always compatible with itself.
- Units without a conversion multiplier (logarithmic units such as dB and
  dB(A), currencies) or with multiplier 0 (scales such as Beaufort) are
  compatible only with themselves: QUDT gives no linear conversion for them,
  and dB(A) is not dB.
- Other units are compatible when they share ``qudt:hasDimensionVector``.
- Dimensionless units (dimension vector ``A0E0L0I0M0H0T0D1``: %, ‰, ppm, #,
  dB, angles, the percentage point) must also be of the same quantity kind: the
  ``qudt:hasQuantityKind`` set of one must hold every quantity kind of the
  other. So % converts to ‰ and ppm (both only ``DimensionlessRatio``, which %
  has too), but not to # (aantal, which also counts and is a quantum number), not
  to dB(A), and not to the percentage point (which has no quantity kind at all).
  A dimensionless unit without quantity kinds is compatible only with itself.
- Conversion goes through SI: ``si = (value + offset) * multiplier``. QUDT states
  the offset in the unit itself (°F has offset 459.67 and multiplier 5/9), so the
  offset is added before multiplying. A difference (an effect such as +2 °C)
  converts without offsets: ``convert(..., difference=True)``.

One module of some 750 lines on purpose: the unit catalogue, the reading of
what users write (symbols, UCUM codes, Dutch names) and conversion share the
same QUDT facts and their edge cases (offsets, dimensionless kinds).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from .model import project_root
from .namespaces import QUDT, UNIT

__all__ = [
    "DIMENSIONLESS",
    "AmbiguousUnit",
    "IncompatibleUnits",
    "Unit",
    "UnitCatalogue",
    "UnitError",
    "UnknownUnit",
    "calculable",
    "compatible",
    "convert",
    "default_catalogue",
    "resolve",
]

DIMENSIONLESS = "http://qudt.org/vocab/dimensionvector/A0E0L0I0M0H0T0D1"
"""The QUDT dimension vector of dimensionless units (%, #, dB, rad, ...)."""

KRB_UNITS = Path("ontology") / "eenheden.ttl"
QUDT_EXTRACT = Path("ontology") / "qudt" / "qudt-units.ttl"
"""Where the two unit files live, relative to the project root."""

MAX_SUGGESTIONS = 5
_WORKING_PRECISION = 60
"""Digits kept while converting; the result is rounded to the caller's decimal context."""

_Q = str(QUDT)
_UNIT_CLASS = _Q + "Unit"
_SYMBOL, _UCUM_CODE, _DEPRECATED = _Q + "symbol", _Q + "ucumCode", _Q + "deprecated"
_SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
_DIMENSION_VECTOR, _QUANTITY_KIND = _Q + "hasDimensionVector", _Q + "hasQuantityKind"
_MULTIPLIER, _OFFSET = _Q + "conversionMultiplier", _Q + "conversionOffset"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
_SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"


# --- Errors ------------------------------------------------------------------------


class UnitError(ValueError):
    """A unit that cannot be used: unknown, ambiguous or incompatible.

    Carries the message in Dutch and English, like the Excel import's problems.
    """

    def __init__(self, message_nl: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_nl = message_nl
        self.message_en = message_en


class UnknownUnit(UnitError):
    """No unit is known by this text; ``suggestions`` holds at most five close notations."""

    def __init__(
        self,
        text: str,
        suggestions: Iterable[str] = (),
        *,
        reason_nl: str = "",
        reason_en: str = "",
    ) -> None:
        self.text = text
        self.suggestions = tuple(suggestions)[:MAX_SUGGESTIONS]
        hint_nl = hint_en = ""
        if self.suggestions:
            listed = ", ".join(self.suggestions)
            hint_nl, hint_en = f"Bedoelt u {listed}? ", f"Did you mean {listed}? "
        super().__init__(
            f"'{text}' is geen bekende eenheid{': ' + reason_nl if reason_nl else ''}. "
            f"{hint_nl}Schrijf een UCUM-code (zoals km/h, ug/m3, t/a) of een QUDT-eenheid-IRI.",
            f"'{text}' is not a known unit{': ' + reason_en if reason_en else ''}. "
            f"{hint_en}Write a UCUM code (such as km/h, ug/m3, t/a) or a QUDT unit IRI.",
        )


class AmbiguousUnit(UnitError):
    """The text fits several units that are not interchangeable; ``candidates`` lists them."""

    def __init__(
        self, text: str, candidates: Iterable[Unit], *, reason_nl: str = "", reason_en: str = ""
    ) -> None:
        self.text = text
        self.candidates = tuple(candidates)
        listed_nl = "; ".join(_describe(unit, "geen UCUM-code") for unit in self.candidates)
        listed_en = "; ".join(_describe(unit, "no UCUM code") for unit in self.candidates)
        super().__init__(
            f"'{text}' is dubbelzinnig{': ' + reason_nl if reason_nl else ''}. "
            f"Schrijf de UCUM-code (of de IRI) van de bedoelde eenheid: {listed_nl}.",
            f"'{text}' is ambiguous{': ' + reason_en if reason_en else ''}. "
            f"Write the UCUM code (or the IRI) of the unit you mean: {listed_en}.",
        )


class IncompatibleUnits(UnitError):
    """Two units whose values cannot be compared; the message names both."""

    def __init__(self, source: Unit, target: Unit) -> None:
        self.source = source
        self.target = target
        reason_nl, reason_en = _incompatibility(source, target)
        names = f"'{source.display}' <{source.iri}>", f"'{target.display}' <{target.iri}>"
        super().__init__(
            f"{names[0]} en {names[1]} zijn niet in elkaar om te rekenen: {reason_nl}",
            f"{names[0]} and {names[1]} do not convert into each other: {reason_en}",
        )


# --- Units ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One unit of measure: a QUDT unit, or a unit the KRB declares like one."""

    iri: str
    symbol: str | None
    """The symbol to show: the KRB's notation (eenheden.ttl) if it declares one, else
    QUDT's."""
    ucum_codes: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]
    """(language tag, label) pairs, the KRB's first; the tag is "" for a label without one."""
    dimension_vector: str
    multiplier: Decimal | None
    """SI value of one unit; None (or 0) for units QUDT gives no linear conversion (dB, currencies,
    the Beaufort scale)."""
    offset: Decimal = Decimal(0)
    quantity_kinds: frozenset[str] = frozenset()
    symbols: tuple[str, ...] = ()
    """Every symbol the unit has in QUDT and eenheden.ttl."""
    notations: tuple[str, ...] = ()
    """What people type for it according to eenheden.ttl (alternative labels)."""
    krb: bool = False
    """Declared in eenheden.ttl."""
    deprecated: bool = False
    """QUDT deprecated it in favour of another unit."""

    @property
    def local_name(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    @property
    def display(self) -> str:
        """The symbol, or the IRI's last segment for a unit without one."""
        return self.symbol or self.local_name

    def label(self, language: str = "nl") -> str | None:
        """The label in ``language``, else in English, else any label."""
        for wanted in (language, "en", None):
            for tag, text in self.labels:
                if wanted is None or tag == wanted:
                    return text
        return None

    def __str__(self) -> str:
        return f"{self.display} <{self.iri}>"


def compatible(a: Unit, b: Unit) -> bool:
    """Whether values in ``a`` and ``b`` convert into each other (rules: module docstring)."""
    if a.iri == b.iri:
        return True
    if not a.multiplier or not b.multiplier:  # None, or 0 as for the Beaufort scale
        return False
    if a.dimension_vector != b.dimension_vector:
        return False
    if a.dimension_vector != DIMENSIONLESS:
        return True
    kinds_a, kinds_b = a.quantity_kinds, b.quantity_kinds
    return bool(kinds_a and kinds_b) and (kinds_a <= kinds_b or kinds_b <= kinds_a)


def convert(
    value: Decimal | int, source: Unit, target: Unit, *, difference: bool = False
) -> Decimal:
    """``value`` in ``source`` expressed in ``target``, through SI.

    ``si = (value + offset) * multiplier``, computed with 60 digits and rounded to
    the current decimal context (28 significant digits by default; a value to store
    goes through :func:`storable`). With
    ``difference=True`` the value is a change (an effect of +2 °C), so offsets
    are left out. Raises :class:`IncompatibleUnits` when the units do not
    convert, and TypeError for a float (use Decimal).

    >>> catalogue = default_catalogue()
    >>> convert(Decimal("-0.1"), catalogue.resolve("km"), catalogue.resolve("m"))
    Decimal('-100.0')
    """
    if isinstance(value, float) or not isinstance(value, Decimal | int):
        raise TypeError(f"convert takes a Decimal or an int, not {type(value).__name__}")
    amount = Decimal(value)
    if source.iri == target.iri:
        return amount
    if not compatible(source, target):
        raise IncompatibleUnits(source, target)
    assert source.multiplier is not None and target.multiplier is not None
    with localcontext() as context:
        context.prec = _WORKING_PRECISION
        offset_in = Decimal(0) if difference else source.offset
        offset_out = Decimal(0) if difference else target.offset
        si = (amount + offset_in) * source.multiplier
        result = si / target.multiplier - offset_out
    return +result


STORED_DIGITS = 15
"""Significant digits of a converted value: QUDT's multipliers hold no more, and a
double holds no more for sure."""

STORED_DECIMALS = 18
"""Decimals of a stored value: Oxigraph's xsd:decimal holds 18 and refuses
arithmetic on a literal with more."""


def storable(value: Decimal, unit: Unit | None = None) -> Decimal:
    """``value`` (a value in ``unit``) rounded to STORED_DIGITS significant digits of
    what SI counts, ``value + offset`` of the unit (QUDT: si = (value + offset) *
    multiplier), and to STORED_DECIMALS decimals (half even); a value that rounding
    leaves as it is keeps its exponent: -100.0 stays -100.0.

    A converted value with more (1 GJ is 0.2777777777777777777777777778 MWh at 28
    digits) is one the SPARQL engine cannot calculate with: every research answer
    left it out. Digits of the SI value, not of the value: 32 °F is 273.15 K through
    QUDT's 5/9 to 16 digits, 2.1852e-14 °C, which is 0 °C (273.150000000000 K) to 15
    digits of the kelvins.

    >>> storable(Decimal("0.2777777777777777777777777778"))
    Decimal('0.277777777777778')
    >>> catalogue = default_catalogue()
    >>> fahrenheit, celsius = catalogue.resolve("[degF]"), catalogue.resolve("Cel")
    >>> storable(convert(Decimal(32), fahrenheit, celsius), celsius) == 0
    True
    """
    offset = unit.offset if unit is not None else Decimal(0)
    with localcontext() as context:
        context.prec = _WORKING_PRECISION
        counted = value + offset
        context.prec = STORED_DIGITS
        counted = +counted
        context.prec = _WORKING_PRECISION
        rounded = counted - offset
    if rounded == value:
        rounded = value
    exponent = rounded.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -STORED_DECIMALS:
        rounded = rounded.quantize(Decimal(1).scaleb(-STORED_DECIMALS))
    return rounded


def calculable(value: Decimal) -> Decimal:
    """``value`` as written when the engine's xsd:decimal holds its decimals (at most
    STORED_DECIMALS), else rounded to STORED_DECIMALS decimals where that keeps
    STORED_DIGITS significant digits (what a double holds): 0.0001 * 3 as Python and
    pandas write it, 0.00030000000000000003, got no verdict from any research question
    in the norm's own unit. A smaller value (5e-19) is kept as written: rounding would
    make it 0, and the research questions calculate with it in doubles.

    >>> calculable(Decimal("0.00030000000000000003"))
    Decimal('0.000300000000000000')
    >>> calculable(Decimal("123456789012345678.0000000000000000001"))
    Decimal('123456789012345678.000000000000000000')
    >>> calculable(Decimal("0.0000000000000000005"))
    Decimal('5E-19')
    >>> calculable(Decimal("1234567890.1234567"))
    Decimal('1234567890.1234567')
    """
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -STORED_DECIMALS:
        return value
    if value.adjusted() < STORED_DIGITS - STORED_DECIMALS - 1:
        return value
    with localcontext() as context:
        context.prec = _WORKING_PRECISION
        return value.quantize(Decimal(1).scaleb(-STORED_DECIMALS))


def _incompatibility(a: Unit, b: Unit) -> tuple[str, str]:
    for unit in (a, b):
        if not unit.multiplier:
            return (
                f"QUDT geeft '{unit.display}' geen omrekeningsfactor (een logaritmische "
                "eenheid zoals dB, of een valuta), dus die is alleen met zichzelf te vergelijken",
                f"QUDT gives '{unit.display}' no conversion multiplier (a logarithmic unit such "
                "as dB, or a currency), so it compares only with itself",
            )
    if a.dimension_vector != b.dimension_vector:
        return (
            f"ze meten iets anders (dimensie {_segment(a.dimension_vector)} tegenover "
            f"{_segment(b.dimension_vector)})",
            f"they measure different things (dimension {_segment(a.dimension_vector)} versus "
            f"{_segment(b.dimension_vector)})",
        )
    return (
        "beide zijn dimensieloos, maar van een andere grootheid (qudt:hasQuantityKind), "
        "zoals procent en procentpunt of procent en dB(A)",
        "both are dimensionless but of different quantity kinds (qudt:hasQuantityKind), "
        "like percent and percentage point or percent and dB(A)",
    )


def _segment(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _describe(unit: Unit, no_code: str) -> str:
    codes = f"UCUM {', '.join(unit.ucum_codes)}" if unit.ucum_codes else no_code
    return f"{unit.display} <{unit.iri}> ({codes})"


def _interchangeable(a: Unit, b: Unit) -> bool:
    return a.iri == b.iri or (
        compatible(a, b) and a.multiplier == b.multiplier and a.offset == b.offset
    )


def _preference(unit: Unit) -> tuple[bool, bool, str]:
    return not unit.krb, unit.deprecated, unit.iri


# --- Typed text -------------------------------------------------------------------------

_SPACES_AROUND_OPERATORS = re.compile(r"\s*([/.])\s*")
_DUTCH_PER = re.compile(r"(?:^|\s+)per\s+", re.IGNORECASE)
_DUTCH_TIME = {
    "jaar": "a",
    "jr": "a",
    "uur": "h",
    # "km/u", as Dutch road signs write it: after a slash "u" is the hour (UCUM's u, the
    # atomic mass unit, is in no unit per dalton any registry measures).
    "u": "h",
    "dag": "d",
    "etmaal": "d",
    "week": "wk",
    "maand": "mo",
    "mnd": "mo",
    "minuut": "min",
    "seconde": "s",
    "sec": "s",
}
_DUTCH_TIME_AFTER_SLASH = re.compile(
    r"/(" + "|".join(sorted(_DUTCH_TIME, key=len, reverse=True)) + r")(?![A-Za-z])",
    re.IGNORECASE,
)
_MULTIPLICATION_SIGNS = re.compile(r"[\u00b7\u2022\u2219\u22c5\u00d7]")
_MINUS_SIGNS = re.compile(r"[\u2010\u2011\u2012\u2013\u2212]")
_WATT_HOUR = re.compile(r"(?<![A-Za-z])([kMGTP]?)Wh(?![A-Za-z])")
"""kWh, MWh, ...: the watt-hour as commonly written, W.h in UCUM."""

_CASE_PREFIX = re.compile(r"(?<![A-Za-z])[MP](?=[A-Za-z])")
"""An upper-case mega or peta prefix before a lower-case unit (Mm, Mm3, Pg): case-folded
it would read as milli or pico (a KRB word such as Procent is read as before)."""

_WATT_HOUR_ANY_CASE = re.compile(r"(?<![a-z])([kgt]?)wh(?![a-z])")
"""The same in a case-folded text (KWH, Kwh), for the step that ignores case: only with
a prefix that is one prefix in either case (k, G, T). ``MWH`` may be mWh or MWh (a
factor of 10⁹; QUDT has no milliwatt-hour, so it would be read as MWh unasked), and
``PWH`` pWh or PWh: those stay unknown units."""

_ANY_WATT_HOUR = re.compile(r"(?<![a-z])([kmgtp]?)wh(?![a-z])")
"""Every prefixed watt-hour in a case-folded text: for suggestions only."""

_CURRENCY = "/unit/CCY_"
"""QUDT's currencies: their symbols that are words are not read as units."""


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _typographic(text: str) -> str:
    """The typographic normal form of a unit notation (step 2 of the module docstring)."""
    normal = unicodedata.normalize("NFKC", text)  # m³ -> m3, ⁻¹ -> -1, µ (micro) -> μ
    normal = normal.replace("\u03bc", "u")  # Greek mu -> UCUM's u
    normal = _MULTIPLICATION_SIGNS.sub(".", normal)
    normal = _MINUS_SIGNS.sub("-", normal)  # superscript minus becomes U+2212 under NFKC
    normal = _WATT_HOUR.sub(r"\1W.h", normal)
    normal = " ".join(normal.split())
    normal = _DUTCH_PER.sub("/", normal)
    normal = _SPACES_AROUND_OPERATORS.sub(r"\1", normal)
    return _DUTCH_TIME_AFTER_SLASH.sub(lambda m: "/" + _DUTCH_TIME[m.group(1).lower()], normal)


Term = tuple[tuple[str, int], ...]
"""A UCUM code as a product: its (unit symbol, exponent) factors, sorted. Factors are
not multiplied out, so ``m2/m`` stays apart from ``m``, as QUDT keeps them apart."""

_EXPONENT = re.compile(r"(.*?)([+-]?[0-9]+)")


class _UcumReader:
    """A small reader of UCUM's grammar: products, quotients, exponents, parentheses."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.at = 0

    def term(self) -> list[tuple[str, int]] | None:
        product: list[tuple[str, int]] = []
        sign = 1
        if self._peek() == "/":
            self.at += 1
            sign = -1
        while True:
            if not self._component(product, sign):
                return None
            operator = self._peek()
            if operator not in (".", "/"):
                return product
            self.at += 1
            sign = -1 if operator == "/" else 1

    def _peek(self) -> str:
        return self.code[self.at] if self.at < len(self.code) else ""

    def _component(self, product: list[tuple[str, int]], sign: int) -> bool:
        if self._peek() == "(":
            self.at += 1
            inner = self.term()
            if inner is None or self._peek() != ")":
                return False
            self.at += 1
            power = self._power()
            self._annotation()
            product.extend((atom, sign * power * exponent) for atom, exponent in inner)
            return True
        start = self.at
        while self._peek() and self._peek() not in "./(){}":
            if self._peek() == "[":
                end = self.code.find("]", self.at)
                if end < 0:
                    return False
                self.at = end + 1
            else:
                self.at += 1
        symbol = self.code[start : self.at]
        annotation = self._annotation()
        if not symbol and not annotation:
            return False
        exponent = 1
        match = _EXPONENT.fullmatch(symbol)
        if match and match.group(1) and not match.group(1).isdigit():
            symbol, exponent = match.group(1), int(match.group(2))
        if symbol == "1" and not annotation:
            return True  # the unity factor: "1/a" is "/a"
        product.append((symbol + annotation, sign * exponent))
        return True

    def _power(self) -> int:
        match = re.match(r"[+-]?[0-9]+", self.code[self.at :])
        if not match:
            return 1
        self.at += match.end()
        return int(match.group())

    def _annotation(self) -> str:
        if self._peek() != "{":
            return ""
        end = self.code.find("}", self.at)
        if end < 0:
            return ""
        text = self.code[self.at : end + 1]
        self.at = end + 1
        return text


def _ucum_term(code: str) -> Term | None:
    """``code`` as a product of units (``kg/a`` and ``kg.a-1`` give one term), or None."""
    if not code or " " in code:
        return None
    reader = _UcumReader(code)
    product = reader.term()
    if product is None or reader.at != len(code):
        return None
    return tuple(sorted(product)) or None


def _term_key(term: Term) -> str:
    return " ".join(f"{atom}^{power}" for atom, power in term)


# --- The catalogue ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tables:
    """Notation -> unit IRIs, one table per way of writing a unit."""

    krb: Mapping[str, frozenset[str]]
    ucum: Mapping[str, frozenset[str]]
    symbol: Mapping[str, frozenset[str]]
    krb_normal: Mapping[str, frozenset[str]]
    ucum_term: Mapping[str, frozenset[str]]
    symbol_normal: Mapping[str, frozenset[str]]
    symbol_term: Mapping[str, frozenset[str]]
    folded: Mapping[str, frozenset[str]]
    names: tuple[str, ...]
    """Every notation, code and symbol as written, for suggestions."""


def _krb_names(unit: Unit) -> list[str]:
    if not unit.krb:
        return []
    return [*unit.notations, *(text for _tag, text in unit.labels), *unit.symbols]


def _tables(units: Iterable[Unit]) -> _Tables:
    tables: dict[str, defaultdict[str, set[str]]] = {
        name: defaultdict(set)
        for name in (
            "krb",
            "ucum",
            "symbol",
            "krb_normal",
            "ucum_term",
            "symbol_normal",
            "symbol_term",
            "folded",
        )
    }

    def put(table: str, key: str | None, iri: str) -> None:
        if key:
            tables[table][key].add(iri)
            tables["folded"][key.casefold()].add(iri)

    units = list(units)
    other_codes = {
        _clean(text).casefold()
        for unit in units
        if _CURRENCY not in unit.iri
        for text in (*unit.ucum_codes, *_krb_names(unit))
    }
    for unit in units:
        for name in _krb_names(unit):
            put("krb", _clean(name), unit.iri)
            put("krb_normal", _typographic(_clean(name)), unit.iri)
        for code in unit.ucum_codes:
            put("ucum", code, unit.iri)
            term = _ucum_term(code)
            put("ucum_term", _term_key(term) if term else None, unit.iri)
        for symbol in unit.symbols:
            if _CURRENCY in unit.iri and symbol.isupper() and symbol.casefold() in other_codes:
                continue  # "KM", the Bosnian mark, is km in capitals: not read as money
            put("symbol", _clean(symbol), unit.iri)
            normal = _typographic(_clean(symbol))
            put("symbol_normal", normal, unit.iri)
            term = _ucum_term(normal)
            put("symbol_term", _term_key(term) if term else None, unit.iri)
    names = sorted({key for table in ("krb", "ucum", "symbol") for key in tables[table]})
    frozen = {
        name: {key: frozenset(iris) for key, iris in table.items()}
        for name, table in tables.items()
    }
    return _Tables(**frozen, names=tuple(names))


class UnitCatalogue:
    """Every unit the KRB accepts, and the notations that name them.

    Build it with :meth:`load` (or :func:`default_catalogue`, loaded once per
    process); the constructor takes ready :class:`Unit` objects, for tests.
    """

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units: dict[str, Unit] = {unit.iri: unit for unit in units}
        self._tables = _tables(self._units.values())

    @classmethod
    def load(cls, root: Path | None = None) -> UnitCatalogue:
        """The QUDT extract and eenheden.ttl under ``root`` (default: the project root).

        Raises OSError when a file is missing, SyntaxError when one is not valid
        Turtle, and ValueError when eenheden.ttl declares a unit QUDT lacks
        without a dimension vector, or contradicts QUDT's conversion of a unit.
        """
        root = root or project_root()
        qudt = _read_units(root / QUDT_EXTRACT)
        krb = _read_units(root / KRB_UNITS)
        return cls(_merge(qudt, krb))

    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._units.values())

    def __contains__(self, iri: object) -> bool:
        return str(iri) in self._units

    def __getitem__(self, iri: str) -> Unit:
        """The unit with this IRI; raises KeyError."""
        return self._units[str(iri)]

    def krb_units(self) -> tuple[Unit, ...]:
        """The units of eenheden.ttl, the KRB's own list, by IRI."""
        return tuple(sorted((u for u in self if u.krb), key=lambda u: u.iri))

    def resolve(self, text: str) -> Unit:
        """The unit ``text`` names (steps: module docstring).

        Raises :class:`UnknownUnit` (with at most five suggestions) when no unit
        fits and :class:`AmbiguousUnit` when several units that are not
        interchangeable fit, or when ``K`` would have to be guessed.
        """
        typed = _clean(text)
        if not typed:
            raise UnknownUnit(text, reason_nl="er staat niets", reason_en="it is empty")
        if typed.startswith(("http://", "https://", "unit:")):
            iri = str(UNIT) + typed.removeprefix("unit:") if typed.startswith("unit:") else typed
            if iri in self._units:
                return self._units[iri]
            raise UnknownUnit(text, self._suggest(typed))
        tables = self._tables
        for table in (tables.krb, tables.ucum, tables.symbol):
            if typed in table:
                return self._pick(text, table[typed])
        normal = _typographic(typed)
        term = _ucum_term(normal)
        term_key = _term_key(term) if term else ""
        if term:
            self._refuse_kelvin_guess(text, term)
        for table, key in (
            (tables.krb_normal, normal),
            (tables.ucum_term, term_key),
            (tables.symbol_normal, normal),
            (tables.symbol_term, term_key),
        ):
            if key and key in table:
                return self._pick(text, table[key])
        folded: set[str] = set()
        watt_hours = _WATT_HOUR_ANY_CASE.sub(r"\1w.h", normal.casefold())
        for key in {typed, normal, term_key, watt_hours} - {""}:
            folded |= tables.folded.get(key.casefold(), frozenset())
        if folded and typed != typed.upper() and self._capital_prefix(normal):
            # Mixed case is written on purpose: UCUM's "Mm" is a megametre and "Mm3" a
            # million cubic metres (Dutch water statistics), not mm or mm3 (10^9 and
            # 10^18 times smaller). Only text all in capitals is read ignoring case.
            raise UnknownUnit(
                text,
                self._suggest(normal),
                reason_nl="in UCUM is M mega (10^6) en m milli (10^-3), P peta en p pico; "
                "deze eenheid kent het register niet",
                reason_en="in UCUM M is mega (10^6) and m milli (10^-3), P peta and p pico; "
                "the registry does not know this unit",
            )
        if folded:
            return self._pick(text, folded)
        raise UnknownUnit(text, self._suggest(normal))

    def _capital_prefix(self, normal: str) -> bool:
        """Whether a capital M or P in ``normal`` is a prefix that reading it in lower case
        would turn into milli or pico: the text in lower case is a unit's UCUM code
        (mm3, mg/L, pg) and what follows the letter is a unit itself (m3, g/L, g). Not
        so for ``Ppm`` ([ppm]), ``Mol/l`` (ol/l is no unit) or a KRB word (Procent)."""
        for match in _CASE_PREFIX.finditer(normal):
            rest = normal[match.end() :]
            lowered = normal[: match.start()] + match.group(0).lower() + rest
            codes = {
                code.casefold()
                for iri in self._tables.folded.get(lowered.casefold(), ())
                for code in self._units[iri].ucum_codes
            }
            if lowered.casefold() not in codes:
                continue
            try:
                self.resolve(rest)
            except UnitError:
                continue
            return True
        return False

    def _pick(self, text: str, iris: Iterable[str]) -> Unit:
        units = sorted((self._units[iri] for iri in iris), key=_preference)
        current = [unit for unit in units if not unit.deprecated]
        units = current or units
        if all(_interchangeable(units[0], unit) for unit in units[1:]):
            return units[0]
        raise AmbiguousUnit(text, units)

    def _quiet(self, term: Term) -> Unit | None:
        iris = self._tables.ucum_term.get(_term_key(term))
        if not iris:
            return None
        try:
            return self._pick("", iris)
        except AmbiguousUnit:
            return None

    def _refuse_kelvin_guess(self, text: str, term: Term) -> None:
        """Refuse 'K' next to other units (K/jr): kelvin in UCUM, 'thousand' in Dutch."""
        kelvin = [atom for atom, power in term if atom.casefold() == "k" and power > 0]
        if not kelvin or len(term) == 1:
            return
        readings = []
        for replacement in ("t", "kt", "K"):
            reading = tuple(
                sorted((replacement if atom in kelvin else atom, power) for atom, power in term)
            )
            unit = self._quiet(reading)
            if unit is not None and unit not in readings:
                readings.append(unit)
        reason_nl = (
            "in UCUM is 'K' de kelvin (temperatuur), maar 'K' staat vaak voor 'kilo' of "
            "'duizend' (duizend kilogram is een ton, t; duizend ton een kiloton, kt)"
        )
        reason_en = (
            "in UCUM 'K' is the kelvin (temperature), but 'K' is often written for 'kilo' or "
            "'thousand' (a thousand kilograms is a tonne, t; a thousand tonnes a kilotonne, kt)"
        )
        if not readings:
            raise UnknownUnit(text, reason_nl=reason_nl, reason_en=reason_en)
        raise AmbiguousUnit(text, readings, reason_nl=reason_nl, reason_en=reason_en)

    def _suggest(self, text: str) -> list[str]:
        """Notations equal to ``text`` but for case first (``MWH``: MW.h, which is not
        guessed), then the closest by spelling."""
        folded = {text.casefold(), _ANY_WATT_HOUR.sub(r"\1w.h", text.casefold())}
        same = sorted(name for name in self._tables.names if name.casefold() in folded)
        close = difflib.get_close_matches(text, self._tables.names, n=MAX_SUGGESTIONS, cutoff=0.6)
        return list(dict.fromkeys(same + close))[:MAX_SUGGESTIONS]


@cache
def default_catalogue() -> UnitCatalogue:
    """The catalogue of the project's own files, loaded once per process (about 0.1 s)."""
    return UnitCatalogue.load()


def resolve(text: str, *, catalogue: UnitCatalogue | None = None) -> Unit:
    """The unit ``text`` names, in ``catalogue`` (default: :func:`default_catalogue`).

    Raises :class:`UnknownUnit` or :class:`AmbiguousUnit` (see
    :meth:`UnitCatalogue.resolve`).

    >>> resolve("km/h").iri
    'http://qudt.org/vocab/unit/KiloM-PER-HR'
    >>> resolve("ug/m3") == resolve("µg/m³")
    True
    """
    return (catalogue or default_catalogue()).resolve(text)


# --- Reading the files ---------------------------------------------------------------


Facts = dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]


def _read_units(path: Path) -> dict[str, Facts]:
    """Subject IRI -> predicate IRI -> objects, for every subject typed qudt:Unit."""
    facts: dict[str, Facts] = defaultdict(lambda: defaultdict(list))
    for triple in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
        if isinstance(triple.subject, ox.NamedNode) and not isinstance(triple.object, ox.Triple):
            facts[triple.subject.value][triple.predicate.value].append(triple.object)
    return {
        iri: dict(by_predicate)
        for iri, by_predicate in facts.items()
        if any(
            isinstance(o, ox.NamedNode) and o.value == _UNIT_CLASS
            for o in by_predicate.get(_RDF_TYPE, ())
        )
    }


def _texts(facts: Facts, predicate: str) -> list[str]:
    return sorted(o.value for o in facts.get(predicate, ()) if isinstance(o, ox.Literal))


def _one(facts: Facts, predicate: str) -> str | None:
    values = sorted(o.value for o in facts.get(predicate, ()))
    return values[0] if values else None


def _labels(facts: Facts) -> list[tuple[str, str]]:
    labels = []
    for predicate in (_SKOS_PREF_LABEL, _RDFS_LABEL):
        for literal in facts.get(predicate, ()):
            if isinstance(literal, ox.Literal):
                labels.append((literal.language or "", literal.value))
    return sorted(set(labels), key=lambda pair: (pair[0] != "nl", pair[0] != "en", pair))


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None


def _merge(qudt: Mapping[str, Facts], krb: Mapping[str, Facts]) -> list[Unit]:
    units = []
    for iri in sorted(set(qudt) | set(krb)):
        ours, theirs = krb.get(iri, {}), qudt.get(iri, {})
        conversion = {}
        for name, predicate in (
            ("dimension_vector", _DIMENSION_VECTOR),
            ("multiplier", _MULTIPLIER),
            ("offset", _OFFSET),
        ):
            mine, official = _one(ours, predicate), _one(theirs, predicate)
            if (
                mine is not None
                and official is not None
                and (
                    mine != official
                    if name == "dimension_vector"
                    else Decimal(mine) != Decimal(official)
                )
            ):
                raise ValueError(f"eenheden.ttl gives {iri} {name} {mine}, QUDT {official}")
            conversion[name] = official if official is not None else mine
        if conversion["dimension_vector"] is None:
            raise ValueError(f"{iri}: a unit QUDT lacks needs qudt:hasDimensionVector")
        # The KRB's display notation (skos:notation: "t/jr" for QUDT's "t/a"), else a symbol
        # of its own unit (the percentage point), else QUDT's.
        symbols_krb = _texts(ours, _SKOS_NOTATION) + _texts(ours, _SYMBOL)
        symbols_qudt = _texts(theirs, _SYMBOL)
        labels_krb = _labels(ours)
        kinds = {o.value for f in (ours, theirs) for o in f.get(_QUANTITY_KIND, ())}
        units.append(
            Unit(
                iri=iri,
                symbol=next(iter(symbols_krb or symbols_qudt), None),
                ucum_codes=tuple(
                    sorted(set(_texts(ours, _UCUM_CODE) + _texts(theirs, _UCUM_CODE)))
                ),
                labels=tuple(labels_krb + [p for p in _labels(theirs) if p not in labels_krb]),
                dimension_vector=conversion["dimension_vector"],
                multiplier=_decimal(conversion["multiplier"]),
                offset=_decimal(conversion["offset"]) or Decimal(0),
                quantity_kinds=frozenset(kinds),
                symbols=tuple(dict.fromkeys(symbols_krb + symbols_qudt)),
                notations=tuple(dict.fromkeys(_texts(ours, _SKOS_ALT_LABEL))),
                krb=bool(ours),
                deprecated=_one(theirs, _DEPRECATED) == "true",
            )
        )
    return units
