"""Headings of a named query's answer columns, from the descriptions in its header.

The query page and its workbook head each column by the first clause of the column's
description (sparql/*.rq, ``# column: name Description.``), which reads better than a
variable name; two columns never share a heading, and a description that lists the
column's values does not give its first value as the heading.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

__all__ = ["column_title", "column_titles"]


def column_title(name: str, description: str) -> str:
    """A short heading from a column's description: its first clause ('De norm of
    regel.' becomes 'De norm of regel'). A description that lists the column's values
    ('voldoet, voldoet niet of geen gegevens.') starts with one of them, not a title, so
    such a column, and one without a description, is headed by its name ('Oordeel')."""
    title = re.split(r"[.,;:]\s|\s\(", description.strip() + " ", maxsplit=1)[0].strip(" .")
    if not title or not title[0].isupper():
        title = name.replace("_", " ")
    return title[0].upper() + title[1:]


def column_titles(names: Sequence[str], descriptions: Mapping[str, str]) -> tuple[str, ...]:
    """The headings of an answer's columns, each once: a heading two columns would share
    (their descriptions start alike) gets the column's name after it."""
    titles = [column_title(name, descriptions.get(name, "")) for name in names]
    shared = {title for title in titles if titles.count(title) > 1}
    return tuple(
        f"{title} ({name})" if title in shared else title
        for name, title in zip(names, titles, strict=True)
    )
