"""Search finds things the way people type them, on the demo registry.

People type an apostrophe as their keyboard makes it (’ on iOS and in Word), leave out
dots and hyphens, paste text from a PDF with soft hyphens in it, type a code and a name
together as lists show them, and read in their own language. Each is checked on the
page readers use, by whether the thing is among the hits.
"""

from __future__ import annotations

import re

import pytest

ORACS = "/id/leefomgeving/oracs"
MER = "/id/besluitdocument/torenflat-mer-rapport"
NORM = "/id/beleidsnorm/GEL-N01"


def _hrefs(client, text: str, **headers: str) -> list[str]:
    """The hits' links ("Bedoelde u" suggestions are no hits)."""
    response = client.get("/zoeken", params={"q": text}, headers=headers)
    assert response.status_code == 200, (text, response.status_code)
    lists = re.findall(r'<ul class="hits">(.*?)</ul>', response.text, re.DOTALL)
    return [href for block in lists for href in re.findall(r'<a href="([^"]+)"', block)]


def _href_of(client, label: str) -> str:
    found = _hrefs(client, label)
    assert found, label
    return found[0]


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("orac’s", "ORAC's"),  # U+2019, as iOS, macOS and Word type it
        ("orac‘s", "ORAC's"),
        ("oracs", "ORAC's"),
        ("mer-rapport torenflat", "M.e.r.-rapport Torenflat"),
        ("MER rapport torenflat", "M.e.r.-rapport Torenflat"),
        ("geluids\u00addruk gevel maximaal 48", "Geluidsdruk gevel maximaal 48 dB(A)"),
        ("geluidsdruk\u200b gevel maximaal 48", "Geluidsdruk gevel maximaal 48 dB(A)"),
        ("GEL-N01 geluidsdruk", "Geluidsdruk gevel maximaal 48 dB(A)"),
        ("geluidsdruk GEL‑N01", "Geluidsdruk gevel maximaal 48 dB(A)"),  # U+2011
        ("merrapport", "m.e.r.-rapport"),
        ("GELN01", "Geluidsdruk gevel maximaal 48 dB(A)"),
    ],
)
def test_a_thing_is_found_however_its_name_is_typed(client, typed: str, label: str) -> None:
    assert _href_of(client, label) in _hrefs(client, typed)


@pytest.mark.parametrize("typed", ["mer rapport", "merrapport", "m.e.r. rapport"])
def test_a_loose_match_in_one_name_is_not_hidden_by_words_spread_over_another(
    client, typed: str
) -> None:
    """TOR-MER's code and title hold "mer" and "rapport" apart, which is a hit; the loose
    search, which finds the document type m.e.r.-rapport itself, then never ran."""
    assert "/begrip/documentsoort/mer-rapport" in _hrefs(client, typed)


def test_a_search_longer_than_any_name_gets_the_page(client) -> None:
    response = client.get("/zoeken", params={"q": "geluidsdruk " + " " * 400 + "x" * 300})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


def test_suggestions_use_the_readers_language(client) -> None:
    """With no hits, "Bedoelde u" offers names in the reader's language, as hits do."""
    english = client.get(
        "/zoeken", params={"q": "beleidsnrom"}, headers={"Accept-Language": "en"}
    ).text
    dutch = client.get("/zoeken", params={"q": "beleidsnrom"}).text
    assert "Beleidsnorm" in dutch
    assert "Policy norm" in english and ">Beleidsnorm<" not in english


@pytest.mark.parametrize(
    ("one", "other"),
    [("Deelgebied 1.1", "Deelgebied 11"), ("-Δ<=", "Δ<="), ("Boom-rooster", "Boom rooster")],
)
def test_names_that_differ_stay_different_where_names_resolve_exactly(one, other) -> None:
    """API parameters and query forms resolve a name in normalise's form: two names of the
    registry must not become one there (a 409, or the other thing)."""
    from krbgraph.web.search import normalise

    assert normalise(one) != normalise(other)
    assert normalise("ORAC’s") == normalise("ORAC's") == normalise("orac\u00ad's")


def test_an_operator_searched_by_its_notation_comes_first(client) -> None:
    """'Δ<=' (maximale toename) and '-Δ<=' (maximale afname) are two operators."""
    increase, decrease = _hrefs(client, "Δ<="), _hrefs(client, "-Δ<=")
    assert increase and decrease and increase[0] != decrease[0]


@pytest.mark.parametrize(("typed", "written"), [("GELN01", "GEL-N01"), ("gel n01", "GEL-N01")])
def test_a_loose_hit_shows_the_text_it_matched_as_written(client, typed, written) -> None:
    """A hit found by the loose search names the code it matched as the registry writes
    it, not in the search's own loosened form ("geln01")."""
    page = client.get("/zoeken", params={"q": typed}).text
    item = re.search(rf'<li><a href="[^"]*{NORM}".*?</li>', page, re.DOTALL)
    assert item, page
    assert f'<span class="matched">({written})</span>' in item[0], item[0]
