"""Assembling the FastAPI application from its routers.

`create_app` only wires things together: each router lives in its own module
and receives the store and settings through krbgraph.web.deps. What holds
for every route is set here once: the status of each kind of error (so no
route answers a time-out with 503 and another with 504, or shows a store's
internal error to a client), and the security headers of every response.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..derived import ensure_current as ensure_derived
from ..replica_slot import ReplicaSlot, UpdateStillStopping
from ..settings import Settings
from ..sparql_text import SparqlLimits, SparqlRefused
from ..store import (
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    Store,
    StoreError,
    StoreUnreachable,
    UnsupportedAnswer,
    WriteOutcomeUnknown,
    ensure_model,
    open_store,
)
from ..store.write_claim import StoreChangedElsewhere, WriteClaimedElsewhere
from . import api as api_routes
from . import excel_api as excel_routes
from . import excel_export_api as excel_export_routes
from . import graph_store as graph_store_routes
from . import history_api as history_routes
from . import linked_data as linked_data_routes
from . import onderzoek_api as onderzoek_routes
from . import pages as page_routes
from . import results, writes
from . import sparql as sparql_routes
from .admission import ClientBusy, QueryAdmission, client_busy
from .allow_header import AllowEveryMethod
from .body_encoding import RefuseEncodedBodies
from .consistent_reads import ConsistentReads
from .deps import NAMES_BY_LANGUAGE
from .head_requests import HeadAsGet
from .header_lists import JoinRepeatedHeaders
from .parameter_problems import parameter_problem
from .path_guard import ControlCharacterGuard
from .rewarm import RewarmAfterWrites, Rewarmer
from .state import label_index_of
from .templating import API_DOC_ASSETS, ApiDocAssets, StaticAssets, error_page
from .timeout_answer import prefers_html as _prefers_html
from .timeout_answer import timeout_answer
from .write_gate import WriterBusy, writer_busy
from .xlsx_results import XLSX_MEDIA_TYPE

logger = logging.getLogger(__name__)

SITE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""Content-Security-Policy of every HTML page: no inline scripts, never inside a frame."""


def create_app(
    settings: Settings | None = None,
    store: Store | None = None,
    *,
    sparql_limits: SparqlLimits | None = None,
) -> FastAPI:
    """The registry service for `settings` (default: from KRB_* variables).

    A store passed in is used as is (tests, embedding): its owner keeps its
    model current. Otherwise one is opened from the settings when the app
    starts, its model brought up to date, and closed when the app stops. With
    a token (writes enabled) the validator is prepared at start-up, so the
    first write does not wait for the model and shapes to be parsed.
    ``sparql_limits`` bounds the SPARQL text clients may send (default:
    SparqlLimits()).
    """
    settings = settings or Settings.from_env()
    owns_store = store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owns_store:
            app.state.store = await run_in_threadpool(_opened_store, settings)
            index = label_index_of(app)
            app.state.rewarmer = Rewarmer(index.entries)
            # The search index is the same for every reader: built in the background
            # at start, so the first search does not wait for it (5 s at 1M triples).
            app.state.rewarmer.schedule(app.state.store)
        try:
            if settings.accepts_writes:
                await run_in_threadpool(writes.prepare_validation)
                await run_in_threadpool(app.state.replicas.get, app.state.store)
            yield
        finally:
            if app.state.rewarmer is not None:
                await run_in_threadpool(app.state.rewarmer.stop)
                app.state.rewarmer = None
            if owns_store and app.state.store is not None:
                app.state.store.close()
                app.state.store = None

    app = FastAPI(
        title="Kernregistratie Beleid (KRB)",
        version=__version__,
        description="Policy registry as linked data: SPARQL endpoint, linked-data pages "
        "and a JSON API for policy officers, researchers and asset managers.",
        lifespan=lifespan,
        docs_url=None,  # served by _documentation, with a policy that fits them
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.rewarmer = None  # krbgraph.web.rewarm; started with a store of its own
    app.state.sparql_limits = sparql_limits or SparqlLimits()
    app.state.write_lock = threading.Lock()  # serialises this application's writes
    app.state.replicas = ReplicaSlot()  # the copy writes are validated on (krbgraph.replica)
    app.state.admission = QueryAdmission(
        settings.query_per_client,
        settings.query_total,
        penalty_s=settings.query_penalty_s,
        rest_s=settings.query_timeout_s or 0.0,
    )  # users' queries: per client, in total, and overrunners one at a time
    app.add_middleware(ConsistentReads)  # innermost: holds the answer it checks
    app.add_middleware(ControlCharacterGuard)
    app.add_middleware(RefuseEncodedBodies)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AllowEveryMethod)
    app.add_middleware(RewarmAfterWrites)
    # What leaves is compressed for a client that asks (pages of a theme with a thousand
    # norms, research answers of megabytes), streamed answers as they stream. Level 5:
    # nearly the size of 9 at a third of its time; workbooks are zip already.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1024,
        compresslevel=5,
        exclude_content_types=(*GZIP_SKIPPED, *_ALREADY_PACKED),
    )
    # Outside the compression: HEAD gets the headers of the GET as it leaves (its
    # Content-Encoding, compressed length and Vary), only the body left out.
    app.add_middleware(HeadAsGet)
    app.add_middleware(JoinRepeatedHeaders)
    _error_handlers(app)
    _documentation(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"],
            allow_headers=["*"],
            # What a browser app on another origin must read: the IRI of a graph it
            # created (Location), why it was refused (WWW-Authenticate), when to try
            # again (Retry-After), the file name of a download (Content-Disposition).
            expose_headers=["Location", "WWW-Authenticate", "Retry-After", "Content-Disposition"],
        )
    for router in _routers():
        app.include_router(router)
    app.mount("/static", StaticAssets(), name="static")
    return app


