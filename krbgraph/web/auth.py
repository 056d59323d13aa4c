"""Who may write: one bearer token, configured per deployment.

Reading is open to everyone; every write over HTTP (SPARQL Update, Graph
Store PUT/POST/DELETE) needs ``Authorization: Bearer <token>``. A service
without a configured token is read-only, and says so instead of asking for
credentials nobody can give.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from ..settings import Settings
from .deps import get_settings

READ_ONLY_MESSAGE = (
    "This service is read-only: no write token is configured (set KRB_TOKEN to allow "
    "updates over HTTP)."
)


def require_write_access(
    request: Request, settings: Annotated[Settings, Depends(get_settings)]
) -> None:
    """Let the request through only with the configured bearer token.

    403 when the service has no token (nothing the client sends can help),
    401 with ``WWW-Authenticate: Bearer`` when the token is missing or wrong.
    """
    if not settings.token:
        raise HTTPException(status.HTTP_403_FORBIDDEN, READ_ONLY_MESSAGE)
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Writing needs a bearer token: send 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="krb"'},
        )
    if not hmac.compare_digest(credentials.strip().encode(), settings.token.encode()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "The bearer token is not valid for this service.",
            headers={"WWW-Authenticate": 'Bearer realm="krb", error="invalid_token"'},
        )
