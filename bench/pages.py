"""Benchmark of the web front and the JSON API: one representative URL per route.

For each size (about 10k, 100k and 1M triples by default) it loads the
registry bench/generate.py writes with ``krb load --no-validate`` into a fresh
embedded store, builds the application (krbgraph.web.app.create_app) on that
store and asks it, in-process through a TestClient, for one URL per page kind
and API endpoint: the home page, /lijst for every class the home page counts
(and the next page of the largest), the pages of a norm, measure, area,
theme, indicator and document, the dwarsverbanden network and one edge, the
concept schemes, search, the query page, the asset API, area policy, the
network, the research answers, and so on. The things asked about are picked
from the registry by bench/params.py, so each URL is a realistic one.

Each URL is asked once untimed (``first``: what a reader pays right after a
write, when cached aggregates are made again), then ``--repeat`` times; the
table gives the median, the nearest-rank p95, the size of the answer and the
ratio of the median to the 100 ms target. Routes of the application that no
case covers are listed as "not timed", with the reason when it is known, so
a new route shows up. Run from the project root:

    .venv/bin/python bench/pages.py --sizes 100000 --repeat 5
    .venv/bin/python bench/pages.py --sizes 1000000 --repeat 5

The JSON goes to ``--out`` (default bench/out/pages.json) after each size.
The exit code is 1 when any URL answered with an error status, 2 when the
benchmark itself could not run.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from rdflib import URIRef

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.params import LEEFOMGEVING_SCHEME, NoPickError, Picks, pick_parameters  # noqa: E402
from bench.queries import BASE_IRI, BenchError, krb_load_args, registry_file, timed_run  # noqa: E402
from krbgraph.namespaces import KRB  # noqa: E402
from krbgraph.settings import Settings  # noqa: E402
from krbgraph.store import Store, StoreError, open_store  # noqa: E402
from krbgraph.web.app import create_app  # noqa: E402
from krbgraph.web.describe import local_href  # noqa: E402
from krbgraph.web.pages.home import COUNTED_CLASSES  # noqa: E402

TARGET_MS = 100.0
TARGET_TRIPLES = 1_000_000
TOKEN = "bench-pages-token"
"""A token for /api/history; the app's lifespan is not run, so no write replica is made."""

NOT_TIMED = {
    ("GET", "/store"): "the Graph Store download of whole graphs (an export, not a page)",
    ("GET", "/store/{path:path}"): "the Graph Store download of a whole graph (an export)",
    ("GET", "/api/export/excel"): "the workbook export of the whole registry (an export)",
}
"""Routes left out on purpose, with why."""

_NEXT_LINK = re.compile(r'<a [^>]*rel="next"[^>]*href="([^"]+)"')

_PREFIXES = "PREFIX krb: <https://data.krb.nl/def/krb#>\n"
_INDICATOR = _PREFIXES + "SELECT ?indicator WHERE { ?norm krb:indicator ?indicator } LIMIT 1"
_DOSSIER = (
    _PREFIXES + "SELECT ?dossier WHERE { ?dossier a krb:Beleidsdossier } ORDER BY ?dossier LIMIT 1"
)
_RULE = _PREFIXES + "SELECT ?regel WHERE { ?regel a krb:Beleidsregel } ORDER BY ?regel LIMIT 1"


# ------------------------------------------------------------------------ results


@dataclass
class PageResult:
    kind: str
    route: str
    url: str
    status: int | None = None
    first_ms: float | None = None
    median_ms: float | None = None
    p95_ms: float | None = None
    bytes: int | None = None
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        return None if self.median_ms is None else self.median_ms / TARGET_MS


@dataclass
class SizeResult:
    size: int
    file: str
    load_s: float
    picks: dict[str, object]
    pages: list[PageResult] = field(default_factory=list)
    not_timed: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Case:
    kind: str
    route: str
    """The route's path as the application declares it (to find routes no case covers)."""
    url: str
    headers: dict[str, str] = field(default_factory=dict)


# -------------------------------------------------------------------------- cases


