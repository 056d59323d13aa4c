"""From what an API caller typed to the thing it means.

Things are addressed the way people know them: an IMBOR object type by UUID,
IRI or Dutch name; an area by CBS code, slug, name or IRI; a measure by code,
name or IRI. Nothing found is a 404 naming what was looked for, several
found a 409 listing the candidates.
"""

from __future__ import annotations

import re

from fastapi import HTTPException, Request
from rdflib import Literal, URIRef
from rdflib.namespace import OWL
from rdflib.term import Identifier

from ..labels import fetch_names
from ..namespaces import IMBOR, KRB
from ..queries import ParameterError, name_languages, other_spellings
from ..store import Store
from .api_models import Ref
from .describe import READER_LANGUAGES, pick_label, run_query, text_of, valid_iri
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
        return Ref(iri=iri, label=classes[iri].label)
    wanted = normalise(value)
    found = [e for e in classes.values() if wanted in e.texts]
    if not found:
        raise HTTPException(
            404,
            f"no object type named {value!r}; search with /zoeken?q= or give the IMBOR UUID",
        )
    if len(found) > 1:
        candidates = sorted(found, key=lambda e: (e.type_iri != IMBOR_OBJECTTYPE, e.iri))
        raise HTTPException(
            409,
            {
                "detail": f"{value!r} names {len(found)} object types; give the UUID or IRI",
                "candidates": [{"iri": e.iri, "label": e.label} for e in candidates],
            },
        )
    return Ref(iri=found[0].iri, label=found[0].label)


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
    rows = run_query(store, "zoek", tekst=Literal(value), klasse=klasse).dicts()
    # Else as a name in English or another of the reader's languages (?lang=fy), or
    # written in another case ("gm9999", "Huishoudens"), as the named queries'
    # parameters resolve (krbgraph.queries.store_resolver).
    languages = name_languages(READER_LANGUAGES.get())
    others = [Literal(value, lang=language) for language in languages] + [
        Literal(spelling, lang=language)
        for spelling in other_spellings(value)
        for language in (None, *languages)
    ]
    for other in others:
        if rows:
            break
        rows = run_query(store, "zoek", tekst=other, klasse=klasse).dicts()
    found: dict[str, list[Identifier | None]] = {}
    for row in rows:
        found.setdefault(str(row["object"]), []).append(row.get("label"))
    if not found:
        raise HTTPException(404, f"no {what} with code or name {value!r}")
    if len(found) > 1:
        raise HTTPException(
            409,
            {
                "detail": f"{value!r} matches {len(found)} things of type {what}; give the IRI",
                "candidates": [{"iri": iri, "label": pick_label(ls)} for iri, ls in found.items()],
            },
        )
    iri, labels = next(iter(found.items()))
    return Ref(iri=iri, label=pick_label(labels))


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
