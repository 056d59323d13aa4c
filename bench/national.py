"""National scale: many municipalities' registries in one store behind `krb serve`.

A province or a national aggregate keeps the registries of many municipalities,
each in a graph of its own. This builds one from ``--municipalities`` registries of
``--triples`` each (bench/generate.py, each with its own base IRI and seed, so no
IRI is shared), loads them with ``krb load --no-validate`` (one graph per file),
starts ``krb serve`` on that store with its supervised engine (``oxigraph serve``
as a child process, behind the remote backend) and measures over HTTP:

- the load: time and store size;
- point queries: a norm's triples by IRI through ``/sparql``, and one measure's
  cross-links through the JSON API (``/api/maatregelen/{iri}/dwarsverbanden``),
  p50 and p95;
- the start of ``krb serve``, which builds its in-memory replica of the store
  (what writes are validated on);
- replacing one municipality's graph, validated, twice: ``PUT /store?graph=...``
  with its file with a few norm values changed.

    .venv/bin/python bench/national.py                        # 10 x 1M triples
    .venv/bin/python bench/national.py --municipalities 3 --triples 100000

Files and the store are kept under ``bench/out/national``, so a second run starts
at the service. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.queries import (  # noqa: E402
    BenchError,
    count_lines,
    folder_bytes,
    free_port,
    krb_command,
    timed_run,
)

TOKEN = "national-bench-token"
BASE_IRI = "https://krb.provincie.example.nl"
"""The service's own base IRI; the municipalities' registries each have their own."""
KRB = "https://data.krb.nl/def/krb#"
NUMERIC = "http://qudt.org/schema/qudt/numericValue"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


def municipality_iri(number: int) -> str:
    return f"https://krb.gemeente-{number:02d}.example.nl"


def build(args: argparse.Namespace) -> tuple[Path, list[Path], dict[str, float]]:
    """The registry files and the loaded store folder, made when missing; their facts."""
    folder = args.data / f"national-{args.municipalities}x{args.triples}"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for number in range(1, args.municipalities + 1):
        path = folder / f"gemeente-{number:02d}.nt"
        if not path.is_file():
            generate = [sys.executable, str(ROOT / "bench" / "generate.py")]
            generate += ["--triples", str(args.triples), "--seed", str(100 + number)]
            generate += ["--base-iri", municipality_iri(number), "--out", str(path)]
            timed_run(generate, f"generating {path.name}", timeout_s=args.timeout)
        files.append(path)
    store = folder / "store"
    marker = folder / "loaded.json"
    if marker.is_file():
        return store, files, json.loads(marker.read_text(encoding="utf-8"))
    load = [*krb_command(), "load", *map(str, files), "--store", str(store)]
    load += ["--base-iri", BASE_IRI, "--no-progress", "--no-validate"]
    print(f"loading {len(files)} files ...", flush=True)
    seconds = timed_run(load, "krb load --no-validate", timeout_s=args.timeout)
    facts = {
        "load_s": seconds,
        "triples": float(sum(count_lines(f) for f in files)),
        "store_mb": folder_bytes(store) / 1e6,
    }
    marker.write_text(json.dumps(facts), encoding="utf-8")
    return store, files, facts


@contextmanager
def krb_serve(store: Path, args: argparse.Namespace) -> Iterator[str]:
    """`krb serve` on the store (supervised engine), writes allowed with TOKEN."""
    port = free_port()
    env = os.environ | {
        "KRB_STORE": str(store),
        "KRB_BASE_IRI": BASE_IRI,
        "KRB_TOKEN": TOKEN,
        "KRB_HOST": "127.0.0.1",
        "KRB_PORT": str(port),
        "KRB_ENGINE": "supervised",
        "KRB_QUERY_TIMEOUT_S": "600",
        "KRB_WRITE_WAIT_S": "600",
        "KRB_MAX_UPLOAD_MB": "1000",
        "KRB_ENGINE_MEMORY_MB": "0",
    }
    log = store.parent / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*krb_command(), "serve"], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + args.timeout
        while True:
            try:
                if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}, timeout=5).is_success:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise BenchError(f"krb serve did not start: {tail}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def point_queries(url: str, files: list[Path], count: int, rng: random.Random) -> dict[str, str]:
    """Latency of looking up one norm by IRI and of one measure's cross-links, over HTTP."""
    norms, measures = [], []
    for path in files:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                subject, rest = line.split(" ", 1)
                if rest.startswith(f"<{RDF_TYPE}> <{KRB}Beleidsnorm>"):
                    norms.append(subject)
                elif rest.startswith(f"<{RDF_TYPE}> <{KRB}Beleidsmaatregel>"):
                    measures.append(subject)
    picked_norms = rng.sample(norms, count)
    picked_measures = rng.sample(measures, count)
    timings: dict[str, list[float]] = {"sparql": [], "api": []}
    with httpx.Client(timeout=600) as client:
        for norm, measure in zip(picked_norms, picked_measures, strict=True):
            started = time.perf_counter()
            answer = client.post(
                f"{url}/sparql",
                data={"query": f"SELECT ?p ?o WHERE {{ {norm} ?p ?o }}"},
                headers=JSON_RESULTS,
            )
            timings["sparql"].append(time.perf_counter() - started)
            if answer.status_code != 200 or not answer.json()["results"]["bindings"]:
                raise BenchError(f"point query for {norm}: {answer.status_code}")
            started = time.perf_counter()
            iri = quote(measure.strip("<>"), safe="")
            answer = client.get(f"{url}/api/maatregelen/{iri}/dwarsverbanden")
            timings["api"].append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise BenchError(f"dwarsverbanden of {measure}: {answer.status_code}")
    return {name: _ms(values) for name, values in timings.items()}


