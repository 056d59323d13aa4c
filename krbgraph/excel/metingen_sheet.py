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

from datetime import date, datetime, time
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from ..measurements import csvrows
from ..measurements.identity import already_elsewhere
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
    rows: SheetRows, store: Store, policy: Graph, base_iri: str, target: str
) -> tuple[Graph, list[Problem], dict[str, int]]:
    """The observations of the sheet, every problem at its row and column, and
    observation IRI -> row. Names resolve against the store and ``policy`` (the
    workbook's own graph, about to replace its earlier import); a measurement another
    graph than ``target`` (the sheet's own graph) holds is refused, as the CSV import
    refuses it."""
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
    registry = Registry.read(store, policy, Wanted.by(parsed))
    triples, _, lines, identities = build_graph(parsed, registry, base_iri, SHEET, found)
    graph = rdflib_graph(triples)
    if not found:
        found.extend(already_elsewhere(store, lines, identities, target, SHEET))
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


def export_rows(graph: Graph, used: set[tuple[Node, Node, Node]]) -> list[dict[str, Cell]]:
    """One row per sosa:Observation with a result; the triples written are added
    to ``used`` (what is left over is reported by the writer)."""
    catalogue = default_catalogue()
    rows: list[tuple[tuple[str, ...], dict[str, Cell]]] = []
    for node in sorted(set(graph.subjects(RDF.type, SOSA.Observation)), key=str):
        if not isinstance(node, URIRef) or (node, KRB.beoogdEffect, None) in graph:
            continue  # a recorded realised effect is no row of the sheet
        row = _row(graph, node, catalogue, used)
        if row is not None:
            key = (str(row["indicator"]), str(row["gebied"]), str(node))
            rows.append((key, row))
    return [row for _, row in sorted(rows, key=lambda item: item[0])]


def _row(
    graph: Graph, node: URIRef, catalogue: UnitCatalogue, used: set[tuple[Node, Node, Node]]
) -> dict[str, Cell] | None:
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
    generated = _generated_label(graph, indicator, area, start, end)
    if generated is not None and (node, RDFS.label, generated) in graph:
        used.add((node, RDFS.label, generated))  # an own label stays unmarked: warned
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
    cells: dict[str, Cell] = {
        "indicator": _name(graph, indicator, KRB.Beleidsindicator),
        "gebied": _name(graph, area, KRB.Werkingsgebied),
        "waarde": str(result) if label or number is None else _number(number),
        "eenheid": None if label or unit is None else _unit_text(catalogue, str(unit)),
        "bron": _source(graph, one(node, DCTERMS.source)),
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
    return cells


def _generated_label(
    graph: Graph, indicator: Node, area: Node, start: Node, end: Node
) -> Literal | None:
    """The rdfs:label the import gives the row's observation, as
    krbgraph.measurements.importing.build_graph makes it: 'Meting {indicator code}
    {area code} {period}'@nl, with the codes the import's lookup reads (the indicator's
    dct:identifier, the smallest of the area's identifiers and notations, else the last
    segment of the IRI). None when the graph does not settle it (an indicator or area
    not described here, two identifiers of one indicator, a period not of dates)."""
    first, last = _as_date(start), _as_date(end)
    if first is None or last is None:
        return None
    if (indicator, RDF.type, KRB.Beleidsindicator) not in graph:
        return None
    if (area, RDF.type, KRB.Werkingsgebied) not in graph:
        return None
    codes = {str(code) for code in graph.objects(indicator, DCTERMS.identifier)}
    if len(codes) > 1:
        return None
    code = codes.pop() if codes else str(indicator).rsplit("/", 1)[-1]
    area_codes = {
        str(text)
        for predicate in (DCTERMS.identifier, SKOS.notation)
        for text in graph.objects(area, predicate)
        if str(text)
    }
    area_code = min(area_codes) if area_codes else str(area).rsplit("/", 1)[-1]
    return Literal(measurement_label(code, area_code, first, last), lang="nl")


def _name(graph: Graph, thing: Node, kind: URIRef) -> str:
    """The thing's code when no other thing of its kind carries that code, else its IRI."""
    code = graph.value(thing, DCTERMS.identifier)
    if code is None:
        return str(thing)
    holders = {s for s in graph.subjects(DCTERMS.identifier, code) if (s, RDF.type, kind) in graph}
    return str(code) if holders == {thing} else str(thing)


def _source(graph: Graph, source: Node | None) -> str | None:
    if source is None:
        return None
    code = graph.value(source, DCTERMS.identifier)
    holders = set(graph.subjects(DCTERMS.identifier, code)) if code is not None else set()
    return str(code) if code is not None and holders == {source} else str(source)


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
