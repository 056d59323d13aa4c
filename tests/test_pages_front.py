"""The server-rendered pages: home, search, query page, dwarsverbanden, trees, ontology.

HTML is checked with the standard library's parser (elements and links), not by
string position; the search index and the network drawing are also tested as
plain functions on the real store.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from test_pages_fixtures import BASE, page_sections

from krbgraph.model import project_root
from krbgraph.namespaces import QUDT
from krbgraph.web.network_svg import ThemeEdge, ThemeNode, theme_network_svg
from krbgraph.web.search import LabelIndex, normalise, search_entries

LEEFOMGEVING = "https://data.krb.nl/id/conceptschema/leefomgeving"


class Page(HTMLParser):
    """Links, headings and table cells of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
        self.links: list[tuple[str, str]] = []
        self.headings: list[str] = []
        self.cells: list[str] = []
        self._stack: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "h1", "h2", "td", "textarea"):
            self._stack.append((tag, dict(attrs), []))

    def handle_data(self, data: str) -> None:
        for _, _, texts in self._stack:
            texts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self._stack or self._stack[-1][0] != tag:
            return
        _, attrs, texts = self._stack.pop()
        text = " ".join("".join(texts).split())
        if tag == "a":
            self.links.append((attrs.get("href") or "", text))
        elif tag in ("h1", "h2"):
            self.headings.append(text)
        elif tag == "td":
            self.cells.append(text)
        elif tag == "textarea":
            self.textarea = "".join(texts)


def page(client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


def test_home_counts_themes_and_entry_points(client) -> None:
    home = page(client, "/")
    assert {"Beleidsmedewerker", "Onderzoeker", "Assetbeheerder"} <= set(home.headings)
    link_texts = {text for _, text in home.links}
    assert {"Geluid", "Bouwen", "Gezondheid"} <= link_texts
    hrefs = {href for href, _ in home.links}
    assert "/dwarsverbanden" in hrefs and "/query" in hrefs
    # Every link on the page stays on this server.
    assert all(href.startswith(("/", "#")) for href in hrefs)
    # The theme table counts indicators, and the norms and measures in force today:
    # Bouwen's have no end date.
    at = home.cells.index("Bouwen")
    assert home.cells[at : at + 4] == ["Bouwen", "3", "4", "3"]


def test_class_list_from_the_counts(client) -> None:
    listing = page(client, "/lijst?klasse=https%3A%2F%2Fdata.krb.nl%2Fdef%2Fkrb%23Beleidsnorm")
    assert ("/id/beleidsnorm/GEL-N01", "Geluidsdruk gevel maximaal 48 dB(A)") in listing.links


def test_every_count_on_the_home_page_is_the_length_of_the_list_it_links_to(client) -> None:
    """The count includes subclasses (MER-maatregelen are Beleidsmaatregelen); the list
    once held only the things typed with the class itself (7 counted, 5 listed)."""
    home = client.get("/").text
    rows = re.findall(
        r'<tr><td><a href="(/lijst\?klasse=[^"]+)">[^<]*</a></td><td class="num">(\d+)</td>', home
    )
    assert len(rows) > 10
    for href, count in rows:
        listing = client.get(href.replace("&amp;", "&")).text
        found = re.search(r"(\d+) gevonden", listing)
        assert found is not None and found.group(1) == count, href


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("GELUIDSDRUK gevel", "Geluidsdruk gevel maximaal 48 dB(A)"),
        ("beleving", "Aantrekkelijke beleving op ooghoogte"),
        ("kabeltrace", "Kabeltracé"),
        ("amfibieen", "Amfibieënfuik"),
        ("GEL-N01", "Geluidsdruk gevel maximaal 48 dB(A)"),
    ],
)
def test_search_ignores_case_and_diacritics(client, query: str, expected: str) -> None:
    results = page(client, f"/zoeken?q={query}")
    assert expected in {text for _, text in results.links}


def test_search_groups_results_by_type(client) -> None:
    results = page(client, "/zoeken?q=asfalt")
    groups = [heading.rsplit(" ", 1)[0] for heading in results.headings[1:]]
    assert "IMBOR-objecttypen" in groups
    assert "Beleidsmaatregel" in groups  # Stil asfalt
    assert groups.index("Beleidsmaatregel") < groups.index("IMBOR-objecttypen")


