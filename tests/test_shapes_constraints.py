# ruff: noqa: E501  (the table of SPARQL updates reads better unwrapped)
"""Each KRB shape, one constraint at a time: the minimal registry conforms, and
breaking one thing yields exactly the expected finding (object, property,
severity) with a message in Dutch and English that names the object by label.

Breakages are SPARQL updates on tests/data/shapes/minimal.ttl, so every case
reads as "what was changed" next to "what must be reported". The lifecycle
terms and the cross-links beyond effect -> norm have their own cases in
tests/test_shapes_lifecycle.py, built the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

from krbgraph.rdfio import read_rdf
from krbgraph.validation import ValidationResult, validate_graph

DATA = Path(__file__).parent / "data" / "shapes"
ID = "https://krb.example.org/id/"
KRB = "https://data.krb.nl/def/krb#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
QUDT = "http://qudt.org/schema/qudt/"

PROLOGUE = """
BASE <https://krb.example.org/id/>
PREFIX krb: <https://data.krb.nl/def/krb#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX qudt: <http://qudt.org/schema/qudt/>
PREFIX unit: <http://qudt.org/vocab/unit/>
PREFIX imbor: <https://data.crow.nl/imbor/def/>
PREFIX doc: <https://data.krb.nl/id/begrip/documentsoort/>
PREFIX bs: <https://data.krb.nl/id/begrip/besluitsoort/>
PREFIX bl: <https://data.krb.nl/id/begrip/bestuurslaag/>
PREFIX ind: <https://data.krb.nl/id/begrip/indicatorsoort/>
PREFIX gs: <https://data.krb.nl/id/begrip/gebiedssoort/>
PREFIX op: <https://data.krb.nl/id/begrip/normoperator/>
PREFIX sec: <https://data.krb.nl/id/begrip/sector/>
PREFIX mat: <https://data.krb.nl/id/begrip/materiaal/>
PREFIX el: <https://data.krb.nl/id/begrip/energielabel/>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX st: <https://data.krb.nl/id/begrip/status/>
PREFIX us: <https://data.krb.nl/id/begrip/uitvoeringsstatus/>
"""

V, W = "Violation", "Warning"


@pytest.fixture(scope="module")
def minimal() -> Graph:
    graph = read_rdf(DATA / "minimal.ttl")
    assert isinstance(graph, Graph)
    return graph


def changed(base: Graph, update: str) -> Graph:
    """A copy of ``base`` with the update applied (operations separated by "} ;")."""
    graph = Graph()
    graph += base
    for operation in re.split(r"(?<=\})\s*;\s*(?=INSERT|DELETE)", update.strip()):
        graph.update(PROLOGUE + operation)
    return graph


def test_minimal_registry_conforms_without_findings(minimal: Graph) -> None:
    result = validate_graph(minimal)
    assert result.conforms
    assert result.findings == ()


CONFORMING = {
    "an English name beside the Dutch one": 'INSERT DATA { <beleidsdossier/GEL> rdfs:label "Noise"@en }',
    "rekenmethode as a plain string": """
        DELETE { ?n krb:rekenmethode ?m } INSERT { ?n krb:rekenmethode "Lden" }
        WHERE { BIND(<beleidsnorm/GEL-N01> AS ?n) ?n krb:rekenmethode ?m }""",
    "a rule without bestuurslaag": "DELETE WHERE { <beleidsregel/BOU-R01> krb:bestuurslaag ?x }",
    "an indicator without aspect, unit or department": """
        DELETE WHERE { <beleidsindicator/GEL-I01> krb:beleidsaspect ?a ; qudt:hasUnit ?u ;
                       krb:afdeling ?d }""",
    "a norm on an abstract IMBOR class (Gebouw)": """
        INSERT DATA { <beleidsnorm/GEL-N01> krb:leefomgeving
                      <http://modellen.geostandaarden.nl/def/nen3610-2022#Gebouw> }""",
    "an area without CBS code or geometry": """
        DELETE WHERE { <werkingsgebied/GM9999> skos:notation ?c }""",
    "a period that starts and ends on the same day": """
        DELETE { ?p dcat:endDate ?e } INSERT { ?p dcat:endDate "2024-01-01"^^xsd:date }
        WHERE { <beleidsnorm/GEL-N01> dct:temporal ?p . ?p dcat:endDate ?e }""",
}


@pytest.mark.parametrize("update", CONFORMING.values(), ids=CONFORMING.keys())
def test_variants_the_data_model_allows_conform(minimal: Graph, update: str) -> None:
    result = validate_graph(changed(minimal, update))
    assert result.findings == ()


