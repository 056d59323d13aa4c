"""Importing a workbook into a store: convert, validate, then replace one graph.

A workbook is one named graph (``{base}/graph/excel/{file name slug}``), so importing it
again replaces its earlier import and nothing else. Every check runs before anything is
written: the workbook's own references and types, then the KRB shapes over the new data
together with the rest of the registry. SHACL findings are pointed back at the sheet, row
and column that produced the triple, since a user can fix a cell but not an IRI.

The sheet metingen is research data, not policy: its measurements go to a graph of their
own, ``{workbook graph}/metingen`` (krbgraph.excel.metingen_sheet), validated together with
the policy and written with it, or neither is. Rows of it with problems do not stop the
policy sheets being validated: all problems come in one run. The report says what that
graph holds now and held before (an empty sheet empties it), and if the policy changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from ..broken_before import kept_as_before
from ..conformance import conforms_known, mark_conforming
from ..derived import replace as replace_derived
from ..derived import stale_during
from ..gc_pause import collector_paused
from ..graph_change import content_quads, graphs_change
from ..iris import file_graph_name, graph_home, same_site
from ..registry import (
    checked_change,
    refuse_new_graph_names,
    refuse_unpermitted,
    validate_with_graphs,
    write_graphs,
)
from ..replica import Change, ValidationReplica, graph_key
from ..replica_slot import ReplicaSlot
from ..store import Store
from ..store.base import GraphContent
from ..store.terms import ToOxigraph, named_node
from ..store.write_claim import turn_for
from ..tokens import Writer
from ..validation import ValidationFailed, ValidationResult
from .conversion import name_slug
from .elsewhere import StoreLookup
from .import_hints import elsewhere_hint, fold_restated, spread_hint
from .limits import WorkbookLimits
from .metingen_sheet import (
    COLUMN_OF,
    SHEET,
    generated_names,
    measurement_graph_iri,
    read_measurements,
)
from .problems import Problem
from .reader import Progress, ReadResult, read_workbook
from .workbook_base import RecordedBaseInvalid, recorded_base
from .workbook_findings import findings_as_problems, with_graphs_outside
from .writer import unwritable

Stage = Callable[[str], None]
"""Told which stage starts: 'lezen', 'valideren', 'schrijven'."""


class ImportFailed(Exception):
    """The workbook has problems; nothing was written. ``problems`` lists them all, of
    which ``in_registry`` errors are on objects the registry holds in ``graphs`` and the
    workbook does not (after an upgrade whose shapes are stricter, every import has them)."""

    def __init__(
        self, problems: list[Problem], in_registry: int = 0, graphs: tuple[str, ...] = ()
    ) -> None:
        errors = sum(1 for p in problems if p.is_error)
        super().__init__(f"{errors} problem(s) in the workbook; nothing was loaded")
        self.problems = problems
        self.in_registry = in_registry
        self.graphs = graphs


@dataclass(frozen=True)
class ImportReport:
    graph: str
    triples: int
    replaced: bool
    """True when the graph held an earlier import that is now replaced."""
    warnings: list[Problem]
    measurements: int = 0
    """Observations of sheet metingen, written to ``measurement_graph``."""
    measurement_graph: str | None = None
    """``{graph}/metingen`` when the workbook has a sheet metingen, else None (untouched;
    also for an empty sheet while that graph holds nothing)."""
    before: int = 0
    """The observations ``measurement_graph`` held before (all removed: an emptied sheet)."""
    changed: bool | None = None
    """False: the graph held what the workbook holds; None: not compared (whole validation)."""
    added: int | None = None
    removed: int | None = None
    """Triples of the graph the import added and removed (the service's write, which
    computes its change; a validity period's blank nodes count as rewritten); None: not
    counted."""


def excel_graph_iri(base_iri: str, file_name: str) -> str:
    """``{base}/graph/excel/{slug of the file name without extension}``.

    Raises ValueError, naming the file, for a name without a letter or digit the slug
    keeps ('€.xlsx', '指标.xlsx') or one too long for a graph name, as
    krbgraph.loading.data_graph_iri does for a registry file: the user gives a graph."""
    path = Path(file_name)
    try:
        slug = name_slug(path.stem)
    except ValueError:
        slug = ""
    folder = f"{base_iri.rstrip('/')}/graph/excel/"
    give = "--graph IRI, or graph=IRI on an upload"
    # Room for the measurements' graph beside it, {graph}/metingen.
    return file_graph_name(folder, slug, file_name, path.name, give, room=len("/metingen"))


@collector_paused()  # millions of objects that live until the end (krbgraph.gc_pause)
def import_workbook(
    store: Store,
    source: str | Path | BinaryIO,
    *,
    base_iri: str,
    graph: str | None = None,
    file_name: str | None = None,
    progress: Progress | None = None,
    stage: Stage | None = None,
    limits: WorkbookLimits | None = None,
    replicas: ReplicaSlot | None = None,
    writer: Writer | None = None,
    page: str | None = None,
) -> ImportReport:
    """Load a workbook as one named graph, replacing that graph atomically.

    ``file_name`` names the default graph when ``source`` is a stream.
    Raises WorkbookUnreadable (not a workbook), ImportFailed (problems in the
    workbook or shape violations; nothing written), WorkbookTooLarge (past
    ``limits``; default WorkbookLimits()), ManagedGraphRefused (a model graph
    as target, a ValueError), GraphNotAllowed (outside the ``writer``'s scope)
    or StoreError.

    With the service's ``replicas`` (krbgraph.replica), only what the
    workbook changes is validated and the write carries its audit record
    (krbgraph.registry.write_graph); without one, as on the command line, too
    when the store is known to conform (krbgraph.conformance), else the whole
    registry is validated and the store marked as conforming. ``page``: the web
    page the workbook was uploaded on (/werkmap), which advice to work graph by
    graph names beside the command line.
    """
    name = file_name or str(getattr(source, "name", source))
    target = graph or excel_graph_iri(base_iri, name)
    named_node(target)  # the IRI as given, before graphs are named after it
    refuse_unpermitted([target], writer)
    refuse_new_graph_names([target])
    told = stage or (lambda _: None)
    told("lezen")
    # A reference to no row may name a thing of another graph of the registry (an
    # exported theme graph refers to areas, themes and national norms of others).
    try:  # codes are minted under the base the workbook records, as its export wrote them
        recorded = recorded_base(source)
    except RecordedBaseInvalid:
        recorded = None  # read_workbook reports it, with every other problem
    # Else under the base the graph chosen is named under: in a store of several
    # registries a workbook without one (the template) uploaded into the graph
    # {bemmel}/graph/water named its things under the service's base, another's.
    home = graph_home(target) if graph is not None and recorded is None else None
    reading_base = home if home and not same_site(home, base_iri) else base_iri
    codes_base = recorded or reading_base
    outside = StoreLookup(store, codes_base, target)
    result = read_workbook(source, reading_base, progress=progress, limits=limits, outside=outside)
    if reading_base != base_iri:
        result.problems.insert(0, _graphs_base(reading_base, base_iri, target))
    # The sheet metingen's own problems too, read against what the policy sheets gave:
    # every problem in one run, not a second round after the first is fixed.
    measurements, refused_rows = _measurements(store, result, target, codes_base)
    if not result.ok:
        raise ImportFailed(result.problems + refused_rows)
    told("valideren")
    job = _Job(store, result, target, refused_rows, told, writer, f"Excel: {name}", page, name)
    # On a shared server what the target graph holds is read in the turn that writes it:
    # a load into it meanwhile would go unguarded by _refuse_losing (turns re-enter).
    with turn_for(store):
        if replicas is None and conforms_known(store):
            # Validated by what it changes, on a copy for this write (krbgraph.conformance).
            with ValidationReplica.for_one_write(store) as replica:
                own = ReplicaSlot.holding(store, replica)
                return _checked_and_written(job, measurements, own)
        return _checked_and_written(job, measurements, replicas)


def _graphs_base(home: str, base_iri: str, target: str) -> Problem:
    """The warning that codes are read under the base of the graph written, not the
    registry's."""
    return Problem(
        f"codes worden IRI's onder {home}, de basis waaronder graaf <{target}> genoemd is, "
        f"niet onder {base_iri.rstrip('/')}: de werkmap legt geen basis vast",
        f"codes become IRIs under {home}, the base graph <{target}> is named under, not "
        f"under {base_iri.rstrip('/')}: the workbook records no base",
        severity="waarschuwing",
    )


@dataclass(frozen=True)
class _Job:
    """What the steps after reading share; ``refused_rows``: the sheet metingen's problems."""

    store: Store
    result: ReadResult
    target: str
    refused_rows: list[Problem]
    stage: Stage
    writer: Writer | None
    source: str
    page: str | None
    name: str  # the workbook as its user named it (a path, an upload's file name)

    def refusal(
        self, validation: ValidationResult, graphs: Iterable[str | None], then: list[Problem]
    ) -> ImportFailed:
        """The shapes' findings of the workbook written into ``graphs`` as its refusal, then
        ``then``; an object it does not hold with its graph (ValidationResult.outside)."""
        written = Path(self.name).name  # an object it breaks is its own, if not broken before
        outside = kept_as_before(self.store, validation.outside(list(graphs), written))
        problems = _refused(self, outside) + then
        errors = [f for f in outside.violations() if outside.already_broken(f)]
        held = sorted({graph for f in errors for graph in outside.stored[f.focus]})
        return ImportFailed(problems, len(errors), tuple(held))


def _checked_and_written(
    job: _Job, measurements: dict[str, Graph], replicas: ReplicaSlot | None
) -> ImportReport:
    """import_workbook's checks against the store, validation and write: the policy and
    its measurements validated together, then both graphs written in one transaction
    (with the service's replicas as one change with one audit record,
    krbgraph.registry.write_graphs), or neither."""
    store, result, target = job.store, job.result, job.target
    replaced = bool(store.query(_HOLDS_DATA, bindings={"g": URIRef(target)}).boolean)
    if replaced:
        try:
            _refuse_losing(store, target, result.triples, measurements)
        except ImportFailed as losing:
            raise ImportFailed(losing.problems + job.refused_rows) from None
    convert = ToOxigraph()  # once, for the validation and the write
    changes: dict[str | None, GraphContent] = {target: convert.quads(result.triples, target)}
    if job.refused_rows:  # the policy is validated all the same: every problem in one run
        # without the measurements graph, which goes with the import: its old measurements
        # of a thing the workbook deletes are no problem of the workbook (a row of sheet
        # metingen that still names it is, among refused_rows)
        tried = dict(changes)
        own = measurement_graph_iri(target)
        if store.query(_HOLDS_DATA, bindings={"g": URIRef(own)}).boolean:
            tried[own] = convert.quads([], own)
        validation = _validated_only(job, tried, replicas)
        if not validation.conforms:
            raise job.refusal(validation, tried, job.refused_rows)
        named = with_graphs_outside(store, validation, result, Path(job.name).name)
        shapes = findings_as_problems(named, result)
        raise ImportFailed(result.problems + shapes + job.refused_rows)
    changes.update({graph: convert.quads(data, graph) for graph, data in measurements.items()})
    refuse_unpermitted(list(changes), job.writer)
    # The measurements graph too: a target "https://data.krb.nl/def" is outside the model's
    # namespace, its "/metingen" inside it.
    refuse_new_graph_names([graph for graph, quads in changes.items() if quads])
    held = {g: store.query(_OBSERVATIONS_HELD, bindings={"g": URIRef(g)}) for g in measurements}
    changed = None
    added = removed = None
    if replicas is not None:
        job.stage("schrijven")
        try:
            with turn_for(store):  # a shared server: the copy made current in the turn
                replica = replicas.get(store)  # after stage "valideren", when callers lock
                changes_seen: list[Change] = []  # for the answer: did the policy graph change?
                validation = write_graphs(
                    store,
                    replica,
                    changes,
                    replace=True,
                    writer=job.writer,
                    source=job.source,
                    seen=changes_seen.append,
                )
                change = changes_seen[0]
                changed = target in change.graphs()
                added = sum(1 for quad in change.added if graph_key(quad) == target)
                removed = sum(1 for quad in change.removed if graph_key(quad) == target)
        except ValidationFailed as exc:
            raise job.refusal(exc.result, changes, []) from None
        replicas.synced(store)
    else:
        with turn_for(store):  # a shared server: validated and written while no other writes
            validation, derived = validate_with_graphs(store, changes, replace=True)
            if not validation.conforms:
                raise job.refusal(validation, changes, [])
            job.stage("schrijven")
            with stale_during(store):
                store.write_graphs(changes, replace=True)
            replace_derived(store, derived)
            mark_conforming(store)
    named = with_graphs_outside(store, validation, result, Path(job.name).name)
    problems = result.problems + findings_as_problems(named, result)
    report = ImportReport(
        target,
        len(result.triples),
        replaced,
        problems,
        changed=changed,
        added=added,
        removed=removed,
    )
    for graph, data in measurements.items():  # at most one: {target}/metingen
        now, before = len(set(data.subjects(RDF.type, _OBSERVATION))), held[graph].rows[0][0]
        report = replace(report, measurements=now, measurement_graph=graph, before=int(str(before)))
    return report


_HOLDS_DATA = "ASK WHERE { GRAPH ?g { ?s ?p ?o } }"


def _refuse_losing(
    store: Store,
    target: str,
    policy: Iterable[tuple[Node, Node, Node]],
    measurements: dict[str, Graph],
) -> None:
    """ImportFailed when the graph to replace (and the measurements graph the workbook
    replaces with it) holds triples no workbook can hold: the import would delete them
    unseen (a graph of data sources, loaded from Turtle, imported over with its own
    export came back empty). Dropping the graph first (krb drop) says it is meant.

    The whole old content is read and written as a workbook would be only when it holds
    more triples of some property, or things of some type, than the new content: a
    workbook imported again over its own import never does (an English name beside the
    Dutch one, which no cell holds, does), and that count costs the engine a tenth of a
    second where reading 175,000 triples back costs seconds."""
    new = set(policy)
    for content in measurements.values():
        new.update(content)
    held, coming = _kinds(store, [target, *measurements]), _kinds_of(new)
    if all(count <= coming[kind] for kind, count in held.items()):
        return
    # A measurement row deleted from the sheet goes with its generated name: no loss.
    new.update(generated_names(store, list(measurements)))
    old = Graph()
    for graph in (target, *measurements):
        for triple in store.read_graph(graph):
            old.add(triple)
    lost = unwritable(old, kept=new)
    if not lost:
        return
    names = "; ".join(p.message_nl.split(" passen niet", 1)[0] for p in lost)
    names_en = "; ".join(p.message_en.split(" do not fit", 1)[0] for p in lost)
    losing = Problem(
        f"graaf <{target}> bevat wat geen werkmap kan bevatten ({names}); deze import "
        "zou het verwijderen. Importeer in een andere graaf, of verwijder de graaf "
        "eerst (krb drop) als dat de bedoeling is; niets geladen",
        f"graph <{target}> holds what no workbook can hold ({names_en}); this import "
        "would delete it. Import into another graph, or drop the graph first "
        "(krb drop) if that is meant; nothing loaded",
    )
    raise ImportFailed([losing])


_KINDS = """
SELECT ?p ?type (COUNT(*) AS ?n) WHERE {
  VALUES ?g { %s }
  GRAPH ?g { ?s ?p ?o }
  BIND (IF(?p = <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>, ?o, ?none) AS ?type)
} GROUP BY ?p ?type"""


def _kinds(store: Store, graphs: list[str]) -> Counter[Node]:
    """How many triples of each property, and things of each type, the graphs hold."""
    names = " ".join(f"<{graph}>" for graph in graphs)
    found: Counter[Node] = Counter()
    for predicate, kind, count in store.query(_KINDS % names).rows:
        for term in (predicate, kind):
            if term is not None:
                found[term] += int(str(count))
    return found


def _kinds_of(triples: Iterable[tuple[Node, Node, Node]]) -> Counter[Node]:
    found: Counter[Node] = Counter()
    for _, predicate, value in triples:
        found[predicate] += 1
        if predicate == RDF.type:
            found[value] += 1
    return found


def _measurements(
    store: Store, result: ReadResult, target: str, base_iri: str
) -> tuple[dict[str, Graph], list[Problem]]:
    """{measurement graph: its new content} when the workbook has a sheet metingen (an
    empty sheet empties the graph), else {}; with the problems of its rows (then {}).
    The rows' places are added to ``result`` so shape findings point at their cells too."""
    rows = result.metingen
    if rows is None or not rows.present:
        return {}, []
    graph_iri = measurement_graph_iri(target)
    if not rows.rows and not store.query(_HOLDS_DATA, bindings={"g": URIRef(graph_iri)}).boolean:
        return {}, []  # nothing to write or empty: the policy alone takes the incremental path
    graph, problems, lines = read_measurements(
        rows, store, result.graph, base_iri, graph_iri, replaced=(target, graph_iri)
    )
    if problems:
        return {}, problems
    for iri, line in lines.items():
        node = URIRef(iri)
        result.locations[node] = (SHEET, line)
        for predicate, column in COLUMN_OF.items():
            result.columns[(node, predicate)] = column
    return {graph_iri: graph}, []


_OBSERVATION = URIRef("http://www.w3.org/ns/sosa/Observation")
_OBSERVATIONS_HELD = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?m a <{_OBSERVATION}> }} }}"


