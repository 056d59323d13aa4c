"""What one write changes in the derived graph, computed from the write alone.

The derived graph (krbgraph.derived) holds the dates in force of documents,
instruments and their links, the spatial relations of areas and the indicator each
effect acts on. Computing it for the whole store reads every document, norm and
effect: about 8 s at a million triples, which every write paid after its commit
while the write lock was held. A write changes only a few periods, and which ones
follows from the rules in krbgraph.derived:

- a resource's own facts (type, dates, status, replacement, document, period,
  measure and target) change its own period; a decision's date or kind
  (``dct:date``, ``krb:besluitsoort``) the period of the documents it generated
  (``prov:generated``), and a ``dcat:startDate``/``endDate`` that of the
  instrument whose ``dct:temporal`` it is;
- a document's start is the end of every document it replaces;
- a document's period bounds its instruments' (``krb:document``), and an
  instrument's bounds the effects and uitvoeringen that point at it.

So the periods to recompute are the resources the changed triples are about,
followed up those three steps on the replica (which holds the state after the
write); their facts, and those of what they read, are read for those resources
only. A changed geometry recomputes only the pairs of areas it is part of.

``krb:ligtBinnen`` (every area an area lies in) changes for the areas whose own
``krb:ligtIn`` or ``geo:sfWithin`` changed (declared, or derived from a changed
geometry) and for every area that lies in one of them after the write: below such an
area nothing changed, so whatever lies in it reaches it as before. Their closure is
computed again from the edges after the write: the replica's declared ones and the
derived ``geo:sfWithin`` as the stored derived graph holds it, less the changed
areas' pairs, with their new ones.

``krb:werktOpIndicator`` (the indicator an effect acts on, krbgraph.effect_targets)
changes for the subject of a changed ``krb:doelIndicator`` or ``krb:norm``, and for
every effect whose ``krb:norm`` is the norm of a changed ``krb:indicator`` (on the
replica); theirs are read again from the replica.

The closure is bounded (krbgraph.containment.MAX_ENCLOSING): an area that would lie in
too many others raises TooDeeplyNested, and the write is refused.

The result is one SPARQL update that replaces exactly those derived triples; the
write sends it in the same update as the change itself (krbgraph.commit), so the
derived graph can never be a write behind. ``tests/test_derived_change.py``
replays random writes and compares the graph kept this way with one derived from
scratch after every write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import OWL, RDF, Literal, URIRef

from .containment import containment_triples
from .derived import (
    CONTAINMENT_PREDICATES,
    DERIVED_GRAPH,
    PERIOD_PREDICATES,
    RULES_VERSION,
    SPATIAL_PREDICATES,
    SparqlSource,
    Triples,
    area_geometries,
    derive,
    lifecycle_periods,
    period_triples,
    read_facts,
    spatial_triples,
)
from .effect_targets import TARGET_PREDICATES, target_seeds, target_triples
from .entailed_types import TypeRules, entailed_types, type_rules, type_triples
from .namespaces import GEO, KRB
from .replica import Change, ValidationReplica

__all__ = ["ENCLOSED_WHOLE_ABOVE", "DerivedChange", "WHOLE_ABOVE", "derived_change"]

WHOLE_ABOVE = 20_000
"""More periods to recompute than this (a re-uploaded registry that changed
everywhere): the whole graph is derived again instead (from the replica, before the
commit, so what cannot be derived refuses the write), which then costs less than
naming every resource in the update; it replaces the stored one after the commit."""

ENCLOSED_WHOLE_ABOVE = 100_000
"""More areas whose closure changes than this: the whole graph is derived again.
Higher than for periods: a municipality that now lies in another province moves
all its areas (41,000 in a registry of a million triples), which costs 2 s to
compute and 5 s to write here, against 15 s for the whole derived graph of that
registry and ten times that for a national store."""

_ELI = "http://data.europa.eu/eli/ontology#"
_DCT = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"
_ADMS = "http://www.w3.org/ns/adms#"
_PROV = "http://www.w3.org/ns/prov#"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

_OWN = frozenset(
    {
        _RDF_TYPE,
        f"{_ELI}first_date_entry_in_force",
        f"{_ELI}date_document",
        f"{_ELI}date_no_longer_in_force",
        f"{_ADMS}status",
        f"{_DCT}isReplacedBy",
        f"{_DCT}temporal",
        f"{KRB}document",
        f"{KRB}maatregel",
        f"{KRB}norm",
        f"{KRB}regel",
        f"{KRB}doelIndicator",
    }
)
"""Predicates whose triples are facts of their subject's own period."""

