"""What a running `krb serve` and the commands pointed at servers say, found by a hunt.

- A query or update file saved by Notepad starts with a UTF-8 byte order mark; sent as
  it is, it was refused with "expected VERSION" at a column nobody could see, while
  the Graph Store and `krb load` read RDF with one.
- `krb load` or `krb drop` pointed at a server that refuses with 403 for a reason of its
  own (a krb service's graph of write intents, a read-only server) blamed the
  credentials, dropped the reason, and logged that it "could not withdraw" a write
  intent the server had never stored.
- Under `krb serve` no INFO line of krbgraph reached the output (a client that hung
  up, the engine's last output lines): uvicorn configures its own loggers only.

All against real servers: the app served by uvicorn, `oxigraph serve-read-only`, and
`krb serve` in a process of its own whose stderr is read.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import free_port
from remote_server import oxigraph_binary
from test_sparql_support import AUTH, BASE, TIMEOUT, TOKEN, demo_store, served
from typer.testing import CliRunner, Result

from krbgraph.cli import app

BOM = "\ufeff"
EXTRA = f"{BASE}/graph/extra"
COMMENT = "<http://www.w3.org/2000/01/rdf-schema#comment>"
CREDENTIALS = "check KRB_USER and KRB_PASSWORD"
START_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the demo registry, with a token, served by uvicorn: its URL."""
    store, settings = demo_store(tmp_path_factory.mktemp("service-messages"))
    with store, served(store, settings) as url:
        yield url


# -- 1. a leading byte order mark ------------------------------------------------------


def _update(n: int) -> str:
    return (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f'INSERT DATA {{ GRAPH <{EXTRA}> {{ <{BASE}/id/x/bom{n}> rdfs:comment "hallo" }} }}\n'
    )


@pytest.mark.parametrize(
    ("path", "how"),
    [("/update", "body"), ("/update", "form"), ("/sparql", "body"), ("/sparql", "form")],
)
def test_an_update_with_a_byte_order_mark_is_run(service: str, path: str, how: str) -> None:
    n = ["/update body", "/update form", "/sparql body", "/sparql form"].index(f"{path} {how}")
    text = BOM + _update(n)
    if how == "body":
        headers = {**AUTH, "Content-Type": "application/sparql-update"}
        answer = httpx.post(service + path, content=text.encode(), headers=headers, timeout=TIMEOUT)
    else:
        answer = httpx.post(service + path, data={"update": text}, headers=AUTH, timeout=TIMEOUT)
    assert answer.status_code == 204, answer.text
    ask = f"ASK {{ GRAPH <{EXTRA}> {{ <{BASE}/id/x/bom{n}> {COMMENT} ?c }} }}"
    found = httpx.get(f"{service}/sparql", params={"query": ask}, timeout=TIMEOUT)
    assert found.json()["boolean"] is True


@pytest.mark.parametrize("how", ["get", "form", "body", "page", "download"])
def test_a_query_with_a_byte_order_mark_is_answered(service: str, how: str) -> None:
    query = BOM + f"SELECT ?s WHERE {{ ?s {COMMENT} ?c }} LIMIT 1"
    if how == "get":
        answer = httpx.get(f"{service}/sparql", params={"query": query}, timeout=TIMEOUT)
    elif how == "form":
        answer = httpx.post(f"{service}/sparql", data={"query": query}, timeout=TIMEOUT)
    elif how == "body":
        headers = {"Content-Type": "application/sparql-query"}
        answer = httpx.post(
            f"{service}/sparql", content=query.encode(), headers=headers, timeout=TIMEOUT
        )
    elif how == "page":
        answer = httpx.get(f"{service}/query", params={"query": query}, timeout=TIMEOUT)
    else:
        answer = httpx.get(f"{service}/query/download", params={"query": query}, timeout=TIMEOUT)
    assert answer.status_code == 200, answer.text
    assert "expected" not in answer.text


def test_a_syntax_error_after_a_byte_order_mark_is_told_as_without_it(service: str) -> None:
    """The message and its position are the ones of the text an editor shows, which
    does not show the mark."""
    query = "SELECT * WHERE { ?s ?p }"
    details = [
        httpx.get(f"{service}/sparql", params={"query": text}, timeout=TIMEOUT).json()["detail"]
        for text in (BOM + query, query)
    ]
    assert details[0] == details[1]
    assert "line 1, column" in details[0]


# -- 2. a server's own reason for a 401 or 403 -----------------------------------------


def _krb(*args: str, env: dict[str, str]) -> Result:
    unset = {name: None for name in os.environ if name.startswith("KRB_")}
    return CliRunner().invoke(app, list(args), env={**unset, **env})


