"""Reading RDF files into rdflib with errors that point at file, line and column.

Users hand-edit Turtle; an error that only says "bad syntax" sends them
searching. pyoxigraph's parsers report the exact position of a syntax error,
so files are parsed with pyoxigraph and the triples converted to rdflib terms.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

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

_QUAD_FORMATS = (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)
_POSITION_PREFIX = re.compile(r"^Parser error (?:at|between) line [^:]*:\s*")
_LINE_SUFFIX = re.compile(r"\s*\(line \d+\)$")
_SLASH_HINT = (
    " (a Turtle prefixed name such as id:beleidsnorm/N01 may not contain '/';"
    " write the full IRI <.../id/beleidsnorm/N01>, use @base with <beleidsnorm/N01>,"
    " or declare a prefix per type such as beleidsnorm:N01)"
)


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


def read_rdf(path: Path) -> Graph | Dataset:
    """Parse one RDF file: a Dataset for TriG and N-Quads (and JSON-LD with named
    graphs), otherwise a Graph.

    Raises RdfInputError for an unknown suffix, an unreadable file or a syntax
    error; nothing is returned half-read.
    """
    path = Path(path)
    fmt = rdf_format(path)
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise RdfInputError(
            path, None, None, f"unknown RDF file type; expected one of {known} (optionally .gz)"
        )
    quads = _parse(path, fmt)
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


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named directly plus the RDF files inside named folders (recursive, sorted).

    Raises RdfInputError for a path that does not exist.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and is_rdf_file(p)))
        elif path.exists():
            files.append(path)
        else:
            raise RdfInputError(path, None, None, "no such file or folder")
    return files


def read_rdf_paths(paths: Iterable[Path]) -> Graph:
    """All triples of the given files and folders in one graph (named graphs merged).

    Folders are searched recursively for files with a known RDF suffix, in
    sorted order. Raises RdfInputError at the first unreadable file.
    """
    graph = Graph()
    for path in expand_paths(paths):
        fmt = rdf_format(path)
        if fmt is None:
            read_rdf(path)  # raises the unknown-type error
            continue
        for s, p, o, _ in _parse(path, fmt):
            graph.add((s, p, o))
    return graph


_Quad = tuple[Identifier, URIRef, Identifier, URIRef | None]


def _parse(path: Path, fmt: ox.RdfFormat) -> list[_Quad]:
    """All quads of the file, converted to rdflib terms, or RdfInputError."""
    try:
        data = path.read_bytes()
        if path.suffix.lower() == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RdfInputError(path, None, None, f"cannot read the file: {reason}") from exc
    try:
        return list(_convert(ox.parse(data, format=fmt, rename_blank_nodes=True)))
    except SyntaxError as exc:
        message = _LINE_SUFFIX.sub("", _POSITION_PREFIX.sub("", exc.msg or str(exc)))
        if "'/' is not allowed" in message:
            message += _SLASH_HINT
        raise RdfInputError(path, exc.lineno, exc.offset, message) from exc
    except _UnsupportedTerm as exc:
        raise RdfInputError(path, None, None, str(exc)) from exc


class _UnsupportedTerm(ValueError):
    pass


def _convert(
    quads: Iterator[ox.Quad],
) -> Iterator[tuple[Identifier, URIRef, Identifier, URIRef | None]]:
    for quad in quads:
        graph = quad.graph_name
        name = None if isinstance(graph, ox.DefaultGraph) else _term(graph)
        if name is not None and not isinstance(name, URIRef):
            name = URIRef(f"urn:krb:graph:{graph.value}")  # blank-node graph names
        yield _term(quad.subject), URIRef(quad.predicate.value), _term(quad.object), name


def _term(term: object) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        # RDF 1.1: "x" and "x"^^xsd:string are the same; rdflib keeps them apart.
        return (
            Literal(term.value)
            if datatype == str(XSD.string)
            else Literal(term.value, datatype=URIRef(datatype))
        )
    raise _UnsupportedTerm(f"unsupported RDF term (RDF 1.2 triple term?): {term}")
