"""The vocabulary of the resource pages: links, labels, texts and plain-data views.

Every link carries a local href (see `local_href`), so a registry served from
a laptop links to itself and not to its public domain; names come in the
reader's languages (READER_LANGUAGES); named queries run through `run_query` with
the catalogue of krbgraph.web.state. The linked-data router, the pages and the API
build on these; nothing here knows about HTTP or HTML. What a resource page shows is
gathered in krbgraph.web.resource_page, its parts per kind in krbgraph.web.sections.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from itertools import product
from typing import Generic, TypeVar, overload
from urllib.parse import quote, unquote_to_bytes

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Identifier, Node

from ..labels import DEFAULT_LANGUAGES, NAME_PREDICATES, Name, choose, primary_subtag, tagged
from ..model import DERIVED_GRAPH, SHAPES_GRAPH
from ..namespaces import (
    BEGRIP,
    DASH,
    ELI,
    GEO,
    IMBOR_EXTRACT_IRI,
    KRB,
    ONTOLOGY_IRI,
    QUDT,
    QUDT_EXTRACT_IRI,
)
from ..queries import run_with_terms
from ..store import QueryResult, Store
from ..store.modelgraphs import META_GRAPH
from .naming import short_name, told_apart_names
from .state import catalogue

# --- Links -----------------------------------------------------------------

QUDT_EXTRACT_DOCUMENT = "https://data.krb.nl/def/qudt-units"
"""The QUDT extract's own IRI (its owl:Ontology); its graph in the store is QUDT_EXTRACT_IRI."""

MODEL_DOCUMENTS: dict[str, tuple[str, str]] = {
    "/def/krb/shapes": (SHAPES_GRAPH, SHAPES_GRAPH),
    "/def/imbor-leefomgeving": (IMBOR_EXTRACT_IRI, IMBOR_EXTRACT_IRI),
    "/def/qudt-units": (QUDT_EXTRACT_DOCUMENT, QUDT_EXTRACT_IRI),
    "/def/qudt-eenheden": (QUDT_EXTRACT_DOCUMENT, QUDT_EXTRACT_IRI),
}
"""The model's documents besides the ontology, by path on this server: (the IRI its page
describes, the graph its RDF is). Their terms are hash IRIs (the shapes:
https://data.krb.nl/def/krb/shapes#Meting), so the document is what a client
dereferencing one of them gets."""

MODEL_DOCUMENT_PATHS = {
    SHAPES_GRAPH: "/def/krb/shapes",
    IMBOR_EXTRACT_IRI: "/def/imbor-leefomgeving",
    QUDT_EXTRACT_DOCUMENT: "/def/qudt-units",
    QUDT_EXTRACT_IRI: "/def/qudt-eenheden",
}
"""Where each document IRI (and graph name) is served."""


def local_href(iri: str, base_iri: str) -> str:
    """The page on this server that describes `iri`.

    Registry things ({base}/id/...) and graphs ({base}/graph/...) keep their path, model
    terms go to the ontology page with an anchor, other IRIs under /def/krb/ (the
    product's graphs, the version IRI) to their path there, value-list concepts to
    /begrip/...; any other IRI in the store (IMBOR classes, units, schemes) to
    /resource?iri=.
    """
    base = base_iri.rstrip("/")
    if iri.startswith((base + "/id/", base + "/graph/")):
        # A % and any character outside ASCII escaped (a browser escapes é itself): the
        # path the server decodes is then the IRI's own, whatever escapes it holds.
        return quote(iri[len(base) :], safe=_PATH_SAFE)
    krb = str(KRB)
    if iri.startswith(krb) and len(iri) > len(krb):
        return "/def/krb#" + quote(iri[len(krb) :], safe="")
    if iri in (ONTOLOGY_IRI, krb):
        return "/def/krb"
    if iri in MODEL_DOCUMENT_PATHS:
        return MODEL_DOCUMENT_PATHS[iri]
    if iri in ONTOLOGY_PAGES or _ONTOLOGY_VERSION.fullmatch(iri):
        return "/def/krb" + iri[len(ONTOLOGY_IRI) :]
    begrip = str(BEGRIP)
    if iri.startswith(begrip) and len(iri) > len(begrip):
        return "/begrip/" + quote(iri[len(begrip) :], safe="/")
    return "/resource?iri=" + quote(iri, safe="")


