"""A refused upload on /werkmap says in Dutch what is wrong and what to do on the page.

The page called every 400 "Dit bestand is geen leesbare werkmap (.xlsx)", followed by
the API's English detail, and a 413 "De werkmap is te groot voor deze dienst (The
request body is larger than 50 MB…)":

A. A valid workbook called '€€.xlsx' is refused because no graph can be named after a
   name without a letter A-Z or digit 0-9: the file was not even read, and the advice
   named --graph and graph=, which the page does not offer. Now the page says the name
   is the problem: rename the file, or choose a graph under Graaf when it offers one.
   A name too long to name a graph after (only an upload can send one) likewise.
B. A file of 0 bytes was "cannot read the workbook: File is not a zip file"; the page
   now says the file is empty, before sending it.
C. A file over the upload limit: Dutch only, before sending it, and when the service
   refuses it (the body is larger than the file) from the API's Dutch message.

The API keeps its statuses and its English ``detail`` and adds ``reason`` (a fixed
code), ``message_nl`` and ``message_en`` (and ``file_name``, ``limit_mb``): tested over
HTTP on the same server, which needs no browser.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from live_server import served
from test_browser_pages import NEEDS_BROWSER, Browser, browser
from test_sparql_support import AUTH, BASE, TOKEN, demo_store, empty_store
from test_werkmap_browser import _import_requests, _result, _send
from test_werkmap_support import workbook

from krbgraph.rdfio import MAX_GRAPH_IRI
from krbgraph.store import ensure_model

__all__ = ["browser"]  # the WebDriver fixture, used by name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIMIT_MB = 1
"""The upload limit of the demo site here (KRB_MAX_UPLOAD_MB), so a file over it is small."""
MB = 1024 * 1024
TIMEOUT = 120
ENGLISH = ("no graph name", "cannot read", "File is not a zip", "request body", "--graph")
"""What the page showed of the API's English detail."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo registry (its graphs offered under Graaf), uploads up to LIMIT_MB."""
    store, settings = demo_store(tmp_path_factory.mktemp("weigeringen"), max_upload_mb=LIMIT_MB)
    with served(store, settings) as url:
        yield url


