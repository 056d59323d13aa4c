"""What a token scoped to some graphs may state: facts about the things its graphs hold.

A scope by graph alone let the writer of one department's graphs end another's policy:
one triple in its own graph about the other's document (``adms:status`` withdrawn, a
date no longer in force, ``dct:isReplacedBy``) changed that document's dates in force
for every reader, since the rules and queries read the union of all graphs, while the
other department found nothing in its history and could not remove it. So a scoped
writer may add a triple about a thing only when the thing is its own: described in one
of the graphs it may write (typed there, or for an untyped thing a subject there), or
described nowhere yet. A fact that changes its object (a successor's
``dct:replaces``, a decision's ``prov:generated``) needs its object to be the writer's
own as well, and a class's ``rdfs:subClassOf`` needs every graph typing things with it
or with a class below it to be the writer's (it decides what they are).

A thing is the writer's only when *every* graph describing it is: a thing typed in two
departments' graphs (the one that typed another's predictable next IRI first, and the
administrator's later) stays out of reach of both. A blank node has no name to point at
from elsewhere: mentioning another graph's blank node at all (as object too) is a fact
about it, or one update names another's validity period as its own object and the
next ends that period.

The registry's own value lists (a ``skos:ConceptScheme`` outside the model) are
shared: every workbook adds its own sectors or material streams to the same one, with
``skos:hasTopConcept`` of a concept of its own; what the list is called and says stays
its owner's. Pointing at
another's thing from one's own (an effect on another theme's norm, an area in another's
area) stays allowed: the cross-links are made of that.

Tokens without a prefix, and admin tokens, may state anything, as before.
"""

from __future__ import annotations

from collections.abc import Collection

import pyoxigraph as ox

from .replica import ValidationReplica, graph_key
from .store import model_graph_iris
from .tokens import GraphNotAllowed, Writer

__all__ = ["refuse_foreign_things"]

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_CHANGES_ITS_OBJECT = frozenset(
    {"http://purl.org/dc/terms/replaces", "http://www.w3.org/ns/prov#generated"}
)
"""Predicates whose triples change what their object means (krbgraph.lifecycle): the
document a successor replaces ends, the document a decision generated is adopted."""

_DEFINES_ITS_SUBJECT = frozenset(
    {
        "http://www.w3.org/2000/01/rdf-schema#subClassOf",
        "http://www.w3.org/2002/07/owl#equivalentClass",
    }
)
"""Predicates that change what every thing typed with their subject is."""
_HIERARCHY = tuple(ox.NamedNode(p) for p in sorted(_DEFINES_ITS_SUBJECT))
_CONCEPT_SCHEME = ox.NamedNode("http://www.w3.org/2004/02/skos/core#ConceptScheme")
_HAS_TOP_CONCEPT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#hasTopConcept")

_Node = ox.NamedNode | ox.BlankNode


def refuse_foreign_things(
    replica: ValidationReplica, added: Collection[ox.Quad], writer: Writer | None
) -> None:
    """GraphNotAllowed when a scoped ``writer`` adds a fact about a thing that a graph it
    may not write describes. ``replica`` holds the store before or after the change;
    ``added`` are left out of what describes a thing either way."""
    if writer is None or not writer.scoped:
        return
    adding = added if isinstance(added, set | frozenset) else set(added)
    checked: set[_Node] = set()
    shared: dict[_Node, set[str | None]] = {}  # shared value lists added to: their graphs
    model = model_graph_iris()
    for quad in sorted(adding, key=str):
        things: list[object] = [quad.subject]
        if quad.predicate.value in _CHANGES_ITS_OBJECT or isinstance(quad.object, ox.BlankNode):
            things.append(quad.object)
        for position, thing in enumerate(things):
            if not isinstance(thing, ox.NamedNode | ox.BlankNode):
                continue
            if thing not in checked:
                checked.add(thing)
                owners = _owners(replica, thing, adding)
                foreign = {g for g in owners if not writer.may_write(g)}
                if foreign:
                    if position != 0 or not _shared_list(replica, thing, owners, model, adding):
                        raise GraphNotAllowed(_refusal(writer, thing, foreign))
                    shared[thing] = foreign
            if thing in shared and quad.predicate != _HAS_TOP_CONCEPT:
                # A shared list takes new concepts from everyone; its name, description and
                # everything else about it stay with the graphs that describe it.
                raise GraphNotAllowed(_refusal(writer, thing, shared[thing]))
        if quad.subject in shared and isinstance(quad.object, ox.NamedNode):
            # What it adds must be its own concept: another's sector made a top concept
            # of the list is another's subtype turned into a main type for every reader.
            foreign = {g for g in _owners(replica, quad.object, adding) if not writer.may_write(g)}
            if foreign:
                raise GraphNotAllowed(_refusal(writer, quad.object, foreign))
        if quad.predicate.value in _DEFINES_ITS_SUBJECT and isinstance(quad.subject, ox.NamedNode):
            # A class's place in the hierarchy decides what every thing of it, or of a
            # class below it, is (krbgraph.entailed_types): every graph typing such things
            # must be the writer's.
            foreign = {
                g
                for g in _graphs_typing_below(replica, quad.subject, adding)
                if not writer.may_write(g)
            }
            if foreign:
                raise GraphNotAllowed(_refusal(writer, quad.subject, foreign))


