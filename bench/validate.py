"""Benchmark of full SHACL validation: krbgraph.shacl (SPARQL on the store) against pySHACL.

For each size (10k and 100k triples by default; 1M with ``--with-1m``) it
validates the registry bench/generate.py writes, with the KRB shapes and the
model, once with each engine, each in a fresh subprocess so that time and
peak memory (``resource.getrusage``) are the engine's own:

- **engine**: one subprocess bulk-loads the registry into an embedded store
  beside the model graphs (as ``krb load --no-validate`` does; timed apart),
  a second one opens that store and runs ``validate_store`` over the registry
  and model graphs, so its peak memory is validation's own. With
  ``--engine-on copy`` (the default) it validates where the product does: an
  in-memory copy of the store (krbgraph.replica, as the service's writes and a
  validated load use; making it counts as setup, its memory in the peak), and the
  SHACL validation report is written to a Turtle file (as ``krb validate --format
  turtle`` writes it: pyoxigraph's serialiser, no rdflib graph); ``--engine-on
  store`` queries the store on disk, its graphs listed, and builds no report;
- **pySHACL**: the registry is parsed into rdflib with the model context
  krbgraph.validation adds (timed apart), then ``pyshacl.validate`` runs with
  the options krbgraph.validation uses; it is stopped after
  ``--pyshacl-timeout`` seconds.

Both must find the same number of results; the script prints time, peak RSS
and the ratios (pySHACL / engine). Run from the project root:

    .venv/bin/python bench/validate.py                   # 10k and 100k
    .venv/bin/python bench/validate.py --with-1m --pyshacl-timeout 600
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA_GRAPH = "https://krb.grootstad.nl/graph/registry"


@dataclass
class Run:
    engine: str
    size: int
    setup_s: float | None = None
    """Loading the data (store bulk load, or rdflib parse plus model context)."""
    validate_s: float | None = None
    peak_mb: float | None = None
    """Peak resident memory of the validating process: for pySHACL that includes the
    parsed data, which it needs in memory; the engine's store is on disk."""
    results: int | None = None
    fallbacks: int | None = None
    note: str = ""


# ---------------------------------------------------------------- the workers


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def work_engine_load(file: Path, work: Path, size: int) -> Run:
    from krbgraph.settings import Settings
    from krbgraph.store import ensure_model, open_store

    store = open_store(Settings(store=str(work / "store")))
    try:
        started = time.perf_counter()
        ensure_model(store)
        store.load_file(file, DATA_GRAPH, replace=True)
        setup = time.perf_counter() - started
    finally:
        store.close()
    return Run("engine", size, setup_s=setup, peak_mb=_peak_mb())


def work_engine(work: Path, size: int, query_timeout_s: float, on: str) -> Run:
    from krbgraph.model import model_parts, shapes_graph
    from krbgraph.replica import ValidationReplica
    from krbgraph.settings import Settings
    from krbgraph.shacl import validate_store
    from krbgraph.shacl.report import serialize_report
    from krbgraph.store import open_store

    store = open_store(Settings(store=str(work / "store")))
    copied = None
    try:
        shapes = shapes_graph()
        if on == "copy":
            started = time.perf_counter()
            replica = ValidationReplica.of(store)
            copied = time.perf_counter() - started
            started = time.perf_counter()
            report = validate_store(replica, shapes, timeout_s=query_timeout_s)
            with (work / "report.ttl").open("wb") as out:  # the report built, as asked
                serialize_report(report.triples(), out)
        else:
            graphs = [part.graph for part in model_parts()] + [DATA_GRAPH]
            started = time.perf_counter()
            report = validate_store(store, shapes, data_graphs=graphs, timeout_s=query_timeout_s)
        elapsed = time.perf_counter() - started
    finally:
        store.close()
    return Run(
        "engine", size, copied, elapsed, _peak_mb(), len(report.results), len(report.fallbacks)
    )


def work_pyshacl(file: Path, size: int) -> Run:
    from rdflib import Graph
    from rdflib.namespace import SH, SKOS

    from krbgraph.model import model_graph, shapes_graph
    from krbgraph.namespaces import SCHEME
    from krbgraph.pyshacl_run import run_pyshacl

    started = time.perf_counter()
    data = Graph().parse(file, format="nt")
    model = model_graph()
    extract = set(model.subjects(SKOS.inScheme, SCHEME["leefomgeving"]))
    for triple in model:
        if triple[0] not in extract:
            data.add(triple)
    for concept in {o for o in data.objects() if o in extract}:
        for triple in model.triples((concept, None, None)):
            data.add(triple)
    shapes = shapes_graph()
    setup = time.perf_counter() - started
    started = time.perf_counter()
    report = run_pyshacl(data, shapes, parse_once=False)  # pySHACL as it comes
    elapsed = time.perf_counter() - started
    results = len(set(report.subjects(SH.focusNode, None)))
    return Run("pyshacl", size, setup, elapsed, _peak_mb(), results, 0)


# ----------------------------------------------------------------- the parent