def _one(store: Store, sparql: str, **bindings: str) -> str | None:
    """The first value of the first row, or None."""
    rows = store.query(sparql, bindings={k: URIRef(v) for k, v in bindings.items()}).rows
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def page_cases(store: Store, picks: Picks) -> list[Case]:
    """One case per page kind and API endpoint, for the things picked from the registry."""

    def page(iri: str) -> str:
        return local_href(iri, BASE_IRI)

    theme = picks.edge[0]
    cases = [
        Case("home", "/", "/"),
        *(
            Case(f"lijst {label}", "/lijst", "/lijst?" + urlencode({"klasse": iri}))
            for iri, label in COUNTED_CLASSES.items()
        ),
        Case("norm page", "/id/{path:path}", page(picks.norm)),
        Case("measure page", "/id/{path:path}", page(picks.measure)),
        Case("area page", "/id/{path:path}", page(picks.street)),
        Case("theme page", "/id/{path:path}", page(theme)),
        Case("document page", "/id/{path:path}", page(picks.document)),
    ]
    for kind, sparql in (
        ("indicator page", _INDICATOR),
        ("dossier page", _DOSSIER),
        ("rule page", _RULE),
    ):
        found = _one(store, sparql, norm=picks.norm)
        if found:
            cases.append(Case(kind, "/id/{path:path}", page(found)))
    cases.append(Case("norm as Turtle", "/id/{path:path}", page(picks.norm) + "?format=ttl"))
    cases += [
        Case("IMBOR class page", "/resource", page(picks.object_type)),
        Case("value-list concept", "/begrip/{path:path}", page(picks.concept)),
        Case("ontology page", "/def/krb", "/def/krb"),
        Case("ontology term", "/def/krb/{term}", "/def/krb/Beleidsnorm"),
        Case("dwarsverbanden", "/dwarsverbanden", "/dwarsverbanden"),
        Case(
            "dwarsverband edge",
            "/dwarsverbanden/maatregelen",
            "/dwarsverbanden/maatregelen?" + urlencode({"bron": theme, "doel": picks.edge[1]}),
        ),
        Case(
            "dwarsverbanden of a theme",
            "/dwarsverbanden/maatregelen",
            "/dwarsverbanden/maatregelen?" + urlencode({"thema": theme}),
        ),
        Case("begrippen", "/begrippen", "/begrippen"),
        Case(
            "scheme (IMBOR)",
            "/begrippen",
            "/begrippen?" + urlencode({"schema": str(LEEFOMGEVING_SCHEME)}),
        ),
        Case("zoeken", "/zoeken", "/zoeken?" + urlencode({"q": picks.search_text})),
        Case("query page", "/query", "/query"),
        Case(
            "query page, example run",
            "/query",
            "/query?" + urlencode({"voorbeeld": "compleetheid", "uitvoeren": "true"}),
        ),
        Case(
            "query download",
            "/query/download",
            "/query/download?"
            + urlencode({"query": "SELECT ?s WHERE { ?s a ?k } LIMIT 100", "format": "csv"}),
        ),
        Case(
            "sparql endpoint",
            "/sparql",
            "/sparql?" + urlencode({"query": "SELECT ?s WHERE { ?s a ?k } LIMIT 100"}),
            {"Accept": "application/sparql-results+json"},
        ),
        Case("werkmap page", "/werkmap", "/werkmap"),
        Case("werkmap template", "/werkmap/sjabloon.xlsx", "/werkmap/sjabloon.xlsx"),
        Case("api docs", "/docs", "/docs"),
        Case("api redoc", "/redoc", "/redoc"),
        Case("openapi", "/openapi.json", "/openapi.json"),
    ]
    object_type = quote(picks.object_type, safe="")
    cases += [
        Case(
            "api imbor normen",
            "/api/imbor/{objecttype:path}/normen",
            f"/api/imbor/{object_type}/normen",
        ),
        Case(
            "api imbor normen +subklassen",
            "/api/imbor/{objecttype:path}/normen",
            f"/api/imbor/{object_type}/normen?subklassen=true",
        ),
        Case(
            "api imbor maatregelen",
            "/api/imbor/{objecttype:path}/maatregelen",
            f"/api/imbor/{object_type}/maatregelen",
        ),
        Case(
            "api gebied beleid",
            "/api/gebieden/{code:path}/beleid",
            f"/api/gebieden/{quote(picks.street, safe='')}/beleid",
        ),
        Case(
            "api maatregel dwarsverbanden",
            "/api/maatregelen/{id:path}/dwarsverbanden",
            f"/api/maatregelen/{quote(picks.measure_code, safe='')}/dwarsverbanden",
        ),
        Case("api netwerk", "/api/dwarsverbanden", "/api/dwarsverbanden"),
        Case("api queries", "/api/queries", "/api/queries"),
        Case(
            "api named query (zoek)",
            "/api/queries/{name}",
            "/api/queries/zoek?"
            + urlencode({"tekst": picks.measure_code, "klasse": str(KRB.Stuurinstrument)}),
        ),
        Case(
            "named query as a workbook (zoek)",
            "/query/{name}.xlsx",
            "/query/zoek.xlsx?"
            + urlencode({"tekst": picks.measure_code, "klasse": str(KRB.Stuurinstrument)}),
        ),
        Case("monitoring page", "/monitoring", "/monitoring"),
        Case(
            "monitoring of a theme in an area",
            "/monitoring",
            "/monitoring?" + urlencode({"thema": theme, "gebied": picks.street}),
        ),
        Case("api normtoets", "/api/normtoets", "/api/normtoets"),
        Case("api effectevaluatie", "/api/effectevaluatie", "/api/effectevaluatie"),
        Case("api normgat", "/api/normgat", "/api/normgat"),
        Case(
            "api history",
            "/api/history",
            "/api/history?limit=20",
            {"Authorization": f"Bearer {TOKEN}"},
        ),
    ]
    return cases


