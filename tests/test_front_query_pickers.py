"""The query page's pickers and Excel download: areas as a tree, object types by any of
their names (IMBOR's everyday words included), a typed name resolved on the server,
and the answer as a typed Excel workbook equal to the CSV, cell by cell.

Expectations come from the demo registry, asked by SPARQL in the tests.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from test_pages_fixtures import Registry, build_registry

OBJECTTYPE_QUERY = "normen-per-imbor-objecttype"
AREA_QUERY = "beleid-in-gebied"
NBSP = "\u00a0"


class _Form(HTMLParser):
    """Controls of the named-query form: inputs, selects with options, datalists."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.selects: dict[str, list[tuple[str, str, bool]]] = {}
        self.datalists: dict[str, list[tuple[str, str]]] = {}
        self.headings: list[str] = []
        self.body_rows: list[list[str]] = []
        self._select: str | None = None
        self._datalist: str | None = None
        self._option: tuple[str, bool] | None = None
        self._text: list[str] | None = None
        self._cell: str | None = None
        self._in_body = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("name"):
            self.inputs[values["name"] or ""] = values
        elif tag == "select":
            self._select = values.get("name") or ""
            self.selects[self._select] = []
        elif tag == "datalist":
            self._datalist = values.get("id") or ""
            self.datalists[self._datalist] = []
        elif tag == "option" and self._datalist is not None:
            self.datalists[self._datalist].append(
                (values.get("value") or "", values.get("label") or "")
            )
        elif tag == "option" and self._select is not None:
            self._option = (values.get("value") or "", "selected" in values)
            self._text = []
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.body_rows.append([])
        elif tag in ("td", "th"):
            self._cell = tag
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected = self._option
            self.selects[self._select].append((value, "".join(self._text or []), selected))
            self._option, self._text = None, None
        elif tag == "select":
            self._select = None
        elif tag == "datalist":
            self._datalist = None
        elif tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell == tag:
            text = " ".join("".join(self._text or []).split())
            if tag == "th" and not self._in_body:
                self.headings.append(text)
            elif self.body_rows:
                self.body_rows[-1].append(text)
            self._cell, self._text = None, None


def _iris(registry: Registry, sparql: str) -> list[str]:
    return [str(row[0]) for row in registry.store.query(sparql).rows]


def _lichtmast(registry: Registry) -> str:
    """The one class with the everyday name 'lantaarnpaal' (IMBOR's Lichtmast)."""
    found = _iris(
        registry,
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        'SELECT DISTINCT ?c WHERE { ?c skos:hiddenLabel "lantaarnpaal"@nl ;'
        ' rdfs:label|skos:prefLabel "Lichtmast"@nl }',
    )
    assert len(found) == 1, found
    return found[0]


def _run(client: TestClient, name: str, **values: str):
    params = {"voorbeeld": name, "uitvoeren": "true"}
    params.update({f"p.{key}": value for key, value in values.items()})
    return client.get("/query", params=params)


def test_objecttype_field_offers_lichtmast_also_by_its_everyday_name(
    client: TestClient, registry: Registry
) -> None:
    html = client.get("/query", params={"voorbeeld": OBJECTTYPE_QUERY}).text
    form = _Form(html)
    field = form.inputs["p.objecttype"]
    assert field.get("list"), field
    options = form.datalists[field["list"] or ""]
    by_value = dict(options)
    lichtmast = _lichtmast(registry)
    assert by_value[lichtmast].startswith("Lichtmast")
    assert "lantaarnpaal" in by_value[lichtmast]  # so typing it offers Lichtmast
    assert all(value.startswith(("http://", "https://")) for value, _ in options)


