"""Links from the answer to a workbook upload to the registry's pages.

A problem at a cell is easier to judge next to what the registry holds
now: the norm as it is, before the edit that failed. So each problem in a
row that describes a thing links to that thing's page when the registry
has it, and otherwise to the list of the sheet's class (a new row has no
page yet). After a successful upload the answer counts what the
workbook's graph now holds per class, each count linking to /lijst.

Which thing a row describes is what the import itself makes of it: the
workbook is converted again (krbgraph.excel.reader, the same code and IRI
rules as the import) and the row's subject is taken from the places the
conversion records for every triple. That costs a second reading, done
only when a problem names a row, and outside the write lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import unquote, urlencode

from rdflib import RDF, URIRef

from ..excel.limits import WorkbookLimits, WorkbookTooLarge
from ..excel.problems import Problem, WorkbookUnreadable
from ..excel.reader import read_workbook
from ..namespaces import KRB, ORG
from ..queries import run_for_each
from ..store import Store
from .describe import local_href, run_query, short_name, text_of
from .state import catalogue

SHEET_CLASSES: dict[str, tuple[URIRef, str]] = {
    "beleidsdossier": (KRB.Beleidsdossier, "Beleidsdossiers"),
    "besluitdocument": (KRB.Besluitdocument, "Besluitdocumenten"),
    "besluitproces": (KRB.Besluitproces, "Besluitprocessen"),
    "beleidsindicator": (KRB.Beleidsindicator, "Beleidsindicatoren"),
    "beleidsnorm": (KRB.Beleidsnorm, "Beleidsnormen"),
    "beleidsregel": (KRB.Beleidsregel, "Beleidsregels"),
    "beleidsmaatregel": (KRB.Beleidsmaatregel, "Beleidsmaatregelen"),
    "beoogd_effect": (KRB.BeoogdEffect, "Beoogde effecten"),
    "beoogde_uitvoering": (KRB.BeoogdeUitvoering, "Beoogde uitvoeringen"),
    "beleidsthemas": (KRB.Beleidsthema, "Beleidsthema's"),
    "beleidsaspecten": (KRB.Beleidsaspect, "Beleidsaspecten"),
    "werkingsgebieden": (KRB.Werkingsgebied, "Werkingsgebieden"),
    "afdelingen": (ORG.OrganizationalUnit, "Afdelingen"),
    "leefomgeving": (KRB.LokaalObjecttype, "Lokale objecttypen"),
}
"""The class of the things each sheet describes, with its Dutch plural (the list's name)."""


@dataclass(frozen=True)
class RowLink:
    """Where a problem's row leads: the thing's page, or the list of its sheet's class."""

    href: str
    text: str
    exists: bool


@dataclass(frozen=True)
class ClassCount:
    klasse: str
    label: str
    count: int
    href: str


def class_list_href(klasse: str) -> str:
    return "/lijst?" + urlencode({"klasse": klasse})


def problem_links(
    store: Store,
    source: BinaryIO,
    problems: Sequence[Problem],
    *,
    base_iri: str,
    limits: WorkbookLimits | None = None,
) -> dict[tuple[str, int], RowLink]:
    """A link per (sheet, row) of the problems whose row is a thing of a known sheet.

    ``source`` is the uploaded workbook (read again from its start).
    """
    places = {
        (p.sheet, p.row)
        for p in problems
        if p.sheet in SHEET_CLASSES and p.row is not None and p.row >= 2
    }
    if not places:
        return {}
    subjects = _row_subjects(source, places, base_iri=base_iri, limits=limits)
    existing = _existing(store, subjects.values())
    links = {}
    for sheet, row in places:
        subject = subjects.get((sheet, row))
        if subject is not None and str(subject) in existing:
            links[(sheet, row)] = RowLink(local_href(str(subject), base_iri), _code(subject), True)
        else:
            klasse, plural = SHEET_CLASSES[sheet]
            links[(sheet, row)] = RowLink(class_list_href(str(klasse)), plural, False)
    return links


def _row_subjects(
    source: BinaryIO,
    places: set[tuple[str, int]],
    *,
    base_iri: str,
    limits: WorkbookLimits | None,
) -> dict[tuple[str, int], URIRef]:
    """The thing each row describes: of the subjects the conversion placed on the row,
    the one of the sheet's class (a theme row also touches its concept scheme)."""
    source.seek(0)
    try:
        read = read_workbook(source, base_iri, limits=limits)
    except (WorkbookUnreadable, WorkbookTooLarge):  # read once already; nothing to link then
        return {}
    found: dict[tuple[str, int], URIRef] = {}
    for node, place in read.locations.items():
        if not isinstance(node, URIRef) or place not in places:
            continue
        klasse = SHEET_CLASSES[place[0]][0]
        if (node, RDF.type, klasse) in read.graph:
            found[place] = node
        else:
            found.setdefault(place, node)
    return found


def _existing(store: Store, subjects: Iterable[URIRef]) -> set[str]:
    query = catalogue()["web-bestaande-resources"]
    answer = run_for_each(store, query, "resource", list(subjects))
    return {str(row[0]) for row in answer.rows if row[0] is not None}


def _code(subject: URIRef) -> str:
    """The last segment of a thing's IRI, its code: .../beleidsnorm/GEL-N01 -> GEL-N01."""
    return unquote(str(subject).rstrip("/").rsplit("/", 1)[-1]) or str(subject)


def class_counts(store: Store, graph: str) -> list[ClassCount]:
    """How many things of each class the graph holds, most first, each with its list."""
    rows = run_query(store, "web-klassen-in-graaf", graaf=URIRef(graph)).dicts()
    return [
        ClassCount(
            str(row["klasse"]),
            text_of(row.get("klasse_label")) or short_name(str(row["klasse"])),
            int(row["aantal"]),
            class_list_href(str(row["klasse"])),
        )
        for row in rows
        if isinstance(row.get("klasse"), URIRef)
    ]