@pytest.fixture(scope="module")
def bare_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A registry with the model only: its page offers no graph to choose."""
    store, settings = empty_store(tmp_path_factory.mktemp("weigeringen-leeg"))
    ensure_model(store)
    with served(store, settings) as url:
        yield url


def _upload(site: str, name: str, content: bytes, **params: str) -> httpx.Response:
    return httpx.post(
        f"{site}/api/import/excel",
        params=params,
        files={"file": (name, content, XLSX)},
        headers=AUTH,
        timeout=TIMEOUT,
    )


def _nameless(folder: Path, name: str = "€€.xlsx", number: int = 7) -> Path:
    """A valid workbook whose file name has no letter A-Z or digit 0-9."""
    return workbook(folder / name, [], number=number)


# The API: statuses and detail as they were, and what is wrong as a code and in Dutch


def test_a_name_without_letters_is_refused_for_its_name_with_a_code_and_dutch(
    site: str, tmp_path: Path
) -> None:
    content = _nameless(tmp_path).read_bytes()
    refused = _upload(site, "€€.xlsx", content)
    assert refused.status_code == 400, refused.text
    answer = refused.json()
    assert answer["reason"] == "file_name_names_no_graph"
    assert answer["file_name"] == "€€.xlsx"
    assert answer["detail"].startswith("€€.xlsx: ")  # the English detail, as before
    assert "Van de bestandsnaam '€€.xlsx' kan geen graafnaam worden gemaakt" in answer["message_nl"]
    assert "Geef het bestand een naam met letters of cijfers" in answer["message_nl"]
    assert "kies bij Graaf een graaf" in answer["message_nl"]
    assert "kan de werkmap niet lezen" not in answer["message_nl"]  # it was not read
    assert "No graph name can be made from the file name '€€.xlsx'" in answer["message_en"]
    # The same file with its graph given loads: only its name was the problem.
    graph = f"{BASE}/graph/excel/euro"
    loaded = _upload(site, "€€.xlsx", content, graph=graph)
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["graph"] == graph


def test_a_name_too_long_for_a_graph_is_refused_for_its_length(site: str) -> None:
    """An upload may name a file of 2,000 characters (no file system can)."""
    name = "x" * MAX_GRAPH_IRI + ".xlsx"
    refused = _upload(site, name, b"PK")
    assert refused.status_code == 400, refused.text
    answer = refused.json()
    assert (answer["reason"], answer["file_name"]) == ("file_name_too_long", name)
    assert f"at most {MAX_GRAPH_IRI:,}" in answer["detail"]  # excel_graph_iri's, as before
    assert answer["message_nl"].startswith(
        "De bestandsnaam is te lang om er een graaf naar te noemen (2.005 tekens)."
    )
    assert "letters A-Z" not in answer["message_nl"]
    assert answer["message_en"].startswith("The file name is too long")


def test_an_empty_file_is_named_empty(site: str) -> None:
    refused = _upload(site, "leeg.xlsx", b"")
    assert refused.status_code == 400, refused.text
    answer = refused.json()
    assert answer["reason"] == "file_empty"
    assert answer["detail"].startswith(
        "leeg.xlsx: kan de werkmap niet lezen / cannot read the workbook: "
    )
    assert answer["message_nl"].startswith("Het bestand leeg.xlsx is leeg (0 bytes)")
    assert answer["message_en"].startswith("The file leeg.xlsx is empty (0 bytes)")


def test_a_file_that_is_no_workbook_is_named_so_in_dutch(site: str) -> None:
    refused = _upload(site, "beleid.csv", b"code;naam\nGEL;Geluid\n")
    assert refused.status_code == 400, refused.text
    answer = refused.json()
    assert answer["reason"] == "not_a_workbook"
    assert "beleid.csv: kan de werkmap niet lezen / cannot read the workbook" in answer["detail"]
    assert answer["message_nl"].startswith("beleid.csv is geen Excel-werkmap (.xlsx)")
    assert "sla het op als Excel-werkmap (.xlsx)" in answer["message_nl"]
    assert "File is not a zip file" in answer["message_en"]  # the cause, for whoever asks
    assert "zip" not in answer["message_nl"]


def test_an_upload_over_the_limit_is_413_with_the_limit_in_dutch(site: str) -> None:
    refused = _upload(site, "groot.xlsx", b"x" * (LIMIT_MB * MB + 1))
    assert refused.status_code == 413, refused.text
    answer = refused.json()
    assert answer["detail"].startswith(f"The request body is larger than {LIMIT_MB} MB")
    assert (answer["reason"], answer["limit_mb"]) == ("upload_too_large", LIMIT_MB)
    assert answer["message_nl"].startswith(
        f"Het bestand is te groot: deze dienst neemt hoogstens {LIMIT_MB} MB in één keer aan."
    )
    assert answer["message_en"].startswith("The file is too large")


def test_a_workbook_past_the_workbook_limits_is_413_in_dutch_too(site: str) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        for n in range(1001):
            archive.writestr(f"deel{n}.xml", "")
    refused = _upload(site, "veel.xlsx", packed.getvalue())
    assert refused.status_code == 413, refused.text
    answer = refused.json()
    assert answer["detail"].endswith("; nothing was loaded")
    assert answer["reason"] == "workbook_too_large"
    assert answer["message_nl"].startswith(
        "De werkmap veel.xlsx is te groot voor deze dienst: de werkmap bevat 1001 bestanden"
    )


def test_a_bad_graph_and_a_missing_file_have_their_codes(site: str, tmp_path: Path) -> None:
    content = _nameless(tmp_path, "w.xlsx").read_bytes()
    bad = _upload(site, "w.xlsx", content, graph="geen iri")
    assert bad.status_code == 400, bad.text
    assert "not an absolute IRI" in bad.json()["detail"]
    assert bad.json()["reason"] == "graph_invalid"
    assert "is geen absolute IRI" in bad.json()["message_nl"]
    missing = httpx.post(
        f"{site}/api/import/excel", data={"iets": "anders"}, headers=AUTH, timeout=TIMEOUT
    )
    assert missing.status_code == 400, missing.text
    assert missing.json()["reason"] == "file_missing"


def test_the_openapi_description_lists_the_codes(site: str) -> None:
    operation = httpx.get(f"{site}/openapi.json", timeout=TIMEOUT).json()["paths"][
        "/api/import/excel"
    ]["post"]
    for code in ("400", "413"):
        schema = operation["responses"][code]["content"]["application/json"]["schema"]
        assert schema["required"] == ["detail"]
        assert {"reason", "message_nl", "message_en"} <= set(schema["properties"])
        reasons = set(schema["properties"]["reason"]["enum"])
        assert {"file_name_names_no_graph", "file_empty", "upload_too_large"} <= reasons


# The page, in a real browser

T = TypeVar("T")


def in_browser(test: T) -> T:
    """The marks of a test driving the browser (NEEDS_BROWSER), on one test."""
    for mark in NEEDS_BROWSER:
        test = mark(test)
    return test


def _refusal(browser: Browser, site: str, path: Path) -> str:
    browser.get(site + "/werkmap")
    _send(browser, path)
    shown = _result(browser)
    assert (shown["title"], shown["kind"]) == ("Niet ingeladen", "fout"), shown
    message: str = shown["message"]
    assert "geen leesbare werkmap" not in message, message
    assert not [english for english in ENGLISH if english in message], message
    return message


@in_browser
def test_the_page_says_the_name_is_the_problem_and_offers_its_graph_choice(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    message = _refusal(browser, site, _nameless(tmp_path, number=8))
    assert message.startswith("Van de bestandsnaam €€.xlsx kan geen graafnaam worden gemaakt")
    assert "Geef het bestand een naam met letters of cijfers" in message
    assert "kies hierboven bij Graaf de graaf die deze werkmap moet vervangen" in message
    assert "graph=" not in message
    assert message.endswith("Er is niets gewijzigd in het register.")


@in_browser
def test_a_page_without_a_graph_choice_advises_renaming_only(
    browser: Browser, bare_site: str, tmp_path: Path
) -> None:
    message = _refusal(browser, bare_site, _nameless(tmp_path, "指标.xlsx", number=9))
    assert message.startswith("Van de bestandsnaam 指标.xlsx kan geen graafnaam worden gemaakt")
    assert "Geef het bestand een naam met letters of cijfers" in message
    assert "Graaf" not in message


@in_browser
def test_the_page_says_a_name_is_too_long_and_offers_its_graph_choice(
    browser: Browser, site: str
) -> None:
    """A name no file system gives, as a file the page's script made."""
    browser.get(site + "/werkmap")
    browser.script(
        "const chosen = new DataTransfer();"
        f"chosen.items.add(new File(['PK'], 'x'.repeat({MAX_GRAPH_IRI}) + '.xlsx'));"
        "document.getElementById('werkmap-bestand').files = chosen.files;"
    )
    browser.type(browser.find("#werkmap-token"), TOKEN)
    browser.click(browser.find("#werkmap-upload button[type=submit]"))
    shown = _result(browser)
    assert (shown["title"], shown["kind"]) == ("Niet ingeladen", "fout"), shown
    assert shown["message"] == (
        "De bestandsnaam is te lang om er een graaf naar te noemen (2.005 tekens). Geef het "
        "bestand een kortere naam en kies het opnieuw, of kies hierboven bij Graaf de graaf "
        "die deze werkmap moet vervangen. Er is niets gewijzigd in het register."
    ), shown


