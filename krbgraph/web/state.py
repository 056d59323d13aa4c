"""What the web layer keeps per application, made on first use and never at import.

Several apps can live in one process (tests start one per store), so
anything that depends on a store or a configuration sits on ``app.state``
rather than in a module global. The named-query catalogue is the exception:
it is the ``.rq`` files shipped with the package, the same for every app, so
it is read once per process and shared by the pages, the API and the
resource descriptions (krbgraph.web.describe).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import FastAPI, Request

from ..queries import Catalogue, shipped_catalogue
from .search import LabelIndex

T = TypeVar("T")


def per_app(request: Request, name: str, make: Callable[[], T]) -> T:
    """The value kept on app.state under ``name``, made by ``make`` on first use."""
    state = request.app.state
    found = getattr(state, name, None)
    if found is None:
        found = make()
        setattr(state, name, found)
    return found


def label_index(request: Request) -> LabelIndex:
    """The app's label index; built lazily from its store, see krbgraph.web.search."""
    return label_index_of(request.app)


def label_index_of(app: FastAPI) -> LabelIndex:
    """label_index for code that has the app but no request (krbgraph.web.rewarm)."""
    found = getattr(app.state, "krb_label_index", None)
    if found is None:
        found = LabelIndex()
        app.state.krb_label_index = found
    return found


def catalogue() -> Catalogue:
    """The named-query catalogue, read once (the .rq files ship with the product)."""
    return shipped_catalogue()
