"""Validating a registry against the KRB shapes, with findings users can act on.

The shapes (ontology/shapes/) need the model beside the data: value-list
schemes, units, the IMBOR extract and the class hierarchy of krb.ttl. The data
is therefore validated together with the model (krbgraph.model.model_graph(),
of the IMBOR extract only the classes the data refers to) in a graph of its
own, so the caller's graph is never changed.

pySHACL drops language tags when it fills in SPARQL message templates and fills
in nothing for core constraints, so messages are taken from the shapes graph
here, per language, and their {?label} placeholder is replaced by the name of
the object; the report graph gets the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from .findings import (
    SEVERITIES,
    Finding,
    QuadSource,
    label_of,
    path_text,
    stored_graphs,
    type_name,
)
from .model import model_graph, own_units_graph, qudt_subjects, shapes_graph
from .namespaces import PREFIXES, SCHEME

if TYPE_CHECKING:  # the SHACL engine loads only when validating
    from .shacl.report import Result, Triple
    from .source_lines import Place

LEEFOMGEVING_SCHEME = SCHEME["leefomgeving"]
"""Concept scheme of the IMBOR extract and begrip:leefomgeving/alle."""

_PLACEHOLDER = re.compile(r"\{[?$](label|this|value|path)\}")


def is_blank_focus(focus: str) -> bool:
    """Whether a finding's focus is a blank node (its id, with or without ``_:``)."""
    return focus.startswith("_:") or ":" not in focus


FindingKey = tuple[str, str | None, str | None, str | None]


def finding_key(finding: Finding) -> FindingKey:
    """What makes a finding the same before and after a write: object, property, value
    and shape (a blank value counts as any value: a copy's blank nodes are not the
    store's)."""
    value = finding.value
    if value is not None and is_blank_focus(value):
        value = None
    return (finding.focus, finding.path, value, finding.shape)


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of validate_graph: conforms means no Violation (warnings allowed)."""

    conforms: bool
    findings: tuple[Finding, ...]
    report_source: Graph | Callable[[], Iterable[Triple]]
    """The SHACL validation report, or what yields its triples when they are asked for
    (``report``, ``report_triples``): a whole registry's report can take longer to
    build as a graph than its validation takes."""
    places: Mapping[str, tuple[Place, ...]] = field(default_factory=dict)
    """Focus node -> the files (and lines) that describe it, for the objects with
    findings (and every object checked, for a JUnit report), when the data was read from
    files (krbgraph.source_lines); empty otherwise."""
    stored: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Focus node -> the store's graphs that hold it (findings.DEFAULT_GRAPH: the store's
    own default graph), for the objects with findings, when a store's registry was
    validated (`krb validate --store`, a write): a store has no file and line to send the
    user to, but it has the graph to fix, and after an upgrade that is not the one written."""
    written: str | None = None
    """What a refused write wrote (``geluid.xlsx``), when ``stored`` keeps only the
    objects it does not describe (``outside``): a report that does not name their graph
    sends the user looking for them in the file."""
    already: frozenset[FindingKey] | None = None
    """Of the findings on objects of ``stored`` outside a refused write, those the
    registry had before it (krbgraph.broken_before, by ``finding_key``); None: not
    asked, all of them. The others the write brings itself (a workbook dropping a norm
    another graph's effect acts on), also on an object that was broken before."""

    def unknown_whose(self, focus: str) -> bool:
        """Whether nobody can tell if the registry broke ``focus`` before the write: a
        blank node of the copy the write was tried on is no node of the store."""
        return self.written is not None and focus in self.stored and is_blank_focus(focus)

    def already_broken(self, finding: Finding) -> bool:
        """Whether ``finding`` was in the registry before the refused write."""
        return (
            self.written is not None
            and finding.focus in self.stored
            and (self.already is None or finding_key(finding) in self.already)
        )

    def with_graphs(self, source: QuadSource) -> ValidationResult:
        """With the graphs of ``source`` (the copy of the store the findings were found
        on, whose blank nodes they name) that hold each object with findings."""
        return replace(self, stored=stored_graphs(source, (f.focus for f in self.findings)))

    def outside(self, graphs: Collection[str | None], written: str) -> ValidationResult:
        """Of a refused write of ``written`` into ``graphs`` (found with ``with_graphs``
        on the copy holding the write): ``stored`` kept for the objects those graphs do
        not hold, which were in the registry already, in a graph the write leaves as it
        is. After an upgrade whose shapes are stricter every write finds them, and a
        report that names no graph sends the user looking for them in the file."""
        kept = {focus: held for focus, held in self.stored.items() if set(held).isdisjoint(graphs)}
        return replace(self, stored=kept, written=written)

    @cached_property
    def report(self) -> Graph:
        """The SHACL validation report as a graph."""
        source = self.report_source
        if isinstance(source, Graph):
            return source
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        for triple in source():
            graph.add(triple)
        return graph

    def report_triples(self) -> Iterable[Triple]:
        """The report's triples, without building a graph when there is none yet (for
        writing a large report out: krbgraph.reports.turtle_report)."""
        source = self.report_source
        if isinstance(source, Graph) or "report" in self.__dict__:
            return iter(self.report)
        return source()

    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "Violation")

    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "Warning")


