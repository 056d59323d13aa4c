"""Showing SELECT results to people: a rich table with prefixed IRIs.

The formats for tools (W3C JSON, CSV, TSV) are in krbgraph.sparql_results; only
this human table shortens IRIs with prefixes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rich.table import Table

Row = Sequence[object | None]

__all__ = ["display_value", "rich_table"]


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
