"""A stable order of a store's quads, for random write streams that replay by seed.

A replica hands a graph's quads as a set, whose order differs from run to run, so a
seed chose other writes each time and a failure could not be replayed (one came up
in CI and in no later run). Blank node labels differ per load too: a blank node is
keyed by what points at it (``<norm> dct:temporal``, through blank nodes as far as
it takes), so two norms' periods of the same dates keep apart; only blank nodes
with the same owner and property (none in the demo) tie.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox


def in_stable_order(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    listed = list(quads)
    names: dict[ox.BlankNode, str] = {}
    for _ in range(8):  # blank nodes in blank nodes: a few levels at most
        changed = False
        for quad in listed:
            if not isinstance(quad.object, ox.BlankNode):
                continue
            owner = _name(quad.subject, names)
            if owner is None:
                continue
            name = f"{owner} {quad.predicate}"
            if quad.object not in names or name < names[quad.object]:
                names[quad.object] = name
                changed = True
        if not changed:
            break

    def key(quad: ox.Quad) -> tuple[str, ...]:
        terms = (quad.graph_name, quad.subject, quad.predicate, quad.object)
        return tuple(_name(term, names) or "_:" for term in terms)

    return sorted(listed, key=key)


def _name(term: object, names: dict[ox.BlankNode, str]) -> str | None:
    if isinstance(term, ox.BlankNode):
        found = names.get(term)
        return None if found is None else f"[{found}]"
    return str(term)