@in_browser
def test_an_empty_file_is_named_empty_and_not_sent(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    empty = tmp_path / "leeg.xlsx"
    empty.write_bytes(b"")
    message = _refusal(browser, site, empty)
    assert message.startswith("Het bestand leeg.xlsx is leeg (0 bytes)"), message
    assert message.endswith("Er is niets verzonden.")
    assert _import_requests(browser) == 0


@in_browser
def test_a_file_that_is_no_workbook_is_told_in_dutch(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    csv = tmp_path / "beleid.csv"
    csv.write_text("code;naam\nGEL;Geluid\n", encoding="utf-8")
    message = _refusal(browser, site, csv)
    assert message.startswith("beleid.csv is geen Excel-werkmap (.xlsx)"), message


@in_browser
def test_a_file_over_the_limit_is_told_in_dutch_and_not_sent(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    large = tmp_path / "groot.xlsx"
    large.write_bytes(b"x" * (2 * LIMIT_MB * MB))
    message = _refusal(browser, site, large)
    assert message.startswith(
        f"Het bestand groot.xlsx is 2 MB; deze dienst neemt hoogstens {LIMIT_MB} MB in één "
        "keer aan."
    ), message
    assert message.endswith("Er is niets verzonden.")
    assert _import_requests(browser) == 0


@in_browser
def test_a_body_over_the_limit_is_told_from_the_dutch_answer(
    browser: Browser, site: str, tmp_path: Path
) -> None:
    """A file just under the limit, whose request (the form around it) is over it."""
    edge = tmp_path / "rand.xlsx"
    edge.write_bytes(b"x" * (LIMIT_MB * MB - 16))
    message = _refusal(browser, site, edge)
    assert message.startswith(
        f"Het bestand is te groot: deze dienst neemt hoogstens {LIMIT_MB} MB in één keer aan."
    ), message
    assert message.endswith("Er is niets gewijzigd in het register.")
    assert _import_requests(browser) == 1
