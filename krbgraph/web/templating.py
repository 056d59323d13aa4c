"""Rendering the server-side HTML: the Jinja environment and the render helpers.

Static files (the stylesheet) come with the package too, so the front needs
no CDN. One environment per app (see krbgraph.web.state), with the whitespace
settings every template is written for; routes hand ``render`` plain data
and never build HTML themselves. The templates are package data, found
through the package (not a path next to this file), so an installed wheel
renders them as a checkout does.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from os import PathLike

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from ..labels import tagged
from .state import per_app


def templates(request: Request) -> Jinja2Templates:
    """The app's template environment."""
    return per_app(request, "krb_templates", _make_templates)


def _make_templates() -> Jinja2Templates:
    """Templates read from the installed package (so a wheel renders as a checkout does),
    HTML-escaped, with block tags that leave no blank lines behind."""
    env = Environment(
        loader=PackageLoader("krbgraph.web", "templates"),
        autoescape=select_autoescape(),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["lang"] = language_attribute
    env.filters["name"] = shortened_name
    return Jinja2Templates(env=env)


def language_attribute(text: object) -> Markup:
    """`` lang="en"`` for a name in another language than the page's Dutch
    (labels.ForeignName), nothing for any other text: ``<a href=...{{ name|lang }}>``."""
    tag = getattr(text, "lang", None)
    return Markup(f' lang="{escape(tag)}"') if isinstance(tag, str) and tag else Markup("")


NAME_LENGTH = 300
"""Characters of a name shown in a title, heading, link or list. A label is data and kept
whole in the RDF, the exports and the resource's own table of values; a paragraph pasted
as a label (100 KB) was printed whole in every link to it: a page listing a hundred such
norms would be 10 MB."""


def shortened_name(text: object) -> object:
    """``text`` cut to NAME_LENGTH characters with "…", keeping its language
    (labels.ForeignName); anything shorter or not text as it is."""
    if not isinstance(text, str) or len(text) <= NAME_LENGTH:
        return text
    cut = text[:NAME_LENGTH].rstrip() + "…"
    return tagged(cut, getattr(text, "lang", None))


def render(
    request: Request, name: str, context: Mapping[str, object], *, status_code: int = 200
) -> HTMLResponse:
    """The template ``name`` filled with ``context``, as an HTML response."""
    return templates(request).TemplateResponse(
        request, name, dict(context), status_code=status_code
    )


def error_page(
    request: Request, status_code: int, title: str, message: str, iri: str | None = None
) -> HTMLResponse:
    """The site's error page: what went wrong in Dutch, and the IRI it was about if any."""
    context = {"title": title, "message": message, "iri": iri}
    return render(request, "error.html", context, status_code=status_code)


class StaticAssets(StaticFiles):
    """The package's static folder, cacheable for an hour by browsers and proxies."""

    def __init__(self) -> None:
        super().__init__(packages=[("krbgraph.web", "static")])

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.setdefault("Cache-Control", "public, max-age=3600")
        return response


API_DOC_ASSETS = "/static/api-docs"
"""Where the Swagger UI and ReDoc files are served (before the site's own /static)."""


class ApiDocAssets(StaticAssets):
    """Swagger UI and ReDoc as the fastapi-offline package ships them (MIT, and the
    upstream swagger-ui-dist and redoc licences), so /docs and /redoc need no CDN."""

    def __init__(self) -> None:
        StaticFiles.__init__(self, packages=[("fastapi_offline", "static")])
