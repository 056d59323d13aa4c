"""What a thing is called on a page when it has no name, or shares its name.

A thing without a label is called by the last part of its IRI (short_name). A store
holding several municipalities' registries has two themes called Geluid, and real
CBS data has a wijk and a buurt both called Centrum: a select box, a legend or a list
that shows only the name leaves the reader to guess, so told_apart adds what tells
each apart, the same way on every page.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from urllib.parse import urlsplit

from rdflib import Literal
from rdflib.term import Identifier

_OPAQUE = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
"""A local part that is an identifier (IMBOR's UUIDs), which says nothing to a reader."""


def short_name(iri: str) -> str:
    """The local part of an IRI, as a fallback label: ...#Beleidsnorm -> Beleidsnorm.

    Where the local part is an opaque identifier (a UUID, as in IMBOR's term IRIs) the
    host and the segment before it stand in front: data.crow.nl/imbor/term/5ee2…."""
    for separator in ("#", "/"):
        head, _, tail = iri.rstrip("/").rpartition(separator)
        if head and tail:
            if _OPAQUE.match(tail):
                where = head.split("://", 1)[-1]
                return f"{where}/{tail[:8]}…"
            return tail
    return iri


def told_apart(labels: Mapping[str, str]) -> dict[str, str]:
    """``labels`` with each name that several IRIs share followed by what tells them
    apart: the host of the IRI (two municipalities' Geluid in one store), or else its
    last segment. Where every name is its own, nothing changes."""
    holders: dict[str, list[str]] = {}
    for iri, label in labels.items():
        holders.setdefault(label, []).append(iri)
    distinct = dict(labels)
    for label, iris in holders.items():
        for iri, mark in tellers(iris).items() if len(iris) > 1 else ():
            distinct[iri] = f"{label} ({mark})"
    return distinct


def tellers(iris: Collection[str]) -> dict[str, str]:
    """What tells IRIs of one name apart: each one's host where those differ, else each
    one's last segment (a wijk and a buurt both named Centrum), else its host and path
    (an archived theme under another path of the same site)."""
    for mark in (lambda iri: urlsplit(iri).hostname or "", short_name, _host_and_path):
        marks = {iri: mark(iri) for iri in iris}
        if len(set(marks.values())) == len(marks):
            return marks
    return {iri: iri for iri in iris}


def _host_and_path(iri: str) -> str:
    return iri.split("://", 1)[-1]


def told_apart_names(labels: Mapping[str, Identifier | str | None]) -> dict[str, Identifier | str]:
    """told_apart for names as query rows give them (literals with their language tag,
    which the page keeps, or names krbgraph.labels chose); IRIs without a name are left
    out."""
    named = {iri: label for iri, label in labels.items() if label is not None}
    distinct = told_apart({iri: str(label) for iri, label in named.items()})
    return {
        iri: label
        if distinct[iri] == str(label)
        else Literal(distinct[iri], lang=getattr(label, "language", getattr(label, "lang", None)))
        for iri, label in named.items()
    }
