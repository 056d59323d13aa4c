"""The research answers on the demo with a few additions, as a researcher would ask them.

Each test adds a small graph to the demo registry (policy, measurements, a recorded
realised effect), asks normtoets, normgat or effectevaluatie as the API and the
command line do, and checks what the researcher reads: which measurements an effect
is judged by, whether a measurement of another kind than its norm gets a verdict,
which intended effects are still to come on a date, and that an area's answer holds
the areas in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from demo_backends import embedded_demo_fixture
from rdflib import Graph, URIRef

from krbgraph.derived import refresh
from krbgraph.measurements.importing import import_measurements
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.store import Store

store = embedded_demo_fixture()
CATALOGUE = load_catalogue()
BASE = "https://krb.demogemeente.nl"
DEMO = f"{BASE}/id/"
EXTRA = f"{BASE}/graph/test-onderzoek"
PREFIXES = """
@prefix beleidsthema: <https://krb.demogemeente.nl/id/beleidsthema/> .
@prefix beleidsaspect: <https://krb.demogemeente.nl/id/beleidsaspect/> .
@prefix beleidsindicator: <https://krb.demogemeente.nl/id/beleidsindicator/> .
@prefix beleidsnorm: <https://krb.demogemeente.nl/id/beleidsnorm/> .
@prefix beleidsmaatregel: <https://krb.demogemeente.nl/id/beleidsmaatregel/> .
@prefix beoogd-effect: <https://krb.demogemeente.nl/id/beoogd-effect/> .
@prefix werkingsgebied: <https://krb.demogemeente.nl/id/werkingsgebied/> .
@prefix besluitdocument: <https://krb.demogemeente.nl/id/besluitdocument/> .
@prefix afdeling: <https://krb.demogemeente.nl/id/afdeling/> .
@prefix databron: <https://krb.demogemeente.nl/id/databron/> .
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix normsoort: <https://data.krb.nl/id/begrip/normsoort/> .
@prefix indicatorsoort: <https://data.krb.nl/id/begrip/indicatorsoort/> .
@prefix normoperator: <https://data.krb.nl/id/begrip/normoperator/> .
@prefix bestuurslaag: <https://data.krb.nl/id/begrip/bestuurslaag/> .
@prefix uitvoeringsstatus: <https://data.krb.nl/id/begrip/uitvoeringsstatus/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix sosa: <http://www.w3.org/ns/sosa/> .
"""


@pytest.fixture
def extra(store: Store) -> Iterator[Store]:
    """The demo store; what a test adds with ``_add`` is gone after it."""
    yield store
    for graph in store.graphs():
        if graph.iri.startswith((EXTRA, f"{BASE}/graph/metingen/")):
            store.drop_graph(graph.iri)
    refresh(store)


def _add(store: Store, turtle: str, name: str = "") -> None:
    store.replace_graph(EXTRA + name, Graph().parse(data=PREFIXES + turtle, format="turtle"))
    refresh(store)  # the derived dates and areas, as every write path does


def _rows(store: Store, name: str, **values: str) -> list[dict[str, str]]:
    result = run_named_query(store, CATALOGUE, name, values)
    return [{k: str(v) for k, v in row.items() if v is not None} for row in result.dicts()]


def _short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


# --- effectevaluatie: an effect on a norm is judged by the measurements of that norm ----

SLEEP_MEASURE = """
beleidsmaatregel:T-M02 a krb:Beleidsmaatregel ;
    rdfs:label "Testmaatregel slaap"@nl ; dct:identifier "T-M02" ;
    krb:beleidsthema beleidsthema:geluid ; krb:document besluitdocument:GRO-2035 ;
    krb:werkingsgebied werkingsgebied:WK999903 ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2025-01-01"^^xsd:date ;
                   dcat:endDate "2030-12-31"^^xsd:date ] ;
    adms:status uitvoeringsstatus:in-uitvoering .
beoogd-effect:T-E02 a krb:BeoogdEffect ;
    rdfs:label "Test effect slaap"@nl ; dct:identifier "T-E02" ;
    krb:maatregel beleidsmaatregel:T-M02 ; krb:norm beleidsnorm:GEZ-N01 ;
    qudt:numericValue -1.0 ; qudt:hasUnit unit:PERCENT .