def _through(service: str, password: str) -> dict[str, str]:
    """A command's settings for a store reached through the service's endpoints."""
    return {
        "KRB_STORE": f"{service}/sparql",
        "KRB_UPDATE_URL": f"{service}/update",
        "KRB_GRAPH_STORE_URL": f"{service}/store",
        "KRB_PASSWORD": password,
        "KRB_QUERY_TIMEOUT_S": "60",
    }


@pytest.fixture
def turtle(tmp_path: Path) -> Path:
    path = tmp_path / "extra.ttl"
    path.write_text(f'<{BASE}/id/x/cli> {COMMENT} "cli" .\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["load", "drop"])
def test_a_refusal_of_a_service_is_quoted_and_no_withdrawal_is_claimed(
    service: str, turtle: Path, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The service keeps the graph of write intents itself and refuses an update of it
    with 403 and its reason; the token was valid, so no word about the credentials,
    and the refused announcement was never stored, so nothing about withdrawing it."""
    args = [str(turtle)] if command == "load" else [f"{BASE}/graph/geluid"]
    with caplog.at_level(logging.WARNING, logger="krbgraph"):
        result = _krb(command, *args, env=_through(service, TOKEN))
    assert result.exit_code == 2, result.output
    assert "refused the update (HTTP 403): " in result.output
    assert "is a graph the service maintains itself" in result.output
    assert CREDENTIALS not in result.output
    withdrawn = [r.getMessage() for r in caplog.records if "withdraw" in r.getMessage()]
    assert withdrawn == [], withdrawn


def test_a_wrong_token_is_a_401_that_says_why_and_names_the_credentials(
    service: str, turtle: Path
) -> None:
    result = _krb("load", str(turtle), env=_through(service, "een-verkeerd-token"))
    assert result.exit_code == 2, result.output
    assert "(HTTP 401: The bearer token is not valid for this service.); " in result.output
    assert CREDENTIALS in result.output


@pytest.fixture(scope="module")
def read_only_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`oxigraph serve-read-only` on a store of one triple: every write gets 403 with a
    plain-text reason."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    folder = tmp_path_factory.mktemp("read-only")
    data = folder / "one.nt"
    data.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    db = str(folder / "db")
    subprocess.run([binary, "load", "--location", db, "--file", str(data)], check=True)
    url = f"http://127.0.0.1:{free_port()}"
    bind = url.removeprefix("http://")
    args = [binary, "serve-read-only", "--location", db, "--bind", bind]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(process, f"{url}/query")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_read_only_server_is_quoted(
    read_only_server: str, turtle: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="krbgraph"):
        result = _krb("load", str(turtle), env={"KRB_STORE": read_only_server})
    assert result.exit_code == 2, result.output
    assert "refused the update (HTTP 403): The server is read-only" in result.output
    assert CREDENTIALS not in result.output
    assert not [r for r in caplog.records if "withdraw" in r.getMessage()]


# -- 3. krbgraph's log lines under `krb serve` -----------------------------------------


def _wait_for(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer (exit {process.poll()})")


def _lines(path: Path, wanted: str, at_least: int = 1, wait_s: float = 15.0) -> list[str]:
    deadline = time.monotonic() + wait_s
    while True:
        lines = [line for line in path.read_text(errors="replace").splitlines() if wanted in line]
        if len(lines) >= at_least or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_krb_serve_writes_krbgraphs_info_lines_as_uvicorn_writes_its_own(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """docs/sparql.md: a client that hangs up is logged in one line; docs/store.md: the
    supervisor logs the engine's output. Both are INFO lines of krbgraph's loggers."""
    folder = tmp_path_factory.mktemp("served")
    store, _settings = demo_store(folder)
    store.close()
    port = free_port()
    out, err = folder / "stdout.log", folder / "stderr.log"
    env = {name: value for name, value in os.environ.items() if not name.startswith("KRB_")}
    env["KRB_ENGINE"] = "supervised"  # no token: a read-only service starts in half the time
    args = [sys.executable, "-m", "krbgraph.cli", "serve", "--store", str(folder / "store")]
    args += ["--base-iri", BASE, "--port", str(port)]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(args, stdout=stdout, stderr=stderr, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for(process, f"{url}/sparql")
        _hang_up(port)
        hung_up = _lines(err, "the client hung up")
        engine = _lines(err, "engine ")
        access = _lines(out, '"GET /sparql?query=ASK')
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert hung_up == ["INFO:     POST /sparql: the client hung up before its body arrived"]
    assert any(line.startswith("INFO:     engine ") for line in engine), engine
    assert access and access[0].startswith("INFO:     127.0.0.1:"), access  # uvicorn's, as ever
    assert "INFO:     Application startup complete." in err.read_text()


def _hang_up(port: int) -> None:
    """A query whose client goes away halfway through its body."""
    body = b"SELECT * WHERE { ?s ?p ?o } LIMIT 1" + b" " * 1000
    head = (
        "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/sparql-query\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(head + body[: len(body) // 2])
        time.sleep(0.2)
