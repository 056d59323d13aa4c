"""`krb validate` and `krb check-ontology`: thin Typer commands over
krbgraph.validation, krbgraph.reports and krbgraph.reasoning.

Exit codes follow krbgraph.cli: 0 the data passes, 1 it does not (violations;
with --strict warnings too; an inconsistent ontology), 2 the input could not be
read.
"""

from __future__ import annotations

import dataclasses
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..rdfio import RdfInputError, expand_paths, read_rdf_paths

# The validators, owlready2 and the report renderers are imported by the commands that
# need them, so other `krb` commands start quickly.


class Engine(StrEnum):
    sparql = "sparql"
    pyshacl = "pyshacl"


class ReportFormat(StrEnum):
    text = "text"
    turtle = "turtle"
    json = "json"
    junit = "junit"


def register(app: typer.Typer) -> None:
    """Add the validation commands to the `krb` app."""
    app.command("validate")(validate)
    app.command("check-ontology")(check_ontology)


def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(help="RDF files or folders (searched recursively) with registry data."),
    ],
    report_format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Report format.")
    ] = ReportFormat.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Warnings fail the run too (exit 1).")
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="sparql: the shapes compiled to SPARQL (fast); pyshacl: the reference engine.",
        ),
    ] = Engine.sparql,
) -> None:
    """Check registry data against the KRB shapes (SHACL), with the model beside it."""
    from .. import reports
    from ..loading import validate_paths
    from ..source_lines import located_by_text
    from ..validation import checked_objects, validate_graph

    try:
        if engine is Engine.sparql:
            result = validate_paths(paths)  # the path of a validated load
        else:
            result = validate_graph(read_rdf_paths(paths), engine=engine.value)
            if result.findings:  # where the objects are written, from the files' text
                focuses = (f.focus for f in result.findings)
                places = located_by_text(focuses, expand_paths(paths))
                result = dataclasses.replace(result, places=places)
    except RdfInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    failed = not result.conforms or (strict and bool(result.warnings()))

    if report_format is ReportFormat.text:
        console = Console(soft_wrap=True, highlight=False)
        if output is None and console.is_terminal:
            console.print(reports.text_report(result), end="")
        elif output is None:
            # A pipe or file (a CI log): no styles to render, and rich's line splitting
            # took 10 s for the 58,617 findings of a registry of a million triples.
            sys.stdout.write(reports.plain_report(result))
        else:
            _write(output, reports.plain_report(result))
    else:
        if report_format is ReportFormat.json:
            rendered = reports.json_report(result)
        elif report_format is ReportFormat.turtle:
            rendered = reports.turtle_report(result)
        else:
            objects = checked_objects(read_rdf_paths(paths))  # the test cases, one per object
            rendered = reports.junit_report(result, strict=strict, objects=objects)
        if output is None:
            sys.stdout.write(rendered)
        else:
            _write(output, rendered)
    if output is not None:
        typer.echo(reports.summary(result))
    raise typer.Exit(1 if failed else 0)


def check_ontology(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Registry data to reason over; default: the demo registry."),
    ] = None,
) -> None:
    """Check with the HermiT reasoner that ontology, value lists, IMBOR extract and
    data are logically consistent (OWL 2 DL)."""
    from ..reasoning import ReasoningError, check_consistency

    try:
        result = check_consistency(paths or None)
    except RdfInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except ReasoningError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for note in result.adjustments:
        typer.echo(f"note: {note}")
    if result.consistent:
        typer.echo("consistent: the ontology and data have no logical contradiction (HermiT)")
        raise typer.Exit(0)
    typer.echo("inconsistent: the ontology and data contradict each other (HermiT)")
    if result.explanation:
        typer.echo(result.explanation)
    raise typer.Exit(1)


def _write(path: Path, content: str) -> None:
    """Write the whole report or nothing: a temporary file renamed into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        typer.echo(f"error: cannot write {path}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from exc