def test_label_index_rebuilds_when_the_store_changes(registry) -> None:
    index = LabelIndex(check_interval_s=0)
    # Asked before the write too: a kept answer must not outlive the store version.
    assert not index.search(registry.store, "laagfrequent geluid")
    extra = Graph().parse(
        data=f"""
        <{BASE}/id/beleidsaspect/laagfrequent> a <https://data.krb.nl/def/krb#Beleidsaspect> ;
            <http://www.w3.org/2004/02/skos/core#prefLabel> "Laagfrequent geluid"@nl .
        """,
        format="turtle",
    )
    graph = f"{BASE}/graph/zoektest"
    registry.store.add_to_graph(graph, extra)
    try:
        groups = index.search(registry.store, "laagfrequent geluid")
        assert [hit.entry.label for group in groups for hit in group.hits] == [
            "Laagfrequent geluid"
        ]
    finally:
        registry.store.drop_graph(graph)
    assert not index.search(registry.store, "laagfrequent geluid")


def test_normalise_folds_case_accents_and_spaces() -> None:
    assert normalise("  Één  CAFÉ ") == "een cafe"


def test_query_page_runs_a_query_and_links_iris(client) -> None:
    query = (
        "PREFIX krb: <https://data.krb.nl/def/krb#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?m WHERE { ?m a krb:MerMaatregel } ORDER BY ?m"
    )
    result = client.get("/query", params={"query": query})
    assert result.status_code == 200
    parsed = Page(result.text)
    assert ("/id/beleidsmaatregel/BOU-M02", "id:beleidsmaatregel/BOU-M02") in parsed.links
    downloads = [href for href, text in parsed.links if text == "CSV"]
    table = client.get(downloads[0])
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0] == ["m"]
    assert [f"{BASE}/id/beleidsmaatregel/BOU-M02"] in rows
    as_json = client.get("/query/download", params={"query": query, "format": "json"}).json()
    assert as_json["head"]["vars"] == ["m"]


def test_query_editor_resolves_relative_iris_as_the_endpoint_does(client) -> None:
    query = 'SELECT (IRI("x") AS ?rel) WHERE {}'
    endpoint = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    download = client.get("/query/download", params={"query": query, "format": "csv"})
    assert endpoint.status_code == download.status_code == 200
    assert download.text.splitlines() == endpoint.text.splitlines()
    assert download.text.splitlines()[1] == str(client.base_url.join("/x"))


def test_query_results_link_what_the_registry_describes_and_link_out_otherwise(client) -> None:
    # An address the store says nothing about (a data source's website) linked to
    # /resource?iri=..., which said "Niet gevonden".
    query = (
        "SELECT ?x WHERE { VALUES ?x { <https://example.org/elders> "
        "<http://qudt.org/vocab/unit/KiloM> } }"
    )
    answer = client.get("/query", params={"query": query})
    assert answer.status_code == 200
    assert 'href="https://example.org/elders"' in answer.text
    resource = "/resource?iri=" + quote("http://qudt.org/vocab/unit/KiloM", safe="")
    assert f'href="{resource}"' in answer.text.replace("&amp;", "&")
    assert client.get(resource).status_code == 200
    assert "/resource?iri=https%3A%2F%2Fexample.org%2Felders" not in answer.text


def test_query_page_examples_fill_the_editor(client) -> None:
    example = page(client, "/query?voorbeeld=geldig-op")
    assert "?datum" in example.textarea
    assert "/query?voorbeeld=dwarsverbanden-netwerk" in {href for href, _ in example.links}


