"""Which objects' verdict a change can alter: the focus nodes an incremental validation checks.

A shape reads a focus node's own triples and follows paths from it. When a
triple (s p o) is added or removed, the objects whose verdict may change are:

- s, and every object that reaches s by following triples forwards (a measure
  whose effect's norm changed): found by walking the registry backwards from s;
- o, when some shape reads p backwards, from its object (an sh:inversePath, or
  a SHACL-SPARQL pattern ending at $this or starting from a variable reached
  only through its object): ``inverse_read_predicates`` collects those p, and
  the walk goes from o (and every node it reaches) forwards over them;
- o itself, when some shape reads p backwards (counting included) or a target
  selects the objects of p (sh:targetObjectsOf; a SPARQL target's patterns
  are among the backward reads). Otherwise o's verdict does not depend on
  the triple: a shape reads o's own triples, and the subject that points at
  o is checked as the focus it is; so the literals, units and concepts a new
  norm points at are not validated again.

A predicate that shapes read backwards only to count, at the focus node of a
targeted shape (``sh:path [ sh:inversePath krb:indicator ] ; sh:minCount 1``:
"some norm points at this indicator"), changes the verdict of o alone: no
shape reaches o through other objects and reads it there, and the count
reads nothing of the nodes counted. ``counted_inverse_predicates`` finds
those, and the walk neither starts from such an o nor steps over them (a new
norm then revalidates its indicator, not every norm and effect of that
indicator).

Blank nodes cannot be named in a query, so the walk steps over them to the IRIs that
reach them (the norm a blank period belongs to) and keeps those a shape targets (the
blank change in an indicator that a realised effect measures): they are validated as
blank focus nodes (krbgraph.shacl.blank_focus), not by naming them.

The walk stops at nodes of the model (value lists, IMBOR classes, units):
every norm points at the same operator concept, and no shape relates two
registry objects through a model concept's own triples as the model states them.
A change whose subject is a model node (registry data saying something about a
value-list concept or a KRB class: a scheme, a subclass axiom) can alter what
every object using it is, so then ``affected`` answers None and everything is
validated. It goes at most ``MAX_STEPS``
steps; when it would visit more than ``MAX_NODES`` nodes, ``affected`` answers
None and the caller validates everything (correct, only slower). A test
replays random writes and compares every verdict with a full validation.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef, Variable
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from .model import shapes_graph
from .rdfio import rdflib_term
from .replica import ValidationReplica

MAX_STEPS = 6
"""Longest chain of triples a shape of the project follows from its focus (measure,
effect, norm, area, parent areas), with room to spare."""

MAX_NODES = 20_000
"""Beyond this many affected nodes a full validation is as cheap as a focused one."""

THIS = Variable("this")


def affected(
    replica: ValidationReplica,
    added: Iterable[ox.Quad],
    removed: Iterable[ox.Quad],
    *,
    max_nodes: int = MAX_NODES,
) -> set[Node] | None:
    """The nodes whose verdict the change can alter, read on ``replica`` holding the state
    after the change; None when there are more than ``max_nodes``."""
    read_back = inverse_read_predicates()
    inverse = read_back - counted_inverse_predicates()
    selecting = target_predicates()[1]
    removed_set = set(removed)
    changed = [*added, *removed_set]
    # One lookup per class, not per blank node: a workbook's results share a few classes.
    targeted = cache(lambda klass: _targeted(replica, klass))
    seeds: set[ox.NamedNode | ox.Literal] = set()
    found: set[ox.NamedNode | ox.Literal] = set()
    blanks: set[ox.BlankNode] = set()  # focus nodes a query cannot name (see validate_change)
    for quad in changed:
        if isinstance(quad.subject, ox.NamedNode):
            seeds.add(quad.subject)
        elif isinstance(quad.subject, ox.BlankNode):
            # The IRIs that reach it, and the blank nodes between: shapes read it from each.
            ancestry = replica.blank_ancestry(quad.subject)
            if ancestry is None:
                return None
            seeds |= ancestry[0] | _read_back_from(replica, ancestry[1], inverse)
            blanks |= ancestry[1]
        if quad.predicate.value in read_back or quad.predicate.value in selecting:
            if isinstance(quad.object, ox.BlankNode):
                blanks.add(quad.object)
            elif isinstance(quad.object, ox.NamedNode | ox.Literal):
                found.add(quad.object)
            if quad.predicate.value in inverse and isinstance(quad.object, ox.NamedNode):
                seeds.add(quad.object)
    if _retypes_blank_nodes(replica, changed):
        return None  # blank nodes of a class that gains or loses a superclass: no walk finds them
    model = _model_nodes(replica, seeds)
    subjects = {quad.subject for quad in changed if isinstance(quad.subject, ox.NamedNode)}
    if model & subjects:
        # A triple about a model node written in a registry graph (a value-list concept
        # put in an own scheme, a subclass axiom on a KRB class): shapes read such
        # triples from every registry object that uses the node, which the walk
        # never reaches from the model side. Rare, so validated whole.
        return None
    frontier: Collection[ox.NamedNode | ox.Literal] = seeds - model
    found |= seeds
    data = replica.data_graphs()
    inverse_values = " ".join(f"<{iri}>" for iri in sorted(inverse))
    for _ in range(MAX_STEPS):
        if not frontier:
            break
        nodes = " ".join(str(n) for n in frontier)
        query = (
            f"SELECT DISTINCT ?next WHERE {{ VALUES ?node {{ {nodes} }} "
            f"{{ ?next ?p ?node }} UNION "
            f"{{ VALUES ?q {{ {inverse_values} }} ?node ?q ?next FILTER(!isLiteral(?next)) }} }}"
        )
        reached: set[ox.NamedNode | ox.Literal] = set()
        for (term,) in replica.query_on(query, data).rows:
            if isinstance(term, URIRef):
                reached.add(ox.NamedNode(str(term)))
            elif isinstance(term, BNode):
                # A blank node's own shapes read what it reaches; the walk goes on from
                # the IRIs that reach it.
                ancestry = replica.blank_ancestry(ox.BlankNode(str(term)))
                if ancestry is None:
                    return None
                reached |= ancestry[0] | _read_back_from(replica, ancestry[1], inverse)
                blanks |= ancestry[1]
        new = reached - found
        found |= new
        if len(found) > max_nodes:
            return None
        frontier = new - _model_nodes(replica, new)
    # Of the blank nodes seen, those a shape targets (one removed whole has no verdict left).
    present = {b for b in blanks if _targeted_blank(targeted, replica, b)}
    return {rdflib_term(n) for n in (*found, *present)}


def _read_back_from(
    replica: ValidationReplica, blanks: Iterable[ox.BlankNode], inverse: Collection[str]
) -> set[ox.NamedNode]:
    """The IRIs the blank nodes point at over predicates shapes read backwards: the walk's
    step forwards over them (``?node ?q ?next``), which a query cannot take from a blank
    node (a decision adopting a document, ``_:besluit prov:generated <doc>``, that no
    IRI points at)."""
    return {
        quad.object
        for blank in blanks
        for predicate in inverse
        for quad in replica.quads_matching(blank, ox.NamedNode(predicate), None)
        if isinstance(quad.object, ox.NamedNode)
    }


def _targeted_blank(
    targeted: Callable[[ox.NamedNode], bool], replica: ValidationReplica, node: ox.BlankNode
) -> bool:
    """Whether a shape's targets select the blank node: its class, or a triple of a
    target predicate. A SPARQL target is taken to select nodes of targeted classes, as
    the project's do (each starts from ``?this a`` such a class)."""
    objects = target_predicates()[1]
    return any(
        _may_target_blank_node(targeted, quad)
        if quad.subject == node
        else quad.predicate.value in objects
        for quad in replica.quads_with(node)
    )


