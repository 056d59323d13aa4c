"""The dwarsverbanden pages on a peildatum (``?datum=``): the cross-links as they were, or
will be, on a day.

The demo registry plus a graph of its own: two measures of Groen with an effect on a
Geluid norm, one in force through 2079 and one through 2080, so the arrow Groen ->
Geluid exists on those days only and is carried by another measure in each year. The
pages are checked against the named queries they are drawn from
(dwarsverbanden-netwerk, dwarsverbanden-themas, web-dwarsverband-maatregelen) on
every day where some cross-link begins or ends, and every link between the pages
keeps the date and answers.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import AXE_MISSING, axe_source, resize, screenshot, serious_violations
from fastapi.testclient import TestClient
from test_browser_pages import NEEDS_BROWSER, Browser, browser, site
from test_pages_fixtures import BASE, Registry, build_registry

from krbgraph.derived import refresh
from krbgraph.registry_day import today as registry_today
from krbgraph.web import aggregates

GRAPH = f"{BASE}/graph/dwarsverband-op-datum"
GROEN, GELUID = f"{BASE}/id/beleidsthema/groen", f"{BASE}/id/beleidsthema/geluid"
OLD, NEW = f"{BASE}/id/beleidsmaatregel/TST-M01", f"{BASE}/id/beleidsmaatregel/TST-M02"
OLD_YEAR, NEW_YEAR = 2079, 2080
"""Far ahead, so "today" (the default) is before both for the life of this test."""

TURTLE = f"""
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> .

<{BASE}/id/beleidsnorm/TST-N01> a krb:Beleidsnorm ;
    rdfs:label "Gevelnorm van later"@nl ;
    dct:identifier "TST-N01" ;
    krb:indicator <{BASE}/id/beleidsindicator/GEL-I01> ;
    krb:operator <https://data.krb.nl/id/begrip/normoperator/maximaal> ;
    qudt:numericValue 45.0 ; qudt:hasUnit unit:DeciB_A ;
    krb:werkingsgebied <{BASE}/id/werkingsgebied/GM9999> ;
    dct:temporal [ a dct:PeriodOfTime ;
        dcat:startDate "{OLD_YEAR}-01-01"^^xsd:date ; dcat:endDate "2090-12-31"^^xsd:date ] .

<{OLD}> a krb:Beleidsmaatregel ;
    rdfs:label "Geluidsschermen van groen"@nl ;
    dct:identifier "TST-M01" ;
    krb:beleidsthema <{GROEN}> ;
    krb:werkingsgebied <{BASE}/id/werkingsgebied/GM9999> ;
    dct:temporal [ a dct:PeriodOfTime ;
        dcat:startDate "{OLD_YEAR}-01-01"^^xsd:date ; dcat:endDate "{OLD_YEAR}-12-31"^^xsd:date ] .

<{BASE}/id/beoogd-effect/TST-E01> a krb:BeoogdEffect ;
    rdfs:label "Schermen op de gevelnorm"@nl ;
    dct:identifier "TST-E01" ;
    krb:maatregel <{OLD}> ;
    krb:norm <{BASE}/id/beleidsnorm/TST-N01> ;
    qudt:numericValue -2.0 ; qudt:hasUnit unit:DeciB_A .

<{NEW}> a krb:Beleidsmaatregel ;
    rdfs:label "Groene geluidswallen"@nl ;
    dct:identifier "TST-M02" ;
    krb:beleidsthema <{GROEN}> ;
    krb:werkingsgebied <{BASE}/id/werkingsgebied/GM9999> ;
    dct:temporal [ a dct:PeriodOfTime ;
        dcat:startDate "{NEW_YEAR}-01-01"^^xsd:date ; dcat:endDate "{NEW_YEAR}-12-31"^^xsd:date ] .

<{BASE}/id/beoogd-effect/TST-E02> a krb:BeoogdEffect ;
    rdfs:label "Wallen op de gevelnorm"@nl ;
    dct:identifier "TST-E02" ;
    krb:maatregel <{NEW}> ;
    krb:norm <{BASE}/id/beleidsnorm/TST-N01> ;
    qudt:numericValue -3.0 ; qudt:hasUnit unit:DeciB_A .
