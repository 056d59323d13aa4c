"""RDF files as the store loads them: one file's triples for one graph.

Parsing itself (file types, ``file:line:column`` errors) is krbgraph.rdfio's;
this module adds what loading into named graphs needs on top of it.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pyoxigraph as ox

from ..rdfio import RdfInputError, file_format, parse_quads, read_bytes, without_bom


def stem(path: Path) -> str:
    """The file name without its RDF suffixes: 'regels.ttl.gz' -> 'regels'."""
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    return Path(name).stem


def parse_triples(path: Path) -> list[ox.Triple]:
    """The triples of a file meant for one graph; named graphs in it are an error.

    A dataset file (.trig, .nq) is accepted when all its data is in the
    default graph: putting named graphs into another graph would lose them.
    """
    triples: list[ox.Triple] = []
    for quad in parse_quads(path):
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            graph, line = _named_graph_as_written(path)
            name = graph or str(quad.graph_name)
            raise RdfInputError(path, line, None, named_graph_message(name))
        triples.append(quad.triple)
    return triples


def _named_graph_as_written(path: Path) -> tuple[str | None, int | None]:
    """The first named graph of the file as written (parse_quads gives blank nodes fresh
    labels, so rdflib's ``_:N...`` graph names were reported under an id the file does
    not have), and the first line that names it."""
    try:
        data = without_bom(read_bytes(path))
        found = next(
            (
                quad.graph_name
                for quad in ox.parse(data, format=file_format(path))
                if not isinstance(quad.graph_name, ox.DefaultGraph)
            ),
            None,
        )
    except (OSError, EOFError, zlib.error, SyntaxError, ValueError, MemoryError):
        return None, None
    if found is None:
        return None, None
    written = str(found)
    needle = written.encode()
    for number, line in enumerate(data.splitlines(), start=1):
        if needle in line:
            return written, number
    return written, None


def named_graph_message(graph: str) -> str:
    return (
        f"contains named graph {graph}; a loaded file goes into one graph, so it may "
        "only hold triples (restore a dump with `krb restore`)"
    )