def test_query_page_reports_a_syntax_error_with_its_position(client) -> None:
    response = client.get("/query", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    assert "Syntaxfout" in response.text
    assert "SELECT ?x WHERE { ?x ?y }" in Page(response.text).textarea


def test_dwarsverbanden_page_draws_the_network(client) -> None:
    response = client.get("/dwarsverbanden")
    html = response.text
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    svg = ET.fromstring(html[start:end])
    ns = {"svg": "http://www.w3.org/2000/svg"}
    edges = svg.findall(".//svg:a[@class='edge']", ns)
    nodes = svg.findall(".//svg:a[@class='node']", ns)
    assert len(nodes) >= 6 and edges
    titles = [edge.find("svg:title", ns).text for edge in edges]
    # Edges count links (effects and uitvoeringen) in force today.
    assert "Bouwen → Geluid: 1 maatregel(en), 1 koppeling(en)" in titles
    # Bouw groene speelplaatsen (Groen) carries out a Gezondheid rule.
    assert "Groen → Gezondheid: 1 maatregel(en), 1 koppeling(en)" in titles
    assert '<th scope="col" class="num">Koppelingen</th>' in html

    def measures_of(prefix: str) -> Page:
        href = next(e.get("href") for e in edges if e.find("svg:title", ns).text.startswith(prefix))
        return page(client, href)

    measures = measures_of("Bouwen → Geluid")
    assert "Comfort boxes" in {text for _, text in measures.links}
    assert "effect op norm" in measures.cells
    rule = measures_of("Groen → Gezondheid")
    assert "Bouw groene speelplaatsen" in {text for _, text in rule.links}
    assert {"uitvoering van regel", "Uitnodigen tot bewegen en buitenspelen"} <= set(rule.cells)


def test_network_svg_scales_nodes_and_edges() -> None:
    nodes = [ThemeNode("a", "A & B", 1), ThemeNode("b", "B", 9), ThemeNode("c", "C", 0)]
    edges = [ThemeEdge("a", "b", 1, 1), ThemeEdge("b", "a", 2, 4), ThemeEdge("a", "x", 1, 1)]
    svg = ET.fromstring(
        theme_network_svg(nodes, edges, node_href=lambda n: f"/n/{n.iri}", edge_href=lambda e: "/e")
    )
    ns = {"svg": "http://www.w3.org/2000/svg"}
    radii = {
        a.get("href"): float(a.find("svg:circle", ns).get("r"))
        for a in svg.findall(".//svg:a[@class='node']", ns)
    }
    assert radii["/n/b"] > radii["/n/a"] >= radii["/n/c"]
    widths = [
        float(a.find("svg:line", ns).get("stroke-width"))
        for a in svg.findall(".//svg:a[@class='edge']", ns)
    ]
    assert len(widths) == 2  # the edge to an unknown theme is left out
    assert widths[1] > widths[0]
    assert "A & B" in [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]


def test_scheme_list_and_small_tree(client) -> None:
    schemes = page(client, "/begrippen")
    assert "Sectoren" in {text for _, text in schemes.links}
    tree = page(client, "/begrippen?schema=https%3A%2F%2Fdata.krb.nl%2Fid%2Fconceptschema%2Fsector")
    texts = {text for _, text in tree.links}
    assert {"bedrijven", "industrie", "huishoudens"} <= texts


def test_leefomgeving_tree_opens_a_zoekingang_on_demand(client) -> None:
    closed = page(client, f"/begrippen?schema={LEEFOMGEVING}")
    texts = {text for _, text in closed.links}
    assert "Tunnels" in texts  # a zoekingang
    assert "Asfaltverharding" not in texts  # object types stay folded away
    expand = {href for href, text in closed.links if "onderliggende" in text}
    assert len(expand) > 20
    tunnels = next(href for href in expand if "28d800f2" in href)
    opened = page(client, tunnels)
    assert "Asfaltverharding" in {text for _, text in opened.links}


def test_ontology_page_documents_terms(client) -> None:
    response = client.get("/def/krb")
    parsed = Page(response.text)
    assert "Kernregistratie Beleid (KRB)" in parsed.headings[0]
    # Domain and range link to the classes' anchors.
    assert ("/def/krb#Werkingsgebied", "Werkingsgebied") in parsed.links
    assert "Policy norm" in response.text


LINKS = "Beoogde effecten en bereikte thema's"


def test_measure_page_marks_dwarsverbanden(client) -> None:
    response = client.get("/id/beleidsmaatregel/BOU-M02")
    parsed = Page(response.text)
    assert LINKS in parsed.headings
    # (Koppeling, Soort, Waarde, Doel, Indicator, Thema, Dwarsverband): one row per link.
    rows = page_sections(response.text)[LINKS]
    assert sorted((row.cells[0], row.cells[1], row.cells[5]) for row in rows) == [
        ("Comfort boxes op geluidsdruk gevel", "effect op norm", "Geluid"),
        ("Comfort boxes op geluidsniveau binnen", "effect op norm", "Bouwen"),
        ("Comfort boxes op slaapgestoorden", "effect op norm", "Gezondheid"),
    ]
    assert {row.cells[5] for row in rows if "dwarsverband" in row.classes} == {
        "Geluid",
        "Gezondheid",
    }
    assert response.text.count('class="dwarsverband"') == 2
    assert {"Bouwen", "Geluid", "Gezondheid"} <= {text for _, text in parsed.links}


def test_measure_page_shows_an_uitvoering_and_only_links_in_force(client) -> None:
    rows = page_sections(client.get("/id/beleidsmaatregel/GRO-M01").text)[LINKS]
    assert sorted((row.cells[1], row.cells[3], row.cells[5]) for row in rows) == [
        ("effect op norm", "Afstand tot openbaar groen maximaal 0,4 km", "Groen"),
        ("effect op norm", "Afstand tot speelterrein maximaal 0,3 km", "Groen"),
        ("uitvoering van regel", "Uitnodigen tot bewegen en buitenspelen", "Gezondheid"),
    ]
    [uitvoering] = [row for row in rows if row.cells[1] == "uitvoering van regel"]
    assert "dwarsverband" in uitvoering.classes
    # Stil asfalt ended 2025-12-31: its effect is no longer shown.
    ended = client.get("/id/beleidsmaatregel/GEL-M01").text
    assert page_sections(ended)[LINKS] == []
    assert "Deze maatregel heeft vandaag geen geldende beoogde effecten of uitvoeringen." in ended


AREA = "Beleid in dit gebied"


def test_area_page_lists_policy_of_containing_areas(client) -> None:
    response = client.get("/id/werkingsgebied/parkstraat")
    parsed = Page(response.text)
    assert AREA in parsed.headings
    names = {text for _, text in parsed.links}
    assert {"Stil asfalt", "Geluidsdruk gevel maximaal 48 dB(A)"} <= names
    # (Soort, Naam, Code, Vastgesteld voor, Ligging, Geldigheid vandaag), by code.
    rows = {row.cells[2]: row for row in page_sections(response.text)[AREA]}
    facade = rows["GEL-N01"]
    assert facade.cells[:5] == [
        "beleidsnorm",
        "Geluidsdruk gevel maximaal 48 dB(A)",
        "GEL-N01",
        "Demogemeente",
        "omvat",
    ]
    assert facade.cells[5] == "geldig (2024-01-01 t/m 2030-12-31)"
    assert facade.classes == {"geerfd"}
    # Stil asfalt is set for the street itself but ended 2025-12-31: shown, marked.
    asphalt = rows["GEL-M01"]
    assert asphalt.cells[3:] == ["Parkstraat", "zelf", "verlopen (2021-04-01 t/m 2025-12-31)"]
    assert asphalt.classes == {"niet-geldig"}
    assert rows["GEL-N02"].cells[5] == "verlopen (2020-07-01 t/m 2025-12-31)"
    assert rows["GEL-N02"].classes == {"geerfd", "niet-geldig"}


def test_area_page_shows_policy_of_areas_inside_it(client) -> None:
    rows = {
        row.cells[2]: row
        for row in page_sections(client.get("/id/werkingsgebied/WK999902").text)[AREA]
    }
    # Parkkwartier: its own measure, the municipality's norms, the national ones and
    # the measure of the Parklaan, a street in one of its buurten.
    assert rows["GRO-M01"].cells[3:5] == ["Parkkwartier", "zelf"]
    assert rows["GEL-N01"].cells[3:5] == ["Demogemeente", "omvat"]
    assert rows["WGH-N01"].cells[3:5] == ["Nederland", "omvat"]
    assert rows["BOU-M01"].cells[3:5] == ["Parklaan van Spui tot Vliet", "binnen"]
    assert rows["BOU-M01"].cells[5] == "geldig (vanaf 2025-07-01)"
    assert rows["GEL-M01"].cells[3:6] == [
        "Parkstraat",
        "binnen",
        "verlopen (2021-04-01 t/m 2025-12-31)",
    ]


def test_static_stylesheet_is_served_locally(client) -> None:
    response = client.get("/static/krb.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert client.get("/static/../pages.py").status_code == 404
    home = client.get("/").text
    assert "http" not in home.split("<body")[0].replace("http-equiv", "")  # no CDN in <head>


def test_every_resource_page_link_resolves(client) -> None:
    """Follow every local resource link of a norm page: none of them is a dead end."""
    parsed = page(client, "/id/beleidsnorm/GEL-N01")
    targets = {href.split("#")[0] for href, _ in parsed.links}
    targets = {t for t in targets if t.startswith(("/id/", "/begrip/", "/resource", "/def/"))}
    assert len(targets) > 10
    for target in sorted(targets):
        status = client.get(target.replace("&amp;", "&")).status_code
        assert status == 200, target


def test_home_counts_every_measure_with_mer_measures_among_them(client, registry) -> None:
    """A MER-maatregel is a maatregel: the measure count includes them, and the 'of which'
    line counts them again."""
    home = page(client, "/")
    measures = home.cells[home.cells.index("Beleidsmaatregelen") + 1]
    mer = home.cells[home.cells.index("waarvan MER-maatregelen") + 1]
    counted = registry.store.query(
        "SELECT (COUNT(DISTINCT ?m) AS ?n) (COUNT(DISTINCT ?mer) AS ?k) WHERE {"
        " { ?m a <https://data.krb.nl/def/krb#Beleidsmaatregel> } UNION"
        " { ?m a <https://data.krb.nl/def/krb#MerMaatregel> BIND(?m AS ?mer) } }"
    ).rows[0]
    assert (int(measures), int(mer)) == (int(counted[0]), int(counted[1]))
    assert int(mer) > 0 and int(measures) > int(mer)


def test_the_unit_scheme_lists_its_units(client) -> None:
    """The Eenheden scheme counts and lists the units the KRB declares (ontology/eenheden.ttl)."""
    declared = Graph().parse(project_root() / "ontology" / "eenheden.ttl")
    units = set(declared.subjects(RDF.type, QUDT.Unit))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/begrippen").text))
    assert re.search(rf"Eenheden {len(units)} begrippen", text), text[:2000]
    listed = page(
        client, "/begrippen?schema=https%3A%2F%2Fdata.krb.nl%2Fid%2Fconceptschema%2Feenheid"
    )
    assert {"decibel (A-gewogen)", "kilometer"} <= {t for _, t in listed.links}


def test_a_scheme_counts_the_same_on_the_list_and_on_its_own_page(client) -> None:
    """Leefomgeving counted 1732 on /begrippen and 1734 on its page (the local object
    types under its zoekingangen): one rule on both."""
    listing = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/begrippen").text))
    on_list = re.search(r"Leefomgeving (\d+) begrippen", listing)
    own = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(f"/begrippen?schema={LEEFOMGEVING}").text)
    )
    on_page = re.search(r"(\d+) begrippen", own)
    assert on_list and on_page and on_list.group(1) == on_page.group(1)


