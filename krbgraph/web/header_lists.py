"""Request headers sent on several lines, read as the one list they are.

A client may send a list-valued header on several lines (``Accept: text/html;q=0.1``
and ``Accept: text/turtle``); HTTP reads them as one comma-separated list (RFC 9110,
5.3). The routes read one value, the first line, so the second line's Turtle was
ignored and HTML served. This middleware joins the lines of the list-valued headers
the service negotiates on before anything reads them.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

JOINED = frozenset({b"accept", b"accept-language", b"accept-encoding"})


class JoinRepeatedHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        names = [name.lower() for name, _ in headers if name.lower() in JOINED]
        if len(names) == len(set(names)):
            await self.app(scope, receive, send)
            return
        joined: dict[bytes, list[bytes]] = {}
        kept: list[tuple[bytes, bytes]] = []
        for name, value in headers:
            lower = name.lower()
            if lower in JOINED:
                if lower not in joined:
                    joined[lower] = []
                    kept.append((lower, b""))  # its place, filled below
                joined[lower].append(value)
            else:
                kept.append((name, value))
        merged = [
            (name, b", ".join(joined[name])) if name in joined else (name, value)
            for name, value in kept
        ]
        await self.app({**scope, "headers": merged}, receive, send)
