"""The model's classes a resource has through a municipality's own subclasses.

A registry may type its things with classes of its own that specialise the model's
(``gem:Geluidsnorm rdfs:subClassOf krb:Beleidsnorm``; a plan area as a subclass of
``krb:Werkingsgebied``). The shapes follow ``rdfs:subClassOf`` already (the compiled
shapes list a class's subclasses from the data), so such a norm is validated as a norm;
but the named queries, the pages, the API and the exports ask ``?x a krb:Beleidsnorm``,
and a norm typed only ``gem:Geluidsnorm`` was left out of every answer, and undated,
so counted in force on every day. Following ``rdfs:subClassOf*`` in each of those
patterns would cost every query a path per instance. So the derived graph
(krbgraph.derived) states the model's classes such a resource has: RDFS's rule rdfs9,
for the model's own classes only (``owl:Class`` in the KRB ontology) and only for
resources typed with a class outside the model.

Only the most specific of them, as a resource typed by hand would be (an own subclass
of ``krb:MerMaatregel`` is a ``krb:MerMaatregel``, not also a ``krb:Beleidsmaatregel``,
which the queries ask for beside it), and never one the resource is typed with
already: the store's union of graphs repeats a triple once per graph holding it, so a
query would count the resource twice.

Which types a resource has is read outside the derived graph (stated_types): a full
derivation on the store, whose derived graph it replaces, must not read its own old
answers back.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from .model import DERIVED_GRAPH
from .namespaces import ONTOLOGY_IRI
from .store.base import SparqlSource

__all__ = [
    "TypeRules",
    "entailed_types",
    "stated_types",
    "type_rules",
    "type_triples",
    "with_model_types",
    "with_own_classes",
]

_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_OWL_CLASS = "http://www.w3.org/2002/07/owl#Class"
_BATCH = 2_000
"""Subjects per query when types are read for listed subjects."""


@dataclass(frozen=True)
class TypeRules:
    """The model's classes and the registry's own classes below them."""

    supers: Mapping[str, frozenset[str]]
    """Every model class -> the model classes above it (not itself)."""
    own: Mapping[str, frozenset[str]]
    """Every class outside the model below a model class -> the model classes above it."""

    def entailed(self, own_types: Iterable[str], direct: Iterable[str]) -> frozenset[str]:
        """The model classes a resource typed ``own_types`` (outside the model) and
        ``direct`` (model classes) gets derived: the most specific of all it has, less
        those it is typed with."""
        stated = set(direct)
        candidates = set(stated)
        for cls in own_types:
            candidates |= self.own.get(cls, frozenset())
        above = {sup for cls in candidates for sup in self.supers.get(cls, ())}
        return frozenset(candidates - above - stated)

    def specialises(self, cls: str, model_class: str) -> bool:
        """Whether ``cls`` is ``model_class`` or lies below it."""
        return (
            cls == model_class
            or model_class in self.supers.get(cls, ())
            or model_class in self.own.get(cls, ())
        )

    def classes_below(self, model_classes: Collection[str]) -> set[str]:
        """``model_classes`` and every own class below one of them (not the model's
        subclasses: the queries name those themselves)."""
        found = set(model_classes)
        found.update(c for c, above in self.own.items() if above & set(model_classes))
        return found


def type_rules(source: SparqlSource) -> TypeRules:
    """The model's classes with their superclasses, and the registry's own subclasses of
    them: two queries, walking up from the model's few dozen classes."""
    supers: dict[str, set[str]] = defaultdict(set)
    rows = source.query(
        f"SELECT ?k ?sup WHERE {{ GRAPH <{ONTOLOGY_IRI}> {{ ?k a <{_OWL_CLASS}> "
        f"FILTER (isIRI(?k)) OPTIONAL {{ ?k <{_SUBCLASS_OF}>+ ?sup FILTER (isIRI(?sup)) }} }} }}"
    ).rows
    for cls, sup in rows:
        supers[str(cls)]
        if sup is not None and str(sup) != str(cls):
            supers[str(cls)].add(str(sup))
    model = {cls: frozenset(above) for cls, above in supers.items()}
    if not model:
        return TypeRules(model, {})
    values = " ".join(f"<{cls}>" for cls in sorted(model))
    own: dict[str, set[str]] = defaultdict(set)
    for cls, above in source.query(
        f"SELECT DISTINCT ?c ?k WHERE {{ VALUES ?k {{ {values} }} ?c <{_SUBCLASS_OF}>+ ?k "
        "FILTER (isIRI(?c)) }"
    ).rows:
        if str(cls) not in model:
            own[str(cls)].add(str(above))
    return TypeRules(model, {cls: frozenset(above) for cls, above in own.items()})


