"""Benchmark of validated writes: what one write costs in a registry of N triples.

The service validates a write on an in-memory replica of its store, only for the
objects whose verdict the write can change (krbgraph.replica, krbgraph.impact,
krbgraph.registry.validate_change), then commits exactly that change. This script
measures, on the registry bench/generate.py writes:

- making the replica (once, at start-up): time and the memory it adds;
- writes of five kinds, each validated and committed to an embedded store as the
  service does: a changed norm value (1 object), a new norm copied from an existing
  one (1 new object), a batch of 100 new norms (100 objects), a new street (an area
  whose closure krb:ligtBinnen is derived) and a buurt moved to another wijk (the
  closure of the buurt and all its streets derived again);
- per kind: how many nodes were validated, p50 / p95 of the validation alone (as the
  SPARQL Update path runs it: a conforming change's warnings left unworded), and
  of the whole write as the service's SPARQL Update path runs it
  (krbgraph.web.writes.apply_update: the update run on the replica, validated,
  committed with its audit record and the derived graph's change);
- with ``--with-full``, one full validation of the same replica for comparison.

    .venv/bin/python bench/writes.py --size 100000
    .venv/bin/python bench/writes.py --size 1000000 --writes 20
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from krbgraph.derived import refresh  # noqa: E402
from krbgraph.impact import affected  # noqa: E402
from krbgraph.registry import validate_change  # noqa: E402
from krbgraph.replica import ValidationReplica  # noqa: E402
from krbgraph.replica_slot import ReplicaSlot  # noqa: E402
from krbgraph.settings import Settings  # noqa: E402
from krbgraph.store import ensure_model, open_store  # noqa: E402
from krbgraph.web.writes import apply_update  # noqa: E402

KRB = "https://data.krb.nl/def/krb#"
NUMERIC = ox.NamedNode("http://qudt.org/schema/qudt/numericValue")
DATA_GRAPH = "https://krb.grootstad.nl/graph/registry"


def registry_file(size: int) -> Path:
    path = ROOT / "bench" / "out" / f"registry-{size}.nt"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(size)]
            + ["--out", str(path)],
            check=True,
        )
    return path


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def norm_iris(replica: ValidationReplica, limit: int) -> list[ox.NamedNode]:
    rows = replica.query(
        f"SELECT ?n WHERE {{ ?n a <{KRB}Beleidsnorm> ; <{NUMERIC.value}> ?v }} LIMIT {limit}"
    ).rows
    return [ox.NamedNode(str(row[0])) for row in rows]


def changed_value(replica: ValidationReplica, rng: random.Random, norms: list) -> tuple:
    """A norm's numeric value replaced by another of the same datatype."""
    norm = rng.choice(norms)
    old = replica.quads_for(norm, NUMERIC)
    new = [
        ox.Quad(
            q.subject,
            q.predicate,
            ox.Literal(str(rng.randint(1, 99)), datatype=q.object.datatype),
            q.graph_name,
        )
        for q in old
    ]
    return new, old


def copied_norms(
    replica: ValidationReplica, rng: random.Random, norms: list, count: int, serial: list[int]
) -> tuple:
    added = []
    for _ in range(count):
        template = rng.choice(norms)
        serial[0] += 1
        norm = ox.NamedNode(f"{template.value}-kopie-{serial[0]}")
        for quad in replica.quads_for(template):
            if isinstance(quad.object, ox.BlankNode):
                continue  # periods and the like stay with the original
            added.append(ox.Quad(norm, quad.predicate, quad.object, quad.graph_name))
    return added, []


LIGT_IN = ox.NamedNode(KRB + "ligtIn")
SOORT = ox.NamedNode(KRB + "gebiedssoort")
BUURT = ox.NamedNode("https://data.krb.nl/id/begrip/gebiedssoort/buurt")
WIJK = ox.NamedNode("https://data.krb.nl/id/begrip/gebiedssoort/wijk")


def areas_of_kind(replica: ValidationReplica, kind: ox.NamedNode) -> list[ox.NamedNode]:
    return sorted(
        (q.subject for q in replica.quads_matching(None, SOORT, kind)), key=lambda n: n.value
    )


def moved_buurt(
    replica: ValidationReplica, rng: random.Random, buurten: list, wijken: list
) -> tuple:
    """A buurt moved to another wijk: its streets move along, so the areas whose
    closure (krb:ligtBinnen) is computed again are the buurt and all its streets."""
    buurt = rng.choice(buurten)
    old = replica.quads_for(buurt, LIGT_IN)
    new = [ox.Quad(q.subject, q.predicate, rng.choice(wijken), q.graph_name) for q in old]
    return new, old


