"""Content negotiation: which serialisation a client gets, decided by its Accept header.

SPARQL clients send combined headers such as
``application/sparql-results+json;q=0.5, text/csv`` and expect the
highest-weighted type the service can produce; browsers send ``*/*``. The
offers of each response kind are listed in the service's order of preference,
which decides ties and wildcards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

RESULT_FORMATS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
"""Media types for SELECT results, preferred first; the aliases come last."""

BOOLEAN_FORMATS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
"""Media types for ASK results: CSV and TSV have no boolean form."""

GRAPH_FORMATS: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/x-turtle": "turtle",
    "text/plain": "ntriples",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
}
"""Media types for graphs (CONSTRUCT, DESCRIBE, Graph Store, service description)."""

CANONICAL_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "findings": "application/json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
"""The media type a response declares for each format, whatever alias was asked for."""

RDF_INPUT_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/xml": "rdfxml",
    "application/ld+json": "jsonld",
    "text/n3": "n3",
}
"""Media types the Graph Store accepts in request bodies."""


class AcceptHeaderError(ValueError):
    """An Accept header that cannot be read (e.g. a q-value that is not a number)."""


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header: ``type/subtype;params;q=...``."""

    type: str
    subtype: str
    q: float = 1.0
    params: tuple[tuple[str, str], ...] = field(default=())
    position: int = 0
    """Place in the header, so equal weights keep the client's order."""

    def matches(self, media_type: str) -> bool:
        main, _, sub = media_type.partition("/")
        if self.type == "*":
            return True
        return self.type == main and self.subtype in ("*", sub)

    @property
    def specificity(self) -> int:
        """``*/*`` < ``type/*`` < ``type/subtype`` < with parameters (RFC 9110 12.5.1)."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """``'text/turtle; charset=UTF-8'`` -> ``('text/turtle', {'charset': 'UTF-8'})``."""
    main, *rest = value.split(";")
    params: dict[str, str] = {}
    for part in rest:
        name, sep, val = part.partition("=")
        if sep:
            params[name.strip().lower()] = val.strip().strip('"')
    return main.strip().lower(), params


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; an absent or empty header accepts anything."""
    if not header or not header.strip():
        return [MediaRange("*", "*")]
    ranges: list[MediaRange] = []
    for position, item in enumerate(header.split(",")):
        if not item.strip():
            continue
        media_type, params = parse_media_type(item)
        main, slash, sub = media_type.partition("/")
        if media_type == "*":  # seen in the wild (old Java clients): means */*
            main, slash, sub = "*", "/", "*"
        if not slash or not main or not sub:
            raise AcceptHeaderError(f"Accept header entry {item.strip()!r} is not type/subtype")
        q = 1.0
        if "q" in params:
            try:
                q = float(params.pop("q"))
            except ValueError:
                raise AcceptHeaderError(
                    f"Accept header entry {item.strip()!r} has a q-value that is not a number"
                ) from None
            if not 0.0 <= q <= 1.0:
                raise AcceptHeaderError(
                    f"Accept header entry {item.strip()!r} has a q-value outside 0..1"
                )
        ranges.append(MediaRange(main, sub, q, tuple(sorted(params.items())), position))
    return ranges


