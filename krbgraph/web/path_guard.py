"""Refuse addresses no route can take as written, before any route sees them.

Routes end in ``{path:path}`` (``/id/...``, ``/begrip/...``), which Starlette matches
with a regular expression ending in ``$``; Python's ``$`` also matches before a final
newline, so ``/id/beleidsnorm/GEL-N01%0A`` served GEL-N01, an address that names
nothing. No IRI holds a control character, so such a path is refused as a malformed
request, once, here.

Starlette decodes a query string's percent-escapes as UTF-8 with replacement: a
Latin-1 client's ``caf%E9`` reached a SPARQL query as ``caf\\ufffd``, and an update
stored it. A query string that is not UTF-8 is refused here too, as a body that is
not UTF-8 is refused where it is read.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
"""A character no IRI holds (RFC 3987)."""


def not_utf8(query_string: bytes) -> int | None:
    """Where the decoded query string stops being UTF-8 (a byte offset), or None."""
    try:
        unquote_to_bytes(query_string).decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return None


class ControlCharacterGuard:
    """400 for a path with a control character (decoded: ``%0A`` is a newline) or a
    query string that is not UTF-8 once decoded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            detail = None
            if CONTROL_CHARACTER.search(scope.get("path", "")):
                detail = (
                    "The address contains a control character (such as a line "
                    "break); no IRI does. Het adres bevat een stuurteken (zoals een "
                    "regeleinde); geen IRI bevat dat."
                )
            elif (at := not_utf8(scope.get("query_string", b""))) is not None:
                detail = (
                    f"The query string is not UTF-8 once its %-escapes are decoded (byte "
                    f"{at}); encode the parameters as UTF-8 (é is %C3%A9, not %E9). De "
                    f"parameters in het adres zijn geen UTF-8 (byte {at}); codeer ze als "
                    "UTF-8 (é is %C3%A9, niet %E9)."
                )
            if detail is not None:
                await JSONResponse({"detail": detail}, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)
