"""Sheet ``metingen``: the measurements CSV as a workbook sheet, in a graph of its own.

Researchers keep measurements in the same workbook as the policy they test, so
the workbook carries them; but measurements are research data, not policy, so
they never enter the workbook's policy graph. They go to
``{workbook graph}/metingen`` and are replaced with it, all or nothing.

A row means exactly what the same line of a ``krb import-metingen`` CSV means:
the cells become the texts a CSV would hold and pass through the same code
(krbgraph.measurements.csvrows.parse_row, then importing.build_graph), so
units convert, names resolve and problems read the same way. Excel's own types
are turned back into those texts first: a number cell into its decimal
digits, a date cell into its ISO date, a whole year typed as a number into
``2023``.

Export is the reverse: an observation becomes a row a re-import turns into
the same observation (same IRI, same value in the same unit; a label result,
energielabel C, as the label's IRI with an empty eenheid).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from ..measurements import csvrows
from ..measurements.identity import Holders, already_elsewhere
from ..measurements.importing import build_graph
from ..measurements.lookup import Registry, Wanted
from ..measurements.observations import measurement_label
from ..namespaces import KRB, QUDT, SOSA
from ..store import Store
from ..store.terms import rdflib_graph
from ..units import UnitCatalogue, UnitError, default_catalogue
from .problems import Problem
from .sheet_rows import SheetRows
from .values import CellError, refuse_date_zero

SHEET = "metingen"

Cell = str | float | int | date | None

COLUMN_OF: dict[URIRef, str] = {
    SOSA.observedProperty: "indicator",
    SOSA.hasFeatureOfInterest: "gebied",
    SOSA.phenomenonTime: "jaar",
    SOSA.hasResult: "waarde",
    DCTERMS.source: "bron",
    SOSA.usedProcedure: "rekenmethode",
    KRB.sector: "sector",
    KRB.materiaal: "materiaal",
    KRB.leefomgeving: "leefomgeving",
}
"""The column a finding on an observation's property points at."""


def measurement_graph_iri(workbook_graph: str) -> str:
    """The graph of a workbook's measurements: ``{workbook graph}/metingen``."""
    return f"{workbook_graph.rstrip('/')}/metingen"