def test_about_this_class_never_leads_to_a_404(client) -> None:
    for klasse in (
        "http://www.w3.org/ns/org#OrganizationalUnit",
        "https://data.krb.nl/def/krb#Beleidsnorm",
    ):
        listing = page(client, f"/lijst?klasse={quote(klasse, safe='')}")
        about = next(href for href, text in listing.links if text == "Over deze klasse")
        if about.startswith("/"):
            assert client.get(about).status_code == 200, about
        else:
            assert about == klasse  # another vocabulary: its own IRI explains it


def test_an_imbor_see_also_is_not_shown_as_a_bare_uuid() -> None:
    from krbgraph.web.describe import short_name

    shown = short_name("https://data.crow.nl/imbor/term/5ee2720a-f9dd-4d66-832a-7a51bdb82ea2")
    assert shown.startswith("data.crow.nl/imbor/term/5ee2720a")
    assert short_name("https://data.krb.nl/def/krb#Beleidsnorm") == "Beleidsnorm"


@pytest.mark.parametrize(
    "everyday,imbor", [("lantaarnpaal", "Lichtmast"), ("prullenbak", "Afvalbak")]
)
def test_search_finds_imbor_types_by_everyday_words(client, everyday: str, imbor: str) -> None:
    found = page(client, f"/zoeken?q={everyday}")
    assert imbor in {text for _, text in found.links}


