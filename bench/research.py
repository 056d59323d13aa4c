"""Benchmark of the research questions (normtoets, effectevaluatie, normgat) at scale.

The registry bench/generate.py writes (1M triples by default) is loaded with
``krb load --no-validate``; beside it go measurements shaped like the ones
``krb import-metingen`` writes (bench/research_data.py): for ``--indicators``
of its indicators, one per area of ``--areas`` and year of ``--years`` (by
default 25 x 2,000 x 10 = 500,000 observations, some 7M triples), each
indicator in a graph of its own, with values around the norms so that some
are met and some missed, plus the data sources and realised effects for half
of the intended effects in measured areas. The measurement graphs go in with
the store's bulk loader (``Store.load_files``, the path of ``krb load``), and
the derived graph is refreshed once. The built store is kept under
``--data`` in a folder named after the sizes, so a second run starts at once.

Per question it times, after one untimed run, ``--repeat`` runs of:

- *service*: the CSV the web service answers for the named query
  (``GET /api/queries/NAME?format=csv``, in-process through a TestClient):
  binding, the engine, the names of the name columns, the order, the CSV;
- *engine*: pyoxigraph alone, ``Store.query`` of the same SPARQL text (the
  parameters bound as the service binds them) with every solution read,

once for one area (the measured area with the most measured areas inside it:
a wijk) and once for the whole registry. The table gives the medians, the
ratio service / engine and the rows of both. Targets (reported, never
asserted): normtoets for one area under 100 ms; each whole-registry CSV
within 2x of the engine. Run from the project root:

    .venv/bin/python bench/research.py                       # the issue's sizes
    .venv/bin/python bench/research.py --areas 200 --years 5 --triples 100000

Exit code 2 when the benchmark cannot run, 1 when the service and the engine
disagree on the number of rows, else 0.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.queries import BASE_IRI, BenchError, krb_load_args, registry_file, timed_run  # noqa: E402
from bench.research_data import pick_scope, write_measurements  # noqa: E402
from krbgraph.derived import refresh as refresh_derived  # noqa: E402
from krbgraph.queries import load_catalogue, prepare_query  # noqa: E402
from krbgraph.settings import Settings  # noqa: E402
from krbgraph.store import StoreError, open_store  # noqa: E402
from krbgraph.web.app import create_app  # noqa: E402

QUESTIONS = ("normtoets", "effectevaluatie", "normgat")
AREA_TARGET_MS = 100.0
STREAM_TARGET_RATIO = 2.0
BUILT = "built.json"
"""Written last into a store folder: the folder holds a complete store for its sizes."""


@dataclass
class Case:
    question: str
    scope: str
    """``gebied`` (one area) or ``register`` (the whole registry)."""
    values: dict[str, str]
    engine_rows: int = 0
    service_rows: int = 0
    engine_ms: float = 0.0
    service_ms: float = 0.0
    engine_runs: tuple[float, ...] = ()
    service_runs: tuple[float, ...] = ()
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        return self.service_ms / self.engine_ms if self.engine_ms else None


# ------------------------------------------------------------------------- building


def store_folder(args: argparse.Namespace) -> Path:
    name = f"research-{args.triples}-{args.areas}a-{args.years}y-{args.indicators}i"
    return args.data / name


def build_store(args: argparse.Namespace) -> dict[str, object]:
    """The store for the sizes in ``args``, built unless a complete one is kept; its facts."""
    folder = store_folder(args)
    marker = folder / BUILT
    if marker.is_file() and not args.rebuild:
        return json.loads(marker.read_text(encoding="utf-8"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    registry = registry_file(args.data, args.triples, timeout_s=args.load_timeout)
    load_s = timed_run(
        krb_load_args(registry, folder / "store", validate=False),
        f"krb load --no-validate {registry.name}",
        timeout_s=args.load_timeout,
    )
    print(f"  krb load --no-validate {registry.name}: {load_s:.1f} s", flush=True)
    store = open_store(_settings(folder, args.timeout))
    try:
        started = time.perf_counter()
        scope = pick_scope(store, indicators=args.indicators, areas=args.areas)
        files = write_measurements(
            scope,
            folder / "metingen",
            base=BASE_IRI,
            first_year=args.last_year - args.years + 1,
            last_year=args.last_year,
        )
        generate_s = time.perf_counter() - started
        print(f"  measurements written: {generate_s:.1f} s", flush=True)
        started = time.perf_counter()
        counts = store.load_files({g: [p] for g, p in files.items()}, replace=False)
        bulk_s = time.perf_counter() - started
        started = time.perf_counter()
        refresh_derived(store)
        derive_s = time.perf_counter() - started
        print(f"  measurements loaded: {bulk_s:.1f} s, derived graph: {derive_s:.1f} s", flush=True)
    finally:
        store.close()
    facts: dict[str, object] = {
        "triples": args.triples,
        "registry_triples": _count_lines(registry),
        "indicators": len(scope.indicators),
        "areas": len(scope.areas),
        "years": args.years,
        "observations": len(scope.indicators) * len(scope.areas) * args.years,
        "measurement_triples": sum(counts.values()),
        "graphs": sorted(counts),
        "area": scope.busiest_area(),
        "effect_area": scope.effect_area(),
        "load_s": round(load_s, 2),
        "generate_s": round(generate_s, 2),
        "bulk_load_s": round(bulk_s, 2),
        "derive_s": round(derive_s, 2),
    }
    shutil.rmtree(folder / "metingen", ignore_errors=True)
    marker.write_text(json.dumps(facts, indent=2), encoding="utf-8")
    return facts


def _settings(folder: Path, timeout_s: float) -> Settings:
    return Settings(store=str(folder / "store"), base_iri=BASE_IRI, query_timeout_s=timeout_s)


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


# -------------------------------------------------------------------------- timing


def run_cases(args: argparse.Namespace, facts: dict[str, object]) -> list[Case]:
    """Engine runs first, on the store opened alone, then service runs on it.

    An embedded store is one process's at a time, and a second handle on the folder
    (even read-only) may read files the first has just compacted away, so the two
    never share the folder.
    """
    folder = store_folder(args)
    settings = _settings(folder, args.timeout)
    catalogue = load_catalogue()
    cases: list[Case] = []
    texts: dict[int, str] = {}
    store = open_store(settings)
    try:
        for question in args.questions:
            for scope in ("gebied", "register"):
                values = {"datum": args.datum}
                if scope == "gebied":
                    key = "effect_area" if question == "effectevaluatie" else "area"
                    values["gebied"] = str(facts.get(key, facts["area"]))
                case = Case(question, scope, values)
                cases.append(case)
                try:
                    texts[id(case)] = prepare_query(store, catalogue, question, values)
                except (BenchError, StoreError, OSError) as exc:
                    case.error = str(exc)
    finally:
        store.close()
    engine = ox.Store(str(folder / "store"))
    try:
        for case in cases:
            if id(case) in texts:
                print(f"  {case.question} {case.scope}: engine ...", flush=True)
                time_engine(case, texts[id(case)], engine, args.repeat)
    finally:
        del engine
    store = open_store(settings)
    client = TestClient(create_app(settings, store), base_url="http://127.0.0.1")
    try:
        for case in cases:
            if id(case) in texts:
                print(f"  {case.question} {case.scope}: service ...", flush=True)
                try:
                    time_service(case, client, args.repeat)
                except (BenchError, StoreError, OSError) as exc:
                    case.error = str(exc)
    finally:
        client.close()
        store.close()
    return cases


def time_engine(case: Case, text: str, engine: ox.Store, repeat: int) -> None:
    runs = []
    for run in range(repeat + 1):  # the first is untimed
        started = time.perf_counter()
        rows = sum(1 for _ in engine.query(text, use_default_graph_as_union=True))  # type: ignore[union-attr]
        if run:
            runs.append((time.perf_counter() - started) * 1000)
        case.engine_rows = rows
    case.engine_runs = tuple(runs)
    case.engine_ms = statistics.median(runs)


def time_service(case: Case, client: TestClient, repeat: int) -> None:
    runs = []
    for run in range(repeat + 1):  # the first is untimed
        started = time.perf_counter()
        answer = client.get(
            f"/api/queries/{case.question}", params={**case.values, "format": "csv"}
        )
        took = (time.perf_counter() - started) * 1000
        if answer.status_code != 200:
            raise BenchError(f"HTTP {answer.status_code}: {answer.text[:300]}")
        if run:
            runs.append(took)
        case.service_rows = sum(1 for _ in csv.reader(io.StringIO(answer.text))) - 1
    case.service_runs = tuple(runs)
    case.service_ms = statistics.median(runs)


# -------------------------------------------------------------------------- report


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def sizes_table(facts: dict[str, object]) -> str:
    rows = [
        ["registry triples", f"{facts['registry_triples']:,}"],
        [
            "indicators x areas x years",
            f"{facts['indicators']} x {facts['areas']} x {facts['years']}",
        ],  # fmt: skip
        ["observations", f"{facts['observations']:,}"],
        ["measurement triples", f"{facts['measurement_triples']:,}"],
        ["measurement graphs", str(len(facts["graphs"]))],  # type: ignore[arg-type]
        ["krb load of the registry", f"{facts['load_s']} s"],
        [
            "measurements written / bulk-loaded",
            f"{facts['generate_s']} s / {facts['bulk_load_s']} s",
        ],
        ["derived graph refreshed", f"{facts['derive_s']} s"],
        ["one area (gebied)", str(facts["area"])],
        ["one area for effectevaluatie", str(facts.get("effect_area", facts["area"]))],
    ]
    return _table(["what", "value"], rows)


def cases_table(cases: list[Case]) -> str:
    rows = []
    for c in cases:
        if c.error:
            rows.append([c.question, c.scope, "-", "-", "-", "-", f"error: {c.error[:60]}"])
            continue
        rows.append(
            [
                c.question,
                c.scope,
                str(c.engine_rows) if c.engine_rows == c.service_rows
                else f"{c.engine_rows} / {c.service_rows} (DIFFER)",
                f"{c.engine_ms:.1f}",
                f"{c.service_ms:.1f}",
                f"{c.ratio:.2f}x" if c.ratio is not None else "-",
                _verdict(c),
            ]
        )  # fmt: skip
    header = ["question", "scope", "rows", "engine ms", "service CSV ms", "ratio", "target"]
    return _table(header, rows)


def _verdict(case: Case) -> str:
    if case.scope == "gebied" and case.question == "normtoets":
        ok = case.service_ms < AREA_TARGET_MS
        return f"< {AREA_TARGET_MS:g} ms: {'ok' if ok else 'MISS'}"
    if case.scope == "register" and case.ratio is not None:
        ok = case.ratio <= STREAM_TARGET_RATIO
        return f"<= {STREAM_TARGET_RATIO:g}x: {'ok' if ok else 'MISS'}"
    return ""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="registry size")
    parser.add_argument("--areas", type=int, default=2000, help="measured areas")
    parser.add_argument("--years", type=int, default=10, help="measured years per area")
    parser.add_argument("--indicators", type=int, default=25, help="measured indicators")
    parser.add_argument("--last-year", type=int, default=2025, help="the last measured year")
    parser.add_argument(
        "--datum", default="2026-06-30", help="peildatum of every question (YYYY-MM-DD)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per case")
    parser.add_argument(
        "--questions", default=",".join(QUESTIONS), help="comma-separated subset to time"
    )
    parser.add_argument(
        "--data", type=Path, default=ROOT / "bench" / "out", help="registries and kept stores"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "out" / "research.json", help="JSON results"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the store even if kept")
    parser.add_argument(
        "--build-only", action="store_true", help="build (or keep) the store, time nothing"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="query timeout in seconds")
    parser.add_argument(
        "--load-timeout", type=float, default=1800.0, help="give up on a load after this long"
    )
    args = parser.parse_args(argv)
    for name in ("triples", "areas", "years", "indicators", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    try:
        date.fromisoformat(args.datum)
    except ValueError:
        parser.error(f"--datum {args.datum!r}: expected YYYY-MM-DD")
    args.questions = [q.strip() for q in args.questions.split(",") if q.strip()]
    unknown = sorted(set(args.questions) - set(QUESTIONS))
    if unknown or not args.questions:
        parser.error(f"--questions: choose from {', '.join(QUESTIONS)} (not {unknown})")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        print(f"store {store_folder(args)}", flush=True)
        facts = build_store(args)
        if args.build_only:
            print(sizes_table(facts))
            return 0
        cases = run_cases(args, facts)
    except (BenchError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n## Research questions\n")
    print(sizes_table(facts))
    print(f"\npeildatum {args.datum}, median of {args.repeat} runs after one untimed run\n")
    print(cases_table(cases))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results = {
        "store": str(store_folder(args) / "store"),
        "facts": facts,
        "datum": args.datum,
        "repeat": args.repeat,
        "cases": [asdict(c) | {"ratio": c.ratio} for c in cases],
    }
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"\nresults: {args.out}")
    failed = any(c.error for c in cases)
    differ = any(c.engine_rows != c.service_rows for c in cases if not c.error)
    return 2 if failed else 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
