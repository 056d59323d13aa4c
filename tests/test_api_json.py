"""The JSON API on the demo registry: answers, and 400/404/409 for bad, unknown, ambiguous input."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from test_pages_fixtures import BASE, Registry, build_registry

from krbgraph.derived import refresh

BOOM = "https://data.crow.nl/imbor/def/83a942f7-5291-42f0-afb1-9a57d0fb2f15"
ASFALT = "https://data.crow.nl/imbor/def/5e38db74-2c1b-4caa-bd62-c7008cb022c6"

# Data that makes names ambiguous: a local object type named like an IMBOR class,
# and two areas with the same name.
AMBIGUOUS = f"""
@prefix krb:  <https://data.krb.nl/def/krb#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct:  <http://purl.org/dc/terms/> .
<{BASE}/id/leefomgeving/boom> a owl:Class , krb:LokaalObjecttype , skos:Concept ;
    skos:prefLabel "Boom"@nl ; rdfs:label "Boom"@nl ; rdfs:subClassOf <{BOOM}> .
<{BASE}/id/werkingsgebied/haven-noord> a krb:Werkingsgebied ;
    rdfs:label "Oude Haven"@nl ; dct:identifier "haven-noord" .
<{BASE}/id/werkingsgebied/haven-zuid> a krb:Werkingsgebied ;
    rdfs:label "Oude Haven"@nl ; dct:identifier "haven-zuid" .
<{BASE}/id/werkingsgebied/parkstraat> rdfs:label "Parkstrjitte"@fy , "Parkstrasse"@de .
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_registry(
        tmp_path_factory.mktemp("api"), {f"{BASE}/graph/dubbelzinnig": AMBIGUOUS}
    )
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def client(registry: Registry) -> Iterator[TestClient]:
    with TestClient(registry.app) as test_client:
        yield test_client


def codes(norms: list[dict]) -> set[str]:
    return {norm["code"] for norm in norms}


@pytest.mark.parametrize(
    "objecttype",
    ["5e38db74-2c1b-4caa-bd62-c7008cb022c6", ASFALT, "Asfaltverharding", "asfaltverharding"],
)
def test_norms_for_an_object_type_by_uuid_iri_or_name(client: TestClient, objecttype: str) -> None:
    response = client.get(f"/api/imbor/{objecttype}/normen")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["objecttype"] == {"iri": ASFALT, "label": "Asfaltverharding"}
    norms = {norm["code"]: norm for norm in body["normen"]}
    norm = norms["GEL-N01"]
    assert norm["via"] == "objecttype" and norm["via_superklasse"] is False
    assert norm["indicator"]["label"] == "Geluidsdruk gevel (Lden)"
    assert norm["thema"]["label"] == "Geluid"
    assert norm["operator"]["iri"] == "https://data.krb.nl/id/begrip/normoperator/maximaal"
    assert norm["waarde"] == 48
    assert norm["eenheid"]["symbool"] == "dB(A)"
    assert norm["eenheid"]["label"] == "decibel (A-gewogen)"  # its name, as every Ref has
    assert norm["gebied"]["iri"] == f"{BASE}/id/werkingsgebied/GM9999"
    assert [area["label"] for area in norm["gebieden"]] == ["Demogemeente"]
    assert norm["document"]["label"] == "Geluid 2030"
    assert norm["bestuurslaag"]["label"] == "Gemeente"
    # Norms for 'alle' object types reach Asfaltverharding too, marked as inherited.
    inherited = [n for n in body["normen"] if n["via_superklasse"]]
    assert inherited and all(n["ingedeeld_op"]["iri"] != ASFALT for n in inherited)
    assert {n["code"]: n["via"] for n in inherited} == {"BKL-N02": "alle", "OV-DEMO-N01": "alle"}


