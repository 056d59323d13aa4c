"""Which graphs a request reads whole (Store.read_graph), for tests that check a page is
answered from the engine's own counts or from bytes kept, not from a graph read into memory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from krbgraph.store import Store


@contextmanager
def graphs_read(store: Store) -> Iterator[list[str]]:
    """The graphs ``store`` reads whole while the block runs, in order."""
    reads: list[str] = []
    original = store.read_graph

    def counting(graph: str):  # type: ignore[no-untyped-def]
        reads.append(graph)
        return original(graph)

    store.read_graph = counting  # type: ignore[method-assign]
    try:
        yield reads
    finally:
        del store.read_graph
