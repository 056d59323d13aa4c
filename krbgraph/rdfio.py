"""Reading RDF files into rdflib with errors that point at file, line and column.

Users hand-edit Turtle; an error that only says "bad syntax" sends them
searching. pyoxigraph's parsers report the exact position of a syntax error,
so files are parsed with pyoxigraph and the triples converted to rdflib terms.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Identifier

from .input_files import InputPathError, Inputs, inputs
from .parse_errors import entity_expansion_problem, term_too_large, xml_position

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
"""File suffixes read as RDF; each may also end in .gz (gzip-compressed)."""

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_QUAD_FORMATS = (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
_POSITION_PREFIX = re.compile(r"^Parser error (?:at|between) line [^:]*:\s*")
_LINE_SUFFIX = re.compile(r"\s*\(line \d+\)$")
_SLASH_HINT = (
    " (a Turtle prefixed name such as id:beleidsnorm/N01 may not contain '/';"
    " write the full IRI <.../id/beleidsnorm/N01>, use @base with <beleidsnorm/N01>,"
    " or declare a prefix per type such as beleidsnorm:N01)"
)


class _IllTypedLiteralNotice(logging.Filter):
    """Drops rdflib's warning, with a whole traceback, for each literal whose text is not
    of its type ("2000-99-01"^^xsd:date). Such a literal is data like any other: the
    shapes report it (sh:datatype) with file, object and a message users can act on,
    and a traceback beside that report reads as a crash in a CI log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_IllTypedLiteralNotice())


