"""Measurements for the research benchmark, shaped like the ones `krb import-metingen` writes.

bench/research.py needs a registry with research data beside it: for some of
its indicators, one measurement per area and year, with values around the
indicator's norms so that normtoets finds some met and some missed, realised
effects recorded for some intended effects, and the data sources they come
from. What to measure is picked from the registry in a store (``pick_scope``),
so the measurements land where the questions look: first the indicators with
the most intended effects, first the areas their norms and effects are set
on, then the municipality, its wijken, buurten and streets in that order.

Each indicator's measurements are one N-Triples file for one graph of its own
(``{base}/graph/metingen/{file}``, as an import of one CSV per source), with
the triples krbgraph.measurements.importing writes for a row: the observation
with its label, indicator, area, period (time:Interval and dct:PeriodOfTime),
result (qudt:QuantityValue in the indicator's unit) and source; a third of the
areas carry the sector of a norm on the indicator, as the GGD monitor's rows
carry ``inwoners``. Random values come from generators seeded with the
indicator and area, so the same registry and sizes give the same files.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal

from krbgraph.iris import reference
from krbgraph.store import Store

__all__ = ["Scope", "pick_scope", "write_measurements"]

_PREFIXES = """
PREFIX krb:  <https://data.krb.nl/def/krb#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX dct:  <http://purl.org/dc/terms/>
"""

_INDICATORS = """SELECT ?indicator ?code ?eenheid (COUNT(DISTINCT ?effect) AS ?n) WHERE {
  ?indicator a krb:Beleidsindicator ; dct:identifier ?code ; qudt:hasUnit ?eenheid .
  OPTIONAL { ?norm krb:indicator ?indicator . ?effect krb:norm ?norm }
} GROUP BY ?indicator ?code ?eenheid ORDER BY DESC(?n) ?indicator"""
"""Indicators with a unit, the most intended effects first (label indicators have none)."""

_NORMS = """SELECT ?indicator ?norm ?operator ?waarde ?gebied ?sector WHERE {
  ?norm krb:indicator ?indicator ; krb:operator ?operator ; qudt:numericValue ?waarde ;
        krb:werkingsgebied ?gebied .
  OPTIONAL { ?norm krb:sector ?sector }
} ORDER BY ?norm"""

_EFFECTS = """SELECT ?effect ?indicator ?waarde ?gebied WHERE {
  ?effect krb:norm/krb:indicator ?indicator ; qudt:numericValue ?waarde ;
          krb:werkingsgebied ?gebied .
} ORDER BY ?effect"""

_AREAS = """SELECT ?gebied ?code ?soort ?boven WHERE {
  ?gebied a krb:Werkingsgebied ; dct:identifier ?code .
  OPTIONAL { ?gebied krb:gebiedssoort ?soort }
  OPTIONAL { ?gebied krb:ligtIn ?boven }
}"""

_LEVELS = ("gemeente", "wijk", "buurt", "straat")
"""Area kinds in the order measurements fill them: CBS areas before streets."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SOSA = "http://www.w3.org/ns/sosa/"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
KRB = "https://data.krb.nl/def/krb#"
QUDT = "http://qudt.org/schema/qudt/"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
TIME_INTERVAL = "<http://www.w3.org/2006/time#Interval>"
LABEL_OPERATORS = ("minimaal", "maximaal")
"""Operators on a level; a norm with one of these sets the centre of the values."""


@dataclass(frozen=True)
class Indicator:
    iri: str
    code: str
    unit: str
    centre: float
    """The values measured lie around this norm value (±25 % per area)."""
    sector: str | None
    """The sector a third of its measurements carry, if any of its norms has one."""


@dataclass
class Scope:
    """What gets measured: indicators, areas (IRI -> code) and the parent of each area."""

    indicators: list[Indicator]
    areas: dict[str, str]
    parents: dict[str, str] = field(default_factory=dict)
    effects: list[tuple[str, str, float, str]] = field(default_factory=list)
    """(effect, indicator, intended value, area) of the intended effects on the indicators."""

    def busiest_area(self) -> str:
        """The measured area with the most measured areas inside it (at any depth), below
        the top level (a wijk, as a user asks about their own part of town); ties by IRI."""
        inside: dict[str, int] = defaultdict(int)
        for area in self.areas:
            up = self.parents.get(area)
            while up is not None:
                inside[up] += 1
                up = self.parents.get(up)
        below_top = [a for a in self.areas if a in self.parents] or list(self.areas)
        return min(below_top, key=lambda a: (-inside[a], a))

    def effect_area(self) -> str:
        """The measured area the most intended effects on measured indicators are set for
        (effectevaluatie asks about the area of an effect itself); ties by IRI."""
        counts: dict[str, int] = defaultdict(int)
        for _effect, _indicator, _value, area in self.effects:
            if area in self.areas:
                counts[area] += 1
        return min(counts, key=lambda a: (-counts[a], a)) if counts else self.busiest_area()


