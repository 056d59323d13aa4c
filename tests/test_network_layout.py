"""The dwarsverbanden drawing stays legible at any number of themes (network_svg).

A tester found that from 17 themes on the fixed ring of the drawing had node
circles overlapping, theme names colliding or cut off at the edge of the view
box, and arrows between neighbours under 2 px long. These tests read the SVG
as served and check, for 1 to 60 themes and names of any length: no two
circles overlap, every arrow is long enough to see, every name lies inside the
view box, and no name covers another name or a node.

Name widths are measured here on the wide side of DejaVu Sans Bold (the usual
sans on Linux, and wider than the fonts of other systems); a test checks that
against the font itself where Pillow and the font are installed.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from krbgraph.web import network_svg
from krbgraph.web.network_svg import ThemeEdge, ThemeNode, theme_network_svg

SVG = "{http://www.w3.org/2000/svg}"
LABEL_SIZE = 21.0  # svg.network .node .label in krb.css
MIN_ARROW = 24.0
"""Least length of a drawn edge line in view box units: the arrow head is 18 of them."""
MIN_GAP = 12.0
"""Least room between two node circles, view box units."""
LEAST_SCALE = 190 / 260
"""On-screen px per view box unit at the drawing's narrowest (krb.css)."""
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _bench_themes() -> list[str]:
    """The themes bench/generate.py gives a registry (not a package: read from its file)."""
    path = Path(__file__).resolve().parents[1] / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return list(module.THEMES)


BENCH_THEMES = [*_bench_themes(), "<script>alert('xss-theme')</script>Thema XSS"]
"""bench/generate.py's twenty themes and the tester's long hostile one."""


def _em(char: str) -> float:
    """At least the advance of `char` in DejaVu Sans Bold, in em."""
    base = unicodedata.normalize("NFD", char)[0]
    if unicodedata.combining(char):
        return 0.0
    if base in "iljI.,:;'|!` ":
        return 0.47
    if base in 'ftrJ()[]-/\\"*_':
        return 0.6
    if base in "mwMW%@&#+<=>^~":
        return 1.11
    if not base.isascii():
        return 1.0
    return 0.86 if base.isupper() else 0.73


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def inside(self, other: Box) -> bool:
        return (
            other.x0 <= self.x0
            and self.x1 <= other.x1
            and other.y0 <= self.y0
            and self.y1 <= other.y1
        )

    def meets_circle(self, x: float, y: float, r: float) -> bool:
        nearest = min(max(x, self.x0), self.x1), min(max(y, self.y0), self.y1)
        return math.dist((x, y), nearest) < r


def label_box(text: ET.Element) -> Box:
    """Where a name's text lies, from its baseline point and anchor (DejaVu: .93 up, .24 down)."""
    x, y = float(text.get("x", "0")), float(text.get("y", "0"))
    width = sum(_em(char) for char in text.text or "") * LABEL_SIZE
    left = {"start": x, "end": x - width}.get(text.get("text-anchor", ""), x - width / 2)
    return Box(left, y - 0.93 * LABEL_SIZE, left + width, y + 0.24 * LABEL_SIZE)


@dataclass(frozen=True)
class Drawn:
    svg: ET.Element
    view: Box
    circles: dict[str, tuple[float, ...]]
    """cx, cy, r"""
    labels: dict[str, Box]
    lines: dict[tuple[str, str], tuple[float, ...]]
    """x1, y1, x2, y2 of the line with the arrow head"""


def draw(nodes: list[ThemeNode], edges: list[ThemeEdge]) -> Drawn:
    markup = theme_network_svg(
        nodes,
        edges,
        node_href=lambda n: f"/n/{n.iri}",
        edge_href=lambda e: f"/e/{e.source}/{e.target}",
    )
    svg = ET.fromstring(markup)
    x, y, width, height = (float(v) for v in svg.get("viewBox", "").split())
    circles: dict[str, tuple[float, ...]] = {}
    labels: dict[str, Box] = {}
    lines: dict[tuple[str, str], tuple[float, ...]] = {}
    for link in svg.iter(SVG + "a"):
        parts = (link.get("href") or "").split("/")
        if link.get("class") == "node":
            circle = link.find(SVG + "circle")
            assert circle is not None
            circles[parts[2]] = tuple(float(circle.get(k, "0")) for k in ("cx", "cy", "r"))
            label = next(t for t in link.iter(SVG + "text") if t.get("class") == "label")
            labels[parts[2]] = label_box(label)
        else:
            line = link.find(SVG + "line")
            assert line is not None
            ends = tuple(float(line.get(k, "0")) for k in ("x1", "y1", "x2", "y2"))
            lines[parts[2], parts[3]] = ends
    return Drawn(svg, Box(x, y, x + width, y + height), circles, labels, lines)


NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -'&()éëïüçÉ"
NAMES = st.text(alphabet=NAME_CHARS, min_size=1, max_size=40).map(str.strip).filter(bool)


@st.composite
def networks(draw_: st.DrawFn, max_themes: int = 60) -> tuple[list[ThemeNode], list[ThemeEdge]]:
    """1 to 60 themes of any size with names of any length; neighbours linked both ways."""
    count = draw_(st.integers(1, max_themes))
    names = draw_(st.lists(NAMES, min_size=count, max_size=count))
    sizes = draw_(st.lists(st.integers(0, 200), min_size=count, max_size=count))
    nodes = [
        ThemeNode(f"t{i}", name, size)
        for i, (name, size) in enumerate(zip(names, sizes, strict=True))
    ]
    pairs = {(i, (i + 1) % count) for i in range(count)} | {
        ((i + 1) % count, i) for i in range(count)
    }
    pairs |= set(draw_(st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)))))
    edges = [
        ThemeEdge(f"t{a}", f"t{b}", 1, draw_(st.integers(1, 30)))
        for a, b in sorted(pairs)
        if a != b
    ]
    return nodes, edges


PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(network=networks())
def test_no_two_node_circles_overlap(network: tuple[list[ThemeNode], list[ThemeEdge]]) -> None:
    drawn = draw(*network)
    circles = list(drawn.circles.items())
    for i, (a, (xa, ya, ra)) in enumerate(circles):
        for b, (xb, yb, rb) in circles[i + 1 :]:
            gap = math.dist((xa, ya), (xb, yb)) - ra - rb
            assert gap >= MIN_GAP, (a, b, round(gap, 1))


@PROPERTY
@given(network=networks())
def test_every_arrow_is_long_enough_to_see(
    network: tuple[list[ThemeNode], list[ThemeEdge]],
) -> None:
    drawn = draw(*network)
    assert len(drawn.lines) == len(network[1])
    for (source, target), (x1, y1, x2, y2) in drawn.lines.items():
        length = math.dist((x1, y1), (x2, y2))
        assert length >= MIN_ARROW, (source, target, round(length, 1))
        # The line runs from circle to circle, not from inside one.
        for iri, (x, y) in ((source, (x1, y1)), (target, (x2, y2))):
            cx, cy, r = drawn.circles[iri]
            assert math.dist((x, y), (cx, cy)) >= r - 0.2


@PROPERTY
@given(network=networks())
def test_every_name_and_node_lies_inside_the_view_box(
    network: tuple[list[ThemeNode], list[ThemeEdge]],
) -> None:
    drawn = draw(*network)
    for iri, box in drawn.labels.items():
        assert box.inside(drawn.view), (iri, box, drawn.view)
    for iri, (x, y, r) in drawn.circles.items():
        assert Box(x - r, y - r, x + r, y + r).inside(drawn.view), iri


@PROPERTY
@given(network=networks())
def test_no_name_covers_another_name_or_a_node(
    network: tuple[list[ThemeNode], list[ThemeEdge]],
) -> None:
    drawn = draw(*network)
    labels = list(drawn.labels.items())
    for i, (a, box) in enumerate(labels):
        for b, other in labels[i + 1 :]:
            assert not box.overlaps(other), (a, b)
        for b, circle in drawn.circles.items():
            assert not box.meets_circle(*circle), (a, "covers node", b)


def _bench(around: int | None = None) -> Drawn:
    sizes = [3, 20, 0, 3, 0, 8, 8, 8, 40, 8, 1, 0, 8, 0, 8, 8, 20, 0, 40, 8, 3]
    nodes = [ThemeNode(f"t{i}", name, sizes[i]) for i, name in enumerate(BENCH_THEMES)]
    edges = [
        ThemeEdge(a.iri, b.iri, 1, (i * 7 + j * 3) % 30 + 1)
        for i, a in enumerate(nodes)
        for j, b in enumerate(nodes)
        if a is not b and (around is None or around in (i, j))
    ]
    return draw(nodes, edges)


