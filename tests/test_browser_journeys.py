"""Two users' errands done in the browser alone, from the home page, by clicking.

An asset manager picks an IMBOR object type and an area and gets the norms and
measures that apply there today. A policy officer finds her theme, sees its
norms and cross-links, downloads the registry as a workbook, changes a norm,
uploads it (first with a mistake, which the page shows with the row it is in),
and sees the change on the norm's page.

The registry here is kept in Excel: the demo, exported to a workbook and loaded
under the name the browser gives the download (krb-export.xlsx), so it is one
graph that uploading the changed download replaces. Every page is checked to
load nothing from beyond this machine. The WebDriver client is that of
test_browser_pages.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from browser_support import allow_downloads, axe_source, downloaded, screenshot
from browser_support import serious_violations as axe_serious
from live_server import live_server
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from test_browser_pages import NEEDS_BROWSER, Browser, _wait_text, browser
from test_sparql_support import AUTH, TOKEN, demo_store, empty_store

from krbgraph import registry_day
from krbgraph.excel.exporting import export_workbook
from krbgraph.store import ensure_model
from krbgraph.web.app import create_app

__all__ = ["browser"]  # the WebDriver fixture, used by name

pytestmark = NEEDS_BROWSER

DOWNLOAD = "krb-export.xlsx"
"""The file name the service gives the registry's workbook (Content-Disposition)."""

TODAY = registry_day.today()

WOONGEBOUW_AT_GEBOUWLOCATIE: dict[tuple[str, str], tuple[str, str | None]] = {
    # Read from examples/demo: norms on Woongebouw, on its superclass Gebouw or on
    # "alle", and measures with an effect on one of them, whose werkingsgebied holds
    # Gebouwlocatie (it lies in Spuikwartier, in Centrum, in the municipality, in the
    # province, in the Netherlands). Periods are the instrument's own, else those of
    # the decision that adopted it.
    ("beleidsnorm", "BB2012-N01"): ("2012-04-01", None),  # Nederland
    ("beleidsnorm", "BKL-N01"): ("2024-01-01", None),  # Nederland
    ("beleidsnorm", "BKL-N02"): ("2024-01-01", None),  # alle, Nederland
    ("beleidsnorm", "OV-DEMO-N01"): ("2024-01-01", "2030-12-31"),  # alle, province
    ("beleidsnorm", "WGH-N01"): ("2007-01-01", None),  # Nederland
    ("beleidsnorm", "GEL-N01"): ("2024-01-01", "2030-12-31"),  # GM9999
    ("beleidsnorm", "GEL-N02"): ("2020-07-01", "2025-12-31"),  # GM9999
    ("beleidsnorm", "GEL-N04"): ("2026-01-01", None),  # GM9999, its decision
    ("beleidsnorm", "GEZ-N01"): ("2024-01-01", "2030-12-31"),  # GM9999
    ("beleidsnorm", "GEZ-N02"): ("2024-02-15", None),  # Gebouwlocatie
    ("beleidsnorm", "BOU-N01"): ("2022-03-24", None),  # Gebouw, Centrum, its decision
    ("beleidsnorm", "BOU-N02"): ("2022-03-24", None),
    ("beleidsnorm", "BOU-N03"): ("2022-03-24", None),
    ("beleidsmaatregel", "BOU-M02"): ("2024-09-10", None),  # Gebouwlocatie, its decision
}


