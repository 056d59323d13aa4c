"""Benchmark of the named queries and of `krb load` on synthetic registries of several sizes.

For each size (about 10k, 100k and 1M triples by default) it

1. times ``oxigraph load`` and ``krb load`` (with and without validation) of the
   same generated N-Triples file, each as a subprocess into a fresh empty folder;
2. picks realistic parameters from the loaded registry (bench/params.py);
3. times every named query (a warm-up run, then ``--repeat`` runs; median and
   p90) on the embedded store that ``krb load --no-validate`` built, through
   the same ``run_named_query`` the CLI and the HTTP API use;
4. serves a copy of that store with ``oxigraph serve --union-default-graph``
   on 127.0.0.1, times the same cases through the remote backend, and checks
   that both backends return the same rows.

It prints the tables and writes them as JSON (``--out``), after each size, so
a long run that is stopped keeps what it measured. Run from the project root:

    .venv/bin/python bench/queries.py --sizes 10000,100000,1000000 --repeat 7

Missing registry files are generated with bench/generate.py first. See
bench/README.md for what each number means and the targets.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rdflib import BNode
from rdflib.compare import isomorphic

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.params import Case, NoPickError, benchmark_cases, pick_parameters  # noqa: E402
from krbgraph.queries import Catalogue, ParameterError, load_catalogue, run_named_query  # noqa: E402
from krbgraph.settings import Settings  # noqa: E402
from krbgraph.store import QueryResult, Store, StoreError, open_store  # noqa: E402

BASE_IRI = "https://krb.grootstad.nl"
"""The base IRI bench/generate.py mints the registry under."""

QUERY_TARGET_MS = 100.0
QUERY_TARGET_TRIPLES = 1_000_000
LOAD_TARGET_RATIO = 1.3
SERVER_START_S = 30.0
EXIT_INVALID = 1
"""Exit code of `krb load` when the data does not conform to the shapes."""


class BenchError(RuntimeError):
    """A step of the benchmark could not run; the message says which and why."""


# ------------------------------------------------------------------------ results


@dataclass
class Timing:
    median_ms: float | None = None
    p90_ms: float | None = None
    rows: int | None = None
    error: str | None = None


@dataclass
class CaseResult:
    case: str
    query: str
    params: dict[str, str]
    embedded: Timing
    remote: Timing | None = None
    identical: bool | None = None
    """Same rows (as a multiset; blank node labels ignored) on both backends."""
    skipped: str | None = None


@dataclass
class LoadResult:
    file_bytes: int
    triples: int
    oxigraph_s: float
    krb_no_validate_s: float
    krb_validated_s: float | None
    """Wall time of the default (validated) load; also set when the data did not pass."""
    validated_note: str | None
    """Why the validated load was not run, failed, or did not pass; None when it loaded."""
    oxigraph_store_bytes: int
    krb_store_bytes: int
    krb_validated_store_bytes: int | None

    @property
    def ratio_no_validate(self) -> float:
        return self.krb_no_validate_s / self.oxigraph_s

    @property
    def ratio_validated(self) -> float | None:
        if self.krb_validated_s is None:
            return None
        return self.krb_validated_s / self.oxigraph_s


@dataclass
class SizeResult:
    size: int
    file: str
    load: LoadResult
    picks: dict[str, object]
    cases: list[CaseResult] = field(default_factory=list)


# ------------------------------------------------------------------- subprocesses


def krb_command() -> list[str]:
    """The installed ``krb`` script beside this Python, else the same app run as a module."""
    script = Path(sys.executable).parent / "krb"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "krbgraph.cli"]


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise BenchError("the oxigraph server binary is not installed (pip install oxigraph)")
    return found


@dataclass(frozen=True)
class Completed:
    seconds: float
    returncode: int
    message: str
    """The last lines the command wrote to stderr (or stdout), for a short report."""


def run_command(args: list[str], what: str, *, timeout_s: float) -> Completed:
    """Run one command and time it; BenchError only when it does not finish in time."""
    started = time.perf_counter()
    try:
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what} did not finish within {timeout_s:.0f} s") from None
    elapsed = time.perf_counter() - started
    lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
    return Completed(elapsed, done.returncode, "\n".join(lines[-5:]))


def timed_run(args: list[str], what: str, *, timeout_s: float) -> float:
    """Wall time of one command in seconds; BenchError with its last output when it fails."""
    done = run_command(args, what, timeout_s=timeout_s)
    if done.returncode != 0:
        raise BenchError(f"{what} failed with exit code {done.returncode}: {done.message}")
    return done.seconds


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def registry_file(data: Path, size: int, *, timeout_s: float) -> Path:
    """bench/out/registry-{size}.nt, generated with bench/generate.py when missing."""
    path = data / f"registry-{size}.nt"
    if not path.is_file():
        print(f"generating {path} ...", flush=True)
        args = [sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(size)]
        timed_run([*args, "--out", str(path)], f"generating {path.name}", timeout_s=timeout_s)
    return path


def count_lines(path: Path) -> int:
    """Triples in an N-Triples file as written by generate.py: one per line."""
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip() and not line.startswith(b"#"))


# -------------------------------------------------------------------------- loads


def krb_load_args(file: Path, store: Path, *, validate: bool) -> list[str]:
    args = [*krb_command(), "load", str(file), "--store", str(store), "--base-iri", BASE_IRI]
    return args + ["--no-progress", "--validate" if validate else "--no-validate"]


def oxigraph_load(file: Path, store: Path, *, timeout_s: float) -> float:
    args = [oxigraph_binary(), "load", "--location", str(store), "--file", str(file)]
    return timed_run(args, f"oxigraph load {file.name}", timeout_s=timeout_s)


def model_setup_s(work: Path, *, timeout_s: float) -> float:
    """`krb load` of one triple into a new store: start-up plus loading the model, paid by
    every load. (A command that only reads a store refuses a folder that holds none.)"""
    one = work / "one-triple.nt"
    one.write_text("<urn:krb:bench:a> <urn:krb:bench:b> <urn:krb:bench:c> .\n", encoding="utf-8")
    args = krb_load_args(one, work / "model-only", validate=False)
    try:
        return timed_run(args, "krb load of one triple into a new store", timeout_s=timeout_s)
    finally:
        shutil.rmtree(work / "model-only", ignore_errors=True)
        one.unlink(missing_ok=True)


def measure_loads(file: Path, work: Path, args: argparse.Namespace, size: int) -> LoadResult:
    """Times the three loads; leaves the `krb load --no-validate` store in work/embedded."""
    file.read_bytes()  # the same warm page cache for every load
    oxigraph_s = oxigraph_load(file, work / "oxigraph", timeout_s=args.load_timeout)
    oxigraph_bytes = folder_bytes(work / "oxigraph")
    shutil.rmtree(work / "oxigraph")
    krb_s = timed_run(
        krb_load_args(file, work / "embedded", validate=False),
        f"krb load --no-validate {file.name}",
        timeout_s=args.load_timeout,
    )
    validated_s = validated_bytes = note = None
    if size > args.validate_max:
        note = (
            f"not run: {size} triples is above --validate-max {args.validate_max} "
            "(SHACL validation holds the whole registry in memory)"
        )
    else:
        done = run_command(
            krb_load_args(file, work / "validated", validate=True),
            f"krb load {file.name}",
            timeout_s=args.validate_timeout,
        )
        if done.returncode == 0:
            validated_s = done.seconds
            validated_bytes = folder_bytes(work / "validated")
        elif done.returncode == EXIT_INVALID:
            # Validation ran to the end and found violations: the time is still the
            # cost of validating, but the load wrote nothing.
            validated_s = done.seconds
            last = done.message.splitlines()[-1] if done.message else "no message"
            note = f"the data did not pass validation ({last})"
        else:
            note = f"failed with exit code {done.returncode}: {done.message}"
        shutil.rmtree(work / "validated", ignore_errors=True)
    if note:
        print(f"  krb load (validated): {note}", flush=True)
    return LoadResult(
        file_bytes=file.stat().st_size,
        triples=count_lines(file),
        oxigraph_s=oxigraph_s,
        krb_no_validate_s=krb_s,
        krb_validated_s=validated_s,
        validated_note=note,
        oxigraph_store_bytes=oxigraph_bytes,
        krb_store_bytes=folder_bytes(work / "embedded"),
        krb_validated_store_bytes=validated_bytes,
    )


# ------------------------------------------------------------------------ queries


def time_case(
    store: Store, catalogue: Catalogue, case: Case, *, repeat: int, timeout_s: float
) -> tuple[Timing, QueryResult | None]:
    """Warm-up run, then ``repeat`` timed runs; the result of the last run for comparison."""
    durations: list[float] = []
    result: QueryResult | None = None
    try:
        for run in range(repeat + 1):
            started = time.perf_counter()
            result = run_named_query(store, catalogue, case.query, case.values, timeout_s=timeout_s)
            if run > 0:
                durations.append((time.perf_counter() - started) * 1000.0)
    except (StoreError, ParameterError) as exc:
        return Timing(error=f"{type(exc).__name__}: {exc}"), None
    assert result is not None
    return Timing(statistics.median(durations), p90(durations), result_size(result)), result


def p90(values: list[float]) -> float:
    """Nearest-rank 90th percentile: with 7 runs, the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def result_size(result: QueryResult) -> int:
    if result.kind == "graph":
        return len(result.graph) if result.graph is not None else 0
    if result.kind == "ask":
        return 1
    return len(result.rows)


