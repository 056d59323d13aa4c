"""The subclasses of the classes shapes name, listed for the compiled queries.

An instance test (``?x rdf:type/rdfs:subClassOf* C``) costs a path per node; with C's
subclasses listed (Dialect.subclasses) it is one lookup. The lists are read once per
validation, and kept per store while its class hierarchy stays the same.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

from rdflib import URIRef
from rdflib.namespace import RDFS, SH
from rdflib.term import Node

from ..store import QueryResult
from . import terms
from .shapes import ShapesGraph

MAX_LISTED_SUBCLASSES = 200
"""A class with more subclasses than this is tested with the path (Dialect.subclasses)."""


def named_classes(shapes: ShapesGraph, roots: Sequence[Node]) -> list[URIRef]:
    """The classes of sh:class constraints and class targets, the implicit ones included."""
    named = set(shapes.graph.objects(None, SH["class"]))
    named.update(t.value for root in roots for t in shapes.targets(root) if t.kind == "class")
    return sorted((c for c in named if isinstance(c, URIRef)), key=str)


Subclasses = tuple[tuple[Node, tuple[Node, ...]], ...]
"""Classes with their listed subclasses, as Dialect.subclasses holds them."""

_KEPT: weakref.WeakKeyDictionary[Any, tuple[object, Subclasses]] = weakref.WeakKeyDictionary()


def kept_closures(
    store: object,
    graphs: tuple[str, ...],
    run: Callable[[str], QueryResult],
    classes: Sequence[URIRef],
) -> Subclasses:
    """class_closures, kept per store while its ``hierarchy_version`` stays (a
    krbgraph.replica.ValidationReplica says when a write touches rdfs:subClassOf):
    a write validates against the hierarchy the previous one read (3 ms of a
    100-norm write). Other stores are asked every time."""
    version = getattr(store, "hierarchy_version", None)
    if version is None:
        return class_closures(run, classes)
    key = (version, graphs, tuple(classes))
    held = _KEPT.get(store)
    if held is not None and held[0] == key:
        return held[1]
    found = class_closures(run, classes)
    _KEPT[store] = (key, found)
    return found


def class_closures(run: Callable[[str], QueryResult], classes: Sequence[URIRef]) -> Subclasses:
    """Each class with its subclasses in the data (one query for all), for
    Dialect.subclasses; a class reached from a blank node, or with more than
    MAX_LISTED_SUBCLASSES subclasses, is left out (a query cannot list those), and so
    is one that is no node of the data (the zero-length path binds only the data's
    nodes): those keep the path."""
    if not classes:
        return ()
    listed = " ".join(terms.iri(c) for c in classes)
    subclass = terms.iri(RDFS.subClassOf)
    rows = run(f"SELECT DISTINCT ?c ?s WHERE {{ VALUES ?c {{ {listed} }} ?s {subclass}* ?c }}").rows
    found: dict[Node, set[Node]] = {}
    for cls, sub in rows:
        if cls is not None and sub is not None:  # both bound in every solution
            found.setdefault(cls, set()).add(sub)
    return tuple(
        (cls, tuple(sorted(subs, key=str)))
        for cls, subs in sorted(found.items(), key=lambda item: str(item[0]))
        if len(subs) <= MAX_LISTED_SUBCLASSES and all(isinstance(s, URIRef) for s in subs)
    )
