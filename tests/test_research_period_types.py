"""The research questions read a measurement's period by the day it names, whatever its type.

The shapes ask for xsd:date, but systems export moments (``2025-12-31T23:59:59+01:00``)
and ``krb load --no-validate`` keeps them. Compared as they are with the date asked, an
xsd:dateTime is neither before nor after it (a type error), so such a measurement was
never counted: normtoets took an older one and called a missed norm met, normgat lost
the area, a reference measurement was not found, a realised effect recorded over a
later period counted as already there. The property: writing every period of the demo's
research data as moments and dates with a time zone changes no answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from research_registry import build_research_registry

from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.store import Store

QUESTIONS = ("normtoets", "normgat", "effectevaluatie")
DATES = ("2021-12-31", "2023-06-30", "2025-12-31", "2026-06-30")

# Every measurement's and realised effect's period, its dates written in one of four
# ways chosen by the period's IRI, so that two measurements of one area are compared
# across types too (a moment against a date, a date with a zone against one without).
AS_MOMENTS = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
DELETE { GRAPH ?g { ?p ?d ?dag } }
INSERT { GRAPH ?g { ?p ?d ?anders } }
WHERE {
  GRAPH ?g { ?waarneming sosa:phenomenonTime ?p . ?p ?d ?dag }
  FILTER (?d IN (dcat:startDate, dcat:endDate) && DATATYPE(?dag) = xsd:date)
  # (periods are blank nodes: chosen by the observation's IRI and which date it is)
  BIND (STRLEN(STR(?waarneming)) + IF(?d = dcat:endDate, 1, 0) AS ?keuze)
  BIND (?keuze - 4 * FLOOR(?keuze / 4) AS ?manier)
  BIND (IF(?manier = 0, STRDT(CONCAT(STR(?dag), "T00:00:00"), xsd:dateTime),
        IF(?manier = 1, STRDT(CONCAT(STR(?dag), "T23:59:59+01:00"), xsd:dateTime),
        IF(?manier = 2, STRDT(CONCAT(STR(?dag), "T12:00:00Z"), xsd:dateTime),
                        STRDT(CONCAT(STR(?dag), "-05:00"), xsd:date)))) AS ?anders)
}
"""

# Columns that show a period's dates as stored (the type is the store's own).
AS_STORED = {"periode_van", "periode_tot"}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Store]]:
    """The demo research registry twice: as shipped, and with its periods as moments."""
    dates = build_research_registry(tmp_path_factory.mktemp("dates"))
    moments = build_research_registry(tmp_path_factory.mktemp("moments"))
    moments.store.update(AS_MOMENTS)
    yield dates.store, moments.store
    dates.store.close()
    moments.store.close()


def _answer(store: Store, question: str, datum: str) -> list[tuple[tuple[str, str], ...]]:
    result = run_named_query(store, load_catalogue(), question, {"datum": datum})
    rows = []
    for row in result.dicts():
        cells = {k: str(v)[:10] if k in AS_STORED else str(v) for k, v in row.items()}
        rows.append(tuple(sorted(cells.items())))
    return sorted(rows)


def test_the_periods_were_rewritten(stores: tuple[Store, Store]) -> None:
    """The property below would hold trivially if the update matched nothing."""
    _, moments = stores
    kinds = moments.query(
        """PREFIX dcat: <http://www.w3.org/ns/dcat#>
        SELECT DISTINCT ?t ?zone WHERE { ?p dcat:endDate ?e
          BIND (DATATYPE(?e) AS ?t) BIND (TZ(?e) AS ?zone) }"""
    )
    found = {(str(row["t"]), str(row.get("zone"))) for row in kinds.dicts()}
    assert len(found) >= 4, found


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_period_counts_by_the_day_it_names_whatever_its_type(
    stores: tuple[Store, Store], question: str
) -> None:
    dates, moments = stores
    answered = 0
    for datum in DATES:
        expected = _answer(dates, question, datum)
        assert _answer(moments, question, datum) == expected, (question, datum)
        answered += len(expected)
    assert answered, f"{question} answers something on the demo's research data"


CYCLE = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
INSERT DATA { GRAPH <https://krb.demogemeente.nl/graph/metingen/cyclus> {
  %s
} }
"""
OBSERVATION = """
  <https://krb.demogemeente.nl/id/meting/%(name)s> a sosa:Observation ;
    sosa:hasFeatureOfInterest <https://krb.demogemeente.nl/id/werkingsgebied/parkstraat> ;
    sosa:observedProperty <https://krb.demogemeente.nl/id/beleidsindicator/GEL-I01> ;
    sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue %(value)s ;
                     qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> ] ;
    sosa:phenomenonTime [ a dct:PeriodOfTime ; dcat:startDate "2018-01-01"^^xsd:date ;
                          dcat:endDate %(end)s ] .
"""


@pytest.mark.parametrize(
    "ends",
    [
        # Typed, B is after A (23:45 UTC against 23:30 UTC); by the day written, A is
        # after C; by IRI, C is after B: read partly one way and partly the other, every
        # measurement had a later one and the norm read "geen gegevens".
        (
            '"2019-01-01T00:30:00+01:00"^^xsd:dateTime',
            '"2018-12-31T23:45:00Z"^^xsd:dateTime',
            '"2018-12-31"^^xsd:date',
        ),
        # Dates with time zones, which the shapes accept, went round the same way.
        ('"2019-01-02+14:00"^^xsd:date', '"2019-01-01-12:00"^^xsd:date', '"2019-01-01"^^xsd:date'),
    ],
    ids=["moments", "zones"],
)
def test_the_latest_measurement_is_the_one_of_the_latest_day_written(
    tmp_path: Path, ends: tuple[str, str, str]
) -> None:
    registry = build_research_registry(tmp_path)
    try:
        observations = "".join(
            OBSERVATION % {"name": name, "value": value, "end": end}
            for name, value, end in zip(
                ("cyc-a", "cyc-b", "cyc-c"), (45, 40, 50), ends, strict=True
            )
        )
        registry.store.update(CYCLE % observations)
        for question in ("normtoets", "normgat"):
            result = run_named_query(
                registry.store,
                load_catalogue(),
                question,
                {"datum": "2020-06-30", "gebied": "parkstraat"},
            )
            measured = {str(row.get("meting")) for row in result.dicts()}
            assert measured & {f"https://krb.demogemeente.nl/id/meting/cyc-{x}" for x in "abc"} <= {
                "https://krb.demogemeente.nl/id/meting/cyc-a"
            }, (question, measured)
        toets = run_named_query(
            registry.store,
            load_catalogue(),
            "normtoets",
            {"datum": "2020-06-30", "gebied": "parkstraat"},
        ).dicts()
        by_norm = {str(row["code"]): str(row.get("meting")) for row in toets}
        assert by_norm.get("WGH-N01") == "https://krb.demogemeente.nl/id/meting/cyc-a", by_norm
    finally:
        registry.store.close()
