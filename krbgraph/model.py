"""Where the KRB model lives on disk, and how to read it.

The model is source in the repository: the OWL ontology, the value lists, the
units, the IMBOR extract and the SHACL shapes. Each part has the named graph
it is loaded into, so a store holds the model beside the data it describes and
queries can reach labels and class hierarchies without extra files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.term import Node

from .namespaces import IMBOR_EXTRACT_IRI, ONTOLOGY_IRI, PREFIXES, QUDT_EXTRACT_IRI
from .rdfio import rdflib_term


def project_root() -> Path:
    """The folder that holds ontology/, sparql/, mappings/ and examples/.

    These ship inside the package (krbgraph.resources: links to the repository's
    folders in a checkout, copies in a wheel), so the same path works in both.
    KRB_HOME overrides it, to run on a model of one's own.
    """
    home = os.environ.get("KRB_HOME")
    if home:
        return Path(home)
    return Path(str(resources.files("krbgraph.resources")))


@dataclass(frozen=True)
class ModelPart:
    """One part of the model: a named graph and the files that fill it."""

    graph: str
    files: tuple[Path, ...]


def model_parts(root: Path | None = None) -> list[ModelPart]:
    """The model, part by part, in load order.

    No two parts state one fact: a store's default graph is the union of its graphs, and
    the engine (Oxigraph 0.5) gives a triple once per graph holding it, so a query over
    the model would repeat rows and double its counts (docs/sparql.md, "One graph per
    fact"; tests/test_model_graphs_disjoint.py). Files that must say the same thing share
    a part, where a graph, being a set, holds it once.
    """
    root = root or project_root()
    onto = root / "ontology"
    return [
        # The ontology alone. It declares the KRB's terms and the borrowed ones the
        # whole model uses (qudt:Unit, skos:broader, dct:source, ...); the IMBOR extract
        # leaves them to it (mappings/imbor/build.py), so each declaration is one fact.
        ModelPart(ONTOLOGY_IRI, (onto / "krb.ttl",)),
        ModelPart(
            "https://data.krb.nl/id/conceptschema",
            tuple(sorted((onto / "waardelijsten").glob("*.ttl"))),
        ),
        ModelPart(
            IMBOR_EXTRACT_IRI,
            (
                root / "mappings" / "imbor" / "imbor-leefomgeving.ttl",
                # Everyday words for IMBOR's object types, found by search only.
                root / "mappings" / "imbor" / "zoektermen.ttl",
            ),
        ),
        # Every unit: all of QUDT's, so data may use any of them (km/h, µg/m³) and pages
        # show their symbols, and the KRB's own list (its notations, Dutch labels, the
        # percentage point) in one graph. eenheden.ttl states QUDT's typing of the units
        # it lists (and some of QUDT's labels) again, as krbgraph.units and validation
        # read it alone; in the ontology's graph each of those was a second copy of a
        # QUDT fact (the norms of a unit counted twice on /sparql), here it is the same one.
        ModelPart(QUDT_EXTRACT_IRI, (onto / "qudt" / "qudt-units.ttl", onto / "eenheden.ttl")),
    ]


SHAPES_GRAPH = "https://data.krb.nl/def/krb/shapes"
"""Named graph of the SHACL shapes when they are loaded into a store."""

DERIVED_GRAPH = "https://data.krb.nl/def/krb/afgeleid"
"""Named graph of facts krbgraph derives from the registry after every write (dates in
force, spatial containment from geometry). Managed like the model: never written by
users, never validated as registry data, rebuilt from the data it derives from."""

AUDIT_GRAPH = "https://data.krb.nl/graph/audit"
"""Who changed what (krbgraph.audit): written by the service with every accepted write,
never by clients."""

WRITES_GRAPH = "https://data.krb.nl/graph/schrijven"
"""The write version of a shared SPARQL server and the intents of services about to
write to it (krbgraph.store.write_claim): bookkeeping, never registry data."""


def shape_files(root: Path | None = None) -> tuple[Path, ...]:
    root = root or project_root()
    return tuple(sorted((root / "ontology" / "shapes").glob("*.ttl")))


def model_files(root: Path | None = None) -> Iterator[Path]:
    for part in model_parts(root):
        yield from part.files


def _bind(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def _parsed(path: Path, graph: Graph | None = None) -> Graph:
    """The Turtle file read into ``graph`` (a new one by default), prefixes included.

    pyoxigraph parses and rdflib only receives the terms: rdflib's own Turtle parser
    took four of the five seconds a service spent before it could take its first
    write (66,000 triples of model and shapes), in every process that starts one.
    """
    graph = Graph() if graph is None else graph
    parser = ox.parse(path=path, format=ox.RdfFormat.TURTLE)
    # pyoxigraph keeps a file's blank node labels: _:p1 of two shape files would be one
    # node in the graph of both. Each file's blank nodes are its own, as in rdflib.
    own: dict[str, BNode] = {}

    def term(node: object) -> Node:
        if isinstance(node, ox.BlankNode):
            return own.setdefault(node.value, BNode())
        return rdflib_term(node)

    try:
        graph.addN((term(t.subject), term(t.predicate), term(t.object), graph) for t in parser)
    except SyntaxError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    for prefix, namespace in parser.prefixes.items():
        graph.bind(prefix, namespace, override=False)
    return graph


@cache
def model_graph() -> Graph:
    """Ontology, value lists, units and IMBOR extract as one rdflib graph.

    Parsed once per process: validation reads it for every file, and it is
    never modified (callers that need to add to it must copy it).
    """
    graph = _bind(Graph())
    for path in model_files():
        _parsed(path, graph)
    return graph


def vocabulary_graph() -> Graph:
    """The model but QUDT's 20,000 unit triples: what a workbook's names are looked up
    in (value lists, IMBOR, the class tree). Units have their own catalogue
    (krbgraph.units), so parsing them into rdflib was half of the second
    `krb import-excel` spent reading the model. The whole model when this process has
    parsed it already (the service), never both."""
    if model_graph.cache_info().currsize:
        return model_graph()
    return _vocabulary_graph()


@cache
def _vocabulary_graph() -> Graph:
    graph = _bind(Graph())
    qudt = project_root() / "ontology" / "qudt" / "qudt-units.ttl"
    for path in model_files():
        if path != qudt:  # eenheden.ttl, in the same graph, is read all the same
            _parsed(path, graph)
    return graph


@cache
def own_units_graph() -> Graph:
    """ontology/eenheden.ttl alone: the KRB's own units and notations."""
    return _parsed(project_root() / "ontology" / "eenheden.ttl")


@cache
def qudt_subjects() -> frozenset[Node]:
    """The subjects of the QUDT unit extract (validation adds just the units data refers to)."""
    path = project_root() / "ontology" / "qudt" / "qudt-units.ttl"
    return frozenset(
        rdflib_term(t.subject) for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
    )


@cache
def shapes_graph() -> Graph:
    """All SHACL shapes of ontology/shapes/ as one graph (parsed once, read-only)."""
    graph = _bind(Graph())
    for path in shape_files():
        _parsed(path, graph)
    return graph
