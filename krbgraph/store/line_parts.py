"""Cutting a large N-Triples or N-Quads file into parts the bulk loader reads side by side.

pyoxigraph's bulk loader releases the GIL and keeps about one core busy, so a file of
hundreds of megabytes loads nearly twice as fast on two cores in two parts
(krbgraph.store.embedded, ``_bulk_load``). Only line-based formats can be cut, and
only where no blank node label spans two parts.
"""

from __future__ import annotations

import mmap
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

_LINE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
"""Formats with one statement per line, which can be cut into parts loaded side by side."""

SPLIT_MIN_BYTES = 32 * 1024 * 1024
"""Smaller line-based files are loaded in one go: splitting would cost more than it saves."""

SPLIT_PREFIX = "krb-split-"
"""Temporary folder in the store folder for the parts of a file being loaded in parallel."""

_BLANK_NODE = re.compile(rb"_:[^\s<>\"]+")
"""A blank node label in N-Triples or N-Quads, or something in a literal that looks like one."""


@contextmanager
def line_parts(path: Path, fmt: ox.RdfFormat, workdir: Path, count: int) -> Iterator[list[Path]]:
    """The file itself, or ``count`` copies of consecutive runs of its lines.

    Only a large N-Triples or N-Quads file is cut, and only when no blank
    node label occurs in two parts: the loader names blank nodes per call,
    so ``_:b`` in two parts would become two nodes. Labels are looked for
    loosely (also inside literals), which can only keep a file whole that
    could have been cut. The parts live in a temporary folder in the store
    folder, which has room for the data anyway, and are removed afterwards.
    """
    size = path.stat().st_size
    if fmt not in _LINE_FORMATS or count < 2 or size < SPLIT_MIN_BYTES:
        yield [path]
        return
    with path.open("rb") as source, mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ) as data:
        cuts = [0]
        for index in range(1, count):
            end = data.find(b"\n", max(size * index // count, cuts[-1]))
            if end == -1:
                break
            cuts.append(end + 1)
        cuts.append(size)
        if len(cuts) < 3 or _shared_blank_nodes(data, cuts):
            yield [path]
            return
        with tempfile.TemporaryDirectory(prefix=SPLIT_PREFIX, dir=workdir) as folder:
            parts = []
            for index, (start, end) in enumerate(zip(cuts, cuts[1:], strict=False)):
                part = Path(folder) / f"part-{index}{path.suffix}"
                with part.open("wb") as out:
                    out.write(data[start:end])
                parts.append(part)
            yield parts


def _shared_blank_nodes(data: mmap.mmap, cuts: list[int]) -> bool:
    seen: set[bytes] = set()
    for start, end in zip(cuts, cuts[1:], strict=False):
        labels = {label.rstrip(b".") for label in _BLANK_NODE.findall(data, start, end)}
        if not seen.isdisjoint(labels):
            return True
        seen |= labels
    return False


def cores() -> int:
    """The CPUs this process may use: one bulk load per core."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1
