"""What writing a graph changes (krbgraph.graph_change): exactly what differs from the
graph the replica holds, with literals compared as the store keeps them and the blank
nodes of a file parsed again matched to the held ones.

Checked by a property too: applied to the held graph, the change gives the new
content (up to the labels of blank nodes nobody can tell apart).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib.compare import isomorphic

from krbgraph.graph_change import graphs_change
from krbgraph.replica import ValidationReplica
from krbgraph.store.terms import rdflib_graph

G = "https://example.org/graph/g"
DATA = """
@prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:n1 ex:periode [ ex:van "2020-01-01"^^xsd:date ; ex:tot "2024-12-31"^^xsd:date ] ;
      ex:waarde "3"^^xsd:decimal .
ex:n2 ex:periode [ ex:van "2021-01-01"^^xsd:date ; ex:geometrie [ ex:wkt "POINT(1 2)" ] ] .
ex:n4 ex:naam "vier"@nl .
"""


def parsed(text: str) -> list[ox.Quad]:
    """A fresh parse into the graph: every blank node gets a new label."""
    triples = ox.parse(text.encode(), ox.RdfFormat.TURTLE, rename_blank_nodes=True)
    return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(G)) for t in triples]


def holding(text: str) -> ValidationReplica:
    replica = ValidationReplica.of_model()
    replica.apply(parsed(text), [])
    return replica


def applied(replica: ValidationReplica, added: frozenset, removed: frozenset) -> set[ox.Quad]:
    return (replica.graph_quads(G) - removed) | added


def test_the_same_file_parsed_again_changes_nothing() -> None:
    replica = holding(DATA)
    change = graphs_change(replica, {G: parsed(DATA)}, replace=True)
    assert not change.added and not change.removed


def test_literals_compare_as_the_store_keeps_them() -> None:
    replica = holding(DATA)
    respelled = DATA.replace('"3"^^xsd:decimal', '"3.0"^^xsd:decimal')
    change = graphs_change(replica, {G: parsed(respelled)}, replace=True)
    assert not change.added and not change.removed


def test_a_changed_value_changes_that_value_and_its_blank_node_only() -> None:
    replica = holding(DATA)
    new_text = DATA.replace('"2024-12-31"', '"2025-12-31"').replace('"vier"@nl', '"4"@nl')
    new = parsed(new_text)
    change = graphs_change(replica, {G: new}, replace=True)
    added = {str(q) for q in change.added}
    removed = {str(q) for q in change.removed}
    assert any('"4"@nl' in q for q in added) and any('"vier"@nl' in q for q in removed)
    assert any("2025-12-31" in q for q in added) and any("2024-12-31" in q for q in removed)
    # The other period and the nested geometry keep their held labels: untouched.
    assert not any("POINT" in q or "2021-01-01" in q for q in added | removed)
    # Applied to the held graph, the change gives the new content.
    after = applied(replica, change.added, change.removed)
    assert isomorphic(rdflib_graph(after), rdflib_graph(new))


def test_without_keeping_labels_every_blank_node_counts_as_changed() -> None:
    replica = holding(DATA)
    change = graphs_change(replica, {G: parsed(DATA)}, replace=True, keep_labels=False)
    blank = [q for q in change.added if isinstance(q.subject, ox.BlankNode)]
    assert blank and len(change.added) == len(change.removed)
    assert all(
        isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
        for q in change.added | change.removed
    )


def test_adding_to_a_graph_or_writing_a_new_one_adds_the_content() -> None:
    replica = holding(DATA)
    extra = parsed('@prefix ex: <https://example.org/> . ex:n5 ex:naam "vijf"@nl .')
    added = graphs_change(replica, {G: extra}, replace=False)
    assert set(added.added) == set(extra) and not added.removed
    empty = ValidationReplica.of_model()
    new = graphs_change(empty, {G: parsed(DATA)}, replace=True)
    assert len(new.added) == len(parsed(DATA)) and not new.removed
