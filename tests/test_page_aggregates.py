"""Aggregates kept per store version, keyset paging, and the asset API's norms in one query.

The home page counts, the dwarsverbanden network and the scheme trees are kept
between requests (krbgraph.web.aggregates); a write must show on the very next
read. The class lists page by keyset (krbgraph.web.class_list): following the
"volgende" links must visit every thing of the class exactly once, in the
order of code and IRI. The asset API reads the details of all its norms with
one query (krbgraph.web.norm_answers); each norm must say what the registry
says about that norm alone, asked here with a query of the test's own.
"""

from __future__ import annotations

import functools
import html
import re
import threading
from collections.abc import Iterator
from urllib.parse import quote, unquote

import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef
from test_pages_fixtures import BASE, Registry, build_registry
from test_sparql_support import AUTH

from krbgraph.namespaces import KRB
from krbgraph.web import aggregates, class_list
from krbgraph.web.aggregates import cached

ASFALT = "https://data.crow.nl/imbor/def/5e38db74-2c1b-4caa-bd62-c7008cb022c6"
THEMES_GRAPH = f"{BASE}/graph/thema"
NEW_ASPECT = f"{BASE}/id/beleidsaspect/bouwen-daglicht"

PREFIXES = """PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
"""


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Registry, TestClient]]:
    """A registry of its own: the tests here write to it."""
    registry = build_registry(tmp_path_factory.mktemp("aggregates"))
    with TestClient(registry.app) as client:
        yield registry, client
    registry.store.close()


def home_count(client: TestClient, label: str) -> int:
    """The number the home page shows beside a class (its Dutch plural)."""
    page = client.get("/")
    assert page.status_code == 200
    found = re.search(
        rf">{re.escape(html.escape(label))}</a></td><td class=\"num\">(\d+)</td>", page.text
    )
    assert found, f"no count for {label} on the home page"
    return int(found.group(1))


def sparql_count(registry: Registry, klasse: str) -> int:
    """Things of a class or its subclasses, counted by the test itself."""
    rows = registry.store.query(
        PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a/rdfs:subClassOf* <{klasse}> }}"
    ).rows
    return int(str(rows[0][0]))


# ------------------------------------------------------------------ the cache


