"""The Excel workbook over HTTP: `POST /api/import/excel` (the export: excel_export_api).

The same functions as `krb import-excel` / `krb export-excel`, so a workbook
behaves identically whether it arrives by command line or by upload. Import is
a write: it needs the bearer token and either replaces the workbook's graph or
changes nothing.

An upload is bounded at every step, so one request cannot exhaust the
service: its body (413 before it is read, see bounded_body), what the
workbook unpacks to and its rows per sheet (413, see krbgraph.excel.limits),
the problems listed in a 422 (the first MAX_PROBLEMS_SHOWN, with the total),
and the time other writers wait: the workbook is read and converted without
the write lock, which is taken only to validate against the registry and
write, and waited for at most KRB_WRITE_WAIT_S seconds (503 with
Retry-After, see write_gate). A StoreError reaches the application's
handler, which logs it and tells the client no more than that the store
failed.

Each problem in a row that describes a thing carries a link to that thing's
page (or to its sheet's class list when the registry does not have it yet),
and a loaded workbook's answer counts what its graph holds per class; see
krbgraph.web.workbook_links. The answer also says whether that graph changed at
all, and names the measurements graph the sheet metingen replaced with what it
holds now and held before (an empty sheet empties it), as `krb import-excel`
prints it. Advice to work graph by graph names the page /werkmap, whose graph
choice sends ``graph=`` to both routes.

A refusal of the upload itself (400, 413) keeps its English ``detail`` and adds
``reason``, a fixed code of what is wrong (REFUSALS), with ``message_nl`` and
``message_en`` saying it and what to do: the page shows the Dutch, and never
calls a file that was not read unreadable (a file name no graph can be named
after, an empty file, a file over the upload limit).
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Annotated, BinaryIO

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from ..excel.importing import ImportFailed, excel_graph_iri, import_workbook
from ..excel.limits import WorkbookLimits, WorkbookTooLarge, shown_problems
from ..excel.metingen_sheet import measurement_graph_iri
from ..excel.problems import Problem, WorkbookUnreadable
from ..iris import FileNameTooLong
from ..rdfio import MAX_GRAPH_IRI
from ..registry import GraphNotAllowed, ManagedGraphRefused
from ..settings import Settings
from ..store import Store
from .auth import require_write_access
from .bounded_body import MB, BodyTooLarge, read_bounded_form
from .deps import API_PARAMETER_CHECKS, get_settings, get_store
from .describe import valid_iri
from .openapi_protocols import API_RESPONSES, error_response
from .pages.werkmap import WORKBOOK_PAGE
from .workbook_links import class_counts, problem_links
from .write_gate import hold_write_lock
from .xlsx_results import XLSX_MEDIA_TYPE

router = APIRouter(
    prefix="/api",
    tags=["excel"],
    dependencies=[*API_PARAMETER_CHECKS],
    responses=API_RESPONSES,
)

XLSX = XLSX_MEDIA_TYPE
"""A workbook's media type (one definition: krbgraph.web.xlsx_results)."""

_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        }
    },
}
"""The request body in the OpenAPI schema: the route reads it itself, within the limit."""

REFUSALS = {
    "graph_invalid": "graph= is no absolute IRI of the length allowed",
    "file_missing": "the body has no file field 'file'",
    "file_name_names_no_graph": "no graph given, and the file name has no letter A-Z or "
    "digit 0-9 to name the graph after (file_name); the file was not read",
    "file_name_too_long": "no graph given, and the file name is too long to name a graph "
    "after (file_name); the file was not read",
    "file_empty": "the file is empty (0 bytes)",
    "not_a_workbook": "the file is no .xlsx workbook that can be read (another kind of "
    "file, or damaged)",
    "upload_too_large": "the request body passes KRB_MAX_UPLOAD_MB (limit_mb)",
    "workbook_too_large": "what the workbook unpacks to, or a sheet's rows, pass the "
    "service's limits",
}
"""The ``reason`` of a refused upload (400, 413), beside the English ``detail`` it had."""

_REFUSAL_BODY = {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {
                "detail": {"description": "What is wrong, in English"},
                "reason": {
                    "type": "string",
                    "enum": list(REFUSALS),
                    "description": "What is wrong, as a fixed code: "
                    + "; ".join(f"{code}: {what}" for code, what in REFUSALS.items()),
                },
                "message_nl": {
                    "type": "string",
                    "description": "What is wrong and what to do, in Dutch",
                },
                "message_en": {
                    "type": "string",
                    "description": "What is wrong and what to do, in English",
                },
                "file_name": {"type": "string", "description": "The uploaded file's name"},
                "limit_mb": {"type": "number", "description": "The upload limit in MB"},
            },
            "required": ["detail"],
        }
    }
}
"""A refused upload: FastAPI's ``detail``, and (when the route knows why) the rest."""


