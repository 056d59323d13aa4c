"""Assembling the FastAPI application from its routers.

`create_app` only wires things together: each router lives in its own module
and receives the store and settings through krbgraph.web.deps.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware

from .. import __version__
from ..settings import Settings
from ..store import Store, ensure_model, open_store
from . import api as api_routes
from . import excel_api as excel_routes
from . import graph_store as graph_store_routes
from . import linked_data as linked_data_routes
from . import pages as page_routes
from . import sparql as sparql_routes
from . import writes


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The registry service for `settings` (default: from KRB_* variables).

    A store passed in is used as is (tests, embedding): its owner keeps its
    model current. Otherwise one is opened from the settings when the app
    starts, its model brought up to date, and closed when the app stops. With
    a token (writes enabled) the validator is prepared at start-up, so the
    first write does not wait for the model and shapes to be parsed.
    """
    settings = settings or Settings.from_env()
    owns_store = store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owns_store:
            app.state.store = await run_in_threadpool(_opened_store, settings)
        try:
            if settings.token:
                await run_in_threadpool(writes.prepare_validation)
            yield
        finally:
            if owns_store and app.state.store is not None:
                app.state.store.close()
                app.state.store = None

    app = FastAPI(
        title="Kernregistratie Beleid (KRB)",
        version=__version__,
        description="Policy registry as linked data: SPARQL endpoint, linked-data pages "
        "and a JSON API for policy officers, researchers and asset managers.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.write_lock = threading.Lock()  # serialises this application's writes
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"],
            allow_headers=["*"],
        )
    for router in _routers():
        app.include_router(router)
    return app


def _opened_store(settings: Settings) -> Store:
    """The store of the settings with a current model; closed again if that fails."""
    store = open_store(settings)
    try:
        ensure_model(store)
    except BaseException:
        store.close()
        raise
    return store


def _routers() -> list:
    """The routers, in matching order (specific paths before the catch-all pages)."""
    return [
        sparql_routes.router,
        graph_store_routes.router,
        api_routes.router,
        excel_routes.router,
        linked_data_routes.router,
        page_routes.router,
    ]
