"""The indicator page: the measurements as a chart with the norms and measures, the same
numbers in a table, and the data sources they come from.

Read through the real app on the demo registry with its research data. What the
page should show is asked of the store (or read from the demo's Turtle) here,
never taken from the code that draws the page.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from html import escape

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS, XSD
from research_registry import ONDERZOEK, build_research_registry, select
from test_pages_fixtures import BASE, Registry, page_sections

from krbgraph import registry_day

SVG = "{http://www.w3.org/2000/svg}"
INDICATOR = "/id/beleidsindicator/"
GEL_I01 = f"{BASE}{INDICATOR}GEL-I01"
KRB = Namespace("https://data.krb.nl/def/krb#")


@pytest.fixture(scope="module")
def research(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_research_registry(tmp_path_factory.mktemp("indicator"))
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def client(research: Registry) -> Iterator[TestClient]:
    with TestClient(research.app) as test_client:
        yield test_client


def _chart(html: str) -> ET.Element:
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg"')
    end = html.index("</svg>", start) + len("</svg>")
    return ET.fromstring(html[start:end])


def _texts(svg: ET.Element) -> list[str]:
    return ["".join(text.itertext()).strip() for text in svg.iter(SVG + "text")]


def _dutch(number: str) -> str:
    """A decimal as the page writes it: 49.6 -> 49,6 and 48.0 -> 48."""
    return format(Decimal(number).normalize(), "f").replace(".", ",")


def _observations(research: Registry, indicator: str) -> list[dict[str, str]]:
    """The measured levels of an indicator; a realised effect (krb:GerealiseerdEffect) is
    a change between two years, not a level, and is left out."""
    return select(
        research.store,
        f"""SELECT ?meting ?gebied_naam ?waarde WHERE {{
              ?meting sosa:observedProperty <{indicator}> ;
                      sosa:hasFeatureOfInterest/rdfs:label ?gebied_naam .
              FILTER NOT EXISTS {{ ?meting a krb:GerealiseerdEffect }}
              OPTIONAL {{ ?meting sosa:hasResult/qudt:numericValue ?waarde }}
            }}""",
    )


def test_the_chart_draws_every_measured_area_and_the_norms_in_force(
    client: TestClient, research: Registry
) -> None:
    html = client.get(f"{INDICATOR}GEL-I01").text
    svg = _chart(html)
    texts = _texts(svg)
    areas = {row["gebied_naam"] for row in _observations(research, GEL_I01)}
    assert areas == {"Parkstraat", "Vlietweg", "Parklaan van Spui tot Vliet"}
    assert areas <= set(texts), texts
    today = registry_day.today().isoformat()
    norms = select(
        research.store,
        f"""SELECT ?waarde WHERE {{
              ?norm krb:indicator <{GEL_I01}> ; qudt:numericValue ?waarde .
              OPTIONAL {{ ?norm krb:geldigVanaf ?van }} OPTIONAL {{ ?norm krb:geldigTot ?tot }}
              FILTER ((!BOUND(?van) || ?van <= "{today}"^^<http://www.w3.org/2001/XMLSchema#date>)
                   && (!BOUND(?tot) || ?tot >= "{today}"^^<http://www.w3.org/2001/XMLSchema#date>))
            }}""",
    )
    in_force = {_dutch(row["waarde"]) for row in norms}
    assert in_force, "GEL-I01 has norms in force"
    for value in in_force:
        assert any(f"maximaal {value} dB(A)" in text for text in texts), (value, texts)
    # GEL-N02 (55 dB(A)) ended on 2025-12-31: no line.
    assert not any("55 dB(A)" in text for text in texts)
    # Stil asfalt (GEL-M01) has an intended effect on GEL-N01: its start is marked.
    assert any("Stil asfalt" in text for text in texts)
    assert "Geluidsdruk gevel (Lden) (dB(A))" in texts


def test_the_chart_passes_the_page_policy_and_its_text_is_at_least_12px(
    client: TestClient,
) -> None:
    """The site allows no inline styles (style-src 'self'): every style is an attribute."""
    svg = _chart(client.get(f"{INDICATOR}GEL-I01").text)
    assert svg.get("role") == "img" and svg.find(SVG + "title") is not None
    assert not [el.tag for el in svg.iter() if el.get("style") is not None]
    assert svg.find(f".//{SVG}style") is None
    width = float(svg.get("width") or 0)
    view_width = float((svg.get("viewBox") or "").split()[2])
    scale = width / view_width
    sizes = [
        float(re.sub("px$", "", text.get("font-size") or "0")) * scale
        for text in svg.iter(SVG + "text")
    ]
    assert sizes and min(sizes) >= 12, sorted(sizes)[:3]


def test_the_table_has_exactly_the_measurements_of_the_indicator(
    client: TestClient, research: Registry
) -> None:
    rows = page_sections(client.get(f"{INDICATOR}GEL-I01").text)["Metingen"]
    observations = _observations(research, GEL_I01)
    assert len(rows) == len(observations) == 7
    shown = sorted((row.cells[0], row.cells[2], row.cells[3]) for row in rows)
    expected = sorted((o["gebied_naam"], _dutch(o["waarde"]), "dB(A)") for o in observations)
    assert shown == expected
    assert {row.cells[4] for row in rows} == {"Geluidmeetnet Demogemeente"}
    periods = {row.cells[1] for row in rows if row.cells[0] == "Parkstraat"}
    assert "2025-01-01 t/m 2025-12-31" in periods


def test_the_sources_name_the_dataset_with_publisher_frequency_and_licence(
    client: TestClient,
) -> None:
    catalogue = Graph().parse(ONDERZOEK / "databronnen.ttl")
    datasets = set(catalogue.subjects(KRB.gemetenIndicator, URIRef(GEL_I01)))
    assert len(datasets) == 1
    dataset = datasets.pop()
    licence = str(catalogue.value(dataset, DCTERMS.license))
    html = client.get(f"{INDICATOR}GEL-I01").text
    rows = page_sections(html)["Databronnen"]
    assert [row.cells[:4] for row in rows] == [
        [str(catalogue.value(dataset, RDFS.label)), "Afdeling Milieu", "jaarlijks", "CC0 1.0"]
    ]
    assert licence == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert f'<a href="{licence}">CC0 1.0</a>' in html


def test_a_relative_norm_is_drawn_at_its_reference_and_labels_rank_the_axis(
    client: TestClient, research: Registry
) -> None:
    # GEZ-N01: no increase over the reference 8.0 % (geluid.ttl): a line at 8 %.
    texts = _texts(_chart(client.get(f"{INDICATOR}GEZ-I01").text))
    assert "maximale toename 0 % t.o.v. 8 % (GEZ-N01)" in texts
    # ENE-I01 is measured as energy labels: the axis names them, best on top.
    labels = select(
        research.store,
        f"""SELECT DISTINCT ?label WHERE {{
              ?meting sosa:observedProperty <{BASE}{INDICATOR}ENE-I01> ;
                      sosa:hasResult/<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }}""",
    )
    ene = _texts(_chart(client.get(f"{INDICATOR}ENE-I01").text))
    assert {row["label"] for row in labels} == {"A", "B", "C", "D"}
    assert {"A", "B", "C", "D"} <= set(ene)


def test_an_indicator_without_measurements_says_so_in_a_sentence(
    client: TestClient, research: Registry
) -> None:
    assert _observations(research, f"{BASE}{INDICATOR}KLI-I01") == []
    html = client.get(f"{INDICATOR}KLI-I01").text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' not in html
    assert "Van deze indicator zijn nog geen metingen vastgelegd." in html
    assert page_sections(html)["Databronnen"] == []
    assert "Voor deze indicator is geen databron in de catalogus vastgelegd." in html


def test_names_with_dollar_signs_and_underscores_are_drawn_as_written() -> None:
    # Two '$' made matplotlib read TeX: "$5 tot $10" was drawn as math and "$a_$" made
    # the indicator page a 500; a name starting with '_' was left out of the legend.

    from krbgraph.web.indicator_chart import Level, Mark, Series, indicator_chart_svg

    names = ["Parkstraat $a_$", "Vlietweg $5 tot $10", "_Oude haven"]
    series = [
        Series(name, ((date(2023, 6, 30), 40.0 + i), (date(2024, 6, 30), 41.0 + i)))
        for i, name in enumerate(names)
    ]
    svg = indicator_chart_svg(
        series,
        [Level(48.0, "norm $x$ maximaal 48")],
        [Mark(date(2024, 1, 1), "maatregel $b_$")],
        axis_label="dB(A)",
        title="t",
        description="d",
    )
    for text in [*names, "norm $x$ maximaal 48", "maatregel $b_$"]:
        assert escape(text, quote=False) in svg, text


def test_a_long_area_name_leaves_every_legend_entry_on_the_drawing() -> None:
    """A name of 230 characters put itself at x=-368 and the others past the width."""
    import re

    from krbgraph.web.indicator_chart import Series, indicator_chart_svg

    names = ["Het zeer lange plangebied " + "van de binnenstad " * 12, "Parkbuurt", "Parkzicht"]
    series = [
        Series(name, ((date(2023, 6, 30), 1.0 + i), (date(2024, 6, 30), 2.0 + i)))
        for i, name in enumerate(names)
    ]
    svg = indicator_chart_svg(series, [], [], axis_label="km", title="t", description="d")
    chart = ET.fromstring(svg[svg.index("<svg") :])
    width = float(chart.attrib["viewBox"].split()[2])
    placed = {
        "".join(text.itertext()).strip(): float(text.attrib.get("x", "0"))
        for text in chart.iter(SVG + "text")
    }
    legend = {text: x for text, x in placed.items() if text.startswith(("Het zeer", "Park"))}
    assert len(legend) == 3, placed
    assert all(0 <= x <= width for x in legend.values()), legend
    assert not re.search("binnenstad van de binnenstad van de binnenstad van", svg)


def test_an_indicator_without_a_unit_is_drawn_in_one_unit_named_on_the_axis() -> None:
    """0,35 km and 250 m were drawn as 0,35 and 250 beside a norm line of 300 m, on an
    axis without a unit: the buurt over the norm looked far under it."""
    from rdflib import URIRef as IRI

    from krbgraph.web.describe import Labeller
    from krbgraph.web.indicator_sections import _chart

    unit = "http://qudt.org/vocab/unit/"

    def measured(area: str, value: str, symbol: str, factor: str) -> dict[str, object]:
        return {
            "soort": Literal("meting"),
            "gebied": IRI(f"{BASE}/id/werkingsgebied/{area}"),
            "gebied_label": Literal(area),
            "periode_van": Literal("2025-01-01", datatype=XSD.date),
            "periode_tot": Literal("2025-12-31", datatype=XSD.date),
            "waarde": Literal(value, datatype=XSD.decimal),
            "eenheid": IRI(unit + ("KiloM" if symbol == "km" else "M")),
            "eenheid_symbool": Literal(symbol),
            "factor": Literal(factor, datatype=XSD.decimal),
        }

    norm = {
        "soort": Literal("norm"),
        "object": IRI(f"{BASE}/id/beleidsnorm/CYC-N02"),
        "code": Literal("CYC-N02"),
        "operator": IRI("https://data.krb.nl/id/begrip/normoperator/maximaal"),
        "operator_label": Literal("maximaal"),
        "waarde": Literal("300", datatype=XSD.decimal),
        "eenheid": IRI(unit + "M"),
        "eenheid_symbool": Literal("m"),
        "factor": Literal("1", datatype=XSD.decimal),
    }
    indicator = {"soort": Literal("indicator"), "object_label": Literal("Afstand")}
    svg = _chart(
        indicator,  # type: ignore[arg-type]
        [measured("Parkbuurt", "0.35", "km", "1000"), measured("Parkzicht", "250", "m", "1")],  # type: ignore[list-item]
        [norm],  # type: ignore[list-item]
        [],
        Labeller(BASE),
    )
    assert svg is not None
    texts = _texts(ET.fromstring(svg[svg.index("<svg") :]))
    assert "Afstand (m)" in texts
    ticks = [float(t.replace(",", ".")) for t in texts if re.fullmatch(r"\d+(,\d+)?", t)]
    assert max(ticks) >= 350  # 0,35 km drawn as 350 m, not 0,35
