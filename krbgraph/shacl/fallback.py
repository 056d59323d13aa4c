"""Shapes the compiler cannot translate, validated by pySHACL on the same data.

pySHACL gets the whole shapes graph (nested shapes, prefixes and components
stay reachable) with the targets of every other root shape removed, so it
validates exactly the shapes that fell back; its results join the report
marked ``by_pyshacl``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from .errors import UnsupportedShapes
from .paths import read_path
from .report import Result

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def validate_with_pyshacl(
    data: Graph,
    shapes: Graph,
    roots: Collection[Node],
    others: Collection[Node],
    focus_nodes: Sequence[Node] | None,
) -> list[Result]:
    """Results of root shapes ``roots`` on ``data``; ``others`` are the root shapes
    compiled to SPARQL, whose targets pySHACL must not see."""
    reduced = Graph()
    for triple in shapes:
        s, p, o = triple
        targets = p in _TARGETS or (p == RDF.type and o in (RDFS.Class, OWL.Class))
        if targets and s in others and s not in roots:
            continue
        reduced.add(triple)
    only: list[str | URIRef] | None = None  # None: every focus node of the shapes
    if focus_nodes is not None:
        if not all(isinstance(n, URIRef) for n in focus_nodes):
            raise UnsupportedShapes(
                f"pySHACL validates shapes {_names(roots)} for IRI focus nodes only"
            )
        only = [str(n) for n in focus_nodes]
    try:
        _, report, _ = pyshacl.validate(
            data,
            shacl_graph=reduced,
            advanced=True,
            inference="none",
            inplace=False,
            allow_warnings=True,
            focus_nodes=only,
        )
    except (ReportableRuntimeError, NotImplementedError) as exc:
        message = f"pySHACL cannot validate shapes {_names(roots)} either: {exc}"
        raise UnsupportedShapes(message) from exc
    if not isinstance(report, Graph):
        raise UnsupportedShapes(f"pySHACL cannot validate shapes {_names(roots)}: {report}")
    found = []
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    for item in report.objects(node, SH.result):
        path = report.value(item, SH.resultPath)
        component = report.value(item, SH.sourceConstraintComponent)
        severity = report.value(item, SH.resultSeverity)
        focus = report.value(item, SH.focusNode)
        shape = report.value(item, SH.sourceShape)
        assert isinstance(component, URIRef) and isinstance(severity, URIRef)
        assert focus is not None and shape is not None
        found.append(
            Result(
                focus=focus,
                path=read_path(report, path) if path is not None else None,
                value=report.value(item, SH.value),
                component=component,
                shape=shape,
                severity=severity,
                messages=tuple(
                    sorted(
                        (
                            m
                            for m in report.objects(item, SH.resultMessage)
                            if isinstance(m, Literal)
                        ),
                        key=str,
                    )
                ),
                constraint=report.value(item, SH.sourceConstraint),
                by_pyshacl=True,
            )
        )
    return found


def _names(nodes: Collection[Node]) -> str:
    return ", ".join(sorted(n.n3() for n in nodes))
