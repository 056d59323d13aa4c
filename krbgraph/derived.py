"""Facts the registry derives from its own data after every write.

Two questions recur in almost every named query and would otherwise be repeated in
each of them, in SPARQL that grows with every rule:

- *Is this in force on day D?* A norm without a period of its own follows its
  document, a document runs from its entry into force (or else the decision that
  adopted it, or else its own date) until it is withdrawn or replaced, an effect
  counts while both its measure and its norm do. The rules are in the "Lifecycle" section of
  ontology/krb.ttl; here they become two dates per resource, ``krb:geldigVanaf`` and
  ``krb:geldigTot`` (inclusive), or ``krb:nietInWerking true`` when there is no
  such day. A resource with neither date is in force on every day.
- *Which area lies in which?* Beside the declared ``krb:ligtIn``, areas with a
  geometry get ``geo:sfWithin`` and ``geo:sfOverlaps`` computed with shapely
  (krbgraph.geometry), so the queries need no GeoSPARQL engine and run the same on
  every backend. ``krb:ligtBinnen`` then holds every area an area lies in, directly
  or not, by either relation: the closure of ``krb:ligtIn | geo:sfWithin``, so that
  "policy set here or around here" is one index lookup per candidate where the
  property path walked the hierarchy each time (7,000 norms tested against one area:
  0.33 s to 0.14 s at a million triples).

All go into one managed graph (``DERIVED_GRAPH``), which also says by which rules it
was derived (``owl:versionInfo`` of the graph, a digest of these modules): a store
derived by an older release is derived again when it is opened (``ensure_current``),
so an upgrade that adds or changes a rule never leaves answers built on the old ones.
The service's writes change it by what they change (krbgraph.derived_change), in
the same update as the data; loading files, dropping a graph and the writes that
change too much to name replace it as a whole after their commit, with the graph
marked stale before it (``mark_stale``): a crash in between leaves a store that is
derived again when it is next opened.

The closure is bounded: an area may lie in at most ``MAX_ENCLOSING`` others
(krbgraph.containment), or the derivation refuses (``TooDeeplyNested``) and a
validated write or load with it (krbgraph.nesting_check): its size would otherwise
grow with the square of how deep areas nest, which a few thousand areas in a chain
turn into gigabytes.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, XSD

from .containment import MAX_ENCLOSING, containment_triples, declared_containment, parents_of
from .derived_stale import STALE, Rederivation, mark_stale, stale_during
from .model import DERIVED_GRAPH
from .namespaces import BEGRIP, GEO, KRB
from .store import Store, StoreError
from .store.base import SparqlSource
from .store.terms import ToOxigraph
from .store.write_claim import turn_for

logger = logging.getLogger(__name__)

__all__ = [
    "DERIVED_GRAPH",
    "CONTAINMENT_PREDICATES",
    "PERIOD_PREDICATES",
    "RULES_VERSION",
    "STALE",
    "SPATIAL_PREDICATES",
    "SparqlSource",
    "Period",
    "Rederivation",
    "area_geometries",
    "area_triples",
    "derive",
    "ensure_current",
    "mark_stale",
    "stale_during",
    "lifecycle_periods",
    "period_triples",
    "read_facts",
    "refresh",
    "replace",
    "spatial_triples",
]

_ELI = "http://data.europa.eu/eli/ontology#"
_DCT = "http://purl.org/dc/terms/"
_DCAT = "http://www.w3.org/ns/dcat#"
_ADMS = "http://www.w3.org/ns/adms#"
_PROV = "http://www.w3.org/ns/prov#"

_DRAFT = str(BEGRIP["status/ontwerp"])
_ENDED = {str(BEGRIP["status/ingetrokken"]), str(BEGRIP["status/vervallen"])}
_ADVICE = str(BEGRIP["besluitsoort/mer-advies"])
"""An advice prepares a decision; it never adopts a document."""


@dataclass
class Period:
    """Days in force: ``start``..``end`` inclusive, None for open; ``never`` for none."""

    start: date | None = None
    end: date | None = None
    never: bool = False

    def within(self, other: Period) -> Period:
        """The days in force in both."""
        starts = [d for d in (self.start, other.start) if d is not None]
        ends = [d for d in (self.end, other.end) if d is not None]
        period = Period(
            max(starts) if starts else None, min(ends) if ends else None, self.never or other.never
        )
        if period.start and period.end and period.start > period.end:
            period.never = True
        return period

    @property
    def constrained(self) -> bool:
        return self.never or self.start is not None or self.end is not None


@dataclass
class _Facts:
    """What the lifecycle rules read, one multi-valued map per relation."""

    kinds: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    values: dict[str, dict[str, list]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def first(self, relation: str, subject: str) -> list:
        return self.values[relation].get(subject, [])


# Each relation is one plain query: joining them in SPARQL would multiply rows for
# resources with several values, and each is a single index scan.
_RELATIONS: dict[str, str] = {
    "in_force": f"?s <{_ELI}first_date_entry_in_force> ?o",
    "dated": f"?s <{_ELI}date_document> ?o",
    "no_longer": f"?s <{_ELI}date_no_longer_in_force> ?o",
    "status": f"?s <{_ADMS}status> ?o",
    "replaced_by": f"{{ ?s <{_DCT}isReplacedBy> ?o }} UNION {{ ?o <{_DCT}replaces> ?s }}",
    "document": f"?s <{KRB}document> ?o",
    "own_start": f"?s <{_DCT}temporal>/<{_DCAT}startDate> ?o",
    "own_end": f"?s <{_DCT}temporal>/<{_DCAT}endDate> ?o",
    "measure": f"?s <{KRB}maatregel> ?o",
    "target": f"?s <{KRB}norm>|<{KRB}regel>|<{KRB}doelIndicator> ?o",
    "adopted": (
        f"?b <{_PROV}generated> ?s ; <{_DCT}date> ?o . "
        f"FILTER NOT EXISTS {{ ?b <{KRB}besluitsoort> <{_ADVICE}> }}"
    ),
}

_KINDS: dict[str, tuple[str, ...]] = {
    "document": (str(KRB.Besluitdocument),),
    "instrument": (
        str(KRB.Beleidsnorm),
        str(KRB.Beleidsregel),
        str(KRB.Beleidsmaatregel),
        str(KRB.MerMaatregel),
    ),
    "link": (str(KRB.BeoogdEffect), str(KRB.BeoogdeUitvoering)),
}


def read_facts(source: SparqlSource, subjects: Collection[str] | None = None) -> _Facts:
    """What the rules read, for every resource or only for ``subjects`` (IRIs)."""
    facts = _Facts()
    if subjects is None:
        restrict = ""
        for kind, classes in _KINDS.items():
            values = " ".join(f"<{c}>" for c in classes)
            result = source.query(
                f"SELECT DISTINCT ?s WHERE {{ VALUES ?c {{ {values} }} ?s a ?c }}"
            )
            facts.kinds[kind] = {str(s) for (s,) in result.rows if isinstance(s, URIRef)}
    else:
        if not subjects:
            return facts
        # The listed subjects first: the engine starts from them, not from a class.
        restrict = "VALUES ?s { " + " ".join(f"<{s}>" for s in sorted(subjects)) + " } "
        kind_of = {c: kind for kind, classes in _KINDS.items() for c in classes}
        for subject, cls in source.query(f"SELECT ?s ?c WHERE {{ {restrict}?s a ?c }}").rows:
            found = kind_of.get(str(cls))
            if found is not None and isinstance(subject, URIRef):
                facts.kinds[found].add(str(subject))
    for relation, pattern in _RELATIONS.items():
        result = source.query(f"SELECT DISTINCT ?s ?o WHERE {{ {restrict}{pattern} }}")
        for subject, value in result.rows:
            if isinstance(subject, URIRef) and value is not None:
                facts.values[relation][str(subject)].append(_python(value))
    return facts


def _python(term: object) -> object:
    if isinstance(term, Literal):
        value = term.toPython()
        return value if isinstance(value, date) else None
    return str(term)


def _dates(values: Iterable[object]) -> list[date]:
    return [v for v in values if isinstance(v, date)]


def lifecycle_periods(facts: _Facts) -> dict[str, Period]:
    """The period in force of every document, instrument, effect and uitvoering that has
    any constraint (resources without one are in force on every day)."""
    documents: dict[str, Period] = {}

    def own_status(subject: str, has_end: bool) -> bool:
        statuses = set(facts.first("status", subject))
        return _DRAFT in statuses or (bool(statuses & _ENDED) and not has_end)

    def document_start(doc: str) -> date | None:
        entry = _dates(facts.first("in_force", doc))
        if entry:
            return min(entry)
        adopted = _dates(facts.first("adopted", doc))
        if adopted:
            return max(adopted)
        # No adopting decision recorded (an EIA report has only an advice): the
        # document cannot be in force before it existed.
        dated = _dates(facts.first("dated", doc))
        return min(dated) if dated else None

    def successor_starts(doc: str) -> list[date | None]:
        """The days the documents replacing ``doc`` come into force. A successor that
        never does (a draft; withdrawn before it took effect: its end before its start)
        ends nothing; the documents that replaced it in turn take its place, so a
        chain A -> B -> C with B annulled ends A when C comes into force. Successors
        come first (_successors_first), so their periods are known, unless a cycle of
        replacements (refused by the shapes) left one out: then its status decides."""
        starts: list[date | None] = []
        pending, seen = list(replaced_by.get(doc, ())), {doc}
        while pending:
            successor = pending.pop()
            if successor in seen:
                continue
            seen.add(successor)
            known = documents.get(successor)
            if known is None:
                ended = bool(facts.first("no_longer", successor))
                never = own_status(successor, ended)
            else:
                never = known.never
            if never:
                pending.extend(replaced_by.get(successor, ()))
            else:
                starts.append(document_start(successor))
        return starts

    replaced_by = {
        doc: [str(s) for s in facts.first("replaced_by", doc)] for doc in facts.kinds["document"]
    }
    for doc in _successors_first(replaced_by):
        ends = _dates(facts.first("no_longer", doc))
        end = min(ends) if ends else None
        if end is None:
            starts = [d for d in successor_starts(doc) if isinstance(d, date)]
            if starts:
                end = min(starts) - timedelta(days=1)
        period = Period(document_start(doc), end, own_status(doc, end is not None))
        documents[doc] = period.within(Period())

    instruments: dict[str, Period] = {}
    for subject in facts.kinds["instrument"]:
        starts = _dates(facts.first("own_start", subject))
        ends = _dates(facts.first("own_end", subject))
        period = Period(min(starts) if starts else None, max(ends) if ends else None)
        for doc in facts.first("document", subject):
            period = period.within(documents.get(str(doc), Period()))
        # Lapsed or withdrawn is "never in force" only without a last day: a norm that
        # lapsed with its document was in force while the document was.
        period.never = period.never or own_status(subject, period.end is not None)
        instruments[subject] = period

    links: dict[str, Period] = {}
    for subject in facts.kinds["link"]:
        period = Period()
        for other in facts.first("measure", subject) + facts.first("target", subject):
            period = period.within(instruments.get(str(other), Period()))
        links[subject] = period

    every = {**documents, **instruments, **links}
    return {subject: period for subject, period in every.items() if period.constrained}


def _successors_first(successors: dict[str, list[str]]) -> list[str]:
    """The documents of ``successors`` (document -> the documents replacing it), each
    after those replacing it, so a document's end can read theirs. Depth first without
    recursion (a chain of thousands of replacements); a cycle is broken anywhere."""
    order: list[str] = []
    seen: set[str] = set()
    for root in successors:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(successors[root]))]
        while stack:
            node, pending = stack[-1]
            for successor in pending:
                if successor in successors and successor not in seen:
                    seen.add(successor)
                    stack.append((successor, iter(successors[successor])))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


_FROM, _UNTIL, _NEVER = KRB.geldigVanaf, KRB.geldigTot, KRB.nietInWerking
_TRUE = Literal(True)


@lru_cache(maxsize=65_536)
def _date_literal(day: date) -> Literal:
    """One xsd:date literal per day: a registry's 60,000 periods share a few thousand
    days, and rdflib takes 10 microseconds to make each literal."""
    return Literal(day, datatype=XSD.date)


def period_triples(subject: str, period: Period) -> list[tuple[URIRef, URIRef, Literal]]:
    """The derived triples that say ``period`` of ``subject``."""
    node = URIRef(subject)
    if period.never:
        return [(node, _NEVER, _TRUE)]
    triples = []
    if period.start is not None:
        triples.append((node, _FROM, _date_literal(period.start)))
    if period.end is not None:
        triples.append((node, _UNTIL, _date_literal(period.end)))
    return triples


Triples = list[tuple[URIRef, URIRef, Literal | URIRef]]
"""Derived triples, each once."""

PERIOD_PREDICATES = (KRB.geldigVanaf, KRB.geldigTot, KRB.nietInWerking)
SPATIAL_PREDICATES = (GEO.sfWithin, GEO.sfOverlaps)
CONTAINMENT_PREDICATES = (KRB.ligtBinnen,)


def _rules_version() -> str:
    """A digest of the modules that decide what the derived graph holds."""
    digest = hashlib.sha256()
    for name in ("derived.py", "derived_change.py", "containment.py", "geometry.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


RULES_VERSION = _rules_version()
"""Which rules derived a graph: its ``owl:versionInfo``."""

_VERSION_QUERY = (
    f"SELECT ?version WHERE {{ GRAPH <{DERIVED_GRAPH}> "
    f"{{ <{DERIVED_GRAPH}> <{OWL.versionInfo}> ?version }} }}"
)


def derive(store: SparqlSource, *, lenient: bool = False) -> Triples:
    """The triples of the derived graph for the store's current data (not written), each
    once, with the version of the rules. A list, not an rdflib Graph: adding 77,000
    triples to one took a second at a million triples, and the store takes the triples
    as they are. TooDeeplyNested for areas nested too deep, or with ``lenient`` those
    areas left out of the closure (for data already stored, which must stay servable)."""
    triples: dict[tuple[URIRef, URIRef, Literal | URIRef], None] = {}
    for subject, period in lifecycle_periods(read_facts(store)).items():
        triples.update(dict.fromkeys(period_triples(subject, period)))
    triples.update(dict.fromkeys(area_triples(store, lenient=lenient)))
    if triples:  # nothing derived, no graph: a store without data lists no derived graph
        triples[(URIRef(DERIVED_GRAPH), OWL.versionInfo, Literal(RULES_VERSION))] = None
    return list(triples)


_GEOMETRIES = f"""
SELECT ?area ?wkt WHERE {{
  ?area a <{KRB}Werkingsgebied> ;
        <{GEO}hasGeometry>/<{GEO}asWKT> ?wkt .
}}
"""


def area_geometries(source: SparqlSource) -> dict[str, str]:
    """Every area's WKT (the first, when an area has several)."""
    areas: dict[str, str] = {}
    for area, wkt in source.query(_GEOMETRIES).rows:
        if isinstance(area, URIRef) and wkt is not None:
            areas.setdefault(str(area), str(wkt))
    return areas


