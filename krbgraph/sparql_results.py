"""SPARQL 1.1 Query Results as text: the W3C JSON, CSV and TSV formats.

One implementation for every place that hands results to tools: ``krb query``
prints them, the HTTP server sends them. Following the recommendations to the
letter lets spreadsheets, pandas and SPARQL clients read them without a
custom reader.

Each format is written as a stream of text pieces (``*_chunks``) from any
iterable of rows, so a whole-registry export is written as the engine produces
it and never held in memory; the ``*_text`` functions join the same pieces.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Row = Sequence[Identifier | None]
"""One solution in the order of the variables; None where a variable is unbound."""

__all__ = [
    "Row",
    "boolean_json",
    "csv_chunks",
    "csv_text",
    "json_chunks",
    "json_text",
    "tsv_chunks",
    "tsv_text",
]


def json_text(variables: Sequence[str], rows: Iterable[Row], *, pretty: bool = False) -> str:
    """SPARQL 1.1 Query Results JSON; unbound variables are left out of a binding.

    ``pretty`` indents the document and ends it with a newline, for a terminal.
    """
    return "".join(json_chunks(variables, rows, pretty=pretty))


_ROWS_MARK = "krb-rows-go-here"


def json_chunks(
    variables: Sequence[str], rows: Iterable[Row], *, pretty: bool = False
) -> Iterator[str]:
    """The JSON document of ``json_text`` in pieces: the head, one piece per binding, the end.

    The text is exactly what ``json.dumps`` gives for the whole document.
    """
    indent = 2 if pretty else None
    head = {"head": {"vars": list(variables)}, "results": {"bindings": [_ROWS_MARK]}}
    template = json.dumps(head, ensure_ascii=False, indent=indent)
    before, after = template.split(json.dumps(_ROWS_MARK), 1)
    end = "\n" if pretty else ""
    first = True
    for row in rows:
        binding = {
            name: _json_term(value)
            for name, value in zip(variables, row, strict=True)
            if value is not None
        }
        text = json.dumps(binding, ensure_ascii=False, indent=indent)
        if pretty:
            text = text.replace("\n", "\n      ")
        if first:
            yield before + text
            first = False
        else:
            yield (",\n      " if pretty else ", ") + text
    if first:
        empty = {"head": {"vars": list(variables)}, "results": {"bindings": []}}
        yield json.dumps(empty, ensure_ascii=False, indent=indent) + end
        return
    yield after + end


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


def csv_text(variables: Sequence[str], rows: Iterable[Row]) -> str:
    """SPARQL 1.1 CSV: only the text of each term (datatypes and tags are lost), CRLF ends."""
    return "".join(csv_chunks(variables, rows))


class _Pieces(list[str]):
    """A file-like list for csv.writer: each written line becomes one piece."""

    def write(self, text: str) -> int:
        self.append(text)
        return len(text)


def csv_chunks(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[str]:
    """The CSV text of ``csv_text``, one piece per line."""
    pieces = _Pieces()
    writer = csv.writer(pieces, lineterminator="\r\n")
    writer.writerow(variables)
    yield pieces.pop()
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
        yield pieces.pop()


def _csv_value(term: Identifier | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def tsv_text(variables: Sequence[str], rows: Iterable[Row]) -> str:
    """SPARQL 1.1 TSV: terms in Turtle syntax, one line each, so datatypes and tags survive."""
    return "".join(tsv_chunks(variables, rows))


def tsv_chunks(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[str]:
    """The TSV text of ``tsv_text``, one piece per line."""
    yield "\t".join(f"?{name}" for name in variables) + "\n"
    for row in rows:
        yield "\t".join(_tsv_value(value) for value in row) + "\n"


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
