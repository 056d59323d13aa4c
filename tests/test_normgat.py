"""Normgat: will the intended effects still to come close what a norm misses?

On the demo the expectations are computed by hand from examples/demo (norms, measures,
effects, statuses) and examples/onderzoek/demo-metingen.csv, on both backends. Beside
that a property: for random norms, measurements and effects the query gives what a
plain Python reading of the rules gives (the gap of normtoets, which effects count,
their sum in the norm's unit, the verdict and the gap left), and its gap is always
normtoets's shortfall for the same norm and area.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from demo_backends import demo_store_fixture, fill_with_demo
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.namespace import RDF
from test_normtoets import (
    AREAS,
    EX,
    KRB,
    NORM_UNITS,
    PEIL,
    QUDT,
    UNIT,
    XSD,
    _expected,
    _graph,
)
from test_normtoets import case as normtoets_case

from krbgraph.derived import refresh
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store
from krbgraph.web.app import create_app

store = demo_store_fixture()
CATALOGUE = load_catalogue()
DAY = "2026-11-28"
ADMS = Namespace("http://www.w3.org/ns/adms#")
US = Namespace("https://data.krb.nl/id/begrip/uitvoeringsstatus/")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DEMO = "https://krb.demogemeente.nl/id/"


def _rows(store: Store, **values: str) -> list[dict[str, str]]:
    result = run_named_query(store, CATALOGUE, "normgat", {"datum": DAY, **values})
    return [
        {k: str(v) for k, v in zip(result.variables, row, strict=True) if v is not None}
        for row in result.rows
    ]


def test_normgat_on_the_demo(store: Store) -> None:
    rows = _rows(store)
    found = {
        (row["code"], row["meetgebied_label"]): (
            row["oordeel"],
            Decimal(row["gat"]) if "gat" in row else None,
            Decimal(row["beoogd"]),
            Decimal(row["restgat"]) if "restgat" in row else None,
            row.get("maatregelen", "").replace(DEMO, ""),
        )
        for row in rows
    }
    d = Decimal
    expected = {
        # 49,6 dB(A) against max 48: Stil asfalt is afgerond (its -3 is in the 2025
        # measurement already), nothing else is planned on the Parkstraat.
        ("GEL-N01", "Parkstraat"): ("sluit niet", d("1.6"), d(0), d("1.6"), ""),
        # 8,9 % against the reference 8,0 % with at most 0 % increase; no effects.
        ("GEZ-N01", "Parkkwartier"): ("sluit niet", d("0.9"), d(0), d("0.9"), ""),
        # 0,45 km against max 0,4 km in Parkzicht, which lies in Parkkwartier, where
        # Bouw groene speelplaatsen (in uitvoering until 2030) promises -0,1 km:
        # 0,35 km expected, the gap closes.
        ("GRO-N01", "Parkzicht"): (
            "sluit",
            d("0.05"),
            d("-0.1"),
            d(0),
            "beleidsmaatregel/GRO-M01",
        ),
        # No measurement: the -1 % of the Bouwen measure is listed, no verdict.
        ("GEZ-N02", "Gebouwlocatie"): (
            "geen gegevens",
            None,
            d(-1),
            None,
            "beleidsmaatregel/BOU-M02",
        ),
    }
    assert {key: found.get(key) for key in expected} == expected
    # Norms met have no gap: Vlietweg (47,3 under 48), Parkkwartier on 0,4 km exactly.
    assert ("GEL-N01", "Vlietweg") not in found
    assert ("GRO-N01", "Parkkwartier") not in found
    # Largest gap first; rows without data after every gap.
    gaps = [Decimal(row["gat"]) for row in rows if "gat" in row]
    assert gaps == sorted(gaps, reverse=True)
    assert all("gat" not in row for row in rows[len(gaps) :])
    groen = next(r for r in rows if r["code"] == "GRO-N01")
    assert groen["themas"] == f"{DEMO}beleidsthema/groen"


def test_normgat_for_one_theme_and_area(store: Store) -> None:
    rows = _rows(store, thema="Groen", gebied="Parkzicht")
    assert [(r["code"], r["meetgebied_label"], r["oordeel"]) for r in rows] == [
        ("GRO-N01", "Parkzicht", "sluit"),
        # The municipality's Groen norms, unmeasured in Parkzicht.
        ("GRO-N02", "Parkzicht", "geen gegevens"),
        ("GRO-N03", "Parkzicht", "geen gegevens"),
    ]


# --- The property: the query agrees with the rules read in Python ------------------------

STATUSES = [None, "gepland", "in-uitvoering", "afgerond"]
ENDS = [None, date(2025, 1, 31), date(2025, 6, 30), date(2027, 12, 31)]
REALISED_ENDS = [date(2024, 12, 31), PEIL, date(2025, 7, 1), date(2027, 12, 31)]
EFFECT_UNITS = {"KiloM": Decimal(1), "M": Decimal("0.001")}  # into km
INSIDE = {"A": {"A", "B", "C"}, "B": {"B"}, "C": {"C"}, "D": {"D"}}
"""Area -> the areas lying in it (as the property graph of test_normtoets lays them)."""

effect = st.fixed_dictionaries(
    {
        "target": st.sampled_from(["norm", "indicator", "other"]),
        "value": st.decimals(min_value=-2, max_value=2, places=1),
        "unit": st.sampled_from(sorted(EFFECT_UNITS)),
        "own_area": st.one_of(st.none(), st.sampled_from(AREAS)),
        "measure_area": st.sampled_from(AREAS),
        "status": st.sampled_from(STATUSES),
        "end": st.sampled_from(ENDS),
        # A recorded realised effect: none, without a period, or over a period ending
        # before, on or after the date; one ending after it did not exist yet on the date.
        "realised": st.sampled_from([None, "undated", *REALISED_ENDS]),
        # The area it was recorded for (sosa:hasFeatureOfInterest): it speaks for that
        # area and the areas in it only.
        "realised_area": st.sampled_from(AREAS),
        # None, one or two themes: an effect counts once, whatever its measure's themes.
        "themes": st.frozensets(st.sampled_from(["T1", "T2", "T3"]), max_size=2),
    }
)


def _add_effects(graph: Graph, effects: list[dict]) -> None:
    other = EX["beleidsindicator/J"]
    graph.add((other, RDF.type, KRB.Beleidsindicator))
    for number, data in enumerate(effects):
        node, measure = EX[f"beoogd-effect/e{number}"], EX[f"beleidsmaatregel/m{number}"]
        graph.add((measure, RDF.type, KRB.Beleidsmaatregel))
        graph.add((measure, KRB.werkingsgebied, EX[f"werkingsgebied/{data['measure_area']}"]))
        for theme in data["themes"]:
            graph.add((measure, KRB.beleidsthema, EX[f"beleidsthema/{theme}"]))
        if data["status"]:
            graph.add((measure, ADMS.status, US[data["status"]]))
        if data["end"]:
            graph.add((measure, KRB.geldigTot, Literal(data["end"], datatype=XSD.date)))
        graph.add((node, RDF.type, KRB.BeoogdEffect))
        graph.add((node, KRB.maatregel, measure))
        if data["target"] == "norm":
            graph.add((node, KRB.norm, EX["beleidsnorm/N"]))
        else:
            indicator = EX["beleidsindicator/I"] if data["target"] == "indicator" else other
            graph.add((node, KRB.doelIndicator, indicator))
        graph.add((node, QUDT.numericValue, Literal(str(data["value"]), datatype=XSD.decimal)))
        graph.add((node, QUDT.hasUnit, UNIT[data["unit"]]))
        if data["own_area"]:
            graph.add((node, KRB.werkingsgebied, EX[f"werkingsgebied/{data['own_area']}"]))
        if data["realised"]:
            realised = EX[f"gerealiseerd-effect/r{number}"]
            graph.add((realised, RDF.type, KRB.GerealiseerdEffect))
            graph.add((realised, KRB.beoogdEffect, node))
            realised_area = EX[f"werkingsgebied/{data['realised_area']}"]
            graph.add((realised, SOSA.hasFeatureOfInterest, realised_area))
            if data["realised"] != "undated":
                period = BNode()
                graph.add((realised, SOSA.phenomenonTime, period))
                graph.add((period, DCAT.startDate, Literal("2024-01-01", datatype=XSD.date)))
                graph.add((period, DCAT.endDate, Literal(data["realised"], datatype=XSD.date)))


def _counts(data: dict, area: str) -> bool:
    """Whether an intended effect counts for the gap of ``area`` (sparql/normgat.rq)."""
    where = data["own_area"] or data["measure_area"]
    return (
        data["target"] != "other"
        and data["status"] in (None, "gepland", "in-uitvoering")
        and (data["end"] is None or data["end"] >= PEIL)
        and (
            data["realised"] is None
            or area not in INSIDE[data["realised_area"]]
            or data["realised"] != "undated"
            and data["realised"] > PEIL
        )
        and area in INSIDE[where]
    )


def _expected_gaps(data: dict, measured: dict, effects: list[dict]) -> dict[str, tuple]:
    """Area -> (gap, intended, gap left, verdict, themes) for the rows normgat gives."""
    factor = NORM_UNITS[data["unit"]]
    norm = data["norm"] * factor
    answer = {}
    for area, (iri, verdict, margin) in _expected(data, measured).items():
        if verdict == "voldoet":
            continue
        counting = [e for e in effects if _counts(e, area)]
        intended = sum(
            (e["value"] * EFFECT_UNITS[e["unit"]] * factor for e in counting), Decimal(0)
        )
        themes = frozenset(f"{EX}beleidsthema/{t}" for e in counting for t in e["themes"])
        if margin is None:
            answer[area] = (None, intended, None, "geen gegevens", themes)
            continue
        value = measured[iri][3] * factor
        if data["operator"] == "gelijk":
            left = abs(value + intended - norm)
        else:
            falling = ("maximaal", "maximale-toename", "minimale-afname")
            slope = -1 if data["operator"] in falling else 1
            left = max(Decimal(0), -(margin + slope * intended))
        answer[area] = (-margin, intended, left, "sluit" if left == 0 else "sluit niet", themes)
    return answer


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("normgat")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        yield handle


def _number(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).normalize()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=normtoets_case, effects=st.lists(effect, max_size=5))
def test_normgat_agrees_with_the_rules(empty_store: Store, data: dict, effects: list) -> None:
    graph, measured = _graph(data)
    _add_effects(graph, effects)
    empty_store.replace_graph("https://krb.example.org/graph/property", graph)
    refresh(empty_store)  # the derived dates and areas, as every write path does
    params = {"datum": PEIL.isoformat()}
    result = run_named_query(empty_store, CATALOGUE, "normgat", params)
    found = {}
    for row in result.dicts():
        area = str(row["meetgebied"]).rsplit("/", 1)[1]
        listed = str(row.get("themas") or "")
        assert listed == " ".join(listed.split())  # one space between IRIs, none around
        themes = frozenset(listed.split())
        found[area] = (
            _number(row.get("gat")),
            _number(row["beoogd"]),
            _number(row.get("restgat")),
            str(row["oordeel"]),
            themes,
        )
    expected = {
        area: (_number(gap), _number(intended), _number(left), verdict, themes)
        for area, (gap, intended, left, verdict, themes) in _expected_gaps(
            data, measured, effects
        ).items()
    }
    assert found == expected
    # The gap is normtoets's shortfall, row for row.
    toets = run_named_query(empty_store, CATALOGUE, "normtoets", params).dicts()
    shortfalls = {
        str(r["meetgebied"]).rsplit("/", 1)[1]: -Decimal(str(r["marge"]))
        for r in toets
        if r.get("marge") is not None and Decimal(str(r["marge"])) < 0
    }
    assert {a: g[0] for a, g in found.items() if g[0] is not None} == {
        a: v.normalize() for a, v in shortfalls.items()
    }


# --- Over HTTP ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("api")
    config = Settings(store=str(folder / "db"))
    with open_store(config) as handle:
        fill_with_demo(handle)
        with TestClient(create_app(config, handle)) as test_client:
            yield test_client


def test_api_normgat_names_the_measures_and_themes_that_close_the_gap(
    client: TestClient,
) -> None:
    response = client.get("/api/normgat", params={"gebied": "Parkkwartier", "datum": DAY})
    assert response.status_code == 200, response.text
    rows = {(r["code"], r["gebied"]["label"]): r for r in response.json()}
    parkzicht = rows[("GRO-N01", "Parkzicht")]
    assert parkzicht["oordeel"] == "sluit"
    assert parkzicht["gat"] == pytest.approx(0.05)
    assert parkzicht["beoogd"] == pytest.approx(-0.1)
    assert parkzicht["verwacht"] == pytest.approx(0.35)
    assert parkzicht["restgat"] == 0
    assert parkzicht["eenheid"]["label"] == "km"
    assert [m["label"] for m in parkzicht["maatregelen"]] == ["Bouw groene speelplaatsen"]
    assert [t["label"] for t in parkzicht["themas"]] == ["Groen"]
    slaap = rows[("GEZ-N01", "Parkkwartier")]
    assert (slaap["oordeel"], slaap["restgat"], slaap["maatregelen"]) == (
        "sluit niet",
        pytest.approx(0.9),
        [],
    )


def test_api_normgat_refuses_an_unknown_theme(client: TestClient) -> None:
    response = client.get("/api/normgat", params={"thema": "Atlantis"})
    assert response.status_code == 400
    assert "Atlantis" in response.json()["detail"]
