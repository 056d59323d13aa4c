"""The web front in a real headless Chromium, driven through chromedriver.

chromedriver speaks the W3C WebDriver protocol (JSON over HTTP), so httpx
is all the test needs: no Selenium, no browser download. The pages are served
by a real uvicorn server on 127.0.0.1 with the demo registry. One screenshot
per page is kept under tests/artifacts/ for a human to look at.

CI installs the browser with:
    apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import free_port, live_server
from test_pages_fixtures import BASE, Registry, build_registry

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(__file__).parent / "artifacts"

NEEDS_BROWSER = [
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="needs Debian's chromium and chromium-driver (apt-get install -y "
        "--no-install-recommends chromium chromium-driver)",
    ),
    pytest.mark.slow,
]
"""The marks of every module driving the browser (``pytestmark = NEEDS_BROWSER``)."""

pytestmark = NEEDS_BROWSER


class Browser:
    """A minimal W3C WebDriver client: just the commands these tests use."""

    def __init__(self, driver_url: str, profile: Path):
        self.http = httpx.Client(base_url=driver_url, timeout=60)
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    f"--user-data-dir={profile}",
                    # No network beyond this machine: every page must work offline.
                    # Loopback never goes through a proxy, everything else goes to a
                    # closed port; names other than localhost do not resolve.
                    "--proxy-server=http://127.0.0.1:9",
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                    "--window-size=1280,1000",
                    # A Dutch reader: pages name things in the Accept-Language
                    # languages, so the tests do not depend on the machine's locale.
                    "--lang=nl",
                    "--accept-lang=nl",
                ],
                "prefs": {"intl.accept_languages": "nl"},
            },
        }
        answer = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = f"/session/{answer['sessionId']}"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.request(method, path, json=body)
        payload = response.json()
        if response.status_code != 200:
            raise AssertionError(f"WebDriver {method} {path}: {payload.get('value')}")
        return payload["value"]

    def command(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call(method, self.session + path, body)

    def get(self, url: str) -> None:
        self.command("POST", "/url", {"url": url})

    @property
    def url(self) -> str:
        return self.command("GET", "/url")

    @property
    def title(self) -> str:
        return self.command("GET", "/title")

    def find(self, css: str) -> str:
        found = self.command("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(found.values()))

    def find_all(self, css: str) -> list[str]:
        found = self.command("POST", "/elements", {"using": "css selector", "value": css})
        return [next(iter(item.values())) for item in found]

    def wait_all(self, css: str, timeout: float = 15) -> list[str]:
        """Elements matching `css`, polling until there is one (pages load after a click)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.find_all(css)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    def wait_url(self, prefix: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while not self.url.startswith(prefix) and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.url

    def text(self, element: str) -> str:
        return self.command("GET", f"/element/{element}/text")

    def click(self, element: str) -> None:
        self.command("POST", f"/element/{element}/click", {})

    def type(self, element: str, text: str) -> None:
        self.command("POST", f"/element/{element}/clear", {})
        self.command("POST", f"/element/{element}/value", {"text": text})

    def script(self, source: str) -> Any:
        """The value of a synchronous script run in the page (`source` uses ``return``)."""
        return self.command("POST", "/execute/sync", {"script": source, "args": []})

    def foreign_requests(self, site: str) -> list[str]:
        """Resources the page loaded (or tried to) from anywhere but `site`."""
        names = self.script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
            ".concat([location.href])"
        )
        return [name for name in names if not name.startswith((site, "data:", "blob:"))]

    def screenshot(self, name: str) -> Path:
        """A full-page PNG: the window is stretched to the document height first."""
        height = self.command(
            "POST",
            "/execute/sync",
            {"script": "return document.documentElement.scrollHeight", "args": []},
        )
        self.command("POST", "/window/rect", {"width": 1280, "height": min(int(height) + 40, 6000)})
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        path.write_bytes(base64.b64decode(self.command("GET", "/screenshot")))
        self.command("POST", "/window/rect", {"width": 1280, "height": 1000})
        return path

    def quit(self) -> None:
        try:
            self.http.delete(self.session)
        finally:
            self.http.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    port = free_port()
    log = tmp_path_factory.mktemp("chromedriver") / "chromedriver.log"
    process = subprocess.Popen(
        [str(CHROMEDRIVER), f"--port={port}", f"--log-path={log}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    driver_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(driver_url + "/status", timeout=1).json()["value"]["ready"]:
                    break
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"chromedriver did not start; see {log}")
            time.sleep(0.1)
        session = Browser(driver_url, tmp_path_factory.mktemp("chromium-profile"))
        try:
            yield session
        finally:
            session.quit()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


LINES = "Eerste regel\nTweede regel\n\n  ingesprongen"
"""A text of several lines, as a description pasted from a policy document holds."""


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """The demo, with a note of several lines on GEL-N01."""
    note = f"<{BASE}/id/beleidsnorm/GEL-N01> <http://www.w3.org/2000/01/rdf-schema#comment> "
    built = build_registry(
        tmp_path_factory.mktemp("registry"),
        {f"{BASE}/graph/regels": note + '"""' + LINES + '"""@nl .'},
    )
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def site(registry) -> Iterator[str]:
    with live_server(registry.app) as url:
        yield url


def test_home_page_shows_counts_and_entry_points(browser: Browser, site: str) -> None:
    browser.get(site + "/")
    assert "Kernregistratie Beleid" in browser.title
    groups = [browser.text(e) for e in browser.find_all(".group h2")]
    assert groups == ["Beleidsmedewerker", "Onderzoeker", "Assetbeheerder"]
    counts = {
        browser.text(row).rsplit(" ", 1)[0]: browser.text(row).rsplit(" ", 1)[1]
        for row in browser.find_all("table.counts tbody tr")[:15]
    }
    assert int(counts["Beleidsnormen"]) > 5
    browser.screenshot("home")


def test_norm_page_and_following_a_link(browser: Browser, site: str) -> None:
    browser.get(site + "/id/beleidsnorm/GEL-N01")
    heading = browser.text(browser.find("h1"))
    assert "48" in heading
    facts = browser.text(browser.find("section.section dl.facts"))
    assert "Geluidsdruk gevel" in facts and "Geluid" in facts
    # The type badges stand clear below the site header, not against it.
    gap = browser.script(
        "return document.querySelector('.types').getBoundingClientRect().top"
        " - document.querySelector('header.site').getBoundingClientRect().bottom;"
    )
    assert gap >= 12, gap
    browser.screenshot("norm")
    indicator = browser.find("section.section dl.facts dd a")
    browser.click(indicator)
    assert browser.wait_url(site + "/id/beleidsindicator/").startswith(
        site + "/id/beleidsindicator/"
    )
    assert "Beleidsindicator" in browser.text(browser.find(".types"))
    # A reader who asks for English gets the English names where there are any.
    browser.get(browser.url + "?lang=en")
    assert "Policy indicator" in browser.text(browser.find(".types"))


def test_a_text_of_several_lines_keeps_its_lines(browser: Browser, site: str) -> None:
    """Line breaks were lost on the pages: a note read as one run-on line."""
    browser.get(site + "/id/beleidsnorm/GEL-N01")
    shown = browser.script(
        "return [...document.querySelectorAll('.literal')]"
        ".map(e => e.innerText).find(t => t.startsWith('Eerste regel'));"
    )
    assert shown == LINES


def test_query_page_runs_a_query_from_the_form(browser: Browser, site: str) -> None:
    browser.get(site + "/query")
    editor = browser.find("#query-text")
    browser.type(
        editor,
        "PREFIX krb: <https://data.krb.nl/def/krb#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?norm ?naam WHERE { ?norm a krb:Beleidsnorm ; rdfs:label ?naam } ORDER BY ?naam",
    )
    browser.click(browser.find("form.editor button[type=submit]"))
    headers = [browser.text(e).lower() for e in browser.wait_all("#results thead th")]
    assert headers == ["norm", "naam"]
    names = [browser.text(e) for e in browser.find_all("#results tbody tr td:nth-child(2)")]
    assert "Geluidsdruk gevel maximaal 48 dB(A)" in names
    assert names == sorted(names)
    browser.screenshot("query")


def test_example_query_link_fills_the_editor(browser: Browser, site: str) -> None:
    browser.get(site + "/query")
    browser.click(browser.find('.examples a[href="/query?voorbeeld=dwarsverbanden-netwerk"]'))
    browser.wait_url(site + "/query?voorbeeld=")
    text = browser.command(
        "POST",
        "/execute/sync",
        {"script": "return document.getElementById('query-text').value", "args": []},
    )
    assert "dwarsverbanden" in text.lower() and "SELECT" in text


def test_dwarsverbanden_network_links_to_measures(browser: Browser, site: str) -> None:
    browser.get(site + "/dwarsverbanden")
    edges = browser.find_all("svg.network a.edge")
    assert edges, "the network has cross-links"
    browser.screenshot("dwarsverbanden")
    browser.get(
        site
        + browser.command(
            "POST",
            "/execute/sync",
            {
                "script": "return document.querySelector('svg.network a.edge')"
                ".getAttribute('href')",
                "args": [],
            },
        )
    )
    cells = [browser.text(e) for e in browser.find_all("table tbody tr td:first-child")]
    assert cells, "an edge leads to at least one measure"
    kinds = {browser.text(e) for e in browser.find_all("table tbody tr td:nth-child(4)")}
    assert kinds and kinds <= {"effect op norm", "effect op indicator", "uitvoering van regel"}
    browser.screenshot("dwarsverband-maatregelen")


def test_search_and_scheme_tree(browser: Browser, site: str) -> None:
    browser.get(site + "/")
    box = browser.find("#zoek-q")
    browser.type(box, "beleving")
    browser.click(browser.find("form.search button"))
    hits = [browser.text(e) for e in browser.wait_all("ul.hits a")]
    assert "Aantrekkelijke beleving op ooghoogte" in hits
    browser.screenshot("zoeken")
    browser.get(
        site + "/begrippen?schema=https%3A%2F%2Fdata.krb.nl%2Fid%2Fconceptschema%2Fleefomgeving"
    )
    expanders = browser.find_all("a.expand")
    assert len(expanders) > 10
    browser.click(expanders[0])
    assert browser.wait_all("details[open] ul.tree li")
    browser.screenshot("leefomgeving")


def test_api_docs_render_their_operations_without_network(browser: Browser, site: str) -> None:
    """Swagger UI and ReDoc come from the service itself: the operations show offline."""
    browser.get(site + "/docs")
    operations = browser.wait_all(".opblock .opblock-summary-path")
    paths = {browser.text(e).replace("\u200b", "") for e in operations}
    assert {"/api/dwarsverbanden", "/api/export/excel"} <= paths, sorted(paths)
    assert browser.foreign_requests(site) == []
    browser.screenshot("api-docs")
    browser.get(site + "/redoc")
    assert len(browser.wait_all("[data-section-id^='operation/']", timeout=30)) > 5
    # ReDoc's bundle asked for its maker's logo from a CDN (refused by the policy, with
    # an error in the console); the service's own icon takes its place.
    assert browser.foreign_requests(site) == []
    logo = browser.script("return document.querySelector('img[alt=\"redocly logo\"]')?.src")
    assert logo == site + "/static/api-docs/favicon.png"
    for page in ("/docs", "/redoc"):
        policy = httpx.get(site + page).headers["content-security-policy"]
        assert "http" not in policy and "*" not in policy, policy
    browser.screenshot("api-redoc")


NETWORK_TEXT_SIZES = """
return Array.from(document.querySelectorAll('svg.network text')).map(text => {
  const scale = text.ownerSVGElement.getScreenCTM().a;
  return [text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale];
});
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_network_text_is_at_least_12px_and_focus_shows_counts(
    browser: Browser, site: str, width: int
) -> None:
    browser.command("POST", "/window/rect", {"width": width, "height": 1000})
    try:
        browser.get(site + "/dwarsverbanden")
        sizes = browser.script(NETWORK_TEXT_SIZES)
        assert sizes, "the network has text"
        small = [(text, round(size, 1)) for text, size in sizes if size < 12]
        assert small == [], small
        hidden = browser.script(
            "const c = document.querySelector('svg.network a.edge .edge-count');"
            "return getComputedStyle(c).opacity"
        )
        assert hidden == "0"
        shown = browser.script(
            "const a = document.querySelector('svg.network a.edge'); a.focus();"
            "return [document.activeElement === a,"
            " getComputedStyle(a.querySelector('.edge-count')).opacity,"
            " a.querySelector('.edge-count').textContent]"
        )
        assert shown[0] is True and shown[1] == "1" and "maatregel" in shown[2]
        browser.screenshot(f"dwarsverbanden-{width}")
    finally:
        browser.command("POST", "/window/rect", {"width": 1280, "height": 1000})


def test_theme_page_shows_norms_and_the_network_around_it(browser: Browser, site: str) -> None:
    browser.get(site + "/id/beleidsthema/geluid")
    headings = [browser.text(e) for e in browser.find_all("section.section h2")]
    assert headings[:4] == [
        "Indicatoren",
        "Normen die vandaag gelden",
        "Maatregelen",
        "Dwarsverbanden",
    ]
    assert browser.find_all("section.section svg.network a.edge")
    assert browser.foreign_requests(site) == []
    browser.screenshot("thema-geluid")


def test_area_page_shows_its_map(browser: Browser, site: str) -> None:
    browser.get(site + "/id/werkingsgebied/WK999902")
    size = browser.script(
        "const r = document.querySelector('svg.area-map').getBoundingClientRect();"
        " return [r.width, r.height];"
    )
    assert size[0] > 300 and size[1] > 150, size
    browser.screenshot("gebied-kaart")


@pytest.fixture(scope="module")
def writable_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second service, with the model only and a write token, to upload workbooks into."""
    from live_server import served
    from test_sparql_support import empty_store

    from krbgraph.store import ensure_model

    store, settings = empty_store(tmp_path_factory.mktemp("werkmap-upload"))
    ensure_model(store)
    with served(store, settings) as url:
        yield url


def _upload_in_page(browser: Browser, site: str, workbook: Path, token: str) -> None:
    """Fill in and send the form of /werkmap as a user would."""
    browser.get(site + "/werkmap")
    chooser = browser.find("#werkmap-bestand")
    browser.command("POST", f"/element/{chooser}/value", {"text": str(workbook)})
    browser.type(browser.find("#werkmap-token"), token)
    browser.click(browser.find("#werkmap-upload button[type=submit]"))


def _wait_text(browser: Browser, css: str, timeout: float = 60) -> str:
    """The text of `css` once it is shown (the upload is checked against SHACL first)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in browser.find_all(css) if browser.text(e).strip()]
        if found or time.monotonic() > deadline:
            return browser.text(found[0]) if found else ""
        time.sleep(0.2)


def test_workbook_page_downloads_template_and_registry(browser: Browser, site: str) -> None:
    browser.get(site + "/")
    browser.click(browser.find("a[href='/werkmap']"))
    assert browser.wait_url(site + "/werkmap") == site + "/werkmap"
    hrefs = browser.script(
        "return Array.from(document.querySelectorAll('a[download]')).map(a => a.href)"
    )
    for href in hrefs:
        answer = httpx.get(href, timeout=60)
        assert answer.status_code == 200, href
        assert answer.headers["content-type"].startswith("application/vnd.openxmlformats"), href
    assert {site + "/werkmap/sjabloon.xlsx", site + "/api/export/excel"} <= set(hrefs)
    assert browser.foreign_requests(site) == []


def test_workbook_upload_shows_each_problem_then_loads_the_repaired_one(
    browser: Browser, site: str, writable_site: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A policy officer edits the registry's own export, uploads it, and sees what happened."""
    import io

    from openpyxl import load_workbook
    from test_sparql_support import TOKEN

    folder = tmp_path_factory.mktemp("werkmappen")
    exported = httpx.get(site + "/api/export/excel", timeout=60).content
    good = folder / "beleid.xlsx"
    good.write_bytes(exported)
    book = load_workbook(io.BytesIO(exported))
    sheet = book["beleidsnorm"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("indicator") + 1, value="GEL-BESTAAT-NIET")
    broken = folder / "kapot" / "beleid.xlsx"
    broken.parent.mkdir()
    book.save(broken)

    _upload_in_page(browser, writable_site, broken, "fout-token")
    assert "token ontbreekt of is onjuist" in _wait_text(browser, "#werkmap-melding.fout")

    _upload_in_page(browser, writable_site, broken, TOKEN)
    assert "niet ingeladen" in _wait_text(browser, "#werkmap-melding.fout")
    rows = browser.script(
        "return Array.from(document.querySelectorAll('#werkmap-problemen tbody tr'))"
        ".map(tr => Array.from(tr.cells).map(td => td.textContent))"
    )
    cells = [row[:5] for row in rows]
    assert ["fout", "beleidsnorm", "2", "indicator", "GEL-BESTAAT-NIET"] in cells, rows
    assert httpx.get(writable_site + "/id/beleidsnorm/GEL-N01").status_code == 404
    browser.screenshot("werkmap-problemen")

    _upload_in_page(browser, writable_site, good, TOKEN)
    loaded = _wait_text(browser, "#werkmap-melding.ok")
    assert "/graph/excel/beleid" in loaded and "triples" in loaded, loaded
    assert httpx.get(writable_site + "/id/beleidsnorm/GEL-N01").status_code == 200
    assert browser.foreign_requests(writable_site) == []
    browser.screenshot("werkmap-ingeladen")


def test_named_query_form_runs_and_wide_results_scroll_sideways(
    browser: Browser, site: str
) -> None:
    browser.get(site + "/query?voorbeeld=geldig-op")
    assert browser.script("return document.querySelector('#param-datum').type") == "date"
    browser.script("document.querySelector('#param-datum').value = '2025-06-01'")
    browser.click(browser.find("form.named-query button[type=submit]"))
    headings = [browser.text(e) for e in browser.wait_all("#results thead th")]
    assert headings[:2] == ["SOORT", "DE NORM OF REGEL"], headings
    assert "p.datum=2025-06-01" in browser.url
    csv_link = browser.find(".downloads a[href*='format=csv']")
    assert (
        httpx.get(browser.command("GET", f"/element/{csv_link}/property/href")).status_code == 200
    )
    browser.command("POST", "/window/rect", {"width": 390, "height": 1000})
    try:
        sizes = browser.script(
            "const box = document.querySelector('.results .table-scroll');"
            "return [box.scrollWidth, box.clientWidth,"
            " document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert sizes[0] > sizes[1], sizes  # the table scrolls inside its box...
        assert sizes[2] <= sizes[3], sizes  # ...and the page itself does not
        browser.screenshot("query-formulier")
    finally:
        browser.command("POST", "/window/rect", {"width": 1280, "height": 1000})
