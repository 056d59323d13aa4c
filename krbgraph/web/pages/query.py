"""The query editor: examples from the catalogue, results as a table, downloads.

A named query chosen as example also gets a form made from its typed
parameters (a date field for a date, a list for fixed values, the registry's
areas and the object types by name, see krbgraph.web.query_params); the form
runs the query by name, so its answer has the columns' titles from the
query's header, its CSV is the API's (/api/queries/NAME?format=csv) and its
Excel workbook has those titles as header row (/query/NAME.xlsx).

Every query a reader types goes through krbgraph.web.user_sparql, the same
gate as the SPARQL endpoint (limits, no SERVICE or LOAD, time and row limit,
at most KRB_QUERY_PER_CLIENT at once per client: 429 beyond, see
krbgraph.web.admission); the example forms run named queries, which are not
limited per client. The page shows refusals and errors itself, in Dutch, next to the editor.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import IO, Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from rdflib import Graph, URIRef
from rdflib.term import Identifier

from ...namespaces import compact_iri, registry_prefixes
from ...queries import (
    Catalogue,
    NamedQuery,
    Parameter,
    ParameterError,
    ParamType,
    UnknownQueryError,
    complete_answer,
    prepare_query,
)
from ...registry_day import today as registry_today
from ...settings import Settings
from ...sparql_text import SparqlRefused
from ...store import (
    EngineStopped,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    Store,
    StoreError,
    UnsupportedAnswer,
)
from ...store.streaming import Row
from .. import results as result_formats
from ..admission import ClientBusy, LaneTimeout, query_slot
from ..describe import READER_LANGUAGES, store_hrefs
from ..negotiation import CANONICAL_TYPES
from ..page_flags import Flag
from ..query_params import FieldProblem, Picker, in_language_of, pickers_for, resolve_picked
from ..spooled_export import Spool, spooled_answer, spooled_chunks
from ..state import catalogue, label_index
from ..templating import error_page, render
from ..user_sparql import LimitsDep, user_query
from ..xlsx_results import XLSX_MEDIA_TYPE, write_answer
from .column_titles import column_titles
from .common import SettingsDep, StoreDep

router = APIRouter()

MAX_HTML_ROWS = 1000
"""Rows the query page shows; the downloads carry the whole result."""


@dataclass(frozen=True)
class ShownValue:
    text: str
    href: str | None
    iri: str | None = None


@dataclass(frozen=True)
class ShownResult:
    kind: str
    variables: tuple[str, ...]
    rows: list[list[ShownValue | None]]
    count: int
    truncated: bool
    boolean: bool | None
    titles: tuple[str, ...] = ()
    """Column headings: the titles from a named query's header, else the variables."""
    descriptions: tuple[str, ...] = ()
    """The columns' full descriptions (a heading's tooltip), when known."""


def _example_text(store: Store, queries: Catalogue, name: str, timeout_s: float) -> str:
    """The example's text with its defaults bound (``datum`` = today), so running it
    as shown answers what the named query answers; a query with required parameters
    is shown as written, for the reader to fill in."""
    try:
        return prepare_query(store, queries, name, {}, timeout_s=timeout_s)
    except ParameterError:
        return queries[name].sparql


PARAM_PREFIX = "p."
"""Form fields of a named query's parameters are ``p.NAME``, apart from the page's own."""


@dataclass(frozen=True)
class FormField:
    """One parameter of a named query as an HTML form control."""

    name: str
    label: str
    description: str
    control: str
    """``input`` or ``select``."""
    input_type: str = "text"
    value: str = ""
    required: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    """(value, text) of a select; an empty value first when the parameter is optional."""
    placeholder: str = ""
    datalist: list[tuple[str, str]] = field(default_factory=list)
    """(value, text) suggested for an input (``<datalist>``): IRIs with their names."""
    chosen: str = ""
    """The name a typed or picked value stands for ("Lichtmast" for "lantaarnpaal")."""
    error: str = ""


def _form_fields(
    query: NamedQuery,
    values: Mapping[str, str],
    pickers: Mapping[str, Picker],
    resolved: Mapping[str, str],
    problem: FieldProblem | None,
) -> list[FormField]:
    fields = []
    for param in query.parameters:
        made = _form_field(param, values.get(param.name))
        picker = pickers.get(param.name)
        if picker is not None:
            made = _with_picker(made, picker, resolved.get(param.name, ""))
        if problem is not None and problem.field == param.name:
            made = replace(made, error=problem.message)
        fields.append(made)
    return fields


