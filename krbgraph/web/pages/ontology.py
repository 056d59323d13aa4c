"""The ontology page: every class and property of the KRB ontology on one page.

A view without a route of its own: /def/krb answers HTML or RDF by content
negotiation, so krbgraph.web.linked_data owns the address and calls
``ontology_page`` when a browser asks. Each term has an anchor, which is
where local_href sends krb: IRIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from ...namespaces import KRB, ONTOLOGY_IRI
from ...settings import Settings
from ...store import Store
from ..describe import Labeller, Link, pick_label
from ..templating import render


@dataclass(frozen=True)
class TermDoc:
    iri: str
    anchor: str
    label_nl: str
    label_en: str
    definition_nl: str | None
    definition_en: str | None
    comments: tuple[str, ...]
    facts: tuple[tuple[str, object], ...]
    rdf_href: str


def ontology_page(request: Request, store: Store, settings: Settings) -> HTMLResponse:
    """Every class and property of the KRB ontology with labels, definitions and links."""
    graph = store.read_graph(ONTOLOGY_IRI)
    labeller = Labeller(settings.base_iri)
    for subject, label in graph.subject_objects(RDFS.label):
        if isinstance(label, Literal) and label.language == "nl":
            labeller.labels[str(subject)] = str(label)
    krb = str(KRB)

    def own_terms(kinds: tuple[URIRef, ...]) -> list[URIRef]:
        found = {s for kind in kinds for s in graph.subjects(RDF.type, kind)}
        terms = [s for s in found if isinstance(s, URIRef) and str(s).startswith(krb)]
        return sorted(terms, key=lambda s: labeller.labels.get(str(s), str(s)).lower())

    def doc(term: URIRef, facts: list[tuple[str, object]]) -> TermDoc:
        def text(predicate: URIRef, language: str) -> str | None:
            return next(
                (
                    str(o)
                    for o in graph.objects(term, predicate)
                    if isinstance(o, Literal) and o.language == language
                ),
                None,
            )

        local = str(term)[len(krb) :]
        return TermDoc(
            iri=str(term),
            anchor=local,
            label_nl=text(RDFS.label, "nl") or local,
            label_en=text(RDFS.label, "en") or "",
            definition_nl=text(SKOS.definition, "nl"),
            definition_en=text(SKOS.definition, "en"),
            comments=tuple(str(o) for o in graph.objects(term, RDFS.comment)),
            facts=tuple((name, value) for name, value in facts if value),
            rdf_href="/resource?" + urlencode({"iri": str(term), "format": "ttl"}),
        )

    def links(terms: Iterable[Node]) -> list[Link]:
        found = (labeller.link(t, known=(t, None, None) in graph) for t in terms)
        return sorted(found, key=lambda link: link.text.lower())

    def members(node: Node) -> list[Node]:
        """A class, or the classes of an owl:unionOf (krb:sector's domain: a norm or a
        measurement)."""
        union = graph.value(node, OWL.unionOf)
        return list(Collection(graph, union)) if union is not None else [node]

    domains = {
        prop: [m for d in graph.objects(prop, RDFS.domain) for m in members(d)]
        for prop in set(graph.subjects(RDFS.domain, None))
    }
    unions = {
        prop
        for prop in domains
        if any(graph.value(d, OWL.unionOf) for d in graph.objects(prop, RDFS.domain))
    }

    classes = [
        doc(
            term,
            [
                ("Subklasse van", links(graph.objects(term, RDFS.subClassOf))),
                ("Subklassen", links(graph.subjects(RDFS.subClassOf, term))),
                ("Disjunct met", links(graph.objects(term, OWL.disjointWith))),
                ("Eigenschappen", links(p for p, found in domains.items() if term in found)),
            ],
        )
        for term in own_terms((OWL.Class,))
    ]
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    properties = [
        doc(
            term,
            [
                ("Soort", links(k for k in graph.objects(term, RDF.type))),
                (
                    "Domein (een van)" if term in unions else "Domein",
                    links(domains.get(term, [])),
                ),
                ("Bereik", links(graph.objects(term, RDFS.range))),
                ("Subeigenschap van", links(graph.objects(term, RDFS.subPropertyOf))),
            ],
        )
        for term in own_terms(kinds)
    ]
    # Named values of the model (krb:standaardgraaf): /def/krb/{term} and audit records
    # link to their anchors like to any class's.
    individuals = [
        doc(term, [("Soort", links(k for k in graph.objects(term, RDF.type)))])
        for term in own_terms((OWL.NamedIndividual,))
    ]
    ontology = URIRef(ONTOLOGY_IRI)
    title = pick_label(graph.objects(ontology, RDFS.label)) or "KRB-ontologie"
    description = pick_label(graph.objects(ontology, DCTERMS.description))
    context = {
        "title": title,
        "description": description or "",
        "iri": ONTOLOGY_IRI,
        "classes": classes,
        "properties": properties,
        "individuals": individuals,
    }
    return render(request, "ontology.html", context)
