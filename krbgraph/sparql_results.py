"""SPARQL 1.1 Query Results as text: the W3C JSON, CSV and TSV formats.

One implementation for every place that hands results to tools: ``krb query``
prints them, the HTTP server sends them. Following the recommendations to the
letter lets spreadsheets, pandas and SPARQL clients read them without a
custom reader.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Row = Sequence[Identifier | None]
"""One solution in the order of the variables; None where a variable is unbound."""

__all__ = ["Row", "boolean_json", "csv_text", "json_text", "tsv_text"]


def json_text(variables: Sequence[str], rows: Sequence[Row], *, pretty: bool = False) -> str:
    """SPARQL 1.1 Query Results JSON; unbound variables are left out of a binding.

    ``pretty`` indents the document and ends it with a newline, for a terminal.
    """
    bindings = [
        {
            name: _json_term(value)
            for name, value in zip(variables, row, strict=True)
            if value is not None
        }
        for row in rows
    ]
    document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    if pretty:
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return json.dumps(document, ensure_ascii=False)


def boolean_json(value: bool) -> str:
    """The JSON answer to an ASK query."""
    return json.dumps({"head": {}, "boolean": value})


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


def csv_text(variables: Sequence[str], rows: Sequence[Row]) -> str:
    """SPARQL 1.1 CSV: only the text of each term (datatypes and tags are lost), CRLF ends."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return buffer.getvalue()


def _csv_value(term: Identifier | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def tsv_text(variables: Sequence[str], rows: Sequence[Row]) -> str:
    """SPARQL 1.1 TSV: terms in Turtle syntax, one line each, so datatypes and tags survive."""
    lines = ["\t".join(f"?{name}" for name in variables)]
    lines.extend("\t".join(_tsv_value(value) for value in row) for row in rows)
    return "\n".join(lines) + "\n"


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_value(term: Identifier | None) -> str:
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
