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

A registry kept in several graphs (the demo's fourteen) cannot be downloaded
whole and uploaded back: no one graph holds all it describes. So the page
offers one graph to work with, chosen from the data graphs a workbook can hold
(workbook_graphs): the download is that graph (``graph=`` of the export) and
the upload replaces it (``graph=`` of the import); no choice downloads the
whole registry and uploads into the graph named after the file, as before.
The choice is ``?graaf=`` of the page, which the script follows as it changes.
"""

from __future__ import annotations

import functools
import io
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from rdflib import URIRef

from ...excel.template import write_template
from ...namespaces import SOSA
from ...store import Store, model_graph_iris
from ..aggregates import cached
from ..path_guard import CONTROL_CHARACTER
from ..templating import error_page, render
from ..workbook_links import SHEET_CLASSES
from ..xlsx_results import XLSX_MEDIA_TYPE
from .common import SettingsDep, StoreDep

router = APIRouter()

XLSX = XLSX_MEDIA_TYPE
"""A workbook's media type (one definition: krbgraph.web.xlsx_results)."""
WORKBOOK_PAGE = "/werkmap"
TEMPLATE_PATH = "/werkmap/sjabloon.xlsx"
EXPORT_PATH = "/api/export/excel"
IMPORT_PATH = "/api/import/excel"


@router.get(WORKBOOK_PAGE, response_class=HTMLResponse)
def workbook_page(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    graaf: Annotated[
        str | None, Query(description="The graph to download and upload into (IRI)")
    ] = None,
) -> HTMLResponse:
    if graaf is not None and CONTROL_CHARACTER.search(graaf):
        # No IRI holds one; shown back it would put a NUL or a line break into the page.
        return error_page(
            request,
            400,
            "Geen graaf",
            "De gekozen graaf bevat een stuurteken (zoals een regeleinde); geen IRI bevat dat.",
        )
    graphs = cached(store, ("werkmap-graphs",), lambda: workbook_graphs(store))
    chosen = graaf if graaf in graphs else None
    context = {
        "title": "Werkmap (Excel)",
        "template_href": TEMPLATE_PATH,
        "template_imbor_href": TEMPLATE_PATH + "?imbor=true",
        "export_base": EXPORT_PATH,
        "export_href": EXPORT_PATH + (f"?{urlencode({'graph': chosen})}" if chosen else ""),
        "import_url": IMPORT_PATH,
        "accepts_writes": settings.accepts_writes,
        "max_upload_mb": settings.max_upload_mb,
        "page_url": WORKBOOK_PAGE,
        "excel_graphs": f"{settings.base_iri.rstrip('/')}/graph/excel/",
        "graphs": graphs,
        "chosen": chosen,
        "unknown_graph": graaf if graaf and not chosen else None,
    }
    # The form, saying the graph asked for is not one to choose: 404, as for any address
    # that names nothing, so a link checker or script sees it.
    return render(
        request, "werkmap.html", context, status_code=404 if graaf and not chosen else 200
    )


_HOLDING = """
SELECT DISTINCT ?g WHERE {
  VALUES ?type { %s }
  GRAPH ?g { ?s a ?type }
}"""

_MEASURED = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s a <{SOSA.Observation}> }} }}"


def workbook_graphs(store: Store) -> tuple[str, ...]:
    """The data graphs a workbook can hold, sorted: those with things a sheet of the
    workbook describes (workbook_links.SHEET_CLASSES) and no measurements. A graph of
    measurements is no workbook's policy graph: a workbook's own go with it, into
    ``{graph}/metingen``, and one loaded from a file or CSV (the demo's /graph/metingen)
    would come back into another graph. The service's own graphs and the model's are
    never offered. Two queries of the type index, kept per write (aggregates.cached)."""
    types = " ".join(f"<{klasse}>" for klasse, _ in SHEET_CLASSES.values())
    holding = {str(g) for (g,) in store.query(_HOLDING % types).rows if isinstance(g, URIRef)}
    measured = {str(g) for (g,) in store.query(_MEASURED).rows}
    return tuple(sorted(holding - measured - model_graph_iris()))


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
