"""The shapes' findings on an imported workbook as its problems.

A finding on an object the workbook wrote is placed at the sheet, row and column that
made the triple; one on an object it does not hold names that object's IRI and graph,
and whether the registry broke it before the import (after an upgrade whose shapes are
stricter) or the import breaks it (a workbook dropping a norm another graph's effect
acts on): without the graph nobody finds it, and in the workbook it is not.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from ..findings import DEFAULT_GRAPH
from ..replica import NOT_DATA
from ..store import Store
from ..validation import Finding, ValidationResult, is_blank_focus
from .problems import Problem, Severity
from .reader import ReadResult


def findings_as_problems(validation: ValidationResult, read: ReadResult) -> list[Problem]:
    """SHACL findings as workbook problems, at the row and column that made the triple, or
    one on an object the workbook does not hold with its graph (ValidationResult.outside)."""
    by_name: dict[str, Node] = {str(node): node for node in read.locations}
    return [_problem(finding, by_name, read, validation) for finding in validation.findings]


def with_graphs_outside(
    store: Store, validation: ValidationResult, read: ReadResult, written: str
) -> ValidationResult:
    """Of a workbook written into ``store`` (``written``: its file name), ``validation``
    with the graphs that hold each object with findings the workbook does not hold, as
    the store is now. A warning on such an object (a norm of another graph that a
    whole-registry validation checked again) read as the workbook's own, with no sheet,
    row or graph, where nobody finds it; a refused write names them from the copy it
    was tried on (ValidationResult.with_graphs)."""
    by_name: dict[str, Node] = {str(node): node for node in read.locations}
    outside = sorted(
        {
            f.focus
            for f in validation.findings
            if _located(f, by_name, read) is None and not is_blank_focus(f.focus)
        }
    )
    if not outside:
        return validation
    stored: dict[str, set[str]] = {}
    for start in range(0, len(outside), 1000):
        # Written by pyoxigraph, which checks and escapes an IRI from the data.
        values = " ".join(str(ox.NamedNode(i)) for i in outside[start : start + 1000])
        for subject, graph in store.query(_HELD_IN % values).rows:
            name = DEFAULT_GRAPH if graph is None else str(graph)
            if name not in NOT_DATA:  # the derived dates are no graph to fix
                stored.setdefault(str(subject), set()).add(name)
    return replace(
        validation,
        stored={focus: tuple(sorted(graphs)) for focus, graphs in stored.items()},
        written=written,
    )


_HELD_IN = """SELECT DISTINCT ?s ?g WHERE {
  VALUES ?s { %s }
  { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?h { ?s ?p ?o } } }
}"""
"""The graphs that describe each object; an unbound ?g: the store's default graph."""


def _located(
    finding: Finding, by_name: dict[str, Node], read: ReadResult
) -> tuple[Node, tuple[str, int]] | None:
    """The workbook's node of a finding's focus and the sheet and row that made it."""
    node = by_name.get(finding.focus)
    if node is None and finding.focus.startswith("_:"):
        node = by_name.get(finding.focus[2:])
    location = read.locations.get(node) if node is not None else None
    return None if location is None or node is None else (node, location)


def _problem(
    finding: Finding, by_name: dict[str, Node], read: ReadResult, validation: ValidationResult
) -> Problem:
    severity: Severity = "fout" if finding.severity == "Violation" else "waarschuwing"
    located = _located(finding, by_name, read)
    if located is None:
        who, nl, en = _in_registry(validation, finding)
        return Problem(
            f"{who}: {finding.message_nl}{nl}",
            f"{who}: {finding.message_en}{en}",
            value=finding.value,
            severity=severity,
        )
    node, location = located
    column = None
    path = finding.path
    if path is not None and not path.startswith("^") and not re.search(r"/(https?|urn):", path):
        # One property (not ^p or a/b, which findings.path_text writes out): the column
        # of the value the finding is about, or, for a value that is missing, the column
        # that writes that property on the sheet.
        predicate = URIRef(path)
        column = read.columns.get((node, predicate)) or read.sheet_columns.get(
            (location[0], predicate)
        )
    return Problem(
        finding.message_nl,
        finding.message_en,
        sheet=location[0],
        row=location[1],
        column=column,
        value=finding.value,
        severity=severity,
    )


def _in_registry(validation: ValidationResult, finding: Finding) -> tuple[str, str, str]:
    """Who a problem is about and what it adds (nl, en) on an object the registry holds and
    the workbook does not: else it reads as the workbook's, where nobody finds it."""
    graphs, workbook = validation.stored.get(finding.focus), validation.written
    if not graphs or workbook is None:
        return finding.focus_label or finding.focus, "", ""
    named = ", ".join(f"<{graph}>" for graph in graphs)
    nl, en = ("grafen", "graphs") if len(graphs) > 1 else ("graaf", "graph")
    who = f"{finding.focus_label or ''} <{finding.focus}>".lstrip()
    if validation.conforms or validation.unknown_whose(finding.focus):
        # A warning of a write that was made (no telling whether the registry had it
        # before: the store has changed), or a blank node of the copy a refused write
        # was tried on
        return (
            who,
            f" (in {nl} {named}, niet in {workbook})",
            f" (in {en} {named}, not in {workbook})",
        )
    if not validation.already_broken(finding):
        return (
            who,
            f" (in {nl} {named}, niet in {workbook}: deze import breekt het, door wat hij "
            "verwijdert of verandert)",
            f" (in {en} {named}, not in {workbook}: this import breaks it, by what it "
            "removes or changes)",
        )
    return (
        who,
        f" (al in het register, in {nl} {named}, niet in {workbook}; "
        "`krb validate --store` toont alles wat het register breekt)",
        f" (already in the registry, in {en} {named}, not in {workbook}; "
        "`krb validate --store` lists everything the registry breaks)",
    )
