"""The query editor: examples from the catalogue, results as a table, downloads.

Every query a reader types goes through krbgraph.web.user_sparql, the same
gate as the SPARQL endpoint (limits, no SERVICE or LOAD, time and row limit).
The page shows refusals and errors itself, in Dutch, next to the editor.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import Graph, URIRef
from rdflib.term import Identifier

from ...namespaces import compact_iri, registry_prefixes
from ...queries import Catalogue, ParameterError, UnknownQueryError, prepare_query
from ...settings import Settings
from ...sparql_text import SparqlRefused
from ...store import QueryResult, QuerySyntaxError, QueryTimeout, ResultTooLarge, Store, StoreError
from .. import results as result_formats
from ..describe import local_href
from ..negotiation import CANONICAL_TYPES
from ..state import catalogue
from ..templating import error_page, render
from ..user_sparql import LimitsDep, user_query
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


def _example_text(store: Store, queries: Catalogue, name: str, timeout_s: float) -> str:
    """The example's text with its defaults bound (``datum`` = today), so running it
    as shown answers what the named query answers; a query with required parameters
    is shown as written, for the reader to fill in."""
    try:
        return prepare_query(store, queries, name, {}, timeout_s=timeout_s)
    except ParameterError:
        return queries[name].sparql


@router.get("/query", response_class=HTMLResponse)
def query_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limits: LimitsDep,
    query: Annotated[str, Query(max_length=100_000)] = "",
    voorbeeld: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """Editor, examples and results; submitting the form (GET) runs the query."""
    queries = catalogue()
    examples = queries.public()
    text = query
    status = 200
    if voorbeeld and not query:
        try:
            text = _example_text(store, queries, voorbeeld, settings.query_timeout_s)
        except UnknownQueryError as exc:
            return error_page(request, 404, "Onbekende voorbeeldquery", str(exc))
    shown: ShownResult | None = None
    error: str | None = None
    if query.strip():
        try:
            result = user_query(query, limits).run(store, settings)
            shown = _shown_result(result, settings.base_iri)
        except (SparqlRefused, StoreError) as exc:
            error, status = _query_error(exc, settings)
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
    }
    return render(request, "query.html", context, status_code=status)


def _query_error(exc: SparqlRefused | StoreError, settings: Settings) -> tuple[str, int]:
    """The Dutch message and status for a query of the editor that did not run.

    The statuses are those of the app's exception handlers; a store's own
    message may name its folder or server, so it goes to the log instead.
    """
    if isinstance(exc, SparqlRefused):
        return exc.nl, 400
    if isinstance(exc, QuerySyntaxError):
        return _syntax_message(exc), 400
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


def _shown_result(result: QueryResult, base_iri: str) -> ShownResult:
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
    shown = [
        [_shown_value(term, base_iri, prefixes) for term in row] for row in rows[:MAX_HTML_ROWS]
    ]
    return ShownResult(result.kind, variables, shown, len(rows), len(rows) > MAX_HTML_ROWS, None)


def _shown_value(
    term: Identifier | None, base_iri: str, prefixes: dict[str, str]
) -> ShownValue | None:
    """A cell: IRIs short (id:..., krb:...) and linked to their page, literals as text."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        iri = str(term)
        return ShownValue(compact_iri(iri, prefixes) or iri, local_href(iri, base_iri), iri)
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
        result = user_query(query, limits).run(store, settings)
    except (SparqlRefused, StoreError) as exc:
        message, status = _query_error(exc, settings)
        return Response(message, status_code=status, media_type="text/plain")
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
