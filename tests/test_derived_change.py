"""A write changes the derived graph by what it changes, and ends where a full
derivation ends.

The dates in force and the spatial relations are kept by the service write by write
(krbgraph.derived_change): only the periods and areas a write can change are
computed again. Here random writes on the facts those rules read (dates of
documents and decisions, statuses, replacements, an instrument's period and
document, an effect's measure and norm, decision kinds, geometries, whole objects
removed) are applied to a replica of the demo, the derived graph is moved along by
the update each write yields, and after every write it must equal the graph derived
from scratch. A missed dependency (a document's successor, a decision's document,
the effects of a norm) leaves a stale date and fails here.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from demo_backends import embedded_demo_fixture, embedded_demo_settings
from fastapi.testclient import TestClient
from quad_order import in_stable_order
from store_templates import copy_of

from krbgraph.derived import DERIVED_GRAPH, derive
from krbgraph.derived_change import derived_change
from krbgraph.replica import Change, ValidationReplica
from krbgraph.settings import Settings
from krbgraph.store import QueryResult, Store, ensure_model, open_store

ELI = "http://data.europa.eu/eli/ontology#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
ADMS = "http://www.w3.org/ns/adms#"
PROV = "http://www.w3.org/ns/prov#"
KRB = "https://data.krb.nl/def/krb#"
GEO = "http://www.opengis.net/ont/geosparql#"
BEGRIP = "https://data.krb.nl/id/begrip/"
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD_DATE = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
Write = Callable[[random.Random, list[ox.Quad]], Change]
SEEDS = [int(s) for s in os.environ.get("KRB_TEST_SEEDS", "1,2,3,4").split(",")]
"""Seeds of the random write streams; KRB_TEST_SEEDS=1,2,...,50 runs a longer hunt."""

READ = {
    f"{ELI}first_date_entry_in_force",
    f"{ELI}date_document",
    f"{ELI}date_no_longer_in_force",
    f"{ADMS}status",
    f"{DCT}isReplacedBy",
    f"{DCT}replaces",
    f"{DCT}temporal",
    f"{DCT}date",
    f"{DCAT}startDate",
    f"{DCAT}endDate",
    f"{PROV}generated",
    f"{KRB}document",
    f"{KRB}maatregel",
    f"{KRB}norm",
    f"{KRB}regel",
    f"{KRB}doelIndicator",
    f"{KRB}indicator",
    f"{KRB}besluitsoort",
    f"{GEO}hasGeometry",
    f"{GEO}asWKT",
    f"{GEO}sfWithin",
    f"{KRB}ligtIn",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    SUBCLASS_OF,
}
"""Every predicate krbgraph.derived reads; the writes below change triples of these."""

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OWN = "https://krb.example.org/def/eigen#"
OWN_GRAPH = ox.NamedNode("https://krb.example.org/graph/eigen-klassen")
SPECIALISED = ["Besluitdocument", "Beleidsnorm", "Beleidsmaatregel", "MerMaatregel",
               "Beleidsregel", "BeoogdEffect", "Werkingsgebied"]  # fmt: skip
"""Model classes a registry's own classes specialise here (krbgraph.entailed_types), two
levels deep: eigen:EigenX below eigen:X below krb:X."""


def _own_classes() -> list[ox.Quad]:
    """The registry's own ontology: eigen:X and eigen:EigenX below each model class."""
    subclass = ox.NamedNode(SUBCLASS_OF)
    quads = []
    for name in SPECIALISED:
        own, deeper = ox.NamedNode(f"{OWN}{name}"), ox.NamedNode(f"{OWN}Eigen{name}")
        quads.append(ox.Quad(own, subclass, ox.NamedNode(f"{KRB}{name}"), OWN_GRAPH))
        quads.append(ox.Quad(deeper, subclass, own, OWN_GRAPH))
    return quads


