"""Right answers on a registry as municipalities fill it, not only on the demo as shipped.

Each test is one thing a real registry does that the demo did not (names in a second
language, a question on a date long ago, policy in sub-areas, a question about a
superclass), checked on both store backends by a property of the answer rather than
by a copy of today's output.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from html import unescape

import pytest
from demo_backends import demo_store_fixture, fill_with_demo
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from krbgraph.model import project_root
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import QueryResult, Store, open_store
from krbgraph.web.app import create_app

ID = "https://krb.demogemeente.nl/id/"
DEMO = sorted((project_root() / "examples" / "demo").glob("*.ttl"))
IMBOR = "https://data.crow.nl/imbor/def/"
ASFALTVERHARDING = IMBOR + "5e38db74-2c1b-4caa-bd62-c7008cb022c6"
WOONGEBOUW = IMBOR + "5315f7e0-0826-4a68-8a7b-808f32a983a0"
GEBOUW = "http://modellen.geostandaarden.nl/def/nen3610-2022#Gebouw"
TODAY = date(2026, 12, 3)
CATALOGUE = load_catalogue()
EXTRA = "https://krb.demogemeente.nl/graph/extra-namen"
KRB_THEME = "https%3A%2F%2Fdata.krb.nl%2Fdef%2Fkrb%23Beleidsthema"

store = demo_store_fixture()


def run(store: Store, name: str, **params: str) -> QueryResult:
    return run_named_query(store, CATALOGUE, name, params, today=TODAY)


def facts(result: QueryResult, query: str) -> Counter[tuple[str | None, ...]]:
    """The rows without their name columns, as a multiset: what must not depend on names."""
    named = {c.name for c in CATALOGUE[query].columns if c.name_of is not None}
    keep = [i for i, v in enumerate(result.variables) if v not in named]
    return Counter(
        tuple(None if row[i] is None else str(row[i]) for i in keep) for row in result.rows
    )


def column(result: QueryResult, name: str) -> list[str | None]:
    index = result.variables.index(name)
    return [None if row[index] is None else str(row[index]) for row in result.rows]


# --- Names in a second language ---------------------------------------------------

ENGLISH = [
    (ID + "beleidsthema/geluid", "Noise"),
    (ID + "beleidsthema/bouwen", "Building"),
    (ID + "beleidsthema/gezondheid", "Health"),
]


@pytest.fixture
def english_themes(store: Store) -> Iterator[None]:
    graph = Graph()
    for iri, name in ENGLISH:
        graph.add((URIRef(iri), SKOS.prefLabel, Literal(name, lang="en")))
    store.replace_graph(EXTRA, graph)
    yield
    store.replace_graph(EXTRA, Graph())


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("dwarsverbanden-netwerk", {}),
        ("dwarsverbanden-maatregel", {"maatregel": ID + "beleidsmaatregel/BOU-M02"}),
        ("dwarsverbanden-themas", {}),
    ],
)
def test_a_second_language_adds_no_rows(
    store: Store, query: str, params: dict[str, str], english_themes: None
) -> None:
    with_english = run(store, query, **params)
    store.replace_graph(EXTRA, Graph())
    dutch_only = run(store, query, **params)
    assert facts(with_english, query) == facts(dutch_only, query)
    assert len(with_english.rows) == len(dutch_only.rows) > 0


def test_names_follow_the_reader_language(store: Store, english_themes: None) -> None:
    english = run_named_query(
        store, CATALOGUE, "dwarsverbanden-themas", {}, today=TODAY, languages=("en", "nl")
    )
    dutch = run(store, "dwarsverbanden-themas")
    names_en = dict(zip(column(english, "thema"), column(english, "thema_label"), strict=True))
    names_nl = dict(zip(column(dutch, "thema"), column(dutch, "thema_label"), strict=True))
    assert names_en[ID + "beleidsthema/geluid"] == "Noise"
    assert names_nl[ID + "beleidsthema/geluid"] == "Geluid"
    # A theme without an English name falls back to its Dutch one.
    assert names_en[ID + "beleidsthema/groen"] == names_nl[ID + "beleidsthema/groen"]


@pytest.mark.parametrize("languages", [("en-gb", "nl"), ("en-gb",), ("en-us", "fy-nl", "nl")])
def test_a_regional_reader_language_finds_names_in_its_language(
    store: Store, english_themes: None, languages: tuple[str, ...]
) -> None:
    """A browser that sends "en-GB" alone (or "fy-NL, nl") wants English (Frisian) names
    where there is no British one, not the Dutch default."""
    answer = run_named_query(
        store, CATALOGUE, "dwarsverbanden-themas", {}, today=TODAY, languages=languages
    )
    names = dict(zip(column(answer, "thema"), column(answer, "thema_label"), strict=True))
    assert names[ID + "beleidsthema/geluid"] == "Noise"


# --- The asset question ------------------------------------------------------------


def test_asset_question_lists_only_measures_whose_own_area_applies(store: Store) -> None:
    result = run(
        store,
        "normen-per-imbor-objecttype",
        objecttype=ASFALTVERHARDING,
        gebied=ID + "werkingsgebied/parkstraat",
    )
    objects = column(result, "object")
    # Comfort boxes lie at the Gebouwlocatie, in another neighbourhood.
    assert ID + "beleidsmaatregel/BOU-M02" not in objects
    # Each norm once per class it is found through, whatever measures aim at it.
    norm_rows = [
        (obj, klasse)
        for obj, klasse, soort in zip(
            objects, column(result, "klasse"), column(result, "soort"), strict=True
        )
        if soort == "beleidsnorm"
    ]
    assert len(norm_rows) == len(set(norm_rows))
    assert (ID + "beleidsnorm/GEL-N01", ASFALTVERHARDING) in norm_rows


AREAS_QUERY = """
PREFIX krb: <https://data.krb.nl/def/krb#>
SELECT DISTINCT ?gebied WHERE { ?gebied a krb:Werkingsgebied } ORDER BY ?gebied
"""


def test_asset_question_in_an_area_is_the_area_policy_of_that_type(store: Store) -> None:
    """For every area and direction, the norms and measures (found on the type itself)
    the asset question gives with an area are exactly those it gives without one that
    beleid-in-gebied lists for the area: one rule of "applies here", whether the policy
    is set for the area, one around it, one inside it or one that only overlaps it
    (a plan area inside the buurt that also overlaps it is "binnen", not "hier")."""
    datum = "2028-06-01"  # the energy plan for a plan area in a buurt is in force
    areas = [str(row[0]) for row in store.query(AREAS_QUERY).rows]
    assert len(areas) >= 10
    for objecttype in ("Woningen", ASFALTVERHARDING, GEBOUW):
        everywhere = run(
            store,
            "normen-per-imbor-objecttype",
            objecttype=objecttype,
            datum=datum,
            subklassen="true",
        )
        own = _own_objects(everywhere)
        for gebied in areas:
            for richting in ("hier", "binnen", "beide"):
                asked = dict(gebied=gebied, richting=richting, datum=datum)
                there = run(
                    store,
                    "normen-per-imbor-objecttype",
                    objecttype=objecttype,
                    subklassen="true",
                    **asked,
                )
                listed = set(column(run(store, "beleid-in-gebied", **asked), "object"))
                assert _own_objects(there) == own & listed, (objecttype, gebied, richting)


def _own_objects(result: QueryResult) -> set[str | None]:
    """Norms, and measures found on the type itself (not through an effect, whose own
    area counts instead of the measure's)."""
    return {
        obj
        for obj, norm in zip(column(result, "object"), column(result, "norm"), strict=True)
        if norm is None
    }


def test_asset_question_with_subclasses_names_the_class(store: Store) -> None:
    plain = run(store, "normen-per-imbor-objecttype", objecttype=GEBOUW)
    deep = run(store, "normen-per-imbor-objecttype", objecttype=GEBOUW, subklassen="true")
    assert "subklasse" not in column(plain, "via")
    via_woongebouw = {
        obj
        for obj, klasse, via in zip(
            column(deep, "object"), column(deep, "klasse"), column(deep, "via"), strict=True
        )
        if klasse == WOONGEBOUW
    }
    assert ID + "beleidsnorm/GEL-N01" in via_woongebouw
    assert all(
        via == "subklasse"
        for klasse, via in zip(column(deep, "klasse"), column(deep, "via"), strict=True)
        if klasse == WOONGEBOUW
    )
    # Everything found without subclasses is still there.
    assert set(column(plain, "object")) <= set(column(deep, "object"))


# --- Time --------------------------------------------------------------------------


def _derived_dates(store: Store) -> dict[str, tuple[str | None, str | None, bool]]:
    rows = store.query(
        """
        PREFIX krb: <https://data.krb.nl/def/krb#>
        SELECT ?s ?vanaf ?tot ?niet WHERE {
          { ?s krb:geldigVanaf ?vanaf } UNION { ?s krb:geldigTot ?tot }
          UNION { ?s krb:nietInWerking ?niet }
        }"""
    ).rows
    dates: dict[str, list] = {}
    for subject, start, end, never in rows:
        entry = dates.setdefault(str(subject), [None, None, False])
        if start is not None:
            entry[0] = str(start)
        if end is not None:
            entry[1] = str(end)
        if never is not None:
            entry[2] = True
    return {key: (v[0], v[1], v[2]) for key, v in dates.items()}


@pytest.mark.parametrize(
    "day", ["2010-01-01", "2021-06-01", "2024-06-01", "2026-12-03", "2031-01-01"]
)
def test_nothing_is_in_force_before_it_was_adopted_or_after_it_ended(
    store: Store, day: str
) -> None:
    result = run(store, "geldig-op", datum=day)
    dates = _derived_dates(store)
    for obj in set(column(result, "object")):
        start, end, never = dates.get(obj, (None, None, False))
        assert not never
        assert start is None or start <= day, (obj, start, day)
        assert end is None or end >= day, (obj, end, day)


def test_a_day_before_any_adoption_has_no_policy(store: Store) -> None:
    # The earliest norm of the demo is the Wet geluidshinder's, from 2007-01-01.
    assert run(store, "geldig-op", datum="2006-12-31").rows == ()
    assert column(run(store, "geldig-op", datum="2007-01-01"), "code") == ["WGH-N01"]


def test_norms_without_a_period_follow_their_document(store: Store) -> None:
    # BOU-N01 has no period of its own; its document was adopted, and in force, on
    # 2022-03-24.
    assert ID + "beleidsnorm/BOU-N01" not in column(
        run(store, "geldig-op", datum="2022-03-23"), "object"
    )
    assert ID + "beleidsnorm/BOU-N01" in column(
        run(store, "geldig-op", datum="2022-03-24"), "object"
    )
    # GEL-N04 has no period either; the Actieplan Geluid 2030 was adopted on 2025-11-20
    # and enters into force on 2026-01-01.
    assert ID + "beleidsnorm/GEL-N04" not in column(
        run(store, "geldig-op", datum="2025-12-31"), "object"
    )


def test_area_policy_leaves_out_expired_and_future_norms_unless_asked(store: Store) -> None:
    centrum = ID + "werkingsgebied/WK999901"
    today = run(store, "beleid-in-gebied", gebied=centrum)
    assert set(column(today, "geldigheid")) == {"geldig"}
    objects = set(column(today, "object"))
    assert ID + "beleidsnorm/GEL-N02" not in objects  # ended 2025-12-31
    assert ID + "beleidsnorm/ENE-N01" not in objects  # from 2027
    marked = run(store, "beleid-in-gebied", gebied=centrum, alles="true")
    status = dict(zip(column(marked, "object"), column(marked, "geldigheid"), strict=False))
    assert status[ID + "beleidsnorm/GEL-N02"] == "verlopen"
    assert status[ID + "beleidsnorm/ENE-N01"] == "toekomstig"


def test_area_policy_looks_down_into_sub_areas_when_asked(store: Store) -> None:
    centrum = ID + "werkingsgebied/WK999901"
    here = run(store, "beleid-in-gebied", gebied=centrum)
    within = run(store, "beleid-in-gebied", gebied=centrum, richting="binnen")
    both = run(store, "beleid-in-gebied", gebied=centrum, richting="beide")
    assert "binnen" not in column(here, "relatie")
    assert "omvat" not in column(within, "relatie")
    # Measures in the district's own streets and plots are found looking down.
    assert ID + "beleidsmaatregel/BOU-M02" in column(within, "object")
    assert facts(both, "beleid-in-gebied") == facts(here, "beleid-in-gebied") + Counter(
        row
        for row in facts(within, "beleid-in-gebied").elements()
        if row not in facts(here, "beleid-in-gebied")
    )


def test_the_home_page_example_answers_what_is_in_force_today(tmp_path) -> None:
    from test_sparql_support import demo_store

    store, config = demo_store(tmp_path)
    with store, TestClient(create_app(config, store=store)) as client:
        page = client.get("/query", params={"voorbeeld": "geldig-op"})
        assert page.status_code == 200
        text = unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page.text, re.S)[1])
        shown = client.get(
            "/sparql", params={"query": text}, headers={"Accept": "application/sparql-results+json"}
        ).json()
        api = client.get("/api/queries/geldig-op").json()
    shown_objects = {b["object"]["value"] for b in shown["results"]["bindings"]}
    api_objects = {row["object"] for row in api["rows"]}
    assert shown_objects == api_objects
    assert len(api_objects) > 7