def best_match(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, or None when it accepts none of them (406).

    Each offer gets the q of the most specific range that matches it; the
    highest q wins, then the more specific match (an explicit type beats a
    wildcard), then the client's order, then the order of ``offers``.
    """
    ranges = parse_accept(header)
    best: tuple[tuple[float, int, int, int], str] | None = None
    for rank, offer in enumerate(offers):
        matching = [r for r in ranges if r.matches(offer)]
        if not matching:
            continue
        chosen = max(matching, key=lambda r: (r.specificity, -r.position))
        if chosen.q <= 0:
            continue
        key = (chosen.q, chosen.specificity, -chosen.position, -rank)
        if best is None or key > best[0]:
            best = (key, offer)
    return None if best is None else best[1]


def choose_format(header: str | None, formats: dict[str, str]) -> tuple[str, str] | None:
    """(format, media type to declare) for an Accept header, or None for 406."""
    offer = best_match(header, list(formats))
    if offer is None:
        return None
    fmt = formats[offer]
    return fmt, CANONICAL_TYPES[fmt]


def describe_offers(formats: dict[str, str]) -> str:
    """The canonical media types of ``formats``, for a 406 message."""
    return ", ".join(dict.fromkeys(CANONICAL_TYPES[f] for f in formats.values()))


REPORT_FORMATS: dict[str, str] = {
    "application/json": "findings",
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
"""Media types of a refused write's explanation: JSON findings first, else the SHACL report."""


# -- request bodies the parsers must not see --------------------------------

MAX_BODY_DEPTH = 100
"""Deepest nesting of JSON(-LD) arrays and objects, or of RDF/XML elements, read from a client.

pyoxigraph's JSON-LD parser recurses per level (5,000 levels crash the
process) and its RDF/XML parser slows down with the square of the depth
or worse (20,000 levels take 11 s); real documents stay far below 100.
"""


class UnsafeBody(ValueError):
    """A request body the service refuses to parse; the message says why."""


_JSON_SPECIAL = re.compile(rb'[\[\]{}"]')
_JSON_STRING_REST = re.compile(rb'(?:[^"\\]|\\.)*"', re.DOTALL)
_XML_TAG_REST = re.compile(rb"""(?:[^<>"']|"[^"]*"|'[^']*')*>""")
_XML_DECLARATIONS = tuple(
    word.encode(encoding)
    for word in ("<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_XML_SKIPPED = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))


def check_rdf_body(fmt: str, data: bytes, *, max_depth: int = MAX_BODY_DEPTH) -> None:
    """Raise UnsafeBody when a body of format ``fmt`` (see RDF_INPUT_TYPES) could hurt a parser.

    JSON-LD (and JSON) deeper than ``max_depth``; RDF/XML with a DOCTYPE or
    ENTITY declaration (entities are expanded: a few hundred bytes can grow
    to gigabytes), or deeper than ``max_depth``. One pass, never returning
    to text already read (so a hostile body cannot make the check itself
    slow); text that cannot be read to its end is left to the parser, which
    refuses it.
    """
    if fmt in ("jsonld", "json") and _json_depth(data, max_depth) > max_depth:
        raise UnsafeBody(
            f"The JSON nests deeper than {max_depth} levels, the most this service reads."
        )
    if fmt in ("turtle", "n3", "trig") and _turtle_depth(data, max_depth) > max_depth:
        raise UnsafeBody(
            f"The {fmt} nests collections, blank nodes or formulas deeper than {max_depth} "
            "levels, the most this service reads."
        )
    if fmt == "rdfxml":
        lowered = data.lower()
        if any(declaration in lowered for declaration in _XML_DECLARATIONS):
            raise UnsafeBody(
                "RDF/XML with a DOCTYPE or ENTITY declaration is not accepted: entities can "
                "expand a small document without bound. Send the data without them."
            )
        if _xml_depth(data, max_depth) > max_depth:
            raise UnsafeBody(
                f"The RDF/XML nests elements deeper than {max_depth} levels, the most this "
                "service reads."
            )


_TURTLE_SPECIAL = re.compile(rb"""[\[\](){}"'<#]""")
_TURTLE_IRI_REST = re.compile(rb"[^>\s]*>?")
_TURTLE_LONG_REST = {
    b'"': re.compile(rb'[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""', re.DOTALL),
    b"'": re.compile(rb"[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''", re.DOTALL),
}
_TURTLE_SHORT_REST = {  # unrolled loops: one regex step per run of plain characters
    b'"': re.compile(rb'[^"\\\n]*(?:\\.[^"\\\n]*)*"'),
    b"'": re.compile(rb"[^'\\\n]*(?:\\.[^'\\\n]*)*'"),
}
_LINE_END = re.compile(rb"[\r\n]")


def _turtle_depth(data: bytes, stop: int) -> int:
    """Nesting of ( [ { outside strings, IRIs and comments, read until it passes ``stop``.

    The parser recurses once per level and takes seconds for tens of thousands of
    them while the write lock is held; no real registry nests more than a few."""
    depth = deepest = position = 0
    while (match := _TURTLE_SPECIAL.search(data, position)) is not None:
        char, position = match.group(), match.end()
        if char in (b'"', b"'"):
            if data[position : position + 2] == char * 2:
                rest = _TURTLE_LONG_REST[char].match(data, position + 2)
            else:
                rest = _TURTLE_SHORT_REST[char].match(data, position)
            if rest is None:
                break  # an unterminated string: the parser reports it
            position = rest.end()
        elif char == b"<":  # an IRI; without its ">" the parser will refuse the text
            rest = _TURTLE_IRI_REST.match(data, position)
            if rest is not None:
                position = rest.end()
        elif char == b"#":
            end = _LINE_END.search(data, position)
            if end is None:
                break
            position = end.end()
        elif char in b"([{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop:
                return deepest
        else:
            depth = max(0, depth - 1)
    return deepest


def _json_depth(data: bytes, stop: int) -> int:
    """Nesting of arrays and objects, read until it passes ``stop``."""
    depth = deepest = position = 0
    while (match := _JSON_SPECIAL.search(data, position)) is not None:
        char, position = match.group(), match.end()
        if char == b'"':
            rest = _JSON_STRING_REST.match(data, position)
            if rest is None:
                break
            position = rest.end()
        elif char in b"[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop:
                break
        else:
            depth = max(depth - 1, 0)
    return deepest


def _xml_depth(data: bytes, stop: int) -> int:
    """Nesting of elements, read until it passes ``stop``."""
    depth = deepest = 0
    position = data.find(b"<")
    while position != -1:
        skipped = next(
            (end for begin, end in _XML_SKIPPED if data.startswith(begin, position)), None
        )
        if skipped is not None:
            end = data.find(skipped, position)
            if end == -1:
                break
            position = end + len(skipped)
        else:
            tag = _XML_TAG_REST.match(data, position + 1)
            if tag is None:
                break
            if data.startswith(b"</", position):
                depth = max(depth - 1, 0)
            elif data[tag.end() - 2 : tag.end()] != b"/>":
                depth += 1
                deepest = max(deepest, depth)
                if deepest > stop:
                    break
            position = tag.end()
        position = data.find(b"<", position)
    return deepest
