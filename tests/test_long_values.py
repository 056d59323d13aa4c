"""A value longer than the engine's answers carry in one piece: a clear refusal, not a 500.

Someone stores a whole document as one literal (the Graph Store takes 9 MB). The
supervised engine and a remote server answer in SPARQL results, which pyoxigraph
reads in pieces of at most 16 MiB; reading such a value back failed with a
MemoryError, a 500 on /sparql. It is said for what it is, with what to do instead,
and a query that asks for part of the value still answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from krbgraph.settings import Settings
from krbgraph.store import UnsupportedAnswer, open_store
from krbgraph.store.streaming import select_rows

LONG = 9 * 1024 * 1024


def test_a_value_past_what_an_answer_carries_is_refused_with_what_to_do(
    tmp_path: Path,
) -> None:
    data = tmp_path / "groot.nt"
    data.write_text(f'<urn:x:doc> <urn:x:tekst> "{"x" * LONG}" .\n', encoding="utf-8")
    query = "SELECT ?o WHERE { GRAPH ?g { <urn:x:doc> <urn:x:tekst> ?o } }"
    with open_store(Settings(store=str(tmp_path / "db"), engine="supervised")) as store:
        store.load_file(data, "urn:x:groot", replace=False)
        with pytest.raises(UnsupportedAnswer, match="SUBSTR") as refused:
            store.query(query)
        assert "16 MiB" in str(refused.value)
        with pytest.raises(UnsupportedAnswer), select_rows(store, query) as (_, rows):
            list(rows)
        # Part of it, and the graph whole, still come back.
        length = store.query(
            "SELECT (STRLEN(?o) AS ?n) WHERE { GRAPH ?g { <urn:x:doc> <urn:x:tekst> ?o } }"
        )
        assert int(str(length.rows[0][0])) == LONG
        (triple,) = store.read_graph("urn:x:groot")
        assert triple[0] == URIRef("urn:x:doc") and len(str(triple[2])) == LONG
