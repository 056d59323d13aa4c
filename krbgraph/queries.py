"""The catalogue of named queries: ``sparql/*.rq`` files with a typed parameter header.

Queries are files so analysts can read and review them as SPARQL, and the CLI, the
HTTP API and ``docs/queries.md`` all list the same catalogue. Parameters are never
pasted into query text: each value is validated against its declared type, turned into
an RDF term, and the terms are bound through one ``VALUES`` block placed as the first
element of the outermost ``WHERE`` group. Both store backends receive the same text,
so they give the same answers.

Header format (the leading ``#`` lines of a file, up to the first line that is not a
comment or is a bare ``#``)::

    # title: One line shown in listings
    # description: What the query answers; continuation lines start with '#' and
    #   at least two spaces.
    # param: name (type, required|optional[, default: value][, class: prefix:Name]) Text
    # column: name Text
    # column: name_label (name of name) Text     (a name column, see below)
    # order: column, -column    (optional: sort after names are added; '-' descends)
    # visibility: internal      (optional: a building block of the web pages,
    #                             runnable by name but left out of listings)

Name columns. A query never selects names (``rdfs:label``, ``skos:prefLabel``): a
resource with names in two languages would double its rows. A column declared
``(name of x)`` is filled after the query runs with the one name of the resource in
column ``x`` in the reader's language (see krbgraph.labels); ``(symbol of x)`` fills
the unit symbol the same way. The SELECT projects the other columns, in order.

Types: ``iri``, ``string``, ``date``, ``datetime`` (with a time zone, so a moment
is one moment), ``decimal``, ``integer``, ``boolean``. The only
symbolic default is ``today`` for dates. ``class`` (iri parameters only) lets users
give a code or name instead of an IRI; it is resolved among things of that class
(as written, else in another case or as an English name) and must match exactly
one. An optional parameter without a value stays unbound, so queries test it with
``BOUND``. Every ``param``
must be used as a variable of the query; ``column`` lines, when present, must list
the projected variables in order.

One module of some 1,400 lines on purpose: the header format, the binding of
parameters by their declared types, the running and the completion of answers
(name columns, order) are one contract read by the CLI, the API, the pages and
docs/queries.md; its sections (catalogue, binding, running, docs) follow that order.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from itertools import islice
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from . import sparql_binding, sparql_text
from .labels import DEFAULT_LANGUAGES, NAME_PREDICATES, fetch_names, name_cache, primary_subtag
from .model import project_root
from .namespaces import PREFIXES
from .registry_day import today as registry_today
from .store import QueryResult, Store
from .store.streaming import select_rows, write_answer

__all__ = [
    "Catalogue",
    "Column",
    "NamedQuery",
    "Parameter",
    "ParameterError",
    "ParamType",
    "QueryDefinitionError",
    "UnknownQueryError",
    "bind_parameters",
    "catalogue_markdown",
    "find_named",
    "name_languages",
    "name_tags",
    "inject_values",
    "load_catalogue",
    "parse_query",
    "prepare_query",
    "run_named_query",
    "run_with_terms",
    "run_for_each",
    "stream_named_query",
    "write_without_names",
    "complete_answer",
    "SortKey",
    "sparql_folder",
]

_XSD = "http://www.w3.org/2001/XMLSchema#"


class ParamType(StrEnum):
    """The value types a parameter can declare, each bound as one kind of RDF term."""

    IRI = "iri"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    DECIMAL = "decimal"
    INTEGER = "integer"
    BOOLEAN = "boolean"


class QueryDefinitionError(ValueError):
    """A .rq file whose header or body breaks the catalogue format (file and line given)."""


class UnknownQueryError(LookupError):
    """A query name that is not in the catalogue; the message lists the names that are."""


class ParameterError(ValueError):
    """A parameter value that is unknown, missing, wrongly typed or cannot be resolved.

    ``parameter`` names the parameter when the fault is its value, so a form can mark
    that field; ``nl`` is the message in Dutch for the pages (the API and the command
    line speak English, ``str(error)``); ``candidates`` the IRIs a name matched when
    it matched several (the API answers 409 with them, as for its own lookups)."""

    def __init__(
        self,
        message: str,
        *,
        parameter: str | None = None,
        nl: str | None = None,
        candidates: tuple[str, ...] = (),
    ):
        super().__init__(message)
        self.parameter = parameter
        self.nl = nl or message
        self.candidates = candidates


@dataclass(frozen=True)
class Parameter:
    name: str
    type: ParamType
    required: bool
    description: str
    default: str | None = None
    """Raw default value, parsed like user input; ``today`` for a date means run day."""
    klasse: str | None = None
    """Full IRI of the class a code or name is resolved in (iri parameters only)."""
    choices: tuple[str, ...] = ()
    """The only values a string parameter accepts (``values: a|b|c``); empty for any."""

    @property
    def signature(self) -> str:
        """Short human form, e.g. ``datum: date = today`` or ``maatregel: iri (required)``."""
        text = f"{self.name}: {self.type.value}"
        if self.default is not None:
            return f"{text} = {self.default}"
        return f"{text} (required)" if self.required else f"{text} (optional)"


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    name_of: str | None = None
    """For a name column: the column whose resource it names (filled after the query)."""
    symbol: bool = False
    """A name column that shows a unit symbol (qudt:symbol) instead of a name."""


@dataclass(frozen=True)
class SortKey:
    column: str
    descending: bool = False


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    columns: tuple[Column, ...]
    sparql: str
    source: str
    """Where the query came from (file name), for error messages."""
    internal: bool = False
    """A building block of the web pages: runnable by name, not listed in catalogues."""
    gives_rows: bool = True
    """A SELECT: its answer is rows; else (CONSTRUCT) RDF triples, which no row form holds."""
    order: tuple[SortKey, ...] = ()
    """Sort applied after the name columns are filled (the SELECT's own ORDER BY first)."""

    @property
    def selected(self) -> tuple[str, ...]:
        """The columns the SELECT itself projects (all but the name columns)."""
        return tuple(c.name for c in self.columns if c.name_of is None)

    def parameter(self, name: str) -> Parameter:
        for param in self.parameters:
            if param.name == name:
                return param
        raise ParameterError(
            f"query {self.name!r} has no parameter {name!r}; "
            f"parameters: {_names(p.signature for p in self.parameters)}"
        )


class Catalogue(Mapping[str, NamedQuery]):
    """Named queries by name, in name order."""

    def __init__(self, queries: Iterable[NamedQuery]) -> None:
        self._queries = {q.name: q for q in sorted(queries, key=lambda q: q.name)}

    def __getitem__(self, name: str) -> NamedQuery:
        try:
            return self._queries[name]
        except KeyError:
            listed = (q.name for q in self._queries.values() if not q.internal)
            raise UnknownQueryError(
                f"unknown query {name!r}; known queries: {_names(listed)}"
            ) from None

    def with_rows(self, name: str) -> NamedQuery:
        """The query ``name`` if its answer is rows (every form of the API and of an export
        writes rows); UnknownQueryError otherwise, saying what it answers with instead."""
        query = self[name]
        if not query.gives_rows:
            raise UnknownQueryError(
                f"query {name!r} answers with RDF triples, not rows: run its text at the "
                "SPARQL endpoint for Turtle or JSON-LD"
            )
        return query

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)

    def public(self) -> list[NamedQuery]:
        """The queries users see in listings (CLI, API, docs), in name order."""
        return [q for q in self._queries.values() if not q.internal]


