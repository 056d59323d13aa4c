"""One client's runaway queries cannot take the service from everyone else.

A client (an address) runs at most KRB_QUERY_PER_CLIENT SPARQL queries of its
own writing at once (default 2); a further one waits a second, then gets 429
with Retry-After. The services here are real `krb serve --demo` processes
with the supervised engine and a time limit of LIMIT_S; each client sends
from its own loopback address (Linux routes all of 127.0.0.0/8 to lo), as
clients on the internet do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from live_server import free_port
from model_store import model_template_fixture
from rdflib import Graph, Namespace
from reliability_support import Server, krb_serve, stop, wait_until_ready

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="sends from 127.0.0.2 and up (Linux loopback)"
)

LIMIT_S = 3.5
"""KRB_QUERY_TIMEOUT_S of the services: a runaway holds its slot this long (and a second
runaway of one service, run again after the first's overrun restarted the engine, twice
as long). Above the lane's 2 s and WAIT_S with a second to spare, so each wait the tests
time stays apart from it; every second more is paid by most tests, some twice."""
WAIT_S = 1.0
"""How long a query over its client's limit waits before its 429 (the documented second)."""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""A three-way cross join of the demo: never done within the time limit."""
SMALL = "ASK { ?s a ?type }"
TOTAL = 3
"""KRB_QUERY_TOTAL of the limited service (the default is one per core)."""
JSON = {"Accept": "application/sparql-results+json"}
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SETTINGS = {
    "KRB_QUERY_TIMEOUT_S": f"{LIMIT_S:g}",
    "KRB_ENGINE": "supervised",
    "KRB_HOST": "127.0.0.1",
}


@dataclass
class Services:
    limited: Server
    """The default of 2 queries per client, and at most TOTAL of all clients; no marks
    for overrunners (KRB_QUERY_PENALTY_S=0), so each test's runaways run as sent."""
    unlimited: Server
    """KRB_QUERY_PER_CLIENT=0, KRB_QUERY_TOTAL=0, no marks, and 127.0.0.1 is a trusted
    proxy (KRB_TRUSTED_PROXIES)."""
    marking: Server
    """The defaults: overrunners run one at a time for KRB_QUERY_PENALTY_S."""


model_template = model_template_fixture()
"""The folder of a store holding the model graphs, loaded once for the three services."""


def _with_model(folder: Path, template: Path) -> Path:
    """``folder`` with a copy of the model store as its ``store``: a service started on it
    finds its model graphs loaded (krbgraph.store.modelgraphs.ensure_model skips them)."""
    shutil.copytree(template, folder / "store")
    return folder


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory, model_template: Path) -> Iterator[Services]:
    """Both services, started side by side; the one without a limit has no demo (its
    model graphs, some 45,000 triples, make a cross join that runs into the limit)."""
    managers = [
        krb_serve(
            _with_model(tmp_path_factory.mktemp("admission"), model_template),
            **SETTINGS,
            KRB_QUERY_TOTAL=str(TOTAL),
            KRB_QUERY_PENALTY_S="0",
        ),
        bare_serve(
            _with_model(tmp_path_factory.mktemp("no-admission"), model_template),
            **SETTINGS,
            KRB_QUERY_PER_CLIENT="0",
            KRB_QUERY_TOTAL="0",
            KRB_QUERY_PENALTY_S="0",
            KRB_TRUSTED_PROXIES="127.0.0.1",
        ),
        bare_serve(_with_model(tmp_path_factory.mktemp("marking"), model_template), **SETTINGS),
    ]
    with ExitStack() as stack, ThreadPoolExecutor(3) as pool:
        started = [pool.submit(manager.__enter__) for manager in managers]
        for manager, future in zip(managers, started, strict=True):
            stack.push(manager.__exit__)
            future.result()
        limited, unlimited, marking = (future.result() for future in started)
        yield Services(limited, unlimited, marking)


@contextmanager
def bare_serve(folder: Path, **settings: str) -> Iterator[Server]:
    """`krb serve` on a store holding only the model graphs (it starts in seconds)."""
    log = folder / "serve.log"
    port = free_port()
    env = os.environ | {"KRB_STORE": str(folder / "store"), "KRB_PORT": str(port)} | settings
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "krbgraph.cli", "serve"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        assert wait_until_ready(server.url, process, 60), server.log_tail()
        yield server
    finally:
        stop(process)


def client(address: str, timeout: float = 60.0) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def ask(server: Server, address: str, query: str = SMALL) -> httpx.Response:
    with client(address) as sender:
        return sender.post(f"{server.url}/sparql", data={"query": query}, headers=JSON)