def stated_types(
    source: SparqlSource, classes: Collection[str], subjects: Collection[str] | None = None
) -> dict[str, set[str]]:
    """IRI -> the classes among ``classes`` it is typed with in a graph other than the
    derived graph (for every resource, or only ``subjects``).

    The union of all graphs is read first (one DISTINCT query, as fast as before there
    were derived types); only a type the derived graph holds too is looked up per named
    graph, where the derived graph can be told apart, and in the unnamed default graph
    as one more occurrence in the union than in the named graphs (Oxigraph gives a triple
    once per graph; a server whose union merges them has it in a named graph as well)."""
    found: dict[str, set[str]] = defaultdict(set)
    if not classes or (subjects is not None and not subjects):
        return found
    values = "VALUES ?c { " + " ".join(f"<{c}>" for c in sorted(classes)) + " } "
    batches: Iterable[list[str] | None] = (
        [None] if subjects is None else _batches(sorted(subjects), _BATCH)
    )
    doubtful: set[tuple[str, str]] = set()
    for batch in batches:
        restrict = (
            "" if batch is None else "VALUES ?s { " + " ".join(f"<{s}>" for s in batch) + " } "
        )
        for node, kind in source.query(
            f"SELECT DISTINCT ?s ?c WHERE {{ {restrict}{values}?s a ?c FILTER (isIRI(?s)) }}"
        ).rows:
            found[str(node)].add(str(kind))
        for node, kind in source.query(
            f"SELECT ?s ?c WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ {restrict}{values}?s a ?c }} }}"
        ).rows:
            doubtful.add((str(node), str(kind)))
    for pairs in _batches(sorted(doubtful), _BATCH):
        for subject, cls in pairs:
            found[subject].discard(cls)
        listed = "VALUES (?s ?c) { " + " ".join(f"(<{s}> <{c}>)" for s, c in pairs) + " } "
        in_named: Counter[tuple[str, str]] = Counter()
        for node, kind, graph in source.query(
            f"SELECT ?s ?c ?g WHERE {{ {listed}GRAPH ?g {{ ?s a ?c }} }}"
        ).rows:
            in_named[(str(node), str(kind))] += 1
            if str(graph) != DERIVED_GRAPH:
                found[str(node)].add(str(kind))
        for node, kind in source.query(f"SELECT ?s ?c WHERE {{ {listed}?s a ?c }}").rows:
            in_named[(str(node), str(kind))] -= 1
        for (subject, cls), surplus in in_named.items():
            if surplus < 0:  # more in the union than in the named graphs: the default graph
                found[subject].add(cls)
    return {subject: classes for subject, classes in found.items() if classes}


def entailed_types(
    source: SparqlSource, rules: TypeRules, subjects: Collection[str] | None = None
) -> dict[str, frozenset[str]]:
    """IRI -> the model classes derived for it (TypeRules.entailed), for every resource
    typed with an own class, or only for ``subjects``."""
    if not rules.own:
        return {}
    own = stated_types(source, rules.own.keys(), subjects)
    direct = stated_types(source, rules.supers.keys(), own.keys())
    entailed = {s: rules.entailed(classes, direct.get(s, ())) for s, classes in own.items()}
    return {subject: classes for subject, classes in entailed.items() if classes}


_TYPED_NODE = re.compile(r"\?node a <([^>]+)>")


def with_own_classes(pattern: str, rules: TypeRules) -> str:
    """A SPARQL group whose ``?node a <K>`` also matches the registry's own classes below
    K: for checks that read the copy validation runs on, which holds no derived graph
    (krbgraph.unit_checks, krbgraph.spatial_checks). Unchanged without own classes."""

    names: dict[str, str] = {}

    def widened(match: re.Match[str]) -> str:
        classes = sorted(rules.classes_below([match.group(1)]))
        if len(classes) == 1:
            return match.group(0)
        variable = names.setdefault(match.group(1), f"?node_class_{len(names)}")
        listed = " ".join(f"<{c}>" for c in classes)
        return f"VALUES {variable} {{ {listed} }} ?node a {variable}"

    return _TYPED_NODE.sub(widened, pattern) if rules.own else pattern


def with_model_types(graph: Graph, rules: TypeRules) -> Graph:
    """``graph`` (read from that copy) with the model classes its own-typed resources have
    (TypeRules.entailed) added, so checks that test ``(x, rdf:type, K)`` see them."""
    if not rules.own:
        return graph
    typed: dict[Node, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for subject, kind in graph.subject_objects(RDF.type):
        if str(kind) in rules.own:
            typed[subject][0].add(str(kind))
        elif str(kind) in rules.supers:
            typed[subject][1].add(str(kind))
    for subject, (own, direct) in typed.items():
        for model_class in rules.entailed(own, direct):
            graph.add((subject, RDF.type, URIRef(model_class)))
    return graph


def type_triples(entailed: Mapping[str, Collection[str]]) -> list[tuple[URIRef, URIRef, URIRef]]:
    """The derived rdf:type triples of ``entailed_types``."""
    return [
        (URIRef(subject), RDF.type, URIRef(cls))
        for subject in sorted(entailed)
        for cls in sorted(entailed[subject])
    ]


_T = TypeVar("_T")


def _batches(items: list[_T], size: int) -> Iterable[list[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
