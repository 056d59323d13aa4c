"""Dereferencing /id, /begrip, /def/krb and /resource: RDF by Accept or ?format=, HTML, 404s.

RDF answers are parsed back into rdflib graphs and checked by triples.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS
from store_reads import graphs_read
from test_pages_fixtures import BASE, page_sections

from krbgraph.namespaces import KRB, QUDT
from krbgraph.web.describe import local_href

NORM = URIRef(f"{BASE}/id/beleidsnorm/GEL-N01")
RDF_FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
}


def parse(response, rdflib_format: str) -> Graph:
    graph = Graph()
    graph.parse(data=response.content, format=rdflib_format)
    return graph


@pytest.mark.parametrize("key", sorted(RDF_FORMATS))
def test_norm_by_format_parameter_has_its_triples(client, key: str) -> None:
    media, rdflib_format = RDF_FORMATS[key]
    response = client.get(f"/id/beleidsnorm/GEL-N01?format={key}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    graph = parse(response, rdflib_format)
    assert (NORM, RDF.type, KRB.Beleidsnorm) in graph
    assert (NORM, DCTERMS.identifier, Literal("GEL-N01")) in graph
    assert (NORM, KRB.indicator, URIRef(f"{BASE}/id/beleidsindicator/GEL-I01")) in graph
    assert graph.value(NORM, QUDT.numericValue).toPython() == 48
    # The validity period is a blank node; its triples come along (concise bounded description).
    period = graph.value(NORM, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) is not None


@pytest.mark.parametrize("key", sorted(RDF_FORMATS))
def test_norm_by_accept_header(client, key: str) -> None:
    media, rdflib_format = RDF_FORMATS[key]
    response = client.get("/id/beleidsnorm/GEL-N01", headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert (NORM, RDF.type, KRB.Beleidsnorm) in parse(response, rdflib_format)


def test_accept_with_q_values_picks_the_preferred_format(client) -> None:
    accept = "text/html;q=0.5, application/n-triples;q=0.9, text/turtle;q=0.1"
    response = client.get("/id/beleidsnorm/GEL-N01", headers={"Accept": accept})
    assert response.headers["content-type"].startswith("application/n-triples")


def test_browser_gets_html_with_label_and_local_links(client) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/id/beleidsnorm/GEL-N01", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "<h1>Geluidsdruk gevel maximaal 48 dB(A)</h1>" in html
    # Linked things show their labels and point at this server, not at the public domain.
    assert 'href="/id/beleidsindicator/GEL-I01">Geluidsdruk gevel (Lden)</a>' in html
    assert f'href="{BASE}' not in html


def test_unacceptable_media_type_gives_406(client) -> None:
    response = client.get("/id/beleidsnorm/GEL-N01", headers={"Accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    "url",
    [
        "/id/beleidsnorm/GEEN-NORM",
        "/id/beleidsnorm/GEEN-NORM?format=ttl",
        "/begrip/normoperator/bestaat-niet",
        "/resource?iri=" + quote("https://example.org/onbekend", safe=""),
    ],
)
def test_unknown_iris_give_404(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404


def test_404_page_names_what_was_looked_for(client) -> None:
    response = client.get("/id/beleidsnorm/GEEN-NORM")
    assert response.status_code == 404
    assert f"{BASE}/id/beleidsnorm/GEEN-NORM" in response.text


def test_base_iri_is_configurable(tmp_path) -> None:
    """A registry under another domain is served from the same local paths."""
    from fastapi.testclient import TestClient
    from test_pages_fixtures import DEMO

    from krbgraph.loading import load_paths
    from krbgraph.settings import Settings
    from krbgraph.store import ensure_model, open_store
    from krbgraph.web.app import create_app

    other = "https://beleid.voorbeeldstad.nl"
    settings = Settings(store=str(tmp_path / "store"), base_iri=other)
    store = open_store(settings)
    try:
        ensure_model(store)
        text = (DEMO / "thema.ttl").read_text(encoding="utf-8").replace(BASE, other)
        source = tmp_path / "thema.ttl"
        source.write_text(text, encoding="utf-8")
        load_paths(store, [source], base_iri=other, validate=False)
        with TestClient(create_app(settings, store=store)) as test_client:
            response = test_client.get("/id/beleidsthema/geluid?format=nt")
            assert response.status_code == 200
            graph = parse(response, "nt")
            assert (URIRef(f"{other}/id/beleidsthema/geluid"), RDF.type, KRB.Beleidsthema) in graph
            assert test_client.get("/id/beleidsnorm/GEL-N01").status_code == 404
    finally:
        store.close()


def test_value_list_concept_under_begrip(client) -> None:
    response = client.get("/begrip/normoperator/maximaal?format=ttl")
    assert response.status_code == 200
    graph = parse(response, "turtle")
    concept = URIRef("https://data.krb.nl/id/begrip/normoperator/maximaal")
    assert graph.value(concept, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")) is not None


def test_imbor_class_through_resource_route(client) -> None:
    iri = "https://data.crow.nl/imbor/def/5e38db74-2c1b-4caa-bd62-c7008cb022c6"
    response = client.get("/resource", params={"iri": iri, "format": "nt"})
    assert response.status_code == 200
    graph = parse(response, "nt")
    assert (URIRef(iri), RDFS.label, Literal("Asfaltverharding", lang="nl")) in graph
    page = client.get("/resource", params={"iri": iri})
    rows = page_sections(page.text)["Normen en maatregelen voor dit objecttype"]
    # (Soort, Naam, Code, Gebied, Gevonden via klasse, Via, Op norm, Effect): what is in
    # force today, each norm once, with where it applies.
    by_code = {row.cells[2]: row for row in rows}
    assert len(by_code) == len(rows)
    facade = by_code["GEL-N01"]
    assert facade.cells[:6] == [
        "beleidsnorm",
        "Geluidsdruk gevel maximaal 48 dB(A)",
        "GEL-N01",
        "Demogemeente",
        "Asfaltverharding",
        "objecttype",
    ]
    assert "geerfd" not in facade.classes
    assert (
        by_code["BKL-N02"].cells[4:6] == ["alle", "alle"] and "geerfd" in by_code["BKL-N02"].classes
    )
    # Comfort boxes aims at the Wet geluidshinder's facade norm WGH-N01 (also on
    # Asfaltverharding) with -2 dB(A); Stil asfalt (on Asfaltverharding itself) ended
    # 2025-12-31 and is no longer listed.
    boxes = by_code["BOU-M02"]
    assert boxes.cells[0] == "beleidsmaatregel" and boxes.cells[1] == "Comfort boxes"
    assert boxes.cells[6:] == ["WGH-N01", "-2 dB(A)"]
    assert "GEL-M01" not in by_code


def test_resource_route_redirects_registry_iris_to_their_own_page(client) -> None:
    response = client.get("/resource", params={"iri": str(NORM)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/id/beleidsnorm/GEL-N01"


def test_ontology_as_rdf_and_as_page_with_anchors(client) -> None:
    response = client.get("/def/krb", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = parse(response, "turtle")
    assert (KRB.Beleidsnorm, RDFS.label, Literal("Beleidsnorm", lang="nl")) in graph
    assert (KRB.ligtIn, RDFS.range, KRB.Werkingsgebied) in graph
    page = client.get("/def/krb")
    assert 'id="Beleidsnorm"' in page.text and 'id="ligtIn"' in page.text
    assert "Policy norm" in page.text  # English label beside the Dutch one
    one_term = client.get("/resource", params={"iri": str(KRB.Beleidsnorm), "format": "nt"})
    assert (KRB.Beleidsnorm, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in parse(
        one_term, "nt"
    )


def test_local_href_maps_every_kind_of_iri() -> None:
    assert local_href(f"{BASE}/id/werkingsgebied/GM9999", BASE) == "/id/werkingsgebied/GM9999"
    assert local_href(str(KRB.Beleidsnorm), BASE) == "/def/krb#Beleidsnorm"
    assert local_href("https://data.krb.nl/def/krb", BASE) == "/def/krb"
    assert local_href("https://data.krb.nl/id/begrip/sector/alle", BASE) == "/begrip/sector/alle"
    assert local_href("https://data.krb.nl/def/krb/shapes", BASE) == "/def/krb/shapes"
    assert local_href("http://qudt.org/vocab/unit/M", BASE) == (
        "/resource?iri=http%3A%2F%2Fqudt.org%2Fvocab%2Funit%2FM"
    )


def test_head_answers_like_get_without_a_body(client) -> None:
    head = client.head("/id/beleidsnorm/GEL-N01", headers={"Accept": "text/turtle"})
    get = client.get("/id/beleidsnorm/GEL-N01", headers={"Accept": "text/turtle"})
    assert head.status_code == get.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.content == b""
    missing = client.head("/id/beleidsnorm/BESTAAT-NIET")
    assert missing.status_code == 404 and missing.content == b""


@pytest.mark.parametrize("suffix", ["%0A", "%0D%0A", "%00", "%7F", "%09"])
def test_an_address_with_a_control_character_names_nothing(client, suffix: str) -> None:
    """Python's `$` also matches before a final newline: /id/...%0A served the thing."""
    response = client.get(f"/id/beleidsnorm/GEL-N01{suffix}", headers={"Accept": "text/turtle"})
    assert response.status_code == 400
    assert "control character" in response.text
    assert (
        client.get("/id/beleidsnorm/GEL-N01", headers={"Accept": "text/turtle"}).status_code == 200
    )