def test_each_norm_once_with_the_measures_aimed_at_it(client: TestClient) -> None:
    """Measures are a list per norm: a norm with two measures is still one norm, and a
    measure with effects on two norms is listed under each."""
    in_2027 = client.get("/api/imbor/Woningen/normen", params={"datum": "2027-06-01"}).json()
    assert [n["code"] for n in in_2027["normen"]].count("ENE-N01") == 1
    label = next(n for n in in_2027["normen"] if n["code"] == "ENE-N01")
    assert sorted(m["maatregel"]["label"] for m in label["maatregelen"]) == [
        "Energiecoaches voor eigenaar-bewoners",
        "Isolatieaanpak Parkrand",
    ]
    mid_2025 = client.get(f"/api/imbor/{ASFALT}/normen", params={"datum": "2025-06-01"}).json()
    found = [n["code"] for n in mid_2025["normen"]]
    assert len(found) == len(set(found))
    aimed = {
        (n["code"], m["maatregel"]["label"], m["effect_waarde"], m["eenheid_symbool"])
        for n in mid_2025["normen"]
        for m in n["maatregelen"]
    }
    # Stil asfalt on the municipal facade norm and on the provincial fine-dust norm (set
    # for every object type); Comfort boxes on the Wet geluidshinder's facade norm.
    assert aimed == {
        ("GEL-N01", "Stil asfalt", -3, "dB(A)"),
        ("OV-DEMO-N01", "Stil asfalt", -0.2, "μg/m³"),
        ("WGH-N01", "Comfort boxes", -2, "dB(A)"),
    }
    # Stil asfalt ended 2025-12-31; Comfort boxes still aims at its norm.
    later = client.get(f"/api/imbor/{ASFALT}/normen", params={"datum": "2026-11-28"}).json()
    assert {
        (n["code"], m["maatregel"]["label"]) for n in later["normen"] for m in n["maatregelen"]
    } == {("WGH-N01", "Comfort boxes")}


TWO_CLASSES = f"""
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix nen3610: <http://modellen.geostandaarden.nl/def/nen3610-2022#> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{BASE}/id/beleidsnorm/REP-N01> a krb:Beleidsnorm ;
    rdfs:label "Wegdekgeluid maximaal 50 dB(A)"@nl ; dct:identifier "REP-N01" ;
    krb:indicator <{BASE}/id/beleidsindicator/GEL-I01> ;
    krb:document <{BASE}/id/besluitdocument/GEL-2030> ;
    krb:operator <https://data.krb.nl/id/begrip/normoperator/maximaal> ;
    qudt:numericValue 50.0 ; qudt:hasUnit unit:DeciB_A ; krb:rekenmethode "Lden" ;
    krb:leefomgeving nen3610:Verharding , <{ASFALT}> ;
    krb:werkingsgebied <{BASE}/id/werkingsgebied/GM9999> .
<{BASE}/id/beleidsmaatregel/REP-M01> a krb:Beleidsmaatregel ;
    rdfs:label "Wegdek vervangen"@nl ; dct:identifier "REP-M01" ;
    krb:beleidsthema <{BASE}/id/beleidsthema/geluid> ;
    krb:document <{BASE}/id/besluitdocument/GEL-2030> ;
    krb:werkingsgebied <{BASE}/id/werkingsgebied/GM9999> .
<{BASE}/id/beoogd-effect/REP-E01> a krb:BeoogdEffect ;
    rdfs:label "Wegdek vervangen op wegdekgeluid"@nl ; dct:identifier "REP-E01" ;
    krb:maatregel <{BASE}/id/beleidsmaatregel/REP-M01> ;
    krb:norm <{BASE}/id/beleidsnorm/REP-N01> ;
    qudt:numericValue -2.0 ; qudt:hasUnit unit:DeciB_A .
"""


def test_a_norm_on_two_classes_of_the_chain_comes_once_with_its_measure_once(
    registry: Registry, client: TestClient
) -> None:
    """A norm classified on Verharding and on its subclass Asfaltverharding came twice,
    each copy with its one measure twice, and that measure's one effect twice, once
    said to come through a superclass and once not."""
    graph = f"{BASE}/graph/twee-klassen"
    registry.store.add_to_graph(graph, Graph().parse(data=TWO_CLASSES))
    refresh(registry.store)
    try:
        params = {"datum": "2025-06-01"}
        norms = client.get(f"/api/imbor/{ASFALT}/normen", params=params).json()["normen"]
        found = [n for n in norms if n["code"] == "REP-N01"]
        assert [(n["via"], [m["maatregel"]["label"] for m in n["maatregelen"]]) for n in found] == [
            ("objecttype", ["Wegdek vervangen"])
        ]
        measures = client.get(f"/api/imbor/{ASFALT}/maatregelen", params=params).json()
        (measure,) = [
            m for m in measures["maatregelen"] if m["maatregel"]["label"] == "Wegdek vervangen"
        ]
        assert [
            (e["norm"]["iri"].rsplit("/", 1)[1], e["via_superklasse"]) for e in measure["effecten"]
        ] == [("REP-N01", False)]
    finally:
        registry.store.drop_graph(graph)
        refresh(registry.store)


