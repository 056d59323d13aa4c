"""The pages on a registry nobody tuned them to (tests/data/varied-registry).

A registry made the way real ones differ from the demo: names in nl, en, de and fr
and without a language, two themes called Geluid (one an older list's), a wijk and a
buurt both called Centrum (as CBS data has), the municipality's own sectors and
materials mapped onto the national lists (broadMatch, closeMatch), own subclasses,
documents adopted, replaced, withdrawn and in draft, IRIs with percent-escapes,
unicode and 300-character local names, and things under another base. Its
measurements come in through `krb import-metingen`.

The answers are checked by properties that hold for any registry: a reader can tell
every two links on a page apart, a concept's count in the tree of its list is what the
named query by that concept finds, a thing is shown by its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from fastapi.testclient import TestClient

from krbgraph.loading import load_paths
from krbgraph.measurements.importing import import_measurements
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store
from krbgraph.web.app import create_app
from krbgraph.web.naming import told_apart

DATA = Path(__file__).parent / "data" / "varied-registry"
BASE = "https://gemeente.voorbeeld.nl"
SECTORS = "https://data.krb.nl/id/conceptschema/sector"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Store]]:
    folder = tmp_path_factory.mktemp("varied")
    settings = Settings(store=str(folder / "store"), base_iri=BASE)
    with open_store(settings) as store:
        ensure_model(store)
        load_paths(store, sorted(DATA.glob("*.ttl")), base_iri=BASE)  # validated
        import_measurements(store, DATA / "metingen.csv", base_iri=BASE)
        with TestClient(create_app(settings, store=store)) as client:
            yield client, store


class _Links(HTMLParser):
    """Every link of a page's main part (its text and where it goes) and every option of
    its select boxes (its text and value)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._open: tuple[str, list[str]] | None = None
        self._main = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "main":
            self._main += 1
        if self._main and tag in ("a", "option"):
            target = found.get("href") if tag == "a" else found.get("value")
            if target:
                self._open = (target, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._main -= 1
        if tag in ("a", "option") and self._open is not None:
            target, text = self._open
            self.links.append((" ".join("".join(text).split()), target.split("#")[0]))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[1].append(data)


def _links(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _things(store: Store) -> list[str]:
    """Every resource of the registry that has a page of its own under the base."""
    rows = store.query(
        f"SELECT DISTINCT ?s WHERE {{ ?s a ?type FILTER (STRSTARTS(STR(?s), '{BASE}/id/')) }}"
    ).rows
    return sorted(str(row[0]) for row in rows)


def _of_one_kind(store: Store, paths: set[str]) -> bool:
    """Whether things at these paths share a type (a dossier and a theme both called
    Geluid read apart by what the page says they are)."""
    iris = [f"<{BASE}{quote(path, safe='/:%')}>" for path in paths if path.startswith("/id/")]
    if len(iris) < 2:
        return False
    shared = store.query(
        f"SELECT ?t WHERE {{ VALUES ?s {{ {' '.join(iris)} }} ?s a ?t }} "
        f"GROUP BY ?t HAVING (COUNT(DISTINCT ?s) = {len(iris)})"
    ).rows
    return bool(shared)


def test_every_two_links_of_one_name_on_a_page_go_to_one_place(
    registry: tuple[TestClient, Store],
) -> None:
    """Two themes called Geluid, a wijk and a buurt called Centrum: wherever a page
    shows both, the reader can tell them apart (home, the monitoring filters, a
    measure's reached themes, an indicator's chart and table)."""
    client, store = registry
    pages = [
        "/",
        "/monitoring",
        "/dwarsverbanden",
        *(thing[len(BASE) :] for thing in _things(store)),
    ]
    assert len(pages) > 30
    clashes = []
    for page in pages:
        answer = client.get(page)
        assert answer.status_code == 200, page
        targets: dict[str, set[str]] = {}
        for text, target in _links(answer.text):
            if text:
                targets.setdefault(text, set()).add(unquote(target).removeprefix(BASE))
        clashes += [
            (page, text, sorted(t))
            for text, t in targets.items()
            if len(t) > 1 and re.search(r"[^\W\d]", text) and _of_one_kind(store, t)
        ]
    assert clashes == [], "\n".join(map(str, clashes))


def test_the_indicator_chart_names_each_measured_area_apart(
    registry: tuple[TestClient, Store],
) -> None:
    client, _ = registry
    page = client.get("/id/beleidsindicator/GEL-I01").text
    legend = re.findall(r'<text[^>]*text-anchor="start"[^>]*>([^<]*)</text>', page)
    areas = [name for name in legend if name.startswith("Centrum")]
    assert len(areas) == len(set(areas)) == 2


def test_a_documents_own_page_names_it_in_its_decision_trail(
    registry: tuple[TestClient, Store],
) -> None:
    client, store = registry
    for document in (t for t in _things(store) if "/besluitdocument/" in t):
        name = store.query(
            f"SELECT ?n WHERE {{ <{document}> <http://purl.org/dc/terms/title>|"
            "<http://www.w3.org/2000/01/rdf-schema#label> ?n FILTER (lang(?n) = 'nl') }"
        ).rows
        page = client.get(document[len(BASE) :], headers={"Accept-Language": "nl"}).text
        shown = re.search(r"<dt>Besluitdocument</dt>\s*<dd>(.*?)</dd>", page, re.S)
        assert shown is not None, document
        text = " ".join(re.sub(r"<[^>]+>", " ", shown.group(1)).split())
        assert text == (str(name[0][0]) if name else document.rsplit("/", 1)[-1]), document


def test_the_tree_of_a_national_list_counts_the_norms_the_query_by_concept_finds(
    registry: tuple[TestClient, Store],
) -> None:
    """An own sector (Horeca, broadMatch bedrijven; its Terrassen, closeMatch handel)
    classifies norms: the national list's tree counts them where normen-per-indeling,
    asked for that national concept, finds them."""
    client, store = registry
    page = client.get(f"/begrippen?schema={quote(SECTORS, safe='')}").text
    catalogue = load_catalogue()
    concepts = store.query(
        f"SELECT ?c WHERE {{ ?c <http://www.w3.org/2004/02/skos/core#inScheme> <{SECTORS}> }}"
    ).rows
    checked = 0
    for (concept,) in concepts:
        found = run_named_query(
            store, catalogue, "normen-per-indeling", {"begrip": str(concept)}
        ).rows
        norms = len({row[0] for row in found})
        slug = str(concept).rsplit("/", 1)[-1]
        shown = re.search(
            rf'href="/begrip/sector/{re.escape(slug)}"[^>]*>[^<]*</a>\s*(?:<[^>]*>\s*)*(\d+) norm',
            page,
        )
        assert (int(shown.group(1)) if shown else 0) == norms, slug
        checked += norms > 0
    assert checked >= 2  # bedrijven and handel through the own list, inwoners directly


@pytest.mark.parametrize(
    "iris",
    [
        ["https://a.nl/id/thema/geluid", "https://b.nl/id/thema/geluid"],
        ["https://a.nl/id/wijk/WK01", "https://a.nl/id/buurt/BU0101"],
        ["https://a.nl/id/thema/geluid", "https://a.nl/archief-2019/id/thema/geluid"],
        ["https://a.nl/id/geluid", "https://b.nl/id/geluid", "https://b.nl/id/geluid-2019"],
        ["https://a.nl/x#geluid", "http://a.nl/x#geluid"],
    ],
)
def test_names_told_apart_differ_for_every_set_of_iris(iris: list[str]) -> None:
    names = told_apart(dict.fromkeys(iris, "Geluid"))
    assert len(set(names.values())) == len(iris)
    assert all(name.startswith("Geluid (") for name in names.values())


def test_a_local_object_type_without_a_zoekingang_of_its_own_has_its_imbor_class_ones(
    registry: tuple[TestClient, Store],
) -> None:
    """Terras (a local type of the registry) specialises IMBOR's Asfaltverharding and
    names no zoekingang (optional, docs/datamodel.md): the search and the Leefomgeving
    tree place it where its IMBOR class is."""
    client, store = registry
    terras = f"{BASE}/id/leefomgeving/terras"
    rows = run_named_query(store, load_catalogue(), "zoek-objecttype", {"zoekterm": "terras"})
    entry = {str(row[0]): str(row[-1] or "") for row in rows.rows}
    assert "Wegen" in entry[terras].split(" | ")
    found = store.query(
        "SELECT ?z WHERE { ?z <http://www.w3.org/2004/02/skos/core#prefLabel> 'Wegen'@nl ; "
        "<http://www.w3.org/2004/02/skos/core#topConceptOf> ?s }"
    ).rows
    assert len(found) == 1
    wegen = str(found[0][0])
    page = client.get(
        "/begrippen",
        params={"schema": "https://data.krb.nl/id/conceptschema/leefomgeving", "open": wegen},
    ).text
    assert 'href="/id/leefomgeving/terras"' in page
