"""Right answers in a store that holds several municipalities' registries.

A province or a national aggregate loads each municipality's registry into the same
store, and municipalities name things alike: both have a theme Geluid, a wijk Centrum,
a norm GEL-N01. Here the demo municipality (A) shares its store with a second one (B):
the demo again under B's own base IRI, without geometry (so no area of B lies in one of
A's). A question about A's things must give the same answer with or without B beside it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS
from test_pages_fixtures import page_sections

from krbgraph.commands.serve import demo_paths
from krbgraph.loading import load_paths
from krbgraph.namespaces import GEO, KRB
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import QueryResult, Store, ensure_model, open_store
from krbgraph.web.app import create_app

A = "https://krb.demogemeente.nl"
B = "https://krb.tweedegemeente.nl"
INWONERS = URIRef("https://data.krb.nl/id/begrip/sector/inwoners")
CATALOGUE = load_catalogue()
DAY = date(2025, 6, 1)


def _as_b(term: object) -> object:
    if isinstance(term, URIRef) and str(term).startswith(A + "/"):
        return URIRef(B + str(term)[len(A) :])
    return term


def _second_municipality(folder: Path) -> list[Path]:
    """The demo's policy files as municipality B's: its own IRIs, no geometry, and none of
    the frameworks' triples (they are in the store once, with A's links)."""
    folder.mkdir()
    written = []
    for path in demo_paths():
        if path.parent.name != "demo":
            continue
        graph = Graph()
        for s, p, o in Graph().parse(path):
            if p in (GEO.hasGeometry, GEO.asWKT) or not str(_as_b(s)).startswith(B):
                continue  # national and provincial frameworks stay A's (one copy each)
            graph.add((_as_b(s), p, _as_b(o)))  # type: ignore[arg-type]
        target = folder / path.name
        graph.serialize(target, format="turtle")
        written.append(target)
    return written


def _own_sectors(folder: Path) -> tuple[Path, Path]:
    """Each municipality an own sector close to the national 'inwoners', and one norm of
    B classified on B's own."""
    files = []
    for base, norm in ((A, None), (B, f"{B}/id/beleidsnorm/BOU-N01")):
        graph = Graph()
        own = URIRef(f"{base}/id/sector/eigen")
        graph.add((own, RDF.type, SKOS.Concept))
        graph.add((own, SKOS.prefLabel, Literal("Eigen bewoners", lang="nl")))
        graph.add((own, SKOS.inScheme, URIRef(f"{base}/id/conceptschema/sectoren")))
        graph.add((own, SKOS.closeMatch, INWONERS))
        if base == B:  # B names things in English too
            graph.add((own, SKOS.prefLabel, Literal("Own residents", lang="en")))
        if norm is not None:
            graph.add((URIRef(norm), KRB.sector, own))
        path = folder / f"sectoren-{len(files)}.ttl"
        graph.serialize(path, format="turtle")
        files.append(path)
    return files[0], files[1]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Store]]:
    """(A alone, A and B together), both with the own sectors."""
    folder = tmp_path_factory.mktemp("twee-gemeenten")
    second = _second_municipality(folder / "b")
    sector_a, sector_b = _own_sectors(folder)
    alone = open_store(Settings(store=str(folder / "a")))
    both = open_store(Settings(store=str(folder / "ab")))
    try:
        for store in (alone, both):
            ensure_model(store)
            load_paths(store, [*demo_paths(), sector_a], base_iri=A, validate=False)
        load_paths(both, [*second, sector_b], graph=f"{B}/graph/registry", validate=False)
        yield alone, both
    finally:
        alone.close()
        both.close()


def run(store: Store, name: str, **params: str) -> QueryResult:
    return run_named_query(store, CATALOGUE, name, {"datum": DAY.isoformat(), **params})


def _facts(result: QueryResult) -> Counter[tuple[str | None, ...]]:
    return Counter(tuple(None if v is None else str(v) for v in row) for row in result.rows)


def _areas_of_a(store: Store) -> list[str]:
    rows = store.query("SELECT ?g WHERE { ?g a <https://data.krb.nl/def/krb#Werkingsgebied> }").rows
    areas = sorted(str(row[0]) for row in rows if str(row[0]).startswith(A))
    assert len(areas) > 10
    return areas


@pytest.mark.parametrize("query", ["compleet-beleid", "beleid-in-gebied"])
def test_a_question_about_one_municipalitys_area_ignores_the_other(
    stores: tuple[Store, Store], query: str
) -> None:
    alone, both = stores
    for area in _areas_of_a(alone):
        answer = run(both, query, gebied=area)
        assert _facts(answer) == _facts(run(alone, query, gebied=area)), area
        assert not any(B in str(value) for row in answer.rows for value in row), area


