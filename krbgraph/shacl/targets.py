"""Focus nodes (SHACL 2.1.3 targets, SHACL-AF sh:SPARQLTarget) as SPARQL patterns.

A focus group is a pattern that binds ?this to each focus node once:
``{ SELECT DISTINCT ?this WHERE { ... } }``. Root shapes find theirs from
their targets, with rdfs:subClassOf* in the data for class targets (the
implicit one of a shape that is a class included); the property shapes of a
property shape take the value nodes of their parent as focus nodes.
``focus_nodes`` limits a root's focus nodes to the given ones, each branch
starting from them so a few changed nodes cost a few lookups.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rdflib import Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from . import terms
from .classes import instances
from .context import Context
from .errors import ShapesError, Uncompilable
from .paths import Path
from .shapes import Target
from .sparql_constraints import parse


class FocusGroup:
    def render(self, ctx: Context) -> tuple[str, list[str]]:
        """The pattern, and the variables besides ?this that tell apart the routes to a
        focus node (its parents' focus nodes), which queries must select so that a node
        reached from two parents is validated, and reported, twice."""
        raise NotImplementedError


class RootFocus(FocusGroup):
    """The focus nodes of a shape with targets."""

    def __init__(self, node: Node, targets: list[Target], focus_nodes: Sequence[Node] | None):
        self.node = node
        self.targets = targets
        self.focus_nodes = focus_nodes

    def render(self, ctx: Context) -> tuple[str, list[str]]:
        start = ""
        if self.focus_nodes is not None:
            listed = " ".join(terms.term(n) for n in self.focus_nodes)
            start = f"VALUES ?this {{ {listed} }} "
        branches = [
            f"{{ {_sparql_target(ctx, t.value, start)} }}"
            if isinstance(t, Target) and t.kind == "sparql"
            else f"{{ {start}{_target(ctx, t)} }}"
            for t in _merged(self.targets)
        ]
        where = "\n      UNION ".join(branches) if branches else "FILTER (false)"
        return f"{{ SELECT DISTINCT ?this WHERE {{\n      {where}\n    }} }}", []

    def pattern(self, ctx: Context) -> str | None:
        """The targets as a plain pattern (a node may be bound more than once), for a
        grouped subquery of a root validated as a whole to start from; None when the
        root has listed focus nodes or a SPARQL target (its query would run twice).
        Plain, not the DISTINCT subquery of ``render``: Oxigraph joins a subquery
        with a hash join that reads the whole other side, but starts a join of plain
        patterns from the smaller one (a class's sh:maxCount on rdfs:label: 174 ms
        to 3 ms at 1M triples)."""
        if self.focus_nodes is not None or any(t.kind == "sparql" for t in self.targets):
            return None
        branches = [_target(ctx, t) for t in _merged(self.targets)]
        if not branches:
            return "FILTER (false)"
        if len(branches) == 1:
            return branches[0]
        return " UNION ".join(f"{{ {branch} }}" for branch in branches)


class ValueFocus(FocusGroup):
    """The value nodes of a property shape, as focus nodes of its own sh:property shapes."""

    def __init__(self, parent: FocusGroup, path: Path):
        self.parent = parent
        self.path = path

    def render(self, ctx: Context) -> tuple[str, list[str]]:
        text, keys = self.parent.render(ctx)
        parent = ctx.var("f")
        outer = " ".join([*keys, parent])
        inner = " ".join(keys)
        return (
            f"{{ SELECT DISTINCT ?this {outer} WHERE {{ {{ SELECT (?this AS {parent}) {inner} "
            f"WHERE {{\n    {text} }} }}\n    {parent} {self.path.sparql()} ?this . }} }}"
        ), [*keys, parent]


def _merged(targets: list[Target]) -> list[Target | list[Node]]:
    """Targets with all sh:targetNode values in one VALUES branch."""
    nodes = [t.value for t in targets if t.kind == "node"]
    rest: list[Target | list[Node]] = [t for t in targets if t.kind != "node"]
    return ([nodes] if nodes else []) + rest


def _target(ctx: Context, target: Target | list[Node]) -> str:
    if isinstance(target, list):
        return f"VALUES ?this {{ {' '.join(terms.term(n) for n in target)} }}"
    if target.kind == "class":
        return instances(ctx, "?this", target.value)
    if target.kind == "subjectsOf":
        return f"?this {terms.iri(target.value)} {ctx.var('o')} ."
    if target.kind == "objectsOf":
        return f"{ctx.var('s')} {terms.iri(target.value)} ?this ."
    return _sparql_target(ctx, target.value)


def _sparql_target(ctx: Context, node: Node, start: str = "") -> str:
    """A SHACL-AF SPARQL target: its SELECT query as a subquery. ``start`` (the VALUES
    of the given focus nodes) goes first inside it: engines evaluate a subquery on its
    own before joining, so outside it would not spare them the whole target."""
    shapes = ctx.shapes
    if shapes.is_true(node, SH.deactivated):
        return "FILTER (false)"
    select = shapes.graph.value(node, SH.select)
    if select is None:
        raise Uncompilable(f"target {node.n3()} is not a sh:SPARQLTarget (custom target types)")
    parsed = parse(str(select), node)
    if parsed.form != "SELECT":
        raise ShapesError("a SPARQL target needs a SELECT query", node)
    ctx.add_prefixes({**shapes.prefixes(node), **parsed.prefixes})
    if start and re.search(r"\bAS\s+[?$]this\b", parsed.head, re.IGNORECASE):
        return f"{{ {start}{{ {parsed.head}{{ {parsed.body} }}{parsed.tail} }} }}"
    if start and ctx.dialect.lateral:
        # Once per listed focus node, ?this bound: a few lookups, whatever the planner
        # would otherwise start from (see Dialect.lateral).
        return f"{{ {start}LATERAL {{ {parsed.head}{{ {parsed.body} }}{parsed.tail} }} }}"
    return f"{{ {parsed.head}{{ {start}{parsed.body} }}{parsed.tail} }}"


def is_usable_focus(node: Node) -> bool:
    """Focus nodes given by the caller must be IRIs or literals (SPARQL cannot name a
    blank node of the store)."""
    return isinstance(node, URIRef | Literal)
