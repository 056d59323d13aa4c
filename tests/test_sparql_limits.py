"""The endpoint's time and size limits stop a runaway query at once, on both backends.

The query is the cross join ``SELECT * { ?a ?b ?c . ?d ?e ?f }``: nine million
solutions, produced one by one, so only a limit applied while the answer is
read keeps the service from collecting them all. The endpoint passes its
limits and its URL (the base IRI of relative IRIs) to the store; these tests
check what a client sees, over real HTTP, with an embedded store and with a
real ``oxigraph serve`` behind the service.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from remote_server import oxigraph_fixture
from test_sparql_support import AUTH, BASE, TIMEOUT, TOKEN, empty_store, served

from krbgraph.settings import Settings
from krbgraph.store import Store, open_store

oxigraph_url = oxigraph_fixture(scope="module")

CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
TRIPLES = 3000
LIMIT_S = 0.5
MAX_ROWS = 1000
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def numbered(count: int) -> Graph:
    graph = Graph()
    for i in range(count):
        graph.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(i)))
    return graph


BACKENDS = ["embedded", pytest.param("remote", marks=pytest.mark.remote)]


@pytest.fixture(scope="module", params=BACKENDS)
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Store, Settings]]:
    """The service with a time limit of 0.5 s, without a size limit that matters."""
    if request.param == "embedded":
        store, settings = empty_store(
            tmp_path_factory.mktemp("limits"),
            query_timeout_s=LIMIT_S,
            max_result_rows=10_000_000,
        )
    else:
        settings = Settings(
            store=request.getfixturevalue("oxigraph_url"),
            base_iri=BASE,
            token=TOKEN,
            query_timeout_s=LIMIT_S,
            max_result_rows=10_000_000,
        )
        store = open_store(settings)
        store.update("DROP ALL")
    store.replace_graph("http://example.org/big", numbered(TRIPLES))
    with served(store, settings) as url:
        yield url, store, settings
    store.close()


def test_sparql_runaway_query_gets_503_at_the_limit(service: tuple[str, Store, Settings]) -> None:
    url, _, _ = service
    started = time.monotonic()
    response = httpx.get(f"{url}/sparql", params={"query": CROSS}, timeout=TIMEOUT)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text[:200]
    assert f"{LIMIT_S:g} s" in response.json()["detail"]
    # Reading all nine million rows takes well over ten seconds, so an answer within
    # a few seconds shows the limit stopped the query; the margin absorbs a busy
    # machine (a shared CI runner took 2.0 s for the 0.5 s limit).
    assert elapsed < LIMIT_S + 5, f"the 503 came after {elapsed:.1f} s"


def test_sparql_huge_answer_gets_422_without_reading_it_all(
    service: tuple[str, Store, Settings],
) -> None:
    _, store, settings = service
    # A generous time limit, so the answer depends on the size limit alone even on
    # a busy machine: the cross product has millions of rows, so only stopping at the size
    # limit can produce an answer within the test.
    limited = replace(settings, max_result_rows=MAX_ROWS, query_timeout_s=20.0)
    with served(store, limited) as small:
        response = httpx.get(f"{small}/sparql", params={"query": CROSS}, timeout=TIMEOUT)
        assert response.status_code == 422, response.text[:200]
        detail = response.json()["detail"]
        assert f"more than {MAX_ROWS} rows" in detail and "LIMIT and OFFSET" in detail
        triples = httpx.get(
            f"{small}/sparql",
            params={"query": "CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f }"},
            timeout=TIMEOUT,
        )
        assert triples.status_code == 422
        assert f"more than {MAX_ROWS} triples" in triples.json()["detail"]


def test_an_answer_of_few_rows_with_huge_values_gets_422_before_it_is_all_held(
    service: tuple[str, Store, Settings],
) -> None:
    """Rows alone let 500 values of 1 MiB each through: 524 MB answered, 1.6 GB held by
    the service, well past its time limit; the values' text has a limit too."""
    _, store, settings = service
    limited = replace(settings, max_result_mb=1, query_timeout_s=20.0)
    # 64 KiB per row, built by the engine from a short text: 40 rows are 2.5 MiB.
    doubled = "".join(f"BIND (CONCAT(?v{i}, ?v{i}) AS ?v{i + 1}) " for i in range(12))
    grow = f'BIND ("0123456789abcdef" AS ?v0) {doubled}'
    forty = " ".join(map(str, range(40)))
    query = f"SELECT ?n ?big WHERE {{ VALUES ?n {{ {forty} }} {grow} BIND (?v12 AS ?big) }}"
    with served(store, limited) as small:
        response = httpx.get(f"{small}/sparql", params={"query": query}, timeout=TIMEOUT)
        assert response.status_code == 422, response.text[:200]
        assert "more than 1 MB" in response.json()["detail"]
        # Within the limit the same values are answered.
        few = query.replace(forty, "1 2 3 4 5 6 7 8 9 10")
        answered = httpx.get(f"{small}/sparql", params={"query": few}, timeout=TIMEOUT)
        assert answered.status_code == 200
        rows = answered.json()["results"]["bindings"]
        assert len(rows) == 10 and all(len(r["big"]["value"]) == 16 * 4096 for r in rows)
        subjects = " ".join(f"<urn:s{i}>" for i in range(40))
        described = (
            f"CONSTRUCT {{ ?s <urn:p> ?big }} WHERE {{ VALUES ?s {{ {subjects} }} "
            f"{grow} BIND (?v12 AS ?big) }}"
        )
        triples = httpx.get(f"{small}/sparql", params={"query": described}, timeout=TIMEOUT)
        assert triples.status_code == 422, triples.text[:200]


