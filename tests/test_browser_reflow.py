"""Pages fit a phone whatever the names are (WCAG 1.4.10 reflow), in a real Chromium.

The demo's names are short; a municipality's are not always: Dutch compounds in a
heading ("Bewustwordingscampagnes" is wider than a phone at heading size), an AKN
identifier, a name of 300 characters without a space pasted from a system. Such a
word must break in its box, not push the page sideways: at 375 px the page is no
wider than the window, except what scrolls in a box of its own (wide tables, the
drawings). The WebDriver client and fixtures are those of test_browser_pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from browser_support import resize
from live_server import live_server
from rdflib import Graph
from research_registry import build_research_registry
from test_browser_a11y import WIDER_THAN_THE_PAGE
from test_browser_pages import NEEDS_BROWSER, Browser, browser
from test_pages_fixtures import BASE, Registry

__all__ = ["browser"]  # the WebDriver fixture, used by name

pytestmark = NEEDS_BROWSER

KRB = "https://data.krb.nl/def/krb#"
LONG = "Zeer" + "lang" * 75
"""A name of 304 characters without a space."""

LONG_NAMES = f"""
@prefix krb: <{KRB}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
<{BASE}/id/werkingsgebied/lang> a krb:Werkingsgebied ; rdfs:label "{LONG}"@nl ;
    krb:ligtIn <{BASE}/id/werkingsgebied/GM9999> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
<{BASE}/id/beleidsnorm/LANG-N01> a krb:Beleidsnorm ; skos:prefLabel "{LONG}"@nl ;
    dct:identifier "LANG-N01" ; krb:indicator <{BASE}/id/beleidsindicator/GEL-I01> ;
    krb:document <{BASE}/id/besluitdocument/GEL-2030> ;
    krb:operator <https://data.krb.nl/id/begrip/normoperator/maximaal> ;
    qudt:numericValue 50.0 ; qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> ;
    krb:werkingsgebied <{BASE}/id/werkingsgebied/lang> .
"""

PAGES = {
    "a heading of one long Dutch word": "/id/beleidsindicator/CIR-I02",
    "an AKN identifier": "/id/besluitdocument/OMG-2050",
    "a norm of a long name": "/id/beleidsnorm/LANG-N01",
    "an area of a long name": "/id/werkingsgebied/lang",
    "the indicator listing it": "/id/beleidsindicator/GEL-I01",
    "the list of areas": "/lijst?klasse=" + quote(KRB + "Werkingsgebied", safe=""),
    "search": "/zoeken?q=Zeerlang",
    "the area picker": "/query?voorbeeld=beleid-in-gebied",
}

PHONE = 375


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # With the research data: the indicator page lists its norms beside its chart.
    registry: Registry = build_research_registry(tmp_path_factory.mktemp("browser-reflow"))
    registry.store.add_to_graph(f"{BASE}/graph/lang", Graph().parse(data=LONG_NAMES))
    try:
        with live_server(registry.app) as url:
            yield url
    finally:
        registry.store.close()


@pytest.mark.parametrize("page", list(PAGES), ids=list(PAGES))
def test_a_long_word_breaks_instead_of_widening_the_page(
    browser: Browser, site: str, page: str
) -> None:
    try:
        resize(browser, PHONE)
        browser.get(site + PAGES[page])
        assert browser.script("return document.querySelector('main h1') !== null")
        sizes = browser.script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert sizes[0] <= sizes[1] + 1, (sizes, browser.script(WIDER_THAN_THE_PAGE))
    finally:
        resize(browser, 1400)
