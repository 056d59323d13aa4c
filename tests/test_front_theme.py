"""The theme page as the policy officer's overview of one beleidsthema.

Read through the real app on the demo registry: indicators, the norms in force
with value, area and validity, the measures (MER-maatregelen too) and the
dwarsverbanden both ways, with the network drawn around the theme.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

from test_pages_fixtures import BASE, page_sections

THEME = "/id/beleidsthema/"
SVG = "{http://www.w3.org/2000/svg}"


def _sections(client, code: str) -> dict[str, list[list[str]]]:
    response = client.get(THEME + code)
    assert response.status_code == 200
    return {
        title: [row.cells for row in rows] for title, rows in page_sections(response.text).items()
    }


def test_geluid_lists_its_indicator_and_the_norms_in_force(client) -> None:
    sections = _sections(client, "geluid")
    assert sections["Indicatoren"][0][:2] == ["Geluidsdruk gevel (Lden)", "GEL-I01"]
    norms = {row[1]: row for row in sections["Normen die vandaag gelden"]}
    assert norms["GEL-N01"][2:] == [
        "Geluidsdruk gevel (Lden)",
        "maximaal 48 dB(A)",
        "Demogemeente",
        "2024-01-01 t/m 2030-12-31",
    ]
    # Norms of other governments on this theme's indicator count too.
    assert norms["WGH-N01"][4] == "Nederland"
    assert int(sections["Indicatoren"][0][2]) == len(norms)


def test_bouwen_lists_measures_with_the_mer_subclass_once_each(client) -> None:
    measures = _sections(client, "bouwen")["Maatregelen"]
    kinds = {row[1]: row[2] for row in measures}
    assert kinds == {"BOU-M01": "maatregel", "BOU-M02": "MER-maatregel", "BOU-M03": "MER-maatregel"}


def test_dwarsverbanden_go_both_ways(client) -> None:
    outgoing = _sections(client, "bouwen")["Dwarsverbanden"]
    reached = {row[1] for row in outgoing if row[0] == "maatregelen van dit thema bereiken"}
    assert {"Geluid", "Gezondheid", "Groen"} <= reached
    incoming = _sections(client, "geluid")["Dwarsverbanden"]
    sources = {row[1] for row in incoming if row[0] == "maatregelen van dat thema bereiken dit"}
    assert "Bouwen" in sources
    assert not [row for row in incoming if row[0] == "maatregelen van dit thema bereiken"]


def test_the_network_is_drawn_around_the_theme_and_links_to_measures(client) -> None:
    html = client.get(THEME + "geluid").text
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    svg = ET.fromstring(html[start:end])
    edges = [a.get("href") for a in svg.iter(SVG + "a") if a.get("class") == "edge"]
    assert edges, "the theme's cross-links are drawn"
    for href in edges:
        query = parse_qs(urlsplit(href).query)
        assert BASE + THEME + "geluid" in query["bron"] + query["doel"]
    nodes = {text.text for text in svg.iter(SVG + "text") if text.get("class") == "label"}
    assert {"Geluid", "Bouwen"} <= nodes and "Klimaatadaptatie" not in nodes
    followed = client.get(edges[0])
    assert followed.status_code == 200 and "Comfort boxes" in followed.text


def test_a_theme_without_policy_says_so(client) -> None:
    sections = _sections(client, "klimaatadaptatie")
    assert sections["Normen die vandaag gelden"] == []
    html = client.get(THEME + "klimaatadaptatie").text
    assert "Dit thema heeft vandaag geen dwarsverbanden" in html