"""

SVG = "{http://www.w3.org/2000/svg}"

__all__ = ["browser", "site"]  # the WebDriver and live-server fixtures (on this registry)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_registry(tmp_path_factory.mktemp("dwarsverbanden-op-datum"), {GRAPH: TURTLE})
    refresh(built.store)  # the derived dates in force of the new links
    yield built
    built.store.close()


class Main(HTMLParser):
    """What ``<main>`` of a page holds: its links (SVG ones too) and its table rows, each
    cell with its text and the hrefs in it."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.rows: list[list[tuple[str, list[str]]]] = []
        self._in_main = False
        self._href: str | None = None
        self._link_text: list[str] = []
        self._cell: tuple[list[str], list[str]] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "main":
            self._in_main = True
        if not self._in_main:
            return
        if tag == "a" and values.get("href"):
            self._href, self._link_text = values["href"], []
            if self._cell is not None:
                self._cell[1].append(values["href"] or "")
        elif tag == "tr":
            self.rows.append([])
        elif tag == "td":
            self._cell = ([], [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main = False
        elif tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text).strip()))
            self._href = None
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append(("".join(self._cell[0]).strip(), self._cell[1]))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._link_text.append(data)
        if self._cell is not None:
            self._cell[0].append(data)


def svg_of(html: str) -> ET.Element:
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return ET.fromstring(html[start:end])


def network_page(client: TestClient, day: str | None) -> str:
    response = client.get("/dwarsverbanden", params={"datum": day} if day else {})
    assert response.status_code == 200, response.text
    return response.text


def page_edges(html: str) -> dict[tuple[str, str], tuple[int, int]]:
    """The table of connections: (from, to) -> (measures, links)."""
    rows = [row for row in Main(html).rows if len(row) == 4]
    return {(row[0][0], row[1][0]): (int(row[2][0]), int(row[3][0])) for row in rows}


def svg_edges(html: str) -> dict[tuple[str, str], tuple[int, int]]:
    """The arrows' tooltips: "A → B: 1 maatregel(en), 2 koppeling(en)"."""
    found = {}
    for link in svg_of(html).iter(f"{SVG}a"):
        if link.get("class") != "edge":
            continue
        title = link.find(f"{SVG}title").text or ""
        match = re.fullmatch(r"(.+) → (.+): (\d+) maatregel\(en\), (\d+) koppeling\(en\)", title)
        assert match, title
        found[(match[1], match[2])] = (int(match[3]), int(match[4]))
    return found


def svg_nodes(html: str) -> dict[str, tuple[int, int, int]]:
    """The circles' tooltips: theme -> (indicators, norms in force, measures)."""
    found = {}
    for link in svg_of(html).iter(f"{SVG}a"):
        if link.get("class") != "node":
            continue
        title = link.find(f"{SVG}title").text or ""
        match = re.fullmatch(
            r"(.+): (\d+) indicator\(en\), (\d+) geldende norm\(en\), (\d+) maatregel\(en\)", title
        )
        assert match, title
        found[match[1]] = (int(match[2]), int(match[3]), int(match[4]))
    return found


