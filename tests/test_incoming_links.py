"""The links to a resource on its page: in a stable order, counted, and every one reachable.

An indicator that 5,000 norms point at showed 3,000 of them with ``?rijen=alle`` and, on
the first page, 100 "as the store found them": some norms were on no page at all. The
page now lists the links by property (by the name shown), then by the linking resource's
IRI, as the values of a property are listed; the first page shows the first 100 and how
many there are, ``?rijen=alle`` every one up to resource_page.ALL_ROWS_MAX a page, and
``na`` (the last link shown) the next ones, as /lijst pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from test_pages_fixtures import BASE, Registry, build_registry

import krbgraph.web.resource_page as resource_page
import krbgraph.web.row_cap as row_cap

KRB = "https://data.krb.nl/def/krb#"
RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"
GRAPH = f"{BASE}/graph/verwijzingen"
SIZES = (250, 5_000)
NOTES = 30
"""Resources that point at each indicator through rdfs:seeAlso ("zie ook"), after the
norms' "indicator" in the order of the properties' names."""


def indicator(n: int) -> str:
    return f"{BASE}/id/beleidsindicator/VEEL-{n}"


def norm(n: int, i: int) -> str:
    return f"{BASE}/id/beleidsnorm/VEEL-{n}-N{i:05d}"


def norm_name(n: int, i: int) -> str | None:
    """Names in another order than the IRIs; every seventh norm has none."""
    return None if i % 7 == 3 else f"Norm {(i * 7919) % n:05d} van {n}"


def note(n: int, i: int) -> str:
    return f"{BASE}/id/notitie/VEEL-{n}-{i:03d}"


def turtle(n: int) -> str:
    lines = [
        f"<{indicator(n)}> a <{KRB}Beleidsindicator> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "{n} normen"@nl .'
    ]
    for i in range(n):
        name = norm_name(n, i)
        label = f'; <http://www.w3.org/2000/01/rdf-schema#label> "{name}"@nl ' if name else ""
        lines.append(
            f"<{norm(n, i)}> a <{KRB}Beleidsnorm> {label}; <{KRB}indicator> <{indicator(n)}> ."
        )
    for i in range(NOTES):
        lines.append(f'<{note(n, i)}> <{RDFS_SEE_ALSO}> <{indicator(n)}> ; <{KRB}x> "{i}" .')
    return "\n".join(lines)


def expected(n: int) -> list[tuple[str, str]]:
    """Every link to indicator ``n`` as (property, resource) in the documented order:
    "indicator" before "zie ook", each by the resource's IRI."""
    norms = sorted(norm(n, i) for i in range(n))
    notes = sorted(note(n, i) for i in range(NOTES))
    return [(f"{KRB}indicator", s) for s in norms] + [(RDFS_SEE_ALSO, s) for s in notes]


