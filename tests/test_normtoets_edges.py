"""Edges of the research questions' arithmetic: offsets, decimals the engine cannot hold,
and unit facts in registry data.

- 32 °F is exactly 0 °C, but through QUDT's 5/9 (16 digits) it is 2.2e-14 °C: the
  tolerance must count values from the unit's zero (273.15 K), and the import must
  round to digits of the SI value, not of the value in °C.
- A value with more than 18 decimals (0.0001 * 3 as Python writes it) or a norm
  above about 1.7e20 is no xsd:decimal to Oxigraph: the queries fall back to doubles
  and the import stores a value the engine calculates with.
- Conversion facts come from the model's unit graphs only: an own unit declared in
  data converts to nothing but itself, and a data file restating a QUDT multiplier
  changes no verdict.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from krbgraph import units as krb_units
from krbgraph.commands.serve import demo_paths
from krbgraph.excel.importing import import_workbook
from krbgraph.excel.template import write_template
from krbgraph.excel.workbook_format import SHEETS_BY_NAME
from krbgraph.loading import load_paths
from krbgraph.measurements.importing import import_measurements
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

BASE = "https://krb.demogemeente.nl"
CATALOGUE = load_catalogue()
DATUM = "2026-11-28"

PREFIXES = """
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sosa: <http://www.w3.org/ns/sosa/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix op: <https://data.krb.nl/id/begrip/normoperator/> .
@prefix id: <https://krb.demogemeente.nl/id/> .
"""


def _indicator(code: str, unit: str | None) -> str:
    has_unit = f"; qudt:hasUnit {unit} " if unit else ""
    return f"""<{BASE}/id/beleidsindicator/{code}> a krb:Beleidsindicator ;
  rdfs:label "{code}"@nl ; dct:identifier "{code}" ;
  krb:beleidsthema <{BASE}/id/beleidsthema/geluid> ;
  krb:indicatorsoort <https://data.krb.nl/id/begrip/indicatorsoort/effectindicator-milieu>
  {has_unit}.
"""


def _norm(code: str, indicator: str, operator: str, value: str, unit: str) -> str:
    return f"""<{BASE}/id/beleidsnorm/{code}> a krb:Beleidsnorm ;
  rdfs:label "{code}"@nl ; dct:identifier "{code}" ;
  krb:indicator <{BASE}/id/beleidsindicator/{indicator}> ;
  krb:document <{BASE}/id/besluitdocument/GEL-2030> ;
  krb:operator op:{operator} ; qudt:numericValue "{value}"^^xsd:decimal ; qudt:hasUnit {unit} ;
  krb:werkingsgebied <{BASE}/id/werkingsgebied/GM9999> ;
  krb:bestuurslaag <https://data.krb.nl/id/begrip/bestuurslaag/gemeente> .
"""


def _measurement(code: str, indicator: str, area: str, value: str, unit: str) -> str:
    return f"""<{BASE}/id/meting/{code}> a sosa:Observation ; rdfs:label "{code}"@nl ;
  dct:source <{BASE}/id/databron/geluidmeetnet> ;
  sosa:observedProperty <{BASE}/id/beleidsindicator/{indicator}> ;
  sosa:hasFeatureOfInterest <{BASE}/id/werkingsgebied/{area}> ;
  sosa:phenomenonTime [ a <http://www.w3.org/2006/time#Interval>, dct:PeriodOfTime ;
    dcat:startDate "2025-01-01"^^xsd:date ; dcat:endDate "2025-12-31"^^xsd:date ] ;
  sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue "{value}"^^xsd:decimal ;
                   qudt:hasUnit {unit} ] .
"""


def _dated(code: str, indicator: str, start: str, end: str, value: str, unit: str) -> str:
    return f"""<{BASE}/id/meting/{code}> a sosa:Observation ; rdfs:label "{code}"@nl ;
  dct:source <{BASE}/id/databron/geluidmeetnet> ;
  sosa:observedProperty <{BASE}/id/beleidsindicator/{indicator}> ;
  sosa:hasFeatureOfInterest <{BASE}/id/werkingsgebied/WK999901> ;
  sosa:phenomenonTime [ a dct:PeriodOfTime ;
    dcat:startDate "{start}"^^xsd:date ; dcat:endDate "{end}"^^xsd:date ] ;
  sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue "{value}"^^xsd:decimal ;
                   qudt:hasUnit {unit} ] .
