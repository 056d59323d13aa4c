"""A named query's answer as CSV with its names, written from the engine's own terms.

Why a path of its own: the general export (``queries.stream_named_query``) turns every
cell into an rdflib term to write its text, and an rdflib Literal parses its value on
the way: at a million triples that conversion was 2.8 s of the 7.7 s export of
``beleidsketen`` (the engine's own CSV of the same query: 2 s). SPARQL CSV needs only
a term's text, and the name columns only whether a cell is an IRI, both of which a
pyoxigraph term says as it is. The bytes written are those of the general path
(tests/test_named_csv.py compares them for every named query); a store that gives no
engine terms is written by the general path.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import IO

import pyoxigraph as ox

from .labels import DEFAULT_LANGUAGES, fetch_names, preload_names
from .queries import NAME_BATCH_ROWS, Catalogue, NamedQuery, prepare_query, stream_named_query
from .sparql_results import csv_chunks
from .store import Store
from .store.answers import AnswerLimits
from .store.base import StoreError
from .store.streaming import engine_solutions
from .store.terms import to_rdflib

__all__ = ["write_named_csv"]

Cell = ox.NamedNode | ox.Literal | ox.BlankNode | str | None
"""An engine term, a name (str) or nothing."""

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = (
    "integer int long short byte nonNegativeInteger positiveInteger negativeInteger "
    "nonPositiveInteger unsignedLong unsignedInt unsignedShort unsignedByte"
)
_NUMBERS: dict[str, type] = {
    **{name: int for name in _INTEGERS.split()},
    "decimal": Decimal,
    "double": float,
    "float": float,
}
"""The XSD datatypes the ``# order:`` sort compares as numbers (rdflib's toPython ones)."""