@dataclass
class Incoming:
    """The section "Verwijzingen hierheen" of a page: its rows, notes and links."""

    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(resource href, resource text, property href, property text) per row."""
    notes: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    """Link text -> href outside the table (Toon alle verwijzingen, Volgende 5000, ...)."""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found = Incoming()
        self._inside = False
        self._h2: list[str] | None = None
        self._cells: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []
        self._note: list[str] | None = None
        self._in_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "h2":
            self._h2 = []
        elif not self._inside:
            return
        elif tag == "tr":
            self._in_row, self._cells = True, []
        elif tag == "a":
            self._href, self._text = values.get("href") or "", []
        elif tag == "p":
            self._note = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._h2 is not None:
            self._inside = "".join(self._h2).strip() == "Verwijzingen hierheen"
            self._h2 = None
        elif not self._inside:
            return
        elif tag == "section":
            self._inside = False
        elif tag == "a" and self._href is not None:
            text = "".join(self._text).strip()
            if self._in_row:
                self._cells.append((self._href, text))
            else:
                self.found.links[text] = self._href
            self._href = None
        elif tag == "tr" and self._in_row:
            self._in_row = False
            if len(self._cells) == 2:
                (s_href, s_text), (p_href, p_text) = self._cells
                self.found.rows.append((s_href, s_text, p_href, p_text))
        elif tag == "p" and self._note is not None:
            self.found.notes.append(" ".join("".join(self._note).split()))
            self._note = None

    def handle_data(self, data: str) -> None:
        if self._h2 is not None:
            self._h2.append(data)
        if self._href is not None:
            self._text.append(data)
        if self._note is not None:
            self._note.append(data)


def incoming(client: TestClient, url: str) -> Incoming:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:500])
    parser = _Parser()
    parser.feed(response.text)
    return parser.found


PROPERTY_HREFS = {"/def/krb#indicator": f"{KRB}indicator"}


def pairs(section: Incoming) -> list[tuple[str, str]]:
    """The rows as (property IRI, resource IRI)."""
    found = []
    for s_href, _, p_href, _ in section.rows:
        assert s_href.startswith("/id/"), s_href
        prop = PROPERTY_HREFS.get(p_href) or parse_qs(urlsplit(p_href).query)["iri"][0]
        found.append((prop, BASE + s_href))
    return found


def every_page(client: TestClient, url: str) -> tuple[list[tuple[str, str]], list[Incoming]]:
    """The rows of ``url`` and of every page its "Volgende" links lead to."""
    sections = [incoming(client, url)]
    while next_href := next(
        (href for text, href in sections[-1].links.items() if text.startswith("Volgende")), None
    ):
        assert len(sections) < 100, "the pages lead back to themselves"
        sections.append(incoming(client, next_href))
    return [row for section in sections for row in pairs(section)], sections


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_registry(
        tmp_path_factory.mktemp("incoming"), {GRAPH: "\n".join(turtle(n) for n in SIZES)}
    )
    with built.store:
        yield built


@pytest.fixture
def client(registry: Registry) -> Iterator[TestClient]:
    with TestClient(registry.app) as test_client:
        yield test_client


def path(n: int) -> str:
    return f"/id/beleidsindicator/VEEL-{n}"


@pytest.mark.parametrize("n", SIZES)
def test_the_first_page_shows_the_first_100_links_in_order_and_how_many_there_are(
    client: TestClient, n: int
) -> None:
    first = incoming(client, path(n))
    everything = expected(n)
    assert pairs(first) == everything[: row_cap.ROWS_SHOWN]
    assert len(set(pairs(first))) == row_cap.ROWS_SHOWN
    assert f"{row_cap.ROWS_SHOWN} van {len(everything)} verwijzingen getoond" in first.notes[0]
    assert first.links["Toon alle verwijzingen"] == path(n) + "?rijen=alle"


@pytest.mark.parametrize("n", SIZES)
def test_all_rows_and_the_pages_after_list_every_link_once_in_order(
    client: TestClient, n: int
) -> None:
    found, sections = every_page(client, path(n) + "?rijen=alle")
    assert found == expected(n)  # each link once, in order, whatever the pages
    pages = -(-len(found) // resource_page.ALL_ROWS_MAX)
    assert len(sections) == pages
    if pages > 1:  # 5,030 links: 5,000 and 30
        assert (
            sections[0]
            .notes[0]
            .startswith(f"Verwijzingen 1–{resource_page.ALL_ROWS_MAX} van {len(found)}")
        )
        assert f"hoogstens {resource_page.ALL_ROWS_MAX}" in sections[0].notes[0]
        assert sections[-1].links["Naar het begin"] == path(n) + "?rijen=alle"
        assert "na=" in sections[0].links[f"Volgende {resource_page.ALL_ROWS_MAX}"]


def test_small_pages_lead_through_every_link_once(client: TestClient, monkeypatch) -> None:
    monkeypatch.setattr(resource_page, "ALL_ROWS_MAX", 700)
    n = 5_000
    found, sections = every_page(client, path(n) + "?rijen=alle")
    assert found == expected(n)
    assert len(sections) == -(-(n + NOTES) // 700)
    assert sections[1].notes[0].startswith(f"Verwijzingen 701–1400 van {n + NOTES}")
    first = incoming(client, path(n))
    assert "(700 per pagina)" in first.notes[0]
    # The first page pages by 100 from a key too.
    after = incoming(client, path(n) + "?" + urlencode({"na": f"{KRB}indicator {norm(n, 99)}"}))
    assert pairs(after) == expected(n)[100:200]
    assert after.notes[0].startswith(f"Verwijzingen 101–200 van {n + NOTES}")


def test_links_show_names_where_the_resources_have_them(client: TestClient) -> None:
    n = 5_000
    _, sections = every_page(client, path(n) + "?rijen=alle")
    rows = [row for section in sections for row in section.rows]
    shown = {BASE + s_href: s_text for s_href, s_text, _, _ in rows}
    for i in range(n):
        name = norm_name(n, i)
        if name is not None:
            assert shown[norm(n, i)] == name
        else:
            assert shown[norm(n, i)] != norm(n, i) and "Norm" not in shown[norm(n, i)]
    assert {p_text for _, _, _, p_text in rows} == {"indicator", "zie ook"}


def test_a_key_that_is_no_link_starts_at_the_first_and_one_past_the_end_says_so(
    client: TestClient,
) -> None:
    n = 250
    odd = incoming(client, path(n) + "?" + urlencode({"rijen": "alle", "na": "geen-sleutel"}))
    assert pairs(odd) == expected(n)
    assert any("begint hier bij de eerste" in text for text in odd.notes)
    past = incoming(
        client, path(n) + "?" + urlencode({"rijen": "alle", "na": f"{RDFS_SEE_ALSO} {BASE}/z"})
    )
    assert past.rows == []
    assert any("volgt er geen meer" in text for text in past.notes)
    assert past.links["Naar het begin"] == path(n) + "?rijen=alle"
    # A key whose link is gone (a write in between) still has its place.
    gone = incoming(client, path(n) + "?" + urlencode({"na": f"{KRB}indicator {norm(n, 10)}x"}))
    assert pairs(gone) == expected(n)[11:111]


def test_a_property_with_too_many_links_to_read_is_named_with_its_number(
    client: TestClient, monkeypatch
) -> None:
    monkeypatch.setattr(resource_page, "READ_MAX", 1_000)
    n = 5_000
    section = incoming(client, path(n) + "?rijen=alle")
    assert pairs(section) == expected(n)[n:]  # the 30 notes; the norms are too many
    assert any(f"Via indicator verwijzen {n} resources hierheen" in text for text in section.notes)
    assert section.links["indicator"] == "/def/krb#indicator"