class _TrialOver(Exception):
    """Ends a trial on a replica, which undoes the change it tried."""


def _validated_only(
    job: _Job, changes: dict[str | None, GraphContent], replicas: ReplicaSlot | None
) -> ValidationResult:
    """``changes`` (the policy sheets) validated as their write would be, and not written:
    the sheet metingen has problems, and the rest are listed with them."""
    if replicas is None:
        validation = validate_with_graphs(job.store, changes, replace=True)[0]
    else:
        replica = replicas.get(job.store)  # in import_workbook's turn
        quads = {graph: content_quads(data, graph) for graph, data in changes.items()}
        change = graphs_change(replica, quads, replace=True)
        with suppress(_TrialOver), replica.trial(change.added, change.removed):
            validation = checked_change(replica, change, job.store, warnings_of=list(changes))[0]
            raise _TrialOver  # the trial undoes the change on the replica
    return validation


def _refused(job: _Job, outside: ValidationResult) -> list[Problem]:
    """The problems of a workbook the shapes refuse, led by the likely cause when its
    objects are already in another graph: the same workbook imported again under another
    file name (so into another graph) doubles every object, which the shapes report
    object by object without saying why. Only a graph that holds every object of the
    workbook the store has is named as the one to import into: the export of a registry
    kept in several graphs has its objects spread over them, and naming the one holding
    most would lead from graph to graph, each import refused for the others. The target's
    measurements graph counts as the target (_as_target). Under that cause every fact
    of the workbook is in two graphs: a few of those findings are shown (fold_restated)."""
    store, read, target = job.store, job.result, job.target
    shape_problems = findings_as_problems(outside, read)
    subjects = " ".join(f"<{node}>" for node in read.locations if isinstance(node, URIRef))
    if not subjects:
        return read.problems + shape_problems
    # A concept scheme is no object of one workbook: the theme list of every workbook is
    # {base}/id/conceptschema/beleidsthemas, which the registry's theme graph has too.
    where = (
        f"VALUES ?s {{ {subjects} }} GRAPH ?g {{ ?s a ?type }} "
        f"FILTER NOT EXISTS {{ ?s a <{SKOS.ConceptScheme}> }}"
    )
    rows = store.query(
        f"SELECT ?g (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }} GROUP BY ?g ORDER BY DESC(?n) ?g"
    ).rows
    held = _as_target(
        [(str(graph), int(count)) for graph, count in rows if graph is not None and count], target
    )
    if all(graph == target for graph, _ in held):
        return read.problems + shape_problems
    counted = store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}").rows
    total = int(str(counted[0][0]))
    whole = [graph for graph, count in held if graph != target and count == total]
    hint = (
        elsewhere_hint(whole[0], total, job.page) if whole else spread_hint(held, total, job.page)
    )
    folded, more = fold_restated(outside)
    return [hint, *read.problems, *findings_as_problems(folded, read), *more]


def _as_target(held: list[tuple[str, int]], target: str) -> list[tuple[str, int]]:
    """``held`` with the target's measurements graph ``{target}/metingen`` counted as the
    target, most first: an import replaces both (docs/excel.md), so the workbook's own
    measurements are in no other graph. The counts add up, as that graph holds only
    observations, which the target does not."""
    own = measurement_graph_iri(target)
    counts: Counter[str] = Counter()
    for graph, count in held:
        counts[target if graph == own else graph] += count
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