def same_answer(a: QueryResult, b: QueryResult) -> bool:
    """Equal answers whatever the row order among ties and the blank node labels."""
    if a.kind != b.kind:
        return False
    if a.kind == "ask":
        return a.boolean == b.boolean
    if a.kind == "graph":
        return a.graph is not None and b.graph is not None and isomorphic(a.graph, b.graph)
    if a.variables != b.variables:
        return False
    return Counter(map(_without_bnodes, a.rows)) == Counter(map(_without_bnodes, b.rows))


def _without_bnodes(row: tuple[object, ...]) -> tuple[object, ...]:
    return tuple("_:b" if isinstance(value, BNode) else value for value in row)


def run_cases(
    store: Store, catalogue: Catalogue, cases: list[Case], args: argparse.Namespace, backend: str
) -> list[tuple[Timing, QueryResult | None]]:
    timings = []
    for case in cases:
        if case.missing:
            timings.append((Timing(error="not run"), None))
            continue
        timing, result = time_case(
            store, catalogue, case, repeat=args.repeat, timeout_s=args.timeout
        )
        shown = f"{timing.median_ms:9.1f} ms" if timing.error is None else timing.error
        print(f"  {backend:8} {case.label:48} {shown}", flush=True)
        timings.append((timing, result))
    return timings


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def oxigraph_server(location: Path, log: Path) -> Iterator[str]:
    """``oxigraph serve`` on a free local port over the union of its graphs; yields the URL."""
    port = free_port()
    args = [oxigraph_binary(), "serve", "--location", str(location)]
    args += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_S
        while not _answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                output = log.read_text(errors="replace").strip()[-2000:]
                raise BenchError(f"oxigraph serve on port {port} did not start: {output}")
            time.sleep(0.1)
        yield url
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1.0).is_success
    except httpx.HTTPError:
        return False


