"""What the registry cannot hold is refused where it comes in, and the service stays up.

RDF 1.2 triple terms (``<< >>``) and base directions (``"x"@ar--rtl``) parse, but
every page, report and export reads the store through rdflib, which has neither: once
stored they broke every read that met them (500). And the engine's SPARQL parser
recurses once per ``<<``, so ten thousand of them in one update crashed the service's
process. Each way in is tried here: SPARQL Update, Graph Store PUT, files for
``krb validate`` and ``krb load``; and a query that makes a triple term itself is
answered with a clear 422, not a 500.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from store_templates import copy_of
from test_sparql_support import AUTH, demo_store, snapshot
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.settings import Settings
from krbgraph.sparql_text import SparqlLimits, SparqlRefused, check
from krbgraph.store import ensure_model
from krbgraph.web.app import create_app

GRAPH = "https://krb.demogemeente.nl/graph/vreemd"
TRIPLE_TERM = "<< <http://example.org/a> <http://example.org/b> <http://example.org/c> >>"
DIRECTIONAL = '"مرحبا"@ar--rtl'


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("unsupported")
    store, config = demo_store(folder)
    with store, TestClient(create_app(config, store=store)) as client:
        yield client, store, folder


def test_ten_thousand_nested_quoted_triples_are_refused_from_the_text() -> None:
    # Refused by the scan, before any parser sees it (the engine's crashed the process).
    nested = "<< <http://a> <http://b> " * 10_000 + "<http://c>" + " >>" * 10_000
    with pytest.raises(SparqlRefused, match="quoted triples"):
        check(f"INSERT DATA {{ <http://s> <http://p> {nested} }}", SparqlLimits())
    # Two less-than operators with a space between them stay a comparison.
    check("SELECT * WHERE { ?s ?p ?o FILTER (?o < 3 && ?o < <http://x>) }", SparqlLimits())


@pytest.mark.parametrize(
    "update",
    [
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://example.org/s> <http://example.org/p> "
        f"{TRIPLE_TERM} }} }}",
        f"INSERT {{ GRAPH <{GRAPH}> {{ <http://example.org/s> <http://example.org/p> ?t }} }} "
        "WHERE { BIND (TRIPLE(<http://example.org/a>, <http://example.org/b>, 1) AS ?t) }",
        f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://example.org/s> <http://example.org/p> "
        f"{DIRECTIONAL} }} }}",
    ],
    ids=["quoted triple", "TRIPLE() in a template", "base direction"],
)
def test_updates_with_unsupported_terms_are_refused_and_change_nothing(served, update) -> None:
    client, store, folder = served
    before = snapshot(store, folder)
    answer = client.post(
        "/update", content=update, headers={**AUTH, "Content-Type": "application/sparql-update"}
    )
    assert answer.status_code == 400, answer.text
    assert "not" in answer.json()["detail"]
    assert snapshot(store, folder) == before
    assert client.get("/api/queries/geldig-op").status_code == 200


@pytest.mark.parametrize("value", [TRIPLE_TERM, DIRECTIONAL], ids=["triple term", "direction"])
def test_graph_store_refuses_unsupported_terms_and_writes_nothing(served, value) -> None:
    client, store, folder = served
    before = snapshot(store, folder)
    body = f"<http://example.org/s> <http://example.org/p> {value} .\n"
    answer = client.put(
        "/store",
        params={"graph": GRAPH},
        content=body.encode(),
        headers={**AUTH, "Content-Type": "text/turtle"},
    )
    assert answer.status_code == 400, answer.text
    assert "does not hold" in answer.json()["detail"]
    assert snapshot(store, folder) == before


@pytest.mark.parametrize(
    ("made", "named"),
    [
        ("TRIPLE(<http://a>, <http://b>, 1)", "triple term"),
        # rdflib has no base direction: "abc"@ar--rtl came back "abc"@ar, a 200
        ('"abc"@ar--rtl', "base direction"),
    ],
)
def test_a_query_that_makes_a_term_rdflib_cannot_hold_gets_422_naming_it(
    served, made: str, named: str
) -> None:
    client, _, _ = served
    answer = client.get(
        "/sparql",
        params={"query": f"SELECT ?t WHERE {{ BIND ({made} AS ?t) }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 422, answer.text
    assert named in answer.json()["detail"]


@pytest.mark.parametrize("command", ["validate", "load"])
@pytest.mark.parametrize("value", [TRIPLE_TERM, DIRECTIONAL], ids=["triple term", "direction"])
def test_files_with_unsupported_terms_are_refused_naming_the_file(
    tmp_path: Path, command: str, value: str
) -> None:
    data = tmp_path / "vreemd.ttl"
    data.write_text(f"<http://example.org/s> <http://example.org/p> {value} .\n", encoding="utf-8")
    store = tmp_path / "store"
    if command == "load":  # a store with the model, as a first `krb load` leaves it
        copy_of("model", Settings(), ensure_model, store)
    args = [command, str(data)] + (["--store", str(store)] if command == "load" else [])
    # `krb` in this process: the same command, exit code and output as the installed
    # script's, without a Python start and the model read again for each run.
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2, done.stdout + done.stderr
    assert str(data) in done.stderr
    assert "does not hold" in done.stderr
    if command == "load":
        listing = CliRunner().invoke(app, ["graphs", "--store", str(store)])
        assert "vreemd" not in listing.stdout


def test_an_engine_stopped_at_its_memory_limit_is_not_called_a_timeout(tmp_path: Path) -> None:
    from krbgraph.store import EngineStopped

    store, config = demo_store(tmp_path)
    app = create_app(config, store=store)

    @app.get("/test-engine-stopped")
    def stopped() -> None:
        raise EngineStopped(
            "the query engine stopped while the query ran (killed by SIGABRT: it reached "
            "its memory limit of 2048 MB); it is being restarted"
        )

    with store, TestClient(app) as client:
        answer = client.get("/test-engine-stopped")
    assert answer.status_code == 503
    assert "memory limit" in answer.json()["detail"]
    assert "did not finish within" not in answer.json()["detail"]
    assert "2048" not in answer.json()["detail"]  # the engine's own words stay in the log


@pytest.mark.parametrize("path", ["/query", "/query/download"])
def test_the_query_editor_names_a_triple_term_in_its_answer(served, path: str) -> None:
    client, _, _ = served
    answer = client.get(
        path, params={"query": "SELECT ?t WHERE { BIND (TRIPLE(<http://a>, <http://b>, 1) AS ?t) }"}
    )
    assert answer.status_code == 422, answer.text
    assert "tripleterm" in answer.text


# --- What XML cannot carry ---------------------------------------------------------

_ODD = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {{ GRAPH <{GRAPH}-xml> {{
  <https://krb.demogemeente.nl/id/ding/amp> rdfs:label "x"^^<http://example.org/t?a=1&b=2> ;
      <http://example.org/a&b#p> "y"@nl .
  <https://krb.demogemeente.nl/id/ding/slash> <http://example.org/vocab/> "z"@nl .
  <https://krb.demogemeente.nl/id/ding/ctrl> rdfs:label "een\\u0001twee"@nl .
}} }}"""


