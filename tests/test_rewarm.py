"""After a write the service computes its page aggregates and search index again in the
background, so the first reader after a write finds them ready, and right.

The application runs as `krb serve` runs it: on a store it opens itself (only then
does it warm in the background; a store handed in may be closed by its owner at any
time). A write over HTTP must leave the caches at the store's new generation with
the entries readers had asked for, and what they then serve must be what a cold
computation gives.
"""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

from fastapi.testclient import TestClient
from test_sparql_support import BASE, demo_store, post_update

from krbgraph import labels
from krbgraph.store import open_store
from krbgraph.web import aggregates
from krbgraph.web.app import create_app

RENAMED_THEME = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
DELETE DATA {{ GRAPH <{BASE}/graph/thema> {{
  <{BASE}/id/beleidsthema/geluid> skos:prefLabel "Geluid"@nl }} }} ;
INSERT DATA {{ GRAPH <{BASE}/graph/thema> {{
  <{BASE}/id/beleidsthema/geluid> skos:prefLabel "Geluidhinder"@nl , "Noise nuisance"@en }} }}"""


def _held(store: object) -> tuple[int, set[object]]:
    entries = aggregates._CACHES[store]
    return entries.generation, set(entries.entries)


def test_a_write_is_followed_by_warm_caches_that_show_it(tmp_path: Path) -> None:
    store, settings = demo_store(tmp_path)
    store.close()
    app = create_app(settings)  # opens the store itself, as krb serve does
    with TestClient(app) as client:
        home_before = client.get("/").text
        english_home = client.get("/", headers={"Accept-Language": "en"}).text
        assert client.get("/zoeken", params={"q": "geluidhinder"}).status_code == 200
        opened = app.state.store
        generation, keys = _held(opened)
        assert len(keys) >= 2, "the home page reads its aggregates through the cache"
        # What a whole-registry export with names does first (krbgraph.named_csv).
        labels.preload_names(opened, languages=("nl", "en"))

        post_update(client, RENAMED_THEME)
        assert app.state.rewarmer.wait_idle(60), "the caches were not warmed"

        # The export after the write finds every name read again, the new one among them.
        names = labels.name_cache(opened)
        assert names is not None and names.complete(("nl", "en"), False)
        theme = f"{BASE}/id/beleidsthema/geluid"
        with patch.object(labels, "_lookup", side_effect=AssertionError("looked up")):
            assert labels.fetch_names(opened, [theme], languages=("nl", "en")) == {
                theme: "Geluidhinder"
            }

        warm_generation, warm_keys = _held(opened)
        assert warm_generation == opened.write_generation > generation
        assert keys <= warm_keys, keys - warm_keys
        index = app.state.krb_label_index
        assert any(e.label == "Geluidhinder" for e in index._entries)
        warm_home = client.get("/").text
        assert "Geluidhinder" in warm_home and "Geluidhinder" not in home_before
        assert "Noise nuisance" in client.get("/", headers={"Accept-Language": "en"}).text
        assert "Noise nuisance" not in english_home
        found = client.get("/zoeken", params={"q": "geluidhinder"}).text
        assert "/id/beleidsthema/geluid" in found
    # The served pages equal a cold computation on the same store.
    store = open_store(settings)
    try:
        with TestClient(create_app(settings, store=store)) as cold:
            assert cold.get("/").text == warm_home
    finally:
        store.close()


def test_a_refused_write_warms_nothing(tmp_path: Path) -> None:
    store, settings = demo_store(tmp_path)
    store.close()
    app = create_app(settings)
    with TestClient(app) as client:
        client.get("/")
        generation, keys = _held(app.state.store)
        answer = client.post(
            "/update",
            content="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
            headers={"Content-Type": "application/sparql-update"},  # no token
        )
        assert answer.status_code == 401
        assert app.state.rewarmer.wait_idle(5)
        assert _held(app.state.store) == (generation, keys)


def test_a_stream_of_writes_is_warmed_once_when_it_pauses() -> None:
    """Rounds wait for the writes to pause, and writes during a wait join its round."""
    import threading
    import time

    from krbgraph.web.rewarm import Rewarmer

    class Written:
        write_generation = 0

    rounds: list[int] = []
    done = threading.Event()

    def warm(store: Written) -> None:
        rounds.append(store.write_generation)
        done.set()

    rewarmer = Rewarmer(warm, quiet_s=0.4)  # type: ignore[arg-type]
    store = Written()
    try:
        for _ in range(5):
            store.write_generation += 1
            rewarmer.schedule(store)  # type: ignore[arg-type]
            time.sleep(0.1)
            assert not done.is_set(), "a round started while writes kept coming"
        assert rewarmer.wait_idle(10)
        assert rounds == [5]
    finally:
        rewarmer.stop()


def test_the_search_index_is_built_at_start_before_anyone_searches(tmp_path: Path) -> None:
    from krbgraph.web.search import _generation

    store, settings = demo_store(tmp_path)
    store.close()
    app = create_app(settings)  # opens the store itself, as krb serve does
    with TestClient(app):
        assert app.state.rewarmer.wait_idle(60), "the start round did not end"
        index = app.state.krb_label_index
        assert index._fingerprint == _generation(app.state.store)
        assert any(e.label == "Geluid" for e in index._entries)


def test_a_rewarmed_answer_keeps_its_weight_in_rows(tmp_path: Path) -> None:
    """What a round computes again is weighed as its reader's computation was, so the
    bound on rows (aggregates.MAX_ROWS) holds after writes too."""
    store, _ = demo_store(tmp_path)
    try:
        count = "SELECT ?s WHERE { ?s a <https://data.krb.nl/def/krb#Beleidsnorm> }"

        def norms() -> tuple[object, ...]:
            return tuple(store.query(count).rows)

        before = aggregates.cached(store, ("test", "norms"), norms, len)
        store.update(f"INSERT DATA {{ GRAPH <{BASE}/graph/test> {{ <urn:x> <urn:p> 1 }} }}")
        assert aggregates.rewarm(store) >= 1
        held = aggregates._CACHES[store]
        assert held.generation == store.write_generation
        assert held.entries[("test", "norms")].weight == len(before) > 1
        assert held.weight == sum(entry.weight for entry in held.entries.values())
    finally:
        store.close()
