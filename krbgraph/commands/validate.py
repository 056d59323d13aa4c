"""`krb validate` and `krb check-ontology`: thin Typer commands over
krbgraph.validation, krbgraph.reports and krbgraph.reasoning.

Exit codes follow krbgraph.cli: 0 the data passes, 1 it does not (violations;
with --strict warnings too; an inconsistent ontology), 2 the input could not be
read.

The files are read once for the findings and for the objects a JUnit report lists
beside them (``_validated``): a second reading gives blank nodes other ids, and an
object without an IRI then was two test cases, one passing, one failing.
"""

from __future__ import annotations

import dataclasses
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ..gc_pause import collector_paused
from ..rdfio import RdfInputError, expand_paths, read_rdf_paths

if TYPE_CHECKING:  # the validators load only when validating
    from ..replica import ValidationReplica
    from ..validation import CheckedObject, ValidationResult

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

    try:
        # The report is never read as data: written into the folder validated, the next
        # run would read it (shacl.xml as RDF/XML, report.json as JSON-LD) and fail.
        files = expand_paths(paths, leave_out=output)
        if not files:  # a pipeline that validates nothing must not pass
            named = ", ".join(str(path) for path in paths)
            raise RdfInputError(Path(named), None, None, "no RDF files found (nothing validated)")
        junit = report_format is ReportFormat.junit
        result, objects = _validated(files, engine, with_objects=junit)
    except RdfInputError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    failed = not result.conforms or (strict and bool(result.warnings()))

    if report_format is ReportFormat.text:
        console = Console(emoji=False, soft_wrap=True, highlight=False)
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
            rendered = reports.junit_report(result, strict=strict, objects=objects)
        if output is None:
            sys.stdout.write(rendered)
        else:
            _write(output, rendered)
    if output is not None:
        typer.echo(reports.summary(result))
    raise typer.Exit(1 if failed else 0)


@collector_paused()  # a whole registry's findings are many objects (krbgraph.gc_pause)
def _validated(
    files: list[Path], engine: Engine, *, with_objects: bool
) -> tuple[ValidationResult, tuple[CheckedObject, ...]]:
    """The files validated beside the model by ``engine``, with the same checks beside
    the shapes whichever engine (geometry, units, and how deep areas nest), where each
    object with findings is written, and with ``with_objects`` every object the shapes
    target, read from the data the findings were found in. The default engine is the
    path of a validated load (krbgraph.loading.validated_files); pySHACL validates the
    files as rdflib reads them (the reference reads what was written, not the store's
    canonical literals). Raises RdfInputError."""
    from ..loading import model_copy_with, validated_files
    from ..restated_check import with_restated_findings
    from ..source_lines import located_by_text
    from ..validation import checked_objects, validate_graph

    if engine is Engine.sparql:
        return validated_files(files, with_objects=with_objects)
    data = read_rdf_paths(files)
    replica, _ = model_copy_with(files)
    result = _with_nesting(validate_graph(data, engine=engine.value), replica)
    result = with_restated_findings(result, replica)  # a fact in two files, as by default
    objects = checked_objects(data) if with_objects else ()
    if result.findings:  # where the objects are written, from the files' text
        places = located_by_text((f.focus for f in result.findings), files)
        result = dataclasses.replace(result, places=places)
    return result, objects


def _with_nesting(result: ValidationResult, replica: ValidationReplica) -> ValidationResult:
    """``result`` with the areas nested too deep as Violations, as the default engine
    finds them (krbgraph.registry.checked_whole): pySHACL checks the shapes only. Data
    that breaks other rules may not be derivable at all; it is refused for those."""
    from ..containment import TooDeeplyNested
    from ..derived import area_triples
    from ..nesting_check import with_nesting_findings

    try:
        area_triples(replica)
    except TooDeeplyNested as refused:
        return with_nesting_findings(result, replica, refused)
    except Exception:
        if result.conforms:
            raise
    return result


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
