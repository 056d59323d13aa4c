"""FastAPI dependencies: how routers reach the settings and the store.

Routers never open a store themselves; `create_app` puts the settings and the
store on ``app.state`` and these functions hand them out, so tests can swap
either through ``app.dependency_overrides``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import Depends, HTTPException, Request

from ..settings import Settings
from ..store import Store


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> Store:
    return request.app.state.store


async def reader_languages(request: Request, lang: str | None = None) -> tuple[str, ...]:
    """The reader's languages from ``?lang=`` and ``Accept-Language``, Dutch last.

    Async on purpose: it sets the per-request ContextVars (these languages, and the
    served base for ``id:`` values) in the request's own context, which the thread
    that runs a sync route then copies.
    """
    from ..labels import languages_from
    from ..queries import REGISTRY_BASE
    from .describe import READER_LANGUAGES

    languages = languages_from(lang, request.headers.get("accept-language"))
    READER_LANGUAGES.set(languages)
    REGISTRY_BASE.set(request.app.state.settings.base_iri)  # whose things ``id:`` names
    request.scope[NAMES_BY_LANGUAGE] = True  # the answer varies by Accept-Language
    return languages


NAMES_BY_LANGUAGE = "krb.names_by_language"
"""Set in the ASGI scope of a request whose answer names things in the reader's
languages; krbgraph.web.app then says ``Vary: Accept-Language``, or a shared cache
would hand one reader's English names to the next, Dutch, reader."""


async def single_parameters(request: Request) -> None:
    """400 naming a query-string parameter given more than once: the API and the pages
    take one value per parameter, and keeping the last in silence let an invalid first
    one pass unseen (``?datum=2024-02-30&datum=2030-03-01``)."""
    counts = Counter(key for key, _ in request.query_params.multi_items())
    repeated = sorted(key for key, count in counts.items() if count > 1)
    if repeated:
        raise HTTPException(
            400,
            f"The parameter{'s' if len(repeated) > 1 else ''} "
            + ", ".join(f"'{key}'" for key in repeated)
            + f" {'were' if len(repeated) > 1 else 'was'} given more than once; send one value.",
        )


async def known_parameters(request: Request) -> None:
    """400 naming a query-string parameter the endpoint does not take: a misspelt filter
    (``gebeid=...``) was ignored, and the answer was the whole registry's, not the
    area's. An endpoint that reads parameters of its own (a named query's) is marked
    ``takes_any_parameter`` and checks them itself."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or getattr(getattr(route, "endpoint", None), "takes_any_parameter", False):
        return
    known = _query_names(dependant) | {"lang"}
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise HTTPException(
            400,
            f"Unknown parameter{'s' if len(unknown) > 1 else ''} "
            + ", ".join(f"'{name}'" for name in unknown)
            + "; this endpoint takes "
            + ", ".join(f"'{name}'" for name in sorted(known)),
        )


def _query_names(dependant: Any) -> set[str]:
    """The query-string names an endpoint and its dependencies declare."""
    names = {str(field.alias) for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


API_PARAMETER_CHECKS = (Depends(single_parameters), Depends(known_parameters))
"""The checks every /api router runs on the query string: one value per parameter, and
only parameters the endpoint takes."""
