"""A remote store that cannot be reached is a 503 to come back after, not a 500.

The SPARQL server restarts, or is briefly away: every page and API answer was a 500
with a JSON body, in a browser too, and nothing said to try again. The service needs
no restart once the server is back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _losing_update_answers(upstream: str, marker: bytes) -> Iterator[str]:
    """A proxy in front of ``upstream`` that forwards everything, but cuts the connection
    instead of answering the update whose body holds ``marker`` (the server commits it
    all the same): a server that dies after committing, a proxy that times out."""
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx

    forward = httpx.Client(timeout=60)

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            skipped = ("host", "content-length", "connection")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in skipped}
            answer = forward.request(
                self.command, upstream + self.path, content=body, headers=headers
            )
            if self.path.startswith("/update") and marker in body:
                self.connection.shutdown(socket.SHUT_RDWR)  # committed; the answer is lost
                self.close_connection = True
                return
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in (
                    "content-length",
                    "transfer-encoding",
                    "connection",
                    "content-encoding",
                ):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        forward.close()


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
