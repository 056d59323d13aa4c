"""Request bodies are read as sent: a compressed one is refused, never parsed as RDF.

A client that gzips what it PUTs to the Graph Store (``Content-Encoding: gzip``) got a
400 about a character not allowed at the start of a prefix name: the compressed bytes
were read as Turtle. Decoding it would need its own bound on what a small body unpacks
to (uploads are bounded as they arrive, krbgraph.web.bounded_body); the service
answers 415 instead, naming the encoding, as RFC 9110 (8.4) asks of a server that does
not support one.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

_IDENTITY = {b"", b"identity"}


class RefuseEncodedBodies:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name.lower() == b"content-encoding" and value.strip().lower() not in _IDENTITY:
                    await _refuse(send, value.decode("latin-1"))
                    return
        await self.app(scope, receive, send)


async def _refuse(send: Send, encoding: str) -> None:
    body = json.dumps(
        {
            "detail": f"Content-Encoding {encoding!r} is not supported; send the body "
            "uncompressed (Content-Encoding identity or none)."
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 415,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"accept-encoding", b"identity"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
