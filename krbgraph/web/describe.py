"""Gathering what a resource page shows, from the store, as plain data.

The linked-data router and the pages render these views; nothing here knows
about HTTP or HTML. Every link carries a local href (see `local_href`), so a
registry served from a laptop links to itself and not to its public domain.
The kind-specific parts (the reach of a measure, the context of a norm, the
policy in an area, the norms of an IMBOR class) come from the named queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD
from rdflib.term import Identifier

from ..labels import DEFAULT_LANGUAGES, NAME_PREDICATES, Name, choose
from ..namespaces import BEGRIP, KRB, ONTOLOGY_IRI
from ..queries import Catalogue, load_catalogue, run_with_terms
from ..store import QueryResult, Store

MODEL_BASE = "https://data.krb.nl"
"""Where the product's own terms live: the ontology under /def, value lists under /id/begrip."""

INCOMING_LIMIT = 3000
"""Rows web-resource-inkomend returns at most; a page says when the list is cut off."""


# --- Links -----------------------------------------------------------------


def local_href(iri: str, base_iri: str) -> str:
    """The page on this server that describes `iri`.

    Registry things ({base}/id/...) keep their path, model terms go to the
    ontology page with an anchor, value-list concepts to /begrip/...; any other
    IRI in the store (IMBOR classes, units, schemes) to /resource?iri=.
    """
    base = base_iri.rstrip("/")
    if iri.startswith(base + "/id/"):
        return iri[len(base) :]
    krb = str(KRB)
    if iri.startswith(krb) and len(iri) > len(krb):
        return "/def/krb#" + quote(iri[len(krb) :], safe="")
    if iri in (ONTOLOGY_IRI, krb):
        return "/def/krb"
    begrip = str(BEGRIP)
    if iri.startswith(begrip) and len(iri) > len(begrip):
        return "/begrip/" + quote(iri[len(begrip) :], safe="/")
    return "/resource?iri=" + quote(iri, safe="")


def iri_for_path(kind: str, path: str, base_iri: str) -> str:
    """The IRI a local path stands for; the inverse of `local_href` for /id and /begrip."""
    if kind == "id":
        return f"{base_iri.rstrip('/')}/id/{path}"
    if kind == "begrip":
        return f"{BEGRIP}{path}"
    raise ValueError(f"no IRI mapping for /{kind}/")


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
    rows: tuple[tuple[object, ...], ...] = ()
    row_classes: tuple[str, ...] = ()
    empty: str = "Niets gevonden."


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


# --- Running the queries ---------------------------------------------------


READER_LANGUAGES: ContextVar[tuple[str, ...]] = ContextVar(
    "reader_languages", default=DEFAULT_LANGUAGES
)
"""The languages of the request being served, most wanted first.

Set once per request by the app (from ``?lang=`` and ``Accept-Language``), so every
page and API answer names things in the reader's language without passing the
choice through each of the many small functions that build a page."""


@cache
def _catalogue() -> Catalogue:
    return load_catalogue()


def query_text(name: str) -> str:
    """The text of a named query of the catalogue."""
    return _catalogue()[name].sparql


def run_query(store: Store, name: str, **bindings: Identifier | None) -> QueryResult:
    """Run a named query with typed terms bound to its variables (None = leave unbound);
    name columns come in the reader's languages (READER_LANGUAGES)."""
    return run_with_terms(store, _catalogue()[name], bindings, languages=READER_LANGUAGES.get())


def pick_label(candidates: Iterable[Identifier | None]) -> str | None:
    """The name to show among literals, in the reader's languages (krbgraph.labels)."""
    names = [Name(NAME_PREDICATES[0], term) for term in candidates if isinstance(term, Literal)]
    return choose(names, READER_LANGUAGES.get())


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_QUDT = "http://qudt.org/schema/qudt/"
_ELI = "http://data.europa.eu/eli/ontology#"

