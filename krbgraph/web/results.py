"""Serialising query answers: SPARQL result formats for tables, RDF syntaxes for graphs.

Bodies are produced completely, as bytes, before a response starts, so a
client never receives half a result. The table formats follow the W3C
recommendations (SPARQL 1.1 Query Results JSON, XML, CSV and TSV); graphs go
through rdflib with the project's prefixes so Turtle output reads the same as
the rest of the product.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict
from xml.etree import ElementTree as ET

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier

from ..namespaces import PREFIXES
from ..store.base import QueryResult
from ..validation import ValidationResult

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_RDFLIB_FORMATS = {
    "turtle": "turtle",
    "ntriples": "nt",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}

Row = tuple[Identifier | None, ...]


def content_type(media_type: str) -> str:
    """The Content-Type header for a body we produce: always UTF-8."""
    return f"{media_type}; charset=utf-8"


def serialize_result(result: QueryResult, fmt: str) -> bytes:
    """A SELECT or ASK answer in ``fmt`` (json, xml, csv, tsv); graphs go to serialize_graph."""
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}).encode()
        if fmt == "xml":
            return _xml_boolean(bool(result.boolean))
        raise ValueError(f"an ASK result has no {fmt} form")
    if result.kind == "select":
        writer = {"json": _json_table, "xml": _xml_table, "csv": _csv_table, "tsv": _tsv_table}
        if fmt not in writer:
            raise ValueError(f"unknown result format {fmt!r}")
        return writer[fmt](result.variables, result.rows)
    raise ValueError("a graph result is serialised with serialize_graph")


def serialize_graph(graph: Graph, fmt: str) -> bytes:
    """A graph in ``fmt`` (turtle, ntriples, jsonld, rdfxml)."""
    try:
        rdflib_format = _RDFLIB_FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown graph format {fmt!r}") from None
    out = Graph()
    if fmt in ("turtle", "rdfxml"):
        for prefix, namespace in PREFIXES.items():
            out.bind(prefix, namespace, override=True)
        for prefix, namespace in graph.namespaces():  # e.g. sd: of the service description
            if prefix and prefix not in PREFIXES and str(namespace) not in PREFIXES.values():
                out.bind(prefix, namespace, override=False)
    for triple in graph:
        out.add(triple)
    if fmt == "jsonld":
        return out.serialize(format=rdflib_format, encoding="utf-8", auto_compact=False)
    return out.serialize(format=rdflib_format, encoding="utf-8")


# -- JSON --------------------------------------------------------------------


def _json_term(term: Identifier) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and str(term.datatype) not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = str(term.datatype)
        return out
    raise ValueError(f"cannot serialise term {term!r}")


def _json_table(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    bindings = [
        {
            name: _json_term(value)
            for name, value in zip(variables, row, strict=True)
            if value is not None
        }
        for row in rows
    ]
    body = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


# -- XML ---------------------------------------------------------------------


def _xml_root() -> tuple[ET.Element, ET.Element]:
    root = ET.Element("sparql", {"xmlns": SPARQL_RESULTS_NS})
    head = ET.SubElement(root, "head")
    return root, head


def _xml_bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


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
                ET.SubElement(binding, "uri").text = str(value)
            elif isinstance(value, BNode):
                ET.SubElement(binding, "bnode").text = str(value)
            elif isinstance(value, Literal):
                attrs = {}
                if value.language:
                    attrs[XML_LANG] = value.language
                elif value.datatype is not None and str(value.datatype) != XSD_STRING:
                    attrs["datatype"] = str(value.datatype)
                ET.SubElement(binding, "literal", attrs).text = str(value)
            else:
                raise ValueError(f"cannot serialise term {value!r}")
    return _xml_bytes(root)


# -- CSV and TSV -------------------------------------------------------------


def _csv_value(term: Identifier | None) -> str:
    """CSV keeps only the text of a term (SPARQL 1.1 CSV): datatypes and tags are lost."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _csv_table(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue().encode("utf-8")


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_value(term: Identifier | None) -> str:
    """TSV writes terms in Turtle syntax, one line each (SPARQL 1.1 TSV)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_TSV_ESCAPES)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return f"{text}^^<{term.datatype}>"
        return text
    raise ValueError(f"cannot serialise term {term!r}")


def _tsv_table(variables: Sequence[str], rows: Sequence[Row]) -> bytes:
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines.extend("\t".join(_tsv_value(value) for value in row) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


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
