"""The demo registry is consistent with the OWL ontology, checked by HermiT.

The ontology states disjoint classes, domains and ranges (krb:rekenmethode is
an xsd:string, a norm is never a rule); SHACL does not see those, a reasoner
does. The IMBOR extract is left out: its own consistency is tested with it,
and without it the check takes seconds instead of half a minute.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from krbgraph.model import IMBOR_EXTRACT_IRI, model_parts, project_root

DEMO_DIR = project_root() / "examples" / "demo"
KRB = Namespace("https://data.krb.nl/def/krb#")
# A plain namespace: rdflib warns when pytest probes its closed XSD one.
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL2_OUTSIDE_DATATYPE_MAP = {XSD.date, URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")}
"""Datatypes HermiT refuses (not in the OWL 2 datatype map); they carry no axioms here."""


def _ontology_and_demo() -> Graph:
    graph = Graph()
    for part in model_parts():
        if part.graph == IMBOR_EXTRACT_IRI:
            continue
        for path in part.files:
            graph.parse(path, format="turtle")
    for path in sorted(DEMO_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    for s, p, o in list(graph):
        if isinstance(o, Literal) and o.datatype in OWL2_OUTSIDE_DATATYPE_MAP:
            graph.remove((s, p, o))
            graph.add((s, p, Literal(str(o))))
    return graph


def _reason(graph: Graph, folder: Path) -> None:
    """Run HermiT; raises OwlReadyInconsistentOntologyError when the graph is inconsistent."""
    path = folder / "demo.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = World()
    ontology = world.get_ontology(path.as_uri()).load()
    with ontology:
        sync_reasoner(world, infer_property_values=False, debug=0)


def test_demo_is_consistent_with_the_ontology(tmp_path: Path) -> None:
    _reason(_ontology_and_demo(), tmp_path)


def test_the_reasoner_does_catch_a_contradiction(tmp_path: Path) -> None:
    """Control: a norm that is also a rule (disjoint classes) must be rejected."""
    graph = _ontology_and_demo()
    norm = URIRef("https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01")
    assert (norm, RDF.type, KRB.Beleidsnorm) in graph
    graph.add((norm, RDF.type, KRB.Beleidsregel))
    with pytest.raises(OwlReadyInconsistentOntologyError):
        _reason(graph, tmp_path)
