"""`krb import-metingen`: measurements from a CSV into a graph of their own.

Thin by design: krbgraph.measurements.importing does the work; here its
exceptions become the CLI's exit codes (0 loaded, 1 problems in the file and
nothing loaded, 2 unreadable file or wrong use). Every problem is printed with
its file, line and column, in Dutch with the English below.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

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


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    Console(emoji=False, stderr=True).print(
        f"error: {message}", style="red", markup=False, highlight=False
    )
    return typer.Exit(code)


def register(app: typer.Typer) -> None:
    @app.command("import-metingen")
    def import_metingen(
        file: Annotated[
            Path,
            typer.Argument(
                help="CSV with columns indicator, gebied, jaar (or periode_van and "
                "periode_tot), waarde, eenheid, bron; optional rekenmethode, sector, materiaal.",
                dir_okay=False,
            ),
        ],
        graph: Annotated[
            str | None,
            typer.Option(
                "--graph",
                help="Named graph IRI (default {base}/graph/metingen/{file}).",
                show_default=False,
            ),
        ] = None,
        store: StoreOption = None,
        base_iri: BaseIriOption = None,
        timeout: TimeoutOption = None,
    ) -> None:
        """Import measurements as one named graph, replacing its earlier import."""
        from ..loading import GraphRefused, LoadError
        from ..measurements.importing import ImportFailed, Unreadable, import_measurements

        settings = settings_from_cli(store, base_iri, timeout)
        err = Console(emoji=False, stderr=True)
        target = partial(_target, file, graph, settings.base_iri)
        try:
            with (
                interrupt_said(settings, "the import", target),
                opened_store(settings, names=True) as opened,
            ):
                report = import_measurements(opened, file, base_iri=settings.base_iri, graph=graph)
        except Unreadable as exc:
            raise _fail(str(exc)) from None
        except ImportFailed as exc:
            for problem in exc.problems:
                err.print(Text(f"fout {problem.text_nl}", style="red"))
                err.print(Text(f"    en: {problem.text_en}", style="dim"))
            inside = sum(1 for problem in exc.problems if problem.file == file.name)
            elsewhere = len(exc.problems) - inside
            raise _fail(
                f"{inside} fout(en) / error(s) in {file}"
                + (
                    f", {elsewhere} al in het register / already in the registry"
                    if elsewhere
                    else ""
                )
                + "; niets geladen / nothing loaded",
                EXIT_INVALID,
            ) from None
        except (LoadError, GraphRefused, StoreError) as exc:
            raise _fail(str(exc)) from None
        verb = "replaced" if report.replaced else "loaded"
        converted = f", {report.converted} converted to their indicator's unit"
        typer.echo(
            f"{verb} <{report.graph}>: {report.measurements} measurements, "
            f"{report.triples} triples{converted if report.converted else ''}"
        )


def _target(file: Path, graph: str | None, base_iri: str) -> list[str]:
    """The graph import-metingen writes (for the word said when it is interrupted)."""
    from ..loading import LoadError
    from ..measurements.identity import metingen_graph_iri

    try:
        return [graph or metingen_graph_iri(base_iri, file)]
    except LoadError:  # no graph name in the file name: refused before any write
        return []
