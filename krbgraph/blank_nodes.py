"""Blank nodes of a re-uploaded graph matched to the ones the store already holds.

A file or workbook that replaces its graph is parsed again, and every blank node in
it (a norm's validity period, a geometry) gets a fresh label. Compared quad by quad,
an unchanged period then looks removed and added again, and a write that changed
ten values of a municipality's registry would change every blank node's triples:
too many focus nodes for an incremental validation, so the whole registry would be
validated. Here each blank node gets a signature of what it is: the named nodes
that point at it and how, and its own triples (a nested blank node by its own
signature). A new blank node whose signature is held by exactly one old blank node
of the same graph, and by no other new one, takes that old node's label; the rest
stay as they are (a real change, or two nodes nobody can tell apart).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

_Key = tuple[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, ox.BlankNode]


def reuse_labels(new: Iterable[ox.Quad], old: Iterable[ox.Quad]) -> set[ox.Quad]:
    """``new`` with each blank node that matches exactly one of ``old`` (same graph, same
    signature) relabelled as that one."""
    new_quads = set(new)
    try:
        new_by_sig = _by_signature(new_quads)
        old_by_sig = _by_signature(old)
    except RecursionError:  # blank nodes nested deeper than Python recurses: compare as is
        return new_quads
    mapping: dict[ox.BlankNode, ox.BlankNode] = {}
    for signature, nodes in new_by_sig.items():
        matches = old_by_sig.get(signature, ())
        if len(nodes) == 1 and len(matches) == 1:
            mapping[nodes[0]] = matches[0]
    if not mapping:
        return new_quads
    return {_relabelled(quad, mapping) for quad in new_quads}


def _relabelled(quad: ox.Quad, mapping: dict[ox.BlankNode, ox.BlankNode]) -> ox.Quad:
    subject, obj = quad.subject, quad.object
    if not isinstance(subject, ox.BlankNode) and not isinstance(obj, ox.BlankNode):
        return quad
    if isinstance(subject, ox.BlankNode):
        subject = mapping.get(subject, subject)
    if isinstance(obj, ox.BlankNode):
        obj = mapping.get(obj, obj)
    return ox.Quad(subject, quad.predicate, obj, quad.graph_name)


def _by_signature(quads: Iterable[ox.Quad]) -> dict[str, list[ox.BlankNode]]:
    outgoing: dict[_Key, list[ox.Quad]] = defaultdict(list)
    incoming: dict[_Key, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode):
            outgoing[(quad.graph_name, quad.subject)].append(quad)
        if isinstance(quad.object, ox.BlankNode):
            incoming[(quad.graph_name, quad.object)].append(quad)
    memo: dict[_Key, str] = {}

    def signature(key: _Key) -> str:
        known = memo.get(key)
        if known is not None:
            return known
        memo[key] = "cycle"  # a blank node reached again from itself
        graph, _ = key
        parts = [str(graph)]
        parts += sorted(
            f"in {q.subject} {q.predicate}"
            for q in incoming.get(key, ())
            if not isinstance(q.subject, ox.BlankNode)
        )
        parts += sorted(
            f"out {q.predicate} "
            + (
                "_:" + signature((graph, q.object))
                if isinstance(q.object, ox.BlankNode)
                else str(q.object)
            )
            for q in outgoing.get(key, ())
        )
        memo[key] = found = hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()
        return found

    grouped: dict[str, list[ox.BlankNode]] = defaultdict(list)
    for key in {*outgoing, *incoming}:
        grouped[signature(key)].append(key[1])
    return grouped
