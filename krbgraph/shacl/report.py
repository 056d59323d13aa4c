"""The validation report (SHACL 3.6): results as Python values and as a report graph.

The graph is built when first asked for: a whole registry can have tens of
thousands of results, and the write and load paths read only the results (an
rdflib graph of 58,617 warnings took 10 s to build at a million triples).

Messages: every sh:message of the shape, in every language it is given in.
For SPARQL-based results the messages of the SPARQL constraint (or validator)
come first and {?var} / {$var} are filled from the solution, the focus node,
path, value and component parameters, as pySHACL does, but keeping the
language tag. Without any sh:message a short English text names the component.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from .checks import Origin
from .paths import Path


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult."""

    focus: Node
    path: Path | None
    value: Node | None
    component: URIRef
    shape: Node
    severity: URIRef
    messages: tuple[Literal, ...]
    constraint: Node | None = None
    """sh:sourceConstraint, for SPARQL constraints."""
    by_pyshacl: bool = False
    """The shape could not be compiled and pySHACL found this result."""

    @property
    def severity_name(self) -> str:
        """'Violation', 'Warning' or 'Info' (the local name of the severity)."""
        return str(self.severity).rsplit("#", 1)[-1]


@dataclass(frozen=True)
class Fallback:
    """A root shape validated by pySHACL instead of SPARQL, and why."""

    shape: Node
    reason: str


@dataclass(frozen=True)
class Report:
    """The outcome of a validation: conforms means no results of any severity (SHACL 3.6.1)."""

    conforms: bool
    results: tuple[Result, ...]
    fallbacks: tuple[Fallback, ...] = ()
    node: BNode = field(default_factory=BNode, compare=False)
    """The sh:ValidationReport node of ``graph`` (known before the graph is built, so
    checks beside SHACL can name it in results of their own)."""

    def violations(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.severity == SH.Violation)

    @cached_property
    def graph(self) -> Graph:
        """The sh:ValidationReport as a graph."""
        return _report_graph(self)


def result(
    origin: Origin,
    focus: Node,
    value: Node | None,
    path: Path | None,
    bindings: Mapping[str, Node] | None = None,
) -> Result:
    """The result of one violation found by a compiled check."""
    shape = origin.shape
    return Result(
        focus=focus,
        path=path,
        value=value,
        component=origin.component,
        shape=shape.node,
        severity=shape.severity,
        messages=_messages(origin, focus, value, path, bindings or {}),
        constraint=origin.constraint,
    )


def _messages(
    origin: Origin,
    focus: Node,
    value: Node | None,
    path: Path | None,
    bindings: Mapping[str, Node],
) -> tuple[Literal, ...]:
    templates = list(origin.messages) + [
        m for m in origin.shape.messages if m not in origin.messages
    ]
    if not templates:
        return (Literal(_generic(origin, focus, value, path)),)
    if not origin.substitute:
        return tuple(templates)
    fillers: dict[str, Node] = {name: node for name, node in origin.parameters}
    fillers.update(bindings)
    fillers["this"] = focus
    if value is not None:
        fillers.setdefault("value", value)
    return tuple(
        Literal(_fill(str(t), fillers), lang=t.language, datatype=t.datatype) for t in templates
    )


_PLACEHOLDER = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _fill(template: str, fillers: Mapping[str, Node]) -> str:
    def replace(match: re.Match[str]) -> str:
        node = fillers.get(match.group(1))
        return match.group(0) if node is None else str(node)

    return _PLACEHOLDER.sub(replace, template)


def _generic(origin: Origin, focus: Node, value: Node | None, path: Path | None) -> str:
    name = str(origin.component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    where = f" on {focus.n3()}" + (f" via {path.sparql()}" if path is not None else "")
    shown = f": value {value.n3()}" if value is not None else ""
    return f"{name} constraint of shape {origin.shape.node.n3()} not satisfied{where}{shown}"


def build_report(results: Iterable[Result], fallbacks: Iterable[Fallback]) -> Report:
    """The Report of ``results``, sorted; its graph is built when asked for."""
    ordered = tuple(sorted(results, key=_sort_key))
    return Report(conforms=not ordered, results=ordered, fallbacks=tuple(fallbacks))


def _report_graph(outcome: Report) -> Graph:
    graph = Graph()
    graph.bind("sh", SH)
    report = outcome.node
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(outcome.conforms)))
    for fallback in outcome.fallbacks:
        graph.add(
            (
                report,
                RDFS.comment,
                Literal(
                    f"Shape {fallback.shape.n3()} was validated by pySHACL, "
                    f"not compiled to SPARQL: {fallback.reason}",
                    lang="en",
                ),
            )
        )
    for item in outcome.results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, item.focus))
        if item.path is not None:
            graph.add((node, SH.resultPath, item.path.write(graph)))
        if item.value is not None:
            graph.add((node, SH.value, item.value))
        graph.add((node, SH.sourceConstraintComponent, item.component))
        graph.add((node, SH.sourceShape, item.shape))
        graph.add((node, SH.resultSeverity, item.severity))
        if item.constraint is not None:
            graph.add((node, SH.sourceConstraint, item.constraint))
        for message in item.messages:
            graph.add((node, SH.resultMessage, message))
    return graph


def _sort_key(item: Result) -> tuple[str, ...]:
    return (
        str(item.shape),
        str(item.focus),
        item.path.sparql() if item.path else "",
        str(item.component),
        item.value.n3() if item.value is not None else "",
    )
