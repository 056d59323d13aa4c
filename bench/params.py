"""Realistic parameters for the named queries, picked from the registry in the store.

A latency figure only means something for a parameter a user would really
give: a measure that has dwarsverbanden, a street three levels down the area
hierarchy, an object type that norms use and that has superclasses. Each pick
is a query over the loaded registry with a total order (count, then IRI), so
the same data always gives the same parameters, on any backend.

``benchmark_cases`` turns the picks into one case per named query (its
required parameters filled) plus a variant with the optional area and date
filters where a query has them. A query whose required parameter has no pick
still gets a case, marked with what is missing, so a new query in the
catalogue shows up in the results instead of silently disappearing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.term import Identifier

from krbgraph.namespaces import KRB, SCHEME
from krbgraph.queries import Catalogue
from krbgraph.store import Store

__all__ = ["Case", "NoPickError", "Picks", "benchmark_cases", "pick_parameters"]

_PREFIXES = """
PREFIX krb:  <https://data.krb.nl/def/krb#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sosa: <http://www.w3.org/ns/sosa/>
"""

# Each pick lists queries tried in order; the first with an answer wins. The
# first query asks for the most telling case, the later ones relax it so that
# a small registry still gets a parameter.

_MEASURE = [
    # The measure whose effects reach the most themes other than its own.
    """SELECT ?maatregel (COUNT(DISTINCT ?thema) AS ?n) WHERE {
      ?effect krb:maatregel ?maatregel ; krb:norm/krb:indicator/krb:beleidsthema ?thema .
      ?maatregel krb:beleidsthema ?eigen .
      FILTER (?thema != ?eigen)
    } GROUP BY ?maatregel ORDER BY DESC(?n) ?maatregel LIMIT 1""",
]

_EDGE = [
    # The pair of themes the most effects connect: the thickest edge of the network.
    """SELECT ?bron ?doel (COUNT(DISTINCT ?effect) AS ?n) WHERE {
      ?effect krb:maatregel/krb:beleidsthema ?bron ;
              krb:norm/krb:indicator/krb:beleidsthema ?doel .
      FILTER (?bron != ?doel)
    } GROUP BY ?bron ?doel ORDER BY DESC(?n) ?bron ?doel LIMIT 1""",
]

_STREET = [
    # An area three levels down (street in buurt in wijk in gemeente) with the most
    # policy set on it directly.
    """SELECT ?gebied (COUNT(DISTINCT ?ding) AS ?n) WHERE {
      ?gebied krb:ligtIn/krb:ligtIn/krb:ligtIn ?boven .
      ?ding krb:werkingsgebied ?gebied .
    } GROUP BY ?gebied ORDER BY DESC(?n) ?gebied LIMIT 1""",
    """SELECT ?gebied (COUNT(DISTINCT ?ding) AS ?n) WHERE {
      ?gebied krb:ligtIn ?boven .
      OPTIONAL { ?ding krb:werkingsgebied ?gebied }
    } GROUP BY ?gebied ORDER BY DESC(?n) ?gebied LIMIT 1""",
]

_OBJECT_TYPE = [
    # The IMBOR object type with the most norms of its own among those with a
    # superclass that norms also use, so subClassOf* really widens the answer.
    """SELECT ?objecttype (COUNT(DISTINCT ?norm) AS ?n) WHERE {
      ?norm krb:leefomgeving ?objecttype .
      ?objecttype krb:imborObjecttype true ; rdfs:subClassOf+ ?boven .
      FILTER EXISTS { ?andere krb:leefomgeving ?boven }
    } GROUP BY ?objecttype ORDER BY DESC(?n) ?objecttype LIMIT 1""",
    """SELECT ?objecttype (COUNT(DISTINCT ?norm) AS ?n) WHERE {
      ?norm krb:leefomgeving ?objecttype .
      ?objecttype rdfs:subClassOf ?boven .
    } GROUP BY ?objecttype ORDER BY DESC(?n) ?objecttype LIMIT 1""",
]

_ZOEKINGANG = [
    # The zoekingang whose object types carry the most norms.
    """SELECT ?zoekingang (COUNT(DISTINCT ?norm) AS ?n) WHERE {
      ?norm krb:leefomgeving ?objecttype .
      ?objecttype krb:zoekingang ?zoekingang .
    } GROUP BY ?zoekingang ORDER BY DESC(?n) ?zoekingang LIMIT 1""",
]

_CONCEPT = [
    # The sector or material concept that classifies the most norms.
    """SELECT ?begrip (COUNT(DISTINCT ?norm) AS ?n) WHERE {
      ?norm krb:sector|krb:materiaal ?begrip .
    } GROUP BY ?begrip ORDER BY DESC(?n) ?begrip LIMIT 1""",
]

_NORM = [
    # A norm with a validity period, decided on (a besluitproces generated its
    # document) and aimed at by the most measures: a full norm page.
    """SELECT ?norm ?document (COUNT(DISTINCT ?effect) AS ?n) WHERE {
      ?norm a krb:Beleidsnorm ; krb:document ?document ; dct:temporal ?periode .
      FILTER EXISTS { ?besluit prov:generated ?document }
      ?effect krb:norm ?norm .
    } GROUP BY ?norm ?document ORDER BY DESC(?n) ?norm LIMIT 1""",
    """SELECT ?norm ?document WHERE {
      ?norm a krb:Beleidsnorm ; krb:document ?document .
    } ORDER BY ?norm LIMIT 1""",
]

_INDICATOR = [
    # The indicator with the most measurements: the fullest chart.
    """SELECT ?indicator (COUNT(DISTINCT ?meting) AS ?n) WHERE {
      ?meting sosa:observedProperty ?indicator .
      ?indicator a krb:Beleidsindicator .
    } GROUP BY ?indicator ORDER BY DESC(?n) ?indicator LIMIT 1""",
    # A registry without measurements: the indicator most norms are set on.
    """SELECT ?indicator (COUNT(DISTINCT ?norm) AS ?n) WHERE {
      ?norm krb:indicator ?indicator .
    } GROUP BY ?indicator ORDER BY DESC(?n) ?indicator LIMIT 1""",
]

_GRAPH = [
    # The graph holding the most norms: what a workbook or file import writes.
    """SELECT ?graaf (COUNT(DISTINCT ?norm) AS ?n) WHERE {
      GRAPH ?graaf { ?norm a krb:Beleidsnorm }
    } GROUP BY ?graaf ORDER BY DESC(?n) ?graaf LIMIT 1""",
]

_START_DATES = """SELECT DISTINCT ?start WHERE {
  ?ding dct:temporal/dcat:startDate ?start .
} ORDER BY ?start"""

_LABEL = """SELECT ?label WHERE {
  ?ding skos:prefLabel|rdfs:label ?label .
  FILTER (LANGMATCHES(LANG(?label), "nl"))
} ORDER BY ?label LIMIT 1"""

_CODE = """SELECT ?code WHERE { ?ding dct:identifier ?code } ORDER BY ?code LIMIT 1"""

LEEFOMGEVING_SCHEME = SCHEME["leefomgeving"]
"""The IMBOR concept scheme: the largest tree the schema pages draw."""

SEARCH_PREFIX_LENGTH = 5
"""How much of an object type's name a user types into the search."""


