"""The ontology's domains and ranges, read as a reasoning consumer reads them.

`rdfs:domain C` on a property makes everything that has the property a C, for any
RDFS or OWL RL reasoner. So no use of a property in the demo registry (policy and
research data) may lean on that: every subject and (IRI) object must already be of
the declared class, or a reasoner gives it a type it does not have (a classified
measurement became a krb:Beleidsnorm). HermiT (`krb check-ontology`) cannot see this:
the extra type is consistent, only wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from krbgraph.model import model_graph, project_root
from krbgraph.namespaces import KRB

FOLDERS = [project_root() / "examples" / "demo", project_root() / "examples" / "onderzoek"]


@pytest.fixture(scope="module")
def model() -> Graph:
    return model_graph()


@pytest.fixture(scope="module")
def data() -> Graph:
    graph = Graph()
    for folder in FOLDERS:
        for path in sorted(folder.glob("*.ttl")):
            graph.parse(path)
    return graph


def _classes(model: Graph, declared: URIRef | BNode) -> set[URIRef | BNode]:
    """A named class, or the members of an owl:unionOf."""
    union = model.value(declared, OWL.unionOf)
    return set(Collection(model, union)) if union is not None else {declared}  # type: ignore[arg-type]


def _types(model: Graph, data: Graph, node: URIRef) -> set[URIRef | BNode]:
    """The node's asserted types with every superclass (rdfs:subClassOf*)."""
    found: set[URIRef | BNode] = set()
    todo = [*data.objects(node, RDF.type), *model.objects(node, RDF.type)]
    while todo:
        klass = todo.pop()
        if klass not in found:
            found.add(klass)
            todo.extend(model.objects(klass, RDFS.subClassOf))
    return found


def _declarations(model: Graph, kind: URIRef) -> Iterator[tuple[URIRef, set[URIRef | BNode]]]:
    for prop, declared in model.subject_objects(kind):
        if isinstance(prop, URIRef) and str(prop).startswith(str(KRB)):
            yield prop, _classes(model, declared)


def test_every_subject_is_already_of_its_propertys_domain(model: Graph, data: Graph) -> None:
    wrong = []
    for prop, domain in _declarations(model, RDFS.domain):
        for subject in set(data.subjects(prop, None)):
            if isinstance(subject, URIRef) and not domain & _types(model, data, subject):
                wrong.append((str(prop), str(subject)))
    assert wrong == []


def test_every_iri_value_is_already_of_its_propertys_range(model: Graph, data: Graph) -> None:
    wrong = []
    for prop, range_ in _declarations(model, RDFS.range):
        if not all(isinstance(c, URIRef) and "XMLSchema" not in str(c) for c in range_):
            continue
        for value in set(data.objects(None, prop)):
            if isinstance(value, URIRef) and not range_ & _types(model, data, value):
                wrong.append((str(prop), str(value)))
    assert wrong == []
