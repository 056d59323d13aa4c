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
from contextlib import contextmanager

import pyoxigraph as ox
import pytest
from demo_backends import embedded_demo_fixture
from quad_order import in_stable_order
from rdflib import RDF, XSD, Graph, URIRef

from krbgraph.findings import Finding
from krbgraph.impact import affected, counted_inverse_predicates, inverse_read_predicates
from krbgraph.registry import validate_change
from krbgraph.replica import Change, ValidationReplica
from krbgraph.replica_slot import ReplicaSlot
from krbgraph.spatial_checks import LIGT_IN_CHECK
from krbgraph.store import Store
from krbgraph.validation import validate_graph

KRB = "https://data.krb.nl/def/krb#"
GEO = "http://www.opengis.net/ont/geosparql#"
PROV = "http://www.w3.org/ns/prov#"
Write = Callable[[random.Random, list[ox.Quad]], Change]
SEEDS = [int(s) for s in os.environ.get("KRB_TEST_SEEDS", "1,2,3").split(",")]
"""Seeds of the random write streams; KRB_TEST_SEEDS=1,2,...,50 runs a longer hunt."""


store = embedded_demo_fixture()


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
        data = in_stable_order(
            q for g in replica.data_graphs() for q in replica.graph_quads(_name(g))
        )
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


def test_writes_on_links_read_backwards_get_every_finding_of_a_full_validation(
    store: Store,
) -> None:
    """The links shapes read from the object's side (an indicator's norms, an area's
    parts, a document's successors) are where a focused validation can miss a verdict,
    and random writes seldom touch them. Each such link of the demo is removed, pointed
    at another object, and copied to another subject; warnings count too: whatever a
    full validation finds that it did not find before must be among the focused
    findings, and the focused findings among the full ones."""
    replica = ValidationReplica.of(store)
    before = {_key(f) for f in validate_change(replica, [], [], everything=True).findings}
    data = [q for g in replica.data_graphs() for q in replica.graph_quads(_name(g))]
    subjects = sorted({q.subject for q in data if isinstance(q.subject, ox.NamedNode)}, key=str)
    rng = random.Random(11)
    changes: list[Change] = []
    # krb:ligtIn too: the area checks read it forwards, but what lies in an area is
    # exactly what a moved area changes.
    for predicate in sorted(inverse_read_predicates() | {KRB + "ligtIn"}):
        links = [q for q in data if q.predicate.value == predicate]
        for quad in rng.sample(links, min(1, len(links))):
            others = sorted({q.object for q in links if q.object != quad.object}, key=str)
            changes.append(Change(frozenset(), frozenset({quad})))
            if others:
                moved = ox.Quad(quad.subject, quad.predicate, rng.choice(others), quad.graph_name)
                changes.append(Change(frozenset({moved}), frozenset({quad})))
            copied = ox.Quad(rng.choice(subjects), quad.predicate, quad.object, quad.graph_name)
            changes.append(Change(frozenset({copied}), frozenset()))
    assert len(changes) >= 12, "the demo has links of most of these predicates"
    for change in changes:
        with _tried(replica, change):
            focused = {
                _key(f) for f in validate_change(replica, change.added, change.removed).findings
            }
            full = {
                _key(f)
                for f in validate_change(
                    replica, change.added, change.removed, everything=True
                ).findings
            }
        assert full - before <= focused, (change, (full - before) - focused)
        assert focused <= full, (change, focused - full)


def test_a_successor_losing_its_decision_warns_about_the_document_it_replaces(
    store: Store,
) -> None:
    """A shape reads the adopting decision of a document's successor: one link forwards
    (dct:replaces, from the successor), then prov:generated backwards. Removing the
    decision's link changes the verdict of the replaced document, which neither changed
    triple names: the walk reaches it from the successor over the links read backwards."""
    replica = ValidationReplica.of(store)
    demo = "https://krb.demogemeente.nl/id/"
    successor = ox.NamedNode(demo + "besluitdocument/GEL-AP2030")
    decision = ox.NamedNode(demo + "besluitproces/GEL-AP2030-RB")
    entry = ox.NamedNode("http://data.europa.eu/eli/ontology#first_date_entry_in_force")
    own_date = ox.NamedNode("http://data.europa.eu/eli/ontology#date_document")
    undated = Change(
        frozenset(),
        frozenset([*replica.quads_for(successor, entry), *replica.quads_for(successor, own_date)]),
    )
    unlinked = Change(
        frozenset(), frozenset(replica.quads_for(decision, ox.NamedNode(PROV + "generated")))
    )
    assert undated.removed and unlinked.removed
    with _tried(replica, undated), _tried(replica, unlinked):
        focused = validate_change(replica, unlinked.added, unlinked.removed).findings
    warned = {
        f.focus for f in focused if (f.shape or "").endswith("#BesluitdocumentOpvolgerGedateerd")
    }
    assert warned == {demo + "besluitdocument/GEL-AP2025"}


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
        with _tried(replica, Change(frozenset({new}), frozenset({old}))):
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
    """Adding one norm revalidates that norm and what it points at (its indicator, whose
    shape counts the norms pointing at it), not the indicator's other norms nor every
    norm that shares its operator, unit or area: a count reads nothing of what it
    counts, and model concepts and areas are not walked from."""
    replica = ValidationReplica.of(store)
    norm = ox.NamedNode("https://krb.demogemeente.nl/id/beleidsnorm/NIEUW")
    graph = ox.NamedNode("https://krb.demogemeente.nl/graph/nieuw")
    template = ox.NamedNode("https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01")
    added = [ox.Quad(norm, q.predicate, q.object, graph) for q in replica.quads_for(template)]
    with replica.trial(added, ()):
        found = affected(replica, added, ())
    assert found is not None
    indicator = replica.quads_for(template, ox.NamedNode(KRB + "indicator"))[0].object
    assert URIRef(indicator.value) in found
    norms = {str(n) for n in found if "/id/beleidsnorm/" in str(n)}
    assert norms == {norm.value}


