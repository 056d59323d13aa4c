"""The indicator chart and the monitoring page in a real headless Chromium.

The WebDriver client and its fixture are those of test_browser_pages (same
browser flags: no network beyond this machine, a Dutch reader). The site is the
demo with its research data, so the chart has measurements to draw. Screenshots
are kept under tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from browser_support import AXE_MISSING, axe_source, resize, serious_violations
from live_server import live_server
from research_registry import build_research_registry
from test_browser_pages import NEEDS_BROWSER, Browser, browser
from test_pages_fixtures import BASE, Registry

__all__ = ["browser"]  # the WebDriver fixture, used by name

pytestmark = NEEDS_BROWSER

NORM_RED = "rgb(164, 22, 26)"
"""The norm lines' colour (#a4161a in krbgraph.web.indicator_chart)."""

CHART_TEXT_SIZES = """
return Array.from(document.querySelectorAll('svg.chart text')).map(text => {
  const scale = text.ownerSVGElement.getScreenCTM().a;
  return [text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale];
});
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    research: Registry = build_research_registry(tmp_path_factory.mktemp("browser-research"))
    try:
        with live_server(research.app) as url:
            yield url
    finally:
        research.store.close()


def test_indicator_chart_is_visible_wide_and_legible(browser: Browser, site: str) -> None:
    browser.get(site + "/id/beleidsindicator/GEL-I01")
    box = browser.script(
        "const svg = document.querySelector('svg.chart');"
        "const r = svg.getBoundingClientRect(); const s = getComputedStyle(svg);"
        "return [r.width, r.height, s.visibility, s.display];"
    )
    assert box[0] > 400 and box[1] > 200, box
    assert box[2] == "visible" and box[3] != "none", box
    sizes = browser.script(CHART_TEXT_SIZES)
    texts = [text.strip() for text, _ in sizes]
    assert "Parkstraat" in texts and any("48 dB(A)" in text for text in texts), texts
    small = [(text, round(size, 1)) for text, size in sizes if size < 12]
    assert small == [], small
    # The styles arrive as attributes, which the page's policy (style-src 'self') lets
    # through: the norm lines are drawn in their red, not in the default black or none.
    strokes = browser.script(
        "return Array.from(document.querySelectorAll('svg.chart path'))"
        ".map(p => getComputedStyle(p).stroke)"
    )
    assert NORM_RED in strokes
    assert browser.foreign_requests(site) == []
    browser.screenshot("indicator-GEL-I01")


@pytest.mark.parametrize("width", [1400, 390])
def test_the_chart_page_is_accessible_and_its_chart_scrolls_by_keyboard(
    browser: Browser, site: str, width: int
) -> None:
    """On a phone the chart scrolls sideways in its box; it has no link of its own, so
    without a place in the tab order a keyboard could not scroll it (axe:
    scrollable-region-focusable). The demo alone has no chart: this is its only page."""
    axe = axe_source()
    if axe is None:
        pytest.skip(AXE_MISSING)
    try:
        resize(browser, width)
        browser.get(site + "/id/beleidsindicator/GEL-I01")
        assert serious_violations(browser, axe) == []
        figure = browser.script(
            "const f = document.querySelector('svg.chart').closest('figure');"
            "return [f.tabIndex, f.getAttribute('aria-label'), f.scrollWidth > f.clientWidth];"
        )
        assert figure[0] == 0 and figure[1], figure
        assert figure[2] == (width < 960), figure  # the chart is drawn 960 px wide
    finally:
        resize(browser, 1400)


def test_monitoring_filters_with_the_form_alone(browser: Browser, site: str) -> None:
    browser.get(site + "/monitoring")
    before = len(browser.find_all("table.normtoets tbody tr"))
    geluid = f"{BASE}/id/beleidsthema/geluid"
    browser.click(browser.find(f'#filter-thema option[value="{geluid}"]'))
    browser.click(browser.find("form.monitoring-filter button[type=submit]"))
    assert browser.wait_url(site + "/monitoring?thema=").startswith(
        site + "/monitoring?thema=" + quote(geluid, safe="")
    )
    after = len(browser.wait_all("table.normtoets tbody tr"))
    assert 0 < after < before
    browser.screenshot("monitoring-geluid")