# --------------------------------------------------------------------------- catalogue


def sparql_folder(root: Path | None = None) -> Path:
    return (root or project_root()) / "sparql"


@cache
def shipped_catalogue() -> Catalogue:
    """The catalogue of the .rq files that ship with the product, read once per process:
    reading and checking them takes a tenth of a second, which a request answered from
    one of them (the write history) paid every time."""
    return load_catalogue()


def load_catalogue(folder: Path | None = None) -> Catalogue:
    """Every ``*.rq`` file of the folder; raises QueryDefinitionError for a broken one."""
    folder = folder or sparql_folder()
    paths = sorted(folder.glob("*.rq"))
    if not paths:
        raise QueryDefinitionError(f"no .rq files in {folder}")
    return Catalogue(parse_query(p.stem, p.read_text(encoding="utf-8"), p.name) for p in paths)


_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_HEADER_LINE = re.compile(r"^#\s?(?P<key>[a-z]+):\s*(?P<value>.*)$")
_PARAM = re.compile(r"^(?P<name>\S+)\s+\((?P<spec>[^)]*)\)\s*(?P<text>.*)$")
_COLUMN = re.compile(r"^(?P<name>\S+)\s*(?P<text>.*)$")


def parse_query(name: str, text: str, source: str = "<text>") -> NamedQuery:
    """One named query from the text of its .rq file.

    Raises QueryDefinitionError naming the source and line for a bad header, a
    parameter the body never uses, or columns that differ from the projection.
    """
    if not _NAME.match(name):
        raise QueryDefinitionError(
            f"{source}: query name {name!r} must be lower-case letters, digits and '-'"
        )
    fields: dict[str, list[tuple[int, str]]] = {}
    last: list[tuple[int, str]] | None = None
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.startswith("#") or line.strip() == "#":
            break
        if line.startswith("#  ") and last is not None:
            lineno, previous = last[-1]
            last[-1] = (lineno, f"{previous} {line[1:].strip()}")
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            raise QueryDefinitionError(
                f"{source}:{number}: expected '# key: value' (title, description, param, "
                f"column) or a continuation line starting with '#  ', got {line!r}"
            )
        key = match["key"]
        if key not in ("title", "description", "param", "column", "order", "visibility"):
            raise QueryDefinitionError(
                f"{source}:{number}: unknown header key {key!r}; "
                "known: title, description, param, column, order, visibility"
            )
        last = fields.setdefault(key, [])
        last.append((number, match["value"].strip()))
    for key in ("title", "description"):
        values = fields.get(key, [])
        if len(values) != 1 or not values[0][1]:
            raise QueryDefinitionError(f"{source}: the header needs exactly one '# {key}: ...'")
    params = tuple(_parse_param(source, n, v) for n, v in fields.get("param", []))
    columns = tuple(_parse_column(source, n, v) for n, v in fields.get("column", []))
    _check_unique(source, "parameter", [p.name for p in params])
    visibility = [v for _, v in fields.get("visibility", [])] or ["public"]
    if len(visibility) != 1 or visibility[0] not in ("public", "internal"):
        raise QueryDefinitionError(
            f"{source}: '# visibility:' must appear at most once, as public or internal"
        )
    query = NamedQuery(
        name=name,
        title=fields["title"][0][1],
        description=fields["description"][0][1],
        parameters=params,
        columns=columns,
        sparql=text,
        source=source,
        internal=visibility[0] == "internal",
        order=_parse_order(source, fields.get("order", []), columns),
        gives_rows=sparql_text.check(text, sparql_text.SparqlLimits()).query_form == "select",
    )
    _check_body(query)
    return query


def _parse_order(
    source: str, lines: list[tuple[int, str]], columns: tuple[Column, ...]
) -> tuple[SortKey, ...]:
    if len(lines) > 1:
        raise QueryDefinitionError(f"{source}: '# order:' may appear once")
    if not lines:
        return ()
    number, value = lines[0]
    known = {c.name for c in columns}
    keys = []
    for part in value.split(","):
        part = part.strip()
        descending = part.startswith("-")
        name = part.lstrip("-")
        if name not in known:
            raise QueryDefinitionError(
                f"{source}:{number}: order column {name!r} is not a declared column"
            )
        keys.append(SortKey(name, descending))
    return tuple(keys)


def _parse_param(source: str, line: int, value: str) -> Parameter:
    where = f"{source}:{line}"
    match = _PARAM.match(value)
    if not match:
        raise QueryDefinitionError(
            f"{where}: expected 'param: name (type, required|optional[, default: v]"
            f"[, class: c]) description', got {value!r}"
        )
    name = match["name"]
    if not sparql_binding.is_variable_name(name):
        raise QueryDefinitionError(f"{where}: parameter name {name!r} is not a SPARQL variable")
    parts = [p.strip() for p in match["spec"].split(",")]
    try:
        ptype = ParamType(parts[0])
    except ValueError:
        raise QueryDefinitionError(
            f"{where}: unknown type {parts[0]!r} for {name!r}; "
            f"types: {_names(t.value for t in ParamType)}"
        ) from None
    if len(parts) < 2 or parts[1] not in ("required", "optional"):
        raise QueryDefinitionError(f"{where}: say 'required' or 'optional' after the type")
    required = parts[1] == "required"
    default = klasse = None
    choices: tuple[str, ...] = ()
    for option in parts[2:]:
        key, _, raw = option.partition(":")
        key, raw = key.strip(), raw.strip()
        if key == "default" and raw:
            default = raw
        elif key == "class" and raw and ptype is ParamType.IRI:
            klasse = _expand(raw, where)
        elif key == "values" and raw and ptype is ParamType.STRING:
            choices = tuple(v.strip() for v in raw.split("|") if v.strip())
        else:
            raise QueryDefinitionError(
                f"{where}: unknown option {option!r} (known: 'default: v', "
                "'class: prefix:Name' for iri parameters, 'values: a|b' for strings)"
            )
    if required and default is not None:
        raise QueryDefinitionError(f"{where}: a required parameter cannot have a default")
    param = Parameter(name, ptype, required, match["text"].strip(), default, klasse, choices)
    if default is not None:
        try:
            # Whether it reads, on any day: the registry's day would read KRB_TIMEZONE,
            # which the command checks in its settings (and says once what is wrong).
            _to_term(param, default, today=date(2000, 1, 1))
        except ParameterError as exc:
            raise QueryDefinitionError(f"{where}: bad default: {exc}") from None
    return param


_NAME_OF = re.compile(r"^\((?P<kind>name|symbol) of (?P<of>[A-Za-z_][A-Za-z0-9_]*)\)\s*")


