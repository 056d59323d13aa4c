"""`krb export-datalake DIR`: the registry as Parquet and CSV tables for researchers.

Thin by design: krbgraph.datalake does the work; here its exceptions become the
CLI's exit codes (0 written, 1 a stored value does not read as its column's type,
2 a folder that cannot take the export, a store or file error). In every failing
case DIR is left as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..labels import languages_from
from ..store import StoreError
from .store import (
    EXIT_INVALID,
    EXIT_USAGE,
    StoreOption,
    TimeoutOption,
    opened_store,
    settings_from_cli,
)


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    Console(emoji=False, stderr=True, soft_wrap=True).print(
        f"error: {message}", style="red", markup=False, highlight=False
    )
    return typer.Exit(code)


def register(app: typer.Typer) -> None:
    @app.command("export-datalake")
    def export_datalake_command(
        folder: Annotated[
            Path,
            typer.Argument(
                help="New or empty folder for the tables, the data dictionary and catalogus.ttl.",
                file_okay=False,
            ),
        ],
        overwrite: Annotated[
            bool,
            typer.Option("--overwrite", help="Replace an earlier export in the folder."),
        ] = False,
        store: StoreOption = None,
        timeout: TimeoutOption = None,
        lang: Annotated[
            str | None,
            typer.Option(
                "--lang",
                help="Language(s) for the name columns, most wanted first (en, or en,de); "
                "then Dutch, then any name, then the code.",
            ),
        ] = None,
    ) -> None:
        """Export the policy chain and the measurements as Parquet and CSV for R or Python."""
        from ..datalake import BadValue, ExportRefused, check_target, export_datalake

        settings = settings_from_cli(store, None, timeout)
        try:
            check_target(folder, overwrite=overwrite)  # before the store is opened
            with opened_store(settings, reading=True) as opened:
                report = export_datalake(
                    opened,
                    folder,
                    overwrite=overwrite,
                    timeout_s=settings.query_timeout_s,
                    languages=languages_from(lang),
                )
        except ExportRefused as exc:
            raise _fail(str(exc)) from None
        except BadValue as exc:
            raise _fail(f"{exc}; nothing written", EXIT_INVALID) from None
        except StoreError as exc:
            raise _fail(f"export failed, nothing written: {exc}") from None
        except OSError as exc:
            raise _fail(f"cannot write the export to {folder}: {exc}") from None
        for table in report.tables:
            typer.echo(f"{table.name}: {table.rows} rows ({', '.join(table.files)})")
        typer.echo(f"wrote {len(report.files)} files to {report.folder}")
