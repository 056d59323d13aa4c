"""The answers of beleidsonderzoek as typed rows, for the JSON API and the pages alike.

Does reality meet the norms (normtoets), did measures work (effectevaluatie),
will the measures planned close the gap (normgat)? Each answer is the named
query of that name (sparql/), so the API, the monitoring page, ``krb query``
and the docs agree; this module only turns its rows into the models the API
documents. Numbers are in the unit the row names; a label norm (energielabel
minimaal B) has no unit: its values are the labels' ranks and its margin
counts label steps, with the labels beside them.

Unfiltered, each answer reads the whole registry (24,000 rows and 7-14 s at a
million triples), so answers are kept per store version, day, filters and
languages (krbgraph.web.aggregates, bounded in rows): the monitoring page, the
API and a reader paging through them share one computation until the next write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypedDict, TypeVar

from pydantic import BaseModel, Field
from rdflib import Literal
from rdflib.term import Identifier

from ..gc_pause import collector_paused
from ..labels import fetch_names
from ..lifecycle import day_of
from ..queries import Catalogue, run_named_query
from ..settings import Settings
from ..store import Store
from .aggregates import cached, today_in_key
from .api_models import number_of as _number
from .describe import READER_LANGUAGES

T = TypeVar("T")


class Ref(BaseModel):
    iri: str
    label: str | None = None


class Normtoets(BaseModel):
    norm: Ref
    code: str | None = None
    gebied: Ref = Field(
        description="Area of the measurement (without one: the area asked or the norm's)"
    )
    operator: Ref
    normwaarde: float | None = Field(
        description="The norm's number; for a label norm its rank; null when what is "
        "stored is no number"
    )
    normlabel: Ref | None = Field(None, description="A label norm's label (energielabel B)")
    eenheid: Ref | None = Field(None, description="The norm's unit; none for a label norm")
    meting: str | None = Field(None, description="IRI of the latest measurement")
    periode_van: date | None = None
    periode_tot: date | None = None
    waarde: float | None = Field(
        None, description="Measured value in the norm's unit; for a label its rank"
    )
    meetlabel: Ref | None = Field(None, description="The measured label of a label norm")
    referentie: float | None = Field(None, description="Reference of a change operator")
    oordeel: str = Field(description="voldoet, voldoet niet or geen gegevens")
    marge: float | None = Field(
        None,
        description="Room to the norm; negative: the shortfall (label steps for a label norm)",
    )


class Effectevaluatie(BaseModel):
    maatregel: Ref
    indicator: Ref
    gebied: Ref
    begin: date
    eenheid: Ref
    voor: str | None = None
    voor_waarde: float | None = None
    na: str | None = None
    na_waarde: float | None = None
    verandering: float | None = None
    beoogd: float | None = None
    aandeel: float | None = Field(None, description="Realised share: verandering / beoogd")
    gerealiseerd: float | None = Field(
        None, description="Recorded realised effects (krb:GerealiseerdEffect), summed"
    )
    gerealiseerd_aandeel: float | None = Field(None, description="gerealiseerd / beoogd")
    gerealiseerd_bron: str | None = Field(None, description="Source of a recorded effect")


class Normgat(BaseModel):
    norm: Ref
    code: str | None = None
    gebied: Ref = Field(description="Area of the measurement (without one: the area asked)")
    operator: Ref
    normwaarde: float | None
    eenheid: Ref
    meting: str | None = Field(None, description="IRI of the latest measurement")
    waarde: float | None = Field(None, description="Measured value in the norm's unit")
    referentie: float | None = Field(None, description="Reference of a change operator")
    gat: float | None = Field(None, description="Shortfall to the norm now (positive)")
    beoogd: float = Field(description="Sum of the intended effects still to come (0: none)")
    verwacht: float | None = Field(None, description="Measured value plus those effects")
    restgat: float | None = Field(None, description="Shortfall left after them (0: closes)")
    oordeel: str = Field(description="sluit, sluit niet or geen gegevens")
    effecten: int = Field(description="How many intended effects count")
    maatregelen: list[Ref] = Field(description="The measures that contribute")
    themas: list[Ref] = Field(description="Their themes: the cross-links that close the gap")


@dataclass(frozen=True)
class Question:
    """What every research question takes: the store, the catalogue and the reader's
    filters (peildatum, area, theme), so each endpoint only names its query."""

    store: Store
    settings: Settings
    queries: Catalogue
    values: dict[str, str]

    def rows(self, name: str) -> list[dict[str, Identifier]]:
        """The answer of named query ``name``; ParameterError for a filter that names
        nothing."""
        result = run_named_query(
            self.store,
            self.queries,
            name,
            self.values,
            timeout_s=self.settings.query_timeout_s,
            languages=READER_LANGUAGES.get(),
        )
        return result.dicts()

    def kept(self, name: str, build: Callable[[], Sequence[T]]) -> list[T]:
        """``build()``, the answer of named query ``name``, computed once per store
        version and day for these filters and the reader's languages."""
        key = (
            "research",
            name,
            tuple(sorted(self.values.items())),
            READER_LANGUAGES.get(),
            today_in_key(),  # the date left out is today
        )
        answer: tuple[T, ...] = cached(self.store, key, lambda: _built(build), _size)
        return list(answer)