def _parse_column(source: str, line: int, value: str) -> Column:
    match = _COLUMN.match(value)
    if not match or not sparql_binding.is_variable_name(match["name"]):
        raise QueryDefinitionError(f"{source}:{line}: expected 'column: name description'")
    text = match["text"].strip()
    named = _NAME_OF.match(text)
    if named:
        return Column(
            match["name"], text[named.end() :], named["of"], symbol=named["kind"] == "symbol"
        )
    return Column(match["name"], text)


def _expand(name: str, where: str) -> str:
    if name.startswith("<") and name.endswith(">"):
        iri = name[1:-1]
    else:
        prefix, sep, local = name.partition(":")
        if not sep or prefix not in PREFIXES:
            raise QueryDefinitionError(
                f"{where}: class {name!r} must be <IRI> or use a known prefix ({_names(PREFIXES)})"
            )
        iri = PREFIXES[prefix] + local
    try:
        return ox.NamedNode(iri).value
    except ValueError as exc:
        raise QueryDefinitionError(f"{where}: class {name!r} is not a valid IRI: {exc}") from None


def _check_unique(source: str, what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise QueryDefinitionError(f"{source}: {what} {name!r} is declared twice")
        seen.add(name)


def _check_body(query: NamedQuery) -> None:
    tokens = sparql_text.tokens(query.sparql)
    variables = {t.text[1:] for t in tokens if t.kind == "var"}
    for param in query.parameters:
        if param.name not in variables:
            raise QueryDefinitionError(
                f"{query.source}: parameter {param.name!r} is never used as ?{param.name}"
            )
    try:
        sparql_binding.where_brace(tokens)
    except sparql_binding.SparqlTextError as exc:
        raise QueryDefinitionError(f"{query.source}: {exc}") from None
    if query.columns:
        projected = sparql_binding.projection(tokens)
        declared = list(query.selected)
        if projected is not None and projected != declared:
            raise QueryDefinitionError(
                f"{query.source}: the column lines ({', '.join(declared)}, name columns "
                f"left out) differ from the SELECT variables ({', '.join(projected)})"
            )
        for column in query.columns:
            if column.name_of is not None and column.name_of not in declared:
                raise QueryDefinitionError(
                    f"{query.source}: {column.name!r} names column {column.name_of!r}, "
                    "which the SELECT does not project"
                )


def inject_values(sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with ``VALUES (?a ?b) { (term term) }`` first in its outermost WHERE group.

    Terms are serialised by pyoxigraph in N-Triples syntax (escaped), so no value can
    end the block early. Without bindings the query is returned unchanged.
    """
    if not bindings:
        return sparql
    return _inject_rows(sparql, tuple(bindings), [tuple(bindings.values())])


def _inject_rows(
    sparql: str, names: tuple[str, ...], rows: Sequence[tuple[ox.NamedNode | ox.Literal, ...]]
) -> str:
    try:
        return sparql_binding.inject_rows(
            sparql, names, [tuple(str(term) for term in row) for row in rows]
        )
    except sparql_binding.SparqlTextError as exc:
        raise ParameterError(str(exc)) from None


# -------------------------------------------------------------------------- binding

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_TRUE = ("true", "1", "ja", "yes")
_FALSE = ("false", "0", "nee", "no")

Resolver = Callable[[Parameter, str], ox.NamedNode]
"""Turns a code or name given for an iri parameter into the IRI it stands for."""


def bind_parameters(
    query: NamedQuery,
    values: Mapping[str, str],
    *,
    today: date | None = None,
    resolve: Resolver | None = None,
) -> dict[str, ox.NamedNode | ox.Literal]:
    """Typed RDF terms for the given raw values plus defaults, in declaration order.

    Raises ParameterError for an unknown name, a missing required value or a value of
    the wrong type; the message names the query, the parameter and what was expected.
    A value for an iri parameter that is not an absolute IRI goes to ``resolve``.
    """
    for name in values:
        query.parameter(name)
    today = today or registry_today()
    terms: dict[str, ox.NamedNode | ox.Literal] = {}
    for param in query.parameters:
        raw = values.get(param.name)
        if raw is None or raw == "":
            if param.required:
                raise ParameterError(
                    f"query {query.name!r} needs parameter {param.name!r} "
                    f"({param.type.value}): {param.description}",
                    parameter=param.name,
                    nl="vul dit veld in",
                )
            if param.default is None:
                continue
            raw = param.default
        try:
            terms[param.name] = _to_term(param, raw, today=today, resolve=resolve)
        except ParameterError as exc:
            raise ParameterError(
                f"query {query.name!r}, parameter {param.name!r}: {exc}",
                parameter=param.name,
                nl=exc.nl,
                candidates=exc.candidates,
            ) from None
    return terms


def _to_term(
    param: Parameter, raw: str, *, today: date, resolve: Resolver | None = None
) -> ox.NamedNode | ox.Literal:
    value = raw.strip()
    kind = param.type
    if kind is ParamType.STRING:
        if param.choices and value not in param.choices:
            choices = ", ".join(param.choices)
            raise ParameterError(
                f"{param.name}={raw!r} is not one of {choices}",
                nl=f"'{raw}' kan hier niet; kies uit {choices}",
            )
        return ox.Literal(value if param.choices else raw)
    if kind is ParamType.IRI:
        return _to_iri(param, value, resolve)
    if kind is ParamType.DATE:
        if value == "today":
            return _typed(today.isoformat(), "date")
        if _DATE.match(value):
            try:
                return _typed(date.fromisoformat(value).isoformat(), "date")
            except ValueError:
                pass
        raise ParameterError(
            f"{raw!r} is not a date; expected YYYY-MM-DD (or 'today')",
            nl=f"'{raw}' is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2025-06-01",
        )
    if kind is ParamType.DATETIME:
        return _to_datetime(value, raw)
    if kind is ParamType.DECIMAL:
        if _DECIMAL.match(value):
            try:
                return _typed(str(Decimal(value)), "decimal")
            except InvalidOperation:
                pass
        raise ParameterError(
            f"{raw!r} is not a decimal number; expected e.g. 48 or -3.5",
            nl=f"'{raw}' is geen getal; schrijf bijvoorbeeld 48 of -3.5 (met een punt)",
        )
    if kind is ParamType.INTEGER:
        if _INTEGER.match(value):
            return _typed(str(int(value)), "integer")
        raise ParameterError(
            f"{raw!r} is not an integer; expected e.g. 10",
            nl=f"'{raw}' is geen geheel getal; schrijf bijvoorbeeld 10",
        )
    if value.lower() in _TRUE:
        return _typed("true", "boolean")
    if value.lower() in _FALSE:
        return _typed("false", "boolean")
    raise ParameterError(
        f"{raw!r} is not a boolean; expected true or false",
        nl=f"'{raw}' is geen ja of nee; schrijf true of false",
    )


def _to_datetime(value: str, raw: str) -> ox.Literal:
    # A moment without a time zone is no moment: SPARQL cannot order it against the
    # stored times (all with a zone), and the filter then kept nothing, silently. XSD
    # allows zones from -14:00 to +14:00 (a +15:00 was no moment to the engine either)
    # and 24:00:00, the first moment of the next day.
    if _DATETIME.match(value):
        text = value.replace("Z", "+00:00")
        midnight = re.match(r"^(\d{4}-\d{2}-\d{2})T24:00(:00(\.0+)?)?(?=[+-])", text)
        if midnight:
            text = f"{midnight[1]}T00:00:00{text[midnight.end() :]}"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            offset = moment.utcoffset()
            if offset is not None and abs(offset) > timedelta(hours=14):
                raise ParameterError(
                    f"{raw!r} has a time zone beyond -14:00..+14:00, which no moment has",
                    nl=f"'{raw}' heeft een tijdzone buiten -14:00..+14:00; die bestaat niet",
                )
            if midnight:
                moment += timedelta(days=1)
            return _typed(moment.isoformat(), "dateTime")
    raise ParameterError(
        f"{raw!r} is not a moment with a time zone; expected e.g. 2026-12-01T10:00:00Z "
        "or 2026-12-01T11:00:00+01:00",
        nl=f"'{raw}' is geen tijdstip met tijdzone; schrijf bijvoorbeeld "
        "2026-12-01T10:00:00Z of 2026-12-01T11:00:00+01:00",
    )


def _typed(lexical: str, datatype: str) -> ox.Literal:
    return ox.Literal(lexical, datatype=ox.NamedNode(_XSD + datatype))


def _to_iri(param: Parameter, value: str, resolve: Resolver | None) -> ox.NamedNode:
    # The pages show IRIs short (krb:Beleidsnorm, id:beleidsnorm/BOU-N01); typed back into
    # a form they were absolute IRIs of the schemes "krb" and "id", and answered nothing.
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    elif colon and prefix == REGISTRY_PREFIX and not local.startswith("//"):
        if param.klasse is None or resolve is None:
            raise ParameterError(
                f"{value!r} is short for an IRI of this registry; give the whole IRI",
                nl=f"'{value}' is een verkorte IRI; geef de volledige IRI (https://...)",
            )
        return resolve(param, value)
    try:
        node = ox.NamedNode(value)
    except ValueError as exc:
        problem = str(exc)
    else:
        # Of a parameter with a class, an IRI that names nothing of it (a typo, the
        # wrong case, "sector:inwoners") answered "no norms" where it should say so.
        return node if param.klasse is None or resolve is None else resolve(param, value)
    if param.klasse is None or resolve is None:
        raise ParameterError(
            f"{value!r} is not a valid absolute IRI ({problem})",
            nl=f"'{value}' is geen geldige IRI; geef een volledige IRI (https://...)",
        )
    return resolve(param, value)


_RESOLVE_SPARQL = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct:  <http://purl.org/dc/terms/>
SELECT DISTINCT ?object WHERE {
  ?object %s ?tekst .
  ?object rdf:type/rdfs:subClassOf* ?klasse .
}
ORDER BY ?object
"""
"""Things of a class with one of the given texts by the given predicates (``%s``: a
path of alternatives), each text a literal with its tag, so every one is an index lookup."""

_CODES_AND_NAMES = "dct:identifier|skos:notation|rdfs:label|skos:prefLabel"
"""What a thing is called by: its codes and its own names."""

_SHOWN_TOO = _CODES_AND_NAMES + "|dct:title|skos:altLabel"
"""Names shown (krbgraph.labels.NAME_PREDICATES) that are no code or name of their own:
looked up last, and taken only where the reader is shown them, so a synonym never makes
a name that resolved before ambiguous."""

_SYNONYM = "skos:altLabel"
"""Another name of a thing, SKOS's alternative label."""

_SEARCH_TERM = "skos:hiddenLabel"
"""SKOS's label for text search only: looked up after every name and never shown."""

_BY_ENDING_SPARQL = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?object WHERE {
  ?object rdf:type/rdfs:subClassOf* ?klasse .
  FILTER (isIRI(?object) && STRENDS(STR(?object), ?einde))
}
ORDER BY ?object
"""
"""Things of a class whose IRI ends with ``?einde`` (``/id/beleidsnorm/BOU-N01``): the
``id:`` short form the pages show, whatever the registry's base. Every one: a province's
store holds as many as it has municipalities, and the answer that it is ambiguous lists
them all to choose from, as the API's own lookups do."""

_OF_CLASS_SPARQL = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
ASK WHERE { ?object rdf:type/rdfs:subClassOf* ?klasse }
"""

_MENTIONED_SPARQL = "ASK WHERE { { ?object ?p ?o } UNION { ?s ?p ?object } }"
"""Whether the store says anything of or about a thing, in any graph."""

REGISTRY_BASE: ContextVar[str | None] = ContextVar("registry_base", default=None)
"""The base IRI of the registry served or asked (`krb serve`, `krb query --base-iri`):
an ``id:`` value names its thing before one under another base that ends the same (a
province's registry holds several municipalities' ``id:beleidsnorm/GEL-N01``, and the
pages shorten only the served base's IRIs to ``id:``). None: any base."""

REGISTRY_PREFIX = "id"
"""The prefix the pages write the registry's own IRIs with (namespaces.registry_prefixes)."""


def other_spellings(text: str) -> list[str]:
    """Other ways the same code or name is written: "Huishoudens" for "huishoudens",
    "gm9999" for "GM9999". Each is an index lookup, where comparing case-folded names
    read the names of every thing of the class (1 s over 57,000 areas)."""
    variants = (text.lower(), text.upper(), text.capitalize(), text.title())
    return [v for v in dict.fromkeys(variants) if v != text]


def name_languages(languages: Sequence[str] = ()) -> tuple[str, ...]:
    """The languages a name is looked up in after Dutch: English, then the reader's
    other languages (a Frisian name of an area with ``?lang=fy``)."""
    return tuple(dict.fromkeys(t for t in ("en", *languages) if t != "nl"))


def name_tags(store: Store, *, timeout_s: float | None = None) -> tuple[str, ...]:
    """The language tags of the store's names, as the store writes them: a name is
    looked up by its literal, tag and all, and a reader asking for "en" is shown an
    "en-GB" name too (krbgraph.labels.language_rank). Read once per write generation
    (one pass over the names), and only for a text that is no code or Dutch name."""
    cache = name_cache(store)
    if cache is not None and cache.tags is not None:
        return cache.tags
    listed = " ".join(f"<{predicate}>" for predicate in NAME_PREDICATES)
    sparql = (
        f"SELECT DISTINCT (LANG(?o) AS ?tag) WHERE {{ VALUES ?p {{ {listed} }} "
        "?s ?p ?o FILTER (isLiteral(?o)) }"
    )
    found = store.query(sparql, timeout_s=timeout_s).rows
    tags = tuple(sorted({str(row[0]) for row in found if row[0] is not None and str(row[0])}))
    if cache is not None:
        cache.tags = tags
    return tags


def _name_passes(
    store: Store,
    text: str,
    languages: Sequence[str],
    timeout_s: float | None,
    spellings: Sequence[str] | None = None,
) -> Iterator[tuple[str, list[ox.Literal], list[ox.Literal]]]:
    """The lookups of ``text``, each tried only when the ones before found nothing, so
    what resolved before still resolves alike: as written (a code, a Dutch name); as a
    name in English or the reader's languages, and in another case, with their
    regional variants ("en-GB" to a reader of "en"); then as any other name the reader
    is shown, then as any; last as a search term. A variant
    or another name counts only for a thing the reader is shown by it: a name in a
    language the reader did not ask for stays unknown, and an "nl-BE" name hidden
    behind a thing's "nl" one never makes ambiguous a name that resolved before, while
    two things both shown "Market Square" stay ambiguous. Each yields the extra
    predicates, the literals that count as found and those that count only where shown."""
    yield _CODES_AND_NAMES, [ox.Literal(text), ox.Literal(text, language="nl")], []
    readers = name_languages(languages)
    spellings = other_spellings(text) if spellings is None else spellings
    written = (text, *spellings)
    texts = [(text, readers)] + [(spelling, (None, "nl", *readers)) for spelling in spellings]
    exact = [ox.Literal(t, language=tag) for t, tagged in texts for tag in tagged]
    tags = name_tags(store, timeout_s=timeout_s)
    asked = {tag.lower() for tag in ("nl", *readers)}
    primaries = {primary_subtag(tag) for tag in asked}
    variants = [t for t in tags if t.lower() not in asked and primary_subtag(t) in primaries]
    yield (
        _CODES_AND_NAMES,
        exact,
        [ox.Literal(t, language=tag) for t in written for tag in variants],
    )
    every = (None, *dict.fromkeys(["nl", *readers, *tags]))
    yield _SHOWN_TOO, [], [ox.Literal(t, language=tag) for t in written for tag in every]
    # Then a synonym the reader is not shown (an own type's skos:altLabel "straat"), in
    # Dutch or the reader's languages, as the API's object-type lookup takes it: before
    # a search term, which it beats there (Woonstraat's "straat" went to IMBOR's
    # Rijbaan, whose search term it is). A name in a language not asked for stays
    # unknown.
    readable = (None, "nl", *readers)
    yield _SYNONYM, [ox.Literal(t, language=tag) for t in written for tag in readable], []
    # A search term (skos:hiddenLabel, IMBOR's zoektermen: "prullenbak" for Afvalbak)
    # is no name, but what people type: taken only when nothing is named so, as the
    # API's object-type lookup and the search take it (a term of two things: ambiguous).
    yield _SEARCH_TERM, [ox.Literal(t, language=tag) for t in written for tag in every], []


def find_named(
    store: Store,
    text: str,
    klasse: str,
    *,
    languages: Sequence[str] = (),
    limit: int | None = None,
    timeout_s: float | None = None,
) -> list[str]:
    """The things of ``klasse`` (or a subclass) with code or name ``text``, in IRI order
    (several: ambiguous), by the first lookup of ``_name_passes`` that finds any; at
    most ``limit``. The named queries' parameters and the API's own lookups
    (krbgraph.web.resolving) both resolve here, so every name a reader of
    ``languages`` is shown is taken back, by either, the same way."""
    target = ox.NamedNode(klasse)

    def lookup(predicates: str, literals: list[ox.Literal], cap: int | None) -> list[str]:
        if not literals:
            return []
        sparql = _RESOLVE_SPARQL % predicates + (f"LIMIT {cap}\n" if cap else "")
        rows = [(literal, target) for literal in literals]
        result = store.query(_inject_rows(sparql, ("tekst", "klasse"), rows), timeout_s=timeout_s)
        return [str(row[0]) for row in result.rows if row[0] is not None]

    def by_passes(spellings: list[str]) -> list[str]:
        written = {text, *spellings}
        for predicates, found_as_is, found_if_shown in _name_passes(
            store, text, languages, timeout_s, spellings
        ):
            found = set(lookup(predicates, found_as_is, limit))
            if shown := [
                iri for iri in lookup(predicates, found_if_shown, None) if iri not in found
            ]:
                names = fetch_names(store, shown, languages=languages or DEFAULT_LANGUAGES)
                found.update(iri for iri in shown if names.get(iri) in written)
            if found:
                return sorted(found)[:limit]
        return []

    usual = other_spellings(text)
    if found := by_passes(usual):
        return found
    # Nothing by the usual spellings: those the store itself has of the text in any case
    # ("IJsvogelwand" for "ijsvogelwand", "Parklaan van Spui tot Vliet" for "parklaan van
    # spui tot vliet"), read only for a text nothing matched.
    more = [t for t in _case_spellings(store, text, timeout_s) if t not in {text, *usual}]
    return by_passes([*usual, *more]) if more else []


_CAPITALISED_SPARQL = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct:  <http://purl.org/dc/terms/>
SELECT DISTINCT (STR(?tekst) AS ?spelling) WHERE {
  ?ding dct:identifier|skos:notation|rdfs:label|skos:prefLabel|dct:title|skos:altLabel
        |skos:hiddenLabel ?tekst .
  FILTER (isLiteral(?tekst) && LCASE(STR(?tekst)) != STR(?tekst))
}
"""


def _case_spellings(store: Store, text: str, timeout_s: float | None) -> tuple[str, ...]:
    """How the store writes ``text`` with capitals, for a text nothing matched in its
    usual spellings. Every such code and name is read in one pass (about 3 s and some
    40 MB at a million triples), once per write generation, by one reader while others
    missing meanwhile wait; then each text is a dictionary lookup, so a typo stays cheap
    and many at once cannot each scan the names (which ran the engine out of memory)."""
    cache = name_cache(store)
    if cache is None:
        spellings = _read_spellings(store, timeout_s)
    else:
        with cache.spellings_lock:
            if cache.spellings is None:
                cache.spellings = _read_spellings(store, timeout_s)
                _SPELLINGS_ASKED.add(store)
            spellings = cache.spellings
    lowered = text.lower()
    return tuple(t for t in spellings.get(hash(lowered), ()) if t.lower() == lowered)


_SPELLINGS_ASKED: weakref.WeakSet[Store] = weakref.WeakSet()
"""Stores whose spellings a reader needed: read again after a write (read_spellings_again)."""


def read_spellings_again(store: Store, *, timeout_s: float | None = None) -> bool:
    """The spellings of a store that needed them before, read again for its current
    version, so the first name typed in another case after a write does not wait for
    them (3-4 s at a million triples). For the service's background round after writes
    (krbgraph.web.rewarm); whether they were read."""
    try:
        if store not in _SPELLINGS_ASKED:
            return False
    except TypeError:  # a store that cannot be weakly referenced keeps none
        return False
    _case_spellings(store, "", timeout_s)
    return True


def _read_spellings(store: Store, timeout_s: float | None) -> dict[int, tuple[str, ...]]:
    found: dict[int, tuple[str, ...]] = {}
    for row in store.query(_CAPITALISED_SPARQL, timeout_s=timeout_s).rows:
        if row[0] is not None:
            written = str(row[0])
            key = hash(written.lower())
            found[key] = (*found.get(key, ()), written)
    return found


def store_resolver(
    store: Store, *, timeout_s: float | None = None, languages: Sequence[str] = ()
) -> Resolver:
    """A resolver that looks a code or name up among things of the parameter's class
    (``find_named``: as written, else in another usual case or as a name in English,
    another of the reader's ``languages`` or whichever the reader can be shown)."""

    def resolve(param: Parameter, text: str) -> ox.NamedNode:
        klasse = ox.NamedNode(param.klasse or "")
        iri = _as_iri(text)
        if iri is not None:
            # Known to the store at all, typed or not (data loaded without validation
            # may leave a type out, and the queries answer for it as before).
            sparql = _inject_rows(_MENTIONED_SPARQL, ("object",), [(iri,)])
            if store.query(sparql, timeout_s=timeout_s).boolean:
                return iri
            # A code or name that reads as an IRI ("GM:0363") is looked up as one.
            found = find_named(store, text, klasse.value, languages=languages, timeout_s=timeout_s)
            if not found:
                name = _short(klasse.value)
                raise ParameterError(
                    f"the registry holds nothing with IRI <{text}>; give the IRI of a "
                    f"{name}, or its code or name",
                    nl=f"het register heeft niets met de IRI <{text}>; geef de IRI van een "
                    f"{name}, of de code of naam",
                )
        elif text.startswith(f"{REGISTRY_PREFIX}:"):
            # id:beleidsnorm/BOU-N01: the thing of the class whose IRI ends so; first the
            # registry's own (REGISTRY_BASE), as the pages shorten its IRIs only.
            local = "/id/" + text[len(REGISTRY_PREFIX) + 1 :]
            base = REGISTRY_BASE.get()
            found = []
            try:  # a text no IRI can hold ("GEL M01") names nothing of the base
                own = None if base is None else ox.NamedNode(base.rstrip("/") + local)
            except ValueError:
                own = None
            if own is not None:
                sparql = _inject_rows(_OF_CLASS_SPARQL, ("object", "klasse"), [(own, klasse)])
                found = [own.value] if store.query(sparql, timeout_s=timeout_s).boolean else []
            if not found:
                ending = ox.Literal(local)
                sparql = _inject_rows(_BY_ENDING_SPARQL, ("einde", "klasse"), [(ending, klasse)])
                result = store.query(sparql, timeout_s=timeout_s)
                found = [str(row[0]) for row in result.rows if row[0] is not None]
        else:
            # Every match, not the first few: the 409 lists them all to choose from (a
            # seventh municipality's Centrum was never offered).
            found = find_named(store, text, klasse.value, languages=languages, timeout_s=timeout_s)
        if len(found) == 1:
            return ox.NamedNode(found[0])
        name = _short(klasse.value)
        if not found:
            raise ParameterError(
                f"no {name} has code or name {text!r}; give its IRI, or its code or name",
                nl=f"geen {name} heeft code of naam '{text}'; geef de IRI, de code of de naam",
            )
        # Every candidate in the message too: the workbook download and the command line
        # show only the message, and the one left out is the one a reader cannot choose.
        candidates = tuple(sorted(found))
        raise ParameterError(
            f"{text!r} is ambiguous: {len(found)} things of class {name} match "
            f"({_names(candidates)}); give the IRI",
            nl=f"'{text}' is dubbelzinnig: {len(found)} dingen van {name} passen "
            f"({_names(candidates)}); geef de IRI",
            candidates=candidates,
        )

    return resolve


def _as_iri(text: str) -> ox.NamedNode | None:
    """``text`` as the absolute IRI it is, or None (a name, a code, ``id:...``)."""
    if text.startswith(f"{REGISTRY_PREFIX}:"):
        return None
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


def _short(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _names(names: Iterable[str]) -> str:
    listed = ", ".join(names)
    return listed or "(none)"


# -------------------------------------------------------------------------- running


def prepare_query(
    store: Store,
    catalogue: Catalogue,
    name: str,
    values: Mapping[str, str],
    *,
    today: date | None = None,
    timeout_s: float | None = None,
    languages: Sequence[str] = (),
) -> str:
    """The query text of ``name`` with its parameters bound, ready to run on ``store``.

    Raises UnknownQueryError or ParameterError; codes and names for iri parameters
    are looked up in the store, names also in the reader's ``languages``.
    """
    query = catalogue[name]
    resolve = store_resolver(store, timeout_s=timeout_s, languages=languages)
    terms = bind_parameters(query, values, today=today, resolve=resolve)
    return prebound(query.sparql, terms)


def prebound(sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with its parameters pre-bound as the pages bind them
    (krbgraph.sparql_binding.prebind: first in the query and in every UNION branch and
    subquery that mentions them), so a named query means and costs the same from the
    API, the command line and an export as on its page. With a VALUES block only
    first in the query, an indicator's measurements took 2.6 s instead of 26 ms at a
    million triples: the engine evaluated the UNION without the bound indicator."""
    if not bindings:
        return sparql
    try:
        return sparql_binding.prebind(sparql, {name: str(term) for name, term in bindings.items()})
    except sparql_binding.SparqlTextError as exc:
        raise ParameterError(str(exc)) from None


def run_named_query(
    store: Store,
    catalogue: Catalogue,
    name: str,
    values: Mapping[str, str],
    *,
    today: date | None = None,
    timeout_s: float | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> QueryResult:
    """Run one named query with raw parameter values (as typed by a user) on ``store``.

    The answer has every declared column, name columns filled in ``languages``
    order (see krbgraph.labels), sorted by the query's ``# order:`` line.
    """
    sparql = prepare_query(
        store, catalogue, name, values, today=today, timeout_s=timeout_s, languages=languages
    )
    result = store.query(sparql, timeout_s=timeout_s)
    return complete_answer(catalogue[name], result, store, languages=languages, timeout_s=timeout_s)


NAME_BATCH_ROWS = 1000
"""Rows whose names are looked up together while an answer streams."""


@contextmanager
def stream_named_query(
    store: Store,
    catalogue: Catalogue,
    name: str,
    values: Mapping[str, str],
    *,
    today: date | None = None,
    timeout_s: float | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> Iterator[tuple[tuple[str, ...], Iterator[tuple[Identifier | None, ...]]]]:
    """``(columns, rows)`` of a named query, the rows streamed from the engine.

    The same answer as ``run_named_query``, but the rows come as the engine
    produces them and their names are filled per batch of ``NAME_BATCH_ROWS``
    rows, so an export of the whole registry runs in constant memory. A query
    with an ``# order:`` line is sorted by its names, which needs the whole
    answer: it is run with ``run_named_query`` and handed out row by row.
    Use the rows inside the ``with`` block, in the thread that opened it.

    Raises UnknownQueryError (also for a query that answers with triples),
    ParameterError or StoreError (QueryTimeout also while the rows are read).
    """
    query = catalogue.with_rows(name)
    if query.order or not query.columns:
        result = run_named_query(
            store, catalogue, name, values, today=today, timeout_s=timeout_s, languages=languages
        )
        yield result.variables, iter(result.rows)
        return
    sparql = prepare_query(
        store, catalogue, name, values, today=today, timeout_s=timeout_s, languages=languages
    )
    with select_rows(store, sparql, timeout_s=timeout_s) as (variables, rows):
        columns = tuple(c.name for c in query.columns)
        yield columns, _named_rows(query, variables, rows, store, languages, timeout_s)


def write_without_names(
    store: Store,
    catalogue: Catalogue,
    name: str,
    values: Mapping[str, str],
    output: IO[bytes],
    fmt: str,
    *,
    today: date | None = None,
    timeout_s: float | None = None,
    languages: Sequence[str] = (),
) -> tuple[str, ...]:
    """Write a named query's answer without its name columns to ``output`` in ``fmt``
    (csv, tsv or json: SPARQL 1.1 results) straight from the engine's serialiser
    (krbgraph.store.streaming.write_answer); returns the columns written.

    The export for joining on IRIs and codes: the fact columns in their documented
    order, in a whole registry at a million triples in about the engine's own time,
    where filling in names takes four times that. Rows come in the query's own order;
    a query sorted by names (``# order:``) is not sorted then.

    Raises UnknownQueryError (also for a query that answers with triples),
    ParameterError or StoreError (QueryTimeout too). Names given as parameters are also
    looked up in ``languages``.
    """
    query = catalogue.with_rows(name)
    sparql = prepare_query(
        store, catalogue, name, values, today=today, timeout_s=timeout_s, languages=languages
    )
    write_answer(store, sparql, output, fmt, timeout_s=timeout_s)
    return tuple(c.name for c in query.columns if c.name_of is None)


def _named_rows(
    query: NamedQuery,
    variables: tuple[str, ...],
    rows: Iterator[tuple[Identifier | None, ...]],
    store: Store,
    languages: Sequence[str],
    timeout_s: float | None,
) -> Iterator[tuple[Identifier | None, ...]]:
    """The rows with their name columns filled, one name lookup per batch of rows."""
    while True:
        batch = tuple(islice(rows, NAME_BATCH_ROWS))
        if not batch:
            return
        result = QueryResult(kind="select", variables=variables, rows=batch)
        yield from complete_answer(
            query, result, store, languages=languages, timeout_s=timeout_s
        ).rows


def run_with_terms(
    store: Store,
    query: NamedQuery,
    bindings: Mapping[str, Identifier | None],
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    timeout_s: float | None = None,
) -> QueryResult:
    """Run a named query with terms the caller already holds (None leaves a variable
    unbound): the path of the web pages, which never parse user text into terms."""
    bound = {key: value for key, value in bindings.items() if value is not None}
    # Defaults apply here as on every other path: a page that leaves out ``datum``
    # asks about today, never about "no date", which would drop every dated row.
    for param in query.parameters:
        if param.name not in bound and param.default is not None:
            term = _to_term(param, param.default, today=registry_today())
            bound[param.name] = _rdflib_term(term)
    result = store.query(query.sparql, bindings=bound, timeout_s=timeout_s)
    return complete_answer(query, result, store, languages=languages, timeout_s=timeout_s)


def run_for_each(
    store: Store,
    query: NamedQuery,
    name: str,
    terms: Sequence[Identifier],
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    timeout_s: float | None = None,
) -> QueryResult:
    """Run a named query once for many values of one parameter (``name``).

    The values become one ``VALUES ?name { ... }`` block, so a question about a
    hundred norms costs one query and one name lookup instead of a hundred of
    each. The other parameters stay unbound (their defaults do not apply): use
    this for queries whose only parameter is ``name``. An empty ``terms`` gives
    an empty answer without asking the store.
    """
    query.parameter(name)
    if not terms:
        variables = tuple(c.name for c in query.columns)
        return QueryResult(kind="select", variables=variables, rows=())
    rows = [(_ox_term(term),) for term in dict.fromkeys(terms)]
    result = store.query(_inject_rows(query.sparql, (name,), rows), timeout_s=timeout_s)
    return complete_answer(query, result, store, languages=languages, timeout_s=timeout_s)


def _ox_term(term: Identifier) -> ox.NamedNode | ox.Literal:
    """The pyoxigraph term of an rdflib IRI or literal (which checks and escapes it)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ParameterError(f"cannot bind {term!r}: only IRIs and literals can be bound")


def _rdflib_term(term: ox.NamedNode | ox.Literal) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def complete_answer(
    query: NamedQuery,
    result: QueryResult,
    store: Store,
    *,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    timeout_s: float | None = None,
) -> QueryResult:
    """The answer with the name columns filled and the ``# order:`` sort applied.

    One lookup per kind (names, symbols) for all IRIs of the answer, so the cost
    grows with the distinct resources, never with the rows times their names.
    """
    named = [c for c in query.columns if c.name_of is not None]
    if result.kind != "select" or (not named and not query.order):
        return result
    index = {name: i for i, name in enumerate(result.variables)}
    found: dict[bool, dict[str, str]] = {}
    for symbols in (False, True):
        wanted = {c.name_of for c in named if c.symbol is symbols}
        iris = {
            str(row[index[col]])
            for row in result.rows
            for col in wanted
            if col in index and isinstance(row[index[col]], URIRef)
        }
        found[symbols] = (
            fetch_names(store, iris, languages=languages, symbols=symbols, timeout_s=timeout_s)
            if iris
            else {}
        )
    variables = tuple(c.name for c in query.columns) if query.columns else result.variables
    # Per output column: the position it is copied from, or the position whose IRI
    # it names and the names to use; worked out once, not per cell.
    by_name = {c.name: c for c in named}
    plan: list[tuple[int | None, dict[str, Literal] | None]] = []
    literals: dict[bool, dict[str, Literal]] = {
        # A name in another language than Dutch keeps its tag (labels.ForeignName): pages
        # mark it for screen readers, JSON answers say it.
        symbols: {
            iri: Literal(text, lang=getattr(text, "lang", None)) for iri, text in names.items()
        }
        for symbols, names in found.items()
    }
    for column in variables:
        spec = by_name.get(column)
        if spec is None:
            plan.append((index.get(column), None))
        else:
            plan.append((index.get(spec.name_of or ""), literals[spec.symbol]))
    rows: list[tuple[Identifier | None, ...]] = []
    for row in result.rows:
        out: list[Identifier | None] = []
        for position, names in plan:
            value = row[position] if position is not None else None
            if names is None:
                out.append(value)
            else:
                out.append(names.get(str(value)) if isinstance(value, URIRef) else None)
        rows.append(tuple(out))
    if query.order:
        rows = _sorted(rows, variables, query.order)
    return QueryResult(kind="select", variables=variables, rows=tuple(rows))


def _sorted(
    rows: list[tuple[Identifier | None, ...]],
    variables: tuple[str, ...],
    order: tuple[SortKey, ...],
) -> list[tuple[Identifier | None, ...]]:
    """Stable multi-key sort: unbound first, numbers as numbers, text case-insensitively."""
    for key in reversed(order):
        position = variables.index(key.column)
        rows.sort(key=lambda row: _sort_value(row[position]), reverse=key.descending)
    return rows


def _sort_value(term: Identifier | None) -> tuple[int, float, str]:
    if term is None:
        return (0, 0.0, "")
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool):
            return (1, float(value), "")
        if isinstance(value, int | float | Decimal):
            return (1, float(value), "")
    return (2, 0.0, str(term).casefold())


# ---------------------------------------------------------------------------- docs

_DOC_INTRO = """\
# Named queries

<!-- Generated from the headers of sparql/*.rq by `krb queries --format markdown`;
do not edit by hand: change the .rq file and regenerate. -->

Each query is a SPARQL file in `sparql/` whose comment header declares a title, a
description, typed parameters and the result columns. The command line, the HTTP
API and this page read the same catalogue.

```sh
krb queries                                   # the catalogue
krb query dwarsverbanden-maatregel --param maatregel=GEL-M01 --param datum=2025-06-01
krb query geldig-op --param datum=2025-01-01 --format csv
krb query normtoets --today 2025-06-01         # every default "today" is that day
```

A date parameter left out is today in the registry's time zone (`KRB_TIMEZONE`);
`--today` fixes that day for a script or a test. The demo's measure Stil asfalt
(GEL-M01) ran from 2021 to the end of 2025, so its cross-links are asked for on a
date in that period, as above.

Names (`*_label` columns) are never selected by the SPARQL itself: the runner adds
one name per resource after the query, in the reader's language (`--lang en` on the
CLI, `?lang=en` or `Accept-Language` on the API and pages), so a resource with names
in several languages never adds rows. Per language asked, as RFC 4647 lookup: the tag
itself (`nl-NL`), then the tag shortened (`nl`), then the language's other regional
variants (`nl-BE`); then Dutch (`nl`, then its variants), then a name without a
language tag, then any other language (by tag), then the code. A Flemish `nl-BE`
name thus never replaces the registry's own `nl` name for a Dutch reader; the pages,
the API, the search and the command line all choose so. The shapes ask for a Dutch
name (`@nl`, or a regional variant such as `@nl-BE`) and at most one Dutch name per
language tag, so "Parkstraat"@nl beside "Parklaan"@nl-BE is accepted.
Dates in force come from the derived graph (`krb:geldigVanaf`, `krb:geldigTot`,
`krb:nietInWerking`), recomputed after every write: a norm without a period of its own
follows its document, from entry into force (or its adopting decision) until it is
withdrawn or replaced. So does every area an area lies in (`krb:ligtBinnen`, by
`krb:ligtIn` or geometry, directly or not): in your own SPARQL,
`?gebied krb:ligtBinnen? ?waar` gives the area and every area around it, as the path
`(krb:ligtIn|geo:sfWithin)*` would, in one lookup.

Parameters are validated by type and bound as RDF terms (a `VALUES` block at the
start of the query and of every UNION branch and subquery that uses them), never
pasted into the query text. Types: `iri`, `string`,
`date` (YYYY-MM-DD), `datetime` (with a time zone, e.g. 2026-12-01T10:00:00Z),
`decimal`, `integer`, `boolean` (true/false). An `iri`
parameter with a class also accepts a code (`dct:identifier`, `skos:notation`) or
a name of a thing of that class (as written, else in another case, in English or in
another of the reader's languages with their regional variants: `--lang fy` finds a
Frisian name, `--lang en` an `en-GB` one); any other name only where it is the name
the reader is shown, so every name shown is taken back; then another name
(`skos:altLabel`) in Dutch or the reader's languages; last a search term
(`skos:hiddenLabel`, IMBOR's "prullenbak" for Afvalbak), only when nothing is named so.
IRIs may be written short as the pages show them: `krb:Beleidsnorm` with a known
prefix, `id:beleidsnorm/GEL-N01` for the registry's own things.
Output formats: a readable table (default), `csv`, `tsv` and `json` (W3C SPARQL 1.1
Query Results formats). Exports stream in
constant memory; `--no-names` (API: `?format=csv&names=false`) leaves out the name
columns and lets the engine write the answer itself, the fastest export for joining
on IRIs and codes (rows then in the query's own order).

Header format of a `.rq` file:

```sparql
# title: One line
# description: What it answers; continuation lines start with '#' and
#   at least two spaces.
# param: name (type, required|optional[, default: value][, class: prefix:Name]) Text
# column: name Text
# visibility: internal   (optional; a building block of the web pages, not listed here)
```
"""


def catalogue_markdown(catalogue: Catalogue) -> str:
    """docs/queries.md: the catalogue as a page, generated so it cannot drift."""
    parts = [_DOC_INTRO]
    for query in catalogue.public():
        parts.append(f"\n## `{query.name}`: {query.title}\n\n{query.description}\n")
        if query.parameters:
            parts.append("\n| Parameter | Type | Required | Default | Description |")
            parts.append("\n|---|---|---|---|---|")
            for p in query.parameters:
                kind = p.type.value + (f" ({_short(p.klasse)})" if p.klasse else "")
                if p.choices:
                    kind += ": " + " \\| ".join(f"`{c}`" for c in p.choices)
                parts.append(
                    f"\n| `{p.name}` | {kind} | {'yes' if p.required else 'no'} "
                    f"| {p.default or ''} | {_cell(p.description)} |"
                )
            parts.append("\n")
        else:
            parts.append("\nNo parameters.\n")
        parts.append("\n" + _treatment(query) + "\n")
        if query.columns:
            parts.append("\n| Column | Meaning |\n|---|---|")
            for c in query.columns:
                parts.append(f"\n| `{c.name}` | {_cell(c.description)} |")
            parts.append("\n")
    return "".join(parts)


def _treatment(query: NamedQuery) -> str:
    """How the query treats dates, directions, subclasses and languages, from its header."""
    names = {p.name: p for p in query.parameters}
    if "datum" in names:
        default = names["datum"].default
        dates = "in force on `datum`" + (" (default: today)" if default == "today" else "")
    else:
        dates = "all dates (validity shown in columns where there are any)"
    direction = (
        "`richting`: hier (default) / binnen / beide; overlapping areas always count"
        if "richting" in names
        else ("the area and the areas containing it" if "gebied" in names else "not applicable")
    )
    subclasses = (
        "`subklassen=true` adds subclasses; rows name the class they came through"
        if "subklassen" in names
        else "not applicable"
    )
    named = [c.name for c in query.columns if c.name_of is not None]
    languages = (
        "one name per resource in the reader's language ("
        + ", ".join(f"`{n}`" for n in named)
        + "); rows never multiply by names"
        if named
        else "no name columns"
    )
    return (
        f"- Dates: {dates}\n- Areas: {direction}\n- Subclasses: {subclasses}\n- Names: {languages}"
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