@pytest.mark.parametrize(
    ("typed", "meant"), [("lichtmats", "Lichtmast"), ("Barkstraat", "Parkstraat")]
)
def test_search_suggests_close_names_when_nothing_matches(client, typed: str, meant: str) -> None:
    misspelt = page(client, f"/zoeken?q={typed}")  # a typo in the first letter too
    assert "Bedoelde u:" in misspelt.text
    assert meant in {text for _, text in misspelt.links}
    assert "Bedoelde u:" not in page(client, "/zoeken?q=xyzzyq").text


def test_every_search_term_names_a_class_of_the_imbor_extract() -> None:
    from rdflib.namespace import SKOS

    imbor = project_root() / "mappings" / "imbor"
    terms = Graph().parse(imbor / "zoektermen.ttl")
    extract = Graph().parse(imbor / "imbor-leefomgeving.ttl")
    subjects = set(terms.subjects(SKOS.hiddenLabel, None))
    assert len(subjects) >= 10
    assert all((s, SKOS.prefLabel, None) in extract for s in subjects)
    # A search term is no name of another class: "fietsbeugel" on Fietsenrek, while
    # IMBOR has a class Fietsbeugel, led the asset manager past that class's norms.
    names = {
        str(name).casefold(): subject
        for subject, name in extract.subject_objects(SKOS.prefLabel | SKOS.altLabel)
    }
    clashes = sorted(
        f"{term} (on {subject}, the name of {names[str(term).casefold()]})"
        for subject, term in terms.subject_objects(SKOS.hiddenLabel)
        if names.get(str(term).casefold(), subject) != subject
    )
    assert clashes == []