def edited(path: Path, rng: random.Random, edits: int) -> bytes:
    """The file with ``edits`` norm values changed (a municipality re-publishing)."""
    lines = path.read_bytes().splitlines(keepends=True)
    values = [i for i, line in enumerate(lines) if f"<{NUMERIC}>".encode() in line]
    for index in rng.sample(values, edits):
        lines[index] = re.sub(
            rb'"[^"]*"\^\^', f'"{rng.randint(1, 99)}"^^'.encode(), lines[index], count=1
        )
    return b"".join(lines)


def replace_graph(url: str, graph: str, body: bytes) -> float:
    started = time.perf_counter()
    answer = httpx.put(
        f"{url}/store",
        params={"graph": graph},
        content=body,
        headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}"},
        timeout=3600,
    )
    seconds = time.perf_counter() - started
    if answer.status_code not in (200, 201, 204):
        raise BenchError(f"PUT {graph}: {answer.status_code} {answer.text[:500]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=10)
    parser.add_argument("--triples", type=int, default=1_000_000, help="triples per registry")
    parser.add_argument("--requests", type=int, default=50, help="point queries of each kind")
    parser.add_argument("--edits", type=int, default=10, help="norm values changed per PUT")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--timeout", type=float, default=3600.0, help="per step, in seconds")
    args = parser.parse_args(argv)
    rng = random.Random(7)
    try:
        store, files, facts = build(args)
        print(
            f"{len(files)} registries, {facts['triples']:,.0f} triples: krb load --no-validate "
            f"{facts['load_s']:.1f} s, store {facts['store_mb']:,.0f} MB",
            flush=True,
        )
        started = time.perf_counter()
        with krb_serve(store, args) as url:
            print(f"krb serve answered after {time.perf_counter() - started:.1f} s", flush=True)
            for name, figure in point_queries(url, files, args.requests, rng).items():
                print(f"point query ({name}): {figure}", flush=True)
            target = files[0]
            graph = f"{BASE_IRI}/graph/{target.stem}"
            for attempt in ("first", "second"):
                body = edited(target, rng, args.edits)
                seconds = replace_graph(url, graph, body)
                print(
                    f"PUT {target.name} ({len(body) / 1e6:.0f} MB, {args.edits} values "
                    f"changed), validated, {attempt}: {seconds:.1f} s",
                    flush=True,
                )
    except BenchError as exc:
        print(f"national bench: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
