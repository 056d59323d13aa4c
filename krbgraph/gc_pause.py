"""Pausing Python's cyclic garbage collector while a bulk step builds objects.

Reading a workbook of 10,000 norms makes millions of small objects that live
until the import ends (cells, rdflib terms, triples, pyoxigraph quads), and a
validated load of a million triples tens of thousands of findings. The cyclic
collector runs again and again as they pile up, and each full run walks all of
them, finding no garbage (those objects hold no reference cycles): 1.3 s of
`krb import-excel` of 10,000 norms (14.5-15.1 s to 13.1-13.6 s), 2.5 to 5 s of
a validated `krb load` of a million triples (32.6-35.5 s to 29.9-30.4 s), and
2 to 4 s of building the search index of a million triples (8.2-11.2 s to 6.8-7.3
s). Reference counting still frees everything as usual while the collector is
paused; only cycles wait for it to resume.

The collector is process-wide, so a pause also holds for other threads (the
service's readers) for the length of the step; the steps paused here are
bounded (by the upload limits, or by one registry's labels or answers).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


class _Pauses:
    """Steps paused now (two imports may overlap); the last one out resumes the
    collector, if it was on when the first came in."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0
        self._resume = False

    def enter(self) -> None:
        with self._lock:
            if self._count == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._count += 1

    def leave(self) -> None:
        with self._lock:
            self._count -= 1
            if self._count == 0 and self._resume:
                gc.enable()


_PAUSES = _Pauses()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off for the block (or the function it decorates: the
    ``@collector_paused()`` form), back as it was after the last such block."""
    _PAUSES.enter()
    try:
        yield
    finally:
        _PAUSES.leave()
