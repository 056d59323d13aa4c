"""The monitoring page: every norm in force against its latest measurement, and the gaps.

A policy officer asks "where do we stand?": per norm and area the verdict
(voldoet, voldoet niet, geen gegevens) with the latest value and the margin,
filterable by theme and area, and below it the norms missed, largest gap first,
with what the planned measures are expected to close. The answers are the
research API's (krbgraph.web.research_answers: the named queries normtoets and
normgat with its filters), so the page, ``/api/normtoets`` and ``krb query``
agree; the theme of each norm comes from web-norm-themas in one query.

Unfiltered on a large registry the answers hold every norm of every area (24,000
rows at a million triples): they are kept per store version (research_answers),
the counts are taken over all of them, and each table shows its first rows
(krbgraph.web.row_cap: every row with ``?rijen=alle``), so the page costs what
it shows once the answers are known.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from rdflib import URIRef

from ...labels import fetch_names
from ...namespaces import KRB
from ...queries import ParameterError, run_for_each
from ...store import QueryTimeout, Store
from ..aggregates import cached_rows
from ..api_models import ISO_DAY
from ..describe import (
    READER_LANGUAGES,
    Labeller,
    Link,
    literal_text,
    shown_value,
    valid_iri,
)
from ..naming import tellers
from ..research_answers import Normgat, Normtoets, Question, Ref, normgat, normtoets
from ..resolving import candidates_listed, resolve_thing
from ..row_cap import RowsParam, all_rows_href, rows_shown
from ..state import catalogue
from ..templating import error_page, render
from .common import SettingsDep, StoreDep

router = APIRouter()

_VERDICT_CLASSES = {"voldoet niet": "voldoet-niet", "geen gegevens": "geen-gegevens"}


@dataclass(frozen=True)
class Option:
    """A choice of a filter's select box."""

    iri: str
    text: str
    code: str | None
    where: str | None = None
    """What tells it apart when another choice is shown with the same name and code
    (krbgraph.web.naming.tellers): two municipalities' Parkstraat in one store, a
    theme Geluid and an older one of that name."""


