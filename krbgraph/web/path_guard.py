"""Refuse request paths with control characters before any route sees them.

Routes end in ``{path:path}`` (``/id/...``, ``/begrip/...``), which Starlette matches
with a regular expression ending in ``$``; Python's ``$`` also matches before a final
newline, so ``/id/beleidsnorm/GEL-N01%0A`` served GEL-N01, an address that names
nothing. No IRI holds a control character, so such a path is refused as a malformed
request, once, here.
"""

from __future__ import annotations

import re

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ControlCharacterGuard:
    """400 for a path with a control character (decoded: ``%0A`` is a newline)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _CONTROL.search(scope.get("path", "")):
            response = JSONResponse(
                {
                    "detail": "The address contains a control character (such as a line "
                    "break); no IRI does. Het adres bevat een stuurteken (zoals een "
                    "regeleinde); geen IRI bevat dat."
                },
                status_code=400,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
