"""The validation report (SHACL 3.6): results as Python values and as a report graph.

The graph is built when first asked for: a whole registry can have tens of
thousands of results, and the write and load paths read only the results (an
rdflib graph of 58,617 warnings took 10 s to build at a million triples).
Who writes the report out (``krb validate --format turtle``) takes its triples
(``Report.triples``) to pyoxigraph's serialisers (``serialize_report``) without
any graph: at a million triples 3 s, where rdflib's graph and Turtle took 23 s.

Messages: every sh:message of the shape, in every language it is given in.
For SPARQL-based results the messages of the SPARQL constraint (or validator)
come first and {?var} / {$var} are filled from the solution, the focus node,
path, value and component parameters, as pySHACL does, but keeping the
language tag. Without any sh:message a short English text names the component.
Those messages name the focus node, value and path by their IRIs, which is what a
SHACL report says; what users read (krbgraph.shacl.findings) names them by their
labels, as the pySHACL path does (krbgraph.validation), so a result whose messages
filled any of those four also keeps them unfilled (``Result.templates``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ..store.terms import ToOxigraph
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
    templates: tuple[Literal, ...] = ()
    """The messages with {?label}, {$this}, {?value} and {?path} left for the reader to
    fill with names (krbgraph.shacl.findings); empty when ``messages`` has none of them
    filled, so only the few results whose messages show a value keep a second copy."""

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
        graph = Graph()
        graph.bind("sh", SH)
        for triple in self.triples():
            graph.add(triple)
        return graph

    def triples(
        self,
        *,
        conforms: bool | None = None,
        messages: Callable[[Result], tuple[Literal, ...] | None] | None = None,
    ) -> Iterator[Triple]:
        """The triples of the sh:ValidationReport, one result after another.

        ``conforms`` overrides sh:conforms, and ``messages`` a result's sh:resultMessage
        where it returns a tuple: for callers whose report says more than SHACL (checks
        beside it, messages with the object's name filled in).
        """
        report = self.node
        yield report, RDF.type, SH.ValidationReport
        yield report, SH.conforms, Literal(self.conforms if conforms is None else conforms)
        for fallback in self.fallbacks:
            note = (
                f"Shape {fallback.shape.n3()} was validated by pySHACL, "
                f"not compiled to SPARQL: {fallback.reason}"
            )
            yield report, RDFS.comment, Literal(note, lang="en")
        for item in self.results:
            node = BNode()
            yield report, SH.result, node
            yield node, RDF.type, SH.ValidationResult
            yield node, SH.focusNode, item.focus
            written = _TripleList()  # a path's own nodes, after the result's triples
            if item.path is not None:
                yield node, SH.resultPath, item.path.write(written)
            if item.value is not None:
                yield node, SH.value, item.value
            yield node, SH.sourceConstraintComponent, item.component
            yield node, SH.sourceShape, item.shape
            yield node, SH.resultSeverity, item.severity
            if item.constraint is not None:
                yield node, SH.sourceConstraint, item.constraint
            replaced = messages(item) if messages is not None else None
            for message in item.messages if replaced is None else replaced:
                yield node, SH.resultMessage, message
            yield from written


Triple = tuple[Node, Node, Node]


class _TripleList(list[Triple]):
    """What Path.write adds a path's triples to, for Report.triples."""

    def add(self, triple: Triple) -> None:
        self.append(triple)


def result(
    origin: Origin,
    focus: Node,
    value: Node | None,
    path: Path | None,
    bindings: Mapping[str, Node] | None = None,
) -> Result:
    """The result of one violation found by a compiled check."""
    shape = origin.shape
    messages, templates = _messages(origin, focus, value, path, bindings or {})
    return Result(
        focus=focus,
        path=path,
        value=value,
        component=origin.component,
        shape=shape.node,
        severity=shape.severity,
        messages=messages,
        constraint=origin.constraint,
        templates=templates,
    )


def _messages(
    origin: Origin,
    focus: Node,
    value: Node | None,
    path: Path | None,
    bindings: Mapping[str, Node],
) -> tuple[tuple[Literal, ...], tuple[Literal, ...]]:
    """The report's messages, and those messages with the placeholders users read as
    names left unfilled (Result.templates), or () when that is the same text."""
    templates = list(origin.messages) + [
        m for m in origin.shape.messages if m not in origin.messages
    ]
    if not templates:
        return (Literal(_generic(origin, focus, value, path)),), ()
    if not origin.substitute:
        return tuple(templates), ()
    fillers: dict[str, Node] = {name: node for name, node in origin.parameters}
    fillers.update(bindings)
    fillers["this"] = focus
    if value is not None:
        fillers.setdefault("value", value)
    filled = tuple(
        Literal(_fill(str(t), fillers), lang=t.language, datatype=t.datatype) for t in templates
    )
    if not any(name in fillers for name in NAMED_BY_READER):
        return filled, ()
    others = {name: node for name, node in fillers.items() if name not in NAMED_BY_READER}
    unnamed = tuple(
        Literal(_fill(str(t), others), lang=t.language, datatype=t.datatype) for t in templates
    )
    return filled, (() if unnamed == filled else unnamed)


NAMED_BY_READER = frozenset({"label", "this", "value", "path"})
"""The placeholders krbgraph.shacl.findings fills with the name of the node (its label),
where the report has the node itself."""

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


def _sort_key(item: Result) -> tuple[str, ...]:
    return (
        str(item.shape),
        str(item.focus),
        item.path.sparql() if item.path else "",
        str(item.component),
        _value_key(item.value),
    )


def _value_key(value: Node | None) -> str:
    """The value as its N-Triples-like text, for a stable order only. Not Literal.n3():
    for a numeric literal that is no number ("abc"^^xsd:decimal, which sh:datatype
    reports) that warns on stderr beside the report."""
    if value is None:
        return ""
    if not isinstance(value, Literal):
        return value.n3()
    suffix = f"@{value.language}" if value.language else ""
    if not suffix and value.datatype is not None:
        suffix = f"^^<{value.datatype}>"
    return f'"{value}"{suffix}'


def serialize_report(
    triples: Iterable[Triple],
    output: IO[bytes],
    *,
    format: ox.RdfFormat = ox.RdfFormat.TURTLE,
    prefixes: Mapping[str, str] | None = None,
) -> None:
    """Write a report's triples with pyoxigraph's serialiser, streaming: no graph is
    built, so a report of tens of thousands of results costs what writing it costs.

    Turtle groups a result's triples under its blank node, as they come from
    Report.triples; ``prefixes`` are declared in formats that have them.
    """
    convert = ToOxigraph().term
    ox.serialize(
        (ox.Triple(convert(s), convert(p), convert(o)) for s, p, o in triples),  # type: ignore[arg-type]
        output,
        format,
        prefixes=dict(prefixes) if prefixes else {"sh": str(SH), "rdf": str(RDF)},
    )