@pytest.mark.parametrize("around", [None, 0], ids=["dwarsverbanden", "theme-page"])
def test_the_testers_21_themes(around: int | None) -> None:
    """The reported case: the whole network, and a theme page (all others its neighbours)."""
    drawn = _bench(around)
    circles = list(drawn.circles.values())
    assert not [
        (a, b)
        for i, a in enumerate(circles)
        for b in circles[i + 1 :]
        if math.dist(a[:2], b[:2]) < a[2] + b[2] + MIN_GAP
    ]
    shortest = min(math.dist(line[:2], line[2:]) for line in drawn.lines.values())
    assert shortest * LEAST_SCALE >= 17, "arrows at least 17 px on screen"
    assert all(box.inside(drawn.view) for box in drawn.labels.values())  # Openbare verlichting
    boxes = list(drawn.labels.values())
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]


@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_few_themes_stay_close_together(count: int) -> None:
    """No wide empty ring: a small network is smaller than the old fixed 1040 x 640 drawing."""
    nodes = [ThemeNode(f"t{i}", BENCH_THEMES[i], 5) for i in range(count)]
    edges = [ThemeEdge(a.iri, b.iri, 1, 1) for a in nodes for b in nodes if a is not b]
    drawn = draw(nodes, edges)
    assert drawn.view.x1 - drawn.view.x0 == 1040
    assert drawn.view.y1 - drawn.view.y0 <= 640
    centres = [c[:2] for c in drawn.circles.values()]
    assert max((math.dist(a, b) for a in centres for b in centres), default=0) <= 300
    assert drawn.svg.get("class") == "network"


def test_a_wide_drawing_is_shown_wide_enough_for_12px_text() -> None:
    """Text of 17 units stays 12 px: the stylesheet gives a wide view box a wider minimum."""
    css = (Path(network_svg.__file__).parent / "static" / "krb.css").read_text()
    assert "svg.network { width: 100%; min-width: 760px;" in css
    for themes in (10, 21, 40, 60):
        drawn = draw([ThemeNode(f"t{i}", f"Thema nummer {i}", i) for i in range(themes)], [])
        width = drawn.view.x1 - drawn.view.x0
        assert width % 260 == 0
        span = int(width // 260)
        classes = (drawn.svg.get("class") or "").split()
        if span == 4:
            assert classes == ["network"]
            continue
        assert classes == ["network", f"span-{span}"]
        found = re.search(rf"svg\.network\.span-{span} \{{ min-width: (\d+)px;", css)
        assert found and 17 * int(found.group(1)) / width >= 12, span


def test_the_drawing_keeps_its_titles_and_roles() -> None:
    drawn = _bench()
    svg = drawn.svg
    assert svg.get("role") == "group" and svg.get("aria-labelledby") == "network-title"
    title = svg.find(SVG + "title")
    assert title is not None and title.get("id") == "network-title"
    for link in svg.iter(SVG + "a"):
        tooltip = link.find(SVG + "title")
        assert tooltip is not None and tooltip.text == link.get("aria-label")
    assert sum(1 for t in svg.iter(SVG + "text") if t.get("class") == "label") == 21


def test_the_two_directions_between_two_themes_run_side_by_side() -> None:
    nodes = [ThemeNode("a", "A", 1), ThemeNode("b", "B", 9)]
    drawn = draw(nodes, [ThemeEdge("a", "b", 1, 1), ThemeEdge("b", "a", 2, 30)])
    there, back = drawn.lines["a", "b"], drawn.lines["b", "a"]
    # Both vertical (a above b), a stroke's width or more apart.
    assert abs(there[0] - back[0]) >= 12


def _dejavu_bold(size: int) -> object:
    pil = pytest.importorskip("PIL.ImageFont")
    if not DEJAVU_BOLD.exists():
        pytest.skip("needs fonts-dejavu")
    return pil.truetype(str(DEJAVU_BOLD), size)


@pytest.mark.parametrize("text", [NAME_CHARS, "Openbare verlichting", "WWWmmm", "iiill", "…—€"])
def test_name_widths_are_measured_on_the_wide_side(text: str) -> None:
    """The module's estimate and this module's own are both at least the font's width."""
    font = _dejavu_bold(1000)
    for char in set(text):
        real = font.getlength(char) / 1000  # type: ignore[attr-defined]
        assert _em(char) >= real, char
        assert network_svg.text_width(char, 1) >= real, char
    assert network_svg.text_width(text, 21) >= font.getlength(text) * 21 / 1000  # type: ignore[attr-defined]