TERM_NAMES: dict[str, str] = {
    _RDF + "type": "type",
    _RDFS + "label": "naam",
    _RDFS + "comment": "toelichting",
    _RDFS + "subClassOf": "subklasse van",
    _RDFS + "seeAlso": "zie ook",
    _SKOS + "prefLabel": "voorkeursnaam",
    _SKOS + "altLabel": "andere naam",
    _SKOS + "definition": "definitie",
    _SKOS + "notation": "notatie",
    _SKOS + "inScheme": "in begrippenkader",
    _SKOS + "broader": "bovenliggend begrip",
    _SKOS + "narrower": "onderliggend begrip",
    _SKOS + "topConceptOf": "topbegrip van",
    _SKOS + "hasTopConcept": "topbegrip",
    _SKOS + "closeMatch": "komt overeen met",
    _SKOS + "exactMatch": "is gelijk aan",
    _DCT + "identifier": "code",
    _DCT + "title": "titel",
    _DCT + "description": "beschrijving",
    _DCT + "temporal": "geldigheid",
    _DCT + "isPartOf": "onderdeel van",
    _DCT + "date": "datum",
    _DCT + "source": "bron",
    _DCT + "license": "licentie",
    "http://www.w3.org/ns/dcat#startDate": "begin",
    "http://www.w3.org/ns/dcat#endDate": "einde",
    "http://www.w3.org/ns/prov#generated": "besluit over",
    _QUDT + "hasUnit": "eenheid",
    _QUDT + "numericValue": "waarde",
    _QUDT + "symbol": "symbool",
    _ELI + "date_document": "documentdatum",
    _ELI + "id_local": "documentnummer (DMS)",
    "http://www.opengis.net/ont/geosparql#hasGeometry": "geometrie",
    "http://www.opengis.net/ont/geosparql#asWKT": "WKT",
    "http://datashapes.org/dash#abstract": "abstract",
    "http://www.w3.org/2002/07/owl#versionInfo": "versie",
}
"""Dutch names for the borrowed terms the pages show most, which the store has no label for."""


class Labeller:
    """Makes links with labels known from query rows, falling back to a short IRI."""

    def __init__(self, base_iri: str, labels: Mapping[str, str] | None = None):
        self.base_iri = base_iri
        self.labels: dict[str, str] = dict(labels or {})
        self.unknown: set[str] = set()
        """IRIs the store does not describe: linked by name only, never to a dead page."""

    def link(self, term: Identifier | str, label: str | None = None, *, known: bool = True) -> Link:
        iri = str(term)
        text = label or self.labels.get(iri) or TERM_NAMES.get(iri) or short_name(iri)
        linked = known and iri not in self.unknown
        return Link(iri, text, local_href(iri, self.base_iri) if linked else None)

    def cell(self, iri: Identifier | None, label: Identifier | None = None) -> Link | None:
        if iri is None:
            return None
        return self.link(iri, str(label) if label is not None else None)


def short_name(iri: str) -> str:
    """The local part of an IRI, as a fallback label: ...#Beleidsnorm -> Beleidsnorm."""
    for separator in ("#", "/"):
        head, _, tail = iri.rstrip("/").rpartition(separator)
        if head and tail:
            return tail
    return iri


def literal_text(term: Identifier | None) -> str | None:
    """A literal as a person reads it: 48.0 -> '48', dates unchanged, booleans ja/nee."""
    if term is None:
        return None
    if isinstance(term, Literal):
        if term.datatype in (XSD.decimal, XSD.double, XSD.float):
            value = term.toPython()
            if hasattr(value, "normalize"):
                text = format(value.normalize(), "f")
            else:
                text = repr(float(value)).removesuffix(".0")
            return text.replace(".", ",")
        if term.datatype == XSD.boolean:
            return "ja" if term.toPython() else "nee"
    return str(term)


# --- The generic part of a resource page ------------------------------------


