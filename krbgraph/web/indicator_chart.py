"""Drawing the measurements of an indicator as an SVG chart on the server (matplotlib).

An indicator page answers "how is this going, and against which norm?": one line
per area through its measurements, each norm in force as a horizontal line with
its operator, value and unit, and the start of each measure meant to move the
indicator as a vertical line with its name. The page works without JavaScript
and without network, so the chart is drawn here, by matplotlib with its bundled
DejaVu Sans metrics, and put inline in the page.

Matplotlib is imported when the first chart is drawn, not when the service
starts. Its SVG styles every element with ``style`` attributes, which the site's
Content-Security-Policy (``style-src 'self'``) does not let a browser apply;
`_inline` turns them into the equivalent SVG presentation attributes. Text stays
text (``svg.fonttype: none``), so it is selectable, found by search, and drawn
at SCALE px per point: 10 pt labels come out at 13.3 px, never under 12 px (the
figure keeps its width and scrolls sideways on a narrow screen).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from ..registry_day import today as registry_today

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_IN, HEIGHT_IN = 10.0, 5.0
"""Size of the figure in inches (72 SVG units each)."""

SCALE = 4 / 3
"""CSS px per SVG unit (point): the drawing is shown at 96 px per inch."""

FONT_PT = 10.0
"""Every text of the chart; at SCALE that is 13.3 px on screen."""

COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#000000")
"""Okabe-Ito: told apart with every common colour vision deficiency."""

MARKERS = ("o", "s", "^", "D", "v", "P", "X")
"""A marker per area as well as a colour, so the lines differ without colour too."""

NORM_COLOUR = "#a4161a"
MEASURE_COLOUR = "#555555"


@dataclass(frozen=True)
class Series:
    """The measurements of one area: (middle of the measured period, value) in time order."""

    name: str
    points: tuple[tuple[date, float], ...]


@dataclass(frozen=True)
class Level:
    """A norm in force: a horizontal line at `value` with its text."""

    value: float
    text: str


@dataclass(frozen=True)
class Mark:
    """The start of a measure: a vertical line at `when` with its name."""

    when: date
    text: str


def indicator_chart_svg(
    series: Sequence[Series],
    levels: Sequence[Level],
    marks: Sequence[Mark],
    *,
    axis_label: str,
    title: str,
    description: str,
    ticks: Mapping[float, str] | None = None,
) -> str:
    """The chart as one ``<svg>`` element (a string safe to put in HTML).

    `ticks` names the values of the vertical axis (labels of an ordered value
    list, such as energy labels by rank); without it the axis shows numbers.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure

    # Text stays text (fonttype none) in the DejaVu Sans matplotlib measured it with.
    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            # Names are text: with math on, "$5 tot $10" was drawn as TeX and "$a_$" broke
            # the page (a 500).
            "text.parse_math": False,
            "svg.hashsalt": "krb-indicator-chart",  # the same ids for the same chart
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans"],
            "font.size": FONT_PT,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.color": "#dde3ea",
            "axes.labelcolor": "#1d2530",
            "xtick.color": "#1d2530",
            "ytick.color": "#1d2530",
        }
    ):
        figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), layout="constrained")
        axes = figure.add_subplot()
        handles = []
        for index, line in enumerate(series):
            when = [date2num(point[0]) for point in line.points]
            values = [point[1] for point in line.points]
            (handle,) = axes.plot(
                when,
                values,
                color=COLOURS[index % len(COLOURS)],
                marker=MARKERS[index % len(MARKERS)],
                linewidth=2,
                markersize=6,
            )
            handles.append(handle)
        low, high = _value_range(series, levels)
        axes.set_ylim(low, high)
        start, end = _time_range(series, marks)
        axes.set_xlim(date2num(start), date2num(end))
        _draw_levels(axes, levels, low, high)
        _draw_marks(axes, marks)
        _axes_format(axes, ticks, axis_label)
        if series:
            # Names given, not read from the lines ("_x" would be left out), and short: a
            # name of 230 characters pushed the others off the drawing (the table below
            # has them whole).
            legend = [_short(line.name, LEGEND_NAME) for line in series]
            wide = max(len(name) for name in legend) > LEGEND_NAME // 2
            figure.legend(
                handles,
                legend,
                loc="outside lower center",
                ncols=min(len(series), 2 if wide else 4),
                frameon=False,
                title=None,
            )
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return _inline(buffer.getvalue(), title=title, description=description)


def _value_range(series: Sequence[Series], levels: Sequence[Level]) -> tuple[float, float]:
    values = [value for line in series for _, value in line.points]
    values += [level.value for level in levels]
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    room = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    return low - room, high + room


def _time_range(series: Sequence[Series], marks: Sequence[Mark]) -> tuple[date, date]:
    moments = [when for line in series for when, _ in line.points] + [m.when for m in marks]
    if not moments:
        today = registry_today()
        return today - timedelta(days=365), today
    first, last = min(moments), max(moments)
    room = max((last - first) / 12, timedelta(days=90))
    return first - room, last + room