# --- Property: names never change the facts ------------------------------------------

_SUBJECTS = [
    ID + path
    for path in (
        "beleidsthema/geluid",
        "beleidsthema/bouwen",
        "beleidsthema/gezondheid",
        "beleidsthema/groen",
        "beleidsaspect/geluid-verkeer",
        "beleidsindicator/GEL-I01",
        "beleidsnorm/GEL-N01",
        "beleidsnorm/GEZ-N02",
        "beleidsmaatregel/BOU-M02",
        "beleidsmaatregel/GEL-M01",
        "beoogd-effect/BOU-E01",
        "werkingsgebied/WK999901",
        "werkingsgebied/parkstraat",
        "besluitdocument/GEL-2030",
    )
] + [ASFALTVERHARDING, WOONGEBOUW, "http://qudt.org/vocab/unit/DeciB_A"]

_PARAMS = {
    "dwarsverbanden-maatregel": {"maatregel": ID + "beleidsmaatregel/BOU-M02"},
    "beleid-in-gebied": {"gebied": ID + "werkingsgebied/WK999901", "richting": "beide"},
    "normen-per-imbor-objecttype": {"objecttype": ASFALTVERHARDING, "subklassen": "true"},
    "besluitspoor": {"instrument": ID + "beleidsnorm/GEL-N01"},
    "normen-per-indeling": {"begrip": "https://data.krb.nl/id/begrip/sector/inwoners"},
    "normen-per-zoekingang": {
        "zoekingang": IMBOR + "45e0f6a8-f9dc-41ce-84be-07edd385c4f8"  # Bomen
    },
}
_SEARCHES = {"zoek", "zoek-objecttype"}
"""Searches match names, so a new name may rightly add a hit; they are checked apart."""