ONTOLOGY_PAGES = frozenset({DERIVED_GRAPH, META_GRAPH})
"""/def/krb/{term} describes these graphs, never registry text (it would pass for ours)."""
_ONTOLOGY_VERSION = re.compile(re.escape(ONTOLOGY_IRI) + r"/[0-9]+(\.[0-9]+)*")
"""The ontology's version IRI (/def/krb/0.1.0), which /def/krb/{term} sends to /def/krb."""


def web_address(iri: str) -> str | None:
    """``iri`` when a reader may follow it out of the registry (http or https), else None.

    A stored IRI is anyone's text: ``javascript:``, ``file://host/share`` (which leaks a
    Windows user's credentials on a click) or an application's own scheme must never
    become a link in a page or a workbook, whatever name it is shown under."""
    return iri if iri.startswith(("http://", "https://")) else None


def store_hrefs(store: Store, iris: Iterable[str], base_iri: str) -> dict[str, str | None]:
    """local_href of each IRI, except one the store says nothing about, which has no page
    here: a web address (a data source's site) links to itself, anything else to nothing
    (its /resource page said "Niet gevonden"). One query for all of them."""
    hrefs: dict[str, str | None] = {iri: local_href(iri, base_iri) for iri in iris}
    elsewhere = sorted(iri for iri, href in hrefs.items() if href and href.startswith("/resource?"))
    if elsewhere:
        listed = " ".join(f"<{iri}>" for iri in elsewhere if valid_iri(iri) is not None)
        described = (
            {
                str(row[0])
                for row in store.query(
                    f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {listed} }} ?s ?p ?o }}"
                ).rows
            }
            if listed
            else set()
        )
        for iri in elsewhere:
            if iri not in described:
                hrefs[iri] = web_address(iri)
    return hrefs


def iri_for_path(kind: str, path: str, base_iri: str) -> str:
    """The IRI a local path stands for: `local_href` inverted, for /id, /begrip, /graph."""
    if kind == "id":
        return f"{base_iri.rstrip('/')}/id/{path}"
    if kind == "begrip":
        return f"{BEGRIP}{path}"
    if kind == "graph":
        return f"{base_iri.rstrip('/')}/graph/{path}"
    raise ValueError(f"no IRI mapping for /{kind}/")


_PATH_SAFE = "/:@!$&'()*+,;=[]"
"""ASCII local_href leaves in an /id/ path (besides letters, digits, -._~); not ? or #,
which ended the path (``/id/gebied/x?y=1`` asked for ``/id/gebied/x``)."""

_ESCAPED_NON_ASCII = re.compile(rb"((?:%[89A-Fa-f][0-9A-Fa-f])+)")
_RUNS_TRIED = 5
"""Runs of escaped non-ASCII whose every keep-or-decode choice is tried (32 IRIs)."""