@router.get("/monitoring", response_class=HTMLResponse)
def monitoring_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    thema: str | None = None,
    gebied: str | None = None,
    datum: str | None = None,
    rijen: RowsParam = None,
) -> HTMLResponse:
    """Norms in force with their verdict, and the norm gaps, for a theme, an area and a
    date (today unless chosen; the form sends an empty one when none is)."""
    try:
        # YYYY-MM-DD only, as the API: fromisoformat also reads 20260101 and 2026-W01
        day = date.fromisoformat(datum.strip()) if datum and datum.strip() else None
        if datum and datum.strip() and not ISO_DAY.fullmatch(datum.strip()):
            raise ValueError(datum)
    except ValueError:
        message = f"datum={shown_value(datum or '')} is geen datum; gebruik JJJJ-MM-DD."
        return error_page(request, 400, "Ongeldige datum", message)
    themes = _options(store, KRB.Beleidsthema)
    areas = _options(store, KRB.Werkingsgebied)
    chosen: dict[str, Option] = {}
    for name, value, options, kind, klasse in (
        ("thema", thema, themes, "beleidsthema", KRB.Beleidsthema),
        ("gebied", gebied, areas, "werkingsgebied", KRB.Werkingsgebied),
    ):
        if not value:
            continue
        named = _choose(value.strip(), options)
        if len(named) > 1:
            listed = "; ".join(f"{o.text} ({o.code or o.where or o.iri}): {o.iri}" for o in named)
            message = (
                f"{name}={shown_value(value)} past bij {len(named)} keuzes: {listed}. Kies er een "
                "uit de lijst, of geef zijn IRI."
            )
            return error_page(request, 409, "Dubbelzinnig filter", message)
        found = named[0] if named else _named_by_iri(store, value.strip(), klasse)
        if found is None:
            # As the research API reads it: a code or name in another case or language.
            try:
                ref = resolve_thing(store, value, klasse, kind)
            except HTTPException as refused:
                if refused.status_code == 409:
                    message = (
                        f"{name}={shown_value(value)} past bij meer dan één {kind}: "
                        f"{candidates_listed(refused)}. Kies er een uit de lijst, of geef "
                        "zijn IRI."
                    )
                    return error_page(request, 409, "Dubbelzinnig filter", message)
            else:
                same = [option for option in options if option.iri == ref.iri]
                found = same[0] if same else Option(ref.iri, ref.label or ref.iri, None)
        if found is not None and found not in options:
            options.append(found)  # past the select box's list: shown as chosen all the same
            options.sort(key=lambda option: option.text.lower())
        if found is None:
            message = (
                f"{name}={shown_value(value)} is geen {kind} uit het register. Kies er een "
                "uit de lijst, of geef zijn IRI, code of precieze naam."
            )
            return error_page(request, 400, "Onbekend filter", message)
        chosen[name] = found
    values = {name: option.iri for name, option in chosen.items()}
    if day is not None:
        values["datum"] = day.isoformat()
    question = Question(store, settings, catalogue(), values)
    form: dict[str, object] = {
        "title": "Monitoring",
        "themes": themes,
        "areas": areas,
        "chosen": {name: option.iri for name, option in chosen.items()},
        "datum": day.isoformat() if day else "",
        "api_query": urlencode(values),
        "filtered": " en ".join(
            [f"{name} {option.text}" for name, option in chosen.items()]
            + ([f"peildatum {day.isoformat()}"] if day else [])
        ),
    }
    try:
        verdicts, gaps = _both_answers(question)
    except ParameterError as exc:  # a filter the query catalogue refuses
        where = f"{exc.parameter}: " if exc.parameter else ""
        return error_page(request, 400, "Ongeldig filter", where + exc.nl)
    except QueryTimeout:
        # A registry too large to answer whole within the time limit: the form stays,
        # with what to do about it (a JSON error would leave a reader with nothing).
        context = {**form, "timed_out": f"{settings.query_timeout_s:g}"}
        return render(request, "monitoring.html", context, status_code=503)
    labeller = Labeller(settings.base_iri)
    shown = rows_shown(rijen)
    shown_verdicts = verdicts[:shown]
    shown_gaps = _largest_first(gaps)[:shown]
    # Two areas called Centrum (a wijk and its buurt), two norms of one name: told apart.
    refs = [ref for row in shown_verdicts for ref in (row.norm, row.gebied)]
    refs += [ref for gap in shown_gaps for ref in (gap.norm, gap.gebied)]
    labeller.tell_apart({ref.iri: ref.label for ref in refs})
    themes_of = _themes_of(store, {row.norm.iri for row in shown_verdicts}, labeller)
    context = {
        **form,
        "verdicts": [_verdict_row(row, themes_of, labeller) for row in shown_verdicts],
        "verdict_classes": [_VERDICT_CLASSES.get(row.oordeel, "") for row in shown_verdicts],
        "verdict_total": len(verdicts),
        "counts": _counts(verdicts),
        "gaps": [_gap_row(row, labeller) for row in shown_gaps],
        "gap_total": len(gaps),
        "all_rows_href": all_rows_href(request),
    }
    return render(request, "monitoring.html", context)


def _both_answers(question: Question) -> tuple[list[Normtoets], list[Normgat]]:
    """normtoets and normgat side by side, each in the reader's context (languages).

    Unfiltered, neither is kept yet after a start: at a million triples they take
    10 and 19 s one after the other; the engine runs them on both cores. Kept
    answers come back at once either way. The first error is raised (the other
    answer is still computed and kept)."""
    with ThreadPoolExecutor(2, thread_name_prefix="monitoring") as pool:
        verdicts = pool.submit(copy_context().run, normtoets, question)
        gaps = pool.submit(copy_context().run, normgat, question)
        return verdicts.result(), gaps.result()


def _options(store: Store, klasse: URIRef) -> list[Option]:
    """The select box's choices: the first 2,000 of the class, kept per store version
    (ordering a city's tens of thousands of areas takes half a second)."""
    rows = cached_rows(store, "web-instanties", klasse=klasse)
    options = {
        str(row["ding"]): Option(
            str(row["ding"]),
            literal_text(row.get("label")) or str(row["ding"]),
            literal_text(row.get("code")),
        )
        for row in rows
    }
    shown: dict[tuple[str, str | None], list[str]] = {}
    for option in options.values():
        shown.setdefault((option.text, option.code), []).append(option.iri)
    marks = {
        iri: mark for iris in shown.values() if len(iris) > 1 for iri, mark in tellers(iris).items()
    }
    told_apart = [replace(option, where=marks.get(option.iri)) for option in options.values()]
    return sorted(told_apart, key=lambda option: (option.text.lower(), option.where or ""))


