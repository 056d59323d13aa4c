"""A map of an area as server-rendered SVG: the area, the areas inside it, the one around it.

An area page answers "which policy applies where?"; the reader should see
where. The geometries are read by krbgraph.geometry (any CRS the registry uses,
brought to RD New, the Dutch national grid in metres) and drawn as SVG paths,
north up, with no tiles, scripts or map service: the page stays offline and
within its Content-Security-Policy. The view fits the area and the areas inside
it; the area around it is drawn as context where it falls in view.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

import shapely
from shapely.geometry.base import BaseGeometry

from ..geometry import read_areas

WIDTH = 760
"""Width of the drawing in CSS pixels; the height follows the area's shape."""

MAX_HEIGHT = 560

FAR = 40_075_000.0
"""How far from RD New's origin, in metres, a geometry may reach and still be drawn: the
Earth's circumference. A validated write accepts finite coordinates of any size
(POLYGON((-1e308 -1e308, ...))); such a geometry is no place on Earth, its drawing's
arithmetic overflowed (the page of the area and of the area it lies in answered 500),
and beside it every real area would shrink to a dot."""


@dataclass(frozen=True)
class MapArea:
    iri: str
    label: str
    role: str
    """'gebied' (the area itself), 'binnen' (inside it) or 'rond' (around it)."""
    wkt: str


def area_map_svg(areas: Sequence[MapArea], *, href: Callable[[str], str], title: str) -> str | None:
    """The SVG of the map, or None when the area itself has no geometry to draw; the
    other areas are drawn without those that have none."""
    read, _ = read_areas({a.iri: a.wkt for a in areas})
    geometries = {iri: geometry for iri, geometry in read.items() if _drawable(geometry)}
    focus = [a for a in areas if a.role == "gebied" and a.iri in geometries]
    if not focus:
        return None
    shown = [a for a in areas if a.iri in geometries and a.role in ("gebied", "binnen")]
    bounds = shapely.total_bounds([geometries[a.iri] for a in shown])
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    span = max(maxx - minx, maxy - miny, 10.0)
    margin = span * 0.05
    minx, miny, maxx, maxy = minx - margin, miny - margin, maxx + margin, maxy + margin
    width, height = maxx - minx, maxy - miny
    pixels_high = min(MAX_HEIGHT, max(160, round(WIDTH * height / width)))
    unit = width / WIDTH  # metres per pixel, for strokes and text

    def point(x: float, y: float) -> str:
        return f"{x - minx:.1f},{maxy - y:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="area-map" role="group" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" width="{WIDTH}" height="{pixels_high}" '
        f'preserveAspectRatio="xMidYMid meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    order = {"rond": 0, "gebied": 1, "binnen": 2}
    view = (minx - span, miny - span, maxx + span, maxy + span)
    for area in sorted(areas, key=lambda a: (order.get(a.role, 3), a.label)):
        geometry = geometries.get(area.iri)
        if geometry is None:
            continue
        geometry = drawn(geometry, view, unit)
        # Strokes do not scale (CSS vector-effect), so their width is in screen pixels;
        # a point's circle is sized in metres.
        shape = _shape(geometry, point, stroke=2.5 if area.role == "gebied" else 1.5, unit=unit)
        label = escape(area.label)
        body = f'<g class="area {area.role}"><title>{label}</title>{shape}</g>'
        if area.role != "gebied":
            body = f'<a href="{escape(href(area.iri))}">{body}</a>'
        parts.append(body)
    inside = any(a.role == "binnen" and a.iri in geometries for a in areas)
    for area in sorted(areas, key=lambda a: a.label):
        geometry = geometries.get(area.iri)
        if geometry is None or area.role == "rond" or (area.role == "gebied" and inside):
            continue  # with areas inside it, the area's name is the page's heading
        spot = geometry.representative_point()
        size = unit * (15 if area.role == "gebied" else 12)
        parts.append(
            f'<text class="area-label {area.role}" x="{spot.x - minx:.1f}" '
            f'y="{maxy - spot.y:.1f}" font-size="{size:.1f}" text-anchor="middle">'
            f"{escape(area.label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def map_areas(rows: Sequence[Mapping[str, object]]) -> list[MapArea]:
    """MapArea values from the rows of the named query web-gebied-kaart."""
    return [
        MapArea(
            iri=str(row["deel"]),
            label=str(row.get("deel_label") or row["deel"]),
            role=str(row["rol"]),
            wkt=str(row["wkt"]),
        )
        for row in rows
    ]


def drawn(
    geometry: BaseGeometry, view: tuple[float, float, float, float], unit: float
) -> BaseGeometry:
    """``geometry`` as far as it shows: cut to (a margin around) the view, and with no
    more detail than half a pixel (``unit``: metres per pixel). Real boundaries have
    thousands of points each; a wijk page with a hundred CBS buurten drew 211,000 of
    them, 3 MB of SVG in the HTML, where the drawing has 760 pixels across."""
    left, bottom, right, top = (float(v) for v in shapely.bounds(geometry))
    if left < view[0] or bottom < view[1] or right > view[2] or top > view[3]:
        geometry = shapely.clip_by_rect(geometry, *view)
    if geometry.geom_type in ("Point", "MultiPoint"):
        return geometry
    return shapely.simplify(geometry, unit / 2, preserve_topology=True)


def _drawable(geometry: BaseGeometry) -> bool:
    """Whether ``geometry`` lies within FAR of the origin; NaN bounds never do."""
    return all(abs(float(v)) <= FAR for v in shapely.bounds(geometry))


def _shape(
    geometry: BaseGeometry,
    point: Callable[[float, float], str],
    *,
    stroke: float,
    unit: float,
) -> str:
    """A path for polygons (holes by even-odd), a polyline for lines, a circle for points."""
    width = f'stroke-width="{stroke:.2f}"'
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        rings = []
        for polygon in getattr(geometry, "geoms", [geometry]):
            for ring in (polygon.exterior, *polygon.interiors):
                rings.append("M" + " L".join(point(x, y) for x, y, *_ in ring.coords) + " Z")
        return f'<path fill-rule="evenodd" {width} d="{" ".join(rings)}"/>'
    if geometry.geom_type in ("LineString", "MultiLineString"):
        lines = getattr(geometry, "geoms", [geometry])
        return "".join(
            f'<polyline fill="none" {width} points="'
            + " ".join(point(x, y) for x, y, *_ in line.coords)
            + '"/>'
            for line in lines
        )
    if geometry.geom_type in ("Point", "MultiPoint"):
        circles = []
        for spot in getattr(geometry, "geoms", [geometry]):
            x, y = point(spot.x, spot.y).split(",")
            circles.append(f'<circle r="{unit * 6:.2f}" cx="{x}" cy="{y}"/>')
        return "".join(circles)
    parts = getattr(geometry, "geoms", [])
    return "".join(_shape(part, point, stroke=stroke, unit=unit) for part in parts)
