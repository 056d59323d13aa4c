"""A name in another language than the page's Dutch is marked as such wherever it shows.

A Frisian municipality names its streets in Frisian only; a harbour has an English
alternative name. A screen reader reads a name with the page's language unless the
element says otherwise (WCAG 3.1.2): the links did, the area pickers' options and the
search page's "(matched as ...)" did not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_pages_fixtures import BASE, build_registry

FRISIAN = f"""
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{BASE}/id/werkingsgebied/tsjerkestrjitte> a krb:Werkingsgebied ;
    rdfs:label "Tsjerkestrjitte"@fy ; krb:ligtIn <{BASE}/id/werkingsgebied/GM9999> .
<{BASE}/id/werkingsgebied/havenplein> a krb:Werkingsgebied ;
    rdfs:label "Havenplein"@nl ; skos:altLabel "Harbour square"@en ;
    krb:ligtIn <{BASE}/id/werkingsgebied/GM9999> .
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = tmp_path_factory.mktemp("languages")
    registry = build_registry(folder, {f"{BASE}/graph/talen": FRISIAN})
    with TestClient(registry.app) as test_client:
        yield test_client
    registry.store.close()


@pytest.mark.parametrize("path", ["/query?voorbeeld=beleid-in-gebied", "/monitoring"])
def test_an_area_pickers_option_of_a_frisian_name_says_so(client, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    options = re.findall(r"<option ([^>]*)>([^<]*Tsjerkestrjitte[^<]*)</option>", page.text)
    assert options, "the Frisian street is offered"
    assert all('lang="fy"' in attributes for attributes, _ in options), options
    dutch = re.findall(r"<option ([^>]*)>([^<]*Havenplein[^<]*)</option>", page.text)
    assert dutch and all("lang=" not in attributes for attributes, _ in dutch), dutch


def test_an_alternative_name_found_by_search_is_in_its_own_language(client) -> None:
    page = client.get("/zoeken", params={"q": "harbour"})
    assert page.status_code == 200
    matched = re.search(r'<span class="matched"([^>]*)>\(Harbour square\)</span>', page.text)
    assert matched is not None and 'lang="en"' in matched.group(1), page.text[:2000]
