"""Serialising query answers: SPARQL result formats for tables, RDF syntaxes for graphs.

Bodies are produced completely, as bytes, before a response starts, so a
client never receives half a result. The table formats follow the W3C
recommendations (SPARQL 1.1 Query Results JSON, XML, CSV and TSV); graphs go
through rdflib with the project's prefixes so Turtle output reads the same as
the rest of the product.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from xml.etree import ElementTree as ET

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from .. import sparql_results
from ..namespaces import PREFIXES
from ..sparql_results import XSD_STRING, Row
from ..store.base import QueryResult, UnsupportedAnswer
from ..store.terms import ToOxigraph
from ..validation import ValidationResult


class NotRepresentable(UnsupportedAnswer):
    """The answer holds what the asked XML syntax cannot carry (HTTP 406): a control
    character, which XML 1.0 does not allow even escaped, or, in RDF/XML, a property
    whose IRI does not end in an XML name. Other syntaxes carry it."""


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_NAME_END = re.compile(r"[^\W\d][\w.\-\u00b7\u0300-\u036f\u203f\u2040]*$")
"""An XML name at the end of a property IRI, which RDF/XML writes as its element."""


def _xml_text(text: str, others: str = "Turtle, N-Triples or JSON-LD") -> str:
    """``text``, or NotRepresentable naming the formats that carry it (``others``: those
    of the answer's kind, graphs or query results)."""
    found = _XML_ILLEGAL.search(text)
    if found is not None:
        raise NotRepresentable(
            f"The answer holds control character U+{ord(found.group()):04X}, which XML "
            f"cannot carry; ask for {others}."
        )
    return text


_RESULT_FORMATS = "SPARQL results as JSON, CSV or TSV"


SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_RDFLIB_FORMATS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}


def content_type(media_type: str) -> str:
    """The Content-Type header for a body we produce: always UTF-8."""
    return f"{media_type}; charset=utf-8"


def serialize_result(result: QueryResult, fmt: str) -> bytes:
    """A SELECT or ASK answer in ``fmt`` (json, xml, csv, tsv); graphs go to serialize_graph."""
    if result.kind == "ask":
        if fmt == "json":
            return sparql_results.boolean_json(bool(result.boolean)).encode()
        if fmt == "xml":
            return _xml_boolean(bool(result.boolean))
        raise ValueError(f"an ASK result has no {fmt} form")
    if result.kind == "select":
        if fmt == "xml":
            return _xml_table(result.variables, result.rows)
        writer = {
            "json": sparql_results.json_text,
            "csv": sparql_results.csv_text,
            "tsv": sparql_results.tsv_text,
        }
        if fmt not in writer:
            raise ValueError(f"unknown result format {fmt!r}")
        return writer[fmt](result.variables, result.rows).encode("utf-8")
    raise ValueError("a graph result is serialised with serialize_graph")


def serialize_graph(graph: Graph, fmt: str) -> bytes:
    """A graph in ``fmt`` (turtle, ntriples, jsonld, rdfxml)."""
    try:
        rdflib_format = _RDFLIB_FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown graph format {fmt!r}") from None
    if fmt == "rdfxml":
        return _rdf_xml(graph)
    if fmt == "turtle":
        return _turtle(graph)
    if fmt == "jsonld":
        # Expanded JSON-LD, no context, by pyoxigraph: rdflib's left out the nodes of a
        # blank-node cycle (_:a p _:b . _:b p _:a came out as []).
        data = ox.serialize(ToOxigraph().triples(graph), format=ox.RdfFormat.JSON_LD)
        assert data is not None  # without an output, serialize returns the bytes
        return data
    out = Graph()
    for triple in graph:
        out.add(triple)
    return out.serialize(format=rdflib_format, encoding="utf-8")


def _turtle(graph: Graph) -> bytes:
    """Turtle by pyoxigraph's writer, which keeps each literal as stored: rdflib's wrote
    "48"^^xsd:decimal as 48.0 and "1000"^^xsd:double as 1e+03 (other triples than the
    N-Triples of the same resource), and died sorting a decimal beside a NaN double (a
    500). The prefixes: the project's, and those the graph binds (sd: of the service
    description), each only when an IRI of the graph starts with it."""
    known = dict(PREFIXES)
    for prefix, namespace in graph.namespaces():
        if prefix and prefix not in known and str(namespace) not in known.values():
            known[prefix] = str(namespace)
    iris = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    iris.update(str(o.datatype) for _, _, o in graph if isinstance(o, Literal) and o.datatype)
    used = {
        prefix: namespace
        for prefix, namespace in known.items()
        if any(iri.startswith(namespace) for iri in iris)
    }
    data = ox.serialize(ToOxigraph().triples(graph), format=ox.RdfFormat.TURTLE, prefixes=used)
    assert data is not None  # without an output, serialize returns the bytes
    return data


