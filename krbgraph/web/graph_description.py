"""What the IRI of a named graph dereferences to: a description of the graph.

Every graph the service lists (the service description's ``sd:name``, ``krb graphs``)
answers on its own path (/graph/... for the registry's graphs, /def/krb/afgeleid and
/def/krb/meta for the product's) and through /resource, as a page or as RDF. The RDF
says what the graph is, not what it holds: its kind, its size (``void:triples``, as the
service description gives it), where its triples are (``void:dataDump``: the Graph
Store's ``/store?graph=``, which streams them from the engine) and the endpoint that
queries it (``void:sparqlEndpoint``). The triples themselves are left out: the derived
graph of a large registry holds 400,000 of them, and a description is built in memory.
What the store says about the IRI itself comes along (its concise bounded description,
as for any resource). The model's documents (/def/krb, /def/krb/shapes, the IMBOR and
QUDT extracts) keep serving all their triples on their own paths: their graph is a
document a client wants whole; their pages show the graph's facts too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlencode

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from ..labels import primary_subtag
from ..model import AUDIT_GRAPH, DERIVED_GRAPH, WRITES_GRAPH
from ..store import Store
from ..store.modelgraphs import META_GRAPH, model_graph_iris
from .aggregates import cached
from .describe import (
    READER_LANGUAGES,
    Labeller,
    Link,
    PropertyValues,
    ResourceView,
    Section,
    Value,
    literal_text,
    pick_label,
    short_name,
)
from .resource_page import IncomingLinks, ResourcePage
from .service_description import SD


@dataclass(frozen=True)
class GraphKind:
    """What kind of graph one is, in Dutch and English."""

    name: tuple[str, str]
    about: tuple[str, str]


MODEL = GraphKind(
    ("modelgraaf", "model graph"),
    (
        "Deel van het KRB-model (ontologie, waardelijsten, eenheden, IMBOR-extract of "
        "vormregels), geladen uit de bestanden van het product; niet via HTTP te schrijven.",
        "Part of the KRB model (ontology, value lists, units, IMBOR extract or shapes), "
        "loaded from the product's files; not writable over HTTP.",
    ),
)
DERIVED = GraphKind(
    ("afgeleide feiten", "derived facts"),
    (
        "Feiten die krbgraph na elke schrijfactie uit het register afleidt (de data waarop "
        "beleid in werking is, welke gebieden in welke liggen); telkens opnieuw afgeleid, "
        "nooit door gebruikers geschreven.",
        "Facts krbgraph derives from the registry after every write (the dates policy is "
        "in force, which areas lie in which); derived again each time, never written by "
        "users.",
    ),
)
META = GraphKind(
    ("herkomst van het model", "model provenance"),
    (
        "Uit welke modelbestanden (hun SHA-256) elke modelgraaf is geladen.",
        "Which model files (their SHA-256) each model graph was loaded from.",
    ),
)
AUDIT = GraphKind(
    ("wijzigingslog", "audit trail"),
    (
        "Wie wat wijzigde: één PROV-O-record per geaccepteerde schrijfactie over HTTP, "
        "door de dienst zelf geschreven.",
        "Who changed what: one PROV-O record per accepted write over HTTP, written by the "
        "service itself.",
    ),
)
WRITES = GraphKind(
    ("schrijfadministratie", "write bookkeeping"),
    (
        "De schrijfversie van een gedeelde SPARQL-server en de aangekondigde schrijfacties "
        "van diensten; geen registerdata.",
        "The write version of a shared SPARQL server and the announced writes of services; "
        "no registry data.",
    ),
)
DATA = GraphKind(
    ("registergraaf", "registry graph"),
    (
        "Gegevens van het register (beleid of metingen), geladen uit een bestand of een "
        "werkmap, of geschreven via de Graph Store of SPARQL Update.",
        "Registry data (policy or measurements), loaded from a file or a workbook, or "
        "written through the Graph Store or SPARQL Update.",
    ),
)

_PRODUCT_GRAPHS: dict[str, tuple[GraphKind, tuple[str, str]]] = {
    DERIVED_GRAPH: (DERIVED, ("Afgeleide feiten", "Derived facts")),
    META_GRAPH: (META, ("Herkomst van het model", "Model provenance")),
    AUDIT_GRAPH: (AUDIT, ("Wijzigingslog", "Audit trail")),
    WRITES_GRAPH: (WRITES, ("Schrijfadministratie", "Write bookkeeping")),
    "https://data.krb.nl/id/conceptschema": (
        MODEL,
        ("Waardelijsten van de KRB", "KRB value lists"),
    ),
}
"""The product's graphs without a document of their own: their kind and title."""