def test_norms_set_on_a_superclass_are_marked(client: TestClient) -> None:
    """A norm classified on Gebouw reaches the local type Woningen as 'via superklasse'."""
    # The energy-label norm on Woningen applies from 2027 (Transitievisie Warmte 2026).
    body = client.get("/api/imbor/Woningen/normen", params={"datum": "2027-06-01"}).json()
    assert body["datum"] == "2027-06-01"
    by_code = {norm["code"]: norm for norm in body["normen"]}
    assert by_code["ENE-N01"]["via"] == "objecttype"
    assert by_code["ENE-N01"]["via_superklasse"] is False
    assert by_code["ENE-N01"]["ingedeeld_op"]["label"] == "Woningen"
    # Both measures with an effect on the energy label, listed with the norm.
    assert {m["maatregel"]["label"] for m in by_code["ENE-N01"]["maatregelen"]} == {
        "Isolatieaanpak Parkrand",
        "Energiecoaches voor eigenaar-bewoners",
    }
    gebouw_norms = {
        code
        for code, norm in by_code.items()
        if norm["via"] == "superklasse" and norm["ingedeeld_op"]["label"] == "Gebouw"
    }
    # Woningen is a subclass of Gebouw, which has the building-height norms.
    assert gebouw_norms == {"BOU-N01", "BOU-N02", "BOU-N03"}
    assert all(norm["via_superklasse"] for code, norm in by_code.items() if code != "ENE-N01")
    before = client.get("/api/imbor/Woningen/normen", params={"datum": "2026-11-28"}).json()
    assert "ENE-N01" not in codes(before["normen"])
    assert gebouw_norms <= codes(before["normen"])


def test_area_and_date_filters(client: TestClient) -> None:
    everywhere = codes(client.get(f"/api/imbor/{ASFALT}/normen").json()["normen"])
    # GEL-N01 runs 2024-01-01 .. 2030-12-31.
    before = client.get(f"/api/imbor/{ASFALT}/normen", params={"datum": "2023-06-01"}).json()
    assert "GEL-N01" in everywhere and "GEL-N01" not in codes(before["normen"])
    street = client.get(f"/api/imbor/{ASFALT}/normen", params={"gebied": "parkstraat"}).json()
    assert street["gebied"]["iri"] == f"{BASE}/id/werkingsgebied/parkstraat"
    assert "GEL-N01" in codes(street["normen"])  # set for the whole municipality


def test_measures_for_an_object_type(client: TestClient) -> None:
    # Stil asfalt ran 2021-04-01 .. 2025-12-31: on Asfaltverharding itself
    # (krb:objecttype), with an effect on GEL-N01, a norm on Asfaltverharding, and one
    # on the provincial fine-dust norm, set for every object type (via superklasse).
    body = client.get(f"/api/imbor/{ASFALT}/maatregelen", params={"datum": "2025-06-01"}).json()
    measures = {m["maatregel"]["label"]: m for m in body["maatregelen"]}
    assert set(measures) == {"Stil asfalt", "Comfort boxes"}
    asphalt = measures["Stil asfalt"]
    assert [t["label"] for t in asphalt["ingrijpend_op"]] == ["Asfaltverharding"]
    effects = {
        (e["norm"]["iri"], e["via_superklasse"], e["effect_waarde"], e["eenheid_symbool"])
        for e in asphalt["effecten"]
    }
    assert effects == {
        (f"{BASE}/id/beleidsnorm/GEL-N01", False, -3, "dB(A)"),
        ("https://data.krb.nl/kader/id/beleidsnorm/OV-DEMO-N01", True, -0.2, "μg/m³"),
    }
    assert measures["Comfort boxes"]["ingrijpend_op"] == []  # only through its effect
    [boxes] = measures["Comfort boxes"]["effecten"]
    assert boxes["norm"]["iri"] == "https://data.krb.nl/kader/id/beleidsnorm/WGH-N01"
    # On a later date the asphalt measure is over; Comfort boxes still aims at WGH-N01.
    later = client.get(f"/api/imbor/{ASFALT}/maatregelen", params={"datum": "2026-11-28"}).json()
    assert [m["maatregel"]["label"] for m in later["maatregelen"]] == ["Comfort boxes"]


