"""Where a measurement import may write, and what names one measurement: the checks
that keep an import from replacing policy or merging two measurements into one.

A measurement is one by its Identity (indicator, area, period, classification), never
by its IRI: the IRI joins codes that may hold '-' themselves, so two measurements can
spell one IRI (indicator GEL-I01 in area parkstraat, indicator GEL in area
I01-parkstraat). assign_iris gives the later of such a pair a suffix derived from its
identity, and already_elsewhere compares identities."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import URIRef

from ..iris import reference
from ..loading import data_graph_iri
from ..store import Store
from .csvrows import Problem
from .lookup import Area

__all__ = [
    "Holders",
    "Identity",
    "already_elsewhere",
    "area_part",
    "assign_iris",
    "foreign_content",
    "measurement_iri",
    "metingen_graph_iri",
]


@dataclass(frozen=True)
class Identity:
    """What makes a measurement one: indicator, area, period and classification (IRIs),
    whatever its source, graph or IRI."""

    indicator: str
    area: str
    start: date
    end: date
    concepts: frozenset[tuple[str, str]]
    """(column, concept IRI): sector, materiaal, leefomgeving."""


def metingen_graph_iri(base_iri: str, path: Path) -> str:
    """``{base}/graph/metingen/{slug of the file name without extension}``, the slug a
    registry file of that name gets (krbgraph.loading.data_graph_iri).

    Raises LoadError for a name without a letter or digit the slug keeps ('μετρήσεις.csv',
    '€.csv'): no graph is named for it, the user gives one (--graph)."""
    base = base_iri.rstrip("/")
    slug = data_graph_iri(base, path, room=len("metingen/")).removeprefix(f"{base}/graph/")
    return f"{base}/graph/metingen/{slug}"


_WRITTEN_TYPES = (
    "http://www.w3.org/ns/sosa/Observation",
    "http://www.w3.org/ns/sosa/Procedure",
    "http://qudt.org/schema/qudt/QuantityValue",
    "http://www.w3.org/2006/time#Interval",
    "http://purl.org/dc/terms/PeriodOfTime",
)
"""The types of what an import writes (krbgraph.measurements.observations)."""

_FOREIGN = """
SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?type }
  FILTER (?type NOT IN (%s))
} GROUP BY ?type ORDER BY DESC(?n) LIMIT 5"""


def foreign_content(store: Store, target: str, file: str) -> list[Problem]:
    """A problem when ``target`` holds things no measurement import writes (the policy of
    `--graph .../graph/geluid`, typed for "the noise measurements"): the import replaces
    its graph, and it deleted that policy without a word (exit 0)."""
    types = ", ".join(f"<{t}>" for t in _WRITTEN_TYPES)
    rows = store.query(_FOREIGN % types, bindings={"g": URIRef(target)}).rows
    if not rows:
        return []
    kinds = ", ".join(f"{count} {_local_name(str(kind))}" for kind, count in rows)
    return [
        Problem(
            file,
            None,
            None,
            f"graaf <{target}> bevat wat geen metingenimport schrijft ({kinds}); deze import "
            "zou het verwijderen. Importeer in een andere graaf (zonder --graph: een eigen "
            "graaf per bestand), of verwijder de graaf eerst (krb drop) als dat de bedoeling is",
            f"graph <{target}> holds what no measurement import writes ({kinds}); this import "
            "would delete it. Import into another graph (without --graph: a graph of its own "
            "per file), or drop the graph first (krb drop) if that is meant",
        )
    ]


def area_part(area: Area) -> str:
    """The area's part of a measurement's name: its CBS code or code, else its IRI's
    last segment."""
    return area.codes[0] if area.codes else area.iri.rsplit("/", 1)[-1]


def measurement_iri(
    base: str,
    identity: Identity,
    indicator_code: str,
    area_codes: tuple[str, ...],
    classification: list[str],
) -> str:
    """``{base}/id/meting/{indicator}-{area}-{start}-{end}[-{classification}]``.

    The indicator and the area are written as the code the registry made the thing's
    IRI of under ``base`` (``{base}/id/werkingsgebied/WK999901``: the IRIs of a
    municipality's own measurements read as before; an area named ``centrum`` with CBS
    code WK999901 as ``centrum``). Any other thing's first code is followed by a short
    hash of its IRI: two municipalities' GEL-I01 in a national store, or two editions of
    the CBS map carrying one wijk code, are other things, and made of the code alone
    their measurements got one IRI and the second was refused as the same. This plain
    IRI depends on these IRIs and codes only; the IRI a measurement gets is this one
    unless a measurement of another identity spells it too (assign_iris).
    """
    parts = [
        _part(identity.indicator, (indicator_code,), base, "beleidsindicator"),
        _part(
            identity.area, area_codes or (identity.area.rsplit("/", 1)[-1],), base, "werkingsgebied"
        ),
        identity.start.isoformat(),
        identity.end.isoformat(),
        *classification,
    ]
    return f"{base}/id/meting/{reference('-'.join(parts))}"


def _part(iri: str, codes: tuple[str, ...], base: str, kind: str) -> str:
    for code in codes:
        with suppress(ValueError):  # a code no IRI is made of ('...') names it by hash
            if iri == f"{base}/id/{kind}/{reference(code)}":
                return code
    return f"{codes[0]}-{hashlib.sha256(iri.encode()).hexdigest()[:8]}"


def identity_suffix(identity: Identity, length: int = 8) -> str:
    """A short hash of the whole identity (indicator and area IRIs, period, classification):
    the same measurement gets the same suffix in every file, row order and store."""
    concepts = sorted(f"{column} {concept}" for column, concept in identity.concepts)
    text = "\n".join(
        [identity.indicator, identity.area, identity.start.isoformat(), identity.end.isoformat()]
        + concepts
    )
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def _candidates(plain: str, identity: Identity) -> tuple[str, str, str]:
    """The IRIs a measurement may get, in order: its plain IRI, then with a suffix of its
    identity, then with the whole hash (only when data written for it holds the first
    two under another identity)."""
    return (
        plain,
        f"{plain}-{identity_suffix(identity)}",
        f"{plain}-{identity_suffix(identity, 64)}",
    )


@dataclass(frozen=True)
class Holder:
    """A graph holding a thing (sosa:hasFeatureOfInterest) at a measurement IRI."""

    graph: str
    source: str | None
    identity: Identity | None
    """The measurement it is; None when it is none of one identity (a realised effect,
    two areas or periods, no indicator)."""


# Three lookups by subject, each a few index reads per IRI: written with OPTIONALs or a
# second VALUES block, one query read the store's measurements for every IRI asked
# (20,000 IRIs: 17 s, as long for IRIs nothing holds).
_GRAPHS = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
SELECT DISTINCT ?m ?g WHERE { VALUES ?m { %s } GRAPH ?g { ?m sosa:hasFeatureOfInterest [] } }
"""
_FACTS = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX krb: <https://data.krb.nl/def/krb#>
SELECT ?m ?g ?p ?o WHERE {
  VALUES ?m { %s }
  GRAPH ?g { ?m ?p ?o }
  FILTER (?p IN (sosa:hasFeatureOfInterest, sosa:observedProperty, krb:beoogdEffect,
                 krb:sector, krb:materiaal, krb:leefomgeving, dct:source))
}
"""
_PERIODS = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?m ?g ?t ?p ?o WHERE {
  VALUES ?m { %s }
  GRAPH ?g { ?m sosa:phenomenonTime ?t . ?t ?p ?o }
  FILTER (?p IN (dcat:startDate, dcat:endDate))
}
"""
_SOSA = "http://www.w3.org/ns/sosa/"
_CLASSIFIED = {
    f"https://data.krb.nl/def/krb#{c}": c for c in ("sector", "materiaal", "leefomgeving")
}