def describe_resource(store: Store, iri: str, base_iri: str) -> ResourceView | None:
    """Everything a resource page shows, or None when the store does not know `iri`."""
    resource = URIRef(iri)
    outgoing = run_query(store, "web-resource-uitgaand", resource=resource)
    if not outgoing.rows:
        return None
    labeller = Labeller(base_iri)
    properties, label_terms, type_iris = _collect_outgoing(outgoing, labeller)
    label = pick_label(label_terms) or short_name(iri)
    incoming_result = run_query(store, "web-resource-inkomend", resource=resource)
    incoming = _collect_incoming(incoming_result, labeller)
    types = tuple(
        sorted((labeller.link(type_iri) for type_iri in type_iris), key=lambda link: link.text)
    )
    return ResourceView(
        iri=iri,
        label=label,
        types=types,
        properties=properties,
        incoming=incoming,
        incoming_truncated=len(incoming_result.rows) >= INCOMING_LIMIT,
        sections=sections_for(store, resource, type_iris, properties, labeller),
    )


def _collect_outgoing(
    result: QueryResult, labeller: Labeller
) -> tuple[tuple[PropertyValues, ...], list[Identifier], list[str]]:
    rows = result.dicts()
    predicate_labels: dict[str, list[Identifier]] = {}
    object_labels: dict[Identifier, list[Identifier]] = {}
    objects: dict[str, dict[Identifier, None]] = {}
    nested: dict[Identifier, dict[tuple[str, Identifier], None]] = {}
    nested_labels: dict[str, list[Identifier]] = {}
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
            nested_labels.setdefault(str(row["bp"]), []).append(row.get("bp_label"))
    for term, candidates in object_labels.items():
        chosen = pick_label(candidates)
        if chosen and isinstance(term, URIRef):
            labeller.labels[str(term)] = chosen
    label_terms: list[Identifier] = []
    for predicate in (
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://purl.org/dc/terms/title",
    ):
        label_terms.extend(objects.get(predicate, {}))
        if pick_label(label_terms):
            break
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
    return tuple(properties), label_terms, type_iris


def _true(term: Identifier | None) -> bool:
    return isinstance(term, Literal) and term.toPython() is True


def _predicate_order(predicate: str, labels: Mapping[str, list[Identifier]]) -> tuple[int, str]:
    first = (
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://purl.org/dc/terms/identifier",
    )
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
    nested_labels: Mapping[str, list[Identifier]],
) -> Value:
    if isinstance(term, URIRef):
        return Value(link=labeller.link(term))
    if isinstance(term, BNode):
        grouped: dict[str, list[Identifier]] = {}
        for predicate, obj in nested:
            grouped.setdefault(predicate, []).append(obj)
        inner = tuple(
            PropertyValues(
                labeller.link(predicate, pick_label(nested_labels.get(predicate, []))),
                tuple(
                    Value(link=labeller.link(obj))
                    if isinstance(obj, URIRef)
                    else Value(literal=literal_text(obj), **_literal_meta(obj))
                    for obj in sorted(objs, key=_term_sort_key)
                ),
            )
            for predicate, objs in sorted(grouped.items())
        )
        return Value(nested=inner)
    return Value(literal=literal_text(term), **_literal_meta(term))


def _literal_meta(term: Identifier) -> dict[str, str | None]:
    if not isinstance(term, Literal):
        return {"language": None, "datatype": None}
    datatype = short_name(str(term.datatype)) if term.datatype else None
    return {"language": term.language, "datatype": datatype}


def _collect_incoming(result: QueryResult, labeller: Labeller) -> tuple[tuple[Link, Link], ...]:
    labels: dict[str, list[Identifier]] = {}
    pairs: dict[tuple[str, str], None] = {}
    for row in result.dicts():
        subject, predicate = str(row["s"]), str(row["p"])
        if not _true(row.get("p_known")):
            labeller.unknown.add(predicate)
        pairs[(predicate, subject)] = None
        labels.setdefault(subject, []).append(row.get("s_label"))
        labels.setdefault(predicate, []).append(row.get("p_label"))
    links = [
        (
            labeller.link(predicate, pick_label(labels[predicate])),
            labeller.link(subject, pick_label(labels[subject])),
        )
        for predicate, subject in pairs
    ]
    links.sort(key=lambda pair: (pair[0].text.lower(), pair[1].text.lower()))
    return tuple(links)