def _may_target_blank_node(targeted: Callable[[ox.NamedNode], bool], quad: ox.Quad) -> bool:
    subjects, objects = target_predicates()
    if isinstance(quad.subject, ox.BlankNode) and quad.predicate.value in subjects:
        if quad.predicate.value == _TYPE and isinstance(quad.object, ox.NamedNode):
            # A measurement's result (a blank qudt:QuantityValue) is typed, but no shape
            # targets its class: its owner is validated, as for any other blank node.
            return targeted(quad.object)
        return True
    return isinstance(quad.object, ox.BlankNode) and quad.predicate.value in objects


_TYPE = str(RDF.type)
_HIERARCHY = frozenset({str(RDFS.subClassOf), str(OWL.equivalentClass)})


def _retypes_blank_nodes(replica: ValidationReplica, changed: Iterable[ox.Quad]) -> bool:
    """Whether the change adds or removes a superclass of a class (an own class made a
    subclass of krb:Beleidsnorm) that blank nodes are instances of: those become, or stop
    being, focus nodes of the superclass's shapes, and the walk from the class reaches
    IRIs only."""
    classes = {
        term
        for quad in changed
        if quad.predicate.value in _HIERARCHY
        for term in (quad.subject, quad.object)
        if isinstance(term, ox.NamedNode)
    }
    if not classes:
        return False
    listed = " ".join(str(term) for term in classes)
    query = (
        f"ASK {{ VALUES ?class {{ {listed} }} ?type <{RDFS.subClassOf}>* ?class . "
        f"?node a ?type FILTER (isBlank(?node)) }}"
    )
    return bool(replica.query(query).boolean)


