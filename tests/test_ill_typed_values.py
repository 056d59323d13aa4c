"""A value that is not what its datatype says ("47,5"^^xsd:decimal, as a spreadsheet
export writes it; "ja"^^xsd:boolean) is shown as written, never a failure of the page.

Such a value never passes the shapes, but a store is also written around krb (`krb load
--no-validate`, another tool on a shared server). One of them made the theme page, the
whole monitoring page and the research API answer 500 for every reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from test_sparql_support import BASE, demo_store

from krbgraph.derived import refresh
from krbgraph.web.app import create_app
from krbgraph.web.describe import literal_text

NORM = f"{BASE}/id/beleidsnorm/GEL-N99"
LONG = "https://geo.example.org/wfs?request=GetFeature&filter=" + "x" * 3_000
"""A WFS query URL used as an IRI: longer than /resource once looked up (a 422)."""
TEXT = "Tekst uit een pdf. " * 2_000
"""A description pasted from a PDF: 38,000 characters."""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store, config = demo_store(tmp_path_factory.mktemp("ill-typed"))
    source = URIRef(f"{BASE}/id/beleidsnorm/GEL-N01")
    copy = Graph()
    for _, p, o in (
        store.query(f"CONSTRUCT {{ <{source}> ?p ?o }} WHERE {{ <{source}> ?p ?o }}").graph or []
    ):
        copy.add((URIRef(NORM), p, o))
    value = URIRef("http://qudt.org/schema/qudt/numericValue")
    copy.remove((URIRef(NORM), value, None))
    copy.add((URIRef(NORM), value, Literal("47,5", datatype=XSD.decimal)))
    copy.set((URIRef(NORM), URIRef("http://purl.org/dc/terms/identifier"), Literal("GEL-N99")))
    copy.add((URIRef(NORM), URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef(LONG)))
    copy.add((URIRef(LONG), URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("WFS")))
    alt = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")
    for i in range(250):
        copy.add((URIRef(NORM), alt, Literal(f"Naam {i:03d}", lang="nl")))
    copy.add((URIRef(NORM), URIRef("http://purl.org/dc/terms/description"), Literal(TEXT)))
    english = Literal("Text from a PDF. " * 400, lang="en")
    copy.add((URIRef(NORM), URIRef("http://www.w3.org/2000/01/rdf-schema#comment"), english))
    store.add_to_graph(f"{BASE}/graph/spreadsheet", copy)
    store.update(
        "PREFIX time: <http://www.w3.org/2006/time#> INSERT DATA { GRAPH "
        f"<{BASE}/graph/spreadsheet> {{ <{NORM}> <http://purl.org/dc/terms/source> "
        '[ time:hasBeginning [ time:inXSDDate "2024-01-01" ] ; '
        'time:hasEnd [ time:inXSDDate "2030-12-31" ] ] ; '
        '<http://www.w3.org/2000/01/rdf-schema#seeAlso> ( "een" "twee" "drie" ) } }'
    )
    refresh(store)
    with store, TestClient(create_app(config, store=store)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "path",
    ["/id/beleidsnorm/GEL-N99", "/id/beleidsthema/geluid", "/monitoring", "/api/normtoets",
     "/api/normgat", "/api/queries/normen?format=json"],
)  # fmt: skip
def test_pages_and_answers_holding_it_are_served(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:300]


def test_the_value_is_shown_as_written(client: TestClient) -> None:
    assert "47,5" in client.get("/id/beleidsnorm/GEL-N99").text


@pytest.mark.parametrize(
    ("literal", "shown"),
    [
        (Literal("47,5", datatype=XSD.decimal), "47,5"),
        (Literal("ja", datatype=XSD.boolean, normalize=False), "ja"),  # as the store gives it
        (Literal("misschien", datatype=XSD.boolean, normalize=False), "misschien"),  # was "nee"
        (Literal("true", datatype=XSD.boolean), "ja"),
        (Literal("48.0", datatype=XSD.decimal), "48"),
        (Literal("123456789012345678901234567890.5", datatype=XSD.decimal),
         "123456789012345678901234567890,5"),  # was rounded to 28 digits
        (Literal("0.050", datatype=XSD.decimal), "0,05"),
        (Literal("100", datatype=XSD.decimal), "100"),
    ],
)  # fmt: skip
def test_literal_text_never_invents_a_value(literal: Literal, shown: str) -> None:
    assert literal_text(literal) == shown


def test_a_linked_resource_with_a_long_iri_has_a_page(client: TestClient) -> None:
    from urllib.parse import quote

    page = client.get("/id/beleidsnorm/GEL-N99").text
    href = "/resource?iri=" + quote(LONG, safe="")
    assert href in page.replace("&amp;", "&")
    assert client.get(href).status_code == 200


def test_blank_nodes_several_levels_deep_are_in_the_rdf_and_never_shown_as_ids(
    client: TestClient,
) -> None:
    """An OWL-Time period (its begin and end are nodes of their own) and an RDF list:
    the RDF held only the first level, and the page printed a node's random id."""
    turtle = client.get("/id/beleidsnorm/GEL-N99", headers={"Accept": "text/turtle"}).text
    for value in ("2024-01-01", "2030-12-31", "een", "twee", "drie"):
        assert value in turtle, value
    page = client.get("/id/beleidsnorm/GEL-N99").text
    assert "geneste waarde" in page
    assert not re.search(r">[0-9a-f]{32}<", page), "a blank node's id shown as a value"


def test_a_page_shows_a_hundred_values_of_a_property_and_a_long_value_cut(
    client: TestClient,
) -> None:
    """10,000 values of one property made a 2.2 MB page, a 4 MB boundary a 4.5 MB one;
    the RDF keeps them whole."""
    page = client.get("/id/beleidsnorm/GEL-N99").text
    assert "100 van 250 waarden getoond" in page and "Naam 099" in page
    assert "Naam 100" not in page
    assert "38.000 tekens; volledig in de RDF-weergave" in page
    assert len(page) < 40_000
    every = client.get("/id/beleidsnorm/GEL-N99?rijen=alle").text
    assert "Naam 249" in every
    turtle = client.get("/id/beleidsnorm/GEL-N99", headers={"Accept": "text/turtle"}).text
    assert TEXT.strip() in turtle


def test_a_cut_value_in_another_language_keeps_its_language(client: TestClient) -> None:
    page = client.get("/id/beleidsnorm/GEL-N99").text
    start = page.index("Text from a PDF.")
    span = page[page.rindex("<span", 0, start) : start]
    assert 'lang="en"' in span
    end = page.index("</span>", start)
    assert "tekens" not in page[start:end], "no Dutch note inside the English value"
