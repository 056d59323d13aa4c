"""The triples of one imported measurement (sosa:Observation), as pyoxigraph terms.

What krbgraph.measurements.importing writes for a row of a measurements CSV or of the
workbook's sheet metingen: the observation with its name, indicator, area, period
(time:Interval and dct:PeriodOfTime with dcat:startDate/endDate), result (a
qudt:QuantityValue, or a ranked concept for a label), source, method and
classification. Engine terms, not rdflib's: a file of 200,000 rows is three million
triples, which as an rdflib graph took gigabytes and minutes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyoxigraph as ox
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, XSD

from ..namespaces import KRB, QUDT, SOSA
from .csvrows import Row

__all__ = ["add_observation", "measurement_label"]

TIME = "http://www.w3.org/2006/time#"


def measurement_label(indicator_code: str, area_code: str, start: date, end: date) -> str:
    """The name an imported measurement gets: 'Meting GEL-I01 parkstraat 2020' (a whole
    year) or '... 2024-04-01 t/m 2024-06-30'. The workbook export tells this name from
    one of the registry's own by it (krbgraph.excel.metingen_sheet)."""
    whole_year = (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    period = (
        str(start.year)
        if whole_year and start.year == end.year
        else (f"{start.isoformat()} t/m {end.isoformat()}")
    )
    return f"Meting {indicator_code} {area_code} {period}"


_TYPE = ox.NamedNode(str(RDF.type))
_LABEL = ox.NamedNode(str(RDFS.label))
_OBSERVATION = ox.NamedNode(str(SOSA.Observation))
_OBSERVED = ox.NamedNode(str(SOSA.observedProperty))
_FEATURE = ox.NamedNode(str(SOSA.hasFeatureOfInterest))
_PHENOMENON_TIME = ox.NamedNode(str(SOSA.phenomenonTime))
_INTERVAL = ox.NamedNode(TIME + "Interval")
_PERIOD = ox.NamedNode(str(DCTERMS.PeriodOfTime))
_START = ox.NamedNode(str(DCAT.startDate))
_END = ox.NamedNode(str(DCAT.endDate))
_DATE = ox.NamedNode(str(XSD.date))
_RESULT = ox.NamedNode(str(SOSA.hasResult))
_QUANTITY = ox.NamedNode(str(QUDT.QuantityValue))
_VALUE = ox.NamedNode(str(QUDT.numericValue))
_DECIMAL = ox.NamedNode(str(XSD.decimal))
_UNIT = ox.NamedNode(str(QUDT.hasUnit))
_SOURCE = ox.NamedNode(str(DCTERMS.source))
_PROCEDURE_USED = ox.NamedNode(str(SOSA.usedProcedure))
_PROCEDURE = ox.NamedNode(str(SOSA.Procedure))


def add_observation(
    triples: list[ox.Triple],
    node: ox.NamedNode,
    *,
    label: str,
    indicator: str,
    area: str,
    row: Row,
    result: tuple[Decimal, str] | str,
    source: str,
    concepts: dict[str, str],
) -> None:
    """Append the triples of one measurement to ``triples``."""
    period = ox.BlankNode()
    add = triples.append
    add(ox.Triple(node, _TYPE, _OBSERVATION))
    add(ox.Triple(node, _LABEL, ox.Literal(label, language="nl")))
    add(ox.Triple(node, _OBSERVED, ox.NamedNode(indicator)))
    add(ox.Triple(node, _FEATURE, ox.NamedNode(area)))
    add(ox.Triple(node, _PHENOMENON_TIME, period))
    add(ox.Triple(period, _TYPE, _INTERVAL))
    add(ox.Triple(period, _TYPE, _PERIOD))
    add(ox.Triple(period, _START, ox.Literal(row.start.isoformat(), datatype=_DATE)))
    add(ox.Triple(period, _END, ox.Literal(row.end.isoformat(), datatype=_DATE)))
    if isinstance(result, str):  # a label: the ranked concept is the result
        add(ox.Triple(node, _RESULT, ox.NamedNode(result)))
    else:
        value, unit = result
        quantity = ox.BlankNode()
        add(ox.Triple(node, _RESULT, quantity))
        add(ox.Triple(quantity, _TYPE, _QUANTITY))
        add(ox.Triple(quantity, _VALUE, ox.Literal(_decimal_text(value), datatype=_DECIMAL)))
        add(ox.Triple(quantity, _UNIT, ox.NamedNode(unit)))
    add(ox.Triple(node, _SOURCE, ox.NamedNode(source)))
    if row.rekenmethode:
        procedure = ox.BlankNode()
        add(ox.Triple(node, _PROCEDURE_USED, procedure))
        add(ox.Triple(procedure, _TYPE, _PROCEDURE))
        add(ox.Triple(procedure, _LABEL, ox.Literal(row.rekenmethode, language="nl")))
    for column, concept in concepts.items():
        add(ox.Triple(node, ox.NamedNode(str(KRB[column])), ox.NamedNode(concept)))


def _decimal_text(value: Decimal) -> str:
    """A plain decimal (no exponent): 0.15, 150, -3."""
    text = format(value.normalize(), "f")
    return text if text not in ("-0",) else "0"
