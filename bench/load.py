"""Load benchmark of `krb serve --demo`: readers, one writer, and runaway queries in flight.

Starts `krb serve --demo` on 127.0.0.1 (a fresh store in a temporary folder,
writes enabled with a token, the supervised engine as `krb serve` runs it)
and, for each number of clients (1, 8 and 32 by default) and each number of
runaway queries (0, 2 and 4), runs for ``--duration`` seconds:

- the clients, each in a loop over a mix of simple reads: named queries of
  the JSON API (/api/queries/NAME, those without required parameters), HTML
  pages, and small SPARQL queries at /sparql;
- one writer replacing a small graph through the Graph Store (PUT /store,
  validated before it commits);
- the runaway clients, each sending a query that cannot finish within the
  time limit (a three-way cross join counted, or a cross join sorted) and
  sending it again as soon as it is answered 503, or after the Retry-After
  of a 429 (at most 1 s).

The service admits at most KRB_QUERY_PER_CLIENT (2) SPARQL queries of one
client at once, and a client is an address. The readers and the writer send
from 127.0.0.1; the runaways are one client at 127.0.0.2 (Linux routes all
of 127.0.0.0/8 to the loopback interface), as one runaway client would be on
the internet. One more case per reader count (``--spread``, default 4) has
that many runaways from as many addresses (127.0.0.2, 127.0.0.3, ...): as
many clients, each within its own limit. A query that runs into the time
limit marks its address and its text (KRB_QUERY_PENALTY_S, 300 s): one
server serves every case, so from the first case with runaways on, theirs
run one at a time, as under a lasting attack. The server takes its settings
from the environment: ``KRB_QUERY_PENALTY_S=0`` measures without the marks.

It prints per case the throughput and the p50 and p99 latency of the reads,
the writes done and their p99, the runaways' 503 and 429 answers, the reads
answered 429 (the readers share one address, so 32 of them exceed its SPARQL
slots now and then; like polite clients they send the read again after the
Retry-After, and its time counts the wait), the errors (anything but a 2xx
for a read or write, a read after READ_TRIES tries; the runaways' 503 and 429
are expected) and the ratio of the read p99 to the case without runaways.
Targets: 0 errors, and with 4 runaways the read p99 within 2x of the
baseline. Run from the project root (Linux):

    .venv/bin/python bench/load.py                      # 12 cases of 10 s
    .venv/bin/python bench/load.py --duration 3 --clients 1,8 --runaways 0,2 --spread 0
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

BASE_IRI = "https://krb.demogemeente.nl"
TOKEN = "bench-load-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_DURATION_S = 120.0
"""No case runs longer than this, whatever --duration says."""
P99_TARGET_RATIO = 2.0
START_TIMEOUT_S = 90.0

SPARQL_READS = [
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 10",
    "ASK { ?s a ?type }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://data.krb.nl/def/krb#Beleidsnorm> }",
]
PAGES = ["/", "/begrippen", "/dwarsverbanden"]
RUNAWAYS = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 10",
]
"""Item 3 and item 2 of the reliability issue: each runs into the time limit."""
WRITE_GRAPH = f"{BASE_IRI}/graph/bench-load"
READER_ADDRESS = "127.0.0.1"
READ_TRIES = 3
"""How often a reader sends a read answered 429 (after its Retry-After) before it counts
as an error."""
RUNAWAY_NETWORK = "127.0.0."
"""Runaway client n sends from 127.0.0.(2 + n); one address is one client to the service."""
MAX_RETRY_AFTER_S = 1.0


class BenchError(RuntimeError):
    """A step of the benchmark could not run; the message says which and why."""


# ------------------------------------------------------------------------ the server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _krb() -> list[str]:
    script = Path(sys.executable).with_name("krb")
    if script.exists():
        return [str(script)]
    found = shutil.which("krb")
    return [found] if found else [sys.executable, "-m", "krbgraph.cli"]


@contextmanager
def krb_serve(folder: Path, timeout_s: float, server_log: Path | None = None) -> Iterator[str]:
    """`krb serve --demo` on a free loopback port; yields its URL. Its output is copied to
    ``server_log`` at the end."""
    port = _free_port()
    env = os.environ | {
        "KRB_STORE": str(folder / "store"),
        "KRB_BASE_IRI": BASE_IRI,
        "KRB_TOKEN": TOKEN,
        "KRB_HOST": "127.0.0.1",
        "KRB_PORT": str(port),
        "KRB_QUERY_TIMEOUT_S": f"{timeout_s:g}",
    }
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*_krb(), "serve", "--demo"], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise BenchError(f"krb serve did not start:\n{tail}")
            try:
                if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=5).is_success:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield url
    finally:
        if server_log is not None:
            shutil.copyfile(log, server_log)
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def named_reads(url: str) -> list[str]:
    """/api/queries/NAME for every public named query without required parameters."""
    catalogue = httpx.get(f"{url}/api/queries", timeout=30).json()
    return [
        query["href"]
        for query in catalogue
        if not any(parameter["required"] for parameter in query["parameters"])
    ]


# ------------------------------------------------------------------------ the clients


@dataclass
class Tally:
    """What the threads of one case observed; appended to under a lock."""

    reads_ms: list[float] = field(default_factory=list)
    writes_ms: list[float] = field(default_factory=list)
    runaway_answers: int = 0
    runaway_refused: int = 0
    """429: the runaway's client already ran as many queries as one client may."""
    reads_retried: int = 0
    """Reads answered 429 and sent again after the Retry-After, as a polite client does."""
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, took_ms: float, error: str | None = None) -> None:
        with self.lock:
            if error is not None:
                self.errors.append(error)
            elif kind == "read":
                self.reads_ms.append(took_ms)
            elif kind == "write":
                self.writes_ms.append(took_ms)
            elif kind == "refused":
                self.runaway_refused += 1
            else:
                self.runaway_answers += 1