# --- Kind-specific sections ------------------------------------------------

_MEASURE_TYPES = frozenset({str(KRB.Beleidsmaatregel), str(KRB.MerMaatregel)})
_CLASSIFICATIONS = (
    (str(KRB.sector), "Sector"),
    (str(KRB.leefomgeving), "Leefomgeving"),
    (str(KRB.materiaal), "Materiaal"),
)


def sections_for(
    store: Store,
    resource: URIRef,
    type_iris: Iterable[str],
    properties: tuple[PropertyValues, ...],
    labeller: Labeller,
) -> tuple[Section, ...]:
    """The parts of a page that depend on what the resource is."""
    types = set(type_iris)
    sections: list[Section] = []
    if types & _MEASURE_TYPES:
        sections.append(measure_section(store, resource, labeller))
    if str(KRB.Beleidsnorm) in types:
        sections.extend(norm_sections(store, resource, properties, labeller))
    if str(KRB.Besluitdocument) in types:
        sections.append(decisions_section(store, resource, labeller))
    if str(KRB.Werkingsgebied) in types:
        sections.append(area_section(store, resource, labeller))
    if str(KRB.Zoekingang) in types:
        sections.append(zoekingang_section(store, resource, labeller))
    elif str(OWL.Class) in types and not str(resource).startswith(str(KRB)):
        sections.append(objecttype_section(store, resource, labeller))
    return tuple(sections)


def measure_section(store: Store, measure: URIRef, labeller: Labeller) -> Section:
    """Effects of a measure and the themes they reach; other themes than its own are marked."""
    rows = run_query(store, "dwarsverbanden-maatregel", maatregel=measure).dicts()
    reached: dict[str, tuple[Link, bool]] = {}
    own: Link | None = None
    table, classes = [], []
    for row in rows:
        theme = labeller.cell(row["thema"], row.get("thema_label"))
        own = own or labeller.cell(row["eigen_thema"], row.get("eigen_thema_label"))
        cross = bool(row.get("dwarsverband") is not None and row["dwarsverband"].toPython())
        if theme is not None:
            reached[theme.iri] = (theme, cross)
        target = row.get("norm") or row.get("regel") or row.get("indicator")
        target_label = row.get("norm_label") or row.get("regel_label") or row.get("indicator_label")
        table.append(
            (
                labeller.cell(row["koppeling"], row.get("koppeling_label")),
                literal_text(row.get("soort")),
                amount_text(row.get("waarde"), row.get("eenheid_symbool"))
                or literal_text(row.get("doel_begrip_label"))
                or _steps(row.get("labelstappen")),
                labeller.cell(target, target_label),
                labeller.cell(row.get("indicator"), row.get("indicator_label")),
                theme,
                "dwarsverband" if cross else "eigen thema",
            )
        )
        classes.append("dwarsverband" if cross else "")
    facts: list[tuple[str, object]] = []
    if own is not None:
        facts.append(("Eigen thema", own))
    if reached:
        facts.append(
            (
                "Bereikte thema's",
                [link for link, _ in sorted(reached.values(), key=lambda item: item[0].text)],
            )
        )
        crossing = [link for link, cross in reached.values() if cross]
        facts.append(("Dwarsverbanden", sorted(crossing, key=lambda link: link.text) or "geen"))
    return Section(
        title="Beoogde effecten en bereikte thema's",
        intro="Een effect op een norm of indicator, of de uitvoering van een regel, van een "
        "ander thema dan het eigen thema van de maatregel is een dwarsverband. Alleen wat "
        "vandaag geldt.",
        facts=tuple(facts),
        headers=("Koppeling", "Soort", "Waarde", "Doel", "Indicator", "Thema", "Dwarsverband"),
        rows=tuple(table),
        row_classes=tuple(classes),
        empty="Deze maatregel heeft vandaag geen geldende beoogde effecten of uitvoeringen.",
    )