def test_counts_at_the_focus_are_told_from_deeper_reads() -> None:
    """Only a predicate every shape reads backwards just to count, at its own focus node,
    spares the walk; a count under another shape, a look at the counted nodes, or a
    SHACL-SPARQL pattern (also inside FILTER EXISTS) reading it backwards does not."""
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:Counted a sh:NodeShape ; sh:targetClass ex:A ;
            sh:property [ sh:path [ sh:inversePath ex:counted ] ; sh:minCount 1 ] .
        ex:Looked a sh:NodeShape ; sh:targetClass ex:A ;
            sh:property [ sh:path [ sh:inversePath ex:looked ] ; sh:class ex:B ] .
        ex:Outer a sh:NodeShape ; sh:targetClass ex:A ;
            sh:property [ sh:path ex:next ; sh:node ex:Nested ] .
        ex:Nested a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path [ sh:inversePath ex:nested ] ; sh:minCount 1 ] .
        ex:Chained a sh:NodeShape ; sh:targetClass ex:A ;
            sh:property [ sh:path ( ex:next [ sh:inversePath ex:chained ] ) ; sh:minCount 1 ] .
        ex:Queried a sh:NodeShape ; sh:targetClass ex:A ;
            sh:property [ sh:path [ sh:inversePath ex:queried ] ; sh:minCount 1 ] ;
            sh:sparql [ sh:select '''
                SELECT $this WHERE { $this <https://example.org/next> ?n .
                    FILTER NOT EXISTS { ?x <https://example.org/queried> ?n } }''' ] .
        """,
        format="turtle",
    )
    ex = "https://example.org/"
    assert counted_inverse_predicates(shapes) == {ex + "counted"}
    read = inverse_read_predicates(shapes)
    assert {ex + p for p in ("counted", "looked", "nested", "chained", "queried")} <= read


def test_the_inverse_reads_come_from_the_shapes() -> None:
    """Predicates read from the object's side: inverse paths and SPARQL patterns that end
    at $this (the replacement chain). The area cycle check follows krb:ligtIn forwards
    back to $this through a FILTER, so krb:ligtIn is not among them."""
    found = inverse_read_predicates()
    assert "http://purl.org/dc/terms/replaces" in found
    assert KRB + "ligtIn" not in found
    assert KRB + "werkingsgebied" not in found


def test_a_new_area_touches_few_objects(store: Store) -> None:
    """A new street in a buurt revalidates the street, not the areas around it nor the
    policy set for them: no shape reads what lies in an area from the area's side."""
    replica = ValidationReplica.of(store)
    ligt_in = ox.NamedNode(KRB + "ligtIn")
    street, buurt = next(
        (q.subject, q.object)
        for q in replica.quads_matching(None, ligt_in, None)
        if replica.quads_matching(q.object, ligt_in, None)
    )
    new = ox.NamedNode(street.value + "-nieuw")
    graph = ox.NamedNode("https://krb.demogemeente.nl/graph/nieuw")
    added = [ox.Quad(new, q.predicate, q.object, graph) for q in replica.quads_for(street)]
    with replica.trial(added, ()):
        found = affected(replica, added, ())
    assert found is not None
    assert URIRef(new.value) in found
    assert URIRef(buurt.value) not in found
    assert len(found) < 5, found


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


@contextmanager
def _tried(replica: ValidationReplica, change: Change) -> Iterator[None]:
    """``change`` on the replica for the block, undone after it (a trial keeps what
    its block accepts)."""
    try:
        with replica.trial(change.added, change.removed):
            yield
            raise _Refused
    except _Refused:
        pass


