"""How many rows a page's tables show: the first ROWS_SHOWN, or every row with
``?rijen=alle`` (resource pages, theme pages, the monitoring page).

A theme holds thousands of norms at a million triples and the unfiltered
monitoring page 24,000 verdicts; rendering them all cost seconds and megabytes
of HTML that nobody reads whole. The answers behind a page are the same either
way (counts are taken over every row); only the rendering is capped.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

__all__ = ["ROWS_SHOWN", "RowsParam", "all_rows_href", "rows_shown"]

ROWS_SHOWN = 100
"""Rows of each table a page shows unless asked for all."""

RowsParam = Annotated[
    str | None,
    Query(pattern="^alle$", description="alle: every row of the page's tables, not the first"),
]


def rows_shown(rijen: str | None) -> int | None:
    """How many rows to show for the ``rijen`` parameter (None: all)."""
    return None if rijen == "alle" else ROWS_SHOWN


def all_rows_href(request: Request) -> str:
    """This page with every row of its tables (a path and query, no host)."""
    return f"{request.url.path}?{request.url.include_query_params(rijen='alle').query}"
