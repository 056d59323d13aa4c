"""Shared helpers of the SPARQL endpoint and Graph Store tests: real stores, a real server.

Imported by the test_sparql_, test_gsp_, test_w3c_protocol_ and web test
modules. Each module builds its own embedded store in a tmp folder and its
own uvicorn server on 127.0.0.1 with a port the OS picks, so modules stay
independent under ``pytest -n 2``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from live_server import live_server
from store_templates import copy_of

from krbgraph.loading import load_paths
from krbgraph.model import project_root
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store
from krbgraph.web.app import create_app

DEMO = project_root() / "examples" / "demo"
BASE = "https://krb.demogemeente.nl"
TOKEN = "secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TIMEOUT = 60.0
"""Seconds a test client waits: validation of a write takes a while on a busy machine."""


def demo_store(folder: Path, **settings: object) -> tuple[Store, Settings]:
    """An embedded store in ``folder`` with the model and the demo registry (a copy of
    one made once per process, tests/store_templates.py)."""
    config = replace(Settings(store=str(folder / "store"), base_iri=BASE, token=TOKEN), **settings)
    copy_of("demo", config, _fill_with_demo, folder / "store")
    return open_store(config), config


def _fill_with_demo(store: Store) -> None:
    ensure_model(store)
    load_paths(store, [DEMO], base_iri=BASE, validate=False)  # the demo has its own tests


def empty_store(folder: Path, **settings: object) -> tuple[Store, Settings]:
    """An embedded store in ``folder`` without model or data."""
    config = replace(Settings(store=str(folder / "store"), base_iri=BASE, token=TOKEN), **settings)
    return open_store(config), config


@contextmanager
def served(store: Store, settings: Settings) -> Iterator[str]:
    """The KRB app on ``store``, served for real; yields the base URL."""
    with live_server(create_app(settings, store=store)) as url:
        yield url


def snapshot(store: Store, folder: Path) -> list[str]:
    """Every quad of the store as sorted N-Quads lines.

    Two snapshots of one store are equal exactly when nothing was written in
    between: the store keeps its blank node labels, so lines compare as is.
    """
    path = folder / f"dump-{time.monotonic_ns()}.nq"
    store.dump(path)
    lines = sorted(line for line in path.read_text(encoding="utf-8").splitlines() if line)
    path.unlink()
    return lines


def same_content(left: list[str], right: list[str]) -> bool:
    return left == right


def post_update(client: Any, update: str) -> None:
    """Send a SPARQL update with the admin token, as a client does; it must be accepted."""
    answer = client.post(
        "/update",
        content=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code in (200, 204), answer.text