def test_ambiguous_object_type_name_gives_409_with_candidates(client: TestClient) -> None:
    response = client.get("/api/imbor/Boom/normen")
    assert response.status_code == 409
    candidates = {c["iri"] for c in response.json()["detail"]["candidates"]}
    assert candidates == {BOOM, f"{BASE}/id/leefomgeving/boom"}


@pytest.mark.parametrize(
    ("url", "looked_for"),
    [
        ("/api/imbor/Bestaatniet/normen", "Bestaatniet"),
        ("/api/imbor/00000000-0000-0000-0000-000000000000/normen", "00000000-0000"),
        ("/api/imbor/Bestaatniet/maatregelen", "Bestaatniet"),
        ("/api/gebieden/GM0000/beleid", "GM0000"),
        ("/api/maatregelen/XYZ-M99/dwarsverbanden", "XYZ-M99"),
    ],
)
def test_unknown_things_give_404_naming_what_was_looked_for(
    client: TestClient, url: str, looked_for: str
) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert looked_for in response.json()["detail"]


def test_codes_and_names_in_another_case_find_the_same_thing(client: TestClient) -> None:
    exact = client.get("/api/gebieden/GM9999/beleid", params={"datum": "2025-06-01"})
    lower = client.get("/api/gebieden/gm9999/beleid", params={"datum": "2025-06-01"})
    assert exact.status_code == lower.status_code == 200
    assert lower.json() == exact.json()
    measure = client.get("/api/maatregelen/gel-m01/dwarsverbanden")
    assert measure.status_code == 200
    assert measure.json() == client.get("/api/maatregelen/GEL-M01/dwarsverbanden").json()


@pytest.mark.parametrize(
    ("name", "language"), [("Parkstrjitte", "fy"), ("parkstrasse", "de"), ("PARKSTRASSE", "de")]
)
def test_a_name_in_the_readers_language_finds_the_area(
    client: TestClient, name: str, language: str
) -> None:
    """A Frisian municipality names its areas in Frisian: the reader's language
    (``?lang=`` or ``Accept-Language``) is where such a name is looked up, also in
    another case, in the API's own lookups and in a named query's parameters."""
    day = {"datum": "2025-06-01"}
    dutch = client.get("/api/gebieden/Parkstraat/beleid", params=day)
    assert dutch.status_code == 200
    found = client.get(f"/api/gebieden/{name}/beleid", params=day | {"lang": language})
    assert found.status_code == 200, found.text
    assert found.json()["gebied"]["iri"] == dutch.json()["gebied"]["iri"]
    assert codes(found.json()["beleid"]) == codes(dutch.json()["beleid"])
    asked = client.get(
        f"/api/gebieden/{name}/beleid", params=day, headers={"Accept-Language": language}
    )
    assert asked.status_code == 200, asked.text
    named = client.get(
        "/api/queries/beleid-in-gebied",
        params=day | {"gebied": name, "lang": language, "format": "csv", "names": "false"},
    )
    assert named.status_code == 200, named.text
    assert "GEL-M01" in named.text
    # Unasked, a name in a language the reader did not give stays unknown.
    assert client.get(f"/api/gebieden/{name}/beleid", params=day).status_code == 404


def test_unknown_area_filter_gives_404(client: TestClient) -> None:
    response = client.get(f"/api/imbor/{ASFALT}/normen", params={"gebied": "nergens"})
    assert response.status_code == 404
    assert "nergens" in response.json()["detail"]


def test_ambiguous_area_name_gives_409(client: TestClient) -> None:
    response = client.get("/api/gebieden/Oude Haven/beleid")
    assert response.status_code == 409
    candidates = {c["iri"] for c in response.json()["detail"]["candidates"]}
    assert candidates == {
        f"{BASE}/id/werkingsgebied/haven-noord",
        f"{BASE}/id/werkingsgebied/haven-zuid",
    }