class Holders:
    """Which graphs hold a thing at an IRI, and as which measurement, read from the store
    in batches of IRIs, each once per import: first only the graphs, then what a
    holder is for the few IRIs where that decides (describe)."""

    def __init__(self, store: Store, target: str) -> None:
        self.store = store
        self.target = target
        self._graphs: dict[str, list[str]] = {}
        self._described: dict[str, list[Holder]] = {}

    def _ask(self, query: str, iris: list[str]) -> Iterable[tuple[object, ...]]:
        for start in range(0, len(iris), _CHUNK):
            values = " ".join(f"<{iri}>" for iri in iris[start : start + _CHUNK])
            yield from self.store.query(query % values).rows

    def read(self, iris: Iterable[str]) -> None:
        """Read the graphs holding each IRI not read yet."""
        new = sorted({iri for iri in iris if iri not in self._graphs})
        for iri in new:
            self._graphs[iri] = []
        for m, g in self._ask(_GRAPHS, new):
            self._graphs[str(m)].append(str(g))

    def graphs(self, iri: str) -> list[str]:
        self.read([iri])
        return self._graphs[iri]

    def held_elsewhere(self, iri: str) -> bool:
        return any(graph != self.target for graph in self.graphs(iri))

    def describe(self, iris: Iterable[str]) -> None:
        """Read what the holders of each IRI are, for those held and not described yet."""
        new = sorted({iri for iri in iris if iri not in self._described and self.graphs(iri)})
        facts: dict[tuple[str, str], dict[str, set[str]]] = {}
        for m, g, p, o in self._ask(_FACTS, new):
            facts.setdefault((str(m), str(g)), {}).setdefault(str(p), set()).add(str(o))
        periods: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
        for m, g, t, p, o in self._ask(_PERIODS, new):
            periods.setdefault((str(m), str(g)), {}).setdefault(str(t), {})[str(p)] = str(o)
        for iri in new:
            self._described[iri] = [
                Holder(
                    graph,
                    min(
                        facts.get((iri, graph), {}).get("http://purl.org/dc/terms/source", ()),
                        default=None,
                    ),
                    _identity(facts.get((iri, graph), {}), periods.get((iri, graph), {})),
                )
                for graph in sorted(set(self._graphs[iri]))
            ]

    def elsewhere(self, iri: str) -> list[Holder]:
        """The holders of ``iri`` in graphs other than the import's own."""
        if not self.held_elsewhere(iri):
            return []
        self.describe([iri])
        return [holder for holder in self._described[iri] if holder.graph != self.target]

    def in_target(self, iri: str) -> list[Holder]:
        """The holders of ``iri`` in the graph the import replaces."""
        if self.target not in self.graphs(iri):
            return []
        self.describe([iri])
        return [holder for holder in self._described[iri] if holder.graph == self.target]


