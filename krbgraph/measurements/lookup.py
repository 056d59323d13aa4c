"""What the rows of a measurements file may name, read from the registry in the store.

krbgraph.measurements.importing resolves each row's texts (indicator, area, source,
classification) against these lookups; they are read once per import, in a few
queries, so a file of thousands of rows costs no query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple, TypeVar

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from ..store import Store, model_graph_iris
from ..units import Unit, default_catalogue
from .concepts import CONCEPTS, ConceptList, concept_lists
from .csvrows import Row

TIME = "http://www.w3.org/2006/time#"


@dataclass(frozen=True)
class Area:
    iri: str
    codes: tuple[str, ...]
    year: int | None


@dataclass(frozen=True)
class Gone:
    """A thing a row may name that only the graphs an import replaces hold (and not the
    workbook's policy replacing them): it goes with them (Registry.read's ``replaced``)."""

    iri: str
    graphs: tuple[str, ...]


class Indicator(NamedTuple):
    iri: str
    unit: str | None
    """Its unit's IRI, or None (an indicator of labels, such as the energy label)."""


@dataclass
class Registry:
    """What the rows may name, read from the store in a few queries."""

    indicators: dict[str, list[Indicator]]
    """Key (IRI, code, folded name) -> the indicators it may name (Registry.indicator)."""
    indicator_codes: dict[str, str]
    areas: dict[str, list[Area]]
    """Key (IRI, code, CBS code) -> the areas it may name."""
    sources: dict[str, list[str]]
    """Key (IRI, code) -> the data sources (dcat:Dataset) it may name, IRIs in order."""
    concepts: dict[str, ConceptList]
    """List ('sector', 'materiaal', 'leefomgeving') -> its concepts by IRI, name, notation
    and last IRI segment (krbgraph.measurements.concepts)."""
    labels: dict[str, dict[str, str]]
    """Indicator IRI -> key (IRI, notation, folded name) -> ranked concept of the ordered
    value list its label norms use (energielabel A..G)."""
    label_names: dict[str, list[str]]
    """Indicator IRI -> the notations of those labels, best first (for messages)."""
    norm_units: dict[str, set[str]] = field(default_factory=dict)
    """Indicator IRI -> the units of the number norms on it. For an indicator without a
    unit of its own these are what a measurement must convert to: nothing else says
    what the indicator measures."""
    own_units: dict[str, Unit] = field(default_factory=dict)
    """IRI -> a unit the registry declares or uses that is not in the unit catalogue (a
    municipality's own, such as containerledigingen per week): named by its IRI, as the
    workbook's policy sheets take it, and converting to nothing but itself."""
    gone: dict[str, dict[str, list[Gone]]] = field(default_factory=dict)
    """'indicator' or 'area' -> key -> the things it named that only the replaced graphs
    hold (Registry.read's ``replaced``), taken out of ``indicators`` and ``areas``."""
    own: frozenset[str] = frozenset()
    """The IRIs of what ``extra`` (the workbook being imported) holds: a text that names
    one of those alone names it, whatever the import deletes that had the same name."""

    @classmethod
    def read(
        cls,
        store: Store,
        extra: Graph | None = None,
        wanted: Wanted | None = None,
        *,
        replaced: Iterable[str] = (),
    ) -> Registry:
        """What ``store`` holds, and ``extra``: the policy a workbook is about to load
        with its measurements, so its own indicators and areas can be named.

        ``replaced``: the graphs the import replaces (a workbook's graph and its
        ``{graph}/metingen``). An indicator or area that only they hold, and ``extra``
        does not, goes with them (a row deleted from the workbook while a row of sheet
        metingen still names it): it is no thing to name, and a text that named it is
        kept in ``gone`` to say so, as a policy sheet's cell is refused
        (krbgraph.excel.elsewhere).

        ``wanted``: only the indicators and areas the rows name by IRI or code are read
        (index lookups), and every one only when a text is none of those (a name): at
        a million triples reading all 41,000 areas and 9,700 indicators took 3.5 s."""

        def rows(sparql: str) -> Iterable[tuple[str, list[str | None]]]:
            yield from _rows(store, sparql)
            if extra is not None:
                yield from _graph_rows(extra, sparql)

        indicators, codes, exact = _indicator_tables(rows(_for(_INDICATORS, wanted, "indicator")))
        # A name is read whole only from every indicator: those named by IRI or code may
        # share it with others (two indicators with one name).
        if wanted is not None and not wanted.indicators <= exact:
            indicators, codes, _ = _indicator_tables(rows(_INDICATORS))
        areas = _area_table(rows(_for(_AREAS, wanted, "area")))
        if wanted is not None and not all(k in areas or k.upper() in areas for k in wanted.areas):
            areas = _area_table(rows(_AREAS))
        units_of = _NORM_UNITS
        if wanted is not None:
            measured = sorted({i.iri for named in indicators.values() for i in named})
            only = _values("i", measured, []) if measured else "FILTER (false)"
            units_of = _NORM_UNITS.replace("WHERE {", f"WHERE {{ {only}", 1)
        sources: dict[str, set[str]] = defaultdict(set)
        for iri, (code,) in rows(_SOURCES):
            sources[iri].add(iri)
            if code:
                sources[code].add(iri)
        concepts = concept_lists(rows(CONCEPTS))
        labels: dict[str, dict[str, str]] = defaultdict(dict)
        ranked: dict[str, dict[str, tuple[float, str]]] = defaultdict(dict)
        for indicator, (concept, rank, notation, name) in _label_rows(store, extra):
            if concept is None:
                continue  # bound in every solution; the check tells the type checker
            table = labels[indicator]
            table[concept] = concept
            for text in (notation, name):
                if text:
                    table.setdefault(text, concept)
                    table.setdefault(text.casefold(), concept)
            shown = notation or name or concept
            ranked[indicator][concept] = (-float(rank or 0), shown)
        names = {i: [shown for _, shown in sorted(c.values())] for i, c in ranked.items()}
        norm_units: dict[str, set[str]] = defaultdict(set)
        for indicator, (unit,) in rows(units_of):
            if unit is not None:
                norm_units[indicator].add(unit)
        known = default_catalogue()
        own_units = {
            iri: Unit(iri, None, (), (), "", None) for iri, _ in rows(_UNITS) if iri not in known
        }
        gone = _only_in(store, extra, frozenset(replaced))
        return cls(
            _without(indicators, gone),
            codes,
            _without(areas, gone),
            {key: sorted(iris) for key, iris in sources.items()},
            concepts,
            dict(labels),
            names,
            dict(norm_units),
            own_units,
            {"indicator": _gone(indicators, gone), "area": _gone(areas, gone)},
            frozenset() if extra is None else frozenset(str(s) for s in extra.subjects()),
        )

    def indicator(self, text: str) -> list[Indicator]:
        """The indicators ``text`` names: by IRI or code, else by name with case ignored.
        More than one is ambiguous (two municipalities' GEL-I01 in a shared store, two
        indicators with one name): the row must give the IRI, as for an area."""
        return self.indicators.get(text) or self.indicators.get(text.casefold(), [])

    def source(self, text: str) -> list[str]:
        """The data sources ``text`` names by IRI or code; more than one is ambiguous."""
        return self.sources.get(text, [])

    def gone_indicators(self, text: str) -> list[Gone]:
        """The indicators ``text`` named (as ``indicator`` looks it up) that go with the
        replaced graphs."""
        table = self.gone.get("indicator", {})
        return table.get(text) or table.get(text.casefold(), [])

    def gone_areas(self, text: str) -> list[Gone]:
        """The areas ``text`` named (as resolving.area_of looks it up) that go with the
        replaced graphs."""
        table = self.gone.get("area", {})
        return table.get(text) or table.get(text.upper(), [])


