"""Smoke test of bench/queries.py: the whole benchmark on a tiny generated registry.

The benchmark is not part of the suite, so without this test it would rot
as the catalogue, the store layer and the CLI change. One run, one
repetition, all real parts: generate.py, the `krb load` CLI, `oxigraph
load` and `oxigraph serve`, both store backends.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from krbgraph.queries import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
SIZE = 3000
KRB = "https://data.krb.nl/def/krb#"

pytestmark = [pytest.mark.remote, pytest.mark.slow]


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "queries.py"),
            "--sizes",
            str(SIZE),
            "--repeat",
            "1",
            "--data",
            str(folder),
            "--out",
            str(out),
            "--work",
            str(folder / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), done.stdout, folder


def test_every_named_query_runs_on_both_backends_with_the_same_answer(bench_run) -> None:
    results, stdout, _ = bench_run
    (size,) = results["sizes"]
    cases = size["cases"]
    assert {c["query"] for c in cases} == set(load_catalogue())
    for case in cases:
        assert case["skipped"] is None, case
        for backend in ("embedded", "remote"):
            timing = case[backend]
            assert timing["error"] is None, (case["case"], backend, timing["error"])
            assert 0 < timing["median_ms"] <= timing["p90_ms"]
        assert case["embedded"]["rows"] == case["remote"]["rows"], case["case"]
        assert case["identical"] is True, case["case"]
    assert "## Targets" in stdout and "identical results on both backends: PASS" in stdout


def test_load_is_timed_for_both_tools_on_the_generated_file(bench_run) -> None:
    results, _, folder = bench_run
    load = results["sizes"][0]["load"]
    registry = folder / f"registry-{SIZE}.nt"
    assert load["file_bytes"] == registry.stat().st_size
    assert load["triples"] == sum(
        1 for _ in ox.parse(path=str(registry), format=ox.RdfFormat.N_TRIPLES)
    )
    assert load["validated_note"] is None
    for key in ("oxigraph_s", "krb_no_validate_s", "krb_validated_s"):
        assert load[key] > 0
    ratio = load["krb_no_validate_s"] / load["oxigraph_s"]
    assert load["ratio_no_validate"] == pytest.approx(ratio)
    assert load["krb_store_bytes"] > 0 and load["oxigraph_store_bytes"] > 0


def test_parameters_are_the_telling_cases_of_the_registry(bench_run) -> None:
    """The picks must exercise what the queries are for, or the latencies say little."""
    results, _, folder = bench_run
    size = results["sizes"][0]
    picks = size["picks"]
    registry = ox.Store()
    registry.load(path=str(folder / f"registry-{SIZE}.nt"), format=ox.RdfFormat.N_TRIPLES)

    def holds(ask: str, **terms: str) -> bool:
        substitutions = {ox.Variable(k): ox.NamedNode(v) for k, v in terms.items()}
        return bool(registry.query(ask, substitutions=substitutions))

    cross_theme = f"""ASK {{
        ?e <{KRB}maatregel> ?m ; <{KRB}norm>/<{KRB}indicator>/<{KRB}beleidsthema> ?t .
        ?m <{KRB}beleidsthema> ?own . FILTER (?t != ?own) }}"""
    assert holds(cross_theme, m=picks["measure"])
    assert holds(f"ASK {{ ?g <{KRB}ligtIn>/<{KRB}ligtIn>/<{KRB}ligtIn> ?top }}", g=picks["street"])
    assert holds(
        f"ASK {{ ?n a <{KRB}Beleidsnorm> ; <{KRB}document> ?d }}",
        n=picks["norm"],
        d=picks["document"],
    )
    rows = {c["case"]: c["embedded"]["rows"] for c in size["cases"]}
    for name in (
        "dwarsverbanden-maatregel",
        "beleid-in-gebied",
        "besluitspoor",
        "normen-per-imbor-objecttype",
        "normen-per-zoekingang",
        "zoek",
        "zoek-objecttype",
        "web-norm-details",
        "web-dwarsverband-maatregelen",
    ):
        assert rows[name] > 0, name
