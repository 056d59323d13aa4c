"""Parsing RDF files natively (pyoxigraph terms), for the store's fast write path.

File types and error messages are those of krbgraph.rdfio, which reads files
into rdflib for validation; this module skips the rdflib step for writes that
go straight to the store. Every error is an RdfInputError,
``file:line:column: message``.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

import pyoxigraph as ox

from ..rdfio import FORMATS, RdfInputError, rdf_format

_POSITION_PREFIX = re.compile(r"^Parser error (?:at|between) line [^:]*:\s*")
_LINE_SUFFIX = re.compile(r"\s*\(line \d+\)$")


def file_format(path: Path) -> ox.RdfFormat:
    """The syntax of ``path`` by its suffix (optionally .gz); RdfInputError otherwise."""
    fmt = rdf_format(path)
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise RdfInputError(
            path, None, None, f"unknown RDF file type; expected one of {known} (optionally .gz)"
        )
    return fmt


def stem(path: Path) -> str:
    """The file name without its RDF suffixes: 'regels.ttl.gz' -> 'regels'."""
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    return Path(name).stem


def parse_quads(path: Path) -> list[ox.Quad]:
    """Every quad of an RDF file, parsed completely before anyone writes.

    Blank nodes get fresh ids (consistently within the file), so files merged
    into one graph never share a node by accident of labelling. Relative IRIs
    are an error (there is no base): a registry names things absolutely.
    """
    fmt = file_format(path)
    try:
        data = path.read_bytes()
        if path.name.lower().endswith(".gz"):
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise RdfInputError(path, None, None, f"cannot read the file: {reason}") from exc
    try:
        return list(ox.parse(data, format=fmt, rename_blank_nodes=True))
    except SyntaxError as exc:
        message = _LINE_SUFFIX.sub("", _POSITION_PREFIX.sub("", exc.msg or str(exc)))
        raise RdfInputError(path, exc.lineno, exc.offset, message) from exc


def parse_triples(path: Path) -> list[ox.Triple]:
    """The triples of a file meant for one graph; named graphs in it are an error.

    A dataset file (.trig, .nq) is accepted when all its data is in the
    default graph: putting named graphs into another graph would lose them.
    """
    triples: list[ox.Triple] = []
    for quad in parse_quads(path):
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            raise RdfInputError(path, None, None, named_graph_message(str(quad.graph_name)))
        triples.append(quad.triple)
    return triples


def named_graph_message(graph: str) -> str:
    return (
        f"contains named graph {graph}; a loaded file goes into one graph, so it may "
        "only hold triples (restore a dump with `krb restore`)"
    )
