"""The monitoring page: every norm in force with its verdict, filtered by theme and area,
and the norm gaps largest first.

Read through the real app on the demo registry with its research data. The
expected rows are the named queries' answers (normtoets, normgat, the research
API's too) and facts asked of the store here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from research_registry import build_research_registry, select
from test_pages_fixtures import BASE, Registry

from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.web.pages.monitoring import _amount

GELUID = f"{BASE}/id/beleidsthema/geluid"
PARKSTRAAT = f"{BASE}/id/werkingsgebied/parkstraat"


@pytest.fixture(scope="module")
def research(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_research_registry(tmp_path_factory.mktemp("monitoring"))
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def client(research: Registry) -> Iterator[TestClient]:
    with TestClient(research.app) as test_client:
        yield test_client


@dataclass
class Row:
    cells: list[str] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)


class _Tables(HTMLParser):
    """Body rows of the tables by class, and the options of each select box by name."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[Row]] = {}
        self.options: dict[str, list[tuple[str, str, bool]]] = {}
        self._table: str | None = None
        self._row: Row | None = None
        self._text: list[str] | None = None
        self._select: str | None = None
        self._option: tuple[str, bool] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "table":
            self._table = values.get("class") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = Row()
        elif tag == "td" and self._row is not None:
            self._text = []
        elif tag == "a" and self._row is not None and self._text is not None:
            self._row.hrefs.append(values.get("href") or "")
        elif tag == "select":
            self._select = values.get("name") or ""
            self.options[self._select] = []
        elif tag == "option" and self._select is not None:
            self._option = (values.get("value") or "", "selected" in values)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text or []).split())
        if tag == "td" and self._row is not None:
            self._row.cells.append(text)
            self._text = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            if self._row.cells:
                self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "option" and self._select is not None and self._option is not None:
            self.options[self._select].append((self._option[0], text, self._option[1]))
            self._option, self._text = None, None
        elif tag == "select":
            self._select = None


def _page(client: TestClient, **params: str) -> _Tables:
    response = client.get("/monitoring", params=params)
    assert response.status_code == 200, response.text
    return _Tables(response.text)


def _normtoets(research: Registry, **values: str) -> list[dict]:
    return run_named_query(research.store, load_catalogue(), "normtoets", values).dicts()


def test_every_norm_in_force_is_listed_with_its_verdict(
    client: TestClient, research: Registry
) -> None:
    rows = _page(client).tables["normtoets"]
    expected = _normtoets(research)
    assert len(rows) == len(expected) > 10
    verdicts = {(row.cells[1], row.cells[3]): row.cells[-1] for row in rows}
    # The demo's own account (examples/onderzoek/metingen.ttl): the Parkstraat (49,6 dB(A))
    # misses GEL-N01's 48 dB(A) by 1,6, the Vlietweg meets it.
    assert verdicts[("GEL-N01", "Parkstraat")] == "voldoet niet"
    assert verdicts[("GEL-N01", "Vlietweg")] == "voldoet"
    parkstraat = next(r for r in rows if r.cells[1] == "GEL-N01" and r.cells[3] == "Parkstraat")
    assert parkstraat.cells[4:8] == ["maximaal 48 dB(A)", "49,6 dB(A)", "2025", "-1,6 dB(A)"]
    assert {row.cells[-1] for row in rows} <= {"voldoet", "voldoet niet", "geen gegevens"}


def test_the_theme_filter_narrows_to_norms_of_that_theme(
    client: TestClient, research: Registry
) -> None:
    everything = _page(client).tables["normtoets"]
    page = _page(client, thema=GELUID)
    rows = page.tables["normtoets"]
    assert 0 < len(rows) < len(everything)
    assert len(rows) == len(_normtoets(research, thema=GELUID))
    # Every row's norm measures an indicator of the chosen theme.
    assert all("Geluid" in row.cells[2].split(", ") for row in rows), [r.cells for r in rows]
    chosen = [label for value, label, selected in page.options["thema"] if selected]
    assert chosen == ["Geluid"]


@pytest.mark.parametrize("day", ["2021-06-01", "2031-01-01"])
def test_the_date_filter_tests_the_norms_in_force_on_that_day(
    client: TestClient, research: Registry, day: str
) -> None:
    response = client.get("/monitoring", params={"datum": day})
    assert response.status_code == 200, response.text
    rows = _Tables(response.text).tables["normtoets"]
    expected = _normtoets(research, datum=day)
    assert len(rows) == len(expected)
    assert {row.cells[1] for row in rows} == {str(row["code"]) for row in expected}
    assert {row.cells[1] for row in rows} != {str(r["code"]) for r in _normtoets(research)}
    assert f'value="{day}"' in response.text  # the form keeps the date
    assert "vandaag gelden" not in response.text and f"op {day}" in response.text


