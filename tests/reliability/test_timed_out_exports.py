"""A named export that times out releases the engine's answer in the thread that made it.

pyoxigraph's answers may only be dropped in their own thread. A CSV export of a named
query that timed out left its solutions in the frames of the error's traceback; the web
server handled the error in another thread, where pyoxigraph refused to drop them
("PyQuerySolutions is unsendable, but is being dropped on another thread") and leaked
them with what they hold of the store: under a stream of such requests, memory that
never came back. Here every form of a named query's answer times out, and nothing may
be reported as dropped in the wrong thread.
"""

from __future__ import annotations

import dataclasses
import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_sparql_support import demo_store

from krbgraph.store import Store
from krbgraph.web.app import create_app

FORMS = [{"format": "csv"}, {"format": "csv", "names": "false"}, {}]


@pytest.fixture(scope="module")
def impatient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, TestClient]]:
    """The demo behind a service whose queries may take a millisecond."""
    store, settings = demo_store(Path(tmp_path_factory.mktemp("impatient")))
    settings = dataclasses.replace(settings, query_timeout_s=0.001)
    with TestClient(create_app(settings, store=store)) as client:
        yield store, client
    store.close()


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_a_timed_out_named_answer_is_dropped_in_its_own_thread(
    impatient: tuple[Store, TestClient], form: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client = impatient
    wrong_thread: list[str] = []

    def hook(unraisable: Any) -> None:
        wrong_thread.append(f"{unraisable.exc_type.__name__}: {unraisable.exc_value}")

    monkeypatch.setattr(sys, "unraisablehook", hook)
    timed_out = 0
    for name in ("compleet-beleid", "beleidsketen", "normtoets", "normgat"):
        answer = client.get(f"/api/queries/{name}", params=form)
        assert answer.status_code in (200, 503), answer.text
        timed_out += answer.status_code == 503
        gc.collect()
    assert timed_out, "a millisecond is too short for these on any machine"
    assert not [w for w in wrong_thread if "another thread" in w], wrong_thread