_NAMED = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?code WHERE {
  ?ding a ?soort . ?soort rdfs:subClassOf* ?klasse .
  OPTIONAL { ?ding dct:identifier ?code }
} ORDER BY ?code LIMIT 1
"""


def _named_by_iri(store: Store, value: str, klasse: URIRef) -> Option | None:
    """The thing of ``klasse`` with IRI ``value``, when the select box's list (the first
    2,000 of a class: a city has tens of thousands of streets) does not hold it. Named
    as the list's choices are (krbgraph.labels, in the reader's language): the first
    name the store returned was any language's."""
    iri = valid_iri(value)
    if iri is None:
        return None
    rows = store.query(_NAMED, bindings={"ding": iri, "klasse": klasse}).rows
    if not rows:
        return None
    names = fetch_names(store, [value], languages=READER_LANGUAGES.get())
    return Option(value, names.get(value) or value, literal_text(rows[0][0]))


def _choose(value: str, options: Sequence[Option]) -> list[Option]:
    """The options a filter value names: by IRI, else by code or exact name (several
    when a name is shared, as two municipalities' Centrum in one store)."""
    for option in options:
        if value == option.iri:
            return [option]
    return [option for option in options if value in (option.code, option.text)]


def _themes_of(store: Store, norms: Iterable[str], labeller: Labeller) -> dict[str, list[Link]]:
    result = run_for_each(
        store,
        catalogue()["web-norm-themas"],
        "norm",
        [URIRef(norm) for norm in norms],
        languages=READER_LANGUAGES.get(),
    )
    rows = result.dicts()
    labeller.tell_apart({str(row["thema"]): row.get("thema_label") for row in rows})
    themes: dict[str, list[Link]] = {}
    for row in rows:
        link = labeller.cell(row["thema"], row.get("thema_label"))
        if link is not None:
            themes.setdefault(str(row["norm"]), []).append(link)
    return themes


def _verdict_row(
    row: Normtoets, themes_of: dict[str, list[Link]], labeller: Labeller
) -> tuple[object, ...]:
    unit = row.eenheid.label if row.eenheid else None
    operator = row.operator.label or ""
    if row.normlabel is not None:
        norm_value = f"{operator} {row.normlabel.label or ''}".strip()
        measured = row.meetlabel.label if row.meetlabel else None
        margin = _amount(row.marge, "labelstap(pen)")
    else:
        norm_value = f"{operator} {_amount(row.normwaarde, unit)}".strip()
        measured = _amount(row.waarde, unit)
        margin = _amount(row.marge, unit)
    period = _period(row.periode_van, row.periode_tot)
    return (
        _link(row.norm, labeller),
        row.code,
        themes_of.get(row.norm.iri) or None,
        _link(row.gebied, labeller),
        norm_value,
        measured,
        period,
        margin,
        row.oordeel,
    )


def _largest_first(gaps: Sequence[Normgat]) -> list[Normgat]:
    """Largest gap first; a norm without data (no gap known) after all others."""
    return sorted(gaps, key=lambda row: (row.gat is None, -(row.gat or 0.0)))


def _gap_row(row: Normgat, labeller: Labeller) -> tuple[object, ...]:
    unit = row.eenheid.label
    return (
        _link(row.norm, labeller),
        row.code,
        _link(row.gebied, labeller),
        f"{row.operator.label or ''} {_amount(row.normwaarde, unit)}".strip(),
        _amount(row.waarde, unit),
        _amount(row.gat, unit),
        _amount(row.beoogd, unit) if row.effecten else "geen",
        _amount(row.restgat, unit),
        row.oordeel,
        [_link(measure, labeller) for measure in row.maatregelen] or None,
    )


def _counts(rows: Sequence[Normtoets]) -> list[tuple[str, int]]:
    order = ("voldoet", "voldoet niet", "geen gegevens")
    return [(verdict, sum(1 for row in rows if row.oordeel == verdict)) for verdict in order]


def _period(start: date | None, end: date | None) -> str | None:
    """A whole calendar year as its number (2025), any other period from and to."""
    if start is None or end is None:
        return None
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start} t/m {end}"


def _link(ref: Ref, labeller: Labeller) -> Link:
    return labeller.link(ref.iri, ref.label)


def _amount(value: float | None, unit: str | None) -> str | None:
    """A number as a Dutch reader writes it, to three decimals at most: 0,45 km.

    A value that three decimals would show as 0 gets three significant digits instead
    (-0,0004 km): a margin of -0,0004 next to voldoet niet must not read as 0, as if
    the norm were met exactly, and keeps its sign. Only 0 itself shows as 0.
    """
    if value is None:
        return None
    text = f"{value:.3f}"
    if value and not text.strip("-0."):  # a value that three decimals make 0
        text = f"{value:.{2 - math.floor(math.log10(abs(value)))}f}"
    text = text.rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "") else text
    text = text.replace(".", ",")
    return f"{text} {unit}" if unit else text
