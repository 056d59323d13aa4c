"""The area map draws what shows at its size, however detailed the boundaries are.

Real boundaries (CBS buurten, BGT plan areas) have thousands of points each; a wijk
page with a hundred of them drew every point, 3 MB of SVG in the HTML. Checked by a
property: the drawing has no more points than its pixels can show, and what is drawn
still covers the area within a pixel of its boundary.
"""

from __future__ import annotations

import math
import re

import shapely

from krbgraph.web.area_map import WIDTH, MapArea, area_map_svg

RD = "<http://www.opengis.net/def/crs/EPSG/0/28992> "


def _circle(x: float, y: float, radius: float, points: int) -> shapely.Polygon:
    """A wobbly circle: ``points`` vertices, each a little off the circle, as surveyed
    boundaries are."""
    ring = [
        (
            x + (radius + (i % 7) * 0.01) * math.cos(2 * math.pi * i / points),
            y + (radius + (i % 5) * 0.01) * math.sin(2 * math.pi * i / points),
        )
        for i in range(points)
    ]
    return shapely.Polygon(ring)


def _points(svg: str) -> int:
    return sum(len(d.split("L")) for d in re.findall(r' d="([^"]*)"', svg))


def test_a_detailed_boundary_is_drawn_with_the_detail_its_pixels_show() -> None:
    wijk = _circle(150_000, 450_000, 2_000, 20_000)
    buurten = [_circle(150_000 + dx, 450_000 + dy, 500, 5_000) for dx, dy in
               [(-900, 0), (900, 0), (0, -900), (0, 900)]]  # fmt: skip
    province = _circle(150_000, 450_000, 60_000, 50_000)  # around it: mostly out of view
    areas = [
        MapArea("urn:wijk", "Wijk", "gebied", RD + wijk.wkt),
        *(MapArea(f"urn:b{i}", f"Buurt {i}", "binnen", RD + b.wkt) for i, b in enumerate(buurten)),
        MapArea("urn:prov", "Provincie", "rond", RD + province.wkt),
    ]
    svg = area_map_svg(areas, href=str, title="Kaart")
    assert svg is not None
    drawn = _points(svg)
    assert drawn < 6 * WIDTH, f"{drawn} points for a drawing {WIDTH} pixels wide"
    assert len(svg) < 100_000
    # Still the areas: the drawn wijk differs from the real one by less than a pixel's
    # width along its boundary.
    unit = (wijk.bounds[2] - wijk.bounds[0]) * 1.1 / WIDTH
    first = re.search(r'class="area gebied"><title>Wijk</title><path[^>]* d="([^"]*)"', svg)
    assert first is not None
    coords = [tuple(map(float, p.strip(" MZ").split(","))) for p in first.group(1).split("L")]
    assert len(coords) > 20
    minx, maxy = wijk.bounds[0] - (wijk.bounds[2] - wijk.bounds[0]) * 0.05, wijk.bounds[3]
    margin = (wijk.bounds[3] - wijk.bounds[1]) * 0.05
    outline = shapely.Polygon([(minx + x, maxy + margin - y) for x, y in coords])
    assert wijk.symmetric_difference(outline).area < wijk.length * unit