# -------------------------------------------------------------------------- sizes


def bench_size(size: int, catalogue: Catalogue, args: argparse.Namespace, work: Path) -> SizeResult:
    file = registry_file(args.data, size, timeout_s=args.load_timeout)
    print(f"\n== {size} triples: {file}", flush=True)
    load = measure_loads(file, work, args, size)
    print(
        f"  load: oxigraph {load.oxigraph_s:.2f} s, krb --no-validate "
        f"{load.krb_no_validate_s:.2f} s, krb validated "
        f"{_seconds(load.krb_validated_s)}",
        flush=True,
    )
    settings = Settings(store=str(work / "embedded"), query_timeout_s=args.timeout)
    store = open_store(settings)
    try:
        picks = pick_parameters(store)
        cases = benchmark_cases(catalogue, picks)
        embedded = run_cases(store, catalogue, cases, args, "embedded")
        if not args.skip_remote:
            store.dump(work / "dump.nq")
    finally:
        store.close()
    results = [
        CaseResult(
            case.label,
            case.query,
            dict(case.values),
            timing,
            skipped=f"no value for {', '.join(case.missing)}" if case.missing else None,
        )
        for case, (timing, _) in zip(cases, embedded, strict=True)
    ]
    if not args.skip_remote:
        _bench_remote(catalogue, cases, embedded, results, args, work)
    shutil.rmtree(work / "embedded", ignore_errors=True)
    return SizeResult(size, str(file), load, asdict(picks), results)


