"""Gathering what a resource page shows, from the store, as plain data.

The generic part (every property with its values, what points here) comes
from the named queries web-resource-uitgaand and web-resource-inkomend; the
parts that depend on what the resource is from krbgraph.web.sections. The
linked-data router renders the view; nothing here knows about HTTP or HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Identifier

from ..labels import CODE_PREDICATES, NAME_PREDICATES, Name, choose, tagged
from ..store import QueryResult, Store
from .describe import (
    READER_LANGUAGES,
    Labeller,
    Link,
    PropertyValues,
    ResourceView,
    Value,
    literal_text,
    pick_label,
    run_query,
    short_name,
    type_link,
)
from .sections import sections_for

INCOMING_LIMIT = 3000
"""Rows web-resource-inkomend returns at most; a page says when the list is cut off."""


def describe_resource(store: Store, iri: str, base_iri: str) -> ResourceView | None:
    """Everything a resource page shows, or None when the store does not know `iri`."""
    resource = URIRef(iri)
    outgoing = run_query(store, "web-resource-uitgaand", resource=resource)
    if not outgoing.rows:
        return None
    labeller = Labeller(base_iri)
    properties, names, type_iris = _collect_outgoing(outgoing, labeller)
    languages = READER_LANGUAGES.get()
    label = choose(names, languages) or choose(names, languages, CODE_PREDICATES) or short_name(iri)
    labeller.tell_apart({iri: label})  # the buurt Centrum on the page of the wijk Centrum
    incoming_result = run_query(store, "web-resource-inkomend", resource=resource)
    incoming = _collect_incoming(incoming_result, labeller)
    types = tuple(
        sorted((type_link(labeller, iri) for iri in type_iris), key=lambda link: link.text)
    )
    truncated = len(incoming_result.rows) >= INCOMING_LIMIT
    return ResourceView(
        iri=iri,
        label=label,
        types=types,
        properties=properties,
        incoming=incoming,
        incoming_truncated=truncated,
        sections=sections_for(store, resource, type_iris, properties, labeller),
        # The engine returns the first it finds, not the first by name: the page says
        # how many there are, so its table does not pass for the start of an A-Z list.
        incoming_total=_incoming_count(store, resource) if truncated else None,
    )


def _incoming_count(store: Store, resource: URIRef) -> int:
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p WHERE { "
        f"?s ?p {resource.n3()} FILTER (isIRI(?s)) }} }}"
    )
    rows = store.query(query).rows
    return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0


def _collect_outgoing(
    result: QueryResult, labeller: Labeller
) -> tuple[tuple[PropertyValues, ...], list[Name], list[str]]:
    rows = result.dicts()
    predicate_labels: dict[str, list[Identifier | None]] = {}
    object_labels: dict[Identifier, list[Identifier | None]] = {}
    objects: dict[str, dict[Identifier, None]] = {}
    nested: dict[Identifier, dict[tuple[str, Identifier], None]] = {}
    nested_labels: dict[str, list[Identifier | None]] = {}
    unknown: set[str] = set()
    for row in rows:
        for term, flag in (
            ("p", "p_known"),
            ("o", "o_known"),
            ("bp", "bp_known"),
            ("bo", "bo_known"),
        ):
            if term in row and isinstance(row[term], URIRef) and not _true(row.get(flag)):
                unknown.add(str(row[term]))
    labeller.unknown = unknown
    for row in rows:
        predicate, obj = str(row["p"]), row["o"]
        objects.setdefault(predicate, {})[obj] = None
        predicate_labels.setdefault(predicate, []).append(row.get("p_label"))
        object_labels.setdefault(obj, []).append(row.get("o_label"))
        if "bp" in row:
            nested.setdefault(obj, {})[(str(row["bp"]), row["bo"])] = None
            # A nested node's IRI by its name too: "verandering van GEL-I01" read as a code.
            object_labels.setdefault(row["bo"], []).append(row.get("bo_label"))
            nested_labels.setdefault(str(row["bp"]), []).append(row.get("bp_label"))
    for term, candidates in object_labels.items():
        chosen = pick_label(candidates)
        if chosen and isinstance(term, URIRef):
            labeller.labels[str(term)] = chosen
    labeller.tell_apart(dict(labeller.labels))  # a scheme's two top concepts called Geluid
    # Every name the resource has, chosen among by the one rule (krbgraph.labels): the
    # reader's language first, then prefLabel over rdfs:label. Taking the first
    # predicate with any name let a Dutch rdfs:label head the page for every reader.
    # Its codes too: a thing without a name is headed by its code, as it is named on
    # every other page.
    names = [
        Name(predicate, term)
        for predicate in (*NAME_PREDICATES, *CODE_PREDICATES)
        for term in objects.get(predicate, {})
        if isinstance(term, Literal)
    ]
    type_iris = [str(term) for term in objects.get(str(RDF.type), {})]
    properties = []
    for predicate in sorted(objects, key=lambda p: _predicate_order(p, predicate_labels)):
        if predicate == str(RDF.type):
            continue
        values = tuple(
            _value(term, labeller, nested.get(term, {}), nested_labels)
            for term in sorted(objects[predicate], key=_term_sort_key)
        )
        predicate_link = labeller.link(predicate, pick_label(predicate_labels[predicate]))
        properties.append(PropertyValues(predicate_link, values))
    return tuple(properties), names, type_iris


def _true(term: Identifier | None) -> bool:
    return isinstance(term, Literal) and term.toPython() is True


def _predicate_order(
    predicate: str, labels: Mapping[str, list[Identifier | None]]
) -> tuple[int, str]:
    first = (str(RDFS.label), str(SKOS.prefLabel), str(DCTERMS.identifier))
    if predicate in first:
        return (first.index(predicate), "")
    return (len(first), (pick_label(labels.get(predicate, [])) or short_name(predicate)).lower())


def _term_sort_key(term: Identifier) -> tuple[str, str]:
    language = term.language or "" if isinstance(term, Literal) else ""
    return ("" if language == "nl" else language or "~", str(term))


def _value(
    term: Identifier,
    labeller: Labeller,
    nested: Mapping[tuple[str, Identifier], None],
    nested_labels: Mapping[str, list[Identifier | None]],
) -> Value:
    if isinstance(term, URIRef):
        return Value(link=labeller.link(term))
    if isinstance(term, BNode):
        grouped: dict[str, list[Identifier]] = {}
        for predicate, obj in nested:
            if predicate != str(RDF.type):  # "type PeriodOfTime" tells a reader nothing
                grouped.setdefault(predicate, []).append(obj)
        inner = tuple(
            PropertyValues(
                labeller.link(predicate, pick_label(nested_labels.get(predicate, []))),
                tuple(
                    Value(link=labeller.link(obj))
                    if isinstance(obj, URIRef)
                    else Value(literal=_DEEPER)
                    if isinstance(obj, BNode)
                    else Value(literal=_shown(literal_text(obj)), **_literal_meta(obj))
                    for obj in sorted(objs, key=_term_sort_key)
                ),
            )
            for predicate, objs in sorted(grouped.items(), key=_nested_order)
        )
        return Value(nested=inner)
    return Value(literal=_shown(literal_text(term)), **_literal_meta(term))


MAX_LITERAL = 5_000
"""Characters of one value a page shows: a boundary of 200,000 points is a 4 MB literal,
and a description pasted from a PDF can be tens of MB; the RDF holds them whole."""


def _shown(text: str | None) -> str | None:
    """``text``, or its first MAX_LITERAL characters. A value in another language keeps
    its tag (the page marks it lang="en", labels.ForeignName) and ends in a plain "…":
    a Dutch note inside it would be marked English too."""
    if text is None or len(text) <= MAX_LITERAL:
        return text
    language = getattr(text, "lang", None)
    if language:
        return tagged(text[:MAX_LITERAL] + " …", language)
    note = f" … ({len(text):,} tekens; volledig in de RDF-weergave)".replace(",", ".")
    return text[:MAX_LITERAL] + note


_DEEPER = "(geneste waarde: zie de RDF-weergave, Turtle of JSON-LD)"
"""A blank node two levels down (an OWL-Time period's begin): the page shows one level,
the RDF four; its store-local id is no value to show."""

_NESTED_FIRST = (str(DCAT.startDate), str(DCAT.endDate))
"""A period reads begin then end, not in the alphabetical order of their IRIs."""


def _nested_order(item: tuple[str, list[Identifier]]) -> tuple[int, str]:
    predicate = item[0]
    if predicate in _NESTED_FIRST:
        return (_NESTED_FIRST.index(predicate), "")
    return (len(_NESTED_FIRST), predicate)


class _LiteralMeta(TypedDict):
    language: str | None
    datatype: str | None


def _literal_meta(term: Identifier) -> _LiteralMeta:
    if not isinstance(term, Literal):
        return {"language": None, "datatype": None}
    datatype = short_name(str(term.datatype)) if term.datatype else None
    return {"language": term.language, "datatype": datatype}


def _collect_incoming(result: QueryResult, labeller: Labeller) -> tuple[tuple[Link, Link], ...]:
    # Each IRI's distinct labels, and its name chosen once: a theme has thousands of
    # incoming links through one predicate, so choosing per link is quadratic.
    labels: dict[str, dict[Identifier | None, None]] = {}
    pairs: dict[tuple[str, str], None] = {}
    for row in result.dicts():
        subject, predicate = str(row["s"]), str(row["p"])
        if not _true(row.get("p_known")):
            labeller.unknown.add(predicate)
        pairs[(predicate, subject)] = None
        labels.setdefault(subject, {})[row.get("s_label")] = None
        labels.setdefault(predicate, {})[row.get("p_label")] = None
    names = {iri: pick_label(candidates) for iri, candidates in labels.items()}
    labeller.tell_apart({subject: names[subject] for _, subject in pairs})
    links = [
        (labeller.link(predicate, names[predicate]), labeller.link(subject, names[subject]))
        for predicate, subject in pairs
    ]
    links.sort(key=lambda pair: (pair[0].text.lower(), pair[1].text.lower()))
    return tuple(links)