def _draw_levels(axes: Axes, levels: Sequence[Level], low: float, high: float) -> None:
    """Dashed lines, their texts right of the plot, pushed apart where values lie close."""
    gap = (high - low) * 0.065
    placed: list[float] = []
    for level in sorted(levels, key=lambda item: item.value):
        axes.axhline(level.value, color=NORM_COLOUR, linestyle="--", linewidth=1.5)
        where = level.value if not placed else max(level.value, placed[-1] + gap)
        placed.append(where)
        axes.annotate(
            level.text,
            xy=(1, level.value),
            xycoords=axes.get_yaxis_transform(),
            xytext=(1.01, where),
            textcoords=axes.get_yaxis_transform(),
            color=NORM_COLOUR,
            va="center",
            ha="left",
            annotation_clip=False,
        )


def _draw_marks(axes: Axes, marks: Sequence[Mark]) -> None:
    """A line per date (measures starting the same day share it); the name left of the
    line, or right of it where the previous line stands too close."""
    from matplotlib.dates import date2num

    names: dict[date, list[str]] = {}
    for mark in marks:
        names.setdefault(mark.when, []).append(mark.text)
    low, high = axes.get_xlim()
    close = (high - low) * 0.03
    previous: float | None = None
    for when in sorted(names):
        x = date2num(when)
        crowded = previous is not None and x - previous < close
        axes.axvline(x, color=MEASURE_COLOUR, linestyle=":", linewidth=1.5)
        axes.text(
            x,
            0.98,
            f" {_short('; '.join(names[when]))} ",
            transform=axes.get_xaxis_transform(),
            rotation=90,
            va="top",
            ha="left" if crowded else "right",
            color="#1d2530",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
        )
        previous = x


def _axes_format(axes: Axes, ticks: Mapping[float, str] | None, axis_label: str) -> None:
    from matplotlib import dates
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    low, high = axes.get_xlim()
    if high - low >= 2 * 365:
        axes.xaxis.set_major_locator(dates.YearLocator())
        axes.xaxis.set_major_formatter(dates.DateFormatter("%Y"))
        axes.set_xlabel("Jaar (midden van de meetperiode)")
    else:
        axes.xaxis.set_major_locator(dates.MonthLocator(bymonth=(1, 4, 7, 10)))
        axes.xaxis.set_major_formatter(dates.DateFormatter("%m-%Y"))
        axes.set_xlabel("Maand (midden van de meetperiode)")
    if ticks:
        axes.set_yticks(list(ticks), labels=list(ticks.values()))
    else:
        axes.yaxis.set_major_locator(MaxNLocator(nbins=8))
        axes.yaxis.set_major_formatter(FuncFormatter(_number))
    axes.set_ylabel(axis_label)


def _number(value: float, _position: object = None) -> str:
    """A tick as a Dutch reader writes it: 0,45 and 48."""
    return f"{value:.10g}".replace(".", ",")


LEGEND_NAME = 32
"""Characters of an area's name in the chart's legend."""


def _short(text: str, limit: int = 44) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Making matplotlib's SVG fit the page ----------------------------------

_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_ROOT = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([\d.\s-]+)"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_STYLE_ELEMENT = re.compile(r"<style[^>]*>.*?</style>\s*", re.S)
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_PROPERTY = re.compile(r"^[a-z-]+$")


def _inline(svg: str, *, title: str, description: str) -> str:
    """Matplotlib's SVG document as an inline element the page's policy lets through:
    no prologue or metadata, presentation attributes instead of styles, a size in px,
    and a title and description for assistive technology."""
    svg = _PROLOGUE.sub("", svg, count=1)
    svg = _METADATA.sub("", svg)
    svg = _STYLE_ELEMENT.sub("", svg)
    svg = _STYLE_ATTRIBUTE.sub(_attributes, svg)
    root = _ROOT.search(svg)
    viewbox = _VIEWBOX.search(root.group(0)) if root else None
    if root is None or viewbox is None:
        raise ValueError("matplotlib wrote an SVG without a root element or viewBox")
    width, height = (float(part) for part in viewbox.group(1).split()[2:4])
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="chart" role="img" viewBox="{viewbox.group(1)}" '
        f'width="{width * SCALE:.0f}" height="{height * SCALE:.0f}" '
        f'stroke-linejoin="round" stroke-linecap="butt" '
        f'aria-labelledby="chart-title chart-desc">'
        f'<title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(description)}</desc>'
    )
    return opening + svg[root.end() :].strip()


def _attributes(match: re.Match[str]) -> str:
    """``style="fill: #fff; stroke: none"`` as `` fill="#fff" stroke="none"``."""
    parts = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name and value and _PROPERTY.match(name):
            parts.append(f' {name}="{value}"')
    return "".join(parts)
