"""Effectevaluatie reads recorded realised effects (krb:GerealiseerdEffect) beside the change.

A property: for random intended effects of one measure, each with any number of
recorded realised effects (ending before or after the date, in km or m), the query's
``gerealiseerd`` is what a plain Python reading of the rules gives: per intended effect
the latest record that ended by the date (ties: the greater IRI), in the unit of the
measurements, summed; empty when no effect has one. The records never count as a
measured level: before, after and the change stay those of the measurements.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from krbgraph.derived import refresh
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

CATALOGUE = load_catalogue()
KRB = Namespace("https://data.krb.nl/def/krb#")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
EX = Namespace("https://krb.example.org/id/")
PEIL = date(2025, 6, 30)
TO_KM = {"KiloM": Decimal(1), "M": Decimal("0.001")}


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("gerealiseerd")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        yield handle


values = st.decimals(min_value=-500, max_value=500, places=2)
record = st.tuples(
    st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 6, 30)),
    values,
    st.sampled_from(sorted(TO_KM)),
)
effects = st.lists(
    st.tuples(
        st.decimals(min_value=-1, max_value=Decimal("-0.01"), places=2),
        st.lists(record, max_size=3),
    ),
    min_size=1,
    max_size=3,
)


def _add_observation(
    graph: Graph, node: URIRef, end: date, value: Decimal, unit: str, *, change: bool = False
) -> None:
    """A measured level of indicator I, or (change) a realised change in it."""
    period, result = BNode(), BNode()
    graph.add((node, RDF.type, SOSA.Observation))
    if change:
        observed = BNode()
        graph.add((observed, KRB.veranderingVan, EX["beleidsindicator/I"]))
    else:
        observed = EX["beleidsindicator/I"]
    graph.add((node, SOSA.observedProperty, observed))
    graph.add((node, SOSA.hasFeatureOfInterest, EX["werkingsgebied/A"]))
    graph.add((node, SOSA.phenomenonTime, period))
    graph.add(
        (period, DCAT.startDate, Literal(date(end.year, 1, 1).isoformat(), datatype=XSD.date))
    )
    graph.add((period, DCAT.endDate, Literal(end.isoformat(), datatype=XSD.date)))
    graph.add((node, SOSA.hasResult, result))
    graph.add((result, QUDT.numericValue, Literal(str(value), datatype=XSD.decimal)))
    graph.add((result, QUDT.hasUnit, UNIT[unit]))


def _graph(data: list) -> Graph:
    graph = Graph()
    measure, area, indicator = EX["maatregel/M"], EX["werkingsgebied/A"], EX["beleidsindicator/I"]
    graph.add((area, RDF.type, KRB.Werkingsgebied))
    graph.add((indicator, RDF.type, KRB.Beleidsindicator))
    graph.add((indicator, QUDT.hasUnit, UNIT.KiloM))
    graph.add((measure, RDF.type, KRB.Beleidsmaatregel))
    period = BNode()
    graph.add((measure, DCT.temporal, period))
    graph.add((period, DCAT.startDate, Literal("2023-01-01", datatype=XSD.date)))
    _add_observation(graph, EX["meting/voor"], date(2022, 12, 31), Decimal("1.0"), "KiloM")
    _add_observation(graph, EX["meting/na"], date(2024, 12, 31), Decimal("0.8"), "KiloM")
    for number, (intended, records) in enumerate(data):
        effect = EX[f"effect/E{number}"]
        graph.add((effect, RDF.type, KRB.BeoogdEffect))
        graph.add((effect, KRB.maatregel, measure))
        graph.add((effect, KRB.doelIndicator, indicator))
        graph.add((effect, KRB.werkingsgebied, area))
        graph.add((effect, QUDT.numericValue, Literal(str(intended), datatype=XSD.decimal)))
        graph.add((effect, QUDT.hasUnit, UNIT.KiloM))
        for index, (end, value, unit) in enumerate(records):
            node = EX[f"gerealiseerd/E{number}-{index}"]
            _add_observation(graph, node, end, value, unit, change=True)
            graph.add((node, RDF.type, KRB.GerealiseerdEffect))
            graph.add((node, KRB.beoogdEffect, effect))
    return graph


def _expected_realised(data: list) -> Decimal | None:
    total, any_record = Decimal(0), False
    for number, (_intended, records) in enumerate(data):
        dated = [
            (end, f"{EX}gerealiseerd/E{number}-{index}", value * TO_KM[unit])
            for index, (end, value, unit) in enumerate(records)
            if end <= PEIL
        ]
        if dated:
            any_record = True
            total += max(dated)[2]
    return total if any_record else None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=effects)
def test_the_realised_effect_is_the_sum_of_the_latest_record_per_intended_effect(
    empty_store: Store, data: list
) -> None:
    empty_store.replace_graph("https://krb.example.org/graph/gerealiseerd", _graph(data))
    refresh(empty_store)  # the derived dates and areas, as every write path does
    result = run_named_query(empty_store, CATALOGUE, "effectevaluatie", {"datum": PEIL.isoformat()})
    rows = result.dicts()
    assert len(rows) == 1
    row = rows[0]
    assert Decimal(str(row["voor_waarde"])) == Decimal("1.0")
    assert Decimal(str(row["na_waarde"])) == Decimal("0.8")
    assert Decimal(str(row["beoogd"])) == sum(intended for intended, _ in data)
    expected = _expected_realised(data)
    found = row.get("gerealiseerd")
    assert (None if found is None else Decimal(str(found))) == expected
