"""Where and why an RDF parser refused some text, where pyoxigraph does not say.

pyoxigraph names no position for an RDF/XML file that is no well-formed XML, and
refuses a term longer than its parser's buffer with a bare MemoryError. Files,
request bodies and uploads report both the same way: the line, and what to do.
"""

from __future__ import annotations

import re
import xml.parsers.expat

__all__ = ["term_too_large", "xml_position"]


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