def _with_picker(made: FormField, picker: Picker, resolved: str) -> FormField:
    """The field as a list of areas (a select when short) or object types (a datalist).

    A value the list does not hold (a code typed in the address) stays selected, so
    the reader sees what was asked and the message about it."""
    chosen = picker.label_of(resolved) or ""
    if not picker.as_select:
        listed = [(c.value, c.text) for c in picker.choices]
        return replace(made, datalist=listed, chosen=chosen, placeholder="begin met typen: naam")
    blank = "(kies een gebied)" if made.required else "(geen)"
    indent = "\u00a0\u00a0"  # options cannot be styled everywhere: the tree is drawn in text
    options = [("", blank)] + [
        (c.value, in_language_of(indent * c.depth + c.text, c.text)) for c in picker.choices
    ]
    value = resolved if chosen else made.value
    if value and all(value != option for option, _ in options):
        options.insert(1, (value, value))
    return replace(made, control="select", options=options, value=value, chosen=chosen)


def _form_field(param: Parameter, given: str | None) -> FormField:
    """The control for one parameter, filled with what the reader sent or its default."""
    default = param.default or ""
    if param.type is ParamType.DATE and default == "today":
        default = registry_today().isoformat()
    value = default if given is None else given
    blank = [] if param.required else [("", "(geen)")]
    options: list[tuple[str, str]] = []
    input_type, placeholder = "text", ""
    if param.choices:
        options = blank + [(choice, choice) for choice in param.choices]
    elif param.type is ParamType.BOOLEAN:
        options = blank + [("true", "ja"), ("false", "nee")]
    elif param.type is ParamType.DATE:
        input_type = "date"
    elif param.type is ParamType.DATETIME:
        placeholder = "bijv. 2026-12-01T10:00:00Z"
    elif param.type is ParamType.INTEGER:
        input_type = "number"
    elif param.type is ParamType.DECIMAL:
        placeholder = "bijv. 12.5"
    elif param.type is ParamType.IRI:
        # Only a parameter with a class finds a thing by its code or name; any IRI
        # parameter takes a full IRI or one with a known prefix (krb:Beleidsnorm).
        placeholder = "code, naam of IRI" if param.klasse else "IRI, zoals krb:Beleidsnorm"
    return FormField(
        name=PARAM_PREFIX + param.name,
        label=param.name,
        description=param.description,
        control="select" if options else "input",
        input_type=input_type,
        value=value,
        required=param.required,
        options=options,
        placeholder=placeholder,
    )


def _run_named(
    store: Store, settings: Settings, query: NamedQuery, values: Mapping[str, str]
) -> tuple[ShownResult, str]:
    """The named query's answer as shown on the page, and its text with the values bound.

    Raises ParameterError, StoreError."""
    timeout_s = settings.query_timeout_s
    languages = READER_LANGUAGES.get()
    text = prepare_query(
        store, catalogue(), query.name, values, timeout_s=timeout_s, languages=languages
    )
    answer = store.query(text, timeout_s=timeout_s)
    result = complete_answer(query, answer, store, languages=languages, timeout_s=timeout_s)
    columns = {c.name: c.description for c in query.columns}
    shown = _shown_result(result, settings.base_iri, store)
    titles = column_titles(shown.variables, columns)
    descriptions = tuple(columns.get(v, v) for v in shown.variables)
    return replace(shown, titles=titles, descriptions=descriptions), text


@router.get("/query", response_class=HTMLResponse)
def query_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limits: LimitsDep,
    query: Annotated[str, Query(max_length=100_000)] = "",
    voorbeeld: Annotated[str, Query(max_length=100)] = "",
    uitvoeren: Annotated[Flag, Query(description="Run the example with the form's values")] = False,
) -> HTMLResponse:
    """Editor, examples and results; submitting the form (GET) runs the query."""
    queries = catalogue()
    examples = queries.public()
    text = query
    status = 200
    named: NamedQuery | None = None
    values = {
        key.removeprefix(PARAM_PREFIX): value.strip()
        for key, value in request.query_params.items()
        if key.startswith(PARAM_PREFIX) and value.strip()
    }
    if voorbeeld and not query:
        try:
            named = queries[voorbeeld]
            text = _example_text(store, queries, voorbeeld, settings.query_timeout_s)
        except UnknownQueryError as exc:
            return error_page(request, 404, "Onbekende voorbeeldquery", str(exc))
    shown: ShownResult | None = None
    error: str | None = None
    downloads: dict[str, str] = {}
    pickers: dict[str, Picker] = {}
    resolved: dict[str, str] = {}
    problem: FieldProblem | None = None
    retry_after: int | None = None
    if named is not None:
        pickers = pickers_for(named, store, lambda: label_index(request).entries(store))
    if named is not None and uitvoeren:
        try:
            resolved = resolve_picked(values, pickers)
            shown, text = _run_named(store, settings, named, resolved)
            downloads = _named_downloads(named, resolved)
        except FieldProblem as exc:
            # A name of several things is a conflict to resolve (409, as on the API).
            problem, error = exc, f"Een parameter klopt niet: {exc}"
            status = 409 if exc.candidates else 400
        except ParameterError as exc:
            if exc.parameter is not None:
                problem = FieldProblem(exc.parameter, exc.nl, exc.candidates)
            error = f"Een parameter klopt niet: {problem or exc.nl}"
            status = 409 if exc.candidates else 400
        except StoreError as exc:
            error, status = _query_error(exc, settings)
    elif query.strip():
        try:
            checked = user_query(query, limits)
            with query_slot(request, checked.text) as admitted:
                result = checked.run(store, settings, admitted, base_iri=_sparql_base(request))
            shown = _shown_result(result, settings.base_iri, store)
        except (SparqlRefused, StoreError) as exc:
            error, status = _query_error(exc, settings)
        except ClientBusy as exc:
            error, status, retry_after = exc.nl, 429, exc.retry_after
    if query.strip():
        downloads = {
            fmt: "/query/download?" + urlencode({"query": text, "format": fmt})
            for fmt in ("csv", "json", "tsv")
        }
    context = {
        "title": "Query",
        "query": text,
        "voorbeeld": voorbeeld,
        "examples": examples,
        "result": shown,
        "error": error,
        "downloads": downloads,
        "named": named,
        "fields": _form_fields(named, values, pickers, resolved, problem) if named else [],
    }
    page = render(request, "query.html", context, status_code=status)
    if retry_after is not None:
        page.headers["Retry-After"] = str(retry_after)
    return page


