"""`krb validate` and `krb check-ontology`: thin Typer commands over
krbgraph.validation, krbgraph.reports and krbgraph.reasoning.

Exit codes follow krbgraph.cli: 0 the data passes, 1 it does not (violations;
with --strict warnings too; an inconsistent ontology), 2 the input could not be
read (or the store not opened).

The files are read once for the findings and for the objects a JUnit report lists
beside them (``_validated``): a second reading gives blank nodes other ids, and an
object without an IRI then was two test cases, one passing, one failing.

``--store`` validates the registry a store holds, as a validated write does
(``_validated_store``): after an upgrade whose shapes are stricter, data written before
may break them, every write is refused for it, and this is where it is listed, with
the graph each object is in. Files and ``--store`` are not validated together: files
beside a store's registry are what `krb load` validates, and a store beside files is
not what either alone holds (refused, exit 2). KRB_STORE, which a shell may set for
every command, gives the store only when no files are named.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from ..gc_pause import collector_paused
from ..input_files import files_in, is_blank, is_krb_report
from ..iris import DEFAULT_BASE_IRI
from ..rdfio import RdfInputError, holds_a_triple, rdf_inputs, read_rdf_paths
from ..settings import Settings
from ..store import StoreError
from .store import TimeoutOption, opened_store, settings_from_cli

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
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="RDF files or folders (searched recursively) with registry data; "
            "none with --store.",
            show_default=False,
        ),
    ] = None,
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
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            envvar="KRB_STORE",
            help="Validate the registry in this store (folder or SPARQL server URL) instead "
            "of files; each finding names the graph its object is in.",
            show_default=False,
        ),
    ] = None,
    timeout: TimeoutOption = None,
) -> None:
    """Check registry data against the KRB shapes (SHACL), with the model beside it:
    files, or the registry in a store (--store)."""
    from .. import reports
    from ..loading import GraphRefused, LoadError

    junit = report_format is ReportFormat.junit
    try:
        if output is not None:
            _refuse_to_overwrite_data(output)
        if paths:
            if _given_on_command_line(ctx, "store"):
                raise _usage(
                    "geef bestanden of --store, niet allebei / give files or --store, not both: "
                    "`krb validate --store DIR` validates the registry in a store, "
                    "`krb load FILES --store DIR` validates files with it before writing them"
                )
            files = _input_files(paths, output)
            result, objects = _validated(files, engine, with_objects=junit)
        elif store is not None:
            if engine is not Engine.sparql:
                raise _usage(
                    "--engine pyshacl validates files only; a store is validated by the "
                    "compiled shapes, as its writes are"
                )
            settings = settings_from_cli(store, None, timeout)
            result, objects = _validated_store(settings, with_objects=junit)
        else:
            raise _usage(
                "niets te valideren / nothing to validate: give RDF files or folders, or "
                "--store DIR (or KRB_STORE) for the registry in a store"
            )
    except (RdfInputError, StoreError, LoadError, GraphRefused) as exc:
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


def _input_files(paths: list[Path], output: Path | None) -> list[Path]:
    """The files to validate: what `krb load` of ``paths`` reads, refused for what it
    refuses (a named graph is refused as the files are read, krbgraph.loading.
    model_copy_with). Raises RdfInputError, and LoadError as `krb load` does.

    A report of krb validate, and the one being written (``output``), is never read as
    data: written into the folder validated, the next run read it (shacl.xml as
    RDF/XML, report.json as JSON-LD) and failed (krbgraph.input_files.is_own_report).
    ``output`` holds no data here: one that does was refused (_refuse_to_overwrite_data).
    A pipeline that validates nothing must not pass: no RDF file, or none with a
    triple (a failed export's empty file), is unreadable input. A file of white space
    only (``krb validate . -f json > report.json``: the shell makes it first) holds no
    triples whatever its syntax, JSON-LD too, and is left out with a warning."""
    from ..loading import plan_load

    report_file = None if output is None else output.resolve()
    named = [path for path in paths if path.resolve() != report_file]
    if output is not None and not named:
        raise RdfInputError(output, None, None, f"{_REPORT_FILE}; name the data to validate")
    found = rdf_inputs(named)
    for workbook in _workbooks_in(named):
        # A CI validating a folder passed while a workbook in it was never looked at.
        typer.echo(
            f"note: {workbook} is a workbook, not RDF: not validated here; "
            "`krb import-excel` checks it against the same shapes (and writes nothing "
            "when it does not conform)",
            err=True,
        )
    for report in found.reports:
        if report.resolve() != report_file:
            typer.echo(f"note: {report} is a report of krb validate, not data: not read", err=True)
    files = [path for path in found.files if path.resolve() != report_file]
    if not files:
        beside = any(path.resolve() == report_file for path in [*found.files, *found.reports])
        left_out = f" besides {output} ({_REPORT_FILE})" if beside else ""
        message = f"no RDF files found{left_out} (nothing validated){_store_hint(named)}"
        raise RdfInputError(Path(", ".join(map(str, named))), None, None, message)
    empty = [path for path in files if is_blank(path) or not holds_a_triple(path)]
    if len(empty) == len(files):
        listed = ", ".join(str(path) for path in empty)
        them = "it" if len(empty) == 1 else "them"
        raise RdfInputError(Path(listed), None, None, f"no triples in {them} (nothing validated)")
    for path in empty:
        typer.echo(
            f"warning: {path} holds no triples; `krb load` refuses it, as the graph it "
            "would go into would hold nothing (load it with other files into one graph "
            "with --graph, or leave it out)",
            err=True,
        )
    files = [path for path in files if path not in empty]
    # Two files for one graph: the graphs are named as `krb load` would name them, by
    # the base a shell sets for every command (only the message shows it). An empty
    # report.json the shell made beside report.ttl is no second file for its graph.
    base = os.environ.get("KRB_BASE_IRI", "").strip() or DEFAULT_BASE_IRI
    plan_load(files, base_iri=base)
    return files


def _workbooks_in(paths: list[Path]) -> list[Path]:
    """The Excel workbooks in the folders named (not Excel's own ``~$`` lock files)."""
    return [
        file
        for path in paths
        if path.is_dir()
        for file in files_in(path, lambda f: f.suffix.lower() in (".xlsx", ".xlsm"))
        if not file.name.startswith("~$")
    ]


_REPORT_FILE = "the file --output writes the report to, not data: it is not read"


def _refuse_to_overwrite_data(output: Path) -> None:
    """Refuses (exit 2), before anything is read, an ``output`` that holds something
    other than a report of krb validate: `krb validate data/ -o data/geluid.ttl` left the
    policy file out of the validation and then replaced it by the report, and the data
    was gone. A report of an earlier run (a CI job run again) is replaced, as is an
    empty file; a path where no file is yet is written."""
    if output.is_dir():
        raise _usage(f"{output} is a folder; --output names the file to write the report to")
    if output.is_file() and not is_blank(output) and not is_krb_report(output):
        raise _usage(
            f"{output} bevat gegevens, geen rapport van krb validate / holds data, not a "
            "report of krb validate: --output would overwrite it with the report; give "
            "--output a new file or an earlier report (nothing was read or written)"
        )


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
    from ..source_lines import located_by_graphs
    from ..validation import checked_objects, validate_graph

    if engine is Engine.sparql:
        return validated_files(files, with_objects=with_objects)
    replica, graphs = model_copy_with(files)  # first: it refuses what `krb load` refuses
    data = read_rdf_paths(files, exact=True)  # " 9"^^xsd:decimal as written, not as "9"
    result = _with_nesting(validate_graph(data, engine=engine.value), replica)
    result = with_restated_findings(result, replica)  # a fact in two files, as by default
    objects = checked_objects(data) if with_objects else ()
    focuses = [*(f.focus for f in result.findings), *(o.iri for o in objects)]
    if focuses:  # where the objects are written, as the default engine finds it
        places = located_by_graphs(focuses, graphs, lambda s: replica.quads_matching(s, None, None))
        result = dataclasses.replace(result, places=places)
    return result, objects


@collector_paused()
def _validated_store(
    settings: Settings, *, with_objects: bool
) -> tuple[ValidationResult, tuple[CheckedObject, ...]]:
    """The registry in the store validated whole, as a write from the command line
    validates it (krbgraph.registry.checked_whole on an in-memory copy of the store, by
    the compiled shapes: never an rdflib copy of a registry of millions of triples),
    with the graphs that hold each object with findings, and with ``with_objects`` every
    object of the registry's own graphs that the shapes target. The store is opened as
    every command opens it, so its model is this release's (what the shapes read
    beside the data); it is closed again before validating, which reads the copy only.
    Raises StoreError."""
    from ..derived import area_triples
    from ..loading import described
    from ..registry import checked_whole
    from ..replica import ValidationReplica
    from ..validation import checked_objects

    with opened_store(settings, reading=True) as opened:
        replica = ValidationReplica.of(opened)
    result, _ = checked_whole(replica, area_triples)
    # The registry's own graphs: the model's concepts and classes are no objects to list.
    objects = checked_objects(described(replica, replica.data_graphs())) if with_objects else ()
    return (result.with_graphs(replica) if result.findings else result), objects


def _given_on_command_line(ctx: typer.Context, name: str) -> bool:
    """Whether option ``name`` was typed, not taken from the environment (KRB_STORE)."""
    source = ctx.get_parameter_source(name)
    return getattr(source, "name", None) == "COMMANDLINE"  # typer's own click's enum


def _usage(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _store_hint(paths: list[Path]) -> str:
    """A hint when a folder named is a store, not registry files: validating a store
    folder as files found nothing, and said only that."""
    stores = [
        path for path in paths if (path / "CURRENT").is_file() and (path / "IDENTITY").exists()
    ]
    if not stores:
        return ""
    return (
        f"; {stores[0]} is a store: validate its registry with `krb validate --store {stores[0]}`"
    )


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
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Registry data to reason over; none: the store (--store), else the demo registry.",
            show_default=False,
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            envvar="KRB_STORE",
            help="Reason over the registry in this store (folder or SPARQL server URL) "
            "instead of files.",
            show_default=False,
        ),
    ] = None,
    timeout: TimeoutOption = None,
) -> None:
    """Check with the HermiT reasoner that ontology, value lists, IMBOR extract and
    data are logically consistent (OWL 2 DL): files, the registry in a store (--store),
    or the demo registry. The verdict names the data it is about."""
    from ..reasoning import ReasoningError, check_consistency, default_data_paths

    if paths and _given_on_command_line(ctx, "store"):
        raise _usage("geef bestanden of --store, niet allebei / give files or --store, not both")
    try:
        if paths:
            what = f"{len(paths)} given path(s)"
            result = check_consistency(paths)
        elif store is not None:
            from ..registry import registry_with

            settings = settings_from_cli(store, None, timeout)
            with opened_store(settings, model=False, existing=True) as opened:
                data = registry_with(opened, {})
            what = f"the registry in {settings.store} ({len(data)} triples)"
            result = check_consistency(data=data)
        else:
            what = f"the demo registry ({default_data_paths()[0]})"
            result = check_consistency()
    except (RdfInputError, StoreError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except ReasoningError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    for note in result.adjustments:
        typer.echo(f"note: {note}")
    if result.consistent:
        typer.echo(
            f"consistent: the ontology and the data of {what} have no logical "
            "contradiction (HermiT)"
        )
        raise typer.Exit(0)
    typer.echo(f"inconsistent: the ontology and the data of {what} contradict each other (HermiT)")
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
