"""Rows of every sheet -> one RDF graph, in dependency order.

Pick lists come first (they define the names base tables refer to, the registry's
own sectors, materials and document types among them), then the
base tables from dossier to intended implementation, so defaults and checks
that need an earlier row (a document's level of government, a norm's unit)
find it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from rdflib import Graph
from rdflib.term import Node

from . import own_lists, pick_lists, tables
from .conversion import Conversion, Progress, Row, new_graph
from .problems import Problem
from .sheet_rows import SheetRows
from .vocabulary import Vocabulary
from .workbook_format import OWN_LISTS

__all__ = ["Progress", "ReadResult", "convert_rows"]


@dataclass
class ReadResult:
    """A workbook's graph, its problems, and where each triple came from (for messages)."""

    triples: tuple[tuple[Node, Node, Node], ...]
    """The workbook's triples, each once; ``graph`` holds them as an rdflib graph."""
    problems: list[Problem]
    locations: dict[Node, tuple[str, int]]
    """Subject (IRI or blank node) -> (sheet, row) that produced it."""
    columns: dict[tuple[Node, Node], str]
    """(subject, predicate) -> column that produced the triple."""
    sheet_columns: dict[tuple[str, Node], str] = field(default_factory=dict)
    """(sheet, predicate) -> the column that writes that predicate on that sheet: where a
    finding about a value that is missing (no triple to look up) points."""
    metingen: SheetRows | None = field(default=None, repr=False)
    """The rows of sheet metingen, left for the import: measurements need the store
    (krbgraph.excel.metingen_sheet) and go to a graph of their own."""

    @cached_property
    def graph(self) -> Graph:
        """The triples as an rdflib graph with the project's prefixes, made when first
        asked for (the import writes ``triples`` and never needs it)."""
        graph = new_graph()
        graph.addN((s, p, o, graph) for s, p, o in self.triples)
        return graph

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def __iter__(self) -> Iterator[object]:
        """Unpacks as ``graph, problems = read_workbook(...)``."""
        yield self.graph
        yield self.problems


_TABLES = (
    ("beleidsdossier", tables.convert_dossiers),
    ("besluitdocument", tables.convert_documents),
    ("besluitproces", tables.convert_decisions),
    ("beleidsindicator", tables.convert_indicators),
    ("beleidsnorm", tables.convert_norms),
    ("beleidsregel", tables.convert_rules),
    ("beleidsmaatregel", tables.convert_measures),
    ("beoogd_effect", tables.convert_effects),
    ("beoogde_uitvoering", tables.convert_implementations),
)


def convert_rows(
    sheets: dict[str, SheetRows],
    vocabulary: Vocabulary,
    base_iri: str,
    *,
    progress: Progress | None = None,
) -> ReadResult:
    conversion = Conversion(vocabulary, base_iri.rstrip("/"), progress=progress)
    conversion.total = sum(len(sheets[name].rows) for name, _ in _TABLES)
    used: dict[str, Row] = {}
    schemes = pick_lists.convert_schemes(conversion, sheets["conceptschemas"])
    pick_lists.convert_themes(conversion, sheets["beleidsthemas"], used)
    pick_lists.convert_aspects(conversion, sheets["beleidsaspecten"], used)
    pick_lists.convert_areas(conversion, sheets["werkingsgebieden"])
    pick_lists.convert_departments(conversion, sheets["afdelingen"])
    pick_lists.convert_local_types(conversion, sheets["leefomgeving"], used)
    for own in OWN_LISTS:
        own_lists.convert_own_list(conversion, sheets[own.sheet], own, used)
    pick_lists.finish_schemes(conversion, schemes, used)
    skip = tables.index_codes(conversion, {name: sheets[name] for name, _ in _TABLES})
    for name, convert in _TABLES:
        convert(conversion, sheets[name], skip)
    return ReadResult(
        tuple(conversion.triples),
        conversion.problems,
        conversion.locations,
        conversion.columns,
        sheet_columns=conversion.sheet_columns,
    )
