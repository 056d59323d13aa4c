"""A value longer than the engine's answers carry in one piece: a clear refusal, not a 500.

Someone stores a whole document as one literal (the Graph Store takes 9 MB). The
supervised engine and a remote server answer in SPARQL results, which pyoxigraph
reads in pieces of at most 16 MiB; reading such a value back failed with a
MemoryError, a 500 on /sparql. It is said for what it is, with what to do instead,
and a query that asks for part of the value still answers.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from krbgraph.rdfio import MAX_LITERAL_BYTES, unsupported_term
from krbgraph.settings import Settings
from krbgraph.store import UnsupportedAnswer, open_store
from krbgraph.store.streaming import select_rows
from krbgraph.web.app import create_app
from krbgraph.web.search import build_entries

LONG = 9 * 1024 * 1024
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
TURTLE = {"Accept": "text/turtle"}


def test_a_value_past_what_an_answer_carries_is_refused_with_what_to_do(
    tmp_path: Path,
) -> None:
    data = tmp_path / "groot.nt"
    data.write_text(f'<urn:x:doc> <urn:x:tekst> "{"x" * LONG}" .\n', encoding="utf-8")
    query = "SELECT ?o WHERE { GRAPH ?g { <urn:x:doc> <urn:x:tekst> ?o } }"
    # Written before such values were refused: straight into the store's folder.
    raw = ox.Store(str(tmp_path / "db"))
    raw.bulk_load(
        path=str(data), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:x:groot")
    )
    del raw
    with open_store(Settings(store=str(tmp_path / "db"), engine="supervised")) as store:
        with pytest.raises(UnsupportedAnswer, match="SUBSTR") as refused:
            store.query(query)
        assert "MiB" in str(refused.value)
        with pytest.raises(UnsupportedAnswer), select_rows(store, query) as (_, rows):
            list(rows)
        # Part of it, and the graph whole, still come back.
        length = store.query(
            "SELECT (STRLEN(?o) AS ?n) WHERE { GRAPH ?g { <urn:x:doc> <urn:x:tekst> ?o } }"
        )
        assert int(str(length.rows[0][0])) == LONG
        (triple,) = store.read_graph("urn:x:groot")
        assert triple[0] == URIRef("urn:x:doc") and len(str(triple[2])) == LONG
        # Written before such values were refused, as a label: the search index leaves it
        # out instead of failing for every search.
        store.update(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "INSERT { GRAPH <urn:x:groot> { <urn:x:doc> rdfs:label ?o } } "
            "WHERE { GRAPH ?g { <urn:x:doc> <urn:x:tekst> ?o } }"
        )
        store.update(
            "INSERT DATA { GRAPH <urn:x:klein> { <urn:x:ander> "
            '<http://www.w3.org/2000/01/rdf-schema#label> "Geluidskaart"@nl } }'
        )
        assert "urn:x:ander" in {entry.iri for entry in build_entries(store)}
        # Its page in a browser is the site's page saying what to do, not JSON.
        settings = Settings(store=str(tmp_path / "db"), engine="supervised")
        with TestClient(create_app(settings, store=store)) as client:
            page = client.get("/resource", params={"iri": "urn:x:doc"}, headers=BROWSER)
            assert page.status_code == 422 and "SUBSTR" in page.text
            assert page.headers["content-type"].startswith("text/html")
            # As data it is a graph, which comes whole (N-Triples, up to 16 MiB a term).
            data = client.get("/resource", params={"iri": "urn:x:doc"}, headers=TURTLE)
            assert data.status_code == 200 and len(data.content) > LONG


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("x" * MAX_LITERAL_BYTES, False),
        ("x" * (MAX_LITERAL_BYTES + 1), True),
        ("é" * (MAX_LITERAL_BYTES // 2), False),  # two bytes each in UTF-8
        ("é" * (MAX_LITERAL_BYTES // 2 + 1), True),
    ],
)
def test_a_literal_longer_than_an_answer_carries_is_refused_when_written(
    text: str, refused: bool
) -> None:
    quad = ox.Quad(ox.NamedNode("urn:x:doc"), ox.NamedNode("urn:x:tekst"), ox.Literal(text))
    problem = unsupported_term([quad])
    assert (problem is not None) == refused
    if refused:
        assert "8,000,000" in problem and "urn:x:doc" in problem


def test_a_load_refuses_such_a_literal_and_names_it_as_written(tmp_path: Path) -> None:
    """The bulk loaders never hand quads to Python, so the file is looked at first; and
    the message shows <urn:x:doc> as written (the terminal library read ":x:" as an
    emoji and printed a cross mark in the IRI)."""
    from typer.testing import CliRunner

    from krbgraph.cli import app

    data = tmp_path / "groot.nt"
    data.write_text(f'<urn:x:doc> <urn:x:tekst> "{"x" * LONG}" .\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["load", str(data), "--store", str(tmp_path / "db")])
    assert result.exit_code != 0
    assert "<urn:x:doc> <urn:x:tekst> has a literal of 9,437,184 bytes" in result.stderr
    with open_store(Settings(store=str(tmp_path / "db"))) as store:
        assert not [g for g in store.graphs() if g.iri.endswith("/groot")]
