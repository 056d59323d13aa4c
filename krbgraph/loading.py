"""Putting registry files into a store: validated first, written all at once or not at all.

Each file goes into its own named graph, ``{base}/graph/{slug of the file name}``
(``geluid.ttl`` -> ``https://krb.demogemeente.nl/graph/geluid``), so a file can later be
replaced or dropped on its own; ``graph=`` puts all given files into one graph instead.
Loading never merges silently: a graph that holds data is overwritten only on ``replace``.

Before anything is written, every file is parsed and the new data is
validated against the KRB shapes together with the registry data already in
the store (minus the graphs being replaced), so cross-references between
files are checked too. Any syntax error or violation stops the whole load
and the store is left as it was. Validation runs on an in-memory copy of the
store with the load applied (krbgraph.replica), by the shapes compiled to
SPARQL. Once the data has passed, the files are written by the store's native
loader (``Store.load_files``): that is the fast path into new graphs, and it
stores the terms as Oxigraph does (typed numbers, dates and booleans in the canonical
form of their value, docs/store.md). Into new graphs of an embedded store the
loader runs while the validation does, and its graphs are kept only once the data
has passed (``EmbeddedStore.load_new_files``); until then they count as an
unfinished load, which opening the store after a crash removes.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import replace as with_fields
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from rdflib import Graph, URIRef

from .broken_before import kept_as_before
from .conformance import conforms_known, forget_conformance, mark_conforming
from .derived import Triples as DerivedTriples
from .derived import area_triples, mark_stale, stale_during
from .derived import refresh as refresh_derived
from .derived import replace as replace_derived
from .dropping import graph_size, holds_data
from .findings import READS
from .gc_pause import collector_paused
from .graph_change import graphs_change
from .iris import DEFAULT_BASE_IRI, file_graph_iri, file_graph_name, reference
from .rdfio import expand_paths, file_format, holds_a_triple, rdflib_term
from .registry import (
    GraphNameRefused,
    GraphRefused,
    ManagedGraphRefused,
    checked_whole,
    refuse_managed,
    refuse_new_graph_names,
    write_graphs,
)
from .replica import ValidationReplica
from .source_lines import located_by_graphs, located_by_text
from .store import Store, StoreError
from .store.base import GraphContent, GraphQuads
from .store.embedded import EmbeddedStore
from .store.rdffiles import parse_triples, stem
from .store.terms import named_node
from .store.write_claim import turn_for
from .validation import CheckedObject, ValidationFailed, ValidationResult, checked_objects

__all__ = [
    "GraphLoad",
    "LoadError",
    "GraphNameRefused",
    "GraphRefused",
    "ManagedGraphRefused",
    "ValidationFailed",
    "LoadProgress",
    "LoadReport",
    "data_graph_iri",
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


def data_graph_iri(base_iri: str, path: Path, *, room: int = 0) -> str:
    """``{base}/graph/{slug}`` for a registry file; the slug follows krbgraph.iris.reference.

    Raises LoadError for a name without a letter or digit the slug keeps ('μετρήσεις.ttl')."""
    try:
        slug = reference(stem(path))
    except ValueError:
        slug = ""
    try:
        folder = f"{base_iri.rstrip('/')}/graph/"
        return file_graph_name(folder, slug, str(path), path.name, "--graph IRI", room=room)
    except ValueError as exc:
        raise LoadError(str(exc)) from None


def plan_load(
    paths: Iterable[Path], *, graph: str | None = None, base_iri: str = DEFAULT_BASE_IRI
) -> dict[str, list[Path]]:
    """Target graph IRI -> files, for the given files and folders (searched recursively).

    Raises RdfInputError for a missing path or a file of unknown type, and
    LoadError when two files would land in the same graph or no RDF file is
    found, ManagedGraphRefused when a target is one of the model's own graphs, and
    GraphNameRefused for a graph named with a dot segment (krbgraph.iris.has_dot_segment).
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
    refuse_new_graph_names(plan)
    return plan


