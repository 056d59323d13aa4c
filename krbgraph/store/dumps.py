"""Dump files: a whole store as N-Quads or TriG, written so a crash never leaves half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import PREFIXES
from .base import StoreError

DUMP_FORMATS = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}


def dump_format(path: Path) -> ox.RdfFormat:
    """The syntax of a dump file; raises StoreError for anything but .nq and .trig."""
    try:
        return DUMP_FORMATS[path.suffix.lower()]
    except KeyError:
        raise StoreError(f"{path}: a dump is an N-Quads (.nq) or TriG (.trig) file") from None


def write_dump(path: Path, quads: Iterable[ox.Quad]) -> int:
    """Write the quads to a temporary file beside ``path``, then rename it; returns the count."""
    fmt = dump_format(path)
    count = 0

    def counted() -> Iterator[ox.Quad]:
        nonlocal count
        for quad in quads:
            count += 1
            yield quad

    prefixes = PREFIXES if fmt is ox.RdfFormat.TRIG else None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            ox.serialize(counted(), out, fmt, prefixes=prefixes)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
