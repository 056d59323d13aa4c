"""A norm set for several areas, measured in an area that lies in more than one of them.

normgat counted every intended effect once per norm area holding the measured one
(beoogd -2 for one effect of -1, and a gap of 2 "closed"), and labelled the row of a
norm area without measurements with the area asked for, beside that area's measured
row: one norm and area, "sluit niet" and "geen gegevens" at once. Checked by property:
one row per norm and area, each effect counted once, a measured area never also
without data.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from krbgraph.loading import load_paths
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.store import Store

CATALOGUE = load_catalogue()
DATA = Path(__file__).parent / "data" / "queries" / "norm-in-twee-gebieden.ttl"
AREA = "https://krb.testgemeente.nl/id/werkingsgebied/"
DAY = "2025-06-01"


def _registry(store: Store, tmp_path: Path, norm_areas: list[str], measured: str) -> None:
    text = DATA.read_text(encoding="utf-8")
    text = text.replace("NORM_AREAS", " , ".join(f"<{AREA}{a}>" for a in norm_areas))
    text = text.replace("MEASURED_AREA", f"<{AREA}{measured}>")
    path = tmp_path / "registry.ttl"
    path.write_text(text, encoding="utf-8")
    load_paths(store, [path], base_iri="https://krb.testgemeente.nl")


def _rows(store: Store, query: str, **values: str) -> list[dict[str, str]]:
    result = run_named_query(store, CATALOGUE, query, {"datum": DAY, **values})
    return [
        {k: str(v) for k, v in zip(result.variables, row, strict=True) if v is not None}
        for row in result.rows
    ]


def test_an_effect_counts_once_where_two_norm_areas_hold_the_measured_one(
    model_store: Store, tmp_path: Path
) -> None:
    _registry(model_store, tmp_path, ["wijk", "plan"], measured="buurt")
    (row,) = _rows(model_store, "normgat")
    assert row["meetgebied"] == f"{AREA}buurt"
    assert (Decimal(row["gat"]), Decimal(row["beoogd"])) == (2, -1)
    assert (row["effecten"], Decimal(row["restgat"]), row["oordeel"]) == ("1", 1, "sluit niet")


@pytest.mark.parametrize("query", ["normgat", "normtoets"])
@pytest.mark.parametrize("asked", [{}, {"gebied": f"{AREA}gem"}])
def test_one_row_per_norm_and_area_and_a_measured_area_has_its_measurement(
    model_store: Store, tmp_path: Path, query: str, asked: dict[str, str]
) -> None:
    """The norm is set for the whole municipality and a plan area in it, measured for
    the municipality: the plan area's row (no measurement) was labelled with the area
    asked for, the municipality, beside the municipality's measured row."""
    _registry(model_store, tmp_path, ["gem", "plan"], measured="gem")
    rows = _rows(model_store, query, **asked)
    pairs = [(row["norm"], row["meetgebied"]) for row in rows]
    assert len(pairs) == len(set(pairs)), rows
    measured = [row for row in rows if row["meetgebied"] == f"{AREA}gem"]
    assert measured and all("meting" in row for row in measured)
    assert all(row["meetgebied"] == f"{AREA}plan" for row in rows if "meting" not in row)
