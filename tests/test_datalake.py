"""`krb export-datalake`: the policy chain and the measurements as tables for R and pandas.

On the demo registry with its research data, on both store backends: every table
reads back with pyarrow and with the csv module and has the rows its named query (or
a SPARQL COUNT of its subject) has; values of single measurements and norms are the
ones in examples/onderzoek and examples/demo; Parquet columns are typed and nulls are
nulls; every column is in the data dictionary, whose sources are terms of the
ontology; catalogus.ttl lists every file with its size and links the registry's data
sources; metingen joins the dimension tables on the IRI columns for every row, and a
measurement with two sources and two sectors is one row of it. The command refuses a
folder that holds files, and a failing export (a value its column's type cannot hold,
such as a number beyond float64) leaves nothing behind.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from demo_backends import DEMO_GRAPH, demo_store_fixture, fill_with_demo
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.datalake import TABLES, export_datalake
from krbgraph.model import project_root
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, open_store

ID = "https://krb.demogemeente.nl/id/"
UNIT = "http://qudt.org/vocab/unit/"
KRB = "https://data.krb.nl/def/krb#"
ONDERZOEK = project_root() / "examples" / "onderzoek"
CATALOGUE = load_catalogue()
ISSUED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
DCAT = Namespace("http://www.w3.org/ns/dcat#")
PROV = Namespace("http://www.w3.org/ns/prov#")

SUBJECTS = {
    # table -> the class whose members are its rows, counted by the test itself (a
    # realised effect is an observation of a change, never a row of metingen)
    "metingen": "http://www.w3.org/ns/sosa/Observation",
    "indicatoren": KRB + "Beleidsindicator",
    "gebieden": KRB + "Werkingsgebied",
    "normen": KRB + "Beleidsnorm",
}

store = demo_store_fixture()


@pytest.fixture(scope="module")
def export(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("datalake") / "export"
    export_datalake(store, folder, issued=ISSUED)
    return folder


def _count(store: Store, cls: str) -> int:
    result = store.query(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class "
        "FILTER NOT EXISTS { ?s <https://data.krb.nl/def/krb#beoogdEffect> [] } }",
        bindings={"class": URIRef(cls)},
    )
    return int(str(result.rows[0][0]))


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _by(table: pa.Table, column: str, value: str) -> dict:
    rows = [row for row in table.to_pylist() if row[column] == value]
    assert len(rows) == 1, f"{column}={value}: {len(rows)} rows"
    return rows[0]


# ------------------------------------------------------------------------- tables


def test_every_table_reads_back_with_the_rows_of_its_named_query(
    store: Store, export: Path
) -> None:
    for name in TABLES:
        expected = run_named_query(store, CATALOGUE, name, {})
        table = pq.read_table(export / f"{name}.parquet")
        assert table.num_rows == len(expected.rows), name
        assert table.column_names == list(expected.variables), name
        rows = _csv_rows(export / f"{name}.csv")
        assert len(rows) == table.num_rows, name
        assert list(rows[0]) == table.column_names, name
        assert pa_csv.read_csv(export / f"{name}.csv").num_rows == table.num_rows, name
    # RFC 4180, which the catalogue claims for each CSV: every record ends in CRLF.
    for path in export.glob("*.csv"):
        data = path.read_bytes()
        assert data.endswith(b"\r\n") and data.count(b"\n") == data.count(b"\r\n"), path.name
    # The chain holds the same norm-effect pairs as the query, unbound effects as nulls.
    chain = pq.read_table(export / "beleidsketen.parquet")
    expected = run_named_query(store, CATALOGUE, "beleidsketen", {})
    norm, effect = expected.variables.index("norm"), expected.variables.index("effect")
    pairs = sorted(
        (str(row[norm]), str(row[effect]) if row[effect] is not None else "")
        for row in expected.rows
    )
    exported = zip(chain["norm"].to_pylist(), chain["effect"].to_pylist(), strict=True)
    assert sorted((n, e or "") for n, e in exported) == pairs
    assert chain["effect"].null_count == sum(1 for row in expected.rows if row[effect] is None)


def test_each_subject_table_has_one_row_per_member_of_its_class(store: Store, export: Path) -> None:
    for name, cls in SUBJECTS.items():
        table = pq.read_table(export / f"{name}.parquet")
        key = table.column_names[0]
        assert table.num_rows == _count(store, cls), name
        assert len(set(table[key].to_pylist())) == table.num_rows, f"{name}: {key} repeats"


def test_measurements_are_the_numbers_of_the_demo_csv(export: Path) -> None:
    metingen = pq.read_table(export / "metingen.parquet")
    noise = {
        (row["gebied_code"], row["periode_van"].year): row["waarde"]
        for row in metingen.to_pylist()
        if row["indicator_code"] == "GEL-I01"
    }
    with (ONDERZOEK / "demo-metingen.csv").open(encoding="utf-8") as handle:
        source = [row for row in csv.DictReader(handle, delimiter=";")]
    expected = {
        (row["gebied"], int(row["jaar"])): float(Decimal(row["waarde"].replace(",", ".")))
        for row in source
        if row["indicator"] == "GEL-I01"
    }
    assert noise == expected
    labels = [row for row in source if not row["eenheid"]]  # energy labels have no unit
    assert metingen["waarde"].null_count == len(labels) == 4


def test_single_values_by_hand(export: Path) -> None:
    metingen = pq.read_table(export / "metingen.parquet")
    parkstraat = _by(metingen, "meting", ID + "meting/GEL-I01-parkstraat-2025-01-01-2025-12-31")
    assert parkstraat["waarde"] == 49.6
    assert parkstraat["eenheid"] == UNIT + "DeciB_A"
    assert parkstraat["eenheid_symbool"] == "dB(A)"
    assert (parkstraat["periode_van"], parkstraat["periode_tot"]) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert parkstraat["gebied"] == ID + "werkingsgebied/parkstraat"
    assert parkstraat["bron"] == ID + "databron/geluidmeetnet"
    assert parkstraat["waarde_begrip"] is None and parkstraat["sector"] is None
    # 450 m in the CSV, stored in the indicator's km.
    parkzicht = _by(metingen, "meting", ID + "meting/GRO-I01-BU99990202-2025-01-01-2025-12-31")
    assert (parkzicht["waarde"], parkzicht["eenheid"]) == (0.45, UNIT + "KiloM")
    sleep_iri = ID + "meting/GEZ-I01-WK999902-2024-09-01-2024-12-31-sector-inwoners"
    sleep = _by(metingen, "meting", sleep_iri)
    assert sleep["waarde"] == 8.9 and sleep["eenheid"] == UNIT + "PERCENT"
    assert sleep["periode_van"] == date(2024, 9, 1)
    assert sleep["sector"] == "https://data.krb.nl/id/begrip/sector/inwoners"
    label = _by(metingen, "meting", ID + "meting/ENE-I01-BU99990201-2026-01-01-2026-12-31")
    assert label["waarde"] is None and label["eenheid"] is None
    assert label["waarde_begrip"] == "https://data.krb.nl/id/begrip/energielabel/C"
    assert (label["waarde_begrip_label"], label["waarde_rangorde"]) == ("C", 5)
    assert label["bron"] == "https://www.ep-online.nl/"

    normen = pq.read_table(export / "normen.parquet")
    gel = _by(normen, "norm_code", "GEL-N01")
    assert (gel["norm_waarde"], gel["norm_eenheid"]) == (48.0, UNIT + "DeciB_A")
    assert (gel["geldig_vanaf"], gel["geldig_tot"]) == (date(2024, 1, 1), date(2030, 12, 31))
    assert gel["operator_label"] == "maximaal" and gel["gebied"] == ID + "werkingsgebied/GM9999"
    # No period of its own: in force with the Actieplan Geluid 2030, from 2026-01-01.
    assert _by(normen, "norm_code", "GEL-N04")["geldig_vanaf"] == date(2026, 1, 1)
    gez = _by(normen, "norm_code", "GEZ-N01")
    assert (gez["referentiewaarde"], gez["referentiedatum"]) == (8.0, date(2022, 10, 1))

    gebieden = pq.read_table(export / "gebieden.parquet")
    parkrand = _by(gebieden, "gebied_code", "parkrand")
    assert sorted(parkrand["ligt_in"].split()) == [
        ID + "werkingsgebied/BU99990201",
        ID + "werkingsgebied/BU99990202",
    ]
    assert _by(gebieden, "gebied_code", "WK999902")["cbs_jaar"] == 2024


def test_columns_are_typed_and_missing_values_are_nulls(export: Path) -> None:
    metingen = pq.read_table(export / "metingen.parquet")
    assert metingen.schema.field("waarde").type == pa.float64()
    assert metingen.schema.field("periode_van").type == pa.date32()
    assert metingen.schema.field("waarde_rangorde").type == pa.int64()
    for name in TABLES:
        table = pq.read_table(export / f"{name}.parquet")
        for field in table.schema:
            if pa.types.is_string(field.type):
                assert "" not in table[field.name].to_pylist(), f"{name}.{field.name}"
    rows = {row["meting"]: row for row in _csv_rows(export / "metingen.csv")}
    label = rows[ID + "meting/ENE-I01-BU99990201-2026-01-01-2026-12-31"]
    assert label["waarde"] == "" and label["eenheid"] == "" and label["waarde_rangorde"] == "5"
    noise = rows[ID + "meting/GEL-I01-parkstraat-2025-01-01-2025-12-31"]
    assert (noise["waarde"], noise["periode_van"]) == ("49.6", "2025-01-01")


# -------------------------------------------------------------- dictionary, DCAT


def test_every_column_is_in_the_data_dictionary_with_a_term_of_the_ontology(
    export: Path,
) -> None:
    entries = {
        (row["table"], row["column"]): row for row in _csv_rows(export / "datadictionary.csv")
    }
    as_json = json.loads((export / "datadictionary.json").read_text(encoding="utf-8"))
    assert {(row["table"], row["column"]) for row in as_json} == set(entries)
    ontology = Graph().parse(project_root() / "ontology" / "krb.ttl")
    types = {"float64": pa.float64(), "int64": pa.int64(), "bool": pa.bool_()}
    columns = set()
    for name in TABLES:
        schema = pq.read_schema(export / f"{name}.parquet")
        for field in schema:
            columns.add((name, field.name))
            entry = entries[(name, field.name)]
            assert entry["meaning_nl"] and entry["meaning_en"], entry
            assert entry["source"].startswith("http"), entry
            if entry["source"].startswith(KRB):
                assert (URIRef(entry["source"]), RDF.type, None) in ontology, entry
            expected = types.get(entry["datatype"])
            if entry["datatype"].startswith("date32"):
                expected = pa.date32()
            assert field.type == (expected or pa.string()), entry
    assert columns == set(entries)
    assert "eenheid" in entries[("metingen", "waarde")]["unit"]
    assert (
        entries[("metingen", "indicator")]["source"] == "http://www.w3.org/ns/sosa/observedProperty"
    )


def test_the_catalogue_lists_every_file_with_its_size_and_links_the_sources(
    export: Path,
) -> None:
    graph = Graph().parse(export / "catalogus.ttl", format="turtle")
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)
    files = sorted(p for p in export.iterdir() if p.name != "catalogus.ttl")
    assert len(files) == 2 * len(TABLES) + 2
    for path in files:
        (distribution,) = graph.subjects(DCAT.downloadURL, URIRef(path.as_uri()))
        assert (dataset, DCAT.distribution, distribution) in graph
        assert graph.value(distribution, DCAT.byteSize).toPython() == path.stat().st_size
        media = str(graph.value(distribution, DCAT.mediaType))
        assert media.endswith(
            {".parquet": "vnd.apache.parquet", ".csv": "text/csv", ".json": "application/json"}[
                path.suffix
            ]
        )
        assert graph.value(distribution, DCTERMS.conformsTo) is not None
    assert graph.value(dataset, DCTERMS.issued) == Literal(ISSUED)
    sources = Graph().parse(ONDERZOEK / "databronnen.ttl")
    datasets = set(sources.subjects(RDF.type, DCAT.Dataset))
    assert datasets and datasets <= set(graph.objects(dataset, PROV.wasDerivedFrom))
    assert datasets <= set(graph.objects(dataset, DCTERMS.source))
    (listing,) = sources.subjects(RDF.type, DCAT.Catalog)
    assert (dataset, RDFS.seeAlso, listing) in graph


def test_measurements_join_the_dimension_tables_on_their_iri_for_every_row(
    export: Path,
) -> None:
    metingen = pq.read_table(export / "metingen.parquet")
    for dimension, key in (("indicatoren", "indicator"), ("gebieden", "gebied")):
        other = pq.read_table(export / f"{dimension}.parquet")
        joined = metingen.join(other, keys=key, join_type="inner", right_suffix="_dim")
        assert joined.num_rows == metingen.num_rows, dimension
        code = f"{key}_code"
        assert joined[code].to_pylist() == joined[f"{code}_dim"].to_pylist(), dimension
    norms = pq.read_table(export / "normen.parquet")
    pairs = metingen.join(norms, keys=["indicator"], join_type="inner", right_suffix="_norm")
    parkstraat = [
        row
        for row in pairs.to_pylist()
        if row["norm_code"] == "GEL-N01" and row["gebied_code"] == "parkstraat"
    ]
    assert {row["waarde"] for row in parkstraat} >= {49.6} and parkstraat[0]["norm_waarde"] == 48


_TWO_OF_EACH = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sosa: <http://www.w3.org/ns/sosa/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix krb:  <https://data.krb.nl/def/krb#> .

<https://krb.demogemeente.nl/id/meting/twee-bronnen> a sosa:Observation ;
    rdfs:label "Meting met twee bronnen en twee sectoren"@nl ;
    sosa:observedProperty <https://krb.demogemeente.nl/id/beleidsindicator/GEL-I01> ;
    sosa:hasFeatureOfInterest <https://krb.demogemeente.nl/id/werkingsgebied/vlietweg> ;
    sosa:phenomenonTime [ dcat:startDate "2019-01-01"^^xsd:date ;
                          dcat:endDate "2019-12-31"^^xsd:date ] ;
    sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue 60.0 ;
                     qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> ] ;
    dct:source <https://krb.demogemeente.nl/id/databron/geluidmeetnet>,
               <https://example.org/rivm> ;
    krb:sector <https://data.krb.nl/id/begrip/sector/inwoners>,
               <https://data.krb.nl/id/begrip/sector/bezoekers> .
"""


