"""`krb queries` and `krb query`: list and run the named queries of sparql/.

A thin layer: the catalogue and binding live in krbgraph.queries, the result
formats in krbgraph.sparql_results and krbgraph.tables. Using a query wrongly
(unknown name or parameter, a value of the wrong type, a code that matches
nothing) exits with 2 and says what exists.
"""

from __future__ import annotations

import io
import sys
from datetime import date
from enum import StrEnum
from typing import IO, Annotated, Any, cast

import typer
from rich.console import Console
from rich.table import Table

from ..labels import languages_from
from ..named_csv import write_named_csv
from ..namespaces import PREFIXES
from ..queries import (
    REGISTRY_BASE,
    Catalogue,
    ParameterError,
    QueryDefinitionError,
    UnknownQueryError,
    catalogue_markdown,
    load_catalogue,
    run_named_query,
    stream_named_query,
    write_without_names,
)
from ..settings import Settings
from ..sparql_results import (
    boolean_json,
    csv_chunks,
    csv_text,
    json_chunks,
    json_text,
    tsv_chunks,
    tsv_text,
)
from ..store import StoreError
from ..tables import rich_table
from .store import BaseIriOption, StoreOption, TimeoutOption, opened_store, settings_from_cli


class ListFormat(StrEnum):
    table = "table"
    markdown = "markdown"


class ResultFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"


def _fail(message: str, code: int = 2) -> typer.Exit:
    Console(emoji=False, stderr=True, highlight=False).print(
        f"[red]error:[/red] {message}", markup=True
    )
    return typer.Exit(code)


def _catalogue() -> Catalogue:
    try:
        return load_catalogue()
    except QueryDefinitionError as exc:
        raise _fail(str(exc)) from None


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``name=value`` options as a dict; raises ParameterError for a malformed one."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"--param {pair!r}: expected name=value")
        if name in values:
            raise ParameterError(f"--param {name!r} is given twice")
        values[name] = value
    return values


def register(app: typer.Typer) -> None:
    @app.command("queries")
    def list_queries(
        output_format: Annotated[
            ListFormat,
            typer.Option("--format", "-f", help="table, or markdown (the docs/queries.md page)."),
        ] = ListFormat.table,
    ) -> None:
        """List the named queries with their parameters."""
        catalogue = _catalogue()
        if output_format is ListFormat.markdown:
            typer.echo(catalogue_markdown(catalogue), nl=False)
            return
        table = Table(header_style="bold")
        table.add_column("name", no_wrap=True)
        table.add_column("title")
        table.add_column("parameters")
        for query in catalogue.public():
            params = "\n".join(p.signature for p in query.parameters) or "-"
            table.add_row(query.name, query.title, params)
        Console(emoji=False).print(table)

    @app.command("query")
    def run_query(
        name: Annotated[str, typer.Argument(help="Name of the query (see `krb queries`).")],
        param: Annotated[
            list[str] | None,
            typer.Option("--param", "-p", help="A parameter as name=value; repeatable."),
        ] = None,
        output_format: Annotated[
            ResultFormat,
            typer.Option("--format", "-f", help="table (readable), csv, tsv or json (W3C)."),
        ] = ResultFormat.table,
        store: StoreOption = None,
        base_iri: BaseIriOption = None,
        timeout: TimeoutOption = None,
        today: Annotated[
            str | None,
            typer.Option(help="Date that stands for 'today' in defaults (YYYY-MM-DD)."),
        ] = None,
        lang: Annotated[
            str | None,
            typer.Option(
                "--lang",
                help="Language(s) for names, most wanted first (en, or en,de); "
                "then Dutch, then any name, then the code.",
            ),
        ] = None,
        no_names: Annotated[
            bool,
            typer.Option(
                "--no-names",
                help="Leave out the name columns (csv, tsv, json): the engine writes the "
                "answer itself, the fastest export, for joining on IRIs and codes.",
            ),
        ] = False,
    ) -> None:
        """Run a named query with typed parameters and print the result."""
        catalogue = _catalogue()
        try:
            query = catalogue[name]
            values = parse_params(param or [])
            run_day = date.fromisoformat(today) if today else None
        except (UnknownQueryError, ParameterError) as exc:
            raise _fail(str(exc.args[0])) from None
        except ValueError:
            raise _fail(f"--today {today!r} is not a date; expected YYYY-MM-DD") from None
        settings = settings_from_cli(store, base_iri, timeout)
        if settings.base_iri_given:  # whose things ``id:`` values name, when chosen
            REGISTRY_BASE.set(settings.base_iri)
        if not query.gives_rows and output_format is not ResultFormat.table:
            raise _fail(
                f"query {name!r} answers with RDF triples, not rows: leave out --format for Turtle"
            )
        if no_names and (output_format is ResultFormat.table or not query.columns):
            raise _fail("--no-names is for a query's rows as csv, tsv or json")
        if output_format is not ResultFormat.table and query.columns:
            _export(
                settings, catalogue, name, values, run_day, lang, output_format, names=not no_names
            )
            return
        try:
            with opened_store(settings, reading=True) as handle:
                result = run_named_query(
                    handle,
                    catalogue,
                    name,
                    values,
                    today=run_day,
                    timeout_s=settings.query_timeout_s,
                    languages=languages_from(lang),
                )
        except ParameterError as exc:
            signatures = ", ".join(p.signature for p in query.parameters)
            raise _fail(f"{exc}\nparameters of {name}: {signatures}") from None
        except StoreError as exc:
            raise _fail(f"query {name!r} failed: {exc}") from None
        if result.kind == "ask":
            answer = bool(result.boolean)
            if output_format is ResultFormat.json:
                typer.echo(boolean_json(answer))
            else:
                typer.echo("true" if answer else "false")
            return
        if result.kind == "graph" and result.graph is not None:
            typer.echo(result.graph.serialize(format="turtle"), nl=False)
            return
        variables, rows = result.variables, result.rows
        if output_format is ResultFormat.csv:
            typer.echo(csv_text(variables, rows), nl=False)
        elif output_format is ResultFormat.tsv:
            typer.echo(tsv_text(variables, rows), nl=False)
        elif output_format is ResultFormat.json:
            typer.echo(json_text(variables, rows, pretty=True), nl=False)
        else:
            prefixes = {"id": settings.base_iri.rstrip("/") + "/id/", **PREFIXES}
            console = Console(emoji=False, width=max(Console(emoji=False).width, 160))
            console.print(rich_table(variables, rows, prefixes, title=query.title))
            console.print(f"{len(rows)} rows")


