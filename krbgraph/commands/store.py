"""`krb load`, `drop`, `graphs`, `dump` and `restore`: the store from the command line.

Thin by design: each command turns options into Settings, opens the store,
calls one library function and turns its exceptions into the exit codes of
the CLI contract (0 ok, 1 the data did not pass, 2 unreadable input or wrong
use). The option types and ``settings_from_cli`` are shared with the other
command modules so every command spells --store/--base-iri/--timeout alike.
The validation report (and with it pySHACL) is imported only when there is
a report to print, so `krb load --no-validate` starts quickly.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn
from rich.table import Table
from rich.text import Text

from ..base_check import implicit_base_problem
from ..derived import DERIVED_GRAPH, Rederivation
from ..derived import ensure_current as ensure_derived
from ..derived import refresh as refresh_derived
from ..dropping import drop_data_graph
from ..loading import (
    GraphRefused,
    LoadError,
    LoadReport,
    load_paths,
    plan_load,
)
from ..rdfio import RdfInputError, rdf_inputs
from ..settings import Settings
from ..store import Store, StoreError, ensure_model, graph_kind, open_store
from ..store.modelgraphs import ModelUpdate
from ..store.remote_setup import ServerSetupError
from ..store.store_folder import no_store_at
from ..validation import ValidationFailed
from .interrupted import interrupt_said

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="KRB_STORE",
        help="Store folder (embedded Oxigraph) or SPARQL server URL.",
        show_default=False,
    ),
]
BaseIriOption = Annotated[
    str | None,
    typer.Option(
        "--base-iri", envvar="KRB_BASE_IRI", help="Base IRI of the registry.", show_default=False
    ),
]
# KRB_QUERY_TIMEOUT_S is read by Settings, not by typer: a malformed value got typer's
# boxed message (unlike every other KRB_ variable's) and stopped a command given --timeout.
TimeoutOption = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        help="Query timeout in seconds [default: KRB_QUERY_TIMEOUT_S, else 30].",
        show_default=False,
    ),
]

EXIT_INVALID = 1
EXIT_USAGE = 2


def settings_from_cli(
    store: str | None = None,
    base_iri: str | None = None,
    timeout: float | None = None,
    port: int | None = None,
    engine: str | None = None,
) -> Settings:
    """Settings from the environment with the command-line options on top.

    Exits with code 2 and a message when an environment value is malformed.
    """
    try:
        return Settings.from_env(
            store=store, base_iri=base_iri, query_timeout_s=timeout, port=port, engine=engine
        )
    except ValueError as exc:
        _fail(str(exc))


@contextmanager
def opened_store(
    settings: Settings,
    *,
    model: bool = True,
    reading: bool = False,
    existing: bool = False,
    names: bool = False,
) -> Iterator[Store]:
    """The configured store, with the model graphs and the derived graph made current
    unless ``model`` is False. ``reading``: for a command that only reads, on a store
    that may refuse writes (a read-only SPARQL server): a model that cannot be made
    current is a warning, and the answers are those of the store as it is.
    ``existing`` (implied by ``reading``): the command works on what the store holds, so
    a store folder that does not exist is a mistyped --store (StoreError), not a new
    registry to create: an export of it was empty and said nothing. ``names``: the command
    names graphs or things under the base IRI, refused (exit 2) when nobody gave one and
    the store's registry is under another (krbgraph.base_check)."""
    # An empty folder (or one with only lost+found, .gitkeep) holds no store either:
    # opened, it became one, and a validation or a consistency check of nothing passed
    # (a mistyped --store in a CI job, a fresh volume mounted as KRB_STORE).
    missing = None if settings.is_remote else no_store_at(Path(settings.store))
    if (reading or existing) and missing is not None:
        raise StoreError(
            f"there is no store at {settings.store}{missing} (check --store or KRB_STORE; "
            "`krb load` creates one)"
        )
    store = open_store(settings)
    try:
        if model:
            try:
                _say_model_overlap(store, ensure_model(store, announce=_say_model_update))
            except StoreError as exc:
                # A server set up wrongly answers wrongly, not stale: never only a warning.
                if not reading or isinstance(exc, ServerSetupError):
                    raise
                typer.echo(
                    "waarschuwing: het model in de store kon niet worden bijgewerkt; de "
                    f"antwoorden zijn die van het model dat erin staat ({exc})\n  en: the "
                    "model in the store could not be brought up to date; answers are those of "
                    "the model it holds",
                    err=True,
                )
            ensure_derived(store, _say_rederiving)
        if names and (problem := implicit_base_problem(settings, store)) is not None:
            _fail(problem)
        yield store
    finally:
        store.close()


