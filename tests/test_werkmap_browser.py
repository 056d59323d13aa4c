"""The /werkmap page in a real headless Chromium, on the registry `krb serve --demo`
serves: what a policy officer sees after an upload, and the graph she works in.

A. The page names the measurements graph the sheet metingen replaced, how many
   measurements it holds now and held before, and makes an emptied sheet (every
   measurement removed) stand out; it says when the policy graph did not change.
B. A bad row on the sheet metingen and a problem the shapes find in a policy sheet are
   shown together.
C. One demo graph, chosen on the page, downloaded and uploaded back unchanged, loads.
D. A token the browser cannot put in a header (a ’ pasted from a mail) and a token of
   spaces are named as such, and nothing is sent; a request that gets no answer is
   still told as that.

One browser session and one server for the module (the WebDriver client and its
fixture are test_browser_pages'); the API's answers are tested in-process in
test_werkmap_upload_answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_support import allow_downloads, axe_source, downloaded, resize, serious_violations
from live_server import live_server
from test_browser_pages import NEEDS_BROWSER, Browser, _wait_text, browser
from test_sparql_support import BASE, TOKEN
from test_werkmap_support import served_demo, workbook

from krbgraph.web.app import create_app

__all__ = ["browser"]  # the WebDriver fixture, used by name

pytestmark = NEEDS_BROWSER

GELUID = f"{BASE}/graph/geluid"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store, settings = served_demo(tmp_path_factory.mktemp("werkmap-browser"))
    try:
        with live_server(create_app(settings, store=store)) as url:
            yield url
    finally:
        store.close()


def _send(browser: Browser, path: Path, token: str = TOKEN) -> None:
    """Fill in the upload form of the page shown and send it, as a user would."""
    chooser = browser.find("#werkmap-bestand")
    browser.command("POST", f"/element/{chooser}/value", {"text": str(path)})
    browser.type(browser.find("#werkmap-token"), token)
    browser.click(browser.find("#werkmap-upload button[type=submit]"))


def _result(browser: Browser, timeout: float = 120) -> dict[str, Any]:
    """What the result box shows, once it is shown and the upload is over."""
    deadline = time.monotonic() + timeout
    while True:
        shown: dict[str, Any] = browser.script(
            "const box = document.getElementById('werkmap-resultaat');"
            "const measured = document.getElementById('werkmap-metingen');"
            "return {hidden: box.hidden,"
            " busy: !document.getElementById('werkmap-bezig').hidden,"
            " title: document.getElementById('werkmap-resultaat-kop').textContent,"
            " message: document.getElementById('werkmap-melding').textContent,"
            " kind: document.getElementById('werkmap-melding').className,"
            " measurements: measured && !measured.hidden ? measured.textContent : null,"
            " alarm: measured ? measured.className : null,"
            " rows: Array.from(document.querySelectorAll('#werkmap-problemen tbody tr'))"
            "   .map(tr => Array.from(tr.cells).map(td => td.textContent))}"
        )
        if not shown["hidden"] and not shown["busy"]:
            return shown
        if time.monotonic() > deadline:
            raise AssertionError(f"no result on the page: {shown}")
        time.sleep(0.2)


def _wait_until(browser: Browser, condition: str, failure: str, timeout: float = 60) -> None:
    """Wait until the page's JavaScript ``condition`` holds, or fail with ``failure``."""
    deadline = time.monotonic() + timeout
    while not browser.script(f"return {condition}"):
        assert time.monotonic() < deadline, failure
        time.sleep(0.2)


def _import_requests(browser: Browser) -> int:
    """Requests to the import API the page made (or tried) since it was loaded."""
    count: int = browser.script(
        "return performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/api/import/excel')).length"
    )
    return count


# C