"""
# GEZ-N01 is a norm for the sector inwoners; the bezoekers measurements are later and
# larger, so any mix of the two shows in before, after and the share.
SLEEP_CSV = """indicator;gebied;periode_van;periode_tot;waarde;eenheid;bron;sector
GEZ-I01;WK999903;2024-09-01;2024-10-31;8,0;%;ggd-gezondheidsmonitor;inwoners
GEZ-I01;WK999903;2024-01-01;2024-12-31;20,0;%;ggd-gezondheidsmonitor;bezoekers
GEZ-I01;WK999903;2025-09-01;2025-10-31;7,5;%;ggd-gezondheidsmonitor;inwoners
GEZ-I01;WK999903;2025-01-01;2025-12-31;30,0;%;ggd-gezondheidsmonitor;bezoekers
"""

SECTOR_OF = """
PREFIX krb: <https://data.krb.nl/def/krb#>
SELECT ?m ?sector WHERE { ?m krb:sector ?sector }
"""


def test_an_effect_on_a_norm_is_judged_by_the_measurements_of_its_sector(
    extra: Store, tmp_path: Path
) -> None:
    _add(extra, SLEEP_MEASURE)
    csv = tmp_path / "slaap.csv"
    csv.write_text(SLEEP_CSV, encoding="utf-8")
    import_measurements(extra, csv, base_iri=BASE)
    rows = [
        r for r in _rows(extra, "effectevaluatie", datum="2026-06-01") if "T-M02" in r["maatregel"]
    ]
    assert len(rows) == 1
    row = rows[0]
    sector = {str(m): _short(str(s)) for m, s in extra.query(SECTOR_OF).rows}
    norm_sector = sector[f"{DEMO}beleidsnorm/GEZ-N01"]
    # Before and after are measurements of the norm's sector, as normtoets takes them.
    assert sector[row["voor"]] == sector[row["na"]] == norm_sector == "inwoners"
    toets = _rows(extra, "normtoets", datum="2026-06-01", gebied="WK999903")
    assert row["na"] in {r.get("meting") for r in toets if r["code"] == "GEZ-N01"}
    # 8,0 -> 7,5 %: -0,5 of the -1 intended, half of it realised.
    assert Decimal(row["voor_waarde"]) == 8 and Decimal(row["na_waarde"]) == Decimal("7.5")
    assert Decimal(row["verandering"]) == Decimal("-0.5")
    assert Decimal(row["aandeel"]) == Decimal("0.5")


# --- normtoets, normgat: a measurement of another kind than its norm is no value -------

UNITLESS = """
beleidsindicator:T-I05 a krb:Beleidsindicator ;
    rdfs:label "Indicator zonder eenheid"@nl ; dct:identifier "T-I05" ;
    krb:beleidsthema beleidsthema:groen ; krb:beleidsaspect beleidsaspect:groen-openbaar ;
    krb:indicatorsoort indicatorsoort:effectindicator-sociaal ;
    krb:afdeling afdeling:openbare-ruimte .
beleidsnorm:T-N05 a krb:Beleidsnorm ;
    rdfs:label "T5 maximaal 400 m"@nl ; dct:identifier "T-N05" ;
    krb:indicator beleidsindicator:T-I05 ; krb:document besluitdocument:GRO-2035 ;
    krb:operator normoperator:maximaal ; qudt:numericValue 400.0 ; qudt:hasUnit unit:M ;
    krb:normsoort normsoort:streefwaarde ; krb:werkingsgebied werkingsgebied:WK999902 ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2025-01-01"^^xsd:date ;
                   dcat:endDate "2035-12-31"^^xsd:date ] ;
    krb:bestuurslaag bestuurslaag:gemeente .
"""


def _observation(name: str, area: str, value: str, unit: str) -> str:
    return f"""
<{DEMO}meting/{name}> a sosa:Observation ;
    rdfs:label "Meting {name}"@nl ;
    sosa:observedProperty beleidsindicator:T-I05 ;
    sosa:hasFeatureOfInterest werkingsgebied:{area} ;
    sosa:phenomenonTime [ a dct:PeriodOfTime ; dcat:startDate "2025-01-01"^^xsd:date ;
                          dcat:endDate "2025-12-31"^^xsd:date ] ;
    sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue {value} ;
                     qudt:hasUnit unit:{unit} ] ;
    dct:source databron:cbs-nabijheid .