def test_an_empty_or_bad_date_from_the_form(client: TestClient) -> None:
    # The form sends datum= when no date is chosen: today, as without it.
    assert len(_page(client, datum="").tables["normtoets"]) == len(
        _page(client).tables["normtoets"]
    )
    bad = client.get("/monitoring", params={"datum": "2024-02-30"})
    assert bad.status_code == 400
    assert "2024-02-30" in bad.text


def test_the_area_filter_keeps_that_area_and_what_lies_in_it(
    client: TestClient, research: Registry
) -> None:
    inside = select(
        research.store,
        f"SELECT ?naam WHERE {{ ?g krb:ligtIn* <{PARKSTRAAT}> ; rdfs:label ?naam }}",
    )
    assert {row["naam"] for row in inside} == {"Parkstraat"}
    rows = _page(client, gebied=PARKSTRAAT).tables["normtoets"]
    assert rows and {row.cells[3] for row in rows} == {"Parkstraat"}
    assert len(rows) == len(_normtoets(research, gebied=PARKSTRAAT))
    both = _page(client, thema=GELUID, gebied="parkstraat").tables["normtoets"]
    assert len(both) == len(_normtoets(research, thema=GELUID, gebied=PARKSTRAAT)) < len(rows)


def test_the_select_boxes_offer_every_theme_and_area_of_the_registry(
    client: TestClient, research: Registry
) -> None:
    page = _page(client)
    for name, klasse in (("thema", "krb:Beleidsthema"), ("gebied", "krb:Werkingsgebied")):
        things = {
            row["ding"] for row in select(research.store, f"SELECT ?ding {{ ?ding a {klasse} }}")
        }
        offered = {value for value, _, _ in page.options[name] if value}
        assert offered == things, name
        assert page.options[name][0][0] == "", "the first choice is no filter"


