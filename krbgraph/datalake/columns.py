"""What each column of the export holds: its type, its meaning and where it comes from.

The tables of the export are named queries (sparql/*.rq), so the Dutch meaning of a
column is the one line its query header gives it; this module adds what a researcher
needs beyond that and a query header does not carry: the English meaning, the typed
column it becomes in Parquet, the unit, and the ontology term the value comes from.

A column has the same name in every table where it means the same thing (``indicator``,
``gebied``, ``sector``), which is what lets tables join on equal names; so the facts are
kept per column name, with an override where one table takes the same key from another
property (a measurement's indicator is its ``sosa:observedProperty``). Codes, names and
unit symbols follow one pattern each (``x_code``, ``x_label``, ``x_symbool``) and are
described from the column they belong to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import pyarrow as pa  # type: ignore[import-untyped]

from ..namespaces import PREFIXES
from ..queries import NamedQuery

__all__ = ["ColumnInfo", "Kind", "column_info", "dictionary_rows", "DICTIONARY_FIELDS"]


class Kind(StrEnum):
    """How a column's RDF terms become typed values."""

    IRI = "iri"
    TEXT = "text"
    DECIMAL = "decimal"
    INTEGER = "integer"
    DATE = "date"
    BOOLEAN = "boolean"

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW[self]

    @property
    def datatype(self) -> str:
        """The type as the data dictionary names it."""
        return _DATATYPE[self]


_ARROW = {
    Kind.IRI: pa.string(),
    Kind.TEXT: pa.string(),
    Kind.DECIMAL: pa.float64(),
    Kind.INTEGER: pa.int64(),
    Kind.DATE: pa.date32(),
    Kind.BOOLEAN: pa.bool_(),
}
_DATATYPE = {
    Kind.IRI: "string (IRI)",
    Kind.TEXT: "string",
    Kind.DECIMAL: "float64",
    Kind.INTEGER: "int64",
    Kind.DATE: "date32 (YYYY-MM-DD)",
    Kind.BOOLEAN: "bool",
}


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    kind: Kind
    meaning_nl: str
    meaning_en: str
    source: str
    """Full IRI of the ontology class or property the value comes from."""
    unit: str = ""


@dataclass(frozen=True)
class _Fact:
    kind: Kind
    en: str
    source: str
    """A CURIE with a prefix of krbgraph.namespaces."""
    unit: str = ""


_I, _T, _D, _N, _Y = Kind.IRI, Kind.TEXT, Kind.DECIMAL, Kind.INTEGER, Kind.DATE
_B = Kind.BOOLEAN

_FACTS: dict[str, _Fact] = {
    # Keys: each is also the subject of its own dimension table.
    "meting": _Fact(_I, "The measurement.", "sosa:Observation"),
    "indicator": _Fact(_I, "The policy indicator.", "krb:indicator"),
    "gebied": _Fact(_I, "The area of application.", "krb:werkingsgebied"),
    "norm": _Fact(_I, "The policy norm.", "krb:Beleidsnorm"),
    "maatregel": _Fact(_I, "The policy measure.", "krb:Beleidsmaatregel"),
    "effect": _Fact(_I, "The intended effect.", "krb:BeoogdEffect"),
    "thema": _Fact(_I, "The policy theme of the indicator.", "krb:beleidsthema"),
    "maatregel_thema": _Fact(_I, "The measure's own policy theme.", "krb:beleidsthema"),
    "aspect": _Fact(_I, "The policy aspect of the indicator.", "krb:beleidsaspect"),
    # Values, units and dates.
    "waarde": _Fact(_D, "The measured number.", "qudt:numericValue", "see column eenheid"),
    "eenheid": _Fact(_I, "Unit of the value (QUDT).", "qudt:hasUnit"),
    "waarde_begrip": _Fact(
        _I, "Result as a concept of an ordered value list (energy label C).", "sosa:hasResult"
    ),
    "waarde_rangorde": _Fact(
        _N, "Rank of that concept in its value list; higher is better.", "krb:rangorde"
    ),
    "periode_van": _Fact(_Y, "First day of the measured period.", "dcat:startDate"),
    "periode_tot": _Fact(_Y, "Last day of the measured period.", "dcat:endDate"),
    "effect_waarde": _Fact(
        _D, "Intended change of the indicator.", "qudt:numericValue", "see column effect_eenheid"
    ),
    "effect_eenheid": _Fact(_I, "Unit of the intended effect (QUDT).", "qudt:hasUnit"),
    "operator": _Fact(_I, "Comparison of the norm (at most, at least, ...).", "krb:operator"),
    "norm_waarde": _Fact(
        _D, "Numeric value of the norm.", "qudt:numericValue", "see column norm_eenheid"
    ),
    "norm_eenheid": _Fact(_I, "Unit of the norm (QUDT).", "qudt:hasUnit"),
    "norm_waarde_begrip": _Fact(
        _I, "Value of the norm as a concept (energy label B).", "krb:waardeBegrip"
    ),
    "norm_waarde_rangorde": _Fact(
        _N, "Rank of that concept in its value list; higher is better.", "krb:rangorde"
    ),
    "referentiewaarde": _Fact(
        _D,
        "Value in the reference situation, for an increase or decrease operator.",
        "krb:referentiewaarde",
        "see column norm_eenheid",
    ),
    "referentiedatum": _Fact(_Y, "Date of the reference situation.", "krb:referentiedatum"),
    "geldig_vanaf": _Fact(_Y, "First day the norm is in force, when known.", "krb:geldigVanaf"),
    "geldig_tot": _Fact(_Y, "Last day the norm is in force, when known.", "krb:geldigTot"),
    # Never in force has no dates either, like always in force: only this tells them apart.
    "niet_in_werking": _Fact(
        _B,
        "True when the norm is in force on no day at all (a draft, or withdrawn without "
        "a last day), else false. In force on day D: not this, geldig_vanaf empty or "
        "<= D, geldig_tot empty or >= D.",
        "krb:nietInWerking",
    ),
    # An effect is in force while its measure and its norm both are: its derived dates
    # are already that overlap, so a measure ending before its norm ends the effect too.
    "effect_geldig_vanaf": _Fact(
        _Y,
        "First day the intended effect is in force, when known: the later of the first "
        "days of its measure and its norm.",
        "krb:geldigVanaf",
    ),
    "effect_geldig_tot": _Fact(
        _Y,
        "Last day the intended effect is in force, when known: the earlier of the last "
        "days of its measure and its norm.",
        "krb:geldigTot",
    ),
    "effect_niet_in_werking": _Fact(
        _B,
        "True when the intended effect is in force on no day at all (its measure or norm "
        "never is, or they share no day), else false; empty on a row without an effect. "
        "In force on day D: not this, effect_geldig_vanaf empty or <= D, "
        "effect_geldig_tot empty or >= D.",
        "krb:nietInWerking",
    ),
    # Classifications and descriptions.
    "normsoort": _Fact(_I, "Binding or target value.", "krb:normsoort"),
    "sector": _Fact(_I, "The sector (actors) concerned.", "krb:sector"),
    "materiaal": _Fact(_I, "The material or waste stream concerned.", "krb:materiaal"),
    "leefomgeving": _Fact(_I, "The public-space object type concerned.", "krb:leefomgeving"),
    "indicatorsoort": _Fact(
        _I, "Kind of indicator: system, effect or transition.", "krb:indicatorsoort"
    ),
    "gebiedssoort": _Fact(_I, "Kind of area (municipality, district, ...).", "krb:gebiedssoort"),
    "cbs_code": _Fact(_T, "CBS code of municipality, district or neighbourhood.", "skos:notation"),
    "cbs_jaar": _Fact(
        _N, "Year of the CBS district and neighbourhood map of the code.", "krb:cbsJaar", "year"
    ),
    "ligt_in": _Fact(
        _T,
        "The directly containing area (IRI); several are separated by a space.",
        "krb:ligtIn",
    ),
    "bron": _Fact(_I, "The source: a dataset of the registry or its web address.", "dct:source"),
    "rekenmethode": _Fact(_T, "How the value is determined.", "krb:rekenmethode"),
}