def test_policy_in_an_area_includes_containing_areas(client: TestClient) -> None:
    body = client.get("/api/gebieden/parkstraat/beleid", params={"datum": "2025-06-01"}).json()
    assert body["datum"] == "2025-06-01" and body["richting"] == "hier"
    items = {item["code"]: item for item in body["beleid"]}
    # Stil asfalt is set for the Parkstraat itself, in force until 2025-12-31.
    assert items["GEL-M01"]["geerfd"] is False and items["GEL-M01"]["relatie"] == "zelf"
    assert items["GEL-M01"]["geldigheid"] == "geldig"
    assert items["GEL-M01"]["geldig_tot"] == "2025-12-31"
    assert items["GEL-N01"]["geerfd"] is True and items["GEL-N01"]["relatie"] == "omvat"
    assert items["GEL-N01"]["vastgesteld_voor"]["label"] == "Demogemeente"
    # On 2026-11-28 the measure is over: left out, or marked with alles=true.
    later = client.get("/api/gebieden/parkstraat/beleid", params={"datum": "2026-11-28"}).json()
    assert "GEL-M01" not in {item["code"] for item in later["beleid"]}
    marked = client.get(
        "/api/gebieden/parkstraat/beleid", params={"datum": "2026-11-28", "alles": "true"}
    ).json()
    statuses = {item["code"]: item["geldigheid"] for item in marked["beleid"]}
    assert statuses["GEL-M01"] == "verlopen" and statuses["GEL-N01"] == "geldig"
    assert statuses["ENE-N01"] == "toekomstig"
    by_iri = client.get(f"/api/gebieden/{BASE}/id/werkingsgebied/GM9999/beleid")
    assert by_iri.status_code == 200
    assert by_iri.json()["gebied"]["label"] == "Demogemeente"
    by_cbs = client.get("/api/gebieden/GM9999/beleid").json()
    assert by_cbs == by_iri.json()
    assert "GEL-M01" not in {item["code"] for item in by_cbs["beleid"]}  # set for a street only
    # Asked with richting=binnen, the streets inside the municipality count too.
    inside = client.get(
        "/api/gebieden/GM9999/beleid", params={"datum": "2025-06-01", "richting": "binnen"}
    ).json()
    streets = {item["code"]: item for item in inside["beleid"]}
    assert streets["GEL-M01"]["relatie"] == "binnen" and streets["GEL-M01"]["geerfd"] is False


def test_crosslinks_of_comfort_boxes(client: TestClient) -> None:
    response = client.get("/api/maatregelen/BOU-M02/dwarsverbanden")
    assert response.status_code == 200
    body = response.json()
    assert body["maatregel"]["label"] == "Comfort boxes"
    assert body["eigen_thema"]["label"] == "Bouwen"
    reached = {t["label"]: t["dwarsverband"] for t in body["bereikte_themas"]}
    assert reached == {"Bouwen": False, "Geluid": True, "Gezondheid": True}
    assert all(e["eenheid"]["symbool"] and e["eenheid"]["label"] for e in body["effecten"])


def test_a_measure_without_effects_still_names_its_own_theme(client: TestClient) -> None:
    # Stil asfalt ended 2025-12-31: on a later day it has no link in force.
    body = client.get(
        "/api/maatregelen/GEL-M01/dwarsverbanden", params={"datum": "2026-11-28"}
    ).json()
    assert body["effecten"] == [] and body["bereikte_themas"] == []
    assert body["eigen_thema"]["label"] == "Geluid"


def test_an_uitvoering_of_a_rule_is_a_link_of_its_measure(client: TestClient) -> None:
    # Zichtlijnen vrijhouden carries out the Bouwen rule "Bewaren zichtlijnen", which
    # hooks onto no indicator: one link, within the measure's own theme.
    body = client.get(
        "/api/maatregelen/BOU-M01/dwarsverbanden", params={"datum": "2026-11-28"}
    ).json()
    assert body["eigen_thema"]["label"] == "Bouwen"
    [link] = body["effecten"]
    assert link["soort"] == "uitvoering van regel"
    assert link["effect"]["label"] == "Zichtlijn bewaard"
    assert link["regel"]["label"] == "Bewaren zichtlijnen"
    assert link["norm"] is None and link["indicator"] is None and link["aspect"] is None
    assert link["thema"]["label"] == "Bouwen" and link["dwarsverband"] is False
    assert body["bereikte_themas"] == [
        {"iri": f"{BASE}/id/beleidsthema/bouwen", "label": "Bouwen", "dwarsverband": False}
    ]