def test_one_demo_graph_chosen_downloaded_and_uploaded_back_unchanged(
    browser: Browser, site: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("downloads")
    allow_downloads(browser, folder)
    browser.get(site + "/werkmap")
    browser.click(browser.find(f"#werkmap-graaf option[value='{GELUID}']"))
    link = browser.find("#werkmap-export")
    assert browser.text(link) == "De gekozen graaf"
    assert GELUID in browser.text(browser.find("#werkmap-doel"))
    browser.click(link)
    download = downloaded(folder, "krb-export.xlsx")

    assert browser.script("return document.getElementById('werkmap-export-meldingen').hidden")

    _send(browser, download)
    shown = _result(browser)
    assert (shown["title"], shown["kind"]) == ("Ingeladen", "ok"), shown
    assert f"Graaf {GELUID} is ongewijzigd" in shown["message"], shown
    # The answer has the focus (the button that sent it was disabled meanwhile, and the
    # focus fell to the page) and is announced by the region that was there all along.
    assert browser.script("return document.activeElement.id") == "werkmap-resultaat-kop"
    announced = browser.script("return document.getElementById('werkmap-aankondiging').textContent")
    assert announced.startswith("Ingeladen. ") and GELUID in announced, announced
    assert browser.url == site + "/werkmap?graaf=" + GELUID.replace(":", "%3A").replace("/", "%2F")


def test_a_download_of_the_whole_registry_says_what_the_workbook_leaves_out(
    browser: Browser, site: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The demo's realised effects and data sources fit no sheet: the export counted
    them in a header no browser shows, and the page said the workbook held "everything
    in the registry"; the user learnt it from a refused upload after the editing."""
    folder = tmp_path_factory.mktemp("downloads-all")
    allow_downloads(browser, folder)
    browser.get(site + "/werkmap")
    browser.click(browser.find("#werkmap-export"))
    download = downloaded(folder, "krb-export.xlsx")
    said = httpx.get(site + "/api/export/excel/meldingen", timeout=60).json()
    assert said["total"] == len(said["warnings"]) > 0
    exported = httpx.get(site + "/api/export/excel", timeout=60)
    assert exported.headers["X-KRB-Export-Warnings"] == str(said["total"])
    assert download.read_bytes()[:2] == b"PK"
    _wait_until(browser, "!document.getElementById('werkmap-export-meldingen').hidden",
                "nothing said about what the workbook leaves out")  # fmt: skip
    listed = browser.script(
        "return Array.from(document.querySelectorAll('#werkmap-export-lijst li'))"
        ".map(li => li.textContent)"
    )
    assert listed == [w["message_nl"] for w in said["warnings"]]
    summary = browser.text(browser.find("#werkmap-export-samenvatting"))
    assert "niet alles van het register" in summary and str(said["total"]) in summary, summary
    announced = browser.script("return document.getElementById('werkmap-aankondiging').textContent")
    assert announced == summary  # told by the status region that was there all along


def test_a_second_click_during_a_download_starts_no_second_export(
    browser: Browser, site: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A whole-registry export takes seconds with no sign of it: a user who clicked
    again got two exports (two files, the service's work twice)."""
    folder = tmp_path_factory.mktemp("downloads-twice")
    allow_downloads(browser, folder)
    browser.get(site + "/werkmap")
    browser.click(browser.find(f"#werkmap-graaf option[value='{GELUID}']"))
    during = browser.script(
        "const link = document.getElementById('werkmap-export');"
        "link.click(); link.click();"
        "return {busy: !document.getElementById('werkmap-export-bezig').hidden,"
        " disabled: link.getAttribute('aria-disabled')}"
    )
    assert during == {"busy": True, "disabled": "true"}
    downloaded(folder, "krb-export.xlsx")
    _wait_until(browser, "document.getElementById('werkmap-export-bezig').hidden",
                "the download never ended on the page")  # fmt: skip
    exports = browser.script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => n.includes('/api/export/excel') && !n.includes('/meldingen')).length"
    )
    assert exports == 1
    assert (
        browser.script(
            "return document.getElementById('werkmap-export').getAttribute('aria-disabled')"
        )
        is None
    )
    announced = browser.script("return document.getElementById('werkmap-aankondiging').textContent")
    assert announced == "De werkmap is klaar en opgeslagen."


def test_what_a_download_leaves_out_names_what_was_downloaded_not_the_choice_since(
    browser: Browser, site: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("downloads-switch")
    allow_downloads(browser, folder)
    browser.get(site + "/werkmap")
    browser.script(
        "document.getElementById('werkmap-export').click();"
        "const choice = document.getElementById('werkmap-graaf');"
        f"choice.value = '{GELUID}';"
        "choice.dispatchEvent(new Event('change', {bubbles: true}));"
    )
    downloaded(folder, "krb-export.xlsx")
    _wait_until(browser, "!document.getElementById('werkmap-export-meldingen').hidden",
                "nothing said about what the workbook leaves out")  # fmt: skip
    summary = browser.text(browser.find("#werkmap-export-samenvatting"))
    assert "niet alles van het register" in summary, summary
    assert GELUID not in summary


# A


def test_the_page_says_what_became_of_the_measurements(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    measured = f"{BASE}/graph/excel/proefmetingen/metingen"
    browser.get(site + "/werkmap")
    _send(browser, workbook(tmp_path / "1" / "proefmetingen.xlsx", [2023, 2024], number=3))
    shown = _result(browser)
    assert shown["kind"] == "ok", shown
    assert shown["measurements"] == (
        f"Metingen: graaf {measured} bevat nu 2 metingen (voor het inladen: 0)."
    )
    assert shown["alarm"] == ""

    browser.get(site + "/werkmap")
    _send(browser, workbook(tmp_path / "2" / "proefmetingen.xlsx", [], number=3))
    shown = _result(browser)
    assert shown["kind"] == "ok", shown
    assert "is ongewijzigd" in shown["message"], shown
    assert shown["measurements"] == (
        f"Let op: het blad metingen was leeg, dus graaf {measured} is leeggemaakt: "
        "2 metingen verwijderd."
    )
    assert shown["alarm"] == "error-box"  # set apart from the green "ingeladen"


# B


def test_a_bad_measurement_and_a_policy_problem_are_shown_together(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    browser.get(site + "/werkmap")
    path = workbook(tmp_path / "kring.xlsx", [2024], number=4, cycle=True, unknown_indicator=True)
    _send(browser, path)
    shown = _result(browser)
    assert shown["kind"] == "fout" and shown["measurements"] is None, shown
    assert shown["message"].startswith("De werkmap kring.xlsx is niet ingeladen"), shown
    places = {(row[0], row[1], row[3]) for row in shown["rows"]}
    assert ("fout", "werkingsgebieden", "ligt_in") in places, shown["rows"]
    assert ("fout", "metingen", "indicator") in places, shown["rows"]
    assert browser.script("return document.activeElement.id") == "werkmap-resultaat-kop"


def test_the_problems_of_a_refused_upload_on_a_phone_scroll_by_keyboard_too(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    """At 375 px the problems table scrolls sideways in its box; a row without a link
    left a keyboard nothing to scroll it by (axe: scrollable-region-focusable)."""
    axe = axe_source()
    if axe is None:
        pytest.skip("axe-core is not installed (make axe)")
    resize(browser, 375, 800)
    try:
        browser.get(site + "/werkmap")
        path = workbook(
            tmp_path / "kring.xlsx", [2024], number=4, cycle=True, unknown_indicator=True
        )
        _send(browser, path)
        assert _result(browser)["kind"] == "fout"
        assert serious_violations(browser, axe) == []
        wide = browser.script(
            "const box = document.querySelector('#werkmap-resultaat .table-scroll');"
            "return [box.scrollWidth > box.clientWidth, box.tabIndex,"
            " document.scrollingElement.scrollWidth <= window.innerWidth]"
        )
        assert wide == [True, 0, True], wide
    finally:
        resize(browser, 1280, 1000)


# D


def test_a_token_the_browser_cannot_send_is_named_and_nothing_is_sent(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    browser.get(site + "/werkmap")
    _send(browser, workbook(tmp_path / "w.xlsx", [], number=5), TOKEN + "\u2019")  # from a mail
    message = _wait_text(browser, "#werkmap-melding.fout", timeout=10)
    assert "Het token bevat het teken \u2019 (op plaats 7 van 7)" in message, message
    assert "Er is niets verzonden" in message and "geen antwoord" not in message
    assert _import_requests(browser) == 0


def test_a_token_of_spaces_is_named_and_nothing_is_sent(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    browser.get(site + "/werkmap")
    _send(browser, workbook(tmp_path / "w.xlsx", [], number=5), "   ")
    message = _wait_text(browser, "#werkmap-melding.fout", timeout=10)
    assert "Het token bestaat alleen uit spaties" in message, message
    assert "Er is niets verzonden" in message
    assert _import_requests(browser) == 0


def test_a_request_that_gets_no_answer_is_still_told_as_that(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    """Here the page's own security policy stops the request, as a network failure would."""
    browser.get(site + "/werkmap")
    browser.script(
        "document.getElementById('werkmap-upload').dataset.importUrl ="
        " 'http://127.0.0.1:9/api/import/excel'"
    )
    _send(browser, workbook(tmp_path / "w.xlsx", [], number=5))
    assert "De server gaf geen antwoord" in _wait_text(browser, "#werkmap-melding.fout")