class _NormColumns(TypedDict):
    norm: Ref
    code: str | None
    gebied: Ref
    operator: Ref
    normwaarde: float | None


def _norm_columns(row: dict[str, Identifier]) -> _NormColumns:
    """The norm and where it was measured: the columns normtoets and normgat share."""
    return {
        "norm": _ref(row, "norm"),
        "code": _text(row.get("code")),
        "gebied": _ref(row, "meetgebied"),
        "operator": _ref(row, "operator"),
        "normwaarde": _number(row["normwaarde"]),
    }


def normtoets(question: Question) -> list[Normtoets]:
    """Per norm in force and area: the latest measurement, the verdict and the margin."""
    return question.kept("normtoets", lambda: _normtoets(question))


def _normtoets(question: Question) -> list[Normtoets]:
    rows = question.rows("normtoets")
    return [
        Normtoets(
            **_norm_columns(row),
            normlabel=_optional_ref(row, "normlabel"),
            eenheid=_unit(row),
            meting=_text(row.get("meting")),
            periode_van=_date(row.get("periode_van")),
            periode_tot=_date(row.get("periode_tot")),
            waarde=_number(row.get("waarde")),
            meetlabel=_optional_ref(row, "meetlabel"),
            referentie=_number(row.get("referentie")),
            oordeel=str(row["oordeel"]),
            marge=_number(row.get("marge")),
        )
        for row in rows
    ]


def effectevaluatie(question: Question) -> list[Effectevaluatie]:
    """Per measure, indicator and area: the change since the start next to the intended."""
    return question.kept("effectevaluatie", lambda: _effectevaluatie(question))


def _effectevaluatie(question: Question) -> list[Effectevaluatie]:
    rows = question.rows("effectevaluatie")
    return [
        Effectevaluatie(
            maatregel=_ref(row, "maatregel"),
            indicator=_ref(row, "indicator"),
            gebied=_ref(row, "meetgebied"),
            begin=_date(row["begin"]) or date.min,
            eenheid=Ref(iri=str(row["eenheid"]), label=_text(row.get("eenheid_symbool"))),
            voor=_text(row.get("voor")),
            voor_waarde=_number(row.get("voor_waarde")),
            na=_text(row.get("na")),
            na_waarde=_number(row.get("na_waarde")),
            verandering=_number(row.get("verandering")),
            beoogd=_number(row.get("beoogd")),
            aandeel=_number(row.get("aandeel")),
            gerealiseerd=_number(row.get("gerealiseerd")),
            gerealiseerd_aandeel=_number(row.get("gerealiseerd_aandeel")),
            gerealiseerd_bron=_text(row.get("gerealiseerd_bron")),
        )
        for row in rows
    ]


def normgat(question: Question) -> list[Normgat]:
    """Per norm missed and area: the gap, the intended effects to come, what is left."""
    return question.kept("normgat", lambda: _normgat(question))


def _normgat(question: Question) -> list[Normgat]:
    rows = question.rows("normgat")
    listed = {
        column: {id(row): (_text(row.get(column)) or "").split() for row in rows}
        for column in ("maatregelen", "themas")
    }
    every = {iri for found in listed.values() for iris in found.values() for iri in iris}
    names = (
        fetch_names(
            question.store,
            every,
            languages=READER_LANGUAGES.get(),
            timeout_s=question.settings.query_timeout_s,
        )
        if every
        else {}
    )
    return [
        Normgat(
            **_norm_columns(row),
            eenheid=Ref(iri=str(row["eenheid"]), label=_text(row.get("eenheid_symbool"))),
            meting=_text(row.get("meting")),
            waarde=_number(row.get("waarde")),
            referentie=_number(row.get("referentie")),
            gat=_number(row.get("gat")),
            beoogd=_number(row.get("beoogd")) or 0.0,
            verwacht=_number(row.get("verwacht")),
            restgat=_number(row.get("restgat")),
            oordeel=str(row["oordeel"]),
            effecten=int(str(row["effecten"])),
            maatregelen=[Ref(iri=i, label=names.get(i)) for i in listed["maatregelen"][id(row)]],
            themas=[Ref(iri=i, label=names.get(i)) for i in listed["themas"][id(row)]],
        )
        for row in rows
    ]


def _built(build: Callable[[], Sequence[T]]) -> tuple[T, ...]:
    """The answer's rows (24,000 typed rows unfiltered at a million triples), built with
    the cyclic collector paused (krbgraph.gc_pause)."""
    with collector_paused():
        return tuple(build())


def _size(answer: tuple[object, ...]) -> int:
    return len(answer)


def _ref(row: dict[str, Identifier], column: str) -> Ref:
    return Ref(iri=str(row[column]), label=_text(row.get(f"{column}_label")))


def _optional_ref(row: dict[str, Identifier], column: str) -> Ref | None:
    return _ref(row, column) if row.get(column) is not None else None


def _unit(row: dict[str, Identifier]) -> Ref | None:
    """The row's unit and its symbol; None for a label norm, which counts label steps."""
    if row.get("eenheid") is None:
        return None
    return Ref(iri=str(row["eenheid"]), label=_text(row.get("eenheid_symbool")))


def _text(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


def _date(term: Identifier | None) -> date | None:
    """The day of a date or moment (a period loaded without validation may have one)."""
    return day_of(term.toPython()) if isinstance(term, Literal) else None
