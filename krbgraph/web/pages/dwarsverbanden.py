"""The dwarsverbanden pages: the network of themes and the measures behind its edges.

An edge from theme A to theme B means a measure of A has an intended effect
(or an uitvoering) on a norm, indicator or rule of B; the counts come from
the named queries dwarsverbanden-themas and dwarsverbanden-netwerk. Both pages
read far into the registry, so the rows they are drawn from are kept per store
version (krbgraph.web.aggregates).

Both answer for a peildatum (``?datum=JJJJ-MM-DD``, a date field of a GET form;
today when none is given): the queries' ``datum``, checked as the query catalogue
checks it, so a bad date gets the message the query page gives it (400, the form
again with the typed value). Every link between the pages and to their JSON keeps
the date, so a reader who follows an arrow stays on that day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from rdflib import URIRef
from rdflib.term import Identifier

from ...namespaces import KRB
from ...queries import ParameterError, bind_parameters
from ...store import Store
from ..aggregates import cached_rows
from ..describe import (
    Labeller,
    amount_text,
    short_name,
    shown_value,
    text_of,
)
from ..naming import told_apart
from ..network_svg import theme_network_svg
from ..resolving import candidates_listed, resolve_thing
from ..state import catalogue
from ..templating import error_page, render
from ..theme_network import edge_href, node_href, query_day, theme_network
from .common import SettingsDep, StoreDep

router = APIRouter()


@dataclass(frozen=True)
class Peildatum:
    """The date field of both pages: the value it shows, the day it names, what is wrong."""

    value: str
    """The day as JJJJ-MM-DD, or what was typed when it is no date (kept for correcting)."""
    day: date | None = None
    """None: today, the queries' default (or no date at all, with a problem)."""
    problem: str = ""

    @property
    def shown(self) -> str:
        """The day as the pages name it: "op 2027-06-01" or "vandaag"."""
        return f"op {self.day.isoformat()}" if self.day else "vandaag"

    def query(self) -> str:
        """The date (when one was asked) as a link's query string, else ""."""
        return "?" + urlencode({"datum": self.day.isoformat()}) if self.day else ""


def _peildatum(datum: str | None) -> Peildatum:
    """The ``datum`` sent, checked as the named queries check their ``datum`` (the query
    page's date fields too): a day as JJJJ-MM-DD; empty is today."""
    if datum is None or not datum.strip():
        return Peildatum("")
    try:
        bound = bind_parameters(catalogue()[_NETWORK], {"datum": datum})["datum"]
    except ParameterError as exc:
        return Peildatum(datum, problem=exc.nl)
    day = date.fromisoformat(bound.value)
    return Peildatum(day.isoformat(), day)


_NETWORK = "dwarsverbanden-netwerk"
"""The named query whose ``datum`` the pages' date is (all three declare it alike)."""


@router.get("/dwarsverbanden", response_class=HTMLResponse)
def dwarsverbanden_page(
    request: Request, store: StoreDep, datum: str | None = None
) -> HTMLResponse:
    """The network on the peildatum (today unless one is given)."""
    peildatum = _peildatum(datum)
    title = f"Dwarsverbanden {peildatum.shown}" if peildatum.day else "Dwarsverbanden"
    context: dict[str, object] = {"title": title, "peildatum": peildatum}
    if peildatum.problem:
        return render(request, "dwarsverbanden.html", context, status_code=400)
    day = peildatum.day
    network = theme_network(store, day)
    svg = theme_network_svg(
        network.nodes,
        network.edges,
        node_href=partial(node_href, day=day),
        edge_href=partial(edge_href, day=day),
    )
    rows = [
        {
            "source_label": network.labels[edge.source],
            "target_label": network.labels[edge.target],
            "measures": edge.measures,
            "effects": edge.effects,
            "href": edge_href(edge, day),
        }
        for edge in network.edges
    ]
    context.update(svg=svg, edges=rows)
    return render(request, "dwarsverbanden.html", context)


