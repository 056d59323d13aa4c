"""The parts of a theme page: the policy officer's overview of one beleidsthema.

Its indicators, the norms on them in force today (value, area, validity), its
measures, and its dwarsverbanden both ways with the network drawn around the
theme. Three named queries whatever the theme's size (web-thema-overzicht,
dwarsverbanden-themas, dwarsverbanden-netwerk); nothing is asked per row. All
three read far (a theme holds thousands of norms at a million triples), so
their rows are kept per store version (krbgraph.web.aggregates).
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef
from rdflib.term import Identifier

from ..labels import tagged
from ..namespaces import KRB
from ..store import Store
from .aggregates import cached_rows
from .describe import (
    Labeller,
    LazyRows,
    Link,
    Section,
    amount_text,
    literal_text,
    validity_text,
)
from .network_svg import ThemeEdge, theme_network_svg
from .theme_network import ThemeNetwork, edge_href, node_href, theme_network

_MEASURE_KINDS = {str(KRB.MerMaatregel): "MER-maatregel", str(KRB.Beleidsmaatregel): "maatregel"}


def theme_sections(store: Store, theme: URIRef, labeller: Labeller) -> list[Section]:
    """Indicators, norms in force, measures and dwarsverbanden of a theme."""
    rows = cached_rows(store, "web-thema-overzicht", thema=theme)
    by_kind: dict[str, list[dict[str, Identifier]]] = {"indicator": [], "norm": [], "maatregel": []}
    for row in rows:
        by_kind[str(row["soort"])].append(row)
    return [
        _indicators(by_kind["indicator"], by_kind["norm"], labeller),
        _norms(by_kind["norm"], labeller),
        _measures(by_kind["maatregel"], labeller),
        _dwarsverbanden(store, str(theme), labeller),
    ]


def _indicators(
    indicators: Iterable[dict[str, Identifier]],
    norms: Iterable[dict[str, Identifier]],
    labeller: Labeller,
) -> Section:
    counts: dict[str, set[str]] = {}
    for row in norms:
        counts.setdefault(str(row["indicator"]), set()).add(str(row["object"]))
    table = tuple(
        (
            labeller.cell(r["object"], r.get("object_label")),
            literal_text(r.get("code")),
            str(len(counts.get(str(r["object"]), ()))),
        )
        for r in indicators
    )
    return Section(
        title="Indicatoren",
        headers=("Indicator", "Code", "Normen vandaag"),
        rows=table,
        empty="Dit thema heeft nog geen indicatoren.",
    )


def _norms(rows: Iterable[dict[str, Identifier]], labeller: Labeller) -> Section:
    """One line per norm; a norm set for several areas lists them together."""
    norms: dict[str, dict[str, Identifier]] = {}
    areas: dict[str, list[Link]] = {}
    for row in rows:
        key = str(row["object"])
        norms.setdefault(key, row)
        area = labeller.cell(row.get("gebied"), row.get("gebied_label"))
        if area is not None and area not in areas.setdefault(key, []):
            areas[key].append(area)

    def line(item: tuple[str, dict[str, Identifier]]) -> tuple[object, ...]:
        key, r = item
        return (
            labeller.cell(r["object"], r.get("object_label")),
            literal_text(r.get("code")),
            labeller.cell(r.get("indicator"), r.get("indicator_label")),
            _norm_value(r, labeller),
            areas.get(key) or "overal",
            validity_text(r),
        )

    table = LazyRows(list(norms.items()), line)
    return Section(
        title="Normen die vandaag gelden",
        intro="De normen op de indicatoren van dit thema die vandaag gelden, met hun "
        "werkingsgebied en geldigheid.",
        headers=("Norm", "Code", "Indicator", "Waarde", "Werkingsgebied", "Geldig"),
        rows=table,
        empty="Er gelden vandaag geen normen op de indicatoren van dit thema.",
    )


def _norm_value(row: dict[str, Identifier], labeller: Labeller) -> object:
    operator = literal_text(row.get("operator_label"))
    amount = amount_text(row.get("waarde"), row.get("eenheid_symbool")) or literal_text(
        row.get("waarde_begrip_label")
    )
    if amount is None:
        return labeller.cell(row.get("waarde_begrip"))
    # The operator's name carries the reader's language (labels.ForeignName), the whole
    # text too: "at most 53 dB(A)" is English to a screen reader.
    return tagged(f"{operator} {amount}", getattr(operator, "lang", None)) if operator else amount


def _measures(rows: Iterable[dict[str, Identifier]], labeller: Labeller) -> Section:
    """A MER-maatregel is also a maatregel: one line each, with the narrower kind."""
    measures: dict[str, dict[str, Identifier]] = {}
    kinds: dict[str, str] = {}
    for row in rows:
        key = str(row["object"])
        measures.setdefault(key, row)
        kind = _MEASURE_KINDS.get(str(row.get("klasse")), "maatregel")
        if kinds.get(key) != "MER-maatregel":
            kinds[key] = kind

    def line(item: tuple[str, dict[str, Identifier]]) -> tuple[object, ...]:
        key, r = item
        return (
            labeller.cell(r["object"], r.get("object_label")),
            literal_text(r.get("code")),
            kinds[key],
            validity_text(r),
        )

    table = LazyRows(list(measures.items()), line)
    return Section(
        title="Maatregelen",
        intro="Maatregelen met dit thema als eigen thema die vandaag gelden.",
        headers=("Maatregel", "Code", "Soort", "Geldig"),
        rows=table,
        empty="Dit thema heeft vandaag geen geldende maatregelen.",
    )


def _dwarsverbanden(store: Store, theme: str, labeller: Labeller) -> Section:
    network = theme_network(store).around(theme)
    name = network.labels.get(theme, labeller.link(theme).text)
    figure = None
    if network.edges:
        figure = theme_network_svg(
            network.nodes,
            network.edges,
            node_href=node_href,
            edge_href=edge_href,
            title=f"Dwarsverbanden van en naar {name}",
        )
    incoming = sorted(
        (e for e in network.edges if e.target == theme), key=lambda e: network.labels[e.source]
    )
    outgoing = sorted(
        (e for e in network.edges if e.source == theme), key=lambda e: network.labels[e.target]
    )
    table = tuple(
        _edge_row("maatregelen van dit thema bereiken", edge.target, edge, network, labeller)
        for edge in outgoing
    ) + tuple(
        _edge_row("maatregelen van dat thema bereiken dit", edge.source, edge, network, labeller)
        for edge in incoming
    )
    return Section(
        title="Dwarsverbanden",
        intro="Welke thema's de maatregelen van dit thema bereiken, en van welke thema's "
        "maatregelen dit thema bereiken (met een beoogd effect op een norm of indicator, "
        "of de uitvoering van een regel). Alleen wat vandaag geldt. Klik op een pijl of "
        "een aantal voor de maatregelen.",
        figure=figure,
        headers=("Richting", "Ander thema", "Maatregelen", "Koppelingen"),
        rows=table,
        empty="Dit thema heeft vandaag geen dwarsverbanden met andere thema's.",
    )


def _edge_row(
    direction: str, other: str, edge: ThemeEdge, network: ThemeNetwork, labeller: Labeller
) -> tuple[object, ...]:
    href = edge_href(edge)
    return (
        direction,
        labeller.link(other, network.labels.get(other)),
        Link(href, str(edge.measures), href),
        str(edge.effects),
    )