# (id, update, [(focus relative to ID, path or None, severity)], label of the focus)
CASES: list[tuple[str, str, list[tuple[str, str | None, str]], str]] = [
    # --- algemeen.ttl: name, code, description, validity period ---
    (
        "naam-zonder-nl",
        """DELETE DATA { <beleidsdossier/GEL> rdfs:label "Geluid"@nl }
        ; INSERT DATA { <beleidsdossier/GEL> rdfs:label "Geluid"@en }""",
        [("beleidsdossier/GEL", RDFS + "label", V)],
        "Geluid",
    ),
    (
        "naam-zonder-taal",
        """DELETE DATA { <afdeling/milieu> rdfs:label "Afdeling Milieu"@nl }
        ; INSERT DATA { <afdeling/milieu> rdfs:label "Afdeling Milieu"@nl, "Milieu" }""",
        [("afdeling/milieu", RDFS + "label", V)],
        "Afdeling Milieu",
    ),
    (
        # Each later name once (the third was reported once per earlier name).
        "drie-nederlandse-namen",
        """INSERT DATA { <afdeling/milieu> rdfs:label "Milieuzaken"@nl, "Zzz"@nl }""",
        [("afdeling/milieu", RDFS + "label", V), ("afdeling/milieu", RDFS + "label", V)],
        None,
    ),
    (
        "code-ontbreekt",
        'DELETE DATA { <afdeling/milieu> dct:identifier "milieu" }',
        [("afdeling/milieu", DCT + "identifier", V)],
        "Afdeling Milieu",
    ),
    (
        "code-geen-tekst",
        """DELETE DATA { <werkingsgebied/parkstraat> dct:identifier "parkstraat" }
        ; INSERT DATA { <werkingsgebied/parkstraat> dct:identifier 12 }""",
        [("werkingsgebied/parkstraat", DCT + "identifier", V)],
        "Parkstraat",
    ),
    (
        "omschrijving-twee-keer-nl",
        'INSERT DATA { <beleidsdossier/GEL> dct:description "Nog een."@nl }',
        [("beleidsdossier/GEL", DCT + "description", V)],
        "Geluid",
    ),
    (
        "periode-zonder-begin",
        """DELETE { ?p dcat:startDate ?s }
        WHERE { <beleidsnorm/ENE-N01> dct:temporal ?p . ?p dcat:startDate ?s }""",
        [("beleidsnorm/ENE-N01", DCT + "temporal", V)],
        "Energielabel woningen minimaal B",
    ),
    (
        "periode-begin-geen-datum",
        """
        DELETE { ?p dcat:startDate ?s } INSERT { ?p dcat:startDate "1 januari 2027" }
        WHERE { <beleidsnorm/ENE-N01> dct:temporal ?p . ?p dcat:startDate ?s }""",
        [("beleidsnorm/ENE-N01", DCT + "temporal", V)],
        "Energielabel woningen minimaal B",
    ),
    (
        # One finding, the date's: an ill-formed date cannot be compared, and the
        # period's order is not reported as well ("starts after its end").
        "periode-begin-ongeldige-datum",
        """
        DELETE { ?p dcat:startDate ?s } INSERT { ?p dcat:startDate "2024-13-45"^^xsd:date }
        WHERE { <beleidsnorm/GEL-N01> dct:temporal ?p . ?p dcat:startDate ?s }""",
        [("beleidsnorm/GEL-N01", DCT + "temporal", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "periode-begin-datum-met-tijd",
        """
        DELETE { ?p dcat:startDate ?s }
        INSERT { ?p dcat:startDate "2024-01-01T00:00:00"^^xsd:dateTime }
        WHERE { <beleidsnorm/GEL-N01> dct:temporal ?p . ?p dcat:startDate ?s }""",
        [("beleidsnorm/GEL-N01", DCT + "temporal", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "periode-begin-na-einde",
        """
        DELETE { ?p dcat:endDate ?e } INSERT { ?p dcat:endDate "2020-12-31"^^xsd:date }
        WHERE { <beleidsnorm/GEL-N01> dct:temporal ?p . ?p dcat:endDate ?e }""",
        [("beleidsnorm/GEL-N01", DCT + "temporal", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "regel-periode-begin-na-einde",
        """
        INSERT DATA { <beleidsregel/BOU-R01> dct:temporal [ a dct:PeriodOfTime ;
            dcat:startDate "2030-01-01"^^xsd:date ; dcat:endDate "2029-01-01"^^xsd:date ] }""",
        [("beleidsregel/BOU-R01", DCT + "temporal", V)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    # --- dossiers.ttl ---
    (
        "dossier-iri",
        """INSERT DATA { <dossier/X> a krb:Beleidsdossier ;
        rdfs:label "Los dossier"@nl ; dct:identifier "X" }""",
        [("dossier/X", None, V)],
        "Los dossier",
    ),
    (
        "dossier-twee-themas",
        "INSERT DATA { <beleidsdossier/GEL> krb:beleidsthema <beleidsthema/bouwen> }",
        [("beleidsdossier/GEL", KRB + "beleidsthema", V)],
        "Geluid",
    ),
    (
        "dossier-gebied-geen-gebied",
        "INSERT DATA { <beleidsdossier/GEL> krb:werkingsgebied <beleidsthema/geluid> }",
        [("beleidsdossier/GEL", KRB + "werkingsgebied", V)],
        "Geluid",
    ),
    (
        "document-soort-uit-verkeerde-lijst",
        """
        DELETE WHERE { <besluitdocument/GEL-2030> krb:documentsoort ?s }
        ; INSERT DATA { <besluitdocument/GEL-2030> krb:documentsoort bs:raadsbesluit }""",
        [("besluitdocument/GEL-2030", KRB + "documentsoort", V)],
        "Geluid 2030",
    ),
    (
        "document-zonder-dossier",
        "DELETE WHERE { <besluitdocument/GEL-2030> dct:isPartOf ?d }",
        [("besluitdocument/GEL-2030", DCT + "isPartOf", V)],
        "Geluid 2030",
    ),
    (
        "document-datum-geen-date",
        """
        DELETE WHERE { <besluitdocument/GEL-2030> eli:date_document ?d }
        ; INSERT DATA { <besluitdocument/GEL-2030> eli:date_document "16-11-2023" }""",
        [("besluitdocument/GEL-2030", "http://data.europa.eu/eli/ontology#date_document", V)],
        "Geluid 2030",
    ),
    (
        "document-laatste-dag-voor-inwerkingtreding",
        """INSERT DATA { <besluitdocument/GEL-2030>
             eli:first_date_entry_in_force "2024-01-01"^^xsd:date ;
             eli:date_no_longer_in_force "2023-12-31"^^xsd:date }""",
        [
            (
                "besluitdocument/GEL-2030",
                "http://data.europa.eu/eli/ontology#first_date_entry_in_force",
                V,
            )
        ],
        "Geluid 2030",
    ),
    (
        # Only its type: a gYear cannot be compared, which is no "last day before entry".
        "document-laatste-dag-een-jaar",
        """INSERT DATA { <besluitdocument/GEL-2030>
             eli:first_date_entry_in_force "2024-01-01"^^xsd:date ;
             eli:date_no_longer_in_force "2025"^^xsd:gYear }""",
        [
            (
                "besluitdocument/GEL-2030",
                "http://data.europa.eu/eli/ontology#date_no_longer_in_force",
                V,
            )
        ],
        "Geluid 2030",
    ),
    (
        "document-twee-dms-nummers",
        'INSERT DATA { <besluitdocument/GEL-2030> eli:id_local "DMS-2" }',
        [("besluitdocument/GEL-2030", "http://data.europa.eu/eli/ontology#id_local", V)],
        "Geluid 2030",
    ),
    (
        "document-zonder-bestuurslaag",
        "DELETE WHERE { <besluitdocument/GEL-2030> krb:bestuurslaag ?b }",
        [("besluitdocument/GEL-2030", KRB + "bestuurslaag", V)],
        "Geluid 2030",
    ),
    (
        "document-zonder-besluit",
        """INSERT DATA { <besluitdocument/GEL-2031> a krb:Besluitdocument ;
        rdfs:label "Geluid 2031"@nl ; dct:identifier "GEL-2031" ;
        krb:documentsoort doc:beleidsplan ; dct:isPartOf <beleidsdossier/GEL> ;
        krb:bestuurslaag bl:gemeente }""",
        [("besluitdocument/GEL-2031", "^http://www.w3.org/ns/prov#generated", W)],
        "Geluid 2031",
    ),
    (
        "besluit-soort-uit-verkeerde-lijst",
        """
        DELETE WHERE { <besluitproces/GEL-2030-RB> krb:besluitsoort ?s }
        ; INSERT DATA { <besluitproces/GEL-2030-RB> krb:besluitsoort sec:alle }""",
        [("besluitproces/GEL-2030-RB", KRB + "besluitsoort", V)],
        "Raadsbesluit Geluid 2030",
    ),
    (
        "besluit-stelt-geen-document-vast",
        """
        DELETE WHERE { <besluitproces/GEL-2030-RB> prov:generated ?d }
        ; INSERT DATA { <besluitproces/GEL-2030-RB> prov:generated <beleidsdossier/GEL> }""",
        [
            ("besluitproces/GEL-2030-RB", "http://www.w3.org/ns/prov#generated", V),
            ("besluitdocument/GEL-2030", "^http://www.w3.org/ns/prov#generated", W),
        ],
        None,
    ),
    (
        "besluit-zonder-datum",
        "DELETE WHERE { <besluitproces/GEL-2030-RB> dct:date ?d }",
        [("besluitproces/GEL-2030-RB", DCT + "date", V)],
        "Raadsbesluit Geluid 2030",
    ),
    (
        "besluit-twee-ris-nummers",
        'INSERT DATA { <besluitproces/GEL-2030-RB> krb:risNummer "RIS-2" }',
        [("besluitproces/GEL-2030-RB", KRB + "risNummer", V)],
        "Raadsbesluit Geluid 2030",
    ),
    (
        "besluit-iri",
        """INSERT DATA { <besluit/X> a krb:Besluitproces ;
        rdfs:label "Los besluit"@nl ; dct:identifier "X" ; krb:besluitsoort bs:raadsbesluit ;
        prov:generated <besluitdocument/GEL-2030> ; dct:date "2024-01-01"^^xsd:date }""",
        [("besluit/X", None, V)],
        "Los besluit",
    ),
    (
        "document-iri",
        """INSERT DATA { <document/X> a krb:Besluitdocument ;
        rdfs:label "Los document"@nl ; dct:identifier "X" ;
        krb:documentsoort doc:beleidsplan ; dct:isPartOf <beleidsdossier/GEL> ;
        krb:bestuurslaag bl:gemeente . <besluitproces/GEL-2030-RB> prov:generated <document/X> }""",
        [
            ("besluitproces/GEL-2030-RB", "http://www.w3.org/ns/prov#generated", V),
            ("document/X", None, V),
        ],
        None,
    ),
    # --- gebieden.ttl ---
    (
        "gebied-zonder-soort",
        "DELETE WHERE { <werkingsgebied/GM9999> krb:gebiedssoort ?s }",
        [("werkingsgebied/GM9999", KRB + "gebiedssoort", V)],
        "Voorbeeldgemeente",
    ),
    (
        "gebied-cbs-code-ongeldig",
        """DELETE WHERE { <werkingsgebied/GM9999> skos:notation ?c }
        ; INSERT DATA { <werkingsgebied/GM9999> skos:notation "gemeente 9999" }""",
        [("werkingsgebied/GM9999", SKOS + "notation", V)],
        "Voorbeeldgemeente",
    ),
    (
        "gebied-ligt-in-geen-gebied",
        "INSERT DATA { <werkingsgebied/GM9999> krb:ligtIn <beleidsthema/geluid> }",
        [("werkingsgebied/GM9999", KRB + "ligtIn", V)],
        "Voorbeeldgemeente",
    ),
    (
        "gebied-geometrie-zonder-wkt-type",
        """
        DELETE { ?g geo:asWKT ?w } INSERT { ?g geo:asWKT "POINT(1 2)" }
        WHERE { <werkingsgebied/parkstraat> geo:hasGeometry ?g . ?g geo:asWKT ?w }""",
        [("werkingsgebied/parkstraat", "http://www.opengis.net/ont/geosparql#hasGeometry", V)],
        "Parkstraat",
    ),
    (
        "gebied-kringloop",
        "INSERT DATA { <werkingsgebied/GM9999> krb:ligtIn <werkingsgebied/parkstraat> }",
        [
            ("werkingsgebied/GM9999", KRB + "ligtIn", V),
            ("werkingsgebied/parkstraat", KRB + "ligtIn", V),
        ],
        None,
    ),
    (
        "gebied-iri",
        """INSERT DATA { <gebied/X> a krb:Werkingsgebied ;
        rdfs:label "Los gebied"@nl ; dct:identifier "X" ; krb:gebiedssoort gs:buurt }""",
        [("gebied/X", None, V)],
        "Los gebied",
    ),
    # --- indicatoren.ttl ---
    (
        "indicator-zonder-thema",
        "DELETE WHERE { <beleidsindicator/ENE-I01> krb:beleidsthema ?t }",
        [("beleidsindicator/ENE-I01", KRB + "beleidsthema", V)],
        "Energielabel woningen",
    ),
    (
        "indicator-aspect-is-thema",
        "INSERT DATA { <beleidsindicator/ENE-I01> krb:beleidsaspect <beleidsthema/bouwen> }",
        [
            ("beleidsindicator/ENE-I01", KRB + "beleidsaspect", V),  # not an aspect
            ("beleidsindicator/ENE-I01", KRB + "beleidsaspect", V),
        ],  # and not of its theme
        "Energielabel woningen",
    ),
    (
        "indicator-soort-uit-verkeerde-lijst",
        """
        DELETE WHERE { <beleidsindicator/BOU-I01> krb:indicatorsoort ?s }
        ; INSERT DATA { <beleidsindicator/BOU-I01> krb:indicatorsoort sec:alle }""",
        [("beleidsindicator/BOU-I01", KRB + "indicatorsoort", V)],
        "Beleving op ooghoogte",
    ),
    (
        "indicator-eenheid-geen-eenheid",
        "INSERT DATA { <beleidsindicator/BOU-I01> qudt:hasUnit sec:alle }",
        [("beleidsindicator/BOU-I01", QUDT + "hasUnit", V)],
        "Beleving op ooghoogte",
    ),
    (
        "indicator-afdeling-geen-afdeling",
        "INSERT DATA { <beleidsindicator/BOU-I01> krb:afdeling <werkingsgebied/GM9999> }",
        [("beleidsindicator/BOU-I01", KRB + "afdeling", V)],
        "Beleving op ooghoogte",
    ),
    (
        "indicator-aspect-van-ander-thema",
        """
        DELETE DATA { <beleidsindicator/GEL-I01> krb:beleidsthema <beleidsthema/geluid> }
        ; INSERT DATA { <beleidsindicator/GEL-I01> krb:beleidsthema <beleidsthema/bouwen> }""",
        [("beleidsindicator/GEL-I01", KRB + "beleidsaspect", V)],
        "Geluidsdruk gevel (Lden)",
    ),
    (
        "indicator-ongebruikt",
        """INSERT DATA { <beleidsindicator/X> a krb:Beleidsindicator ;
        rdfs:label "Ongebruikt"@nl ; dct:identifier "X" ; krb:beleidsthema <beleidsthema/bouwen> ;
        krb:indicatorsoort ind:systeemindicator }""",
        [("beleidsindicator/X", "^" + KRB + "indicator", W)],
        "Ongebruikt",
    ),
    (
        "afdeling-iri",
        """INSERT DATA { <org/x> a org:OrganizationalUnit ;
        rdfs:label "Losse afdeling"@nl ; dct:identifier "x" }""",
        [("org/x", None, V)],
        "Losse afdeling",
    ),
    # --- instrumenten.ttl: norms ---
    (
        "norm-zonder-indicator",
        "DELETE WHERE { <beleidsnorm/GEL-N01> krb:indicator ?i }",
        [
            ("beleidsnorm/GEL-N01", KRB + "indicator", V),
            ("beleidsindicator/GEL-I01", "^" + KRB + "indicator", W),
        ],
        None,
    ),
    (
        "norm-indicator-is-regel",
        """DELETE DATA { <beleidsnorm/ENE-N01> krb:indicator <beleidsindicator/ENE-I01> }
        ; INSERT DATA { <beleidsnorm/ENE-N01> krb:indicator <beleidsregel/BOU-R01> }""",
        [
            ("beleidsnorm/ENE-N01", KRB + "indicator", V),
            ("beleidsindicator/ENE-I01", "^" + KRB + "indicator", W),
        ],
        None,
    ),
    (
        "norm-zonder-document",
        "DELETE WHERE { <beleidsnorm/GEL-N01> krb:document ?d }",
        [("beleidsnorm/GEL-N01", KRB + "document", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-operator-uit-verkeerde-lijst",
        """
        DELETE WHERE { <beleidsnorm/GEL-N01> krb:operator ?o }
        ; INSERT DATA { <beleidsnorm/GEL-N01> krb:operator el:B }""",
        [("beleidsnorm/GEL-N01", KRB + "operator", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-waarde-double",
        """DELETE WHERE { <beleidsnorm/GEL-N01> qudt:numericValue ?v }
        ; INSERT DATA { <beleidsnorm/GEL-N01> qudt:numericValue "48"^^xsd:double }""",
        [("beleidsnorm/GEL-N01", QUDT + "numericValue", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-waardebegrip-ongeordend",
        """DELETE WHERE { <beleidsnorm/ENE-N01> krb:waardeBegrip ?v }
        ; INSERT DATA { <beleidsnorm/ENE-N01> krb:waardeBegrip sec:alle }""",
        [("beleidsnorm/ENE-N01", KRB + "waardeBegrip", V)],
        "Energielabel woningen minimaal B",
    ),
    (
        "norm-eenheid-geen-eenheid",
        """DELETE WHERE { <beleidsnorm/GEL-N01> qudt:hasUnit ?u }
        ; INSERT DATA { <beleidsnorm/GEL-N01> qudt:hasUnit sec:alle }""",
        [
            ("beleidsnorm/GEL-N01", QUDT + "hasUnit", V),
            ("beoogd-effect/GEL-E01", QUDT + "hasUnit", V),
        ],
        None,
    ),
    (
        "norm-sector-uit-verkeerde-lijst",
        "INSERT DATA { <beleidsnorm/GEL-N01> krb:sector mat:glas }",
        [("beleidsnorm/GEL-N01", KRB + "sector", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-materiaal-uit-verkeerde-lijst",
        "INSERT DATA { <beleidsnorm/ENE-N01> krb:materiaal sec:alle }",
        [("beleidsnorm/ENE-N01", KRB + "materiaal", V)],
        "Energielabel woningen minimaal B",
    ),
    (
        "norm-leefomgeving-geen-objecttype",
        "INSERT DATA { <beleidsnorm/GEL-N01> krb:leefomgeving sec:alle }",
        [("beleidsnorm/GEL-N01", KRB + "leefomgeving", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-leefomgeving-onbekende-imbor-iri",
        "INSERT DATA { <beleidsnorm/GEL-N01> krb:leefomgeving imbor:bestaat-niet }",
        [("beleidsnorm/GEL-N01", KRB + "leefomgeving", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-zonder-werkingsgebied",
        "DELETE WHERE { <beleidsnorm/ENE-N01> krb:werkingsgebied ?g }",
        [("beleidsnorm/ENE-N01", KRB + "werkingsgebied", V)],
        "Energielabel woningen minimaal B",
    ),
    (
        "norm-twee-rekenmethoden",
        'INSERT DATA { <beleidsnorm/GEL-N01> krb:rekenmethode "Andere methode"@nl }',
        [("beleidsnorm/GEL-N01", KRB + "rekenmethode", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-rekenmethode-geen-tekst",
        """DELETE WHERE { <beleidsnorm/ENE-N01> krb:rekenmethode ?m }
        ; INSERT DATA { <beleidsnorm/ENE-N01> krb:rekenmethode <beleidsthema/geluid> }""",
        [("beleidsnorm/ENE-N01", KRB + "rekenmethode", V)],
        "Energielabel woningen minimaal B",
    ),
    (
        "norm-zonder-bestuurslaag",
        "DELETE WHERE { <beleidsnorm/ENE-N01> krb:bestuurslaag ?b }",
        [("beleidsnorm/ENE-N01", KRB + "bestuurslaag", V)],
        "Energielabel woningen minimaal B",
    ),
    (
        "norm-getal-en-begrip",
        "INSERT DATA { <beleidsnorm/GEL-N01> krb:waardeBegrip el:A }",
        [("beleidsnorm/GEL-N01", None, V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "rangorde-geen-geheel-getal",
        """INSERT DATA { <begrip/klasse-b-plus> a skos:Concept ;
            skos:prefLabel "Klasse B+"@nl ; krb:rangorde 2.5 }""",
        [("begrip/klasse-b-plus", KRB + "rangorde", V)],
        "Klasse B+",
    ),
    (
        "norm-zonder-waarde",
        "DELETE WHERE { <beleidsnorm/ENE-N01> krb:waardeBegrip ?v }",
        [("beleidsnorm/ENE-N01", None, V)],
        "Energielabel woningen minimaal B",
    ),
    (
        "norm-getal-zonder-eenheid",
        "DELETE WHERE { <beleidsnorm/GEL-N01> qudt:hasUnit ?u }",
        [("beleidsnorm/GEL-N01", None, V), ("beoogd-effect/GEL-E01", QUDT + "hasUnit", V)],
        None,
    ),
    (
        "norm-begrip-met-eenheid",
        "INSERT DATA { <beleidsnorm/ENE-N01> qudt:hasUnit unit:PERCENT }",
        [("beleidsnorm/ENE-N01", None, V)],
        "Energielabel woningen minimaal B",
    ),
    (
        "norm-niet-geclassificeerd",
        "DELETE WHERE { <beleidsnorm/GEL-N01> krb:sector ?s ; krb:leefomgeving ?l }",
        [("beleidsnorm/GEL-N01", None, W)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-iri",
        """INSERT DATA { <norm/X> a krb:Beleidsnorm ; rdfs:label "Losse norm"@nl ;
        dct:identifier "X" ; krb:indicator <beleidsindicator/GEL-I01> ;
        krb:document <besluitdocument/GEL-2030> ; krb:operator op:maximaal ;
        qudt:numericValue 50.0 ; qudt:hasUnit unit:DeciB_A ; krb:sector sec:alle ;
        krb:werkingsgebied <werkingsgebied/GM9999> ; krb:bestuurslaag bl:gemeente }""",
        [
            ("norm/X", None, V),
            # compleet beleid: no calculation method (no period of its own is fine: its
            # document has a dated raadsbesluit that adopted it)
            ("norm/X", KRB + "rekenmethode", W),
        ],
        "Losse norm",
    ),
    # --- instrumenten.ttl: rules and measures ---
    (
        "regel-twee-indicatoren",
        "INSERT DATA { <beleidsregel/BOU-R01> krb:indicator <beleidsindicator/ENE-I01> }",
        [("beleidsregel/BOU-R01", KRB + "indicator", V)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    (
        "regel-zonder-document",
        "DELETE WHERE { <beleidsregel/BOU-R01> krb:document ?d }",
        [("beleidsregel/BOU-R01", KRB + "document", V)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    (
        "regel-zonder-werkingsgebied",
        "DELETE WHERE { <beleidsregel/BOU-R01> krb:werkingsgebied ?g }",
        [("beleidsregel/BOU-R01", KRB + "werkingsgebied", V)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    (
        "regel-bestuurslaag-uit-verkeerde-lijst",
        """
        DELETE WHERE { <beleidsregel/BOU-R01> krb:bestuurslaag ?b }
        ; INSERT DATA { <beleidsregel/BOU-R01> krb:bestuurslaag gs:gemeente }""",
        [("beleidsregel/BOU-R01", KRB + "bestuurslaag", V)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    (
        "regel-iri",
        """INSERT DATA { <regel/X> a krb:Beleidsregel ; rdfs:label "Losse regel"@nl ;
        dct:identifier "X" ; krb:document <besluitdocument/GEL-2030> ;
        krb:werkingsgebied <werkingsgebied/GM9999> }""",
        [("regel/X", None, V)],
        "Losse regel",
    ),
    (
        "maatregel-zonder-thema",
        "DELETE WHERE { <beleidsmaatregel/GEL-M01> krb:beleidsthema ?t }",
        [("beleidsmaatregel/GEL-M01", KRB + "beleidsthema", V)],
        "Stil asfalt",
    ),
    (
        "maatregel-zonder-document",
        "DELETE WHERE { <beleidsmaatregel/TOR-M01> krb:document ?d }",
        [("beleidsmaatregel/TOR-M01", KRB + "document", V)],
        "Comfort boxes",
    ),
    (
        "maatregel-niet-gekoppeld",
        """INSERT DATA { <beleidsmaatregel/X> a krb:MerMaatregel ;
        rdfs:label "Losse maatregel"@nl ; dct:identifier "X" ; krb:beleidsthema <beleidsthema/bouwen> ;
        krb:document <besluitdocument/GEL-2030> ; krb:werkingsgebied <werkingsgebied/GM9999> }""",
        [("beleidsmaatregel/X", "^" + KRB + "maatregel", W)],
        "Losse maatregel",
    ),
    (
        "mer-maatregel-iri",
        """INSERT DATA { <mer/X> a krb:MerMaatregel ;
        rdfs:label "MER-maatregel"@nl ; dct:identifier "X" ; krb:beleidsthema <beleidsthema/bouwen> ;
        krb:document <besluitdocument/GEL-2030> ; krb:werkingsgebied <werkingsgebied/GM9999> .
        <beoogde-uitvoering/TOR-U01> krb:maatregel <mer/X> }""",
        [("beoogde-uitvoering/TOR-U01", KRB + "maatregel", V), ("mer/X", None, V)],
        None,
    ),
    # --- effecten.ttl ---
    (
        "effect-zonder-maatregel",
        "DELETE WHERE { <beoogd-effect/GEL-E01> krb:maatregel ?m }",
        [
            ("beoogd-effect/GEL-E01", KRB + "maatregel", V),
            ("beleidsmaatregel/GEL-M01", "^" + KRB + "maatregel", W),
        ],
        None,
    ),
    (
        "effect-norm-is-regel",
        """DELETE WHERE { <beoogd-effect/GEL-E01> krb:norm ?n }
        ; INSERT DATA { <beoogd-effect/GEL-E01> krb:norm <beleidsregel/BOU-R01> }""",
        [
            ("beoogd-effect/GEL-E01", KRB + "norm", V),
            ("beoogd-effect/GEL-E01", QUDT + "hasUnit", V),
        ],
        "Stil asfalt op geluidsdruk gevel",
    ),
    (
        "effect-zonder-waarde",
        "DELETE WHERE { <beoogd-effect/GEL-E01> qudt:numericValue ?v }",
        [("beoogd-effect/GEL-E01", QUDT + "numericValue", V)],
        "Stil asfalt op geluidsdruk gevel",
    ),
    (
        "effect-zonder-eenheid",
        "DELETE WHERE { <beoogd-effect/GEL-E01> qudt:hasUnit ?u }",
        [("beoogd-effect/GEL-E01", QUDT + "hasUnit", V)],
        "Stil asfalt op geluidsdruk gevel",
    ),
    (
        "effect-eenheid-niet-die-van-norm",
        """DELETE WHERE { <beoogd-effect/GEL-E01> qudt:hasUnit ?u }
        ; INSERT DATA { <beoogd-effect/GEL-E01> qudt:hasUnit unit:PERCENT }""",
        [("beoogd-effect/GEL-E01", QUDT + "hasUnit", V)],
        "Stil asfalt op geluidsdruk gevel",
    ),
    (
        "effect-gebied-geen-gebied",
        "INSERT DATA { <beoogd-effect/GEL-E01> krb:werkingsgebied <beleidsnorm/GEL-N01> }",
        [("beoogd-effect/GEL-E01", KRB + "werkingsgebied", V)],
        "Stil asfalt op geluidsdruk gevel",
    ),
    (
        "effect-iri",
        """INSERT DATA { <effect/X> a krb:BeoogdEffect ; rdfs:label "Los effect"@nl ;
        dct:identifier "X" ; krb:maatregel <beleidsmaatregel/GEL-M01> ; krb:norm <beleidsnorm/GEL-N01> ;
        qudt:numericValue "-1.0"^^xsd:decimal ; qudt:hasUnit unit:DeciB_A }""",
        [("effect/X", None, V)],
        "Los effect",
    ),
    (
        "uitvoering-regel-is-norm",
        """DELETE WHERE { <beoogde-uitvoering/TOR-U01> krb:regel ?r }
        ; INSERT DATA { <beoogde-uitvoering/TOR-U01> krb:regel <beleidsnorm/GEL-N01> }""",
        [("beoogde-uitvoering/TOR-U01", KRB + "regel", V)],
        "Zichtlijn bewaard",
    ),
    (
        "uitvoering-zonder-regel",
        "DELETE WHERE { <beoogde-uitvoering/TOR-U01> krb:regel ?r }",
        [("beoogde-uitvoering/TOR-U01", KRB + "regel", V)],
        "Zichtlijn bewaard",
    ),
    (
        "uitvoering-maatregel-is-norm",
        """
        DELETE WHERE { <beoogde-uitvoering/TOR-U01> krb:maatregel ?m }
        ; INSERT DATA { <beoogde-uitvoering/TOR-U01> krb:maatregel <beleidsnorm/GEL-N01> }""",
        [
            ("beoogde-uitvoering/TOR-U01", KRB + "maatregel", V),
            ("beleidsmaatregel/TOR-M01", "^" + KRB + "maatregel", W),
        ],
        None,
    ),
    (
        "uitvoering-gebied-geen-gebied",
        "INSERT DATA { <beoogde-uitvoering/TOR-U01> krb:werkingsgebied <afdeling/milieu> }",
        [("beoogde-uitvoering/TOR-U01", KRB + "werkingsgebied", V)],
        "Zichtlijn bewaard",
    ),
    (
        "uitvoering-iri",
        """INSERT DATA { <uitvoering/X> a krb:BeoogdeUitvoering ;
        rdfs:label "Losse uitvoering"@nl ; dct:identifier "X" ;
        krb:maatregel <beleidsmaatregel/TOR-M01> ; krb:regel <beleidsregel/BOU-R01> }""",
        [("uitvoering/X", None, V)],
        "Losse uitvoering",
    ),
    # --- begrippen.ttl ---
    (
        "thema-zonder-nl-voorkeursterm",
        'DELETE DATA { <beleidsthema/geluid> skos:prefLabel "Geluid"@nl }',
        [("beleidsthema/geluid", SKOS + "prefLabel", V)],
        "Noise",
    ),
    (
        "thema-twee-nl-voorkeurstermen",
        'INSERT DATA { <beleidsthema/bouwen> skos:prefLabel "Bouw"@nl }',
        [("beleidsthema/bouwen", SKOS + "prefLabel", V)],
        None,
    ),
    (
        "thema-definitie-zonder-taal",
        'INSERT DATA { <beleidsthema/bouwen> skos:definition "Beleid over bouwen." }',
        [("beleidsthema/bouwen", SKOS + "definition", V)],
        "Bouwen",
    ),
    (
        "thema-zonder-schema",
        "DELETE WHERE { <beleidsthema/bouwen> skos:inScheme ?s }",
        [("beleidsthema/bouwen", SKOS + "inScheme", V)],
        "Bouwen",
    ),
    (
        "thema-in-verkeerd-schema",
        """DELETE WHERE { <beleidsthema/bouwen> skos:inScheme ?s }
        ; INSERT DATA { <beleidsthema/bouwen> skos:inScheme <conceptschema/leefomgeving-lokaal> }""",
        [("beleidsthema/bouwen", SKOS + "inScheme", V)],
        "Bouwen",
    ),
    (
        "themaschema-zonder-titel",
        "DELETE WHERE { <conceptschema/beleidsthemas> dct:title ?t }",
        [
            ("beleidsaspect/geluid-verkeer", SKOS + "inScheme", V),
            ("beleidsthema/bouwen", SKOS + "inScheme", V),
            ("beleidsthema/geluid", SKOS + "inScheme", V),
        ],
        None,
    ),
    (
        "thema-iri",
        """INSERT DATA { <thema/X> a krb:Beleidsthema ; skos:prefLabel "Los thema"@nl ;
        skos:inScheme <conceptschema/beleidsthemas> }""",
        [("thema/X", None, V)],
        "Los thema",
    ),
    (
        "aspect-zonder-thema",
        "DELETE WHERE { <beleidsaspect/geluid-verkeer> skos:broader ?t }",
        [
            ("beleidsaspect/geluid-verkeer", SKOS + "broader", V),
            ("beleidsindicator/GEL-I01", KRB + "beleidsaspect", V),
        ],
        None,
    ),
    (
        "aspect-boven-is-geen-thema",
        """
        DELETE WHERE { <beleidsaspect/geluid-verkeer> skos:broader ?t }
        ; INSERT DATA { <beleidsaspect/geluid-verkeer> skos:broader <werkingsgebied/GM9999> }""",
        [
            ("beleidsaspect/geluid-verkeer", SKOS + "broader", V),
            ("beleidsindicator/GEL-I01", KRB + "beleidsaspect", V),
        ],
        None,
    ),
    (
        "aspect-iri",
        """INSERT DATA { <aspect/X> a krb:Beleidsaspect ; skos:prefLabel "Los aspect"@nl ;
        skos:broader <beleidsthema/bouwen> ; skos:inScheme <conceptschema/beleidsthemas> }""",
        [("aspect/X", None, V)],
        "Los aspect",
    ),
    (
        "objecttype-geen-imbor-subklasse",
        """
        DELETE WHERE { <leefomgeving/woningen> rdfs:subClassOf ?c }
        ; INSERT DATA { <leefomgeving/woningen> rdfs:subClassOf owl:Thing }""",
        [("leefomgeving/woningen", RDFS + "subClassOf", V)],
        "Woningen",
    ),
    (
        "objecttype-twee-imbor-klassen",
        "INSERT DATA { <leefomgeving/woningen> rdfs:subClassOf imbor:83a942f7-5291-42f0-afb1-9a57d0fb2f15 }",
        [("leefomgeving/woningen", RDFS + "subClassOf", V)],
        "Woningen",
    ),
    (
        "objecttype-zoekingang-geen-zoekingang",
        "INSERT DATA { <leefomgeving/woningen> krb:zoekingang imbor:83a942f7-5291-42f0-afb1-9a57d0fb2f15 }",
        [("leefomgeving/woningen", KRB + "zoekingang", V)],
        "Woningen",
    ),
    (
        "objecttype-in-themaschema",
        """DELETE WHERE { <leefomgeving/woningen> skos:inScheme ?s }
        ; INSERT DATA { <leefomgeving/woningen> skos:inScheme <conceptschema/beleidsthemas> }""",
        [("leefomgeving/woningen", SKOS + "inScheme", V)],
        "Woningen",
    ),
    (
        "objecttype-naam-engels",
        """
        DELETE DATA { <leefomgeving/woningen> rdfs:label "Woningen"@nl }
        ; INSERT DATA { <leefomgeving/woningen> rdfs:label "Woningen"@en }""",
        [("leefomgeving/woningen", RDFS + "label", V)],
        "Woningen",
    ),
    (
        "objecttype-iri",
        """INSERT DATA { <objecttype/X> a owl:Class , krb:LokaalObjecttype ;
        skos:prefLabel "Los objecttype"@nl ; rdfs:subClassOf imbor:83a942f7-5291-42f0-afb1-9a57d0fb2f15 ;
        skos:inScheme <conceptschema/leefomgeving-lokaal> }""",
        [("objecttype/X", None, V)],
        "Los objecttype",
    ),
]


@pytest.mark.parametrize(
    ("update", "expected", "label"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_breaking_one_rule_gives_exactly_the_expected_finding(
    minimal: Graph, update: str, expected: list[tuple[str, str | None, str]], label: str | None
) -> None:
    assert_exactly(validate_graph(changed(minimal, update)), expected, label)


def assert_exactly(
    result: ValidationResult, expected: list[tuple[str, str | None, str]], label: str | None
) -> None:
    """The findings are exactly ``expected`` (focus relative to ID, path, severity), each
    with a Dutch and an English message naming the object; all about ``label`` if given."""
    got = sorted((f.focus.removeprefix(ID), f.path or "", f.severity) for f in result.findings)
    assert got == sorted((focus, path or "", severity) for focus, path, severity in expected)
    assert result.conforms == all(severity != V for *_, severity in expected)
    for finding in result.findings:
        name = finding.focus_label or finding.focus
        assert name in finding.message_nl and name in finding.message_en
        assert finding.message_nl != finding.message_en
        assert not re.search(r"\{[?$]", finding.message_nl + finding.message_en)
    if label is not None:
        assert {f.focus_label for f in result.findings} == {label}
