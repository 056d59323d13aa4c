"""The search page: things found by name or code, grouped by what they are.

The matching itself is krbgraph.web.search (the label index); this module
only names the groups and lays out the hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from rdflib.namespace import OWL, SKOS

from ...labels import fetch_names, tagged
from ...namespaces import ORG
from ...store import Store
from ..describe import READER_LANGUAGES, local_href
from ..naming import told_apart_names
from ..search import IMBOR_OBJECTTYPE, Hit, LabelIndex, normalise, suggest
from ..search_text import loose_texts
from ..state import label_index
from ..templating import render
from .common import SettingsDep, StoreDep

router = APIRouter()

MAX_QUERY = 200
"""Characters of a search that are searched for (longer than any name)."""


@router.get("/zoeken", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=10_000)] = "",
) -> HTMLResponse:
    # What is past the first MAX_QUERY characters is not searched for: a longer text
    # pasted in the box gets the page, not a JSON refusal.
    q = q[:MAX_QUERY]
    index = label_index(request)
    groups = index.search(store, q)
    type_names = _type_names(index, store)
    hits = [hit for group in groups for hit in group.hits]
    # The index holds one (Dutch) name per thing and the normalised texts it matches
    # on; the few hits shown get the reader's name and the text as written.
    names = fetch_names(store, [hit.entry.iri for hit in hits], languages=READER_LANGUAGES.get())
    # Two things of one name (two municipalities' GEL-N01 in a province's registry) are
    # told apart by what differs, as on the other pages (krbgraph.web.naming).
    shown_names = told_apart_names({hit.entry.iri: names.get(hit.entry.iri) for hit in hits})
    written = _as_written(store, hits)
    shown = [
        {
            "name": type_names.get(group.type_iri or "", "Overig"),
            "total": group.total,
            "hits": [
                {
                    "label": shown_names.get(hit.entry.iri, hit.entry.label),
                    "href": local_href(hit.entry.iri, settings.base_iri),
                    "matched": _matched(hit, names.get(hit.entry.iri, hit.entry.label), written),
                }
                for hit in group.hits
            ],
        }
        for group in groups
    ]
    suggestions = [] if groups or not q.strip() else suggest(index.entries(store), q, cached=True)
    suggested = fetch_names(
        store, [entry.iri for entry in suggestions], languages=READER_LANGUAGES.get()
    )
    context = {
        "title": f"Zoeken: {q}" if q else "Zoeken",
        "q": q,
        "groups": shown,
        "total": sum(group.total for group in groups),
        "suggestions": [
            {"label": suggested.get(e.iri, e.label), "href": local_href(e.iri, settings.base_iri)}
            for e in suggestions
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


_TEXTS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct:  <http://purl.org/dc/terms/>
SELECT ?s ?text WHERE {
  VALUES ?s { VALUES_HERE }
  ?s rdfs:label|skos:prefLabel|skos:altLabel|skos:hiddenLabel|dct:title|dct:identifier
     |skos:notation ?text .
  FILTER (isLiteral(?text))
}"""


def _as_written(store: Store, hits: Sequence[Hit]) -> dict[tuple[str, str], str]:
    """(IRI, compared text) -> the text as written, for the texts the hits matched: the
    normalised text and its loose forms (a loose search matches 'zx1' for ZX-1)."""
    if not hits:
        return {}
    found: dict[tuple[str, str], str] = {}
    iris = " ".join(f"<{hit.entry.iri}>" for hit in hits)  # the store's own IRIs
    for subject, text in store.query(_TEXTS.replace("VALUES_HERE", iris)).rows:
        normalised = normalise(str(text))
        # In its own language: "(Harbour square)" beside a Dutch name is read as English.
        as_written = tagged(str(text), getattr(text, "language", None))
        for form in (normalised, *loose_texts((normalised,))):
            found.setdefault((str(subject), form), as_written)
    return found


def _matched(hit: Hit, label: str, written: dict[tuple[str, str], str]) -> str | None:
    """The text that matched, as written, when it is not the name shown."""
    shown = written.get((hit.entry.iri, hit.matched), hit.matched)
    if normalise(shown) in (normalise(label), normalise(hit.entry.label)):
        return None
    return shown