def _opened_store(settings: Settings) -> Store:
    """The store of the settings with a current model and derived graph; closed again if
    that fails."""
    store = open_store(settings)
    try:
        reloaded = ensure_model(store)
        ensure_derived(store, lambda why: logger.warning("%s", why.message_en))
        from ..restated_check import after_model_update  # only when the model changed

        for finding in after_model_update(store, reloaded):
            logger.warning("model update: %s", finding.message_en)
    except BaseException:
        store.close()
        raise
    return store


def _routers() -> list:
    """The routers, in matching order (specific paths before the catch-all pages)."""
    return [
        sparql_routes.router,
        graph_store_routes.router,
        api_routes.router,
        onderzoek_routes.router,
        excel_routes.router,
        excel_export_routes.router,
        history_routes.router,
        linked_data_routes.router,
        page_routes.router,
    ]


class SecurityHeaders:
    """Adds nosniff to every response, SITE_POLICY to HTML without a policy of its own,
    and Accept-Language to Vary where the answer names things in the reader's languages.

    Plain ASGI rather than BaseHTTPMiddleware, so streamed bodies stay streamed.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if scope.get(NAMES_BY_LANGUAGE):
                    headers.add_vary_header("Accept-Language")
                html = headers.get("content-type", "").startswith("text/html")
                if html and "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = SITE_POLICY
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _error_handlers(app: FastAPI) -> None:
    """One status per kind of error, for every route that lets it through.

    A StoreError's message may name the store's folder or server, so the
    client gets a fixed text and the log gets the details.
    """

    def answer(status: int, detail: str) -> JSONResponse:
        return JSONResponse({"detail": detail}, status_code=status)

    async def refused(request: Request, exc: Exception) -> JSONResponse:
        return answer(400, str(exc))

    async def syntax(request: Request, exc: Exception) -> JSONResponse:
        return answer(400, f"Syntax error: {exc}")

    async def timeout(request: Request, exc: Exception) -> Response:
        return timeout_answer(request, exc)

    async def too_large(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ResultTooLarge)
        return answer(
            422,
            f"The answer has more than {exc.limit} {exc.unit}, the most this service returns "
            "at once; use LIMIT and OFFSET to fetch it in parts.",
        )

    async def still_stopping(request: Request, exc: Exception) -> JSONResponse:
        limit = request.app.state.settings.update_timeout_s
        return JSONResponse(
            {"detail": str(exc)}, status_code=503, headers={"Retry-After": f"{max(1, int(limit))}"}
        )

    async def claimed_elsewhere(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "1"})

    async def changed_elsewhere(request: Request, exc: Exception) -> JSONResponse:
        # The service's copy of a shared store was older than the store: dropped, so the
        # write sent again is tried on what the store holds now.
        request.app.state.replicas.forget()
        return JSONResponse({"detail": str(exc)}, status_code=409)

    async def unsupported(request: Request, exc: Exception) -> Response:
        code = 406 if isinstance(exc, results.NotRepresentable) else 422
        if code == 422 and _prefers_html(request.headers.get("accept")):
            return error_page(request, 422, "Niet te tonen", UNSHOWABLE_NL)
        return answer(code, str(exc))

    async def store_failed(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StoreUnreachable):
            # A server that restarts or is briefly away: 503 with when to try again (a
            # browser gets the site's page), not the 500 of a store that failed a request.
            logger.warning("store unreachable on %s %s: %s", request.method, request.url.path, exc)
            headers = {"Retry-After": "5"}
            if _prefers_html(request.headers.get("accept")):
                page = error_page(request, 503, "Tijdelijk niet beschikbaar", STORE_AWAY_NL)
                page.headers.update(headers)
                return page
            return JSONResponse({"detail": STORE_AWAY}, status_code=503, headers=headers)
        if isinstance(exc, WriteOutcomeUnknown):
            # Not "try again": the write may be stored (a blank-node insert sent again
            # was stored twice). The log has the server's message.
            logger.error(
                "write outcome unknown on %s %s: %s", request.method, request.url.path, exc
            )
            return answer(502, WRITE_OUTCOME_UNKNOWN)
        logger.error("store error on %s %s", request.method, request.url.path, exc_info=exc)
        return answer(500, STORE_FAILED)

    async def not_found(request: Request, exc: Exception) -> Response:
        """An address no route serves gets the site's page in a browser; clients, and a
        route's own 404 (an unknown query, say), keep their JSON."""
        assert isinstance(exc, StarletteHTTPException)
        unrouted = "endpoint" not in request.scope
        if exc.status_code == 404 and unrouted:
            # The body depends on Accept, and a 404 may be cached (RFC 9111, 4.2.2).
            if _prefers_html(request.headers.get("accept")):
                page = error_page(
                    request,
                    404,
                    "Niet gevonden",
                    f"Deze site heeft geen pagina {request.url.path}.",
                )
                page.headers["Vary"] = "Accept"
                return page
            answer = await http_exception_handler(request, exc)
            answer.headers["Vary"] = "Accept"
            return answer
        return await http_exception_handler(request, exc)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        """A parameter of the wrong kind in a page's address (``?rijen=100``, a missing
        ``klasse``) gave a browser FastAPI's English JSON, the whole value echoed back;
        a browser gets the site's page naming the parameter. Clients keep the JSON."""
        assert isinstance(exc, RequestValidationError)
        api = request.url.path.startswith(("/api/", "/sparql", "/store", "/update"))
        if api or not _prefers_html(request.headers.get("accept")):
            return await request_validation_exception_handler(request, exc)
        problems = "; ".join(parameter_problem(error) for error in exc.errors()[:5])
        page = error_page(request, 400, "Ongeldige waarde in het adres", problems)
        page.headers["Vary"] = "Accept"
        return page

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, not_found)
    app.add_exception_handler(SparqlRefused, refused)
    app.add_exception_handler(QuerySyntaxError, syntax)
    app.add_exception_handler(QueryTimeout, timeout)
    app.add_exception_handler(ResultTooLarge, too_large)
    app.add_exception_handler(StoreError, store_failed)
    app.add_exception_handler(UnsupportedAnswer, unsupported)
    app.add_exception_handler(UpdateStillStopping, still_stopping)
    app.add_exception_handler(WriterBusy, writer_busy)
    app.add_exception_handler(StoreChangedElsewhere, changed_elsewhere)
    app.add_exception_handler(WriteClaimedElsewhere, claimed_elsewhere)
    app.add_exception_handler(ClientBusy, client_busy)


