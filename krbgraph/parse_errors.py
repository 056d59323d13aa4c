"""Where and why an RDF parser refused some text, where pyoxigraph does not say.

pyoxigraph names no position for an RDF/XML file that is no well-formed XML, and
refuses a term longer than its parser's buffer with a bare MemoryError. Files,
request bodies and uploads report both the same way: the line, and what to do.
"""

from __future__ import annotations

import re
import xml.parsers.expat

__all__ = ["entity_expansion_problem", "term_too_large", "xml_position"]


def xml_position(data: bytes) -> tuple[int | None, int | None]:
    """Where an RDF/XML file stops being well-formed XML, as Python's expat finds it:
    pyoxigraph names no position for those errors (an unclosed tag on line 2003).
    None for an error of RDF, not of XML."""
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        return exc.lineno, exc.offset + 1
    return None, None


_BUFFER_LIMIT = re.compile(r"buffer maximal size of (\d+)")


def term_too_large(exc: MemoryError, data: bytes | None) -> tuple[int | None, str]:
    """The line (when one is that long) and the message for pyoxigraph's refusal of a term
    longer than its parser's buffer, for a file or a request body. Any other MemoryError
    is re-raised: memory really ran out."""
    found = _BUFFER_LIMIT.search(str(exc))
    if found is None:
        raise exc
    limit = int(found.group(1))
    line = _first_line_over(data, limit) if data is not None else None
    return line, (
        f"a term (literal or IRI) longer than {limit // (1 << 20)} MiB ({limit:,} bytes), "
        "more than the RDF parser reads in one piece; shorten it (a geometry: fewer points, "
        "or split the area)"
    )


def _first_line_over(data: bytes, limit: int) -> int | None:
    """The 1-based number of the first line longer than ``limit`` bytes, if any."""
    start = 0
    number = 1
    while start <= len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end - start > limit:
            return number
        start = end + 1
        number += 1
    return None


_ENTITY = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s>]+)\s+(\"([^\"]*)\"|'([^']*)')", re.S)
MAX_EXPANDED_BYTES = 64 * 1024 * 1024
"""What the entities of an RDF/XML file may expand to in all (a few namespace entities
in an ontology editor's export expand to kilobytes)."""


def entity_expansion_problem(data: bytes) -> tuple[int, str] | None:
    """The line and the reason when the entities an RDF/XML document declares would
    expand beyond reason: an entity defined by others (the "billion laughs", nine levels
    of ten make gigabytes from 800 bytes), or references that expand to more than
    MAX_EXPANDED_BYTES. pyoxigraph expands them before anything can stop it, and a
    failed allocation aborts the process. None for a document without such entities."""
    if b"<!ENTITY" not in data:
        return None
    expanded = 0
    for found in _ENTITY.finditer(data):
        name, value = found.group(2), found.group(4) or found.group(5) or b""
        line = data.count(b"\n", 0, found.start()) + 1
        if b"&" in value or b"%" in value:
            return line, (
                f"entity '{name.decode(errors='replace')}' is defined by other entities; "
                "nested entities are refused (they can expand a small file to gigabytes): "
                "write the IRIs out, or use plain namespace entities"
            )
        expanded += len(value) * data.count(b"&" + name + b";")
        if expanded > MAX_EXPANDED_BYTES:
            return line, (
                f"the entities expand to more than {MAX_EXPANDED_BYTES >> 20} MiB; write "
                "the values out"
            )
    return None
