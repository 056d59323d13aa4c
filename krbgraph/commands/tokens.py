"""`krb token new`: make a token for one person or system.

Prints the token once (nothing keeps it: the tokens file holds its hash
only) and the lines to add to the tokens file (KRB_TOKENS_FILE). See
krbgraph.tokens for the scopes and why a fast hash is right.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ..tokens import new_token, toml_entry
from .store import EXIT_USAGE


class Scope(StrEnum):
    read = "read"
    write = "write"
    admin = "admin"


def register(app: typer.Typer) -> None:
    token_app = typer.Typer(
        help="Named tokens for writing over HTTP (KRB_TOKENS_FILE).", no_args_is_help=True
    )

    @token_app.command("new")
    def new(
        name: Annotated[
            str, typer.Argument(help="Who holds it: letters, digits, '-' and '_' (in the audit).")
        ],
        scope: Annotated[
            Scope, typer.Option("--scope", help="read, write or admin.")
        ] = Scope.write,
        graphs: Annotated[
            str | None,
            typer.Option(
                "--graphs",
                help="Scope write only: the IRI prefix of the graphs it may change.",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """Print a fresh random token and the tokens-file lines for it (hash only)."""
        token = new_token()
        try:
            entry = toml_entry(name, scope.value, token, graphs)
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_USAGE) from None
        typer.echo(f"Token for {name!r} (shown once; give it to its holder, keep no copy):")
        typer.echo(f"\n    {token}\n")
        typer.echo("Add these lines to the tokens file (KRB_TOKENS_FILE) and restart the service:")
        typer.echo(f"\n{entry}")

    app.add_typer(token_app, name="token")