GZIP_SKIPPED = (
    "application/gzip",
    "application/x-gzip",
    "application/zip",
    "image/png",
    "image/jpeg",
    "font/woff2",
    "text/event-stream",
)
"""What Starlette itself leaves uncompressed (of what this service sends)."""

_ALREADY_PACKED = (
    XLSX_MEDIA_TYPE,
    "application/vnd.apache.parquet",
)

WRITE_OUTCOME_UNKNOWN = (
    "The write reached the registry's store, but its answer was lost: it may have been "
    "stored. Check what the store holds before sending it again."
)
STORE_FAILED = "The store could not complete the request; the error has been logged."
STORE_AWAY = "The registry's store cannot be reached right now; try again in a moment."
STORE_AWAY_NL = "De opslag van het register is nu niet bereikbaar; probeer het zo opnieuw."
"""What a client learns of a StoreError (its message stays in the server log)."""
UNSHOWABLE_NL = "Een waarde hier is te lang om te tonen; vraag een deel op met SUBSTR in /query."


def _documentation(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc, from files the service ships, each with a policy
    that admits only what it loads.

    The scripts, stylesheet and icon come from the package's own assets
    (templating.ApiDocAssets), so both pages work with no network. Swagger UI
    starts with an inline script; that one script is admitted by its hash, so no
    other inline script can run there either.
    """
    app.mount(API_DOC_ASSETS, ApiDocAssets(), name="api-docs")
    openapi_url = app.openapi_url or "/openapi.json"
    swagger = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{app.title} - API",
        swagger_js_url=f"{API_DOC_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{API_DOC_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{API_DOC_ASSETS}/favicon.png",
        oauth2_redirect_url=None,
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from swagger.io
    ).body
    redoc_script = _redoc_script()
    redoc = get_redoc_html(
        openapi_url=openapi_url,
        title=app.title,
        redoc_js_url=REDOC_SCRIPT,
        redoc_favicon_url=f"{API_DOC_ASSETS}/favicon.png",
        with_google_fonts=False,
    ).body
    common = (
        "default-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    swagger_policy = (
        f"{common}; script-src 'self' {_script_hashes(bytes(swagger))}; "
        "style-src 'self' 'unsafe-inline'"
    )
    redoc_policy = (
        f"{common}; script-src 'self'; worker-src blob:; style-src 'self' 'unsafe-inline'"
    )

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger, headers={"Content-Security-Policy": swagger_policy})

    @app.get("/redoc", include_in_schema=False)
    async def redoc_ui() -> HTMLResponse:
        return HTMLResponse(redoc, headers={"Content-Security-Policy": redoc_policy})

    @app.get(REDOC_SCRIPT, include_in_schema=False)
    async def redoc_js() -> Response:
        return Response(
            redoc_script,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=3600"},
        )


REDOC_SCRIPT = "/redoc.js"
"""ReDoc's script as /redoc serves it: the shipped one with its logo taken from here."""


def _redoc_script() -> bytes:
    """ReDoc's standalone script with the image of its "API docs by Redocly" link
    (always fetched from cdn.redoc.ly, which the page's policy blocks, with an error in
    every reader's console) pointing at the service's own icon: no request leaves."""
    from importlib.resources import files

    shipped = files("fastapi_offline").joinpath("static", "redoc.standalone.js").read_bytes()
    return shipped.replace(
        b"https://cdn.redoc.ly/redoc/logo-mini.svg", f"{API_DOC_ASSETS}/favicon.png".encode()
    )


def _script_hashes(html: bytes) -> str:
    """CSP source expressions ('sha256-...') for the inline scripts of a page."""
    bodies = re.findall(rb"<script>(.*?)</script>", html, flags=re.DOTALL)
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in bodies
    )