def test_typing_lantaarnpaal_gives_the_rows_of_lichtmasts_iri(
    client: TestClient, registry: Registry
) -> None:
    lichtmast = _lichtmast(registry)
    by_name = _run(client, OBJECTTYPE_QUERY, objecttype="lantaarnpaal")
    by_iri = _run(client, OBJECTTYPE_QUERY, objecttype=lichtmast)
    assert by_name.status_code == by_iri.status_code == 200
    rows = _Form(by_iri.text).body_rows
    assert rows, "the demo has norms for every object type, so Lichtmast has rows"
    assert _Form(by_name.text).body_rows == rows
    assert "Gekozen: Lichtmast" in by_name.text
    # The downloads ask for the IRI the name stood for.
    assert f"objecttype={quote(lichtmast, safe='')}" in by_name.text


def test_an_unknown_name_shows_the_form_again_with_a_close_match(client: TestClient) -> None:
    response = _run(client, OBJECTTYPE_QUERY, objecttype="lantarenpaal")
    assert response.status_code == 400
    form = _Form(response.text)
    assert form.inputs["p.objecttype"]["value"] == "lantarenpaal"
    message = re.search(r'class="param-melding"[^>]*>([^<]*)<', response.text)
    assert message is not None
    assert "geen objecttype" in message.group(1) and "Lichtmast" in message.group(1)
    box = re.search(r'<div class="error-box" role="alert">(.*?)</div>', response.text, re.S)
    assert box is not None
    text = " ".join(re.sub(r"<[^>]+>", "", box.group(1)).split())
    assert text.startswith(
        "De query kon niet worden uitgevoerd. Een parameter klopt niet: objecttype:"
    )
    assert not form.body_rows


LOCAL_BORD = """
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://krb.demogemeente.nl/id/leefomgeving/bord> a owl:Class , krb:LokaalObjecttype ,
    skos:Concept ; skos:prefLabel "Bord"@nl ; rdfs:label "Bord"@nl ;
  rdfs:subClassOf <https://data.crow.nl/imbor/def/40bd01ed-180a-4644-ab10-4c94c891a452> .
"""
"""A municipality's own object type of IMBOR's own name Bord: one name, two object types."""