def test_the_concept_tree_shows_how_many_norms_hang_at_or_below_each_concept(
    client, registry
) -> None:
    """The asset manager's question before opening a branch: where are the norms?"""
    scheme = "https://data.krb.nl/id/conceptschema/sector"
    html = client.get(f"/begrippen?schema={quote(scheme, safe='')}").text
    shown = dict(
        re.findall(r">([^<>]{2,60})</a>\s*<span class=\"badge norms\"[^>]*>(\d+) norm", html)
    )
    assert shown, "no concept shows its norms"
    for label, count in shown.items():
        rows = registry.store.query(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX krb: <https://data.krb.nl/def/krb#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT (COUNT(DISTINCT ?norm) AS ?n) WHERE { "
            "?concept skos:inScheme ?scheme ; skos:prefLabel|rdfs:label ?label . "
            "FILTER(STR(?label) = ?text) "
            "?below skos:broader* ?concept . ?norm a krb:Beleidsnorm ; krb:sector ?below }",
            bindings={"scheme": URIRef(scheme), "text": Literal(label)},
        ).rows
        assert int(str(rows[0][0])) == int(count), label


def test_an_area_page_draws_the_area_and_the_areas_inside_it(client) -> None:
    """WK999902 has a polygon and two buurten with polygons inside it: the map shows all
    three, north up, and each buurt links to its own page."""
    html = client.get("/id/werkingsgebied/WK999902").text
    found = re.search(r"<svg[^>]*class=\"area-map\".*?</svg>", html, re.S)
    assert found, "no map on the area page"
    svg = ET.fromstring(found.group(0))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert len(svg.findall(".//s:g[@class='area gebied']", ns)) == 1
    links = [a.get("href") for a in svg.findall(".//s:a", ns)]
    inside = [href for href in links if href and "BU9999020" in href]
    assert len(inside) == 2
    assert all(client.get(href).status_code == 200 for href in inside)
    # The area itself lies inside the view box.
    _, _, width, height = (float(v) for v in svg.get("viewBox", "").split())
    drawn = svg.find(".//s:g[@class='area gebied']/s:path", ns)
    assert drawn is not None
    for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", drawn.get("d", "")):
        assert 0 <= float(x) <= width and 0 <= float(y) <= height


