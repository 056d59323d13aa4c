"""A realised effect speaks for its own area: the street it was measured in, not the
other street of the same measure.

A krb:GerealiseerdEffect is a sosa:Observation with a feature of interest. effectevaluatie
showed the latest realisation of an intended effect on the row of every area of the
measure, and normgat stopped counting the effect as still to come in every area once one
street's realisation was recorded. Checked by property over which streets have a record:
a row shows the latest realisation recorded for its area or an area around it, and only
the rows without one still count the effect.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import product
from pathlib import Path

import pytest

from krbgraph.loading import load_paths
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.store import Store

CATALOGUE = load_catalogue()
DATA = Path(__file__).parent / "data" / "queries" / "realisaties-per-gebied.ttl"
ID = "https://krb.testgemeente.nl/id/"
AREA = ID + "werkingsgebied/"
STREETS = ("eerste", "tweede")
AROUND = {"eerste": ("eerste", "wijk", "gem"), "tweede": ("tweede", "wijk", "gem")}
DAY = "2025-06-01"


def _realisation(slug: str, area: str, value: str, end: str) -> str:
    return f"""
<{ID}gerealiseerd-effect/{slug}> a krb:GerealiseerdEffect , sosa:Observation ;
  rdfs:label "Gerealiseerd {slug}"@nl ; dct:source <https://bron.example/geluid> ;
  krb:beoogdEffect <{ID}beoogd-effect/E1> ;
  sosa:observedProperty [ krb:veranderingVan <{ID}beleidsindicator/I1> ] ;
  sosa:hasFeatureOfInterest <{AREA}{area}> ;
  sosa:phenomenonTime [ a time:Interval , dct:PeriodOfTime ;
    dcat:startDate "2024-01-01"^^xsd:date ; dcat:endDate "{end}"^^xsd:date ] ;
  sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue {value} ; qudt:hasUnit unit:DeciB_A ] .
"""


# (slug, area, value, end of its period), the first two per street, one for the wijk
# (both streets) that ends last, and one after the day asked about (not there yet).
RECORDS = {
    "eerste": ("eerste", "-0.8", "2025-03-31"),
    "tweede": ("tweede", "-0.3", "2025-03-31"),
    "wijk": ("wijk", "-0.6", "2025-04-30"),
    "later": ("eerste", "-0.9", "2025-12-31"),
}


def _registry(store: Store, tmp_path: Path, recorded: tuple[str, ...]) -> None:
    text = DATA.read_text(encoding="utf-8").replace(
        "REALISATIONS", "".join(_realisation(slug, *RECORDS[slug]) for slug in recorded)
    )
    path = tmp_path / "registry.ttl"
    path.write_text(text, encoding="utf-8")
    load_paths(store, [path], base_iri="https://krb.testgemeente.nl")


def _rows(store: Store, query: str) -> dict[str, dict[str, str]]:
    result = run_named_query(store, CATALOGUE, query, {"datum": DAY})
    rows: dict[str, dict[str, str]] = {}
    for row in result.dicts():
        street = str(row["meetgebied"]).removeprefix(AREA)
        assert street not in rows, f"two rows for {street}"
        rows[street] = {k: str(v) for k, v in row.items() if v is not None}
    return rows


def _expected(street: str, recorded: tuple[str, ...]) -> Decimal | None:
    """The latest record by the day for the street or an area around it, by end date."""
    applying = [
        (RECORDS[slug][2], slug)
        for slug in recorded
        if RECORDS[slug][0] in AROUND[street] and RECORDS[slug][2] <= DAY
    ]
    return Decimal(RECORDS[max(applying)[1]][1]) if applying else None


KINDS = [kinds for n in range(4) for kinds in product(RECORDS, repeat=n) if len(set(kinds)) == n]
CASES = sorted({tuple(sorted(kinds)) for kinds in KINDS if len(kinds) <= 2})


@pytest.mark.parametrize("recorded", CASES, ids=["+".join(c) or "none" for c in CASES])
def test_each_area_shows_and_counts_only_what_was_realised_there(
    model_store: Store, tmp_path: Path, recorded: tuple[str, ...]
) -> None:
    _registry(model_store, tmp_path, recorded)
    evaluated = _rows(model_store, "effectevaluatie")
    gaps = _rows(model_store, "normgat")
    assert set(evaluated) == set(gaps) == set(STREETS)
    for street in STREETS:
        expected = _expected(street, recorded)
        shown = evaluated[street].get("gerealiseerd")
        assert (None if shown is None else Decimal(shown)) == expected, (street, recorded)
        # Still to come where nothing was realised there yet: the gap counts the effect.
        assert gaps[street]["effecten"] == ("0" if expected is not None else "1"), (
            street,
            recorded,
        )
