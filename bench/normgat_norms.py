"""What many norms on one indicator cost normgat (`krb query normgat -p thema=...`).

normgat looks up the intended effects on the indicator of every row it answers. Through
the path ``krb:doelIndicator|krb:norm/krb:indicator`` from the indicator the engine read
every norm of it for every row: with N norms on one indicator N x N lookups (2,000
norms took 16 s, 3,000 47 s, and the service's answer ran into its 30 s limit). The
derived ``krb:werktOpIndicator`` (krbgraph.effect_targets) makes it one lookup per row.

This script puts the demo and N norms on one new indicator of a new theme (no
measurements, no measures, as the report that found it) into a new store per N, and
prints per N the seconds of the query's answer (the engine's, the median of
``--repeat`` runs after one untimed), and the ratio to the previous N: about N's own
ratio for a cost linear in N, its square for a quadratic one. ``--reference`` also
times the query as it was (tests/data/queries/normgat-reference.rq). Run from the
project root:

    .venv/bin/python bench/normgat_norms.py                       # 250, 500, 1000, 2000
    .venv/bin/python bench/normgat_norms.py --norms 200,800 --reference
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from krbgraph.derived import refresh  # noqa: E402
from krbgraph.model import project_root  # noqa: E402
from krbgraph.queries import Catalogue, load_catalogue, parse_query, prepare_query  # noqa: E402
from krbgraph.settings import Settings  # noqa: E402
from krbgraph.store import Store, ensure_model, open_store  # noqa: E402

BASE = "https://krb.demogemeente.nl"
THEME = f"{BASE}/id/beleidsthema/veel"
DEMO_FILES = sorted((project_root() / "examples" / "demo").glob("*.ttl")) + sorted(
    (project_root() / "examples" / "onderzoek").glob("*.ttl")
)
REFERENCE = ROOT / "tests" / "data" / "queries" / "normgat-reference.rq"


def many_norms(count: int) -> str:
    """A theme, an indicator of it and ``count`` norms on that indicator (Turtle)."""
    lines = [
        "@prefix krb: <https://data.krb.nl/def/krb#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix qudt: <http://qudt.org/schema/qudt/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        f'<{THEME}> a krb:Beleidsthema, skos:Concept ; skos:prefLabel "Veel"@nl ; '
        f"skos:inScheme <{BASE}/id/conceptschema/beleidsthemas> ; "
        f"skos:topConceptOf <{BASE}/id/conceptschema/beleidsthemas> .",
        f"<{BASE}/id/beleidsindicator/VEEL-I> a krb:Beleidsindicator ; "
        f'rdfs:label "Veel normen"@nl ; dct:identifier "VEEL-I" ; krb:beleidsthema <{THEME}> ; '
        "krb:indicatorsoort <https://data.krb.nl/id/begrip/indicatorsoort/systeemindicator> ; "
        "qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> .",
    ]
    for i in range(count):
        lines.append(
            f"<{BASE}/id/beleidsnorm/VEEL-{i:05d}> a krb:Beleidsnorm ; "
            f'rdfs:label "Veel {i}"@nl ; dct:identifier "VEEL-{i:05d}" ; '
            f"krb:indicator <{BASE}/id/beleidsindicator/VEEL-I> ; "
            f"krb:document <{BASE}/id/besluitdocument/GEL-2030> ; "
            "krb:operator <https://data.krb.nl/id/begrip/normoperator/maximaal> ; "
            f'qudt:numericValue "{i}.5"^^xsd:decimal ; '
            "qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> ; "
            f"krb:werkingsgebied <{BASE}/id/werkingsgebied/GM9999> ; "
            "krb:bestuurslaag <https://data.krb.nl/id/begrip/bestuurslaag/gemeente> ."
        )
    return "\n".join(lines) + "\n"


def build(folder: Path, count: int) -> Store:
    """A store with the model, the demo and ``count`` norms on one indicator, derived."""
    store = open_store(Settings(store=str(folder / "db")))
    ensure_model(store)
    extra = folder / "veel.ttl"
    extra.write_text(many_norms(count), encoding="utf-8")
    store.load_files({f"{BASE}/id/graph/demo": [*DEMO_FILES, extra]}, replace=True)
    refresh(store)
    return store


def seconds(store: Store, sparql: str, repeat: int) -> tuple[float, int]:
    """The median seconds of the query's answer over ``repeat`` runs, and its rows."""
    rows = len(store.query(sparql).rows)  # untimed: caches warm
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        store.query(sparql)
        times.append(time.perf_counter() - start)
    return statistics.median(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--norms", default="250,500,1000,2000", help="norms per run")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per query")
    parser.add_argument("--reference", action="store_true", help="time the old query too")
    options = parser.parse_args()
    catalogue = load_catalogue()
    names = ["normgat"]
    if options.reference:
        reference = parse_query("normgat-reference", REFERENCE.read_text(encoding="utf-8"))
        catalogue = Catalogue([*catalogue.values(), reference])
        names.append("normgat-reference")
    previous: dict[str, float] = {}
    print(f"{'query':<18} {'norms':>6} {'rows':>6} {'s':>8} {'ratio':>6}")
    for count in (int(n) for n in options.norms.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            store = build(Path(folder), count)
            try:
                for name in names:
                    sparql = prepare_query(store, catalogue, name, {"thema": THEME})
                    took, rows = seconds(store, sparql, options.repeat)
                    ratio = f"{took / previous[name]:>6.1f}" if name in previous else f"{'':>6}"
                    previous[name] = took
                    print(f"{name:<18} {count:>6} {rows:>6} {took:>8.3f} {ratio}", flush=True)
            finally:
                store.close()


if __name__ == "__main__":
    main()