@dataclass(frozen=True)
class NamedGraph:
    """A graph of the store, as its description tells it."""

    iri: str
    triples: int
    kind: GraphKind
    title: tuple[str, str] | None
    """(Dutch, English): the product's own graphs; a registry graph has none."""


_HOLDS = "ASK WHERE { GRAPH ?graph { ?s ?p ?o } }"
_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } }"


def named_graph(store: Store, iri: str) -> NamedGraph | None:
    """The graph named ``iri``, or None when the store has no graph of that name (a
    graph exists while it holds triples). One cheap question for any other IRI; the
    size is counted by the engine (nothing held in memory) once per store version."""
    graph = {"graph": URIRef(iri)}
    if not store.query(_HOLDS, bindings=graph).boolean:
        return None

    def count() -> int:
        rows = store.query(_SIZE, bindings=graph).rows
        return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0

    triples = cached(store, ("graph-triples", iri), count)
    kind, title = _PRODUCT_GRAPHS.get(iri, (None, None))
    if kind is None:
        kind = MODEL if iri in model_graph_iris() else DATA
    return NamedGraph(iri, triples, kind, title)


def description(graph: NamedGraph, service: str) -> Graph:
    """The graph's description as RDF; ``service``: this server's URL, ending in '/'."""
    rdf = Graph()
    for prefix, namespace in (("sd", SD), ("void", VOID), ("dct", DCTERMS)):
        rdf.bind(prefix, namespace)
    node = URIRef(graph.iri)
    rdf.add((node, RDF.type, SD.Graph))
    rdf.add((node, RDF.type, VOID.Dataset))
    for language, text in zip(("nl", "en"), graph.title or (), strict=False):
        rdf.add((node, DCTERMS.title, Literal(text, lang=language)))
    for language, text in zip(("nl", "en"), graph.kind.about, strict=True):
        rdf.add((node, DCTERMS.description, Literal(text, lang=language)))
    rdf.add((node, VOID.triples, Literal(graph.triples, datatype=XSD.integer)))
    rdf.add((node, VOID.dataDump, URIRef(service + contents_href(graph.iri)[1:])))
    rdf.add((node, VOID.sparqlEndpoint, URIRef(service + "sparql")))
    return rdf


def contents_href(iri: str) -> str:
    """Where the Graph Store serves the graph's triples."""
    return "/store?" + urlencode({"graph": iri})


def _first_triples_href(iri: str) -> str:
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} LIMIT 100"
    return "/query?" + urlencode({"query": query})


def graph_section(graph: NamedGraph, *, named: bool = False) -> Section:
    """The facts of the graph on a page, with a way to its triples; ``named``: with the
    graph's name, on the page of a document whose IRI is another (the QUDT extract)."""
    size = f"{graph.triples:,}".replace(",", ".")
    return Section(
        title="Graaf",
        intro=graph.kind.about[0],
        facts=(
            *((("Naam", graph.iri),) if named else ()),
            ("Soort", graph.kind.name[0]),
            ("Omvang", f"{size} triples"),
            (
                "Inhoud",
                Link(graph.iri, "alle triples (Graph Store)", contents_href(graph.iri)),
            ),
            (
                "Bevragen",
                Link(
                    graph.iri,
                    "de eerste 100 triples in de query-editor",
                    _first_triples_href(graph.iri),
                ),
            ),
        ),
    )


