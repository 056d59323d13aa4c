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


def _without_name_columns(text: str, fmt: str, name: str) -> list[list[str]]:
    """The collected answer's rows as text, the name columns left out, in the order of
    the query's own columns (the fact columns)."""
    import csv
    import io

    query = load_catalogue()[name]
    facts = [c.name for c in query.columns if c.name_of is None]
    if fmt == "json":
        document = json.loads(text)
        return [
            [b[v]["value"] if v in b else "" for v in facts]
            for b in document["results"]["bindings"]
        ]
    if fmt == "csv":
        table = list(csv.reader(io.StringIO(text)))
    else:  # TSV quotes nothing: a literal's quotes are part of its SPARQL syntax
        table = [line.split("\t") for line in text.splitlines()]
    header = [column.lstrip("?") for column in table[0]]
    positions = [header.index(v) for v in facts]
    return [[row[i] for i in positions] for row in table[1:]]


@pytest.mark.parametrize("name", ["beleidsketen", "geldig-op", "dwarsverbanden-themas"])
def test_export_without_names_is_the_answer_without_its_name_columns(
    store_folder: str, name: str
) -> None:
    """`--no-names`: the engine writes the answer; it holds exactly the rows of the
    collected answer without their name columns (as a multiset: the query's own order
    may differ where the named export sorts by name), its header the fact columns."""
    query = load_catalogue()[name]
    facts = [c.name for c in query.columns if c.name_of is None]
    expected = sorted(_without_name_columns(_collected(store_folder, name, "csv"), "csv", name))
    assert expected, f"{name} has rows in the demo"
    for fmt in ("csv", "tsv", "json"):
        result = CliRunner().invoke(
            _app(), ["query", name, "--store", store_folder, "--format", fmt, "--no-names"]
        )
        assert result.exit_code == 0, result.stderr
        text = result.stdout_bytes.decode("utf-8")
        if fmt == "json":
            assert json.loads(text)["head"]["vars"] == facts
        else:
            separator = "," if fmt == "csv" else "\t"
            header = text.splitlines()[0].split(separator)
            assert [column.lstrip("?") for column in header] == facts
        found = _without_name_columns(text, fmt, name)
        if fmt == "tsv":  # TSV writes terms in SPARQL syntax: compare their values
            found = [[_tsv_value(cell) for cell in row] for row in found]
        assert sorted(found) == expected, fmt


def _tsv_value(cell: str) -> str:
    if cell.startswith("<") and cell.endswith(">"):
        return cell[1:-1]
    if cell.startswith('"'):
        return json.loads(cell[: cell.rindex('"') + 1])
    return cell


def test_export_without_names_refuses_a_table_and_stops_at_the_time_limit(
    store_folder: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        _app(), ["query", "beleidsketen", "--store", store_folder, "--no-names"]
    )
    assert result.exit_code != 0 and "--no-names" in result.stderr

    import io

    from krbgraph.store.streaming import write_answer

    huge = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # far too large
    numbers = " ".join(f"<urn:n{i}> <urn:v> {i} ." for i in range(300))
    with (
        running_oxigraph(tmp_path / "remote") as url,
        open_store(Settings(store=url)) as remote,
        open_store(Settings(store=str(tmp_path / "db"))) as embedded,
    ):
        for backend in (remote, embedded):
            backend.update(f"INSERT DATA {{ {numbers} }}")
            out = io.BytesIO()
            with pytest.raises(QueryTimeout):
                write_answer(backend, huge, out, "csv", timeout_s=1)
            assert out.getvalue().startswith(b"a,b,c,d,e,f,g,h,i\r\n")  # it was streaming
            assert backend.query("ASK { ?s ?p ?o }").boolean  # the engine answers again


@pytest.mark.parametrize("engine", ["supervised", "embedded"])
def test_export_without_names_is_the_same_on_the_service_engine(
    store_folder: str, engine: str
) -> None:
    import io

    from krbgraph.queries import write_without_names

    outputs = []
    for chosen in ("embedded", engine):
        with open_store(Settings(store=store_folder, engine=chosen)) as store:
            out = io.BytesIO()
            columns = write_without_names(store, load_catalogue(), "beleidsketen", {}, out, "csv")
            outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") > 10
    assert outputs[0].split(b"\r\n")[0].decode() == ",".join(columns)