_OF_OBJECT = frozenset({f"{_DCT}replaces", f"{_PROV}generated"})
"""Predicates whose triples are facts of their object's period (the replaced document,
the adopted one)."""

_PERIOD_BOUNDS = frozenset({f"{_DCAT}startDate", f"{_DCAT}endDate"})
_DECISION = frozenset({f"{_DCT}date", f"{KRB}besluitsoort"})
_GEOMETRY = frozenset({f"{GEO}hasGeometry", f"{GEO}asWKT"})
_AREA = f"{KRB}Werkingsgebied"

_TEMPORAL = ox.NamedNode(f"{_DCT}temporal")
_GENERATED = ox.NamedNode(f"{_PROV}generated")
_HAS_GEOMETRY = ox.NamedNode(f"{GEO}hasGeometry")
_REPLACED_BY = ox.NamedNode(f"{_DCT}isReplacedBy")
_REPLACES = ox.NamedNode(f"{_DCT}replaces")
_DOCUMENT = ox.NamedNode(f"{KRB}document")
_LINK_TARGETS = tuple(
    ox.NamedNode(f"{KRB}{name}") for name in ("maatregel", "norm", "regel", "doelIndicator")
)


@dataclass(frozen=True)
class DerivedChange:
    """What a write does to the derived graph: ``update`` (SPARQL, "" for nothing), or
    when too much changed to name, the whole graph again (``replacement``)."""

    update: str = ""
    replacement: Triples | None = None
    """The whole derived graph after the write, to replace it with after the commit:
    computed before, so a write whose data cannot be derived (krbgraph.containment.
    TooDeeplyNested) is refused before anything is written."""
    periods: int = 0
    """How many resources' periods ``update`` recomputes."""
    areas: int = 0
    """How many areas' spatial relations ``update`` recomputes."""
    enclosed: int = 0
    """How many areas' krb:ligtBinnen ``update`` recomputes."""
    effects: int = 0
    """How many effects' krb:werktOpIndicator ``update`` recomputes."""

    @property
    def whole(self) -> bool:
        """Whether the write replaces the whole derived graph."""
        return self.replacement is not None


