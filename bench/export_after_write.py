"""A whole-registry export with names, the first after a write, against the engine's own.

`krb serve` reads every name of the store again in the background round after a write
(krbgraph.labels.preload_again, krbgraph.web.rewarm) for the language choices exports
read before it. This times, on a service that opened the registry itself as `krb serve`
does: the engine's own CSV of the query (``names=false``), the first export with names,
one asked again, then per write (one label added over SPARQL Update): the background
round, and the first export after it. Ratios are to the engine's own time of the run.

    .venv/bin/python bench/export_after_write.py --size 1000000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.queries import krb_load_args, registry_file, timed_run  # noqa: E402
from krbgraph.settings import Settings  # noqa: E402
from krbgraph.web.app import create_app  # noqa: E402

TOKEN = "bench-" + "t" * 40
LABEL = (
    "INSERT DATA {{ GRAPH <https://krb.grootstad.nl/graph/bench-extra> {{ "
    "<https://krb.grootstad.nl/id/bench/{n}> <http://www.w3.org/2000/01/rdf-schema#label> "
    '"bench {n}"@nl }} }}'
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="registry size in triples")
    parser.add_argument("--query", default="beleidsketen", help="a whole-registry named query")
    parser.add_argument("--writes", type=int, default=2)
    parser.add_argument("--data", type=Path, default=Path("bench/out"), help="registry files")
    parser.add_argument("--load-timeout", type=float, default=1800.0)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    file = registry_file(args.data, args.size, timeout_s=args.load_timeout)
    work = Path(tempfile.mkdtemp(prefix="krb-bench-after-write-"))
    try:
        folder = work / "store"
        timed_run(krb_load_args(file, folder, validate=False), "load", timeout_s=args.load_timeout)
        settings = Settings(store=str(folder), query_timeout_s=600.0, token=TOKEN)
        app = create_app(settings)  # opens the store itself, so it warms after writes
        url = f"/api/queries/{args.query}"
        with TestClient(app) as client:

            def export(names: bool) -> float:
                params = {"format": "csv"} | ({} if names else {"names": "false"})
                started = time.perf_counter()
                answer = client.get(url, params=params)
                if answer.status_code != 200:
                    raise SystemExit(f"{url}: {answer.status_code} {answer.text[:300]}")
                return time.perf_counter() - started

            app.state.rewarmer.wait_idle(600)
            engine = min(export(names=False) for _ in range(2))
            print(f"{args.query} at {args.size} triples; engine's own CSV {engine:.2f} s")
            first, again = export(names=True), export(names=True)
            print(
                f"with names: first {first:.2f} s ({first / engine:.1f}x), again "
                f"{again:.2f} s ({again / engine:.1f}x)"
            )
            for n in range(args.writes):
                done = client.post(
                    "/update",
                    content=LABEL.format(n=n),
                    headers={
                        "Content-Type": "application/sparql-update",
                        "Authorization": f"Bearer {TOKEN}",
                    },
                )
                if done.status_code not in (200, 204):
                    raise SystemExit(f"write {n}: {done.status_code} {done.text[:300]}")
                started = time.perf_counter()
                app.state.rewarmer.wait_idle(600)
                warmed = time.perf_counter() - started
                after = export(names=True)
                print(
                    f"write {n}: background round {warmed:.2f} s, then the first export "
                    f"with names {after:.2f} s ({after / engine:.1f}x)"
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
