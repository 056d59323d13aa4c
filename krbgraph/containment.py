"""Which area lies in which, closed: the pairs of ``krb:ligtBinnen``.

An area lies in the areas it declares (``krb:ligtIn``, or a ``geo:sfWithin``
recorded as data), in those its geometry lies in (``geo:sfWithin`` derived by
krbgraph.geometry), and so on outwards. The closure of those edges is what the named
queries ask as ``krb:ligtBinnen?`` where they asked the path
``(krb:ligtIn|geo:sfWithin)*``: one index lookup per candidate instead of a walk up
the hierarchy each time. krbgraph.derived derives it for a whole store and
krbgraph.derived_change for a write; both make its triples here.

Its size is the sum of every area's enclosing areas, so it is bounded per area
(``MAX_ENCLOSING``): nesting deeper than any real hierarchy is refused by name
(``TooDeeplyNested``, a Violation in krbgraph.nesting_check) instead of growing with
the square of the depth.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping

from rdflib import URIRef

from .model import DERIVED_GRAPH
from .namespaces import GEO, KRB
from .store.base import SparqlSource

logger = logging.getLogger(__name__)

__all__ = [
    "MAX_ENCLOSING",
    "TooDeeplyNested",
    "containment_triples",
    "declared_containment",
    "parents_of",
    "reachable",
]


# Declared containment in any graph but the derived one, whose geo:sfWithin is about to
# be computed again. The real default graph is reached only through the union, so its
# geo:sfWithin comes from the first branch (less what the derived graph holds as well).
_DECLARED = f"""
SELECT DISTINCT ?inner ?outer WHERE {{
  {{ ?inner <{KRB}ligtIn> ?outer }}
  UNION {{ GRAPH ?g {{ ?inner <{GEO}sfWithin> ?outer }} FILTER (?g != <{DERIVED_GRAPH}>) }}
  UNION {{ ?inner <{GEO}sfWithin> ?outer
           MINUS {{ GRAPH <{DERIVED_GRAPH}> {{ ?inner <{GEO}sfWithin> ?outer }} }} }}
  FILTER (isIRI(?inner) && isIRI(?outer))
}}
"""


def declared_containment(source: SparqlSource) -> list[tuple[str, str]]:
    """Every (inner, outer) pair of IRIs the data declares: krb:ligtIn, and a
    geo:sfWithin recorded as data."""
    return [(str(inner), str(outer)) for inner, outer in source.query(_DECLARED).rows]


MAX_ENCLOSING = 100
"""The most areas one area may lie in, directly or not (by krb:ligtIn and geo:sfWithin
together). A real hierarchy has six levels from the Netherlands down to a street, and
around a street lie at most some tens of plan areas, water board and safety regions.
The closure holds every area's enclosing areas, so without a bound it grows with the
square of the nesting: a chain of 2,000 areas each in the next (five triples each)
derived two million pairs, 25 s and 4 GB. With it, at most this many per area."""


class TooDeeplyNested(ValueError):
    """Areas that would lie in more than MAX_ENCLOSING areas: nothing is derived (and a
    validated write or load refuses the data, krbgraph.nesting_check)."""

    def __init__(self, areas: Iterable[str]) -> None:
        self.areas = tuple(sorted(areas))
        shown = ", ".join(f"<{a}>" for a in self.areas[:3])
        more = f" and {len(self.areas) - 3} more" if len(self.areas) > 3 else ""
        super().__init__(
            f"{len(self.areas)} area(s) would lie in more than {MAX_ENCLOSING} areas "
            f"(krb:ligtIn and geo:sfWithin): {shown}{more}"
        )


def containment_triples(
    parents: Mapping[str, Collection[str]],
    of: Iterable[str] | None = None,
    *,
    lenient: bool = False,
) -> list[tuple[URIRef, URIRef, URIRef]]:
    """``krb:ligtBinnen`` from every area of ``parents`` (or every one in ``of``) to
    every area it reaches along them in one or more steps: exactly what the path
    ``(krb:ligtIn|geo:sfWithin)+`` answers, a cycle included (an area on one lies
    within itself). TooDeeplyNested when an area reaches more than MAX_ENCLOSING; with
    ``lenient``, such areas get none, with a warning in the log."""
    triples: list[tuple[URIRef, URIRef, URIRef]] = []
    too_deep: list[str] = []
    for node in sorted(parents if of is None else of):
        found = reachable(node, parents, limit=MAX_ENCLOSING)
        if len(found) > MAX_ENCLOSING:
            too_deep.append(node)
        elif lenient or not too_deep:
            subject = URIRef(node)
            triples.extend((subject, KRB.ligtBinnen, URIRef(outer)) for outer in sorted(found))
    if too_deep:
        refused = TooDeeplyNested(too_deep)
        if not lenient:
            raise refused
        logger.warning("%s; they are left out of krb:ligtBinnen", refused)
    return triples


def parents_of(edges: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """The (inner, outer) pairs as inner -> its outer areas."""
    parents: dict[str, set[str]] = defaultdict(set)
    for inner, outer in edges:
        parents[inner].add(outer)
    return parents


def reachable(
    node: str, parents: Mapping[str, Collection[str]], *, limit: int | None = None
) -> set[str]:
    """Every node reached from ``node`` in one or more steps along ``parents``; with
    ``limit``, the walk stops once it has found one more than that."""
    found: set[str] = set()
    frontier = list(parents.get(node, ()))
    while frontier:
        outer = frontier.pop()
        if outer not in found:
            found.add(outer)
            if limit is not None and len(found) > limit:
                break
            frontier.extend(parents.get(outer, ()))
    return found
