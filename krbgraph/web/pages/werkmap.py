"""The workbook page (/werkmap): download the empty template or the registry, upload a workbook.

For policy officers who keep the registry in Excel. The page itself only
links and lays out; the work is done where the command line does it too:
the template is krbgraph.excel.template, the export and the upload are the
JSON API (krbgraph.web.excel_api). The upload form is sent by a small static
script (static/werkmap.js) because the API wants the token as a bearer
header, which a plain HTML form cannot send; the script shows the API's
answer: what was loaded, counted per class with links to the class lists,
or every problem with its sheet, row and column and a link to the page of
the thing its row describes (see krbgraph.web.workbook_links).
"""

from __future__ import annotations

import functools
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from ...excel.template import write_template
from ..templating import render
from .common import SettingsDep

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_PATH = "/werkmap/sjabloon.xlsx"
EXPORT_PATH = "/api/export/excel"
IMPORT_PATH = "/api/import/excel"


@router.get("/werkmap", response_class=HTMLResponse)
def workbook_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    context = {
        "title": "Werkmap (Excel)",
        "template_href": TEMPLATE_PATH,
        "template_imbor_href": TEMPLATE_PATH + "?imbor=true",
        "export_href": EXPORT_PATH,
        "import_url": IMPORT_PATH,
        "accepts_writes": settings.accepts_writes,
        "max_upload_mb": settings.max_upload_mb,
    }
    return render(request, "werkmap.html", context)


@functools.lru_cache(maxsize=2)
def _template(imbor: bool) -> bytes:
    """The template's bytes, written once per process: it holds the product's lists,
    not the registry's data, so it is the same for every download (writing it took
    about 140 ms)."""
    buffer = io.BytesIO()
    write_template(buffer, with_imbor=imbor)
    return buffer.getvalue()


@router.get(TEMPLATE_PATH)
async def workbook_template(
    imbor: Annotated[
        bool, Query(description="Pre-fill the IMBOR Leefomgeving list (larger file)")
    ] = False,
) -> Response:
    """An empty KRB workbook, as `krb excel-template` writes it."""
    name = "krb-sjabloon-imbor.xlsx" if imbor else "krb-sjabloon.xlsx"
    return Response(
        content=await run_in_threadpool(_template, imbor),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
