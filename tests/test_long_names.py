"""A name is shown shortened where it names a thing: a title, a heading, a link, a list.

A label is data (the shapes ask for one per language, not for a short one): a policy
officer who pastes a paragraph from the PDF as a norm's name made every page that links
the norm carry the whole paragraph, twice on the norm's own page (title and heading). A
100 KB name made a 212 KB norm page and a 106 KB page for every document and indicator
linking it. The RDF and the norm's own table of values keep the name (that table shows
5,000 characters of any value).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from test_sparql_support import BASE, demo_store

from krbgraph.derived import refresh
from krbgraph.web.app import create_app
from krbgraph.web.templating import NAME_LENGTH

NORM = f"{BASE}/id/beleidsnorm/GEL-N01"
LONG_NAME = "Geluidsbelasting gevels langs hoofdwegen " + "en nog een bijzin " * 5_500
"""About 100,000 characters; Dutch, so it is the name every page shows."""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store, config = demo_store(tmp_path_factory.mktemp("long-names"))
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    store.update(
        f"DELETE {{ GRAPH ?g {{ <{NORM}> {label} ?old }} }} "
        f'INSERT {{ GRAPH ?g {{ <{NORM}> {label} "{LONG_NAME}"@nl }} }} '
        f"WHERE {{ GRAPH ?g {{ <{NORM}> {label} ?old }} }}"
    )
    refresh(store)
    with TestClient(create_app(config, store=store)) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "path",
    [
        "/id/beleidsnorm/GEL-N01",
        "/id/beleidsindicator/GEL-I01",
        "/id/besluitdocument/GEL-2030",
        "/zoeken?q=geluidsbelasting+gevels",
        "/lijst?klasse=" + quote("https://data.krb.nl/def/krb#Beleidsnorm", safe=""),
    ],
)
def test_a_page_naming_a_thing_with_a_long_name_shows_it_shortened(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    page = response.text
    assert LONG_NAME[:NAME_LENGTH].rstrip() + "…" in page, "the name is shown, shortened"
    assert LONG_NAME[:10_000] not in page
    assert len(response.content) < 40_000


def test_the_rdf_keeps_the_whole_name(client: TestClient) -> None:
    response = client.get("/id/beleidsnorm/GEL-N01", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert LONG_NAME in response.text
