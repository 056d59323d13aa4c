"""Exports streamed from the engine give the same answer as the collected one, and names
looked up once per store write stay right after a write.

On an embedded store with the demo: `krb query NAME --format csv|tsv|json` streams its
rows (krbgraph.queries.stream_named_query) and must print exactly what the formats of
the collected answer (run_named_query) give, names included.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from rdflib import Literal, URIRef
from remote_server import running_oxigraph
from typer.testing import CliRunner

from krbgraph.commands import queries as query_commands
from krbgraph.derived import refresh as refresh_derived
from krbgraph.labels import fetch_names
from krbgraph.model import project_root
from krbgraph.queries import load_catalogue, run_named_query, stream_named_query
from krbgraph.settings import Settings
from krbgraph.sparql_results import csv_text, json_text, tsv_text
from krbgraph.store import QueryTimeout, ensure_model, open_store
from krbgraph.store.streaming import select_rows

DEMO_FILES = sorted((project_root() / "examples" / "demo").glob("*.ttl"))
DEMO_GRAPH = "https://krb.demogemeente.nl/id/graph/demo"


@pytest.fixture(scope="module")
def store_folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("streaming") / "db"
    with open_store(Settings(store=str(folder))) as store:
        ensure_model(store)
        store.load_files({DEMO_GRAPH: DEMO_FILES}, replace=True)
        refresh_derived(store)
    return str(folder)


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    query_commands.register(app)
    return app


def _collected(folder: str, name: str, fmt: str, lang: str | None = None) -> str:
    with open_store(Settings(store=folder)) as store:
        languages = (lang, "nl") if lang else ("nl",)
        result = run_named_query(store, load_catalogue(), name, {}, languages=languages)
    if fmt == "csv":
        return csv_text(result.variables, result.rows)
    if fmt == "tsv":
        return tsv_text(result.variables, result.rows)
    return json_text(result.variables, result.rows, pretty=True)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
@pytest.mark.parametrize("name", ["beleidsketen", "geldig-op", "dwarsverbanden-themas"])
def test_cli_export_streams_the_same_answer(store_folder: str, name: str, fmt: str) -> None:
    result = CliRunner().invoke(_app(), ["query", name, "--store", store_folder, "--format", fmt])
    assert result.exit_code == 0, result.stderr
    expected = _collected(store_folder, name, fmt)
    assert result.stdout_bytes.decode("utf-8") == expected
    if fmt == "json":
        bindings = json.loads(result.stdout)["results"]["bindings"]
        assert bindings, f"{name} has rows in the demo"
        labels = [k for k in bindings[0] if k.endswith("_label")]
        assert labels, "name columns are filled while streaming"


def test_names_follow_the_language_while_streaming(store_folder: str) -> None:
    with open_store(Settings(store=store_folder)) as store:
        catalogue = load_catalogue()
        collected = run_named_query(store, catalogue, "beleidsketen", {}, languages=("en", "nl"))
        with stream_named_query(store, catalogue, "beleidsketen", {}, languages=("en", "nl")) as (
            variables,
            rows,
        ):
            streamed = list(rows)
    assert variables == collected.variables
    assert streamed == list(collected.rows)


def test_cached_names_change_with_a_write(tmp_path: Path) -> None:
    thing = "https://example.org/id/ding/1"
    with open_store(Settings(store=str(tmp_path / "db"))) as store:
        store.update(
            f'INSERT DATA {{ <{thing}> <http://www.w3.org/2000/01/rdf-schema#label> "oud"@nl }}'
        )
        assert fetch_names(store, [thing]) == {thing: "oud"}
        assert fetch_names(store, [thing]) == {thing: "oud"}  # from the cache
        store.update(
            "DELETE WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o } ;"
            f'INSERT DATA {{ <{thing}> <http://www.w3.org/2000/01/rdf-schema#label> "nieuw"@nl }}'
        )
        assert fetch_names(store, [thing]) == {thing: "nieuw"}
        graph_write = {None: _graph(thing, "via een graaf")}
        store.write_graphs(graph_write, replace=True)
        assert fetch_names(store, [thing]) == {thing: "via een graaf"}


def test_a_name_missing_before_a_write_is_found_after_it(tmp_path: Path) -> None:
    thing = "https://example.org/id/ding/2"
    with open_store(Settings(store=str(tmp_path / "db"))) as store:
        assert fetch_names(store, [thing]) == {}
        store.update(f'INSERT DATA {{ <{thing}> <http://purl.org/dc/terms/identifier> "D-2" }}')
        assert fetch_names(store, [thing]) == {thing: "D-2"}


def _graph(thing: str, label: str):  # noqa: ANN202 - an rdflib Graph
    from rdflib import Graph
    from rdflib.namespace import RDFS

    graph = Graph()
    graph.add((URIRef(thing), RDFS.label, Literal(label, lang="nl")))
    return graph


@pytest.mark.parametrize("name", ["beleidsketen", "geldig-op"])
def test_supervised_engine_streams_the_same_answer(store_folder: str, name: str) -> None:
    """The service's engine (`oxigraph serve`) streams a named query's rows, names
    included, exactly as the embedded store collects them."""
    expected = _collected(store_folder, name, "csv")
    settings = Settings(store=store_folder, engine="supervised")
    with (
        open_store(settings) as store,
        stream_named_query(store, load_catalogue(), name, {}) as (columns, rows),
    ):
        streamed = csv_text(columns, list(rows))
    assert streamed == expected


def test_remote_and_supervised_exports_hand_out_rows_before_the_answer_is_complete(
    tmp_path: Path,
) -> None:
    """An answer far too large to finish within the time limit still gives its first
    rows at once, and leaving the block early closes it: rows come as the engine
    sends them, not after the whole answer was collected."""
    huge = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 27 million rows
    numbers = " ".join(f"<urn:n{i}> <urn:v> {i} ." for i in range(300))
    with (
        running_oxigraph(tmp_path / "remote") as url,
        open_store(Settings(store=url)) as remote,
        open_store(Settings(store=str(tmp_path / "db"), engine="supervised")) as supervised,
    ):
        for backend in (remote, supervised):
            backend.update(f"INSERT DATA {{ {numbers} }}")
            with select_rows(backend, huge, timeout_s=3) as (variables, rows):
                first = [row for _, row in zip(range(1000), rows, strict=False)]
            assert variables == ("a", "b", "c", "d", "e", "f", "g", "h", "i")
            assert len(first) == 1000 and all(len(row) == 9 for row in first)
            # Read on, it runs into the time limit while the rows come.
            with pytest.raises(QueryTimeout), select_rows(backend, huge, timeout_s=1) as (_, rows):
                for _row in rows:
                    pass
            assert backend.query("ASK { ?s ?p ?o }").boolean  # the engine answers again


def test_only_select_answers_stream_on_every_backend(tmp_path: Path) -> None:
    """An ASK or CONSTRUCT handed to an export is refused with a StoreError that says
    so, on the embedded store, a remote server and the supervised engine alike."""
    from krbgraph.store import StoreError

    with (
        running_oxigraph(tmp_path / "remote") as url,
        open_store(Settings(store=url)) as remote,
        open_store(Settings(store=str(tmp_path / "db"), engine="supervised")) as supervised,
        open_store(Settings(store=str(tmp_path / "embedded"))) as embedded,
    ):
        for backend in (remote, supervised, embedded):
            for text in ("ASK { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
                with (
                    pytest.raises(StoreError, match="only SELECT answers can be streamed"),
                    select_rows(backend, text) as (_, rows),
                ):
                    list(rows)