def _name(graph: ox.NamedNode | ox.DefaultGraph) -> str | None:
    return graph.value if isinstance(graph, ox.NamedNode) else None


def test_a_quiet_validation_leaves_out_warnings_only_when_the_change_conforms(
    store: Store,
) -> None:
    """SPARQL Update and Graph Store DELETE show no warnings, so a conforming change's are
    not worded (``quiet``); a refused change still gets every finding, its warnings
    beside its violations."""
    replica = ValidationReplica.of(store)
    effect = ox.NamedNode("https://krb.demogemeente.nl/id/beoogd-effect/GEL-E02")
    norm = ox.NamedNode(KRB + "norm")
    graph = replica.quads_for(effect, norm)[0].graph_name
    method = ox.NamedNode(KRB + "rekenmethode")
    norms = sorted({q.subject for q in replica.quads_matching(None, method, None)}, key=str)
    # A norm without its calculation method: a warning, nothing refused.
    warned = Change(frozenset(), frozenset(replica.quads_for(norms[0], method)))
    # ... and an effect acting on a second norm: a violation too.
    other = next(n for n in norms if n != replica.quads_for(effect, norm)[0].object)
    refused = Change(frozenset({ox.Quad(effect, norm, other, graph)}), warned.removed)
    for change, conforms in ((warned, True), (refused, False)):
        with replica.trial(change.added, change.removed):
            loud = validate_change(replica, change.added, change.removed)
            quiet = validate_change(replica, change.added, change.removed, quiet=True)
        assert loud.conforms is quiet.conforms is conforms
        assert loud.warnings()
        assert quiet.findings == (() if conforms else loud.findings)


@pytest.mark.parametrize(
    "triple",
    [
        # energy label B in an own scheme: the effect aiming at label A on a norm of
        # label B no longer has its target in the norm's list
        (
            "https://data.krb.nl/id/begrip/energielabel/B",
            "http://www.w3.org/2004/02/skos/core#inScheme",
            "https://krb.demogemeente.nl/id/conceptschema/woninglabels",
        ),
        # every MER measure becomes a norm and must have an indicator, operator, ...
        (
            KRB + "MerMaatregel",
            "http://www.w3.org/2000/01/rdf-schema#subClassOf",
            KRB + "Beleidsnorm",
        ),
    ],
)
def test_a_triple_about_a_model_node_gets_the_verdict_of_a_full_validation(
    store: Store, triple: tuple[str, str, str]
) -> None:
    """Registry data may say something of a value-list concept or a KRB class; the
    objects that use it were not checked and the write was accepted."""
    replica = ValidationReplica.of(store)
    graph = ox.NamedNode("https://krb.demogemeente.nl/graph/energietransitie")
    quad = ox.Quad(*(ox.NamedNode(t) for t in triple), graph)
    change = Change(frozenset({quad}), frozenset())
    with replica.trial(change.added, change.removed):
        focused = validate_change(replica, change.added, change.removed)
        full = validate_change(replica, change.added, change.removed, everything=True)
    assert not full.conforms
    assert _violations(focused.findings) == _violations(full.findings)


def test_blank_nodes_whose_verdict_a_change_alters_get_the_findings_of_a_full_validation(
    store: Store,
) -> None:
    """A realised effect measures the change in an indicator, a blank node
    (``[ a krb:Indicatorverandering ; krb:veranderingVan ?indicator ]``) that a shape
    targets. A query cannot name it, so the focused validation reaches it another way:
    the indicator losing its type, the blank node losing its link, and a new blank node
    of the class give the findings a full validation gives, on the blank node too."""
    replica = ValidationReplica.of(store)
    change_of = ox.NamedNode(KRB + "veranderingVan")
    links = [
        q
        for g in replica.data_graphs()
        for q in replica.graph_quads(_name(g))
        if q.predicate == change_of and isinstance(q.subject, ox.BlankNode)
    ]
    assert links, "the demo records a realised effect"
    indicator = links[0].object
    typed = frozenset(q for q in replica.quads_for(indicator) if q.predicate.value == str(RDF.type))
    stray = ox.BlankNode()
    changes = [
        Change(frozenset(), typed),
        Change(frozenset(), frozenset({links[0]})),
        Change(
            frozenset(
                {
                    ox.Quad(
                        stray,
                        ox.NamedNode(str(RDF.type)),
                        ox.NamedNode(KRB + "Indicatorverandering"),
                        links[0].graph_name,
                    )
                }
            ),
            frozenset(),
        ),
    ]
    for change in changes:
        with _tried(replica, change):
            focused = validate_change(replica, change.added, change.removed)
            full = validate_change(replica, change.added, change.removed, everything=True)
        assert _violations(focused.findings) == _violations(full.findings), change
        blank = {f.focus for f in full.findings if not (f.focus or "").startswith("http")}
        assert blank, "the change makes a blank node invalid"