two_store = demo_store_fixture("two_store")


@pytest.fixture(scope="module")
def two_of_each(two_store: Store, tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Path]:
    """The demo with one more measurement that has two sources and two sectors, as the
    shapes allow, and its export."""
    folder = tmp_path_factory.mktemp("two-of-each")
    extra = folder / "twee-bronnen.ttl"
    extra.write_text(_TWO_OF_EACH, encoding="utf-8")
    two_store.load_files({"https://krb.demogemeente.nl/graph/twee-bronnen": [extra]}, replace=True)
    export_datalake(two_store, folder / "export", issued=ISSUED)
    return two_store, folder / "export"


def test_a_measurement_with_two_sources_and_two_sectors_is_one_row(
    two_of_each: tuple[Store, Path],
) -> None:
    """It was one row per source and sector (four), so the documented mean per indicator
    weighed it four times: 53.32 dB(A) instead of 50.81 for GEL-I01."""
    store, export = two_of_each
    iri = ID + "meting/twee-bronnen"
    metingen = pq.read_table(export / "metingen.parquet")
    assert len(set(metingen["meting"].to_pylist())) == metingen.num_rows
    row = _by(metingen, "meting", iri)
    # Every value in one cell, in IRI order; no single name stands for two resources.
    assert row["bron"] == "https://example.org/rivm " + ID + "databron/geluidmeetnet"
    assert row["sector"] == (
        "https://data.krb.nl/id/begrip/sector/bezoekers "
        "https://data.krb.nl/id/begrip/sector/inwoners"
    )
    assert row["bron_label"] is None and row["sector_label"] is None
    assert (row["waarde"], row["materiaal"]) == (60.0, None)
    # A single source or sector is still the IRI, with its name.
    sleep = _by(
        metingen, "meting", ID + "meting/GEZ-I01-WK999902-2024-09-01-2024-12-31-sector-inwoners"
    )
    assert sleep["sector"] == "https://data.krb.nl/id/begrip/sector/inwoners"
    assert sleep["sector_label"] and sleep["bron_label"]
    csv_rows = [r for r in _csv_rows(export / "metingen.csv") if r["meting"] == iri]
    assert [r["sector"] for r in csv_rows] == [row["sector"]]
    named = run_named_query(store, CATALOGUE, "metingen", {})
    assert [r[0] for r in named.rows].count(URIRef(iri)) == 1

    # The mean the documentation computes per indicator is the mean over measurements.
    distinct = store.query(
        "PREFIX sosa: <http://www.w3.org/ns/sosa/> "
        "PREFIX qudt: <http://qudt.org/schema/qudt/> "
        "SELECT DISTINCT ?m ?w WHERE { ?m a sosa:Observation ; sosa:observedProperty ?i ; "
        "sosa:hasResult/qudt:numericValue ?w "
        "FILTER NOT EXISTS { ?m <https://data.krb.nl/def/krb#beoogdEffect> [] } }",
        bindings={"i": URIRef(ID + "beleidsindicator/GEL-I01")},
    )
    values = [float(str(w)) for _, w in distinct.rows]
    noise = [r["waarde"] for r in metingen.to_pylist() if r["indicator_code"] == "GEL-I01"]
    assert len(noise) == len(values)
    assert sum(noise) / len(noise) == pytest.approx(sum(values) / len(values))


