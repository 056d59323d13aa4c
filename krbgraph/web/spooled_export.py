"""A named query's whole answer written to a file as its rows stream in, then sent.

A download of a whole registry (the API's JSON and CSV, the query page's workbook) must
hold neither its rows nor its text in memory, and must still end in an error
status, never a cut-off file, when the query times out or a parameter is wrong.
So the answer is written completely first, in the request's worker thread
(pyoxigraph's iterators stay in the thread that opened them), into a file that
spills to disk past ``IN_MEMORY`` bytes; only then does the response start, and
it sends the file in pieces.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import IO

from ..named_csv import write_named_csv
from ..queries import Catalogue, stream_named_query, write_without_names
from ..settings import Settings
from ..store import Store
from ..store.streaming import Row, released_on_error
from .api_models import json_text
from .describe import READER_LANGUAGES

__all__ = [
    "IN_MEMORY",
    "Spool",
    "csv_export",
    "csv_export_without_names",
    "json_export",
    "spooled_answer",
    "spooled_chunks",
]

IN_MEMORY = 8 * 1024 * 1024
"""Bytes of an export kept in memory before it is spooled to a temporary file."""

Spool = tempfile.SpooledTemporaryFile[bytes]


@released_on_error()
def spooled_answer(
    store: Store,
    settings: Settings,
    queries: Catalogue,
    name: str,
    values: dict[str, str],
    write: Callable[[IO[bytes], tuple[str, ...], Iterator[Row]], object],
) -> Spool:
    """The file ``write`` fills from the named query's streamed ``(columns, rows)``,
    rewound for reading; the caller (or ``spooled_chunks``) closes it.

    Raises UnknownQueryError, ParameterError, StoreError (the file is then gone).
    """
    with ExitStack() as on_failure:
        spool = on_failure.enter_context(tempfile.SpooledTemporaryFile(max_size=IN_MEMORY))
        with stream_named_query(
            store,
            queries,
            name,
            values,
            timeout_s=settings.query_timeout_s,
            languages=READER_LANGUAGES.get(),
        ) as (variables, rows):
            write(spool, variables, rows)
        spool.seek(0)
        on_failure.pop_all()  # written: from here the response owns the file
    return spool


@released_on_error()
def csv_export(
    store: Store, settings: Settings, queries: Catalogue, name: str, values: dict[str, str]
) -> Spool:
    """The named query's answer as SPARQL 1.1 CSV with its names, written from the
    engine's terms (krbgraph.named_csv) into the spooled file (see ``spooled_answer``)."""
    with ExitStack() as on_failure:
        spool = on_failure.enter_context(tempfile.SpooledTemporaryFile(max_size=IN_MEMORY))
        write_named_csv(
            store,
            queries,
            name,
            values,
            spool,
            timeout_s=settings.query_timeout_s,
            languages=READER_LANGUAGES.get(),
        )
        spool.seek(0)
        on_failure.pop_all()  # written: from here the response owns the file
    return spool


def json_export(
    store: Store, settings: Settings, queries: Catalogue, name: str, values: dict[str, str]
) -> Spool:
    """The named query's answer as the API's JSON (api_models.QueryAnswer: its name, its
    variables, one object per row without the unbound ones), written row by row."""

    def write(out: IO[bytes], variables: Sequence[str], rows: Iterator[Row]) -> None:
        head = json.dumps({"name": name, "variables": list(variables)})
        out.write(f'{head[:-1]}, "rows": ['.encode())
        separator = b""
        for row in rows:
            cells = ", ".join(
                f"{json.dumps(v)}: {json_text(term)}"
                for v, term in zip(variables, row, strict=True)
                if term is not None
            )
            out.write(separator + f"{{{cells}}}".encode())
            separator = b", "
        out.write(b"]}")

    return spooled_answer(store, settings, queries, name, values, write)


@released_on_error()
def csv_export_without_names(
    store: Store, settings: Settings, queries: Catalogue, name: str, values: dict[str, str]
) -> Spool:
    """The named query's fact columns as SPARQL 1.1 CSV, written by the engine's own
    serialiser (krbgraph.queries.write_without_names) into the spooled file."""
    with ExitStack() as on_failure:
        spool = on_failure.enter_context(tempfile.SpooledTemporaryFile(max_size=IN_MEMORY))
        write_without_names(
            store,
            queries,
            name,
            values,
            spool,
            "csv",
            timeout_s=settings.query_timeout_s,
            languages=READER_LANGUAGES.get(),
        )
        spool.seek(0)
        on_failure.pop_all()  # written: from here the response owns the file
    return spool


def spooled_chunks(spool: IO[bytes], size: int = 65536) -> Iterator[bytes]:
    """The file in pieces of ``size`` bytes, closed (and a spooled file deleted) at the
    end. Each piece costs a hop to a worker thread and back: a file already on disk is
    best sent in larger ones."""
    with spool:
        while chunk := spool.read(size):
            yield chunk
