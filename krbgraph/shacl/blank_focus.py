"""Blank nodes among the focus nodes of a focused validation.

A write changes the verdict of a blank node too: the change in an indicator that a
realised effect measures (``[ a krb:Indicatorverandering ; krb:veranderingVan ?i ]``)
stops being valid when ?i stops being an indicator. A focused validation names its
focus nodes in the queries (``VALUES ?this { ... }``), and a query cannot name a
blank node of the store. So a root shape that selects blank nodes at all is
validated over all its targets, and only its results for the focus nodes are kept:
one query per root shape finds those roots (a registry names its objects; the few
blank nodes a shape targets are classes like krb:Indicatorverandering).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rdflib.term import Node

from ..store import QueryResult
from .context import Context, Dialect
from .shapes import ShapesGraph
from .targets import RootFocus


def roots_selecting_blank_nodes(
    run: Callable[[str], QueryResult],
    shapes: ShapesGraph,
    roots: Sequence[Node],
    dialect: Dialect,
) -> set[Node]:
    """The root shapes whose targets select some blank node of the data: one ASK per
    distinct target (eight shapes of krb:Beleidsnorm share one)."""
    answers: dict[str, bool] = {}
    found: set[Node] = set()
    for root in roots:
        targets = shapes.targets(root)
        if all(target.kind == "node" for target in targets):
            continue  # sh:targetNode names its nodes: never a blank node of the data
        ctx = Context(shapes, dialect)
        text, _ = RootFocus(root, targets, None).render(ctx)
        query = f"{ctx.prologue()}ASK {{ {text} FILTER (isBlank(?this)) }}"
        if query not in answers:
            answers[query] = bool(run(query).boolean)
        if answers[query]:
            found.add(root)
    return found
