"""A remote store that stops answering is said to be away, not the reader's query.

An ``oxigraph serve`` that stalls (a long garbage collection, a machine swapping, a
process stopped) answers nothing until the service's time limit passes, and the service
took that for a slow query: a browser asking a norm's page got JSON telling it to
"narrow it down (more specific patterns, LIMIT)", and so did a Graph Store PUT. Now a
page gets the site's page "Tijdelijk niet beschikbaar" and everyone else a 503 to try
again (``Retry-After``), as when the server is down; the client's own SPARQL query is
still told to narrow it down. Nothing is written by a write that timed out.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from demo_backends import compacted_copy, copy_of_server_folder, demo_server_folder_fixture
from fastapi.testclient import TestClient
from remote_server import running_oxigraph

from krbgraph.settings import Settings
from krbgraph.web.app import create_app

pytestmark = pytest.mark.remote

TOKEN = "een-token-van-minstens-32-tekens-lang"
BASE = "https://krb.demogemeente.nl"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LIMIT_S = 2.0

demo_server_folder_as_filled = demo_server_folder_fixture(name="demo_server_folder_as_filled")


@pytest.fixture(scope="module")
def server(
    demo_server_folder_as_filled: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = compacted_copy(demo_server_folder_as_filled, tmp_path_factory.mktemp("compact"))
    copy = copy_of_server_folder(folder, tmp_path_factory.mktemp("stalls"))
    with running_oxigraph(copy) as url:
        yield url


@contextmanager
def stalled(url: str) -> Iterator[None]:
    """The server's process stopped (SIGSTOP) for the block, then continued."""
    port = url.rsplit(":", 1)[1]
    found = subprocess.run(
        ["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True, check=True
    )
    pids = [int(pid) for pid in found.stdout.split()]
    assert pids, "the server's process"
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def test_a_stalled_store_is_said_to_be_away_and_a_users_query_to_be_too_slow(
    server: str,
) -> None:
    settings = Settings(store=server, base_iri=BASE, token=TOKEN, query_timeout_s=LIMIT_S)
    app = create_app(settings)
    norm = "/id/beleidsnorm/GEL-N01"
    turtle = f"<{BASE}/id/x> <http://www.w3.org/2000/01/rdf-schema#comment> 'x' ."
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        assert client.get(norm, headers={"Accept": BROWSER}).status_code == 200
        with stalled(server):
            page = client.get(norm, headers={"Accept": BROWSER})
            api = client.get("/api/gebieden/Centrum/beleid")
            put = client.put(
                "/store",
                params={"graph": f"{BASE}/graph/vastgelopen"},
                content=turtle,
                headers={"Content-Type": "text/turtle"},
            )
            query = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert page.headers["retry-after"] == "5"
        assert "Tijdelijk niet beschikbaar" in page.text and "narrow" not in page.text
        for answer in (api, put):
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"] == "5"
            assert "try again in a moment" in answer.json()["detail"]
            assert "narrow" not in answer.json()["detail"]
        assert query.status_code == 503
        assert "narrow it down" in query.json()["detail"]
        # Answering again: nothing of the write that timed out is there.
        assert client.get(norm, headers={"Accept": BROWSER}).status_code == 200
        gone = client.get("/store", params={"graph": f"{BASE}/graph/vastgelopen"})
        assert gone.status_code == 404


def test_a_page_too_large_for_the_time_limit_on_the_embedded_store_says_so(
    tmp_path: Path,
) -> None:
    """On the embedded store a page that runs out of time may do so again: no
    Retry-After (a client retrying by itself would start whole-registry reads), and the
    reader told both ways on: once more, then a filter."""
    from dataclasses import replace

    from test_sparql_support import demo_store

    store, settings = demo_store(tmp_path)
    with TestClient(create_app(settings, store=store)) as client:
        client.app.state.settings = replace(settings, query_timeout_s=0.000001)
        store.default_timeout_s = 0.000001  # type: ignore[attr-defined]
        page = client.get("/dwarsverbanden", headers={"Accept": BROWSER})
        api = client.get("/api/queries/dwarsverbanden-netwerk")
    store.close()
    assert page.status_code == 503 and "retry-after" not in page.headers
    assert "probeer het zo nog eens" in page.text and "kies een thema of gebied" in page.text
    assert api.status_code == 503 and "retry-after" not in api.headers
    assert "try again in a moment" in api.json()["detail"]
    assert "choose a theme or an area" in api.json()["detail"]


def test_an_update_sent_whole_and_never_answered_may_have_been_stored(tmp_path: Path) -> None:
    """A server that takes an update and stalls may commit it when it wakes: the write is
    said to be of unknown outcome (502, never 'try again'), not a slow query."""
    import socket
    import threading

    import httpx

    from krbgraph.store import WriteOutcomeUnknown
    from krbgraph.store.remote_errors import http_errors

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    taken: list[socket.socket] = []
    threading.Thread(target=lambda: taken.append(silent.accept()[0]), daemon=True).start()
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/update"
    try:
        with (
            pytest.raises(WriteOutcomeUnknown, match="may have been stored"),
            http_errors(url, "update", 0.5),
        ):
            httpx.post(url, content=b"INSERT DATA {}", timeout=0.5)
    finally:
        for connection in taken:
            connection.close()
        silent.close()