def new_area(
    replica: ValidationReplica, rng: random.Random, buurten: list, serial: list[int]
) -> tuple:
    """A new street in a buurt: a copy of one of the buurt's streets under a new IRI."""
    streets: list[ox.NamedNode] = []
    while not streets:
        streets = [q.subject for q in replica.quads_matching(None, LIGT_IN, rng.choice(buurten))]
    template = rng.choice(streets)
    serial[0] += 1
    area = ox.NamedNode(f"{template.value}-nieuw-{serial[0]}")
    added = [
        ox.Quad(area, q.predicate, q.object, q.graph_name)
        for q in replica.quads_for(template)
        if not isinstance(q.object, ox.BlankNode)
    ]
    return added, []


def update_text(added: list[ox.Quad], removed: list[ox.Quad]) -> str:
    """The change as a client sends it: DELETE DATA of the removed quads, INSERT DATA of
    the added ones."""
    parts = []
    if removed:
        parts.append(f"DELETE DATA {{ {_graph_blocks(removed)} }}")
    if added:
        parts.append(f"INSERT DATA {{ {_graph_blocks(added)} }}")
    return " ;\n".join(parts)


class _Undo(Exception):
    """Raised in a trial to undo it: the validation alone is timed there."""


def _graph_blocks(quads: list[ox.Quad]) -> str:
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
    return " ".join(
        f"GRAPH <{g}> {{ {ox.serialize(t, format=ox.RdfFormat.N_TRIPLES).decode()} }}"
        for g, t in by_graph.items()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="registry size in triples")
    parser.add_argument("--writes", type=int, default=20, help="writes of each kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--with-full", action="store_true", help="also one full validation")
    args = parser.parse_args(argv)

    file = registry_file(args.size)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="krb-bench-writes-") as folder:
        store = open_store(Settings(store=str(Path(folder) / "db"), engine="embedded"))
        ensure_model(store)
        store.load_files({DATA_GRAPH: [file]}, replace=True)
        refresh(store)  # the derived graph, as `krb load` leaves it
        before = rss_mb()
        started = time.perf_counter()
        replicas = ReplicaSlot()
        replica = replicas.get(store)
        made_s = time.perf_counter() - started
        lock = threading.Lock()
        print(
            f"registry: {args.size:,} triples; replica of {len(replica):,} quads "
            f"made in {made_s:.1f} s, peak RSS +{rss_mb() - before:.0f} MB"
        )
        norms = norm_iris(replica, 5000)
        buurten, wijken = areas_of_kind(replica, BUURT), areas_of_kind(replica, WIJK)
        serial = [0]
        kinds = {
            "changed value (1 norm)": lambda: changed_value(replica, rng, norms),
            "new norm (1)": lambda: copied_norms(replica, rng, norms, 1, serial),
            "new norms (100)": lambda: copied_norms(replica, rng, norms, 100, serial),
            "new street (1 area)": lambda: new_area(replica, rng, buurten, serial),
            "buurt moved to another wijk": lambda: moved_buurt(replica, rng, buurten, wijken),
        }
        print("\n| write | validated nodes (median) | validation p50 | p95 | write p50 | p95 |")
        print("|---|---|---|---|---|---|")
        for name, make in kinds.items():
            checks, totals, nodes = [], [], []
            for _ in range(args.writes):
                added, removed = make()
                try:
                    with replica.trial(added, removed):
                        found = affected(replica, added, removed)
                        t0 = time.perf_counter()
                        # As the SPARQL Update path validates: a conforming change's
                        # warnings are not worded (its answer shows none).
                        validate_change(replica, added, removed, quiet=True)
                        checks.append((time.perf_counter() - t0) * 1000)
                        raise _Undo
                except _Undo:
                    pass
                t0 = time.perf_counter()
                apply_update(
                    store,
                    update_text(added, removed),
                    base_iri="https://krb.grootstad.nl/",
                    lock=lock,
                    replicas=replicas,
                )
                totals.append((time.perf_counter() - t0) * 1000)
                nodes.append(len(found) if found is not None else args.size)
            print(
                f"| {name} | {statistics.median(nodes):.0f} | {_p(checks, 50)} | "
                f"{_p(checks, 95)} | {_p(totals, 50)} | {_p(totals, 95)} |"
            )
        if args.with_full:
            t0 = time.perf_counter()
            full = validate_change(replica, [], [], everything=True)
            print(
                f"\nfull validation of the replica: {time.perf_counter() - t0:.1f} s, "
                f"{len(full.findings)} findings"
            )
        store.close()
    return 0


def _p(values: list[float], pct: int) -> str:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return f"{ordered[index]:.0f} ms"


if __name__ == "__main__":
    raise SystemExit(main())