def test_a_write_over_http_shows_on_the_home_page_at_once(written) -> None:
    registry, client = written
    before = sparql_count(registry, str(KRB.Beleidsaspect))
    assert home_count(client, "Beleidsaspecten") == before
    assert home_count(client, "Beleidsaspecten") == before  # now from the cache
    insert = f"""{PREFIXES}
    INSERT DATA {{ GRAPH <{THEMES_GRAPH}> {{
      <{NEW_ASPECT}> a krb:Beleidsaspect, skos:Concept ;
          skos:prefLabel "Daglicht"@nl ;
          skos:definition "Hoeveel daglicht de verblijfsruimten van een gebouw krijgen."@nl ;
          skos:broader <{BASE}/id/beleidsthema/bouwen> ;
          skos:inScheme <{BASE}/id/conceptschema/beleidsthemas> .
    }} }}"""
    response = client.post(
        "/sparql",
        content=insert.encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert response.status_code in (200, 204), response.text
    assert sparql_count(registry, str(KRB.Beleidsaspect)) == before + 1
    assert home_count(client, "Beleidsaspecten") == before + 1
    # The list of the class, kept per version too, has the new aspect as well.
    listing = client.get("/lijst", params={"klasse": str(KRB.Beleidsaspect)})
    assert "/id/beleidsaspect/bouwen-daglicht" in listing.text


def test_an_aggregate_is_computed_once_per_write_generation(written) -> None:
    registry, _ = written
    calls: list[int] = []

    def compute() -> int:
        calls.append(registry.store.write_generation)
        return len(calls)

    first = cached(registry.store, ("test", "counter"), compute)
    assert cached(registry.store, ("test", "counter"), compute) == first
    assert len(calls) == 1
    registry.store.update(
        f"INSERT DATA {{ GRAPH <{BASE}/graph/test> {{ <{BASE}/id/x> <{BASE}/def/p> 1 }} }}"
    )
    assert cached(registry.store, ("test", "counter"), compute) == first + 1
    assert len(calls) == 2 and calls[0] != calls[1]


def test_an_answer_computed_during_a_write_is_not_kept(written) -> None:
    registry, _ = written
    results: list[int] = []

    def compute_while_writing() -> int:
        registry.store.update(
            f"INSERT DATA {{ GRAPH <{BASE}/graph/test> {{ <{BASE}/id/y> <{BASE}/def/p> 2 }} }}"
        )
        results.append(1)
        return len(results)

    assert cached(registry.store, ("test", "racing"), compute_while_writing) == 1
    assert cached(registry.store, ("test", "racing"), compute_while_writing) == 2


def test_the_cache_is_bounded_and_safe_under_threads(written, monkeypatch) -> None:
    registry, _ = written
    monkeypatch.setattr(aggregates, "MAX_ENTRIES", 5)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(40):
                value = (i + offset) % 12
                key = ("test", "bounded", value)
                assert cached(registry.store, key, functools.partial(int, value)) == value
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    held = aggregates._CACHES[registry.store]
    assert len(held.entries) <= 5


def test_large_answers_are_bounded_in_rows(written, monkeypatch) -> None:
    """Whole-registry answers weigh their rows: a reader asking for many dates must
    not fill the memory. The rows kept never pass MAX_ROWS, the least recently used
    go first, and an answer heavier than the bound alone is computed every time."""
    registry, _ = written
    monkeypatch.setattr(aggregates, "MAX_ROWS", 10)
    computed: list[int] = []

    def answer(size: int) -> tuple[int, ...]:
        computed.append(size)
        return tuple(range(size))

    for day in range(6):
        cached(registry.store, ("test", "rows", day), functools.partial(answer, 4), len)
        held = aggregates._CACHES[registry.store]
        assert held.weight == sum(e.weight for e in held.entries.values()) <= 10
    assert ("test", "rows", 5) in held.entries and ("test", "rows", 0) not in held.entries
    computed.clear()
    cached(registry.store, ("test", "rows", 5), functools.partial(answer, 4), len)
    assert computed == [], "a kept answer is not computed again"
    for _ in range(2):
        huge = cached(registry.store, ("test", "huge"), functools.partial(answer, 11), len)
        assert len(huge) == 11
    assert computed == [11, 11]


# --------------------------------------------------------------- keyset paging


def _page_items(text: str) -> list[str]:
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [html.unescape(h) for h in re.findall(r'<a href="([^"]+)">', body)]


def _iri_of(href: str) -> str:
    """The IRI a link on a list page stands for (registry things under /id/, others
    through /resource?iri=)."""
    if href.startswith("/resource?iri="):
        return unquote(href.removeprefix("/resource?iri="))
    return BASE + href


def _next_href(text: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', text)
    return html.unescape(found.group(1)) if found else None


def test_following_volgende_visits_every_norm_once_in_code_order(written, monkeypatch) -> None:
    registry, client = written
    monkeypatch.setattr(class_list, "PAGE_SIZE", 4)
    rows = registry.store.query(
        PREFIXES
        + "SELECT ?n ?code WHERE { ?n a krb:Beleidsnorm OPTIONAL { ?n dct:identifier ?code } }"
    ).rows
    codes: dict[str, str | None] = {}
    for norm, code in rows:
        text = None if code is None else str(code)
        if str(norm) not in codes or (text is not None and (codes[str(norm)] or "~") > text):
            codes[str(norm)] = text
    expected = sorted(codes, key=lambda iri: (codes[iri] is not None, codes[iri] or "", iri))
    assert len(expected) > 3 * 4, "the demo should need several pages"

    seen: list[str] = []
    url: str | None = "/lijst?klasse=" + quote(str(KRB.Beleidsnorm), safe="")
    pages = 0
    while url is not None:
        page = client.get(url)
        assert page.status_code == 200, page.text
        items = _page_items(page.text)
        assert 0 < len(items) <= 4
        seen.extend(items)
        url = _next_href(page.text)
        pages += 1
        assert pages <= len(expected), "the volgende links go round in a circle"
    assert len(seen) == len(set(seen)), "a norm was shown twice"
    assert [_iri_of(href) for href in seen] == expected
    assert len(seen) == sparql_count(registry, str(KRB.Beleidsnorm)) - _subclass_norms(registry)


def _subclass_norms(registry: Registry) -> int:
    """Norms typed only by a subclass: the list shows things of the class itself."""
    rows = registry.store.query(
        PREFIXES
        + """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {
            ?x a/rdfs:subClassOf+ krb:Beleidsnorm FILTER NOT EXISTS { ?x a krb:Beleidsnorm } }"""
    ).rows
    return int(str(rows[0][0]))


def test_a_next_page_stays_put_when_a_thing_is_added_before_it(written, monkeypatch) -> None:
    registry, client = written
    monkeypatch.setattr(class_list, "PAGE_SIZE", 4)
    first = client.get("/lijst", params={"klasse": str(KRB.Beleidsnorm)})
    following = _next_href(first.text)
    assert following is not None
    second = _page_items(client.get(following).text)
    # A norm whose code sorts before everything: an offset would now repeat a norm.
    registry.store.update(
        f"""{PREFIXES} INSERT DATA {{ GRAPH <{BASE}/graph/test> {{
            <{BASE}/id/beleidsnorm/AAA-0> a krb:Beleidsnorm ; dct:identifier "AAA-0" }} }}"""
    )
    assert _page_items(client.get(following).text) == second
    restarted = _page_items(client.get("/lijst", params={"klasse": str(KRB.Beleidsnorm)}).text)
    assert _iri_of(restarted[0]) == f"{BASE}/id/beleidsnorm/AAA-0"


def test_a_list_without_na_still_answers_and_a_bad_na_is_400(written) -> None:
    _, client = written
    plain = client.get("/lijst", params={"klasse": str(KRB.Beleidsthema)})
    assert plain.status_code == 200 and "Over deze klasse" in plain.text
    bad = client.get("/lijst", params={"klasse": str(KRB.Beleidsthema), "na": "geen iri"})
    assert bad.status_code == 400
    assert "na moet" in bad.text


# ------------------------------------------------------------ the asset API


def test_each_norm_of_the_asset_api_says_what_a_query_for_that_norm_alone_says(
    written,
) -> None:
    registry, client = written
    answer = client.get(f"/api/imbor/{quote(ASFALT, safe='')}/normen").json()
    norms = answer["normen"]
    assert norms, "the demo has norms on Asfaltverharding"
    for norm in norms:
        iri = URIRef(norm["norm"]["iri"])
        rows = registry.store.query(
            PREFIXES
            + """SELECT ?code ?waarde ?eenheid ?operator ?indicator ?gebied ?document WHERE {
                ?norm a krb:Beleidsnorm .
                OPTIONAL { ?norm dct:identifier ?code }
                OPTIONAL { ?norm qudt:numericValue ?waarde }
                OPTIONAL { ?norm qudt:hasUnit ?eenheid }
                OPTIONAL { ?norm krb:operator ?operator }
                OPTIONAL { ?norm krb:indicator ?indicator }
                OPTIONAL { ?norm krb:werkingsgebied ?gebied }
                OPTIONAL { ?norm krb:document ?document }
            }""",
            bindings={"norm": iri},
        ).dicts()
        assert rows, iri
        own = rows[0]
        assert norm["code"] == (str(own["code"]) if "code" in own else None)
        if "waarde" in own:
            assert norm["waarde"] == pytest.approx(float(own["waarde"]))
        else:
            assert norm["waarde"] is None
        assert (norm["eenheid"] or {}).get("iri") == (
            str(own["eenheid"]) if "eenheid" in own else None
        )
        assert (norm["operator"] or {}).get("iri") == (
            str(own["operator"]) if "operator" in own else None
        )
        assert (norm["indicator"] or {}).get("iri") == (
            str(own["indicator"]) if "indicator" in own else None
        )
        assert (norm["document"] or {}).get("iri") == (
            str(own["document"]) if "document" in own else None
        )
        assert {a["iri"] for a in norm["gebieden"]} == {
            str(r["gebied"]) for r in rows if "gebied" in r
        }


def test_the_measures_of_the_asset_api_carry_the_value_of_their_own_effect(written) -> None:
    registry, client = written
    answer = client.get(
        f"/api/imbor/{quote(ASFALT, safe='')}/maatregelen", params={"datum": "2025-06-01"}
    ).json()
    effects = [(m["maatregel"]["iri"], e) for m in answer["maatregelen"] for e in m["effecten"]]
    assert effects, "the demo has measures aimed at norms on Asfaltverharding"
    for measure, effect in effects:
        values = registry.store.query(
            PREFIXES
            + """SELECT ?waarde WHERE {
                ?effect krb:maatregel ?maatregel ; krb:norm ?norm .
                OPTIONAL { ?effect qudt:numericValue ?waarde } }""",
            bindings={"maatregel": URIRef(measure), "norm": URIRef(effect["norm"]["iri"])},
        ).rows
        assert values, (measure, effect["norm"]["iri"])
        own = {None if v is None else float(v) for (v,) in values}
        assert effect["effect_waarde"] in own


def test_a_write_over_http_is_found_by_the_search_at_once(written) -> None:
    _, client = written
    assert "Zwerfvuil" not in client.get("/zoeken", params={"q": "zwerfvuilval"}).text
    aspect = f"{BASE}/id/beleidsaspect/zwerfvuilvallen"
    insert = f"""{PREFIXES}
    INSERT DATA {{ GRAPH <{THEMES_GRAPH}> {{
      <{aspect}> a krb:Beleidsaspect, skos:Concept ;
          skos:prefLabel "Zwerfvuilvallen"@nl ;
          skos:definition "Plekken waar zwerfvuil zich ophoopt."@nl ;
          skos:broader <{BASE}/id/beleidsthema/bouwen> ;
          skos:inScheme <{BASE}/id/conceptschema/beleidsthemas> .
    }} }}"""
    response = client.post(
        "/sparql",
        content=insert.encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert response.status_code in (200, 204), response.text
    found = client.get("/zoeken", params={"q": "zwerfvuilval"})
    assert "/id/beleidsaspect/zwerfvuilvallen" in found.text