_TERMS: dict[str, tuple[str, str]] = {
    str(SD.Graph): ("Graaf", "Graph"),
    str(VOID.Dataset): ("Dataset", "Dataset"),
    str(DCTERMS.title): ("titel", "title"),
    str(DCTERMS.description): ("beschrijving", "description"),
    str(VOID.triples): ("aantal triples", "triples"),
    str(VOID.dataDump): ("inhoud", "data dump"),
    str(VOID.sparqlEndpoint): ("SPARQL-endpoint", "SPARQL endpoint"),
}
"""Names of the terms of a graph's description on a page, shown unlinked as the pages
show the IRIs of vocabularies this server has no page for."""


def _term(iri: str) -> Link:
    dutch, english = _TERMS[iri]
    dutch_reader = primary_subtag(READER_LANGUAGES.get()[0]) == "nl"
    return Link(iri, dutch if dutch_reader else english, None)


def graph_page(
    store: Store,
    view: ResourceView | None,
    graph: NamedGraph,
    *,
    base_iri: str,
    service: str,
    shown: int | None,
    after: str | None,
    described: bool = True,
) -> ResourceView:
    """The page of a graph's IRI: what the store says about the IRI (``view``; None when
    it is the subject of no triple), headed by the graph's facts. ``described``: its RDF
    is the graph's description, which the page then shows among the properties (a model
    document's RDF is the graph itself, and its page describes the document)."""
    section = graph_section(graph, named=view is not None and view.iri != graph.iri)
    if view is None:
        labeller = Labeller(base_iri)
        page = IncomingLinks(store, URIRef(graph.iri), labeller).page(shown, after)
        view = ResourcePage(
            iri=graph.iri,
            label=_label(graph),
            types=(),
            properties=(),
            incoming=page.links,
            incoming_truncated=page.next_key is not None,
            incoming_total=page.total,
            incoming_page=page,
        )
    elif graph.title is not None and view.label == short_name(graph.iri):
        view = replace(view, label=_label(graph))
    view = replace(view, sections=(section, *view.sections))
    if not described:
        return view
    rdf = description(graph, service)
    node = URIRef(graph.iri)
    typed = {link.iri for link in view.types}
    types = tuple(
        _term(str(kind)) for kind in rdf.objects(node, RDF.type) if str(kind) not in typed
    )
    known = {prop.predicate.iri for prop in view.properties}
    added = []
    for predicate in dict.fromkeys(rdf.predicates(node)):
        if predicate == RDF.type or str(predicate) in known:
            continue
        terms = sorted(rdf.objects(node, predicate), key=_dutch_first)
        added.append(
            PropertyValues(_term(str(predicate)), tuple(_value(t, service) for t in terms))
        )
    return replace(
        view, types=(*view.types, *types), properties=(*view.properties, *sorted(added, key=_order))
    )


def _dutch_first(term: object) -> tuple[bool, str]:
    return (getattr(term, "language", None) != "nl", str(term))


def _order(prop: PropertyValues) -> int:
    return list(_TERMS).index(prop.predicate.iri)


def _value(term: object, service: str) -> Value:
    if isinstance(term, URIRef):
        local = str(term)[len(service) - 1 :] if str(term).startswith(service) else str(term)
        return Value(link=Link(str(term), str(term), local))
    assert isinstance(term, Literal)
    return Value(literal=literal_text(term), language=term.language)


def _label(graph: NamedGraph) -> str:
    if graph.title is not None:
        dutch, english = graph.title
        chosen = pick_label([Literal(dutch, lang="nl"), Literal(english, lang="en")])
        if chosen:
            return chosen
    _, marker, path = graph.iri.partition("/graph/")
    return path if marker and path else short_name(graph.iri)