def _timed(
    client: httpx.Client, tally: Tally, kind: str, method: str, url: str, **kw
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        tally.add(kind, 0.0, f"{kind} {url[:80]}: {type(exc).__name__}")
        return None
    took_ms = (time.perf_counter() - started) * 1000
    if kind == "runaway" and response.status_code == 429:
        tally.add("refused", took_ms)
        return response
    expected = response.status_code == 503 if kind == "runaway" else response.is_success
    if not expected:
        tally.add(kind, took_ms, f"{kind} {url[:80]}: {response.status_code}")
    else:
        tally.add(kind, took_ms)
    return response


def _from(address: str) -> httpx.Client:
    """A client whose connections leave from ``address`` (a loopback address)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(timeout=120, transport=transport)


def reader(url: str, reads: list[str], offset: int, stop: threading.Event, tally: Tally) -> None:
    mix = itertools.cycle(
        [("GET", f"{url}{path}", {}) for path in reads]
        + [("GET", f"{url}{page}", {}) for page in PAGES]
        + [("GET", f"{url}/sparql", {"params": {"query": text}}) for text in SPARQL_READS]
    )
    for _ in range(offset):  # clients start at different places in the mix
        next(mix)
    with _from(READER_ADDRESS) as client:
        while not stop.is_set():
            method, target, kw = next(mix)
            polite_read(client, tally, method, target, **kw)


def polite_read(client: httpx.Client, tally: Tally, method: str, url: str, **kw) -> None:
    """One read as a polite client makes it: a 429 (the client's SPARQL slots taken; all
    readers share 127.0.0.1) is sent again after its Retry-After, up to READ_TRIES
    times, and the read's time includes those waits. Only a read that still fails
    counts as an error."""
    started = time.perf_counter()
    for attempt in range(1, READ_TRIES + 1):
        try:
            response = client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            tally.add("read", 0.0, f"read {url[:80]}: {type(exc).__name__}")
            return
        if response.status_code != 429 or attempt == READ_TRIES:
            break
        with tally.lock:
            tally.reads_retried += 1
        time.sleep(_retry_after(response))
    took_ms = (time.perf_counter() - started) * 1000
    if response.is_success:
        tally.add("read", took_ms)
    else:
        tally.add("read", took_ms, f"read {url[:80]}: {response.status_code}")


def writer(url: str, stop: threading.Event, tally: Tally) -> None:
    with _from(READER_ADDRESS) as client:
        for n in itertools.count():
            if stop.is_set():
                return
            body = f'<{BASE_IRI}/id/bench/s> <http://example.org/teller> "{n}" .\n'
            headers = {"Content-Type": "text/turtle"} | AUTH
            params = {"graph": WRITE_GRAPH}
            _timed(client, tally, "write", "PUT", f"{url}/store", content=body, headers=headers,
                   params=params)  # fmt: skip


def runaway(url: str, text: str, address: str, stop: threading.Event, tally: Tally) -> None:
    """Sends ``text`` from ``address`` again and again: at once after a 503, after the
    Retry-After of a 429 (at most MAX_RETRY_AFTER_S)."""
    with _from(address) as client:
        while not stop.is_set():
            answer = _timed(client, tally, "runaway", "POST", f"{url}/sparql", data={"query": text})
            if answer is not None and answer.status_code == 429:
                stop.wait(_retry_after(answer))


def _retry_after(answer: httpx.Response) -> float:
    try:
        return min(max(float(answer.headers.get("retry-after", "1")), 0.0), MAX_RETRY_AFTER_S)
    except ValueError:
        return MAX_RETRY_AFTER_S


# ------------------------------------------------------------------------ one case


@dataclass
class Case:
    clients: int
    runaways: int
    runaway_addresses: int
    seconds: float
    reads: int
    writes: int
    runaway_answers: int
    runaway_refused: int
    reads_retried: int
    errors: int
    reads_per_s: float
    read_p50_ms: float | None
    read_p99_ms: float | None
    write_p99_ms: float | None
    error_examples: list[str]


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (None without values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def run_case(
    url: str, reads: list[str], clients: int, runaways: int, seconds: float, *, addresses: int = 1
) -> Case:
    """One case; the runaways send from ``addresses`` loopback addresses, in turn."""
    stop, tally = threading.Event(), Tally()
    threads = [
        threading.Thread(target=reader, args=(url, reads, i * 3, stop, tally))
        for i in range(clients)
    ]
    threads.append(threading.Thread(target=writer, args=(url, stop, tally)))
    threads += [
        threading.Thread(
            target=runaway,
            args=(url, RUNAWAYS[i % len(RUNAWAYS)], runaway_address(i % addresses), stop, tally),
        )
        for i in range(runaways)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started  # with the wait for the requests in flight at the stop
    return Case(
        clients=clients,
        runaways=runaways,
        runaway_addresses=min(addresses, runaways),
        seconds=round(took, 2),
        reads=len(tally.reads_ms),
        writes=len(tally.writes_ms),
        runaway_answers=tally.runaway_answers,
        runaway_refused=tally.runaway_refused,
        reads_retried=tally.reads_retried,
        errors=len(tally.errors),
        reads_per_s=len(tally.reads_ms) / seconds,  # at most one read per client after it
        read_p50_ms=statistics.median(tally.reads_ms) if tally.reads_ms else None,
        read_p99_ms=percentile(tally.reads_ms, 0.99),
        write_p99_ms=percentile(tally.writes_ms, 0.99),
        error_examples=sorted(set(tally.errors))[:5],
    )


def runaway_address(n: int) -> str:
    """The loopback address of runaway client ``n`` (0: 127.0.0.2)."""
    return f"{RUNAWAY_NETWORK}{2 + n}"


def settle(url: str) -> None:
    """Wait until a trivial query answers fast again (the engine restarted after runaways)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            answer = httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=30)
            if answer.is_success and time.perf_counter() - started < 0.2:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)