def _refused(
    status_code: int, detail: str, reason: str, nl: str, en: str, **extra: object
) -> JSONResponse:
    """A refused upload: its English ``detail`` as before, with ``reason`` (REFUSALS) and
    the messages in Dutch and English."""
    assert reason in REFUSALS, reason
    content = {"detail": detail, "reason": reason, "message_nl": nl, "message_en": en}
    return JSONResponse(status_code=status_code, content={**content, **extra})


class WorkbookProblem(BaseModel):
    severity: str
    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message_nl: str
    message_en: str
    href: str | None = None
    """The page of the thing the problem's row describes, or the list of its sheet's class."""
    link_text: str | None = None


class ClassCount(BaseModel):
    klasse: str
    label: str
    count: int
    href: str
    """The list of the class (/lijst)."""


class MeasurementsGraph(BaseModel):
    """The graph the workbook's sheet metingen replaced: ``{graph}/metingen``."""

    graph: str = Field(description="The measurements graph, {graph}/metingen")
    count: int = Field(
        description="Measurements it holds now; 0 when the sheet was empty, which emptied it"
    )
    before: int = Field(description="Measurements it held before this upload")


class ImportResult(BaseModel):
    """A loaded workbook: its graph, and its measurements graph when the sheet replaced it."""

    graph: str = Field(description="The graph the workbook's policy sheets replaced")
    triples: int = Field(description="Triples the graph holds now")
    replaced: bool = Field(description="True when the graph held something before")
    changed: bool | None = Field(
        None,
        description="False when the graph already held exactly what the workbook holds: "
        "nothing in it changed (its measurements may have)",
    )
    added: int | None = Field(
        None, description="Triples the import added to the graph (null: not counted)"
    )
    removed: int | None = Field(
        None, description="Triples the import removed from the graph (null: not counted)"
    )
    measurements: MeasurementsGraph | None = Field(
        None,
        description="The measurements graph the sheet metingen replaced (emptied by an "
        "empty sheet), with what it holds now and held before; null when the workbook has "
        "no sheet metingen (that graph is left as it is), or an empty one and the graph "
        "held nothing",
    )
    warnings: list[WorkbookProblem]
    warnings_total: int
    """All warnings; ``warnings`` lists at most the first 1,000."""
    classes: list[ClassCount] = []
    """What the graph holds now, per class."""


@router.post(
    "/import/excel",
    response_model=ImportResult,
    summary="Import a KRB workbook as one named graph (needs the bearer token)",
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses={
        400: {
            "description": "Not a readable .xlsx workbook, no graph name can be made from "
            "the file name (give graph=, or rename the file), or a parameter is wrong; "
            "nothing was written. "
            "reason, message_nl and message_en say which (REFUSALS)",
            "content": _REFUSAL_BODY,
        },
        401: error_response("Missing or wrong bearer token"),
        403: error_response("The service is read-only"),
        413: {
            "description": "The upload (KRB_MAX_UPLOAD_MB), what it unpacks to "
            "(KRB_MAX_WORKBOOK_UNCOMPRESSED_MB) or a sheet's rows (KRB_MAX_WORKBOOK_ROWS) "
            "pass the service's limits; nothing was written. reason, message_nl and "
            "message_en say which",
            "content": _REFUSAL_BODY,
        },
        422: {
            "description": "Problems in the workbook, each with sheet, row and column (the "
            "first 1,000, with problems_total); nothing was written"
        },
        503: error_response("Another write is in progress (see Retry-After)"),
    },
    dependencies=[Depends(require_write_access)],
)
async def import_excel(
    request: Request,
    settings: Annotated[Settings, Depends(get_settings)],
    store: Annotated[Store, Depends(get_store)],
    graph: Annotated[
        str | None, Query(description="Target graph IRI; default {base}/graph/excel/{file name}")
    ] = None,
) -> ImportResult | JSONResponse:
    """Convert, validate (workbook references and SHACL) and replace the workbook's graph.

    The workbook is the form field ``file`` of a multipart/form-data body.
    """
    # the measurements go to {graph}/metingen, which must fit the limit too
    longest = MAX_GRAPH_IRI - len(measurement_graph_iri("x")) + 1
    if graph is not None and (valid_iri(graph) is None or len(graph) > longest):
        given, most = f"graph={graph[:100]!r}", f"{longest:,}"
        return _refused(
            status.HTTP_400_BAD_REQUEST,
            f"{given} is not an absolute IRI (https://...) of at most {most} characters; "
            "nothing was written.",
            "graph_invalid",
            f"{given} is geen absolute IRI (https://...) van hoogstens "
            f"{most.replace(',', '.')} tekens.",
            f"{given} is not an absolute IRI (https://...) of at most {most} characters.",
        )
    try:
        form = await read_bounded_form(request, settings.max_upload_mb * MB)
    except BodyTooLarge as exc:
        return _too_large_upload(exc)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return _refused(
                status.HTTP_400_BAD_REQUEST,
                "Send the workbook as the file field 'file' of a multipart/form-data body.",
                "file_missing",
                "Stuur de werkmap als bestandsveld 'file' van een multipart/form-data-body.",
                "Send the workbook as the file field 'file' of a multipart/form-data body.",
            )
        file_name = upload.filename or "workbook.xlsx"
        return await run_in_threadpool(
            _import, request, settings, store, upload.file, file_name, graph
        )
    finally:
        await form.close()


