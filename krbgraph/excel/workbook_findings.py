"""The shapes' findings on an imported workbook as its problems.

A finding on an object the workbook wrote is placed at the sheet, row and column that
made the triple; one on an object it does not hold names that object's IRI and graph,
and whether the registry broke it before the import (after an upgrade whose shapes are
stricter) or the import breaks it (a workbook dropping a norm another graph's effect
acts on): without the graph nobody finds it, and in the workbook it is not.
"""

from __future__ import annotations

import re

from rdflib import URIRef
from rdflib.term import Node

from ..validation import Finding, ValidationResult
from .problems import Problem, Severity
from .reader import ReadResult


def findings_as_problems(validation: ValidationResult, read: ReadResult) -> list[Problem]:
    """SHACL findings as workbook problems, at the row and column that made the triple, or
    one on an object the workbook does not hold with its graph (ValidationResult.outside)."""
    by_name: dict[str, Node] = {str(node): node for node in read.locations}
    return [_problem(finding, by_name, read, validation) for finding in validation.findings]


def _problem(
    finding: Finding, by_name: dict[str, Node], read: ReadResult, validation: ValidationResult
) -> Problem:
    severity: Severity = "fout" if finding.severity == "Violation" else "waarschuwing"
    node = by_name.get(finding.focus)
    if node is None and finding.focus.startswith("_:"):
        node = by_name.get(finding.focus[2:])
    location = read.locations.get(node) if node is not None else None
    if location is None or node is None:
        who, nl, en = _in_registry(validation, finding)
        return Problem(
            f"{who}: {finding.message_nl}{nl}",
            f"{who}: {finding.message_en}{en}",
            value=finding.value,
            severity=severity,
        )
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
    if validation.unknown_whose(finding.focus):  # a blank node: no telling who broke it
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