ENGINES = ("sparql", "pyshacl")
"""``sparql``: krbgraph.shacl, the shapes compiled to SPARQL (the default: the same
results, 6x faster on ten thousand triples and 60x on a hundred thousand, see
bench/validate.py). ``pyshacl``: the reference implementation, kept for comparison."""


class ValidationFailed(Exception):
    """The registry would not conform to the shapes; nothing was written.

    ``found_on``: the copy of the store the findings were found on, of which the result
    gets the graphs of each object with findings (``ValidationResult.with_graphs``).
    The message is made from ``result`` when it is read: a load says which objects
    are not in its files (krbgraph.loading) after that copy is gone."""

    def __init__(self, result: ValidationResult, found_on: QuadSource | None = None):
        super().__init__()
        self.result = result if found_on is None else result.with_graphs(found_on)

    def __str__(self) -> str:
        violations = self.result.violations()
        said = f"{len(violations)} violation{'' if len(violations) == 1 else 's'}"
        there = sum(1 for f in violations if self.result.already_broken(f))
        if there:
            said += (
                f", {there} of them on objects already in the registry, not in "
                f"{self.result.written}; `krb validate --store` lists what the registry breaks"
            )
        return f"the data does not conform to the KRB shapes ({said}); nothing was written"


def validate_graph(data: Graph | Dataset, *, engine: str = "sparql") -> ValidationResult:
    """Validate registry data (all graphs of a Dataset together) against the KRB shapes,
    the geometry of areas against their krb:ligtIn (krbgraph.spatial_checks) and the
    units of norms and effects against what they measure (krbgraph.unit_checks).

    The model is added internally; ``data`` is not modified. ``engine`` is one of
    ENGINES; ValueError for another.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; choose one of {ENGINES}")
    combined = Graph()
    for prefix, namespace in PREFIXES.items():
        combined.bind(prefix, namespace)
    _add_all(combined, data)
    _add_model_context(combined)
    shapes = shapes_graph()
    if engine == "pyshacl":
        findings, report, report_node = _with_pyshacl(combined, shapes)
    else:
        findings, report, report_node = _with_compiled_shapes(combined, shapes)
    # Geometry and unit checks SHACL cannot express. Imported here: both build on
    # this module's Finding, and shapely and pyproj load only when validating.
    from .spatial_checks import spatial_findings
    from .unit_checks import unit_findings

    findings.extend(spatial_findings(combined, report, report_node))
    findings.extend(unit_findings(combined, report, report_node))
    findings.sort(key=finding_sort_key)
    conforms = not any(f.severity == "Violation" for f in findings)
    report.set((report_node, SH.conforms, Literal(conforms)))
    for prefix, namespace in PREFIXES.items():
        report.bind(prefix, namespace)
    return ValidationResult(conforms, tuple(findings), report)


def _with_pyshacl(combined: Graph, shapes: Graph) -> tuple[list[Finding], Graph, Node]:
    from .pyshacl_run import pyshacl_report  # the reference engine loads only when asked for

    report, report_node = pyshacl_report(combined, shapes)
    findings: list[Finding] = []
    # Top-level results only: nested sh:detail results of sh:node are not findings.
    for result in report.objects(report_node, SH.result):
        finding, messages = _finding(result, report, combined, shapes)
        findings.append(finding)
        report.remove((result, SH.resultMessage, None))
        for message in messages:
            report.add((result, SH.resultMessage, message))
    return findings, report, report_node


def _with_compiled_shapes(combined: Graph, shapes: Graph) -> tuple[list[Finding], Graph, Node]:
    """The shapes compiled to SPARQL (krbgraph.shacl); the report's messages become the
    findings' own, with the object's name filled in, as for pySHACL's report."""
    from .shacl import validate_graph as validate_compiled  # loaded when validating
    from .shacl.findings import to_findings

    outcome = validate_compiled(combined, shapes)
    report = outcome.graph
    report_node = next(report.subjects(RDF.type, SH.ValidationReport))
    findings = list(to_findings(outcome, combined))
    fill_messages(report, report_node, findings)
    return findings, report, report_node