store = embedded_demo_fixture()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A registry nobody tuned the rules to: bench/generate.py at about 10,000 triples
    (many documents, decisions and periods; no replacements, statuses or geometries)."""
    folder: Path = tmp_path_factory.mktemp("derived-generated")
    file = folder / "registry.nt"
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parent.parent / "bench" / "generate.py")]
        + ["--triples", "10000"]
        + ["--seed", "7", "--out", str(file)],
        check=True,
        capture_output=True,
    )
    settings = Settings(store=str(folder / "db"))
    copy_of("model", Settings(), ensure_model, folder / "db")  # a store with the model
    with open_store(settings) as handle:
        ensure_model(handle)  # nothing to do: the copy has the model
        handle.load_files({"https://krb.grootstad.nl/graph/registry": [file]}, replace=True)
        yield handle


_REPLICA_COPIES: dict[int, tuple[Store, bytes]] = {}


def replica_of(registry: Store) -> ValidationReplica:
    """A replica of ``registry`` of this test's own, as ``ValidationReplica.of`` makes it:
    that copy is made once per registry (reading an embedded store out takes seconds)
    and its quads, as N-Quads, read into a new in-memory copy for each test, which may
    write it. The registries here are module-scoped and never written."""
    made = _REPLICA_COPIES.get(id(registry))
    if made is None or made[0] is not registry:
        original = ValidationReplica.of(registry)
        assert original.base_version is None  # embedded stores: no write version to keep
        made = (registry, original._copy.dump(format=ox.RdfFormat.N_QUADS))
        _REPLICA_COPIES[id(registry)] = made
    copy = ox.Store()
    copy.bulk_load(input=made[1], format=ox.RdfFormat.N_QUADS)
    return ValidationReplica(copy)


class _NoCandidate(Exception):
    """The registry has nothing this kind of write could change."""


def _choice(rng: random.Random, candidates: list[ox.Quad]) -> ox.Quad:
    if not candidates:
        raise _NoCandidate
    return rng.choice(candidates)


def _read(data: list[ox.Quad]) -> list[ox.Quad]:
    return [q for q in data if q.predicate.value in READ]


def _remove(rng: random.Random, data: list[ox.Quad]) -> Change:
    return Change(frozenset(), frozenset({rng.choice(_read(data))}))


def _repoint(rng: random.Random, data: list[ox.Quad]) -> Change:
    quad = rng.choice(_read(data))
    other = rng.choice([q for q in data if q.predicate == quad.predicate])
    moved = ox.Quad(quad.subject, quad.predicate, other.object, quad.graph_name)
    return Change(frozenset({moved}), frozenset({quad}))


def _copy_to_other_subject(rng: random.Random, data: list[ox.Quad]) -> Change:
    quad = rng.choice(_read(data))
    subject = rng.choice([q.subject for q in data if isinstance(q.subject, ox.NamedNode)])
    copied = ox.Quad(subject, quad.predicate, quad.object, quad.graph_name)
    return Change(frozenset({copied}), frozenset())


def _shift_date(rng: random.Random, data: list[ox.Quad]) -> Change:
    dated = [
        q for q in _read(data) if isinstance(q.object, ox.Literal) and q.object.datatype == XSD_DATE
    ]
    quad = _choice(rng, dated)
    day = date.fromisoformat(quad.object.value) + timedelta(
        days=rng.choice([-3650, -400, 1, 400, 3650])
    )
    shifted = ox.Quad(
        quad.subject,
        quad.predicate,
        ox.Literal(day.isoformat(), datatype=XSD_DATE),
        quad.graph_name,
    )
    return Change(frozenset({shifted}), frozenset({quad}))


def _make_advice_or_withdraw(rng: random.Random, data: list[ox.Quad]) -> Change:
    """A decision becomes an EIA advice (adopts nothing), or a document or instrument
    gets status withdrawn or draft."""
    if rng.random() < 0.5:
        kinds = [q for q in data if q.predicate.value == f"{KRB}besluitsoort"]
        quad = _choice(rng, kinds)
        advice = ox.NamedNode(f"{BEGRIP}besluitsoort/mer-advies")
        return Change(
            frozenset({ox.Quad(quad.subject, quad.predicate, advice, quad.graph_name)}),
            frozenset({quad}),
        )
    statuses = [q for q in data if q.predicate.value == f"{ADMS}status"]
    quad = _choice(rng, statuses)
    status = ox.NamedNode(
        BEGRIP + rng.choice(["status/ingetrokken", "status/ontwerp", "status/vastgesteld"])
    )
    return Change(
        frozenset({ox.Quad(quad.subject, quad.predicate, status, quad.graph_name)}),
        frozenset({quad}),
    )


def _remove_object(rng: random.Random, data: list[ox.Quad]) -> Change:
    subject = rng.choice([q.subject for q in _read(data) if isinstance(q.subject, ox.NamedNode)])
    return Change(frozenset(), frozenset(q for q in data if q.subject == subject))


def _swap_geometry(rng: random.Random, data: list[ox.Quad]) -> Change:
    wkts = [q for q in data if q.predicate.value == f"{GEO}asWKT"]
    quad = _choice(rng, wkts)
    other = _choice(rng, wkts)
    return Change(
        frozenset({ox.Quad(quad.subject, quad.predicate, other.object, quad.graph_name)}),
        frozenset({quad}),
    )


def _move_area(rng: random.Random, data: list[ox.Quad]) -> Change:
    """An area gets another (or a second) direct parent: anywhere in the tree, a cycle
    included, which the shapes refuse but the derivation must still get right."""
    areas = [
        q.subject
        for q in data
        if q.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
        and q.object.value == f"{KRB}Werkingsgebied"
    ]
    parents = [q for q in data if q.predicate.value == f"{KRB}ligtIn"]
    quad = _choice(rng, parents)
    moved = ox.Quad(quad.subject, quad.predicate, rng.choice(areas), quad.graph_name)
    return Change(frozenset({moved}), frozenset() if rng.random() < 0.3 else frozenset({quad}))


def _record_within(rng: random.Random, data: list[ox.Quad]) -> Change:
    """geo:sfWithin recorded as data, beside the one derived from geometries."""
    areas = [q for q in data if q.predicate.value == f"{KRB}ligtIn"]
    inner, outer = _choice(rng, areas), _choice(rng, areas)
    within = ox.NamedNode(f"{GEO}sfWithin")
    return Change(
        frozenset({ox.Quad(outer.object, within, inner.subject, inner.graph_name)}), frozenset()
    )


def _retype(rng: random.Random, data: list[ox.Quad]) -> Change:
    """A thing of a model class typed with an own class below it instead, or back, or
    with both (the model class is then stated and never derived too)."""

    def specialised(term: object) -> str | None:
        if not isinstance(term, ox.NamedNode) or not term.value.startswith((KRB, OWN)):
            return None
        name = term.value.rsplit("#", 1)[1].removeprefix("Eigen")
        return name if name in SPECIALISED else None

    quad = _choice(rng, [q for q in data if q.predicate == RDF_TYPE and specialised(q.object)])
    name = specialised(quad.object)
    classes = [f"{KRB}{name}", f"{OWN}{name}", f"{OWN}Eigen{name}"]
    other = rng.choice([c for c in classes if c != quad.object.value])
    retyped = ox.Quad(quad.subject, RDF_TYPE, ox.NamedNode(other), quad.graph_name)
    keep = rng.random() < 0.3
    return Change(frozenset({retyped}), frozenset() if keep else frozenset({quad}))


WRITES: list[Write] = [
    _retype,
    _retype,
    _retype,
    _remove,
    _repoint,
    _copy_to_other_subject,
    _shift_date,
    _shift_date,
    _make_advice_or_withdraw,
    _remove_object,
    _swap_geometry,
    _move_area,
    _record_within,
]


def _triples(graph_store: ox.Store) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in graph_store}


def _derived_from_scratch(replica: ValidationReplica) -> set[tuple[str, str, str]]:
    graph = derive(replica)
    return {(s.n3(), p.n3(), o.n3()) for s, p, o in graph}


def _kept(graph_store: ox.Store) -> set[tuple[str, str, str]]:
    """The kept graph's triples written as rdflib writes them (n3), to compare."""
    from krbgraph.store.terms import to_rdflib

    return {
        (to_rdflib(q.subject).n3(), to_rdflib(q.predicate).n3(), to_rdflib(q.object).n3())
        for q in graph_store
    }