def _named_downloads(query: NamedQuery, values: Mapping[str, str]) -> dict[str, str]:
    """The answer of the form as files: the API's CSV and JSON, the CSV without names
    (IRIs and codes, written by the engine itself: the fastest for a whole registry)
    and the Excel workbook."""
    api = f"/api/queries/{query.name}?"
    return {
        "csv": api + urlencode({**values, "format": "csv"}),
        "csv zonder namen": api + urlencode({**values, "format": "csv", "names": "false"}),
        "excel": f"/query/{query.name}.xlsx?" + urlencode(values),
        "json": api + urlencode(values),
    }


def _query_error(exc: SparqlRefused | StoreError, settings: Settings) -> tuple[str, int]:
    """The Dutch message and status for a query of the editor that did not run.

    The statuses are those of the app's exception handlers; a store's own
    message may name its folder or server, so it goes to the log instead.
    """
    if isinstance(exc, SparqlRefused):
        return exc.nl, 400
    if isinstance(exc, QuerySyntaxError):
        return _syntax_message(exc), 400
    if isinstance(exc, LaneTimeout):
        return exc.nl, 503
    if isinstance(exc, UnsupportedAnswer):
        return (
            "Het antwoord bevat een RDF 1.2-tripleterm, die deze dienst niet teruggeeft; "
            "vraag het subject, predicaat en object ervan op (SUBJECT(), PREDICATE(), "
            "OBJECT()).",
            422,
        )
    if isinstance(exc, EngineStopped):
        return (
            "De query-engine stopte voordat de query klaar was (geheugenlimiet of fout); "
            "hij draait weer. Maak de query specifieker en probeer het opnieuw.",
            503,
        )
    if isinstance(exc, QueryTimeout):
        limit = f"{settings.query_timeout_s:g}"
        return f"De query duurde langer dan {limit} seconden, de tijdslimiet van deze dienst.", 503
    if isinstance(exc, ResultTooLarge):
        unit = {"rows": "rijen"}.get(exc.unit, exc.unit)
        return (
            f"Het antwoord heeft meer dan {exc.limit} {unit}, het maximum van deze dienst; "
            "gebruik LIMIT en OFFSET om het in delen op te halen.",
            422,
        )
    logging.getLogger(__name__).error("store error in the query editor", exc_info=exc)
    return "De opslag kon de query niet uitvoeren; de fout is vastgelegd in het log.", 500


def _syntax_message(exc: QuerySyntaxError) -> str:
    where = f" (regel {exc.line}, kolom {exc.column})" if exc.line is not None else ""
    return f"Syntaxfout{where}: {exc}"


def _shown_result(result: QueryResult, base_iri: str, store: Store) -> ShownResult:
    if result.kind == "ask":
        return ShownResult("ask", (), [], 0, False, bool(result.boolean))
    if result.kind == "graph":
        graph = result.graph if result.graph is not None else Graph()
        variables: tuple[str, ...] = ("subject", "predicate", "object")
        # rdflib types a graph's triples as Node; they are URIRef, BNode or Literal.
        rows: list[tuple[Identifier | None, ...]] = sorted(graph, key=lambda t: tuple(map(str, t)))  # type: ignore[arg-type]
    else:
        variables, rows = result.variables, list(result.rows)
    prefixes = registry_prefixes(base_iri)
    kept = rows[:MAX_HTML_ROWS]
    iris = {str(term) for row in kept for term in row if isinstance(term, URIRef)}
    hrefs = store_hrefs(store, iris, base_iri)
    shown = [[_shown_value(term, hrefs, prefixes) for term in row] for row in kept]
    truncated = len(rows) > MAX_HTML_ROWS
    return ShownResult(result.kind, variables, shown, len(rows), truncated, None, variables)


