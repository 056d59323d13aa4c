"""Helpers shared by the test_excel_* modules: the demo registry and workbook edits.

No tests live here; the module is importable because pytest puts tests/ on sys.path.
"""

from __future__ import annotations

import subprocess
from functools import cache
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook
from rdflib import Graph

from krbgraph.excel.writer import write_workbook
from krbgraph.iris import DEFAULT_BASE_IRI
from krbgraph.model import model_graph, project_root

BASE = DEFAULT_BASE_IRI


@cache
def _demo() -> Graph:
    graph = Graph()
    for path in sorted((project_root() / "examples" / "demo").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def demo_graph() -> Graph:
    """The demo registry's data (all files of examples/demo, without the model); a copy."""
    copy = Graph()
    for triple in _demo():
        copy.add(triple)
    return copy


@cache
def _demo_workbook_bytes() -> bytes:
    buffer = BytesIO()
    warnings = write_workbook(_demo(), buffer, model=model_graph())
    assert warnings == [], [w.text_en for w in warnings]
    return buffer.getvalue()


def demo_workbook(folder: Path, name: str = "demo.xlsx") -> Path:
    """The demo registry exported to a workbook in ``folder`` (exported once per process)."""
    path = folder / name
    path.write_bytes(_demo_workbook_bytes())
    return path


def row_of(path: Path, sheet: str, code: str, column: str = "code") -> int:
    """The row number where ``column`` holds ``code``."""
    book = load_workbook(path)
    ws = book[sheet]
    header = [cell.value for cell in ws[1]]
    index = header.index(column)
    for row in ws.iter_rows(min_row=2):
        if row[index].value == code:
            return row[index].row
    raise AssertionError(f"{code} not in {sheet}.{column}")


def edit(path: Path, changes: list[tuple[str, int, str, object]]) -> None:
    """Set cells given as (sheet, row, column name, value)."""
    book = load_workbook(path)
    for sheet, row, column, value in changes:
        ws = book[sheet]
        header = [cell.value for cell in ws[1]]
        ws.cell(row=row, column=header.index(column) + 1, value=value)
    book.save(path)


def saved_by_libreoffice(source: Path, target: str, folder: Path, profile: Path) -> Path:
    """``source`` opened and saved as ``target`` (csv, xlsx) by LibreOffice, headless,
    with a profile of its own; returns the file written into ``folder``."""
    completed = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    written = folder / f"{source.stem}.{target}"
    assert written.exists(), completed.stdout + completed.stderr
    return written
