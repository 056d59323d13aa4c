"""Numbers of another kind never add up, and what converting leaves is no shortfall.

Two wrong answers of the research questions, found by an oracle over random registries:

- An intended effect set directly on an indicator without a unit, in km, was counted
  against a norm in kg as -50 kg (multipliers alone: both 1 in SI), and normgat said
  the gap "sluit". Effects and realised effects now convert by the rule measurements do
  (krbgraph.units.compatible): one of another kind counts nowhere.
- 1 GJ imported into an indicator in MWh is stored as 0.277777777777778 MWh (15 digits,
  krbgraph.units.storable), 1.0000000000000008 GJ back: against a norm "maximaal 1 GJ"
  normtoets said "voldoet niet" and normgat found a gap. A margin within a millionth of
  a millionth of the values compared is now 0.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from krbgraph.loading import load_paths
from krbgraph.measurements.importing import import_measurements
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.store import Store

CATALOGUE = load_catalogue()
BASE = "https://krb.test.nl"
DATA = Path(__file__).parent / "data" / "queries" / "onderzoek-basis.ttl"

KM_AGAINST_KG = """
<https://krb.test.nl/id/beleidsnorm/N1> a krb:Beleidsnorm ; rdfs:label "Maximaal 100 kg"@nl ;
    dct:identifier "N1" ; krb:indicator ind:I-NONE ; krb:document doc:DOC0 ;
    krb:operator op:maximaal ; qudt:numericValue 100.0 ; qudt:hasUnit unit:KiloGM ;
    krb:werkingsgebied g:WK000101 ;
    krb:bestuurslaag <https://data.krb.nl/id/begrip/bestuurslaag/gemeente> .
<https://krb.test.nl/id/beleidsmaatregel/M1> a krb:Beleidsmaatregel ; rdfs:label "Maatregel"@nl ;
    dct:identifier "M1" ; krb:beleidsthema th:t1 ; krb:document doc:DOC0 ;
    krb:werkingsgebied g:WK000101 ;
    adms:status <https://data.krb.nl/id/begrip/uitvoeringsstatus/gepland> ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "2024-01-01"^^xsd:date ;
                   dcat:endDate "2030-12-31"^^xsd:date ] .
<https://krb.test.nl/id/beoogd-effect/E1> a krb:BeoogdEffect ; rdfs:label "In km"@nl ;
    dct:identifier "E1" ; krb:maatregel <https://krb.test.nl/id/beleidsmaatregel/M1> ;
    krb:doelIndicator ind:I-NONE ; qudt:numericValue -0.05 ; qudt:hasUnit unit:KiloM .
<https://krb.test.nl/id/beoogd-effect/E2> a krb:BeoogdEffect ; rdfs:label "In g"@nl ;
    dct:identifier "E2" ; krb:maatregel <https://krb.test.nl/id/beleidsmaatregel/M1> ;
    krb:doelIndicator ind:I-NONE ; qudt:numericValue -2000.0 ; qudt:hasUnit unit:GM .
"""
MEASURED = """
<https://krb.test.nl/id/meting/m{year}> a sosa:Observation ; rdfs:label "Meting {year}"@nl ;
    sosa:observedProperty ind:I-NONE ; sosa:hasFeatureOfInterest g:WK000101 ;
    dct:source bron:b1 ;
    sosa:phenomenonTime [ a time:Interval , dct:PeriodOfTime ;
        dcat:startDate "{year}-01-01"^^xsd:date ; dcat:endDate "{year}-12-31"^^xsd:date ] ;
    sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue {value} ; qudt:hasUnit unit:KiloGM ] .
"""
GIGAJOULE = """
ind:I-MWH a krb:Beleidsindicator ; rdfs:label "Energieverbruik"@nl ; dct:identifier "I-MWH" ;
    qudt:hasUnit unit:MegaW-HR ; krb:beleidsthema th:t1 ;
    krb:indicatorsoort <https://data.krb.nl/id/begrip/indicatorsoort/effectindicator-milieu> .
