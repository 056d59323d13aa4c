"""`krb export-excel --graph G` keeps the names the import generates for measurements
whose indicator or area another graph describes.

The import names each measurement 'Meting {indicator code} {area code} {period}' with
the codes it reads from the whole registry, so a workbook exported from one graph gets
those names back when it is imported again. The export read the codes from the exported
graph alone: where that graph does not describe the indicator or area (a store shared
by municipalities, areas kept in a graph of their own) it could not tell the name was
generated and warned that every such rdfs:label would be lost, although the import
gives each one back. Now the codes come from the store, as the import reads them; a
name of the registry's own making, which no cell holds, is still warned about.

Checked on a real embedded store with the demo (indicators in graph geluid and
gezondheid, areas in graph gebieden) and another municipality's indicator GEL-I01:
a workbook graph holds one department and measurements of those.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from metingen_store import demo_store_folder
from openpyxl import load_workbook
from other_municipality import BASE, INDICATOR_AND_SOURCE, OTHER_I01, OTHER_SOURCE, PREFIXES
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.excel.template import write_template
from krbgraph.excel.workbook_format import SHEETS_BY_NAME
from krbgraph.loading import load_paths
from krbgraph.settings import Settings
from krbgraph.store import open_store

GRAPH = f"{BASE}/graph/excel/onderzoek"
METINGEN = f"{GRAPH}/metingen"
OWN_I01 = f"{BASE}/id/beleidsindicator/GEL-I01"
COLUMNS = SHEETS_BY_NAME["metingen"].names
ROWS = [
    # the demo's GEL-I01 (graph geluid) by IRI: its code fits the other municipality's too
    {"indicator": OWN_I01, "gebied": "parkstraat", "jaar": 2021, "waarde": 51.0},
    {"indicator": OTHER_I01, "gebied": "parkstraat", "jaar": 2021, "waarde": 49.0},
    {"indicator": "GEZ-I01", "gebied": "WK999901", "periode_van": "2022-04-01"},
]
DETAILS = [
    {"eenheid": "dB(A)", "bron": f"{BASE}/id/databron/geluidmeetnet"},
    {"eenheid": "dB(A)", "bron": OTHER_SOURCE},
    {"periode_tot": "2022-06-30", "waarde": 7.5, "eenheid": "%", "bron": "ggd-gezondheidsmonitor"},
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo (without its measurements), the other municipality's indicator, and the
    workbook graph with its measurements, imported by `krb import-excel`."""
    root = tmp_path_factory.mktemp("gedeeld")
    other = root / "andere-gemeente.ttl"
    other.write_text(PREFIXES + INDICATOR_AND_SOURCE, encoding="utf-8")
    db = demo_store_folder(root, validated=other, base_iri=BASE)
    workbook = root / "onderzoek.xlsx"
    write_template(workbook)
    book = load_workbook(workbook)
    book["afdelingen"].append(["Afdeling Onderzoek", None])
    for row, details in zip(ROWS, DETAILS, strict=True):
        cells = row | details
        book["metingen"].append([cells.get(column) for column in COLUMNS])
    book.save(workbook)
    code, err, _ = _krb("import-excel", str(workbook), "--store", str(db))
    assert code == 0, err
    return db


def _krb(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.stderr.split()), result.stdout


def _graph(folder: Path, graph: str) -> Graph:
    with open_store(Settings(store=str(folder))) as handle:
        return handle.read_graph(graph)


def test_the_generated_names_are_kept_and_come_back_unchanged(folder: Path, tmp_path: Path) -> None:
    stored = _graph(folder, METINGEN)
    names = sorted(str(label) for label in stored.objects(None, RDFS.label))
    assert names == [
        "Meting GEL-I01 parkstraat 2021",
        "Meting GEL-I01 parkstraat 2021",
        "Meting GEZ-I01 WK999901 2022-04-01 t/m 2022-06-30",
    ]
    exported = tmp_path / "export.xlsx"
    code, err, out = _krb("export-excel", str(exported), "--graph", GRAPH, "--store", str(folder))
    assert code == 0, err
    assert "workbook written" in out
    assert err == ""  # no warning: nothing of the graphs is left out
    copy = shutil.copytree(folder, tmp_path / "kopie")
    code, err, _ = _krb("import-excel", str(exported), "--graph", GRAPH, "--store", str(copy))
    assert code == 0, err
    for graph in (GRAPH, METINGEN):
        assert isomorphic(_graph(copy, graph), _graph(folder, graph)), graph


def test_a_name_of_the_registrys_own_making_is_still_warned_about(
    folder: Path, tmp_path: Path
) -> None:
    """A measurement named by hand is no name the import makes: the workbook has no cell
    for it, and importing the export would give it the generated one."""
    copy = shutil.copytree(folder, tmp_path / "kopie")
    stored = _graph(copy, METINGEN)
    [measurement] = [m for m in stored.subjects(RDFS.label, None) if "GEZ-I01" in str(m)]
    stored.remove((measurement, RDFS.label, None))
    stored.add((measurement, RDFS.label, Literal("Slaapverstoring voorjaarsmeting", lang="nl")))
    turtle = tmp_path / "metingen.ttl"
    stored.serialize(turtle, format="turtle")
    with open_store(Settings(store=str(copy))) as handle:
        load_paths(handle, [turtle], graph=METINGEN, replace=True, base_iri=BASE)
    exported = tmp_path / "export.xlsx"
    code, err, _ = _krb("export-excel", str(exported), "--graph", GRAPH, "--store", str(copy))
    assert code == 0, err
    warned = (
        f"1 triple(s) with rdfs:label do not fit the workbook and were not exported "
        f"(for example of {measurement})"
    )
    assert "".join(warned.split()) in "".join(err.split())  # as printed, wrapped or not