def _bench_remote(
    catalogue: Catalogue,
    cases: list[Case],
    embedded: list[tuple[Timing, QueryResult | None]],
    results: list[CaseResult],
    args: argparse.Namespace,
    work: Path,
) -> None:
    """Serve a copy of the embedded store and time the same cases through the remote backend."""
    location = work / "server"
    oxigraph_load(work / "dump.nq", location, timeout_s=args.load_timeout)
    (work / "dump.nq").unlink()
    try:
        with oxigraph_server(location, work / "server.log") as url:
            store = open_store(Settings(store=url, query_timeout_s=args.timeout))
            try:
                remote = run_cases(store, catalogue, cases, args, "remote")
            finally:
                store.close()
    finally:
        shutil.rmtree(location, ignore_errors=True)
    for result, (_, mine), (timing, theirs) in zip(results, embedded, remote, strict=True):
        result.remote = timing
        if mine is not None and theirs is not None:
            result.identical = same_answer(mine, theirs)


# ------------------------------------------------------------------------- report


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _mb(value: int | None) -> str:
    return "-" if value is None else f"{value / 1e6:.1f}"


def _validated_cell(load: LoadResult) -> str:
    if load.krb_validated_s is None:
        return "not run"
    return _seconds(load.krb_validated_s) + ("" if load.validated_note is None else " (failed)")


def _mark(ok: bool | None) -> str:
    return "-" if ok is None else ("ok" if ok else "MISS")


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)
    ]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join([line, rule, *body])


def load_table(sizes: list[SizeResult]) -> str:
    header = [
        "size",
        "triples",
        "file MB",
        "oxigraph load",
        "krb --no-validate",
        "ratio",
        f"<= {LOAD_TARGET_RATIO}x",
        "krb (validated)",
        "ratio",
        "store MB oxigraph",
        "store MB krb",
    ]
    rows = [
        [
            str(s.size),
            str(s.load.triples),
            _mb(s.load.file_bytes),
            _seconds(s.load.oxigraph_s),
            _seconds(s.load.krb_no_validate_s),
            _ratio(s.load.ratio_no_validate),
            _mark(s.load.ratio_no_validate <= LOAD_TARGET_RATIO),
            _validated_cell(s.load),
            _ratio(s.load.ratio_validated),
            _mb(s.load.oxigraph_store_bytes),
            _mb(s.load.krb_store_bytes),
        ]
        for s in sizes
    ]
    return _table(header, rows)


def query_table(size: SizeResult) -> str:
    header = [
        "query",
        "rows",
        "embedded median ms",
        "p90",
        f"< {QUERY_TARGET_MS:.0f} ms",
        "remote median ms",
        "p90",
        "identical",
    ]
    rows = []
    for c in size.cases:
        if c.skipped:
            rows.append([c.case, "-", f"skipped: {c.skipped}", "", "", "", "", ""])
            continue
        e, r = c.embedded, c.remote
        ok = None if e.median_ms is None else e.median_ms < QUERY_TARGET_MS
        rows.append(
            [
                c.case,
                str(e.rows) if e.error is None else e.error,
                _ms(e.median_ms),
                _ms(e.p90_ms),
                _mark(ok),
                _ms(r.median_ms) if r else "-",
                _ms(r.p90_ms) if r else "-",
                "-" if c.identical is None else ("yes" if c.identical else "NO"),
            ]
        )
    return _table(header, rows)


def verdicts(sizes: list[SizeResult], skip_remote: bool) -> list[str]:
    """One line per target: pass or fail, with what missed."""
    lines = []
    target = [s for s in sizes if s.size >= QUERY_TARGET_TRIPLES]
    if not target:
        lines.append(
            f"queries < {QUERY_TARGET_MS:.0f} ms median at {QUERY_TARGET_TRIPLES} triples "
            "(embedded): not measured (size not run)"
        )
    for s in target:
        misses = [
            f"{c.case} ({_ms(c.embedded.median_ms)} ms)"
            if c.embedded.error is None
            else f"{c.case} ({c.embedded.error})"
            for c in s.cases
            if not c.skipped
            and (c.embedded.median_ms is None or c.embedded.median_ms >= QUERY_TARGET_MS)
        ]
        verdict = "PASS" if not misses else "FAIL: " + ", ".join(misses)
        lines.append(
            f"queries < {QUERY_TARGET_MS:.0f} ms median at {s.size} triples (embedded): {verdict}"
        )
    for s in sizes:
        lines.append(
            f"krb load --no-validate within {LOAD_TARGET_RATIO}x of oxigraph load at {s.size}: "
            f"{'PASS' if s.load.ratio_no_validate <= LOAD_TARGET_RATIO else 'FAIL'} "
            f"({_ratio(s.load.ratio_no_validate)}; validated: {_ratio(s.load.ratio_validated)}"
            f"{'' if s.load.validated_note is None else ', see the load notes'})"
        )
    if skip_remote:
        lines.append("identical results on both backends: not measured (--skip-remote)")
    else:
        different = [f"{c.case}@{s.size}" for s in sizes for c in s.cases if c.identical is False]
        unknown = [
            f"{c.case}@{s.size}"
            for s in sizes
            for c in s.cases
            if c.identical is None and not c.skipped
        ]
        verdict = "PASS" if not different and not unknown else "FAIL"
        if different:
            verdict += ": different " + ", ".join(different)
        if unknown:
            verdict += ": not compared (error) " + ", ".join(unknown)
        lines.append(f"identical results on both backends: {verdict}")
    return lines


