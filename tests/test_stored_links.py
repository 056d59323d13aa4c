"""Stored IRIs become links only when they are web addresses (http, https).

A registry's IRIs are anyone's text: a ``javascript:`` licence, a ``file://host/share``
source under an official-looking name, an application's own scheme. In pages they would
run script on a click where a proxy drops the CSP; in a workbook a ``file:`` link leaks a
Windows user's credentials. Checked on what readers get: the HTML links and the
workbook's hyperlinks, with such values stored beside the demo.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from fastapi.testclient import TestClient
from test_pages_fixtures import BASE, build_registry

from krbgraph.loading import load_paths

HOSTILE = f"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sosa: <http://www.w3.org/ns/sosa/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<{BASE}/id/databron/vreemd> a dcat:Dataset ;
    rdfs:label "Vreemde bron"@nl ;
    dct:identifier "vreemd" ;
    dct:accrualPeriodicity <javascript:alert(1)//freq> ;
    dct:license <javascript:alert(2)//lic> ;
    dct:publisher <{BASE}/id/afdeling/milieu> ;
    krb:gemetenIndicator <{BASE}/id/beleidsindicator/GEL-I01> .

<{BASE}/id/meting/vreemd-2025> a sosa:Observation ;
    rdfs:label "Meting vreemd"@nl ;
    dct:source <file://evil.example/share/geluidmeetnet.xlsx> ;
    sosa:hasFeatureOfInterest <{BASE}/id/werkingsgebied/parkstraat> ;
    sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue "47.5"^^xsd:decimal ;
                     qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> ] ;
    sosa:observedProperty <{BASE}/id/beleidsindicator/GEL-I01> ;
    sosa:phenomenonTime [ dcat:startDate "2025-01-01"^^xsd:date ;
                          dcat:endDate "2025-12-31"^^xsd:date ] .
<file://evil.example/share/geluidmeetnet.xlsx> rdfs:label "Geluidmeetnet (officieel)"@nl .
"""

SAFE = ("http://", "https://", "/", "#", "?")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("links")
    registry = build_registry(folder)
    extra = folder / "vreemd.ttl"
    extra.write_text(HOSTILE, encoding="utf-8")
    load_paths(registry.store, [extra], base_iri=BASE, validate=False)
    with TestClient(registry.app) as test_client:
        yield test_client
    registry.store.close()


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


@pytest.mark.parametrize(
    "url",
    [
        "/id/beleidsindicator/GEL-I01",
        "/id/databron/vreemd",
        "/lijst?klasse=" + quote("javascript:alert(document.domain)", safe=""),
    ],
)
def test_pages_link_only_to_web_addresses_and_their_own_paths(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code in (200, 404)
    outside = [href for href in _hrefs(response.text) if not href.startswith(SAFE)]
    assert outside == []


def test_the_indicator_page_still_names_the_licence_it_does_not_link(client) -> None:
    html = client.get("/id/beleidsindicator/GEL-I01").text
    assert "Vreemde bron" in html and "javascript:alert(2)//lic" in html


def test_workbooks_hyperlink_only_web_addresses(client) -> None:
    response = client.get("/query/metingen.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    shown = {}
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.hyperlink is not None:
                assert cell.hyperlink.target.startswith(("http://", "https://")), cell.coordinate
            shown[cell.value] = cell.hyperlink
    # The source is still there, by its name, as text.
    assert "Geluidmeetnet (officieel)" in shown and shown["Geluidmeetnet (officieel)"] is None
