"""The warnings of every object of the graphs a write writes, changed by it or not.

A write is validated by what it changes (krbgraph.impact): the objects whose verdict it
can alter. That decides whether it may go ahead, but an import also answers with the
warnings of what it wrote (docs/excel.md: "warnings are shown but do not block"), and
an object the write leaves as it was is not validated: the same workbook uploaded
again answered no warnings, as if they had been fixed, and so did one with a norm added.
So the writes that show warnings (a workbook's import, `krb load`) also validate the
objects of the graphs they write that the write's own focus leaves out: only with the
shapes that can report something else than a Violation (``warning_shapes``: 11 of the
47 shapes with targets), and only their warnings and infos are kept. The verdict is
the focused validation's alone: a Violation of an object the write cannot affect was
there before it (after an upgrade whose shapes are stricter), and it is not this
write's to refuse or report, as before.

The objects of a graph are the IRIs it gives a type (``objects_of``): what the shapes
select by class, as the project's SPARQL targets do (each starts from ``?this a``).
The engine lists focus nodes in its queries, which then cost about the square of their
number, so they go in batches of ``FOCUS_BATCH``; when they are a large share of the
registry, the warning shapes run over the whole registry instead, and keep what they
find on those objects (a workbook of 10,000 norms imported again, on the service's
in-memory copy: 0.2 to 0.5 s whole, where its 10,914 objects listed in one run took 7 s
and in batches 2 s; on the command line's copy of the store on disk 1.3 to 2 s, found
while the write finds its change: ``held_warnings``). The areas among them that the
geometry checks could report (``areas_among``) are handed to those checks by the caller.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .entailed_types import type_rules, with_own_classes
from .impact import targeted_classes
from .model import shapes_graph
from .replica import ValidationReplica
from .spatial_checks import CANDIDATES as SPATIAL_CHECKS_CANDIDATES

if TYPE_CHECKING:  # the SHACL engine loads only when validating
    from .shacl.report import Report, Result

FOCUS_BATCH = 1000
"""Objects validated per run of the warning shapes (listed in every query of the run)."""

WHOLE_SHARE = 3
"""The warning shapes run over the whole registry when it has at most this many times as
many objects (of the classes shapes target) as are to be validated: per object, a whole
run costs a quarter of a listed one."""

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


@cache
def warning_shapes() -> Graph:
    """The shapes graph with targets only on the shapes that can report a Warning or an
    Info (a shape with that severity, or one of its property shapes): the others stay, as
    shapes those may refer to, but select no focus node."""
    shapes = shapes_graph()
    roots = {subject for target in _TARGETS for subject in shapes.subjects(target, None)}
    warning = {root for root in roots if _may_warn(shapes, root, set())}
    kept = Graph()
    for prefix, namespace in shapes.namespaces():
        kept.bind(prefix, namespace)
    for triple in shapes:
        if triple[1] not in _TARGETS or triple[0] in warning:
            kept.add(triple)
    return kept


def _may_warn(shapes: Graph, shape: Node, seen: set[Node]) -> bool:
    """Whether ``shape`` or a property shape of it (whose results are its own, SHACL
    4.8.1) has a severity other than sh:Violation, the default."""
    if shape in seen:
        return False
    seen.add(shape)
    if any(severity != SH.Violation for severity in shapes.objects(shape, SH.severity)):
        return True
    return any(_may_warn(shapes, prop, seen) for prop in shapes.objects(shape, SH.property))


@dataclass(frozen=True)
class HeldWarnings:
    """The objects of some graphs and their warnings, found before a change to them is
    tried: of the objects the change cannot affect they are the same after it
    (krbgraph.impact), so a write finds them while it finds its change, not after it
    (a workbook of 10,000 norms imported again: its change found in 3 s)."""

    objects: frozenset[URIRef]
    results: tuple[Result, ...]


def held_warnings(replica: ValidationReplica, graphs: Iterable[str | None]) -> HeldWarnings:
    """The objects of ``graphs`` on ``replica`` and their warnings (shape_warnings)."""
    objects = objects_of(replica, graphs)
    return HeldWarnings(frozenset(objects), tuple(shape_warnings(replica, objects)))


def objects_of(replica: ValidationReplica, graphs: Iterable[str | None]) -> set[URIRef]:
    """The IRIs the graphs give a type, on ``replica``."""
    names = [ox.DefaultGraph() if graph is None else ox.NamedNode(graph) for graph in graphs]
    if not names:
        return set()
    rows = replica.query_on(_TYPED, names).rows
    return {row[0] for row in rows if isinstance(row[0], URIRef)}


_TYPED = f"SELECT DISTINCT ?s WHERE {{ ?s <{RDF.type}> ?type FILTER (isIRI(?s)) }}"


def shape_warnings(replica: ValidationReplica, nodes: Collection[URIRef]) -> list[Result]:
    """The Warnings and Infos of the warning shapes on ``nodes``, read on ``replica``."""
    if not nodes:
        return []
    from .shacl import validate_store  # the SHACL engine loads when validating

    shapes = warning_shapes()
    wanted = set(nodes)
    if _whole_is_cheaper(replica, len(wanted)):
        batches: list[list[Node] | None] = [None]
    else:
        ordered: list[Node] = sorted(wanted, key=str)
        batches = [ordered[i : i + FOCUS_BATCH] for i in range(0, len(ordered), FOCUS_BATCH)]
    found: list[Result] = []
    for batch in batches:
        report = validate_store(replica, shapes, focus_nodes=batch)
        found.extend(r for r in report.results if r.severity != SH.Violation and r.focus in wanted)
    return found


def with_results(report: Report, results: Collection[Result]) -> Report:
    """``report`` with ``results`` besides its own (its node kept: checks beside the
    shapes name it)."""
    if not results:
        return report
    merged = (*report.results, *results)
    return replace(report, conforms=not merged, results=merged)


def areas_among(replica: ValidationReplica, nodes: Collection[URIRef]) -> set[URIRef]:
    """Those of ``nodes`` the geometry checks could report (an area with a geometry)."""
    if not nodes:
        return set()
    rules = type_rules(replica)
    listed = " ".join(sorted(f"<{node}>" for node in nodes))
    branches = " UNION ".join(
        f"{{ VALUES ?node {{ {listed} }} {with_own_classes(branch, rules)} }}"
        for branch in SPATIAL_CHECKS_CANDIDATES
    )
    rows = replica.query(f"SELECT DISTINCT ?node WHERE {{ {branches} }}").rows
    return {row[0] for row in rows if isinstance(row[0], URIRef)}


def _whole_is_cheaper(replica: ValidationReplica, count: int) -> bool:
    """Whether the registry has at most WHOLE_SHARE times ``count`` objects of the classes
    the shapes target (each type counted: an estimate)."""
    classes = " ".join(sorted(f"<{iri}>" for iri in targeted_classes()))
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?c {{ {classes} }} ?s a ?c }}"
    rows = replica.query_on(query, replica.data_graphs()).rows
    total = int(str(rows[0][0])) if rows and rows[0][0] is not None else 0
    return total <= WHOLE_SHARE * count