def measure(
    engine: str, file: Path, size: int, timeout_s: float, query_timeout_s: float, on: str
) -> Run:
    """Run the worker subprocesses; a Run with a note when one fails or runs out of time."""
    work = Path(tempfile.mkdtemp(prefix="krb-validate-"))
    try:
        if engine == "engine":
            loaded = _worker("engine-load", file, size, work, timeout_s, query_timeout_s, on)
            if loaded.note:
                return loaded
            run = _worker("engine", file, size, work, timeout_s, query_timeout_s, on)
            run.setup_s = (loaded.setup_s or 0.0) + (run.setup_s or 0.0)
            return run
        return _worker(engine, file, size, work, timeout_s, query_timeout_s, on)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _worker(
    worker: str,
    file: Path,
    size: int,
    work: Path,
    timeout_s: float,
    query_timeout_s: float,
    on: str,
) -> Run:
    engine = worker.removesuffix("-load")
    args = [sys.executable, __file__, "--worker", worker, "--file", str(file)]
    args += ["--size", str(size), "--work", str(work), "--query-timeout", str(query_timeout_s)]
    args += ["--engine-on", on]
    try:
        done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return Run(engine, size, note=f"stopped after {timeout_s:.0f} s")
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        return Run(engine, size, note="failed: " + " / ".join(lines[-3:]))
    return Run(**json.loads(done.stdout.strip().splitlines()[-1]))


def _cell(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.2f} {unit}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None or b == 0 else f"{a / b:.1f}x"


def print_table(rows: list[tuple[Run, Run]]) -> None:
    print(
        "\n| size | engine validate | pySHACL validate | time ratio | engine peak | "
        "pySHACL peak | memory ratio | engine setup | pySHACL setup |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for mine, theirs in rows:
        print(
            f"| {mine.size} | {_cell(mine.validate_s, 's')} | "
            f"{_cell(theirs.validate_s, 's') if not theirs.note else theirs.note} | "
            f"{_ratio(theirs.validate_s, mine.validate_s)} | {_cell(mine.peak_mb, 'MB')} | "
            f"{_cell(theirs.peak_mb, 'MB')} | {_ratio(theirs.peak_mb, mine.peak_mb)} | "
            f"{_cell(mine.setup_s, 's')} | {_cell(theirs.setup_s, 's')} |"
        )
    for mine, theirs in rows:
        if mine.note:
            print(f"engine at {mine.size}: {mine.note}")
        if mine.fallbacks:
            print(f"engine at {mine.size}: {mine.fallbacks} shapes fell back to pySHACL")
        found = "-" if theirs.results is None else theirs.results
        print(f"results at {mine.size}: engine {mine.results} results; pySHACL {found} results")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated sizes in triples")
    parser.add_argument("--with-1m", action="store_true", help="also 1,000,000 triples")
    parser.add_argument(
        "--pyshacl-timeout", type=float, default=900.0, help="stop pySHACL after this many seconds"
    )
    parser.add_argument(
        "--engine-timeout",
        type=float,
        default=1800.0,
        help="stop the engine after this many seconds",
    )
    parser.add_argument(
        "--query-timeout",
        type=float,
        default=600.0,
        help="the engine's limit per query, in seconds",
    )
    parser.add_argument("--skip-pyshacl", action="store_true", help="time the engine only")
    parser.add_argument(
        "--engine-on",
        choices=["copy", "store"],
        default="copy",
        help="validate an in-memory copy of the store (as the product does) or the store on disk",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "bench" / "out",
        help="folder with (or for) the generated registry-SIZE.nt files",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "validate.json")
    parser.add_argument(
        "--worker", choices=["engine-load", "engine", "pyshacl"], help=argparse.SUPPRESS
    )
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: expected whole numbers separated by commas")
    if args.with_1m and 1_000_000 not in args.size_list:
        args.size_list.append(1_000_000)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker == "engine-load":
        print(json.dumps(asdict(work_engine_load(args.file, args.work, args.size))))
        return 0
    if args.worker == "engine":
        run = work_engine(args.work, args.size, args.query_timeout, args.engine_on)
        print(json.dumps(asdict(run)))
        return 0
    if args.worker == "pyshacl":
        print(json.dumps(asdict(work_pyshacl(args.file, args.size))))
        return 0
    # The workers above import only what they measure; the parent generates the files.
    from bench.queries import BenchError, registry_file

    rows: list[tuple[Run, Run]] = []
    try:
        for size in args.size_list:
            file = registry_file(args.data, size, timeout_s=args.engine_timeout)
            mine = measure(
                "engine", file, size, args.engine_timeout, args.query_timeout, args.engine_on
            )
            print(f"{size}: engine {_cell(mine.validate_s, 's')} {mine.note}", flush=True)
            if args.skip_pyshacl:
                theirs = Run("pyshacl", size, note="not run")
            else:
                theirs = measure(
                    "pyshacl", file, size, args.pyshacl_timeout, args.query_timeout, "copy"
                )
            print(f"{size}: pySHACL {_cell(theirs.validate_s, 's')} {theirs.note}", flush=True)
            rows.append((mine, theirs))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print_table(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps([[asdict(a), asdict(b)] for a, b in rows], indent=2))
    print(f"\nresults: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