def named(client: TestClient, name: str, **params: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/queries/{name}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def days_where_links_change(registry: Registry) -> list[str]:
    """Every day on which a cross-link begins or ends, and the days either side."""
    rows = registry.store.query(
        """PREFIX krb: <https://data.krb.nl/def/krb#>
        SELECT DISTINCT ?d WHERE {
          ?link krb:maatregel ?measure .
          { ?link krb:geldigVanaf ?d } UNION { ?link krb:geldigTot ?d }
        }"""
    ).rows
    days = {date.fromisoformat(str(row[0])) for row in rows}
    around = {day + timedelta(days=step) for day in days for step in (-1, 0, 1)}
    return sorted(day.isoformat() for day in around)


# ----------------------------------------------------------------- in force or not


@pytest.mark.parametrize(
    ("day", "measure"),
    [
        (f"{OLD_YEAR - 1}-12-31", None),
        (f"{OLD_YEAR}-01-01", OLD),
        (f"{OLD_YEAR}-07-01", OLD),
        (f"{OLD_YEAR}-12-31", OLD),
        (f"{NEW_YEAR}-01-01", NEW),
        (f"{NEW_YEAR}-12-31", NEW),
        (f"{NEW_YEAR + 1}-01-01", None),
        (None, None),  # today: before both
    ],
)
def test_an_arrow_is_drawn_on_the_days_its_effect_is_in_force_only(
    client: TestClient, day: str | None, measure: str | None
) -> None:
    html = network_page(client, day)
    drawn = ("Groen", "Geluid") in svg_edges(html)
    listed = ("Groen", "Geluid") in page_edges(html)
    assert drawn == listed == (measure is not None), day
    params = {"bron": GROEN, "doel": GELUID, **({"datum": day} if day else {})}
    behind = client.get("/dwarsverbanden/maatregelen", params=params)
    assert behind.status_code == 200
    measures = {href for row in Main(behind.text).rows if row for href in row[0][1]}
    expected = {measure.removeprefix(BASE)} if measure else set()
    assert measures == expected, day


def test_an_ended_arrow_of_the_demo_is_there_before_its_end_only(client: TestClient) -> None:
    """Geluid's measures reached Gezondheid until the end of 2025 (the actieplan's)."""
    assert ("Geluid", "Gezondheid") in page_edges(network_page(client, "2025-12-31"))
    assert ("Geluid", "Gezondheid") not in page_edges(network_page(client, "2026-01-01"))
    assert ("Geluid", "Gezondheid") not in page_edges(network_page(client, None))


# ------------------------------------------------------------- the named queries' counts


def test_the_counts_are_the_named_queries_answer_on_every_day_a_link_changes(
    client: TestClient, registry: Registry
) -> None:
    days = days_where_links_change(registry)
    assert f"{NEW_YEAR}-12-31" in days and "2025-12-31" in days
    for day in days:
        html = network_page(client, day)
        answer = {
            (r["bron_label"], r["doel_label"]): (r["maatregelen"], r["koppelingen"])
            for r in named(client, "dwarsverbanden-netwerk", datum=day)
        }
        assert page_edges(html) == answer == svg_edges(html), day
        themes = {
            r["thema_label"]: (r["indicatoren"], r["normen"], r["maatregelen"])
            for r in named(client, "dwarsverbanden-themas", datum=day)
        }
        assert svg_nodes(html) == themes, day


@pytest.mark.parametrize("day", ["2025-06-01", f"{OLD_YEAR}-06-01", f"{NEW_YEAR}-06-01"])
def test_the_measures_behind_each_arrow_are_the_named_querys_on_that_day(
    client: TestClient, day: str
) -> None:
    network = named(client, "dwarsverbanden-netwerk", datum=day)
    assert network
    for edge in network:
        params = {"bron": edge["bron"], "doel": edge["doel"], "datum": day}
        page = client.get("/dwarsverbanden/maatregelen", params=params)
        assert page.status_code == 200
        rows = [row for row in Main(page.text).rows if row]
        answer = named(client, "web-dwarsverband-maatregelen", **params)
        links = {BASE + href for row in rows for href in row[2][1]}
        assert links == {r["koppeling"] for r in answer}, params
        assert len(rows) == len(answer) == edge["koppelingen"], params
        assert len({href for row in rows for href in row[0][1]}) == edge["maatregelen"]
    around = client.get("/dwarsverbanden/maatregelen", params={"thema": GROEN, "datum": day})
    shown = {BASE + href for row in Main(around.text).rows if row for href in row[2][1]}
    either = named(client, "web-dwarsverband-maatregelen", thema=GROEN, datum=day)
    assert shown == {r["koppeling"] for r in either}, day


# ---------------------------------------------------------------------- the links


def _dated(href: str) -> bool:
    """A link to the dwarsverbanden pages or their JSON, which answer for a date."""
    path = urlsplit(href).path
    return path.startswith("/dwarsverbanden") or path == "/api/dwarsverbanden"


@pytest.mark.parametrize("day", [f"{NEW_YEAR}-06-01", "2025-06-01"])
def test_every_link_keeps_the_date_and_answers(client: TestClient, day: str) -> None:
    """From the network to each arrow's and theme's measures and back: every link between
    the pages (arrows, circles, the table's counts, the way back, the JSON) carries the
    date; every link of the pages answers."""
    seen: set[str] = set()
    pages = [f"/dwarsverbanden?datum={day}"]
    while pages:
        url = pages.pop()
        response = client.get(url)
        assert response.status_code == 200, url
        links = Main(response.text).links
        assert links, url
        for href, _ in links:
            if _dated(href):
                assert parse_qs(urlsplit(href).query).get("datum") == [day], (url, href)
                if urlsplit(href).path.startswith("/dwarsverbanden") and href not in seen:
                    pages.append(href)
            elif href not in seen:
                assert client.get(href).status_code == 200, (url, href)
            seen.add(href)
    measures_pages = {href for href in seen if href.startswith("/dwarsverbanden/maatregelen")}
    assert len(measures_pages) > 3 and f"/dwarsverbanden?datum={day}" in seen


def test_without_a_date_no_link_names_one(client: TestClient) -> None:
    html = network_page(client, None)
    assert 'name="datum" type="date" value=""' in html
    for href, _ in Main(html).links:
        assert "datum=" not in href, href
    measures = client.get("/dwarsverbanden/maatregelen", params={"thema": GROEN}).text
    for href, _ in Main(measures).links:
        assert "datum=" not in href, href


def test_the_form_sends_the_date_and_the_edge_again(client: TestClient) -> None:
    params = {"bron": GROEN, "doel": GELUID, "datum": f"{NEW_YEAR}-06-01"}
    html = client.get("/dwarsverbanden/maatregelen", params=params).text
    form = html[html.index('<form class="inline" action="/dwarsverbanden/maatregelen"') :]
    form = form[: form.index("</form>")]
    assert 'method="get"' in form and '<label for="peildatum">Peildatum</label>' in form
    assert f'<input type="hidden" name="bron" value="{GROEN}">' in form
    assert f'<input type="hidden" name="doel" value="{GELUID}">' in form
    assert f'name="datum" type="date" value="{NEW_YEAR}-06-01"' in form
    network = network_page(client, f"{NEW_YEAR}-06-01")
    assert '<form class="inline" action="/dwarsverbanden" method="get">' in network
    assert f"Alleen wat op {NEW_YEAR}-06-01 geldt." in network


# ----------------------------------------------------------------------- bad dates


@pytest.mark.parametrize("value", ["2023-13-45", "20260101", "2026-W01", "0", "morgen"])
@pytest.mark.parametrize(
    "path", ["/dwarsverbanden", f"/dwarsverbanden/maatregelen?bron={GROEN}&doel={GELUID}"]
)
def test_a_bad_date_is_a_400_page_saying_so_with_the_value_kept(
    client: TestClient, path: str, value: str
) -> None:
    response = client.get(path, params={"datum": value})
    assert response.status_code == 400
    html = response.text
    # The query catalogue's message for a date, as the query page's date fields show it.
    assert f"&#39;{value}&#39; is geen datum; schrijf JJJJ-MM-DD" in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert f'name="datum" type="text" value="{value}"' in html  # kept, to correct it
    assert "<svg" not in html and "<table" not in html  # no network of another day


# --------------------------------------------------------------------- the cache


@pytest.fixture
def query_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The named queries the pages run (name, datum bound), through the kept rows."""
    runs: list[tuple[str, str]] = []
    original: Callable[..., Any] = aggregates.run_query

    def counted(store: Any, name: str, **bindings: Any) -> Any:
        runs.append((name, str(bindings.get("datum"))))
        return original(store, name, **bindings)

    monkeypatch.setattr(aggregates, "run_query", counted)
    return runs


def test_a_date_is_kept_per_store_version_and_today_shares_the_undated_answer(
    client: TestClient, registry: Registry, query_runs: list[tuple[str, str]]
) -> None:
    network_page(client, None)
    query_runs.clear()
    network_page(client, None)
    network_page(client, registry_today().isoformat())  # today by its date: the same entry
    assert query_runs == []
    day = "2071-03-04"
    network_page(client, day)
    assert sorted(query_runs) == [("dwarsverbanden-netwerk", day), ("dwarsverbanden-themas", day)]
    query_runs.clear()
    network_page(client, day)
    assert query_runs == []


def test_a_dated_page_runs_no_query_per_row(
    client: TestClient, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many rows the measures of a theme hold, the page asks the same few
    queries: the theme looked up, the rows (twice around a theme: as source and as target)
    and the network."""
    store = registry.store
    calls: list[str] = []
    original = store.query

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(str(args[0])[:40])
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "query", counted)
    asked, shown = [], []
    # The names of the themes and measures are looked up once for any day: looked up
    # here first, so both days below are measured alike whichever test ran before.
    for theme in (GELUID, f"{BASE}/id/beleidsthema/bouwen"):
        client.get("/dwarsverbanden/maatregelen", params={"thema": theme, "datum": "2025-05-02"})
    # Days no other test asks for: nothing kept yet.
    for day, theme in (("2025-05-03", GELUID), ("2025-05-04", f"{BASE}/id/beleidsthema/bouwen")):
        calls.clear()
        page = client.get("/dwarsverbanden/maatregelen", params={"thema": theme, "datum": day})
        shown.append(len([row for row in Main(page.text).rows if row]))
        asked.append(len(calls))
    assert shown[0] != shown[1] and min(shown) >= 3, shown
    assert asked[0] == asked[1] <= 5, asked


