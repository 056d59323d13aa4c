"""Gathering what a resource page shows, from the store, as plain data.

The generic part (every property with its values, what points here) comes
from the named queries web-resource-uitgaand and web-resource-inkomend; the
parts that depend on what the resource is from krbgraph.web.sections. The
linked-data router renders the view; nothing here knows about HTTP or HTML.
What points here is read a page at a time (IncomingLinks): the page that ``?rijen`` and
``?na`` name, given by the router (ResourcePage.incoming_page).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypedDict

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Identifier

from ..labels import CODE_PREDICATES, NAME_PREDICATES, Name, choose, fetch_names, tagged
from ..store import QueryResult, Store
from . import row_cap
from .aggregates import cached
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
    valid_iri,
)
from .sections import sections_for


def describe_resource(
    store: Store,
    iri: str,
    base_iri: str,
    *,
    shown: int | None = row_cap.ROWS_SHOWN,
    after: str | None = None,
) -> ResourcePage | None:
    """Everything a resource page shows, or None when the store does not know `iri`;
    of the links here the page ``shown`` (row_cap.rows_shown) and ``after`` (``?na``) name."""
    resource = URIRef(iri)
    outgoing = run_query(store, "web-resource-uitgaand", resource=resource)
    if not outgoing.rows:
        return None
    labeller = Labeller(base_iri)
    properties, names, type_iris = _collect_outgoing(outgoing, labeller)
    languages = READER_LANGUAGES.get()
    label = choose(names, languages) or choose(names, languages, CODE_PREDICATES) or short_name(iri)
    labeller.tell_apart({iri: label})  # the buurt Centrum on the page of the wijk Centrum
    types = tuple(
        sorted((type_link(labeller, iri) for iri in type_iris), key=lambda link: link.text)
    )
    page = IncomingLinks(store, resource, labeller).page(shown, after)
    return ResourcePage(
        iri=iri,
        label=label,
        types=types,
        properties=properties,
        incoming=page.links,
        incoming_truncated=page.next_key is not None,
        sections=sections_for(store, resource, type_iris, properties, labeller),
        incoming_total=page.total,
        incoming_page=page,
    )


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


# --- What points here ------------------------------------------------------
#
# The links are listed by property (by its name, as the properties of the page are),
# then by the IRI of the resource that links (as the values of a property are), and
# paged by key (``na``: the property and the IRI of the last link shown), as /lijst
# pages (krbgraph.web.class_list). The engine counts the links per property; the IRIs
# of one property come in one string and are sorted here: ORDER BY sorts IRIs slowly
# in Oxigraph (22 s for 200,000 links against 1 s to read them and 0.3 s to sort
# them), and a page names only the links it shows.

ALL_ROWS_MAX = 5_000
"""Links a page shows at most, also with ``?rijen=alle``; past it the page links to the
next ones. A unit or a concept scheme can have hundreds of thousands, and a page of every
one of them would be tens of megabytes nobody reads whole."""

READ_MAX = 250_000
"""Links of one property a page reads and sorts at most (200,000 IRIs peak at some 75 MB
while read, 25 MB sorted): past it the page names the property and the number of its
links, and leaves them to the query page."""

KEPT_FROM = 2_000
"""The sorted IRIs of a property with this many links or more are kept per store version
(krbgraph.web.aggregates, up to its MAX_ROWS), so paging through them reads them once;
fewer are cheap to read again, and leave the room to the pages that read the registry."""

_SUBJECTS = (
    'SELECT (GROUP_CONCAT(STR(?s); SEPARATOR=" ") AS ?subjects) '
    "WHERE { ?s ?p ?resource . FILTER (isIRI(?s)) }"
)
"""Every resource linking through one property, as one string: an IRI has no spaces,
and one string costs the engine and the store's answer a fraction of 200,000 rows."""


@dataclass(frozen=True)
class _Property:
    iri: str
    link: Link
    count: int
    key: tuple[str, str]
    """Where the property's links stand: by the name shown, then by its IRI."""


@dataclass(frozen=True)
class IncomingPage:
    """One page of the links to a resource."""

    links: tuple[tuple[Link, Link], ...]
    """(property, linking resource) pairs, in order."""
    total: int
    """Links to the resource in all."""
    first: int
    """Position of the first link shown among those listed, counted from 1."""
    next_key: str | None
    """The ``na`` value of the next page; None on the last."""
    size: int
    """Links a page shows at most."""
    listed: int
    """Links the pages list: all but those of the properties in ``too_many``."""
    too_many: tuple[tuple[Link, int], ...] = ()
    """Properties with more than READ_MAX links, and their number: not listed."""
    unknown_key: bool = False
    """``na`` was no key of a link (the page starts at the first)."""

    @property
    def last(self) -> int:
        return self.first + len(self.links) - 1

    @property
    def all_size(self) -> int:
        """Links a page with ``?rijen=alle`` shows at most."""
        return ALL_ROWS_MAX