_OVERRIDES: dict[tuple[str, str], str] = {
    # (table, column) -> the source where a table takes a key from another term.
    ("metingen", "indicator"): "sosa:observedProperty",
    ("metingen", "gebied"): "sosa:hasFeatureOfInterest",
    ("metingen", "rekenmethode"): "sosa:usedProcedure",
    ("indicatoren", "indicator"): "krb:Beleidsindicator",
    ("gebieden", "gebied"): "krb:Werkingsgebied",
    ("normen", "indicator"): "krb:indicator",
}

_SEVERAL = frozenset(
    ("metingen", column) for column in ("bron", "sector", "materiaal", "leefomgeving")
)
"""(table, column) pairs whose cell holds all values of the row's key, so the table keeps
one row per key (a mean per group counts a measurement once); one value is the IRI
with its name, several are IRIs without one (sparql/metingen.rq)."""
_SEVERAL_EN = " Several are separated by a space, in IRI order."
_SEVERAL_NAME_EN = " Empty when column {of} holds several."

_PATTERNS = (
    ("_code", Kind.TEXT, "Code of {of}.", "dct:identifier"),
    ("_label", Kind.TEXT, "Name of {of}, in the reader's language.", "rdfs:label"),
    ("_symbool", Kind.TEXT, "Symbol of the unit in column {of}.", "qudt:symbol"),
)


def _iri(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else curie


def column_info(table: str, query: NamedQuery, column: str) -> ColumnInfo:
    """Everything the dictionary says about one column of one table.

    A column this module does not know (a query that grew one) is exported as text
    with its Dutch meaning only, rather than failing the export.
    """
    declared = {c.name: c for c in query.columns}
    meaning_nl = declared[column].description if column in declared else ""
    fact = _FACTS.get(column)
    if fact is not None:
        source = _OVERRIDES.get((table, column), fact.source)
        english = fact.en + (_SEVERAL_EN if (table, column) in _SEVERAL else "")
        return ColumnInfo(column, fact.kind, meaning_nl, english, _iri(source), fact.unit)
    named = declared[column].name_of if column in declared else None
    for suffix, kind, english, source in _PATTERNS:
        if column.endswith(suffix):
            of = named or column.removesuffix(suffix)
            if (table, of) in _SEVERAL:
                english += _SEVERAL_NAME_EN
            return ColumnInfo(column, kind, meaning_nl, english.format(of=of), _iri(source))
    return ColumnInfo(column, Kind.TEXT, meaning_nl, "", "")


DICTIONARY_FIELDS = ("table", "column", "meaning_nl", "meaning_en", "datatype", "unit", "source")
"""The columns of datadictionary.csv, in order."""


def dictionary_rows(tables: Mapping[str, tuple[ColumnInfo, ...]]) -> list[dict[str, str]]:
    """One row per column of every table, in table and column order."""
    return [
        {
            "table": table,
            "column": info.name,
            "meaning_nl": info.meaning_nl,
            "meaning_en": info.meaning_en,
            "datatype": info.kind.datatype,
            "unit": info.unit,
            "source": info.source,
        }
        for table, infos in tables.items()
        for info in infos
    ]