def requested_iri(store: Store, kind: str, path: str, raw_path: bytes, base_iri: str) -> str:
    """The IRI a request for /{kind}/... names, as the store spells it.

    IRIs compare character by character, so ``.../caf%C3%A9plein`` and ``.../caféplein``
    are two resources, while the server only sees the path decoded (``path``). A client
    dereferencing an IRI sends its escapes as they are and escapes its other characters
    outside ASCII (RFC 3987), so which escaped run of such characters was an escape in
    the IRI and which the client's own cannot be told: the path as sent (``raw_path``),
    each run of them kept or decoded (``.../Grote%20Markt-café``, ``caf%C3%A9-straße``,
    for up to _RUNS_TRIED runs), and the decoded path (the links local_href prints) are
    the candidates, the first the store describes taken.
    """
    decoded = iri_for_path(kind, path, base_iri)
    prefix = f"/{kind}/".encode()
    start = raw_path.find(prefix)
    if start < 0:
        return decoded
    sent = raw_path[start + len(prefix) :]
    candidates = [iri_for_path(kind, sent.decode("latin-1"), base_iri)]
    pieces = _ESCAPED_NON_ASCII.split(sent)  # text, run, text, run, ..., text
    runs = pieces[1::2] if len(pieces) > 1 else []
    if 0 < len(runs) <= _RUNS_TRIED:
        for choice in product((False, True), repeat=len(runs)):
            with suppress(UnicodeDecodeError):  # bytes that are no UTF-8: not this one
                parts = [pieces[0]]
                for run, decode, text in zip(runs, choice, pieces[2::2], strict=True):
                    parts += [unquote_to_bytes(run) if decode else run, text]
                candidates.append(iri_for_path(kind, b"".join(parts).decode(), base_iri))
    listed = [c for c in dict.fromkeys(candidates) if c != decoded and valid_iri(c) is not None]
    if not listed:
        return decoded
    values = " ".join(f"<{iri}>" for iri in listed)
    # A graph is known by its name: it need not be the subject of any triple.
    named = " UNION { GRAPH ?s { ?a ?b ?c } }" if kind == "graph" else ""
    described = {
        str(row[0])
        for row in store.query(
            f"SELECT ?s WHERE {{ VALUES ?s {{ {values} }} "
            f"FILTER EXISTS {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }}{named} }} }}"
        ).rows
    }
    return next((iri for iri in listed if iri in described), decoded)


def valid_iri(text: str) -> URIRef | None:
    """``text`` as an IRI when it is an absolute IRI the store accepts, else None.

    Parameters that name a resource are checked with this before a query
    runs, so a value like 'x y' is the caller's mistake (400), not the store's.
    """
    try:
        return URIRef(ox.NamedNode(text).value)
    except ValueError:
        return None


def shown_value(text: str, limit: int = 80) -> str:
    """A value a client sent, quoted and cut short for a message."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


@dataclass(frozen=True)
class Link:
    iri: str
    label: str | None
    href: str | None
    """None when this server cannot describe the IRI (pages then show its name unlinked)."""

    @property
    def text(self) -> str:
        return self.label or self.iri


# --- Views -----------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One object of a property: a link, a literal or a nested blank node."""

    link: Link | None = None
    literal: str | None = None
    language: str | None = None
    datatype: str | None = None
    nested: tuple[PropertyValues, ...] = ()


@dataclass(frozen=True)
class PropertyValues:
    predicate: Link
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Section:
    """A kind-specific part of a resource page: facts, a table or both."""

    title: str
    intro: str | None = None
    facts: tuple[tuple[str, object], ...] = ()
    headers: tuple[str, ...] = ()
    rows: Sequence[tuple[object, ...]] = ()
    row_classes: tuple[str, ...] = ()
    empty: str = "Niets gevonden."
    figure: str | None = None
    """An SVG drawn on the server (network_svg), shown above the table; trusted markup."""
    figure_focusable: bool = False  # a chart: scrolls on a phone, no link: a tab stop


Item = TypeVar("Item")