@router.get("/dwarsverbanden/maatregelen", response_class=HTMLResponse)
def dwarsverband_measures(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    bron: str | None = None,
    doel: str | None = None,
    thema: str | None = None,
    datum: str | None = None,
) -> HTMLResponse:
    """The measures behind one edge (bron and doel) or around one theme (thema), on the
    peildatum (today unless one is given)."""
    terms: dict[str, Identifier] = {}
    for name, value in (("bron", bron), ("doel", doel), ("thema", thema)):
        if value:
            # An IRI, code or name, as the named query's parameter takes it; a theme that
            # is not one is 404, a name of several themes 409 with each to choose from.
            try:
                ref = resolve_thing(store, value, KRB.Beleidsthema, "beleidsthema")
            except HTTPException as refused:
                return _theme_refused(request, name, value, refused)
            terms[name] = URIRef(ref.iri)
    peildatum = _peildatum(datum)
    # The form sends the edge or theme again with a new date (hidden fields).
    given = {"bron": bron, "doel": doel, "thema": thema}
    form = {"peildatum": peildatum, "given": {k: v for k, v in given.items() if v}}
    if peildatum.problem:
        context = {"title": "Maatregelen achter dwarsverbanden", **form, "rows": []}
        return render(request, "dwarsverband_maatregelen.html", context, status_code=400)
    labeller = Labeller(settings.base_iri)
    found = _measure_rows(store, terms, peildatum.day)
    # Two themes of one name (two registries' Geluid in one store) told apart, as the
    # network that links here does: else an arrow between them reads as one theme.
    themes = {
        str(r[key]): text_of(r.get(f"{key}_label")) or short_name(str(r[key]))
        for r in found
        for key in ("bron", "doel")
    }
    labeller.labels.update(told_apart(themes))
    # Against every theme of the network (kept per store version): the edge from B's
    # Bouwen to the province's Geluid was headed "Bouwen ... Geluid", as A's would be.
    known = theme_network(store, peildatum.day).labels
    # By text: the asked themes are rdflib terms, the network's names are keyed by text
    # (a theme without cross-links on the date was headed by the end of its IRI).
    asked = [str(term) for term in terms.values()]
    labeller.labels.update({iri: known[iri] for iri in (*themes, *asked) if iri in known})
    rows = []
    for r in found:
        rows.append(
            (
                labeller.cell(r["maatregel"], r.get("maatregel_label")),
                labeller.cell(r["bron"]),
                labeller.cell(r["koppeling"], r.get("koppeling_label")),
                text_of(r.get("soort")),
                amount_text(r.get("waarde"), r.get("eenheid_symbool")),
                labeller.cell(r["doelobject"], r.get("doelobject_label")),
                labeller.cell(r["doel"]),
            )
        )
    # Headed by the themes found, whatever the reader typed (a code, a name in lower case).
    bron, doel, thema = (str(terms[k]) if k in terms else None for k in ("bron", "doel", "thema"))
    if bron and doel:
        source, target = _label_of(labeller, bron), _label_of(labeller, doel)
        title = f"Maatregelen van {source} met effect op {target}"
    elif thema:
        title = f"Dwarsverbanden van en naar {_label_of(labeller, thema)}"
    elif bron:
        title = f"Maatregelen van {_label_of(labeller, bron)} met effect op andere thema's"
    elif doel:
        title = f"Maatregelen van andere thema's met effect op {_label_of(labeller, doel)}"
    else:
        title = "Alle maatregelen met dwarsverbanden"
    context = {"title": title, **form, "rows": rows}
    return render(request, "dwarsverband_maatregelen.html", context)


def _theme_refused(request: Request, name: str, value: str, refused: HTTPException) -> HTMLResponse:
    shown = shown_value(value)
    if refused.status_code == 409:
        message = f"{name}={shown} past bij meer dan één thema: {candidates_listed(refused)}."
        return error_page(request, 409, "Dubbelzinnig thema", message)
    message = f"{name}={shown} is geen thema van dit register (IRI, code of naam)."
    return error_page(request, 404, "Onbekend thema", message)


_MEASURES = "web-dwarsverband-maatregelen"
_ORDER = ("bron_label", "doel_label", "maatregel_label", "koppeling_label")
"""The order of that query's answer (its ``# order:``), kept when two answers are merged."""


def _measure_rows(
    store: Store, terms: Mapping[str, Identifier], day: date | None
) -> list[dict[str, Identifier]]:
    """The rows behind an edge or around a theme on `day` (today when None).

    Around a theme alone, the query runs once with the theme as bron and once as
    doel: with ``thema`` it filters after reading every cross-link of the
    registry, with bron or doel bound it starts from the theme.
    """
    theme = terms.get("thema")
    datum = query_day(day)
    if theme is None or len(terms) > 1:
        return list(cached_rows(store, _MEASURES, **terms, datum=datum))
    rows = [
        *cached_rows(store, _MEASURES, bron=theme, datum=datum),
        *cached_rows(store, _MEASURES, doel=theme, datum=datum),
    ]
    return sorted(rows, key=lambda r: tuple(_sort_text(r.get(column)) for column in _ORDER))


def _sort_text(value: Identifier | None) -> tuple[int, str]:
    """Unbound first, then text case-insensitively, as the catalogue sorts an answer."""
    return (0, "") if value is None else (1, str(value).casefold())


def _label_of(labeller: Labeller, iri: str) -> str:
    return labeller.labels.get(iri, short_name(iri))