def derived_change(
    replica: ValidationReplica, change: Change, stored: SparqlSource
) -> DerivedChange:
    """The derived graph's change for ``change``; ``replica`` holds the state after it,
    ``stored`` the derived graph before it (the store the change is for). Raises
    TooDeeplyNested for areas that would lie in too many others."""
    quads = change.added | change.removed
    rules = type_rules(replica)
    if _below_the_model_changed(quads, rules):
        # Which resources get which model class may change everywhere
        # (krbgraph.entailed_types). Rare: a registry's own ontology changed.
        return DerivedChange(replacement=derive(replica))
    subjects = _period_seeds(replica, quads)
    if len(subjects) > WHOLE_ABOVE:
        return DerivedChange(replacement=derive(replica))
    subjects = _with_dependents(replica, subjects)
    if len(subjects) > WHOLE_ABOVE:
        return DerivedChange(replacement=derive(replica))
    areas = _changed_areas(replica, quads, rules)
    effects = target_seeds(quads, lambda p, o: replica.quads_matching(None, p, o))
    if len(effects) > WHOLE_ABOVE:
        return DerivedChange(replacement=derive(replica))

    parts: list[str] = []
    inserted: list[tuple[URIRef, URIRef, URIRef | Literal]] = []
    typed = {
        q.subject.value
        for q in quads
        if q.predicate.value == _RDF_TYPE and isinstance(q.subject, ox.NamedNode)
    }
    if typed and (rules.own or _holds_entailed(stored)):
        if len(typed) > WHOLE_ABOVE:
            return DerivedChange(replacement=derive(replica))
        parts.append(_delete_of(typed, (RDF.type,), both_ends=False))
        inserted.extend(type_triples(entailed_types(replica, rules, typed)))
    if subjects:
        parts.append(_delete_of(subjects, PERIOD_PREDICATES, both_ends=False))
        needed = _with_dependencies(replica, subjects)
        periods = lifecycle_periods(read_facts(replica, needed, rules=rules))
        for subject in sorted(subjects):
            if subject in periods:
                inserted.extend(period_triples(subject, periods[subject]))
    if effects:
        parts.append(_delete_of(effects, TARGET_PREDICATES, both_ends=False))
        inserted.extend(target_triples(replica, effects))
    within: set[tuple[str, str]] = set()
    if areas:
        parts.append(_delete_of(areas, SPATIAL_PREDICATES, both_ends=True))
        geometries = area_geometries(replica, rules)
        spatial = spatial_triples(geometries, involving=areas & geometries.keys())
        inserted.extend(spatial)
        within = {(str(s), str(o)) for s, p, o in spatial if p == GEO.sfWithin}
    edges = _Containment(replica, stored, areas, within)
    enclosed = edges.affected(quads)
    if len(enclosed) > ENCLOSED_WHOLE_ABOVE:
        return DerivedChange(replacement=derive(replica))
    if enclosed:
        parts.append(_delete_of(enclosed, CONTAINMENT_PREDICATES, both_ends=False))
        inserted.extend(containment_triples(edges.parents_up_from(enclosed), of=enclosed))
    if inserted:
        # The rules that derived it, as derive() says: a graph that was empty before (a
        # store whose data derived nothing) was left without, and the next command took
        # it for an older release's and derived the whole store again.
        inserted.append((URIRef(DERIVED_GRAPH), OWL.versionInfo, Literal(RULES_VERSION)))
        body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in inserted)
        parts.append(f"INSERT DATA {{ GRAPH <{DERIVED_GRAPH}> {{\n{body}\n}} }}")
    return DerivedChange(
        " ;\n".join(parts), None, len(subjects), len(areas), len(enclosed), len(effects)
    )


_LIGT_IN = ox.NamedNode(f"{KRB}ligtIn")
_SF_WITHIN = ox.NamedNode(f"{GEO}sfWithin")
_EDGES = (_LIGT_IN, _SF_WITHIN)
_LOOKUP_BATCH = 500
"""Areas per query on the stored derived graph."""


