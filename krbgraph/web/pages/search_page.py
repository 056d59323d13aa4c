"""The search page: things found by name or code, grouped by what they are.

The matching itself is krbgraph.web.search (the label index); this module
only names the groups and lays out the hits.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from rdflib.namespace import OWL, SKOS

from ...namespaces import ORG
from ...store import Store
from ..describe import local_href
from ..search import IMBOR_OBJECTTYPE, LabelIndex, normalise, suggest
from ..state import label_index
from ..templating import render
from .common import SettingsDep, StoreDep

router = APIRouter()


@router.get("/zoeken", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    index = label_index(request)
    groups = index.search(store, q)
    type_names = _type_names(index, store)
    shown = [
        {
            "name": type_names.get(group.type_iri or "", "Overig"),
            "total": group.total,
            "hits": [
                {
                    "label": hit.entry.label,
                    "href": local_href(hit.entry.iri, settings.base_iri),
                    "matched": None if hit.matched == normalise(hit.entry.label) else hit.matched,
                }
                for hit in group.hits
            ],
        }
        for group in groups
    ]
    suggestions = [] if groups or not q.strip() else suggest(index.entries(store), q)
    context = {
        "title": f"Zoeken: {q}" if q else "Zoeken",
        "q": q,
        "groups": shown,
        "total": sum(group.total for group in groups),
        "suggestions": [
            {"label": e.label, "href": local_href(e.iri, settings.base_iri)} for e in suggestions
        ],
    }
    return render(request, "search.html", context)


def _type_names(index: LabelIndex, store: Store) -> dict[str, str]:
    """Dutch names of the result groups, taken from the labels in the index."""
    names = {entry.iri: entry.label for entry in index.entries(store)}
    names[IMBOR_OBJECTTYPE] = "IMBOR-objecttypen"
    names[str(OWL.Class)] = "Klassen (bovenliggend in IMBOR, NEN 3610, ...)"
    names[str(SKOS.Concept)] = "Begrippen"
    names[str(ORG.OrganizationalUnit)] = "Afdelingen"
    names[str(SKOS.ConceptScheme)] = "Begrippenkaders"
    names[str(OWL.ObjectProperty)] = "Eigenschappen (objecten)"
    names[str(OWL.DatatypeProperty)] = "Eigenschappen (waarden)"
    names[str(OWL.AnnotationProperty)] = "Eigenschappen (annotaties)"
    # types outside the model's own labels, or labelled in lower case by their vocabulary
    names["http://www.w3.org/ns/sosa/Observation"] = "Metingen"
    names["http://www.w3.org/ns/dcat#Dataset"] = "Databronnen"
    names["http://qudt.org/schema/qudt/Unit"] = "Eenheden"
    return names
