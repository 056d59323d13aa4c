"""The SPARQL 1.1 Protocol: queries and updates at /sparql, updates at /update.

Queries: GET ``?query=``, POST form (``application/x-www-form-urlencoded``)
or POST ``application/sparql-query``; ``default-graph-uri`` and
``named-graph-uri`` choose the dataset. Updates: POST form ``update=`` or
``application/sparql-update`` with a bearer token; ``using-graph-uri`` and
``using-named-graph-uri`` choose the dataset of the WHERE clauses. GET
/sparql without parameters answers with the service description.

Store calls run in the thread pool, never on the event loop. Queries and
updates pass the gate of user_sparql.py first: the text limits (400), no
SERVICE or LOAD (400: both would let a client make the server fetch
arbitrary URLs), then ``Settings.query_timeout_s`` (503 when exceeded) and at
most ``Settings.max_result_rows`` rows or triples (422 beyond); the store
stops reading the answer at either limit, and the body is serialised
completely before the response starts, so a client never gets a truncated
200. A client runs at most KRB_QUERY_PER_CLIENT queries at once; a further
one waits a second for a slot, then gets 429 with Retry-After (admission.py).
Those statuses come from the app's exception handlers. Relative IRIs
resolve against the endpoint URL, passed to the store as base IRI.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from ..registry import GraphNotAllowed, GraphRefused
from ..settings import Settings
from ..sparql_text import Scan, SparqlLimits
from ..store import QuerySyntaxError, Store, StoreError
from ..store.terms import graph_ref
from ..validation import ValidationFailed
from . import negotiation, results, writes
from .admission import Slot, query_slot_async
from .auth import require_write_access
from .bounded_body import MB, read_bounded_body
from .deps import get_settings, get_store
from .openapi_protocols import sparql_operation
from .service_description import service_description
from .user_sparql import LimitsDep, user_query, user_update, without_bom
from .write_gate import hold_write_lock

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"

SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]

router = APIRouter(tags=["SPARQL"])


@dataclass(frozen=True)
class ProtocolRequest:
    """What a SPARQL Protocol request asks for, whatever way it was sent."""

    query: str | None = None
    update: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()


# -- routes ------------------------------------------------------------------


@router.get(
    "/sparql",
    summary="SPARQL query (GET) or service description",
    **sparql_operation("query-get"),
)
async def sparql_get(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    limits: LimitsDep,
) -> Response:
    params = request.query_params.multi_items()
    if not params:
        return await _describe_service(request, settings, store)
    names = {name for name, _ in params}
    if "update" in names:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "A SPARQL update must be sent with POST (form field 'update' or "
            f"Content-Type {UPDATE_TYPE}), never with GET.",
        )
    if "query" not in names:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "Missing the 'query' parameter (GET /sparql without parameters gives the "
            "service description).",
        )
    return await _answer_query(request, settings, store, limits, _protocol_request(params))


@router.post("/sparql", summary="SPARQL query or update (POST)", **sparql_operation("query-post"))
async def sparql_post(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    limits: LimitsDep,
) -> Response:
    operation = await _read_post(request, allow_query=True)
    if operation.update is not None:
        require_write_access(request, settings)
        return await _run_update(request, store, limits, operation)
    return await _answer_query(request, settings, store, limits, operation)


@router.post("/update", summary="SPARQL update", **sparql_operation("update"))
async def update_post(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    limits: LimitsDep,
) -> Response:
    require_write_access(request, settings)
    operation = await _read_post(request, allow_query=False)
    return await _run_update(request, store, limits, operation)


# -- reading requests --------------------------------------------------------


def _bad_request(message: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, message)


def _single(params: Sequence[tuple[str, str]], name: str) -> str | None:
    values = [value for key, value in params if key == name]
    if len(values) > 1:
        raise _bad_request(f"The '{name}' parameter was given {len(values)} times; send one.")
    return values[0] if values else None


def _iris(params: Sequence[tuple[str, str]], name: str) -> tuple[str, ...]:
    """The IRIs of a dataset parameter, each once: the engine's union of a graph given
    twice counted its triples twice, where the merge of a graph with itself is it."""
    values = tuple(dict.fromkeys(value for key, value in params if key == name))
    for value in values:
        try:
            graph_ref(value)
        except StoreError:
            raise _bad_request(f"{name}={value!r} is not an absolute IRI.") from None
    return values


def _protocol_request(params: Sequence[tuple[str, str]]) -> ProtocolRequest:
    """The operation of a request's parameters, from the address, a form or a body alike:
    each way of sending the text drops a leading byte order mark here."""
    query = _single(params, "query")
    update = _single(params, "update")
    if query is not None and update is not None:
        raise _bad_request("A request carries either 'query' or 'update', not both.")
    return ProtocolRequest(
        query=None if query is None else without_bom(query),
        update=None if update is None else without_bom(update),
        default_graphs=_iris(params, "default-graph-uri"),
        named_graphs=_iris(params, "named-graph-uri"),
        using_graphs=_iris(params, "using-graph-uri"),
        using_named_graphs=_iris(params, "using-named-graph-uri"),
    )


def _utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad_request(f"The {what} is not valid UTF-8 (byte {exc.start}).") from None


def _form(text: str) -> list[tuple[str, str]]:
    """The fields of a form body; its %-escapes must decode to UTF-8 as well (parse_qsl
    replaces what does not: a Latin-1 client's "caf%E9" was stored as "caf\ufffd")."""
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise _bad_request(
            f"The form body is not UTF-8 once its %-escapes are decoded (byte {exc.start} "
            "of a field); encode it as UTF-8 (é is %C3%A9, not %E9)."
        ) from None


async def _read_post(request: Request, *, allow_query: bool) -> ProtocolRequest:
    """The operation of a POST, from a form or a direct SPARQL body."""
    raw_type = request.headers.get("content-type")
    accepted = (
        f"{FORM} or {UPDATE_TYPE}"
        if not allow_query
        else (f"{FORM}, {QUERY_TYPE} or {UPDATE_TYPE}")
    )
    if not raw_type:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"The request has no Content-Type; send {accepted}.",
        )
    media_type, type_params = negotiation.parse_media_type(raw_type)
    charset = type_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"charset={charset} is not supported; SPARQL requests must be UTF-8.",
        )
    url_params = request.query_params.multi_items()
    body = await read_bounded_body(request, int(request.app.state.settings.max_upload_mb * MB))
    if media_type == FORM:
        form = _form(_utf8(body, "form body"))
        operation = _protocol_request(url_params + form)
    elif media_type == QUERY_TYPE and allow_query:
        operation = _protocol_request(url_params + [("query", _utf8(body, "query"))])
    elif media_type == UPDATE_TYPE:
        operation = _protocol_request(url_params + [("update", _utf8(body, "update"))])
    else:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"Content-Type {media_type} is not supported here; send {accepted}.",
        )
    if operation.query is None and operation.update is None:
        wanted = "'query' or 'update'" if allow_query else "'update'"
        raise _bad_request(f"The request has no {wanted} form field.")
    if operation.query is not None and not allow_query:
        raise _bad_request("/update takes updates only; send queries to /sparql.")
    return operation