def test_an_ambiguous_name_lists_every_object_type_it_names(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    registry = build_registry(
        tmp_path_factory.mktemp("bord"),
        {"https://krb.demogemeente.nl/graph/leefomgeving-bord": LOCAL_BORD},
    )
    with TestClient(registry.app) as client:
        _an_ambiguous_name_lists_every_object_type_it_names(client, registry)
    registry.store.close()


def _an_ambiguous_name_lists_every_object_type_it_names(
    client: TestClient, registry: Registry
) -> None:
    named_bord = _iris(
        registry,
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
        "SELECT DISTINCT ?c WHERE { ?c a owl:Class ;"
        " rdfs:label|skos:prefLabel|skos:altLabel|skos:hiddenLabel ?naam ."
        ' FILTER (LCASE(STR(?naam)) = "bord") }',
    )
    assert len(named_bord) >= 2
    response = _run(client, OBJECTTYPE_QUERY, objecttype="bord")
    assert response.status_code == 409  # several things of the name
    message = re.search(r'class="param-melding"[^>]*>([^<]*)<', response.text)
    assert message is not None and f"past bij {len(named_bord)} keuzes" in message.group(1)
    assert all(iri in message.group(1) for iri in named_bord)


def _depth(text: str) -> int:
    return (len(text) - len(text.lstrip(NBSP))) // 2


def test_area_select_lists_exactly_the_registrys_areas_as_a_tree(
    client: TestClient, registry: Registry
) -> None:
    areas = _iris(
        registry,
        "PREFIX krb: <https://data.krb.nl/def/krb#>\n"
        "SELECT DISTINCT ?g WHERE { ?g a krb:Werkingsgebied }",
    )
    html = client.get("/query", params={"voorbeeld": AREA_QUERY}).text
    options = _Form(html).selects["p.gebied"]
    listed = [value for value, _, _ in options if value]
    assert len(listed) == len(areas) and set(listed) == set(areas)
    assert options[0][0] == "" and "required" in html.split('name="p.gebied"')[1].split(">")[0]
    position = {value: index for index, (value, _, _) in enumerate(options)}
    depth = {value: _depth(text) for value, text, _ in options if value}
    parents = registry.store.query(
        "PREFIX krb: <https://data.krb.nl/def/krb#>\n"
        "SELECT ?g ?ouder WHERE { ?g a krb:Werkingsgebied ; krb:ligtIn ?ouder ."
        " ?ouder a krb:Werkingsgebied }"
    ).rows
    assert parents
    by_child: dict[str, list[str]] = {}
    for child, parent in parents:
        by_child.setdefault(str(child), []).append(str(parent))
    for child, its_parents in by_child.items():
        # Listed under one of the areas it lies in: after it, one step deeper.
        assert any(
            position[p] < position[child] and depth[child] == depth[p] + 1 for p in its_parents
        ), (child, its_parents)
    roots = set(areas) - set(by_child)
    assert roots and all(depth[root] == 0 for root in roots)


def test_a_code_in_the_address_selects_its_area_and_runs(
    client: TestClient, registry: Registry
) -> None:
    (parkkwartier,) = _iris(
        registry,
        'PREFIX dct: <http://purl.org/dc/terms/>\nSELECT ?g WHERE { ?g dct:identifier "WK999902" }',
    )
    response = _run(client, AREA_QUERY, gebied="WK999902")
    assert response.status_code == 200
    selected = [value for value, _, chosen in _Form(response.text).selects["p.gebied"] if chosen]
    assert selected == [parkkwartier]


def _cell_as_csv(cell: object) -> str:
    """What the CSV download has for a cell of the workbook."""
    link = getattr(cell, "hyperlink", None)
    if link is not None:
        return str(link.target)
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


@pytest.mark.parametrize(
    ("name", "values", "kinds"),
    [
        ("normtoets", {}, {"getallen"}),
        ("geldig-op", {"datum": "2025-06-01"}, {"datums"}),
        ("effectevaluatie", {}, {"getallen", "datums"}),
    ],
)
def test_excel_download_has_the_titles_and_the_typed_rows_of_the_csv(
    client: TestClient, name: str, values: dict[str, str], kinds: set[str]
) -> None:
    page = _run(client, name, **values)
    assert page.status_code == 200
    links = dict(re.findall(r'<a href="([^"]+)"(?: download)?>(CSV|Excel)</a>', page.text))
    by_kind = {kind: href.replace("&amp;", "&") for href, kind in links.items()}
    excel = client.get(by_kind["Excel"])
    assert excel.status_code == 200
    assert excel.headers["content-type"].startswith("application/vnd.openxmlformats")
    table = list(csv.reader(io.StringIO(client.get(by_kind["CSV"]).text)))
    header, rows = table[0], table[1:]
    sheet = load_workbook(io.BytesIO(excel.content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows())
    assert [c.value for c in cells[0]] == _Form(page.text).headings
    assert len(cells) - 1 == len(rows) and rows
    numbers = dates = 0
    for written, expected in zip(cells[1:], rows, strict=True):
        for column, (cell, text) in enumerate(zip(written, expected, strict=True)):
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                assert float(text) == pytest.approx(cell.value)
                numbers += 1
                continue
            assert _cell_as_csv(cell) == text, (header[column], cell.value, text)
            if cell.is_date:
                dates += 1
            if cell.hyperlink is not None:
                # The link shows the name from the name column, else the IRI itself.
                named = [header[column] + "_label", header[column] + "_symbool"]
                shown = [expected[header.index(n)] for n in named if n in header]
                assert cell.value == next((s for s in shown if s), text)
    # Every number and date of the CSV is a number or date in Excel, not text.
    numeric = [v for row in rows for v in row if re.fullmatch(r"-?\d+(\.\d+)?", v)]
    iso_dates = [v for row in rows for v in row if re.fullmatch(r"\d{4}-\d\d-\d\d", v)]
    assert (numbers, dates) == (len(numeric), len(iso_dates))
    assert {"getallen"} <= kinds if numbers else "getallen" not in kinds
    assert {"datums"} <= kinds if dates else "datums" not in kinds


def test_excel_download_takes_the_forms_own_field_names(client: TestClient) -> None:
    """docs/web.md: the workbook comes with the parameters of its form (``p.NAME``)."""
    plain = client.get("/query/geldig-op.xlsx", params={"datum": "2024-06-01"})
    as_form = client.get("/query/geldig-op.xlsx", params={"p.datum": "2024-06-01"})
    assert plain.status_code == as_form.status_code == 200

    def rows(response) -> list[list[object]]:  # noqa: ANN001
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        return [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert rows(plain) == rows(as_form)
    assert rows(client.get("/query/geldig-op.xlsx")) != rows(as_form)  # the date counted


def test_excel_download_refuses_a_bad_value_in_words(client: TestClient) -> None:
    response = client.get("/query/geldig-op.xlsx", params={"datum": "gisteren"})
    assert response.status_code == 400
    assert "Een parameter klopt niet" in response.text and "gisteren" in response.text
    assert client.get("/query/bestaat-niet.xlsx").status_code == 404


def test_area_choices_do_not_depend_on_the_order_the_engine_gives_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The area query has no ORDER BY (sorting every area's IRI cost Oxigraph seconds
    at a million triples): the form's tree, names, codes and kinds must come out the
    same whatever order the rows arrive in, also for an area with two codes, two
    kinds and two parents."""
    import random

    from krbgraph.settings import Settings
    from krbgraph.store import ensure_model, open_store
    from krbgraph.web import query_params

    areas = """
        PREFIX krb: <https://data.krb.nl/def/krb#>
        PREFIX dct: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX soort: <https://data.krb.nl/id/begrip/gebiedssoort/>
        PREFIX g: <https://example.org/gebied/>
        INSERT DATA { GRAPH <https://example.org/graph> {
          g:stad a krb:Werkingsgebied ; rdfs:label "Stad" ; dct:identifier "GM1" ;
                 krb:gebiedssoort soort:gemeente .
          g:noord a krb:Werkingsgebied ; rdfs:label "Noord" ; dct:identifier "WK1" ;
                  krb:gebiedssoort soort:wijk ; krb:ligtIn g:stad .
          g:zuid a krb:Werkingsgebied ; rdfs:label "Zuid" ; dct:identifier "WK2" ;
                 krb:gebiedssoort soort:wijk ; krb:ligtIn g:stad .
          g:plan a krb:Werkingsgebied ; rdfs:label "Plan" ; dct:identifier "PL-9", "PL-1" ;
                 krb:gebiedssoort soort:plangebied, soort:wijk ; krb:ligtIn g:noord, g:zuid .
          g:los a krb:Werkingsgebied ; rdfs:label "Los" ; dct:identifier "X", "A" .
        } }
    """
    with open_store(Settings(store=str(tmp_path / "store"))) as store:
        ensure_model(store)
        store.update(areas)
        real_run_query = query_params.run_query
        expected = query_params.area_choices(store)
        assert [c.label for c in expected] == ["Los", "Stad", "Noord", "Plan", "Zuid"]
        for seed in range(8):

            def shuffled(store, name, *args, _seed=seed, **kwargs):  # type: ignore[no-untyped-def]
                answer = real_run_query(store, name, *args, **kwargs)
                rows = list(answer.rows)
                random.Random(_seed).shuffle(rows)
                return type(answer)(kind=answer.kind, variables=answer.variables, rows=tuple(rows))

            monkeypatch.setattr(query_params, "run_query", shuffled)
            assert query_params.area_choices(store) == expected