def _say_model_overlap(store: Store, reloaded: list[str]) -> None:
    """Warn about registry facts a model graph that was just loaded states too."""
    from ..restated_check import after_model_update

    for finding in after_model_update(store, reloaded):
        typer.echo(f"waarschuwing: {finding.message_nl}\n  en: {finding.message_en}", err=True)


ANNOUNCE_REMOVAL_FROM = 100_000
"""Triples a dropped graph holds from which `krb drop` says first how many (Oxigraph
removes a million in about 80 s)."""


def _say_removing(size: int) -> None:
    if size >= ANNOUNCE_REMOVAL_FROM:
        typer.echo(f"removing {size} triples; about a minute and a half per million", err=True)


def _say_model_update(update: ModelUpdate) -> None:
    typer.echo(f"let op: {update.message_nl}\n  en: {update.message_en}", err=True)


def _say_rederiving(why: Rederivation) -> None:
    typer.echo(f"let op: {why.message_nl}\n  en: {why.message_en}", err=True)


SHOWN_FINDINGS = 1000
"""Most findings `krb load` and the other writing commands print; the rest are counted."""


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn library exceptions into a message on stderr and the contract's exit code.

    The exit happens after the except block, so the caught exception and its
    traceback (which may reference an open store) are released first.
    """
    message: str | None = None
    try:
        yield
    except ValidationFailed as exc:
        from ..reports import text_report

        err = _stderr()
        err.print(text_report(exc.result, SHOWN_FINDINGS), end="")
        err.print(f"error: {exc}", style="bold red", markup=False, highlight=False)
        failed = True
    except (RdfInputError, LoadError, GraphRefused, StoreError) as exc:
        message = str(exc)
    except KeyError as exc:  # drop of an unknown graph
        message = str(exc.args[0]) if exc.args else "not found"
    else:
        failed = False
    if message is not None:
        _fail(message)
    if failed:
        raise typer.Exit(EXIT_INVALID)


def _stderr() -> Console:
    """Messages are not wrapped, so paths and IRIs stay whole and greppable."""
    return Console(emoji=False, stderr=True, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    _stderr().print(f"error: {message}", style="red", markup=False, highlight=False)
    raise typer.Exit(EXIT_USAGE)


class _TripleRate(ProgressColumn):
    """Triples read so far and the rate, which is what tells a user a big load is moving."""

    def render(self, task: Task) -> Text:
        triples = int(task.fields.get("triples", 0))
        elapsed = task.elapsed or 0.0
        rate = f"{triples / elapsed:,.0f} triples/s" if elapsed > 0 else ""
        return Text(f"{triples:,} triples {rate}", style="cyan")


class RichLoadProgress:
    """A LoadProgress shown as a rich progress bar on stderr."""

    def __init__(self) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} files"),
            _TripleRate(),
            console=Console(emoji=False, stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("reading", total=None, triples=0)

    def __enter__(self) -> RichLoadProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def start(self, files: int) -> None:
        self._progress.update(self._task, total=files)

    def parsed(self, path: Path, triples: int) -> None:
        task = self._progress.tasks[0]
        self._progress.update(
            self._task,
            advance=1,
            description=f"reading {path.name}",
            triples=int(task.fields.get("triples", 0)) + triples,
        )

    def stage(self, description: str) -> None:
        self._progress.update(self._task, description=description)


def _print_report(report: LoadReport) -> None:
    out = Console(emoji=False)
    for load in report.graphs:
        verb = "replaced" if load.replaced else "loaded"
        out.print(f"{verb} <{load.graph}>: {load.triples} triples", markup=False, highlight=False)
    if report.validation is not None and report.validation.findings:
        from ..reports import text_report

        _stderr().print(text_report(report.validation, SHOWN_FINDINGS), end="")
    out.print(f"{report.triples} triples in {len(report.graphs)} graph(s)", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def load(
        paths: Annotated[
            list[Path], typer.Argument(help="RDF files or folders (searched recursively).")
        ],
        graph: Annotated[
            str | None,
            typer.Option(
                "--graph", help="Put all files into this one graph instead of one graph each."
            ),
        ] = None,
        replace: Annotated[
            bool, typer.Option("--replace", help="Replace graphs that already hold data.")
        ] = False,
        validate: Annotated[
            bool,
            typer.Option("--validate/--no-validate", help="Check the data against the shapes."),
        ] = True,
        progress: Annotated[
            bool | None,
            typer.Option(
                "--progress/--no-progress",
                help="Show a progress bar (default: when stderr is a terminal).",
                show_default=False,
            ),
        ] = None,
        store: StoreOption = None,
        base_iri: BaseIriOption = None,
        timeout: TimeoutOption = None,
    ) -> None:
        """Load registry files, each into its own graph {base}/graph/{file name}.

        The data is validated with the registry already in the store before
        anything is written; any error leaves the store unchanged.
        """
        settings = settings_from_cli(store, base_iri, timeout)
        show = sys.stderr.isatty() if progress is None else progress
        planned = partial(_planned, paths, graph, settings)
        with (
            interrupt_said(settings, "the load", planned),
            cli_errors(),
            opened_store(settings, names=graph is None) as opened,
        ):
            for left in rdf_inputs(paths).reports:  # never data, and never silently
                typer.echo(
                    f"note: {left} is a report of krb validate, not data: not loaded", err=True
                )
            if show:
                with RichLoadProgress() as bar:
                    report = _load(opened, paths, graph, replace, validate, settings, bar)
            else:
                report = _load(opened, paths, graph, replace, validate, settings, None)
        _print_report(report)

    @app.command()
    def drop(
        graph: Annotated[str, typer.Argument(help="IRI of the graph to remove.")],
        store: StoreOption = None,
        timeout: TimeoutOption = None,
    ) -> None:
        """Remove one registry graph (see `krb graphs`)."""
        settings = settings_from_cli(store, None, timeout)
        with (
            interrupt_said(settings, "the drop", [graph]),
            cli_errors(),
            opened_store(settings, existing=True) as opened,
        ):
            size = drop_data_graph(opened, graph, _say_removing)
        typer.echo(f"dropped <{graph}>: {size} triples")

    @app.command()
    def derive(store: StoreOption = None, timeout: TimeoutOption = None) -> None:
        """Derive the dates in force and the areas' spatial relations again, for the whole
        store (after data was written around krb, or when a write was cut off)."""
        settings = settings_from_cli(store, None, timeout)
        with cli_errors(), opened_store(settings, existing=True) as opened:
            size = refresh_derived(opened)
        typer.echo(f"derived graph <{DERIVED_GRAPH}>: {size} triples")

    @app.command()
    def graphs(store: StoreOption = None, timeout: TimeoutOption = None) -> None:
        """List the graphs in the store with their size and kind (model or data)."""
        settings = settings_from_cli(store, None, timeout)
        with cli_errors(), opened_store(settings, existing=True) as opened:
            infos = opened.graphs()
        table = Table("graph", "triples", "kind")
        for info in infos:
            table.add_row(info.iri, str(info.triples), graph_kind(info.iri))
        Console(emoji=False).print(table)

    @app.command()
    def dump(
        file: Annotated[Path, typer.Argument(help="Target file, .nq (N-Quads) or .trig.")],
        store: StoreOption = None,
        timeout: TimeoutOption = None,
    ) -> None:
        """Write the whole store (model and data graphs) to one file."""
        settings = settings_from_cli(store, None, timeout)
        with cli_errors(), opened_store(settings, existing=True) as opened:
            quads = opened.dump(file)
        typer.echo(f"wrote {quads} quads to {file}")

    @app.command()
    def restore(
        file: Annotated[Path, typer.Argument(help="A dump made by `krb dump` (.nq or .trig).")],
        store: StoreOption = None,
        timeout: TimeoutOption = None,
        unchecked: Annotated[
            bool,
            typer.Option(
                "--unchecked",
                help="Restore a dump without the count krb dump writes last (written by an "
                "earlier release or another tool): a dump cut off then goes unnoticed.",
            ),
        ] = False,
    ) -> None:
        """Load a dump into an empty store, then load the model graphs from the product's
        files (never the dump's copies) and derive the derived graph."""
        settings = settings_from_cli(store, None, timeout)
        with (
            interrupt_said(settings, "the restore", None),
            cli_errors(),
            opened_store(settings, model=False) as opened,
        ):
            quads = opened.restore(file, unchecked=unchecked)  # never the dump's bookkeeping
            ensure_model(opened, reload=True)
            # Always: a dump's derived graph may be of other data than its own (taken
            # from a server another tool wrote meanwhile) while naming these rules.
            refresh_derived(opened)
        typer.echo(
            f"restored {quads} quads from {file}; the model graphs from this release's files"
        )


def _planned(paths: list[Path], graph: str | None, settings: Settings) -> list[str]:
    try:
        return list(plan_load(paths, graph=graph, base_iri=settings.base_iri))
    except (LoadError, RdfInputError, OSError):
        return []


def _load(
    store: Store,
    paths: list[Path],
    graph: str | None,
    replace: bool,
    validate: bool,
    settings: Settings,
    progress: RichLoadProgress | None,
) -> LoadReport:
    return load_paths(
        store,
        paths,
        graph=graph,
        replace=replace,
        base_iri=settings.base_iri,
        validate=validate,
        progress=progress,
    )