class _Containment:
    """The edges ``krb:ligtBinnen`` closes over, as they are after the write: the
    declared ones in the replica, and the derived geo:sfWithin of the stored graph
    without the pairs of ``areas`` (whose geometry changed), with ``within``, their
    pairs now."""

    def __init__(
        self,
        replica: ValidationReplica,
        stored: SparqlSource,
        areas: set[str],
        within: set[tuple[str, str]],
    ) -> None:
        self._replica = replica
        self._stored = stored
        self._areas = areas
        self._within = within

    def affected(self, quads: Iterable[ox.Quad]) -> set[str]:
        """The areas whose krb:ligtBinnen the change can alter: those whose own edges
        changed, and everything that lies in one of them after the write."""
        seeds = set(self._areas)
        for quad in quads:
            if quad.predicate in _EDGES:
                iri = _iri(quad.subject)
                if iri is not None:
                    seeds.add(iri)
        # What lay in a changed area by its old geometry may lie there no longer.
        seeds.update(inner for inner, _ in self._stored_within(self._areas, inward=True))
        found = set(seeds)
        frontier = seeds
        while frontier:
            children = self._neighbours(frontier, inward=True)
            frontier = {c for nodes in children.values() for c in nodes} - found
            found |= frontier
            if len(found) > ENCLOSED_WHOLE_ABOVE:
                break
        return found

    def parents_up_from(self, nodes: set[str]) -> dict[str, set[str]]:
        """The outward edges of ``nodes`` and of everything above them."""
        parents: dict[str, set[str]] = {}
        frontier = set(nodes)
        while frontier:
            found = self._neighbours(frontier, inward=False)
            parents.update(found)
            frontier = {p for outer in found.values() for p in outer} - parents.keys()
        return parents

    def _neighbours(self, nodes: set[str], *, inward: bool) -> dict[str, set[str]]:
        """Per node, the areas that lie in it (``inward``) or that it lies in."""
        found: dict[str, set[str]] = {node: set() for node in nodes}
        for node in nodes:
            iri = ox.NamedNode(node)
            for predicate in _EDGES:
                if inward:
                    found[node].update(_subjects(self._replica, predicate, iri))
                else:
                    found[node].update(_objects(self._replica, iri, predicate))
        for inner, outer in self._stored_within(nodes, inward=inward):
            if inner not in self._areas and outer not in self._areas:
                found[outer if inward else inner].add(inner if inward else outer)
        for inner, outer in self._within:
            if inward and outer in found:
                found[outer].add(inner)
            elif not inward and inner in found:
                found[inner].add(outer)
        return found

    def _stored_within(self, nodes: set[str], *, inward: bool) -> list[tuple[str, str]]:
        """The stored derived geo:sfWithin pairs (inner, outer) with ``nodes`` as outer
        (``inward``) or as inner."""
        pairs: list[tuple[str, str]] = []
        ordered = sorted(nodes)
        end = "?outer" if inward else "?inner"
        for start in range(0, len(ordered), _LOOKUP_BATCH):
            values = " ".join(str(ox.NamedNode(n)) for n in ordered[start : start + _LOOKUP_BATCH])
            rows = self._stored.query(
                f"SELECT ?inner ?outer WHERE {{ VALUES {end} {{ {values} }} "
                f"GRAPH <{DERIVED_GRAPH}> {{ ?inner <{GEO}sfWithin> ?outer }} }}"
            ).rows
            pairs.extend(
                (str(i), str(o)) for i, o in rows if isinstance(i, URIRef) and isinstance(o, URIRef)
            )
        return pairs


def _iri(term: object) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def _period_seeds(replica: ValidationReplica, quads: Iterable[ox.Quad]) -> set[str]:
    """The resources whose own facts the changed quads are."""
    seeds: set[str] = set()

    def add(term: object) -> None:
        iri = _iri(term)
        if iri is not None:
            seeds.add(iri)

    for quad in quads:
        predicate = quad.predicate.value
        if predicate in _OWN:
            add(quad.subject)
        elif predicate in _OF_OBJECT:
            add(quad.object)
        elif predicate in _PERIOD_BOUNDS:
            for owner in replica.quads_matching(None, _TEMPORAL, quad.subject):
                add(owner.subject)
        elif predicate in _DECISION:
            for generated in replica.quads_matching(quad.subject, _GENERATED, None):
                add(generated.object)
    return seeds


def _with_dependents(replica: ValidationReplica, seeds: set[str]) -> set[str]:
    """``seeds`` and every resource whose period reads theirs: the documents they
    replace, and those these replace (whether a successor ends its predecessor reads
    the successor's own end, which its own successors may set), then the instruments
    of those documents, then the links to those."""
    found = set(seeds)
    frontier = set(seeds)
    while frontier:  # a successor's status and end decide whether it ends what it replaces
        replaced: set[str] = set()
        for iri in frontier:
            node = ox.NamedNode(iri)
            replaced.update(_subjects(replica, _REPLACED_BY, node))
            replaced.update(_objects(replica, node, _REPLACES))
        frontier = replaced - found
        found |= frontier
    for iri in list(found):
        found.update(_subjects(replica, _DOCUMENT, ox.NamedNode(iri)))
    for iri in list(found):
        node = ox.NamedNode(iri)
        for predicate in _LINK_TARGETS:
            found.update(_subjects(replica, predicate, node))
    return found