def test_the_dictionary_says_a_cell_can_hold_several(two_of_each: tuple[Store, Path]) -> None:
    _, export = two_of_each
    entries = {
        (row["table"], row["column"]): row for row in _csv_rows(export / "datadictionary.csv")
    }
    for column in ("bron", "sector", "materiaal", "leefomgeving"):
        entry = entries[("metingen", column)]
        assert "spatie" in entry["meaning_nl"] and "space" in entry["meaning_en"], entry
        assert entry["datatype"] == "string (IRI)", entry
        named = entries[("metingen", f"{column}_label")]
        assert "meer dan één" in named["meaning_nl"] and "several" in named["meaning_en"]
    # A norm for two sectors is two rows of normen: there a cell is one sector.
    assert "space" not in entries[("normen", "sector")]["meaning_en"]


# -------------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "db"
    with open_store(Settings(store=str(folder))) as handle:
        fill_with_demo(handle)
    return folder


def _run(*args: str) -> object:
    return CliRunner().invoke(app, ["export-datalake", *args])


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith("."))


def test_the_command_writes_the_export_and_prints_the_row_counts(
    cli_store: Path, tmp_path: Path
) -> None:
    target = tmp_path / "export"
    result = _run(str(target), "--store", str(cli_store))
    assert result.exit_code == 0, result.output
    with open_store(Settings(store=str(cli_store))) as handle:
        for name, cls in SUBJECTS.items():
            assert f"{name}: {_count(handle, cls)} rows" in result.stdout
    assert {p.name for p in target.iterdir()} >= {"catalogus.ttl", "metingen.parquet"}
    assert _siblings(target) == []


