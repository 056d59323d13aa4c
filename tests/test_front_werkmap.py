"""The workbook page (/werkmap) as HTML, and the template it offers for download.

The upload itself runs in a real browser (tests/test_browser_pages.py); here
the page's parts are checked in-process: the three downloads, the form the
script sends, the read-only notice, and that the template is a KRB workbook
the import accepts back.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from test_pages_fixtures import BASE, Registry

from krbgraph.settings import Settings
from krbgraph.store import ensure_model, open_store
from krbgraph.web.app import create_app

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Page(HTMLParser):
    """Links, scripts, stylesheets and form fields of a page, by their attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.inline_scripts = 0
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.forms: list[dict[str, str | None]] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        elif tag == "script":
            self.scripts.append(values)
            self._in_script = True
        elif tag == "input" and values.get("name"):
            self.inputs[values["name"] or ""] = values
        elif tag == "form":
            self.forms.append(values)

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def _served(folder: Path, token: str | None) -> Registry:
    config = Settings(store=str(folder / "store"), base_iri=BASE, token=token)
    store = open_store(config)
    ensure_model(store)
    return Registry(create_app(config, store=store), store, config)


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    built = _served(tmp_path_factory.mktemp("werkmap"), token="secret")
    with TestClient(built.app) as client:
        yield client
    built.store.close()


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    built = _served(tmp_path_factory.mktemp("werkmap-read-only"), None)
    with TestClient(built.app) as client:
        yield client
    built.store.close()


def test_home_page_links_to_the_workbook_page(client: TestClient) -> None:
    page = _Page(client.get("/").text)
    assert "/werkmap" in page.links


def test_page_offers_template_export_and_an_upload_form(client: TestClient) -> None:
    response = client.get("/werkmap")
    assert response.status_code == 200
    page = _Page(response.text)
    assert {"/werkmap/sjabloon.xlsx", "/api/export/excel"} <= set(page.links)
    upload = next(form for form in page.forms if form.get("id") == "werkmap-upload")
    assert upload["data-import-url"] == "/api/import/excel"
    assert page.inputs["file"]["type"] == "file" and "required" in page.inputs["file"]
    assert page.inputs["token"]["type"] == "password"
    # The page's strict Content-Security-Policy allows only scripts from the site itself.
    assert [s.get("src") for s in page.scripts] == ["/static/werkmap.js"]
    assert page.inline_scripts == 0
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "alleen-lezen" not in response.text


def test_script_and_stylesheet_are_served(client: TestClient) -> None:
    script = client.get("/static/werkmap.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "/api/import/excel" not in script.text  # the address comes from the form
    assert client.get("/static/werkmap.css").status_code == 200


def test_read_only_service_says_uploading_is_not_possible(read_only: TestClient) -> None:
    response = read_only.get("/werkmap")
    assert response.status_code == 200
    assert "alleen-lezen" in response.text


def test_template_is_an_empty_workbook_with_the_value_lists(client: TestClient) -> None:
    response = client.get("/werkmap/sjabloon.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert 'filename="krb-sjabloon.xlsx"' in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert {"beleidsnorm", "beleidsmaatregel", "leefomgeving", "sectoren"} <= set(book.sheetnames)
    assert book["beleidsnorm"].max_row == 1  # the header only: nothing to fill in yet
    assert book["sectoren"].max_row > 1  # the national value lists come pre-filled
    assert book["leefomgeving"].max_row == 1


def test_template_with_imbor_lists_the_object_types(client: TestClient) -> None:
    response = client.get("/werkmap/sjabloon.xlsx", params={"imbor": "true"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    names = {row[1] for row in book["leefomgeving"].iter_rows(min_row=2, values_only=True)}
    assert "Asfaltverharding" in names


def test_the_empty_template_uploads_back_without_problems(writable: TestClient) -> None:
    template = writable.get("/werkmap/sjabloon.xlsx").content
    files = {"file": ("leeg.xlsx", template, XLSX)}
    response = writable.post(
        "/api/import/excel", files=files, headers={"Authorization": "Bearer secret"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["graph"] == f"{BASE.rstrip('/')}/graph/excel/leeg"