_WRITERS = {
    ResultFormat.csv: csv_chunks,
    ResultFormat.tsv: tsv_chunks,
    ResultFormat.json: lambda variables, rows: json_chunks(variables, rows, pretty=True),
}


class _Counted(io.RawIOBase):
    """A binary output that knows whether anything was written to it."""

    def __init__(self, output: IO[bytes]) -> None:
        self._output = output
        self.written = False

    def writable(self) -> bool:
        return True

    def write(self, piece: bytes) -> int:  # type: ignore[override]
        self._output.write(piece)
        self.written = self.written or bool(piece)
        return len(piece)

    def flush(self) -> None:
        self._output.flush()


def _export(
    settings: Settings,
    catalogue: Catalogue,
    name: str,
    values: dict[str, str],
    run_day: date | None,
    lang: str | None,
    output_format: ResultFormat,
    *,
    names: bool = True,
) -> None:
    """Write a SELECT answer in a tool format as the engine produces it (constant memory):
    with its names filled in row by row, or without them by the engine's own serialiser.

    An error while rows are being written (a time-out) ends the output where it
    is and exits with 1 after saying so on stderr: the output is then incomplete.
    """
    query = catalogue[name]
    out = _Counted(sys.stdout.buffer)
    when: dict[str, Any] = {"today": run_day, "timeout_s": settings.query_timeout_s}
    try:
        with opened_store(settings, reading=True) as handle:
            if not names:
                fmt = output_format.value
                write_without_names(
                    handle,
                    catalogue,
                    name,
                    values,
                    cast(IO[bytes], out),
                    fmt,
                    languages=languages_from(lang),
                    **when,
                )
            elif output_format is ResultFormat.csv:
                write_named_csv(
                    handle,
                    catalogue,
                    name,
                    values,
                    cast(IO[bytes], out),
                    languages=languages_from(lang),
                    **when,
                )
            else:
                languages = languages_from(lang)
                with stream_named_query(
                    handle, catalogue, name, values, languages=languages, **when
                ) as (variables, rows):
                    for piece in _WRITERS[output_format](variables, rows):
                        out.write(piece.encode("utf-8"))
        out.flush()
    except ParameterError as exc:
        signatures = ", ".join(p.signature for p in query.parameters)
        raise _fail(f"{exc}\nparameters of {name}: {signatures}") from None
    except StoreError as exc:
        out.flush()
        if out.written:
            raise _fail(
                f"query {name!r} failed while its answer was written; the output above "
                f"is incomplete: {exc}",
                1,
            ) from None
        raise _fail(f"query {name!r} failed: {exc}") from None