def write_json(
    path: Path, sizes: list[SizeResult], args: argparse.Namespace, setup_s: float, started: str
) -> None:
    document = {
        "started": started,
        "repeat": args.repeat,
        "krb_command": krb_command(),
        "model_setup_s": setup_s,
        "targets": {
            "query_median_ms": QUERY_TARGET_MS,
            "query_target_triples": QUERY_TARGET_TRIPLES,
            "load_ratio": LOAD_TARGET_RATIO,
        },
        "sizes": [
            {
                **asdict(s),
                "load": {
                    **asdict(s.load),
                    "ratio_no_validate": s.load.ratio_no_validate,
                    "ratio_validated": s.load.ratio_validated,
                },
            }
            for s in sizes
        ],
        "verdicts": verdicts(sizes, args.skip_remote),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)


def print_report(sizes: list[SizeResult], args: argparse.Namespace, setup_s: float) -> None:
    print("\n## Load\n")
    print(load_table(sizes))
    print(
        f"\nkrb fixed cost (start-up and model graphs into an empty store, in every krb load): "
        f"{setup_s:.2f} s"
    )
    for s in sizes:
        if s.load.validated_note is not None:
            note = s.load.validated_note.replace("\n", " / ")
            print(f"note on the validated load at {s.size}: {note}")
    for s in sizes:
        print(f"\n## Queries at {s.size} triples (median and p90 of {args.repeat} timed runs)\n")
        print(query_table(s))
    print("\n## Targets\n")
    for line in verdicts(sizes, args.skip_remote):
        print(f"- {line}")


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="comma-separated registry sizes in triples"
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per query")
    parser.add_argument("--skip-remote", action="store_true", help="time the embedded store only")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "bench" / "out" / "results.json",
        help="JSON file for the results",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "bench" / "out",
        help="folder with (or for) the generated registry-SIZE.nt files",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="folder for the stores (default: a temporary folder)",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="query timeout in seconds")
    parser.add_argument(
        "--validate-max",
        type=int,
        default=1_000_000,
        help="largest size for which the validated krb load is timed",
    )
    parser.add_argument(
        "--validate-timeout",
        type=float,
        default=1800.0,
        help="give up on the validated krb load after this many seconds",
    )
    parser.add_argument(
        "--load-timeout",
        type=float,
        default=1800.0,
        help="give up on any other load after this many seconds",
    )
    args = parser.parse_args(argv)
    try:
        args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: expected whole numbers separated by commas")
    if not args.size_list or min(args.size_list) <= 0:
        parser.error("--sizes needs at least one positive size")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    catalogue = load_catalogue()
    work_root = args.work or Path(tempfile.mkdtemp(prefix="krb-bench-"))
    work_root.mkdir(parents=True, exist_ok=True)
    sizes: list[SizeResult] = []
    try:
        setup_s = model_setup_s(work_root, timeout_s=args.load_timeout)
        for size in args.size_list:
            work = work_root / str(size)
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            try:
                sizes.append(bench_size(size, catalogue, args, work))
            finally:
                shutil.rmtree(work, ignore_errors=True)
            write_json(args.out, sizes, args, setup_s, started)
    except (BenchError, NoPickError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.work is None:
            shutil.rmtree(work_root, ignore_errors=True)
    print_report(sizes, args, setup_s)
    print(f"\nresults: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
