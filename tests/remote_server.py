"""A real ``oxigraph serve`` process for tests that need a SPARQL 1.1 server.

Usage in a test module::

    from remote_server import oxigraph_fixture, running_oxigraph

    oxigraph_url = oxigraph_fixture(scope="module")   # a fixture named oxigraph_url

    def test_something(oxigraph_url: str) -> None:
        ...  # query f"{oxigraph_url}/query", update f"{oxigraph_url}/update"

or directly: ``with running_oxigraph(tmp_path) as url: ...``.

The server binds 127.0.0.1 on a free port, keeps its data in the given
folder and answers queries over the union of all graphs as default graph
(as krbgraph expects of a remote store). Tests are skipped, with the reason,
when no ``oxigraph`` binary is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import free_port

START_TIMEOUT_S = 20.0


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` server binary: beside this Python (a virtualenv) or on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


@contextmanager
def running_oxigraph(
    folder: Path,
    *,
    union_default_graph: bool = True,
    extra_args: tuple[str, ...] = (),
    port: int | None = None,
) -> Iterator[str]:
    """Start ``oxigraph serve`` with its data in ``folder``; yields the base URL.
    ``port``: that port (a server started again where its clients look for it).

    Endpoints under the base URL: /query, /update, /store. The process is
    stopped (and waited for) when the block ends, also on errors.
    """
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    folder.mkdir(parents=True, exist_ok=True)
    last_error = ""
    for _attempt in range(3):  # another process may grab the free port before we bind it
        port = port or free_port()
        args = [binary, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
        if union_default_graph:
            args.append("--union-default-graph")
        args.extend(extra_args)
        log = folder / f"oxigraph-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            if _wait_until_ready(process, url):
                yield url
                return
            last_error = log.read_text(errors="replace")
        finally:
            _stop(process)
    raise RuntimeError(f"oxigraph serve did not start: {last_error.strip()}")


def _wait_until_ready(process: subprocess.Popen[bytes], url: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            response = httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1.0)
            if response.status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def oxigraph_fixture(
    scope: Any = "module", *, name: str = "oxigraph_url", union_default_graph: bool = True
) -> Callable[..., Any]:
    """A pytest fixture yielding the base URL of a fresh server for the given scope.

    Assign the result to a module-level name so pytest finds it. Each xdist
    worker gets its own server and folder; data persists for the scope, so
    tests that need an empty store clear it (``DROP ALL``) first.
    """

    @pytest.fixture(scope=scope, name=name)
    def _server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
        folder = tmp_path_factory.mktemp("oxigraph")
        with running_oxigraph(folder, union_default_graph=union_default_graph) as url:
            yield url

    return _server