def test_an_area_past_the_select_boxs_list_is_chosen_by_its_iri(
    client: TestClient, research: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The select box lists the first 2,000 areas of a class; a city has more streets.
    An area's IRI is a valid filter all the same, shown as chosen, and a thing of
    another class is still refused."""
    from krbgraph.web.pages import monitoring

    listed = monitoring._options
    monkeypatch.setattr(
        monitoring,
        "_options",
        lambda store, klasse: (
            [] if klasse == monitoring.KRB.Werkingsgebied else listed(store, klasse)
        ),
    )
    page = _page(client, gebied=PARKSTRAAT)
    assert len(page.tables["normtoets"]) == len(_normtoets(research, gebied=PARKSTRAAT)) > 0
    assert [(value, text) for value, text, chosen in page.options["gebied"] if chosen] == [
        (PARKSTRAAT, "Parkstraat (parkstraat)")
    ]
    assert client.get("/monitoring", params={"gebied": GELUID}).status_code == 400


def _number(cell: str) -> float | None:
    if cell == "—":
        return None
    return float(cell.split()[0].replace(",", "."))


def test_the_gaps_are_sorted_largest_first_and_link_to_their_norm(
    client: TestClient, research: Registry
) -> None:
    rows = _page(client).tables["normgat"]
    expected = run_named_query(research.store, load_catalogue(), "normgat", {}).dicts()
    assert len(rows) == len(expected) > 1
    gaps = [_number(row.cells[5]) for row in rows]
    known = [gap for gap in gaps if gap is not None]
    assert known == sorted(known, reverse=True) and known
    assert gaps[: len(known)] == known, "norms without data come after every known gap"
    parkstraat = next(r for r in rows if r.cells[1] == "GEL-N01" and r.cells[2] == "Parkstraat")
    assert parkstraat.cells[5] == "1,6 dB(A)"
    for row in rows:
        assert row.hrefs[0].startswith(("/id/beleidsnorm/", "/resource?iri=")), row.hrefs
    followed = client.get(parkstraat.hrefs[0])
    assert followed.status_code == 200 and "GEL-N01" in followed.text


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"thema": "onzin"}, "onzin"),
        ({"gebied": "x y"}, "x y"),
        ({"thema": f"{BASE}/id/beleidsnorm/GEL-N01"}, "GEL-N01"),
        ({"gebied": "https://voorbeeld.nl/<script>"}, "&lt;script&gt;"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(
    client: TestClient, params: dict[str, str], named: str
) -> None:
    response = client.get("/monitoring", params=params)
    assert response.status_code == 400
    assert named in response.text and "text/html" in response.headers["content-type"]


def test_a_theme_without_norms_gets_an_explained_empty_page(client: TestClient) -> None:
    response = client.get("/monitoring", params={"thema": "Klimaatadaptatie"})
    assert response.status_code == 200
    page = _Tables(response.text)
    assert page.tables == {}
    assert "Voor thema Klimaatadaptatie geldt vandaag geen norm" in response.text


def test_the_site_navigation_links_to_monitoring(client: TestClient) -> None:
    assert '<a href="/monitoring">Monitoring</a>' in client.get("/").text


def _note(html: str, section: str) -> str:
    """The "n van m rijen getoond" note of a section ("" when it has none)."""
    body = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    found = [line for line in body.splitlines() if "rijen getoond" in line]
    return found[0] if found else ""


def test_long_tables_show_their_first_rows_counted_over_all(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large registry has tens of thousands of verdicts: each table shows its first
    rows, the counts still count every row, and "Toon alle rijen" leads to all of them
    (with the filters kept)."""
    import krbgraph.web.row_cap as row_cap

    everything = client.get("/monitoring", params={"rijen": "alle"})
    full = _Tables(everything.text)
    monkeypatch.setattr(row_cap, "ROWS_SHOWN", 2)
    short_page = client.get("/monitoring")
    short = _Tables(short_page.text)
    for table in ("normtoets", "normgat"):
        assert len(full.tables[table]) > 2, table
        assert [r.cells for r in short.tables[table]] == [r.cells for r in full.tables[table][:2]]
        assert f"2 van {len(full.tables[table])} rijen getoond" in _note(short_page.text, table)
        assert _note(everything.text, table) == ""
    counts = [line for line in short_page.text.splitlines() if "× voldoet" in line]
    assert counts == [line for line in everything.text.splitlines() if "× voldoet" in line]
    assert "/monitoring?rijen=alle" in short_page.text
    filtered = client.get("/monitoring", params={"thema": GELUID})
    assert "rijen=alle" in filtered.text and "thema=" in _note(filtered.text, "normtoets")


def test_a_write_shows_in_the_verdicts_at_once(client: TestClient, research: Registry) -> None:
    """The answers are kept per store version: a later measurement that misses the norm
    turns the Vlietweg's verdict on the very next page and API read, and removing it
    turns it back."""

    def vlietweg() -> tuple[str, str]:
        rows = _page(client, thema=GELUID).tables["normtoets"]
        page = next(r for r in rows if r.cells[1] == "GEL-N01" and r.cells[3] == "Vlietweg")
        api = client.get("/api/normtoets", params={"thema": GELUID}).json()
        found = [r for r in api if r["code"] == "GEL-N01" and r["gebied"]["label"] == "Vlietweg"]
        return page.cells[-1], found[0]["oordeel"]

    assert vlietweg() == ("voldoet", "voldoet")
    meting = f"{BASE}/id/meting/GEL-I01-vlietweg-test-2026"
    graph = f"{BASE}/graph/test-monitoring"
    research.store.update(f"""
        PREFIX sosa: <http://www.w3.org/ns/sosa/>
        PREFIX qudt: <http://qudt.org/schema/qudt/>
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT DATA {{ GRAPH <{graph}> {{
          <{meting}> a sosa:Observation ;
            sosa:hasFeatureOfInterest <{BASE}/id/werkingsgebied/vlietweg> ;
            sosa:observedProperty <{BASE}/id/beleidsindicator/GEL-I01> ;
            sosa:hasResult <{meting}-uitkomst> ;
            sosa:phenomenonTime <{meting}-periode> .
          <{meting}-uitkomst> qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> ;
            qudt:numericValue 55.0 .
          <{meting}-periode> dcat:startDate "2026-01-01"^^xsd:date ;
            dcat:endDate "2026-01-31"^^xsd:date .
        }} }}""")
    try:
        assert vlietweg() == ("voldoet niet", "voldoet niet")
    finally:
        research.store.update(f"DROP GRAPH <{graph}>")
    assert vlietweg() == ("voldoet", "voldoet")


def test_kept_answers_are_kept_per_reader_language(client: TestClient, research: Registry) -> None:
    """An answer kept for a Dutch reader is not what an English reader gets: with an
    English name beside the Dutch one, each reader sees the norm's name in their
    language, on the API and on the page, in either order of asking."""
    norm = select(research.store, 'SELECT ?n WHERE { ?n dct:identifier "GEL-N01" }')[0]["n"]
    graph = f"{BASE}/graph/test-english"
    research.store.update(
        f"INSERT DATA {{ GRAPH <{graph}> {{ <{norm}> "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Facade noise at most 48 dB(A)"@en }} }}'
    )

    def names(language: str) -> tuple[set[str], str]:
        headers = {"Accept-Language": language}
        api = client.get("/api/normtoets", params={"thema": GELUID}, headers=headers).json()
        page = client.get("/monitoring", params={"thema": GELUID}, headers=headers).text
        return {r["norm"]["label"] for r in api if r["code"] == "GEL-N01"}, page

    try:
        for language in ("nl", "en", "nl", "en"):
            found, page = names(language)
            english = "Facade noise at most 48 dB(A)" in found
            assert english == (language == "en"), (language, found)
            assert ("Facade noise at most 48 dB(A)" in page) == (language == "en")
    finally:
        research.store.update(f"DROP GRAPH <{graph}>")


def test_a_registry_too_large_to_answer_in_time_keeps_the_form_and_says_what_to_do(
    research: Registry,
) -> None:
    """Past the time limit (a province's registry unfiltered), the page answers 503 with
    its filter form and the advice to choose a theme or area, not a JSON error."""
    import dataclasses

    from krbgraph.web.app import create_app

    hurried = dataclasses.replace(research.app.state.settings, query_timeout_s=1e-6)
    with TestClient(create_app(hurried, research.store)) as hurried_client:
        response = hurried_client.get("/monitoring")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("text/html")
        page = _Tables(response.text)
        assert page.options["thema"] and page.options["gebied"], "the form is there"
        assert "Kies hierboven een thema of een gebied" in " ".join(response.text.split())
        assert "normtoets" not in page.tables
        # The research API says the same: a filter, not LIMIT.
        for route in ("/api/normtoets", "/api/normgat", "/api/effectevaluatie"):
            answer = hurried_client.get(route, params={"thema": "Geluid"})
            assert answer.status_code == 503, route
            detail = answer.json()["detail"]
            assert "thema=Geluid" in detail and "ask for one area (gebied) or theme" in detail


@settings(max_examples=300, deadline=None)
@given(
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
    | st.sampled_from([-0.0004, 0.4 - 0.4004, 0.0004, -0.0, 0.0, -5e-17])
)
def test_a_margin_shows_its_sign_and_is_never_0_unless_it_is(value: float) -> None:
    """A norm missed by 0,0004 km (400,4 m against at most 0,4 km) must not read as a
    margin of 0 next to voldoet niet: the shown margin is 0 only for 0, has the sign of
    the margin, and is the margin to three decimals, or to three significant digits where
    three decimals would show 0."""
    shown = _amount(value, "km")
    assert shown is not None and shown.endswith(" km")
    number = float(shown.removesuffix(" km").replace(",", "."))
    assert (number == 0) == (value == 0)
    assert shown.startswith("-") == (value < 0)
    if abs(value) >= 0.0005:
        assert abs(number - value) <= 0.0005 + 1e-9 * abs(value)
    else:
        assert abs(number - value) <= 0.005 * abs(value)


@pytest.mark.parametrize(
    ("q", "group"),
    [("Meting ENE-I01", "Metingen"), ("Geluidmeetnet", "Databronnen"), ("decibel", "Eenheden")],
)
def test_search_gives_research_data_and_units_a_group_of_their_own(
    client: TestClient, q: str, group: str
) -> None:
    """Measurements and data sources were listed under 'Overig', units under 'eenheid'."""
    page = client.get("/zoeken", params={"q": q}).text
    groups = re.findall(r'<h2 id="groep-\d+">([^<]*?) <span', page)
    assert group in groups and "Overig" not in groups


@pytest.mark.parametrize(
    ("params", "theme"),
    [
        ({"thema": "geluid"}, "Geluid"),  # the name in another case, as the API reads it
        ({"thema": "GELUID"}, "Geluid"),
    ],
)
def test_a_filter_value_the_research_api_reads_is_read_by_the_page_too(
    client: TestClient, research: Registry, params: dict[str, str], theme: str
) -> None:
    """The page needed the exact name in the reader's language where /api/normtoets
    takes a code or a name in any case or language: "Onbekend filter" for thema=groen."""
    page = _page(client, **params)
    chosen = [label for value, label, selected in page.options["thema"] if selected]
    assert chosen == [theme]
    assert len(page.tables["normtoets"]) == len(_normtoets(research, thema=GELUID))
