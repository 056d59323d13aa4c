"""The demo registry on both store backends, for tests that must answer the same on each.

Usage in a test module::

    from demo_backends import demo_store_fixture

    store = demo_store_fixture()   # a module-scoped fixture named ``store``

Each backend (embedded Oxigraph in a folder, a real ``oxigraph serve`` over HTTP) is
loaded once per module with the model, the demo and the derived graph, as every write
path leaves a store.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from remote_server import oxigraph_binary, running_oxigraph
from store_templates import copy_of

from krbgraph.derived import refresh as refresh_derived
from krbgraph.model import project_root
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

DEMO_GRAPH = "https://krb.demogemeente.nl/id/graph/demo"
DEMO_FILES = sorted((project_root() / "examples" / "demo").glob("*.ttl")) + sorted(
    (project_root() / "examples" / "onderzoek").glob("*.ttl")
)
"""The policy and the research data (measurements, their sources) of the demo."""
BACKENDS = ["embedded", pytest.param("remote", marks=pytest.mark.remote)]


def fill_with_demo(store: Store) -> None:
    ensure_model(store)
    store.load_files({DEMO_GRAPH: DEMO_FILES}, replace=True)
    refresh_derived(store)  # what every write path does after its commit


def embedded_demo_settings(folder: Path) -> Settings:
    """Settings of an embedded store in ``folder`` filled by ``fill_with_demo``: a copy of
    one made once per process (store_templates)."""
    settings = Settings(store=str(folder / "db"))
    copy_of("demo-one-graph", settings, fill_with_demo, folder / "db")
    return settings


def embedded_demo_fixture(name: str = "store") -> Callable[..., Any]:
    """A module-scoped fixture yielding an embedded store with the model and the demo."""

    @pytest.fixture(scope="module", name=name)
    def _store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
        with open_store(embedded_demo_settings(tmp_path_factory.mktemp("embedded-demo"))) as handle:
            yield handle

    return _store


def demo_store_fixture(name: str = "store") -> Callable[..., Any]:
    """A module-scoped fixture, parametrised over both backends, yielding a demo store."""

    @pytest.fixture(scope="module", params=BACKENDS, name=name)
    def _store(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Store]:
        folder = tmp_path_factory.mktemp(request.param)
        if request.param == "embedded":
            with open_store(embedded_demo_settings(folder)) as handle:
                yield handle
            return
        with running_oxigraph(folder) as url:
            handle = open_store(Settings(store=url))
            try:
                fill_with_demo(handle)
                yield handle
            finally:
                handle.close()

    return _store


def demo_server_folder_fixture(name: str = "demo_server_folder") -> Callable[..., Any]:
    """A module-scoped fixture: the folder of an ``oxigraph serve`` holding the demo, filled
    once and stopped. Tests that write start a server on a copy of it
    (:func:`copy_of_server_folder`): filling a server through HTTP takes seconds, a copy
    of its 30 MB folder a tenth of one."""

    @pytest.fixture(scope="module", name=name)
    def _folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
        folder = tmp_path_factory.mktemp("demo-server")
        with running_oxigraph(folder) as url, open_store(Settings(store=url)) as handle:
            fill_with_demo(handle)
        return folder

    return _folder


def copy_of_server_folder(seed: Path, target: Path) -> Path:
    """``target``: a copy of a stopped server's folder, for a server of its own."""
    shutil.copytree(seed / "db", target / "db")
    return target


def compacted_copy(seed: Path, target: Path) -> Path:
    """``target``: a copy of a stopped server's folder with its write-ahead log written
    into its tables once (`oxigraph optimize`). Filled over HTTP and stopped, the demo's
    folder holds a 34 MB log that every server started on a copy replayed first, 3 to
    6 s per test; the same quads, compacted, start in a moment. Skips the test without
    the server binary."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    folder = copy_of_server_folder(seed, target)
    subprocess.run(
        [binary, "optimize", "--location", str(folder / "db")], check=True, capture_output=True
    )
    return folder