_names = st.lists(
    st.tuples(
        st.sampled_from(_SUBJECTS),
        st.sampled_from([RDFS.label, SKOS.prefLabel, SKOS.altLabel]),
        st.text(min_size=1, max_size=12),
        st.sampled_from(["nl", "en", "de", "fy", "en-GB", None]),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with open_store(Settings(store=str(tmp_path_factory.mktemp("prop") / "db"))) as handle:
        fill_with_demo(handle)
        yield handle


_NAME_FREE = [q for q in CATALOGUE.public() if q.name not in _SEARCHES]
_NAME_FREE_PARAMS = {q.name: _PARAMS.get(q.name, {}) for q in _NAME_FREE}


@pytest.fixture(scope="module")
def facts_before(embedded: Store) -> dict[str, Counter[tuple[str | None, ...]]]:
    """Each query's facts on the demo alone, once: every example below puts the store
    back as it was (EXTRA empty), so they are the same before each of them."""
    return {
        q.name: facts(run(embedded, q.name, **_NAME_FREE_PARAMS[q.name]), q.name)
        for q in _NAME_FREE
    }


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(extra=_names)
def test_random_names_in_random_languages_change_only_name_columns(
    embedded: Store,
    facts_before: dict[str, Counter[tuple[str | None, ...]]],
    extra: list[tuple[str, URIRef, str, str | None]],
) -> None:
    queries, params, before = _NAME_FREE, _NAME_FREE_PARAMS, facts_before
    graph = Graph()
    for subject, predicate, text, language in extra:
        graph.add((URIRef(subject), predicate, Literal(text, lang=language)))
    embedded.replace_graph(EXTRA, graph)
    try:
        for query in queries:
            after = run(embedded, query.name, **params[query.name])
            assert facts(after, query.name) == before[query.name], query.name
            # Every name column holds at most one name per resource.
            for spec in query.columns:
                if spec.name_of:
                    pairs = set(
                        zip(column(after, spec.name_of), column(after, spec.name), strict=True)
                    )
                    assert len({k for k, _ in pairs}) == len(pairs), (query.name, spec.name)
    finally:
        embedded.replace_graph(EXTRA, Graph())


# --- The reader's language on the API and the pages ------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from test_sparql_support import demo_store

    store, config = demo_store(tmp_path_factory.mktemp("taal"))
    graph = Graph()
    for iri, name in ENGLISH:
        graph.add((URIRef(iri), SKOS.prefLabel, Literal(name, lang="en")))
    store.replace_graph(EXTRA, graph)
    with store, TestClient(create_app(config, store=store)) as test_client:
        yield test_client


def _network_names(client: TestClient, **kwargs: object) -> tuple[set[str], int]:
    answer = client.get("/api/dwarsverbanden", **kwargs).json()
    names = {edge["bron"]["label"] for edge in answer["verbindingen"]}
    return names, len(answer["verbindingen"])


def test_api_names_follow_lang_and_accept_language(client: TestClient) -> None:
    dutch, edges = _network_names(client)
    english, edges_en = _network_names(client, params={"lang": "en"})
    header, edges_header = _network_names(client, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert "Bouwen" in dutch and "Building" not in dutch
    assert "Building" in english and english == header
    # The same edges whatever the language: one per pair of themes.
    assert edges == edges_en == edges_header
    pairs = {
        (edge["bron"]["iri"], edge["doel"]["iri"])
        for edge in client.get("/api/dwarsverbanden").json()["verbindingen"]
    }
    assert len(pairs) == edges


def test_pages_name_things_in_the_reader_language(client: TestClient) -> None:
    page = client.get("/dwarsverbanden", params={"lang": "en"})
    assert page.status_code == 200
    assert "Building" in page.text
    assert "Building" not in client.get("/dwarsverbanden").text


def test_an_http_write_updates_the_dates_in_force(tmp_path) -> None:
    from test_sparql_support import demo_store, post_update

    store, config = demo_store(tmp_path)
    move_entry = """
        PREFIX eli: <http://data.europa.eu/eli/ontology#>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        DELETE { GRAPH ?g { ?doc eli:first_date_entry_in_force ?d } }
        INSERT { GRAPH ?g { ?doc eli:first_date_entry_in_force "2029-01-01"^^xsd:date } }
        WHERE { BIND (<https://krb.demogemeente.nl/id/besluitdocument/GEL-2030> AS ?doc)
                GRAPH ?g { ?doc eli:first_date_entry_in_force ?d } }
    """
    norm = ID + "beleidsnorm/GEL-N01"
    with store, TestClient(create_app(config, store=store)) as client:
        before = {r["object"] for r in client.get("/api/queries/geldig-op").json()["rows"]}
        post_update(client, move_entry)
        after = {r["object"] for r in client.get("/api/queries/geldig-op").json()["rows"]}
        later = client.get("/api/queries/geldig-op", params={"datum": "2029-06-01"}).json()
    assert norm in before
    assert norm not in after  # its document now comes into force in 2029
    assert norm in {r["object"] for r in later["rows"]}


def test_named_query_api_answers_in_the_reader_language(client: TestClient) -> None:
    english = client.get("/api/queries/dwarsverbanden-themas", params={"lang": "en"}).json()
    dutch = client.get("/api/queries/dwarsverbanden-themas").json()
    names_en = {row["thema"]: row.get("thema_label") for row in english["rows"]}
    names_nl = {row["thema"]: row.get("thema_label") for row in dutch["rows"]}
    assert names_en[ID + "beleidsthema/geluid"] == "Noise"
    assert names_nl[ID + "beleidsthema/geluid"] == "Geluid"
    assert len(english["rows"]) == len(dutch["rows"])


# --- Replacements ------------------------------------------------------------------

_SUCCESSOR = """
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA { GRAPH <https://krb.demogemeente.nl/graph/opvolger> {
  <https://krb.demogemeente.nl/id/besluitdocument/GEL-2035> a krb:Besluitdocument ;
    rdfs:label "Geluid 2035"@nl ; dct:identifier "GEL-2035" ;
    krb:documentsoort <https://data.krb.nl/id/begrip/documentsoort/beleidsplan> ;
    dct:isPartOf <https://krb.demogemeente.nl/id/beleidsdossier/GEL> ;
    krb:werkingsgebied <https://krb.demogemeente.nl/id/werkingsgebied/GM9999> ;
    eli:date_document "2025-03-01"^^xsd:date ;
    adms:status <https://data.krb.nl/id/begrip/status/%(status)s> ;
    %(end)s
    dct:replaces <https://krb.demogemeente.nl/id/besluitdocument/GEL-2030> .
} }
"""


@pytest.mark.parametrize(
    ("status", "end", "ends_predecessor"),
    [
        ("ontwerp", None, False),  # published for consultation, never in force
        ("ingetrokken", None, False),  # withdrawn before it took effect
        ("vastgesteld", None, True),
        ("ingetrokken", "2025-09-30", True),  # in force for a while, then withdrawn
    ],
)
def test_a_successor_ends_what_it_replaces_only_if_it_comes_into_force(
    tmp_path, status: str, end: str | None, ends_predecessor: bool
) -> None:
    from test_sparql_support import demo_store

    from krbgraph.derived import refresh

    store, _ = demo_store(tmp_path)
    with store:
        old_document_norm = ID + "beleidsnorm/GEL-N01"  # of Geluid 2030, in force 2024
        assert old_document_norm in column(run(store, "geldig-op", datum="2025-06-01"), "object")
        end_triple = f'eli:date_no_longer_in_force "{end}"^^xsd:date ;' if end else ""
        store.update(_SUCCESSOR % {"status": status, "end": end_triple})
        refresh(store)
        in_force = column(run(store, "geldig-op", datum="2025-06-01"), "object")
        dates = _derived_dates(store)
    assert (old_document_norm not in in_force) is ends_predecessor
    assert (dates[ID + "besluitdocument/GEL-2030"][1] == "2025-02-28") is ends_predecessor


def test_a_lapsed_norm_without_a_period_was_in_force_while_its_document_was(tmp_path) -> None:
    from test_sparql_support import demo_store

    from krbgraph.derived import refresh

    # GEL-N02 (status vervallen) loses its own period: it then follows the Actieplan
    # Geluid 2025, in force 2020-07-01 until the day before its successor's 2026-01-01.
    norm = ID + "beleidsnorm/GEL-N02"
    store, _ = demo_store(tmp_path)
    with store:
        store.update(
            f"""PREFIX dct: <http://purl.org/dc/terms/>
            DELETE WHERE {{ GRAPH ?g {{ <{norm}> dct:temporal ?t . ?t ?p ?o }} }}"""
        )
        refresh(store)
        during = column(run(store, "geldig-op", datum="2021-06-01"), "object")
        after = column(run(store, "geldig-op", datum="2026-06-01"), "object")
        dates = _derived_dates(store)
    assert norm in during
    assert norm not in after
    assert dates[norm] == ("2020-07-01", "2025-12-31", False)


def test_policy_without_a_theme_makes_no_theme_a_gap(tmp_path) -> None:
    """compleet-beleid's ontbreekt needs policy of another theme in force; a rule with
    neither a theme nor an indicator (both optional) made every theme a gap."""
    from test_sparql_support import demo_store

    from krbgraph.derived import refresh

    rule = """PREFIX krb: <https://data.krb.nl/def/krb#>
    PREFIX dct: <http://purl.org/dc/terms/>
    PREFIX eli: <http://data.europa.eu/eli/ontology#>
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    INSERT DATA { GRAPH <https://krb.demogemeente.nl/graph/themaloos> {
      <https://krb.demogemeente.nl/id/besluitdocument/OUD> a krb:Besluitdocument ;
        rdfs:label "Oude verordening"@nl ; dct:identifier "OUD" ;
        krb:documentsoort <https://data.krb.nl/id/begrip/documentsoort/beleidsplan> ;
        krb:werkingsgebied <https://krb.demogemeente.nl/id/werkingsgebied/GM9999> ;
        eli:first_date_entry_in_force "2000-01-01"^^xsd:date .
      <https://krb.demogemeente.nl/id/beleidsregel/OUD-R01> a krb:Beleidsregel ;
        rdfs:label "Zichtlijnen bewaren"@nl ; dct:identifier "OUD-R01" ;
        krb:document <https://krb.demogemeente.nl/id/besluitdocument/OUD> ;
        krb:werkingsgebied <https://krb.demogemeente.nl/id/werkingsgebied/GM9999> .
    } }"""
    store, _ = demo_store(tmp_path)
    with store:
        store.update(rule)
        refresh(store)
        # In 2005 nothing of the demo was in force (see test_queries_demo): only the rule.
        assert ID + "beleidsregel/OUD-R01" in column(
            run(store, "geldig-op", datum="2005-01-01"), "object"
        )
        gaps = column(
            run(store, "compleet-beleid", gebied="GM9999", datum="2005-01-01"), "ontbreekt"
        )
    assert gaps and set(gaps) == {"false"}


# --- Areas -------------------------------------------------------------------------


def test_an_area_with_the_same_extent_as_the_asked_one_is_reported_once(tmp_path) -> None:
    from test_sparql_support import demo_store

    from krbgraph.derived import refresh

    # An omgevingsplan's plan area usually has exactly the municipality's geometry: each
    # then lies within the other, and the municipality (on that cycle) within itself.
    gemeente = ID + "werkingsgebied/GM9999"
    plangebied = ID + "werkingsgebied/omgevingsplangebied"
    store, _ = demo_store(tmp_path)
    with store:
        store.update(
            f"""PREFIX krb: <https://data.krb.nl/def/krb#>
            PREFIX geo: <http://www.opengis.net/ont/geosparql#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            INSERT {{ GRAPH <https://krb.demogemeente.nl/graph/plan> {{
                <{plangebied}> a krb:Werkingsgebied ; rdfs:label "Omgevingsplangebied"@nl ;
                    geo:hasGeometry [ a geo:Geometry ; geo:asWKT ?wkt ] .
                <{ID}beleidsregel/PLAN-R01> a krb:Beleidsregel ;
                    krb:werkingsgebied <{plangebied}> .
            }} }} WHERE {{ GRAPH ?g {{ <{gemeente}> geo:hasGeometry/geo:asWKT ?wkt }} }}"""
        )
        refresh(store)
        answers = {
            richting: run(store, "beleid-in-gebied", gebied=gemeente, richting=richting)
            for richting in ("hier", "binnen", "beide")
        }
    for richting, answer in answers.items():
        pairs = list(zip(column(answer, "object"), column(answer, "vastgesteld_voor"), strict=True))
        assert len(pairs) == len(set(pairs)), richting  # one row per instrument and area
        relations = dict(zip(pairs, column(answer, "relatie"), strict=True))
        own = {rel for (_, area), rel in relations.items() if area == gemeente}
        assert own == {"zelf"}, richting
        assert relations[(ID + "beleidsregel/PLAN-R01", plangebied)] == (
            "binnen" if richting == "binnen" else "omvat"
        )


# --- A municipality's own lists ----------------------------------------------------


def test_an_own_concept_equal_to_a_national_one_has_the_same_norms(tmp_path) -> None:
    from test_sparql_support import demo_store

    # An own sector list mapped onto the national one, as the workbook's own lists
    # write it: exactMatch is symmetric, so asking for either side finds the same norms.
    national = "https://data.krb.nl/id/begrip/sector/"
    own = ID + "begrip/sector/"
    store, _ = demo_store(tmp_path)
    with store:
        store.update(
            f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            PREFIX krb: <https://data.krb.nl/def/krb#>
            INSERT DATA {{ GRAPH <https://krb.demogemeente.nl/graph/eigen-lijsten> {{
              <{own}natuurlijke-personen> a skos:Concept ;
                  skos:exactMatch <{national}particulieren> .
              <{own}inwoners> a skos:Concept ; skos:broader <{own}natuurlijke-personen> ;
                  skos:exactMatch <{national}inwoners> .
              <{ID}beleidsnorm/GEL-N01> krb:sector <{own}inwoners> .
            }} }}"""
        )

        def norms(begrip: str) -> set[str]:
            answer = run(store, "normen-per-indeling", begrip=begrip, datum="2025-06-01")
            return set(column(answer, "norm"))

        pairs = [
            (own + "inwoners", national + "inwoners"),
            (own + "natuurlijke-personen", national + "particulieren"),
        ]
        found = [(norms(mine), norms(theirs)) for mine, theirs in pairs]
    for (mine, theirs), pair in zip(found, pairs, strict=True):
        assert mine == theirs, pair
        assert len(mine) > 1, pair


def test_an_own_object_type_without_a_zoekingang_belongs_to_its_imbor_class(tmp_path) -> None:
    from test_sparql_support import demo_store

    # The model makes krb:zoekingang optional on a local object type: a norm on one
    # under Woongebouw (zoekingang Vastgoed) is a Vastgoed norm, as for Woongebouw.
    vastgoed = IMBOR + "789a0afc-7c5c-4267-89ff-799a518900c1"
    studentenwoningen = ID + "leefomgeving/studentenwoningen"
    norm = ID + "beleidsnorm/GEL-N01"
    store, _ = demo_store(tmp_path)
    with store:
        before = run(store, "normen-per-zoekingang", zoekingang=vastgoed, datum="2025-06-01")
        store.update(
            f"""PREFIX krb: <https://data.krb.nl/def/krb#>
            PREFIX owl: <http://www.w3.org/2002/07/owl#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            DELETE {{ GRAPH ?g {{ <{norm}> krb:leefomgeving ?oud }} }}
            INSERT {{ GRAPH ?g {{
                <{studentenwoningen}> a owl:Class, krb:LokaalObjecttype ;
                    rdfs:subClassOf <{WOONGEBOUW}> .
                <{norm}> krb:leefomgeving <{studentenwoningen}> .
            }} }}
            WHERE {{ GRAPH ?g {{ <{norm}> krb:leefomgeving ?oud }} }}"""
        )
        after = run(store, "normen-per-zoekingang", zoekingang=vastgoed, datum="2025-06-01")
    assert norm in column(before, "norm")  # on Woongebouw itself
    rows = [row for row in after.rows if str(row[after.variables.index("norm")]) == norm]
    assert [str(r[after.variables.index("klasse")]) for r in rows] == [studentenwoningen]
    assert [r[after.variables.index("via_superklasse")].toPython() for r in rows] == [False]
    assert set(column(after, "norm")) == set(column(before, "norm"))


_CHAIN = """
@prefix krb:  <https://data.krb.nl/def/krb#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix eli:  <http://data.europa.eu/eli/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix id:   <https://krb.demogemeente.nl/id/> .
id:besluitdocument\\/RX-A a krb:Besluitdocument ;
    eli:first_date_entry_in_force "2024-01-01"^^xsd:date ;
    dct:isReplacedBy id:besluitdocument\\/RX-B .
id:besluitdocument\\/RX-B a krb:Besluitdocument ; %(b)s .
id:besluitdocument\\/RX-C a krb:Besluitdocument ;
    eli:first_date_entry_in_force "2025-06-01"^^xsd:date .
id:besluitproces\\/RX-B-RB a krb:Besluitproces ;
    prov:generated id:besluitdocument\\/RX-B ; dct:date "2026-01-01"^^xsd:date .
"""


@pytest.mark.parametrize(
    ("b", "a_ends"),
    [
        # withdrawn (last day 2025-06-30) before its adoption on 2026-01-01 took effect:
        # it never comes into force, so it ends nothing (ontology/krb.ttl, Lifecycle)
        (
            "adms:status <https://data.krb.nl/id/begrip/status/ingetrokken> ; "
            'eli:date_no_longer_in_force "2025-06-30"^^xsd:date',
            None,
        ),
        # replaced by C before it took effect: C takes its place and ends A
        ("dct:isReplacedBy id:besluitdocument\\/RX-C", "2025-05-31"),
        # a B that does come into force ends A the day before
        ('eli:date_no_longer_in_force "2030-12-31"^^xsd:date', "2025-12-31"),
    ],
)
def test_a_successor_that_never_comes_into_force_ends_nothing_its_successor_does(
    tmp_path, b: str, a_ends: str | None
) -> None:
    from krbgraph.derived import derive

    graph = Graph().parse(data=_CHAIN % {"b": b}, format="turtle")
    with open_store(Settings(store=str(tmp_path / "s"))) as store:
        store.write_graphs({"https://krb.demogemeente.nl/graph/rx": graph}, replace=True)
        derived = {(str(s), str(p)): str(o) for s, p, o in derive(store)}
    until = "https://data.krb.nl/def/krb#geldigTot"
    never = "https://data.krb.nl/def/krb#nietInWerking"
    assert derived.get((ID + "besluitdocument/RX-A", until)) == a_ends
    assert (ID + "besluitdocument/RX-A", never) not in derived


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/id/beleidsthema/bouwen",
        "/dwarsverbanden",
        "/api/dwarsverbanden",
        "/api/queries/dwarsverbanden-themas?format=csv",
    ],
)
def test_an_answer_that_differs_by_language_says_it_varies_by_it(
    client: TestClient, url: str
) -> None:
    """A shared cache keys on the Vary headers: an answer that names things in the
    reader's language without ``Vary: Accept-Language`` was handed, English, to the
    next reader."""
    dutch = client.get(url, headers={"Accept-Language": "nl"})
    english = client.get(url, headers={"Accept-Language": "en"})
    assert dutch.status_code == english.status_code == 200
    assert dutch.content != english.content  # the property below has something to say
    for response in (dutch, english):
        vary = {part.strip().lower() for part in response.headers.get("vary", "").split(",")}
        assert "accept-language" in vary, url


@pytest.mark.parametrize(
    "url",
    ["/id/beleidsthema/geluid", "/id/beleidsnorm/GEL-N01", "/lijst?klasse=" + str(KRB_THEME)],
)
def test_a_name_in_another_language_than_the_page_says_which(client: TestClient, url: str) -> None:
    """The pages are Dutch (``<html lang="nl">``); a name shown in the reader's English is
    marked ``lang="en"`` where it stands, or a screen reader reads it as Dutch (WCAG 3.1.2).
    Dutch names are not marked."""
    english = client.get(url, headers={"Accept-Language": "en"}).text
    shown = [name for _, name in ENGLISH if f">{name}<" in english]
    assert shown, "the page shows no English theme name"
    for name in shown:
        unmarked = re.findall(rf"<(a|h1|span)((?:(?! lang=)[^>])*)>{name}<", english)
        assert not unmarked, (name, unmarked)
    dutch = client.get(url, headers={"Accept-Language": "nl"}).text
    assert ">Geluid<" in dutch and not re.findall(r' lang="en"[^>]*>Geluid<', dutch)


def test_a_norm_value_in_the_readers_english_is_marked(client: TestClient) -> None:
    english = client.get("/id/beleidsthema/geluid", headers={"Accept-Language": "en"}).text
    values = re.findall(r"<(td|span)([^>]*)>(at most [^<]*)<", english)
    assert values, "no English norm value on the theme page"
    assert all('lang="en"' in attributes for _, attributes, _ in values), values[:3]
