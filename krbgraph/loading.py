"""Putting registry files into a store: validated first, written all at once or not at all.

Each file goes into its own named graph, ``{base}/graph/{slug of the file
name}`` (``geluid.ttl`` -> ``https://krb.demogemeente.nl/graph/geluid``), so a
file can later be replaced or dropped on its own; ``graph=`` puts all given
files into one graph instead. Loading never merges silently: a graph that
already holds data is only overwritten with ``replace=True``.

Before anything is written, every file is parsed and the new data is
validated against the KRB shapes together with the registry data already in
the store (minus the graphs being replaced), so cross-references between
files are checked too. Any syntax error or violation stops the whole load
and the store is left as it was. Once the data has passed, the files are
written by the store's native loader (``Store.load_files``), not from the
rdflib graphs: that is the fast path into new graphs, and it stores the
terms exactly as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rdflib import Dataset, Graph, URIRef

from .derived import refresh as refresh_derived
from .iris import DEFAULT_BASE_IRI, reference
from .rdfio import RdfInputError, expand_paths, file_format, read_rdf
from .registry import ManagedGraphRefused, refuse_managed, registry_with, require_conforming
from .store import Store, StoreError
from .store.rdffiles import named_graph_message, stem
from .store.terms import named_node
from .validation import ValidationFailed, ValidationResult

__all__ = [
    "GraphLoad",
    "LoadError",
    "ManagedGraphRefused",
    "ValidationFailed",
    "LoadProgress",
    "LoadReport",
    "data_graph_iri",
    "drop_data_graph",
    "load_paths",
    "plan_load",
]


class LoadError(ValueError):
    """The load cannot go ahead as asked (occupied graph, model graph, no files, ...)."""


class LoadProgress(Protocol):
    """Receives progress of a long load (the CLI shows it as a progress bar)."""

    def start(self, files: int) -> None: ...

    def parsed(self, path: Path, triples: int) -> None: ...

    def stage(self, description: str) -> None: ...


@dataclass(frozen=True)
class GraphLoad:
    graph: str
    files: tuple[Path, ...]
    triples: int
    replaced: bool
    """True when the graph held data that this load replaced."""


@dataclass(frozen=True)
class LoadReport:
    graphs: tuple[GraphLoad, ...]
    validation: ValidationResult | None
    """None when validation was switched off; may hold warnings when it passed."""

    @property
    def triples(self) -> int:
        return sum(load.triples for load in self.graphs)


def data_graph_iri(base_iri: str, path: Path) -> str:
    """``{base}/graph/{slug}`` for a registry file; the slug follows krbgraph.iris.reference."""
    return f"{base_iri.rstrip('/')}/graph/{reference(stem(path))}"


def plan_load(
    paths: Iterable[Path], *, graph: str | None = None, base_iri: str = DEFAULT_BASE_IRI
) -> dict[str, list[Path]]:
    """Target graph IRI -> files, for the given files and folders (searched recursively).

    Raises RdfInputError for a missing path or a file of unknown type, and
    LoadError when two files would land in the same graph or no RDF file is
    found, and ManagedGraphRefused when a target is one of the model's own graphs.
    """
    paths = list(paths)
    files = expand_paths(paths)
    for path in files:
        file_format(path)
    if not files:
        raise LoadError(f"no RDF files found in {', '.join(str(p) for p in paths)}")
    plan: dict[str, list[Path]] = {}
    if graph is not None:
        try:
            named_node(graph)
        except StoreError as exc:
            raise LoadError(str(exc)) from None
        plan[graph] = files
    else:
        for path in files:
            target = data_graph_iri(base_iri, path)
            if target in plan:
                raise LoadError(
                    f"{plan[target][0]} and {path} would both go into graph <{target}>; "
                    "rename one, or pass a graph to load both into one"
                )
            plan[target] = [path]
    refuse_managed(plan)
    return plan


def load_paths(
    store: Store,
    paths: Sequence[Path],
    *,
    graph: str | None = None,
    replace: bool = False,
    base_iri: str = DEFAULT_BASE_IRI,
    validate: bool = True,
    progress: LoadProgress | None = None,
) -> LoadReport:
    """Load RDF files into the store, one named graph per file (or all into ``graph``).

    Raises RdfInputError (``file:line:column``) for unreadable input,
    LoadError for a load that cannot go ahead, ValidationFailed when the
    data breaks the shapes, StoreError when the store fails; in every case
    nothing is written.
    """
    plan = plan_load(paths, graph=graph, base_iri=base_iri)
    occupied = {iri for iri in plan if _holds_data(store, iri)}
    if occupied and not replace:
        listing = ", ".join(f"<{iri}> ({_size(store, iri)} triples)" for iri in sorted(occupied))
        raise LoadError(
            f"graph {listing} already holds data; pass --replace to replace it (nothing was loaded)"
        )
    if progress is not None:
        progress.start(sum(len(files) for files in plan.values()))

    if not validate:
        if progress is not None:
            progress.stage("writing")
        counts = store.load_files(plan, replace=replace)
        refresh_derived(store)
        return LoadReport(_loads(plan, counts, occupied), None)

    parsed = {iri: _read_graph(files, progress) for iri, files in plan.items()}
    if progress is not None:
        progress.stage("validating")
    result = require_conforming(registry_with(store, parsed))
    counts = {iri: len(data) for iri, data in parsed.items()}
    del parsed  # the graphs can be large; the store reads the files itself
    if progress is not None:
        progress.stage("writing")
    store.load_files(plan, replace=replace)
    refresh_derived(store)
    return LoadReport(_loads(plan, counts, occupied), result)


def drop_data_graph(store: Store, graph: str) -> None:
    """Drop a registry graph; the model's graphs are refused (they are managed).

    Raises ManagedGraphRefused for a model graph and KeyError for an unknown graph.
    """
    refuse_managed([graph])
    store.drop_graph(graph)
    refresh_derived(store)


def _read_graph(files: Sequence[Path], progress: LoadProgress | None) -> Graph:
    merged = Graph()
    for path in files:
        data = read_rdf(path)
        if isinstance(data, Dataset):
            for context in data.contexts():
                if context.identifier != data.default_context.identifier and len(context):
                    raise RdfInputError(
                        path, None, None, named_graph_message(f"<{context.identifier}>")
                    )
            data = data.default_context
        before = len(merged)
        for triple in data:
            merged.add(triple)
        if progress is not None:
            progress.parsed(path, len(merged) - before)
    return merged


_HOLDS_DATA = "ASK WHERE { GRAPH ?g { ?s ?p ?o } }"
_GRAPH_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _holds_data(store: Store, graph: str) -> bool:
    """One lookup, where counting every graph in a big store (store.graphs()) takes seconds."""
    return bool(store.query(_HOLDS_DATA, bindings={"g": URIRef(graph)}).boolean)


def _size(store: Store, graph: str) -> int:
    rows = store.query(_GRAPH_SIZE, bindings={"g": URIRef(graph)}).rows
    return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0


def _loads(
    plan: dict[str, list[Path]], counts: dict[str, int], occupied: set[str]
) -> tuple[GraphLoad, ...]:
    return tuple(
        GraphLoad(iri, tuple(files), counts.get(iri, 0), iri in occupied)
        for iri, files in plan.items()
    )
