"""Norms per sector or material on registries whose own lists are mapped every which way.

A municipality's own sectors and materials hang under the national lists by SKOS
mappings (docs/queries.md, normen-per-indeling): a norm on an own concept counts for the
national concept it is mapped onto and those above it; asking for an own concept equal
or close to a national one finds the norms on that national one. Two properties are
checked on seeded random own lists (trees written with skos:broader or top-down with
skos:narrower, mappings of every kind stated from either side, two municipalities in
one store), for every concept of every list, on the named query and on the tree of the
national list (web-begrip-normen, the /begrippen counts):

- one municipality's mappings never change which national norms a national concept
  has: the norms on national concepts that answer a national concept are those of the
  national lists alone (a concept close to "inwoners" and a kind of "bezoekers" made
  every norm on "inwoners" one on "bezoekers");
- the answers are those of a walk written here from the SKOS reference: up a list by
  broader or narrower read backwards, then at most one mapping (broadMatch or
  narrowMatch backwards upwards, closeMatch and exactMatch either way), then up the
  list reached.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS

from krbgraph.loading import load_paths
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.store import Store

KRB = Namespace("https://data.krb.nl/def/krb#")
NATIONAL = {
    "sector": URIRef("https://data.krb.nl/id/conceptschema/sector"),
    "materiaal": URIRef("https://data.krb.nl/id/conceptschema/materiaal"),
}
UP = (SKOS.broader, SKOS.narrower)
MAPPINGS = (SKOS.broadMatch, SKOS.narrowMatch, SKOS.closeMatch, SKOS.exactMatch)
SEEDS = range(6)
CATALOGUE = load_catalogue()


def _national(store: Store) -> tuple[Graph, dict[URIRef, str]]:
    """The national lists' SKOS triples, and each concept's list."""
    graph = Graph()
    kinds: dict[URIRef, str] = {}
    for kind, scheme in NATIONAL.items():
        rows = store.query(
            f"SELECT ?c ?p ?o WHERE {{ ?c <{SKOS.inScheme}> <{scheme}> . "
            f"OPTIONAL {{ ?c ?p ?o FILTER (?p IN (<{SKOS.broader}>, <{SKOS.narrower}>)) }} }}"
        ).rows
        for concept, predicate, value in rows:
            kinds[concept] = kind
            if predicate is not None:
                graph.add((concept, predicate, value))
    return graph, kinds


def _own_lists(rng: random.Random, national: dict[URIRef, str], city: str) -> Graph:
    """A municipality's own list per kind: a random tree, written bottom-up or top-down
    per link, with random mappings onto national concepts stated from either side."""
    graph = Graph()
    for kind in NATIONAL:
        targets = sorted(c for c, k in national.items() if k == kind)
        scheme = URIRef(f"https://{city}.nl/id/conceptschema/{kind}")
        concepts: list[URIRef] = []
        for number in range(rng.randint(4, 9)):
            concept = URIRef(f"https://{city}.nl/id/begrip/{kind}/eigen-{number}")
            graph.add((concept, RDF.type, SKOS.Concept))
            graph.add((concept, SKOS.inScheme, scheme))
            graph.add((concept, SKOS.prefLabel, Literal(f"{city} {kind} {number}", lang="nl")))
            if concepts and rng.random() < 0.7:
                parent = rng.choice(concepts)
                if rng.random() < 0.5:
                    graph.add((concept, SKOS.broader, parent))
                else:
                    graph.add((parent, SKOS.narrower, concept))
            for _ in range(rng.choice((0, 1, 1, 2))):
                mapping, target = rng.choice(MAPPINGS), rng.choice(targets)
                if mapping in (SKOS.closeMatch, SKOS.exactMatch) and rng.random() < 0.5:
                    graph.add((target, mapping, concept))  # symmetric: stated the other way
                elif mapping == SKOS.narrowMatch:
                    graph.add((target, mapping, concept))  # the national one is broader
                else:
                    graph.add((concept, mapping, target))
            concepts.append(concept)
    return graph


def _norms(rng: random.Random, concepts: list[URIRef], city: str) -> Graph:
    graph = Graph()
    for number in range(rng.randint(8, 16)):
        norm = URIRef(f"https://{city}.nl/id/beleidsnorm/N{number}")
        graph.add((norm, RDF.type, KRB.Beleidsnorm))
        for concept in rng.sample(concepts, rng.choice((1, 1, 2))):
            kind = "materiaal" if "materiaal" in str(concept) else "sector"
            graph.add((norm, KRB[kind], concept))
    return graph


def _reach(skos: Graph, start: URIRef, national: Collection[URIRef]) -> set[URIRef]:
    """Every concept a norm on ``start`` counts for, by the SKOS reference's meanings:
    up its list, one mapping, up the list reached; and every concept outside the
    national lists that is exactMatch to one of those, with what is above it."""

    def up_list(nodes: set[URIRef]) -> set[URIRef]:
        seen, todo = set(nodes), list(nodes)
        while todo:
            node = todo.pop()
            above = set(skos.objects(node, SKOS.broader)) | set(skos.subjects(SKOS.narrower, node))
            for concept in above - seen:
                seen.add(concept)  # type: ignore[arg-type]
                todo.append(concept)  # type: ignore[arg-type]
        return seen

    def both_ways(node: URIRef, relation: URIRef) -> set[URIRef]:
        return set(skos.objects(node, relation)) | set(skos.subjects(relation, node))  # type: ignore[arg-type]

    within = up_list({start})
    mapped: set[URIRef] = set()
    for node in within:
        mapped |= set(skos.objects(node, SKOS.broadMatch))  # type: ignore[arg-type]
        mapped |= set(skos.subjects(SKOS.narrowMatch, node))  # type: ignore[arg-type]
        mapped |= both_ways(node, SKOS.closeMatch) | both_ways(node, SKOS.exactMatch)
    reached = within | up_list(mapped)
    same: set[URIRef] = set()
    for node in reached:
        same |= both_ways(node, SKOS.exactMatch)
    return reached | {c for c in up_list(same) if c not in national}


def _expected(skos: Graph, norms: Graph, national: Collection[URIRef]) -> dict[URIRef, set[URIRef]]:
    """Concept -> the norms that count for it, by _reach."""
    expected: dict[URIRef, set[URIRef]] = {}
    reach: dict[URIRef, set[URIRef]] = {}
    for norm, predicate, classified in norms:
        if predicate == RDF.type or not isinstance(classified, URIRef):
            continue
        if classified not in reach:
            reach[classified] = _reach(skos, classified, national)
        for concept in reach[classified]:
            expected.setdefault(concept, set()).add(norm)  # type: ignore[arg-type]
    return expected


def _answer(store: Store, concept: URIRef) -> set[URIRef]:
    rows = run_named_query(store, CATALOGUE, "normen-per-indeling", {"begrip": str(concept)})
    return {row[0] for row in rows.rows}  # type: ignore[misc]


def _tree(store: Store) -> dict[URIRef, set[URIRef]]:
    found: dict[URIRef, set[URIRef]] = {}
    for scheme in NATIONAL.values():
        rows = run_named_query(store, CATALOGUE, "web-begrip-normen", {"schema": str(scheme)})
        for concept, norm in rows.rows:
            found.setdefault(concept, set()).add(norm)  # type: ignore[arg-type]
    return found


@pytest.fixture
def national_only(model_store: Store, tmp_path: Path) -> Iterator[tuple[Store, Graph, dict]]:
    yield model_store, *_national(model_store)


@pytest.mark.parametrize("seed", SEEDS)
def test_own_mappings_add_own_norms_and_never_move_national_ones(
    national_only: tuple[Store, Graph, dict[URIRef, str]], tmp_path: Path, seed: int
) -> None:
    store, national_skos, national = national_only
    rng = random.Random(seed)
    national_concepts = sorted(national)
    national_norms = _norms(rng, national_concepts, "landelijk-voorbeeld")
    first = tmp_path / "landelijk.ttl"
    national_norms.serialize(first, format="turtle")
    load_paths(store, [first], validate=False)
    before = {c: _answer(store, c) for c in national_concepts}

    skos, norms = Graph(), Graph()
    skos += national_skos
    norms += national_norms
    for city in ("a-stad", "b-dorp"):
        own = _own_lists(rng, national, city)
        own_concepts = sorted(set(own.subjects(RDF.type, SKOS.Concept)))  # type: ignore[arg-type]
        classified = _norms(rng, own_concepts + national_concepts, city)
        path = tmp_path / f"{city}.ttl"
        (own + classified).serialize(path, format="turtle")
        load_paths(store, [path], validate=False)
        skos += own
        norms += classified

    national_norm_iris = set(national_norms.subjects(RDF.type, KRB.Beleidsnorm))
    tree = _tree(store)
    every = sorted(
        set(skos.all_nodes()) & (set(national) | set(skos.subjects(RDF.type, SKOS.Concept)))
    )
    expected = _expected(skos, norms, set(national))
    checked = 0
    for concept in every:
        if not isinstance(concept, URIRef):
            continue
        answer = _answer(store, concept)
        assert answer == expected.get(concept, set()), concept
        if concept in national:
            assert answer & national_norm_iris == before[concept], concept
            assert tree.get(concept, set()) == answer, concept
        checked += bool(answer - national_norm_iris)
    assert checked, "no own norm reached any concept: the registry tests nothing"

    # The tree of an own list (/begrippen) nests a concept under the one above it,
    # whichever way round the list says so.
    for city in ("a-stad", "b-dorp"):
        scheme = f"https://{city}.nl/id/conceptschema/sector"
        rows = run_named_query(store, CATALOGUE, "web-schema-begrippen", {"schema": scheme})
        shown = {(row["begrip"], row["boven"]) for row in rows.dicts() if row.get("boven")}
        said = {
            (below, above)
            for below, above in (
                *skos.subject_objects(SKOS.broader),
                *((b, a) for a, b in skos.subject_objects(SKOS.narrower)),
            )
            if str(below).startswith(f"https://{city}.nl/id/begrip/sector/")
        }
        assert shown == said, scheme
