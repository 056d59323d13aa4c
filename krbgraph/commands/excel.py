"""`krb excel-template`, `import-excel` and `export-excel`: the registry as a workbook.

Thin by design: options become Settings, one library function of
krbgraph.excel does the work, and its exceptions become the CLI's exit codes
(0 ok, 1 problems in the workbook, 2 unreadable or oversized file or wrong use).
Like the HTTP answer, the output lists at most the first MAX_PROBLEMS_SHOWN
problems (errors first) and always the total.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

# The workbook modules (openpyxl, pySHACL through the import) are imported by
# the commands that use them, so other `krb` commands start quickly.
from ..partial_files import open_beside, remove_leftovers
from ..store import StoreError
from .interrupted import interrupt_said
from .store import (
    EXIT_INVALID,
    EXIT_USAGE,
    BaseIriOption,
    StoreOption,
    TimeoutOption,
    opened_store,
    settings_from_cli,
)

ImportGraphOption = Annotated[
    str | None,
    typer.Option(
        "--graph",
        help="Named graph IRI to import into (default {base}/graph/excel/{file}).",
        show_default=False,
    ),
]
ExportGraphOption = Annotated[
    str | None,
    typer.Option(
        "--graph",
        help="Export only this named graph (IRI), with its measurements graph "
        "{graph}/metingen if the store has it (default: all data graphs).",
        show_default=False,
    ),
]
FileArgument = Annotated[Path, typer.Argument(help="The .xlsx workbook.", dir_okay=False)]


if TYPE_CHECKING:
    from ..excel.importing import ImportFailed
    from ..excel.problems import Problem


def print_problems(console: Console, problems: list[Problem]) -> None:
    """Errors first, then warnings; each in Dutch with the English below; at most
    MAX_PROBLEMS_SHOWN of them, followed by how many were left out."""
    from ..excel.limits import shown_problems

    shown = shown_problems(problems)
    for problem in shown:
        style = "red" if problem.is_error else "yellow"
        line = Text(problem.severity, style=style)
        line.append(f" {problem.text_nl}")
        console.print(line)
        console.print(Text(f"    en: {problem.text_en}", style="dim"))
    if len(shown) < len(problems):
        left = len(problems) - len(shown)
        console.print(
            Text(
                f"... en nog {left} / and {left} more ({len(problems)} in totaal / in total)",
                style="bold",
            )
        )


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    Console(emoji=False, stderr=True).print(
        f"error: {message}", style="red", markup=False, highlight=False
    )
    return typer.Exit(code)


def _xlsx_target(file: Path) -> None:
    """Refuse to write a workbook under another format's name: Excel, LibreOffice
    and every reader of `beleid.csv` would be given a zip file they cannot open."""
    if file.suffix.lower() != ".xlsx":
        raise _fail(
            f"{file}: een werkboek wordt als .xlsx geschreven; geef een naam op .xlsx / "
            "a workbook is written as .xlsx; give a file name ending in .xlsx"
        )


def register(app: typer.Typer) -> None:
    @app.command("excel-template")
    def excel_template(
        file: FileArgument,
        with_imbor: Annotated[
            bool, typer.Option("--with-imbor", help="Pre-fill the IMBOR Leefomgeving list.")
        ] = False,
    ) -> None:
        """Write an empty KRB workbook with help, drop-downs and value lists."""
        _xlsx_target(file)
        try:
            from ..excel.template import write_template

            write_template(file, with_imbor=with_imbor)
        except OSError as exc:
            raise _fail(f"cannot write {file}: {exc.strerror or exc}") from None
        typer.echo(f"template written: {file}")

    @app.command("import-excel")
    def import_excel(
        file: FileArgument,
        graph: ImportGraphOption = None,
        store: StoreOption = None,
        base_iri: BaseIriOption = None,
        timeout: TimeoutOption = None,
    ) -> None:
        """Import a KRB workbook as one named graph, replacing its earlier import."""
        from ..excel.importing import ImportFailed, import_workbook
        from ..excel.limits import WorkbookLimits, WorkbookTooLarge
        from ..excel.problems import WorkbookUnreadable

        settings = settings_from_cli(store, base_iri, timeout)
        err = Console(emoji=False, stderr=True)
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err,
            transient=True,
        )
        task = bar.add_task("lezen / reading", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        def stage(name: str) -> None:
            labels = {
                "lezen": "lezen / reading",
                "valideren": "valideren / validating",
                "schrijven": "schrijven / writing",
            }
            bar.update(task, description=labels.get(name, name))

        try:
            with (
                interrupt_said(
                    settings,
                    "the import",
                    partial(_workbook_graph, file, graph, settings.base_iri),
                    if_held=partial(_measurements_graph, file, graph, settings.base_iri),
                ),
                opened_store(settings, names=True) as opened,
                bar,
            ):
                report = import_workbook(
                    opened,
                    file,
                    base_iri=settings.base_iri,
                    graph=graph,
                    progress=progress,
                    stage=stage,
                    limits=WorkbookLimits.from_settings(settings),
                )
        except WorkbookUnreadable as exc:
            raise _fail(str(exc)) from None
        except WorkbookTooLarge as exc:
            raise _fail(f"{file}: {exc}; niets geladen / nothing loaded") from None
        except ImportFailed as exc:
            print_problems(err, exc.problems)
            raise _fail(_refusal(exc, file), EXIT_INVALID) from None
        except (ValueError, StoreError) as exc:
            raise _fail(str(exc)) from None
        print_problems(err, report.warnings)
        verb = "replaced" if report.replaced else "loaded"
        typer.echo(f"{verb} <{report.graph}>: {report.triples} triples")
        if report.measurement_graph:
            typer.echo(f"loaded <{report.measurement_graph}>: {report.measurements} measurements")

    @app.command("export-excel")
    def export_excel(
        file: FileArgument,
        graph: ExportGraphOption = None,
        store: StoreOption = None,
        timeout: TimeoutOption = None,
    ) -> None:
        """Export the registry (or one graph) to a KRB workbook."""
        from ..excel.exporting import export_workbook

        _xlsx_target(file)
        settings = settings_from_cli(store, None, timeout)
        try:
            with opened_store(settings, existing=True) as opened, _written_whole(file) as part:
                warnings = export_workbook(opened, part, graph=graph)
        except KeyError:
            raise _fail(f"graph <{graph}> does not exist in the store") from None
        except OSError as exc:
            raise _fail(f"cannot write {file}: {exc.strerror or exc}") from None
        except StoreError as exc:
            raise _fail(str(exc)) from None
        print_problems(Console(emoji=False, stderr=True), warnings)
        typer.echo(f"workbook written: {file}")


def _refusal(refused: ImportFailed, file: Path) -> str:
    """The last line of a refused import: how many errors, and of those how many are on
    objects the registry held already, in which graphs: after an upgrade whose shapes
    are stricter, an unchanged workbook is refused for data it does not hold, and a line
    that counted them all as the file's sent its user looking in the workbook."""
    errors = sum(1 for p in refused.problems if p.is_error)
    there = refused.in_registry
    if not there:
        return f"{errors} fout(en) / error(s) in {file}; niets geladen / nothing loaded"
    graphs = ", ".join(f"<{graph}>" for graph in refused.graphs)
    return (
        f"{errors} fout(en) / error(s), waarvan {there} al in het register, niet in {file} "
        f"(graaf/graph {graphs}) / {there} of them already in the registry, not in {file}: "
        "`krb validate --store` toont ze / lists them; niets geladen / nothing loaded"
    )


def _workbook_graph(file: Path, graph: str | None, base_iri: str) -> list[str]:
    """The graph import-excel writes (for the word said when it is interrupted)."""
    from ..excel.importing import excel_graph_iri

    try:
        return [graph or excel_graph_iri(base_iri, file.name)]
    except ValueError:  # no graph name in the file name: refused before any write
        return []


def _measurements_graph(file: Path, graph: str | None, base_iri: str) -> list[str]:
    """The workbook's measurements graph, written with it when it has a sheet metingen."""
    from ..excel.metingen_sheet import measurement_graph_iri

    return [measurement_graph_iri(target) for target in _workbook_graph(file, graph, base_iri)]


@contextmanager
def _written_whole(file: Path) -> Iterator[Path]:
    """A file beside ``file`` to write the workbook into, put in its place only once it is
    whole: an export that fails half-way (a value no cell takes, a full disk, Ctrl-C) left
    a broken workbook where the previous export was, which it had overwritten."""
    remove_leftovers(file, ".part")  # of exports killed outright (krbgraph.partial_files)
    fd, part = open_beside(file, ".part")  # the previous export's mode, locked meanwhile
    try:
        yield part
        os.replace(part, file)
    finally:
        os.close(fd)
        part.unlink(missing_ok=True)
