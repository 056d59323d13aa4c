"""Serialising query answers: SPARQL result formats for tables, RDF syntaxes for graphs.

Bodies are produced completely before a response starts, so a client never
receives half a result. The table formats follow the W3C recommendations
(SPARQL 1.1 Query Results JSON, XML, CSV and TSV); graphs are written by
pyoxigraph with the project's prefixes so Turtle output reads the same as the
rest of the product. A whole stored graph (a Graph Store GET) is written from the
engine's N-Triples into a file (``write_graph``), never as rdflib terms: 100,000
triples took 12 s that way, 400,000 over 30 s and a gigabyte.
"""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from typing import IO, cast
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
    known = _known_prefixes(graph)
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
    properties = {str(p) for p in graph.predicates()}  # the names RDF/XML writes
    for p in properties:
        _xml_property(p)
    for subject, _, value in graph:
        for term in (subject, value):
            if isinstance(term, Literal | URIRef):
                _xml_text(str(term))
    namespaces = _xml_namespaces(_known_prefixes(graph), properties)
    data = ox.serialize(
        ToOxigraph().triples(graph), format=ox.RdfFormat.RDF_XML, prefixes=namespaces
    )
    assert data is not None  # without an output, serialize returns the bytes
    return _keep_carriage_returns(data)


def _known_prefixes(graph: Graph) -> dict[str, str]:
    """The project's prefixes and those ``graph`` binds that neither name nor namespace
    clashes with (sd: of the service description, rdflib's own such as foaf:)."""
    known = dict(PREFIXES)
    for prefix, namespace in graph.namespaces():
        if prefix and prefix not in known and str(namespace) not in known.values():
            known[prefix] = str(namespace)
    return known


def _xml_property(iri: str) -> None:
    if not _XML_NAME_END.search(iri):
        raise NotRepresentable(
            f"The property <{iri}> cannot be written in RDF/XML (its IRI does not end in "
            "an XML name); ask for Turtle, N-Triples or JSON-LD."
        )


def _xml_namespaces(known: dict[str, str], properties: set[str]) -> dict[str, str]:
    """The prefixes RDF/XML declares: those of the properties, whose names it writes."""
    return {
        prefix: namespace
        for prefix, namespace in known.items()
        if prefix != "xml" and any(p.startswith(namespace) for p in properties)
    }


def _keep_carriage_returns(xml: bytes) -> bytes:
    """A carriage return as a character reference: written raw, every XML parser reads
    it as a line feed ("regel 1\r\nregel 2" came back as "regel 1\nregel 2"). A
    writer puts a raw one only in text and attribute values, never in markup."""
    return xml.replace(b"\r", b"&#13;")


# -- whole stored graphs ------------------------------------------------------


_STREAMED_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def write_graph(ntriples: IO[bytes], fmt: str, output: IO[bytes]) -> None:
    """A graph read as N-Triples from ``ntriples`` (seekable, from where it stands: the
    engine's, krbgraph.store.streaming.write_graph) written to ``output`` in ``fmt`` as
    ``serialize_graph`` writes it (Turtle with the prefixes its IRIs use, expanded
    JSON-LD, RDF/XML once it is known to fit), by pyoxigraph as it reads: memory stays
    flat, each triple passes as one pyoxigraph object and never becomes rdflib terms.
    Raises NotRepresentable before writing anything."""
    if fmt == "ntriples":
        shutil.copyfileobj(ntriples, output)
        return
    if fmt not in _STREAMED_FORMATS:
        raise ValueError(f"unknown graph format {fmt!r}")
    prefixes = None
    if fmt == "turtle":
        prefixes = _used_prefixes(ntriples, _stored_graph_prefixes())
    elif fmt == "rdfxml":
        prefixes = _xml_namespaces(_stored_graph_prefixes(), _fitting_xml(ntriples))
    parsed = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    if fmt != "rdfxml":
        ox.serialize(parsed, output, format=_STREAMED_FORMATS[fmt], prefixes=prefixes)
        return
    # pyoxigraph writes in pieces of some 8 KiB: no buffer needed in between.
    xml = cast(IO[bytes], _CarriageReturnsKept(output))
    ox.serialize(parsed, xml, format=ox.RdfFormat.RDF_XML, prefixes=prefixes)


@functools.cache
def _stored_graph_prefixes() -> dict[str, str]:
    """What ``_known_prefixes`` gave a graph read from the store (an rdflib graph with
    rdflib's own bindings), so a streamed graph declares the prefixes it had before."""
    return _known_prefixes(Graph())


def _used_prefixes(ntriples: IO[bytes], known: dict[str, str]) -> dict[str, str]:
    """The prefixes of ``known`` whose namespace begins an IRI of the N-Triples (``<``
    and the namespace in the text), read through and rewound: a search of bytes, 0.15 s
    for 400,000 triples. A literal holding such text declares a prefix no IRI uses,
    which changes no triple."""
    start = ntriples.tell()
    needles = {prefix: b"<" + namespace.encode() for prefix, namespace in known.items()}
    overlap = max(map(len, needles.values()), default=1) - 1
    found: set[str] = set()
    tail = b""
    while len(found) < len(needles) and (chunk := ntriples.read(1 << 20)):
        text = tail + chunk
        found.update(p for p, needle in needles.items() if p not in found and needle in text)
        tail = text[-overlap:] if overlap else b""
    ntriples.seek(start)
    return {prefix: known[prefix] for prefix in known if prefix in found}


def _fitting_xml(ntriples: IO[bytes]) -> set[str]:
    """The graph's properties, once every triple is known to fit RDF/XML (NotRepresentable
    otherwise); the N-Triples are read through and rewound."""
    start = ntriples.tell()
    properties: set[str] = set()
    for quad in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES):
        if quad.predicate.value not in properties:
            _xml_property(quad.predicate.value)
            properties.add(quad.predicate.value)
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.Literal | ox.NamedNode):
                _xml_text(term.value)
    ntriples.seek(start)
    return properties


class _CarriageReturnsKept(io.RawIOBase):
    """``output``, every carriage return written as a character reference (see
    _keep_carriage_returns; one byte for five, so pieces split nowhere in one)."""

    def __init__(self, output: IO[bytes]) -> None:
        self._output = output

    def writable(self) -> bool:
        return True

    def write(self, piece: bytes) -> int:  # type: ignore[override]
        self._output.write(bytes(piece).replace(b"\r", b"&#13;"))
        return len(piece)


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