def _shown_value(
    term: Identifier | None, hrefs: dict[str, str | None], prefixes: dict[str, str]
) -> ShownValue | None:
    """A cell: IRIs short (id:..., krb:...) and linked to their page (describe.store_hrefs),
    literals as text."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        iri = str(term)
        return ShownValue(compact_iri(iri, prefixes) or iri, hrefs[iri], iri)
    return ShownValue(str(term), None)


_GRAPH_DOWNLOADS = {"csv": "turtle", "tsv": "ntriples", "json": "jsonld", "xml": "rdfxml"}


@router.get("/query/download")
def query_download(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limits: LimitsDep,
    query: Annotated[str, Query(max_length=100_000)],
    format: Annotated[str, Query(pattern="^(csv|tsv|json|xml)$")] = "csv",
) -> Response:
    """The whole result of the editor's query as a file (graphs as RDF instead)."""
    try:
        checked = user_query(query, limits)
        with query_slot(request, checked.text) as admitted:
            result = checked.run(store, settings, admitted, base_iri=_sparql_base(request))
    except (SparqlRefused, StoreError) as exc:
        message, status = _query_error(exc, settings)
        return Response(message, status_code=status, media_type="text/plain")
    except ClientBusy as exc:
        headers = {"Retry-After": str(exc.retry_after)}
        return Response(exc.nl, status_code=429, media_type="text/plain", headers=headers)
    if result.kind == "graph":
        fmt = _GRAPH_DOWNLOADS[format]
        body = result_formats.serialize_graph(result.graph or Graph(), fmt)
        media = CANONICAL_TYPES[fmt]
        extension = {"turtle": "ttl", "ntriples": "nt", "jsonld": "jsonld", "rdfxml": "rdf"}[fmt]
    else:
        if result.kind == "ask" and format in ("csv", "tsv"):
            format = "json"
        body = result_formats.serialize_result(result, format)
        media, extension = CANONICAL_TYPES[format], format
    return Response(
        body,
        media_type=result_formats.content_type(media),
        headers={"Content-Disposition": f'attachment; filename="resultaat.{extension}"'},
    )


@router.get("/query/{name}.xlsx")
def query_excel(request: Request, store: StoreDep, settings: SettingsDep, name: str) -> Response:
    """A named query's whole answer as an Excel workbook; its parameters are the
    query-string parameters, as for /api/queries/NAME, or as the form names them
    (``p.NAME``): a form's own fields can be sent here as they are."""
    queries = catalogue()
    values = {k.removeprefix(PARAM_PREFIX): v for k, v in request.query_params.items()}
    values.pop("lang", None)
    try:
        query = queries[name]
    except UnknownQueryError as exc:
        return Response(str(exc), status_code=404, media_type="text/plain")
    try:
        spool = _workbook(store, settings, queries, query, values)
    except ParameterError as exc:
        where = f"{exc.parameter}: " if exc.parameter else ""
        message = f"Een parameter klopt niet: {where}{exc.nl}"
        status = 409 if exc.candidates else 400  # a name of several things, as on the API
        return Response(message, status_code=status, media_type="text/plain")
    except StoreError as exc:
        message, status = _query_error(exc, settings)
        return Response(message, status_code=status, media_type="text/plain")
    return StreamingResponse(
        spooled_chunks(spool),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{query.name}.xlsx"'},
    )


def _workbook(
    store: Store, settings: Settings, queries: Catalogue, query: NamedQuery, values: dict[str, str]
) -> Spool:
    """The answer written as a workbook while its rows stream in (spooled_export), rewound
    for reading; the caller closes it. Raises ParameterError, StoreError."""
    described = {c.name: c.description for c in query.columns}
    # The text of a linked IRI: its name column, else its symbol column (a unit's dB(A)).
    by_kind = sorted(query.columns, key=lambda c: not c.symbol)
    names = {c.name_of: c.name for c in by_kind if c.name_of}

    def write(out: IO[bytes], variables: Sequence[str], rows: Iterator[Row]) -> None:
        write_answer(
            out,
            sheet_title=query.name,
            variables=variables,
            titles=list(column_titles(variables, described)),
            rows=rows,
            names=names,
        )

    return spooled_answer(store, settings, queries, query.name, values, write)


def _sparql_base(request: Request) -> str:
    """The base IRI of the editor's queries: the SPARQL endpoint's URL, as /sparql
    resolves them (without one, a remote engine resolved them against its own
    address)."""
    return str(request.url_for("sparql_get"))