def test_an_area_without_geometry_has_no_map(client) -> None:
    html = client.get("/id/werkingsgebied/parkstraat").text
    assert 'class="area-map"' not in html


def test_the_leefomgeving_tree_counts_measures_and_can_show_only_concepts_with_policy(
    client, registry
) -> None:
    """An asset manager filters the IMBOR tree to what policy speaks about: the zoekingangen
    left are exactly those with a norm or measure at or below them, each with its counts."""
    scheme = quote(LEEFOMGEVING, safe="")
    everything = client.get(f"/begrippen?schema={scheme}").text
    filtered = client.get(f"/begrippen?schema={scheme}&met_beleid=true").text
    top = re.compile(r"<li>\s*<a href=\"[^\"]+\">([^<]+)</a>(.*?)<a class=\"expand\"", re.S)
    all_tops = {label for label, _ in top.findall(everything)}
    kept = {label: badges for label, badges in top.findall(filtered)}
    assert kept and set(kept) < all_tops
    # The form says ja/nee; a reader editing the link writes the same words.
    assert client.get(f"/begrippen?schema={scheme}&met_beleid=ja").text == filtered
    assert client.get(f"/begrippen?schema={scheme}&met_beleid=nee").text == everything
    refused = client.get(f"/begrippen?schema={scheme}&met_beleid=misschien")
    assert refused.status_code == 422 and "met_beleid" in refused.text
    for label, badges in kept.items():
        assert "badge" in badges, f"{label} is kept without any norm or measure"
    # The test's own count: measures acting on an object type under a zoekingang or aimed
    # at a norm classified there (the same reach as /api/imbor/.../maatregelen).
    rows = registry.store.query(
        "PREFIX krb: <https://data.krb.nl/def/krb#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?label (COUNT(DISTINCT ?maatregel) AS ?n) WHERE { "
        "?ingang skos:inScheme ?scheme ; skos:topConceptOf ?scheme ; skos:prefLabel ?label . "
        "?type krb:zoekingang ?ingang . ?sub rdfs:subClassOf* ?type . "
        "{ ?maatregel krb:objecttype ?sub } UNION "
        "{ ?effect krb:maatregel ?maatregel ; krb:norm/krb:leefomgeving ?sub } "
        "} GROUP BY ?label",
        bindings={"scheme": URIRef(LEEFOMGEVING)},
    ).rows
    expected = {str(label): int(str(n)) for label, n in rows}
    assert expected, "the demo has measures on IMBOR object types"
    for label, n in expected.items():
        assert label in kept, label
        assert f">{n} {'maatregel' if n == 1 else 'maatregelen'}<" in kept[label], label


@pytest.mark.parametrize("text", ["asfalt", "geluid gevel", "48", "Stil", "a", "zzz-niets", "n0"])
def test_the_search_prefilter_finds_what_the_full_scan_finds(registry, text: str) -> None:
    """The index narrows a search to the entries holding its longest word (str.find
    over all texts at once); the hits must be those of testing every entry."""
    index = LabelIndex(check_interval_s=0)
    entries = index.entries(registry.store)
    full = search_entries(entries, text, limit_per_type=1000)
    assert index.search(registry.store, text, limit_per_type=1000) == full


