"""Keeping the model (ontology, value lists, units, IMBOR, shapes) current in a store.

Named queries reach labels and class hierarchies of the model through the
union default graph, so every store must hold the model beside the data.
Each part goes into its own named graph; a small metadata graph records the
SHA-256 of the files each part was loaded from, so opening an up-to-date
store costs one hash of the model files and one query (which never counts
the triples of a big store). In a new store every model graph is empty, so
the store loads the model files with its native bulk loader.

A store that held registry data under another model (an upgrade) gets the new one all
the same, and says so (``ModelUpdate``): its shapes may be stricter, so data written
before may now break them, and every validated write is refused for it until it is
fixed. Said once, when the model is replaced; the store layer prints nothing, so the
caller is told (``announce``) or, by default, the log is.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from ..model import (
    AUDIT_GRAPH,
    DERIVED_GRAPH,
    SHAPES_GRAPH,
    WRITES_GRAPH,
    model_parts,
    shape_files,
)
from .base import Store, StoreError
from .write_claim import turn_for

logger = logging.getLogger(__name__)

META_GRAPH = "https://data.krb.nl/def/krb/meta"
"""Named graph recording which model files each model graph was loaded from."""

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

_META_QUERY = """
PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?graph ?hash WHERE {
  GRAPH ?meta { ?d sd:name ?graph ; dct:identifier ?hash }
  FILTER EXISTS { GRAPH ?graph { ?s ?p ?o } }
}
"""
"""The recorded hash of each model graph that still holds data (one may have been dropped)."""


@dataclass(frozen=True)
class ModelGraph:
    iri: str
    files: tuple[Path, ...]

    def content_hash(self) -> str:
        """SHA-256 over the names and bytes of the files, in load order."""
        digest = hashlib.sha256()
        for path in self.files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise StoreError(f"model file {path} cannot be read: {exc.strerror}") from exc
            digest.update(path.name.encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(data).digest())
        return "sha256:" + digest.hexdigest()


def model_graphs(root: Path | None = None) -> list[ModelGraph]:
    """The model's named graphs with their source files; shapes included."""
    graphs = [ModelGraph(part.graph, part.files) for part in model_parts(root)]
    graphs.append(ModelGraph(SHAPES_GRAPH, shape_files(root)))
    return [graph for graph in graphs if graph.files]


def model_graph_iris(root: Path | None = None) -> frozenset[str]:
    """Graph IRIs krbgraph manages itself; users load and drop data graphs only."""
    return frozenset(
        [part.graph for part in model_parts(root)]
        + [SHAPES_GRAPH, META_GRAPH, DERIVED_GRAPH, AUDIT_GRAPH, WRITES_GRAPH]
    )


def graph_kind(iri: str, root: Path | None = None) -> str:
    return "model" if iri in model_graph_iris(root) else "data"


@dataclass(frozen=True)
class ModelUpdate:
    """A store holding registry data got this release's model in place of another."""

    graphs: tuple[str, ...]
    """The model graphs replaced."""

    @property
    def message_nl(self) -> str:
        return (
            "het model in de store is bijgewerkt naar dat van deze versie; data die eerder "
            "is geschreven voldoet mogelijk niet aan de nieuwe vormregels (shapes): "
            "`krb validate --store` met deze store toont wat niet voldoet"
        )

    @property
    def message_en(self) -> str:
        return (
            "the model in the store was updated to this release's; data written before may "
            "not meet its new shapes: `krb validate --store` on this store lists what it breaks"
        )


def ensure_model(
    store: Store,
    root: Path | None = None,
    *,
    reload: bool = False,
    announce: Callable[[ModelUpdate], None] | None = None,
) -> list[str]:
    """Load each model graph that is missing or whose files changed; returns their IRIs.

    The changed graphs are replaced in one transaction, then the metadata is
    written; a crash in between leaves stale metadata, so the next call
    simply loads again. ``reload``: every model graph, whatever the metadata says (after
    a restore, whose metadata describes the dump's copies, which the files replace).
    ``announce`` is told when a model that was there is replaced in a store that holds
    registry data (an upgrade, not a new store or a restore), before the new model goes
    in; without it, that is logged as a warning.
    Raises StoreError when a model file is unreadable.
    """
    wanted = {graph.iri: graph for graph in model_graphs(root)}
    hashes = {iri: graph.content_hash() for iri, graph in wanted.items()}
    recorded = {} if reload else _recorded_hashes(store)
    stale = [iri for iri in wanted if recorded.get(iri) != hashes[iri]]
    if not stale:
        return []
    if recorded and _holds_registry_data(store, root):
        update = ModelUpdate(tuple(stale))
        if announce is None:
            logger.warning("%s", update.message_en)
        else:
            announce(update)
    with turn_for(store):  # a shared server: not beside another writer's change
        if recorded:
            # Another model was there: an upgrade, or a release that keeps no derived
            # graph (or other rules) wrote the data since this one derived it, leaving
            # its dates in force behind. Derived again by whoever opens it (derived.py).
            store.update(_MARK_REPLACED, repeatable=True)
        store.load_files({iri: wanted[iri].files for iri in stale}, replace=True)
        store.replace_graph(META_GRAPH, _meta_graph(hashes))
    return stale


MODEL_REPLACED = "stale: model replaced"
"""The derived graph's ``owl:versionInfo`` once the model it was derived beside was
replaced (krbgraph.derived.ensure_current derives a graph of any other version than its
rules' again)."""

_VERSION = f"GRAPH <{DERIVED_GRAPH}> {{ <{DERIVED_GRAPH}> <{OWL.versionInfo}> %s }}"
_MARK_REPLACED = (
    f"DELETE {{ {_VERSION % '?v'} }}\n"
    f"INSERT {{ {_VERSION % Literal(MODEL_REPLACED).n3()} }}\n"
    f"WHERE {{ {_VERSION % '?v'} }}"
)
"""Marks a derived graph there is (a store without data has none: nothing to say)."""


def _holds_registry_data(store: Store, root: Path | None) -> bool:
    """Whether a graph the product does not manage holds a triple (asked only when the
    model changes: it may read the model's graphs before it finds one)."""
    managed = ", ".join(f"<{iri}>" for iri in sorted(model_graph_iris(root)))
    query = f"ASK WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (?g NOT IN ({managed})) }}"
    return bool(store.query(query).boolean)


def _recorded_hashes(store: Store) -> dict[str, str]:
    result = store.query(_META_QUERY, bindings={"meta": URIRef(META_GRAPH)})
    return {str(graph): str(digest) for graph, digest in result.rows if graph and digest}


def _meta_graph(hashes: dict[str, str]) -> Graph:
    graph = Graph()
    for iri, digest in sorted(hashes.items()):
        node = BNode()
        graph.add((node, RDF.type, SD.NamedGraph))
        graph.add((node, SD.name, URIRef(iri)))
        graph.add((node, DCTERMS.identifier, Literal(digest)))
    return graph
