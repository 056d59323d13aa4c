"""Shared fixtures of the web tests: a real store with model and demo, and the app.

Imported by the test_ld_, test_api_, test_pages_ and test_browser_ modules.
Each module gets its own store in a tmp folder (about a second to load), so
modules stay independent under ``pytest -n 2``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_sparql_support import BASE, DEMO, demo_store

from krbgraph.settings import Settings
from krbgraph.store import Store
from krbgraph.web.app import create_app

__all__ = ["BASE", "DEMO", "Registry", "build_registry"]  # BASE and DEMO for the web tests


@dataclass
class Registry:
    app: FastAPI
    store: Store
    settings: Settings


def build_registry(folder: Path) -> Registry:
    """An embedded store in `folder` with the model and the demo registry, and its app."""
    store, settings = demo_store(folder)
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
