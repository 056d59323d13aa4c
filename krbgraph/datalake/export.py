"""The export for researchers: the policy chain and the measurements as plain tables.

Researchers work in R or Python, not in SPARQL. This writes the registry's
policy chain (beleidsketen), its measurements (metingen) and the dimension
tables they join on (indicatoren, gebieden, normen) as Parquet and CSV, with a
data dictionary and a DCAT description, into one folder. Each table is the
answer of the named query of the same name, so ``krb query metingen`` and the
API give the same rows, and the keys are the IRIs, so tables join on columns
with the same name.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..labels import DEFAULT_LANGUAGES
from ..queries import Catalogue, load_catalogue
from ..store import Store
from .catalogue import FileInfo, catalogue_turtle, data_sources
from .columns import DICTIONARY_FIELDS, ColumnInfo, dictionary_rows
from .folder import check_target as check_folder
from .folder import staged_folder
from .tables import write_table

__all__ = [
    "EXPORT_FILES",
    "TABLES",
    "ExportReport",
    "TableReport",
    "check_target",
    "export_datalake",
]

TABLES: tuple[str, ...] = ("beleidsketen", "metingen", "indicatoren", "gebieden", "normen")
"""The tables of the export, each the named query of the same name."""

DICTIONARY_CSV = "datadictionary.csv"
DICTIONARY_JSON = "datadictionary.json"
CATALOGUE_TTL = "catalogus.ttl"

EXPORT_FILES = frozenset(
    [f"{table}.{kind}" for table in TABLES for kind in ("parquet", "csv")]
    + [DICTIONARY_CSV, DICTIONARY_JSON, CATALOGUE_TTL]
)
"""Every file an export writes: the only ones --overwrite may replace."""


def check_target(folder: Path, *, overwrite: bool) -> None:
    """Raise ExportRefused when ``folder`` cannot take the export (see folder.py)."""
    check_folder(folder, overwrite=overwrite, ours=EXPORT_FILES)


@dataclass(frozen=True)
class TableReport:
    name: str
    rows: int
    files: tuple[str, ...]


@dataclass(frozen=True)
class ExportReport:
    folder: Path
    tables: tuple[TableReport, ...]
    files: tuple[str, ...]
    """Every file written, the catalogue last."""


def export_datalake(
    store: Store,
    folder: Path,
    *,
    overwrite: bool = False,
    timeout_s: float | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    catalogue: Catalogue | None = None,
    issued: datetime | None = None,
) -> ExportReport:
    """Write the export into ``folder``, which appears only once it is complete.

    ``folder`` must be new or empty; with ``overwrite`` an earlier export there is
    replaced. Names are given in ``languages`` order (see krbgraph.labels).

    Raises ExportRefused (before any query) when the folder cannot take the export,
    StoreError (QueryTimeout included) when a query fails, BadValue when a stored
    value does not read as its column's type, OSError when a file cannot be written;
    in every case the folder is left as it was.
    """
    catalogue = catalogue or load_catalogue()
    issued = issued or datetime.now(UTC)
    with staged_folder(folder, overwrite=overwrite, ours=EXPORT_FILES) as staging:
        tables: list[TableReport] = []
        columns: dict[str, tuple[ColumnInfo, ...]] = {}
        for name in TABLES:
            infos, rows = write_table(
                store, catalogue, name, staging, timeout_s=timeout_s, languages=languages
            )
            columns[name] = infos
            tables.append(TableReport(name, rows, (f"{name}.parquet", f"{name}.csv")))
        _write_dictionary(staging, dictionary_rows(columns))
        infos_for_catalogue = [
            FileInfo(file, (staging / file).stat().st_size, catalogue[table.name].title, table.rows)
            for table in tables
            for file in table.files
        ] + [
            FileInfo(file, (staging / file).stat().st_size, "Datadictionary")
            for file in (DICTIONARY_CSV, DICTIONARY_JSON)
        ]
        sources = data_sources(store, timeout_s=timeout_s)
        turtle = catalogue_turtle(infos_for_catalogue, sources, issued)
        (staging / CATALOGUE_TTL).write_text(turtle, encoding="utf-8")
    files = tuple(info.name for info in infos_for_catalogue) + (CATALOGUE_TTL,)
    return ExportReport(folder, tuple(tables), files)


def _write_dictionary(folder: Path, rows: list[dict[str, str]]) -> None:
    with (folder / DICTIONARY_CSV).open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=DICTIONARY_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    text = json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    (folder / DICTIONARY_JSON).write_text(text, encoding="utf-8")
