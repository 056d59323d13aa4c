"""RDF files as the store loads them: one file's triples for one graph.

Parsing itself (file types, ``file:line:column`` errors) is krbgraph.rdfio's;
this module adds what loading into named graphs needs on top of it.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ..rdfio import RdfInputError, parse_quads


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
            raise RdfInputError(path, None, None, named_graph_message(str(quad.graph_name)))
        triples.append(quad.triple)
    return triples


def named_graph_message(graph: str) -> str:
    return (
        f"contains named graph {graph}; a loaded file goes into one graph, so it may "
        "only hold triples (restore a dump with `krb restore`)"
    )
