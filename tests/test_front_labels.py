"""Smaller front fixes a Dutch reader sees on every resource page.

Type badges of the W3C classes in Dutch (and in English for an English reader),
a validity period that reads begin then end, without its RDF type, and a heading
in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from test_pages_fixtures import BASE, Registry, build_registry

# The demo's theme Geluid (skos:prefLabel "Geluid"@nl) also named as a municipality
# may name it: an rdfs:label in Dutch beside preferred names in English and Frisian.
NAMES = f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}/id/beleidsthema/geluid> rdfs:label "Geluidsbeleid"@nl ;
    skos:prefLabel "Noise"@en , "Lûd"@fy .
<{BASE}/id/afdeling/zonder-naam> <http://purl.org/dc/terms/identifier> "AFD-7" .
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_registry(tmp_path_factory.mktemp("labels"), {f"{BASE}/graph/namen": NAMES})
    yield built
    built.store.close()


def _badges(html: str) -> list[str]:
    types = re.search(r'<p class="types">(.*?)</p>', html, re.S)
    assert types, "the page shows its types"
    return re.findall(r'class="badge"[^>]*>([^<]+)<', types.group(1))


def test_badges_name_w3c_classes_in_dutch(client) -> None:
    assert "Begrip" in _badges(client.get("/id/beleidsthema/geluid").text)
    assert "Concept" not in _badges(client.get("/id/beleidsthema/geluid").text)
    english = _badges(client.get("/id/beleidsthema/geluid?lang=en").text)
    assert "Begrip" not in english


def test_a_validity_period_reads_begin_then_end_without_its_type(client) -> None:
    html = client.get("/id/beleidsnorm/GEL-N01").text
    nested = re.search(r'<dl class="nested">(.*?)</dl>', html, re.S)
    assert nested, "the norm shows its own period"
    terms = re.findall(r"<dt>.*?>([^<]+)</a></dt>", nested.group(1))
    assert terms == ["begin", "einde"]
    assert "PeriodOfTime" not in nested.group(1)


@pytest.mark.parametrize(
    ("lang", "heading"), [("nl", "Geluid"), ("en", "Noise"), ("fy", "Lûd"), ("de", "Geluid")]
)
def test_a_page_is_headed_by_the_name_the_reader_reads(client, lang: str, heading: str) -> None:
    """The heading took the first predicate with any name, so a Dutch rdfs:label headed
    the page for every reader; it follows the one rule now (reader's language, then
    prefLabel over rdfs:label), as the names in the page's lists and the API do."""
    html = client.get(f"/id/beleidsthema/geluid?lang={lang}").text
    shown = re.search(r"<h1[^>]*>([^<]*)</h1>", html)
    assert shown is not None and shown.group(1) == heading
    assert f"<title>{heading} ·" in html


def test_a_page_of_a_thing_without_a_name_is_headed_by_its_code(client) -> None:
    """Step 4 of the naming rule, as every link to it reads: not the end of its IRI."""
    html = client.get("/id/afdeling/zonder-naam").text
    shown = re.search(r"<h1[^>]*>([^<]*)</h1>", html)
    assert shown is not None and shown.group(1) == "AFD-7"
