"""Smoke test of bench/pages.py: the page and API benchmark on a small generated registry.

The benchmark is not part of the suite, so without this test it would rot as
routes, pages and the store change. One run of one repetition with all real
parts: generate.py, the `krb load` CLI, the application on the loaded store.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts

from krbgraph.settings import Settings
from krbgraph.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
SIZE = 10_000

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    folder = tmp_path_factory.mktemp("bench-pages")
    out = folder / "pages.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "pages.py"),
            *("--sizes", str(SIZE), "--repeat", "1"),
            *("--data", str(folder), "--out", str(out), "--work", str(folder / "work")),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), done.stdout


def test_every_timed_url_answers_and_is_measured(bench_run) -> None:
    results, stdout = bench_run
    (size,) = results["sizes"]
    pages = size["pages"]
    kinds = {page["kind"] for page in pages}
    for kind in ("home", "lijst Beleidsnormen", "theme page", "norm page", "dwarsverbanden"):
        assert kind in kinds, kind
    assert "lijst Beleidsnormen, next page" in kinds, "the list has no volgende link"
    assert any(kind.startswith("api imbor") for kind in kinds)
    for page in pages:
        assert page["error"] is None, (page["kind"], page["error"])
        assert page["status"] == 200, page["kind"]
        assert 0 < page["median_ms"] <= page["p95_ms"], page["kind"]
        assert page["bytes"] > 0, page["kind"]
        assert page["ratio"] == pytest.approx(page["median_ms"] / results["target_ms"])
    assert "## Pages and API at 10000 triples" in stdout


def test_every_route_of_the_app_is_timed_or_listed_as_not_timed(bench_run) -> None:
    """A route added to the application appears in the report, never silently missing."""
    results, _ = bench_run
    (size,) = results["sizes"]
    timed = {page["route"] for page in size["pages"]}
    listed = {(entry["method"], entry["route"]) for entry in size["not_timed"]}
    app = create_app(Settings(store=str(ROOT / "nowhere")))
    for context in iter_route_contexts(app.routes):
        for method in context.methods or ():
            covered = (method == "GET" and context.path in timed) or (
                (method, context.path) in listed
            )
            assert covered, f"{method} {context.path} is neither timed nor listed"
    for entry in size["not_timed"]:
        assert entry["reason"], entry
