"""The namespaces of the KRB model and the standards it reuses.

Kept in one place so code, queries and tests agree on every IRI; the model
terms themselves are defined in ontology/krb.ttl.
"""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

KRB = Namespace("https://data.krb.nl/def/krb#")
"""Model terms (classes and properties) of the KRB ontology."""

BEGRIP = Namespace("https://data.krb.nl/id/begrip/")
"""Concepts of the product-wide value lists: BEGRIP['normoperator/maximaal']."""

SCHEME = Namespace("https://data.krb.nl/id/conceptschema/")
"""Concept schemes of the product-wide value lists."""

IMBOR = Namespace("https://data.crow.nl/imbor/def/")
IMBOR_TERM = Namespace("https://data.crow.nl/imbor/term/")
NEN3610 = Namespace("http://modellen.geostandaarden.nl/def/nen3610-2022#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
CCCEV = Namespace("http://data.europa.eu/m8g/")
ORG = Namespace("http://www.w3.org/ns/org#")
DASH = Namespace("http://datashapes.org/dash#")
ADMS = Namespace("http://www.w3.org/ns/adms#")

ONTOLOGY_IRI = "https://data.krb.nl/def/krb"
IMBOR_EXTRACT_IRI = "https://data.krb.nl/def/imbor-leefomgeving"
QUDT_EXTRACT_IRI = "https://data.krb.nl/def/qudt-eenheden"

PREFIXES: dict[str, str] = {
    "krb": str(KRB),
    "begrip": str(BEGRIP),
    "imbor": str(IMBOR),
    "nen3610": str(NEN3610),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
    "geo": str(GEO),
    "qudt": str(QUDT),
    "unit": str(UNIT),
    "eli": str(ELI),
    "sosa": str(SOSA),
    "org": str(ORG),
    "adms": str(ADMS),
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}
"""Prefixes bound when the project serialises RDF, so output reads the same everywhere."""