def test_theme_network(client: TestClient) -> None:
    body = client.get("/api/dwarsverbanden").json()
    nodes = {node["label"]: node for node in body["knopen"]}
    assert nodes["Geluid"]["indicatoren"] >= 1
    edges = {(e["bron"]["label"], e["doel"]["label"]): e for e in body["verbindingen"]}
    assert edges[("Bouwen", "Geluid")]["maatregelen"] == 1
    assert edges[("Bouwen", "Gezondheid")]["effecten"] >= 1
    assert all(bron != doel for bron, doel in edges)
    # 'effecten' counts every link; the kinds are counted apart.
    on_a_date = client.get("/api/dwarsverbanden", params={"datum": "2027-06-01"}).json()
    counts = {
        (e["bron"]["label"], e["doel"]["label"]): (
            e["effecten"],
            e["effecten_op_norm"],
            e["effecten_op_indicator"],
            e["uitvoeringen"],
        )
        for e in on_a_date["verbindingen"]
    }
    assert counts == {
        ("Bouwen", "Geluid"): (1, 1, 0, 0),
        ("Bouwen", "Gezondheid"): (1, 1, 0, 0),
        ("Bouwen", "Groen"): (1, 1, 0, 0),
        ("Energietransitie", "Bouwen"): (1, 0, 1, 0),
        ("Groen", "Gezondheid"): (1, 0, 0, 1),
    }


def test_query_catalogue_and_running_a_named_query(client: TestClient) -> None:
    listing = client.get("/api/queries").json()
    names = {q["name"]: q for q in listing}
    assert "dwarsverbanden-maatregel" in names
    assert names["geldig-op"]["parameters"][0]["name"] == "datum"
    response = client.get("/api/queries/dwarsverbanden-maatregel", params={"maatregel": "BOU-M02"})
    assert response.status_code == 200
    body = response.json()
    assert {row["thema_label"] for row in body["rows"]} == {"Bouwen", "Geluid", "Gezondheid"}
    assert all(isinstance(row["dwarsverband"], bool) for row in body["rows"])
    csv = client.get("/api/queries/geldig-op", params={"datum": "2026-06-01", "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("soort,object")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"datum": "gisteren"}, "not a date"),
        ({"onbekend": "1"}, "no parameter 'onbekend'"),
    ],
)
def test_bad_query_parameters_give_400_with_the_catalogue_message(
    client: TestClient, params: dict[str, str], fragment: str
) -> None:
    response = client.get("/api/queries/geldig-op", params=params)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_missing_required_parameter_and_unknown_query(client: TestClient) -> None:
    missing = client.get("/api/queries/dwarsverbanden-maatregel")
    assert missing.status_code == 400 and "maatregel" in missing.json()["detail"]
    unknown = client.get("/api/queries/bestaat-niet")
    assert unknown.status_code == 404 and "bestaat-niet" in unknown.json()["detail"]


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/imbor/{objecttype}/normen",
        "/api/imbor/{objecttype}/maatregelen",
        "/api/gebieden/{code}/beleid",
        "/api/maatregelen/{id}/dwarsverbanden",
        "/api/dwarsverbanden",
        "/api/queries",
        "/api/queries/{name}",
    ):
        assert path in paths
    responses = paths["/api/imbor/{objecttype}/normen"]["get"]["responses"]
    assert {"200", "404", "409"} <= set(responses)
    assert "Norm" in schema["components"]["schemas"]
    # Every route that resolves a name may answer 409 with candidates, and says so.
    for path in ("/api/queries/{name}", "/api/normtoets", "/api/normgat", "/api/effectevaluatie"):
        assert "409" in paths[path]["get"]["responses"], path


def test_csv_export_holds_the_json_answer_and_errors_keep_their_status(
    client: TestClient,
) -> None:
    """The CSV of a named query (written while its rows stream from the engine) has
    a header and one line per row of the JSON answer, the same values in the same
    order; a bad parameter or name is still 400 or 404, not a broken file."""
    answer = client.get("/api/queries/beleidsketen").json()
    response = client.get("/api/queries/beleidsketen", params={"format": "csv"})
    assert response.status_code == 200
    assert 'filename="beleidsketen.csv"' in response.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(response.text)))
    variables = answer["variables"]
    assert lines[0] == variables
    assert len(lines) - 1 == len(answer["rows"]) > 0
    for line, row in zip(lines[1:], answer["rows"], strict=True):
        for variable, cell in zip(variables, line, strict=True):
            if variable not in row:
                assert cell == ""
            elif isinstance(row[variable], str):
                assert cell == row[variable]
            else:
                assert cell != ""
    bad = client.get("/api/queries/geldig-op", params={"datum": "gisteren", "format": "csv"})
    assert bad.status_code == 400 and "not a date" in bad.text
    assert client.get("/api/queries/geen-query", params={"format": "csv"}).status_code == 404