# ------------------------------------------------------------------------ report


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_table(cases: list[Case]) -> None:
    baseline = {c.clients: c.read_p99_ms for c in cases if c.runaways == 0}
    header = (
        f"{'clients':>7} {'runaways':>8} {'addresses':>9} {'reads':>6} {'reads/s':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'p99 ratio':>9} {'writes':>6} {'write p99':>9} "
        f"{'runaway 503':>11} {'runaway 429':>11} {'read 429':>8} {'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for c in cases:
        base = baseline.get(c.clients)
        ratio = f"{c.read_p99_ms / base:.2f}x" if base and c.read_p99_ms else "-"
        print(
            f"{c.clients:>7} {c.runaways:>8} {c.runaway_addresses:>9} {c.reads:>6} "
            f"{c.reads_per_s:>8.1f} {_ms(c.read_p50_ms):>8} {_ms(c.read_p99_ms):>8} "
            f"{ratio:>9} {c.writes:>6} {_ms(c.write_p99_ms):>9} {c.runaway_answers:>11} "
            f"{c.runaway_refused:>11} {c.reads_retried:>8} {c.errors:>6}"
        )
    for c in cases:
        for example in c.error_examples:
            print(f"  error ({c.clients} clients, {c.runaways} runaways): {example}")
    errors = sum(c.errors for c in cases)
    print(f"\ntarget: 0 errors: {'ok' if errors == 0 else f'MISS ({errors})'}")
    worst = max((c.runaways for c in cases), default=0)
    for c in cases:
        base = baseline.get(c.clients)
        if c.runaways == worst and worst and base and c.read_p99_ms:
            ratio = c.read_p99_ms / base
            verdict = "ok" if ratio <= P99_TARGET_RATIO else "MISS"
            print(
                f"target: read p99 with {worst} runaways from {c.runaway_addresses} "
                f"address(es) within {P99_TARGET_RATIO:g}x of the baseline, {c.clients} "
                f"clients: {ratio:.2f}x {verdict}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per case")
    parser.add_argument("--clients", default="1,8,32", help="reader counts, comma-separated")
    parser.add_argument("--runaways", default="0,2,4", help="runaway counts, comma-separated")
    parser.add_argument(
        "--spread",
        type=int,
        default=4,
        help="one more case per reader count with this many runaways, each from its own "
        "address (0: none)",
    )
    parser.add_argument("--timeout", type=float, default=5.0, help="the server's query limit (s)")
    parser.add_argument("--out", type=Path, help="also write the cases as JSON here")
    parser.add_argument("--server-log", type=Path, help="copy the server's output here")
    args = parser.parse_args()
    seconds = min(max(args.duration, 0.5), MAX_DURATION_S)
    client_counts = [int(n) for n in args.clients.split(",")]
    runaway_counts = sorted(int(n) for n in args.runaways.split(","))
    if 0 not in runaway_counts:
        runaway_counts.insert(0, 0)  # the baseline the ratios need
    plan = [(runaways, 1) for runaways in runaway_counts]
    if args.spread > 1:
        plan.append((args.spread, args.spread))
    with (
        tempfile.TemporaryDirectory(prefix="krb-load-") as folder,
        krb_serve(Path(folder), args.timeout, args.server_log) as url,
    ):
        reads = named_reads(url)
        print(
            f"krb serve --demo on {url}, query limit {args.timeout:g} s, {seconds:g} s per "
            f"case; read mix: {len(reads)} named queries, {len(PAGES)} pages, "
            f"{len(SPARQL_READS)} SPARQL queries from {READER_ADDRESS}; one writer "
            f"(PUT /store); runaways from {runaway_address(0)} (or one address each)\n"
        )
        for path in reads + PAGES:  # warm-up: templates, caches, the engine's pages
            httpx.get(f"{url}{path}", timeout=120)
        cases = []
        for clients in client_counts:
            for runaways, addresses in plan:
                settle(url)
                cases.append(run_case(url, reads, clients, runaways, seconds, addresses=addresses))
        print_table(cases)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps([asdict(c) for c in cases], indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
