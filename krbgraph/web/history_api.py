"""``GET /api/history``: who changed what, newest first (see krbgraph.audit).

Any valid token may read it (scope read or more); the answer names tokens,
never shows them. A plain (sync) route, so FastAPI runs the store query in
its thread pool and the result is consumed in that same thread.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from ..audit import MAX_HISTORY, history
from ..settings import Settings
from ..store import Store
from ..tokens import Writer
from .auth import require_token
from .deps import API_PARAMETER_CHECKS, get_settings, get_store
from .openapi_protocols import API_RESPONSES

router = APIRouter(
    prefix="/api",
    tags=["history"],
    dependencies=[*API_PARAMETER_CHECKS],
    responses=API_RESPONSES,
)


class Change(BaseModel):
    """One accepted write, as recorded in the audit graph."""

    change: str = Field(description="IRI of the record (a krb:Wijziging, a prov:Activity)")
    at: str = Field(description="When the write started, xsd:dateTime in UTC")
    writer: str = Field(description="Name of the token that wrote (never the token)")
    graphs: list[str | None] = Field(description="Graphs touched; null is the default graph")
    added: int
    removed: int
    source: str = Field(description="The SPARQL update (cut to a few kB) or the file name")


class Problem(BaseModel):
    detail: str


@router.get(
    "/history",
    response_model=list[Change],
    responses={
        400: {
            "model": Problem,
            "description": "A graph that is no IRI, a time without a zone, a change not recorded",
        },
        422: {"description": "A limit outside 1-1000, or a time that is no ISO 8601 time"},
        401: {"model": Problem, "description": "No valid bearer token"},
        403: {"model": Problem, "description": "The service has no tokens at all"},
    },
    summary="Recorded writes, newest first (any valid token)",
)
def list_history(
    _writer: Annotated[Writer, Depends(require_token)],
    store: Annotated[Store, Depends(get_store)],
    settings: Annotated[Settings, Depends(get_settings)],
    limit: Annotated[int, Query(ge=1, le=MAX_HISTORY, description="How many changes")] = 50,
    graph: Annotated[
        str | None, Query(description="Only changes that touched this graph (IRI)")
    ] = None,
    before: Annotated[
        datetime | None,
        Query(description="Only changes before this moment (ISO 8601 with a time zone)"),
    ] = None,
    before_change: Annotated[
        str | None,
        Query(
            description="Only changes older than this one (the `change` IRI of the last "
            "entry you have): pages back without skipping changes of the same time"
        ),
    ] = None,
) -> list[Change]:
    try:
        entries = history(
            store,
            limit=limit,
            graph=graph,
            before=before,
            before_change=before_change,
            timeout_s=settings.query_timeout_s,
        )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return [Change(**entry.as_json()) for entry in entries]
