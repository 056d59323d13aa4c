"""The dwarsverbanden pages: the network of themes and the measures behind its edges.

An edge from theme A to theme B means a measure of A has an intended effect
(or an uitvoering) on a norm, indicator or rule of B; the counts come from
the named queries dwarsverbanden-themas and dwarsverbanden-netwerk. Both pages
read far into the registry, so the rows they are drawn from are kept per store
version (krbgraph.web.aggregates).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from rdflib.term import Identifier

from ...store import Store
from ..aggregates import cached_rows
from ..describe import (
    Labeller,
    amount_text,
    short_name,
    shown_value,
    text_of,
    valid_iri,
)
from ..naming import told_apart
from ..network_svg import theme_network_svg
from ..templating import error_page, render
from ..theme_network import edge_href, node_href, theme_network
from .common import SettingsDep, StoreDep

router = APIRouter()


@router.get("/dwarsverbanden", response_class=HTMLResponse)
def dwarsverbanden_page(request: Request, store: StoreDep) -> HTMLResponse:
    network = theme_network(store)
    svg = theme_network_svg(network.nodes, network.edges, node_href=node_href, edge_href=edge_href)
    rows = [
        {
            "source_label": network.labels[edge.source],
            "target_label": network.labels[edge.target],
            "measures": edge.measures,
            "effects": edge.effects,
            "href": edge_href(edge),
        }
        for edge in network.edges
    ]
    context = {"title": "Dwarsverbanden", "svg": svg, "edges": rows}
    return render(request, "dwarsverbanden.html", context)


@router.get("/dwarsverbanden/maatregelen", response_class=HTMLResponse)
def dwarsverband_measures(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    bron: str | None = None,
    doel: str | None = None,
    thema: str | None = None,
) -> HTMLResponse:
    """The measures behind one edge (bron and doel) or around one theme (thema)."""
    terms = {}
    for name, value in (("bron", bron), ("doel", doel), ("thema", thema)):
        if value:
            iri = valid_iri(value)
            if iri is None or not value.startswith(("http://", "https://")):
                message = f"{name}={shown_value(value)} is geen IRI van een thema."
                return error_page(request, 400, "Ongeldig thema", message)
            terms[name] = iri
    labeller = Labeller(settings.base_iri)
    found = _measure_rows(store, terms)
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
    known = theme_network(store).labels
    labeller.labels.update({iri: known[iri] for iri in (*themes, *terms.values()) if iri in known})
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
    if bron and doel:
        source, target = _label_of(labeller, bron), _label_of(labeller, doel)
        title = f"Maatregelen van {source} met effect op {target}"
    elif thema:
        title = f"Dwarsverbanden van en naar {_label_of(labeller, thema)}"
    else:
        title = "Alle maatregelen met dwarsverbanden"
    context = {"title": title, "rows": rows}
    return render(request, "dwarsverband_maatregelen.html", context)


_MEASURES = "web-dwarsverband-maatregelen"
_ORDER = ("bron_label", "doel_label", "maatregel_label", "koppeling_label")
"""The order of that query's answer (its ``# order:``), kept when two answers are merged."""


def _measure_rows(store: Store, terms: Mapping[str, Identifier]) -> list[dict[str, Identifier]]:
    """The rows behind an edge or around a theme.

    Around a theme alone, the query runs once with the theme as bron and once as
    doel: with ``thema`` it filters after reading every cross-link of the
    registry, with bron or doel bound it starts from the theme.
    """
    theme = terms.get("thema")
    if theme is None or len(terms) > 1:
        return list(cached_rows(store, _MEASURES, **terms))
    rows = [*cached_rows(store, _MEASURES, bron=theme), *cached_rows(store, _MEASURES, doel=theme)]
    return sorted(rows, key=lambda r: tuple(_sort_text(r.get(column)) for column in _ORDER))


def _sort_text(value: Identifier | None) -> tuple[int, str]:
    """Unbound first, then text case-insensitively, as the catalogue sorts an answer."""
    return (0, "") if value is None else (1, str(value).casefold())


def _label_of(labeller: Labeller, iri: str) -> str:
    return labeller.labels.get(iri, short_name(iri))
