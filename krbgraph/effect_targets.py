"""Which indicator an intended effect acts on: the pairs of ``krb:werktOpIndicator``.

An effect acts on an indicator directly (``krb:doelIndicator``) or through a norm on it
(``krb:norm``, whose ``krb:indicator`` it is). normgat.rq looks up the effects of the
indicator of every row it answers; with the path
``krb:doelIndicator|krb:norm/krb:indicator`` from the bound indicator the engine
enumerated every norm of that indicator and the effects of each, per row: with N norms
on one indicator N rows times N norms (2,000 norms took 16 s, 3,000 47 s). Derived, it
is one index lookup per row. krbgraph.derived derives it for a whole store and
krbgraph.derived_change for a write; both make its triples here.

It holds exactly what that path answers (a set, as the engine answers paths: an effect
on a norm and directly on its indicator, or on two norms of one indicator, is found
once), for every subject whatever its type (the queries check the type), with the
effect and the indicator named (IRIs: the shapes ask both to be; a blank node cannot be
written into another graph as the same node). A norm may be a blank node in between.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

import pyoxigraph as ox
from rdflib import URIRef

from .namespaces import KRB
from .store.base import SparqlSource

__all__ = ["TARGET_PREDICATES", "target_seeds", "target_triples"]

TARGET_PREDICATES = (KRB.werktOpIndicator,)

_BATCH = 500
"""Effects per query when only some are recomputed."""

_DIRECT = frozenset({str(KRB.doelIndicator), str(KRB.norm)})
"""Predicates whose triples are facts of their subject's targets."""
_OF_NORM = str(KRB.indicator)
"""The predicate whose triples are facts of the targets of the effects on its subject."""
_NORM = ox.NamedNode(str(KRB.norm))


def target_triples(
    source: SparqlSource, subjects: Collection[str] | None = None
) -> list[tuple[URIRef, URIRef, URIRef]]:
    """``krb:werktOpIndicator`` of every effect, or of the effects (IRIs) ``subjects``."""
    if subjects is None:
        return _pairs(source, "")
    triples: list[tuple[URIRef, URIRef, URIRef]] = []
    ordered = sorted(subjects)
    for start in range(0, len(ordered), _BATCH):
        values = " ".join(f"<{iri}>" for iri in ordered[start : start + _BATCH])
        # The effects listed first: the engine starts the path from them.
        triples.extend(_pairs(source, f"VALUES ?effect {{ {values} }} "))
    return triples


def _pairs(source: SparqlSource, restrict: str) -> list[tuple[URIRef, URIRef, URIRef]]:
    # The path normgat.rq asked, as it asked it: the engine answers it as a set.
    rows = source.query(
        f"SELECT DISTINCT ?effect ?indicator WHERE {{ {restrict}"
        f"?effect <{KRB.doelIndicator}>|<{KRB.norm}>/<{KRB.indicator}> ?indicator . "
        "FILTER (isIRI(?effect) && isIRI(?indicator)) }"
    ).rows
    return [
        (effect, KRB.werktOpIndicator, indicator)
        for effect, indicator in rows
        if isinstance(effect, URIRef) and isinstance(indicator, URIRef)
    ]


def target_seeds(
    quads: Iterable[ox.Quad],
    pointing_at: Callable[[ox.NamedNode, object], Iterable[ox.Quad]],
) -> set[str]:
    """The effects whose targets the changed ``quads`` can alter: the subject of a changed
    ``krb:doelIndicator`` or ``krb:norm``, and for a changed ``krb:indicator`` every
    subject whose ``krb:norm`` is that norm after the write (``pointing_at(predicate,
    node)``: the quads with that predicate and object, in the state after it)."""
    seeds: set[str] = set()
    for quad in quads:
        predicate = quad.predicate.value
        if predicate in _DIRECT:
            if isinstance(quad.subject, ox.NamedNode):
                seeds.add(quad.subject.value)
        elif predicate == _OF_NORM:
            for link in pointing_at(_NORM, quad.subject):
                if isinstance(link.subject, ox.NamedNode):
                    seeds.add(link.subject.value)
    return seeds