def _targeted(replica: ValidationReplica, klass: ox.NamedNode) -> bool:
    """Whether a shape targets ``klass`` or a class it is a subclass of (in the registry's
    own classes too), so that a node of it becomes a focus node."""
    listed = " ".join(f"<{iri}>" for iri in sorted(targeted_classes()))
    if not listed:
        return False
    query = f"ASK {{ VALUES ?target {{ {listed} }} <{klass.value}> <{RDFS.subClassOf}>* ?target }}"
    return bool(replica.query(query).boolean)


@cache
def targeted_classes(shapes: Graph | None = None) -> frozenset[str]:
    """The classes the shapes target: sh:targetClass, and shapes that are classes
    themselves (implicit class targets)."""
    graph = shapes if shapes is not None else shapes_graph()
    named = {str(c) for c in graph.objects(None, SH.targetClass)}
    for klass in (RDFS.Class, OWL.Class):
        named |= {str(s) for s in graph.subjects(RDF.type, klass) if isinstance(s, URIRef)}
    return frozenset(named)


@cache
def target_predicates(shapes: Graph | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """Predicates whose triples can make their subject (rdf:type, sh:targetSubjectsOf) or
    object (sh:targetObjectsOf) a focus node."""
    graph = shapes if shapes is not None else shapes_graph()
    subjects = {str(RDF.type)} | {str(p) for p in graph.objects(None, SH.targetSubjectsOf)}
    objects = {str(p) for p in graph.objects(None, SH.targetObjectsOf)}
    return frozenset(subjects), frozenset(objects)


@cache
def counted_inverse_predicates(shapes: Graph | None = None) -> frozenset[str]:
    """Predicates read backwards only by counting at a targeted shape's focus node (see
    the module docstring): every inverse path of them is the whole path of a property
    shape with only counts (sh:minCount, sh:maxCount) and words, under a node shape that
    has a target and that no other shape refers to; and no SHACL-SPARQL query reads
    them backwards."""
    graph = shapes if shapes is not None else shapes_graph()
    sparql: set[str] = set()
    for select in graph.objects(None, SH.select):
        sparql |= _backward_in_sparql(graph, str(select))
    counted: set[str] = set()
    refused: set[str] = set(sparql)
    for path, predicate in graph.subject_objects(SH.inversePath):
        names = {str(predicate)} if isinstance(predicate, URIRef) else set()
        if not names or not _counts_at_focus(graph, path):
            refused |= names or _path_predicates(graph, predicate)
        else:
            counted |= names
    return frozenset(counted - refused)


_COUNT_ONLY = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.deactivated,
    RDF.type,
}
"""What a property shape may say and still read nothing of the nodes it counts."""
_REFERRING = (SH.node, SH.qualifiedValueShape, SH["not"], RDF.first, SH.property)
"""Predicates by which one shape uses another (lists hold sh:and, sh:or, sh:xone)."""
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def _counts_at_focus(graph: Graph, path: Node) -> bool:
    """Whether the inverse path ``path`` is the whole path of one count-only property
    shape of one targeted node shape that no other shape uses."""
    owners = list(graph.subjects(SH.path, path))
    if len(owners) != 1 or any(True for _ in graph.subjects(RDF.first, path)):
        return False
    prop = owners[0]
    if any(p not in _COUNT_ONLY for p in graph.predicates(prop)):
        return False
    users = [(s, p) for p in _REFERRING for s in graph.subjects(p, prop)]
    if len(users) != 1 or users[0][1] != SH.property:
        return False
    node = users[0][0]
    if not any(True for t in _TARGETS for _ in graph.objects(node, t)):
        return False
    return not any(True for p in _REFERRING for _ in graph.subjects(p, node))


@cache
def inverse_read_predicates(shapes: Graph | None = None) -> frozenset[str]:
    """Predicates some shape reads from the object's side (see the module docstring)."""
    graph = shapes if shapes is not None else shapes_graph()
    found: set[str] = set()
    for path in graph.objects(None, SH.inversePath):
        found |= _path_predicates(graph, path)
    for select in graph.objects(None, SH.select):
        found |= _backward_in_sparql(graph, str(select))
    return frozenset(found)


