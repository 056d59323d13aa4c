"""Warnings of what a write leaves as it was are reported as those of what it changes.

A write is validated by what it changes (krbgraph.impact), which decides whether it may
go ahead. The warnings an import answers with (docs/excel.md: "warnings are shown but do
not block") were those of the changed objects only: the same workbook imported again
answered none, as if they had been fixed, and so did one with an unrelated row changed
(krbgraph.graph_warnings). Checked by property: a workbook with N warnings reports the
same N, at the same cells, on its first import, imported again as it is, and with an
unrelated row changed, on the command line and over the service; a fixed row's warning
goes; `krb load` of a file again reports its warnings too; the warnings of a graph's
objects equal those a whole validation finds for them, whether its objects are listed in
batches or the registry is validated whole; and the verdict stays the focused one's.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_excel_support import BASE, demo_workbook, edit, row_of

from krbgraph import graph_warnings
from krbgraph.excel.importing import ImportFailed, ImportReport, import_workbook
from krbgraph.excel.problems import Problem
from krbgraph.excel.template import write_template
from krbgraph.findings import Finding
from krbgraph.loading import load_paths
from krbgraph.model import project_root
from krbgraph.namespaces import KRB
from krbgraph.registry import validate_change, write_graphs
from krbgraph.replica import ValidationReplica
from krbgraph.replica_slot import ReplicaSlot
from krbgraph.store import Store
from krbgraph.store.base import GraphQuads

BOWTIE = (
    "<http://www.opengis.net/def/crs/EPSG/0/28992> "
    "POLYGON((155000 463000, 156000 464000, 156000 463000, 155000 464000, 155000 463000))"
)
"""A polygon crossing itself: used as repaired, with a warning (krbgraph.spatial_checks)."""

Shown = tuple[str | None, int | None, str | None, str]


@pytest.fixture
def store(model_store: Store) -> Store:
    return model_store


def _with_warnings(folder: Path) -> tuple[Path, int]:
    """The demo workbook with three warnings: a norm without rekenmethode, one without any
    classification, and an area whose geometry crosses itself."""
    path = demo_workbook(folder, "beleid.xlsx")
    plain, classified = (
        row_of(path, "beleidsnorm", "BOU-N01"),
        row_of(path, "beleidsnorm", "BOU-N02"),
    )
    area = row_of(path, "werkingsgebieden", "Gebouwlocatie", "naam")
    book = load_workbook(path)
    cleared = [("beleidsnorm", plain, "rekenmethode")]
    cleared += [("beleidsnorm", classified, c) for c in ("sector", "leefomgeving", "materiaal")]
    for sheet, row, column in cleared:  # edit() leaves a cell given None as it is
        header = [cell.value for cell in book[sheet][1]]
        book[sheet].cell(row=row, column=header.index(column) + 1).value = None
    book.save(path)
    edit(path, [("werkingsgebieden", area, "geometrie", BOWTIE)])
    return path, 3


def _warnings(problems: list[Problem]) -> list[Shown]:
    return sorted((p.sheet, p.row, p.column, p.message_en) for p in problems if not p.is_error)


@pytest.fixture(params=["command line", "service"])
def importer(request: pytest.FixtureRequest, store: Store) -> Iterator:
    """import_workbook as `krb import-excel` runs it (the store known to conform after the
    first import: validated by what changes) or as the service does (its replica)."""
    replicas = ReplicaSlot() if request.param == "service" else None

    def run(path: Path) -> ImportReport:
        return import_workbook(store, path, base_iri=BASE, replicas=replicas)

    yield run


def test_the_same_warnings_on_every_import_until_a_row_is_fixed(importer, tmp_path: Path) -> None:
    path, count = _with_warnings(tmp_path)
    first = importer(path)
    shown = _warnings(first.warnings)
    assert len(shown) == count
    assert {sheet for sheet, *_ in shown} == {"beleidsnorm", "werkingsgebieden"}

    again = importer(path)
    assert again.changed is False
    assert _warnings(again.warnings) == shown

    # An unrelated row changed: the norms and the area with warnings are as they were.
    unrelated = row_of(path, "beleidsnorm", "BOU-N03")
    edit(path, [("beleidsnorm", unrelated, "naam", "Een andere naam voor deze norm")])
    changed = importer(path)
    assert changed.changed is True
    assert _warnings(changed.warnings) == shown

    # A row fixed: its warning goes, the others stay.
    fixed = row_of(path, "beleidsnorm", "BOU-N01")
    edit(path, [("beleidsnorm", fixed, "rekenmethode", "Gemeten volgens de bouwtekening")])
    after = importer(path)
    assert _warnings(after.warnings) == [w for w in shown if w[1] != fixed or w[0] != "beleidsnorm"]
    assert len(_warnings(after.warnings)) == count - 1


def test_a_workbook_refused_for_its_sheet_metingen_lists_the_warnings_too(
    importer, tmp_path: Path
) -> None:
    path, count = _with_warnings(tmp_path)
    shown = _warnings(importer(path).warnings)
    book = load_workbook(path)
    sheet = book["metingen"]
    header = [cell.value for cell in sheet[1]]
    row = {"indicator": "BESTAAT-NIET", "gebied": "GM9999", "jaar": 2024, "waarde": 1}
    sheet.append([row.get(column) for column in header])
    book.save(path)
    with pytest.raises(ImportFailed) as failed:
        importer(path)
    assert [p.sheet for p in failed.value.problems if p.is_error] == ["metingen"]
    assert _warnings(failed.value.problems) == shown
    assert len(shown) == count


def test_krb_load_of_a_file_again_reports_its_warnings(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    shutil.copytree(project_root() / "examples" / "demo", folder)
    noise = folder / "geluid.ttl"
    text = noise.read_text(encoding="utf-8")
    line = '    krb:rekenmethode "Lden volgens het Reken- en meetvoorschrift geluid 2012" ;\n'
    assert text.count(line) == 3
    noise.write_text(text.replace(line, ""), encoding="utf-8")  # three norms without one

    first = load_paths(store, [folder], base_iri=BASE)  # the whole registry validated
    assert first.validation is not None
    warned = sorted(f.focus for f in first.validation.warnings())
    assert len(warned) == 3

    again = load_paths(store, [noise], replace=True, base_iri=BASE)  # by what it changes
    assert again.validation is not None
    assert sorted(f.focus for f in again.validation.warnings()) == warned


def _key(finding: Finding) -> tuple[str, str | None, str | None, str]:
    return (finding.focus, finding.path, finding.shape, finding.message_en)


@pytest.mark.parametrize("whole", [False, True])
def test_a_graphs_warnings_are_those_a_whole_validation_finds_for_its_objects(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole: bool
) -> None:
    path, _ = _with_warnings(tmp_path)
    report = import_workbook(store, path, base_iri=BASE)
    # Listed in several batches, or the registry validated whole and its findings kept.
    monkeypatch.setattr(graph_warnings, "FOCUS_BATCH", 7)
    monkeypatch.setattr(graph_warnings, "WHOLE_SHARE", 1_000_000 if whole else 0)
    replica = ValidationReplica.of(store)
    objects = {str(node) for node in graph_warnings.objects_of(replica, [report.graph])}
    assert len(objects) > 7 * 3
    everything = validate_change(replica, [], [], everything=True)
    expected = sorted(_key(f) for f in everything.warnings() if f.focus in objects)
    found = validate_change(replica, [], [], warnings_of=[report.graph])
    assert sorted(_key(f) for f in found.findings) == expected
    assert len(expected) == 3


def test_a_violation_the_write_cannot_affect_neither_refuses_nor_shows(
    store: Store, tmp_path: Path
) -> None:
    """The verdict is the focused validation's: a norm broken before the write (written
    without validation, or by shapes made stricter since) is not this write's to refuse
    or report, as before; the warnings of its graph are reported all the same."""
    path, count = _with_warnings(tmp_path)
    graph = import_workbook(store, path, base_iri=BASE).graph
    norm = f"{BASE}/id/beleidsnorm/BOU-N03"
    indicator = "https://data.krb.nl/def/krb#indicator"
    store.update(f"DELETE WHERE {{ GRAPH <{graph}> {{ <{norm}> <{indicator}> ?i }} }}")
    replica = ValidationReplica.of(store)
    broken = validate_change(replica, [], [], everything=True)
    assert norm in {f.focus for f in broken.violations()}

    held = list(replica.graph_iter(graph))
    result = write_graphs(store, replica, {graph: GraphQuads(graph, held)}, replace=True)
    assert result.conforms
    assert result.violations() == ()
    assert len(result.warnings()) == count


def _new_policy(folder: Path, area: str) -> Path:
    """A new municipality workbook from the template: one theme, dossier, indicator,
    document and norm, set for ``area`` (that of another graph's norms)."""
    path = folder / "Nieuw Beleid.xlsx"
    write_template(path)
    book = load_workbook(path)
    rows = {
        "beleidsthemas": {"naam": "Luchtkwaliteit", "code": "lucht"},
        "beleidsdossier": {
            "code": "LUC", "naam": "Lucht", "beleidsthema": "Luchtkwaliteit",
            "werkingsgebied": area,
        },
        "beleidsindicator": {
            "code": "LUC-I01", "naam": "NO2 jaargemiddelde", "beleidsthema": "Luchtkwaliteit",
            "kenmerk": "effectindicator milieu", "eenheid": "µg/m³",
        },
        "besluitdocument": {
            "code": "LUC-2026", "titel": "Luchtplan 2026", "soort": "beleidsplan",
            "dossier": "LUC", "werkingsgebied": area, "bestuurslaag": "Gemeente",
            "status": "ontwerp", "datum": "2026-03-01",
        },
        "beleidsnorm": {
            "code": "LUC-N01", "indicator": "LUC-I01", "document": "LUC-2026",
            "operator": "max", "waarde": "20", "sector": "alle", "werkingsgebied": area,
            "rekenmethode": "Jaargemiddelde volgens RIVM",
        },
    }  # fmt: skip
    for sheet, values in rows.items():
        header = [str(cell.value).strip() for cell in book[sheet][1]]
        for column, value in values.items():
            book[sheet].cell(row=2, column=header.index(column) + 1, value=value)
    book.save(path)
    return path


def test_a_warning_on_another_graphs_object_names_that_graph_not_a_place_in_the_workbook(
    importer, store: Store, tmp_path: Path
) -> None:
    """A new workbook set for the area another graph's norms are set for validates those
    norms again (the write's impact reaches them through the area): their warnings came
    back as the new workbook's, with no sheet, row or graph, where nobody finds them.
    docs/excel.md: such a finding names the object and the graph it is in, not the
    workbook."""
    path, count = _with_warnings(tmp_path)
    first = importer(path)
    norm = f"{BASE}/id/beleidsnorm/BOU-N01"  # one of the norms with a warning
    rows = store.query(f"SELECT ?a WHERE {{ <{norm}> <{KRB}werkingsgebied> ?a }}").rows
    area = str(rows[0][0])

    second = importer(_new_policy(tmp_path, area))
    assert second.graph != first.graph
    placed = [p for p in second.warnings if not p.is_error and p.sheet is not None]
    elsewhere = [p for p in second.warnings if not p.is_error and p.sheet is None]
    assert elsewhere, "the other graph's norms were not validated again: nothing to check"
    assert len(elsewhere) <= count
    for problem in elsewhere:
        iri = problem.message_nl.split(">", 1)[0].rsplit("<", 1)[1]
        assert iri.startswith(f"{BASE}/id/"), problem.message_nl
        assert f"(in graaf <{first.graph}>, niet in Nieuw Beleid.xlsx)" in problem.message_nl
        assert f"(in graph <{first.graph}>, not in Nieuw Beleid.xlsx)" in problem.message_en
        held = store.query(f"ASK {{ GRAPH <{first.graph}> {{ <{iri}> ?p ?o }} }}").boolean
        assert held, iri
    for problem in placed:  # the workbook's own warnings keep their cells
        assert problem.sheet in {"besluitdocument", "beleidsnorm", "beleidsindicator"}
