"""Normtoets for label norms: energielabel minimaal B, compared by the label's rank.

On the demo the expectations are read by hand from examples/demo/energietransitie.ttl
(ENE-N01, energielabel minimaal B in the whole municipality from 2027) and the energy
labels in examples/onderzoek/demo-metingen.csv, on both backends. Beside that a
property: for random label norms and label measurements the query gives the verdict and
the margin (in label steps) that a plain Python reading of the rules gives, with the
ranks of ontology/waardelijsten/energielabels.ttl written out by hand below.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

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

KRB = Namespace("https://data.krb.nl/def/krb#")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OP = Namespace("https://data.krb.nl/id/begrip/normoperator/")
LABEL = Namespace("https://data.krb.nl/id/begrip/energielabel/")
EX = Namespace("https://krb.example.org/id/")

RANK = {
    "G": 1, "F": 2, "E": 3, "D": 4, "C": 5, "B": 6, "A": 7,
    "A1plus": 8, "A2plus": 9, "A3plus": 10, "A4plus": 11,
}  # fmt: skip
"""energielabels.ttl: higher is better."""


def _rows(store: Store, **values: str) -> list[dict[str, str]]:
    result = run_named_query(store, CATALOGUE, "normtoets", values)
    return [
        {k: str(v) for k, v in zip(result.variables, row, strict=True) if v is not None}
        for row in result.rows
    ]


def test_energy_labels_on_the_demo_once_the_label_norm_is_in_force(store: Store) -> None:
    rows = [row for row in _rows(store, datum="2027-03-01") if row["code"] == "ENE-N01"]
    found = {
        row["meetgebied_label"]: (
            row.get("meetlabel_label"),
            row["oordeel"],
            int(row["marge"]),
            row["normlabel_label"],
        )
        for row in rows
    }
    assert found == {
        "Parkbuurt": ("C", "voldoet niet", -1, "B"),  # D in 2024, C in 2026
        "Parkzicht": ("B", "voldoet", 0, "B"),
        "Binnenstad": ("A", "voldoet", 1, "B"),
    }
    assert all("eenheid" not in row for row in rows)  # steps, not a unit
    assert {int(row["normwaarde"]) for row in rows} == {RANK["B"]}


def test_before_the_label_norm_is_in_force_it_is_not_tested(store: Store) -> None:
    rows = _rows(store, datum="2026-11-28")
    assert "ENE-N01" not in {row["code"] for row in rows}
    # the number norms keep their verdicts next to the label measurements
    parkstraat = [
        r for r in rows if r["code"] == "GEL-N01" and r["meetgebied_label"] == "Parkstraat"
    ]
    assert [(r["oordeel"], r["marge"]) for r in parkstraat] == [("voldoet niet", "-1.6")]


def test_an_earlier_label_counts_until_a_later_one_ends(store: Store) -> None:
    rows = _rows(store, datum="2027-03-01", gebied="BU99990201")
    ene = [row for row in rows if row["code"] == "ENE-N01"]
    assert [(r["meetlabel_label"], r["periode_tot"]) for r in ene] == [("C", "2026-12-31")]


# --- The property: the query agrees with the rules read in Python ------------------------

PEIL = date(2025, 6, 30)
OPERATORS = ["maximaal", "minimaal", "gelijk", "minimale-toename", "maximale-afname"]
RELATIVE = {"minimale-toename", "maximale-afname"}
AREAS = ["A", "B", "C", "D"]  # B and C lie in A, the norm's area; D lies elsewhere


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("labels")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        yield handle


labels = st.sampled_from(sorted(RANK))
measurement = st.tuples(st.sampled_from(AREAS), st.integers(min_value=2021, max_value=2026), labels)
case = st.fixed_dictionaries(
    {
        "operator": st.sampled_from(OPERATORS),
        "norm": labels,
        "reference_date": st.dates(min_value=date(2021, 1, 1), max_value=date(2025, 6, 30)),
        "measurements": st.lists(measurement, max_size=8, unique_by=lambda m: m[:2]),
    }
)


def _graph(data: dict) -> tuple[Graph, dict[str, tuple[str, date, date, int]]]:
    """A label norm and yearly labels per area."""
    graph = Graph()
    indicator, norm = EX["beleidsindicator/EL"], EX["beleidsnorm/EL"]
    for area in AREAS:
        graph.add((EX[f"werkingsgebied/{area}"], RDF.type, KRB.Werkingsgebied))
    for area in ("B", "C"):
        graph.add((EX[f"werkingsgebied/{area}"], KRB.ligtIn, EX["werkingsgebied/A"]))
    graph.add((indicator, RDF.type, KRB.Beleidsindicator))  # no unit: a label indicator
    graph.add((norm, RDF.type, KRB.Beleidsnorm))
    graph.add((norm, KRB.indicator, indicator))
    graph.add((norm, KRB.operator, OP[data["operator"]]))
    graph.add((norm, KRB.waardeBegrip, LABEL[data["norm"]]))
    graph.add((norm, KRB.werkingsgebied, EX["werkingsgebied/A"]))
    date_text = data["reference_date"].isoformat()
    graph.add((norm, KRB.referentiedatum, Literal(date_text, datatype=XSD.date)))
    measured = {}
    for number, (area, year, label) in enumerate(data["measurements"]):
        start, end = date(year, 1, 1), date(year, 12, 31)
        node, period = EX[f"meting/el{number:02d}"], BNode()
        graph.add((node, RDF.type, SOSA.Observation))
        graph.add((node, SOSA.observedProperty, indicator))
        graph.add((node, SOSA.hasFeatureOfInterest, EX[f"werkingsgebied/{area}"]))
        graph.add((node, SOSA.phenomenonTime, period))
        graph.add((period, DCAT.startDate, Literal(start.isoformat(), datatype=XSD.date)))
        graph.add((period, DCAT.endDate, Literal(end.isoformat(), datatype=XSD.date)))
        graph.add((node, SOSA.hasResult, LABEL[label]))
        measured[str(node)] = (area, start, end, RANK[label])
    return graph, measured


def _expected(data: dict, measured: dict) -> dict[str, tuple[str | None, str, int | None]]:
    """Area -> (measurement, verdict, margin in label steps)."""
    norm = RANK[data["norm"]]
    latest: dict[str, tuple[date, str]] = {}
    for iri, (area, _start, end, _rank) in measured.items():
        if area != "D" and end <= PEIL and (end, iri) > latest.get(area, (date.min, "")):
            latest[area] = (end, iri)
    if not latest:
        return {"A": (None, "geen gegevens", None)}
    answer: dict[str, tuple[str | None, str, int | None]] = {}
    for area, (_end, iri) in latest.items():
        rank = measured[iri][3]
        operator = data["operator"]
        if operator in RELATIVE:  # a change has no meaning for a label norm
            answer[area] = (iri, "geen gegevens", None)
            continue
        margin = {"maximaal": norm - rank, "minimaal": rank - norm, "gelijk": -abs(rank - norm)}[
            operator
        ]
        answer[area] = (iri, "voldoet" if margin >= 0 else "voldoet niet", margin)
    return answer


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=case)
def test_label_verdicts_agree_with_the_rules(empty_store: Store, data: dict) -> None:
    graph, measured = _graph(data)
    empty_store.replace_graph("https://krb.example.org/graph/labels", graph)
    refresh(empty_store)  # the derived dates and areas, as every write path does
    found = verdicts(empty_store, CATALOGUE, PEIL, lambda text: int(float(text)))
    assert found == _expected(data, measured)
