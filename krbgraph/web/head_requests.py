"""HEAD answered on every route that answers GET.

HTTP asks every general-purpose server to answer HEAD as it answers GET, without the
body (RFC 9110, 9.3.2). FastAPI routes answer only the methods they list, so HEAD on
the home page, /sparql, the API and the downloads was a 405 (only the linked-data
pages and the Graph Store listed it): link checkers and caches that probe with HEAD
saw broken links. This middleware runs such a request as its GET and sends the
status and headers (Content-Length included) with an empty body.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the GET's body in pieces: none of it is sent
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
