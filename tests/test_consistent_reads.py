"""A page or API answer built from several queries never shows half of a write.

The write is committed for real, into the real store, at the worst moment: right
after the request's query that reads the norms' values and dates, before their names
are read. A reader then got the norm's new name beside its old value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_sparql_support import BASE, demo_store

from krbgraph.store import Store
from krbgraph.web.app import create_app

NORM = f"{BASE}/id/beleidsnorm/GEL-N01"
RENAME_AND_REVALUE = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
DELETE {{ GRAPH ?g {{ <{NORM}> skos:prefLabel ?naam ; rdfs:label ?label ;
                                qudt:numericValue ?waarde }} }}
INSERT {{ GRAPH ?g {{ <{NORM}> skos:prefLabel "Geluidsdruk gevel nieuw"@nl ;
                                qudt:numericValue 41 }} }}
WHERE {{ GRAPH ?g {{ <{NORM}> qudt:numericValue ?waarde
                     OPTIONAL {{ <{NORM}> skos:prefLabel ?naam }}
                     OPTIONAL {{ <{NORM}> rdfs:label ?label }} }} }}
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Store, TestClient]]:
    store, config = demo_store(tmp_path)
    with store, TestClient(create_app(config, store=store)) as client:
        yield store, client


def _writing_after(store: Store, marker: str) -> Callable[..., Any]:
    """store.query, which commits RENAME_AND_REVALUE once, right after the first query
    whose text holds ``marker``."""
    original = store.query
    written = False

    def query(sparql: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal written
        result = original(sparql, *args, **kwargs)
        if not written and marker in sparql:
            written = True
            store.update(RENAME_AND_REVALUE)
        return result

    return query


def _norm(answer: Any) -> tuple[str, float]:
    rows = [row for row in answer["normen"] if row["norm"]["iri"] == NORM]
    assert rows, answer
    return rows[0]["norm"]["label"], rows[0]["waarde"]


def test_an_api_answer_is_built_again_when_a_write_commits_while_it_is_built(
    served: tuple[Store, TestClient],
) -> None:
    store, client = served
    url = "/api/imbor/Asfaltverharding/normen"
    before = _norm(client.get(url).json())
    assert before[0] != "Geluidsdruk gevel nieuw"

    store.query = _writing_after(store, "?waarde_begrip")  # type: ignore[method-assign]
    try:
        answer = client.get(url)
    finally:
        del store.query  # type: ignore[method-assign]

    assert answer.status_code == 200
    assert _norm(answer.json()) == ("Geluidsdruk gevel nieuw", 41.0)
    assert _norm(client.get(url).json()) == ("Geluidsdruk gevel nieuw", 41.0)


def test_a_page_is_whole_too(served: tuple[Store, TestClient]) -> None:
    store, client = served
    url = "/id/beleidsnorm/GEL-N01"
    store.query = _writing_after(store, "geldigVanaf")  # type: ignore[method-assign]
    try:
        page = client.get(url, headers={"Accept": "text/html"}).text
    finally:
        del store.query  # type: ignore[method-assign]
    fresh = client.get(url, headers={"Accept": "text/html"}).text
    assert "Geluidsdruk gevel nieuw" in fresh
    assert page == fresh