def _with_dependencies(replica: ValidationReplica, subjects: set[str]) -> set[str]:
    """``subjects`` and everything their periods read: a link's measure and target, an
    instrument's document, a document's successors (whose start ends it)."""
    needed = set(subjects)
    frontier = set(subjects)
    while frontier:
        found: set[str] = set()
        for iri in frontier:
            node = ox.NamedNode(iri)
            for predicate in (_DOCUMENT, _REPLACED_BY, *_LINK_TARGETS):
                found.update(_objects(replica, node, predicate))
            found.update(_subjects(replica, _REPLACES, node))
        frontier = found - needed
        needed |= frontier
    return needed


def _below_the_model_changed(quads: Iterable[ox.Quad], rules: TypeRules) -> bool:
    """Whether a changed rdfs:subClassOf reaches the model's classes: one to a model class
    or an own class below one, or from an own class (as the replica has them after the
    change; one removed from below the model pointed at a class still in it)."""
    linked = rules.supers.keys() | rules.own.keys()
    return any(
        quad.predicate.value == _SUBCLASS_OF
        and (_iri(quad.object) in linked or _iri(quad.subject) in rules.own)
        for quad in quads
    )


def _holds_entailed(stored: SparqlSource) -> bool:
    """Whether the stored derived graph types anything: a registry without own classes
    now may have had some before this write."""
    query = f"SELECT ?s WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s a ?c }} }} LIMIT 1"
    return bool(stored.query(query).rows)


def _changed_areas(
    replica: ValidationReplica, quads: Iterable[ox.Quad], rules: TypeRules
) -> set[str]:
    """Areas whose geometry (or whether they are an area) the change touches."""
    areas: set[str] = set()
    for quad in quads:
        predicate = quad.predicate.value
        if predicate == f"{GEO}asWKT":
            areas.update(_subjects(replica, _HAS_GEOMETRY, quad.subject))
        elif predicate in _GEOMETRY or (
            predicate == _RDF_TYPE
            and isinstance(quad.object, ox.NamedNode)
            and rules.specialises(quad.object.value, _AREA)
        ):
            iri = _iri(quad.subject)
            if iri is not None:
                areas.add(iri)
    return areas


def _subjects(replica: ValidationReplica, predicate: ox.NamedNode, node: object) -> set[str]:
    """The IRIs that point at ``node`` with ``predicate``."""
    return _iris(q.subject for q in replica.quads_matching(None, predicate, node))


def _objects(replica: ValidationReplica, node: ox.NamedNode, predicate: ox.NamedNode) -> set[str]:
    """The IRIs ``node`` points at with ``predicate``."""
    return _iris(q.object for q in replica.quads_matching(node, predicate, None))


def _iris(terms: Iterable[object]) -> set[str]:
    return {term.value for term in terms if isinstance(term, ox.NamedNode)}


def _delete_of(nodes: set[str], predicates: Iterable[URIRef], *, both_ends: bool) -> str:
    """An update removing the derived triples with these predicates about ``nodes`` (as
    subject, and with ``both_ends`` as object too)."""
    values = " ".join(f"<{iri}>" for iri in sorted(nodes))
    allowed = ", ".join(p.n3() for p in predicates)
    pattern = f"{{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
    if both_ends:
        pattern += f" UNION {{ VALUES ?o {{ {values} }} ?s ?p ?o }}"
    return (
        f"DELETE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{DERIVED_GRAPH}> "
        f"{{ {pattern} FILTER (?p IN ({allowed})) }} }}"
    )
