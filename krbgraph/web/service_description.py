"""The SPARQL 1.1 Service Description of the endpoint (GET /sparql without a query).

Tools discover from it what the endpoint speaks: the endpoint IRI, the query
and (when writes are enabled) update languages, result formats, that the
default graph is the union of the named graphs, and which graphs hold data.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID, XSD

from ..store.base import GraphInfo

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")

RESULT_FORMATS = (
    FORMATS.SPARQL_Results_JSON,
    FORMATS.SPARQL_Results_XML,
    FORMATS.SPARQL_Results_CSV,
    FORMATS.SPARQL_Results_TSV,
    FORMATS.Turtle,
    FORMATS["N-Triples"],
    FORMATS["JSON-LD"],
    FORMATS.RDF_XML,
)


def service_description(
    endpoint: str, *, writable: bool, graphs: Sequence[GraphInfo] = ()
) -> Graph:
    """The description of the endpoint at ``endpoint`` (the URL clients use).

    ``writable`` adds SPARQL 1.1 Update to the supported languages: it is
    only announced when a write token is configured, because only then can a
    client use it.
    """
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS)
    graph.bind("void", VOID)
    graph.bind("dct", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    title = Literal("Kernregistratie Beleid (KRB) SPARQL endpoint", lang="en")
    graph.add((service, DCTERMS.title, title))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if writable:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for fmt in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, fmt))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))

    dataset = BNode()
    default_graph = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((default_graph, RDF.type, SD.Graph))
    for info in graphs:
        named, content = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(info.iri)))
        graph.add((named, SD.graph, content))
        graph.add((content, RDF.type, SD.Graph))
        graph.add((content, VOID.triples, Literal(info.triples, datatype=XSD.integer)))
    return graph
