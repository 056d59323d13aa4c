"""Blank nodes among the focus nodes of a focused validation.

A write changes the verdict of a blank node too: the change in an indicator that a
realised effect measures (``[ a krb:Indicatorverandering ; krb:veranderingVan ?i ]``)
stops being valid when ?i stops being an indicator. A focused validation names its
focus nodes in the queries (``VALUES ?this { ... }``), and a query cannot name a
blank node of the store. So a root shape that selects one of the blank focus nodes is
validated over all its targets, and only its results for the focus nodes are kept (a
registry names its objects: the few blank nodes a shape targets are of classes like
krb:Indicatorverandering, a handful of nodes).

Which root shapes select them is read from the blank nodes' own triples when the
store can name its blank nodes (an in-memory copy, ``quads_matching``): their types
(with their superclasses) for class targets, their predicates for sh:targetSubjectsOf
and sh:targetObjectsOf, and for a SPARQL target the types its query requires of
?this (``?this a krb:BeoogdEffect`` at its top level). Where that cannot be said (no
such copy, a SPARQL target that requires no type) one ASK asks whether the target
selects any blank node: each reads every target of its shape (at a million triples
35 of them took a second for one edited indicator, where these lookups take
milliseconds).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from functools import cache
from typing import Protocol

import pyoxigraph as ox
from rdflib import BNode, URIRef, Variable
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from ..store import QueryResult
from . import terms
from .context import Context, Dialect
from .shapes import ShapesGraph, Target
from .targets import RootFocus

THIS = Variable("this")


class BlankNodeSource(Protocol):
    """A store that can name its own blank nodes (krbgraph.replica.ValidationReplica)."""

    def quads_matching(
        self, subject: object | None, predicate: ox.NamedNode | None, obj: object | None, /
    ) -> list[ox.Quad]: ...


class _Facts:
    """What the blank focus nodes are: their types, with superclasses, and predicates."""

    def __init__(
        self, run: Callable[[str], QueryResult], source: BlankNodeSource, blanks: Iterable[BNode]
    ) -> None:
        self.types: set[str] = set()
        self.out: set[str] = set()
        self.into: set[str] = set()
        for blank in blanks:
            term = ox.BlankNode(str(blank))
            for quad in source.quads_matching(term, None, None):
                self.out.add(quad.predicate.value)
                if quad.predicate.value == str(RDF.type) and isinstance(quad.object, ox.NamedNode):
                    self.types.add(quad.object.value)
            self.into |= {q.predicate.value for q in source.quads_matching(None, None, term)}
        self.classes = set(self.types)
        if self.types:
            listed = " ".join(terms.iri(URIRef(t)) for t in sorted(self.types))
            query = (
                f"SELECT DISTINCT ?c WHERE {{ VALUES ?t {{ {listed} }} "
                f"?t {terms.iri(RDFS.subClassOf)}* ?c }}"
            )
            self.classes |= {str(row[0]) for row in run(query).rows if row[0] is not None}

    def selected_by(self, shapes: ShapesGraph, target: Target) -> bool | None:
        """Whether ``target`` can select one of the blank nodes (None: cannot be said)."""
        if target.kind == "node":
            return False
        if target.kind == "class":
            return str(target.value) in self.classes
        if target.kind == "subjectsOf":
            return str(target.value) in self.out
        if target.kind == "objectsOf":
            return str(target.value) in self.into
        required = required_types(shapes, target.value)
        return None if required is None else not required.isdisjoint(self.types)


def roots_selecting_blank_nodes(
    run: Callable[[str], QueryResult],
    shapes: ShapesGraph,
    roots: Sequence[Node],
    dialect: Dialect,
    blanks: Collection[BNode],
    source: object,
) -> set[Node]:
    """The root shapes whose targets may select one of ``blanks``, blank nodes of the
    store ``source`` (read by their ids when it can name them, see the module)."""
    facts = _Facts(run, source, blanks) if hasattr(source, "quads_matching") else None
    answers: dict[str, bool] = {}
    found: set[Node] = set()
    for root in roots:
        targets = shapes.targets(root)
        said = [None if facts is None else facts.selected_by(shapes, t) for t in targets]
        if any(said):
            found.add(root)
            continue
        if None not in said:
            continue  # no target selects one of them
        # Some target cannot be judged from the nodes: does it select any blank node?
        ctx = Context(shapes, dialect)
        text, _ = RootFocus(root, targets, None).render(ctx)
        query = f"{ctx.prologue()}ASK {{ {text} FILTER (isBlank(?this)) }}"
        if query not in answers:
            answers[query] = bool(run(query).boolean)
        if answers[query]:
            found.add(root)
    return found


def required_types(shapes: ShapesGraph, target: Node) -> frozenset[str] | None:
    """The classes a SPARQL target's query requires ?this to have (one of them, directly:
    ``?this a C``, or ``?this a ?k`` with ?k from a VALUES beside it), read from the
    patterns every answer must match; None when it requires none or cannot be read."""
    select = shapes.graph.value(target, SH.select)
    if select is None:
        return None
    return _required_types(str(select), tuple(sorted(shapes.prefixes(target).items())))


@cache
def _required_types(text: str, prefixes: tuple[tuple[str, str], ...]) -> frozenset[str] | None:
    try:
        algebra = prepareQuery(text, initNs=dict(prefixes)).algebra
    except Exception:  # noqa: BLE001  # rdflib's parser raises many kinds; then ASK
        return None
    triples: list[tuple[object, object, object]] = []
    rows: list[dict[Variable, Node]] = []
    _required_patterns(algebra, triples, rows)
    for subject, predicate, kind in triples:
        if subject != THIS or predicate != RDF.type:
            continue
        if isinstance(kind, URIRef):
            return frozenset({str(kind)})
        if isinstance(kind, Variable) and rows and all(kind in row for row in rows):
            return frozenset(str(row[kind]) for row in rows)
    return None


_THROUGH = frozenset({"SelectQuery", "Distinct", "Reduced", "Project", "Filter", "Slice"})
_THROUGH |= frozenset({"OrderBy", "ToMultiSet"})


def _required_patterns(
    node: object, triples: list[tuple[object, object, object]], rows: list[dict[Variable, Node]]
) -> None:
    """The triple patterns and VALUES rows every answer of ``node`` (rdflib's algebra)
    must match: not those under OPTIONAL, UNION, MINUS's right side, a GRAPH, a
    subquery's grouping or a BIND of ?this."""
    name = getattr(node, "name", None)
    if name == "BGP":
        triples.extend(node.triples)  # type: ignore[attr-defined]
    elif name == "values":
        rows.extend(node.res)  # type: ignore[attr-defined]
    elif name == "Join":
        _required_patterns(node.p1, triples, rows)  # type: ignore[attr-defined]
        _required_patterns(node.p2, triples, rows)  # type: ignore[attr-defined]
    elif name in ("LeftJoin", "Minus"):
        _required_patterns(node.p1, triples, rows)  # type: ignore[attr-defined]
    elif name in _THROUGH or (name == "Extend" and node.var != THIS):  # type: ignore[attr-defined]
        _required_patterns(node.p, triples, rows)  # type: ignore[attr-defined]