_MessageKey = tuple[str, str | None, str | None, str | None, str]


def _message_key(
    focus: Node | None, value: Node | None, shape: Node | None, path: str | None, severity: str
) -> _MessageKey:
    """What a finding and its result share (Finding.shape names IRI shapes only); two
    missing properties of one object shared a key without path and severity."""
    return (
        str(focus),
        str(value) if value is not None else None,
        str(shape) if isinstance(shape, URIRef) else None,
        path,
        severity,
    )


def _findings_messages(findings: Iterable[Finding]) -> dict[_MessageKey, tuple[Literal, Literal]]:
    return {
        (f.focus, f.value, f.shape, f.path, f.severity): (
            Literal(f.message_nl, lang="nl"),
            Literal(f.message_en, lang="en"),
        )
        for f in findings
    }


def filled_messages(
    findings: Iterable[Finding],
) -> Callable[[Result], tuple[Literal, ...] | None]:
    """For Report.triples: a result's messages as its finding's, with the object's name
    filled in, as fill_messages does for a report graph."""
    from .shacl.findings import path_shown

    messages = _findings_messages(findings)

    def of(item: Result) -> tuple[Literal, ...] | None:
        path = None if item.path is None else path_shown(item.path)
        key = _message_key(item.focus, item.value, item.shape, path, item.severity_name)
        return messages.get(key)

    return of


def fill_messages(report: Graph, report_node: Node, findings: Iterable[Finding]) -> None:
    """The report's messages replaced by the findings' own, with the object's name
    filled in (the shapes' messages hold placeholders), so the report graph says what
    the text report says."""
    messages = _findings_messages(findings)
    for result in list(report.objects(report_node, SH.result)):
        severity = report.value(result, SH.resultSeverity)
        key = _message_key(
            report.value(result, SH.focusNode),
            report.value(result, SH.value),
            report.value(result, SH.sourceShape),
            path_text(report, report.value(result, SH.resultPath)),
            str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        )
        if key in messages:
            report.remove((result, SH.resultMessage, None))
            for message in messages[key]:
                report.add((result, SH.resultMessage, message))


@dataclass(frozen=True)
class CheckedObject:
    """An object the shapes target, so reports can list objects without findings too."""

    iri: str
    label: str | None
    type: str | None


def checked_objects(data: Graph | Dataset) -> tuple[CheckedObject, ...]:
    """The objects in ``data`` that a shape targets by class (or a subclass of it, in the
    model or in the data: a registry's own ``gem:Team rdfs:subClassOf
    org:OrganizationalUnit`` is validated as sh:targetClass prescribes, so its objects
    are test cases too, passing or failing)."""
    graph = Graph()
    _add_all(graph, data)
    _add_all_types(graph, model_graph())
    pending = set(shapes_graph().objects(None, SH.targetClass))
    classes: set[Node] = set()
    while pending:
        cls = pending.pop()
        classes.add(cls)
        pending |= set(graph.subjects(RDFS.subClassOf, cls)) - classes
    found = {s for s, _, o in graph.triples((None, RDF.type, None)) if o in classes}
    return tuple(
        sorted(
            (CheckedObject(str(s), label_of(graph, s), type_name(graph, s)) for s in found),
            key=lambda o: o.iri,
        )
    )


def _add_all(target: Graph, source: Graph | Dataset) -> None:
    if isinstance(source, Dataset):
        for s, p, o, _ in source.quads((None, None, None, None)):
            target.add((s, p, o))
    else:
        for triple in source:
            target.add(triple)


@cache
def _model_split() -> tuple[tuple[tuple[Node, Node, Node], ...], frozenset[Node]]:
    """The model without its two large extracts (triples), and the extracts' subjects:
    the IMBOR concepts and the QUDT units. A unit eenheden.ttl declares keeps exactly
    its eenheden.ttl triples (the KRB's own labels), never QUDT's as well."""
    model = model_graph()
    qudt = qudt_subjects()
    imbor = frozenset(model.subjects(SKOS.inScheme, LEEFOMGEVING_SCHEME))
    own_units = own_units_graph()
    core = [t for t in model if t[0] not in imbor and t[0] not in qudt]
    core.extend(own_units)
    return tuple(core), imbor | (qudt - frozenset(own_units.subjects()))


def _add_model_context(graph: Graph) -> None:
    """Add what the shapes need from the model: all of it except the IMBOR and QUDT
    extracts (95% of the model), and of those only what the data refers to.

    No shape looks further than one step into an extract (scheme, type,
    krb:imborObjecttype of a referenced class, the type of a unit), and copying every
    model triple would cost more than validating a registry of a few hundred objects.
    """
    core, extract = _model_split()
    referenced = {o for o in graph.objects() if o in extract}
    model = model_graph()
    for triple in core:
        graph.add(triple)
    for concept in referenced:
        for triple in model.triples((concept, None, None)):
            graph.add(triple)