"""


@pytest.mark.parametrize(
    ("unit", "value", "expected"),
    [
        # kg and m are both 1 in SI: multipliers alone would read 500 kg as 500 m.
        ("KiloGM", "500", None),
        ("KiloGM", "0.3", None),
        ("PERCENT", "50", None),  # dimensionless against a length
        # A unit of the same kind still converts: 0,5 km is 500 m, 100 m too many.
        ("KiloM", "0.5", Decimal(-100)),
        ("M", "300", Decimal(100)),
    ],
)
def test_a_measurement_is_only_judged_in_a_unit_of_the_norms_kind(
    extra: Store, unit: str, value: str, expected: Decimal | None
) -> None:
    _add(extra, UNITLESS + _observation("T-I05-test", "BU99990202", value, unit))
    toets = [r for r in _rows(extra, "normtoets", datum="2026-01-15") if r["code"] == "T-N05"]
    assert [_short(r["meetgebied"]) for r in toets] == ["BU99990202"]
    row = toets[0]
    gat = [r for r in _rows(extra, "normgat", datum="2026-01-15") if r["code"] == "T-N05"]
    if expected is None:
        assert (row["oordeel"], row.get("waarde"), row.get("marge")) == (
            "geen gegevens",
            None,
            None,
        )
        assert [(r["oordeel"], r.get("gat")) for r in gat] == [("geen gegevens", None)]
        return
    assert round(Decimal(row["marge"]), 6) == expected
    assert row["oordeel"] == ("voldoet" if expected >= 0 else "voldoet niet")
    assert [round(Decimal(r["gat"]), 6) for r in gat] == ([-expected] if expected < 0 else [])


# --- normgat: a realised effect counts from the end of its period -----------------------

TO_COME = """
beleidsmaatregel:T-M01 a krb:Beleidsmaatregel ;
    rdfs:label "Testmaatregel"@nl ; dct:identifier "T-M01" ;
    krb:beleidsthema beleidsthema:groen ; krb:document besluitdocument:GRO-2035 ;
    krb:werkingsgebied werkingsgebied:WK999902 ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2025-06-01"^^xsd:date ;
                   dcat:endDate "2030-12-31"^^xsd:date ] ;
    adms:status uitvoeringsstatus:in-uitvoering .
beoogd-effect:T-E01 a krb:BeoogdEffect ;
    rdfs:label "Test effect"@nl ; dct:identifier "T-E01" ;
    krb:maatregel beleidsmaatregel:T-M01 ; krb:norm beleidsnorm:GRO-N01 ;
    qudt:numericValue -0.2 ; qudt:hasUnit unit:KiloM .
<https://krb.demogemeente.nl/id/gerealiseerd-effect/T-E01-2027>
    a krb:GerealiseerdEffect , sosa:Observation ;
    rdfs:label "Gerealiseerd T-E01 2027"@nl ;
    krb:beoogdEffect beoogd-effect:T-E01 ;
    sosa:observedProperty [ krb:veranderingVan beleidsindicator:GRO-I01 ] ;
    sosa:hasFeatureOfInterest werkingsgebied:WK999902 ;
    sosa:phenomenonTime [ a dct:PeriodOfTime ; dcat:startDate "2027-01-01"^^xsd:date ;
                          dcat:endDate "2027-12-31"^^xsd:date ] ;
    sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue -0.08 ; qudt:hasUnit unit:KiloM ] ;
    dct:source databron:cbs-nabijheid .
