"""A workbook whose only filled sheet is metingen, exported back by its graph's name.

`krb import-excel --graph G` of such a workbook writes no policy (G stays empty, which
the store does not keep) and the measurements into ``G/metingen``. `krb export-excel
--graph G`, the way back docs/beleidsonderzoek.md names, said G did not exist; it
writes the measurements now, and importing that workbook again with --graph G gives
the same graphs. A graph that holds neither is still refused.

Checked with the `krb` command on a real embedded store with the demo (without its
measurements; its data sources stay).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from metingen_store import demo_store_folder
from openpyxl import load_workbook
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.excel.exporting import export_workbook
from krbgraph.excel.template import write_template
from krbgraph.excel.workbook_format import SHEETS_BY_NAME
from krbgraph.iris import DEFAULT_BASE_IRI
from krbgraph.settings import Settings
from krbgraph.store import open_store

BASE = DEFAULT_BASE_IRI
GRAPH = f"{BASE}/graph/onderzoek"
METINGEN = f"{GRAPH}/metingen"
ROW = {
    "indicator": "GEL-I01",
    "gebied": "parkstraat",
    "jaar": 2025,
    "waarde": 49.6,
    "eenheid": "dB(A)",
    "bron": "geluidmeetnet",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with the measurements-only workbook imported into GRAPH."""
    root = tmp_path_factory.mktemp("alleen-metingen")
    db = demo_store_folder(root)
    workbook = root / "onderzoek.xlsx"
    write_template(workbook)
    book = load_workbook(workbook)
    book["metingen"].append([ROW.get(column) for column in SHEETS_BY_NAME["metingen"].names])
    book.save(workbook)
    code, err, out = _krb("import-excel", str(workbook), "--graph", GRAPH, "--store", str(db))
    assert code == 0, err
    assert f"loaded <{GRAPH}>: 0 triples" in out
    assert f"loaded <{METINGEN}>: 1 measurements" in out
    return db


def _krb(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.stderr.split()), result.stdout


def _graphs(folder: Path) -> dict[str, Graph]:
    with open_store(Settings(store=str(folder))) as handle:
        held = {info.iri for info in handle.graphs()}
        return {g: handle.read_graph(g) for g in (GRAPH, METINGEN) if g in held}


def test_the_graph_exports_its_measurements_and_imports_back_the_same(
    folder: Path, tmp_path: Path
) -> None:
    before = _graphs(folder)
    assert set(before) == {METINGEN}  # the empty policy graph is not kept
    exported = tmp_path / "terug.xlsx"

    code, err, out = _krb("export-excel", str(exported), "--graph", GRAPH, "--store", str(folder))

    assert code == 0, err
    assert "workbook written" in out and err == ""
    rows = list(load_workbook(exported)["metingen"].iter_rows(min_row=2, values_only=True))
    header = SHEETS_BY_NAME["metingen"].names
    # things of other graphs by IRI, as an export of one graph names them (docs/excel.md)
    assert [{k: v for k, v in zip(header, row, strict=False) if v is not None} for row in rows] == [
        ROW
        | {
            "indicator": f"{BASE}/id/beleidsindicator/GEL-I01",
            "gebied": f"{BASE}/id/werkingsgebied/parkstraat",
            "bron": f"{BASE}/id/databron/geluidmeetnet",
        }
    ]
    code, err, out = _krb("import-excel", str(exported), "--graph", GRAPH, "--store", str(folder))
    assert code == 0, err
    after = _graphs(folder)
    assert set(after) == set(before)
    assert isomorphic(after[METINGEN], before[METINGEN])


def test_a_graph_without_policy_or_measurements_is_still_unknown(
    folder: Path, tmp_path: Path
) -> None:
    unknown = f"{BASE}/graph/nergens"
    code, err, _ = _krb(
        "export-excel", str(tmp_path / "x.xlsx"), "--graph", unknown, "--store", str(folder)
    )
    assert code == 2
    assert f"graph <{unknown}> does not exist in the store" in err
    with open_store(Settings(store=str(folder))) as handle, pytest.raises(KeyError):
        export_workbook(handle, tmp_path / "y.xlsx", graph=unknown)
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "y.xlsx").exists()