def write_named_csv(
    store: Store,
    catalogue: Catalogue,
    name: str,
    values: Mapping[str, str],
    output: IO[bytes],
    *,
    today: date | None = None,
    timeout_s: float | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> None:
    """Write the named query's answer, names filled in, as SPARQL 1.1 CSV to ``output``.

    Rows stream as the engine produces them (names looked up per ``NAME_BATCH_ROWS``
    rows); a query sorted by names (``# order:``) is collected first, as its text only.
    Raises UnknownQueryError, ParameterError, StoreError (QueryTimeout also while
    rows are written; what was written stays).
    """
    query = catalogue.with_rows(name)
    sparql = prepare_query(
        store, catalogue, name, values, today=today, timeout_s=timeout_s, languages=languages
    )
    with engine_solutions(store, sparql, timeout_s=timeout_s) as found:
        if found is None:
            _general(store, catalogue, name, values, output, today, timeout_s, languages)
            return
        solutions, limits = found
        variables = tuple(v.value for v in solutions.variables)
        columns = tuple(c.name for c in query.columns) if query.columns else variables
        plan = _plan(query, variables, columns)
        writer = csv.writer(_Utf8(output), lineterminator="\r\n")
        writer.writerow(columns)
        rows = _engine_rows(solutions, limits)
        if query.order:
            collected = list(rows)
            _preload_when_large(store, plan, len(collected), languages, timeout_s)
            named = _named(store, plan, collected, languages, timeout_s)
            for key in reversed(query.order):
                position = columns.index(key.column)
                named.sort(key=lambda row: _sort_value(row[position]), reverse=key.descending)
            writer.writerows(map(_texts, named))
            return
        first = True
        while batch := list(islice(rows, NAME_BATCH_ROWS)):
            if first:  # a full first batch: an answer of the size of the registry, likely
                _preload_when_large(store, plan, len(batch), languages, timeout_s)
                first = False
            writer.writerows(map(_texts, _named(store, plan, batch, languages, timeout_s)))


def _preload_when_large(
    store: Store, plan: _Plan, rows: int, languages: Sequence[str], timeout_s: float | None
) -> None:
    """Every name of the store at once (labels.preload_names) for an answer of a thousand
    rows or more with name columns: cheaper than asking for its IRIs 500 at a time."""
    if rows < NAME_BATCH_ROWS:
        return
    for symbols in sorted({kind for _, kind in plan if kind is not None}):
        preload_names(store, languages=languages, symbols=symbols, timeout_s=timeout_s)


def _general(
    store: Store,
    catalogue: Catalogue,
    name: str,
    values: Mapping[str, str],
    output: IO[bytes],
    today: date | None,
    timeout_s: float | None,
    languages: Sequence[str],
) -> None:
    with stream_named_query(
        store, catalogue, name, values, today=today, timeout_s=timeout_s, languages=languages
    ) as (variables, rows):
        for piece in csv_chunks(variables, rows):
            output.write(piece.encode("utf-8"))


_Plan = list[tuple[int | None, bool | None]]
"""Per output column: the answer position it comes from, and None for a fact, False
for the name, True for the unit symbol of the IRI at that position."""


def _plan(query: NamedQuery, variables: tuple[str, ...], columns: tuple[str, ...]) -> _Plan:
    index = {variable: i for i, variable in enumerate(variables)}
    by_name = {c.name: c for c in query.columns if c.name_of is not None}
    plan: _Plan = []
    for column in columns:
        spec = by_name.get(column)
        if spec is None:
            plan.append((index.get(column), None))
        else:
            plan.append((index.get(spec.name_of or ""), spec.symbol))
    return plan


def _engine_rows(solutions: ox.QuerySolutions, limits: AnswerLimits) -> Iterator[tuple[Cell, ...]]:
    try:
        for solution in solutions:
            limits.check_time()
            yield tuple(solution)
    except OSError as exc:
        raise StoreError(f"query failed while reading its answer: {exc}") from exc


def _named(
    store: Store,
    plan: _Plan,
    rows: list[tuple[Cell, ...]],
    languages: Sequence[str],
    timeout_s: float | None,
) -> list[tuple[Cell, ...]]:
    """The rows in output order, each name column holding its name (one lookup per
    kind for the batch, as ``queries.complete_answer`` does)."""
    names: dict[bool, dict[str, str]] = {}
    for symbols in (False, True):
        positions = {p for p, kind in plan if kind is symbols and p is not None}
        iris = {
            cell.value
            for row in rows
            for p in positions
            if isinstance(cell := row[p], ox.NamedNode)
        }
        names[symbols] = (
            fetch_names(store, iris, languages=languages, symbols=symbols, timeout_s=timeout_s)
            if iris
            else {}
        )
    out = []
    for row in rows:
        cells: list[Cell] = []
        for position, kind in plan:
            cell = row[position] if position is not None else None
            if kind is None:
                cells.append(cell)
            else:
                cells.append(
                    names[kind].get(cell.value) if isinstance(cell, ox.NamedNode) else None
                )
        out.append(tuple(cells))
    return out


def _texts(row: tuple[Cell, ...]) -> list[str]:
    return [_text(cell) for cell in row]


def _text(cell: Cell) -> str:
    """SPARQL CSV: a term's text only (the general path's ``sparql_results._csv_value``)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, ox.NamedNode | ox.Literal):
        return cell.value
    if isinstance(cell, ox.BlankNode):
        return f"_:{cell.value}"
    to_rdflib(cell)  # an RDF 1.2 triple term: refused with the service's message
    raise StoreError(f"cannot write {cell!r} as CSV")


def _sort_value(cell: Cell) -> tuple[int, float, str]:
    """``queries._sort_value`` for engine terms: unbound first, numbers as numbers (an
    ill-formed one as text), the rest by its text, case ignored."""
    if cell is None:
        return (0, 0.0, "")
    if isinstance(cell, ox.Literal) and not cell.language:
        datatype = cell.datatype.value
        if datatype == _XSD + "boolean":  # rdflib reads any other text as false
            return (1, float(cell.value.lower() in ("true", "1")), "")
        convert = _NUMBERS.get(datatype.removeprefix(_XSD)) if datatype.startswith(_XSD) else None
        if convert is not None:
            try:
                return (1, float(convert(cell.value)), "")
            except (ValueError, InvalidOperation):
                pass
    # A blank node by its id, as rdflib's str() of it (the CSV writes it with "_:").
    text = cell.value if isinstance(cell, ox.BlankNode) else _text(cell)
    return (2, 0.0, text.casefold())


class _Utf8:
    """The binary output as the text file csv.writer writes to."""

    def __init__(self, output: IO[bytes]) -> None:
        self._output = output

    def write(self, text: str) -> int:
        self._output.write(text.encode("utf-8"))
        return len(text)