"""


@pytest.mark.parametrize(
    ("datum", "intended", "measures"),
    [
        # Before the end of the 2027 evaluation T-E01 is still to come, beside GRO-E01.
        ("2026-01-15", Decimal("-0.3"), {"GRO-M01", "T-M01"}),
        ("2027-12-30", Decimal("-0.3"), {"GRO-M01", "T-M01"}),
        # From its last day on it is in the measurements: only GRO-E01 is to come.
        ("2027-12-31", Decimal("-0.1"), {"GRO-M01"}),
        ("2028-06-01", Decimal("-0.1"), {"GRO-M01"}),
    ],
)
def test_an_effect_evaluated_after_the_date_is_still_to_come_on_it(
    extra: Store, datum: str, intended: Decimal, measures: set[str]
) -> None:
    _add(extra, TO_COME)
    rows = [
        r
        for r in _rows(extra, "normgat", datum=datum)
        if (r["code"], _short(r["meetgebied"])) == ("GRO-N01", "BU99990202")
    ]
    assert len(rows) == 1
    row = rows[0]
    assert Decimal(row["beoogd"]) == intended
    assert int(row["effecten"]) == len(measures)
    assert {_short(m) for m in row["maatregelen"].split()} == measures


# --- effectevaluatie: an area's answer holds the areas in it ----------------------------

INSIDE = """
PREFIX krb: <https://data.krb.nl/def/krb#>
SELECT ?binnen WHERE { ?binnen krb:ligtBinnen? ?gebied }
"""


def _key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(
        row.get(c, "")
        for c in (
            "maatregel",
            "indicator",
            "meetgebied",
            "voor",
            "na",
            "verandering",
            "beoogd",
            "gerealiseerd",
        )
    )


@pytest.mark.parametrize("gebied", ["GM9999", "WK999902", "WK999901", "parkstraat", "BU99990202"])
def test_effectevaluatie_for_an_area_is_the_answer_for_the_areas_in_it(
    store: Store, gebied: str
) -> None:
    everything = _rows(store, "effectevaluatie", datum="2026-11-28")
    asked = _rows(store, "effectevaluatie", datum="2026-11-28", gebied=gebied)
    area = next(
        iri
        for iri in {r["meetgebied"] for r in everything} | {f"{DEMO}werkingsgebied/{gebied}"}
        if _short(iri) == gebied
    )
    inside = {str(r[0]) for r in store.query(INSIDE, bindings={"gebied": URIRef(area)}).rows}
    expected = sorted(_key(r) for r in everything if r["meetgebied"] in inside)
    # Every row of an area inside, once, with the same sums as without the filter.
    assert sorted(_key(r) for r in asked) == expected
    assert expected  # each of these areas has effects in it


# --- a reference and a before value in another unit than the latest measurement --------

DECREASE = """
beleidsnorm:T-N06 a krb:Beleidsnorm ;
    rdfs:label "T6 minimaal 30 m korter"@nl ; dct:identifier "T-N06" ;
    krb:indicator beleidsindicator:T-I05 ; krb:document besluitdocument:GRO-2035 ;
    krb:operator normoperator:minimale-afname ; qudt:numericValue 30.0 ; qudt:hasUnit unit:M ;
    krb:referentiedatum "2022-06-30"^^xsd:date ;
    krb:normsoort normsoort:streefwaarde ; krb:werkingsgebied werkingsgebied:WK999902 ;
    krb:rekenmethode "Afstand" ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2025-01-01"^^xsd:date ;
                   dcat:endDate "2035-12-31"^^xsd:date ] ;
    krb:bestuurslaag bestuurslaag:gemeente .
beleidsmaatregel:T-M06 a krb:Beleidsmaatregel ;
    rdfs:label "Testmaatregel afstand"@nl ; dct:identifier "T-M06" ;
    krb:beleidsthema beleidsthema:groen ; krb:document besluitdocument:GRO-2035 ;
    krb:werkingsgebied werkingsgebied:BU99990202 ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2024-01-01"^^xsd:date ;
                   dcat:endDate "2030-12-31"^^xsd:date ] ;
    adms:status uitvoeringsstatus:in-uitvoering .
beoogd-effect:T-E06 a krb:BeoogdEffect ;
    rdfs:label "Test effect afstand"@nl ; dct:identifier "T-E06" ;
    krb:maatregel beleidsmaatregel:T-M06 ; krb:norm beleidsnorm:T-N06 ;
    qudt:numericValue -40.0 ; qudt:hasUnit unit:M .
