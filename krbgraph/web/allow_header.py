"""A 405 answer names every method its path is served with (RFC 9110, section 15.5.6).

Routes are registered once per method (krbgraph.web.routes), and Starlette answers a
method that no route of a path takes from the first route whose path matches: ``PATCH
/store`` said ``Allow: GET`` though HEAD, PUT, POST and DELETE are served there too, and
a client that reads Allow to learn what it may do was told too little.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class AllowEveryMethod:
    """Sets Allow on a 405 answer to the methods of every route of the request's path.

    Plain ASGI rather than BaseHTTPMiddleware, so streamed bodies stay streamed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        # As it came in: a mounted application (the static files) strips its own prefix
        # from the path of the scope it is given, which is this same dictionary.
        asked = dict(scope)

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = served_methods(asked)
                if methods:
                    MutableHeaders(scope=message)["Allow"] = ", ".join(methods)
            await send(message)

        await self.app(scope, receive, send_with_allow)


def served_methods(scope: Scope) -> list[str]:
    """The methods the application's routes answer for the request's path, asked of the
    routes themselves (their ``matches``, as the router asks them; routers included in
    others keep their routes to themselves); HEAD wherever GET is
    (krbgraph.web.head_requests answers it)."""
    routes = [
        route
        for route in getattr(getattr(scope.get("app"), "router", None), "routes", ())
        if not isinstance(route, Mount)  # a mount matches every method: its app answers
    ]
    methods = {
        method
        for method in _ORDER
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    }
    if not methods:
        return []  # a mounted application's own 405 and Allow stand
    if "GET" in methods:
        methods.add("HEAD")
    return [method for method in _ORDER if method in methods]