"""


# A measure of 2025 meant to lower DEC-I2 by 0.0001 mg/l: before 0.0005, after 0.0003,
# each with a tail of 3e-20 as a spreadsheet's arithmetic leaves it; its realised effect
# too. All in one unit, so no conversion is involved.
EFFECT = f"""
<{BASE}/id/beleidsmaatregel/DEC-M1> a krb:Beleidsmaatregel ; rdfs:label "DEC-M1"@nl ;
  dct:identifier "DEC-M1" ; krb:werkingsgebied <{BASE}/id/werkingsgebied/WK999901> ;
  krb:beleidsthema <{BASE}/id/beleidsthema/geluid> ;
  krb:document <{BASE}/id/besluitdocument/GEL-2030> ;
  dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2025-01-01"^^xsd:date ] .
<{BASE}/id/beoogd-effect/DEC-E1> a krb:BeoogdEffect ; rdfs:label "DEC-E1"@nl ;
  dct:identifier "DEC-E1" ;
  krb:maatregel <{BASE}/id/beleidsmaatregel/DEC-M1> ;
  krb:doelIndicator <{BASE}/id/beleidsindicator/DEC-I2> ;
  qudt:numericValue "-0.00010000000000000003"^^xsd:decimal ; qudt:hasUnit unit:MilliGM-PER-L .
<{BASE}/id/gerealiseerd-effect/DEC-R1> a krb:GerealiseerdEffect , sosa:Observation ;
  krb:beoogdEffect <{BASE}/id/beoogd-effect/DEC-E1> ;
  dct:source <{BASE}/id/databron/geluidmeetnet> ;
  sosa:observedProperty [ krb:veranderingVan <{BASE}/id/beleidsindicator/DEC-I2> ] ;
  sosa:hasFeatureOfInterest <{BASE}/id/werkingsgebied/WK999901> ;
  sosa:phenomenonTime [ a dct:PeriodOfTime ;
    dcat:startDate "2025-01-01"^^xsd:date ; dcat:endDate "2025-12-31"^^xsd:date ] ;
  sosa:hasResult [ a qudt:QuantityValue ;
    qudt:numericValue "-0.00020000000000000003"^^xsd:decimal ; qudt:hasUnit unit:MilliGM-PER-L ] .