def test_sparql_relative_iris_and_error_positions_on_both_backends(
    service: tuple[str, Store, Settings],
) -> None:
    url, _, _ = service
    answer = httpx.get(
        f"{url}/sparql",
        params={"query": "SELECT ?x WHERE { BIND(<norm/1> AS ?x) }"},
        headers=JSON_RESULTS,
        timeout=TIMEOUT,
    )
    assert answer.json()["results"]["bindings"][0]["x"]["value"] == f"{url}/norm/1"
    wrong = httpx.get(f"{url}/sparql", params={"query": "SELECT ?x\nWHERE { ?x ?y }"})
    assert wrong.status_code == 400
    assert "line 2, column" in wrong.json()["detail"], wrong.json()["detail"]


def test_sparql_update_resolves_relative_iris_against_the_endpoint(
    service: tuple[str, Store, Settings],
) -> None:
    url, store, _ = service
    update = 'INSERT DATA { GRAPH <graph/relatief> { <ding/1> <naam> "een" } }'
    response = httpx.post(f"{url}/update", data={"update": update}, headers=AUTH, timeout=TIMEOUT)
    assert response.status_code == 204, response.text
    triples = set(store.read_graph(f"{url}/graph/relatief"))
    assert triples == {(URIRef(f"{url}/ding/1"), URIRef(f"{url}/naam"), Literal("een"))}
    wrong = httpx.post(
        f"{url}/update", data={"update": "INSERT DATA {\n  <a> }"}, headers=AUTH, timeout=TIMEOUT
    )
    assert wrong.status_code == 400
    assert "line 2, column" in wrong.json()["detail"], wrong.json()["detail"]


# -- start-up ------------------------------------------------------------------------

STARTUP = textwrap.dedent(
    """
    import json, sys, threading
    from fastapi.testclient import TestClient
    from krbgraph.model import model_graph, shapes_graph
    from krbgraph.settings import Settings
    from krbgraph.store import open_store
    from krbgraph.web.app import create_app

    folder, token = sys.argv[1], sys.argv[2] or None
    store = open_store(Settings(store=folder))
    app = create_app(Settings(store=folder, token=token), store=store)
    report = {
        "lock": type(app.state.write_lock).__name__,
        "parsed_before_start": model_graph.cache_info().currsize
        + shapes_graph.cache_info().currsize,
    }
    with TestClient(app) as client:
        report["parsed_at_start"] = (
            model_graph.cache_info().currsize + shapes_graph.cache_info().currsize
        )
        report["status"] = client.get("/sparql", params={"query": "ASK {}"}).status_code
        report["graphs"] = len(store.graphs())
    store.close()
    print(json.dumps(report))
    """
)


def start_app(folder: Path, token: str) -> dict[str, object]:
    """Start the service on a given store in a fresh process; what was prepared at start-up."""
    run = subprocess.run(
        [sys.executable, "-c", STARTUP, str(folder), token],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_sparql_writable_service_parses_model_and_shapes_at_start_up(tmp_path: Path) -> None:
    report = start_app(tmp_path / "store", TOKEN)
    assert report["lock"] == "lock"
    assert report["parsed_before_start"] == 0
    assert report["parsed_at_start"] == 2, "the first write would parse model and shapes"
    assert report["status"] == 200
    assert report["graphs"] == 0, "a store given to the app must be left as it is (no model)"


def test_sparql_read_only_service_does_not_prepare_validation(tmp_path: Path) -> None:
    report = start_app(tmp_path / "store", "")
    assert report["parsed_at_start"] == 0
