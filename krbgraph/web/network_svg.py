"""Drawing the theme network (dwarsverbanden) as inline SVG on the server.

The page must work without JavaScript and without any network access, so the
layout is computed here: themes sit on a circle, a node's area grows with the
number of indicators of its theme and an edge's stroke with its weight. Every
node and edge is an SVG link to the measures behind it, with its counts in a
<title> (the tooltip) and in a label the stylesheet shows on hover and on
keyboard focus.

The ring grows with the number of themes and their sizes, so that no two node
circles touch and neighbours keep room for a visible arrow (Layout.min_gap);
theme names are placed outside the ring, pushed outwards (with a leader line)
where they would cover one another, and the view box is fitted around
everything drawn. Text widths are estimated on the wide side (text_width), so
a name never reaches past the view box.

The view box is at least VIEW_STEP * Layout.min_span units wide and grows in
steps of VIEW_STEP units; a wider drawing gets the class ``span-N`` (N steps),
for which the stylesheet sets a minimum width of N * STEP_PX px. At that scale
text drawn at 17 units or more is never smaller than 12 px on screen; the page
scrolls sideways where the screen is narrower (MIN_WIDTH px for the usual
drawing).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

MIN_WIDTH = 760
"""Narrowest on-screen width of the usual drawing in px (svg.network min-width in krb.css)."""
VIEW_STEP = 260
"""The view box is a whole number of these units wide."""
STEP_PX = 190
"""Minimum on-screen width per VIEW_STEP (krb.css: svg.network.span-N is N * 190 px)."""
MAX_SPAN = 16
"""The widest span class in krb.css; wider drawings keep its minimum width."""
LABEL_SIZE = 21.0
"""Font size of theme names in view box units (svg.network .node .label in krb.css)."""
COUNT_SIZE = 18.0
"""Font size of the edge counts shown on hover (svg.network .edge .edge-count)."""
ASCENT, DESCENT = 0.95, 0.25
"""Height of a line of text above and below its baseline, in em (DejaVu Sans: .93, .24)."""


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
    ring: float = 230.0
    """Radius of the ring when the themes fit on it; a larger ring when they do not."""
    min_gap: float = 30.0
    """Least room between the circles of two themes: an arrow head (18 units) and some line."""
    label_gap: float = 10.0
    """Room between a node's circle and its name."""
    label_pad: float = 3.0
    """Least room around a name: two names stay 2 * label_pad apart."""
    padding: float = 16.0
    """Room between the drawing and the edge of the view box."""
    min_span: int = 4
    """The view box is never narrower than min_span * VIEW_STEP units (1040)."""
    min_radius: float = 16.0
    max_radius: float = 42.0
    min_stroke: float = 1.5
    max_stroke: float = 12.0


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in view box units."""

    x0: float
    y0: float
    x1: float
    y1: float

    def shifted(self, dx: float, dy: float) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def grown(self, by: float) -> Box:
        return Box(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def meets_circle(self, x: float, y: float, r: float) -> bool:
        nearest_x, nearest_y = min(max(x, self.x0), self.x1), min(max(y, self.y0), self.y1)
        return math.hypot(x - nearest_x, y - nearest_y) < r


@dataclass(frozen=True)
class PlacedNode:
    node: ThemeNode
    x: float
    y: float
    r: float
    label_x: float
    label_y: float
    anchor: str
    """text-anchor of the name: start, middle or end."""
    label: Box
    leader: tuple[float, float, float, float] | None
    """A line from the circle to a name that had to move outwards, if it did."""


@dataclass(frozen=True)
class PlacedEdge:
    edge: ThemeEdge
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    count_x: float
    count_y: float
    counts: str


@dataclass(frozen=True)
class Drawing:
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    view: Box
    span: int
    """Width of the view box in VIEW_STEPs."""


_NARROW = frozenset("iljI.,:;'|!` ")
_SEMI = frozenset('ftrJ()[]-/\\"*_')
_WIDE = frozenset("mwMW%@&#+<=>^~")


def text_width(text: str, size: float) -> float:
    """The width of `text` at font size `size`, on the wide side of common bold sans fonts.

    DejaVu Sans Bold (wide, Linux's usual sans) stays below this estimate.
    """
    em = 0.0
    for char in text:
        if unicodedata.combining(char):
            continue
        base = unicodedata.normalize("NFD", char)[0]
        if base in _NARROW:
            em += 0.48
        elif base in _SEMI:
            em += 0.62
        elif base in _WIDE:
            em += 1.12
        elif not base.isascii():
            em += 1.25
        elif base.isupper():
            em += 0.88
        else:
            em += 0.76
    return em * size


def text_box(x: float, y: float, anchor: str, text: str, size: float) -> Box:
    """Where `text` drawn at baseline point (x, y) with `anchor` lies, on the wide side."""
    width = text_width(text, size)
    left = {"start": x, "end": x - width}.get(anchor, x - width / 2)
    return Box(left, y - ASCENT * size, left + width, y + DESCENT * size)


def layout_network(
    nodes: Sequence[ThemeNode], edges: Sequence[ThemeEdge], layout: Layout | None = None
) -> Drawing:
    """Where every node, name and edge goes, and the view box around them."""
    layout = layout or Layout()
    max_indicators = max((node.indicators for node in nodes), default=0)
    radii = [
        _scale(node.indicators, max_indicators, layout.min_radius, layout.max_radius)
        for node in nodes
    ]
    ring = _ring_radius(radii, layout)
    count = len(nodes)
    directions = [
        (math.cos(angle), math.sin(angle))
        for angle in (-math.pi / 2 + 2 * math.pi * i / max(count, 1) for i in range(count))
    ]
    centres = [(ring * ux, ring * uy) for ux, uy in directions]
    placed = _place_labels(
        nodes, radii, centres, directions if count > 1 else [(0.0, -1.0)], layout
    )
    placed_edges = _place_edges(placed, edges, layout)
    view, span = _view(placed, placed_edges, layout)
    return Drawing(tuple(placed), tuple(placed_edges), view, span)


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
    drawing = layout_network(nodes, edges, layout)
    view = drawing.view
    labels = {placed.node.iri: placed.node.label for placed in drawing.nodes}
    wide = drawing.span > (layout or Layout()).min_span
    css_class = f"network span-{min(drawing.span, MAX_SPAN)}" if wide else "network"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="group" '
        f'viewBox="{view.x0:.0f} {view.y0:.0f} {view.x1 - view.x0:.0f} {view.y1 - view.y0:.0f}" '
        f'aria-labelledby="network-title">',
        f'<title id="network-title">{escape(title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="20" '
        'markerHeight="20" markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head"/></marker></defs>',
        '<g class="edges">',
    ]
    for line in drawing.edges:
        edge = line.edge
        tooltip = f"{labels[edge.source]} → {labels[edge.target]}: {line.counts}"
        ends = f'x1="{line.x1:.1f}" y1="{line.y1:.1f}" x2="{line.x2:.1f}" y2="{line.y2:.1f}"'
        parts.append(
            f'<a href={quoteattr(edge_href(edge))} class="edge" aria-label={quoteattr(tooltip)}>'
            f"<title>{escape(tooltip)}</title>"
            f'<line {ends} stroke-width="{line.width:.1f}" marker-end="url(#arrow)"/>'
            f'<line class="hit" {ends}/>'
            f'<text x="{line.count_x:.1f}" y="{line.count_y:.1f}" text-anchor="middle" '
            f'class="edge-count">{escape(line.counts)}</text></a>'
        )
    parts.append('</g><g class="nodes">')
    for placed in drawing.nodes:
        node = placed.node
        tooltip = (
            f"{node.label}: {node.indicators} indicator(en), {node.norms} geldende norm(en), "
            f"{node.measures} maatregel(en)"
        )
        leader = ""
        if placed.leader:
            x1, y1, x2, y2 = placed.leader
            leader = (
                f'<line class="leader" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'
            )
        parts.append(
            f'<a href={quoteattr(node_href(node))} class="node" aria-label={quoteattr(tooltip)}>'
            f"<title>{escape(tooltip)}</title>{leader}"
            f'<circle cx="{placed.x:.1f}" cy="{placed.y:.1f}" r="{placed.r:.1f}"/>'
            f'<text x="{placed.x:.1f}" y="{placed.y + 6:.1f}" text-anchor="middle" class="count">'
            f"{node.indicators}</text>"
            f'<text x="{placed.label_x:.1f}" y="{placed.label_y:.1f}" '
            f'text-anchor="{placed.anchor}" class="label">{escape(node.label)}</text></a>'
        )
    parts.append("</g></svg>")
    return "".join(parts)


def _ring_radius(radii: Sequence[float], layout: Layout) -> float:
    """The smallest ring on which evenly spread circles stay min_gap apart.

    Small networks get a smaller ring than Layout.ring, so two or three themes do
    not sit far apart around an empty middle.
    """
    count = len(radii)
    if count <= 1:
        return 0.0
    wanted = min(layout.ring, 60.0 + 30.0 * count)
    if count == 2:
        return max(wanted, (radii[0] + radii[1] + layout.min_gap) / 2)
    step = math.pi / count
    # Neighbours: the chord between them is 2 R sin(pi / n).
    needed = max(
        (radii[i] + radii[(i + 1) % count] + layout.min_gap) / (2 * math.sin(step))
        for i in range(count)
    )
    if count >= 4:
        # Two or more places apart, the chord is at least 2 R sin(2 pi / n).
        needed = max(needed, (2 * max(radii) + layout.min_gap) / (2 * math.sin(2 * step)))
    return max(wanted, needed)


def _place_labels(
    nodes: Sequence[ThemeNode],
    radii: Sequence[float],
    centres: Sequence[tuple[float, float]],
    directions: Sequence[tuple[float, float]],
    layout: Layout,
) -> list[PlacedNode]:
    """Names outside the ring, each pushed outwards until it covers no other name or node.

    Names at the sides have room to spare, so they go first; towards the top
    and bottom, where names run across their neighbours, they step outwards.
    """
    pad = layout.label_pad
    circles = [(x, y, r + pad) for (x, y), r in zip(centres, radii, strict=True)]
    order = sorted(range(len(nodes)), key=lambda i: (-abs(directions[i][0]), i))
    taken: list[Box] = []
    placed: dict[int, PlacedNode] = {}
    height = (ASCENT + DESCENT) * LABEL_SIZE
    for i in order:
        (x, y), (ux, uy), r = centres[i], directions[i], radii[i]
        anchor = "start" if ux > 0.02 else "end" if ux < -0.02 else "middle"
        width = text_width(nodes[i].label, LABEL_SIZE)
        ax, ay = x + ux * (r + layout.label_gap), y + uy * (r + layout.label_gap)
        left = {"start": ax, "end": ax - width}.get(anchor, ax - width / 2)
        top = ay - height / 2 if anchor != "middle" else (ay - height if uy < 0 else ay)
        start = Box(left, top, left + width, top + height)
        shift = 0.0
        for _ in range(100_000):
            box = start.shifted(ux * shift, uy * shift).grown(pad)
            blocker = next((other for other in taken if box.overlaps(other)), None)
            if blocker is not None:
                shift += _clearance(box, blocker, ux, uy) + 0.25
            elif any(box.meets_circle(*circle) for circle in circles):
                shift += 2.0
            else:
                break
        taken.append(box)
        label = start.shifted(ux * shift, uy * shift)
        label_x = {"start": label.x0, "end": label.x1}.get(anchor, (label.x0 + label.x1) / 2)
        leader = None
        if shift > layout.label_gap:
            leader = (x + ux * r, y + uy * r, ax + ux * (shift - 2), ay + uy * (shift - 2))
        placed[i] = PlacedNode(
            nodes[i], x, y, r, label_x, label.y0 + ASCENT * LABEL_SIZE, anchor, label, leader
        )
    return [placed[i] for i in range(len(nodes))]


def _clearance(box: Box, blocker: Box, ux: float, uy: float) -> float:
    """How far `box` must move along (ux, uy) to clear `blocker` (both already padded)."""
    moves = []
    if ux > 1e-9:
        moves.append((blocker.x1 - box.x0) / ux)
    elif ux < -1e-9:
        moves.append((box.x1 - blocker.x0) / -ux)
    if uy > 1e-9:
        moves.append((blocker.y1 - box.y0) / uy)
    elif uy < -1e-9:
        moves.append((box.y1 - blocker.y0) / -uy)
    return max(min(moves), 0.0)


def _place_edges(
    placed: Sequence[PlacedNode], edges: Sequence[ThemeEdge], layout: Layout
) -> list[PlacedEdge]:
    """Lines from circle to circle; the two directions between one pair run side by side."""
    nodes = {p.node.iri: p for p in placed}
    max_effects = max((edge.effects for edge in edges), default=0)
    widths = {
        (edge.source, edge.target): _scale(
            edge.effects, max_effects, layout.min_stroke, layout.max_stroke
        )
        for edge in edges
    }
    lines = []
    for edge in edges:
        if edge.source not in nodes or edge.target not in nodes:
            continue
        source, target = nodes[edge.source], nodes[edge.target]
        width = widths[edge.source, edge.target]
        back = widths.get((edge.target, edge.source))
        # Off to the right of its direction, clear of the way back (and within both circles).
        offset = 0.0
        if back is not None and edge.source != edge.target:
            offset = min(2 + max(width, back) / 2, layout.min_radius - 4)
        x1, y1, x2, y2 = _shorten(
            source.x, source.y, target.x, target.y, source.r, target.r + 4, offset
        )
        counts = f"{edge.measures} maatregel(en), {edge.effects} koppeling(en)"
        # The count label sits a little off the middle, towards the target, so the
        # labels of the two directions between one pair of themes do not overlap.
        mx, my = x1 + (x2 - x1) * 0.6, y1 + (y2 - y1) * 0.6
        lines.append(PlacedEdge(edge, x1, y1, x2, y2, width, mx, my, counts))
    return lines


def _view(
    nodes: Sequence[PlacedNode], edges: Sequence[PlacedEdge], layout: Layout
) -> tuple[Box, int]:
    """The view box around all that is drawn, widened to whole VIEW_STEPs around its middle."""
    boxes = [Box(n.x - n.r, n.y - n.r, n.x + n.r, n.y + n.r).grown(3) for n in nodes]
    boxes += [n.label for n in nodes]
    # The counts show on hover, in white-edged text (stroke 5 px).
    boxes += [
        text_box(e.count_x, e.count_y, "middle", e.counts, COUNT_SIZE).grown(3) for e in edges
    ]
    if not boxes:
        boxes = [Box(0, 0, 0, 0)]
    x0, y0 = min(b.x0 for b in boxes), min(b.y0 for b in boxes)
    x1, y1 = max(b.x1 for b in boxes), max(b.y1 for b in boxes)
    span = max(layout.min_span, math.ceil((x1 - x0 + 2 * layout.padding) / VIEW_STEP))
    left = math.floor((x0 + x1) / 2 - span * VIEW_STEP / 2)
    top, bottom = math.floor(y0 - layout.padding), math.ceil(y1 + layout.padding)
    return Box(left, top, left + span * VIEW_STEP, bottom), span


def _scale(value: int, maximum: int, low: float, high: float) -> float:
    """Area-proportional scaling (square root), so a big theme does not swamp the rest."""
    if maximum <= 0 or value <= 0:
        return low
    return low + (high - low) * math.sqrt(value / maximum)


def _shorten(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    start_gap: float,
    end_gap: float,
    offset: float = 0.0,
) -> tuple[float, float, float, float]:
    """Pull the line ends back to the circle edges so the arrow head stays visible.

    With an `offset`, the line runs that far to the right of the line between
    the centres; its ends still lie on the circles (gaps are radii).
    """
    length = math.hypot(x2 - x1, y2 - y1)
    if length <= start_gap + end_gap:
        return x1, y1, x2, y2
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    start_gap = math.sqrt(max(start_gap**2 - offset**2, 0.0))
    end_gap = math.sqrt(max(end_gap**2 - offset**2, 0.0))
    # Right of the direction in SVG's downward y: the direction turned clockwise.
    x1, y1, x2, y2 = x1 - uy * offset, y1 + ux * offset, x2 - uy * offset, y2 + ux * offset
    return x1 + ux * start_gap, y1 + uy * start_gap, x2 - ux * end_gap, y2 - uy * end_gap
