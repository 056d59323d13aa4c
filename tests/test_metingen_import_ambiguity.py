"""`krb import-metingen` never picks one of several things a code or name fits.

A shared store holds the demo registry and another municipality's indicator GEL-I01,
its data source `geluidmeetnet` and its edition of CBS area WK999901 (same year), and
an own indicator with the name of GEL-I01. A row naming any of these by code or name
fits two things: it is refused at its line and column with the IRIs that fit, nothing
is written, and the IRI resolves it. Before, the row was attached to whichever came
last in the engine's answer (the other municipality's indicator: normtoets then found
no measurement for the own norm).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from metingen_store import demo_store_folder, graphs_before
from openpyxl import load_workbook
from other_municipality import BASE, INDICATOR_AND_SOURCE, OTHER, OTHER_I01, OTHER_SOURCE, PREFIXES
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.excel.importing import ImportFailed as WorkbookFailed
from krbgraph.excel.importing import import_workbook
from krbgraph.excel.template import write_template
from krbgraph.excel.workbook_format import SHEETS_BY_NAME
from krbgraph.measurements.importing import ImportFailed, import_measurements
from krbgraph.namespaces import SOSA
from krbgraph.settings import Settings
from krbgraph.store import open_store

OWN_I01 = f"{BASE}/id/beleidsindicator/GEL-I01"
SAME_NAME = f"{BASE}/id/beleidsindicator/GEL-I09"
OWN_SOURCE = f"{BASE}/id/databron/geluidmeetnet"
OWN_WK = f"{BASE}/id/werkingsgebied/WK999901"
OTHER_WK = f"{OTHER}/id/werkingsgebied/WK999901"
HEADER = "indicator;gebied;jaar;waarde;eenheid;bron\n"

SHARED = (
    PREFIXES
    + INDICATOR_AND_SOURCE
    + f"""
<{SAME_NAME}> a krb:Beleidsindicator ;
    rdfs:label "Geluidsdruk gevel (Lden)"@nl ;
    dct:identifier "GEL-I09" ;
    krb:beleidsthema thema:geluid ; krb:beleidsaspect aspect:geluid-verkeer ;
    krb:indicatorsoort soort:effectindicator-milieu ;
    qudt:hasUnit unit:DeciB_A ; dct:description "Dezelfde naam."@nl ;
    krb:afdeling afdeling:milieu .

<{OTHER_WK}> a krb:Werkingsgebied ;
    rdfs:label "Centrum (andere kaart)"@nl ;
    dct:identifier "WK999901" ;
    skos:notation "WK999901" ;
    krb:cbsJaar "2024"^^xsd:gYear ;
    krb:gebiedssoort gebiedssoort:wijk .
"""
)

__all__ = ["graphs_before"]  # the fixture, used by name


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder (closed, so the command can open it) with the shared registry."""
    root = tmp_path_factory.mktemp("gedeeld")
    shared = root / "gedeeld.ttl"
    shared.write_text(SHARED, encoding="utf-8")
    return demo_store_folder(root, validated=shared, base_iri=BASE)


def _import(folder: Path, path: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["import-metingen", str(path), "--store", str(folder)])
    return result.exit_code, " ".join(result.stderr.split()), result.stdout


def _csv(tmp_path: Path, body: str, name: str = "metingen.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_a_code_of_two_indicators_is_refused_with_both_iris(
    folder: Path, tmp_path: Path, graphs_before: set[str]
) -> None:
    path = _csv(tmp_path, f"GEL-I01;parkstraat;2021;51,0;dB(A);{OWN_SOURCE}\n")
    code, err, _ = _import(folder, path)
    assert code == 1, err
    assert "Traceback" not in err
    assert (
        f"metingen.csv:2, kolom indicator: 'GEL-I01' past bij meer beleidsindicatoren: "
        f"{OWN_I01}, {OTHER_I01}; geef de IRI" in err
    )
    assert f"'GEL-I01' fits several policy indicators: {OWN_I01}, {OTHER_I01}; give the IRI" in err
    assert "nothing loaded" in err


