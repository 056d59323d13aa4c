"""Writing SELECT results for people (a rich table) and for tools (CSV, TSV, JSON).

The machine formats follow the W3C SPARQL 1.1 Query Results specifications exactly
(JSON, CSV and TSV), so spreadsheets, pandas and SPARQL clients read them without
a custom reader. Only the human table shortens IRIs with prefixes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rich.table import Table

Row = Sequence[object | None]

__all__ = ["csv_text", "display_value", "rich_table", "sparql_json", "tsv_text"]


def sparql_json(variables: Sequence[str], rows: Sequence[Row]) -> str:
    """SPARQL 1.1 Query Results JSON; unbound variables are left out of a binding."""
    bindings = [
        {
            name: _json_term(value)
            for name, value in zip(variables, row, strict=True)
            if value is not None
        }
        for row in rows
    ]
    document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _json_term(term: object) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and term.datatype != XSD.string:
            out["datatype"] = str(term.datatype)
        return out
    raise TypeError(f"not an RDF term: {term!r}")


def csv_text(variables: Sequence[str], rows: Sequence[Row]) -> str:
    """SPARQL 1.1 CSV: IRIs and literal lexical forms as plain text, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return buffer.getvalue()


def _csv_value(term: object) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def tsv_text(variables: Sequence[str], rows: Sequence[Row]) -> str:
    """SPARQL 1.1 TSV: terms in N-Triples syntax, so datatypes and languages survive."""
    lines = ["\t".join(f"?{name}" for name in variables)]
    for row in rows:
        lines.append("\t".join("" if v is None else _ntriples(v) for v in row))
    return "\n".join(lines) + "\n"


def _ntriples(term: object) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = (
            str(term)
            .replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None and term.datatype != XSD.string:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    raise TypeError(f"not an RDF term: {term!r}")


def display_value(term: object | None, prefixes: Mapping[str, str]) -> str:
    """A value as a person reads it: prefixed IRIs, literal text without datatype."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        iri = str(term)
        best = max(
            ((p, ns) for p, ns in prefixes.items() if iri.startswith(ns)),
            key=lambda item: len(item[1]),
            default=None,
        )
        return f"{best[0]}:{iri[len(best[1]) :]}" if best else iri
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal) and term.datatype == XSD.boolean:
        return "ja" if str(term) in ("true", "1") else "nee"
    return str(term)


def rich_table(
    variables: Sequence[str],
    rows: Sequence[Row],
    prefixes: Mapping[str, str],
    *,
    title: str | None = None,
) -> Table:
    """A rich Table of the result for people to read.

    IRIs are shortened with ``prefixes`` (prefix -> namespace), and a column ``x`` is
    left out when a column ``x_label`` carries its name, so the table stays narrow
    enough for a terminal; the machine formats keep every column.
    """
    shown = [i for i, name in enumerate(variables) if f"{name}_label" not in variables]
    table = Table(title=title, show_lines=False, header_style="bold")
    for i in shown:
        table.add_column(variables[i], overflow="fold")
    for row in rows:
        table.add_row(*(display_value(row[i], prefixes) for i in shown))
    return table
