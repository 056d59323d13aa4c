"""The namespaces of the KRB model and the standards it reuses.

Kept in one place so code, queries and tests agree on every IRI; the model
terms themselves are defined in ontology/krb.ttl.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD


class CachedNamespace(Namespace):
    """rdflib's Namespace with each term made once.

    rdflib makes and checks a new URIRef on every ``KRB.Beleidsnorm``; converting a
    workbook of 10,000 norms asked for 160,000 of them (0.3 s). The terms of a
    namespace are few, so they are kept (the first TERMS_KEPT of them: a term made
    from the data, BEGRIP[...] of a workbook cell, must not grow it without bound).
    """

    TERMS_KEPT = 4096

    _terms: dict[str, URIRef]

    def __new__(cls, value: str) -> CachedNamespace:
        namespace = cast(CachedNamespace, super().__new__(cls, value))
        namespace._terms = {}
        return namespace

    def term(self, name: str) -> URIRef:
        try:
            return self._terms[name]
        except KeyError:
            made = super().term(name)
            if len(self._terms) < self.TERMS_KEPT:
                self._terms[name] = made
            return made


KRB = CachedNamespace("https://data.krb.nl/def/krb#")
"""Model terms (classes and properties) of the KRB ontology."""

BEGRIP = CachedNamespace("https://data.krb.nl/id/begrip/")
"""Concepts of the product-wide value lists: BEGRIP['normoperator/maximaal']."""

SCHEME = CachedNamespace("https://data.krb.nl/id/conceptschema/")
"""Concept schemes of the product-wide value lists."""

IMBOR = CachedNamespace("https://data.crow.nl/imbor/def/")
IMBOR_TERM = CachedNamespace("https://data.crow.nl/imbor/term/")
NEN3610 = CachedNamespace("http://modellen.geostandaarden.nl/def/nen3610-2022#")
GEO = CachedNamespace("http://www.opengis.net/ont/geosparql#")
QUDT = CachedNamespace("http://qudt.org/schema/qudt/")
UNIT = CachedNamespace("http://qudt.org/vocab/unit/")
ELI = CachedNamespace("http://data.europa.eu/eli/ontology#")
SOSA = CachedNamespace("http://www.w3.org/ns/sosa/")
CCCEV = CachedNamespace("http://data.europa.eu/m8g/")
ORG = CachedNamespace("http://www.w3.org/ns/org#")
DASH = CachedNamespace("http://datashapes.org/dash#")
ADMS = CachedNamespace("http://www.w3.org/ns/adms#")

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


def registry_prefixes(base_iri: str) -> dict[str, str]:
    """PREFIXES plus ``id:`` for the things of the registry served at ``base_iri``."""
    return {"id": base_iri.rstrip("/") + "/id/", **PREFIXES}


def compact_iri(iri: str, prefixes: Mapping[str, str] = PREFIXES) -> str | None:
    """``prefix:local`` for a person to read (tables, messages), or None when no
    namespace of ``prefixes`` holds ``iri``.

    The longest matching namespace wins, so with registry_prefixes a value-list
    concept reads ``begrip:sector/alle`` rather than ``id:begrip/sector/alle``;
    a namespace IRI itself (nothing after it) is not shortened. The result is
    for reading, not Turtle: the local part is not escaped.

    >>> compact_iri("https://data.krb.nl/def/krb#Beleidsnorm")
    'krb:Beleidsnorm'
    >>> compact_iri("https://data.krb.nl/id/begrip/sector/alle", registry_prefixes("https://data.krb.nl"))
    'begrip:sector/alle'
    >>> compact_iri("https://example.org/x") is None
    True
    """
    best = max(
        (
            (prefix, namespace)
            for prefix, namespace in prefixes.items()
            if iri.startswith(namespace) and len(iri) > len(namespace)
        ),
        key=lambda item: len(item[1]),
        default=None,
    )
    return None if best is None else f"{best[0]}:{iri[len(best[1]) :]}"