def test_a_name_of_two_indicators_is_refused_with_both_iris_and_codes(
    folder: Path, tmp_path: Path, graphs_before: set[str]
) -> None:
    path = _csv(
        tmp_path,
        f"{OWN_I01};parkstraat;2021;51,0;dB(A);{OWN_SOURCE}\n"
        f"Geluidsdruk gevel (Lden);vlietweg;2021;50,0;dB(A);{OWN_SOURCE}\n",
    )
    code, err, _ = _import(folder, path)
    assert code == 1, err
    assert (
        "metingen.csv:3, kolom indicator: 'Geluidsdruk gevel (Lden)' past bij meer "
        f"beleidsindicatoren: {OWN_I01} (GEL-I01), {SAME_NAME} (GEL-I09); geef de IRI" in err
    )
    assert "metingen.csv:2" not in err  # the IRI names one indicator


def test_a_code_of_two_data_sources_is_refused_with_both_iris(
    folder: Path, tmp_path: Path, graphs_before: set[str]
) -> None:
    path = _csv(tmp_path, f"{OWN_I01};parkstraat;2021;51,0;dB(A);geluidmeetnet\n")
    code, err, _ = _import(folder, path)
    assert code == 1, err
    assert (
        "metingen.csv:2, kolom bron: 'geluidmeetnet' past bij meer databronnen: "
        f"{OWN_SOURCE}, {OTHER_SOURCE}; geef de IRI" in err
    )
    assert f"fits several data sources: {OWN_SOURCE}, {OTHER_SOURCE}; give the IRI" in err


def test_the_iris_resolve_what_the_codes_could_not(folder: Path, tmp_path: Path) -> None:
    path = _csv(tmp_path, f"{OWN_I01};parkstraat;2021;51,0;dB(A);{OWN_SOURCE}\n", "iri.csv")
    code, err, out = _import(folder, path)
    assert code == 0, err
    graph = f"{BASE}/graph/metingen/iri"
    assert f"<{graph}>: 1 measurements" in out
    with open_store(Settings(store=str(folder))) as handle:
        try:
            stored = handle.read_graph(graph)
            observed = {str(o) for o in stored.objects(None, SOSA.observedProperty)}
            assert observed == {OWN_I01}
        finally:
            handle.drop_graph(graph)


def test_a_cbs_code_of_two_areas_of_one_year_is_refused(folder: Path, tmp_path: Path) -> None:
    """Where several areas carry a CBS code the latest edition not after the measured
    year is taken; two of that one year are two things, and neither is picked."""
    path = _csv(tmp_path, f"{OWN_I01};WK999901;2025;51,0;dB(A);{OWN_SOURCE}\n")
    with open_store(Settings(store=str(folder))) as handle, pytest.raises(ImportFailed) as failed:
        import_measurements(handle, path, base_iri=BASE)
    [problem] = failed.value.problems
    assert (problem.line, problem.column) == (2, "gebied")
    assert f"'WK999901' fits several areas of CBS year 2024: {OWN_WK}, {OTHER_WK}" in (
        problem.message_en
    )
    assert problem.message_nl.endswith("; geef de IRI")


def test_the_workbook_sheet_metingen_refuses_the_same_rows(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "onderzoek.xlsx"
    write_template(path)
    book = load_workbook(path)
    row = {"indicator": "GEL-I01", "gebied": "parkstraat", "jaar": 2021, "waarde": 51.0}
    row |= {"eenheid": "dB(A)", "bron": "geluidmeetnet"}
    book["metingen"].append([row.get(c) for c in SHEETS_BY_NAME["metingen"].names])
    book.save(path)
    with open_store(Settings(store=str(folder))) as handle, pytest.raises(WorkbookFailed) as failed:
        import_workbook(handle, path, base_iri=BASE)
    where = sorted((p.sheet, p.row, p.column) for p in failed.value.problems if p.is_error)
    assert where == [("metingen", 2, "bron"), ("metingen", 2, "indicator")]
    texts = " ".join(p.message_en for p in failed.value.problems)
    assert f"{OWN_I01}, {OTHER_I01}; give the IRI" in texts
    assert f"{OWN_SOURCE}, {OTHER_SOURCE}; give the IRI" in texts
