"""Fixtures shared by the test modules: the demo registry served by the app.

``registry`` is an embedded store in a temporary folder holding the model and
the demo, with the app made for it; ``client`` talks to that app in-process.
Both are module-scoped: a module's tests share one registry and never write it
(modules that write build their own, see test_pages_fixtures.build_registry).
``model_store`` is a fresh store per test with the model only, for imports. Both
start as copies of a store made once per process (store_templates).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from store_templates import copy_of
from test_pages_fixtures import Registry, build_registry

from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_registry(tmp_path_factory.mktemp("registry"))
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def client(registry: Registry) -> Iterator[TestClient]:
    with TestClient(registry.app) as test_client:
        yield test_client


@pytest.fixture
def model_store(tmp_path: Path) -> Iterator[Store]:
    """An embedded store in ``tmp_path`` with the model and no registry data: where a
    workbook or file is imported as a municipality's first."""
    opened = open_store(
        Settings(store=str(copy_of("model", Settings(), ensure_model, tmp_path / "store")))
    )
    ensure_model(opened)  # nothing to do: the copy has the model
    yield opened
    opened.close()