"""

VOETBALVELD = f"<{BASE}/id/eenheid/voetbalveld>"

POLICY = "\n".join(
    [
        PREFIXES,
        # 1: Fahrenheit against Celsius, in the query (TF-IF) and in the import (TF-IC)
        _indicator("TF-IF", "unit:DEG_F"),
        _norm("TF-N1", "TF-IF", "maximaal", "0.0", "unit:DEG_C"),
        _norm("TF-N2", "TF-IF", "gelijk", "0.0", "unit:DEG_C"),
        _norm("TF-N3", "TF-IF", "minimaal", "0.0", "unit:DEG_C"),
        _measurement("tf-1", "TF-IF", "WK999901", "32", "unit:DEG_F"),
        _indicator("TF-IC", "unit:DEG_C"),
        _norm("TF-N4", "TF-IC", "maximaal", "0.0", "unit:DEG_C"),
        # 2: more than 18 decimals in the norm's own unit (and in another one)
        _indicator("DEC-I1", "unit:MilliGM-PER-L"),
        _norm("DEC-N1", "DEC-I1", "maximaal", "0.001", "unit:MilliGM-PER-L"),
        _norm("DEC-N2", "DEC-I1", "maximaal", "0.0001", "unit:MilliGM-PER-L"),
        _norm("DEC-N3", "DEC-I1", "maximaal", "1.0", "unit:MicroGM-PER-L"),
        _measurement("dec-1", "DEC-I1", "WK999901", "0.00030000000000000003", "unit:MilliGM-PER-L"),
        _indicator("DEC-IMP", "unit:MilliGM-PER-L"),
        _indicator("DEC-I2", "unit:MilliGM-PER-L"),
        _dated(
            "dec-2024",
            "DEC-I2",
            "2024-01-01",
            "2024-12-31",
            "0.00050000000000000003",
            "unit:MilliGM-PER-L",
        ),
        _dated(
            "dec-2025",
            "DEC-I2",
            "2025-01-01",
            "2025-12-31",
            "0.00030000000000000003",
            "unit:MilliGM-PER-L",
        ),
        EFFECT,
        # 3: norms above what the engine's decimals hold
        _indicator("BIG-I1", "unit:TONNE"),
        _norm("BIG-N1", "BIG-I1", "maximaal", "1000000000000000000000.0", "unit:KiloGM"),
        _measurement("big-1", "BIG-I1", "WK999901", "1000000000000000000", "unit:TONNE"),
        _indicator("BIG-I2", "unit:KiloGM"),
        _norm("BIG-N2", "BIG-I2", "maximaal", "200000000000000000000.0", "unit:KiloGM"),
        _norm("BIG-N3", "BIG-I2", "minimaal", "200000000000000000000.0", "unit:KiloGM"),
        _measurement("big-2", "BIG-I2", "WK999901", "1000", "unit:KiloGM"),
        # 4a: a municipality's own unit with a multiplier of its own
        f"""{VOETBALVELD} a qudt:Unit ; rdfs:label "voetbalveld"@nl ;
  qudt:conversionMultiplier 7140.0 ;
  qudt:hasDimensionVector <http://qudt.org/vocab/dimensionvector/A0E0L2I0M0H0T0D0> ;
  qudt:hasQuantityKind <http://qudt.org/vocab/quantitykind/Area> .""",
        _indicator("OWN-I", None),
        _norm("OWN-N", "OWN-I", "maximaal", "2.0", VOETBALVELD),
        _measurement("own-1", "OWN-I", "WK999902", "10000.0", "unit:M2"),
        # 4b: a hectare norm on square metres, then a data file restating the hectare
        _indicator("HA-I", "unit:M2"),
        _norm("HA-N", "HA-I", "maximaal", "1.5", "unit:HA"),
        _measurement("ha-1", "HA-I", "WK999901", "15000", "unit:M2"),
    ]
)

HIJACK = (
    "@prefix qudt: <http://qudt.org/schema/qudt/> .\n"
    "<http://qudt.org/vocab/unit/HA> qudt:conversionMultiplier 1.0 .\n"
)

METINGEN = "indicator;gebied;jaar;waarde;eenheid;bron\n"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("normtoets-edges")
    (folder / "beleid.ttl").write_text(POLICY, encoding="utf-8")
    (folder / "hectare.ttl").write_text(HIJACK, encoding="utf-8")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        paths = [*demo_paths(), folder / "beleid.ttl", folder / "hectare.ttl"]
        load_paths(handle, paths, replace=True, validate=False)
        yield handle


def _rows(store: Store, query: str, prefix: str) -> dict[str, list[dict]]:
    result = run_named_query(store, CATALOGUE, query, {"datum": DATUM})
    found: dict[str, list[dict]] = {}
    for row in result.dicts():
        code = str(row.get("code") or "")
        if code.startswith(prefix):
            found.setdefault(code, []).append(row)
    return found


def _one(rows: dict[str, list[dict]], code: str) -> dict:
    assert len(rows[code]) == 1, rows[code]
    return rows[code][0]


def _stored(store: Store, indicator: str) -> list[Decimal]:
    sparql = f"""
    PREFIX sosa: <http://www.w3.org/ns/sosa/>
    PREFIX qudt: <http://qudt.org/schema/qudt/>
    SELECT ?v WHERE {{ ?m sosa:observedProperty <{BASE}/id/beleidsindicator/{indicator}> ;
                          sosa:hasResult [ qudt:numericValue ?v ] }}"""
    return [Decimal(str(row[0])) for row in store.query(sparql).rows]


# --- 1: offsets -----------------------------------------------------------------------


