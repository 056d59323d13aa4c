"""Who may write: named bearer tokens with a scope (see krbgraph.tokens).

Reading is open to everyone; every write over HTTP (SPARQL Update, Graph
Store PUT/POST/DELETE, workbook uploads) needs ``Authorization: Bearer
<token>`` of a token with scope ``write`` or ``admin``. A service without
such a token is read-only, and says so instead of asking for credentials
nobody can give. The history of changes (``/api/history``) needs a token of
any scope.

Both dependencies return the token's holder as a Writer and leave it on
``request.state.writer``, so the write paths can check the graphs a change
touches (``Writer.may_write``) and record the name in the audit trail.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from ..settings import Settings
from ..tokens import Writer, authenticate, configured_tokens
from .deps import get_settings

READ_ONLY_MESSAGE = (
    "This service is read-only: no write token is configured (set KRB_TOKEN, or add a "
    "token with scope write or admin to the file KRB_TOKENS_FILE, to allow updates over HTTP)."
)

NO_TOKENS_MESSAGE = (
    "This service has no tokens configured, so nobody can sign in to it (set KRB_TOKEN or "
    "KRB_TOKENS_FILE)."
)


def require_write_access(
    request: Request, settings: Annotated[Settings, Depends(get_settings)]
) -> Writer:
    """The holder of the request's bearer token, if that token may write.

    403 when the service accepts no writes at all (nothing the client sends
    can help) or the token is read-only; 401 with ``WWW-Authenticate:
    Bearer`` when the token is missing or wrong. Which graphs the holder may
    change is for the write path to check with ``Writer.may_write``.
    """
    if not settings.accepts_writes:
        raise HTTPException(status.HTTP_403_FORBIDDEN, READ_ONLY_MESSAGE)
    writer = _bearer(request, settings, "Writing")
    if writer.scope == "read":
        raise HTTPException(status.HTTP_403_FORBIDDEN, writer.refusal(None))
    request.state.writer = writer
    return writer


def require_token(request: Request, settings: Annotated[Settings, Depends(get_settings)]) -> Writer:
    """The holder of the request's bearer token, whatever its scope (401 without a valid one)."""
    if not settings.token and not settings.tokens:
        raise HTTPException(status.HTTP_403_FORBIDDEN, NO_TOKENS_MESSAGE)
    writer = _bearer(request, settings, "This")
    request.state.writer = writer
    return writer


def _bearer(request: Request, settings: Settings, what: str) -> Writer:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            f"{what} needs a bearer token: send 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="krb"'},
        )
    writer = authenticate(configured_tokens(settings.token, settings.tokens), credentials.strip())
    if writer is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "The bearer token is not valid for this service.",
            headers={"WWW-Authenticate": 'Bearer realm="krb", error="invalid_token"'},
        )
    return writer
