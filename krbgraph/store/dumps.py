"""Dump files: a whole store as N-Quads or TriG, written so a crash never leaves half a file.

A dump ends with a comment that counts its quads (``# krb dump: 47254 quads``), which
every RDF parser skips: a dump cut off at a line boundary is still valid N-Quads, and
restoring it would give a store without most of its graphs, in silence. Restore
checks the count (check_complete) before it writes anything.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ..model import DERIVED_GRAPH, WRITES_GRAPH
from ..namespaces import PREFIXES
from ..partial_files import open_beside, remove_leftovers
from ..rdfio import parse_quads
from .base import StoreError
from .modelgraphs import META_GRAPH, model_graphs

_BOOKKEEPING = ox.NamedNode(WRITES_GRAPH)
"""The writers' turns on a shared server (krbgraph.store.write_claim): never dumped, never
restored (a dump taken during a turn would bring back that writer's intent, holding off
every writer of the restored store)."""

_CLAIMS = frozenset({ox.NamedNode(DERIVED_GRAPH), ox.NamedNode(META_GRAPH)})
"""Graphs that say something about the data rather than hold it, never restored: the
derived graph (derived again from the restored data) and the meta graph (the model's
hashes and the mark that the data conforms, krbgraph.conformance). A restore stopped
after its data was in (Ctrl-C before the model was read) kept the dump's mark and
derived graph, and no later opening replaced them; without them the next command
loads the model and derives the graph, as after a finished restore."""


def _model_copies() -> frozenset[ox.NamedNode]:
    """The dump's copies of the model graphs, never restored: a restore loads the model
    from the product's files (ensure_model), and into graphs that hold nothing that is
    the engine's bulk loader. Restored first, the files had to be compared with them
    quad by quad in Python, most of a small store's restore (1.5 of 2.6 s)."""
    return frozenset(ox.NamedNode(graph.iri) for graph in model_graphs())


DUMP_FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}


def dump_format(path: Path) -> ox.RdfFormat:
    """The syntax of a dump file; raises StoreError for anything but .nq and .trig."""
    try:
        return DUMP_FORMATS[path.suffix.lower()]
    except KeyError:
        raise StoreError(f"{path}: a dump is an N-Quads (.nq) or TriG (.trig) file") from None


def write_dump(path: Path, quads: Iterable[ox.Quad]) -> int:
    """Write the quads but the write bookkeeping's to a temporary file beside ``path``,
    then rename it; returns the count."""
    fmt = dump_format(path)
    count = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal count
        for quad in quads:
            if quad.graph_name != _BOOKKEEPING:  # the writers' turns, not data (read_dump)
                count += 1
                yield quad

    prefixes = PREFIXES if fmt is ox.RdfFormat.TRIG else None
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path, _PARTIAL)
    fd, tmp = open_beside(path, _PARTIAL)  # locked while written: no leftover to another
    try:
        with os.fdopen(fd, "wb") as out:
            ox.serialize(counted(), out, fmt, prefixes=prefixes)
            out.write(_END.format(count=count).encode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


def copy_natively(source: ox.Store, into: ox.Store, leave_out: Collection[str]) -> None:
    """Every quad of ``source`` into ``into`` through an N-Quads file written and read by
    the engine itself (one snapshot of ``source``), then the graphs in ``leave_out``
    removed from the copy: handing each quad through Python instead took a third longer
    at a million triples."""
    with tempfile.TemporaryDirectory(prefix="krb-copy-") as folder:
        path = os.path.join(folder, "store.nq")
        source.dump(path, ox.RdfFormat.N_QUADS)
        into.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    for name in leave_out:
        into.remove_graph(ox.NamedNode(name))


_PARTIAL = ".partial"


_END = "\n# krb dump: {count} quads\n"
_END_FOUND = re.compile(rb"# krb dump: (\d+) quads\s*$")


def check_complete(path: Path, quads: int) -> None:
    """StoreError unless ``path`` ends with the count of ``quads`` that ``krb dump`` writes
    last: a dump without it was cut off (or written by something else: restore it
    with ``--unchecked``)."""
    try:
        with path.open("rb") as stream:
            stream.seek(max(path.stat().st_size - 200, 0))
            tail = stream.read()
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    found = _END_FOUND.search(tail)
    if found is None:
        raise StoreError(
            f"{path} does not end with the line '# krb dump: N quads' that krb dump writes "
            "last: it may have been cut off, and nothing was restored. A dump written by "
            "an earlier release or another tool can be restored with --unchecked."
        )
    if int(found.group(1)) != quads:
        raise StoreError(
            f"{path} says it holds {int(found.group(1))} quads but {quads} were read: "
            "nothing was restored"
        )


def read_dump(path: Path, *, unchecked: bool = False) -> list[ox.Quad]:
    """The quads of a dump, once it is known to be whole (check_complete, unless
    ``unchecked``), but those of the write bookkeeping, the claims about the data and
    the model's copies (_model_copies). Raises StoreError, or RdfInputError for a file
    that does not parse."""
    dump_format(path)
    quads = parse_quads(path)
    if not unchecked:
        check_complete(path, len(quads))
    skipped = _CLAIMS | _model_copies() | {_BOOKKEEPING}
    return [quad for quad in quads if quad.graph_name not in skipped]