def _path_predicates(graph: Graph, node: Node) -> set[str]:
    """Every predicate IRI in a SHACL path written in RDF (lists and nested paths)."""
    if isinstance(node, URIRef):
        return {str(node)}
    found: set[str] = set()
    for _, _, value in graph.triples((node, None, None)):
        if isinstance(value, URIRef) and value != SH.inversePath:
            found.add(str(value))
        elif value is not None:
            found |= _path_predicates(graph, value)
    return {iri for iri in found if not iri.startswith(str(SH)) and "rdf-syntax-ns" not in iri}


def _backward_in_sparql(graph: Graph, text: str) -> set[str]:
    """Predicates of patterns a SHACL-SPARQL query follows backwards."""
    prefixes = {
        str(prefix): str(namespace)
        for declaration in graph.objects(None, SH.declare)
        for prefix in graph.objects(declaration, SH.prefix)
        for namespace in graph.objects(declaration, SH.namespace)
    }
    return set(_backward_in_query(text, tuple(sorted(prefixes.items()))))


@cache
def _backward_in_query(text: str, prefixes: tuple[tuple[str, str], ...]) -> frozenset[str]:
    """_backward_in_sparql of one query text, parsed once per process: rdflib's parser
    takes some 80 ms a query, and both the inverse and the counted predicates read every
    query of the shapes (3.4 s at the first write of a process, half of it twice)."""
    try:
        algebra = prepareQuery(text, initNs=dict(prefixes)).algebra
    except Exception:  # noqa: BLE001 - the validator reports such a shape; nothing to read here
        return frozenset()
    triples: list[tuple[Node, object, Node]] = []
    _collect_triples(algebra, triples)
    objects = {o for _, _, o in triples}
    found: set[str] = set()
    for subject, predicate, obj in triples:
        backwards = obj == THIS or (
            isinstance(subject, Variable) and subject != THIS and subject not in objects
        )
        predicates = _predicates(predicate)
        if backwards:
            found |= predicates
        found |= _inverted(predicate)
    return frozenset(found)


def _collect_triples(node: object, out: list[tuple[Node, object, Node]]) -> None:
    """Every triple pattern of a query's algebra, also inside FILTER (NOT) EXISTS, whose
    group rdflib leaves untranslated (TriplesBlock parts, triples as lists)."""
    if isinstance(node, CompValue):
        if node.name == "BGP":
            out.extend(node["triples"])
        elif node.name == "TriplesBlock":
            terms = [term for chunk in node["triples"] for term in chunk]  # s p o s p o ...
            out.extend(zip(terms[0::3], terms[1::3], terms[2::3], strict=True))
        for value in node.values():
            _collect_triples(value, out)
    elif isinstance(node, list | tuple):
        for item in node:
            _collect_triples(item, out)


def _predicates(path: object) -> set[str]:
    if isinstance(path, URIRef):
        return {str(path)}
    if isinstance(path, AlternativePath | SequencePath):
        return {p for arg in path.args for p in _predicates(arg)}
    if isinstance(path, InvPath | MulPath):
        return _predicates(path.arg if isinstance(path, InvPath) else path.path)
    if isinstance(path, NegatedPath):
        return {p for arg in path.args for p in _predicates(arg)}
    return set()


def _inverted(path: object) -> set[str]:
    """Predicates under a ^ in a SPARQL property path."""
    if isinstance(path, InvPath):
        return _predicates(path.arg)
    if isinstance(path, AlternativePath | SequencePath | NegatedPath):
        return {p for arg in path.args for p in _inverted(arg)}
    if isinstance(path, MulPath):
        return _inverted(path.path)
    if isinstance(path, Path):
        return set()
    return set()


def _model_nodes(replica: ValidationReplica, nodes: Iterable[ox.NamedNode | ox.Literal]) -> set:
    """The nodes described in a model graph (concepts, classes, units): never walked from."""
    named = [n for n in nodes if isinstance(n, ox.NamedNode)]
    if not named:
        return set()
    data = set(replica.data_graphs())  # once: per graph, a store of 3,000 graphs took 20 s
    model = [g for g in replica.validation_graphs() if g not in data]
    if not model:
        return set()
    values = " ".join(str(n) for n in named)
    query = f"SELECT DISTINCT ?node WHERE {{ VALUES ?node {{ {values} }} ?node ?p ?o }}"
    return {ox.NamedNode(str(row[0])) for row in replica.query_on(query, model).rows}