def _add_all_types(target: Graph, model: Graph) -> None:
    """The class hierarchy only: enough for type_name, far smaller than the model."""
    for triple in model.triples((None, RDFS.subClassOf, None)):
        target.add(triple)


def _finding(
    result: Node, report: Graph, data: Graph, shapes: Graph
) -> tuple[Finding, list[Literal]]:
    focus = report.value(result, SH.focusNode)
    value = report.value(result, SH.value)
    path = report.value(result, SH.resultPath)
    shape = report.value(result, SH.sourceShape)
    severity = report.value(result, SH.resultSeverity)
    focus_label = label_of(data, focus) if focus is not None else None

    def fill(template: str, lang: str) -> str:
        fillers = {
            "label": focus_label or str(focus),
            "this": focus_label or str(focus),
            "value": (label_of(data, value, lang) or str(value)) if value is not None else "",
            "path": path_text(report, path) or "",
        }
        return _PLACEHOLDER.sub(lambda m: fillers[m.group(1)], template)

    templates = _message_templates(report, shapes, result, shape)
    messages = [Literal(fill(str(t), t.language or "nl"), lang=t.language) for t in templates]
    by_lang = {m.language: str(m) for m in messages}
    fallback = next(iter(by_lang.values()), _generic_message(report, result))
    finding = Finding(
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        focus=str(focus),
        focus_label=focus_label,
        focus_type=type_name(data, focus) if focus is not None else None,
        path=path_text(report, path),
        value=str(value) if value is not None else None,
        message_nl=by_lang.get("nl", fallback),
        message_en=by_lang.get("en", fallback),
        shape=str(shape) if isinstance(shape, URIRef) else None,
    )
    return finding, messages


def _message_templates(
    report: Graph, shapes: Graph, result: Node, shape: Node | None
) -> list[Literal]:
    """sh:message of the SPARQL constraint that fired, else of the source shape."""
    sources: Iterable[Node | None] = (report.value(result, SH.sourceConstraint), shape)
    for source in sources:
        if source is None:
            continue
        found = [m for m in shapes.objects(source, SH.message) if isinstance(m, Literal)]
        if found:
            return sorted(found, key=lambda m: (m.language or "", str(m)))
    return []


def _generic_message(report: Graph, result: Node) -> str:
    """pySHACL's own text, for shapes without sh:message (not used by the KRB shapes)."""
    messages = [str(m) for m in report.objects(result, SH.resultMessage)]
    component = report.value(result, SH.sourceConstraintComponent)
    return messages[0] if messages else f"constraint {component} not satisfied"


def finding_sort_key(finding: Finding) -> tuple[int, str, str, str, str, str]:
    """The order findings are shown in, the same whichever engine found them: two
    findings of one object, property and rule differ in their value (a missing one
    and a wrong one came in either order)."""
    return (
        SEVERITIES.index(finding.severity) if finding.severity in SEVERITIES else 3,
        finding.focus_label or finding.focus,
        finding.focus,
        finding.path or "",
        finding.message_nl,
        finding.value or "",
    )


__all__ = [
    "CheckedObject",
    "Finding",
    "ValidationResult",
    "checked_objects",
    "label_of",
    "validate_graph",
]


ReportedFindings = Callable[[set[tuple], Node], list[Finding]]
"""A check beside the shapes: its findings, each also added as an sh:ValidationResult
under the given report node into the given set of report triples."""


def with_violations(result: ValidationResult, check: ReportedFindings) -> ValidationResult:
    """``result`` with the findings of ``check``, its report saying the same; unchanged
    when the check finds nothing. The check's report triples are made again when the
    report is read, under the node of the report they join (krbgraph.nesting_check,
    krbgraph.restated_check)."""
    added = check(set(), URIRef("urn:x-krb:report"))
    if not added:
        return result
    findings = tuple(sorted((*result.findings, *added), key=finding_sort_key))
    conforms = result.conforms and not any(f.severity == "Violation" for f in added)
    earlier = result.report_triples

    def report_triples() -> Iterable[Triple]:
        report_node = None
        for subject, predicate, obj in earlier():
            if predicate == RDF.type and obj == SH.ValidationReport:
                report_node = subject
            if predicate == SH.conforms:
                obj = Literal(conforms)
            yield subject, predicate, obj
        if report_node is not None:
            results: set[tuple] = set()
            check(results, report_node)
            yield from results

    return replace(result, conforms=conforms, findings=findings, report_source=report_triples)