def endpoint_url(request: Request) -> str:
    """The URL clients use for this endpoint: base IRI of their requests, sd:endpoint."""
    return str(request.url.replace(query="", fragment=""))


# -- queries -----------------------------------------------------------------


def _formats_for(kind: str) -> dict[str, str]:
    return {
        "select": negotiation.RESULT_FORMATS,
        "ask": negotiation.BOOLEAN_FORMATS,
        "graph": negotiation.GRAPH_FORMATS,
    }[kind]


def _negotiate(accept: str | None, kind: str) -> tuple[str, str]:
    formats = _formats_for(kind)
    try:
        chosen = negotiation.choose_format(accept, formats)
    except negotiation.AcceptHeaderError as exc:
        raise _bad_request(str(exc)) from None
    if chosen is None:
        raise HTTPException(
            status.HTTP_406_NOT_ACCEPTABLE,
            f"None of the accepted media types can be produced for this query; "
            f"available: {negotiation.describe_offers(formats)}.",
            headers={"Vary": "Accept"},
        )
    return chosen


async def _answer_query(
    request: Request,
    settings: Settings,
    store: Store,
    limits: SparqlLimits,
    operation: ProtocolRequest,
) -> Response:
    assert operation.query is not None
    query = await run_in_threadpool(user_query, operation.query, limits)  # a MB takes 0.15 s
    accept = request.headers.get("accept")
    if query.scan.query_form is not None:
        _negotiate(accept, query.scan.query_form)  # 406 before any work is done
    base = endpoint_url(request)

    def run(admitted: Slot) -> tuple[bytes, str]:
        result = query.run(
            store,
            settings,
            admitted,
            base_iri=base,
            default_graphs=operation.default_graphs,
            named_graphs=operation.named_graphs,
        )
        fmt, media_type = _negotiate(accept, result.kind)
        if result.kind == "graph":
            assert result.graph is not None
            return results.serialize_graph(result.graph, fmt), media_type
        return results.serialize_result(result, fmt), media_type

    try:
        async with query_slot_async(request, query.text) as admitted:  # ClientBusy: 429
            body, media_type = await run_in_threadpool(run, admitted)
    except QuerySyntaxError as exc:
        raise _bad_request(f"Syntax error in the query: {_positioned(exc)}") from None
    return Response(body, media_type=results.content_type(media_type), headers={"Vary": "Accept"})