def test_csv_export_without_names_holds_the_fact_columns_of_the_answer(
    client: TestClient,
) -> None:
    """``names=false``: the engine's own CSV, the answer's rows without the name
    columns (as a multiset: the query's own order); only as CSV; parameters and errors
    as for the named export."""
    answer = client.get("/api/queries/geldig-op", params={"datum": "2026-06-01"}).json()
    params = {"datum": "2026-06-01", "format": "csv", "names": "false"}
    response = client.get("/api/queries/geldig-op", params=params)
    assert response.status_code == 200, response.text
    lines = list(csv.reader(io.StringIO(response.text)))
    facts = [v for v in answer["variables"] if not v.endswith("_label")]
    assert lines[0] == facts
    # The columns whose JSON values are text (IRIs, codes, dates) compare as they are.
    textual = [
        i for i, v in enumerate(facts) if all(isinstance(r.get(v, ""), str) for r in answer["rows"])
    ]
    assert len(textual) > 3
    expected = sorted([row.get(facts[i], "") for i in textual] for row in answer["rows"])
    found = sorted([line[i] for i in textual] for line in lines[1:])
    assert found == expected and len(found) > 0
    refused = client.get("/api/queries/geldig-op", params={"datum": "2026-06-01", "names": "false"})
    assert refused.status_code == 400 and "format=csv" in refused.text
    bad = client.get("/api/queries/geldig-op", params={**params, "datum": "gisteren"})
    assert bad.status_code == 400 and "not a date" in bad.text


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("beleidsketen", {}),
        ("geldig-op", {"datum": "2026-06-01"}),
        ("dwarsverbanden-themas", {}),  # sorted by name after the query (# order:)
        ("normen-per-zoekingang", {"zoekingang": "Wegen"}),
    ],
)
def test_json_answer_streamed_from_the_engine_is_the_collected_answer(
    client: TestClient, registry: Registry, name: str, params: dict[str, str]
) -> None:
    """The API's JSON is written row by row as the rows stream from the engine; it
    must be exactly the answer run_named_query collects, in its order, with numbers,
    booleans and names as JSON values and unbound variables left out."""
    from krbgraph.queries import load_catalogue, run_named_query
    from krbgraph.web.api_models import json_value

    response = client.get(f"/api/queries/{name}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    result = run_named_query(registry.store, load_catalogue(), name, params)
    expected = {
        "name": name,
        "variables": list(result.variables),
        "rows": [
            {
                v: json_value(term)
                for v, term in zip(result.variables, row, strict=True)
                if term is not None
            }
            for row in result.rows
        ],
    }
    assert response.json() == expected
    assert expected["rows"], f"{name} has rows in the test registry"


def test_yes_no_parameters_take_the_words_the_named_queries_take(client: TestClient) -> None:
    """subklassen=ja answered 422 on the endpoint and 200 on the named query it asks."""
    with_sub = client.get("/api/imbor/Gebouw/normen", params={"subklassen": "true"}).json()
    assert client.get("/api/imbor/Gebouw/normen", params={"subklassen": "ja"}).json() == with_sub
    without = client.get("/api/imbor/Gebouw/normen", params={"subklassen": "nee"}).json()
    assert without == client.get("/api/imbor/Gebouw/normen").json() != with_sub
    wrong = client.get("/api/imbor/Gebouw/normen", params={"richting": "boven"})
    assert wrong.status_code == 422
    assert [problem["loc"] for problem in wrong.json()["detail"]] == [["query", "richting"]]


@pytest.mark.parametrize(
    "form", [{}, {"format": "csv"}, {"format": "csv", "names": "false"}], ids=str
)
def test_a_query_that_answers_with_triples_is_refused_in_every_row_form(
    client: TestClient, form: dict[str, str]
) -> None:
    """web-resource-beschrijving is a CONSTRUCT (the linked-data pages' description):
    asked for rows it was a 500; no form of /api/queries/NAME holds triples."""
    answer = client.get(
        "/api/queries/web-resource-beschrijving",
        params={"resource": f"{BASE}/id/beleidsnorm/GEL-N01", **form},
    )
    assert answer.status_code == 404, answer.text
    assert "RDF triples, not rows" in answer.json()["detail"]
    assert "SPARQL endpoint" in answer.json()["detail"]