def test_a_blank_decision_no_iri_points_at_reaches_the_norms_of_the_document_it_adopts(
    store: Store,
) -> None:
    """A decision recorded as a blank node (``[] prov:generated <doc> ; dct:date ...``)
    dates the norms of the document it adopts, which read it backwards. Nothing points
    at it, so the walk takes its own links forwards: turning it into an m.e.r.-advice
    (which adopts nothing) or removing its date leaves an undated norm, warned about as
    a full validation warns."""
    replica = ValidationReplica.of(store)
    demo = "https://krb.demogemeente.nl/id/"
    graph = ox.NamedNode(demo + "graph/demo")
    dct, eli = "http://purl.org/dc/terms/", "http://data.europa.eu/eli/ontology#"
    template = ox.NamedNode(demo + "beleidsnorm/GEL-N01")
    norm, document = (
        ox.NamedNode(demo + "beleidsnorm/X-N99"),
        ox.NamedNode(demo + "besluitdocument/X-99"),
    )
    skipped = {dct + "temporal", dct + "identifier", KRB + "document"}
    skipped |= {eli + "first_date_entry_in_force", eli + "date_document", eli + "id_local"}
    old_document = replica.quads_for(template, ox.NamedNode(KRB + "document"))[0].object
    decision = ox.BlankNode()
    dated = ox.Quad(
        decision,
        ox.NamedNode(dct + "date"),
        ox.Literal("2023-01-01", datatype=ox.NamedNode(str(XSD.date))),
        graph,
    )
    state = {
        *(
            ox.Quad(norm, q.predicate, q.object, graph)
            for q in replica.quads_for(template)
            if q.predicate.value not in skipped
        ),
        *(
            ox.Quad(document, q.predicate, q.object, graph)
            for q in replica.quads_for(old_document)
            if q.predicate.value not in skipped
        ),
        ox.Quad(norm, ox.NamedNode(KRB + "document"), document, graph),
        ox.Quad(norm, ox.NamedNode(dct + "identifier"), ox.Literal("X-N99"), graph),
        ox.Quad(document, ox.NamedNode(dct + "identifier"), ox.Literal("X-99"), graph),
        ox.Quad(decision, ox.NamedNode(PROV + "generated"), document, graph),
        dated,
    }
    advice = ox.NamedNode("https://data.krb.nl/id/begrip/besluitsoort/mer-advies")
    changes = [
        Change(
            frozenset({ox.Quad(decision, ox.NamedNode(KRB + "besluitsoort"), advice, graph)}),
            frozenset(),
        ),
        Change(frozenset(), frozenset({dated})),
    ]
    with _tried(replica, Change(frozenset(state), frozenset())):
        assert validate_change(replica, [], [], everything=True).conforms
        for change in changes:
            with _tried(replica, change):
                focused = {
                    _key(f) for f in validate_change(replica, change.added, change.removed).findings
                }
                full = validate_change(replica, change.added, change.removed, everything=True)
            assert any(f.focus == norm.value for f in full.findings), change
            assert focused == {_key(f) for f in full.findings}, change


def test_the_walk_lists_the_graphs_a_few_times_whatever_their_number(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model nodes were found by listing the registry's graphs once per graph: in a
    province's store of 3,000 graphs a one-triple write took 20 s. However many graphs
    there are, a change lists them a few times."""
    replica = ValidationReplica.of(store)
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    many = [
        ox.Quad(ox.NamedNode(f"urn:x:ding{i}"), label, ox.Literal("x"), ox.NamedNode(f"urn:x:g{i}"))
        for i in range(300)
    ]
    norm = ox.NamedNode("https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01")
    value = replica.quads_for(norm, ox.NamedNode("http://qudt.org/schema/qudt/numericValue"))
    changed = ox.Quad(
        norm,
        value[0].predicate,
        ox.Literal("47.0", datatype=value[0].object.datatype),
        value[0].graph_name,
    )  # type: ignore[union-attr]
    calls = 0
    listed = ValidationReplica.data_graphs

    def counted(self: ValidationReplica) -> list[ox.NamedNode | ox.DefaultGraph]:
        nonlocal calls
        calls += 1
        return listed(self)

    with _tried(replica, Change(frozenset(many), frozenset())):
        monkeypatch.setattr(ValidationReplica, "data_graphs", counted)
        with _tried(replica, Change(frozenset({changed}), frozenset(value))):
            assert affected(replica, {changed}, value) is not None
    assert calls <= 4, calls