def _too_large_upload(exc: BodyTooLarge) -> JSONResponse:
    """413 for a body over KRB_MAX_UPLOAD_MB: its English detail as before, and the rest."""
    limit = f"{exc.limit / MB:g} MB" if exc.limit >= MB else f"{exc.limit} bytes"
    return _refused(
        exc.status_code,
        str(exc.detail),
        "upload_too_large",
        f"Het bestand is te groot: deze dienst neemt hoogstens {limit} in één keer aan. "
        "Verdeel de gegevens over kleinere werkmappen (elke wordt een eigen graaf), of vraag "
        "de beheerder van het register de werkmap in te laden.",
        f"The file is too large: this service accepts at most {limit} in one request. Split "
        "the data over smaller workbooks (each becomes a graph of its own), or ask the "
        "registry's administrator to load the workbook.",
        limit_mb=exc.limit / MB,
    )


def _unnameable(file_name: str, exc: ValueError) -> JSONResponse:
    """400 for a file name no graph can be named after (excel_graph_iri's ValueError): the
    file was not read, so the answer does not call it unreadable, and says to rename it
    or give the graph."""
    if isinstance(exc, FileNameTooLong):
        length = f"{len(file_name):,}"
        return _refused(
            status.HTTP_400_BAD_REQUEST,
            str(exc),
            "file_name_too_long",
            "De bestandsnaam is te lang om er een graaf naar te noemen "
            f"({length.replace(',', '.')} tekens). Geef het bestand een kortere naam, of "
            f"geef de graaf op (graph=IRI; op de pagina {WORKBOOK_PAGE}: kies bij Graaf "
            "een graaf).",
            f"The file name is too long to name a graph after ({length} characters). Give "
            "the file a shorter name, or give the graph (graph=IRI; on the page "
            f"{WORKBOOK_PAGE}: choose a graph under Graaf).",
            file_name=file_name,
        )
    return _refused(
        status.HTTP_400_BAD_REQUEST,
        str(exc),
        "file_name_names_no_graph",
        f"Van de bestandsnaam '{file_name}' kan geen graafnaam worden gemaakt: zonder "
        "opgegeven graaf heet de graaf van een werkmap naar de letters A-Z en cijfers 0-9 "
        "van de bestandsnaam, en deze naam heeft er geen. Geef het bestand een naam met "
        "letters of cijfers (zoals geluid-2025.xlsx), of geef de graaf op (graph=IRI; op "
        f"de pagina {WORKBOOK_PAGE}: kies bij Graaf een graaf).",
        f"No graph name can be made from the file name '{file_name}': without a graph "
        "given, a workbook's graph is named after the letters A-Z and digits 0-9 of its "
        "file name, and this name has none. Give the file a name with letters or digits "
        "(such as geluid-2025.xlsx), or give the graph (graph=IRI; on the page "
        f"{WORKBOOK_PAGE}: choose a graph under Graaf).",
        file_name=file_name,
    )