def test_every_shape_iri_dereferences_to_the_document_that_describes_it(client) -> None:
    """Shape IRIs are hash IRIs of https://data.krb.nl/def/krb/shapes: a client asks
    for /def/krb/shapes and must find the shape there (it was sent to the ontology)."""
    store = client.app.state.store
    shapes = {
        str(row[0])
        for row in store.query(
            "SELECT DISTINCT ?s WHERE { GRAPH <https://data.krb.nl/def/krb/shapes> { ?s ?p ?o } "
            'FILTER (isIRI(?s) && STRSTARTS(STR(?s), "https://data.krb.nl/def/krb/shapes#")) }'
        ).rows
    }
    assert len(shapes) >= 50
    response = client.get("/def/krb/shapes", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    served = {str(s) for s in parse(response, "turtle").subjects()}
    assert shapes <= served
    page = client.get("/def/krb/shapes")
    assert page.status_code == 200 and "KRB-vormen" in page.text
    assert 'href="/def/krb/shapes?format=ttl"' in page.text


@pytest.mark.parametrize(
    ("path", "graph"),
    [
        ("/def/imbor-leefomgeving", "https://data.krb.nl/def/imbor-leefomgeving"),
        ("/def/qudt-units", "https://data.krb.nl/def/qudt-eenheden"),
    ],
)
def test_the_extracts_dereference_to_all_their_triples(client, path: str, graph: str) -> None:
    response = client.get(path, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    held = client.app.state.store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    ).rows[0][0]
    assert len(parse(response, "nt")) == int(held) > 1000
    assert client.get(path).status_code == 200  # its page


@pytest.mark.parametrize(
    ("term", "status", "location"),
    [
        ("Beleidsnorm", 303, "/def/krb#Beleidsnorm"),
        ("0.1.0", 303, "/def/krb"),  # the ontology's version IRI
        ("GeenTerm", 404, None),
        ("shapes-extra", 404, None),
    ],
)
def test_a_slash_term_goes_to_its_anchor_only_when_the_ontology_has_it(
    client, term: str, status: int, location: str | None
) -> None:
    response = client.get(f"/def/krb/{term}", follow_redirects=False)
    assert response.status_code == status
    assert response.headers.get("location") == location


def test_every_term_a_slash_iri_redirects_to_has_its_anchor_on_the_page(client) -> None:
    """krb:standaardgraaf (a named value, linked from audit records) was redirected to
    an anchor the page did not carry."""
    import re

    from rdflib import Graph, URIRef

    from krbgraph.model import project_root

    ontology = Graph().parse(project_root() / "ontology" / "krb.ttl")
    krb = "https://data.krb.nl/def/krb#"
    terms = {str(s)[len(krb) :] for s in ontology.subjects() if isinstance(s, URIRef) and krb in s}
    anchors = set(re.findall(r'id="([^"]+)"', client.get("/def/krb").text))
    assert "standaardgraaf" in terms
    assert terms - anchors == set()


def test_a_model_document_is_written_out_once_per_model_version(client) -> None:
    """The IMBOR extract takes seconds to serialise: readers after the first get the
    bytes kept for the files the model graph was loaded from."""
    with graphs_read(client.app.state.store) as reads:
        first = client.get("/def/imbor-leefomgeving", headers={"Accept": "application/n-triples"})
        second = client.get("/def/imbor-leefomgeving", headers={"Accept": "application/n-triples"})
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(reads) <= 1


def test_the_ontology_page_reads_a_union_domain_as_its_classes(client) -> None:
    """krb:sector applies to a norm or a measurement (owl:unionOf): the page names both
    and lists the property under each, never a blank node without a page."""
    page = client.get("/def/krb").text
    sector = page.split('id="sector"', 1)[1].split("<section", 1)[0]
    assert "Domein (een van)" in sector
    assert 'href="/def/krb#Beleidsnorm"' in sector and "Observation" in sector
    domain = sector.split("Bereik", 1)[0].split("Domein", 1)[1]
    assert all(link.startswith("http") for link in domain.split("/resource?iri=")[1:]), domain
    norm = page.split('id="Beleidsnorm"', 1)[1].split("<section", 1)[0]
    for prop in ("sector", "materiaal", "leefomgeving"):
        assert f'href="/def/krb#{prop}"' in norm, prop


def test_iris_with_percent_escapes_have_their_page(tmp_path) -> None:
    """A registry IRI holding percent escapes (``.../caf%C3%A9plein``, an escaped slash,
    both an escape and a character outside ASCII) answers at the links the product prints
    for it, and at its own IRI as a client sends it, as an IRI with the character itself
    (``.../straße``) does. A real server: the test client decodes a path twice."""
    import re

    import httpx
    from live_server import live_server

    from krbgraph.loading import load_paths
    from krbgraph.settings import Settings
    from krbgraph.store import ensure_model, open_store
    from krbgraph.web.app import create_app

    areas = {
        f"{BASE}/id/werkingsgebied/caf%C3%A9plein": "Plein met escape",
        f"{BASE}/id/werkingsgebied/a%20b%2Fc": "Gebied met escape-slash",
        f"{BASE}/id/werkingsgebied/straße": "Straat",
        f"{BASE}/id/werkingsgebied/Grote%20Markt-café": "Markt met beide",
        f"{BASE}/id/werkingsgebied/caf%C3%A9-straße": "Straat met beide",
    }
    source = tmp_path / "gebieden.ttl"
    source.write_text(
        "".join(
            f'<{iri}> a <{KRB}Werkingsgebied> ; <{RDFS.label}> "{label}"@nl .\n'
            for iri, label in areas.items()
        ),
        encoding="utf-8",
    )
    settings = Settings(store=str(tmp_path / "store"), base_iri=BASE)
    store = open_store(settings)
    try:
        ensure_model(store)
        load_paths(store, [source], base_iri=BASE, validate=False)
        with (
            live_server(create_app(settings, store=store)) as site,
            httpx.Client(base_url=site) as http,
        ):
            listing = http.get(
                "/lijst", params={"klasse": str(KRB.Werkingsgebied), "rijen": "alle"}
            ).text
            for iri, label in areas.items():
                # The links the list prints, and the /resource redirect to them.
                hrefs = re.findall(rf'href="([^"]+)">{re.escape(label)}</a>', listing)
                assert hrefs, label
                for href in hrefs + [f"/resource?iri={quote(iri, safe='')}"]:
                    page = http.get(href.replace("&amp;", "&"), follow_redirects=True)
                    assert page.status_code == 200, (href, page.status_code)
                    assert f"<h1>{label}</h1>" in page.text
                # The IRI itself, as an RDF client dereferences it (RFC 3987: escapes kept,
                # other characters outside ASCII escaped).
                as_sent = quote(iri[len(BASE) :], safe="/%")
                response = http.get(as_sent, headers={"Accept": "application/n-triples"})
                assert response.status_code == 200, (as_sent, response.status_code)
                assert (URIRef(iri), RDFS.label, Literal(label, lang="nl")) in parse(response, "nt")
    finally:
        store.close()


def test_the_ontology_page_says_which_text_is_english(client) -> None:
    """Each term shows its English name and definition beside the Dutch ones; a screen
    reader reads them as English only when they say so (WCAG 3.1.2)."""
    import re

    dutch = client.get("/def/krb").text
    english_parts = re.findall(r'<(span|p) class="en"([^>]*)>', dutch)
    assert english_parts and all('lang="en"' in attrs for _, attrs in english_parts)
    english = client.get("/def/krb", headers={"Accept-Language": "en"}).text
    heading = re.search(r"<h1([^>]*)>([^<]*)<", english)
    assert heading is not None and 'lang="en"' in heading.group(1), heading
