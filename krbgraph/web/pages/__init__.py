"""The web front: server-rendered HTML pages that work without JavaScript.

One module per family of pages, each with its own router: the home page and
class listings (home), search (search_page), the query editor and its
downloads (query), the dwarsverbanden network (dwarsverbanden), the norms
against their measurements (monitoring) and the concept-scheme trees
(begrippen), the Excel workbook's downloads and upload (werkmap); the query
page's column headings come from column_titles. The ontology page is a view
only (ontology): its address, /def/krb, is negotiated by krbgraph.web.linked_data.
Each route gathers plain data (mostly through named queries) and hands it to
a template (krbgraph.web.templating); routes are sync functions, so FastAPI
runs the blocking store calls in its thread pool.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ..deps import reader_languages, single_parameters
from . import begrippen, dwarsverbanden, home, monitoring, query, search_page, werkmap

__all__ = ["router"]

router = APIRouter(
    tags=["web"],
    include_in_schema=False,
    dependencies=[Depends(reader_languages), Depends(single_parameters)],
)
for _family in (home, search_page, query, dwarsverbanden, monitoring, begrippen, werkmap):
    router.include_router(_family.router)
