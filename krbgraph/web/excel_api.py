"""The Excel workbook over HTTP: `POST /api/import/excel`, `GET /api/export/excel`.

The same functions as `krb import-excel` / `krb export-excel`, so a workbook
behaves identically whether it arrives by command line or by upload. Import is
a write: it needs the bearer token, takes the application's write lock and
either replaces the workbook's graph or changes nothing.
"""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from ..excel.exporting import export_workbook
from ..excel.importing import ImportFailed, import_workbook
from ..excel.problems import WorkbookUnreadable
from ..settings import Settings
from ..store import Store, StoreError
from .auth import require_write_access
from .deps import get_settings, get_store

router = APIRouter(prefix="/api", tags=["excel"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
"""A KRB workbook of tens of thousands of rows stays far below this."""


class WorkbookProblem(BaseModel):
    severity: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message_nl: str
    message_en: str


class ImportResult(BaseModel):
    graph: str
    triples: int
    replaced: bool
    warnings: list[WorkbookProblem]


@router.post(
    "/import/excel",
    response_model=ImportResult,
    summary="Import a KRB workbook as one named graph (needs the bearer token)",
    responses={
        400: {"description": "Not a readable .xlsx workbook"},
        401: {"description": "Missing or wrong bearer token"},
        403: {"description": "The service is read-only"},
        422: {
            "description": "Problems in the workbook, each with sheet, row and column; "
            "nothing was written"
        },
    },
    dependencies=[Depends(require_write_access)],
)
async def import_excel(
    request: Request,
    file: UploadFile,
    settings: Annotated[Settings, Depends(get_settings)],
    store: Annotated[Store, Depends(get_store)],
    graph: Annotated[
        str | None, Query(description="Target graph IRI; default {base}/graph/excel/{file name}")
    ] = None,
) -> ImportResult | JSONResponse:
    """Convert, validate (workbook references and SHACL) and replace the workbook's graph."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            f"workbook larger than {MAX_UPLOAD_BYTES} bytes",
        )
    file_name = file.filename or "workbook.xlsx"

    def run() -> ImportResult:
        with request.app.state.write_lock:
            report = import_workbook(
                store,
                io.BytesIO(content),
                base_iri=settings.base_iri,
                graph=graph,
                file_name=file_name,
            )
        return ImportResult(
            graph=report.graph,
            triples=report.triples,
            replaced=report.replaced,
            warnings=[WorkbookProblem(**p.as_dict()) for p in report.warnings],
        )

    try:
        return await run_in_threadpool(run)
    except WorkbookUnreadable as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{file_name}: {exc}") from exc
    except ImportFailed as exc:
        return JSONResponse(
            status_code=422,
            content={"detail": str(exc), "problems": [p.as_dict() for p in exc.problems]},
        )
    except ValueError as exc:  # a model graph as target
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc


@router.get(
    "/export/excel",
    summary="The registry (or one graph) as a KRB workbook",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}, 404: {"description": "Unknown graph"}},
)
async def export_excel(
    store: Annotated[Store, Depends(get_store)],
    graph: Annotated[str | None, Query(description="Export only this graph")] = None,
) -> Response:
    def run() -> tuple[bytes, int]:
        buffer = io.BytesIO()
        warnings = export_workbook(store, buffer, graph=graph)
        return buffer.getvalue(), len(warnings)

    try:
        body, warnings = await run_in_threadpool(run)
    except KeyError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no graph <{graph}> in the store") from exc
    except StoreError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    return Response(
        content=body,
        media_type=XLSX,
        headers={
            "Content-Disposition": 'attachment; filename="krb-export.xlsx"',
            "X-KRB-Export-Warnings": str(warnings),
        },
    )
