"""A stable order of a store's quads, for random write streams that replay by seed.

A replica hands a graph's quads as a set, whose order differs from run to run, so a
seed chose other writes each time and a failure could not be replayed (one came up
in CI and in no later run). Blank node labels differ per load too: they count as
equal here, so only the quads of one blank node keep the store's order among them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox


def stable_key(quad: ox.Quad) -> tuple[str, ...]:
    return tuple(
        "_:" if isinstance(term, ox.BlankNode) else str(term)
        for term in (quad.graph_name, quad.subject, quad.predicate, quad.object)
    )


def in_stable_order(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    return sorted(quads, key=stable_key)