class NoPickError(LookupError):
    """The registry holds nothing to pick a parameter from; the message says what."""


@dataclass(frozen=True)
class Picks:
    """The things and values the benchmark queries ask about."""

    measure: str
    measure_code: str
    edge: tuple[str, str]
    street: str
    object_type: str
    search_text: str
    zoekingang: str
    concept: str
    norm: str
    document: str
    indicator: str
    graph: str
    date: str

    def values(self) -> dict[str, str]:
        """Raw parameter values by parameter name, as a user would type them."""
        return {
            "maatregel": self.measure,
            "gebied": self.street,
            "datum": self.date,
            "objecttype": self.object_type,
            "zoekingang": self.zoekingang,
            "begrip": self.concept,
            "instrument": self.norm,
            "norm": self.norm,
            "document": self.document,
            "indicator": self.indicator,
            "graaf": self.graph,
            "ding": self.norm,
            "resource": self.norm,
            "schema": str(LEEFOMGEVING_SCHEME),
            "bron": self.edge[0],
            "doel": self.edge[1],
            "thema": self.edge[0],
            "zoekterm": self.search_text,
            "tekst": self.measure_code,
            "klasse": str(KRB.Stuurinstrument),
        }


_QUERY_VALUES: dict[str, dict[str, str]] = {
    # The list pages show the biggest class of a registry.
    "web-instanties": {"klasse": str(KRB.Beleidsnorm)},
}
"""Values that differ per query for a parameter name used by several queries."""

