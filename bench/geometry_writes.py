"""What a write that changes one area's geometry costs the derived graph, by how many
areas with geometry the registry holds (the generated registries of generate.py have
none; a national store of CBS buurten has some 17,000 detailed polygons).

The areas are polygons of ``--vertices`` points on a grid, in an in-memory replica as
the service holds it; one area's geometry is then moved, as a write would, and the
change to the derived graph computed (krbgraph.derived_change: its spatial pairs
compared again with every area's geometry). Printed: the WKT size, the first such
write (every literal read) and the median of the next ones (literals read before come
from krbgraph.geometry's cache). Run from the project root:

    .venv/bin/python bench/geometry_writes.py --areas 17000
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from krbgraph.derived_change import derived_change  # noqa: E402
from krbgraph.replica import Change, ValidationReplica  # noqa: E402

KRB = "https://data.krb.nl/def/krb#"
GEO = "http://www.opengis.net/ont/geosparql#"
RD = "<http://www.opengis.net/def/crs/EPSG/0/28992> "
GRAPH = ox.NamedNode("https://krb.example.org/graph/gebieden")
WKT = ox.NamedNode(GEO + "wktLiteral")


def polygon(cx: float, cy: float, radius: float, vertices: int) -> str:
    """A wobbly ring of ``vertices`` points, like a digitised buurt boundary."""
    points = [
        (
            cx + radius * math.cos(2 * math.pi * k / vertices) * (1 + 0.05 * math.sin(7 * k)),
            cy + radius * math.sin(2 * math.pi * k / vertices),
        )
        for k in range(vertices)
    ]
    points.append(points[0])
    return RD + "POLYGON((" + ", ".join(f"{x:.1f} {y:.1f}" for x, y in points) + "))"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=17_000)
    parser.add_argument("--vertices", type=int, default=200)
    parser.add_argument("--writes", type=int, default=5)
    options = parser.parse_args()
    side = max(1, int(math.sqrt(options.areas)))
    quads, geometries = [], {}
    for i in range(options.areas):
        area = ox.NamedNode(f"https://krb.example.org/id/werkingsgebied/b{i}")
        geometry = ox.BlankNode()
        wkt = polygon((i % side) * 1000, (i // side) * 1000, 480, options.vertices)
        geometries[area.value] = geometry
        quads += [
            ox.Quad(
                area,
                ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                ox.NamedNode(KRB + "Werkingsgebied"),
                GRAPH,
            ),
            ox.Quad(area, ox.NamedNode(GEO + "hasGeometry"), geometry, GRAPH),
            ox.Quad(geometry, ox.NamedNode(GEO + "asWKT"), ox.Literal(wkt, datatype=WKT), GRAPH),
        ]
    replica = ValidationReplica.of_model()
    replica.apply(quads, [])
    size = sum(len(q.object.value) for q in quads if isinstance(q.object, ox.Literal))
    print(f"{options.areas:,} areas, {options.vertices} vertices each, WKT {size / 1e6:.0f} MB")

    timings = []
    for write in range(options.writes + 1):
        area = f"https://krb.example.org/id/werkingsgebied/b{write * 7 % options.areas}"
        old = replica.quads_matching(geometries[area], ox.NamedNode(GEO + "asWKT"), None)
        moved = polygon(write * 250.0, 0, 300, options.vertices)
        new = [
            ox.Quad(q.subject, q.predicate, ox.Literal(moved, datatype=WKT), q.graph_name)
            for q in old
        ]
        with replica.trial(new, old):
            started = time.perf_counter()
            change = derived_change(replica, Change(frozenset(new), frozenset(old)), replica)
            timings.append(time.perf_counter() - started)
        assert change.areas == 1
    print(f"first geometry write: {timings[0]:.2f} s (every literal read)")
    print(f"next writes, median of {options.writes}: {statistics.median(timings[1:]):.2f} s")


if __name__ == "__main__":
    main()
