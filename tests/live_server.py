"""Real servers on 127.0.0.1 for the tests: a free port, and the app served by uvicorn.

Used by the web, SPARQL and remote-store tests. Ports come from the OS, so
test workers running side by side (``pytest -n 2``) never share one.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from krbgraph.settings import Settings
from krbgraph.store import Store

START_TIMEOUT_S = 60.0
"""A deadline, not a measure: a writable app parses the shapes and copies the store for
validation at start, 16 s on two cores shared with other work."""


def free_port() -> int:
    """A port nobody listens on right now, for a server that binds it itself.

    Another process may take it before that server binds; callers that
    start an external process retry (see remote_server.running_oxigraph).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """A real uvicorn server for ``app`` on 127.0.0.1, in a thread; yields its base URL.

    The socket is bound here (port 0: the OS picks a free one) and handed to
    uvicorn, so two test workers can never race for the same port.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the uvicorn test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def served(store: Store, settings: Settings) -> Iterator[str]:
    """The application over ``store`` served live (live_server); closes the store after."""
    from krbgraph.web.app import create_app

    try:
        with live_server(create_app(settings, store=store)) as url:
            yield url
    finally:
        store.close()
