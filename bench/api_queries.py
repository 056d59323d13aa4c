"""Every named query as a reader gets it from the API, first and asked again, at scale.

``bench/queries.py`` times the engine (``run_named_query``). A reader of the service gets
``/api/queries/NAME``: an answer of up to 1 MB is kept per store version
(krbgraph.web.kept_answers), a larger one streams from the engine for each reader. This
prints, per case of ``bench/params.py``, the first answer after the store was opened, the
median of the answers after it, the size, and whether the median is under 100 ms.

    .venv/bin/python bench/api_queries.py --size 1000000
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.params import benchmark_cases, pick_parameters  # noqa: E402
from bench.queries import krb_load_args, registry_file, timed_run  # noqa: E402
from krbgraph.queries import load_catalogue  # noqa: E402
from krbgraph.settings import Settings  # noqa: E402
from krbgraph.store import open_store  # noqa: E402
from krbgraph.web.app import create_app  # noqa: E402
from krbgraph.web.kept_answers import KEPT_BYTES  # noqa: E402

TARGET_MS = 100.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="registry size in triples")
    parser.add_argument("--repeat", type=int, default=5, help="answers timed after the first")
    parser.add_argument("--data", type=Path, default=Path("bench/out"), help="registry files")
    parser.add_argument("--out", type=Path, default=Path("bench/out/api_queries.json"))
    parser.add_argument("--timeout", type=float, default=120.0, help="query timeout (s)")
    parser.add_argument("--load-timeout", type=float, default=1800.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    file = registry_file(args.data, args.size, timeout_s=args.load_timeout)
    work = Path(tempfile.mkdtemp(prefix="krb-bench-api-"))
    try:
        store_folder = work / "store"
        timed_run(
            krb_load_args(file, store_folder, validate=False), "load", timeout_s=args.load_timeout
        )
        settings = Settings(store=str(store_folder), query_timeout_s=args.timeout)
        store = open_store(settings)
        try:
            cases = benchmark_cases(load_catalogue(), pick_parameters(store))
            rows = []
            with TestClient(create_app(settings, store=store)) as client:
                for case in cases:
                    if case.missing:
                        continue
                    url = f"/api/queries/{case.query}"
                    params = {**dict(case.values), "format": "csv"}
                    times, size, status = [], 0, 0
                    for _ in range(args.repeat + 1):
                        started = time.perf_counter()
                        answer = client.get(url, params=params)
                        times.append((time.perf_counter() - started) * 1000)
                        size, status = len(answer.content), answer.status_code
                    median = statistics.median(times[1:])
                    kept = status == 200 and size <= KEPT_BYTES  # errors are never kept
                    rows.append(
                        {
                            "case": case.label,
                            "status": status,
                            "first_ms": round(times[0], 1),
                            "median_ms": round(median, 1),
                            "bytes": size,
                            "kept": kept,
                        }
                    )
                    print(
                        f"{case.label:55} {status} first {times[0]:9.1f} ms  again "
                        f"{median:9.1f} ms  {size:>10} B  "
                        f"{'kept' if kept else 'streamed' if status == 200 else 'error'}"
                        f"{'' if median < TARGET_MS else '  OVER'}",
                        flush=True,
                    )
        finally:
            store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"size": args.size, "cases": rows}, indent=2))
    over = [r for r in rows if r["kept"] and r["median_ms"] >= TARGET_MS]
    print(f"\n{len(rows)} cases; kept answers over {TARGET_MS:.0f} ms asked again: {len(over)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
