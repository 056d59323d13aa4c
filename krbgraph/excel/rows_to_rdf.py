"""Rows of every sheet -> one RDF graph, in dependency order.

Pick lists come first (they define the names base tables refer to), then the
base tables from dossier to intended implementation, so defaults and checks
that need an earlier row (a document's level of government, a norm's unit)
find it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph
from rdflib.term import Node

from . import pick_lists, tables
from .conversion import Conversion, Progress, Row
from .problems import Problem
from .sheet_rows import SheetRows
from .vocabulary import Vocabulary

__all__ = ["Converted", "Progress", "convert_rows"]


@dataclass
class Converted:
    graph: Graph
    problems: list[Problem]
    locations: dict[Node, tuple[str, int]]
    columns: dict[tuple[Node, Node], str]


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


def convert_rows(sheets: dict[str, SheetRows], vocabulary: Vocabulary, base_iri: str, *,
                 progress: Progress | None = None) -> Converted:
    conversion = Conversion(vocabulary, base_iri.rstrip("/"), progress=progress)
    conversion.total = sum(len(sheets[name].rows) for name, _ in _TABLES)
    used: dict[str, Row] = {}
    schemes = pick_lists.convert_schemes(conversion, sheets["conceptschemas"])
    pick_lists.convert_themes(conversion, sheets["beleidsthemas"], used)
    pick_lists.convert_aspects(conversion, sheets["beleidsaspecten"], used)
    pick_lists.convert_areas(conversion, sheets["werkingsgebieden"])
    pick_lists.convert_departments(conversion, sheets["afdelingen"])
    pick_lists.convert_local_types(conversion, sheets["leefomgeving"], used)
    pick_lists.check_product_list(conversion, sheets["sectoren"], "sector")
    pick_lists.check_product_list(conversion, sheets["materiaalstromen"], "materiaal")
    pick_lists.finish_schemes(conversion, schemes, used)
    skip = tables.index_codes(conversion, {name: sheets[name] for name, _ in _TABLES})
    for name, convert in _TABLES:
        convert(conversion, sheets[name], skip)
    return Converted(conversion.graph, conversion.problems, conversion.locations,
                     conversion.columns)