def _in_force(period: tuple[str, str | None]) -> bool:
    start, end = period
    return date.fromisoformat(start) <= TODAY <= (date.fromisoformat(end) if end else date.max)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo kept in Excel: its workbook loaded as one graph, with a write token."""
    demo, _ = demo_store(tmp_path_factory.mktemp("journeys-demo"))
    workbook = io.BytesIO()
    try:
        export_workbook(demo, workbook)
    finally:
        demo.close()
    store, settings = empty_store(tmp_path_factory.mktemp("journeys"))
    ensure_model(store)
    try:
        with live_server(create_app(settings, store=store)) as url:
            loaded = httpx.post(
                url + "/api/import/excel",
                files={"file": (DOWNLOAD, workbook.getvalue())},
                headers=AUTH,
                timeout=120,
            )
            assert loaded.status_code == 200, loaded.text[:2000]
            yield url
    finally:
        store.close()


def _click_link(browser: Browser, css: str, text: str) -> None:
    """Click the link matching `css` whose text is `text`, as a reader picks it by name."""
    links = [e for e in browser.wait_all(css) if browser.text(e).strip() == text]
    assert links, f"no link {text!r} among {css}"
    browser.click(links[0])


def _column(browser: Browser, css: str, column: int) -> list[str]:
    return browser.script(
        f"return Array.from(document.querySelectorAll({css!r}))"
        f".map(tr => tr.cells[{column}] ? tr.cells[{column}].textContent.trim() : '')"
    )


def test_asset_manager_gets_what_applies_to_an_object_type_in_an_area(
    browser: Browser, site: str
) -> None:
    browser.get(site + "/")
    browser.click(browser.find("a[href='/query?voorbeeld=normen-per-imbor-objecttype']"))
    browser.wait_url(site + "/query?voorbeeld=normen-per-imbor-objecttype")
    assert browser.foreign_requests(site) == []
    browser.type(browser.find("#param-objecttype"), "Woongebouw")
    areas = browser.find_all("#param-gebied option")
    (gebouwlocatie,) = [a for a in areas if browser.text(a).strip() == "Gebouwlocatie (plangebied)"]
    browser.click(gebouwlocatie)
    browser.click(browser.find("form.named-query button[type=submit]"))
    rows = browser.wait_all("#results tbody tr")
    assert rows, "the answer has rows"
    assert "Gekozen: Woongebouw" in browser.text(browser.find("form.named-query"))
    headers = [browser.text(e).lower() for e in browser.find_all("#results thead th")]
    # Columns are titled by their descriptions (sparql/normen-per-imbor-objecttype.rq),
    # one that lists its values by its name.
    kind, code = headers.index("soort"), headers.index("code ervan")
    found = set(
        zip(
            _column(browser, "#results tbody tr", kind),
            _column(browser, "#results tbody tr", code),
            strict=True,
        )
    )
    expected = {key for key, period in WOONGEBOUW_AT_GEBOUWLOCATIE.items() if _in_force(period)}
    assert found == expected
    assert browser.foreign_requests(site) == []
    screenshot(browser, "reis-assetbeheerder", 1400)
    # From the answer to the measure itself.
    browser.click(browser.find("#results tbody td a[href$='/id/beleidsmaatregel/BOU-M02']"))
    browser.wait_url(site + "/id/beleidsmaatregel/BOU-M02")
    assert browser.text(browser.find("main h1")) == "Comfort boxes"


def test_policy_officer_changes_a_norm_of_her_theme_through_the_workbook(
    browser: Browser, site: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Her theme, from the home page's list of themes: its norms and its cross-links.
    browser.get(site + "/")
    _click_link(browser, "table.counts a", "Geluid")
    browser.wait_url(site + "/id/beleidsthema/geluid")
    assert browser.text(browser.find("main h1")) == "Geluid"
    sections = {browser.text(e): e for e in browser.find_all("section.section h2")}
    assert "Normen die vandaag gelden" in sections and "Dwarsverbanden" in sections
    norms = browser.script(
        "return Array.from(document.querySelectorAll('section.section'))"
        ".filter(s => s.querySelector('h2').textContent.trim() === 'Normen die vandaag gelden')"
        ".flatMap(s => Array.from(s.querySelectorAll('tbody a')).map(a => a.textContent.trim()))"
    )
    if _in_force(("2024-01-01", "2030-12-31")):  # GEL-N01
        assert "Geluidsdruk gevel maximaal 48 dB(A)" in norms
    if not _in_force(("2020-07-01", "2025-12-31")):  # GEL-N02
        assert "Plandrempel geluidsdruk gevel maximaal 55 dB(A)" not in norms
    edges = browser.script(
        "return Array.from(document.querySelectorAll('section.section svg.network a.edge'))"
        ".map(a => a.getAttribute('aria-label'))"
    )
    assert any("Geluid" in edge for edge in edges), edges
    assert browser.foreign_requests(site) == []

    # The registry as a workbook, downloaded from the workbook page.
    folder = tmp_path_factory.mktemp("downloads")
    allow_downloads(browser, folder)
    _click_link(browser, "header.site nav a", "Werkmap")
    browser.wait_url(site + "/werkmap")
    _click_link(browser, "a[download]", "Het huidige register")
    workbook = downloaded(folder, DOWNLOAD)
    book = load_workbook(workbook)
    sheet = book["beleidsnorm"]
    header = [cell.value for cell in sheet[1]]
    (row,) = [r for r in range(2, sheet.max_row + 1) if _is_norm(sheet, header, r, "GEL-N01")]
    column = {name: header.index(name) + 1 for name in ("waarde", "naam")}
    assert str(sheet.cell(row, column["waarde"]).value) == "48"

    # First with a slip of the keyboard: the page names the sheet, row and column.
    sheet.cell(row, column["waarde"], "4O")
    sheet.cell(row, column["naam"], "Geluidsdruk gevel maximaal 47 dB(A)")
    broken = folder / "eerste poging" / DOWNLOAD
    broken.parent.mkdir()
    book.save(broken)
    _upload(browser, broken)
    assert "niet ingeladen" in _wait_text(browser, "#werkmap-melding.fout")
    problems = browser.script(
        "return Array.from(document.querySelectorAll('#werkmap-problemen tbody tr'))"
        ".map(tr => Array.from(tr.cells).map(td => td.textContent))"
    )
    assert ["fout", "beleidsnorm", str(row), "waarde", "4O"] in [p[:5] for p in problems]
    axe = axe_source()
    if axe is not None:  # the page with its list of problems, too
        assert axe_serious(browser, axe) == []
    screenshot(browser, "reis-werkmap-fout", 1400)
    assert "48 dB(A)" in httpx.get(site + "/id/beleidsnorm/GEL-N01").text  # nothing written

    # Then right, under the same name: the workbook's graph is replaced.
    sheet.cell(row, column["waarde"], 47)
    book.save(workbook)
    _upload(browser, workbook)
    loaded = _wait_text(browser, "#werkmap-melding.ok")
    assert "/graph/excel/krb-export" in loaded, loaded
    assert browser.foreign_requests(site) == []
    screenshot(browser, "reis-werkmap-ingeladen", 1400)

    # The change, on the norm's page, reached through the list of norms.
    _click_link(browser, "#werkmap-klassen a", "Beleidsnorm")
    browser.wait_url(site + "/lijst")
    _click_link(browser, "main table a", "Geluidsdruk gevel maximaal 47 dB(A)")
    browser.wait_url(site + "/id/beleidsnorm/GEL-N01")
    assert browser.text(browser.find("main h1")) == "Geluidsdruk gevel maximaal 47 dB(A)"
    facts = browser.text(browser.find("section.section dl.facts"))
    assert "47" in facts and "48" not in facts, facts
    assert browser.foreign_requests(site) == []


def _is_norm(sheet: Worksheet, header: list[object], row: int, code: str) -> bool:
    """Whether the sheet's `row` is the norm `code` (the code, or an IRI ending in it)."""
    value = str(sheet.cell(row, header.index("code") + 1).value)
    return value == code or value.endswith("/" + code)


def _upload(browser: Browser, workbook: Path) -> None:
    """Send the workbook with the page's form, the token typed in as a user does."""
    chooser = browser.find("#werkmap-bestand")
    browser.command("POST", f"/element/{chooser}/value", {"text": str(workbook)})
    browser.type(browser.find("#werkmap-token"), TOKEN)
    browser.click(browser.find("#werkmap-upload button[type=submit]"))
