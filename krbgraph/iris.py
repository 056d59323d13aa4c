"""Minting IRIs for the things in a registry, following the Dutch URI strategy.

Things live under ``{base}/id/{type}/{reference}``; the reference is a stable
code where one exists (indicator code, CBS area code, RIS number) and is made
IRI-safe here rather than at every call site.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit

from rdflib import URIRef

DEFAULT_BASE_IRI = "https://krb.demogemeente.nl"
"""Base IRI of the demo registry; a deployment sets KRB_BASE_IRI to its own domain."""

THING_TYPES = (
    "beleidsdossier",
    "besluitdocument",
    "besluitproces",
    "beleidsthema",
    "beleidsaspect",
    "beleidsindicator",
    "beleidsnorm",
    "beleidsregel",
    "beleidsmaatregel",
    "beoogd-effect",
    "beoogde-uitvoering",
    "werkingsgebied",
    "afdeling",
    "leefomgeving",
    "conceptschema",
)
"""The {type} segments the registry uses, one per kind of thing."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")

_DOT_SEGMENT = re.compile(r"(?:^|/)\.{1,2}(?:/|$)")
"""A '.' or '..' segment of a path."""


def has_dot_segment(iri: str) -> bool:
    """Whether the path of ``iri`` (an IRI, or the rest of one after a prefix) holds a
    '.' or '..' segment, also written escaped (``%2E%2E``, which normalising makes '..',
    RFC 3986 6.2.2.2): every client resolves one away before it asks (5.2.4), so
    ``.../graph/x/../beleid`` is never asked for and its link opens
    ``.../graph/beleid``; and under a prefix ``.../graph/noord-/../zuid`` reads as zuid's.
    A dot inside a segment (``v1.2``, ``beleid%2Eversie2``), in the query or fragment, or
    in an IRI without a path of segments (a URN) is no such segment."""
    path = urlsplit(iri).path
    return bool(_DOT_SEGMENT.search(re.sub("%2[eE]", ".", path)))


def reference(code: str) -> str:
    """An IRI-safe reference for a code or name: 'Parkstraat 1a' -> 'parkstraat-1a'.

    Codes keep their case (CBS codes such as GM0363 are case-sensitive in
    practice); names with spaces or diacritics are folded to a lower-case slug.
    """
    text = unicodedata.normalize("NFKD", code.strip())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if not text:
        raise ValueError("an IRI reference cannot be empty")
    if _UNSAFE.search(text):
        text = _UNSAFE.sub("-", text.lower()).strip("-")
    # Only dots is a path segment ('.' or '..') that an IRI resolves away: the graph of a
    # file '...xlsx' was {base}/graph/excel/.., which a browser reads as {base}/graph/.
    if not text.strip("."):
        raise ValueError(f"no IRI reference can be made from {code!r}")
    return text


class FileNameTooLong(ValueError):
    """A file name that makes a graph name longer than the Graph Store takes."""


def file_graph_name(
    folder: str, slug: str, file: str, name: str, give: str, *, room: int = 0
) -> str:
    """``{folder}{slug}``: the graph a file is loaded into when none is given (``slug`` is
    made from the file's name by the caller: `reference` of it, or of it in lower case).

    Raises ValueError, naming the file and how to ``give`` a graph, for a slug without a
    letter or digit ('€.xlsx', '. .ttl'; one of dots alone is refused by `reference`),
    and FileNameTooLong for a name the Graph Store could not name it by
    (rdfio.MAX_GRAPH_IRI), less the ``room`` a graph named after it takes more (a
    workbook's ``/metingen``)."""
    from .rdfio import MAX_GRAPH_IRI

    if not any(ch.isalnum() for ch in slug):
        raise ValueError(
            f"{file}: no graph name can be made from the file name '{name}': a default graph "
            "is named after the letters A-Z and digits 0-9 of the name, and it has none; "
            f"give the graph ({give}) or rename the file"
        )
    iri = folder + slug
    if len(iri) + room > MAX_GRAPH_IRI:  # written, then neither read nor deleted (400)
        raise FileNameTooLong(
            f"{file}: the file name is too long to name a graph ({len(iri) + room:,} "
            f"characters, at most {MAX_GRAPH_IRI:,}); give the graph ({give}) or rename "
            "the file"
        )
    return iri


def thing_iri(base: str, kind: str, code: str) -> URIRef:
    """``{base}/id/{kind}/{reference(code)}``; raises ValueError for an unknown kind."""
    if kind not in THING_TYPES:
        raise ValueError(f"unknown thing type {kind!r}; known: {', '.join(THING_TYPES)}")
    return URIRef(f"{base.rstrip('/')}/id/{kind}/{reference(code)}")


FILE_GRAPH = "urn:x-krb:file:"
"""Graphs that stand for files being validated without a store (`krb validate`):
``urn:x-krb:file:{n}:{the path as given}``, so a message naming the graph names the file."""


def graph_home(graph_iri: str) -> str | None:
    """The base a graph named ``{base}/graph/...`` is named under (``https://krb.bemmel.nl``
    of ``https://krb.bemmel.nl/graph/water``), or None for a graph named otherwise: in a
    store that holds several registries, the base another registry's things are minted
    under (``same_site`` says whether it is another's)."""
    authority = graph_iri.find("//")
    at = graph_iri.find("/graph/", authority + 2 if authority >= 0 else 0)
    return graph_iri[:at] if at > 0 and authority >= 0 else None


def same_site(a: str, b: str) -> bool:
    """Whether two bases name one registry: the same host (in any case), port and path
    (without a final slash), by ``http`` or ``https`` alike. So ``http://krb.x.nl`` is
    ``https://krb.x.nl``'s own, and ``https://data.gelderland.nl/bemmel`` another
    registry than ``.../lingewaard`` on the same host."""

    def site(iri: str) -> tuple[str | None, int | None, str]:
        parts = urlsplit(iri)
        try:
            port = parts.port
        except ValueError:
            port = None
        return parts.hostname, port, parts.path.rstrip("/")

    return site(a) == site(b)


def file_graph_iri(index: int, path: str) -> str:
    """The graph of the ``index``-th file, ``path`` as the user gave it."""
    return f"{FILE_GRAPH}{index}:{quote(path, safe='/')}"


def file_of_graph(iri: str) -> str | None:
    """The path a file graph stands for, else None."""
    if not iri.startswith(FILE_GRAPH):
        return None
    return unquote(iri[len(FILE_GRAPH) :].split(":", 1)[-1])
