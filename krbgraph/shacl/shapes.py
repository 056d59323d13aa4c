"""Reading the shapes graph: which nodes are shapes, their targets, paths, severities,
messages, prefixes and the SPARQL-based constraint components it declares.

SHACL 2.1 defines a shape by use as much as by type: anything typed
sh:NodeShape or sh:PropertyShape, anything with a target, and every value of
a shape-expecting parameter (sh:node, sh:property, sh:not, sh:and ...).
Booleans count as true only when written "true" (the W3C suite's
uniqueLang-002 expects "1"^^xsd:boolean to leave sh:uniqueLang inactive).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from .errors import ShapesError
from .paths import Path, read_list, read_path

_SHAPE_VALUED = (SH.node, SH.property, SH.qualifiedValueShape, SH["not"])
_SHAPE_LISTS = (SH["and"], SH["or"], SH.xone)
_TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass(frozen=True)
class Target:
    """One target declaration; ``kind`` is 'node', 'class', 'subjectsOf', 'objectsOf'
    or 'sparql' (a SHACL-AF sh:SPARQLTarget; ``value`` is its node)."""

    kind: str
    value: Node


@dataclass(frozen=True)
class Shape:
    node: Node
    path: Path | None
    """Set for a property shape."""
    path_node: Node | None
    severity: URIRef
    messages: tuple[Literal, ...]
    deactivated: bool
    properties: tuple[Node, ...]
    """The values of sh:property, in a stable order."""

    @property
    def is_property(self) -> bool:
        return self.path is not None


@dataclass(frozen=True)
class Parameter:
    """A parameter of a SPARQL-based constraint component (SHACL-SPARQL 6.1)."""

    path: URIRef
    name: str
    """The SPARQL variable name: the local name of the path IRI."""
    optional: bool


@dataclass(frozen=True)
class Component:
    """A SPARQL-based constraint component declared in the shapes graph."""

    node: URIRef
    parameters: tuple[Parameter, ...]
    validator: Node | None
    """sh:validator (an ASK validator, for node and property shapes)."""
    node_validator: Node | None
    property_validator: Node | None


class ShapesGraph:
    """The shapes of one shapes graph, read on demand; raises ShapesError when ill-formed."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._shapes: dict[Node, Shape] = {}
        self._targets: dict[Node, list[Target]] = {}
        self.checks: dict[Node, list[Any]] = {}
        """The compiled checks of each shape (filled by core.shape_checks). Typed Any:
        checks.Check is built on this module, which therefore cannot import it."""
        self.plans: dict[Any, list[Any]] = {}
        """Compiled root shapes, the listed focus nodes left as a placeholder (filled by
        plans.plan_root): a write validated by what it changes compiles nothing again."""

    # -- shapes ----------------------------------------------------------

    @cached_property
    def shape_nodes(self) -> frozenset[Node]:
        g = self.graph
        found: set[Node] = set()
        for cls in (SH.NodeShape, SH.PropertyShape):
            found |= set(g.subjects(RDF.type, cls))
        for predicate in (*_TARGET_PREDICATES, SH.target, SH.property, SH.node):
            found |= set(g.subjects(predicate, None))
        for predicate in _SHAPE_VALUED:
            found |= set(g.objects(None, predicate))
        for predicate in _SHAPE_LISTS:
            for head in g.objects(None, predicate):
                found |= set(read_list(g, head))
        return frozenset(n for n in found if not isinstance(n, Literal))

    def roots(self) -> list[Node]:
        """The shapes that have targets, in a stable order."""
        return list(self._roots)

    @cached_property
    def _roots(self) -> tuple[Node, ...]:
        return tuple(sorted((n for n in self.shape_nodes if self.targets(n)), key=_order))

    def shape(self, node: Node) -> Shape:
        cached = self._shapes.get(node)
        if cached is None:
            cached = self._shapes[node] = self._read(node)
        return cached

    def _read(self, node: Node) -> Shape:
        g = self.graph
        paths = list(g.objects(node, SH.path))
        if len(paths) > 1:
            raise ShapesError("a shape has at most one sh:path", node)
        if paths and (node, RDF.type, SH.NodeShape) in g:
            raise ShapesError("a sh:NodeShape cannot have sh:path", node)
        if not paths and (node, RDF.type, SH.PropertyShape) in g:
            raise ShapesError("a sh:PropertyShape needs sh:path", node)
        severities = list(g.objects(node, SH.severity))
        if len(severities) > 1 or any(not isinstance(s, URIRef) for s in severities):
            raise ShapesError("sh:severity takes one IRI", node)
        messages = sorted(
            (m for m in g.objects(node, SH.message) if isinstance(m, Literal)),
            key=lambda m: (m.language or "", str(m)),
        )
        severity = severities[0] if severities else SH.Violation
        assert isinstance(severity, URIRef)
        return Shape(
            node=node,
            path=read_path(g, paths[0]) if paths else None,
            path_node=paths[0] if paths else None,
            severity=severity,
            messages=tuple(messages),
            deactivated=self.is_true(node, SH.deactivated),
            properties=tuple(sorted(g.objects(node, SH.property), key=_order)),
        )

    def is_true(self, node: Node, predicate: URIRef) -> bool:
        """The shape says ``predicate true`` (lexically "true", as an xsd:boolean)."""
        return any(
            isinstance(v, Literal) and v.datatype == XSD.boolean and str(v) == "true"
            for v in self.graph.objects(node, predicate)
        )

    # -- targets ---------------------------------------------------------

    def targets(self, node: Node) -> list[Target]:
        cached = self._targets.get(node)
        if cached is None:
            cached = self._targets[node] = self._read_targets(node)
        return list(cached)

    def _read_targets(self, node: Node) -> list[Target]:
        g = self.graph
        found: list[Target] = []
        kinds = {
            SH.targetNode: "node",
            SH.targetClass: "class",
            SH.targetSubjectsOf: "subjectsOf",
            SH.targetObjectsOf: "objectsOf",
        }
        for predicate, kind in kinds.items():
            for value in sorted(g.objects(node, predicate), key=_order):
                if kind != "node" and not isinstance(value, URIRef):
                    raise ShapesError(f"{predicate.n3()} takes an IRI", node)
                found.append(Target(kind, value))
        if isinstance(node, URIRef) and self.is_class(node):
            found.append(Target("class", node))
        for value in sorted(g.objects(node, SH.target), key=_order):
            found.append(Target("sparql", value))
        return found

    def is_class(self, node: Node) -> bool:
        """An rdfs:Class in the shapes graph (owl:Class and subclasses counted), so a
        shape that is one targets its own instances implicitly."""
        return self.is_instance(node, RDFS.Class)

    def is_instance(self, node: Node, cls: URIRef) -> bool:
        """``node`` has a type that is ``cls`` or a subclass of it, in the shapes graph."""
        classes = self._subclasses(cls)
        return any(t in classes for t in self.graph.objects(node, RDF.type))

    def _subclasses(self, cls: URIRef) -> set[Node]:
        found: set[Node] = {cls}
        if cls == RDFS.Class:
            found.add(OWL.Class)
        pending = list(found)
        while pending:
            current = pending.pop()
            for sub in self.graph.subjects(RDFS.subClassOf, current):
                if sub not in found:
                    found.add(sub)
                    pending.append(sub)
        return found

    # -- SHACL-SPARQL ----------------------------------------------------

    def prefixes(self, node: Node) -> dict[str, str]:
        """The prefix declarations that ``node``'s sh:prefixes point to (following
        owl:imports), prefix -> namespace; raises ShapesError on a conflict."""
        found: dict[str, str] = {}
        pending = list(self.graph.objects(node, SH.prefixes))
        seen: set[Node] = set()
        while pending:
            source = pending.pop()
            if source in seen:
                continue
            seen.add(source)
            pending.extend(self.graph.objects(source, OWL.imports))
            for declaration in self.graph.objects(source, SH.declare):
                prefix = self.graph.value(declaration, SH.prefix)
                namespace = self.graph.value(declaration, SH.namespace)
                if not isinstance(prefix, Literal) or namespace is None:
                    raise ShapesError("sh:declare needs sh:prefix and sh:namespace", declaration)
                if found.get(str(prefix), str(namespace)) != str(namespace):
                    raise ShapesError(f"prefix {prefix} declared twice", declaration)
                found[str(prefix)] = str(namespace)
        return found

    @cached_property
    def components(self) -> tuple[Component, ...]:
        """The SPARQL-based constraint components (SHACL's own are built in)."""
        g = self.graph
        found = []
        for node in sorted(set(g.subjects(RDF.type, None)), key=_order):
            if not isinstance(node, URIRef) or node.startswith(str(SH)):
                continue
            if not self.is_instance(node, SH.ConstraintComponent):
                continue
            parameters = []
            for parameter in g.objects(node, SH.parameter):
                path = g.value(parameter, SH.path)
                if not isinstance(path, URIRef):
                    raise ShapesError("a parameter's sh:path must be an IRI", parameter)
                name = _local_name(path)
                parameters.append(
                    Parameter(path, name, optional=self.is_true(parameter, SH.optional))
                )
            found.append(
                Component(
                    node=node,
                    parameters=tuple(sorted(parameters, key=lambda p: p.name)),
                    validator=g.value(node, SH.validator),
                    node_validator=g.value(node, SH.nodeValidator),
                    property_validator=g.value(node, SH.propertyValidator),
                )
            )
        return tuple(found)


def _local_name(iri: URIRef) -> str:
    text = str(iri)
    for separator in ("#", "/", ":"):
        if separator in text:
            text = text.rsplit(separator, 1)[1]
    if not text or not all(c.isalnum() or c == "_" for c in text):
        raise ShapesError("a parameter path needs a local name usable as a variable", iri)
    return text


def _order(node: Node) -> tuple[int, str]:
    """A stable order of nodes: IRIs, then blank nodes, then literals."""
    rank = 0 if isinstance(node, URIRef) else 2 if isinstance(node, Literal) else 1
    return rank, str(node)