@collector_paused()  # a whole registry's findings are many objects (krbgraph.gc_pause)
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

    Raises RdfInputError (``file:line:column``) for unreadable input, LoadError for a load
    that cannot go ahead, ValidationFailed when the data breaks the shapes, StoreError when
    the store fails; in every case nothing is written."""
    plan = plan_load(paths, graph=graph, base_iri=base_iri)
    # On a shared server one turn (krbgraph.store.write_claim): no other writer between.
    with turn_for(store):
        occupied = {iri for iri in plan if holds_data(store, iri)}
        if occupied and not replace:
            listing = ", ".join(
                f"<{iri}> ({graph_size(store, iri)} triples)" for iri in sorted(occupied)
            )
            raise LoadError(
                f"graph {listing} already holds data; pass --replace to replace it "
                "(nothing was loaded)"
            )
        _refuse_empty(plan, occupied)
        if progress is not None:
            progress.start(sum(len(files) for files in plan.values()))
        if not validate:
            forget_conformance(store)  # the next write validates everything
            if progress is not None:
                progress.stage("writing")
            with stale_during(store):
                counts = store.load_files(plan, replace=replace)
            refresh_derived(store)
            return LoadReport(_loads(plan, counts, occupied), None)
        if _by_change(plan) and conforms_known(store):
            result, counts = _validated_by_change(store, plan, replace, progress)
        else:
            result, counts, derived = _validated_load(store, plan, occupied, replace, progress)
            replace_derived(store, derived)
            mark_conforming(store)
    return LoadReport(_loads(plan, counts, occupied), result)


BY_CHANGE_MAX_BYTES = 4 * 1024 * 1024
"""Files up to this size in all go in as one validated change when the store is known to
conform; larger ones take the bulk loader, the registry validated whole. A change costs
about half a millisecond per quad to validate (what it can affect is followed through the
shapes, then checked), the whole registry of a million triples some 20 to 40 seconds: 4 MB
of N-Triples is about 30,000 quads (2,000 measurements), some 15 seconds by change. At
64 MB, 20,000 measurements into the demo took 177 s and 1.8 GB by change, 36 s whole."""


def _by_change(plan: Mapping[str, Sequence[Path]]) -> bool:
    return sum(path.stat().st_size for paths in plan.values() for path in paths) <= (
        BY_CHANGE_MAX_BYTES
    )


def _validated_by_change(
    store: Store,
    plan: Mapping[str, Sequence[Path]],
    replace: bool,
    progress: LoadProgress | None,
) -> tuple[ValidationResult, dict[str, int]]:
    """The files written as one change, validated by what it changes (the store is known
    to conform, krbgraph.conformance), as the service writes: a file of twenty
    measurements into a registry of a million triples costs the copy and the twenty,
    not a validation of the million (krbgraph.registry.write_graphs)."""
    parsed = {iri: _read_quads(iri, files, progress) for iri, files in plan.items()}
    if progress is not None:
        progress.stage("validating")
    try:
        contents: dict[str | None, GraphContent] = {
            iri: GraphQuads(iri, quads) for iri, quads in parsed.items()
        }
        with ValidationReplica.for_one_write(store) as replica:
            result = write_graphs(store, replica, contents, replace=replace)
    except ValidationFailed as refused:
        raise _located(refused, plan, store) from None
    return result, {iri: len(quads) for iri, quads in parsed.items()}


def _located(
    refused: ValidationFailed, plan: Mapping[str, Sequence[Path]], store: Store
) -> ValidationFailed:
    """``refused`` with where its objects are: in the files, read from their text (the copy
    the load was validated on is gone, krbgraph.source_lines), or already in a graph."""
    files = [path for paths in plan.values() for path in paths]
    places = located_by_text((f.focus for f in refused.result.findings), files)
    named = ", ".join(path.name for path in files[:3]) + (", …" if len(files) > 3 else "")
    located = with_fields(refused.result, places=places).outside(list(plan), named)
    refused.result = kept_as_before(store, located)  # broken before, not by this load
    return refused


def _refuse_empty(plan: Mapping[str, Sequence[Path]], occupied: set[str]) -> None:
    """LoadError for a graph whose files give no triple: the store keeps no empty graphs,
    so such a load would write nothing, or with --replace remove the graph's data (a
    truncated export loaded in a pipeline), as the Graph Store refuses a PUT of nothing."""
    for iri, files in plan.items():
        if any(holds_a_triple(path) for path in files):
            continue
        named = ", ".join(str(path) for path in files)
        effect = (
            "replacing the graph with it would remove all its data"
            if iri in occupied
            else "the graph would not exist afterwards"
        )
        raise LoadError(
            f"{named} {'holds' if len(files) == 1 else 'hold'} no triples for graph <{iri}>: "
            f"{effect}; use `krb drop` to remove a graph (nothing was loaded)"
        )


def _validated_load(
    store: Store,
    plan: Mapping[str, Sequence[Path]],
    occupied: set[str],
    replace: bool,
    progress: LoadProgress | None,
) -> tuple[ValidationResult, dict[str, int], DerivedTriples]:
    """Validate the registry with the files and write them (load_paths with validate)."""
    try:
        if occupied:
            parsed = {iri: _read_quads(iri, files, progress) for iri, files in plan.items()}
            if progress is not None:
                progress.stage("validating")
            result, derived = _validated_change(
                ValidationReplica.of(store), parsed, replace=replace
            )
            counts = {iri: len(quads) for iri, quads in parsed.items()}
            del parsed  # the quads can be many; the store reads the files itself
            if progress is not None:
                progress.stage("writing")
            with stale_during(store):
                store.load_files(plan, replace=replace)
        elif isinstance(store, EmbeddedStore):
            result, counts, derived = _validated_while_loading(store, plan, progress)
        else:
            replica = ValidationReplica.of(store)
            result, counts, derived = _validated_new_graphs(replica, plan, progress)
            if progress is not None:
                progress.stage("writing")
            with stale_during(store):
                store.load_files(plan, replace=replace)
    except ValidationFailed as refused:
        raise _located(refused, plan, store) from None
    return result, counts, derived


def _validated_while_loading(
    store: EmbeddedStore, plan: Mapping[str, Sequence[Path]], progress: LoadProgress | None
) -> tuple[ValidationResult, dict[str, int], DerivedTriples]:
    """_validated_new_graphs while the store bulk-loads the same files into their new
    graphs, kept only once the registry has passed (EmbeddedStore.load_new_files): on
    two cores the load's file reading overlaps the validation's parsing, findings and
    derivation, which run on one. A refused or failed load leaves the store as it was;
    a crash meanwhile too (its graphs are removed when the store is opened again)."""
    replica = ValidationReplica.of(store)  # the store before the files go in
    decided = threading.Event()
    accepted: list[bool] = []

    def keep() -> bool:
        decided.wait()
        if accepted:
            mark_stale(store)  # the graphs stay: the derived graph follows them
        return bool(accepted)

    with ThreadPoolExecutor(1, thread_name_prefix="krb-load") as pool:
        loading = pool.submit(store.load_new_files, plan, keep=keep)
        try:
            outcome = _validated_new_graphs(replica, plan, progress)
            accepted.append(True)
        finally:
            decided.set()  # on a refusal the load thread removes its graphs before we leave
        if progress is not None:
            progress.stage("writing")
        loading.result()  # the store's own error, if its load failed
    return outcome


def _validated_new_graphs(
    replica: ValidationReplica, plan: Mapping[str, Sequence[Path]], progress: LoadProgress | None
) -> tuple[ValidationResult, dict[str, int], DerivedTriples]:
    """Validate the whole registry with new graphs added, read by the engine's own parser
    straight into the in-memory copy of the store (a million triples never become Python
    objects: parsing them into Python and comparing them with the copy took longer than
    validating). Returns the result, the triples per graph and the derived triples as
    _validated_change. Raises RdfInputError and ValidationFailed as _validated_change."""
    counts: dict[str, int] = {}
    for iri, files in plan.items():
        counts[iri] = 0
        for path in files:
            loaded = replica.load_new(path, iri)
            counts[iri] += loaded
            if progress is not None:
                progress.parsed(path, loaded)
    if progress is not None:
        progress.stage("validating")
    result, derived = _validated_and_derived(replica)
    return result, counts, derived


def _validated_and_derived(replica: ValidationReplica) -> tuple[ValidationResult, DerivedTriples]:
    """The whole registry on ``replica`` validated and its derived triples computed
    (krbgraph.registry.checked_whole). Raises ValidationFailed."""
    result, derived = checked_whole(replica)
    if not result.conforms:  # with where each object is: the copy has its blank nodes
        raise ValidationFailed(result, replica)
    return result, derived


def _validated_change(
    replica: ValidationReplica, parsed: Mapping[str, list[ox.Quad]], *, replace: bool
) -> tuple[ValidationResult, DerivedTriples]:
    """Validate the whole registry as it would be after the load.

    The load is tried on an in-memory copy of the store (krbgraph.replica) and
    validated there by the compiled shapes, with no rdflib copy of the registry.
    Everything is validated, not only what the load changes as the service does for
    its writes: a store may hold data loaded with --no-validate, and a validated load
    is where that is caught. Returns the result and the derived triples of the registry
    as loaded, read from the copy (krbgraph.derived.derive). Raises ValidationFailed.
    """
    contents: dict[str | None, Iterable[ox.Quad]] = {iri: quads for iri, quads in parsed.items()}
    change = graphs_change(replica, contents, replace=replace, keep_labels=False)
    with replica.trial(change.added, change.removed):
        return _validated_and_derived(replica)


@collector_paused()
def validate_paths(paths: Sequence[Path]) -> ValidationResult:
    """Registry files validated beside the model, without a store (`krb validate`).

    Read by the engine's own parser into an in-memory copy of the model, one graph per
    file, and validated whole by the compiled shapes and the checks beside them: the
    path a validated load takes, so both report the same findings (through rdflib it
    took 10 s for a registry of 100,000 triples, against 1.7 s). Raises RdfInputError.
    """
    return validated_files(expand_paths(paths))[0]


def validated_files(
    files: Sequence[Path], *, with_objects: bool = False
) -> tuple[ValidationResult, tuple[CheckedObject, ...]]:
    """``validate_paths`` for files already listed, and with ``with_objects`` every
    object the shapes target (a JUnit report's test cases), read from the same copy the
    findings were found in: a second reading gives blank nodes other ids, and an object
    without an IRI then was two test cases, one passing, one failing."""
    replica, graphs = model_copy_with(files)
    # With what would be derived of the areas: those nested too deep are findings.
    result, _ = checked_whole(replica, area_triples)
    names = {ox.NamedNode(graph) for graph in graphs}
    objects = checked_objects(described(replica, names)) if with_objects else ()
    # Where each object with findings, and each test case of a JUnit report, is written
    # (krbgraph.source_lines): the README promises every test case its file and line.
    focuses = [*(f.focus for f in result.findings), *(o.iri for o in objects)]
    if not focuses:
        return result, objects
    places = located_by_graphs(focuses, graphs, lambda s: replica.quads_matching(s, None, None))
    return with_fields(result, places=places), objects


def model_copy_with(files: Sequence[Path]) -> tuple[ValidationReplica, dict[str, Path]]:
    """An in-memory copy of the model with each file once in a graph of its own, read as
    `krb load` reads it (named graphs refused), and those graphs. Raises RdfInputError."""
    replica = ValidationReplica.of_model()
    graphs = {file_graph_iri(i, str(path)): path for i, path in enumerate(expand_paths(files))}
    for graph, path in graphs.items():
        replica.load_new(path, graph)
    return replica, graphs


def described(copy: ValidationReplica, names: Collection[ox.NamedNode | ox.DefaultGraph]) -> Graph:
    """The types and names in graphs ``names`` of ``copy`` (what checked_objects reads),
    as rdflib terms with the copy's blank node ids, which the findings have."""
    described = Graph()
    for predicate in READS:
        for quad in copy.quads_matching(None, ox.NamedNode(str(predicate)), None):
            if quad.graph_name in names:
                subject, value = rdflib_term(quad.subject), rdflib_term(quad.object)
                described.add((subject, URIRef(predicate), value))
    return described


def _read_quads(graph: str, files: Sequence[Path], progress: LoadProgress | None) -> list[ox.Quad]:
    """The triples of ``files`` as quads of ``graph``; RdfInputError (``file:line:column``)
    for a syntax error or a named graph in a file."""
    target = ox.NamedNode(graph)
    quads: list[ox.Quad] = []
    for path in files:
        triples = parse_triples(path)
        quads.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
        if progress is not None:
            progress.parsed(path, len(triples))
    return quads


def _loads(
    plan: dict[str, list[Path]], counts: dict[str, int], occupied: set[str]
) -> tuple[GraphLoad, ...]:
    return tuple(
        GraphLoad(iri, tuple(files), counts.get(iri, 0), iri in occupied)
        for iri, files in plan.items()
    )
