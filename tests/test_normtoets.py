"""Normtoets and effectevaluatie: verdicts, margins and realised shares.

On the demo the expectations are computed by hand from examples/demo (the norms)
and examples/onderzoek/demo-metingen.csv (the measurements), on both backends. Beside
that a property: for random norms and measurements the query gives the verdict a
plain Python reading of the rules gives (latest measurement per area, conversion to
the norm's unit, the reference of a change).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from demo_backends import demo_store_fixture
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from normtoets_support import verdicts
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.namespace import RDF

from krbgraph.derived import refresh
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

store = demo_store_fixture()
CATALOGUE = load_catalogue()
DAY = "2026-11-28"

KRB = Namespace("https://data.krb.nl/def/krb#")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OP = Namespace("https://data.krb.nl/id/begrip/normoperator/")
EX = Namespace("https://krb.example.org/id/")


def _rows(store: Store, name: str, **values: str) -> list[dict[str, str]]:
    result = run_named_query(store, CATALOGUE, name, {"datum": DAY, **values})
    return [
        {k: str(v) for k, v in zip(result.variables, row, strict=True) if v is not None}
        for row in result.rows
    ]


def _verdicts(rows: list[dict[str, str]]) -> dict[tuple[str, str], tuple[str, Decimal | None]]:
    return {
        (row["code"], row["meetgebied_label"]): (
            row["oordeel"],
            Decimal(row["marge"]) if "marge" in row else None,
        )
        for row in rows
    }


def test_normtoets_on_the_demo(store: Store) -> None:
    verdicts = _verdicts(_rows(store, "normtoets"))
    d = Decimal
    expected = {
        # GEL-N01 max 48 dB(A): the latest (2025) value per street.
        ("GEL-N01", "Parkstraat"): ("voldoet niet", d("-1.6")),  # 49,6
        ("GEL-N01", "Vlietweg"): ("voldoet", d("0.7")),  # 47,3
        ("GEL-N01", "Parklaan van Spui tot Vliet"): ("voldoet", d("1.8")),  # 46,2
        # GEL-N04 max 52 dB(A), in force since 2026-01-01.
        ("GEL-N04", "Parkstraat"): ("voldoet", d("2.4")),
        # GEZ-N01 maximale toename 0 % over the reference 8,0 %.
        ("GEZ-N01", "Centrum"): ("voldoet", d("0.4")),  # 7,6 in 2024
        ("GEZ-N01", "Parkkwartier"): ("voldoet niet", d("-0.9")),  # 8,9 in 2024
        ("GEZ-N01", "Vlietoever"): ("voldoet", d("0.1")),  # 7,9 in 2022, the latest
        # GRO-N01 max 0,4 km; Parkzicht was given as 450 m.
        ("GRO-N01", "Parkbuurt"): ("voldoet", d("0.05")),
        ("GRO-N01", "Parkkwartier"): ("voldoet", d("0")),  # exactly on the norm
        ("GRO-N01", "Parkzicht"): ("voldoet niet", d("-0.05")),
        # No measurement inside the Gebouwlocatie: the wijk values do not count there.
        ("GEZ-N02", "Gebouwlocatie"): ("geen gegevens", None),
        ("GRO-N02", "Demogemeente"): ("geen gegevens", None),
    }
    assert {key: verdicts.get(key) for key in expected} == expected
    # The expired plandrempel GEL-N02 is not tested, the label norm ENE-N01 (in force from
    # 2027) not yet: tests/test_normtoets_labels.py.
    assert not {code for code, _ in verdicts} & {"GEL-N02", "ENE-N01"}


def test_normtoets_for_one_area_and_on_an_earlier_date(store: Store) -> None:
    rows = _rows(store, "normtoets", gebied="parkstraat", datum="2024-06-30")
    by_code = {row["code"]: row for row in rows if row["meetgebied_label"] == "Parkstraat"}
    # On 2024-06-30 the latest ended measurement is that of 2022 (50,9 dB(A)).
    assert by_code["GEL-N01"]["waarde"] == "50.9"
    assert by_code["GEL-N01"]["oordeel"] == "voldoet niet"
    assert by_code["GEL-N02"]["oordeel"] == "voldoet"  # 55 dB(A), in force until 2025
    assert "GEL-N04" not in by_code  # not yet in force
    assert {row["meetgebied_label"] for row in rows} <= {"Parkstraat"}


def test_effectevaluatie_on_the_demo(store: Store) -> None:
    rows = _rows(store, "effectevaluatie")
    found = {
        (row["maatregel_label"], row["indicator_label"], row["meetgebied_label"]): (
            row.get("voor_waarde"),
            row.get("na_waarde"),
            row.get("verandering"),
            row["beoogd"],
            row.get("aandeel"),
        )
        for row in rows
    }
    # Stil asfalt since 2021-04-01 in the Parkstraat: 52,0 (2020) -> 49,6 (2025), -3 intended.
    stil = found[("Stil asfalt", "Geluidsdruk gevel (Lden)", "Parkstraat")]
    assert [Decimal(v) for v in stil] == [52, Decimal("49.6"), Decimal("-2.4"), -3, Decimal("0.8")]
    # Groene speelplaatsen since 2025 in Parkkwartier: 0,55 -> 0,40 km, -0,1 km intended:
    # the method's Groen example (-0,15 km realised).
    groen = found[("Bouw groene speelplaatsen", "Afstand tot openbaar groen", "Parkkwartier")]
    assert [Decimal(v) for v in groen] == [
        Decimal("0.55"),
        Decimal("0.4"),
        Decimal("-0.15"),
        Decimal("-0.1"),
        Decimal("1.5"),
    ]
    # An effect without measurements keeps its intended value and no share.
    speel = found[("Bouw groene speelplaatsen", "Afstand tot speelterrein", "Parkkwartier")]
    assert speel == (None, None, None, "-0.1", None)


# --- The property: the query agrees with the rules read in Python ------------------------

PEIL = date(2025, 6, 30)
OPERATORS = [
    "maximaal",
    "minimaal",
    "gelijk",
    "maximale-toename",
    "minimale-toename",
    "maximale-afname",
    "minimale-afname",
]
RELATIVE = set(OPERATORS[3:])
AREAS = ["A", "B", "C", "D"]  # B and C lie in A, the norm's area; D lies elsewhere
NORM_UNITS = {"KiloM": Decimal(1), "M": Decimal(1000)}  # factor from the stored km


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("property")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        yield handle


values = st.decimals(min_value=0, max_value=3, places=1)
measurement = st.tuples(
    st.sampled_from(AREAS),
    st.integers(min_value=2021, max_value=2026),
    st.sampled_from([0, 1, 2, 3, 4]),  # 0: the whole year, else a quarter
    values,
)
case = st.fixed_dictionaries(
    {
        "operator": st.sampled_from(OPERATORS),
        "norm": values,
        "unit": st.sampled_from(sorted(NORM_UNITS)),
        "reference": st.one_of(st.none(), values),
        "reference_date": st.dates(min_value=date(2021, 1, 1), max_value=date(2025, 6, 30)),
        "measurements": st.lists(measurement, max_size=8),
    }
)


def _period(year: int, quarter: int) -> tuple[date, date]:
    if quarter == 0:
        return date(year, 1, 1), date(year, 12, 31)
    ends = {1: date(year, 3, 31), 2: date(year, 6, 30), 3: date(year, 9, 30), 4: date(year, 12, 31)}
    return date(year, 3 * quarter - 2, 1), ends[quarter]


def _graph(data: dict) -> tuple[Graph, dict[str, tuple[str, date, date, Decimal]]]:
    graph = Graph()
    indicator, norm = EX["beleidsindicator/I"], EX["beleidsnorm/N"]
    for area in AREAS:
        graph.add((EX[f"werkingsgebied/{area}"], RDF.type, KRB.Werkingsgebied))
    for area in ("B", "C"):
        graph.add((EX[f"werkingsgebied/{area}"], KRB.ligtIn, EX["werkingsgebied/A"]))
    graph.add((indicator, RDF.type, KRB.Beleidsindicator))
    graph.add((indicator, QUDT.hasUnit, UNIT.KiloM))
    factor = NORM_UNITS[data["unit"]]
    graph.add((norm, RDF.type, KRB.Beleidsnorm))
    graph.add((norm, KRB.indicator, indicator))
    graph.add((norm, KRB.operator, OP[data["operator"]]))
    graph.add((norm, QUDT.numericValue, Literal(str(data["norm"] * factor), datatype=XSD.decimal)))
    graph.add((norm, QUDT.hasUnit, UNIT[data["unit"]]))
    graph.add((norm, KRB.werkingsgebied, EX["werkingsgebied/A"]))
    if data["reference"] is not None:
        value = str(data["reference"] * factor)
        graph.add((norm, KRB.referentiewaarde, Literal(value, datatype=XSD.decimal)))
    graph.add(
        (norm, KRB.referentiedatum, Literal(data["reference_date"].isoformat(), datatype=XSD.date))
    )
    measured = {}
    for number, (area, year, quarter, value) in enumerate(data["measurements"]):
        start, end = _period(year, quarter)
        node = EX[f"meting/m{number:02d}"]
        period, result = BNode(), BNode()
        graph.add((node, RDF.type, SOSA.Observation))
        graph.add((node, SOSA.observedProperty, indicator))
        graph.add((node, SOSA.hasFeatureOfInterest, EX[f"werkingsgebied/{area}"]))
        graph.add((node, SOSA.phenomenonTime, period))
        graph.add((period, DCAT.startDate, Literal(start.isoformat(), datatype=XSD.date)))
        graph.add((period, DCAT.endDate, Literal(end.isoformat(), datatype=XSD.date)))
        graph.add((node, SOSA.hasResult, result))
        graph.add((result, QUDT.numericValue, Literal(str(value), datatype=XSD.decimal)))
        graph.add((result, QUDT.hasUnit, UNIT.KiloM))
        measured[str(node)] = (area, start, end, value)
    return graph, measured


def _expected(data: dict, measured: dict) -> dict[str, tuple[str | None, str, Decimal | None]]:
    """Area -> (measurement, verdict, margin), by the rules in sparql/normtoets.rq."""
    factor = NORM_UNITS[data["unit"]]
    norm = data["norm"] * factor
    latest: dict[str, tuple[date, str]] = {}
    for iri, (area, _start, end, _value) in measured.items():
        if area != "D" and end <= PEIL and (end, iri) > latest.get(area, (date.min, "")):
            latest[area] = (end, iri)
    if not latest:
        return {"A": (None, "geen gegevens", None)}
    answer = {}
    for area, (_end, iri) in latest.items():
        value = measured[iri][3] * factor
        reference = None
        if data["operator"] in RELATIVE:
            if data["reference"] is not None:
                reference = data["reference"] * factor
            else:
                holding = [
                    (start, other)
                    for other, (where, start, end, _v) in measured.items()
                    if where == area and start <= data["reference_date"] <= end
                ]
                if holding:
                    reference = measured[max(holding)[1]][3] * factor
        if data["operator"] in RELATIVE and reference is None:
            answer[area] = (iri, "geen gegevens", None)
            continue
        result = _margin(data["operator"], value, norm, reference)
        answer[area] = (iri, "voldoet" if result >= 0 else "voldoet niet", result)
    return answer


def _margin(operator: str, value: Decimal, norm: Decimal, reference: Decimal | None) -> Decimal:
    change = value - reference if reference is not None else Decimal(0)
    return {
        "maximaal": norm - value,
        "minimaal": value - norm,
        "gelijk": -abs(value - norm),
        "maximale-toename": norm - change,
        "minimale-toename": change - norm,
        "maximale-afname": norm + change,
        "minimale-afname": -change - norm,
    }[operator]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=case)
def test_normtoets_agrees_with_the_rules(empty_store: Store, data: dict) -> None:
    graph, measured = _graph(data)
    empty_store.replace_graph("https://krb.example.org/graph/property", graph)
    refresh(empty_store)  # the derived dates and areas, as every write path does
    found = verdicts(empty_store, CATALOGUE, PEIL, Decimal)
    assert found == _expected(data, measured)


def test_effectevaluatie_shows_the_recorded_realised_effect_beside_the_change(
    store: Store,
) -> None:
    """examples/onderzoek/gerealiseerde-effecten.ttl: research attributes -2,0 dB(A) of the
    Parkstraat's -2,4 to Stil asfalt (GEL-E01, -3 intended), from the geluidmeetnet."""
    rows = _rows(store, "effectevaluatie", thema="Geluid")
    stil = [
        row
        for row in rows
        if (row["maatregel_label"], row["indicator_label"], row["meetgebied_label"])
        == ("Stil asfalt", "Geluidsdruk gevel (Lden)", "Parkstraat")
    ]
    assert len(stil) == 1
    row = stil[0]
    assert Decimal(row["verandering"]) == Decimal("-2.4")  # computed from the levels
    assert Decimal(row["gerealiseerd"]) == Decimal("-2.0")  # recorded
    assert round(Decimal(row["gerealiseerd_aandeel"]), 4) == Decimal("0.6667")
    assert row["gerealiseerd_bron"].endswith("/databron/geluidmeetnet")
    # the realised effect is no measurement of the level: before and after are unchanged
    assert Decimal(row["voor_waarde"]) == 52 and Decimal(row["na_waarde"]) == Decimal("49.6")
    # an effect without a record has no realised value
    groen = [r for r in _rows(store, "effectevaluatie") if r["maatregel_label"] != "Stil asfalt"]
    assert groen and all("gerealiseerd" not in r for r in groen)