def _unreadable(file_name: str, content: BinaryIO, exc: WorkbookUnreadable) -> JSONResponse:
    """400 for a file that is no workbook: an empty one named as such, the rest as what
    they may be and how to make a workbook of them."""
    detail = f"{file_name}: kan de werkmap niet lezen / cannot read the workbook: {exc.reason}"
    if _size(content) == 0:
        return _refused(
            status.HTTP_400_BAD_REQUEST,
            detail,
            "file_empty",
            f"Het bestand {file_name} is leeg (0 bytes): er staat geen werkmap in. Kies het "
            "bestand dat u in Excel als werkmap (.xlsx) hebt opgeslagen.",
            f"The file {file_name} is empty (0 bytes): it holds no workbook. Choose the file "
            "you saved in Excel as a workbook (.xlsx).",
            file_name=file_name,
        )
    return _refused(
        status.HTTP_400_BAD_REQUEST,
        detail,
        "not_a_workbook",
        f"{file_name} is geen Excel-werkmap (.xlsx) die te lezen is: het is een ander soort "
        "bestand (zoals .xls, .ods of .csv) of het is beschadigd. Open het in Excel, sla het "
        "op als Excel-werkmap (.xlsx) en kies dat bestand.",
        f"{file_name} is not an Excel workbook (.xlsx) that can be read ({exc.reason}): it is "
        "another kind of file (such as .xls, .ods or .csv), or damaged. Open it in Excel, "
        "save it as an Excel workbook (.xlsx) and choose that file.",
        file_name=file_name,
    )


def _size(content: BinaryIO) -> int | None:
    """The bytes of the uploaded file, or None when they cannot be told."""
    try:
        return content.seek(0, os.SEEK_END)
    except (OSError, ValueError):
        return None


def _import(
    request: Request,
    settings: Settings,
    store: Store,
    content: BinaryIO,
    file_name: str,
    graph: str | None,
) -> ImportResult | JSONResponse:
    """Read and convert without the write lock; hold it from validation to the write."""
    limits = WorkbookLimits.from_settings(settings)
    if graph is None:
        # The graph named after the file, as import_workbook names it: a name without a
        # letter or digit names none, and the file is not read at all.
        try:
            excel_graph_iri(settings.base_iri, file_name)
        except ValueError as exc:
            return _unnameable(file_name, exc)
    try:
        with ExitStack() as held:

            def stage(name: str) -> None:
                if name == "valideren":  # the registry is read from here on: lock it
                    held.enter_context(hold_write_lock(request))

            report = import_workbook(
                store,
                content,
                base_iri=settings.base_iri,
                graph=graph,
                file_name=file_name,
                stage=stage,
                limits=limits,
                replicas=request.app.state.replicas,
                writer=getattr(request.state, "writer", None),
                page=WORKBOOK_PAGE,
            )
    except WorkbookUnreadable as exc:
        return _unreadable(file_name, content, exc)
    except WorkbookTooLarge as exc:
        return _refused(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"{file_name}: {exc}; nothing was loaded",
            "workbook_too_large",
            f"De werkmap {file_name} is te groot voor deze dienst: {exc.message_nl}.",
            f"The workbook {file_name} is too large for this service: {exc.message_en}.",
            file_name=file_name,
        )
    except ImportFailed as exc:
        shown = shown_problems(exc.problems)
        return JSONResponse(
            status_code=422,
            content={
                "detail": str(exc),
                "problems": _linked(store, settings, content, shown, limits),
                "problems_total": len(exc.problems),
                "problems_truncated": len(shown) < len(exc.problems),
            },
        )
    except (ManagedGraphRefused, GraphNotAllowed) as exc:
        # A graph the service keeps, or one outside the token's scope: 403, as the
        # same write is on the Graph Store (it was a 500, and a 400 for the audit graph).
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    warnings = _linked(store, settings, content, shown_problems(report.warnings), limits)
    measured = report.measurement_graph
    return ImportResult(
        graph=report.graph,
        triples=report.triples,
        replaced=report.replaced,
        changed=report.changed,
        added=report.added,
        removed=report.removed,
        measurements=None
        if measured is None
        else MeasurementsGraph(graph=measured, count=report.measurements, before=report.before),
        warnings=[WorkbookProblem.model_validate(w) for w in warnings],
        warnings_total=len(report.warnings),
        classes=[ClassCount(**vars(c)) for c in class_counts(store, report.graph)],
    )


def _linked(
    store: Store,
    settings: Settings,
    content: BinaryIO,
    problems: list[Problem],
    limits: WorkbookLimits,
) -> list[dict[str, object]]:
    """The problems as JSON, each with a link to what its row describes (workbook_links)."""
    links = problem_links(store, content, problems, base_iri=settings.base_iri, limits=limits)
    shown = []
    for problem in problems:
        link = links.get((problem.sheet or "", problem.row or 0))
        extra = {"href": link.href, "link_text": link.text} if link else {}
        shown.append({**problem.as_dict(), **extra})
    return shown
