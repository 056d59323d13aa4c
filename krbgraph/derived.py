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
- *Which indicator does this effect act on?* ``krb:werktOpIndicator`` holds what the
  path ``krb:doelIndicator|krb:norm/krb:indicator`` answers (krbgraph.effect_targets),
  so normgat finds an indicator's effects by one lookup where the path read every norm
  of the indicator for every row (2,000 norms on one indicator: 16 s).
- *What is this of the model?* A resource typed with a registry's own subclass of a
  model class (``gem:Geluidsnorm rdfs:subClassOf krb:Beleidsnorm``) gets that model
  class (krbgraph.entailed_types), so ``?x a krb:Beleidsnorm`` finds it in every query,
  and the rules above treat it as what it specialises.

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
from collections.abc import Callable, Collection
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import OWL

from .containment import MAX_ENCLOSING, containment_triples, declared_containment, parents_of
from .derived_stale import STALE, Rederivation, mark_stale, stale_during
from .effect_targets import TARGET_PREDICATES, target_triples
from .entailed_types import TypeRules, entailed_types, stated_types, type_rules, type_triples
from .lifecycle import PERIOD_PREDICATES, Period, lifecycle_periods, period_triples, read_facts
from .model import DERIVED_GRAPH
from .namespaces import GEO, KRB
from .store import Store, StoreError
from .store.base import SparqlSource
from .store.modelgraphs import MODEL_REPLACED
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
    "TARGET_PREDICATES",
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

Triples = list[tuple[URIRef, URIRef, Literal | URIRef]]
"""Derived triples, each once."""

SPATIAL_PREDICATES = (GEO.sfWithin, GEO.sfOverlaps)
CONTAINMENT_PREDICATES = (KRB.ligtBinnen,)


def _rules_version() -> str:
    """A digest of the modules that decide what the derived graph holds."""
    digest = hashlib.sha256()
    for name in (
        "derived.py",
        "derived_change.py",
        "lifecycle.py",
        "containment.py",
        "geometry.py",
        "entailed_types.py",
        "effect_targets.py",
    ):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


RULES_VERSION = _rules_version()
"""Which rules derived a graph: its ``owl:versionInfo``."""

_VERSION_QUERY = (
    f"SELECT ?version WHERE {{ GRAPH <{DERIVED_GRAPH}> "
    f"{{ <{DERIVED_GRAPH}> <{OWL.versionInfo}> ?version }} }}"
)

_HOLDS_TRIPLES = f"ASK WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}"


def derive(store: SparqlSource, *, lenient: bool = False) -> Triples:
    """The triples of the derived graph for the store's current data (not written), each
    once, with the version of the rules. A list, not an rdflib Graph: adding 77,000
    triples to one took a second at a million triples, and the store takes the triples
    as they are. TooDeeplyNested for areas nested too deep, or with ``lenient`` those
    areas left out of the closure (for data already stored, which must stay servable)."""
    triples: dict[tuple[URIRef, URIRef, Literal | URIRef], None] = {}
    rules = type_rules(store)
    entailed = entailed_types(store, rules)
    triples.update(dict.fromkeys(type_triples(entailed)))
    facts = read_facts(store, rules=rules, entailed=entailed)
    for subject, period in lifecycle_periods(facts).items():
        triples.update(dict.fromkeys(period_triples(subject, period)))
    triples.update(dict.fromkeys(area_triples(store, lenient=lenient, rules=rules)))
    triples.update(dict.fromkeys(target_triples(store)))
    if triples:  # nothing derived, no graph: a store without data lists no derived graph
        triples[(URIRef(DERIVED_GRAPH), OWL.versionInfo, Literal(RULES_VERSION))] = None
    return list(triples)


_GEOMETRIES = f"""
SELECT ?area ?wkt WHERE {{
  ?area <{GEO}hasGeometry>/<{GEO}asWKT> ?wkt .
}}
"""


def area_geometries(source: SparqlSource, rules: TypeRules | None = None) -> dict[str, str]:
    """Every area's WKT (the first, when an area has several); an area typed with a
    registry's own subclass of krb:Werkingsgebied is an area. What is an area is read
    outside the derived graph (entailed_types.stated_types): deriving again on the store
    must not take a former area for one by the type the graph it replaces gave it."""
    rules = type_rules(source) if rules is None else rules
    kinds = stated_types(source, rules.classes_below([str(KRB.Werkingsgebied)]))
    areas: dict[str, str] = {}
    for area, wkt in source.query(_GEOMETRIES).rows:
        if isinstance(area, URIRef) and wkt is not None and str(area) in kinds:
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


def area_triples(
    store: SparqlSource, *, lenient: bool = False, rules: TypeRules | None = None
) -> Triples:
    """What derive derives of where areas lie: their spatial relations and the closure
    ``krb:ligtBinnen`` (alone, for `krb validate`, which needs only to know whether it
    can be derived: at a million triples 0.8 s of the 2.6 s the whole takes)."""
    spatial = spatial_triples(area_geometries(store, rules), lenient=lenient)
    edges = declared_containment(store)
    edges.extend((str(s), str(o)) for s, p, o in spatial if p == GEO.sfWithin)
    return [*spatial, *containment_triples(parents_of(edges), lenient=lenient)]


def ensure_current(store: Store, announce: Callable[[Rederivation], None] | None = None) -> bool:
    """Derive the whole graph again when these rules did not derive it (a store of an
    older release, or one loaded from a dump); True when it did so.

    ``announce`` is told why first, when a derived graph is there but not of these rules:
    on a store of millions of triples deriving takes minutes, and a command or service
    that says nothing meanwhile looks hung. That is also a graph without a version, which
    the releases before the version was recorded left. (A store without one is new or
    empty, or its restore says so itself.)

    A store that cannot be written (a read-only SPARQL server) is left as it is, with a
    warning in the log: its answers are those of the rules that derived it. A store
    from which nothing is derived (no data) has no graph to say so and is looked at
    again at every opening, which costs what its few queries cost.
    """
    found = {str(version) for (version,) in store.query(_VERSION_QUERY).rows}
    if found == {RULES_VERSION}:
        return False
    if announce is not None and (found or store.query(_HOLDS_TRIPLES).boolean):
        announce(Rederivation(cut_off=STALE in found, model_replaced=MODEL_REPLACED in found))
    try:
        with turn_for(store):
            # Another writer may have held the turn and derived it meanwhile (a load
            # on a shared server marks it stale while it runs): then once is enough.
            if {str(v) for (v,) in store.query(_VERSION_QUERY).rows} == {RULES_VERSION}:
                return False
            size = replace(store, derive(store, lenient=True))
    except StoreError as exc:
        logger.warning("the derived graph is not current and could not be derived again: %s", exc)
        return False
    except Exception:  # noqa: BLE001 - data no rule foresaw: the store must still open
        # Every command and the service derive here when they open the store; a value
        # the rules trip over (once: a decision dated with a moment) would leave no way
        # in, not even `krb drop` to remove the data. Open it with the graph as it is.
        logger.exception(
            "the derived graph (dates in force, areas' nesting) could not be derived again "
            "from this store's data; answers that use it may be stale. Remove or correct "
            "the data, then run `krb derive`"
        )
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