@dataclass(frozen=True)
class Wanted:
    """The texts rows name indicators and areas by (Registry.read)."""

    indicators: frozenset[str]
    areas: frozenset[str]

    @classmethod
    def by(cls, rows: Iterable[Row]) -> Wanted:
        listed = list(rows)
        return cls(frozenset(r.indicator for r in listed), frozenset(r.gebied for r in listed))


def _indicator_tables(
    found: Iterable[tuple[str, list[str | None]]],
) -> tuple[dict[str, list[Indicator]], dict[str, str], set[str]]:
    """Key (IRI, code, folded name) -> the indicators it names, indicator -> code, and
    the keys that are IRIs or codes.

    An IRI or code names every indicator that has it, and hides a name that is the same
    text; a name (case folded) names every indicator that has it."""
    units: dict[str, str | None] = {}
    codes: dict[str, str] = {}
    keys: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    for iri, (code, unit, name) in found:
        units[iri] = unit
        keys[iri].add(iri)
        if code:
            keys[code].add(iri)
            codes[iri] = code
        if name:
            names[name.casefold()].add(iri)
    exact = set(keys)
    for name, iris in names.items():
        if name not in exact:
            keys[name] = iris
    indicators = {
        key: [Indicator(iri, units[iri]) for iri in sorted(iris)] for key, iris in keys.items()
    }
    return indicators, codes, exact


