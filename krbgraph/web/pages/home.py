"""The home page (counts per class, the themes) and the listing of one class.

Both counts read the whole registry, so they are kept per store version
(krbgraph.web.aggregates): a write shows on the next visit, and every visit
until the next write costs no query. The listing pages by keyset
(krbgraph.web.class_list).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ...namespaces import KRB, ORG
from ..aggregates import cached_rows
from ..class_list import PAGE_SIZE, BadKey, class_page, key_text, parse_key
from ..describe import (
    Labeller,
    Link,
    local_href,
    short_name,
    shown_value,
    text_of,
    valid_iri,
    web_address,
)
from ..naming import told_apart
from ..templating import error_page, render
from .common import SettingsDep, StoreDep

router = APIRouter()

COUNTED_CLASSES = {
    str(KRB.Beleidsdossier): "Beleidsdossiers",
    str(KRB.Besluitdocument): "Besluitdocumenten",
    str(KRB.Besluitproces): "Besluitprocessen",
    str(KRB.Beleidsthema): "Beleidsthema's",
    str(KRB.Beleidsaspect): "Beleidsaspecten",
    str(KRB.Beleidsindicator): "Beleidsindicatoren",
    str(KRB.Beleidsnorm): "Beleidsnormen",
    str(KRB.Beleidsregel): "Beleidsregels",
    str(KRB.Beleidsmaatregel): "Beleidsmaatregelen",
    str(KRB.MerMaatregel): "waarvan MER-maatregelen",
    str(KRB.BeoogdEffect): "Beoogde effecten",
    str(KRB.BeoogdeUitvoering): "Beoogde uitvoeringen",
    str(KRB.Werkingsgebied): "Werkingsgebieden",
    str(KRB.LokaalObjecttype): "Lokale objecttypen",
    str(ORG.OrganizationalUnit): "Afdelingen",
}
"""The classes the home page counts, with their Dutch plural (also the title of /lijst)."""


@dataclass(frozen=True)
class Count:
    label: str
    aantal: int
    href: str


@dataclass(frozen=True)
class ThemeSummary:
    link: Link
    indicatoren: int
    normen: int
    maatregelen: int


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: StoreDep, settings: SettingsDep) -> HTMLResponse:
    found = {str(r["klasse"]): int(r["aantal"]) for r in cached_rows(store, "web-aantallen")}
    counts = [
        Count(label, found.get(iri, 0), "/lijst?" + urlencode({"klasse": iri}))
        for iri, label in COUNTED_CLASSES.items()
    ]
    rows = cached_rows(store, "dwarsverbanden-themas")
    names = told_apart(
        {
            str(r["thema"]): text_of(r.get("thema_label")) or short_name(str(r["thema"]))
            for r in rows
        }
    )
    labeller = Labeller(settings.base_iri, names)
    themes = [
        ThemeSummary(
            labeller.link(r["thema"]),
            int(r.get("indicatoren", 0)),
            int(r.get("normen", 0)),
            int(r.get("maatregelen", 0)),
        )
        for r in rows
    ]
    context = {
        "title": "Start",
        "counts": counts,
        "themes": themes,
        "klassen": {short_name(iri): iri for iri in COUNTED_CLASSES},
        "theme_scheme": f"{settings.base_iri.rstrip('/')}/id/conceptschema/beleidsthemas",
        "leefomgeving_scheme": "https://data.krb.nl/id/conceptschema/leefomgeving",
    }
    return render(request, "home.html", context)


_DESCRIBED = "ASK WHERE { ?klasse ?p ?o }"


@router.get("/lijst", response_class=HTMLResponse)
def class_list(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    klasse: Annotated[str, Query(description="IRI of the class")],
    na: Annotated[
        str | None, Query(max_length=4000, description="Key of the last thing shown (next page)")
    ] = None,
) -> HTMLResponse:
    """Everything of one class, linked, a hundred at a time; the entry from the counts
    on the home page."""
    class_iri = valid_iri(klasse)
    if class_iri is None:
        message = f"klasse={shown_value(klasse)} is geen IRI van een klasse."
        return error_page(request, 400, "Ongeldige klasse", message)
    try:
        after = parse_key(na) if na else None
    except BadKey as exc:
        return error_page(
            request, 400, "Ongeldige vervolgpagina", f"{exc} ({shown_value(na or '')})"
        )
    page = class_page(store, class_iri, after)
    items = [
        {
            "label": entry.label or short_name(entry.iri),
            "code": entry.code,
            "href": local_href(entry.iri, settings.base_iri),
            "where": entry.where,
        }
        for entry in page.entries
    ]
    title = COUNTED_CLASSES.get(klasse, short_name(klasse))
    # A class of another vocabulary (org:OrganizationalUnit) has no page here: its
    # own IRI, which dereferences to its specification, is where it is explained.
    described = store.query(_DESCRIBED, bindings={"klasse": class_iri}).boolean
    context = {
        "title": title,
        "items": items,
        "total": page.total,
        "first": page.first,
        "last": page.first + len(items) - 1,
        "first_href": "/lijst?" + urlencode({"klasse": klasse}) if after is not None else None,
        "next_href": "/lijst?" + urlencode({"klasse": klasse, "na": key_text(page.next_key)})
        if page.next_key is not None
        else None,
        "page_size": PAGE_SIZE,
        "class_href": local_href(klasse, settings.base_iri) if described else web_address(klasse),
    }
    return render(request, "lijst.html", context)