def test_long_tables_show_their_first_rows_and_link_to_all(client, monkeypatch) -> None:
    """A table longer than the page shows says how many rows it holds and links to a
    page with every row; that page has exactly the rows the short one left out."""
    import krbgraph.web.row_cap as row_cap

    url = "/begrip/normoperator/maximaal"
    everything = page(client, url + "?rijen=alle")
    incoming = len(everything.cells) // 2  # Van and Via per reference
    assert incoming >= 10, "maximaal is the operator of most demo norms"
    monkeypatch.setattr(row_cap, "ROWS_SHOWN", 3)
    short = page(client, url)
    assert len(short.cells) == 3 * 2
    assert short.cells == everything.cells[: 3 * 2]
    assert f"3 van {incoming} verwijzingen getoond" in short.text
    more = [href for href, text in short.links if text == "Toon alle verwijzingen"]
    assert more == [url + "?rijen=alle"]
    assert page(client, more[0]).cells == everything.cells
    # Sections of a kind-specific page are shortened the same way.
    theme = page(client, "/id/beleidsthema/geluid")
    full_theme = page(client, "/id/beleidsthema/geluid?rijen=alle")
    assert len(full_theme.cells) > len(theme.cells)
    assert "rijen getoond" in theme.text and "rijen getoond" not in full_theme.text
    assert client.get(url + "?rijen=veel").status_code == 422


@pytest.mark.parametrize("url", ["/", "/query", "/zoeken?q=geluid", "/pagina-die-niet-bestaat"])
def test_every_page_names_an_icon_the_site_serves(client, url: str) -> None:
    """Without one a browser asks /favicon.ico on every first visit: a 404 in its console."""
    html = client.get(url, headers={"Accept": "text/html"}).text
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="([^"]+)">', html)
    assert icon is not None, url
    served = client.get(icon.group(1))
    assert served.status_code == 200
    assert served.headers["content-type"].startswith(icon.group(2))
    ET.fromstring(served.text)  # well-formed SVG


def test_an_address_nothing_serves_is_the_sites_page_in_a_browser_and_json_for_clients(
    client,
) -> None:
    browser = client.get("/beleid/bestaat-niet", headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.status_code == 404
    assert browser.headers["content-type"].startswith("text/html")
    assert "Niet gevonden" in browser.text and "/beleid/bestaat-niet" in browser.text
    script = client.get("/beleid/bestaat-niet", headers={"Accept": "application/json"})
    assert script.status_code == 404 and script.json() == {"detail": "Not Found"}
    for malformed in ("text/html;q=abc", "foo", "text/html;q=2"):
        answer = client.get("/beleid/bestaat-niet", headers={"Accept": malformed})
        assert answer.status_code == 404, malformed  # was a 500
    # A route's own 404 says what it did not find, whoever asks.
    own = client.get("/api/queries/bestaat-niet", headers={"Accept": "text/html"})
    assert own.status_code == 404 and own.headers["content-type"] == "application/json"
    assert "bestaat-niet" in own.json()["detail"]


def test_a_documents_page_names_its_lifecycle_links_in_dutch(client) -> None:
    """The page showed the raw terms 'isReplacedBy' and 'replaces'."""
    text = client.get("/id/besluitdocument/GEL-AP2030").text
    assert "vervangt" in text
    assert ">replaces<" not in text and ">isReplacedBy<" not in text


def test_the_page_behind_an_arrow_tells_two_themes_of_one_name_apart(client, registry) -> None:
    """With Gezondheid also named Bouwen, the arrow Bouwen -> Gezondheid (comfort boxes)
    read as a link within one theme: "Maatregelen van Bouwen met effect op Bouwen"."""
    bouwen, gezondheid = f"{BASE}/id/beleidsthema/bouwen", f"{BASE}/id/beleidsthema/gezondheid"
    params = {"bron": bouwen, "doel": gezondheid}
    before = client.get("/dwarsverbanden/maatregelen", params=params).text
    assert "<h1>Maatregelen van Bouwen met effect op Gezondheid</h1>" in before
    graph = f"{BASE}/graph/naamgenoot"
    label = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    registry.store.add_to_graph(
        graph, Graph().add((URIRef(gezondheid), label, Literal("Bouwen", lang="nl")))
    )
    try:
        html = client.get("/dwarsverbanden/maatregelen", params=params).text
        title = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
        source, target = re.fullmatch(r"Maatregelen van (.+) met effect op (.+)", title).groups()
        assert source != target and source.startswith("Bouwen (") and target.startswith("Bouwen (")
    finally:
        registry.store.drop_graph(graph)
