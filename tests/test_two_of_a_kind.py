"""One thing with two of something the model allows: each fact still counted once.

A realised effect with two sources was summed twice in effectevaluatie (its share
halved); a measurement with two sources was listed twice on its indicator's page; two
effects of one measure on one norm with the same value were merged into one by the
asset question. Each is checked against the demo without the second one.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from demo_backends import DEMO_FILES

from krbgraph.derived import refresh
from krbgraph.loading import load_paths
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.store import Store

CATALOGUE = load_catalogue()
DAY = "2026-11-28"
DCT_SOURCE = "<http://purl.org/dc/terms/source>"
EFFECT = "<https://krb.demogemeente.nl/id/gerealiseerd-effect/GEL-E01-parkstraat-2020-2025>"
MEASUREMENT = "<https://krb.demogemeente.nl/id/meting/ENE-I01-BU99990101-2026-01-01-2026-12-31>"


def _demo(store: Store, tmp_path: Path, extra: str = "") -> None:
    path = tmp_path / "extra.ttl"
    path.write_text(extra, encoding="utf-8")
    load_paths(store, [*DEMO_FILES, path] if extra else list(DEMO_FILES), validate=False)
    refresh(store)


def _rows(store: Store, name: str, **values: str) -> list[dict[str, str]]:
    result = run_named_query(store, CATALOGUE, name, values)
    return [
        {k: str(v) for k, v in zip(result.variables, row, strict=True) if v is not None}
        for row in result.rows
    ]


def test_a_realised_effect_with_two_sources_counts_once(model_store: Store, tmp_path: Path) -> None:
    _demo(model_store, tmp_path)
    before = _rows(model_store, "effectevaluatie", datum=DAY)
    model_store.update(
        "INSERT DATA { GRAPH <https://krb.demogemeente.nl/graph/tweede-bron> { "
        f"{EFFECT} {DCT_SOURCE} <https://bron.example/tweede> }} }}"
    )
    after = _rows(model_store, "effectevaluatie", datum=DAY)
    numbers = ("beoogd", "aandeel", "gerealiseerd", "gerealiseerd_aandeel")
    assert [[row.get(k) for k in numbers] for row in after] == [
        [row.get(k) for k in numbers] for row in before
    ]
    assert any("gerealiseerd" in row for row in before)


def test_a_measurement_with_two_sources_is_one_row_of_its_indicator(
    model_store: Store, tmp_path: Path
) -> None:
    indicator = "https://krb.demogemeente.nl/id/beleidsindicator/ENE-I01"
    _demo(model_store, tmp_path, f"{MEASUREMENT} {DCT_SOURCE} <https://bron.example/tweede> .\n")
    rows = _rows(model_store, "web-indicator-metingen", indicator=indicator)
    measured = Counter(row["object"] for row in rows if row.get("soort") == "meting")
    assert measured and set(measured.values()) == {1}


def test_two_effects_of_a_measure_with_one_value_are_two(
    model_store: Store, tmp_path: Path
) -> None:
    _demo(model_store, tmp_path)
    types = model_store.query(
        "PREFIX krb: <https://data.krb.nl/def/krb#> "
        "SELECT DISTINCT ?type WHERE { ?e a krb:BeoogdEffect ; krb:norm/krb:leefomgeving ?type }"
    ).rows
    shown = None
    for (objecttype,) in types:
        rows = _rows(
            model_store, "normen-per-imbor-objecttype", objecttype=str(objecttype), datum=DAY
        )
        shown = next((row["effect"] for row in rows if "effect" in row), None)
        if shown:
            break
    assert shown, "the demo has an effect reaching an IMBOR object type"
    copy = f"{shown}-kopie"  # the same measure, norm, value and unit
    model_store.update(
        "INSERT { GRAPH <https://krb.demogemeente.nl/graph/kopie> { "
        f"<{copy}> ?p ?o }} }} WHERE {{ GRAPH ?g {{ <{shown}> ?p ?o }} "
        "FILTER (?g != <https://data.krb.nl/def/krb/afgeleid>) }"
    )
    refresh(model_store)
    rows = _rows(model_store, "normen-per-imbor-objecttype", objecttype=str(objecttype), datum=DAY)
    assert {shown, copy} <= {row["effect"] for row in rows if "effect" in row}
