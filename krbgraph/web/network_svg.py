"""Drawing the theme network (dwarsverbanden) as inline SVG on the server.

The page must work without JavaScript and without any network access, so the
layout is computed here: themes sit on a circle, a node's area grows with the
number of indicators of its theme and an edge's stroke with its weight. Every
node and edge is an SVG link to the measures behind it, with its counts in a
<title> (the tooltip) and in a label the stylesheet shows on hover and on
keyboard focus. The stylesheet keeps the drawing at least MIN_WIDTH px wide
(the page scrolls sideways below that), so text drawn at LABEL_SIZE units is
never smaller than 12 px on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

MIN_WIDTH = 760
"""Narrowest on-screen width of the drawing in px (svg.network min-width in krb.css)."""


@dataclass(frozen=True)
class ThemeNode:
    iri: str
    label: str
    indicators: int
    norms: int = 0
    measures: int = 0


@dataclass(frozen=True)
class ThemeEdge:
    """Measures of theme `source` with links (effects, uitvoeringen) reaching theme `target`."""

    source: str
    target: str
    measures: int
    effects: int


@dataclass(frozen=True)
class Layout:
    size: int = 640
    margin: int = 90
    label_room: int = 200
    """Extra width left and right of the circle for theme names."""
    min_radius: float = 16.0
    max_radius: float = 42.0
    min_stroke: float = 1.5
    max_stroke: float = 12.0


def theme_network_svg(
    nodes: Sequence[ThemeNode],
    edges: Sequence[ThemeEdge],
    *,
    node_href: Callable[[ThemeNode], str],
    edge_href: Callable[[ThemeEdge], str],
    layout: Layout | None = None,
    title: str = "Netwerk van dwarsverbanden tussen beleidsthema's",
) -> str:
    """The network as one ``<svg>`` element (a string safe to put in HTML).

    Edges whose themes are not among `nodes` are skipped rather than drawn to
    nowhere. Edge width follows the number of effects; the tooltip says both
    counts.
    """
    layout = layout or Layout()
    centre = layout.size / 2
    circle = centre - layout.margin
    positions = _circle_positions(nodes, centre, circle)
    max_indicators = max((node.indicators for node in nodes), default=0)
    max_effects = max((edge.effects for edge in edges), default=0)
    labels = {node.iri: node.label for node in nodes}

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network" role="group" '
        f'viewBox="{-layout.label_room} 0 {layout.size + 2 * layout.label_room} {layout.size}" '
        f'aria-labelledby="network-title">',
        f'<title id="network-title">{escape(title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="20" '
        'markerHeight="20" markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head"/></marker></defs>',
        '<g class="edges">',
    ]
    radii = {
        node.iri: _scale(node.indicators, max_indicators, layout.min_radius, layout.max_radius)
        for node in nodes
    }
    for edge in edges:
        if edge.source not in positions or edge.target not in positions:
            continue
        (x1, y1), (x2, y2) = positions[edge.source], positions[edge.target]
        x1, y1, x2, y2 = _shorten(x1, y1, x2, y2, radii[edge.source], radii[edge.target] + 4)
        width = _scale(edge.effects, max_effects, layout.min_stroke, layout.max_stroke)
        counts = f"{edge.measures} maatregel(en), {edge.effects} koppeling(en)"
        tooltip = f"{labels[edge.source]} → {labels[edge.target]}: {counts}"
        # The count label sits a little off the middle, towards the target, so the
        # labels of the two directions between one pair of themes do not overlap.
        mx, my = x1 + (x2 - x1) * 0.6, y1 + (y2 - y1) * 0.6
        parts.append(
            f'<a href={quoteattr(edge_href(edge))} class="edge" aria-label={quoteattr(tooltip)}>'
            f"<title>{escape(tooltip)}</title>"
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke-width="{width:.1f}" marker-end="url(#arrow)"/>'
            f'<line class="hit" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'
            f'<text x="{mx:.1f}" y="{my:.1f}" text-anchor="middle" class="edge-count">'
            f"{escape(counts)}</text></a>"
        )
    parts.append('</g><g class="nodes">')
    for node in nodes:
        x, y = positions[node.iri]
        radius = radii[node.iri]
        lx, ly, anchor = _label_position(x, y, centre, radius)
        tooltip = (
            f"{node.label}: {node.indicators} indicator(en), {node.norms} geldende norm(en), "
            f"{node.measures} maatregel(en)"
        )
        parts.append(
            f'<a href={quoteattr(node_href(node))} class="node" aria-label={quoteattr(tooltip)}>'
            f"<title>{escape(tooltip)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}"/>'
            f'<text x="{x:.1f}" y="{y + 6:.1f}" text-anchor="middle" class="count">'
            f"{node.indicators}</text>"
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" class="label">'
            f"{escape(node.label)}</text></a>"
        )
    parts.append("</g></svg>")
    return "".join(parts)


def _circle_positions(
    nodes: Sequence[ThemeNode], centre: float, radius: float
) -> dict[str, tuple[float, float]]:
    """Evenly on a circle, starting at the top and going clockwise."""
    count = len(nodes)
    positions: dict[str, tuple[float, float]] = {}
    for index, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        positions[node.iri] = (
            centre + radius * math.cos(angle),
            centre + radius * math.sin(angle),
        )
    return positions


def _scale(value: int, maximum: int, low: float, high: float) -> float:
    """Area-proportional scaling (square root), so a big theme does not swamp the rest."""
    if maximum <= 0 or value <= 0:
        return low
    return low + (high - low) * math.sqrt(value / maximum)


def _shorten(
    x1: float, y1: float, x2: float, y2: float, start_gap: float, end_gap: float
) -> tuple[float, float, float, float]:
    """Pull the line ends back to the circle edges so the arrow head stays visible."""
    length = math.hypot(x2 - x1, y2 - y1)
    if length <= start_gap + end_gap:
        return x1, y1, x2, y2
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    return x1 + ux * start_gap, y1 + uy * start_gap, x2 - ux * end_gap, y2 - uy * end_gap


def _label_position(x: float, y: float, centre: float, radius: float) -> tuple[float, float, str]:
    """Labels outside the circle, anchored away from the centre so they never overlap nodes."""
    dx, dy = x - centre, y - centre
    distance = math.hypot(dx, dy) or 1.0
    gap = radius + 8
    lx, ly = x + dx / distance * gap, y + dy / distance * gap + 4
    if abs(dx) < 1:
        anchor = "middle"
        ly += 6 if dy > 0 else -2
    else:
        anchor = "start" if dx > 0 else "end"
    return lx, ly, anchor