def test_themes_with_the_same_name_in_two_registries_are_no_gap_of_each_other(
    stores: tuple[Store, Store],
) -> None:
    """compleet-beleid listed B's Geluid as missing beside A's Geluid in force."""
    _, both = stores
    centrum = f"{A}/id/werkingsgebied/WK999901"
    answer = run(both, "compleet-beleid", gebied=centrum)
    themes = [str(row[answer.variables.index("thema")]) for row in answer.rows]
    assert themes and len(themes) == len(set(themes))
    assert all(theme.startswith(A) for theme in themes)


def test_a_close_match_is_one_step_not_a_chain_through_the_national_concept(
    stores: tuple[Store, Store],
) -> None:
    """SKOS: closeMatch is not transitive. A's own sector close to 'inwoners' finds the
    norms on 'inwoners' (one step), not B's norm on B's own sector, also close to it."""
    _, both = stores
    b_norm = f"{B}/id/beleidsnorm/BOU-N01"  # on bouw, and on B's own sector
    own_a = run(both, "normen-per-indeling", begrip=f"{A}/id/sector/eigen")
    national = run(both, "normen-per-indeling", begrip=str(INWONERS))
    found_a = {str(row[own_a.variables.index("norm")]) for row in own_a.rows}
    found_national = {str(row[national.variables.index("norm")]) for row in national.rows}
    assert b_norm in found_national  # asked nationally, every municipality's own counts
    assert b_norm not in found_a
    assert found_a and found_a <= found_national


@pytest.mark.parametrize(
    "url",
    [
        "/api/queries/beleid-in-gebied?gebied=Centrum",
        "/api/normtoets?gebied=Centrum",
        "/api/normgat?thema=Geluid",
    ],
)
def test_a_name_two_municipalities_use_is_a_409_with_both_candidates(
    stores: tuple[Store, Store], url: str
) -> None:
    """As the API's own lookups answer (docs/web.md), not 400 with IRIs inside a text."""
    _, both = stores
    app = create_app(Settings(store="unused", base_iri=A), store=both)
    with TestClient(app) as client:
        response = client.get(url)
    assert response.status_code == 409, response.text
    candidates = response.json()["detail"]["candidates"]
    assert sorted(c["iri"].split("/id/")[0] for c in candidates) == [A, B]
    assert len({c["label"] for c in candidates}) == 1  # the same name: that is the point


def test_the_monitoring_filters_tell_two_municipalities_things_apart(
    stores: tuple[Store, Store],
) -> None:
    """A shared name is said to be shared, not 'not in the register'; every choice of the
    select boxes reads differently, so a reader can pick the one meant."""
    _, both = stores
    app = create_app(Settings(store="unused", base_iri=A), store=both)
    with TestClient(app) as client:
        shared = client.get("/monitoring", params={"thema": "Geluid"})
        page = client.get("/monitoring").text
    assert shared.status_code == 409  # a conflict to resolve, as on the API
    assert "past bij 2 keuzes" in shared.text and "geen beleidsthema uit" not in shared.text
    assert f"{A}/id/beleidsthema/geluid" in shared.text
    assert f"{B}/id/beleidsthema/geluid" in shared.text
    for box in ("thema", "gebied"):
        select = re.search(rf'<select[^>]*name="{box}".*?</select>', page, re.S)
        assert select is not None
        texts = re.findall(r"<option [^>]*>([^<]*)</option>", select.group(0))
        assert len(texts) > 5 and len(texts) == len(set(texts)), box


def test_search_names_hits_in_the_readers_language_and_shows_the_text_that_matched(
    stores: tuple[Store, Store],
) -> None:
    _, both = stores
    app = create_app(Settings(store="unused", base_iri=A), store=both)
    with TestClient(app) as client:
        english = client.get("/zoeken", params={"q": "eigen bewoners", "lang": "en"}).text
        dutch = client.get("/zoeken", params={"q": "eigen bewoners"}).text
        by_code = client.get("/zoeken", params={"q": "gel-n01"}).text
    assert "Own residents" in english and "Eigen bewoners" in english  # B's, A's
    assert "Own residents" not in dutch
    assert "(GEL-N01)" in by_code and "(gel-n01)" not in by_code


def test_search_hits_of_two_municipalities_with_one_name_read_differently(
    stores: tuple[Store, Store],
) -> None:
    """Both municipalities' GEL-N01 were listed under one text; only the link differed."""
    _, both = stores
    app = create_app(Settings(store="unused", base_iri=A), store=both)
    with TestClient(app) as client:
        page = client.get("/zoeken", params={"q": "GEL-N01"}).text
    hits = re.findall(r'<li><a href="([^"]*)"[^>]*>([^<]*)</a>', page)
    norms = {href: text for href, text in hits if unquote(href).endswith("beleidsnorm/GEL-N01")}
    assert len(norms) == 2, hits
    assert len(set(norms.values())) == 2, norms


