"""Shared fixtures of the web tests: a real store with model and demo, and the app.

Imported by the test_ld_, test_api_, test_pages_ and test_browser_ modules.
Each module gets its own store in a tmp folder (about a second to load), so
modules stay independent under ``pytest -n 2``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from fastapi import FastAPI
from rdflib import Graph
from test_sparql_support import BASE, DEMO, demo_store

from krbgraph.settings import Settings
from krbgraph.store import Store
from krbgraph.web.app import create_app

__all__ = [  # BASE and DEMO for the web tests
    "BASE",
    "DEMO",
    "Registry",
    "SectionRow",
    "build_registry",
    "page_sections",
]


@dataclass
class Registry:
    app: FastAPI
    store: Store
    settings: Settings


def build_registry(folder: Path, extra: Mapping[str, str] | None = None) -> Registry:
    """An embedded store in `folder` with the model and the demo registry, and its app;
    ``extra`` adds Turtle to graphs (graph IRI: text), data the demo does not have."""
    store, settings = demo_store(folder)
    for graph, turtle in (extra or {}).items():
        store.add_to_graph(graph, Graph().parse(data=turtle, format="turtle"))
    return Registry(create_app(settings, store=store), store, settings)


@dataclass
class SectionRow:
    """One table row of a resource page section: its CSS classes and cell texts."""

    classes: frozenset[str]
    cells: list[str] = field(default_factory=list)


class _Sections(HTMLParser):
    """The kind-specific sections of a resource page (``section.card.section``), by title."""

    def __init__(self, html: str):
        super().__init__()
        self.sections: dict[str, list[SectionRow]] = {}
        self._title: str | None = None
        self._depth = 0  # <section> nesting inside the current kind-specific section
        self._text: list[str] | None = None
        self._row: SectionRow | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section":
            if self._depth:
                self._depth += 1
            elif "section" in (values.get("class") or "").split():
                self._depth, self._title = 1, None
        if not self._depth:
            return
        if tag in ("h2", "td"):
            self._text = []
        elif tag == "tr" and self._title is not None:
            self._row = SectionRow(frozenset((values.get("class") or "").split()))

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        if tag == "section":
            self._depth -= 1
        elif tag == "h2" and self._text is not None:
            self._title = " ".join("".join(self._text).split())
            self.sections[self._title] = []
            self._text = None
        elif tag == "td" and self._text is not None and self._row is not None:
            self._row.cells.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "tr" and self._row is not None and self._title is not None:
            if self._row.cells:  # header rows have <th> only
                self.sections[self._title].append(self._row)
            self._row = None


def page_sections(html: str) -> dict[str, list[SectionRow]]:
    """The table rows of each kind-specific section of a resource page, by its heading."""
    return _Sections(html).sections
