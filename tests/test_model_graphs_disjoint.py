"""No fact of the model is in two of the graphs a store keeps it in.

A store's default graph is the union of its graphs, and the engine (Oxigraph 0.5) gives
a triple once per graph holding it (docs/sparql.md, "One graph per fact"). The model
stated 35 facts twice: QUDT's typing and labels of the KRB's units in the ontology's
graph and the QUDT extract's, and the OWL declarations of krb:Zoekingang, krb:zoekingang
and the borrowed annotation properties in the ontology's graph and the IMBOR extract's.
So `?norm qudt:hasUnit ?u . ?u a qudt:Unit` counted each norm twice on /sparql, and the
types of krb:Zoekingang were owl:Class twice.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pyoxigraph as ox
import pytest

from krbgraph.model import SHAPES_GRAPH, model_parts, project_root, shape_files
from krbgraph.namespaces import IMBOR_EXTRACT_IRI, ONTOLOGY_IRI, QUDT_EXTRACT_IRI

Fact = tuple[object, object, object]
"""Subject, predicate and object of a quad (pyoxigraph terms)."""


def _store_as_krbgraph_fills_it() -> ox.Store:
    """Each model part (and the shapes) bulk-loaded into its graph, as a store holds them."""
    store = ox.Store()
    parts = [(part.graph, part.files) for part in model_parts()]
    for graph, files in [*parts, (SHAPES_GRAPH, shape_files())]:
        for path in files:
            store.bulk_load(
                path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph)
            )
    return store


def _graphs_by_fact(store: ox.Store) -> dict[Fact, set[str]]:
    graphs: dict[Fact, set[str]] = defaultdict(set)
    for quad in store:
        assert isinstance(quad.graph_name, ox.NamedNode)  # the default graph stays empty
        graphs[(quad.subject, quad.predicate, quad.object)].add(quad.graph_name.value)
    return graphs


def test_no_fact_of_the_model_is_in_two_model_graphs() -> None:
    graphs = _graphs_by_fact(_store_as_krbgraph_fills_it())
    assert {ONTOLOGY_IRI, QUDT_EXTRACT_IRI, IMBOR_EXTRACT_IRI, SHAPES_GRAPH} <= {
        graph for held in graphs.values() for graph in held
    }
    twice = sorted(
        f"{s} {p} {o} in {' and '.join(sorted(held))}"
        for (s, p, o), held in graphs.items()
        if len(held) > 1
    )
    assert twice == [], f"{len(twice)} facts in two model graphs:\n" + "\n".join(twice[:20])


def test_a_count_over_the_union_counts_each_unit_once() -> None:
    """The consumer's query of the report, on the model: every unit the KRB lists is a
    qudt:Unit once, not once per graph."""
    store = _store_as_krbgraph_fills_it()
    rows = store.query(
        "SELECT ?u (COUNT(*) AS ?n) WHERE { "
        "GRAPH ?g1 { ?u <http://www.w3.org/2004/02/skos/core#inScheme> "
        "<https://data.krb.nl/id/conceptschema/eenheid> } "
        "GRAPH ?g2 { ?u a <http://qudt.org/schema/qudt/Unit> } } GROUP BY ?u"
    )
    counts = {row["u"].value: int(row["n"].value) for row in rows}  # type: ignore[union-attr]
    assert len(counts) >= 16
    assert {unit for unit, n in counts.items() if n != 1} == set()


def _imbor_build() -> ModuleType:
    """mappings/imbor/build.py, a script outside the package."""
    path = project_root() / "mappings" / "imbor" / "build.py"
    spec = importlib.util.spec_from_file_location("imbor_build_disjoint", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_imbor_build_refuses_an_ontology_that_no_longer_declares_its_terms(
    tmp_path: Path,
) -> None:
    """The extract leaves krb:Zoekingang's declaration (and the like) to krb.ttl: a krb.ttl
    without it would leave them undeclared for OWL tools, so the build says so."""
    build = _imbor_build()
    build.check_krb_declarations()  # the real krb.ttl declares them all
    krb = tmp_path / "krb.ttl"
    shutil.copy(build.KRB_ONTOLOGY_PATH, krb)
    text = krb.read_text(encoding="utf-8")
    undeclared = text.replace("krb:Zoekingang\n    a owl:Class", "krb:Zoekingang\n    a rdfs:Class")
    assert undeclared != text
    krb.write_text(undeclared, encoding="utf-8")
    with pytest.raises(build.SourceError, match="Zoekingang"):
        build.check_krb_declarations(krb)