def _area_table(found: Iterable[tuple[str, list[str | None]]]) -> dict[str, list[Area]]:
    """Key (IRI, code, CBS code) -> the areas it may name."""
    texts: dict[str, list[str | None]] = defaultdict(list)
    years: dict[str, int | None] = {}
    for iri, (code, notation, year) in found:
        texts[iri].extend([code, notation])
        years[iri] = int(year[:4]) if year else None
    areas: dict[str, list[Area]] = defaultdict(list)
    for iri, named in texts.items():
        area = Area(iri, tuple(sorted({t for t in named if t})), years[iri])
        for key in {iri, *area.codes}:
            areas[key].append(area)
    return dict(areas)


def _for(sparql: str, wanted: Wanted | None, kind: str) -> str:
    """``sparql`` (_INDICATORS or _AREAS) for the things ``wanted`` names by IRI or code
    only: its first pattern joined with those, looked up in the engine's indexes."""
    if wanted is None:
        return sparql
    texts = sorted(wanted.indicators if kind == "indicator" else wanted.areas)
    if kind == "area":
        texts = sorted({*texts, *(text.upper() for text in texts)})
    variable = "i" if kind == "indicator" else "g"
    keys = ["dct:identifier"] if kind == "indicator" else ["dct:identifier", "skos:notation"]
    iris = [text for text in texts if _is_iri(text)]
    # A subquery, so Oxigraph finds the things first and joins them with the rest by
    # hash: a UNION before the rest made it read every area and try each branch per
    # area (13 s to 3 minutes for 200 areas at a million triples, 0.06 s now).
    # (No VALUES block without terms: rdflib, which reads a workbook's graph, fails on it.)
    branches = [f"{{ {_values(variable, iris, [])} }}"] if iris else []
    branches += [
        f"{{ {_values('sleutel', [], texts)} ?{variable} {key} ?sleutel }}" for key in keys if texts
    ]
    chosen = " UNION ".join(branches) or "FILTER (false)"
    found = f"{{ SELECT DISTINCT ?{variable} WHERE {{ {chosen} }} }}"
    return sparql.replace("WHERE {", f"WHERE {{ {found}", 1)


def _values(variable: str, iris: list[str], texts: list[str]) -> str:
    terms = [str(ox.NamedNode(iri)) for iri in iris] + [str(ox.Literal(t)) for t in texts]
    return f"VALUES ?{variable} {{ {' '.join(terms)} }}"


def _is_iri(text: str) -> bool:
    if not text.startswith(("http://", "https://", "urn:")):
        return False
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


_INDICATORS = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?i ?code ?unit ?name WHERE {
  ?i a krb:Beleidsindicator .
  OPTIONAL { ?i dct:identifier ?code }
  OPTIONAL { ?i qudt:hasUnit ?unit }
  OPTIONAL { ?i rdfs:label ?name }
}
"""
_AREAS = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?g ?code ?notation ?year WHERE {
  ?g a krb:Werkingsgebied .
  OPTIONAL { ?g dct:identifier ?code }
  OPTIONAL { ?g skos:notation ?notation }
  OPTIONAL { ?g krb:cbsJaar ?year }
}
"""
_LABELS = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?i ?c ?rank ?notation ?name WHERE {
  ?norm krb:indicator ?i ; krb:waardeBegrip/skos:inScheme ?list .
  ?c skos:inScheme ?list ; krb:rangorde ?rank .
  OPTIONAL { ?c skos:notation ?notation }
  OPTIONAL { ?c skos:prefLabel ?name }
}
"""
_LABEL_PARTS = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT {
  ?norm krb:indicator ?i ; krb:waardeBegrip ?w .
  ?c skos:inScheme ?list ; krb:rangorde ?rank ; skos:notation ?notation ; skos:prefLabel ?name .
  ?member skos:inScheme ?list .
} WHERE {
  { ?norm krb:waardeBegrip ?w ; krb:indicator ?i }
  UNION
  {
    ?c krb:rangorde ?rank ; skos:inScheme ?list .
    OPTIONAL { ?c skos:notation ?notation }
    OPTIONAL { ?c skos:prefLabel ?name }
  }
  UNION
  {
    { SELECT DISTINCT ?list WHERE { ?ranked krb:rangorde ?any ; skos:inScheme ?list } }
    ?member skos:inScheme ?list .
  }
}
"""
"""What the store adds to _LABELS's join: its label norms, its ranked concepts and the
other members of their value lists. Small beside the store (a few norms per indicator,
a few labels per list), so it joins with a workbook's graph in memory."""
_NORM_UNITS = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
SELECT DISTINCT ?i ?unit WHERE { ?norm krb:indicator ?i ; qudt:hasUnit ?unit }
"""
_SOURCES = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?d ?code WHERE { ?d a dcat:Dataset . OPTIONAL { ?d dct:identifier ?code } }
"""
_UNITS = """
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX krb: <https://data.krb.nl/def/krb#>
SELECT DISTINCT ?u ?none WHERE {
  { ?i a krb:Beleidsindicator ; qudt:hasUnit ?u }
  UNION { ?n a krb:Beleidsnorm ; qudt:hasUnit ?u }
  UNION { ?u a qudt:Unit FILTER (!STRSTARTS(STR(?u), "http://qudt.org/vocab/unit/")) }
  FILTER (isIRI(?u))
}
"""


