"""Research answers convert between any two units of one kind, however far apart.

The engine's xsd:decimal holds 18 decimals up to about 1.7e20: the product of two
QUDT multipliers (GWh against MWh), a tiny one (t/a: 3.2e-5) or one written with 41
decimals (/a) fell outside, and normtoets said "geen gegevens" for a measurement in
t/a against a norm in kg/a; normgat counted such an effect as 0. The expected values
are computed here in Python's decimals from the model's own multipliers.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, localcontext

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace
from rdflib.namespace import DCAT, RDF, XSD
from rdflib.namespace import DCTERMS as DCT

from krbgraph.derived import refresh
from krbgraph.model import model_graph
from krbgraph.namespaces import KRB, QUDT, SOSA, UNIT
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store
from krbgraph.units import STORED_DECIMALS, convert, default_catalogue, storable

OP = Namespace("https://data.krb.nl/id/begrip/normoperator/")
EX = Namespace("https://krb.example.org/id/")
CATALOGUE = load_catalogue()

PAIRS = [  # (indicator and measurement unit, norm unit, norm value, measured value)
    ("TONNE-PER-YR", "KiloGM-PER-YR", "120000", "130"),
    ("KiloGM-PER-YR", "TONNE-PER-YR", "120", "130000"),
    ("MegaW-HR", "GigaW-HR", "1", "1500"),
    ("GigaJ", "TeraJ", "1", "1500"),
    ("NanoGM-PER-M3", "MicroGM-PER-M3", "40", "42000"),
    ("NUM-PER-YR", "PER-DAY", "1", "400"),
    ("DEG_C", "K", "300", "28.5"),
    ("KiloW-HR", "MegaW-HR", "100", "150000"),
    ("PER-DAY", "NUM-PER-YR", "300", "1"),  # the norm's multiplier has 41 decimals
    ("J", "TeraW-HR", "0.000000001", "5000000"),  # a ratio of 2.8e-16
]


def _multipliers() -> dict[str, tuple[Decimal, Decimal]]:
    model = model_graph()
    found = {}
    for name in {u for pair in PAIRS for u in pair[:2]}:
        unit = UNIT[name]
        multiplier = model.value(unit, QUDT.conversionMultiplier)
        offset = model.value(unit, QUDT.conversionOffset)
        found[name] = (Decimal(str(multiplier)), Decimal(str(offset or 0)))
    return found


def _expected(value: str, source: str, target: str) -> Decimal:
    factors = _multipliers()
    with localcontext() as context:
        context.prec = 60
        (m1, o1), (m2, o2) = factors[source], factors[target]
        return (Decimal(value) + o1) * m1 / m2 - o2


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    graph = Graph()
    area = EX["werkingsgebied/A"]
    graph.add((area, RDF.type, KRB.Werkingsgebied))
    graph.add((area, DCT.identifier, Literal("A")))
    for number, (source, target, norm_value, measured) in enumerate(PAIRS):
        indicator, norm = EX[f"beleidsindicator/I{number}"], EX[f"beleidsnorm/N{number}"]
        graph.add((indicator, RDF.type, KRB.Beleidsindicator))
        graph.add((indicator, DCT.identifier, Literal(f"I{number}")))
        graph.add((indicator, QUDT.hasUnit, UNIT[source]))
        graph.add((norm, RDF.type, KRB.Beleidsnorm))
        graph.add((norm, KRB.indicator, indicator))
        graph.add((norm, KRB.operator, OP.maximaal))
        graph.add((norm, QUDT.numericValue, Literal(norm_value, datatype=XSD.decimal)))
        graph.add((norm, QUDT.hasUnit, UNIT[target]))
        graph.add((norm, KRB.werkingsgebied, area))
        observation, period, result = EX[f"meting/m{number}"], BNode(), BNode()
        graph.add((observation, RDF.type, SOSA.Observation))
        graph.add((observation, SOSA.observedProperty, indicator))
        graph.add((observation, SOSA.hasFeatureOfInterest, area))
        graph.add((observation, SOSA.phenomenonTime, period))
        graph.add((period, DCAT.startDate, Literal("2024-01-01", datatype=XSD.date)))
        graph.add((period, DCAT.endDate, Literal("2024-12-31", datatype=XSD.date)))
        graph.add((observation, SOSA.hasResult, result))
        graph.add((result, QUDT.numericValue, Literal(measured, datatype=XSD.decimal)))
        graph.add((result, QUDT.hasUnit, UNIT[source]))
        # An intended effect in the indicator's unit on the norm in another one: normgat
        # converts it into the norm's unit.
        measure, effect = EX[f"beleidsmaatregel/M{number}"], EX[f"beoogd-effect/E{number}"]
        graph.add((measure, RDF.type, KRB.Beleidsmaatregel))
        graph.add((measure, KRB.werkingsgebied, area))
        graph.add((effect, RDF.type, KRB.BeoogdEffect))
        graph.add((effect, KRB.maatregel, measure))
        graph.add((effect, KRB.norm, norm))
        graph.add((effect, QUDT.numericValue, Literal("-2", datatype=XSD.decimal)))
        graph.add((effect, QUDT.hasUnit, UNIT[source]))
    folder = tmp_path_factory.mktemp("units")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        handle.replace_graph("https://krb.example.org/graph/eenheden", graph)
        refresh(handle)
        yield handle


def _by_norm(store: Store, query: str) -> dict[str, dict]:
    result = run_named_query(store, CATALOGUE, query, {"datum": "2025-06-01"})
    return {str(row["norm"]).rsplit("/", 1)[1]: row for row in result.dicts()}


def _close(got: object, want: Decimal) -> bool:
    """Within 1e-9 of the value: the engine's decimals keep 18 decimals, so a value of
    1.4e-9 (5,000,000 J in TWh) keeps ten digits."""
    return got is not None and abs(Decimal(str(got)) - want) <= abs(want) * Decimal("1e-9")


def test_normtoets_converts_every_pair_of_one_kind(store: Store) -> None:
    rows = _by_norm(store, "normtoets")
    for number, (source, target, norm_value, measured) in enumerate(PAIRS):
        row = rows[f"N{number}"]
        want = _expected(measured, source, target)
        assert _close(row.get("waarde"), want), (source, target, row.get("waarde"), want)
        verdict = "voldoet" if Decimal(norm_value) - want >= 0 else "voldoet niet"
        assert str(row["oordeel"]) == verdict, (source, target)


def test_normgat_counts_an_effect_in_another_unit_at_its_converted_value(store: Store) -> None:
    rows = _by_norm(store, "normgat")
    factors = _multipliers()
    for number, (source, target, _norm_value, _measured) in enumerate(PAIRS):
        want = Decimal(-2) * factors[source][0] / factors[target][0]  # a change: no offsets
        if abs(want) < Decimal("1e-9"):
            continue  # -2 J in TWh: below what 18 decimals hold to ten digits
        got = rows[f"N{number}"].get("beoogd")
        assert _close(got, want), (source, target, got, want)


@pytest.mark.parametrize(("source", "target"), [("GJ", "MWh"), ("MJ", "kWh"), ("kg/a", "t/a")])
def test_a_converted_value_is_one_the_engine_can_calculate_with(source: str, target: str) -> None:
    """The import converts in Python; a value with more than 18 decimals (1 GJ is
    0.2777...8 MWh at 28 digits) was stored, and no research answer could use it."""
    units = default_catalogue()
    value = storable(convert(Decimal("1"), units.resolve(source), units.resolve(target)))
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int) and -exponent <= STORED_DECIMALS
    assert len(value.as_tuple().digits) <= 15
    store = ox.Store()
    literal = f'"{value}"^^<{XSD.decimal}>'
    answer = list(store.query(f"SELECT ?x WHERE {{ BIND ({literal} * 2 AS ?x) }}"))
    assert answer[0]["x"] is not None
