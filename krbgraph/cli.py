"""The `krb` command: a thin layer over the package's functions.

Each family of commands lives in its own module under krbgraph.commands and
registers itself on the shared Typer app, so this file only assembles.
Exit codes are part of the contract: 0 success, 1 the data did not pass,
2 the input could not be read or the command was used wrongly.
"""

from __future__ import annotations

import signal

import typer

from .commands import datalake as datalake_commands
from .commands import excel as excel_commands
from .commands import history as history_commands
from .commands import metingen as metingen_commands
from .commands import queries as queries_commands
from .commands import serve as serve_commands
from .commands import store as store_commands
from .commands import tokens as token_commands
from .commands import validate as validate_commands

app = typer.Typer(
    name="krb",
    help="Kernregistratie Beleid: register, validate and query policy as linked data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _every_command(ctx: typer.Context) -> None:
    # SIGTERM (kill, timeout, a systemd or cron stop) ends a command as Ctrl-C does:
    # unhandled, it ended the process on the spot, which left the temporary copies of a
    # store and an import in the temporary folder, nothing ever removed them. As an
    # interrupt every command unwinds as it does on Ctrl-C: temporary files removed,
    # a write either whole or not made. `krb serve` handles its own signals (uvicorn).
    # The handler before is put back when the command ends (the app run in-process: tests).
    if ctx.invoked_subcommand != "serve":
        before = signal.signal(signal.SIGTERM, _interrupt)
        ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, before))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


for module in (
    validate_commands,
    store_commands,
    queries_commands,
    excel_commands,
    metingen_commands,
    datalake_commands,
    history_commands,
    token_commands,
    serve_commands,
):
    module.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