@dataclass
class Runaways:
    """Runaway queries in flight from one address; ``statuses`` fill in as they end."""

    statuses: list[int | str] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def all_running(self) -> bool:
        return not self.statuses


@contextmanager
def runaways(server: Server, address: str, count: int, timeout: float = 60.0) -> Iterator[Runaways]:
    """``count`` runaways sent at once from ``address``, given WAIT_S to be admitted; the
    block's end waits for their answers (``timeout``: when the client hangs up)."""
    flight = Runaways()

    def send() -> None:
        try:
            with client(address, timeout) as sender:
                answer = sender.post(f"{server.url}/sparql", data={"query": RUNAWAY}, headers=JSON)
            flight.statuses.append(answer.status_code)
        except httpx.TimeoutException:
            flight.statuses.append("hung up")

    flight.threads = [threading.Thread(target=send) for _ in range(count)]
    for thread in flight.threads:
        thread.start()
    time.sleep(WAIT_S)  # the request reaches the engine in milliseconds
    try:
        yield flight
    finally:
        for thread in flight.threads:
            thread.join()


def test_a_third_runaway_of_one_client_waits_then_gets_429_while_others_are_answered(
    services: Services,
) -> None:
    server = services.limited
    url = server.url
    with (
        runaways(server, "127.0.0.2", 2) as flight,
        client("127.0.0.2") as same,
        client("127.0.0.3") as other,
        ThreadPoolExecutor(6) as pool,
    ):
        started = time.monotonic()
        third = pool.submit(same.post, f"{url}/sparql", data={"query": RUNAWAY}, headers=JSON)
        page = pool.submit(same.get, f"{url}/query", params={"query": SMALL})
        download = pool.submit(same.get, f"{url}/query/download", params={"query": SMALL})
        named = pool.submit(same.get, f"{url}/api/queries/gebieden")
        example = pool.submit(
            same.get, f"{url}/query", params={"voorbeeld": "gebieden", "uitvoeren": "true"}
        )
        small = pool.submit(other.post, f"{url}/sparql", data={"query": SMALL}, headers=JSON)
        busy = third.result()
        took = time.monotonic() - started
        assert flight.all_running, flight.statuses  # the 429 came while both still ran
        assert busy.status_code == 429, busy.text
        assert WAIT_S - 0.2 <= took < LIMIT_S, took  # it waited its second, not the limit
        assert int(busy.headers["retry-after"]) >= 1
        assert "2 queries running" in busy.json()["detail"]

        # Another address is a client of its own: answered, not refused.
        answered = small.result()
        assert answered.status_code == 200, answered.text
        assert answered.json()["boolean"] is True  # the demo has typed resources
        assert flight.all_running, flight.statuses

        # The query page and its download are user SPARQL too, in their own formats.
        html = page.result()
        assert html.status_code == 429
        assert html.headers["content-type"].startswith("text/html")
        assert "tegelijk, het maximum van deze dienst" in html.text  # the page's own message
        assert int(html.headers["retry-after"]) >= 1
        plain = download.result()
        assert plain.status_code == 429
        assert plain.headers["content-type"].startswith("text/plain")
        assert "2 query's tegelijk" in plain.text

        # Named queries are not admitted per client, on the API nor on the page.
        assert named.result().status_code == 200, named.result().text
        assert example.result().status_code == 200
    assert flight.statuses == [503, 503], server.log_tail()

    # Both runaways ended at the time limit: their slots are free again.
    again = ask(server, "127.0.0.2")
    assert again.status_code == 200, again.text


def test_a_client_that_hangs_up_has_its_slot_back_when_its_query_ends(
    services: Services,
) -> None:
    server = services.limited
    started = time.monotonic()
    with runaways(server, "127.0.0.4", 2, timeout=WAIT_S + 0.5) as flight:
        pass
    assert flight.statuses == ["hung up", "hung up"]
    # The engine still runs both queries until the time limit, so they keep their slots.
    assert ask(server, "127.0.0.4").status_code == 429
    while time.monotonic() - started < LIMIT_S:
        time.sleep(0.1)
    deadline = started + LIMIT_S + 5
    status = 0
    while status != 200 and time.monotonic() < deadline:
        status = ask(server, "127.0.0.4").status_code
    assert status == 200, server.log_tail()


def test_no_limit_per_client_admits_every_query(services: Services) -> None:
    server = services.unlimited
    with runaways(server, "127.0.0.5", 3) as flight:
        assert flight.all_running
        assert ask(server, "127.0.0.5").status_code == 200  # a fourth, small one
    assert flight.statuses == [503, 503, 503], server.log_tail()


