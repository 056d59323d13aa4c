"""The query page's forms for named queries: controls from the typed parameters,
answers under the columns' titles, the CSV of the same answer."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from fastapi.testclient import TestClient

from krbgraph import registry_day


def _controls(page: str) -> dict[str, str]:
    """The parameter controls of the named-query form, as tag text by field name."""
    return {
        name: tag
        for tag in re.findall(r"<(?:input|select)\b[^>]*>", page)
        for name in re.findall(r'name="(p\.[^"]+)"', tag)
    }


def test_form_has_a_control_per_parameter_of_its_type(client: TestClient) -> None:
    html = client.get("/query", params={"voorbeeld": "beleid-in-gebied"}).text
    controls = _controls(html)
    assert set(controls) == {"p.gebied", "p.datum", "p.richting", "p.alles"}
    assert 'type="date"' in controls["p.datum"]
    assert f'value="{registry_day.today().isoformat()}"' in controls["p.datum"]  # default: today
    assert "required" in controls["p.gebied"]
    assert controls["p.richting"].startswith("<select")
    options = re.findall(r'<option value="([^"]*)"', html.split('name="p.richting"')[1])[:4]
    assert options == ["", "hier", "binnen", "beide"]


def test_form_runs_the_query_with_titled_columns_and_a_csv_of_it(client: TestClient) -> None:
    params = {"voorbeeld": "geldig-op", "uitvoeren": "true", "p.datum": "2025-06-01"}
    response = client.get("/query", params=params)
    assert response.status_code == 200
    headings = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', response.text)
    assert headings[:3] == ["Soort", "De norm of regel", "Naam ervan"]
    assert "Geluidsdruk gevel maximaal 48 dB(A)" in response.text
    link = re.search(r'href="(/api/queries/geldig-op\?[^"]*format=csv)"', response.text)
    assert link is not None
    download = client.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert "Geluidsdruk gevel maximaal 48 dB(A)" in {row["object_label"] for row in rows}
    shown = re.findall(r"<tbody>(.*?)</tbody>", response.text, flags=re.S)[0].count("<tr>")
    assert shown == len(rows)
    in_dutch = client.get("/query", params={**params, "uitvoeren": "ja"}).text
    assert re.findall(r"<tbody>(.*?)</tbody>", in_dutch, flags=re.S)[0].count("<tr>") == shown
    assert ">JSON</a>" in response.text and ">Excel</a>" in response.text
    # Beside it the CSV without names: the same rows, IRIs and codes only.
    plain = re.search(
        r'href="(/api/queries/geldig-op\?[^"]*names=false)">CSV zonder namen<', response.text
    )
    assert plain is not None
    without = list(
        csv.DictReader(io.StringIO(client.get(plain.group(1).replace("&amp;", "&")).text))
    )
    assert len(without) == len(rows) and not any(k.endswith("_label") for k in without[0])
    assert sorted(r["object"] for r in without) == sorted(r["object"] for r in rows)


def test_an_area_written_short_as_the_page_shows_it_is_that_area(client: TestClient) -> None:
    """The picker took id:werkingsgebied/WK999901 for a name and found none."""
    asked = {"voorbeeld": "beleid-in-gebied", "uitvoeren": "true"}
    short = client.get("/query", params=asked | {"p.gebied": "id:werkingsgebied/WK999901"})
    full = client.get(
        "/query",
        params=asked | {"p.gebied": "https://krb.demogemeente.nl/id/werkingsgebied/WK999901"},
    )
    assert short.status_code == full.status_code == 200
    counted = re.compile(r"(\d+) rij\(en\)")
    rows = counted.search(short.text)
    assert rows is not None and int(rows.group(1)) > 0
    assert rows.group(0) == counted.search(full.text).group(0)  # type: ignore[union-attr]


def test_a_wrong_value_is_reported_next_to_the_form(client: TestClient) -> None:
    params = {"voorbeeld": "beleid-in-gebied", "uitvoeren": "true", "p.gebied": "Atlantis"}
    response = client.get("/query", params=params)
    assert response.status_code == 400
    assert "Een parameter klopt niet" in response.text and "Atlantis" in response.text
    assert 'value="Atlantis"' in response.text  # the form keeps what the reader typed


@pytest.mark.parametrize(
    ("query", "field", "value", "said"),
    [
        ("geldig-op", "datum", "1-6-2025", "is geen datum; schrijf JJJJ-MM-DD"),
        ("geldig-op", "datum", "2025-02-30", "is geen datum"),
        ("normen-per-indeling", "begrip", "Marsbewoners", "heeft code of naam"),
    ],
)
def test_a_value_the_catalogue_refuses_is_said_in_dutch_beside_its_own_field(
    client: TestClient, query: str, field: str, value: str, said: str
) -> None:
    """Not only the pickers: every refused value marks its field (aria-invalid) and says
    why there, in Dutch, while the other fields stay unmarked."""
    params = {"voorbeeld": query, "uitvoeren": "true", f"p.{field}": value}
    response = client.get("/query", params=params)
    assert response.status_code == 400
    marked = re.findall(r'name="p\.([\w-]+)"[^>]*aria-invalid="true"', response.text)
    assert marked == [field]
    message = re.search(r'class="param-melding"[^>]*>([^<]*)<', response.text)
    assert message is not None and said in html.unescape(message.group(1))
    assert value in html.unescape(message.group(1))
    assert "expected" not in response.text and "is not a" not in response.text


def test_free_sparql_keeps_its_variable_names_as_headings(client: TestClient) -> None:
    response = client.get("/query", params={"query": "SELECT ?a ?b WHERE { BIND(1 AS ?a) }"})
    assert re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', response.text) == ["a", "b"]
    assert 'name="p.' not in response.text


@pytest.mark.parametrize(
    ("query", "values"),
    [
        ("normtoets", {}),
        ("beleid-in-gebied", {"gebied": "WK999901"}),
        ("effectevaluatie", {}),
        ("dwarsverbanden-maatregel", {"maatregel": "BOU-M02"}),
    ],
)
def test_each_column_has_a_heading_of_its_own_that_is_none_of_its_values(
    client: TestClient, query: str, values: dict[str, str]
) -> None:
    """A column whose description lists its values was headed by the first of them
    (normtoets' oordeel read 'Voldoet' over 'voldoet niet'); columns described alike
    shared a heading. The page and its workbook have the same headings."""
    from openpyxl import load_workbook

    params = {"voorbeeld": query, "uitvoeren": "true"} | {f"p.{k}": v for k, v in values.items()}
    page = client.get("/query", params=params)
    assert page.status_code == 200, page.text
    headings = [
        html.unescape(h) for h in re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', page.text)
    ]
    assert len(set(headings)) == len(headings), headings
    body = re.findall(r"<tbody>(.*?)</tbody>", page.text, flags=re.S)[0]
    rows = [
        [" ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split()) for cell in row]
        for row in (re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S) for tr in body.split("</tr>"))
        if row
    ]
    assert rows, f"{query} has rows on the demo"
    for column, heading in enumerate(headings):
        cells = {row[column].casefold() for row in rows if column < len(row)}
        assert heading.casefold() not in cells, (heading, sorted(cells))
    workbook = client.get(f"/query/{query}.xlsx", params=values)
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content), read_only=True).active
    assert sheet is not None
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert [str(cell) for cell in header] == headings


def test_the_hint_of_a_field_says_what_it_takes(client: TestClient) -> None:
    """zoek's klasse said 'code, naam of IRI' and refused the name 'Beleidsnorm': only a
    parameter with a class resolves names. Its hint names the form it does take, and
    that form works."""
    controls = _controls(client.get("/query", params={"voorbeeld": "zoek"}).text)
    assert 'placeholder="IRI, zoals krb:Beleidsnorm"' in controls["p.klasse"]
    asked = {"voorbeeld": "zoek", "uitvoeren": "true", "p.tekst": "GEL-N01"}
    answer = client.get("/query", params=asked | {"p.klasse": "krb:Beleidsnorm"})
    assert answer.status_code == 200 and "1 rij(en)" in answer.text
    named = _controls(client.get("/query", params={"voorbeeld": "normen-per-indeling"}).text)
    assert 'placeholder="code, naam of IRI"' in named["p.begrip"]