@pytest.mark.parametrize("url", ["/", "/dwarsverbanden", "/id/beleidsthema/geluid"])
def test_themes_two_municipalities_share_a_name_read_differently_on_the_pages(
    stores: tuple[Store, Store], url: str
) -> None:
    """The home page's theme table, the cross-link table and a theme's cross-links listed
    'Bouwen' twice (A's and B's): each name is followed by its registry's host."""
    _, both = stores
    app = create_app(Settings(store="unused", base_iri=A), store=both)
    with TestClient(app) as client:
        page = client.get(url).text
    if url == "/dwarsverbanden":  # the table's rows: from theme, to theme, counts
        rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", page)
        assert rows and len(rows) == len(set(rows)), rows
        return
    # B's themes link as /resource?iri=..., A's (the service's base) as /id/...
    theme_links = [
        (href, text)
        for href, text in re.findall(
            r'<a href="([^"]*beleidsthema(?:/|%2F)[^"]*)">([^<]+)</a>', page
        )
        if "format=" not in href and not href.startswith("/dwarsverbanden")  # downloads, counts
    ]
    assert {href.startswith("/resource") for href, _ in theme_links} == {True, False}
    linked: dict[str, set[str]] = {}
    for href, text in theme_links:
        linked.setdefault(text, set()).add(href)
    assert all(len(hrefs) == 1 for hrefs in linked.values()), linked


def test_an_object_types_page_says_where_each_norm_applies(stores: tuple[Store, Store]) -> None:
    """A's own object type Woningen finds, through the shared superclass Gebouw, B's norms
    too: each row names its areas, so the asset manager sees whose policy it is."""
    _, both = stores
    app = create_app(Settings(store="unused", base_iri=A), store=both)
    with TestClient(app) as client:
        page = client.get("/id/leefomgeving/woningen").text
    rows = page_sections(page)["Normen en maatregelen voor dit objecttype"]
    assert rows
    headers = re.search(r"<th[^>]*>Gebied</th>", page)
    assert headers is not None
    by_code: dict[str, set[str]] = {}
    for row in rows:
        by_code.setdefault(row.cells[2], set()).add(row.cells[3])
    assert all(areas and "—" not in areas for areas in by_code.values()), by_code
    b_rows = [r for r in rows if r.cells[2] == "BOU-N01"]
    assert len(b_rows) >= 2  # A's BOU-N01 and B's, told apart by their areas
    assert len({r.cells[3] for r in b_rows}) == len(b_rows)


def test_the_measures_behind_an_edge_name_whose_themes_they_are(
    stores: tuple[Store, Store],
) -> None:
    """The page behind an arrow of A's network and the one behind the same arrow of B's
    were headed alike ("Maatregelen van Bouwen met effect op Geluid")."""
    from krbgraph.web.theme_network import theme_network

    _, both = stores
    network = theme_network(both)
    pairs = {(e.source, e.target) for e in network.edges}
    edges = [
        e
        for e in network.edges
        if (str(_as_b(URIRef(e.source))), str(_as_b(URIRef(e.target))))
        in pairs - {(e.source, e.target)}
    ]
    assert edges, "both municipalities have the demo's cross-links"
    edge = edges[0]
    twin = (_as_b(URIRef(edge.source)), _as_b(URIRef(edge.target)))
    app = create_app(Settings(store="unused", base_iri=A), store=both)
    headings = []
    with TestClient(app) as client:
        for source, target in ((edge.source, edge.target), twin):
            page = client.get(
                "/dwarsverbanden/maatregelen", params={"bron": source, "doel": target}
            )
            assert page.status_code == 200
            headings.append(re.search(r"<h1>(.*?)</h1>", page.text, re.S).group(1))  # type: ignore[union-attr]
    assert headings[0] != headings[1], headings


def test_the_class_list_and_the_area_picker_tell_two_municipalities_things_apart(
    stores: tuple[Store, Store],
) -> None:
    """/lijst showed A's and B's GEL-N01 as one row twice, and the query form's area list
    "Parkstraat (straat)" twice: each row and choice now reads as its own, as on /zoeken."""
    _, both = stores
    app = create_app(Settings(store="unused", base_iri=A), store=both)
    with TestClient(app) as client:
        listed = client.get("/lijst", params={"klasse": str(KRB.Beleidsnorm)})
        form = client.get("/query", params={"voorbeeld": "beleid-in-gebied"})
    assert listed.status_code == 200 and form.status_code == 200
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", listed.text, re.S)
    texts = [(re.sub(r"<[^>]+>", "", name).strip(), code) for name, code in rows]
    assert len(texts) > 10 and len(texts) == len(set(texts)), Counter(texts).most_common(2)
    assert any(name.endswith("(krb.tweedegemeente.nl)") for name, _ in texts)
    options = re.findall(r"<option value=\"[^\"]+\"[^>]*>([^<]*)</option>", form.text)
    assert len(options) > 10 and len(options) == len(set(options)), Counter(options).most_common(2)