def _graphs_typing_below(
    replica: ValidationReplica, klass: ox.NamedNode, adding: Collection[ox.Quad]
) -> set[str | None]:
    """The graphs typing things with ``klass`` or a class below it (rdfs:subClassOf or
    owl:equivalentClass, stated anywhere but in ``adding``), and those placing a class
    below it: a class another graph only names (``Gevelnorm rdfs:subClassOf Wettelijk``)
    is theirs to place as much as one they type with."""
    below, todo = {klass}, [klass]
    placing: set[str | None] = set()
    while todo:
        current = todo.pop()
        for predicate in _HIERARCHY:
            for q in replica.quads_matching(None, predicate, current):
                if q in adding or not isinstance(q.subject, ox.NamedNode):
                    continue
                placing.add(graph_key(q))
                if q.subject not in below:
                    below.add(q.subject)
                    todo.append(q.subject)
    typing = {
        graph_key(q)
        for k in below
        for q in replica.quads_matching(None, _RDF_TYPE, k)
        if q not in adding
    }
    return typing | placing


def _shared_list(
    replica: ValidationReplica,
    thing: _Node,
    owners: set[str | None],
    model: Collection[str],
    adding: Collection[ox.Quad],
) -> bool:
    """Whether ``thing`` is one of the registry's own value lists: typed a
    skos:ConceptScheme and nothing else by the graphs that hold it (never by the write
    itself, which would make any thing "shared"), none of them a model graph. Every
    workbook adds its own sectors, material streams and document kinds to the same
    list, so each department adds to it."""
    if any(g in model for g in owners):
        return False
    types = {q.object for q in replica.quads_matching(thing, _RDF_TYPE, None) if q not in adding}
    return types == {_CONCEPT_SCHEME}


def _owners(
    replica: ValidationReplica, thing: _Node, adding: Collection[ox.Quad]
) -> set[str | None]:
    """The graphs that describe ``thing`` apart from ``adding``: those typing it, else
    those where it is a subject (an IRI) or occurs at all (a blank node, which nothing
    outside its graph can name)."""
    if isinstance(thing, ox.BlankNode):
        return {graph_key(q) for q in replica.quads_with(thing) if q not in adding}
    typed = {
        graph_key(q) for q in replica.quads_matching(thing, _RDF_TYPE, None) if q not in adding
    }
    if typed:
        return typed
    return {graph_key(q) for q in replica.quads_matching(thing, None, None) if q not in adding}


def _refusal(writer: Writer, thing: _Node, owners: set[str | None]) -> str:
    named = ", ".join(
        "the default graph" if g is None else f"<{g}>" for g in sorted(owners, key=str)
    )
    benoemd = ", ".join(
        "de standaardgraaf" if g is None else f"<{g}>" for g in sorted(owners, key=str)
    )
    return (
        f"Token '{writer.name}' mag alleen feiten vastleggen over dingen uit graven waarvan de "
        f"IRI begint met <{writer.graph_prefix}>; {thing} staat in {benoemd}. Verwijs ernaar "
        "vanuit een eigen ding. / "
        f"Token '{writer.name}' may only state facts about things described in graphs whose "
        f"IRI starts with <{writer.graph_prefix}>; {thing} is described in {named}. Refer to "
        "it from a thing of your own instead."
    )