def test_a_folder_with_files_is_refused_and_left_untouched(cli_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "onderzoek"
    target.mkdir()
    (target / "notities.txt").write_text("mijn aantekeningen\n", encoding="utf-8")
    before = _snapshot(target)
    refused = _run(str(target), "--store", str(cli_store))
    assert refused.exit_code == 2
    assert "is not empty" in refused.stderr and "--overwrite" in refused.stderr
    # --overwrite replaces an earlier export only, never a folder of other files.
    foreign = _run(str(target), "--store", str(cli_store), "--overwrite")
    assert foreign.exit_code == 2 and "notities.txt" in foreign.stderr
    assert _snapshot(target) == before and _siblings(target) == []


def test_overwrite_replaces_an_earlier_export(cli_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "export"
    assert _run(str(target), "--store", str(cli_store)).exit_code == 0
    (target / "metingen.csv").write_text("stale\n", encoding="utf-8")
    again = _run(str(target), "--store", str(cli_store))
    assert again.exit_code == 2 and (target / "metingen.csv").read_text() == "stale\n"
    replaced = _run(str(target), "--store", str(cli_store), "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert (target / "metingen.csv").read_text(encoding="utf-8").startswith('"meting",')
    assert _siblings(target) == []


def test_overwrite_never_removes_a_researchers_own_files_beside_an_export(
    cli_store: Path, tmp_path: Path
) -> None:
    """Own work saved into the export folder (a merge, a notebook's output) has a
    suffix an export writes too; --overwrite removed it with the earlier export."""
    target = tmp_path / "export"
    assert _run(str(target), "--store", str(cli_store)).exit_code == 0
    (target / "mijn-metingen.csv").write_text("gebied,waarde\n", encoding="utf-8")
    (target / "analyse.json").write_text("{}\n", encoding="utf-8")
    before = _snapshot(target)
    refused = _run(str(target), "--store", str(cli_store), "--overwrite")
    assert refused.exit_code == 2
    assert "mijn-metingen.csv" in refused.stderr and "analyse.json" in refused.stderr
    assert _snapshot(target) == before and _siblings(target) == []


def test_a_killed_exports_leftovers_are_cleared_and_a_running_ones_kept(
    cli_store: Path, tmp_path: Path
) -> None:
    """A killed export leaves its hidden staging folder (or, cut between the two
    renames of a replace without an atomic swap, the earlier export aside); the next
    export clears them, but never the folder another export is writing."""
    import fcntl
    import os

    target = tmp_path / "export"
    assert _run(str(target), "--store", str(cli_store)).exit_code == 0
    earlier = _snapshot(target)
    killed = tmp_path / ".export.0123456789ab.part"
    killed.mkdir()
    (killed / "metingen.csv").write_text("half\n", encoding="utf-8")
    running = tmp_path / ".export.ba9876543210.part"
    running.mkdir()
    handle = os.open(running, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        replaced = _run(str(target), "--store", str(cli_store), "--overwrite")
        assert replaced.exit_code == 0, replaced.output
        assert _siblings(target) == [running.name]
    finally:
        os.close(handle)
    # Cut between the renames: the target is gone and the earlier export waits aside.
    aside = tmp_path / ".export.00000000aaaa.old"
    target.rename(aside)
    again = _run(str(target), "--store", str(cli_store), "--overwrite")
    assert again.exit_code == 0, again.output
    assert _siblings(target) == [] and set(_snapshot(target)) == set(earlier)


def test_folders_beside_the_target_that_an_export_did_not_make_are_never_touched(
    cli_store: Path, tmp_path: Path
) -> None:
    """Hidden folders of the researcher's whose names look like an export's leftovers."""
    target = tmp_path / "export"
    own = {
        tmp_path / ".export.concept.part": "notes.txt",
        tmp_path / ".export.november.old": "analyse.R",
        tmp_path / ".export.0123456789ab.old": "analyse.R",  # the exact name, not its files
        tmp_path / ".export.v2.0123456789ab.part": "metingen.csv",  # export.v2's
    }
    for folder, name in own.items():
        folder.mkdir()
        (folder / name).write_text("eigen werk\n", encoding="utf-8")
    for _ in range(2):
        assert _run(str(target), "--store", str(cli_store), "--overwrite").exit_code == 0
    for folder, name in own.items():
        assert (folder / name).read_text(encoding="utf-8") == "eigen werk\n", folder


def test_a_target_that_is_a_link_is_the_folder_it_names(cli_store: Path, tmp_path: Path) -> None:
    real = tmp_path / "echt"
    real.mkdir()
    link = tmp_path / "laatste"
    link.symlink_to(real, target_is_directory=True)
    assert _run(str(link), "--store", str(cli_store)).exit_code == 0
    assert link.is_symlink() and (real / "catalogus.ttl").is_file()
    replaced = _run(str(link), "--store", str(cli_store), "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert link.is_symlink() and (real / "catalogus.ttl").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_overwrite_swaps_the_folders_in_one_step(tmp_path: Path) -> None:
    from krbgraph.datalake.folder import _exchange

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "x").write_text("a", encoding="utf-8")
    (second / "x").write_text("b", encoding="utf-8")
    if not _exchange(first, second):
        pytest.skip("no atomic exchange of two names on this system")
    assert (first / "x").read_text() == "b" and (second / "x").read_text() == "a"


@pytest.fixture
def bad_store(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "db"
    with open_store(Settings(store=str(folder))) as handle:
        fill_with_demo(handle)
        bad = Graph()
        bad.add(
            (
                URIRef(ID + "beleidsnorm/GEL-N01"),
                URIRef(KRB + "referentiedatum"),
                Literal("eind 2022"),
            )
        )
        handle.add_to_graph(DEMO_GRAPH, bad)
    yield folder


def test_a_value_that_is_not_its_columns_type_stops_the_export_and_leaves_nothing(
    bad_store: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "export"
    result = _run(str(target), "--store", str(bad_store))
    assert result.exit_code == 1
    assert "normen" in result.stderr and "referentiedatum" in result.stderr
    assert "'eind 2022'" in result.stderr and "nothing written" in result.stderr
    # Which of thousands of rows: its number and its key, the thing of the first column.
    assert re.search(r"row \d+ \(\w+ " + re.escape(ID + "beleidsnorm/GEL-N01"), result.stderr)
    assert not target.exists() and _siblings(target) == []


_FAR_OUT = """
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix sosa: <http://www.w3.org/ns/sosa/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .

<https://krb.demogemeente.nl/id/meting/ver-weg> a sosa:Observation ;
    sosa:observedProperty <https://krb.demogemeente.nl/id/beleidsindicator/GEL-I01> ;
    sosa:hasFeatureOfInterest <https://krb.demogemeente.nl/id/werkingsgebied/vlietweg> ;
    sosa:phenomenonTime [ dcat:startDate "2018-01-01"^^xsd:date ;
                          dcat:endDate "2018-12-31"^^xsd:date ] ;
    sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue VALUE ;
                     qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> ] ;
    dct:source <https://krb.demogemeente.nl/id/databron/geluidmeetnet> .
"""


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("1" + "0" * 400, "larger than float64 holds"),  # was written as inf
        ("0." + "0" * 399 + "1", "closer to 0 than float64 holds"),  # was written as 0
    ],
)
def test_a_number_float64_cannot_hold_stops_the_export_and_keeps_the_earlier_one(
    cli_store: Path, tmp_path: Path, value: str, why: str
) -> None:
    """krb import-metingen stores these exactly; the export wrote inf and 0, exit 0."""
    store = tmp_path / "db"
    shutil.copytree(cli_store, store)
    target = tmp_path / "export"
    assert _run(str(target), "--store", str(store)).exit_code == 0
    earlier = _snapshot(target)
    extra = tmp_path / "ver-weg.ttl"
    extra.write_text(_FAR_OUT.replace("VALUE", value), encoding="utf-8")
    with open_store(Settings(store=str(store))) as handle:
        handle.load_files({"https://krb.demogemeente.nl/graph/ver-weg": [extra]}, replace=True)
    result = _run(str(target), "--store", str(store), "--overwrite")
    assert result.exit_code == 1, result.output
    assert re.search(
        r"table metingen, row \d+ \(meting " + re.escape(ID + "meting/ver-weg") + r"\), "
        r"column waarde: .*" + why,
        result.stderr,
    ), result.stderr
    assert "nothing written" in result.stderr
    assert _snapshot(target) == earlier and _siblings(target) == []


def test_numbers_are_written_only_as_the_float64_they_are() -> None:
    from rdflib.namespace import XSD

    from krbgraph.datalake.tables import _decimal

    def read(text: str, datatype: URIRef = XSD.decimal) -> float:
        return _decimal(Literal(text, datatype=datatype, normalize=False))

    assert read("49.6") == 49.6 and read("0.000") == 0 and read("-1E+308") == -1e308
    assert read("2.2250738585072014e-308", XSD.double) == 2.2250738585072014e-308
    # A double is the double it is, its infinities and subnormals too.
    assert read("-INF", XSD.double) == float("-inf") and read("1e-310", XSD.double) == 1e-310
    for text, datatype in [
        ("1e400", XSD.double),
        ("-1e400", XSD.double),
        ("1e-400", XSD.double),
        ("1" + "0" * 309, XSD.decimal),
        ("0." + "0" * 399 + "1", XSD.decimal),
        # Below the smallest normal double, a float64 keeps fewer than 15 digits.
        ("0." + "0" * 309 + "123456789012345", XSD.decimal),
        ("INF", XSD.decimal),  # no decimal at all
    ]:
        with pytest.raises(ValueError):
            read(text, datatype)


def test_a_rank_that_is_no_whole_number_is_refused_not_cut(tmp_path: Path) -> None:
    """A rank 2.5 (written around the shapes) was exported as 2: an own list's B+ read
    as B, and normtoets in the export disagreed with the registry's own."""
    from krbgraph.datalake.tables import _integer

    assert _integer(Literal(2)) == 2 and _integer(Literal("2024+01:00")) == 2024
    with pytest.raises(ValueError):
        _integer(Literal("2.5"))
