"""The registry as it would be after a change: one gate for every write path.

A file load (krbgraph.loading), a workbook import (krbgraph.excel.importing)
and every write over HTTP (krbgraph.web.writes) ask the same questions before
anything reaches the store, and ask them here so the answers cannot drift apart:

- May this graph be written? Graphs the service manages itself (the model,
  the shapes, the derived dates and geometry relations) are refused by
  ``refuse_managed``, with one message for every path.
- What would the registry be? ``registry_with`` gives every registry data
  graph (the default graph included: data there is registry data too) with the
  new content of the changed graphs in place, as one rdflib graph. The model
  is not part of it: validation adds what the shapes need of the model.
- Does it conform? ``require_conforming`` validates that state (the shapes
  compiled to SPARQL, plus the geometry and unit checks) and raises
  ValidationFailed with the findings when it does not.

The caller then commits exactly the change it validated, in one store call,
with what it changes in the derived graph (krbgraph.derived_change).

One module on purpose, a little over 500 lines: split, the questions would drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from .audit import DEFAULT_GRAPH, audit_quads, refuse_audit_facts
from .commit import commit_change
from .containment import TooDeeplyNested
from .derived import Triples, derive, stale_during
from .derived import replace as replace_derived
from .derived_change import DerivedChange, derived_change
from .entailed_types import TypeRules, type_rules, with_model_types, with_own_classes
from .findings import Finding
from .graph_change import content_quads, graphs_change
from .iris import has_dot_segment
from .model import AUDIT_GRAPH, shapes_graph
from .nesting_check import with_nesting_findings
from .replica import NOT_DATA, Change, ValidationReplica
from .spatial_checks import CANDIDATES as SPATIAL_CHECKS_CANDIDATES
from .spatial_checks import FOLLOWS as SPATIAL_CHECKS_FOLLOW
from .spatial_checks import READS as SPATIAL_CHECKS_READ
from .store import Store, model_graph_iris
from .store.base import GraphContent, SparqlSource
from .store.write_claim import turn_for
from .tokens import GraphNotAllowed, Writer
from .unit_checks import CANDIDATES as UNIT_CHECKS_CANDIDATES
from .unit_checks import FOLLOWS as UNIT_CHECKS_FOLLOW
from .unit_checks import READS as UNIT_CHECKS_READ
from .validation import (
    ValidationFailed,
    ValidationResult,
    filled_messages,
    finding_sort_key,
    validate_graph,
)
from .write_scope import refuse_foreign_things

if TYPE_CHECKING:  # the SHACL engine loads only when validating
    from .graph_warnings import HeldWarnings
    from .shacl.report import Result, Triple

_D = TypeVar("_D")

__all__ = [
    "GraphNameRefused",
    "GraphNotAllowed",
    "GraphRefused",
    "ManagedGraphRefused",
    "ValidationFailed",
    "data_graph_names",
    "refuse_managed",
    "refuse_unpermitted",
    "refuse_new_graph_names",
    "ReservedGraphRefused",
    "registry_with",
    "require_conforming",
    "audit_record",
    "checked_change",
    "checked_whole",
    "validate_change",
    "write_graph",
    "write_graphs",
]


class GraphRefused(ValueError):
    """The write would fill a graph no write may fill; nothing was written."""


class ManagedGraphRefused(GraphRefused):
    """The write targets a graph the service maintains itself; nothing was written."""


class GraphNameRefused(GraphRefused):
    """The write would put triples into a graph whose name has a '.' or '..' path
    segment: no client can ask for it by that name (krbgraph.iris.has_dot_segment), so
    it would be listed and never dereference, its link opening another graph. Removing
    from such a graph stays possible; nothing was written."""


class ReservedGraphRefused(ManagedGraphRefused):
    """The write would put triples into a graph named in the model's namespace; a graph
    of such a name already in the store (an older version accepted one) can still be
    emptied and dropped. Nothing was written."""


def refuse_new_graph_names(graphs: Iterable[str | None]) -> None:
    """Refuse a write that adds triples to ``graphs`` when one has a name no data graph
    may have: one in the model's namespace (ReservedGraphRefused) or one with a dot
    segment (GraphNameRefused). Removing from such a graph stays possible, so data an
    older version let in is never stuck."""
    graphs = list(graphs)  # read twice
    reserved = sorted({g for g in graphs if g is not None and g.startswith(MODEL_NAMESPACE)})
    if DEFAULT_GRAPH in reserved:
        raise _history_default_graph()
    for graph in reserved:
        raise ReservedGraphRefused(
            f"<{graph}> ligt in de naamruimte van het KRB-model ({MODEL_NAMESPACE}), waarin "
            "geen registergraaf een naam heeft; kies een naam onder de basis-IRI van het "
            "register. / "
            f"<{graph}> lies in the KRB model's namespace ({MODEL_NAMESPACE}), where no "
            "registry data graph is named (krb:standaardgraaf stands for the default graph "
            "in the write history); choose a name under the registry's base IRI. A graph "
            "of this name already in the store can still be emptied or dropped (nothing "
            "was written)"
        )
    _refuse_unreachable(graphs)


def _history_default_graph() -> ReservedGraphRefused:
    """The refusal of a write to a named graph krb:standaardgraaf, whichever way."""
    return ReservedGraphRefused(
        f"<{DEFAULT_GRAPH}> staat in de geschiedenis voor de standaardgraaf: een graaf met "
        "die naam wordt niet gevuld of gewijzigd (krb drop op de opdrachtregel verwijdert "
        f"er een). / <{DEFAULT_GRAPH}> stands for the default graph in the write history: "
        "a graph of that name is neither filled nor changed (krb drop on the command line "
        "removes one); nothing was written"
    )


def _refuse_unreachable(graphs: Iterable[str | None]) -> None:
    """Raise GraphNameRefused for the first graph among ``graphs`` (those a write adds
    triples to) whose name has a dot segment."""
    for graph in sorted({g for g in graphs if g is not None and has_dot_segment(g)}):
        raise GraphNameRefused(
            f"<{graph}> bevat een padsegment '.' of '..': een browser of client lost dat op "
            "voor hij de graaf opvraagt, dus onder deze naam is hij nooit te bereiken; kies "
            "een naam zonder. / "
            f"<{graph}> holds a path segment '.' or '..', which a browser or client resolves "
            "before it asks for the graph, so it could never be reached by this name; choose "
            "a name without one (nothing was written)"
        )


def refuse_unpermitted(graphs: Iterable[str | None], writer: Writer | None) -> None:
    """Refuse managed graphs for everyone, and graphs outside a token's scope for it.

    A named graph krb:standaardgraaf too, also to be emptied: the write history names
    the default graph so, and would record the change as one of the default graph
    (`krb drop`, which is not recorded, removes one an older release let in)."""
    graphs = list(graphs)
    refuse_managed(graphs)
    if DEFAULT_GRAPH in graphs:
        raise _history_default_graph()
    if writer is None:
        return
    for graph in sorted(graphs, key=lambda g: g or ""):
        if not writer.may_write(graph):
            raise GraphNotAllowed(writer.refusal(graph))


MODEL_NAMESPACE = "https://data.krb.nl/def/"
"""Where the model names its terms and graphs: no registry data graph is named in it
(krb:standaardgraaf stands for the default graph in the audit trail; a write into a
named graph of that IRI was recorded as one into the default graph)."""


def refuse_managed(graphs: Iterable[str | None]) -> None:
    """Raise ManagedGraphRefused naming every managed graph among ``graphs``."""
    managed = model_graph_iris()
    hit = sorted({g for g in graphs if g is not None and g in managed})
    if hit == [AUDIT_GRAPH]:
        raise ManagedGraphRefused(
            f"<{AUDIT_GRAPH}> is de auditgraaf: de service houdt die zelf bij. / "
            f"<{AUDIT_GRAPH}> is the audit graph, kept by the service itself; nothing was "
            "written"
        )
    if hit:
        names = ", ".join(f"<{g}>" for g in hit)
        raise ManagedGraphRefused(
            f"{names} {'is a graph' if len(hit) == 1 else 'are graphs'} of the KRB model, "
            "which the service maintains from the product's own files; only registry data "
            "graphs can be written (nothing was written)"
        )


def refuse_managed_in_update(graphs: Iterable[str]) -> None:
    """ManagedGraphRefused when an update names (``graphs``: the graphs it names as such)
    one of the graphs the service keeps beside the data: updates run on the replica, which
    holds the data and the model but not those (krbgraph.replica.NOT_DATA), so one that
    wrote such a graph would change nothing and one that read it would match nothing; both
    are told so instead. (A write to a model graph is refused by its change.)"""
    hit = sorted(set(graphs) & NOT_DATA)
    if hit:
        names = ", ".join(f"<{g}>" for g in hit)
        raise ManagedGraphRefused(
            f"{names} {'is a graph' if len(hit) == 1 else 'are graphs'} the service maintains "
            "itself: an update can neither write nor read it (updates run on the registry "
            "data); query it with /sparql (nothing was written)"
        )


def data_graph_names(store: Store) -> list[str | None]:
    """The registry's data graphs: the default graph (None) and every named graph that
    is not managed by the service."""
    managed = model_graph_iris()
    return [None] + sorted(info.iri for info in store.graphs() if info.iri not in managed)


def registry_with(
    store: Store,
    changes: Mapping[str, Graph] | Mapping[str | None, Graph],
    *,
    replace: bool = True,
) -> Graph:
    """Every registry data graph with ``changes`` applied, merged into one graph.

    Each entry of ``changes`` is a graph's new content (``replace=True``: it takes
    the place of what the graph holds now; False: it is added to it). An empty
    graph with ``replace=True`` stands for a graph that is dropped.
    """
    combined = Graph()
    for name in data_graph_names(store):
        if replace and name in changes:
            continue
        for triple in store.read_graph(name):
            combined.add(triple)
    for data in changes.values():
        for triple in data:
            combined.add(triple)
    return combined


def require_conforming(data: Graph) -> ValidationResult:
    """The validation result of ``data``; ValidationFailed when it has violations."""
    result = validate_graph(data)
    if not result.conforms:
        raise ValidationFailed(result)
    return result


_RING = """
SELECT DISTINCT ?s WHERE {
  { VALUES ?s { %(focus)s } }
  UNION { VALUES ?focus { %(focus)s } ?focus (%(follows)s) ?s }
  UNION { VALUES ?focus { %(focus)s } ?focus (%(follows)s)/(%(follows)s) ?s }
}
"""
"""The focus nodes and every node within two of the links the geometry and unit checks
follow (an area's parent and its geometry, a norm's or effect's indicator or norm and
that norm's indicator). An alternative of the links looks each one up from the node
(a FILTER on ?p read every triple of each node: 100 new norms at 1M 9.5 -> 8 ms); the
steps are spelled out: as the path `(!x)?/(!x)?` Oxigraph reads the triples of a node
once per way it is reached (8x slower)."""

_NEIGHBOURHOOD = """
CONSTRUCT { ?s ?p ?o } WHERE {
  { %(ring)s }
  LATERAL { ?s ?p ?o FILTER (?p IN (%(reads)s)) }
}
"""
"""What the geometry and unit checks read around the focus nodes: of every node of the
ring, the triples with a predicate they read (units, geometries, links, names and
types). The predicates are FILTERs, not VALUES blocks: Oxigraph's planner starts from
the smallest VALUES block, which would read every triple with those predicates in the
store (1 s for 100 new norms)."""

_FOLLOWED = "|".join(sorted({f"<{p}>" for p in (*UNIT_CHECKS_FOLLOW, *SPATIAL_CHECKS_FOLLOW)}))
_PREDICATES_LISTED = ", ".join(
    sorted({f"<{p}>" for p in (*UNIT_CHECKS_READ, *SPATIAL_CHECKS_READ)})
)
_CANDIDATE_BRANCHES = (*UNIT_CHECKS_CANDIDATES, *SPATIAL_CHECKS_CANDIDATES)
_CHECK_CANDIDATES = (
    "SELECT DISTINCT ?node WHERE { "
    + " UNION ".join(f"{{ {branch} }}" for branch in _CANDIDATE_BRANCHES)
    + " }"
)
"""Of a whole registry, what the unit and geometry checks could report."""


def validate_change(
    replica: ValidationReplica,
    added: Collection[ox.Quad],
    removed: Collection[ox.Quad],
    *,
    everything: bool = False,
    quiet: bool = False,
    warnings_of: Collection[str | None] | HeldWarnings = (),
) -> ValidationResult:
    """Validate the registry on ``replica``, which holds the state after the change, for
    the objects whose verdict the change can alter (krbgraph.impact), assuming the state
    before it conformed (every committed state did). Everything, when the change
    reaches too far to say, or when ``everything`` is asked for.

    ``quiet``: a change that conforms gets a result without the shapes' findings (its
    warnings): for writes whose answer shows none (SPARQL Update, Graph Store DELETE),
    which spares naming and wording them (6 ms of a 100-norm write). A change that
    does not conform gets every finding either way.

    ``warnings_of``: graphs whose objects' warnings the result has too, also of those the
    change leaves as they were (krbgraph.graph_warnings), or those objects with their
    warnings as found before the change: for writes whose answer shows warnings (an
    import, `krb load`), so that writing a graph again shows what it still lacks. They
    never decide the verdict."""
    from .graph_warnings import HeldWarnings, areas_among, objects_of, shape_warnings, with_results
    from .impact import affected
    from .restated_check import restated_findings
    from .shacl import validate_store
    from .shacl.findings import node_context, to_findings
    from .spatial_checks import spatial_findings
    from .unit_checks import unit_findings

    changed = bool(added or removed)
    if not everything and not changed and (quiet or not warnings_of):  # no verdict changed:
        return _nothing_found()  # `krb serve --demo` on its demo paid a second for it
    focus: set[Node] | None = None  # everything
    if not everything:
        focus = affected(replica, added, removed) if changed else set()
    unchecked: set[URIRef] = set()  # objects of ``warnings_of`` outside the focus
    held: list[Result] | None = None  # their warnings, when found before the change
    if focus is not None and warnings_of and not quiet:
        if isinstance(warnings_of, HeldWarnings):
            unchecked = set(warnings_of.objects - focus)
            held = [item for item in warnings_of.results if item.focus in unchecked]
        else:
            unchecked = objects_of(replica, warnings_of) - focus
    # The geometry checks give warnings only, so they read around those objects' areas too.
    near_focus = None if focus is None else focus | areas_among(replica, unchecked)
    shapes = shapes_graph()
    with ThreadPoolExecutor(1, thread_name_prefix="checks") as pool:
        # What the unit and geometry checks read, and the warnings of the objects outside
        # the focus, while the shapes' queries run.
        near = pool.submit(neighbourhood, replica, near_focus)
        warned = None if held is not None else pool.submit(shape_warnings, replica, unchecked)
        report = validate_store(
            replica,
            shapes,
            focus_nodes=None if focus is None else _named(focus),
            blank_focus=() if focus is None else {n for n in focus if isinstance(n, BNode)},
        )
        around = near.result()
        report = with_results(report, warned.result() if warned is not None else held or [])
    checked: set[tuple[Node, Node, Node]] = set()  # the checks' results, for the report graph
    # A fact also in another graph (krbgraph.restated_check): of the added quads, or of
    # the whole store when everything is validated as it is (a load, `krb validate`).
    whole = everything and not added and not removed
    findings: list[Finding] = [
        *spatial_findings(around, checked, report.node),
        *unit_findings(around, checked, report.node),
        *restated_findings(replica, None if whole else added, checked, report.node),
    ]
    violated = any(item.severity_name == "Violation" for item in report.results) or any(
        f.severity == "Violation" for f in findings
    )
    if violated or not quiet:
        findings.extend(to_findings(report, node_context(replica, report)))
    findings.sort(key=finding_sort_key)
    conforms = not any(f.severity == "Violation" for f in findings)

    def report_triples() -> Iterator[Triple]:
        yield from report.triples(conforms=conforms, messages=filled_messages(findings))
        yield from sorted(checked, key=lambda triple: str(triple[0]))  # by result, for Turtle

    return ValidationResult(conforms, tuple(findings), report_triples)


def _nothing_found() -> ValidationResult:
    from .shacl.report import build_report  # the SHACL engine loads when validating

    return ValidationResult(True, (), build_report([], []).triples)


def checked_change(
    replica: ValidationReplica,
    change: Change,
    store: Store,
    *,
    everything: bool = False,
    quiet: bool = False,
    warnings_of: Collection[str | None] | HeldWarnings = (),
) -> tuple[ValidationResult, DerivedChange]:
    """validate_change (with its options) and the change's derived triples
    (krbgraph.derived_change), side by side: both read ``replica``, which holds the
    change (the derived part also the derived graph ``store`` holds before it), and a
    write needs both before it commits (the derived part is wasted on a refused write).
    Returns once both are done, so the caller may then undo the change on the replica.

    A change of many areas' links (more than AREA_LINKS_FIRST) is derived first, alone:
    the shapes' cycle check walks every changed area's chain to its top, so a chain of
    thousands of areas would take the shapes minutes, where the derivation refuses it
    in a second (krbgraph.containment), and then the shapes are not run."""
    validate = partial(validate_change, everything=everything, quiet=quiet, warnings_of=warnings_of)
    if _area_links(change) > AREA_LINKS_FIRST:
        try:
            first = derived_change(replica, change, store)
        except TooDeeplyNested as refused:
            return with_nesting_findings(_nothing_found(), replica, refused), DerivedChange()
        return validate(replica, change.added, change.removed), first
    with ThreadPoolExecutor(1, thread_name_prefix="derived") as pool:
        derived = pool.submit(derived_change, replica, change, store)
        result = validate(replica, change.added, change.removed)
        return _with_derived(result, derived, replica, DerivedChange())


AREA_LINKS_FIRST = 1_000
"""Changed krb:ligtIn and geo:sfWithin quads past which a write is derived before it is
validated (a province's worth of new streets; everyday writes change a few)."""

_AREA_LINKS = frozenset(
    {"https://data.krb.nl/def/krb#ligtIn", "http://www.opengis.net/ont/geosparql#sfWithin"}
)


def _area_links(change: Change) -> int:
    return sum(
        1
        for quads in (change.added, change.removed)
        for q in quads
        if q.predicate.value in _AREA_LINKS
    )


def checked_whole(
    replica: ValidationReplica, derivation: Callable[[ValidationReplica], Triples] = derive
) -> tuple[ValidationResult, Triples]:
    """The whole registry on ``replica`` validated, and its derived triples computed beside
    that (both only read the copy; the derivation is mostly Python, the shapes' queries
    mostly the engine, so on two cores they overlap). Areas nested too deep to derive
    are Violations of the result (krbgraph.nesting_check), and the triples then empty:
    what `krb validate` reports (``derivation`` krbgraph.derived.area_triples, the part
    that can refuse) is what a validated load refuses. Returns once both are done: the
    copy must not change while the derivation reads it."""
    with ThreadPoolExecutor(1, thread_name_prefix="krb-derive") as pool:
        derived = pool.submit(derivation, replica)
        result = validate_change(replica, [], [], everything=True)
        return _with_derived(result, derived, replica, [])


def _with_derived(
    result: ValidationResult, derived: Future[_D], replica: ValidationReplica, nothing: _D
) -> tuple[ValidationResult, _D]:
    """The validation result with what the derivation beside it made of the data: areas
    nested too deep become Violations. Data that breaks other rules may not be
    derivable at all (a date that is no date); it is refused for those, so whatever the
    derivation raised then is not the caller's concern."""
    try:
        return result, derived.result()
    except TooDeeplyNested as refused:
        return with_nesting_findings(result, replica, refused), nothing
    except Exception:
        if result.conforms:
            raise
        return result, nothing


def neighbourhood(replica: SparqlSource, focus: set[Node] | None) -> Graph:
    """What the unit and geometry checks read around the focus nodes, or for the whole
    registry around what they could report (every triple they read: 20 s at 1M), with
    the model classes of own-typed things; nothing when no node of the focus nodes'
    ring is one they could report (100 new norms whose units agree: 55 -> 5 ms at 1M)."""
    rules = type_rules(replica)
    if focus is None:
        query = with_own_classes(_CHECK_CANDIDATES, rules)
        candidates = {row[0] for row in replica.query(query).rows}
        named = _listed(candidates)
        if not named:
            return Graph()
        ring = _RING % {"focus": named, "follows": _FOLLOWED}
    else:
        named = _listed(focus)
        if not named:
            return Graph()
        ring = _RING % {"focus": named, "follows": _FOLLOWED}
        near = _listed(row[0] for row in replica.query(ring).rows)
        if not near or not _any_candidate(replica, near, rules):
            return Graph()
    # The ring again as a subquery, not its nodes as VALUES: geometries are blank nodes,
    # which a query cannot name.
    answer = replica.query(_NEIGHBOURHOOD % {"ring": ring, "reads": _PREDICATES_LISTED})
    return with_model_types(answer.graph if answer.graph is not None else Graph(), rules)


def _named(nodes: Iterable[Node]) -> list[Node]:
    """The focus nodes a query can name (not blank nodes), in a stable order."""
    return sorted((n for n in nodes if not isinstance(n, BNode)), key=str)


def _listed(nodes: Iterable[Node | None]) -> str:
    """The IRIs among ``nodes`` as the inside of a VALUES block ("" for none)."""
    return " ".join(sorted(f"<{n}>" for n in nodes if isinstance(n, URIRef)))


def _any_candidate(replica: SparqlSource, listed: str, rules: TypeRules) -> bool:
    """Whether one of the listed nodes is something the checks could report; the nodes
    first in every branch, so the engine starts from them."""
    branches = " UNION ".join(
        f"{{ VALUES ?node {{ {listed} }} {with_own_classes(branch, rules)} }}"
        for branch in _CANDIDATE_BRANCHES
    )
    return bool(replica.query(f"ASK WHERE {{ {branches} }}").boolean)


def audit_record(writer: Writer | None, change: Change, source: str) -> list[ox.Quad]:
    """The audit record of an accepted change (none for a write without a token's name)."""
    if writer is None:
        return []
    graphs = sorted(change.graphs(), key=lambda g: g or "")
    return audit_quads(
        writer.name, datetime.now(UTC), graphs, len(change.added), len(change.removed), source
    )


def write_graph(
    store: Store,
    replica: ValidationReplica,
    graph: str | None,
    data: GraphContent,
    *,
    replace: bool,
    writer: Writer | None = None,
    source: str = "",
    everything: bool = False,
) -> ValidationResult:
    """Replace a graph's content with ``data`` (or add ``data`` to it), validated on
    ``replica`` by what changes (or ``everything``), committed with its audit record in
    one update.

    Raises ManagedGraphRefused, GraphNotAllowed, ValidationFailed (nothing written)
    or StoreError. The caller holds the write lock.
    """
    return write_graphs(
        store,
        replica,
        {graph: data},
        replace=replace,
        writer=writer,
        source=source,
        everything=everything,
    )


def write_graphs(
    store: Store,
    replica: ValidationReplica,
    contents: Mapping[str | None, GraphContent],
    *,
    replace: bool,
    writer: Writer | None = None,
    source: str = "",
    everything: bool = False,
    seen: Callable[[Change], object] | None = None,
) -> ValidationResult:
    """write_graph for several graphs as one change: validated once, written with one
    audit record in one update (a workbook's policy and its measurements).

    ``everything`` validates the whole registry, not only what the change can affect:
    for the command line, where the store may hold data loaded with --no-validate and
    a write is where that shows (``replica`` is then a fresh copy of the store).
    ``seen`` is given the change found, before it is validated (a caller that reports
    which graphs changed: finding it again costs seconds for a large graph). The result
    has the warnings of every object of ``contents``' graphs, changed or not
    (validate_change's ``warnings_of``): the callers show them."""
    from .graph_warnings import held_warnings

    refuse_unpermitted(contents, writer)
    with ThreadPoolExecutor(1, thread_name_prefix="warnings") as pool:
        # The warnings of the graphs' objects as they are, found while the change is: of
        # those it cannot affect they are the same after it (krbgraph.graph_warnings).
        found = None if everything else pool.submit(held_warnings, replica, list(contents))
        change = graphs_change(
            replica,
            {graph: content_quads(data, graph) for graph, data in contents.items()},
            replace=replace,
        )
        if seen is not None:
            seen(change)
        refuse_new_graph_names(change.filled())  # whichever graphs a caller put in
        refuse_foreign_things(replica, change.added, writer)
        refuse_audit_facts(store, change.added)
        warnings = () if found is None else found.result()  # before the trial changes it
    with ExitStack() as turn:
        with replica.trial(change.added, change.removed):
            result, derived = checked_change(
                replica, change, store, everything=everything, warnings_of=warnings
            )
            if not result.conforms:  # with where each object is: the copy has its blank nodes
                raise ValidationFailed(result, replica)
            if change.added or change.removed:
                # Exactly the validated change, not the graphs' whole content: a re-uploaded
                # registry of a million triples with ten changed values is ten values. A
                # write that changes nothing is not recorded, as for a SPARQL update (its
                # record named no graph).
                record = audit_record(writer, change, source)
                turn.enter_context(turn_for(store, replica.base_version))
                with stale_during(store, needed=derived.replacement is not None):
                    commit_change(store, replica, change, record, derived.update)
        if derived.replacement is not None:
            replace_derived(store, derived.replacement)
    return result


def validate_with_graphs(
    store: Store, contents: Mapping[str | None, GraphContent], *, replace: bool
) -> tuple[ValidationResult, Triples]:
    """The whole registry validated as it would be with ``contents`` written, on an
    in-memory copy of the store (krbgraph.replica) by the compiled shapes, with no
    rdflib copy of the registry, and the derived graph it would have (checked_whole);
    when it does not conform, with the graphs that hold each object with findings.
    For the command line, which validates everything: a store may hold data loaded
    with --no-validate, and a write is where it shows."""
    replica = ValidationReplica.of(store)
    quads = {graph: content_quads(data, graph) for graph, data in contents.items()}
    # Everything is validated, so the blank nodes need not keep their labels.
    change = graphs_change(replica, quads, replace=replace, keep_labels=False)
    with replica.trial(change.added, change.removed):
        result, derived = checked_whole(replica)
        return (result if result.conforms else result.with_graphs(replica)), derived
