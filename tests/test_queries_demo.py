"""The named queries answer the demo registry's questions exactly, on both store backends.

Each backend (embedded Oxigraph in a folder, a real ``oxigraph serve`` over HTTP)
is loaded once per module with the model graphs and the demo; every test runs on
both and must get the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from remote_server import running_oxigraph

from krbgraph.model import project_root
from krbgraph.queries import ParameterError, load_catalogue, prepare_query, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

DEMO_GRAPH = "https://krb.demogemeente.nl/id/graph/demo"
DEMO_FILES = sorted((project_root() / "examples" / "demo").glob("*.ttl"))
ID = "https://krb.demogemeente.nl/id/"
IMBOR = "https://data.crow.nl/imbor/def/"
WOONGEBOUW = IMBOR + "5315f7e0-0826-4a68-8a7b-808f32a983a0"
ASFALTVERHARDING = IMBOR + "5e38db74-2c1b-4caa-bd62-c7008cb022c6"
BOOM = IMBOR + "83a942f7-5291-42f0-afb1-9a57d0fb2f15"
TODAY = date(2026, 11, 28)
CATALOGUE = load_catalogue()
INCOMPLETE = Path(__file__).parent / "data" / "queries" / "onvolledig.ttl"


BACKENDS = ["embedded", pytest.param("remote", marks=pytest.mark.remote)]


@pytest.fixture(scope="module", params=BACKENDS)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "embedded":
        handle = open_store(Settings(store=str(folder / "db")))
        with handle:
            _fill(handle)
            yield handle
        return
    with running_oxigraph(folder) as url:
        handle = open_store(Settings(store=url))
        try:
            _fill(handle)
            yield handle
        finally:
            handle.close()


def _fill(store: Store) -> None:
    ensure_model(store)
    store.load_files({DEMO_GRAPH: DEMO_FILES}, replace=True)


def rows(store: Store, name: str, *columns: str, **params: str) -> set[tuple[str | None, ...]]:
    """The chosen columns of every row, as text (None when unbound)."""
    result = run_named_query(store, CATALOGUE, name, params, today=TODAY)
    index = [result.variables.index(c) for c in columns]
    assert len(set(result.rows)) == len(result.rows), f"{name} returned duplicate rows"
    return {tuple(None if row[i] is None else str(row[i]) for i in index) for row in result.rows}


def test_comfort_boxes_reaches_bouwen_geluid_and_gezondheid(store: Store) -> None:
    expected = {
        (
            "Comfort boxes op inpandige geluidsdruk",
            "-7",
            "dB(A)",
            "Inpandige geluidsdruk maximaal 35 dB(A)",
            "Geluidsdruk binnen (inpandig)",
            "Binnenmilieu",
            "Bouwen",
            "false",
        ),
        (
            "Comfort boxes op geluidsdruk gevel",
            "-2",
            "dB(A)",
            "Geluidsdruk gevel maximaal 48 dB(A)",
            "Geluidsdruk gevel (Lden)",
            "Verkeerslawaai",
            "Geluid",
            "true",
        ),
        (
            "Comfort boxes op slaapgestoorden",
            "-1",
            "%",
            "Aantal slaapgestoorden maximaal 2 %",
            "Ernstig slaapverstoorden door geluid",
            "Slaapverstoring",
            "Gezondheid",
            "true",
        ),
    }
    columns = (
        "effect_label",
        "waarde",
        "eenheid_symbool",
        "norm_label",
        "indicator_label",
        "aspect_label",
        "thema_label",
        "dwarsverband",
    )
    # By IRI, by code and by exact name: the same measure, the same answer.
    for measure in (ID + "beleidsmaatregel/BOU-M02", "BOU-M02", "Comfort boxes"):
        assert rows(store, "dwarsverbanden-maatregel", *columns, maatregel=measure) == expected


def test_a_measure_within_its_own_theme_has_no_dwarsverband(store: Store) -> None:
    assert rows(
        store,
        "dwarsverbanden-maatregel",
        "maatregel_label",
        "eigen_thema_label",
        "thema_label",
        "dwarsverband",
        maatregel="GEL-M01",
    ) == {("Stil asfalt", "Geluid", "Geluid", "false")}


def test_network_links_themes_weighted_by_measures_and_effects(store: Store) -> None:
    assert rows(
        store, "dwarsverbanden-netwerk", "bron_label", "doel_label", "maatregelen", "effecten"
    ) == {
        ("Bouwen", "Geluid", "1", "1"),
        ("Bouwen", "Gezondheid", "1", "1"),
        ("Bouwen", "Groen", "1", "1"),
    }


def test_theme_nodes_count_indicators_norms_and_measures(store: Store) -> None:
    assert rows(
        store, "dwarsverbanden-themas", "thema_label", "indicatoren", "normen", "maatregelen"
    ) == {
        ("Bouwen", "3", "4", "3"),
        ("Circulaire economie", "2", "2", "0"),
        ("Energietransitie", "1", "1", "0"),
        ("Geluid", "1", "3", "1"),
        ("Gezondheid", "2", "4", "0"),
        ("Groen", "3", "3", "1"),
    }


PARKSTRAAT_ALWAYS = {
    ("beleidsmaatregel", "GEL-M01", "Parkstraat"),
    ("beleidsmaatregel", "GRO-M01", "Parkkwartier"),
    ("beleidsnorm", "CIR-N01", "Demogemeente"),
    ("beleidsnorm", "CIR-N02", "Demogemeente"),
    ("beleidsnorm", "GEL-N01", "Demogemeente"),
    ("beleidsnorm", "GEL-N03", "Nederland"),
    ("beleidsnorm", "GEZ-N01", "Demogemeente"),
    ("beleidsnorm", "GEZ-N03", "Nederland"),
    ("beleidsnorm", "GEZ-N04", "Demoprovincie"),
    ("beleidsnorm", "GRO-N01", "Demogemeente"),
    ("beleidsnorm", "GRO-N02", "Demogemeente"),
    ("beleidsnorm", "GRO-N03", "Demogemeente"),
    ("beoogd effect", "GEL-E01", "Parkstraat"),
    ("beoogd effect", "GRO-E01", "Parkkwartier"),
    ("beoogd effect", "GRO-E02", "Parkkwartier"),
}


def test_policy_of_containing_areas_applies_in_a_street(store: Store) -> None:
    columns = ("soort", "code", "vastgesteld_voor_label")
    everything = rows(store, "beleid-in-gebied", *columns, gebied="parkstraat")
    assert everything == PARKSTRAAT_ALWAYS | {
        ("beleidsnorm", "ENE-N01", "Demogemeente"),  # from 2027
        ("beleidsnorm", "GEL-N02", "Demogemeente"),  # until 2025
    }
    today = rows(store, "beleid-in-gebied", *columns, gebied="parkstraat", datum="2026-11-28")
    assert today == PARKSTRAAT_ALWAYS


def test_norms_in_force_on_a_date(store: Store) -> None:
    undated = {
        ("beleidsnorm", "BOU-N01"),
        ("beleidsnorm", "BOU-N02"),
        ("beleidsnorm", "BOU-N03"),
        ("beleidsnorm", "BOU-N04"),
        ("beleidsnorm", "GEZ-N02"),
        ("beleidsnorm", "GRO-N03"),
        ("beleidsregel", "BOU-R01"),
    }
    assert rows(store, "geldig-op", "soort", "code", datum="2020-01-01") == undated
    # The default is today; GEL-N02 ended 2025-12-31, ENE-N01 starts 2027-01-01.
    assert rows(store, "geldig-op", "soort", "code") == undated | {("beleidsregel", "BOU-R02")} | {
        ("beleidsnorm", code)
        for code in (
            "CIR-N01",
            "CIR-N02",
            "GEL-N01",
            "GEL-N03",
            "GEZ-N01",
            "GEZ-N03",
            "GEZ-N04",
            "GRO-N01",
            "GRO-N02",
        )
    }
    # Boundaries count as in force: the last day of GEL-N02 and the first of ENE-N01.
    assert ("beleidsnorm", "GEL-N02") in rows(
        store, "geldig-op", "soort", "code", datum="2025-12-31"
    )
    assert ("beleidsnorm", "ENE-N01") in rows(
        store, "geldig-op", "soort", "code", datum="2027-01-01"
    )


def test_norms_for_an_object_type_include_superclasses_and_alle(store: Store) -> None:
    columns = ("code", "klasse_label", "via_superklasse", "maatregel_label")
    assert rows(store, "normen-per-imbor-objecttype", *columns, objecttype=WOONGEBOUW) == {
        ("BOU-N04", "Woongebouw", "false", "Comfort boxes"),
        ("GEL-N01", "Woongebouw", "false", "Comfort boxes"),
        ("GEL-N01", "Woongebouw", "false", "Stil asfalt"),
        ("GEL-N02", "Woongebouw", "false", None),
        ("GEL-N03", "Woongebouw", "false", None),
        ("GEZ-N01", "Woongebouw", "false", None),
        ("GEZ-N02", "Woongebouw", "false", "Comfort boxes"),
        ("BOU-N01", "Gebouw", "true", None),
        ("BOU-N02", "Gebouw", "true", None),
        ("BOU-N03", "Gebouw", "true", None),
        ("GEZ-N03", "alle", "true", None),
        ("GEZ-N04", "alle", "true", None),
    }


def test_a_local_object_type_inherits_the_norms_of_its_imbor_superclass(store: Store) -> None:
    assert rows(
        store, "normen-per-imbor-objecttype", "code", "klasse_label", objecttype="Woningen"
    ) == {
        ("ENE-N01", "Woningen"),
        ("BOU-N01", "Gebouw"),
        ("BOU-N02", "Gebouw"),
        ("BOU-N03", "Gebouw"),
        ("GEZ-N03", "alle"),
        ("GEZ-N04", "alle"),
    }


def test_norms_for_an_object_type_limited_to_an_area_and_date(store: Store) -> None:
    # In the Parkstraat the Centrum and Gebouwlocatie norms do not apply; on the
    # date GEL-N02 has ended.
    assert rows(
        store,
        "normen-per-imbor-objecttype",
        "code",
        objecttype="Woongebouw",
        gebied="parkstraat",
        datum="2026-11-28",
    ) == {("GEL-N01",), ("GEL-N03",), ("GEZ-N01",), ("GEZ-N03",), ("GEZ-N04",)}


def test_norms_per_zoekingang(store: Store) -> None:
    assert rows(
        store,
        "normen-per-zoekingang",
        "code",
        "klasse_label",
        "via_superklasse",
        zoekingang="Bomen",
    ) == {
        ("GRO-N03", "Boom", "false"),
        ("GEZ-N03", "alle", "true"),
        ("GEZ-N04", "alle", "true"),
    }


def test_besluitspoor_of_a_norm_lists_both_decisions_oldest_first(store: Store) -> None:
    result = run_named_query(store, CATALOGUE, "besluitspoor", {"instrument": "GEL-N01"})
    names = ("document_label", "dossier_label", "besluit_label", "besluit_datum", "ris_nummer")
    index = [result.variables.index(n) for n in names]
    assert [tuple(str(row[i]) for i in index) for row in result.rows] == [
        ("Geluid 2030", "Geluid", "Collegebesluit Geluid 2030", "2023-11-12", "RIS-2023-112"),
        ("Geluid 2030", "Geluid", "Raadsbesluit Geluid 2030", "2023-11-16", "RIS-2023-118"),
    ]


def test_beleidsketen_has_one_row_per_effect_and_norms_without_measure(store: Store) -> None:
    chain = rows(
        store,
        "beleidsketen",
        "maatregel_code",
        "effect_code",
        "norm_code",
        "indicator_code",
        "thema_label",
    )
    with_measure = {row for row in chain if row[0] is not None}
    assert with_measure == {
        ("BOU-M02", "BOU-E01", "BOU-N04", "BOU-I03", "Bouwen"),
        ("BOU-M02", "BOU-E02", "GEL-N01", "GEL-I01", "Geluid"),
        ("BOU-M02", "BOU-E03", "GEZ-N02", "GEZ-I01", "Gezondheid"),
        ("BOU-M03", "BOU-E04", "GRO-N01", "GRO-I01", "Groen"),
        ("GEL-M01", "GEL-E01", "GEL-N01", "GEL-I01", "Geluid"),
        ("GRO-M01", "GRO-E01", "GRO-N01", "GRO-I01", "Groen"),
        ("GRO-M01", "GRO-E02", "GRO-N02", "GRO-I02", "Groen"),
    }
    assert {row[2] for row in chain if row[0] is None} == {
        "BOU-N01",
        "BOU-N02",
        "BOU-N03",
        "CIR-N01",
        "CIR-N02",
        "ENE-N01",
        "GEL-N02",
        "GEL-N03",
        "GEZ-N01",
        "GEZ-N03",
        "GEZ-N04",
        "GRO-N03",
    }


def test_compleetheid_reports_what_is_missing(store: Store) -> None:
    columns = ("soort", "label", "probleem")
    assert rows(store, "compleetheid", *columns) == set()  # the demo is complete
    store.load_files({"urn:test:onvolledig": [INCOMPLETE]}, replace=True)
    try:
        assert rows(store, "compleetheid", *columns) == {
            ("beleidsindicator", "Losse indicator", "geen norm of regel"),
            ("beleidsmaatregel", "Losse maatregel", "geen beoogd effect of beoogde uitvoering"),
            ("beleidsnorm", "Losse norm", "geen indeling (sector, leefomgeving of materiaal)"),
            ("besluitdocument", "Los document", "geen besluitproces"),
        }
    finally:
        store.drop_graph("urn:test:onvolledig")


def test_codes_and_names_resolve_only_when_unambiguous(store: Store) -> None:
    with pytest.raises(ParameterError, match="no krb:Beleidsmaatregel has code or name 'XYZ'"):
        rows(store, "dwarsverbanden-maatregel", "effect", maatregel="XYZ")
    # "Geluid" names a theme and a dossier, but no measure.
    with pytest.raises(ParameterError, match="no krb:Beleidsmaatregel has code or name 'Geluid'"):
        rows(store, "dwarsverbanden-maatregel", "effect", maatregel="Geluid")
    # A CBS code resolves through skos:notation / dct:identifier.
    assert rows(store, "beleid-in-gebied", "code", gebied="GM9999") >= {("GEL-N01",)}


def test_zoek_finds_a_thing_by_code_notation_or_dutch_name_within_its_class(
    store: Store,
) -> None:
    stuurinstrument = "https://data.krb.nl/def/krb#Stuurinstrument"
    by_code = rows(store, "zoek", "object", "label", tekst="GEL-N01", klasse=stuurinstrument)
    assert by_code == {(ID + "beleidsnorm/GEL-N01", "Geluidsdruk gevel maximaal 48 dB(A)")}
    by_name = rows(
        store,
        "zoek",
        "object",
        tekst="Geluidsdruk gevel maximaal 48 dB(A)",
        klasse=stuurinstrument,
    )
    assert by_name == {(ID + "beleidsnorm/GEL-N01",)}
    gebied = "https://data.krb.nl/def/krb#Werkingsgebied"
    assert rows(store, "zoek", "object", tekst="GM9999", klasse=gebied) != set()
    # Exact and case-sensitive; and a code outside the class finds nothing.
    assert rows(store, "zoek", "object", tekst="gel-n01", klasse=stuurinstrument) == set()
    assert rows(store, "zoek", "object", tekst="GEL-N01", klasse=gebied) == set()


INJECTIONS = [
    ("maatregel", "http://x> } ; DROP ALL ; <http://y"),
    ("maatregel", 'GEL-M01" } ; DROP ALL ; { "'),
    ("maatregel", "GEL-M01\n} DROP ALL {"),
    ("maatregel", 'GEL-M01\\" . } #'),
]


@pytest.mark.parametrize(("name", "value"), INJECTIONS)
def test_injection_attempts_are_rejected_and_change_nothing(
    store: Store, name: str, value: str
) -> None:
    before = {(g.iri, g.triples) for g in store.graphs()}
    with pytest.raises(ParameterError, match="has code or name"):
        run_named_query(store, CATALOGUE, "dwarsverbanden-maatregel", {name: value})
    assert {(g.iri, g.triples) for g in store.graphs()} == before


def test_hostile_string_is_bound_as_a_harmless_literal(store: Store) -> None:
    before = {(g.iri, g.triples) for g in store.graphs()}
    for text in ['"} ; DROP ALL ; {"', 'asfalt" } UNION { ?objecttype ?p ?o } #', "\\\n'"]:
        sparql = prepare_query(store, CATALOGUE, "zoek-objecttype", {"zoekterm": text})
        assert "DROP ALL" not in sparql.split("VALUES", 1)[0]
        assert store.query(sparql).rows == ()  # as for any text no name contains
    assert rows(store, "zoek-objecttype", "label", zoekterm="asfaltverh") == {("Asfaltverharding",)}
    assert {(g.iri, g.triples) for g in store.graphs()} == before