class RdfInputError(Exception):
    """An RDF file that cannot be read; str() is ``file:line:column: message``.

    line and column are 1-based and None when the parser gives no position
    (missing file, bad gzip data, some JSON-LD and RDF/XML errors).
    """

    def __init__(self, path: Path, line: int | None, column: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


def rdf_format(path: Path) -> ox.RdfFormat | None:
    """The RDF format of a file name (``x.ttl``, ``x.ttl.gz``), or None if it is not RDF."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return FORMATS.get(suffixes[-1]) if suffixes else None


def is_rdf_file(path: Path) -> bool:
    return rdf_format(path) is not None


def file_format(path: Path) -> ox.RdfFormat:
    """The syntax of ``path`` by its suffix (optionally .gz); RdfInputError otherwise."""
    fmt = rdf_format(path)
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise RdfInputError(
            path, None, None, f"unknown RDF file type; expected one of {known} (optionally .gz)"
        )
    return fmt


def read_rdf(path: Path) -> Graph | Dataset:
    """Parse one RDF file: a Dataset for TriG and N-Quads (and JSON-LD with named
    graphs), otherwise a Graph.

    Raises RdfInputError for an unknown suffix, an unreadable file or a syntax
    error; nothing is returned half-read.
    """
    path = Path(path)
    fmt = file_format(path)
    quads = _rdflib_quads(path)
    if fmt in _QUAD_FORMATS or any(graph is not None for *_, graph in quads):
        dataset = Dataset()
        for s, p, o, g in quads:
            target = dataset.graph(g) if g is not None else dataset.default_context
            target.add((s, p, o))
        return dataset
    graph = Graph()
    for s, p, o, _ in quads:
        graph.add((s, p, o))
    return graph


def expand_paths(paths: Iterable[Path], *, leave_out: Path | None = None) -> list[Path]:
    """The files of ``rdf_inputs``, for a caller with no one to tell of reports left out."""
    return rdf_inputs(paths, leave_out=leave_out).files


def rdf_inputs(paths: Iterable[Path], *, leave_out: Path | None = None) -> Inputs:
    """The RDF files `krb validate` and `krb load` read for ``paths`` (files and folders),
    and the reports of `krb validate` among them, left out (krbgraph.input_files), as is
    ``leave_out`` (the report being written). Raises RdfInputError for a path that does
    not exist or a folder that cannot be read."""
    try:
        return inputs(map(Path, paths), rdf_format, leave_out=leave_out)
    except InputPathError as exc:
        raise RdfInputError(exc.path, None, None, exc.message) from exc


def read_rdf_paths(paths: Iterable[Path], *, exact: bool = False) -> Graph:
    """All triples of the given files and folders in one graph (named graphs merged).

    Folders are searched recursively for files with a known RDF suffix, in
    sorted order. Raises RdfInputError at the first unreadable file.
    """
    graph = Graph()
    for path in expand_paths(paths):
        for s, p, o, _ in _rdflib_quads(path, exact=exact):
            graph.add((s, p, o))
    return graph


_UNSUPPORTED_MARKS = {
    ox.RdfFormat.RDF_XML: (b"dir=", b"Triple"),  # rdf:dir, rdf:parseType="Triple"
}
_TEXT_MARKS = (b"<<", b"--ltr", b"--rtl")
"""Text without any of its syntax's marks holds no triple term or base direction: in
Turtle, TriG, N-Triples and N-Quads ``<<`` and ``"x"@ar--rtl``. (JSON-LD is parsed
whole.) Each mark costs a scan: three take 0.3 s for 144 MB."""

_BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte order mark Windows editors put first; RDF syntaxes do not allow it, so
it is dropped before parsing."""

_CHUNK = 8 << 20


def check_for_bulk_load(path: Path) -> bool:
    """What the bulk loaders, which never hand the quads to Python, would miss: raises
    RdfInputError for a file holding what the registry cannot (unsupported_term), or a
    JSON-LD file that parse_quads refuses; returns True when the file starts with a byte
    order mark, which the bulk loaders refuse (load parse_quads' quads instead).

    The bytes are searched, in chunks, for the marks such terms need; only a file that
    has one is parsed to tell. JSON-LD is
    always parsed: its parser drops what it cannot expand without a word."""
    fmt = file_format(path)
    if fmt in (ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML):  # RDF/XML: its entities
        parse_quads(path)
        return _starts_with_bom(path)
    marks = _UNSUPPORTED_MARKS.get(fmt, _TEXT_MARKS)
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as stream:
            first = True
            tail = b""
            marked = bom = False
            line = 0  # bytes since the last line end: a literal too long is on a long line
            while chunk := stream.read(_CHUNK):
                if first:
                    bom, first = chunk.startswith(_BOM), False
                window = tail + chunk
                line, longest = _line_lengths(chunk, line)
                if any(mark in window for mark in marks) or longest > MAX_LITERAL_BYTES:
                    marked = True
                    break
                tail = window[-16:]
    except (OSError, EOFError, zlib.error):
        return False  # the load itself reports an unreadable file
    if marked:
        parse_quads(path)
    return bom


def _line_lengths(chunk: bytes, carried: int) -> tuple[int, int]:
    """(bytes of the last line so far, the longest line seen in ``chunk``), ``carried``
    the bytes of the line the chunk goes on with. A line inside one chunk can only pass
    MAX_LITERAL_BYTES in a chunk of few line ends, so only such a chunk is split."""
    first = chunk.find(b"\n")
    if first < 0:
        return carried + len(chunk), carried + len(chunk)
    longest = carried + first
    if chunk.count(b"\n") < 3:
        longest = max(longest, *(len(part) for part in chunk.split(b"\n")[1:-1]), 0)
    return len(chunk) - chunk.rfind(b"\n") - 1, longest


def holds_a_triple(path: Path) -> bool:
    """Whether the file gives at least one triple, read only up to the first: a file of
    prefixes only, or empty, is what a failed export leaves, and loading it with replace
    would empty its graph. A file that cannot be read counts as holding one: the load
    itself reports it, with its position."""
    fmt = file_format(path)
    if fmt is ox.RdfFormat.JSON_LD:
        # Parsed whole, as its load does: parse_quads says why a document with keys gave
        # no triples (no @context).
        try:
            return bool(parse_quads(path))
        except RdfInputError:
            return True
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as opened:
            stream = cast(IO[bytes], opened)
            if stream.read(3) != _BOM:
                stream.seek(0)
            for _ in ox.parse(stream, format=fmt):
                return True
    except (OSError, EOFError, zlib.error, SyntaxError, MemoryError, ValueError):
        return True
    return False


def _starts_with_bom(path: Path) -> bool:
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as stream:
            return stream.read(3) == _BOM
    except (OSError, EOFError, zlib.error):
        return False


_RELATIVE = "http://relative.krb.invalid/"
"""The base JSON-LD is parsed against: its parser drops a node whose @id is relative when
there is no base, so with this one such IRIs are kept and found (no registry IRI starts
with it)."""


def read_bytes(path: Path) -> bytes:
    """The file's bytes, uncompressed when its name ends in .gz. Raises OSError, EOFError
    or zlib.error."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.lower().endswith(".gz") else data


def parse_quads(path: Path) -> list[ox.Quad]:
    """Every quad of an RDF file as pyoxigraph terms, parsed completely before anyone uses it.

    Blank nodes get fresh ids (consistently within the file), so files merged
    into one graph never share a node by accident of labelling. Relative IRIs
    are an error (there is no base): a registry names things absolutely; so is a
    JSON-LD document that gives no triples at all (keys no @context maps to IRIs are
    dropped by JSON-LD). A leading byte order mark is dropped.
    Raises RdfInputError.
    """
    fmt = file_format(path)
    try:
        data = read_bytes(path)
    except (OSError, EOFError, zlib.error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RdfInputError(path, None, None, f"cannot read the file: {reason}") from exc
    data = without_bom(data)
    json_ld = fmt is ox.RdfFormat.JSON_LD
    bomb = entity_expansion_problem(data) if fmt is ox.RdfFormat.RDF_XML else None
    if bomb is not None:
        raise RdfInputError(path, bomb[0], None, bomb[1])
    try:
        base = _RELATIVE if json_ld else None
        quads = list(ox.parse(data, format=fmt, base_iri=base, rename_blank_nodes=True))
    except SyntaxError as exc:
        message = _LINE_SUFFIX.sub("", _POSITION_PREFIX.sub("", exc.msg or str(exc)))
        if "'/' is not allowed" in message:
            message += _SLASH_HINT
        if json_ld and "LoadDocumentCallback" in message:
            message = _remote_context_problem(data)
        line, column = exc.lineno, exc.offset
        if line is None and fmt is ox.RdfFormat.RDF_XML:
            line, column = xml_position(data)
        raise RdfInputError(path, line, column, message) from exc
    except MemoryError as exc:
        raise too_large(path, exc, data) from exc
    problem = unsupported_term(quads) or (_json_ld_problem(quads, data) if json_ld else None)
    if problem is not None:
        raise RdfInputError(path, None, None, problem)
    return quads


def too_large(path: Path, exc: MemoryError, data: bytes | None = None) -> RdfInputError:
    """The RdfInputError for pyoxigraph's refusal of one term longer than its parser's
    buffer (16 MiB, a detailed WKT boundary): which file, the line when a line is that
    long, and what to do. Any other MemoryError is re-raised: memory really ran out."""
    line, message = term_too_large(exc, data)
    return RdfInputError(path, line, None, message)


def without_bom(data: bytes) -> bytes:
    """``data`` without the UTF-8 byte order mark Windows editors put first (RDF syntaxes
    do not allow it; files and request bodies are read alike)."""
    return data.removeprefix(_BOM)


def _json_ld_problem(quads: list[ox.Quad], data: bytes) -> str | None:
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(_RELATIVE):
                relative = term.value.removeprefix(_RELATIVE)
                return (
                    f"relative IRI '{relative}' (an @id, @type or @vocab without a base): "
                    "a registry names things absolutely; write the whole IRI or set @base "
                    "to an absolute IRI in the @context"
                )
    if not quads and data.strip() not in (b"", b"{}", b"[]"):
        return (
            "the JSON-LD gives no triples: keys that no @context maps to an IRI are left "
            "out by JSON-LD; add an @context"
        )
    return None


def _remote_context_problem(data: bytes) -> str:
    """pyoxigraph's "No LoadDocumentCallback has been set" names neither the context nor
    a way out: a JSON-LD file is read on its own, with no network and no other file."""
    try:
        document = json.loads(data)
    except ValueError:
        document = None
    context = document.get("@context") if isinstance(document, dict) else None
    refs = [c for c in (context if isinstance(context, list) else [context]) if isinstance(c, str)]
    named = f" ({refs[0]})" if refs else ""
    return (
        f"the @context refers to a context document{named}, which is not fetched or read: "
        "a JSON-LD file is read on its own; write the context itself into the file "
        '("@context": {...}) or save the data as Turtle'
    )


class UnsupportedTerm(ValueError):
    """A term rdflib cannot hold: an RDF 1.2 triple term."""


_REIFIES = "http://www.w3.org/1999/02/22-rdf-syntax-ns#reifies"


MAX_GRAPH_IRI = 2_000
"""Longest graph IRI the registry holds: a graph's IRI travels in the query string of the
engine's Graph Store requests, which `oxigraph serve` refuses past 8 KB of headers (a
graph of a 20,000-character IRI could be written and never read back)."""


MAX_LITERAL_BYTES = 8_000_000
"""The longest literal (UTF-8 bytes) written: pyoxigraph reads a value of a SPARQL JSON
answer in one piece of at most 8 MiB (8,385,445 bytes), so a longer one, once stored,
broke every answer that met it on the supervised engine and a remote server."""


def unsupported_term(quads: Iterable[ox.Quad]) -> str | None:
    """Why the registry cannot hold the first of ``quads`` that it cannot, or None.

    RDF 1.2 triple terms (``<< >>``) and base directions (``"x"@ar--rtl``) parse, but
    rdflib, which every page, report and export goes through, has neither: stored,
    they would break every read that meets them. So they are refused when written, as
    are a graph IRI longer than MAX_GRAPH_IRI and a literal longer than
    MAX_LITERAL_BYTES."""
    for quad in quads:
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and len(graph.value) > MAX_GRAPH_IRI:
            return (
                f"a graph IRI of {len(graph.value):,} characters; the most this registry "
                f"holds is {MAX_GRAPH_IRI:,}"
            )
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.Triple):
                # << s p o >> in Turtle 1.2 is a reifier: _:r rdf:reifies <<( s p o )>>.
                said = (
                    "" if quad.predicate.value == _REIFIES else f"{quad.subject} {quad.predicate}: "
                )
                return (
                    f"{said}an RDF 1.2 triple term (<< {term} >>), which this registry does "
                    "not hold; state the triple itself"
                )
            if (
                isinstance(term, ox.Literal)
                and len(term.value) > MAX_LITERAL_BYTES // 4
                and len(term.value.encode()) > MAX_LITERAL_BYTES
            ):
                return (
                    f"{quad.subject} {quad.predicate} has a literal of "
                    f"{len(term.value.encode()):,} bytes; the most this registry holds is "
                    f"{MAX_LITERAL_BYTES:,} (8 MB), as its answers carry a value in one piece "
                    "(a document belongs in a file the registry links to)"
                )
            if isinstance(term, ox.Literal) and term.direction is not None:
                return (
                    f"{quad.subject} {quad.predicate} {term} has a base direction "
                    f"(--{term.direction.value}), which this registry does not hold; "
                    "leave it out (the language tag stays)"
                )
    return None


def rdflib_term(term: object, *, exact: bool = False) -> Identifier:
    """The rdflib term for a pyoxigraph term.

    RDF 1.1 makes "x" and "x"^^xsd:string the same literal, rdflib keeps them
    apart: both become the plain ``Literal("x")``. With ``exact`` other
    literals keep their lexical form as written (what a store must give back);
    without it rdflib normalises them as it does for any parsed data.
    Raises UnsupportedTerm.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.direction is not None:  # rdflib has none: "x"@ar--rtl came back "x"@ar
            raise UnsupportedTerm(f"a literal with a base direction: {term}")
        normalize = False if exact else None
        if term.language:
            return Literal(term.value, lang=term.language, normalize=normalize)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=normalize)
    raise UnsupportedTerm(f"unsupported RDF term (RDF 1.2 triple term?): {term}")


_Quad = tuple[Identifier, URIRef, Identifier, URIRef | None]


def _rdflib_quads(path: Path, *, exact: bool = False) -> list[_Quad]:
    """All quads of the file, converted to rdflib terms, or RdfInputError."""
    quads = parse_quads(path)
    try:
        return list(_convert(quads, exact=exact))
    except UnsupportedTerm as exc:
        raise RdfInputError(path, None, None, str(exc)) from exc


def _convert(quads: list[ox.Quad], *, exact: bool = False) -> Iterator[_Quad]:
    for quad in quads:
        graph = quad.graph_name
        name: URIRef | None
        if isinstance(graph, ox.BlankNode):
            name = URIRef(f"urn:krb:graph:{graph.value}")  # blank-node graph names
        else:
            name = None if isinstance(graph, ox.DefaultGraph) else URIRef(graph.value)
        subject, value = rdflib_term(quad.subject), rdflib_term(quad.object, exact=exact)
        yield subject, URIRef(quad.predicate.value), value, name