def _identity(facts: dict[str, set[str]], periods: dict[str, dict[str, str]]) -> Identity | None:
    """The identity of a holder, from its facts (predicate -> objects) and periods (node
    -> predicate -> date text); None when it has none of one."""
    indicators = facts.get(_SOSA + "observedProperty", set())
    areas = facts.get(_SOSA + "hasFeatureOfInterest", set())
    if len(indicators) != 1 or len(areas) != 1 or len(periods) != 1:
        return None
    if facts.get("https://data.krb.nl/def/krb#beoogdEffect"):
        return None  # a realised effect is a change, not a measurement of a level
    [period] = periods.values()
    try:
        start = date.fromisoformat(period["http://www.w3.org/ns/dcat#startDate"])
        end = date.fromisoformat(period["http://www.w3.org/ns/dcat#endDate"])
    except (KeyError, ValueError):  # no date an import writes: a moment, a time zone
        return None
    concepts = frozenset(
        (column, concept)
        for predicate, column in _CLASSIFIED.items()
        for concept in facts.get(predicate, ())
    )
    return Identity(next(iter(indicators)), next(iter(areas)), start, end, concepts)


def assign_iris(wanted: list[tuple[str, Identity]], holders: Holders | None) -> list[str]:
    """The IRI of each (plain IRI, identity) of a file, in the file's order; identities
    differ (a file's second row of one identity is refused before).

    The plain IRI (measurement_iri) is kept unless a measurement of another identity
    holds it: an earlier row of the file, or a graph other than the import's own. Joined
    with '-' from codes that hold '-' themselves, two measurements spell one IRI
    (GEL-I01 in parkstraat, GEL in I01-parkstraat), and the second was refused as the
    same measurement. The later one gets the plain IRI with a suffix of its whole
    identity (identity_suffix): the IRIs of measurements whose plain IRI is theirs alone
    stay what they were, and the suffix, unlike a counter, depends on nothing but the
    measurement, so it is the same in every store and row order. A measurement the
    graph being replaced already holds at one of its candidate IRIs keeps that one when
    it is still free: importing the file again, with rows added or in another order,
    never renames a measurement. ``holders`` None: the store is not asked, only the
    file's rows are.
    """
    candidates = [_candidates(plain, identity) for plain, identity in wanted]
    taken: set[str] = set()
    chosen: dict[int, str] = {}

    def free(iri: str, identity: Identity) -> bool:
        if iri in taken:
            return False
        return holders is None or all(h.identity == identity for h in holders.elsewhere(iri))

    if holders is not None:
        holders.read(iri for first, second, _ in candidates for iri in (first, second))
        shared = Counter(plain for plain, _ in wanted)
        # Only where another measurement may hold a candidate does what holds it decide:
        # elsewhere every row gets its plain IRI whatever its graph holds there.
        contested = [
            n
            for n, (first, second, _) in enumerate(candidates)
            if shared[first] > 1 or holders.held_elsewhere(first) or holders.graphs(second)
        ]
        holders.describe(iri for n in contested for iri in candidates[n][:2])
        for n in contested:
            identity = wanted[n][1]
            for iri in candidates[n][:2]:
                held = any(h.identity == identity for h in holders.in_target(iri))
                if held and free(iri, identity):
                    chosen[n] = iri
                    taken.add(iri)
                    break
    for n, (_, identity) in enumerate(wanted):
        if n not in chosen:
            # The last candidate when none is free: already_elsewhere says who holds it.
            iri = next((c for c in candidates[n] if free(c, identity)), candidates[n][-1])
            chosen[n] = iri
            taken.add(iri)
    return [chosen[n] for n in range(len(wanted))]


