"""The answers of the JSON API as pydantic models: the schema /docs shows.

Field names are Dutch where the registry's terms are (norm, maatregel,
gebied); every resource is a Ref with its IRI and its name in the reader's
language. The functions at the end turn the terms of query rows into the
values of these fields.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field
from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Identifier

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD: pydantic also reads '0' or '86400' as a Unix time (1970-01-01) and
    answered for that day, where the API promises 422 for anything but a date."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value.strip()):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDay = Annotated[date, BeforeValidator(_iso_day)]
"""A date parameter of the API, written as an ISO day."""


class Ref(BaseModel):
    """A resource: its IRI and name in the reader's language (``?lang=``, ``Accept-Language``;
    Dutch by default)."""

    iri: str
    label: str | None = None


class Unit(Ref):
    symbool: str | None = Field(None, description="Symbol of the unit, such as dB(A)")


class Problem(BaseModel):
    detail: str


class Candidate(Ref):
    pass


class Ambiguity(BaseModel):
    detail: str
    candidates: list[Candidate]


class AmbiguityResponse(BaseModel):
    detail: Ambiguity


class ObjecttypeMaatregelEffect(BaseModel):
    maatregel: Ref
    effect_waarde: float | None
    eenheid_symbool: str | None


class Norm(BaseModel):
    norm: Ref
    code: str | None
    indicator: Ref | None
    thema: Ref | None
    operator: Ref | None
    waarde: float | None = Field(None, description="Numeric norm value")
    waarde_begrip: Ref | None = Field(None, description="Norm value from a value list")
    eenheid: Unit | None
    gebied: Ref | None = Field(None, description="First area the norm is set for")
    gebieden: list[Ref] = Field(default_factory=list, description="Every area it is set for")
    document: Ref | None
    bestuurslaag: Ref | None
    geldig_vanaf: date | None = Field(None, description="First day in force (derived)")
    geldig_tot: date | None = Field(None, description="Last day in force (derived)")
    ingedeeld_op: Ref | None = Field(None, description="Class the norm is classified on")
    via: str | None = Field(
        None, description="How it was found: objecttype, superklasse, subklasse, zoekingang, alle"
    )
    via_superklasse: bool = Field(
        description="True when not classified on the type itself: found through a "
        "superclass, a subclass, a zoekingang or 'alle' (``via`` says which)"
    )
    maatregelen: list[ObjecttypeMaatregelEffect] = Field(
        default_factory=list,
        description="Measures with an intended effect on this norm that apply there",
    )


class ObjecttypeNormen(BaseModel):
    objecttype: Ref
    gebied: Ref | None
    richting: str
    datum: date
    subklassen: bool
    normen: list[Norm]


class MaatregelEffect(BaseModel):
    norm: Ref
    via_superklasse: bool
    effect_waarde: float | None
    eenheid_symbool: str | None


class ObjecttypeMaatregel(BaseModel):
    maatregel: Ref
    ingrijpend_op: list[Ref] = Field(
        default_factory=list, description="Object types the measure acts on (krb:objecttype)"
    )
    effecten: list[MaatregelEffect]


class ObjecttypeMaatregelen(BaseModel):
    objecttype: Ref
    gebied: Ref | None
    richting: str
    datum: date
    subklassen: bool
    maatregelen: list[ObjecttypeMaatregel]


class BeleidItem(BaseModel):
    soort: str
    object: Ref
    code: str | None
    vastgesteld_voor: Ref
    geerfd: bool = Field(description="True when set for an area that contains this one")
    relatie: str = Field(description="zelf, omvat, binnen or overlapt: the area set for")
    geldigheid: str = Field(description="geldig, verlopen, toekomstig or niet in werking")
    geldig_vanaf: date | None
    geldig_tot: date | None


class GebiedBeleid(BaseModel):
    gebied: Ref
    datum: date
    richting: str
    beleid: list[BeleidItem]


class Effect(BaseModel):
    """One link of a measure: an effect on a norm or indicator, or an uitvoering of a rule."""

    soort: str = Field(description="effect op norm, effect op indicator, uitvoering van regel")
    effect: Ref = Field(description="The intended effect or uitvoering")
    waarde: float | None
    eenheid: Unit | None
    doel_begrip: Ref | None = None
    labelstappen: int | None = None
    horizon: date | None = None
    norm: Ref | None
    regel: Ref | None = None
    indicator: Ref | None
    aspect: Ref | None
    thema: Ref
    dwarsverband: bool


class BereiktThema(Ref):
    dwarsverband: bool


class MaatregelDwarsverbanden(BaseModel):
    maatregel: Ref
    eigen_thema: Ref | None
    bereikte_themas: list[BereiktThema]
    effecten: list[Effect]


class ThemaKnoop(Ref):
    indicatoren: int
    normen: int
    maatregelen: int


class Verbinding(BaseModel):
    bron: Ref
    doel: Ref
    maatregelen: int
    effecten: int = Field(description="All links (effects and uitvoeringen) between the themes")
    effecten_op_norm: int
    effecten_op_indicator: int
    uitvoeringen: int


class Netwerk(BaseModel):
    knopen: list[ThemaKnoop]
    verbindingen: list[Verbinding]


class QueryParameter(BaseModel):
    name: str
    type: str
    required: bool
    default: str | None
    description: str


class QueryInfo(BaseModel):
    name: str
    title: str
    description: str
    parameters: list[QueryParameter]
    columns: list[str]
    href: str


class QueryAnswer(BaseModel):
    name: str
    variables: list[str]
    rows: list[dict[str, Any]] = Field(
        description="One object per row; IRIs, strings and dates as text, numbers and "
        "booleans as JSON values (a decimal with every digit it has, INF and NaN as text); "
        "unbound variables left out"
    )


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Nothing matches what was asked for"}
}
AMBIGUOUS: dict[int | str, dict[str, Any]] = {
    409: {"model": AmbiguityResponse, "description": "The name matches several"}
}


# --- From RDF terms to field values ---------------------------------------------


def ref_of(iri: Identifier | None, label: Identifier | None = None) -> Ref | None:
    return None if iri is None else Ref(iri=str(iri), label=None if label is None else str(label))


def true_of(term: Identifier | None) -> bool:
    return isinstance(term, Literal) and term.toPython() is True


def number_of(term: Identifier | None) -> float | None:
    """Norm and effect values as JSON numbers (they are decimals with few digits); None
    for one that is no number ("47,5"^^xsd:decimal, written around the shapes): the
    answer says no value rather than the page failing."""
    if not isinstance(term, Literal):
        return None
    try:
        return float(str(term))
    except ValueError:
        return None


def date_of(term: Identifier | None) -> date | None:
    if isinstance(term, Literal) and term.datatype == XSD.date:
        value = term.toPython()
        return value if isinstance(value, date) else None
    return None


def date_term(value: date | None) -> Literal | None:
    return None if value is None else Literal(value.isoformat(), datatype=XSD.date)


_INTEGERS = frozenset(
    XSD[name]
    for name in [
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    ]
)


def json_value(term: Identifier) -> Any:
    """The cell as a Python value for the API's JSON (see ``json_text`` for the text the
    answer holds: a decimal keeps its digits there, a float here would not)."""
    return json.loads(json_text(term))


def json_text(term: Identifier) -> str:
    """One cell of the API's JSON answer as JSON text: numbers, booleans as JSON values,
    everything else as text as written ("47,5"^^xsd:decimal stays "47,5").

    A decimal is written with every digit it has: a JSON number may have any number of
    them, and a float would round 5.123456789012345678 to 16 (a reader that wants them
    all parses with ``parse_float=Decimal``). A double that JSON cannot write (INF, NaN)
    stays text, where ``json.dumps`` would write ``Infinity``, which no JSON parser
    must accept."""
    if isinstance(term, Literal) and not term.ill_typed:
        if term.datatype in _INTEGERS and _INTEGER.fullmatch(str(term)):
            return str(int(str(term)))
        if term.datatype == XSD.decimal and (number := _decimal(term)) is not None:
            return format(number, "f")
        if term.datatype in (XSD.double, XSD.float) and math.isfinite(float(term)):
            return json.dumps(float(term))
        if term.datatype == XSD.boolean:
            return "true" if term.toPython() is True else "false"
    return json.dumps(str(term), ensure_ascii=False)


_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
"""The lexical form of xsd:decimal: digits and a point, no exponent."""
_INTEGER = re.compile(r"[+-]?[0-9]+")
"""The lexical form of xsd:integer; Python's int also reads "1_000" and " 7 "."""


def _decimal(term: Literal) -> Decimal | None:
    """The decimal's value; None for a text no xsd:decimal is, which Python's Decimal
    reads all the same: "NaN", "1E999999999999" (its digits written out would fill
    gigabytes), "1_000", digits of other scripts. Such a value stays text as written,
    as the CSV has it (rdflib does not mark them ill-typed; a load without validation
    keeps them)."""
    lexical = str(term)
    if not _DECIMAL.fullmatch(lexical):
        return None
    try:
        return Decimal(lexical)
    except InvalidOperation:
        return None
