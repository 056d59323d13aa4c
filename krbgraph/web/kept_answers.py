"""Answers of the named-query API kept per store version, for the readers who ask again.

A dashboard asks ``/api/queries/dwarsverbanden-themas`` every minute; at a million
triples the engine takes about 0.65 s for its 20 rows, the same answer until somebody
writes or the day changes. So an answer of up to ``KEPT_BYTES`` is kept as its bytes in
the aggregates cache (krbgraph.web.aggregates: per write generation, and with the day,
the reader's languages, the parameters and the form in its key) and sent from memory; a
write makes it stale at once, and ``krb serve`` computes it again in the background
(krbgraph.web.rewarm). A larger answer (a whole registry's export) streams from the
engine for each reader, as before, and is never kept: the memory goes to many small
answers, not to one large one.
"""

from __future__ import annotations

from collections.abc import Callable

from ..registry_day import today as registry_today
from ..store import Store
from .aggregates import MAX_ROWS, cached
from .describe import READER_LANGUAGES
from .spooled_export import Spool

__all__ = ["KEPT_BYTES", "kept_answer"]

KEPT_BYTES = 1024 * 1024
"""An answer up to this size is kept; a larger one is written afresh for each reader."""

_BYTES_PER_ROW = 4096
"""What counts as one row of the cache's bound (aggregates.MAX_ROWS) for kept bytes: a
typed row of a research answer holds about that much, so the bound means the same memory."""


def kept_answer(
    store: Store,
    name: str,
    values: dict[str, str],
    form: tuple[object, ...],
    export: Callable[[], Spool],
) -> bytes | Spool:
    """The bytes of the answer ``export`` writes, kept for this store version, or the
    spooled file itself when it is larger than KEPT_BYTES (the caller sends and closes it).

    ``form`` is everything besides the parameters that shapes the bytes (format, name
    columns). Errors of ``export`` pass through and nothing is kept.
    """
    key = (
        "api-answer",
        name,
        tuple(sorted(values.items())),
        form,
        READER_LANGUAGES.get(),
        registry_today().isoformat(),  # a parameter left out may default to today
    )
    return cached(store, key, lambda: _small_as_bytes(export()), _weight)


def _small_as_bytes(spool: Spool) -> bytes | Spool:
    size = spool.seek(0, 2)
    spool.seek(0)
    if size > KEPT_BYTES:
        return spool
    with spool:
        return spool.read()


def _weight(value: bytes | Spool) -> int:
    """Its weight against MAX_ROWS; a file weighs more than the bound, so it is not kept."""
    if isinstance(value, bytes):
        return 1 + len(value) // _BYTES_PER_ROW
    return MAX_ROWS + 1