def spatial_triples(
    areas: dict[str, str], involving: Collection[str] | None = None, *, lenient: bool = False
) -> list[tuple[URIRef, URIRef, URIRef]]:
    """geo:sfWithin and geo:sfOverlaps (both ways) between ``areas`` by their geometry;
    with ``involving``, only the pairs with one of those areas. TooDeeplyNested as soon
    as an area lies within more than MAX_ENCLOSING of them, or with ``lenient`` such
    areas left out, with a warning in the log."""
    if len(areas) < 2:
        return []
    from .geometry import spatial_relations  # shapely: paid for only when deriving

    relations = spatial_relations(areas, involving, max_enclosing=MAX_ENCLOSING, lenient=lenient)
    triples = [(URIRef(inner), GEO.sfWithin, URIRef(outer)) for inner, outer in relations.within]
    for first, second in relations.overlaps:
        triples.append((URIRef(first), GEO.sfOverlaps, URIRef(second)))
        triples.append((URIRef(second), GEO.sfOverlaps, URIRef(first)))
    return triples


def area_triples(store: SparqlSource, *, lenient: bool = False) -> Triples:
    """What derive derives of where areas lie: their spatial relations and the closure
    ``krb:ligtBinnen`` (alone, for `krb validate`, which needs only to know whether it
    can be derived: at a million triples 0.8 s of the 2.6 s the whole takes)."""
    spatial = spatial_triples(area_geometries(store), lenient=lenient)
    edges = declared_containment(store)
    edges.extend((str(s), str(o)) for s, p, o in spatial if p == GEO.sfWithin)
    return [*spatial, *containment_triples(parents_of(edges), lenient=lenient)]