def test_runaways_from_many_addresses_fill_the_service_total_while_pages_are_answered(
    services: Services,
) -> None:
    """Each address within its own limit, together at the total: a fourth client's query
    waits its second and gets 429; the pages and named queries are still answered."""
    server = services.limited
    with (
        runaways(server, "127.0.0.6", 2) as first,
        runaways(server, "127.0.0.7", TOTAL - 2) as second,
        client("127.0.0.8") as fourth,
    ):
        started = time.monotonic()
        busy = fourth.post(f"{server.url}/sparql", data={"query": SMALL}, headers=JSON)
        took = time.monotonic() - started
        assert first.all_running and second.all_running, (first.statuses, second.statuses)
        assert busy.status_code == 429, busy.text
        assert WAIT_S - 0.2 <= took < LIMIT_S, took
        assert f"already runs {TOTAL} SPARQL queries" in busy.json()["detail"]
        assert int(busy.headers["retry-after"]) >= 1
        named = fourth.get(f"{server.url}/api/queries/gebieden")
        assert named.status_code == 200, named.text
        assert fourth.get(f"{server.url}/").status_code == 200
        assert first.all_running and second.all_running
    assert first.statuses + second.statuses == [503] * TOTAL, server.log_tail()
    assert ask(server, "127.0.0.8").status_code == 200  # the total is free again


def endpoint_named(server: Server, address: str) -> str:
    """The sd:endpoint of the service description, asked from ``address`` as if through a
    TLS proxy (X-Forwarded-Proto: https, X-Forwarded-For: a client on the internet)."""
    headers = {
        "Accept": "text/turtle",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.7",
    }
    with client(address) as sender:
        answer = sender.get(f"{server.url}/sparql", headers=headers)
    assert answer.status_code == 200, answer.text
    graph = Graph().parse(data=answer.text, format="turtle")
    (endpoint,) = graph.objects(None, SD.endpoint)
    return str(endpoint)


def test_forwarded_headers_count_only_from_trusted_proxies(services: Services) -> None:
    # By default nobody is trusted: the headers of 127.0.0.1 change nothing.
    assert endpoint_named(services.limited, "127.0.0.1").startswith("http://127.0.0.1:")
    # With KRB_TRUSTED_PROXIES=127.0.0.1 they count from that address, from no other.
    assert endpoint_named(services.unlimited, "127.0.0.1").startswith("https://127.0.0.1:")
    assert endpoint_named(services.unlimited, "127.0.0.2").startswith("http://127.0.0.1:")


def test_a_query_that_overran_runs_one_at_a_time_from_any_address(services: Services) -> None:
    """After a runaway ran into the time limit, its text (from any address) and its
    address (whatever it sends) run in one lane: a second such query is refused at
    once while one runs, and everyone else's queries are answered meanwhile."""
    server = services.marking
    with runaways(server, "127.0.0.20", 1) as first:
        pass
    assert first.statuses == [503], server.log_tail()
    with runaways(server, "127.0.0.21", 1) as lane, ThreadPoolExecutor(3) as pool:
        started = time.monotonic()
        same_text = pool.submit(ask, server, "127.0.0.22", RUNAWAY)
        same_address = pool.submit(ask, server, "127.0.0.20")
        other = pool.submit(ask, server, "127.0.0.22")
        for refused in (same_text.result(), same_address.result()):
            assert refused.status_code == 429, refused.text
            assert "ran into the time limit" in refused.json()["detail"]
            assert int(refused.headers["retry-after"]) >= 1
        assert time.monotonic() - started < WAIT_S  # refused at once, not after a wait
        assert other.result().status_code == 200, other.result().text
        assert lane.all_running, lane.statuses
    assert lane.statuses == [503], server.log_tail()
    # The query in the lane overran: the lane rests for the time limit, then the
    # marked address is answered again, one query at a time.
    resting = ask(server, "127.0.0.20")
    assert resting.status_code == 429, resting.text
    assert 1 <= int(resting.headers["retry-after"]) <= LIMIT_S + 1
    assert ask(server, "127.0.0.22").status_code == 200  # others are not kept waiting
    time.sleep(LIMIT_S)
    assert ask(server, "127.0.0.20").status_code == 200