def norm_sections(
    store: Store, norm: URIRef, properties: tuple[PropertyValues, ...], labeller: Labeller
) -> list[Section]:
    """Indicator, theme, value, classifications, area, document and decisions of a norm."""
    details = run_query(store, "web-norm-details", norm=norm).dicts()
    row = details[0] if details else {}
    areas = [labeller.cell(r["gebied"], r.get("gebied_label")) for r in details if "gebied" in r]
    value = row.get("waarde")
    if value is not None:
        amount: object = amount_text(value, row.get("eenheid_symbool"))
    else:
        amount = labeller.cell(row.get("waarde_begrip"), row.get("waarde_begrip_label"))
    facts: list[tuple[str, object]] = [
        ("Indicator", labeller.cell(row.get("indicator"), row.get("indicator_label"))),
        ("Thema", labeller.cell(row.get("thema"), row.get("thema_label"))),
        ("Operator", labeller.cell(row.get("operator"), row.get("operator_label"))),
        ("Waarde", amount),
        ("Werkingsgebied", [area for area in areas if area is not None] or None),
        ("Besluitdocument", labeller.cell(row.get("document"), row.get("document_label"))),
        ("Bestuurslaag", labeller.cell(row.get("bestuurslaag"), row.get("bestuurslaag_label"))),
        ("Eigen periode", _period(row.get("start"), row.get("eind"))),
        ("Geldig", validity_text(row)),
    ]
    by_predicate = {prop.predicate.iri: prop for prop in properties}
    for predicate, name in _CLASSIFICATIONS:
        prop = by_predicate.get(predicate)
        links = [value.link for value in prop.values if value.link] if prop else []
        facts.append((name, links or "niet ingedeeld"))
    sections = [Section(title="Norm in context", facts=tuple(facts))]
    document = row.get("document")
    if isinstance(document, URIRef):
        sections.append(decisions_section(store, document, labeller))
    return sections


def decisions_section(store: Store, document: URIRef, labeller: Labeller) -> Section:
    """The dossier of a document and the decisions that adopted it."""
    rows = run_query(store, "web-besluiten", document=document).dicts()
    dossier = next(
        (labeller.cell(r["dossier"], r.get("dossier_label")) for r in rows if "dossier" in r), None
    )
    table = tuple(
        (
            labeller.cell(r["besluit"], r.get("besluit_label")),
            literal_text(r.get("besluitsoort_label")),
            literal_text(r.get("datum")),
            literal_text(r.get("ris")),
        )
        for r in rows
        if "besluit" in r
    )
    return Section(
        title="Besluitspoor",
        facts=(("Besluitdocument", labeller.cell(document)), ("Dossier", dossier)),
        headers=("Besluit", "Soort", "Datum", "RIS-nummer"),
        rows=table,
        empty="Geen besluitproces vastgelegd voor dit document.",
    )


def area_section(store: Store, area: URIRef, labeller: Labeller) -> Section:
    """All policy that applies in an area, including what is set for areas containing it."""
    rows = run_query(
        store, "beleid-in-gebied", gebied=area, richting=Literal("beide"), alles=Literal(True)
    ).dicts()
    table, classes = [], []
    for r in rows:
        status = literal_text(r.get("geldigheid")) or "geldig"
        table.append(
            (
                literal_text(r.get("soort")),
                labeller.cell(r["object"], r.get("object_label")),
                literal_text(r.get("code")),
                labeller.cell(r.get("vastgesteld_voor"), r.get("vastgesteld_voor_label")),
                literal_text(r.get("relatie")),
                f"{status} ({validity_text(r)})",
            )
        )
        row_class = "geerfd" if literal_text(r.get("relatie")) != "zelf" else ""
        classes.append(row_class if status == "geldig" else f"{row_class} niet-geldig".strip())
    return Section(
        title="Beleid in dit gebied",
        intro="Het beleid voor dit gebied, voor de gebieden waar het in ligt (omvat), voor "
        "de gebieden die erin liggen (binnen) en voor gebieden die het overlappen. Verlopen, "
        "toekomstig en niet in werking getreden beleid staat er gemarkeerd bij.",
        headers=("Soort", "Naam", "Code", "Vastgesteld voor", "Ligging", "Geldigheid vandaag"),
        rows=tuple(table),
        row_classes=tuple(classes),
        empty="Er geldt hier geen beleid.",
    )


