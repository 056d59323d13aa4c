"""One named query written as a typed Parquet file and a CSV file, batch by batch.

The rows come from ``stream_named_query``, which reads them from the engine as it
produces them and fills the name columns per batch; here each batch of rows becomes
one Arrow record batch (a typed array per column) that goes to both writers at
once. Memory therefore stays at one batch whatever the size of the registry, and
the two files hold exactly the same rows.

Terms become typed values by the column's kind (krbgraph.datalake.columns): IRIs
and texts as strings, numbers as float64, dates as date32, ranks and years as
int64, flags (xsd:boolean) as bool; an unbound cell is a null in Parquet and an
empty field in the CSV. A value that does not read as its type (a date column
holding "2024", a number float64 cannot hold) stops the export with the table,
column and value, rather than writing a silent null, inf or 0.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.csv as pa_csv  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from rdflib.namespace import XSD
from rdflib.term import Identifier, Literal

from ..queries import Catalogue, stream_named_query
from ..store import Store
from .columns import ColumnInfo, Kind, column_info

__all__ = ["BATCH_ROWS", "BadValue", "write_table"]

BATCH_ROWS = 10_000
"""Rows converted and written together: one Arrow record batch."""

_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_INTEGER = re.compile(r"^([+-]?\d+)(?:Z|[+-]\d\d:\d\d)?$")
"""A whole number, or a year with its time zone (xsd:gYear); "2.5" is no integer."""


class BadValue(ValueError):
    """A value in the store does not read as the type of its column."""


class _OutOfRange(ValueError):
    """A number its column's float64 cannot hold; the message says why."""


_SMALLEST_NORMAL = sys.float_info.min
"""Below this magnitude a float64 keeps fewer than the 15 significant digits the
import stores (a subnormal), down to 5e-324, under which it is 0."""
_DOUBLES = frozenset({XSD.double, XSD.float})


def _text(term: Identifier) -> str:
    return str(term)


def _decimal(term: Identifier) -> float:
    text = str(term)
    value = float(text)
    if _SMALLEST_NORMAL <= abs(value) < math.inf:
        return value
    double = isinstance(term, Literal) and term.datatype in _DOUBLES
    if not any(character.isdigit() for character in text):  # INF, -INF, NaN
        if double:
            return value  # values of xsd:double itself, which float64 holds as they are
        raise ValueError(text)  # no xsd:decimal, and no measured number
    if math.isinf(value):
        raise _OutOfRange("is larger than float64 holds (a magnitude up to 1.8e308)")
    # A double stored as a subnormal is written as the double it is; a decimal is
    # refused there, where float64 no longer keeps its digits.
    if not _nonzero(text) or (double and value != 0):
        return value
    if double:
        raise _OutOfRange("is closer to 0 than float64 holds (5e-324)")
    raise _OutOfRange(
        "is closer to 0 than float64 holds to 15 significant digits (a magnitude from 2.2e-308)"
    )


def _nonzero(text: str) -> bool:
    try:
        return Decimal(text) != 0
    except InvalidOperation:
        raise ValueError(text) from None


def _integer(term: Identifier) -> int:
    # A year (xsd:gYear "2024", also with a time zone) reads as its number.
    match = _INTEGER.match(str(term))
    if match is None:
        raise ValueError(str(term))
    return int(match[1])


def _date(term: Identifier) -> date:
    match = _DATE.match(str(term))
    if match is None:
        raise ValueError(str(term))
    return date.fromisoformat(match[1])


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
"""The lexical forms of xsd:boolean."""


def _boolean(term: Identifier) -> bool:
    value = _BOOLEANS.get(str(term).strip())
    if value is None:
        raise ValueError(str(term))
    return value


_CONVERT: dict[Kind, Callable[[Identifier], object]] = {
    Kind.IRI: _text,
    Kind.TEXT: _text,
    Kind.DECIMAL: _decimal,
    Kind.INTEGER: _integer,
    Kind.DATE: _date,
    Kind.BOOLEAN: _boolean,
}


def schema_of(infos: Sequence[ColumnInfo]) -> pa.Schema:
    """The Arrow schema, each field carrying its meaning and source as metadata."""
    fields = []
    for info in infos:
        metadata = {"description": info.meaning_en or info.meaning_nl, "source": info.source}
        if info.unit:
            metadata["unit"] = info.unit
        fields.append(pa.field(info.name, info.kind.arrow_type, metadata=metadata))
    return pa.schema(fields)


def _batch(
    table: str,
    infos: Sequence[ColumnInfo],
    schema: pa.Schema,
    rows: Sequence[tuple[Identifier | None, ...]],
    first: int = 1,
) -> pa.RecordBatch:
    """The rows as one record batch; ``first`` is the number of the first row (a bad
    value names its row and the row's key, the thing in the first column)."""
    arrays = []
    for position, info in enumerate(infos):
        convert = _CONVERT[info.kind]
        values: list[object] = []
        for number, row in enumerate(rows, start=first):
            term = row[position]
            if term is None:
                values.append(None)
                continue
            try:
                values.append(convert(term))
            except ValueError as exc:
                key = f" ({infos[0].name} {row[0]})" if position and row[0] is not None else ""
                reason = (
                    str(exc)
                    if isinstance(exc, _OutOfRange)
                    else f"is not a valid {info.kind.value} ({info.kind.datatype})"
                )
                raise BadValue(
                    f"table {table}, row {number}{key}, column {info.name}: "
                    f"{_shown(str(term))} {reason}"
                ) from None
        arrays.append(pa.array(values, type=info.kind.arrow_type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _shown(text: str) -> str:
    """The value as a message quotes it: a 400-digit number would fill the screen."""
    if len(text) <= 60:
        return repr(text)
    return f"{text[:24]!r}...{text[-24:]!r} ({len(text)} characters)"


def _batches(rows: Iterator[tuple[Identifier | None, ...]]) -> Iterator[tuple]:
    while batch := tuple(islice(rows, BATCH_ROWS)):
        yield batch


def write_table(
    store: Store,
    catalogue: Catalogue,
    name: str,
    folder: Path,
    *,
    timeout_s: float | None,
    languages: Sequence[str],
) -> tuple[tuple[ColumnInfo, ...], int]:
    """Write ``{name}.parquet`` and ``{name}.csv`` into ``folder`` from the named query.

    Returns the columns as the dictionary describes them and the number of rows.
    Raises StoreError (QueryTimeout also while rows are read), BadValue or OSError.
    """
    query = catalogue[name]
    count = 0
    with stream_named_query(
        store, catalogue, name, {}, timeout_s=timeout_s, languages=languages
    ) as (columns, rows):
        infos = tuple(column_info(name, query, column) for column in columns)
        schema = schema_of(infos)
        with (
            pq.ParquetWriter(folder / f"{name}.parquet", schema) as parquet,
            # CRLF, as RFC 4180 says and the catalogue claims for every CSV.
            pa_csv.CSVWriter(
                folder / f"{name}.csv", schema, write_options=pa_csv.WriteOptions(eol="\r\n")
            ) as csv,
        ):
            for rows_batch in _batches(rows):
                batch = _batch(name, infos, schema, rows_batch, count + 1)
                parquet.write_batch(batch)
                csv.write_batch(batch)
                count += batch.num_rows
    return infos, count