bron:b2 a dcat:Dataset ; rdfs:label "Bron 2"@nl ; dct:identifier "b2" ;
    dct:publisher <https://krb.test.nl/id/afdeling/a1> ; krb:gemetenIndicator ind:I-MWH .
<https://krb.test.nl/id/beleidsnorm/N-GJ> a krb:Beleidsnorm ; rdfs:label "Maximaal 1 GJ"@nl ;
    dct:identifier "N-GJ" ; krb:indicator ind:I-MWH ; krb:document doc:DOC0 ;
    krb:operator op:{operator} ; qudt:numericValue 1.0 ; qudt:hasUnit unit:GigaJ ;
    krb:werkingsgebied g:WK000101 ;
    krb:bestuurslaag <https://data.krb.nl/id/begrip/bestuurslaag/gemeente> .
"""


def _load(store: Store, tmp_path: Path, text: str) -> None:
    path = tmp_path / "registry.ttl"
    path.write_text(DATA.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    load_paths(store, [path], base_iri=BASE)


def _rows(store: Store, query: str) -> list[dict[str, str]]:
    answer = run_named_query(store, CATALOGUE, query, {"datum": "2026-01-01"})
    return [{k: str(v) for k, v in row.items() if v is not None} for row in answer.dicts()]


def test_an_effect_in_a_unit_of_another_kind_counts_nowhere(
    model_store: Store, tmp_path: Path
) -> None:
    """E1 in km counts nowhere; E2 in g is -2 kg. Measured 130 kg then 120 kg."""
    measured = MEASURED.format(year=2023, value="130.0") + MEASURED.format(year=2025, value="120.0")
    _load(model_store, tmp_path, KM_AGAINST_KG + measured)
    (gap,) = _rows(model_store, "normgat")
    assert Decimal(gap["gat"]) == 20 and Decimal(gap["beoogd"]) == -2
    assert (gap["effecten"], Decimal(gap["restgat"]), gap["oordeel"]) == ("1", 18, "sluit niet")
    (evaluated,) = _rows(model_store, "effectevaluatie")
    assert evaluated["eenheid"].endswith("/KiloGM")
    assert Decimal(evaluated["verandering"]) == -10 and Decimal(evaluated["beoogd"]) == -2
    assert Decimal(evaluated["aandeel"]) == 5


def test_a_value_at_the_norm_after_conversion_meets_it(model_store: Store, tmp_path: Path) -> None:
    _load(model_store, tmp_path, GIGAJOULE.format(operator="maximaal"))
    measurements = tmp_path / "gj.csv"
    measurements.write_text(
        "indicator;gebied;jaar;waarde;eenheid;bron\nI-MWH;WK000101;2025;1;GJ;b2\n"
    )
    import_measurements(model_store, measurements, base_iri=BASE)
    (tested,) = _rows(model_store, "normtoets")
    assert (tested["oordeel"], Decimal(tested["marge"])) == ("voldoet", 0)
    assert _rows(model_store, "normgat") == []


def test_large_numbers_keep_their_verdict(model_store: Store, tmp_path: Path) -> None:
    """The tolerance is the values divided, never the margin multiplied: a margin of 1e9
    times 1e12 passes the engine's decimals and left no verdict."""
    big = KM_AGAINST_KG.replace(
        "100.0 ; qudt:hasUnit unit:KiloGM", "5000000000.0 ; qudt:hasUnit unit:KiloGM"
    )
    _load(model_store, tmp_path, big + MEASURED.format(year=2025, value="6000000000.0"))
    (tested,) = _rows(model_store, "normtoets")
    assert (tested["oordeel"], Decimal(tested["marge"])) == ("voldoet niet", -1000000000)
    (gap,) = _rows(model_store, "normgat")
    assert Decimal(gap["gat"]) == 1000000000 and gap["oordeel"] == "sluit niet"
