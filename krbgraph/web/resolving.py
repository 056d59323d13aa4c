"""From what an API caller typed to the thing it means.

Things are addressed the way people know them: an IMBOR object type by UUID,
IRI or Dutch name; an area by CBS code, slug, name or IRI; a measure by code,
name or IRI. Nothing found is a 404 naming what was looked for, several
found a 409 listing the candidates.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import HTTPException, Request
from rdflib import URIRef
from rdflib.namespace import OWL

from ..labels import fetch_names
from ..namespaces import IMBOR, KRB
from ..queries import ParameterError, find_named
from ..store import Store
from .api_models import Ref
from .describe import READER_LANGUAGES, run_query, text_of, valid_iri
from .search import IMBOR_OBJECTTYPE, Entry, normalise
from .state import label_index

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_OBJECTTYPE_GROUPS = frozenset({IMBOR_OBJECTTYPE, str(KRB.LokaalObjecttype)})
_IMBOR_CLASS_SPACES = (
    "https://data.crow.nl/",
    "http://data.gwsw.nl/",
    "http://modellen.geostandaarden.nl/",
    "https://w3id.org/nen2660/",
)
"""Namespaces of the abstract classes the IMBOR extract brings along (norms may sit on them)."""


def resolve_objecttype(request: Request, store: Store, text: str) -> Ref:
    """An object type from a UUID, an IRI or a Dutch name (case and accents ignored).

    Raises HTTPException 404 when nothing matches, 409 listing the candidates
    when a name matches several classes.
    """
    entries = label_index(request).entries(store)
    classes = {e.iri: e for e in entries if is_objecttype(e)}
    value = text.strip()
    if _UUID.match(value) or value.startswith(("http://", "https://")):
        iri = str(IMBOR[value.lower()]) if _UUID.match(value) else value
        if iri not in classes:
            raise HTTPException(404, f"no IMBOR or local object type with IRI <{iri}>")
        return Ref(iri=iri, label=_names_read(store, [classes[iri]])[iri])
    wanted = normalise(value)
    found = _named_first(store, wanted, [e for e in classes.values() if wanted in e.texts])
    if not found:
        raise HTTPException(
            404,
            f"no object type named {value!r}; search with /zoeken?q= or give the IMBOR UUID",
        )
    if len(found) > 1:
        candidates = sorted(found, key=lambda e: (e.type_iri != IMBOR_OBJECTTYPE, e.iri))
        names = _names_read(store, candidates)
        raise HTTPException(
            409,
            {
                "detail": f"{value!r} names {len(found)} object types; give the UUID or IRI",
                "candidates": [{"iri": e.iri, "label": names[e.iri]} for e in candidates],
            },
        )
    return Ref(iri=found[0].iri, label=_names_read(store, found)[found[0].iri])


_NAMES_OF = """
SELECT ?ding ?tekst WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel dct:title dct:identifier skos:notation }
  ?ding ?p ?tekst }
"""
"""Every name and code of the candidates (``?ding`` pre-bound): not skos:hiddenLabel."""


def _named_first(store: Store, wanted: str, found: list[Entry]) -> list[Entry]:
    """Of several object types matching ``wanted``, those it is a name or code of, when
    any: the search index also holds IMBOR's hidden search terms (zoektermen.ttl,
    "lantaarnpaal" on Lichtmast), which are for finding, never a name, and a
    municipality's own type named Lantaarnpaal got a 409 beside Lichtmast, while the
    named query (krbgraph.queries.find_named, names only) answered it."""
    if len(found) < 2:
        return found
    values = " ".join(f"<{e.iri}>" for e in found)
    rows = store.query(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX dct: <http://purl.org/dc/terms/> "
        + _NAMES_OF.replace("WHERE {", f"WHERE {{ VALUES ?ding {{ {values} }}", 1)
    ).rows
    named = {str(row[0]) for row in rows if row[1] is not None and normalise(str(row[1])) == wanted}
    return [e for e in found if e.iri in named] or found


def _names_read(store: Store, entries: list[Entry]) -> dict[str, str]:
    """The names of object types in the reader's language: the search index's own name
    is the Dutch one, and the answer's object type read Dutch beside English norms."""
    names = fetch_names(store, [e.iri for e in entries], languages=READER_LANGUAGES.get())
    return {e.iri: names.get(e.iri, e.label) for e in entries}


def is_objecttype(entry: Entry) -> bool:
    """Whether a search entry is an IMBOR object type: the API and the query forms
    must agree on what the object-type parameter accepts."""
    if entry.type_iri in _OBJECTTYPE_GROUPS:
        return True
    return entry.type_iri == str(OWL.Class) and entry.iri.startswith(_IMBOR_CLASS_SPACES)


def resolve_thing(store: Store, text: str, klasse: URIRef, what: str) -> Ref:
    """A thing of `klasse` from its IRI, code, CBS code or name.

    Raises HTTPException 404 (nothing matches) or 409 (several match).
    """
    value = text.strip()
    if value.startswith(("http://", "https://")):
        ding = valid_iri(value)
        if ding is None:
            raise HTTPException(404, f"no {what} with IRI <{value}> (not a valid IRI)")
        rows = run_query(store, "web-ding-van-klasse", ding=ding, klasse=klasse).dicts()
        if not rows:
            raise HTTPException(404, f"no {what} with IRI <{value}>")
        return Ref(iri=value, label=text_of(rows[0].get("label")))
    # As the named queries' parameters resolve: as written, else in another case or as
    # any name the reader can be shown (an "en-GB" name to an "en" reader, ?lang=fy).
    languages = READER_LANGUAGES.get()
    found = find_named(store, value, str(klasse), languages=languages)
    if not found:
        raise HTTPException(404, f"no {what} with code or name {value!r}")
    names = fetch_names(store, found, languages=languages)
    if len(found) > 1:
        raise HTTPException(
            409,
            {
                "detail": f"{value!r} matches {len(found)} things of type {what}; give the IRI",
                "candidates": [{"iri": iri, "label": names.get(iri)} for iri in found],
            },
        )
    return Ref(iri=found[0], label=names.get(found[0]))


def parameter_refused(store: Store, error: ParameterError) -> HTTPException:
    """The API's answer to a value the query catalogue refuses: 409 with the candidates
    (IRI and name) when a name matched several things, as the API's own lookups answer,
    else 400 with the message."""
    if not error.candidates:
        return HTTPException(400, str(error))
    names = fetch_names(store, error.candidates, languages=READER_LANGUAGES.get())
    return HTTPException(
        409,
        {
            "detail": str(error),
            "candidates": [{"iri": iri, "label": names.get(iri, iri)} for iri in error.candidates],
        },
    )


def candidates_listed(refused: HTTPException) -> str:
    """The candidates of a 409 of ``resolve_thing`` as "name: IRI; ..." for a page: a
    reader chooses among them (every one, as the API lists them)."""
    detail: dict[str, Any] = refused.detail if isinstance(refused.detail, dict) else {}
    return "; ".join(
        f"{c.get('label') or c['iri']}: {c['iri']}" for c in detail.get("candidates", [])
    )