# ------------------------------------------------------------------------- timing


def time_case(client: TestClient, case: Case, repeat: int) -> tuple[PageResult, str]:
    """One untimed-for-the-median first request, then ``repeat`` timed ones; the last body."""
    result = PageResult(case.kind, case.route, case.url)
    durations: list[float] = []
    body = ""
    for run in range(repeat + 1):
        started = time.perf_counter()
        response = client.get(case.url, headers=case.headers)
        elapsed = (time.perf_counter() - started) * 1000.0
        result.status, result.bytes = response.status_code, len(response.content)
        if response.status_code >= 400:
            detail = response.text[:200].replace("\n", " ")
            result.error = f"HTTP {response.status_code}: {detail}"
            return result, ""
        if run == 0:
            result.first_ms = elapsed
        else:
            durations.append(elapsed)
        body = response.text if "text/html" in response.headers.get("content-type", "") else ""
    result.median_ms = statistics.median(durations)
    result.p95_ms = p95(durations)
    return result, body


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile: with fewer than 20 runs, the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def next_page(body: str) -> str | None:
    """The "volgende" link of a list page (``rel="next"``), if it has one."""
    found = _NEXT_LINK.search(body)
    return html.unescape(found.group(1)) if found else None


def untimed_routes(app: object, timed: set[str]) -> list[dict[str, str]]:
    """Every route of the application no case asked for, with why when it is known."""
    found: list[dict[str, str]] = []
    for context in iter_route_contexts(app.routes):  # type: ignore[attr-defined]
        for method in sorted(context.methods or ()):
            if method == "GET" and context.path in timed:
                continue
            if (method, context.path) in NOT_TIMED:
                reason = NOT_TIMED[(method, context.path)]
            elif method == "HEAD":
                reason = "HEAD: the GET handler without a body"
            elif method == "POST" and context.path == "/sparql":
                reason = "a query by POST: the same handler as GET /sparql"
            elif method in ("POST", "PUT", "DELETE"):
                reason = "a write (see bench/writes.py)"
            else:
                reason = "not timed: no case for this route yet"
            found.append({"method": method, "route": context.path, "reason": reason})
    return found


# -------------------------------------------------------------------------- sizes


def bench_size(size: int, args: argparse.Namespace, work: Path) -> SizeResult:
    file = registry_file(args.data, size, timeout_s=args.load_timeout)
    print(f"\n== {size} triples: {file}", flush=True)
    load_s = timed_run(
        krb_load_args(file, work / "store", validate=False),
        f"krb load --no-validate {file.name}",
        timeout_s=args.load_timeout,
    )
    print(f"  krb load --no-validate: {load_s:.1f} s", flush=True)
    settings = Settings(
        store=str(work / "store"),
        base_iri=BASE_IRI,
        query_timeout_s=args.timeout,
        token=TOKEN,
    )
    store = open_store(settings)
    try:
        picks = pick_parameters(store)
        cases = page_cases(store, picks)
        app = create_app(settings, store)
        # Not entered as a context manager: the lifespan would build the write replica.
        client = TestClient(app, base_url="http://127.0.0.1")
        result = SizeResult(size, str(file), load_s, asdict(picks))
        for case in cases:
            page, body = time_case(client, case, args.repeat)
            _print_page(page)
            result.pages.append(page)
            if case.kind == f"lijst {COUNTED_CLASSES[str(KRB.Beleidsnorm)]}":
                following = next_page(body)
                if following:
                    second, _ = time_case(
                        client, Case(f"{case.kind}, next page", "/lijst", following), args.repeat
                    )
                    _print_page(second)
                    result.pages.append(second)
        result.not_timed = untimed_routes(app, {c.route for c in cases})
        client.close()
    finally:
        store.close()
    return result