def pick_scope(store: Store, *, indicators: int, areas: int) -> Scope:
    """The ``indicators`` and ``areas`` to measure, picked from the registry in ``store``."""
    rows = store.query(_PREFIXES + _INDICATORS).rows
    norms: dict[str, list[tuple[str, float, str, str | None]]] = defaultdict(list)
    for indicator, norm, operator, value, area, sector in store.query(_PREFIXES + _NORMS).rows:
        del norm
        norms[str(indicator)].append(
            (str(operator), float(value), str(area), None if sector is None else str(sector))
        )
    chosen: list[Indicator] = []
    for iri, code, unit, _n in rows[:indicators]:
        own = norms.get(str(iri), [])
        levels = [v for op, v, _a, _s in own if op.rsplit("/", 1)[-1] in LABEL_OPERATORS]
        centre = (levels or [v for _op, v, _a, _s in own] or [50.0])[0]
        sector = next((s for _op, _v, _a, s in own if s is not None), None)
        chosen.append(Indicator(str(iri), str(code), str(unit), centre, sector))
    measured = {i.iri for i in chosen}
    effects = [
        (str(e), str(i), float(v), str(a))
        for e, i, v, a in store.query(_PREFIXES + _EFFECTS).rows
        if str(i) in measured
    ]
    codes: dict[str, str] = {}
    kinds: dict[str, int] = {}
    parents: dict[str, str] = {}
    for area, code, kind, parent in store.query(_PREFIXES + _AREAS).rows:
        codes[str(area)] = str(code)
        name = str(kind).rsplit("/", 1)[-1] if kind is not None else ""
        kinds[str(area)] = _LEVELS.index(name) if name in _LEVELS else len(_LEVELS)
        if parent is not None:
            parents[str(area)] = str(parent)
    wanted: dict[str, None] = {}
    for indicator in chosen:  # where the questions look first
        for _op, _v, area, _s in norms.get(indicator.iri, []):
            wanted.setdefault(area)
    for _e, _i, _v, area in effects:
        wanted.setdefault(area)
    for area in sorted(codes, key=lambda a: (kinds[a], codes[a], a)):
        wanted.setdefault(area)
    picked = [a for a in wanted if a in codes][:areas]
    return Scope(chosen, {a: codes[a] for a in picked}, parents, effects)


def write_measurements(
    scope: Scope, folder: Path, *, base: str, first_year: int, last_year: int
) -> dict[str, Path]:
    """One N-Triples file per indicator plus the data sources and the realised effects.

    Returns graph IRI -> file. Writes ``{file}.tmp`` and renames, so a file that
    exists is complete.
    """
    folder.mkdir(parents=True, exist_ok=True)
    base = base.rstrip("/")
    files: dict[str, Path] = {}

    def write(name: str, lines: Iterator[str]) -> None:
        path = folder / f"{name}.nt"
        tmp = path.with_suffix(".nt.tmp")
        with tmp.open("w", encoding="utf-8") as out:
            out.writelines(lines)
        tmp.replace(path)
        files[f"{base}/graph/metingen/{reference(name)}"] = path

    write("databronnen", _sources(scope, base))
    for indicator in scope.indicators:
        years = range(first_year, last_year + 1)
        write(f"metingen-{indicator.code}", _observations(scope, indicator, base, years))
    write("gerealiseerde-effecten", _realised(scope, base, last_year))
    return files


def _source(base: str, indicator: Indicator) -> str:
    return f"{base}/id/databron/meetnet-{reference(indicator.code)}"


def _sources(scope: Scope, base: str) -> Iterator[str]:
    for indicator in scope.indicators:
        node = f"<{_source(base, indicator)}>"
        yield f"{node} <{RDF}type> <{DCAT}Dataset> .\n"
        yield f"{node} {RDFS_LABEL} {_nl(f'Meetnet {indicator.code}')} .\n"
        yield f"{node} <{DCT}identifier> {_plain(f'meetnet-{indicator.code}')} .\n"
        yield f"{node} <{KRB}gemetenIndicator> <{indicator.iri}> .\n"


