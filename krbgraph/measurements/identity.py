"""Where a measurement import may write, and what names one measurement: the checks
that keep an import from replacing policy or merging two measurements into one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
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
    "Identity",
    "already_elsewhere",
    "area_part",
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
    slug = data_graph_iri(base, path).removeprefix(f"{base}/graph/")
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
    their measurements got one IRI and the second was refused as the same. The IRI
    depends on these IRIs and codes only, never on what else the store holds, so
    importing a file again names its rows as before.
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
        if iri == f"{base}/id/{kind}/{reference(code)}":
            return code
    return f"{codes[0]}-{hashlib.sha256(iri.encode()).hexdigest()[:8]}"


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
_SAME_IRI = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?m ?g (SAMPLE(?b) AS ?bron) WHERE {
  VALUES ?m { %s }
  GRAPH ?g { ?m sosa:hasFeatureOfInterest [] }
  FILTER (?g != ?doel)
  OPTIONAL { GRAPH ?g { ?m dct:source ?b } }
} GROUP BY ?m ?g
"""
_CHUNK = 500


def already_elsewhere(
    store: Store,
    lines: dict[str, int],
    identities: dict[str, Identity],
    target: str,
    file: str,
) -> list[Problem]:
    """A problem for each new measurement (IRI -> line, IRI -> identity) that a graph
    other than ``target`` holds: the same indicator, area, period and classification,
    whatever its IRI (an import under another base, a file loaded as Turtle), or a
    thing with its IRI, whose statements the new ones would join. Said with the graph
    and the source that hold it."""
    held: dict[str, tuple[str, str | None]] = {}
    iris = sorted(lines)
    doel = {"doel": URIRef(target)}
    for start in range(0, len(iris), _CHUNK):
        chunk = iris[start : start + _CHUNK]
        values = " ".join(f"<{iri}>" for iri in chunk)
        for same, in_graph, its_source in store.query(_SAME_IRI % values, bindings=doel).rows:
            held.setdefault(str(same), (str(in_graph), _text(its_source)))
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
    for start in range(0, len(rows), _CHUNK):
        values = " ".join(rows[start : start + _CHUNK])
        for g, i, a, s, e, indeling, b in store.query(_ELSEWHERE % values, bindings=doel).rows:
            key = (str(i), str(a), str(s), str(e), _classification(indeling))
            for new in wanted.get(key, ()):
                held.setdefault(new, (str(g), _text(b)))
    problems = []
    for iri, (graph, source) in held.items():
        where = graph + (f" ({source})" if source is not None else "")
        problems.append(
            Problem(
                file,
                lines[iri],
                None,
                f"deze meting staat al in graaf {where}; per indicator, gebied, periode en "
                "indeling kan er één meting zijn, ook bij een andere bron: haal hem daar "
                "eerst weg",
                f"this measurement is already in graph {where}; there can be one measurement "
                "per indicator, area, period and classification, also from another source: "
                "remove it there first",
                iri,
            )
        )
    return sorted(problems, key=lambda p: (p.line or 0, p.value or ""))


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