def test_32_fahrenheit_meets_every_norm_of_0_celsius(store: Store) -> None:
    rows = _rows(store, "normtoets", "TF-N")
    for code in ("TF-N1", "TF-N2", "TF-N3"):
        row = _one(rows, code)
        assert str(row["oordeel"]) == "voldoet", (code, row)
        assert Decimal(str(row["marge"])) == 0, (code, row)


def test_storable_rounds_to_digits_of_the_si_value() -> None:
    units = krb_units.default_catalogue()
    fahrenheit, celsius = units.resolve("[degF]"), units.resolve("Cel")
    for typed, want in (("32", "0"), ("212", "100"), ("-40", "-40"), ("98.6", "37")):
        got = krb_units.storable(krb_units.convert(Decimal(typed), fahrenheit, celsius), celsius)
        assert got == Decimal(want), (typed, got)
    # without an offset nothing changes: 15 significant digits of the value
    gigajoule, megawatt_hour = units.resolve("GJ"), units.resolve("MW.h")
    value = krb_units.storable(
        krb_units.convert(Decimal(1), gigajoule, megawatt_hour), megawatt_hour
    )
    assert value == Decimal("0.277777777777778")


def test_the_import_stores_32_fahrenheit_as_0_celsius(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "fahrenheit.csv"
    path.write_text(METINGEN + "TF-IC;WK999901;2025;32;[degF];geluidmeetnet\n", encoding="utf-8")
    report = import_measurements(store, path, base_iri=BASE)
    try:
        assert _stored(store, "TF-IC") == [Decimal(0)]
        assert str(_one(_rows(store, "normtoets", "TF-N4"), "TF-N4")["oordeel"]) == "voldoet"
    finally:
        store.drop_graph(str(report.graph))


# --- 2: more than 18 decimals ---------------------------------------------------------


def test_a_value_with_more_than_18_decimals_in_the_norms_unit_gets_a_verdict(
    store: Store,
) -> None:
    rows = _rows(store, "normtoets", "DEC-N")
    assert str(_one(rows, "DEC-N1")["oordeel"]) == "voldoet"
    assert str(_one(rows, "DEC-N2")["oordeel"]) == "voldoet niet"
    margin = Decimal(str(_one(rows, "DEC-N2")["marge"]))
    assert abs(margin - Decimal("-0.0002")) < Decimal("1e-15"), margin
    assert str(_one(rows, "DEC-N3")["oordeel"]) == "voldoet"


def test_normgat_gives_the_gap_of_such_a_value(store: Store) -> None:
    row = _one(_rows(store, "normgat", "DEC-N2"), "DEC-N2")
    assert str(row["oordeel"]) == "sluit niet"
    assert abs(Decimal(str(row["gat"])) - Decimal("0.0002")) < Decimal("1e-15"), row
    assert abs(Decimal(str(row["restgat"])) - Decimal("0.0002")) < Decimal("1e-15"), row
    assert abs(Decimal(str(row["verwacht"])) - Decimal("0.0003")) < Decimal("1e-15"), row


def test_effectevaluatie_counts_such_values_in_one_unit(store: Store) -> None:
    """Same unit, so no conversion: the values themselves must still become numbers,
    or the change, the intended and the realised effect are left empty."""
    result = run_named_query(store, CATALOGUE, "effectevaluatie", {"datum": DATUM})
    rows = [r for r in result.dicts() if str(r["maatregel"]).endswith("/DEC-M1")]
    assert len(rows) == 1, rows
    row = rows[0]

    def near(column: str, expected: str) -> bool:
        return abs(Decimal(str(row[column])) - Decimal(expected)) < Decimal("1e-15")

    assert near("verandering", "-0.0002"), row
    assert near("beoogd", "-0.0001"), row
    assert near("aandeel", "2"), row
    assert near("gerealiseerd", "-0.0002"), row
    assert near("gerealiseerd_aandeel", "2"), row


def test_calculable_rounds_only_what_the_engine_cannot_hold() -> None:
    assert krb_units.calculable(Decimal("0.00030000000000000003")) == Decimal("0.0003")
    kept = Decimal("1234567890.123456789")  # 19 digits, 9 decimals: the engine holds it
    assert krb_units.calculable(kept) is kept
    # Rounding never costs what a double holds: a tiny value is not made 0 or a third
    # off (the research questions calculate with it in doubles), nor a large one's digits.
    for tiny in ("0.0000000000000000005", "0.0000000000000000015"):
        assert krb_units.calculable(Decimal(tiny)) == Decimal(tiny)
    large = Decimal("123456789012345678.0000000000000000001")
    assert krb_units.calculable(large) == Decimal("123456789012345678")


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def test_the_csv_import_stores_a_value_the_engine_calculates_with(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "decimalen.csv"
    text = f"DEC-IMP;WK999901;2025;{0.0001 * 3!r};mg/L;geluidmeetnet\n"
    assert "0.00030000000000000003" in text
    path.write_text(METINGEN + text, encoding="utf-8")
    report = import_measurements(store, path, base_iri=BASE)
    try:
        [value] = _stored(store, "DEC-IMP")
        assert value == Decimal("0.0003") and _decimals(value) <= 18
    finally:
        store.drop_graph(str(report.graph))


def test_the_workbook_import_stores_a_value_the_engine_calculates_with(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "decimalen.xlsx"
    write_template(path)
    book = load_workbook(path)
    cells = {
        "indicator": "DEC-IMP",
        "gebied": "WK999901",
        "jaar": 2025,
        "waarde": repr(0.0001 * 3),  # as text: openpyxl writes a float cell shorter
        "eenheid": "mg/L",
        "bron": "geluidmeetnet",
    }
    book["metingen"].append([cells.get(name) for name in SHEETS_BY_NAME["metingen"].names])
    book.save(path)
    report = import_workbook(store, path, base_iri=BASE)
    try:
        [value] = _stored(store, "DEC-IMP")
        assert value == Decimal("0.0003") and _decimals(value) <= 18
    finally:
        store.drop_graph(str(report.measurement_graph))
        with suppress(KeyError):  # the policy graph is made only when it holds something
            store.drop_graph(str(report.graph))


# --- 3: norms beyond the decimals' range ----------------------------------------------


def test_a_norm_above_the_decimals_range_gets_a_verdict(store: Store) -> None:
    rows = _rows(store, "normtoets", "BIG-N")
    assert str(_one(rows, "BIG-N1")["oordeel"]) == "voldoet"  # 1e18 t against 1e21 kg
    assert str(_one(rows, "BIG-N2")["oordeel"]) == "voldoet"  # 1000 kg against 2e20 kg
    assert str(_one(rows, "BIG-N3")["oordeel"]) == "voldoet niet"
    margin = Decimal(str(_one(rows, "BIG-N3")["marge"]))
    assert abs(margin + Decimal("2e20")) <= Decimal("2e20") * Decimal("1e-12"), margin


def test_normgat_gives_the_gap_to_such_a_norm(store: Store) -> None:
    row = _one(_rows(store, "normgat", "BIG-N3"), "BIG-N3")
    assert str(row["oordeel"]) == "sluit niet"
    gap = Decimal(str(row["gat"]))
    assert abs(gap - Decimal("2e20")) <= Decimal("2e20") * Decimal("1e-12"), gap


# --- 4: unit facts in registry data ---------------------------------------------------


def test_an_own_unit_converts_to_nothing_but_itself(store: Store) -> None:
    """The own unit declares a multiplier in data: 10000 m2 is no value in it."""
    row = _one(_rows(store, "normtoets", "OWN-N"), "OWN-N")
    assert str(row["oordeel"]) == "geen gegevens"
    assert row.get("waarde") is None


def test_a_data_file_restating_a_qudt_multiplier_changes_no_verdict(store: Store) -> None:
    """hectare.ttl says the hectare is 1 m2: 15000 m2 is still 1.5 ha, once."""
    row = _one(_rows(store, "normtoets", "HA-N"), "HA-N")
    assert str(row["oordeel"]) == "voldoet"
    assert Decimal(str(row["waarde"])) == Decimal("1.5")
