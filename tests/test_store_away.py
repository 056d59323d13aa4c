"""A remote store that cannot be reached is a 503 to come back after, not a 500.

The SPARQL server restarts, or is briefly away: every page and API answer was a 500
with a JSON body, in a browser too, and nothing said to try again. The service needs
no restart once the server is back.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from demo_backends import fill_with_demo
from fastapi.testclient import TestClient
from remote_server import running_oxigraph

from krbgraph.settings import Settings
from krbgraph.store import open_store
from krbgraph.web.app import create_app

pytestmark = pytest.mark.remote


def test_pages_and_api_say_the_store_is_away_and_come_back_with_it(tmp_path: Path) -> None:
    folder = tmp_path / "server"
    with running_oxigraph(folder) as url:
        settings = Settings(store=url)
        store = open_store(settings)
        fill_with_demo(store)
    try:
        with TestClient(create_app(settings, store=store)) as client:
            page = client.get("/id/beleidsnorm/GEL-N01", headers={"Accept": "text/html"})
            api = client.get("/api/gebieden/GM9999/beleid", headers={"Accept": "application/json"})

            assert (page.status_code, page.headers.get("Retry-After")) == (503, "5")
            assert page.headers["content-type"].startswith("text/html")
            assert "niet bereikbaar" in page.text
            assert (api.status_code, api.headers.get("Retry-After")) == (503, "5")
            assert "cannot be reached" in api.json()["detail"]
            assert url not in api.text  # the server's address stays in the log

            with running_oxigraph(folder, port=int(url.rsplit(":", 1)[1])):
                again = client.get("/id/beleidsnorm/GEL-N01", headers={"Accept": "text/html"})
            assert again.status_code == 200
    finally:
        store.close()


def test_a_server_gone_in_the_middle_of_a_query_is_a_503_too(tmp_path: Path) -> None:
    """A server killed or restarted while it answered closed the connection mid-request:
    that was a 500 without Retry-After, though the docs promise the 503 of a server
    that is away."""
    import threading
    import time

    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    answers: list[object] = []
    with running_oxigraph(tmp_path / "server") as url:
        settings = Settings(store=url)
        store = open_store(settings)
        fill_with_demo(store)
        client = TestClient(create_app(settings, store=store)).__enter__()
        asking = threading.Thread(
            target=lambda: answers.append(client.get("/sparql", params={"query": slow}))
        )
        asking.start()
        time.sleep(1.0)  # the query runs on the server; leaving the block stops it
    try:
        asking.join(timeout=60)
        (answer,) = answers
        assert (answer.status_code, answer.headers.get("Retry-After")) == (503, "5")  # type: ignore[attr-defined]
    finally:
        client.__exit__(None, None, None)
        store.close()


def _losing_update_answers(upstream: str, marker: bytes) -> AbstractContextManager[str]:
    """A proxy in front of ``upstream`` that forwards everything, but cuts the connection
    instead of answering the update whose body holds ``marker`` (the server commits it
    all the same): a server that dies after committing, a proxy that times out."""
    from cutting_proxy import cutting_proxy

    return cutting_proxy(
        upstream, after=lambda path, body: path.startswith("/update") and marker in body
    )


def test_an_update_whose_answer_was_lost_is_not_answered_try_again(tmp_path: Path) -> None:
    """It was a 503 with Retry-After ("try again in a moment"): the write had been
    stored, and a client doing as told stored a blank-node insert twice."""
    marker = "urn:krb:test:verloren"
    update = (
        "INSERT DATA { GRAPH <https://krb.demogemeente.nl/graph/verloren> { "
        f'<{marker}> <http://www.w3.org/2000/01/rdf-schema#comment> "eens" }} }}'
    )
    token = "een-token-van-minstens-32-tekens-lang"
    with running_oxigraph(tmp_path / "server") as upstream:
        with open_store(Settings(store=upstream)) as direct:
            fill_with_demo(direct)
        with _losing_update_answers(upstream, marker.encode()) as url:
            settings = Settings(store=url, token=token)
            with (
                open_store(settings) as store,
                TestClient(create_app(settings, store=store)) as client,
            ):
                answer = client.post(
                    "/update",
                    content=update.encode(),
                    headers={
                        "Content-Type": "application/sparql-update",
                        "Authorization": f"Bearer {token}",
                    },
                )
                assert answer.status_code == 502
                assert "Retry-After" not in answer.headers
                assert "may have been stored" in answer.json()["detail"]
                assert store.query(f"ASK {{ <{marker}> ?p ?o }}").boolean
