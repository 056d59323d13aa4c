"""What a client is told when its request ran out of time.

Who can do something about it decides the answer: a client's own query (``/sparql``,
``/query``) can be narrowed; a page, an answer or a write the service itself asked of
the store cannot. A remote SPARQL server that does not answer in time is busy or
stalled (it times out as a slow query would), so the client may try again, as when it
is away. On the embedded store the request may ask too much of a registry this large,
or may have met the store busy with others, or found only part of what a page keeps
ready (what was done is kept, so the same page may answer a moment later): the reader
is told both, to try again and else to choose a theme or an area.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ..replica_slot import UpdateTimeout
from ..store import EngineStopped
from .admission import LaneTimeout
from .negotiation import AcceptHeaderError, best_match
from .templating import error_page

__all__ = ["USER_QUERY_PATHS", "prefers_html", "timeout_answer"]

logger = logging.getLogger("krbgraph.web.app")  # the handlers' log, as before this module

USER_QUERY_PATHS = frozenset({"/sparql", "/query", "/query/download"})
"""Where the query that ran out of time is the client's own text, which it can narrow."""


def prefers_html(accept: str | None) -> bool:
    """Whether a client would rather have HTML than JSON; a malformed Accept header
    (``q=abc``) gets the JSON answer every client can read."""
    try:
        return best_match(accept, ["application/json", "text/html"]) == "text/html"
    except AcceptHeaderError:
        return False


def _answer(detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=503)


def timeout_answer(request: Request, exc: Exception) -> Response:
    """The answer to a request that ran out of time (a QueryTimeout the route let through)."""
    if isinstance(exc, LaneTimeout):
        return _answer(str(exc))
    if isinstance(exc, UpdateTimeout):
        return _answer(str(exc))
    if isinstance(exc, EngineStopped):  # its message names the engine: the log has it
        logger.warning("%s %s: %s", request.method, request.url.path, exc)
        reason = "it reached its memory limit" if "memory limit" in str(exc) else "it failed"
        return _answer(
            f"The query engine stopped before the request finished ({reason}); it is "
            "running again. Narrow the query down (more specific patterns, LIMIT) and "
            "try again.",
        )
    limit = request.app.state.settings.query_timeout_s
    if request.url.path in USER_QUERY_PATHS:
        return _answer(
            f"The query did not finish within {limit:g} s, the time limit of this "
            "service; narrow it down (more specific patterns, LIMIT) and try again.",
        )
    # A page, an answer or a write the service itself asked of the store: nothing
    # for the reader to narrow. A remote store that does not answer in time is busy
    # or stalled (it times out as a slow query would): try again, as when it is
    # away. On the embedded store it may time out again (a whole registry asked of a
    # large one): no Retry-After for clients that retry by themselves; the reader is
    # told to try again once, and else to choose a theme or an area where there is one.
    logger.warning("store did not answer %s %s in time: %s", request.method, request.url.path, exc)
    remote = request.app.state.settings.is_remote
    headers = {"Retry-After": "5"} if remote else {}
    if remote:
        nl = (
            f"De opslag van het register antwoordde niet binnen {limit:g} s (hij is druk "
            "of niet bereikbaar); probeer het zo opnieuw."
        )
        en = (
            f"The registry's store did not answer within {limit:g} s (it is busy or not "
            "answering); try again in a moment."
        )
    else:
        nl = (
            f"Dit was niet binnen {limit:g} s klaar, de tijdslimiet van deze service. Wat "
            "al klaar was, is bewaard: probeer het zo nog eens. Lukt het dan nog niet, dan "
            "vraagt dit te veel van het hele register; kies een thema of gebied waar dat kan."
        )
        en = (
            f"This did not finish within {limit:g} s, the time limit of this service. What "
            "was done is kept: try again in a moment. If it still does not finish, it asks "
            "too much of the whole registry; choose a theme or an area where there is one."
        )
    if prefers_html(request.headers.get("accept")):
        title = "Tijdelijk niet beschikbaar" if remote else "Duurde te lang"
        page = error_page(request, 503, title, nl)
        page.headers.update(headers)
        return page
    return JSONResponse({"detail": en}, status_code=503, headers=headers)
