"""The dwarsverbanden pages: the network of themes and the measures behind its edges.

An edge from theme A to theme B means a measure of A has an intended effect
(or an uitvoering) on a norm, indicator or rule of B; the counts come from
the named queries dwarsverbanden-themas and dwarsverbanden-netwerk.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..describe import (
    Labeller,
    amount_text,
    run_query,
    short_name,
    shown_value,
    text_of,
    valid_iri,
)
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
    rows = []
    for r in run_query(store, "web-dwarsverband-maatregelen", **terms).dicts():
        for key in ("bron", "doel"):
            labeller.labels[str(r[key])] = text_of(r.get(f"{key}_label")) or short_name(str(r[key]))
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


def _label_of(labeller: Labeller, iri: str) -> str:
    return labeller.labels.get(iri, short_name(iri))
