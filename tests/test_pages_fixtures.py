"""Shared fixtures of the web tests: a real store with model and demo, the app, a live server.

Imported by the test_ld_, test_api_, test_pages_ and test_browser_ modules.
Each module gets its own store in a tmp folder (about a second to load), so
modules stay independent under ``pytest -n 2``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from krbgraph.loading import load_paths
from krbgraph.model import project_root
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store
from krbgraph.web.app import create_app

DEMO = project_root() / "examples" / "demo"
BASE = "https://krb.demogemeente.nl"


@dataclass
class Registry:
    app: FastAPI
    store: Store
    settings: Settings


def build_registry(folder: Path) -> Registry:
    """An embedded store in `folder` with the model and the demo registry, and its app."""
    settings = Settings(store=str(folder / "store"), base_iri=BASE, token="secret")
    store = open_store(settings)
    ensure_model(store)
    # The demo is validated by its own tests; here it only has to be present.
    load_paths(store, [DEMO], base_iri=BASE, validate=False)
    return Registry(create_app(settings, store=store), store, settings)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_registry(tmp_path_factory.mktemp("registry"))
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def client(registry: Registry) -> Iterator[TestClient]:
    with TestClient(registry.app) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """A real uvicorn server for `app` on 127.0.0.1 and a free port, in a thread."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the uvicorn test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
