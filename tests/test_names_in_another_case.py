"""A code or name typed in another case resolves, whatever capitals it has inside.

The lookups try a text as written and in the usual cases (lower, UPPER, Capitalised,
Title Case), each an index lookup. Names with capitals inside were refused typed
otherwise: IMBOR's "IJsvogelwand" and "ANPR-camera" typed in lower case, the demo's
"Parklaan van Spui tot Vliet" typed all lower or all upper, though the docs promise a
name "in another case" and /api/imbor resolved the same names.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from test_pages_fixtures import Registry, build_registry

from krbgraph.labels import name_cache
from krbgraph.namespaces import KRB
from krbgraph.queries import find_named, load_catalogue, read_spellings_again, run_named_query
from krbgraph.store.embedded import EmbeddedStore

PARKLAAN = "Parklaan van Spui tot Vliet"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_registry(tmp_path_factory.mktemp("cases"))
    yield built
    built.store.close()


@pytest.mark.parametrize(
    "typed", [PARKLAAN.lower(), PARKLAAN.upper(), PARKLAAN.title(), PARKLAAN.swapcase()]
)
def test_an_area_name_in_any_case_is_the_area(registry: Registry, typed: str) -> None:
    exact = find_named(registry.store, PARKLAAN, str(KRB.Werkingsgebied))
    assert len(exact) == 1
    assert find_named(registry.store, typed, str(KRB.Werkingsgebied)) == exact
    with TestClient(registry.app) as client:
        answer = client.get(f"/api/gebieden/{quote(typed)}/beleid")
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("typed", ["ijsvogelwand", "IJSVOGELWAND", "anpr-camera", "Anpr-Camera"])
def test_an_object_type_in_any_case_answers_as_the_api_of_the_type_does(
    registry: Registry, typed: str
) -> None:
    catalogue = load_catalogue()
    named = run_named_query(
        registry.store, catalogue, "normen-per-imbor-objecttype", {"objecttype": typed}
    )
    written = {"ijsvogelwand": "IJsvogelwand", "anpr-camera": "ANPR-camera"}[typed.lower()]
    same = run_named_query(
        registry.store, catalogue, "normen-per-imbor-objecttype", {"objecttype": written}
    )
    assert named.rows == same.rows


def test_a_text_no_thing_is_named_in_any_case_is_still_unknown(registry: Registry) -> None:
    assert find_named(registry.store, "parklaan van spui tot vlietx", str(KRB.Werkingsgebied)) == []


def test_after_a_write_the_spellings_are_read_again_only_where_they_were_needed(
    registry: Registry,
) -> None:
    """The background round after a write reads the spellings again for a store whose
    readers needed them, so the first name in another case after the write is quick."""
    store = registry.store
    assert find_named(store, PARKLAAN.swapcase(), str(KRB.Werkingsgebied))  # needed them
    store.update("INSERT DATA { GRAPH <urn:krb:test-spellings> { <urn:x> <urn:p> 1 } }")
    assert name_cache(store).spellings is None  # type: ignore[union-attr]
    assert read_spellings_again(store) is True
    assert name_cache(store).spellings  # type: ignore[union-attr]


def test_a_store_whose_readers_never_needed_them_reads_no_spellings(tmp_path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    try:
        store.update("INSERT DATA { GRAPH <urn:krb:test> { <urn:x> <urn:p> 1 } }")
        assert read_spellings_again(store) is False
    finally:
        store.close()
