"""`krb history`: who changed what, newest first, from the audit trail.

A thin layer over krbgraph.audit.history. The store is opened without
bringing the model up to date: listing the history never writes. A store
folder that a running service holds cannot be opened; read through the
service instead: ``KRB_UPDATE_URL=<service>/update krb history --store
<service>/sparql`` (with KRB_UPDATE_URL set, --store is the query endpoint).
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..audit import MAX_HISTORY, HistoryEntry, history
from .store import (
    EXIT_USAGE,
    StoreOption,
    TimeoutOption,
    cli_errors,
    opened_store,
    settings_from_cli,
)


class HistoryFormat(StrEnum):
    table = "table"
    json = "json"


SOURCE_SHOWN = 80
"""Characters of the source a table row shows; --format json gives all of it."""


def register(app: typer.Typer) -> None:
    @app.command("history")
    def history_command(
        graph: Annotated[
            str | None, typer.Option("--graph", help="Only changes that touched this graph (IRI).")
        ] = None,
        limit: Annotated[
            int,
            typer.Option("--limit", "-n", help=f"How many changes, 1 to {MAX_HISTORY}."),
        ] = 50,
        before: Annotated[
            str | None,
            typer.Option(
                "--before",
                help="Only changes before this moment (ISO 8601 with a time zone), to page back.",
            ),
        ] = None,
        before_change: Annotated[
            str | None,
            typer.Option(
                "--before-change",
                help="Only changes older than this one (the IRI of the last change shown, "
                "in --format json): pages back without skipping changes of the same time.",
            ),
        ] = None,
        output_format: Annotated[
            HistoryFormat, typer.Option("--format", "-f", help="table, or json.")
        ] = HistoryFormat.table,
        store: StoreOption = None,
        timeout: TimeoutOption = None,
    ) -> None:
        """Show the recorded writes: when, which token (by name), which graphs, how much."""
        moment = _moment(before) if before is not None else None
        settings = settings_from_cli(store, None, timeout)
        with cli_errors(), opened_store(settings, model=False, existing=True) as opened:
            try:
                entries = history(
                    opened,
                    limit=limit,
                    graph=graph,
                    before=moment,
                    before_change=before_change,
                )
            except ValueError as exc:
                _fail(str(exc))
        if output_format is HistoryFormat.json:
            typer.echo(json.dumps([e.as_json() for e in entries], ensure_ascii=False, indent=2))
            return
        if not entries:
            # Said, not shown as an empty table; on stderr, so a file of the history
            # stays empty when there is none.
            typer.echo("no recorded changes" + (" of that graph" if graph else ""), err=True)
            return
        console = Console(emoji=False, soft_wrap=True)
        if console.is_terminal:
            console.print(_table(entries, graph_separator="\n"))
        else:
            # A file or a pipe (`krb history > woo.txt`, grep): each change on one line,
            # whatever width the environment says, so a time or graph IRI is one string
            # and a grep for a graph finds the line with the time and the writer.
            console = Console(emoji=False, soft_wrap=True, width=100_000)
            console.print(_table(entries, graph_separator=" "))


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        _fail(f"--before {text!r} is not an ISO 8601 time such as 2026-12-03T14:00:00+01:00")
    if moment.tzinfo is None:
        _fail(f"--before {text!r} needs a time zone, such as +01:00 or Z")
    return moment


def _table(entries: list[HistoryEntry], *, graph_separator: str) -> Table:
    # When and which graph are what an auditor reads: wrapped in full where the width
    # runs out (cut with an ellipsis at 80 columns, two graphs of one municipality read
    # alike), never shortened; the source may be folded too.
    table = Table(header_style="bold")
    table.add_column("at (UTC)", overflow="fold", min_width=20)
    table.add_column("writer", overflow="fold")
    table.add_column("graphs", overflow="fold", min_width=24)
    table.add_column("added", justify="right")
    table.add_column("removed", justify="right")
    table.add_column("source", overflow="fold")
    for entry in entries:
        source = " ".join(entry.source.split())
        if len(source) > SOURCE_SHOWN:
            source = source[: SOURCE_SHOWN - 3] + "..."
        graphs = graph_separator.join("(default graph)" if g is None else g for g in entry.graphs)
        cells = (entry.as_json()["at"], entry.writer, graphs, entry.added, entry.removed, source)
        table.add_row(*(Text(str(cell)) for cell in cells))  # never read as rich markup
    return table


def _fail(message: str) -> NoReturn:
    Console(emoji=False, stderr=True, soft_wrap=True).print(
        f"error: {message}", style="red", markup=False, highlight=False
    )
    raise typer.Exit(EXIT_USAGE)