def _rdf_xml(graph: Graph) -> bytes:
    """RDF/XML by pyoxigraph's writer, which escapes IRIs (rdflib's left an '&' in a
    datatype or namespace bare, so the IRI read back changed), once the graph is known to
    fit: every property ends in an XML name, every text is XML text."""
    known = dict(PREFIXES)
    for prefix, namespace in graph.namespaces():  # e.g. sd: of the service description
        if prefix and prefix not in known and str(namespace) not in known.values():
            known[prefix] = str(namespace)
    properties = {str(p) for p in graph.predicates()}  # the names RDF/XML writes
    namespaces = {
        prefix: namespace
        for prefix, namespace in known.items()
        if prefix != "xml" and any(p.startswith(namespace) for p in properties)
    }
    for s, p, o in graph:
        if not _XML_NAME_END.search(str(p)):
            raise NotRepresentable(
                f"The property <{p}> cannot be written in RDF/XML (its IRI does not end in "
                "an XML name); ask for Turtle, N-Triples or JSON-LD."
            )
        for term in (s, o):
            if isinstance(term, Literal | URIRef):
                _xml_text(str(term))
    data = ox.serialize(
        ToOxigraph().triples(graph), format=ox.RdfFormat.RDF_XML, prefixes=namespaces
    )
    assert data is not None  # without an output, serialize returns the bytes
    return _keep_carriage_returns(data)


def _keep_carriage_returns(xml: bytes) -> bytes:
    """A carriage return as a character reference: written raw, every XML parser reads
    it as a line feed ("regel 1\r\nregel 2" came back as "regel 1\nregel 2"). A
    writer puts a raw one only in text and attribute values, never in markup."""
    return xml.replace(b"\r", b"&#13;")


# -- XML ---------------------------------------------------------------------


def _xml_root() -> tuple[ET.Element, ET.Element]:
    root = ET.Element("sparql", {"xmlns": SPARQL_RESULTS_NS})
    head = ET.SubElement(root, "head")
    return root, head


def _xml_bytes(root: ET.Element) -> bytes:
    return _keep_carriage_returns(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _xml_boolean(value: bool) -> bytes:
    root, _ = _xml_root()
    ET.SubElement(root, "boolean").text = "true" if value else "false"
    return _xml_bytes(root)


def _xml_table(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    root, head = _xml_root()
    for name in variables:
        ET.SubElement(head, "variable", {"name": name})
    results = ET.SubElement(root, "results")
    for row in rows:
        result = ET.SubElement(results, "result")
        for name, value in zip(variables, row, strict=True):
            if value is None:
                continue
            binding = ET.SubElement(result, "binding", {"name": name})
            if isinstance(value, URIRef):
                ET.SubElement(binding, "uri").text = _xml_text(str(value), _RESULT_FORMATS)
            elif isinstance(value, BNode):
                ET.SubElement(binding, "bnode").text = str(value)
            elif isinstance(value, Literal):
                attrs = {}
                if value.language:
                    attrs[XML_LANG] = value.language
                elif value.datatype is not None and str(value.datatype) != XSD_STRING:
                    attrs["datatype"] = str(value.datatype)
                ET.SubElement(binding, "literal", attrs).text = _xml_text(
                    str(value), _RESULT_FORMATS
                )
            else:
                raise ValueError(f"cannot serialise term {value!r}")
    return _xml_bytes(root)


# -- validation reports ------------------------------------------------------


def validation_report(result: ValidationResult, message: str, fmt: str) -> bytes:
    """Why a write was refused: JSON findings (nl and en) or the SHACL report as RDF.

    ``fmt`` is ``"findings"`` for the JSON findings, or a graph format for the report.
    """
    if fmt != "findings":
        return serialize_graph(result.report, fmt)
    body = {
        "detail": message,
        "conforms": result.conforms,
        "findings": [asdict(finding) for finding in result.findings],
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