def _observations(scope: Scope, indicator: Indicator, base: str, years: range) -> Iterator[str]:
    source = f"<{_source(base, indicator)}>"
    trend = random.Random(f"trend {indicator.iri}").uniform(-0.03, 0.03)
    for number, (area, code) in enumerate(scope.areas.items()):
        rnd = random.Random(f"{indicator.iri} {area}")
        level = indicator.centre * rnd.uniform(0.75, 1.25)
        sector = indicator.sector if number % 3 == 0 else None
        for year in years:
            value = level * (1 + trend * (year - years.start)) * rnd.uniform(0.98, 1.02)
            start, end = f"{year}-01-01", f"{year}-12-31"
            parts = [indicator.code, code, start, end]
            if sector is not None:
                parts.append(sector.rsplit("/", 1)[-1])
            slug = reference("-".join(parts))
            node = f"<{base}/id/meting/{slug}>"
            period, result = f"_:p-{slug}", f"_:r-{slug}"
            yield f"{node} <{RDF}type> <{SOSA}Observation> .\n"
            yield f"{node} {RDFS_LABEL} {_nl(f'Meting {indicator.code} {code} {year}')} .\n"
            yield f"{node} <{SOSA}observedProperty> <{indicator.iri}> .\n"
            yield f"{node} <{SOSA}hasFeatureOfInterest> <{area}> .\n"
            yield from _period_and_result(node, (period, start, end), result, value, indicator.unit)
            yield f"{node} <{DCT}source> {source} .\n"
            if sector is not None:
                yield f"{node} <{KRB}sector> <{sector}> .\n"


def _realised(scope: Scope, base: str, last_year: int) -> Iterator[str]:
    """A realised effect for every other intended effect in a measured area."""
    units = {i.iri: i.unit for i in scope.indicators}
    for number, (effect, indicator, intended, area) in enumerate(scope.effects):
        if number % 2 or area not in scope.areas:
            continue
        rnd = random.Random(f"realised {effect}")
        slug = reference(f"{effect.rsplit('/', 1)[-1]}-{last_year}")
        node = f"<{base}/id/gerealiseerd-effect/{slug}>"
        period, result = f"_:p-{slug}", f"_:r-{slug}"
        yield f"{node} <{RDF}type> <{KRB}GerealiseerdEffect> .\n"
        yield f"{node} <{RDF}type> <{SOSA}Observation> .\n"
        yield f"{node} {RDFS_LABEL} {_nl(f'Gerealiseerd effect {slug}')} .\n"
        yield f"{node} <{KRB}beoogdEffect> <{effect}> .\n"
        # It observes the change in the indicator, not the indicator (a level).
        change = f"_:c-{slug}"
        yield f"{node} <{SOSA}observedProperty> {change} .\n"
        yield f"{change} <{RDF}type> <{KRB}Indicatorverandering> .\n"
        yield f"{change} <{KRB}veranderingVan> <{indicator}> .\n"
        yield f"{node} <{SOSA}hasFeatureOfInterest> <{area}> .\n"
        when = (period, f"{last_year - 3}-01-01", f"{last_year}-12-31")
        value = intended * rnd.uniform(0.3, 1.2)
        yield from _period_and_result(node, when, result, value, units[indicator])


def _period_and_result(
    node: str, when: tuple[str, str, str], result: str, value: float, unit: str
) -> Iterator[str]:
    """An observation's phenomenon time (node, start, end) and its result with a unit."""
    period, start, end = when
    yield f"{node} <{SOSA}phenomenonTime> {period} .\n"
    yield f"{period} <{RDF}type> {TIME_INTERVAL} .\n"
    yield f"{period} <{RDF}type> <{DCT}PeriodOfTime> .\n"
    yield f"{period} <{DCAT}startDate> {_date(start)} .\n"
    yield f"{period} <{DCAT}endDate> {_date(end)} .\n"
    yield f"{node} <{SOSA}hasResult> {result} .\n"
    yield f"{result} <{RDF}type> <{QUDT}QuantityValue> .\n"
    yield f"{result} <{QUDT}numericValue> {_decimal(value)} .\n"
    yield f"{result} <{QUDT}hasUnit> <{unit}> .\n"


def _nl(text: str) -> str:
    return Literal(text, lang="nl").n3()


def _plain(text: str) -> str:
    return Literal(text).n3()


def _date(text: str) -> str:
    return f'"{text}"^^<{XSD}date>'


def _decimal(value: float) -> str:
    return f'"{value:.2f}"^^<{XSD}decimal>'