# The measurements in graphs other than the target of the (indicator, area) pairs asked,
# with their period, classification and a source, in one query (a blank node cannot be
# named again in a second). The engine reads an area's measurements for every VALUES
# row, so a pair with many rows (a file of 5,000 daily values for one area: 30 s and a
# time-out with a row each) is asked once with every period (PERIODS_APART), and a pair
# with a few rows with their periods, so only what matches comes back (a yearly file of
# 20,000 rows in 4,000 areas: 11 s against 19 s with every period of every pair).
_ELSEWHERE = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX krb: <https://data.krb.nl/def/krb#>
SELECT ?g ?i ?a ?s ?e
       (GROUP_CONCAT(DISTINCT CONCAT(STR(?k), " ", STR(?c)); separator="|") AS ?indeling)
       (SAMPLE(?b) AS ?bron)
WHERE {
  VALUES (?i ?a ?s ?e) { %s }
  GRAPH ?g { ?m sosa:hasFeatureOfInterest ?a . ?m sosa:observedProperty ?i .
             ?m sosa:phenomenonTime ?p . ?p dcat:startDate ?s . ?p dcat:endDate ?e }
  FILTER (?g != ?doel)
  # A realised effect (krb:GerealiseerdEffect) is a change, not a measurement of a level.
  FILTER NOT EXISTS { ?m krb:beoogdEffect [] }
  OPTIONAL { GRAPH ?g { ?m ?k ?c FILTER (?k IN (krb:sector, krb:materiaal, krb:leefomgeving)) } }
  OPTIONAL { GRAPH ?g { ?m dct:source ?b } }
} GROUP BY ?m ?g ?i ?a ?s ?e
"""
_CHUNK = 500


def already_elsewhere(
    store: Store,
    lines: dict[str, int],
    identities: dict[str, Identity],
    target: str,
    file: str,
    holders: Holders | None = None,
) -> list[Problem]:
    """A problem for each new measurement (IRI -> line, IRI -> identity) that a graph
    other than ``target`` holds: the same indicator, area, period and classification,
    whatever its IRI (an import under another base, a file loaded as Turtle). Said with
    the graph and the source that hold it. A thing of another identity at its IRI is
    another measurement, never called the same; the new statements would join its
    own, so that is a problem too, said as such (assign_iris gives a measurement an IRI
    no other holds, unless data written for it holds all of its candidates)."""
    holders = holders if holders is not None else Holders(store, target)
    holders.read(lines)
    holders.describe(iri for iri in lines if holders.held_elsewhere(iri))
    held: dict[str, tuple[str, str | None]] = {}
    other: dict[str, tuple[str, str | None]] = {}
    for iri in sorted(lines):
        for holder in holders.elsewhere(iri):
            found = held if holder.identity == identities[iri] else other
            found.setdefault(iri, (holder.graph, holder.source))
    wanted: dict[tuple[str, str, str, str, frozenset[tuple[str, str]]], list[str]] = {}
    for iri, identity in identities.items():
        key = (
            identity.indicator,
            identity.area,
            identity.start.isoformat(),
            identity.end.isoformat(),
            identity.concepts,
        )
        wanted.setdefault(key, []).append(iri)
    rows = _values_rows(identities.values())
    doel = {"doel": URIRef(target)}
    for start in range(0, len(rows), _CHUNK):
        values = " ".join(rows[start : start + _CHUNK])
        for g, i, a, s, e, indeling, b in store.query(_ELSEWHERE % values, bindings=doel).rows:
            key = (str(i), str(a), str(s), str(e), _classification(indeling))
            for new in wanted.get(key, ()):
                held.setdefault(new, (str(g), _text(b)))
    said = [(iri, place, _SAME) for iri, place in held.items()]
    said += [(iri, place, _TAKEN) for iri, place in other.items() if iri not in held]
    problems = []
    for iri, (graph, source), (nl, en) in said:
        where = graph + (f" ({source})" if source is not None else "")
        problems.append(
            Problem(file, lines[iri], None, nl.format(where=where), en.format(where=where), iri)
        )
    return sorted(problems, key=lambda p: (p.line or 0, p.value or ""))


_SAME = (
    "deze meting staat al in graaf {where}; per indicator, gebied, periode en indeling kan "
    "er één meting zijn, ook bij een andere bron: haal hem daar eerst weg",
    "this measurement is already in graph {where}; there can be one measurement per "
    "indicator, area, period and classification, also from another source: remove it "
    "there first",
)
_TAKEN = (
    "het IRI van deze meting is in graaf {where} al van iets anders (een andere indicator, "
    "gebied, periode of indeling); de twee zouden één worden: haal het daar weg",
    "the IRI of this measurement is already another thing's in graph {where} (another "
    "indicator, area, period or classification); the two would become one: remove it there",
)


PERIODS_APART = 4
"""Rows of one indicator and area up to which each period is asked for apart."""


def _values_rows(identities: Iterable[Identity]) -> list[str]:
    """VALUES rows (indicator area start end) for _ELSEWHERE: a pair with more than
    PERIODS_APART rows once, its periods unbound (UNDEF)."""
    periods: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for identity in identities:
        pair = (identity.indicator, identity.area)
        periods.setdefault(pair, set()).add((identity.start.isoformat(), identity.end.isoformat()))
    rows = []
    for (indicator, area), spans in sorted(periods.items()):
        if len(spans) > PERIODS_APART:
            rows.append(f"(<{indicator}> <{area}> UNDEF UNDEF)")
            continue
        rows += [
            f"(<{indicator}> <{area}> {_date(start)} {_date(end)})" for start, end in sorted(spans)
        ]
    return rows


def _date(text: str) -> str:
    return f'"{text}"^^<http://www.w3.org/2001/XMLSchema#date>'


def _classification(text: object) -> frozenset[tuple[str, str]]:
    """(column, concept) pairs from "predicate concept|..." as _ELSEWHERE groups them."""
    if text is None or not str(text):
        return frozenset()
    pairs = (part.split(" ", 1) for part in str(text).split("|"))
    return frozenset((_local_name(kind), concept) for kind, concept in pairs)


def _text(term: object) -> str | None:
    return None if term is None else str(term)


def _local_name(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
