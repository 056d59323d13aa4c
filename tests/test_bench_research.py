"""Smoke test of bench/research.py: the research benchmark on a tiny registry.

The benchmark is not part of the suite, so without this test it would rot as the
research queries, the loader and the web service change. One run with all real
parts (generate.py, `krb load`, the measurements, the bulk loader, the service on
the built store), at a size that takes seconds. Timings are never checked; what is
checked are properties a reader relies on: the store holds the measurements the
sizes ask for, and every timed answer has as many rows as the named query gives on
that store, through the service and through the bare engine alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import open_store

ROOT = Path(__file__).resolve().parent.parent
TRIPLES, AREAS, YEARS, INDICATORS = 3000, 12, 3, 3
QUESTIONS = ("normtoets", "effectevaluatie", "normgat")

pytestmark = [pytest.mark.slow]

_OBSERVATIONS = """
SELECT (COUNT(DISTINCT ?meting) AS ?n) (COUNT(DISTINCT ?indicator) AS ?indicatoren)
       (COUNT(DISTINCT ?gebied) AS ?gebieden) (COUNT(DISTINCT ?eind) AS ?jaren)
WHERE {
  ?meting a <http://www.w3.org/ns/sosa/Observation> ;
          <http://www.w3.org/ns/sosa/observedProperty> ?indicator ;
          <http://www.w3.org/ns/sosa/hasFeatureOfInterest> ?gebied ;
          <http://www.w3.org/ns/sosa/phenomenonTime>/<http://www.w3.org/ns/dcat#endDate> ?eind .
  FILTER NOT EXISTS { ?meting <https://data.krb.nl/def/krb#beoogdEffect> [] }
}"""


def research(*options: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """bench/research.py at the sizes of this test, with ``options``."""
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "research.py"),
            *("--triples", str(TRIPLES), "--areas", str(AREAS)),
            *("--years", str(YEARS), "--indicators", str(INDICATORS)),
            *options,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    folder = tmp_path_factory.mktemp("bench-research")
    out = folder / "research.json"
    done = research("--repeat", "1", "--data", str(folder), "--out", str(out), timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


def test_the_store_holds_one_measurement_per_indicator_area_and_year(bench_run) -> None:
    results, _ = bench_run
    store = open_store(Settings(store=results["store"]))
    try:
        row = store.query(_OBSERVATIONS).rows[0]
    finally:
        store.close()
    measured, indicators, areas, years = (int(str(value)) for value in row)
    assert (indicators, areas, years) == (INDICATORS, AREAS, YEARS)
    assert measured == INDICATORS * AREAS * YEARS
    assert results["facts"]["observations"] == measured
    # each observation is more than a dozen triples, as krb import-metingen writes them
    assert results["facts"]["measurement_triples"] > 12 * measured


def test_every_answer_has_the_rows_of_the_named_query(bench_run) -> None:
    results, stdout = bench_run
    cases = results["cases"]
    assert {(c["question"], c["scope"]) for c in cases} == {
        (q, s) for q in QUESTIONS for s in ("gebied", "register")
    }
    store = open_store(Settings(store=results["store"]))
    try:
        catalogue = load_catalogue()
        for case in cases:
            assert case["error"] is None, case
            expected = len(run_named_query(store, catalogue, case["question"], case["values"]).rows)
            assert case["engine_rows"] == expected, case
            assert case["service_rows"] == expected, case
            assert len(case["engine_runs"]) == len(case["service_runs"]) == 1
            assert case["ratio"] == pytest.approx(case["service_ms"] / case["engine_ms"])
    finally:
        store.close()
    # the whole registry has a row for every norm at least: never an empty answer
    whole = {c["question"]: c for c in cases if c["scope"] == "register"}
    assert whole["normtoets"]["engine_rows"] > 0
    assert "## Research questions" in stdout
    for question in QUESTIONS:
        assert sum(line.startswith(f"| {question} ") for line in stdout.splitlines()) == 2


def test_a_second_run_keeps_the_built_store(bench_run, tmp_path: Path) -> None:
    """The store is kept under --data, keyed by the sizes: a rerun builds nothing."""
    results, _ = bench_run
    data = Path(results["store"]).parent.parent
    done = research("--data", str(data), "--build-only", timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "krb load --no-validate" not in done.stdout  # printed only while building
    assert f"{INDICATORS} x {AREAS} x {YEARS}" in done.stdout
