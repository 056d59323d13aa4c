"""The parts of an indicator page: its measurements against its norms, and their sources.

"Metingen" draws the measurements per area (krbgraph.web.indicator_chart) with
the norms in force today as horizontal lines and the start of each measure
meant to move the indicator as a vertical line, and lists the same numbers in
a table beside it for readers who cannot see the chart. "Databronnen" names
the datasets of the DCAT catalogue the numbers come from: publisher, update
frequency and licence. Two named queries whatever the number of measurements
(web-indicator-metingen, web-indicator-bronnen); nothing is asked per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rdflib import Literal, URIRef
from rdflib.term import Identifier

from ..lifecycle import day_of
from ..store import Store
from .describe import (
    Labeller,
    Link,
    Section,
    literal_text,
    pick_label,
    run_query,
    short_name,
    web_address,
)
from .indicator_chart import Level, Mark, Series, indicator_chart_svg

Row = dict[str, Identifier]

_FREQUENCIES = {
    "DAILY": "dagelijks",
    "WEEKLY": "wekelijks",
    "MONTHLY": "maandelijks",
    "QUARTERLY": "elk kwartaal",
    "ANNUAL": "jaarlijks",
    "ANNUAL_2": "twee keer per jaar",
    "BIENNIAL": "elke twee jaar",
    "TRIENNIAL": "elke drie jaar",
    "QUADRENNIAL": "elke vier jaar",
    "IRREG": "onregelmatig",
    "CONT": "doorlopend",
    "UPDATE_CONT": "doorlopend bijgewerkt",
    "NEVER": "nooit",
}
"""Dutch names of the EU frequency authority table, which the registry does not hold."""

_FREQUENCY_TABLE = "http://publications.europa.eu/resource/authority/frequency/"

_LICENCES = {
    "creativecommons.org/publicdomain/zero/1.0": "CC0 1.0",
    "creativecommons.org/publicdomain/mark/1.0": "Public Domain Mark 1.0",
    "creativecommons.org/licenses/by/4.0": "CC BY 4.0",
    "creativecommons.org/licenses/by-sa/4.0": "CC BY-SA 4.0",
    "creativecommons.org/licenses/by-nc/4.0": "CC BY-NC 4.0",
    "opendatacommons.org/licenses/odbl/1-0": "ODbL 1.0",
}
"""Short names of common open licences, found by IRI without scheme or trailing slash."""

_RELATIVE = {"toename": 1, "afname": -1}
"""A change operator (by the local name of its IRI, whatever the reader's language) lies
at the reference plus (toename) or minus (afname) the norm's value."""


def indicator_sections(store: Store, indicator: URIRef, labeller: Labeller) -> list[Section]:
    """The measurements with their chart, and the datasets they come from."""
    rows = run_query(store, "web-indicator-metingen", indicator=indicator).dicts()
    sources = run_query(store, "web-indicator-bronnen", indicator=indicator).dicts()
    return [_measurements(rows, labeller), _sources(sources, labeller)]


# --- Metingen --------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """A unit's way into SI (QUDT): si = (value + offset) * factor."""

    iri: str | None
    factor: float | None
    offset: float

    @classmethod
    def of(cls, row: Row) -> _Unit:
        return cls(
            str(row["eenheid"]) if "eenheid" in row else None,
            _float(row.get("factor")),
            _float(row.get("verschuiving")) or 0.0,
        )

    def into(self, value: float, target: _Unit | None) -> float | None:
        """`value` in `target`; None when no conversion is known."""
        if target is None or target.iri is None or self.iri == target.iri:
            return value
        if self.factor is None or target.factor is None:
            return None
        return (value + self.offset) * self.factor / target.factor - target.offset


def _measurements(rows: Sequence[Row], labeller: Labeller) -> Section:
    by_kind: dict[str, list[Row]] = {"indicator": [], "meting": [], "norm": [], "maatregel": []}
    for row in rows:
        by_kind[str(row["soort"])].append(row)
    indicator = by_kind["indicator"][0] if by_kind["indicator"] else {}
    measured = by_kind["meting"]
    # A wijk and a buurt both named Centrum: two lines of the chart, told apart.
    labeller.tell_apart({str(row["gebied"]): row.get("gebied_label") for row in measured})
    table = tuple(
        (
            labeller.cell(row["gebied"], row.get("gebied_label")),
            _period(row),
            literal_text(row.get("waarde")) or literal_text(row.get("label_label")),
            literal_text(row.get("eenheid_symbool")),
            _source(row, labeller),
        )
        for row in measured
    )
    figure = _chart(indicator, measured, by_kind["norm"], by_kind["maatregel"], labeller)
    facts: tuple[tuple[str, object], ...] = ()
    if figure is not None:
        facts = (
            ("Normen die vandaag gelden", _norm_links(by_kind["norm"], labeller) or "geen"),
            ("Maatregelen", _measure_links(by_kind["maatregel"], labeller) or "geen"),
        )
    return Section(
        title="Metingen",
        intro="De metingen per gebied, op het midden van de gemeten periode, met de normen "
        "die vandaag gelden als rode streeplijn (een norm op een toename of afname alleen "
        "als zijn referentiewaarde bekend is) en het begin van de maatregelen die de "
        "indicator beogen te veranderen als grijze stippellijn. De tabel eronder geeft "
        "dezelfde cijfers.",
        figure=figure,
        figure_focusable=True,
        facts=facts,
        headers=("Gebied", "Periode", "Waarde", "Eenheid", "Bron"),
        rows=table,
        empty="Van deze indicator zijn nog geen metingen vastgelegd.",
    )


def _norm_links(norms: Iterable[Row], labeller: Labeller) -> list[Link]:
    """Each norm once; two of one name (a province's GEL-N01 of two municipalities) say
    whose they are, as /lijst does, or a links list reads the same link twice."""
    norms = list(norms)
    labeller.tell_apart({str(row["object"]): row.get("object_label") for row in norms})
    links = {
        str(row["object"]): labeller.cell(row["object"], row.get("object_label")) for row in norms
    }
    return sorted((link for link in links.values() if link), key=lambda link: link.text)


def _measure_links(measures: Iterable[Row], labeller: Labeller) -> list[Link]:
    """Each measure once, with the date it starts (where the chart marks it)."""
    links: dict[str, Link] = {}
    for row in sorted(measures, key=lambda r: str(r.get("begin"))):
        name = literal_text(row.get("object_label")) or short_name(str(row["object"]))
        links.setdefault(
            str(row["object"]), labeller.link(row["object"], f"{name} (vanaf {row.get('begin')})")
        )
    return list(links.values())


def _chart(
    indicator: Row,
    measured: Sequence[Row],
    norms: Sequence[Row],
    measures: Sequence[Row],
    labeller: Labeller,
) -> str | None:
    """The chart, or None when there is nothing measured to draw."""
    target, unit = _common_unit(indicator, measured, norms)
    # An indicator measured in labels (energielabel) is drawn by rank with the labels on
    # the axis; where numbers are measured too, only the numbers are drawn.
    ranked = [row for row in measured if "waarde" not in row and "rangorde" in row]
    by_rank = bool(ranked) and len(ranked) == len(measured)
    points: dict[str, list[tuple[date, float]]] = {}
    names: dict[str, str] = {}
    for row in measured:
        value = _float(row.get("rangorde")) if by_rank else _value(row, target)
        middle = _middle(row)
        if value is None or middle is None:
            continue
        area = str(row["gebied"])
        names[area] = labeller.link(row["gebied"], literal_text(row.get("gebied_label"))).text
        points.setdefault(area, []).append((middle, value))
    if not points:
        return None
    ticks = _label_ticks([*ranked, *norms]) if by_rank else None
    series = [
        Series(names[area], tuple(sorted(found)))
        for area, found in sorted(points.items(), key=lambda item: names[item[0]].lower())
    ]
    name = literal_text(indicator.get("object_label")) or "Waarde"
    return indicator_chart_svg(
        series,
        _levels(norms, target, ranked=ticks is not None),
        _marks(measures),
        axis_label=f"{name} ({unit})" if unit else name,
        title=f"Metingen van {name} per gebied, met de normen en maatregelen",
        description="De cijfers van de grafiek staan in de tabel eronder.",
        ticks=ticks,
    )


def _common_unit(
    indicator: Row, measured: Sequence[Row], norms: Sequence[Row]
) -> tuple[_Unit | None, str | None]:
    """The unit every point and norm line is drawn in, and its symbol for the axis: the
    indicator's; for an indicator without one, its first norm's, else a measurement's
    (0,35 km and 250 m were drawn on one axis as 0,35 and 250, beside a norm of 300)."""
    if "eenheid" in indicator:
        return _Unit.of(indicator), literal_text(indicator.get("eenheid_symbool"))
    for row in [*norms, *measured]:
        if "eenheid" in row and _float(row.get("factor")) is not None:
            return _Unit.of(row), literal_text(row.get("eenheid_symbool"))
    return None, None


def _value(row: Row, target: _Unit | None) -> float | None:
    number = _float(row.get("waarde"))
    if number is None or "eenheid" not in row:
        return number
    return _Unit.of(row).into(number, target)


def _levels(norms: Sequence[Row], target: _Unit | None, *, ranked: bool) -> list[Level]:
    """Norms with the same value and text share one line, their codes listed together."""
    codes: dict[tuple[float, str], list[str]] = {}
    for row in norms:
        found = _level(row, target, ranked=ranked)
        if found is None:
            continue
        value, text = found
        code = literal_text(row.get("code")) or short_name(str(row["object"]))
        codes.setdefault((round(value, 9), text), []).append(code)
    return [
        Level(value, f"{text} ({', '.join(sorted(found))})")
        for (value, text), found in sorted(codes.items())
    ]


def _level(row: Row, target: _Unit | None, *, ranked: bool) -> tuple[float, str] | None:
    operator = literal_text(row.get("operator_label")) or short_name(str(row.get("operator", "")))
    if ranked:
        rank = _float(row.get("rangorde"))
        label = literal_text(row.get("label_label"))
        return (rank, f"{operator} {label}") if rank is not None and label else None
    number = _float(row.get("waarde"))
    if number is None or "eenheid" not in row:
        return None
    unit = literal_text(row.get("eenheid_symbool")) or ""
    amount = f"{operator} {literal_text(row.get('waarde'))} {unit}".strip()
    kind = short_name(str(row.get("operator", "")))  # normoperator/maximale-toename
    direction = next((sign for word, sign in _RELATIVE.items() if word in kind), 0)
    if direction:
        reference = _float(row.get("referentie"))
        if reference is None:
            return None
        number = reference + direction * number
        amount = f"{amount} t.o.v. {literal_text(row.get('referentie'))} {unit}".strip()
    value = _Unit.of(row).into(number, target)
    return (value, amount) if value is not None else None


def _marks(measures: Iterable[Row]) -> list[Mark]:
    """One line per measure (a measure with several effects on the indicator counts once)."""
    found: dict[str, Mark] = {}
    for row in measures:
        start = row.get("begin")
        if isinstance(start, Literal) and isinstance(start.toPython(), date):
            name = literal_text(row.get("object_label")) or short_name(str(row["object"]))
            found.setdefault(str(row["object"]), Mark(start.toPython(), name))
    return list(found.values())


def _label_ticks(rows: Iterable[Row]) -> dict[float, str]:
    ticks: dict[float, str] = {}
    for row in rows:
        rank, label = _float(row.get("rangorde")), literal_text(row.get("label_label"))
        if rank is not None and label:
            ticks[rank] = label
    return dict(sorted(ticks.items()))


def _middle(row: Row) -> date | None:
    start, end = _date(row.get("periode_van")), _date(row.get("periode_tot"))
    if start is None or end is None:
        return None
    return start + (end - start) / 2


def _period(row: Row) -> str:
    start, end = literal_text(row.get("periode_van")), literal_text(row.get("periode_tot"))
    return f"{start} t/m {end}"


def _source(row: Row, labeller: Labeller) -> Link | None:
    """A dataset of the registry links to its page; an address outside it to itself."""
    source = row.get("bron")
    if source is None:
        return None
    if row.get("bron_label") is not None:
        return labeller.cell(source, row["bron_label"])
    if isinstance(source, URIRef) and web_address(str(source)):
        return Link(str(source), str(source), str(source))
    return Link(str(source), literal_text(source), None)


# --- Databronnen -----------------------------------------------------------


def _sources(rows: Sequence[Row], labeller: Labeller) -> Section:
    """One line per dataset; several publishers or licences are listed together."""
    datasets: dict[str, list[Row]] = {}
    for row in rows:
        datasets.setdefault(str(row["dataset"]), []).append(row)
    table = tuple(
        (
            labeller.cell(found[0]["dataset"], found[0].get("dataset_label")),
            _each(
                found, "uitgever", lambda r: labeller.cell(r["uitgever"], r.get("uitgever_label"))
            ),
            _each(found, "frequentie", _frequency),
            _each(found, "licentie", _licence),
            pick_label(row.get("beschrijving") for row in found),
        )
        for found in datasets.values()
    )
    return Section(
        title="Databronnen",
        intro="Waar de cijfers van deze indicator vandaan komen: de datasets uit de catalogus "
        "van databronnen die deze indicator meten of de bron zijn van een meting ervan.",
        headers=("Dataset", "Uitgever", "Frequentie", "Licentie", "Beschrijving"),
        rows=table,
        empty="Voor deze indicator is geen databron in de catalogus vastgelegd.",
    )


def _each(
    rows: Sequence[Row], column: str, make: Callable[[Row], Link | None]
) -> list[Link] | None:
    links: dict[str, Link] = {}
    for row in rows:
        if row.get(column) is not None:
            link = make(row)
            if link is not None:
                links.setdefault(link.iri, link)
    return list(links.values()) or None


def _frequency(row: Row) -> Link:
    iri = str(row["frequentie"])
    name = literal_text(row.get("frequentie_label"))
    if name is None and iri.startswith(_FREQUENCY_TABLE):
        name = _FREQUENCIES.get(iri[len(_FREQUENCY_TABLE) :])
    return Link(iri, name or short_name(iri), web_address(iri))


def _licence(row: Row) -> Link:
    iri = str(row["licentie"])
    key = iri.split("://", 1)[-1].rstrip("/")
    name = literal_text(row.get("licentie_label")) or _LICENCES.get(key) or iri
    return Link(iri, name, web_address(iri))


# --- Terms -----------------------------------------------------------------


def _float(term: Identifier | None) -> float | None:
    if isinstance(term, Literal):
        try:
            return float(term.toPython())
        except (TypeError, ValueError):
            return None
    return None


def _date(term: Identifier | None) -> date | None:
    """The day of a date or moment (a period loaded without validation may have one)."""
    return day_of(term.toPython()) if isinstance(term, Literal) else None