"""


def _measured(name: str, start: str, end: str, value: str, unit: str) -> str:
    return (
        _observation(name, "BU99990202", value, unit)
        .replace('"2025-01-01"^^xsd:date', f'"{start}"^^xsd:date')
        .replace('"2025-12-31"^^xsd:date', f'"{end}"^^xsd:date')
    )


def test_a_reference_and_a_before_value_convert_from_their_own_unit(extra: Store) -> None:
    """An indicator without a unit holds measurements in several: 0.2 km in 2022 and 150 m
    in 2025. The reference and the before value were read in the latest one's unit
    (0.2 m): a decrease of 50 m became an increase of 149.8 m."""
    _add(
        extra,
        UNITLESS
        + DECREASE
        + _measured("T-I05-2022", "2022-01-01", "2022-12-31", "0.2", "KiloM")
        + _measured("T-I05-2025", "2025-01-01", "2025-12-31", "150", "M"),
    )
    toets = [r for r in _rows(extra, "normtoets", datum="2026-01-15") if r["code"] == "T-N06"]
    assert [(Decimal(r["referentie"]), Decimal(r["marge"]), r["oordeel"]) for r in toets] == [
        (200, 20, "voldoet")
    ]
    assert not [r for r in _rows(extra, "normgat", datum="2026-01-15") if r["code"] == "T-N06"]
    (row,) = [
        r
        for r in _rows(extra, "effectevaluatie", datum="2026-01-15")
        if _short(r["maatregel"]) == "T-M06"
    ]
    assert _short(row["eenheid"]) == "M"
    assert (Decimal(row["voor_waarde"]), Decimal(row["na_waarde"])) == (200, 150)
    assert (Decimal(row["verandering"]), Decimal(row["aandeel"])) == (-50, Decimal("1.25"))
    # Asked before the 2022 measurement ended, there is no before value yet.
    (early,) = [
        r
        for r in _rows(extra, "effectevaluatie", datum="2022-06-30")
        if _short(r["maatregel"]) == "T-M06"
    ]
    assert "voor" not in early and "voor_waarde" not in early


TWO_UNITS = """
beleidsmaatregel:T-M07 a krb:Beleidsmaatregel ;
    rdfs:label "Testmaatregel energie"@nl ; dct:identifier "T-M07" ;
    krb:beleidsthema beleidsthema:groen ; krb:document besluitdocument:GRO-2035 ;
    krb:werkingsgebied werkingsgebied:BU99990202 ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2024-01-01"^^xsd:date ;
                   dcat:endDate "2030-12-31"^^xsd:date ] ;
    adms:status uitvoeringsstatus:in-uitvoering .
beleidsindicator:T-I07 a krb:Beleidsindicator ;
    rdfs:label "Indicator in kWh"@nl ; dct:identifier "T-I07" ; qudt:hasUnit unit:KiloW-HR ;
    krb:beleidsthema beleidsthema:groen ; krb:beleidsaspect beleidsaspect:groen-openbaar ;
    krb:indicatorsoort indicatorsoort:effectindicator-sociaal ;
    krb:afdeling afdeling:openbare-ruimte .
beoogd-effect:T-E07a a krb:BeoogdEffect ;
    rdfs:label "Test effect MWh"@nl ; dct:identifier "T-E07a" ;
    krb:maatregel beleidsmaatregel:T-M07 ; krb:doelIndicator beleidsindicator:T-I07 ;
    qudt:numericValue -0.08 ; qudt:hasUnit unit:MegaW-HR .
beoogd-effect:T-E07b a krb:BeoogdEffect ;
    rdfs:label "Test effect MJ"@nl ; dct:identifier "T-E07b" ;
    krb:maatregel beleidsmaatregel:T-M07 ; krb:doelIndicator beleidsindicator:T-I07 ;
    qudt:numericValue -72.0 ; qudt:hasUnit unit:MegaJ .
"""


def test_effects_in_two_units_add_up_in_one_row_without_measurements(extra: Store) -> None:
    """Without a measurement each effect's own unit was the row's: -0.08 MWh and -72 MJ
    came as two rows, neither with the -100 kWh intended."""
    _add(extra, TWO_UNITS)
    rows = [
        r
        for r in _rows(extra, "effectevaluatie", datum="2026-01-15")
        if _short(r["maatregel"]) == "T-M07"
    ]
    assert [(_short(r["eenheid"]), round(Decimal(r["beoogd"]), 6)) for r in rows] == [
        ("KiloW-HR", -100)
    ]


def test_effects_in_two_units_on_an_indicator_without_a_unit_add_up_in_one_row(
    extra: Store,
) -> None:
    """Without a measurement and without a unit of the indicator each effect's own unit
    was still the row's: two rows, neither with the sum (-360 MJ, that is -0.1 MWh)."""
    _add(extra, TWO_UNITS.replace(" qudt:hasUnit unit:KiloW-HR ;", ""))
    rows = [
        r
        for r in _rows(extra, "effectevaluatie", datum="2026-01-15")
        if _short(r["maatregel"]) == "T-M07"
    ]
    assert [(_short(r["eenheid"]), round(Decimal(r["beoogd"]), 6)) for r in rows] == [
        ("MegaJ", -360)
    ]