class IncomingLinks:
    """The links to one resource, a page at a time (``page``); the counts per property
    are read once, the IRIs of a property when a page reaches it."""

    def __init__(self, store: Store, resource: URIRef, labeller: Labeller) -> None:
        self._store = store
        self._resource = resource
        self._labeller = labeller
        self._pages: dict[tuple[int, str | None], IncomingPage] = {}
        self._read: dict[str, tuple[str, ...]] = {}
        rows = run_query(store, "web-resource-inkomend", resource=resource).dicts()
        names: dict[str, list[Identifier | None]] = {}
        for row in rows:
            names.setdefault(str(row["p"]), []).append(row.get("p_label"))
        labeller.unknown |= set(names) - _described(store, names)
        properties = []
        for row in rows:
            link = labeller.link(row["p"], pick_label(names[str(row["p"])]))
            key = (link.text.lower(), link.iri)
            properties.append(_Property(link.iri, link, int(str(row["n"])), key))
        self._keys = {prop.iri: prop.key for prop in properties}
        self.properties = tuple(sorted(properties, key=lambda prop: prop.key))
        self.total = sum(prop.count for prop in self.properties)

    def page(self, shown: int | None, after: str | None) -> IncomingPage:
        """The links after the one ``after`` names (from the first without): ``shown``
        of them, or ALL_ROWS_MAX for None (``?rijen=alle``)."""
        size = min(shown, ALL_ROWS_MAX) if shown is not None else ALL_ROWS_MAX
        if (size, after) not in self._pages:
            self._pages[(size, after)] = self._page(size, after)
        return self._pages[(size, after)]

    def _page(self, size: int, after: str | None) -> IncomingPage:
        start = self._parse(after) if after else None
        too_many = tuple(prop for prop in self.properties if prop.count > READ_MAX)
        before, more = 0, False
        pairs: list[tuple[_Property, str]] = []
        for prop in self.properties:
            if prop.count > READ_MAX:
                continue
            if start is not None and prop.key < start[0]:
                before += prop.count
                continue
            if len(pairs) >= size:
                more = True
                break
            subjects = self._subjects(prop)
            skip = bisect_right(subjects, start[1]) if start and prop.key == start[0] else 0
            if not pairs:
                before += skip
            taken = subjects[skip : skip + size - len(pairs)]
            pairs += [(prop, subject) for subject in taken]
            if skip + len(taken) < len(subjects):
                more = True
                break
        return IncomingPage(
            links=self._links(pairs),
            total=self.total,
            first=before + 1,
            next_key=f"{pairs[-1][0].iri} {pairs[-1][1]}" if more and pairs else None,
            size=size,
            listed=self.total - sum(prop.count for prop in too_many),
            too_many=tuple((prop.link, prop.count) for prop in too_many),
            unknown_key=bool(after) and start is None,
        )

    def _parse(self, after: str) -> tuple[tuple[str, str], str] | None:
        """The place of the link ``after`` names ("property-IRI resource-IRI"), also when
        it is gone (a write in between): then by the property's name in the store."""
        predicate, _, subject = after.partition(" ")
        if valid_iri(predicate) is None or valid_iri(subject) is None:
            return None
        if predicate not in self._keys:
            found = fetch_names(self._store, [predicate], languages=READER_LANGUAGES.get())
            text = self._labeller.link(predicate, found.get(predicate)).text
            self._keys[predicate] = (text.lower(), predicate)
        return (self._keys[predicate], subject)

    def _subjects(self, prop: _Property) -> tuple[str, ...]:
        def read() -> tuple[str, ...]:
            bindings = {"resource": self._resource, "p": URIRef(prop.iri)}
            rows = self._store.query(_SUBJECTS, bindings=bindings).rows
            text = str(rows[0][0]) if rows and rows[0][0] is not None else ""
            return tuple(sorted(set(text.split(" ")) - {""}))

        if prop.iri not in self._read:  # the first page and the one asked for: read once
            key = ("incoming", str(self._resource), prop.iri)
            kept = prop.count >= KEPT_FROM
            self._read[prop.iri] = cached(self._store, key, read, len) if kept else read()
        return self._read[prop.iri]

    def _links(self, pairs: list[tuple[_Property, str]]) -> tuple[tuple[Link, Link], ...]:
        """The pairs as links, the resources by name (told apart where two share one)."""
        subjects = [subject for _, subject in pairs]
        names = fetch_names(self._store, subjects, languages=READER_LANGUAGES.get())
        self._labeller.tell_apart({subject: names.get(subject) for subject in subjects})
        return tuple(
            (prop.link, self._labeller.link(subject, names.get(subject))) for prop, subject in pairs
        )


def _described(store: Store, iris: Iterable[str]) -> set[str]:
    """The IRIs the store describes (a page links to those only)."""
    listed = " ".join(URIRef(iri).n3() for iri in iris if valid_iri(iri) is not None)
    if not listed:
        return set()
    query = f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {listed} }} ?s ?p ?o }}"
    return {str(row[0]) for row in store.query(query).rows}


@dataclass(frozen=True)
class ResourcePage(ResourceView):
    """A resource view with the page of links here that the request asked for."""

    incoming_page: IncomingPage | None = None
