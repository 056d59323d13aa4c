"""What a writing `krb` command says when Ctrl-C or SIGTERM interrupts it.

krbgraph.cli turns SIGTERM into KeyboardInterrupt, so an interrupted command unwinds:
temporary files are removed and the store is closed. The engine's write cannot be cut
off, so the interrupt arrives before it or after it, and the write is whole or not made
at all; exit 130 without a word read as cancelled, also for a write that had finished.
``interrupt_said`` says which, with the size of the graphs the write was about as they
are now. Used by every command that writes graphs: `krb load`, `drop`, `restore`
(krbgraph.commands.store), `import-excel` (krbgraph.commands.excel) and
`import-metingen` (krbgraph.commands.metingen).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import typer

from ..settings import Settings
from ..store import StoreError, open_store

EXIT_INTERRUPTED = 130
"""As a shell reports a process ended by Ctrl-C (128 + SIGINT)."""

Graphs = Sequence[str] | Callable[[], Sequence[str]] | None
"""The graphs a write is about, or how to name them (asked only when interrupted)."""


@contextmanager
def interrupt_said(
    settings: Settings, what: str, graphs: Graphs, *, if_held: Graphs = None
) -> Iterator[None]:
    """Ctrl-C (or SIGTERM, krbgraph.cli) during a write ends it with exit 130 and a word on
    what the store holds: '{what} is whole or not made at all', then each of ``graphs``
    with its size or as not in the store, and each of ``if_held`` (a graph written with
    the others only when there is something for it, such as a workbook's measurements)
    with its size where the store holds it. Without any graph, `krb graphs` is pointed
    at. Enter it outside the store's opening, so the store is closed when it is read."""
    try:
        yield
    except KeyboardInterrupt:
        typer.echo(
            f"interrupted: {what} is whole or not made at all; "
            f"{_held(settings, _named(graphs), _named(if_held))}",
            err=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _named(graphs: Graphs) -> list[str]:
    return list(graphs() if callable(graphs) else graphs or [])


def _held(settings: Settings, asked: list[str], if_held: list[str]) -> str:
    if not asked and not if_held:
        return "`krb graphs` shows what the store holds"
    try:
        handle = open_store(settings)
        try:
            sizes = {info.iri: info.triples for info in handle.graphs()}
        finally:
            handle.close()
    except (StoreError, OSError) as exc:
        return f"the store could not be read to say which ({exc}); see `krb graphs`"
    said = [
        f"<{iri}> holds {sizes[iri]} triples" if sizes.get(iri) else f"<{iri}> is not in the store"
        for iri in asked
    ]
    said += [f"<{iri}> holds {sizes[iri]} triples" for iri in if_held if sizes.get(iri)]
    if not said:
        return "`krb graphs` shows what the store holds"
    return "now " + ", ".join(said)
