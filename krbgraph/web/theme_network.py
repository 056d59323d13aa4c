"""The theme network as data: nodes, edges and where each one links to.

Shared by the dwarsverbanden page (the whole registry) and the theme pages
(one theme and its neighbours), so both count and link the same way. The
counts come from the named queries dwarsverbanden-themas and
dwarsverbanden-netwerk, two queries for the whole picture whatever its size.
Both read the whole registry (seconds at a million triples), so their rows
are kept per store version (krbgraph.web.aggregates): after the first reader
since a write, drawing the network costs no query at all.

The network is that of a day (the queries' ``datum``, a peildatum): today unless
one is asked. A network of another day is kept per store version and day, in the
same bounded cache; today asked by its date is the network of today (one entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from rdflib import Literal

from ..registry_day import today as registry_today
from ..store import Store
from .aggregates import cached_rows
from .api_models import date_term
from .describe import short_name, text_of
from .naming import told_apart
from .network_svg import ThemeEdge, ThemeNode


@dataclass(frozen=True)
class ThemeNetwork:
    nodes: tuple[ThemeNode, ...]
    edges: tuple[ThemeEdge, ...]
    labels: dict[str, str]

    def around(self, theme: str) -> ThemeNetwork:
        """The part that touches `theme`: its edges both ways and the themes at their ends."""
        edges = tuple(e for e in self.edges if theme in (e.source, e.target))
        kept = {theme} | {e.source for e in edges} | {e.target for e in edges}
        nodes = tuple(node for node in self.nodes if node.iri in kept)
        return ThemeNetwork(nodes, edges, self.labels)


def query_day(day: date | None) -> Literal | None:
    """The ``datum`` to bind for `day`: none for today (the queries' default), so a page
    asked for today's date reads the same kept answer as one asked for no date."""
    return None if day is None or day == registry_today() else date_term(day)


def theme_network(store: Store, day: date | None = None) -> ThemeNetwork:
    """Nodes (themes with indicator counts) and edges (cross-links) of the whole registry,
    as they are on `day` (today when None)."""
    datum = query_day(day)
    labels: dict[str, str] = {}
    themes = cached_rows(store, "dwarsverbanden-themas", datum=datum)
    for r in themes:
        labels[str(r["thema"])] = text_of(r.get("thema_label")) or short_name(str(r["thema"]))
    edges = []
    for r in cached_rows(store, "dwarsverbanden-netwerk", datum=datum):
        source, target = str(r["bron"]), str(r["doel"])
        labels.setdefault(source, text_of(r.get("bron_label")) or short_name(source))
        labels.setdefault(target, text_of(r.get("doel_label")) or short_name(target))
        edges.append(ThemeEdge(source, target, int(r["maatregelen"]), int(r["koppelingen"])))
    labels = told_apart(labels)  # a store with several registries has two Geluids
    nodes = [
        ThemeNode(
            str(r["thema"]),
            labels[str(r["thema"])],
            *(int(r.get(column, 0)) for column in ("indicatoren", "normen", "maatregelen")),
        )
        for r in themes
    ]
    return ThemeNetwork(tuple(nodes), tuple(edges), labels)


def edge_href(edge: ThemeEdge, day: date | None = None) -> str:
    """The page listing the measures behind one edge (on `day`, when one was asked)."""
    return _measures_href({"bron": edge.source, "doel": edge.target}, day)


def node_href(node: ThemeNode, day: date | None = None) -> str:
    """The page listing the cross-linking measures from and to one theme (on `day`)."""
    return _measures_href({"thema": node.iri}, day)


def _measures_href(params: dict[str, str], day: date | None) -> str:
    dated = {**params, "datum": day.isoformat()} if day is not None else params
    return "/dwarsverbanden/maatregelen?" + urlencode(dated)