def ensure_current(store: Store, announce: Callable[[Rederivation], None] | None = None) -> bool:
    """Derive the whole graph again when these rules did not derive it (a store of an
    older release, or one loaded from a dump); True when it did so.

    ``announce`` is told why first, when a derived graph is there but not of these rules:
    on a store of millions of triples deriving takes minutes, and a command or service
    that says nothing meanwhile looks hung. (A store without one is new or empty, or its
    restore says so itself.)

    A store that cannot be written (a read-only SPARQL server) is left as it is, with a
    warning in the log: its answers are those of the rules that derived it. A store
    from which nothing is derived (no data) has no graph to say so and is looked at
    again at every opening, which costs what its few queries cost.
    """
    found = {str(version) for (version,) in store.query(_VERSION_QUERY).rows}
    if found == {RULES_VERSION}:
        return False
    if found and announce is not None:
        announce(Rederivation(cut_off=STALE in found))
    try:
        size = refresh(store)
    except StoreError as exc:
        logger.warning("the derived graph is of other rules and cannot be derived again: %s", exc)
        return False
    logger.info("derived graph derived again by the current rules: %d triples", size)
    return True


_DROP = f"DROP SILENT GRAPH <{DERIVED_GRAPH}>"


def refresh(store: Store) -> int:
    """Recompute the derived graph from the store and replace it; returns its size.

    For data already written (a load without validation, a dropped graph, an upgrade):
    areas nested too deep are left out of the closure with a warning rather than
    refused, so such a store can still be opened and served. Raises StoreError like
    any store write. On a shared server it is one turn (krbgraph.store.write_claim), so
    no other writer's change lands between the reading and the writing.
    """
    with turn_for(store):
        return replace(store, derive(store, lenient=True))


def replace(store: Store, triples: Triples) -> int:
    """Replace the derived graph by ``triples`` (from ``derive``); returns their number.

    A validated load derives them from its in-memory copy before it writes (20 %
    faster than reading the store on disk afterwards) and replaces them here after.
    Raises StoreError like any store write.
    """
    if not triples:  # no graph, as before a mark_stale: a store without data lists none
        store.update(_DROP, repeatable=True)
        return 0
    store.write_graphs({DERIVED_GRAPH: ToOxigraph().triples(triples)}, replace=True)
    return len(triples)