def _print_page(page: PageResult) -> None:
    shown = f"{page.median_ms:9.1f} ms" if page.error is None else page.error
    print(f"  {page.kind:40} {shown}", flush=True)


# ------------------------------------------------------------------------- report


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


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


def page_table(size: SizeResult) -> str:
    header = ["page or endpoint", "first ms", "median ms", "p95", "bytes", f"/ {TARGET_MS:.0f} ms"]
    rows = []
    for p in size.pages:
        if p.error is not None:
            rows.append([p.kind, "-", p.error[:60], "", "", ""])
            continue
        ratio = p.ratio
        mark = "-" if ratio is None else f"{ratio:.2f}x" + ("" if ratio < 1 else " MISS")
        rows.append([p.kind, _ms(p.first_ms), _ms(p.median_ms), _ms(p.p95_ms), str(p.bytes), mark])
    return _table(header, rows)


def verdicts(sizes: list[SizeResult]) -> list[str]:
    lines = []
    for s in sizes:
        errors = [f"{p.kind} ({p.error})" for p in s.pages if p.error is not None]
        lines.append(
            f"every URL answers without an error at {s.size}: "
            + ("PASS" if not errors else "FAIL: " + ", ".join(errors))
        )
        if s.size >= TARGET_TRIPLES:
            misses = [
                f"{p.kind} ({_ms(p.median_ms)} ms)"
                for p in s.pages
                if p.median_ms is not None and p.median_ms >= TARGET_MS
            ]
            lines.append(
                f"every page and API answer < {TARGET_MS:.0f} ms median at {s.size}: "
                + ("PASS" if not misses else "FAIL: " + ", ".join(misses))
            )
        new = [r["route"] for r in s.not_timed if r["reason"].startswith("not timed")]
        lines.append(
            f"every GET route timed or excluded with a reason at {s.size}: "
            + ("PASS" if not new else "FAIL: not timed " + ", ".join(sorted(set(new))))
        )
    return lines


def write_json(path: Path, sizes: list[SizeResult], args: argparse.Namespace, started: str) -> None:
    document = {
        "started": started,
        "repeat": args.repeat,
        "target_ms": TARGET_MS,
        "target_triples": TARGET_TRIPLES,
        "sizes": [
            {**asdict(s), "pages": [{**asdict(p), "ratio": p.ratio} for p in s.pages]}
            for s in sizes
        ],
        "verdicts": verdicts(sizes),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(path)


def print_report(sizes: list[SizeResult], args: argparse.Namespace) -> None:
    for s in sizes:
        print(f"\n## Pages and API at {s.size} triples (median and p95 of {args.repeat} runs)\n")
        print(page_table(s))
        print("\nNot timed:")
        for r in s.not_timed:
            print(f"- {r['method']} {r['route']}: {r['reason']}")
    print("\n## Targets\n")
    for line in verdicts(sizes):
        print(f"- {line}")


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10000,100000,1000000", help="comma-separated registry sizes in triples"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per URL")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "out" / "pages.json", help="JSON results"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "bench" / "out",
        help="folder with (or for) the generated registry-SIZE.nt files",
    )
    parser.add_argument(
        "--work", type=Path, default=None, help="folder for the stores (default: temporary)"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="query timeout in seconds")
    parser.add_argument(
        "--load-timeout", type=float, default=1800.0, help="give up on a load after this long"
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
    work_root = args.work or Path(tempfile.mkdtemp(prefix="krb-bench-pages-"))
    work_root.mkdir(parents=True, exist_ok=True)
    sizes: list[SizeResult] = []
    try:
        for size in args.size_list:
            work = work_root / str(size)
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            try:
                sizes.append(bench_size(size, args, work))
            finally:
                shutil.rmtree(work, ignore_errors=True)
            write_json(args.out, sizes, args, started)
    except (BenchError, NoPickError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if args.work is None:
            shutil.rmtree(work_root, ignore_errors=True)
    print_report(sizes, args)
    print(f"\nresults: {args.out}")
    return 1 if any(p.error is not None for s in sizes for p in s.pages) else 0


if __name__ == "__main__":
    sys.exit(main())
