"""What the reliability tests share: a real `krb serve` process and its settings.

A crash in the engine (a segfault, not an exception) takes the whole process
down, which only shows from outside it. So hostile requests go to a `krb
serve --demo` started here, as an operator would run it, and each test then
checks that the same process still answers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from live_server import free_port

BASE = "https://krb.demogemeente.nl"
TOKEN = "secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_ROWS = 200
"""KRB_MAX_RESULT_ROWS of the server: the demo has many more triples than this."""
TIMEOUT = 60.0
START_TIMEOUT_S = 60.0


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def assert_alive(self) -> None:
        """The process still runs and answers a query."""
        code = self.process.poll()
        assert code is None, f"krb serve died with exit code {code}:\n{self.log_tail()}"
        response = httpx.get(f"{self.url}/sparql", params={"query": "ASK {}"}, timeout=TIMEOUT)
        assert response.status_code == 200, response.text

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("krb")
    if script.exists():
        return [str(script)]
    found = shutil.which("krb")
    if found:
        return [found]
    return [sys.executable, "-c", "from krbgraph.cli import app; app()"]


def with_the_demo(folder: Path) -> Path:
    """``folder``/store holding the model and the demo as `krb serve --demo` loads them
    for BASE, unless it exists: a copy of one made once per process (store_templates), so
    the service finds its demo current and starts in about two seconds, where a fresh
    store has it load the model and the demo first."""
    from store_templates import copy_of

    from krbgraph.commands.serve import demo_paths
    from krbgraph.loading import load_paths
    from krbgraph.settings import Settings
    from krbgraph.store import Store, ensure_model

    def fill(store: Store) -> None:
        ensure_model(store)
        load_paths(store, demo_paths(), replace=True, base_iri=BASE)

    target = folder / "store"
    if not target.exists():
        copy_of("serve-demo", Settings(base_iri=BASE), fill, target)
    return target


@contextmanager
def krb_serve(folder: Path, **settings: str) -> Iterator[Server]:
    """`krb serve --demo` on a store in ``folder`` (with_the_demo), writes enabled, a small
    row limit; ``settings`` are further KRB_* variables (KRB_QUERY_TIMEOUT_S="1.5")."""
    log = folder / "serve.log"
    store = with_the_demo(folder)
    for _attempt in range(3):  # another process may take the free port before the server binds
        port = free_port()
        env = (
            os.environ
            | {
                "KRB_STORE": str(store),
                "KRB_BASE_IRI": BASE,
                "KRB_TOKEN": TOKEN,
                "KRB_HOST": "127.0.0.1",
                "KRB_PORT": str(port),
                "KRB_MAX_RESULT_ROWS": str(MAX_ROWS),
                "KRB_QUERY_TIMEOUT_S": "30",
            }
            | settings
        )
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*_command(), "serve", "--demo"], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        server = Server(f"http://127.0.0.1:{port}", process, log)
        if _ready(server):
            break
        stop(process)
    else:
        raise RuntimeError(f"krb serve did not start:\n{log.read_text(errors='replace')[-3000:]}")
    try:
        yield server
    finally:
        stop(server.process)


def _ready(server: Server) -> bool:
    return wait_until_ready(server.url, server.process, START_TIMEOUT_S)


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """Whether the service at ``url`` answers a query before ``timeout_s`` (False when
    its process exits first)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            answer = httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=5)
            if answer.status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a service, killing it when it does not stop within 15 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:  # closed
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.socket.close()