def test_a_query_in_the_lane_has_the_lanes_shorter_time_limit(services: Services) -> None:
    """A marked address's runaway holds a core for KRB_QUERY_LANE_TIMEOUT_S (2 s by
    default), not for the service's time limit, and its 503 says which limit it met."""
    server = services.marking
    # The address is marked by a runaway of a text not yet marked: it runs beside the
    # lane (into the service's time limit), so the lane does not rest after it.
    first = ask(server, "127.0.0.30", RUNAWAY.replace("?i", "?l"))
    assert first.status_code == 503, server.log_tail()
    server.assert_alive()  # answered once the engine restarted after the overrun
    started = time.monotonic()
    answer = ask(server, "127.0.0.30", RUNAWAY.replace("?i", "?j"))  # a text not yet marked
    took = time.monotonic() - started
    assert answer.status_code == 503, answer.text
    assert "within 2 s" in answer.json()["detail"], answer.text
    assert "ran into its time limit in the last 5 minutes" in answer.json()["detail"]
    assert 2.0 <= took < LIMIT_S, took
    server.assert_alive()


def test_a_query_in_the_lane_yields_its_core_to_everyone_else(services: Services) -> None:
    """While a marked address's runaway runs in the lane, the engine serves it on a
    thread of the lowest priority (nice 19): the scheduler gives the cores to the
    other queries and the pages first. Other users' SPARQL runs at nice 5, the pages'
    and named queries' at the default."""
    server = services.marking
    # A text and an address not yet marked: it runs into the service's time limit. It
    # runs beside the lane, and takes LIMIT_S: longer than the lane rests after an overrun
    # in it before this test began (the tests above), so the lane is open when it ends.
    before = _only_engine(server)  # an engine restarted by the tests above has settled
    first = ask(server, "127.0.0.40", RUNAWAY.replace("?i", "?n"))
    assert first.status_code == 503, server.log_tail()
    engine = _engine_after_restart(server, before)  # an overrun restarts the engine
    marked = RUNAWAY.replace("?i", "?k")  # a text not yet marked, from the marked address
    with ThreadPoolExecutor(1) as pool:
        lane = pool.submit(ask, server, "127.0.0.40", marked)
        time.sleep(0.5)
        during = _connection_priorities(engine)
        assert ask(server, "127.0.0.41").status_code == 200  # answered meanwhile
        assert lane.result().status_code == 503
    assert during.count(19) == 1, during  # the runaway's; every other thread above it
    # An unmarked runaway runs at the priority of all users' SPARQL, above the lane's
    # and below the pages' and named queries' (the pooled connections, at 0).
    with ThreadPoolExecutor(1) as pool:
        engine = _engine_after_restart(server, engine)
        unmarked = pool.submit(ask, server, "127.0.0.42", RUNAWAY.replace("?i", "?m"))
        time.sleep(0.5)
        during = _connection_priorities(engine)
        assert unmarked.result().status_code == 503
    assert 5 in during and 19 not in during, during
    server.assert_alive()


def _engine_pid(server: Server) -> int:
    """The `oxigraph serve` process under the service (waiting for a restart to end)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        engines = _engines(server)
        if engines:
            return engines[0]
        time.sleep(0.1)
    raise AssertionError(f"the service has no engine process:\n{server.log_tail()}")


def _engines(server: Server) -> list[int]:
    """The `oxigraph serve` processes under the service (two while one is replaced)."""
    found, pending = [], [server.process.pid]
    while pending:
        for task in Path(f"/proc/{pending.pop()}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                try:
                    if b"oxigraph" in Path(f"/proc/{child}/cmdline").read_bytes():
                        found.append(child)
                except OSError:
                    continue
            pending += children
    return found


def _only_engine(server: Server) -> int:
    """The service's one engine, once an engine it replaced has gone."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        engines = set(_engines(server))
        if len(engines) == 1:
            return engines.pop()
        time.sleep(0.05)
    raise AssertionError(f"the service has not one engine process:\n{server.log_tail()}")


def _engine_after_restart(server: Server, old: int) -> int:
    """The engine that replaced ``old``: the service restarts its engine after an
    overrun, and the old one may still be running when the 503 arrives."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        engine = _engine_pid(server)
        if engine != old:
            return engine
        time.sleep(0.1)
    raise AssertionError(f"the engine was not restarted:\n{server.log_tail()}")


def _connection_priorities(engine: int) -> list[int]:
    """The nice values of the engine's connection threads (named after the client)."""
    found = []
    for task in Path(f"/proc/{engine}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            nice = int((task / "stat").read_text().rsplit(")", 1)[1].split()[16])
        except OSError:
            continue
        if name.startswith("127."):
            found.append(nice)
    return found