def _positioned(exc: QuerySyntaxError) -> str:
    """The parser's message with its position spelled out: 'error at line 2, column 11'."""
    message = str(exc)
    if exc.line is None:
        return message
    return re.sub(
        r"error at (\d+):(\d+)",
        lambda m: f"error at line {m[1]}, column {m[2]}",
        message,
        count=1,
        flags=re.IGNORECASE,
    )


async def _describe_service(request: Request, settings: Settings, store: Store) -> Response:
    accept = request.headers.get("accept")
    if _wants_a_page(accept):
        # A browser following the pages' "SPARQL endpoint" link got the description as
        # RDF/XML (its Accept names application/xml) and saved it as a download.
        return RedirectResponse("/query", status_code=303, headers={"Vary": "Accept"})
    fmt, media_type = _negotiate(accept, "graph")
    graphs = await run_in_threadpool(store.graphs)
    description = service_description(
        endpoint_url(request), writable=settings.accepts_writes, graphs=graphs
    )
    body = results.serialize_graph(description, fmt)
    return Response(body, media_type=results.content_type(media_type), headers={"Vary": "Accept"})


def _wants_a_page(accept: str | None) -> bool:
    """Whether a client prefers HTML to every RDF format of the service description
    (a browser); */* and RDF clients get Turtle, as before."""
    offers = [*_formats_for("graph"), "text/html"]  # HTML last: it wins no tie
    try:
        return negotiation.best_match(accept, offers) == "text/html"
    except negotiation.AcceptHeaderError:
        return False  # answered as the protocol answers it, below


# -- updates -----------------------------------------------------------------


async def _run_update(
    request: Request, store: Store, limits: SparqlLimits, operation: ProtocolRequest
) -> Response:
    assert operation.update is not None
    text = operation.update
    scan = await run_in_threadpool(user_update, text, limits)
    base = endpoint_url(request)
    try:
        await run_in_threadpool(writes.check_update_syntax, text, base_iri=base)
    except QuerySyntaxError as exc:
        raise _bad_request(f"Syntax error in the update: {_positioned(exc)}") from None
    if (operation.using_graphs or operation.using_named_graphs) and scan.has_dataset_clause:
        raise _bad_request(
            "The update has USING, USING NAMED or WITH clauses and the request also sets "
            "using-graph-uri/using-named-graph-uri; use one or the other."
        )
    text = with_using(text, scan, operation.using_graphs, operation.using_named_graphs)
    try:
        await run_in_threadpool(
            writes.apply_update,
            store,
            text,
            base_iri=base,
            lock=hold_write_lock(request),
            replicas=request.app.state.replicas,
            writer=getattr(request.state, "writer", None),
            timeout_s=request.app.state.settings.update_timeout_s or None,
        )
    except QuerySyntaxError as exc:
        raise _bad_request(f"Syntax error in the update: {exc}") from None
    except writes.UpdateFailed as exc:
        raise _bad_request(str(exc)) from None
    except (ValidationFailed, GraphRefused, GraphNotAllowed) as exc:
        return writes.refusal_response(exc, request.headers.get("accept"))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- reading SPARQL text -----------------------------------------------------


def with_using(text: str, scan: Scan, using: Sequence[str], using_named: Sequence[str]) -> str:
    """The update with USING / USING NAMED clauses for the protocol's dataset parameters.

    The IRIs were validated and are written in their serialised form, so no
    client text is pasted into the update.
    """
    if not using and not using_named:
        return text
    clause = " ".join(
        [f"USING {graph_ref(iri)}" for iri in using]
        + [f"USING NAMED {graph_ref(iri)}" for iri in using_named]
    )
    for position in sorted(scan.where_positions, reverse=True):
        text = f"{text[:position]}{clause}\n{text[position:]}"
    return text