def _data(replica: ValidationReplica) -> list[ox.Quad]:
    return in_stable_order(
        q
        for g in replica.data_graphs()
        for q in replica.graph_quads(None if isinstance(g, ox.DefaultGraph) else g.value)
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("registry", ["store", "generated"])
def test_random_writes_keep_the_graph_a_full_derivation_gives(
    request: pytest.FixtureRequest, registry: str, seed: int
) -> None:
    replica = replica_of(request.getfixturevalue(registry))
    replica.apply(_own_classes(), [])
    kept = ox.Store()
    name = ox.NamedNode(DERIVED_GRAPH)

    def keep(triples: Iterable[tuple[Any, Any, Any]]) -> None:
        kept.clear()
        for s, p, o in triples:
            kept.add(ox.Quad(ox.NamedNode(str(s)), ox.NamedNode(str(p)), _ox(o), name))

    keep(derive(replica))
    rng = random.Random(seed)
    recomputed = enclosed = retyped = 0
    for step in range(25):
        data = _data(replica)
        try:
            change = rng.choice(WRITES)(rng, data)
        except _NoCandidate:
            change = _remove(rng, data)
        replica.apply(change.added, change.removed)
        delta = derived_change(replica, change, _Stored(kept))
        hierarchy = any(q.predicate.value == SUBCLASS_OF for q in change.added | change.removed)
        assert not delta.whole or hierarchy, "only a changed class hierarchy derives it all"
        if delta.replacement is not None:
            keep(delta.replacement)
        elif delta.update:
            kept.update(delta.update)
        recomputed += delta.periods + delta.areas
        enclosed += delta.enclosed
        retyped += any(q.object.value.startswith(OWN) for q in change.added | change.removed)
        assert _kept(kept) == _derived_from_scratch(replica), (step, change)
    assert recomputed > 0, "the writes reached facts the derived graph reads"
    assert enclosed > 0, "the writes moved areas"
    assert retyped > 0, "the writes typed things with the registry's own classes"


def test_a_change_of_a_value_nothing_derives_from_recomputes_nothing(store: Store) -> None:
    replica = replica_of(store)
    value = ox.NamedNode("http://qudt.org/schema/qudt/numericValue")
    quad = next(q for q in _data(replica) if q.predicate == value)
    new = ox.Quad(
        quad.subject,
        value,
        ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        quad.graph_name,
    )
    change = Change(frozenset({new}), frozenset({quad}))
    replica.apply(change.added, change.removed)
    try:
        delta = derived_change(replica, change, store)
    finally:
        replica.apply(change.removed, change.added)
    assert (delta.update, delta.whole, delta.periods, delta.areas, delta.enclosed) == (
        "",
        False,
        0,
        0,
        0,
    )


def test_a_new_adoption_date_moves_the_documents_norms_and_the_one_it_replaces(
    store: Store,
) -> None:
    """The decision adopting a successor document moves its start: the successor, its
    norms and their effects, and the document it replaces (which ends the day before)
    are recomputed, not more."""
    replica = replica_of(store)
    demo = "https://krb.demogemeente.nl/id/"
    decision = ox.NamedNode(demo + "besluitproces/GEL-AP2030-RB")
    dated = replica.quads_for(decision, ox.NamedNode(f"{DCT}date"))
    assert dated
    change = Change(
        frozenset(
            ox.Quad(
                q.subject, q.predicate, ox.Literal("2031-02-03", datatype=XSD_DATE), q.graph_name
            )
            for q in dated
        ),
        frozenset(dated),
    )
    replica.apply(change.added, change.removed)
    try:
        delta = derived_change(replica, change, store)
    finally:
        replica.apply(change.removed, change.added)
    assert f"<{demo}besluitdocument/GEL-AP2025>" in delta.update  # the replaced document
    assert f"<{demo}besluitdocument/GEL-AP2030>" in delta.update
    assert 2 < delta.periods < 200


def test_writes_over_http_keep_the_stored_derived_graph(tmp_path: Path) -> None:
    """The service sends the derived graph's change with the write: after updates over
    HTTP (an adoption date moved, a geometry changed, a document ended) the stored
    derived graph is the one derived from the stored data."""
    from test_sparql_support import demo_store, post_update

    from krbgraph.web.app import create_app

    store, config = demo_store(tmp_path)
    demo = "https://krb.demogemeente.nl/id/"
    updates = [
        f"""PREFIX dct: <{DCT}> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        DELETE {{ GRAPH ?g {{ ?b dct:date ?d }} }}
        INSERT {{ GRAPH ?g {{ ?b dct:date "2031-02-03"^^xsd:date }} }}
        WHERE {{ BIND (<{demo}besluitproces/GEL-AP2030-RB> AS ?b)
                 GRAPH ?g {{ ?b dct:date ?d }} }}""",
        f"""PREFIX geo: <{GEO}>
        DELETE {{ GRAPH ?g {{ ?geom geo:asWKT ?w }} }}
        INSERT {{ GRAPH ?g {{ ?geom geo:asWKT ?other }} }}
        WHERE {{ {{ SELECT ?geom ?w ?g ?other WHERE {{
                   GRAPH ?g {{ ?geom geo:asWKT ?w }} ?x geo:asWKT ?other
                   FILTER (STR(?w) < STR(?other))
                 }} ORDER BY STR(?w) STR(?other) LIMIT 1 }} }}""",
        f"""PREFIX eli: <{ELI}> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT {{ GRAPH ?g {{ ?doc eli:date_no_longer_in_force "2027-01-01"^^xsd:date }} }}
        WHERE {{ BIND (<{demo}besluitdocument/GEL-2030> AS ?doc) GRAPH ?g {{ ?doc a ?type }} }}""",
    ]
    with store, TestClient(create_app(config, store=store)) as client:
        for update in updates:
            post_update(client, update)
        stored = {(s.n3(), p.n3(), o.n3()) for s, p, o in store.read_graph(DERIVED_GRAPH)}
        fresh = {(s.n3(), p.n3(), o.n3()) for s, p, o in derive(store)}
    assert stored == fresh


class _Stored:
    """The kept derived graph, queried as the store would be."""

    def __init__(self, kept: ox.Store) -> None:
        self._kept = kept

    def query(self, sparql: str) -> QueryResult:
        from krbgraph.store.terms import to_rdflib

        solutions = self._kept.query(sparql)
        assert isinstance(solutions, ox.QuerySolutions)
        return QueryResult(
            kind="select",
            variables=tuple(v.value for v in solutions.variables),
            rows=tuple(
                tuple(None if t is None else to_rdflib(t) for t in row) for row in solutions
            ),
        )


def _ox(term: object) -> ox.Literal | ox.NamedNode:
    from rdflib import Literal

    if isinstance(term, Literal):
        return (
            ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            if term.datatype
            else ox.Literal(str(term))
        )
    return ox.NamedNode(str(term))


@pytest.mark.parametrize("registry", ["store", "generated"])
def test_the_closure_answers_what_the_path_answers(
    request: pytest.FixtureRequest, registry: str
) -> None:
    """krb:ligtBinnen stands in for ``(krb:ligtIn|geo:sfWithin)+`` in the named queries:
    over the data and the rest of the derived graph both give the same pairs, also with
    a geo:sfWithin recorded as data and a cycle (which the shapes refuse, but a store
    loaded without validation may hold)."""
    replica = replica_of(request.getfixturevalue(registry))
    parents = [q for q in _data(replica) if q.predicate.value == f"{KRB}ligtIn"]
    assert len(parents) > 3
    first, second = parents[0], parents[-1]
    graph = first.graph_name
    odd = {
        ox.Quad(second.object, ox.NamedNode(f"{GEO}sfWithin"), first.subject, graph),
        ox.Quad(first.object, ox.NamedNode(f"{KRB}ligtIn"), second.subject, graph),
    }
    replica.apply(odd, set())
    name = ox.NamedNode(DERIVED_GRAPH)
    derived = {
        ox.Quad(ox.NamedNode(str(s)), ox.NamedNode(str(p)), _ox(o), name)
        for s, p, o in derive(replica)
    }
    replica.apply(derived, set())
    prefixes = f"PREFIX krb: <{KRB}> PREFIX geo: <{GEO}> "
    closure = set(replica.query(prefixes + "SELECT ?a ?b { ?a krb:ligtBinnen ?b }").rows)
    path = set(
        replica.query(
            prefixes + "SELECT ?a ?b { ?a (krb:ligtIn|geo:sfWithin)+ ?b FILTER (isIRI(?b)) }"
        ).rows
    )
    assert len(closure) > len(parents)
    assert any(a == b for a, b in closure), "the cycle makes areas lie within themselves"
    assert closure == path


def test_moving_more_areas_than_the_limit_derives_the_whole_graph(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A municipality that now lies elsewhere moves every area in it: up to
    ENCLOSED_WHOLE_ABOVE areas their closure is computed in the update, beyond it the
    whole derived graph is derived again after the commit."""
    import krbgraph.derived_change as module

    replica = replica_of(store)
    ligt_in = ox.NamedNode(f"{KRB}ligtIn")
    top = max(
        {q.object for q in replica.quads_matching(None, ligt_in, None)},
        key=lambda area: len(replica.quads_matching(None, ligt_in, area)),
    )
    graph = next(q.graph_name for q in replica.quads_matching(None, ligt_in, top))
    change = Change(
        frozenset({ox.Quad(top, ligt_in, ox.NamedNode("https://example.org/elders"), graph)}),
        frozenset(),
    )
    replica.apply(change.added, change.removed)
    try:
        within = derived_change(replica, change, store)
        monkeypatch.setattr(module, "ENCLOSED_WHOLE_ABOVE", within.enclosed - 1)
        beyond = derived_change(replica, change, store)
    finally:
        replica.apply(change.removed, change.added)
    assert within.enclosed > 3 and not within.whole
    assert "https://example.org/elders" in within.update
    assert beyond.whole and not beyond.update


def test_a_graph_derived_by_other_rules_is_derived_again_when_opened(tmp_path: Path) -> None:
    """After an upgrade the stored derived graph may lack what new rules add (the areas'
    closure did not exist before): opening the store derives it again, once."""
    from krbgraph.derived import RULES_VERSION, ensure_current

    # The model and the demo, its derived graph refreshed after the load (a copy of the
    # store made once per process, demo_backends.fill_with_demo).
    with open_store(embedded_demo_settings(tmp_path)) as handle:
        closure = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{KRB}ligtBinnen> ?b }}"
        derived_count = int(handle.query(closure).rows[0][0])
        assert derived_count > 0
        # A graph as an older release left it: no closure, no or another version.
        handle.update(
            f"DELETE WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?a <{KRB}ligtBinnen> ?b }} }} ;"
            f"DELETE WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?g <{OWL_VERSION}> ?v }} }}"
        )
        assert int(handle.query(closure).rows[0][0]) == 0
        assert ensure_current(handle)
        assert int(handle.query(closure).rows[0][0]) == derived_count
        version = handle.query(
            f"SELECT ?v WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ <{DERIVED_GRAPH}> "
            f"<{OWL_VERSION}> ?v }} }}"
        ).rows
        assert [str(v) for (v,) in version] == [RULES_VERSION]
        writes = handle.write_generation
        assert not ensure_current(handle)
        assert handle.write_generation == writes, "a current graph is left alone"
