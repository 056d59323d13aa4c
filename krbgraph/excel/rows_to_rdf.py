"""Rows of every sheet -> one RDF graph, in dependency order.

Pick lists come first (they define the names base tables refer to, the registry's
own sectors, materials and document types among them), then the
base tables from dossier to intended implementation, so defaults and checks
that need an earlier row (a document's level of government, a norm's unit)
find it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from functools import cached_property

from rdflib import Graph, URIRef
from rdflib.term import Node

from . import own_lists, pick_lists, tables
from .conversion import Conversion, OutsideLookup, Progress, Row, new_graph, with_refusal
from .problems import Problem
from .sheet_rows import SheetRows
from .vocabulary import LookupFailed, ValueList, Vocabulary
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


@dataclass
class SheetList(ValueList):
    """The entries of a pick-list sheet (themes, aspects, areas, departments, local
    object types) that, for a name no row has, ask the conversion's outside lookup.

    The lookup sits in the list rather than in Row.pick because the indicator sheet looks
    its department up directly, to add a department it does not find."""

    conversion: Conversion | None = field(default=None, repr=False, compare=False)

    def find(self, name: str) -> URIRef:
        try:
            return super().find(name)
        except LookupFailed as exc:
            if self.conversion is None or self.sheet is None or self.hits(name):
                raise
            found = self.conversion.elsewhere(self.sheet, name)
            if found is not None:
                return found
            refusal = self.conversion.refusal(self.sheet, name)
            if refusal is None:
                raise
            raise LookupFailed(*with_refusal(exc.message_nl, exc.message_en, refusal)) from None

    @classmethod
    def of(cls, values: ValueList, conversion: Conversion) -> SheetList:
        """``values`` (still empty) as a list that looks outside through ``conversion``."""
        copied = {f.name: getattr(values, f.name) for f in fields(ValueList)}
        return cls(**copied, conversion=conversion)


_SHEET_LISTS = (
    "beleidsthemas",
    "beleidsaspecten",
    "werkingsgebieden",
    "afdelingen",
    "leefomgeving",
)
"""The pick-list sheets whose entries other sheets name (sectors, materials and document
types are looked up through their Layered lookups, by Row.pick)."""


def convert_rows(
    sheets: dict[str, SheetRows],
    vocabulary: Vocabulary,
    base_iri: str,
    *,
    progress: Progress | None = None,
    outside: OutsideLookup | None = None,
) -> ReadResult:
    """The rows as triples; a reference that names no row may name a thing ``outside``
    finds (krbgraph.excel.elsewhere), else it is refused."""
    conversion = Conversion(vocabulary, base_iri.rstrip("/"), progress=progress, outside=outside)
    conversion.total = sum(len(sheets[name].rows) for name, _ in _TABLES)
    if outside is not None:
        # The pick-list sheets fill these lists (setdefault); lists that look outside
        # for a name no row has reach every cell that names an entry.
        for name in _SHEET_LISTS:
            conversion.lists[name] = SheetList.of(pick_lists.sheet_list(name), conversion)
    used: dict[str, Row] = {}
    schemes = pick_lists.convert_schemes(conversion, sheets["conceptschemas"])
    pick_lists.convert_themes(conversion, sheets["beleidsthemas"], used)
    pick_lists.convert_aspects(conversion, sheets["beleidsaspecten"], used)
    pick_lists.convert_areas(conversion, sheets["werkingsgebieden"])
    pick_lists.convert_departments(conversion, sheets["afdelingen"])
    pick_lists.convert_local_types(conversion, sheets["leefomgeving"], used)
    for own in OWN_LISTS:
        own_lists.convert_own_list(conversion, sheets[own.sheet], own, used)
    if outside is not None:
        # A scheme the rows use but the sheet conceptschemas does not describe is written
        # with its default title, unless the registry has it in another graph (the
        # graph thema of a registry kept per theme): a second title would contradict it.
        for code in [code for code in used if code not in schemes]:
            if conversion.elsewhere("conceptschemas", code) is not None:
                del used[code]
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