_ONLY_IN = """
PREFIX krb: <https://data.krb.nl/def/krb#>
SELECT DISTINCT ?s ?kind ?g WHERE {
  VALUES ?g { %s }
  VALUES ?kind { krb:Beleidsindicator krb:Werkingsgebied }
  GRAPH ?g { ?s a ?kind }
  FILTER NOT EXISTS { GRAPH ?other { ?s a ?kind } FILTER (?other NOT IN (%s)) }
}
"""
"""The indicators and areas typed in the replaced graphs (the first list) and in no graph
but those and the model's (the second)."""


def _only_in(store: Store, extra: Graph | None, replaced: frozenset[str]) -> dict[str, Gone]:
    """IRI -> the indicators and areas only the graphs ``replaced`` hold, ``extra`` not
    (Registry.read). The model's graphs hold no registry things: the derived graph's
    types of the replaced graphs' things go with them."""
    if not replaced:
        return {}
    listed = " ".join(str(ox.NamedNode(graph)) for graph in sorted(replaced))
    skipped = ", ".join(str(ox.NamedNode(g)) for g in sorted(replaced | model_graph_iris()))
    graphs: dict[str, set[str]] = defaultdict(set)
    for thing, kind, graph in store.query(_ONLY_IN % (listed, skipped)).rows:
        if thing is None or kind is None or graph is None:
            continue  # bound in every solution; the check tells the type checker
        if extra is not None and (URIRef(str(thing)), RDF.type, URIRef(str(kind))) in extra:
            continue  # the workbook describes it again: it stays
        graphs[str(thing)].add(str(graph))
    return {iri: Gone(iri, tuple(sorted(found))) for iri, found in graphs.items()}


T = TypeVar("T", Indicator, Area)


def _without(table: dict[str, list[T]], gone: dict[str, Gone]) -> dict[str, list[T]]:
    """``table`` (key -> indicators or areas) without the things in ``gone``."""
    if not gone:
        return table
    kept = {key: [t for t in things if t.iri not in gone] for key, things in table.items()}
    return {key: things for key, things in kept.items() if things}


def _gone(table: dict[str, list[T]], gone: dict[str, Gone]) -> dict[str, list[Gone]]:
    """Key -> the things of ``gone`` that ``table`` has under it."""
    found = {key: [gone[t.iri] for t in things if t.iri in gone] for key, things in table.items()}
    return {key: things for key, things in found.items() if things}


def _rows(store: Store, sparql: str) -> Iterable[tuple[str, list[str | None]]]:
    """The solutions as text: the first variable, bound in every solution of the queries
    above, and the others, which may be unbound (None)."""
    for first, *rest in store.query(sparql).rows:
        yield str(first), [None if term is None else str(term) for term in rest]


def _label_rows(store: Store, extra: Graph | None) -> Iterable[tuple[str, list[str | None]]]:
    """The solutions of _LABELS over the store and ``extra`` together.

    One join across both: a workbook's label norm (in ``extra``) names a label of the
    model's value list (in the store), so neither half alone has a solution. The store
    is not copied: only the triples _LABELS can use (_LABEL_PARTS) are read from it
    and queried beside ``extra``."""
    if extra is None:
        return _rows(store, _LABELS)
    parts = store.query(_LABEL_PARTS).graph
    if parts is None:  # a CONSTRUCT always answers with a graph
        return _graph_rows(extra, _LABELS)
    return _graph_rows(ReadOnlyGraphAggregate([extra, parts]), _LABELS)


def _graph_rows(graph: Graph, sparql: str) -> Iterable[tuple[str, list[str | None]]]:
    for solution in graph.query(_prepared(sparql)):
        first, *rest = solution  # type: ignore[misc]
        yield str(first), [None if term is None else str(term) for term in rest]


@lru_cache(maxsize=64)
def _prepared(sparql: str) -> Query:
    """rdflib's parse of a query of this module, kept: parsing took 27 ms a query, eight
    per import of a file or workbook, whose small graphs they read in milliseconds. The
    queries with the rows' own IRIs in them (``_for``) differ per import; the bound keeps
    them from piling up."""
    return prepareQuery(sparql)


# ------------------------------------------------------------------------------ graph