def objecttype_section(store: Store, objecttype: URIRef, labeller: Labeller) -> Section:
    """The norms for an object type, also those set on its superclasses."""
    rows = run_query(
        store, "normen-per-imbor-objecttype", objecttype=objecttype, subklassen=Literal(True)
    ).dicts()
    table, classes = [], []
    for r in rows:
        via = literal_text(r.get("via")) or ""
        table.append(
            (
                literal_text(r.get("soort")),
                labeller.cell(r["object"], r.get("object_label")),
                literal_text(r.get("code")),
                labeller.cell(r.get("klasse"), r.get("klasse_label")),
                via,
                labeller.cell(r.get("norm")),
                amount_text(r.get("effect_waarde"), r.get("effect_eenheid_symbool")),
            )
        )
        classes.append("" if via == "objecttype" else "geerfd")
    return Section(
        title="Normen en maatregelen voor dit objecttype",
        intro="Wat vandaag geldt: ook op bovenliggende klassen, subklassen, zoekingangen en "
        "voor alle objecttypen; maatregelen die op het objecttype ingrijpen of op een van "
        "deze normen mikken.",
        headers=("Soort", "Naam", "Code", "Gevonden via klasse", "Via", "Op norm", "Effect"),
        rows=tuple(table),
        row_classes=tuple(classes),
        empty="Er zijn geen normen voor dit objecttype.",
    )


def zoekingang_section(store: Store, zoekingang: URIRef, labeller: Labeller) -> Section:
    """The norms for the object types of an IMBOR zoekingang."""
    result = run_query(store, "normen-per-zoekingang", zoekingang=zoekingang)
    table = tuple(
        (
            labeller.cell(r["norm"], r.get("norm_label")),
            literal_text(r.get("code")),
            labeller.cell(r.get("klasse"), r.get("klasse_label")),
            literal_text(r.get("via_superklasse")),
        )
        for r in result.dicts()
    )
    return Section(
        title="Normen voor objecttypen van deze zoekingang",
        headers=("Norm", "Code", "Ingedeeld op", "Via superklasse"),
        rows=table,
        empty="Er zijn geen normen voor objecttypen van deze zoekingang.",
    )


def amount_text(value: Identifier | None, unit: Identifier | None) -> str | None:
    """A value with its unit symbol as a person reads it: '-3 dB(A)'."""
    text = literal_text(value)
    if text is None:
        return None
    return f"{text} {unit}" if unit is not None else text


def _steps(steps: Identifier | None) -> str | None:
    text = literal_text(steps)
    return f"{text} labelstap(pen)" if text is not None else None


def validity_text(row: dict[str, Identifier]) -> str:
    """When something is in force, from its derived dates (krbgraph.derived)."""
    if row.get("niet_in_werking") is not None or literal_text(row.get("geldigheid")) == (
        "niet in werking"
    ):
        return "nooit (ontwerp of ingetrokken)"
    start, end = row.get("geldig_vanaf"), row.get("geldig_tot")
    if start is None and end is None:
        return "altijd"
    if start is None:
        return f"t/m {end}"
    return f"{start} t/m {end}" if end is not None else f"vanaf {start}"


def _period(start: Identifier | None, end: Identifier | None) -> str:
    if start is None:
        return "altijd (geen periode)"
    return f"{start} t/m {end}" if end is not None else f"vanaf {start}"