_BASE_OPTIONAL: dict[str, tuple[str, ...]] = {
    # A fixed date instead of 'today' keeps runs comparable over time.
    "geldig-op": ("datum",),
    # The page behind one edge of the network: the way the web app calls it.
    "web-dwarsverband-maatregelen": ("bron", "doel"),
}
"""Optional parameters filled in the base case because that is how the query is used."""

_FILTERS = ("gebied", "datum")
"""Optional filters that get a case of their own: they change the plan, not just the rows."""


@dataclass(frozen=True)
class Case:
    """One timed query run: a named query with raw parameter values."""

    label: str
    query: str
    values: Mapping[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    """Required parameters without a value; such a case is reported, not run."""


def pick_parameters(store: Store) -> Picks:
    """Deterministic picks from the registry in ``store``.

    Raises NoPickError when the registry lacks what a pick needs (say, no
    measure with an effect), naming the pick.
    """
    measure = _first(store, "maatregel", _MEASURE)["maatregel"]
    edge = _first(store, "bron en doel", _EDGE)
    object_type = _first(store, "objecttype", _OBJECT_TYPE)["objecttype"]
    norm = _first(store, "norm", _NORM)
    label = _one(store, _LABEL, object_type, "naam van het objecttype")
    return Picks(
        measure=str(measure),
        measure_code=_one(store, _CODE, measure, "code van de maatregel"),
        edge=(str(edge["bron"]), str(edge["doel"])),
        street=str(_first(store, "gebied", _STREET)["gebied"]),
        object_type=str(object_type),
        search_text=label.lower()[:SEARCH_PREFIX_LENGTH],
        zoekingang=str(_first(store, "zoekingang", _ZOEKINGANG)["zoekingang"]),
        concept=str(_first(store, "begrip", _CONCEPT)["begrip"]),
        norm=str(norm["norm"]),
        document=str(norm["document"]),
        indicator=str(_first(store, "indicator", _INDICATOR)["indicator"]),
        graph=str(_first(store, "graaf", _GRAPH)["graaf"]),
        date=_median_start_date(store),
    )


def benchmark_cases(catalogue: Catalogue, picks: Picks) -> list[Case]:
    """One case per named query, plus one with its area and date filters where it has them."""
    known = picks.values()
    cases: list[Case] = []
    for name, query in catalogue.items():
        values = {**known, **_QUERY_VALUES.get(name, {})}
        base = {p.name for p in query.parameters if p.required}
        base |= {p for p in _BASE_OPTIONAL.get(name, ()) if p in values}
        missing = tuple(sorted(p for p in base if p not in values))
        chosen = {p: values[p] for p in sorted(base) if p in values}
        cases.append(Case(name, name, chosen, missing))
        filters = [
            p.name
            for p in query.parameters
            if not p.required and p.name in _FILTERS and p.name not in base and p.name in values
        ]
        if filters and not missing:
            label = name + "".join(f" +{p}" for p in filters)
            cases.append(Case(label, name, {**chosen, **{p: values[p] for p in filters}}))
    return cases


def _first(store: Store, what: str, queries: list[str]) -> dict[str, Identifier]:
    for sparql in queries:
        rows = store.query(_PREFIXES + sparql).dicts()
        if rows:
            return rows[0]
    raise NoPickError(f"the registry has nothing to pick a {what} parameter from")


def _one(store: Store, sparql: str, subject: Identifier, what: str) -> str:
    rows = store.query(_PREFIXES + sparql, bindings={"ding": subject}).rows
    if not rows or rows[0][0] is None:
        raise NoPickError(f"no {what} <{subject}> in the registry")
    return str(rows[0][0])


def _median_start_date(store: Store) -> str:
    """The middle start date of all validity periods: some norms in force, some not yet."""
    rows = store.query(_PREFIXES + _START_DATES).rows
    dates = [row[0] for row in rows if isinstance(row[0], Literal)]
    if not dates:
        raise NoPickError("the registry has no validity period (dct:temporal) to pick a date from")
    return str(dates[len(dates) // 2])
