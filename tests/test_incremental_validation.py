"""A write validated by what it changes gets the verdict a full validation gives.

The service validates a write on its in-memory replica of the store, for the objects
whose verdict the change can alter (krbgraph.impact). Here random writes (removing a
triple, pointing a triple at another object of the same property, copying a triple
to another subject, moving an area under another area, removing every triple of an
object) are tried on a replica of the demo registry; for each, the violations found
incrementally must be exactly those a full validation of the same state finds. Writes
that conform are kept, as the service keeps them, so later writes start from states
the demo never had.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from demo_backends import fill_with_demo
from rdflib import URIRef

from krbgraph.findings import Finding
from krbgraph.impact import affected, inverse_read_predicates
from krbgraph.registry import validate_change
from krbgraph.replica import Change, ReplicaSlot, ValidationReplica
from krbgraph.settings import Settings
from krbgraph.spatial_checks import LIGT_IN_CHECK
from krbgraph.store import Store, open_store
from krbgraph.validation import validate_graph

KRB = "https://data.krb.nl/def/krb#"
GEO = "http://www.opengis.net/ont/geosparql#"
Write = Callable[[random.Random, list[ox.Quad]], Change]
SEEDS = [int(s) for s in os.environ.get("KRB_TEST_SEEDS", "1,2,3").split(",")]
"""Seeds of the random write streams; KRB_TEST_SEEDS=1,2,...,50 runs a longer hunt."""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder: Path = tmp_path_factory.mktemp("incremental")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        fill_with_demo(handle)
        yield handle


def _key(finding: Finding) -> tuple[str | None, ...]:
    return (finding.focus, finding.path, finding.value, finding.shape, finding.message_en)


def _violations(findings: tuple[Finding, ...]) -> set[tuple[str | None, ...]]:
    return {_key(f) for f in findings if f.severity == "Violation"}


def _remove(rng: random.Random, data: list[ox.Quad]) -> Change:
    return Change(frozenset(), frozenset({rng.choice(data)}))


def _repoint(rng: random.Random, data: list[ox.Quad]) -> Change:
    quad = rng.choice(data)
    other = rng.choice([q for q in data if q.predicate == quad.predicate])
    moved = ox.Quad(quad.subject, quad.predicate, other.object, quad.graph_name)
    return Change(frozenset({moved}), frozenset({quad}))


def _copy_to_other_subject(rng: random.Random, data: list[ox.Quad]) -> Change:
    quad = rng.choice(data)
    subject = rng.choice([q.subject for q in data if isinstance(q.subject, ox.NamedNode)])
    return Change(
        frozenset({ox.Quad(subject, quad.predicate, quad.object, quad.graph_name)}), frozenset()
    )


def _move_area(rng: random.Random, data: list[ox.Quad]) -> Change:
    ligt_in = [q for q in data if q.predicate.value == KRB + "ligtIn"]
    quad = rng.choice(ligt_in)
    parent = rng.choice([q.subject for q in ligt_in])  # may be a descendant: a cycle
    return Change(
        frozenset({ox.Quad(quad.subject, quad.predicate, parent, quad.graph_name)}),
        frozenset({quad}),
    )


def _remove_object(rng: random.Random, data: list[ox.Quad]) -> Change:
    subject = rng.choice([q.subject for q in data if isinstance(q.subject, ox.NamedNode)])
    return Change(frozenset(), frozenset(q for q in data if q.subject == subject))


WRITES: list[Write] = [_remove, _repoint, _copy_to_other_subject, _move_area, _remove_object]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_writes_get_the_verdict_of_a_full_validation(store: Store, seed: int) -> None:
    replica = ValidationReplica.of(store)
    rng = random.Random(seed)
    refused = accepted = 0
    for _ in range(8):
        data = [q for g in replica.data_graphs() for q in replica.graph_quads(_name(g))]
        change = rng.choice(WRITES)(rng, data)
        kept = False
        try:
            with replica.trial(change.added, change.removed):
                focused = validate_change(replica, change.added, change.removed)
                full = validate_change(replica, change.added, change.removed, everything=True)
                assert _violations(focused.findings) == _violations(full.findings), change
                assert focused.conforms == full.conforms
                if not full.conforms:
                    raise _Refused
                kept = True
        except _Refused:
            refused += 1
        accepted += kept
    assert refused + accepted == 8


def test_changed_geometries_get_the_warnings_of_a_full_validation(store: Store) -> None:
    """The geometry checks read an area's parent and the parent's geometry, two links
    from the changed area: giving an area the geometry of another area gives, for that
    area, the warnings a full validation gives (some put an area outside its parent,
    so the check has something to find)."""
    replica = ValidationReplica.of(store)
    ligt_in, has_geometry = ox.NamedNode(KRB + "ligtIn"), ox.NamedNode(GEO + "hasGeometry")
    as_wkt = ox.NamedNode(GEO + "asWKT")
    shapes: dict[ox.NamedNode, ox.Quad] = {}
    for graph in replica.data_graphs():
        for quad in replica.graph_quads(_name(graph)):
            if quad.predicate == has_geometry and isinstance(quad.subject, ox.NamedNode):
                wkt = replica.quads_for(quad.object, as_wkt)
                if wkt:
                    shapes[quad.subject] = wkt[0]
    inside = sorted((a for a in shapes if replica.quads_for(a, ligt_in)), key=str)
    changes = [
        (area, other) for area in inside for other in sorted(shapes, key=str) if other != area
    ]
    assert changes, "the demo has areas with a geometry inside others"
    warned = 0
    for area, other in random.Random(5).sample(changes, min(24, len(changes))):
        old = shapes[area]
        new = ox.Quad(old.subject, old.predicate, shapes[other].object, old.graph_name)
        with replica.trial({new}, {old}):
            focused = validate_change(replica, {new}, {old})
            full = validate_change(replica, {new}, {old}, everything=True)
        about = {_key(f) for f in focused.findings if f.focus == area.value}
        expected = {_key(f) for f in full.findings if f.focus == area.value}
        assert about == expected, (area, other)
        warned += any(f.shape == str(LIGT_IN_CHECK) for f in full.findings if f.focus == area.value)
    assert warned, "no new geometry put an area outside its parent"


def test_the_replica_validates_like_the_registry_itself(store: Store) -> None:
    """A full validation on the replica (data, model, minus the service's bookkeeping)
    finds what validate_graph finds on the registry's data alone: nothing, on the demo,
    and the same violations once a norm loses its value."""
    replica = ValidationReplica.of(store)
    assert validate_change(replica, [], [], everything=True).conforms
    norm = ox.NamedNode("https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01")
    value = ox.NamedNode("http://qudt.org/schema/qudt/numericValue")
    removed = frozenset(replica.quads_for(norm, value))
    assert removed
    with replica.trial((), removed):
        on_replica = validate_change(replica, (), removed, everything=True)
    registry = store.read_graph(None)
    for graph in replica.data_graphs():
        if isinstance(graph, ox.NamedNode):
            registry += store.read_graph(graph.value)
    registry.remove((URIRef(norm.value), URIRef(value.value), None))
    direct = validate_graph(registry)
    assert not on_replica.conforms and not direct.conforms
    assert _violations(on_replica.findings) == _violations(direct.findings)


def test_a_new_norm_touches_few_objects(store: Store) -> None:
    """Adding one norm revalidates that norm and what reads it (its indicator, whose
    shape reads its norms, and so that indicator's norms), not every norm that shares
    its operator, unit or area: model concepts and areas are not walked from."""
    replica = ValidationReplica.of(store)
    norm = ox.NamedNode("https://krb.demogemeente.nl/id/beleidsnorm/NIEUW")
    graph = ox.NamedNode("https://krb.demogemeente.nl/graph/nieuw")
    template = ox.NamedNode("https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01")
    added = [ox.Quad(norm, q.predicate, q.object, graph) for q in replica.quads_for(template)]
    with replica.trial(added, ()):
        found = affected(replica, added, ())
    assert found is not None
    indicator = ox.NamedNode(KRB + "indicator")
    siblings = {
        q.subject.value
        for q in replica.quads_for_object(replica.quads_for(template, indicator)[0].object)
        if q.predicate == indicator
    }
    norms = {str(n) for n in found if "/id/beleidsnorm/" in str(n)}
    assert norm.value in norms
    assert norms <= siblings | {norm.value}, norms - siblings
    all_norms = {
        q.subject.value for q in replica.quads_for_object(ox.NamedNode(KRB + "Beleidsnorm"))
    }
    assert len(norms) < len(all_norms) / 4


def test_the_inverse_reads_come_from_the_shapes() -> None:
    """Predicates read from the object's side: inverse paths and SPARQL patterns that end
    at $this (the area cycle check, the replacement chain)."""
    found = inverse_read_predicates()
    assert KRB + "ligtIn" in found
    assert "http://purl.org/dc/terms/replaces" in found
    assert KRB + "werkingsgebied" not in found


def test_a_write_behind_the_services_back_makes_the_replica_again(store: Store) -> None:
    slot = ReplicaSlot()
    first = slot.get(store)
    assert slot.get(store) is first
    store.update("INSERT DATA { GRAPH <urn:x-test:elders> { <urn:a> <urn:b> <urn:c> } }")
    try:
        again = slot.get(store)
        assert again is not first
        assert again.has_quads("urn:x-test:elders")
    finally:
        store.drop_graph("urn:x-test:elders")


class _Refused(Exception):
    """The random write broke a rule: the trial undoes it."""


def _name(graph: ox.NamedNode | ox.DefaultGraph) -> str | None:
    return graph.value if isinstance(graph, ox.NamedNode) else None