# ----------------------------------------------------------------- in a browser


def in_a_browser(test: Callable[..., None]) -> Callable[..., None]:
    """The marks of the browser tests (skipped without Chromium)."""
    for mark in NEEDS_BROWSER:
        test = mark(test)
    return test


@in_a_browser
def test_the_date_field_sends_the_day_without_javascript_of_its_own(
    browser: Browser, site: str
) -> None:
    """The form is a plain GET form: the browser sends the field, and the page it gets
    draws the network of that day, with the day in the field and in every arrow."""
    browser.get(site + "/dwarsverbanden")
    assert browser.find_all("script") == []  # the pages ship no script
    # A date input's typing follows the browser's locale; set its value as a picker would.
    browser.script(f"document.getElementById('peildatum').value = '{NEW_YEAR}-06-01'; return 1")
    browser.click(browser.find("form.inline button[type=submit]"))
    assert parse_qs(urlsplit(browser.wait_url(site + "/dwarsverbanden?")).query) == {
        "datum": [f"{NEW_YEAR}-06-01"]
    }
    assert browser.script("return document.getElementById('peildatum').value") == (
        f"{NEW_YEAR}-06-01"
    )
    arrows = browser.script(
        "return Array.from(document.querySelectorAll('svg.network a.edge'))"
        ".map(a => a.getAttribute('href'))"
    )
    assert arrows and all(f"datum={NEW_YEAR}-06-01" in href for href in arrows)
    label = browser.script("return document.querySelector('label[for=peildatum]').textContent")
    assert label == "Peildatum"


