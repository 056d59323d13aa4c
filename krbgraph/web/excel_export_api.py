"""The registry (or one graph) as a workbook over HTTP, and what the workbook leaves out.

`GET /api/export/excel` is `krb export-excel`: the workbook, with the number of things
that did not fit in ``X-KRB-Export-Warnings``. The command line prints those warnings
(docs/excel.md: "not dropped silently"); a browser following a link shows no header, so
`GET /api/export/excel/meldingen` answers them as JSON (per property, with an example
subject, in Dutch and English) and the workbook page (static/werkmap.js) lists them
beside the download. A user who edits such a workbook and uploads it into the same graph
is refused (the import would delete what the workbook cannot hold): told at download,
not after the editing. The warnings are kept per store version and graph in the page
cache, so the list asked for right after a download costs nothing more; the download
names its version (``X-KRB-Export-Version``) and the list asked for with it is that
workbook's, or 409 when a write came in between.
"""

from __future__ import annotations

import io
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..excel.exporting import export_workbook
from ..excel.problems import Problem
from ..store import Store
from ..store.remote import RemoteStore
from .aggregates import cached
from .deps import API_PARAMETER_CHECKS, get_store
from .openapi_protocols import API_RESPONSES, error_response
from .xlsx_results import XLSX_MEDIA_TYPE

router = APIRouter(
    prefix="/api",
    tags=["excel"],
    dependencies=[*API_PARAMETER_CHECKS],
    responses=API_RESPONSES,
)

XLSX = XLSX_MEDIA_TYPE
"""A workbook's media type (one definition: krbgraph.web.xlsx_results)."""

GraphParam = Annotated[str | None, Query(description="Export only this graph")]


class ExportWarning(BaseModel):
    """Something of the registry the workbook does not hold."""

    message_nl: str
    message_en: str


class ExportWarnings(BaseModel):
    graph: str | None = Field(description="The graph exported; null: the whole registry")
    total: int = Field(description="How many warnings the export gives")
    warnings: list[ExportWarning]


def _key(graph: str | None) -> tuple[str, str | None]:
    return ("excel-export-warnings", graph)


class _Warnings(list[Problem]):
    """An export's warnings as kept: not computed again after a write unasked (that is a
    whole export); the next download or list asks for them."""

    rewarmed = False


def _exported(store: Store, graph: str | None) -> tuple[bytes, list[Problem], int | None]:
    """The workbook, its warnings and the store version both describe (None: a write
    came in meanwhile, or the store counts no versions). The warnings are kept by a
    function of the store (_kept): kept as a fixed list, the rewarm after a write put
    the old list in the new version's cache, and the list asked for with the next
    download was the one before the write."""
    before = _version(store)
    buffer = io.BytesIO()
    warnings = _Warnings(export_workbook(store, buffer, graph=graph))
    version = before if _version(store) == before else None
    if version is not None:
        cached(store, _key(graph), partial(_kept, store, graph, warnings, version))
    return buffer.getvalue(), warnings, version


def _kept(store: Store, graph: str | None, warnings: list[Problem], version: int) -> list[Problem]:
    """``warnings`` while the store is at ``version``, else those of an export now."""
    return warnings if _version(store) == version else _exported(store, graph)[1]


def _version(store: Store) -> int | None:
    """The store's write generation: it moves on with every write through this service.
    None for a shared SPARQL server, which other services and commands write too: its
    generation stays where it was, and a version would name two registries."""
    if isinstance(store, RemoteStore):
        return None
    generation = getattr(store, "write_generation", None)
    return generation if isinstance(generation, int) else None


def _unknown(graph: str | None) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no graph <{graph}> in the store")


@router.get(
    "/export/excel",
    summary="The registry (or one graph) as a KRB workbook",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}, 404: error_response("Unknown graph")},
)
async def export_excel(
    store: Annotated[Store, Depends(get_store)], graph: GraphParam = None
) -> Response:
    try:
        body, warnings, version = await run_in_threadpool(_exported, store, graph)
    except KeyError as exc:
        raise _unknown(graph) from exc
    headers = {
        "Content-Disposition": 'attachment; filename="krb-export.xlsx"',
        "X-KRB-Export-Warnings": str(len(warnings)),
    }
    if version is not None:
        headers["X-KRB-Export-Version"] = str(version)
    return Response(content=body, media_type=XLSX, headers=headers)


@router.get(
    "/export/excel/meldingen",
    summary="What the workbook of the registry (or one graph) does not hold",
    response_model=ExportWarnings,
    responses={
        404: error_response("Unknown graph"),
        409: error_response("The registry changed since the export of that version"),
    },
)
async def export_warnings(
    store: Annotated[Store, Depends(get_store)],
    graph: GraphParam = None,
    versie: Annotated[
        int | None,
        Query(
            description="The X-KRB-Export-Version of the download: the warnings of that "
            "workbook, or 409 when the registry has changed since (they would describe "
            "another one)"
        ),
    ] = None,
) -> ExportWarnings:
    def changed() -> bool:
        # A store without versions (a shared server) gives none, and so cannot tell.
        now = _version(store)
        return versie is not None and now is not None and now != versie

    def warnings() -> list[Problem]:
        if _version(store) is None:
            # Nothing to keep them by: a shared server's other writers move no version,
            # and a kept list disagreed with the download just made for half a minute.
            return _exported(store, graph)[1]
        # Asked before (no export for nothing) and after (a write during the export).
        found = [] if changed() else cached(store, _key(graph), lambda: _exported(store, graph)[1])
        if changed():
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                "Het register is gewijzigd sinds deze download; download de werkmap opnieuw. "
                "/ The registry changed since this download; download the workbook again.",
            )
        return found

    try:
        found = await run_in_threadpool(warnings)
    except KeyError as exc:
        raise _unknown(graph) from exc
    return ExportWarnings(
        graph=graph,
        total=len(found),
        warnings=[ExportWarning(message_nl=w.text_nl, message_en=w.text_en) for w in found],
    )