# --- effectevaluatie: a start date is the day as written -------------------------------


def _start_of_gel_m01(store: Store, written: str) -> None:
    """GEL-M01's own start date, in whichever graph holds it, becomes ``written``."""
    store.update(
        "PREFIX dct: <http://purl.org/dc/terms/> PREFIX dcat: <http://www.w3.org/ns/dcat#> "
        "DELETE { GRAPH ?g { ?p dcat:startDate ?old } } "
        f"INSERT {{ GRAPH ?g {{ ?p dcat:startDate {written} }} }} "
        f"WHERE {{ GRAPH ?g {{ <{DEMO}beleidsmaatregel/GEL-M01> dct:temporal ?p . "
        "?p dcat:startDate ?old } }"
    )
    refresh(store)


def _gel_m01(store: Store) -> list[dict[str, str]]:
    rows = [
        r
        for r in _rows(store, "effectevaluatie", datum="2026-01-01")
        if r["maatregel"].endswith("/GEL-M01")
    ]
    return sorted(rows, key=lambda r: sorted(r.items()))


def test_a_start_date_with_a_time_zone_is_judged_as_the_day_it_names(extra: Store) -> None:
    """``"2025-01-01+01:00"^^xsd:date`` is a valid date and the derived dates read it as 1
    January; compared as written with a measurement's plain date it is neither before nor
    after, so every "after" measurement was lost."""
    plain = '"2025-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'
    zoned = '"2025-01-01+01:00"^^<http://www.w3.org/2001/XMLSchema#date>'
    original = _gel_m01(extra)
    try:
        _start_of_gel_m01(extra, plain)
        as_plain = _gel_m01(extra)
        _start_of_gel_m01(extra, zoned)
        as_zoned = _gel_m01(extra)
    finally:
        _start_of_gel_m01(extra, '"2021-04-01"^^<http://www.w3.org/2001/XMLSchema#date>')
    assert _gel_m01(extra) == original
    assert any("na_waarde" in r for r in as_plain), "the plain start has measurements after"
    assert as_zoned == as_plain


# --- the classifying questions list policy, never measurements ------------------------

MEASURED_ON_A_HOUSE = """
<https://krb.demogemeente.nl/id/meting/test-woning> a sosa:Observation ;
    sosa:observedProperty beleidsindicator:GEL-I01 ;
    sosa:hasFeatureOfInterest werkingsgebied:GM9999 ;
    sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue 50.0 ; qudt:hasUnit unit:DeciB_A ] ;
    krb:sector <https://data.krb.nl/id/begrip/sector/inwoners> ;
    krb:leefomgeving <https://data.crow.nl/imbor/def/5315f7e0-0826-4a68-8a7b-808f32a983a0> .
"""


@pytest.mark.parametrize(
    ("name", "column", "values"),
    [
        ("normen-per-indeling", "norm", {"begrip": "Inwoners"}),
        ("normen-per-indeling", "norm", {"begrip": "Particulieren"}),
        ("normen-per-zoekingang", "norm", {"zoekingang": "Vastgoed"}),
        ("normen-per-imbor-objecttype", "object", {"objecttype": "Woongebouw"}),
    ],
)
def test_a_measurement_classified_like_a_norm_is_never_listed_as_policy(
    extra: Store, name: str, column: str, values: dict[str, str]
) -> None:
    """A measurement carries the sector and object type of what it measures (krb
    import-metingen, and the demo's GGD measurements); the norm questions listed it as
    a norm, the object-type question as a measure."""
    _add(extra, MEASURED_ON_A_HOUSE)
    rows = _rows(extra, name, datum="2025-06-01", **values)
    assert rows, "the question has policy answers"
    policy = {
        str(row[0])
        for row in extra.query(
            "PREFIX krb: <https://data.krb.nl/def/krb#> SELECT DISTINCT ?x WHERE { "
            "VALUES ?k { krb:Beleidsnorm krb:Beleidsmaatregel krb:MerMaatregel } ?x a ?k }"
        ).rows
    }
    assert {row[column] for row in rows} <= policy