@in_a_browser
@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("dwarsverbanden-op-datum", f"/dwarsverbanden?datum={NEW_YEAR}-06-01"),
        (
            "dwarsverband-maatregelen-op-datum",
            f"/dwarsverbanden/maatregelen?thema={GROEN}&datum={NEW_YEAR}-06-01",
        ),
        ("dwarsverbanden-foute-datum", "/dwarsverbanden?datum=2023-13-45"),
        (
            "dwarsverband-maatregelen-foute-datum",
            f"/dwarsverbanden/maatregelen?bron={GROEN}&doel={GELUID}&datum=morgen",
        ),
    ],
)
def test_the_dated_and_refused_pages_are_accessible_and_fit_a_phone(
    browser: Browser, site: str, name: str, path: str
) -> None:
    axe = axe_source()
    found = []
    try:
        for width in (1400, 390):
            resize(browser, width)
            browser.get(site + path)
            sizes = browser.script(
                "return [document.documentElement.scrollWidth,"
                " document.documentElement.clientWidth]"
            )
            assert sizes[0] <= sizes[1] + 1, (width, sizes)
            if axe is not None:
                found += [f"{width} px: {line}" for line in serious_violations(browser, axe)]
            screenshot(browser, name, width)
    finally:
        resize(browser, 1400)
    assert found == [], "\n".join(found)
    if axe is None:
        pytest.skip(AXE_MISSING)


def test_a_theme_without_cross_links_on_the_day_is_headed_by_its_name(
    client: TestClient,
) -> None:
    """Before anything was in force the list is empty; the heading still names the theme
    as the network does (it read the end of its IRI), and a page asked for one end of
    an arrow says which."""

    def heading(**params: str) -> str:
        page = client.get("/dwarsverbanden/maatregelen", params={**params, "datum": "1990-01-01"})
        assert page.status_code == 200
        found = re.search(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)
        assert found is not None
        return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()

    assert heading(thema=GELUID) == "Dwarsverbanden van en naar Geluid"
    assert heading(thema="geluid") == "Dwarsverbanden van en naar Geluid"  # as typed: no
    assert heading(bron=GELUID) == "Maatregelen van Geluid met effect op andere thema's"


def test_a_theme_is_asked_for_by_iri_code_or_name_and_an_unknown_one_is_404(
    client: TestClient,
) -> None:
    """As the named query's parameter takes it (docs/queries.md): a name gave 400, a
    theme IRI that is none an empty 200 headed by the end of the IRI."""
    by_iri = client.get("/dwarsverbanden/maatregelen", params={"thema": GELUID})
    by_name = client.get("/dwarsverbanden/maatregelen", params={"thema": "Geluid"})
    assert by_iri.status_code == by_name.status_code == 200
    assert Main(by_iri.text).rows == Main(by_name.text).rows != []
    unknown = client.get("/dwarsverbanden/maatregelen", params={"thema": f"{BASE}/id/x"})
    assert unknown.status_code == 404 and "geen thema" in unknown.text
    nameless = client.get("/dwarsverbanden/maatregelen", params={"thema": "Geen-zo-thema"})
    assert nameless.status_code == 404