def cell_text(value: object) -> str:
    """A cell as the text a CSV would hold: 47.3 -> '47.3', 2023.0 -> '2023',
    a date -> '2023-01-31'."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, int | Decimal):
        return format(Decimal(value), "f")
    return str(value).strip()


def read_measurements(
    rows: SheetRows,
    store: Store,
    policy: Graph,
    base_iri: str,
    target: str,
    *,
    replaced: Iterable[str] = (),
) -> tuple[Graph, list[Problem], dict[str, int]]:
    """The observations of the sheet, every problem at its row and column, and
    observation IRI -> row. Names resolve against the store and ``policy`` (the
    workbook's own graph, about to replace its earlier import); a measurement another
    graph than ``target`` (the sheet's own graph) holds is refused, as the CSV import
    refuses it. ``replaced``: the graphs the import replaces (the workbook's graph and
    ``target``): an indicator or area only they hold goes with them, and a row naming
    it is refused as a policy sheet's cell is (krbgraph.measurements.lookup.Registry)."""
    parsed: list[csvrows.Row] = []
    found: list[csvrows.Problem] = []
    for number, cells in rows.rows:
        zero = _date_zero(cells, number)
        if zero:
            found.extend(zero)
            continue
        texts = {column: cell_text(value) for column, value in cells.items()}
        # a value typed as text ('1.250') is read as a CSV's text is: it may be Dutch
        # thousands; a number cell's digits are Excel's own and never ambiguous
        typed = isinstance(cells.get("waarde"), str)
        row, problems = csvrows.parse_row(texts, number, SHEET, typed=typed)
        found.extend(problems)
        if row is not None:
            parsed.append(row)
    registry = Registry.read(store, policy, Wanted.by(parsed), replaced=replaced)
    # One reading of which graphs hold the IRIs, for choosing them and for the check
    # (an IRI another measurement already has gets a suffix: measurements.identity).
    holders = Holders(store, target)
    triples, _, lines, identities = build_graph(
        parsed, registry, base_iri, SHEET, found, holders=holders
    )
    graph = rdflib_graph(triples)
    if not found:
        found.extend(already_elsewhere(store, lines, identities, target, SHEET, holders))
    return graph, [_as_workbook_problem(p) for p in _ordered(found)], lines


def _date_zero(cells: dict[str, object], number: int) -> list[csvrows.Problem]:
    """A problem at each date cell holding no real date (refuse_date_zero): as CSV text
    the time 00:00 of Excel's date 0 would be reported as a badly written date."""
    problems = []
    for column, value in cells.items():
        if isinstance(value, datetime | time):
            try:
                refuse_date_zero(value)
            except CellError as zero:
                shown = value.isoformat() if isinstance(value, time) else value.date().isoformat()
                problems.append(
                    csvrows.Problem(SHEET, number, column, zero.message_nl, zero.message_en, shown)
                )
    return problems


def _ordered(problems: list[csvrows.Problem]) -> list[csvrows.Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or ""))


def _as_workbook_problem(problem: csvrows.Problem) -> Problem:
    return Problem(
        problem.message_nl,
        problem.message_en,
        sheet=SHEET,
        row=problem.line,
        column=problem.column,
        value=problem.value,
    )


# ---------------------------------------------------------------------------- export


def export_rows(
    graph: Graph, used: set[tuple[Node, Node, Node]], store: Store | None = None
) -> list[dict[str, Cell]]:
    """One row per sosa:Observation with a result; the triples written are added
    to ``used`` (what is left over is reported by the writer). ``store``: the store the
    workbook comes from, which says how to name indicators, areas and sources (_Names)."""
    catalogue = default_catalogue()
    found: list[tuple[URIRef, dict[str, Cell], _Named]] = []
    for node in sorted(set(graph.subjects(RDF.type, SOSA.Observation)), key=str):
        if not isinstance(node, URIRef) or (node, KRB.beoogdEffect, None) in graph:
            continue  # a recorded realised effect is no row of the sheet
        row = _row(graph, node, catalogue, used)
        if row is not None:
            found.append((node, *row))
    named = [named for _, _, named in found]
    codes = _LabelCodes(graph, store, named)
    for node, _, (indicator, area, _) in found:
        generated = codes.generated_label(node, indicator, area)
        if generated is not None and (node, RDFS.label, generated) in graph:
            used.add((node, RDFS.label, generated))  # an own label stays unmarked: warned
    names = _Names(graph, store, named)
    rows: list[tuple[tuple[str, ...], dict[str, Cell]]] = []
    for node, cells, (indicator, area, source) in found:
        cells["indicator"] = names.indicator(indicator)
        cells["gebied"] = names.area(area)
        cells["bron"] = None if source is None else names.source(source)
        rows.append(((str(cells["indicator"]), str(cells["gebied"]), str(node)), cells))
    return [row for _, row in sorted(rows, key=lambda item: item[0])]


_Named = tuple[Node, Node, Node | None]
"""A row's indicator, area and data source (None: none), which _Names names."""


def _row(
    graph: Graph, node: URIRef, catalogue: UnitCatalogue, used: set[tuple[Node, Node, Node]]
) -> tuple[dict[str, Cell], _Named] | None:
    def one(subject: Node, predicate: URIRef) -> Node | None:
        value = graph.value(subject, predicate)
        if value is not None:
            used.add((subject, predicate, value))
        return value

    result, period = graph.value(node, SOSA.hasResult), graph.value(node, SOSA.phenomenonTime)
    indicator = graph.value(node, SOSA.observedProperty)
    area = graph.value(node, SOSA.hasFeatureOfInterest)
    if result is None or period is None or indicator is None or area is None:
        return None
    number, unit = graph.value(result, QUDT.numericValue), graph.value(result, QUDT.hasUnit)
    start, end = graph.value(period, DCAT.startDate), graph.value(period, DCAT.endDate)
    label = isinstance(result, URIRef) and number is None  # energielabel C: the concept
    if (not label and (number is None or unit is None)) or start is None or end is None:
        return None
    for subject, predicate in (
        (node, RDF.type),
        (node, SOSA.observedProperty),
        (node, SOSA.hasFeatureOfInterest),
        (node, SOSA.phenomenonTime),
        (node, SOSA.hasResult),
        (period, DCAT.startDate),
        (period, DCAT.endDate),
        (result, RDF.type),
        (result, QUDT.numericValue),
        (result, QUDT.hasUnit),
    ):
        for value in graph.objects(subject, predicate):
            used.add((subject, predicate, value))
    for kind in graph.objects(period, RDF.type):
        used.add((period, RDF.type, kind))
    source = one(node, DCTERMS.source)
    cells: dict[str, Cell] = {
        "waarde": str(result) if label or number is None else _number(number),
        "eenheid": None if label or unit is None else _unit_text(catalogue, str(unit)),
    }
    cells.update(_period_cells(start, end))
    procedure = one(node, SOSA.usedProcedure)
    if procedure is not None:
        for kind in graph.objects(procedure, RDF.type):
            used.add((procedure, RDF.type, kind))
        method = one(procedure, RDFS.label)
        cells["rekenmethode"] = None if method is None else str(method)
    for column in ("sector", "materiaal", "leefomgeving"):
        concept = one(node, KRB[column])
        if concept is not None:
            cells[column] = str(concept)
    return cells, (indicator, area, source)


class _LabelCodes:
    """The rdfs:label the import gives an observation, as krbgraph.measurements.importing.
    build_graph makes it: 'Meting {indicator code} {area code} {period}'@nl, with the codes
    the import's lookup reads (the indicator's dct:identifier, the smallest of the area's
    identifiers and notations, else the last segment of the IRI).

    The import reads them from the whole registry, so with the ``store`` the workbook
    comes from so are they: an indicator or area of another graph than the one exported
    (a store shared by municipalities, areas kept in a graph of their own) gets the same
    name back, which was warned as lost because the exported graph does not describe it.
    Without a store (a graph written on its own) the graph is all there is. No label
    (None) where the source does not settle it: a thing not described as an indicator or
    area, two identifiers of one indicator, a period not of dates."""

    def __init__(self, graph: Graph, store: Store | None, named: list[_Named]) -> None:
        self.graph = graph
        self.indicators: dict[Node, set[str]] = {}
        self.areas: dict[Node, set[str]] = {}
        things = sorted({thing for row in named for thing in row[:2]}, key=str)
        if store is None:
            for thing in things:
                self._add(thing, graph.objects(thing, RDF.type), graph.predicate_objects(thing))
            return
        iris = [thing for thing in things if isinstance(thing, URIRef)]
        for start in range(0, len(iris), _CHUNK):
            listed = " ".join(f"<{iri}>" for iri in iris[start : start + _CHUNK])
            kinds: dict[Node, set[Node]] = {}
            values: dict[Node, list[tuple[Node, Node]]] = {}
            for subject, kind, predicate, value in store.query(_CODES % listed).rows:
                if subject is None or kind is None:
                    continue  # bound in every solution; the check tells the type checker
                kinds.setdefault(subject, set()).add(kind)
                if predicate is not None and value is not None:
                    values.setdefault(subject, []).append((predicate, value))
            for described, found in kinds.items():
                self._add(described, found, values.get(described, []))

    def _add(self, thing: Node, kinds: Iterable[Node], values: Iterable[tuple[Node, Node]]) -> None:
        listed = list(values)
        for kind in set(kinds):
            if kind == KRB.Beleidsindicator:
                self.indicators[thing] = {str(v) for p, v in listed if p == DCTERMS.identifier}
            elif kind == KRB.Werkingsgebied:
                self.areas[thing] = {
                    str(v) for p, v in listed if p in (DCTERMS.identifier, SKOS.notation)
                }

    def generated_label(self, node: Node, indicator: Node, area: Node) -> Literal | None:
        period = self.graph.value(node, SOSA.phenomenonTime)
        start = None if period is None else self.graph.value(period, DCAT.startDate)
        end = None if period is None else self.graph.value(period, DCAT.endDate)
        first = None if start is None else _as_date(start)
        last = None if end is None else _as_date(end)
        indicator_codes = self.indicators.get(indicator)
        area_codes = self.areas.get(area)
        if first is None or last is None or indicator_codes is None or area_codes is None:
            return None
        codes = {code for code in indicator_codes if code}
        if len(codes) > 1:
            return None
        code = codes.pop() if codes else str(indicator).rsplit("/", 1)[-1]
        named = {code for code in area_codes if code}
        area_code = min(named) if named else str(area).rsplit("/", 1)[-1]
        return Literal(measurement_label(code, area_code, first, last), lang="nl")


_CHUNK = 500
_CODES = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?thing ?kind ?p ?code WHERE {
  VALUES ?thing { %s }
  ?thing a ?kind FILTER (?kind IN (krb:Beleidsindicator, krb:Werkingsgebied))
  OPTIONAL { ?thing ?p ?code FILTER (?p IN (dct:identifier, skos:notation)) }
}
"""
"""An indicator's or area's types and codes, as krbgraph.measurements.lookup reads them."""


class _Names:
    """How the sheet names an indicator, area or data source: by its code
    (dct:identifier) where importing the sheet again resolves the code to this thing,
    else by its IRI.

    The sheet reads a code as ``krb import-metingen`` does (krbgraph.measurements.
    resolving): against the whole store, where a code that fits several things
    (another municipality's GEL-I01 in a shared store) is refused. So with the
    ``store`` the workbook comes from, a code is written only when the import's own
    lookup (krbgraph.measurements.lookup.Registry) finds exactly this one thing by it;
    the exported graph alone cannot tell, since one graph (``--graph``) knows nothing
    of the others. (A policy sheet's code cell needs no such test: it names a row of
    the workbook, else the thing its code gives under the base, never a thing of
    another base.) Without a store (a graph written on its own) a code must name no
    other thing of this graph, as before."""

    def __init__(self, graph: Graph, store: Store | None, named: list[_Named]) -> None:
        self.graph = graph
        self.codes: dict[Node, Literal] = {}
        for thing in {thing for row in named for thing in row if thing is not None}:
            code = graph.value(thing, DCTERMS.identifier)
            # a cell is read back trimmed: a code with spaces at its ends is no name
            if isinstance(code, Literal) and str(code) and str(code) == str(code).strip():
                self.codes[thing] = code
        self.registry: Registry | None = None
        if store is not None and self.codes:
            indicators = frozenset(str(self.codes[i]) for i, _, _ in named if i in self.codes)
            areas = frozenset(str(self.codes[a]) for _, a, _ in named if a in self.codes)
            self.registry = Registry.read(store, wanted=Wanted(indicators, areas))

    def indicator(self, thing: Node) -> str:
        return self._named(thing, KRB.Beleidsindicator, self._indicators)

    def area(self, thing: Node) -> str:
        return self._named(thing, KRB.Werkingsgebied, self._areas)

    def source(self, thing: Node) -> str:
        return self._named(thing, None, self._sources)

    def _named(self, thing: Node, kind: URIRef | None, found: _Finder) -> str:
        code = self.codes.get(thing)
        if code is None:
            return str(thing)
        if self.registry is None:  # no store: the graph's own things
            holders = set(self.graph.subjects(DCTERMS.identifier, code))
            if kind is not None:
                holders = {h for h in holders if (h, RDF.type, kind) in self.graph}
            return str(code) if holders == {thing} else str(thing)
        return str(code) if found(self.registry, str(code)) == [str(thing)] else str(thing)

    @staticmethod
    def _indicators(registry: Registry, code: str) -> list[str]:
        return [indicator.iri for indicator in registry.indicator(code)]

    @staticmethod
    def _areas(registry: Registry, code: str) -> list[str]:
        # as resolving.area_of looks a code up; two areas (two CBS editions) are not
        # one, even where the measured year would pick one of them
        found = registry.areas.get(code) or registry.areas.get(code.upper()) or []
        return [area.iri for area in found]

    @staticmethod
    def _sources(registry: Registry, code: str) -> list[str]:
        return registry.source(code)


_Finder = Callable[[Registry, str], list[str]]
"""The IRIs of the things a code names in the import's lookup."""


def _number(value: Node) -> Cell:
    """An Excel number when it is one exactly, else the decimal as text."""
    number = Decimal(str(value))
    as_float = float(number)
    if Decimal(repr(as_float)) == number:
        return int(number) if number == number.to_integral_value() else as_float
    return format(number.normalize(), "f")


def _unit_text(catalogue: UnitCatalogue, iri: str) -> str:
    """The unit's notation when it resolves back to the same unit, else its IRI."""
    try:
        unit = catalogue[iri]
        if catalogue.resolve(unit.display).iri == iri:
            return str(unit.display)
    except (KeyError, UnitError):
        pass
    return iri


def _period_cells(start: Node, end: Node) -> dict[str, Cell]:
    first, last = _as_date(start), _as_date(end)
    if first is None or last is None:
        return {"periode_van": str(start), "periode_tot": str(end)}
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and (
        first.year == last.year
    ):
        return {"jaar": first.year}
    return {"periode_van": first, "periode_tot": last}


def _as_date(value: Node) -> date | None:
    if isinstance(value, Literal) and isinstance(value.toPython(), date):
        found: date = value.toPython()
        return found
    return None


__all__ = [
    "COLUMN_OF",
    "SHEET",
    "cell_text",
    "export_rows",
    "generated_names",
    "measurement_graph_iri",
    "read_measurements",
]


_NAMED = """
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?m ?label ?i ?code ?a ?area_code ?start ?end WHERE {
  VALUES ?g { %s }
  GRAPH ?g { ?m rdfs:label ?label ; sosa:observedProperty ?i ; sosa:hasFeatureOfInterest ?a ;
                sosa:phenomenonTime ?p . ?p dcat:startDate ?start ; dcat:endDate ?end }
  OPTIONAL { ?i dct:identifier ?code }
  OPTIONAL { { ?a dct:identifier ?area_code } UNION { ?a skos:notation ?area_code } }
}
"""


def generated_names(store: Store, graphs: list[str]) -> set[tuple[Node, Node, Node]]:
    """The rdfs:label triples of the measurements in ``graphs`` that are the name the
    import generates ('Meting GEL-I01 GM9999 2024'), read with the codes the registry
    gives their indicator and area: a row deleted from the sheet takes its generated name
    with it, which is no loss (the refusal of a workbook whose graph holds what no
    workbook holds counted it as one, since no cell holds the name)."""
    if not graphs:
        return set()
    names = " ".join(f"<{graph}>" for graph in graphs)
    found: set[tuple[Node, Node, Node]] = set()
    for m, label, i, code, a, area_code, start, end in store.query(_NAMED % names).rows:
        if start is None or end is None or not isinstance(label, Literal):
            continue
        first, last = _as_date(start), _as_date(end)
        if first is None or last is None:
            continue
        indicator_code = str(code) if code is not None else str(i).rsplit("/", 1)[-1]
        area_text = str(area_code) if area_code is not None else str(a).rsplit("/", 1)[-1]
        if label.language == "nl" and str(label) == measurement_label(
            indicator_code, area_text, first, last
        ):
            found.add((m, RDFS.label, label))  # type: ignore[arg-type]
    return found
