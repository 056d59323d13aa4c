"""Every kind of page in a real headless Chromium: accessible, offline, usable at 390 px.

Three checks per page kind, on the demo registry served on 127.0.0.1:

- axe-core (the accessibility engine from npm, installed by ``make axe``)
  finds no violation of impact "serious" or "critical";
- the page loads nothing from anywhere but this service (the browser has no
  network beyond loopback, and the Performance API lists every resource);
- at 390 px wide (a phone) the page itself does not scroll sideways: only
  what is meant to (wide tables and the network drawing, in their scroll box).

A full-page screenshot at 1400 px and at 390 px is kept under tests/artifacts/
(``name-1400.png``, ``name-390.png``) for a human to look at. Without axe-core
(no npm) the accessibility checks are skipped, the others still run. The WebDriver
client and fixtures are those of test_browser_pages.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from browser_support import AXE_MISSING, axe_source, resize, screenshot, serious_violations
from test_browser_pages import NEEDS_BROWSER, Browser, browser, site

__all__ = ["browser", "site"]  # the WebDriver and live-server fixtures, used by name

pytestmark = NEEDS_BROWSER

KRB = "https://data.krb.nl/def/krb#"
WOONGEBOUW = "https://data.crow.nl/imbor/def/5315f7e0-0826-4a68-8a7b-808f32a983a0"

PAGES: dict[str, str] = {
    "home": "/",
    "norm": "/id/beleidsnorm/GEL-N01",
    "maatregel": "/id/beleidsmaatregel/BOU-M02",
    "thema": "/id/beleidsthema/geluid",
    "gebied": "/id/werkingsgebied/WK999902",
    "indicator": "/id/beleidsindicator/GEL-I01",
    "objecttype": "/resource?iri=" + quote(WOONGEBOUW, safe=""),
    "query": "/query",
    "query-formulier": "/query?voorbeeld=normen-per-imbor-objecttype&uitvoeren=true"
    "&p.objecttype=Woongebouw&p.gebied=gebouwlocatie",
    "werkmap": "/werkmap",
    "netwerk": "/dwarsverbanden",  # "dwarsverbanden-390" is test_browser_pages' shot
    "begrippen": "/begrippen",
    "monitoring": "/monitoring",
    "zoeken": "/zoeken?q=geluid",
    "lijst": "/lijst?klasse=" + quote(KRB + "Beleidsnorm", safe=""),
    "ontologie": "/def/krb",
}
"""One page of each kind, by the name its screenshots get."""

WIDTHS = (1400, 390)
"""A wide screen and a phone."""

WIDER_THAN_THE_PAGE = """
const width = document.documentElement.clientWidth;
const scrolls = el => {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const x = getComputedStyle(p).overflowX;
    if (x === 'auto' || x === 'scroll') return true;
  }
  return false;
};
return Array.from(document.body.querySelectorAll('*'))
  .filter(el => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
  .slice(0, 5)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
       + (el.className && typeof el.className === 'string'
          ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
       + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
"""


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violations(
    browser: Browser, site: str, name: str
) -> None:
    """Wide and on a phone: narrow screens stack and scroll what is wide."""
    axe = axe_source()
    if axe is None:
        pytest.skip(AXE_MISSING)
    found = []
    try:
        for width in WIDTHS:
            resize(browser, width)
            browser.get(site + PAGES[name])
            found += [f"{width} px: {line}" for line in serious_violations(browser, axe)]
    finally:
        resize(browser, WIDTHS[0])
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_works_offline_and_fits_a_phone(browser: Browser, site: str, name: str) -> None:
    wide, phone = WIDTHS
    try:
        resize(browser, wide)
        browser.get(site + PAGES[name])
        assert browser.script("return document.querySelector('main h1') !== null")
        assert browser.foreign_requests(site) == []
        screenshot(browser, name, wide)
        resize(browser, phone)
        browser.get(site + PAGES[name])
        # clientWidth is the width the page is laid out in (the window less its scrollbar).
        sizes = browser.script(
            "return [document.documentElement.scrollWidth,"
            " document.documentElement.clientWidth, window.innerWidth]"
        )
        assert sizes[2] == phone, sizes  # the window really is a phone's width
        assert sizes[0] <= sizes[1] + 1, (sizes, browser.script(WIDER_THAN_THE_PAGE))
        assert browser.foreign_requests(site) == []
        screenshot(browser, name, phone)
    finally:
        resize(browser, wide)
