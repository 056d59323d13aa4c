"""Graph Store GET of a large graph through `krb serve`, against the engine's own dump.

For each size a store is loaded with the model and one graph of that many triples
(five per subject: a type, a language-tagged label, a decimal, a link to a blank node
and that node's comment), with `krb load --graph --no-validate`. For each engine
(``supervised``, the default of `krb serve`, and ``embedded``) `krb serve` runs on it as
a subprocess and the graph is fetched in every format /store offers. Per GET: the wall
time, the answer's size, and the peak resident memory of the service process during
it (VmHWM, reset before each GET through /proc/PID/clear_refs; Linux), beside its
resident memory before, measured once what the service reads at start has settled.
Answers are asked without compression, as the engine never compresses. The engine's
own: the supervised engine's child `oxigraph serve` answering the same GET itself, and,
for the embedded engine, pyoxigraph's ``Store.dump`` of the graph in this process once
the service has stopped.

    .venv/bin/python bench/graph_store_get.py
    .venv/bin/python bench/graph_store_get.py --sizes 100000 --engines supervised
    git archive HEAD | tar -x -C /tmp/krb-before   # the service as it was, to compare:
    .venv/bin/python bench/graph_store_get.py --source /tmp/krb-before
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://krb.grootstad.nl"
GRAPH = f"{BASE}/graph/bench-get"
FORMATS = ("application/n-triples", "text/turtle", "application/ld+json", "application/rdf+xml")
KRB = "https://data.krb.nl/def/krb#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,400000", help="graph sizes in triples")
    parser.add_argument("--engines", default="supervised,embedded")
    parser.add_argument("--formats", default=",".join(FORMATS), help="media types to GET")
    parser.add_argument(
        "--source", type=Path, default=ROOT, help="the krbgraph checkout `krb serve` runs from"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="per GET, in seconds")
    parser.add_argument(
        "--gzip",
        action="store_true",
        help="ask for gzip as browsers do (default: identity, as the engine never compresses)",
    )
    return parser.parse_args(argv)


def write_graph_file(path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(size // 5):
            s = f"<{BASE}/id/bench/n{i}>"
            out.write(
                f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{KRB}Beleidsnorm> .\n"
                f'{s} <{RDFS}label> "norm {i}"@nl .\n'
                f'{s} <{KRB}waarde> "{i}.5"^^<{XSD}decimal> .\n'
                f"{s} <{KRB}geldigheid> _:p{i} .\n"
                f'_:p{i} <{RDFS}comment> "periode {i}" .\n'
            )


def krb(*args: str) -> list[str]:
    """The CLI as a module, so PYTHONPATH picks the checkout it runs from."""
    return [sys.executable, "-m", "krbgraph.cli", *args]


def environment(source: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(source), "KRB_BASE_IRI": BASE}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(store: Path, engine: str, source: Path, log: Path) -> Iterator[tuple[str, int]]:
    """`krb serve` on ``store``: its URL and process id."""
    port = free_port()
    args = krb("serve", "--store", str(store), "--port", str(port), "--engine", engine)
    with log.open("w") as output:
        process = subprocess.Popen(  # in ``source``: `python -m` puts the folder first
            args, cwd=source, env=environment(source), stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"krb serve stopped: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=2).is_success:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit("krb serve did not answer within 300 s")
        yield url, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def engine_child(pid: int) -> tuple[int, str] | None:
    """The supervised engine under the service: its pid and its URL."""
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for number in child.read_text().split():
            command = Path(f"/proc/{number}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            port = re.search(r"127\.0\.0\.1:(\d+)", command)
            if "oxigraph" in command and port:
                return int(number), f"http://127.0.0.1:{port.group(1)}"
    return None


def settle(pid: int, quiet_s: float = 3.0, longest_s: float = 180.0) -> None:
    """Wait until the service's memory stops moving: after a start it reads every name of
    the store in the background (krbgraph.labels), which would be counted as the GET's."""
    deadline = time.monotonic() + longest_s
    last, since = memory_mb(pid, "VmRSS"), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet_s:
        time.sleep(0.5)
        now = memory_mb(pid, "VmRSS")
        if abs(now - last) > 1:
            last, since = now, time.monotonic()


def timed_get(
    url: str, accept: str, pids: list[int], timeout: float, encoding: str = "identity"
) -> tuple[float, int, str]:
    """Seconds, bytes, and each of ``pids``' resident memory before and at its peak
    during the GET."""
    before = [memory_mb(pid, "VmRSS") for pid in pids]
    for pid in pids:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
    started = time.perf_counter()
    with httpx.stream(
        "GET",
        f"{url}/store",
        params={"graph": GRAPH},
        headers={"Accept": accept, "Accept-Encoding": encoding},
        timeout=timeout,
    ) as response:
        if response.status_code != 200:
            raise SystemExit(f"GET {accept}: {response.status_code} {response.read()[:300]!r}")
        size = sum(len(chunk) for chunk in response.iter_raw())
    seconds = time.perf_counter() - started
    peaks = " / ".join(
        f"{start:.0f}->{memory_mb(pid, 'VmHWM'):.0f}"
        for pid, start in zip(pids, before, strict=True)
    )
    return seconds, size, peaks


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="krb-bench-gsp-get-"))
    formats = args.formats.split(",")
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            data = work / f"graph-{size}.nt"
            write_graph_file(data, size)
            store = work / f"store-{size}"
            load = krb("load", str(data), "--graph", GRAPH, "--store", str(store))
            subprocess.run(
                [*load, "--no-validate", "--no-progress"], env=environment(ROOT), check=True
            )
            for engine in args.engines.split(","):
                print(f"\n{size:,} triples, engine {engine}, service from {args.source}")
                with served(store, engine, args.source, work / "serve.log") as (url, pid):
                    child = engine_child(pid) if engine == "supervised" else None
                    pids = [pid] + ([child[0]] if child else [])
                    settle(pid)
                    for accept in formats:
                        seconds, length, peaks = timed_get(
                            url, accept, pids, args.timeout, "gzip" if args.gzip else "identity"
                        )
                        print(
                            f"  krb serve  {accept:22} {seconds:6.2f} s {length / 1e6:6.1f} MB"
                            f"  RSS {peaks} MB"
                        )
                    for accept in formats[:2] if child else ():
                        seconds, length, _ = timed_get(child[1], accept, [], args.timeout)
                        print(f"  engine GSP {accept:22} {seconds:6.2f} s {length / 1e6:6.1f} MB")
                if engine == "embedded":
                    engine_dump(store, work / "dump.nt")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def engine_dump(store: Path, target: Path) -> None:
    """pyoxigraph's own dump of the graph, N-Triples and Turtle, into a file."""
    opened = ox.Store(str(store))
    for fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE):
        started = time.perf_counter()
        opened.dump(str(target), fmt, from_graph=ox.NamedNode(GRAPH))
        seconds, length = time.perf_counter() - started, target.stat().st_size
        print(f"  Store.dump {fmt.media_type:22} {seconds:6.2f} s {length / 1e6:6.1f} MB")
    del opened


if __name__ == "__main__":
    raise SystemExit(main())