class LazyRows(Sequence[tuple[object, ...]], Generic[Item]):
    """A table's rows, each built from its item when read: a page shows the first rows
    of a table of thousands (a theme's norms at a million triples), and building the
    cells of every row cost more than the queries behind them."""

    def __init__(self, items: Sequence[Item], build: Callable[[Item], tuple[object, ...]]):
        self._items = items
        self._build = build

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> tuple[object, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[tuple[object, ...], ...]: ...

    def __getitem__(
        self, index: int | slice
    ) -> tuple[object, ...] | tuple[tuple[object, ...], ...]:
        if isinstance(index, slice):
            return tuple(self._build(item) for item in self._items[index])
        return self._build(self._items[index])


@dataclass(frozen=True)
class ResourceView:
    iri: str
    label: str
    types: tuple[Link, ...]
    properties: tuple[PropertyValues, ...]
    incoming: tuple[tuple[Link, Link], ...]
    """(property, subject) pairs of the resources that point here."""
    incoming_truncated: bool
    sections: tuple[Section, ...] = field(default=())
    incoming_total: int | None = None  # all links here, when ``incoming`` holds some


# --- Running the queries ---------------------------------------------------


READER_LANGUAGES: ContextVar[tuple[str, ...]] = ContextVar(
    "reader_languages", default=DEFAULT_LANGUAGES
)
"""The languages of the request being served, most wanted first.

Set once per request by the app (from ``?lang=`` and ``Accept-Language``), so every
page and API answer names things in the reader's language without passing the
choice through each of the many small functions that build a page."""


def query_text(name: str) -> str:
    """The text of a named query of the catalogue."""
    return catalogue()[name].sparql


def run_query(store: Store, name: str, **bindings: Identifier | None) -> QueryResult:
    """Run a named query with typed terms bound to its variables (None = leave unbound);
    name columns come in the reader's languages (READER_LANGUAGES)."""
    return run_with_terms(store, catalogue()[name], bindings, languages=READER_LANGUAGES.get())


def pick_label(candidates: Iterable[Node | None]) -> str | None:
    """The name to show among literals, in the reader's languages (krbgraph.labels)."""
    names = [Name(NAME_PREDICATES[0], term) for term in candidates if isinstance(term, Literal)]
    return choose(names, READER_LANGUAGES.get())


TERM_NAMES: dict[str, str] = {
    str(RDF.type): "type",
    str(RDFS.label): "naam",
    str(RDFS.comment): "toelichting",
    str(RDFS.subClassOf): "subklasse van",
    str(RDFS.seeAlso): "zie ook",
    str(SKOS.prefLabel): "voorkeursnaam",
    str(SKOS.altLabel): "andere naam",
    str(SKOS.definition): "definitie",
    str(SKOS.notation): "notatie",
    str(SKOS.inScheme): "in begrippenkader",
    str(SKOS.broader): "bovenliggend begrip",
    str(SKOS.narrower): "onderliggend begrip",
    str(SKOS.topConceptOf): "topbegrip van",
    str(SKOS.hasTopConcept): "topbegrip",
    str(SKOS.closeMatch): "komt overeen met",
    str(SKOS.exactMatch): "is gelijk aan",
    str(DCTERMS.identifier): "code",
    str(DCTERMS.title): "titel",
    str(DCTERMS.description): "beschrijving",
    str(DCTERMS.temporal): "geldigheid",
    str(DCTERMS.isPartOf): "onderdeel van",
    str(DCTERMS.replaces): "vervangt",
    str(DCTERMS.isReplacedBy): "vervangen door",
    str(ELI.first_date_entry_in_force): "in werking vanaf",
    str(ELI.date_no_longer_in_force): "laatste dag in werking",
    str(ELI.based_on): "gebaseerd op",
    str(DCTERMS.date): "datum",
    str(DCTERMS.source): "bron",
    str(DCTERMS.license): "licentie",
    str(DCAT.startDate): "begin",
    str(DCAT.endDate): "einde",
    str(PROV.generated): "besluit over",
    str(QUDT.hasUnit): "eenheid",
    str(QUDT.numericValue): "waarde",
    str(QUDT.symbol): "symbool",
    str(ELI.date_document): "documentdatum",
    str(ELI.id_local): "documentnummer (DMS)",
    str(GEO.hasGeometry): "geometrie",
    str(GEO.asWKT): "WKT",
    str(DASH.abstract): "abstract",
    str(OWL.versionInfo): "versie",
}
"""Dutch names for the borrowed terms the pages show most, which the store has no label for."""


class Labeller:
    """Makes links with labels known from query rows, falling back to a short IRI."""

    def __init__(self, base_iri: str, labels: Mapping[str, str] | None = None):
        self.base_iri = base_iri
        self.labels: dict[str, str] = dict(labels or {})
        self.unknown: set[str] = set()
        """IRIs the store does not describe: linked by name only, never to a dead page."""
        self.distinct: dict[str, str] = {}
        """Names shared by several things of the page, with what tells them apart: used
        whatever name a caller passes (tell_apart)."""
        self._named: dict[str, Identifier | str] = {}

    def tell_apart(self, names: Mapping[str, Identifier | str | None]) -> None:
        """From now on, link the IRIs of ``names`` that share a name with another of them
        or of earlier calls with what tells them apart (krbgraph.web.naming): two themes
        called Geluid, a wijk and a buurt called Centrum, on one page."""
        self._named.update({iri: name for iri, name in names.items() if name is not None})
        for iri, name in told_apart_names(self._named).items():
            if str(name) != str(self._named[iri]):
                self.distinct[iri] = tagged(str(name), getattr(name, "language", None))

    def link(self, term: Node | str, label: str | None = None, *, known: bool = True) -> Link:
        iri = str(term)
        text = (
            self.distinct.get(iri)
            or label
            or self.labels.get(iri)
            or TERM_NAMES.get(iri)
            or short_name(iri)
        )
        linked = known and iri not in self.unknown
        return Link(iri, text, local_href(iri, self.base_iri) if linked else None)

    def cell(self, iri: Identifier | None, label: Identifier | None = None) -> Link | None:
        if iri is None:
            return None
        if isinstance(label, Literal):
            return self.link(iri, tagged(str(label), label.language))
        return self.link(iri, str(label) if label is not None else None)


DUTCH_TYPE_NAMES: dict[str, str] = {
    str(SKOS.Concept): "Begrip",
    str(SKOS.ConceptScheme): "Begrippenkader",
    str(SKOS.Collection): "Verzameling",
    str(OWL.Class): "Klasse",
    str(RDFS.Class): "Klasse",
    str(OWL.ObjectProperty): "Objecteigenschap",
    str(OWL.DatatypeProperty): "Gegevenseigenschap",
    str(RDF.Property): "Eigenschap",
    str(DCTERMS.PeriodOfTime): "Periode",
}
"""Badges of the W3C vocabularies' classes, which name them in English only."""


def type_link(labeller: Labeller, iri: str) -> Link:
    """A type badge: the W3C classes by their Dutch name when the reader reads Dutch first
    (any Dutch: a Dutch browser sends "nl-NL" or "nl-BE" as often as "nl")."""
    dutch = DUTCH_TYPE_NAMES.get(iri)
    if dutch is not None and primary_subtag(READER_LANGUAGES.get()[0]) == "nl":
        return labeller.link(iri, dutch)
    return labeller.link(iri)


def text_of(term: Identifier | None) -> str | None:
    """A term's text as it is (None stays None; a name in another language than Dutch a
    labels.ForeignName); see literal_text for values shown to people."""
    if isinstance(term, Literal) and term.language:
        return tagged(str(term), term.language)
    return None if term is None else str(term)


def literal_text(term: Identifier | None) -> str | None:
    """A literal as a person reads it: 48.0 -> '48', dates unchanged, booleans ja/nee."""
    if term is None:
        return None
    if isinstance(term, Literal):
        if term.ill_typed:  # as written ("47,5"^^xsd:decimal): never a number invented
            return str(term)
        if term.datatype in (XSD.decimal, XSD.double, XSD.float):
            value = term.toPython()
            if hasattr(value, "normalize"):  # zeros dropped by hand: normalize() rounds
                text = format(value, "f")
                text = text.rstrip("0").rstrip(".") if "." in text else text
            else:
                text = repr(float(value)).removesuffix(".0")
            return text.replace(".", ",")
        if term.datatype == XSD.boolean:
            return "ja" if term.toPython() else "nee"
        if term.language:
            return tagged(str(term), term.language)  # a page marks it (labels.ForeignName)
    return str(term)


def amount_text(value: Identifier | None, unit: Identifier | None) -> str | None:
    """A value with its unit symbol as a person reads it: '-3 dB(A)'."""
    text = literal_text(value)
    if text is None:
        return None
    return f"{text} {unit}" if unit is not None else text


def validity_text(row: dict[str, Identifier]) -> str:
    """When something is in force, from its derived dates (krbgraph.derived)."""
    if row.get("niet_in_werking") is not None or literal_text(row.get("geldigheid")) == (
        "niet in werking"
    ):
        return "nooit (ontwerp, ingetrokken, of een eigen periode buiten die van het document)"
    start, end = row.get("geldig_vanaf"), row.get("geldig_tot")
    if start is None and end is None:
        return "altijd"
    if start is None:
        return f"t/m {end}"
    return f"{start} t/m {end}" if end is not None else f"vanaf {start}"