@pytest.fixture(scope="module")
def odd(served):
    client, _, _ = served
    answer = client.post(
        "/update", content=_ODD, headers={**AUTH, "Content-Type": "application/sparql-update"}
    )
    assert answer.status_code == 204, answer.text
    return client


def test_rdf_xml_keeps_iris_with_an_ampersand(odd) -> None:
    from rdflib import Graph, Literal, URIRef

    answer = odd.get("/id/ding/amp", headers={"Accept": "application/rdf+xml"})
    assert answer.status_code == 200, answer.text
    graph = Graph().parse(data=answer.content, format="xml")  # well-formed, and the same
    subject = URIRef("https://krb.demogemeente.nl/id/ding/amp")
    assert Literal("x", datatype=URIRef("http://example.org/t?a=1&b=2")) in set(
        graph.objects(subject)
    )
    assert (subject, URIRef("http://example.org/a&b#p"), Literal("y", lang="nl")) in graph


@pytest.mark.parametrize(
    ("path", "said"),
    [("/id/ding/slash", "cannot be written in RDF/XML"), ("/id/ding/ctrl", "U+0001")],
)
def test_rdf_xml_of_what_it_cannot_carry_is_406_and_turtle_still_works(
    odd, path: str, said: str
) -> None:
    answer = odd.get(path, headers={"Accept": "application/rdf+xml"})
    assert answer.status_code == 406, answer.text
    assert said in answer.json()["detail"]
    assert odd.get(path, headers={"Accept": "text/turtle"}).status_code == 200


def test_sparql_xml_results_with_a_control_character_are_406(odd) -> None:
    query = "SELECT ?l WHERE { <https://krb.demogemeente.nl/id/ding/ctrl> ?p ?l }"
    answer = odd.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert answer.status_code == 406, answer.text
    assert "U+0001" in answer.json()["detail"]
    # The formats it names are those a SELECT has (Turtle is for graphs: a second 406).
    assert "JSON, CSV or TSV" in answer.json()["detail"]
    assert "Turtle" not in answer.json()["detail"]
    as_json = odd.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert as_json.json()["results"]["bindings"][0]["l"]["value"] == "een\u0001twee"
