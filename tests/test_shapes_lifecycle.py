# ruff: noqa: E501  (the table of SPARQL updates reads better unwrapped)
"""The shapes of the lifecycle terms and the cross-links beyond effect -> norm, one
constraint at a time, as in tests/test_shapes_constraints.py: a variant the model
allows conforms without findings, and breaking one rule yields exactly the expected
finding (object, property, severity) in Dutch and English.

The registry is tests/data/shapes/minimal.ttl together with levenscyclus.ttl, which
adds a use of every new term. Covered: document status and ELI dates, replacement (dct:isReplacedBy / dct:replaces,
no cycles, a dated successor), ended documents, derived dates and the derived
closure of areas refused in data,
statuses of norms, rules and measures, a measure's period and object types, a rule's
theme, several areas and parents, and effects on an indicator (krb:doelIndicator)
or on an energy-label norm (krb:doelBegrip, krb:labelstappen) with a horizon.
"""

from __future__ import annotations

import pytest
from rdflib import Graph
from test_shapes_constraints import DATA, DCT, KRB, QUDT, V, W, assert_exactly, changed

from krbgraph.rdfio import read_rdf
from krbgraph.validation import validate_graph

ADMS = "http://www.w3.org/ns/adms#"
ELI = "http://data.europa.eu/eli/ontology#"


@pytest.fixture(scope="module")
def minimal() -> Graph:
    """tests/data/shapes/minimal.ttl with levenscyclus.ttl: every new term in use."""
    graph = Graph()
    for name in ("minimal.ttl", "levenscyclus.ttl"):
        part = read_rdf(DATA / name)
        assert isinstance(part, Graph)
        graph += part
    return graph


def test_the_registry_with_lifecycle_terms_conforms_without_findings(minimal: Graph) -> None:
    result = validate_graph(minimal)
    assert result.conforms
    assert result.findings == ()


def test_it_uses_every_new_term(minimal: Graph) -> None:
    """So that 'conforms' covers them, not just their absence."""
    used = {str(p) for p in minimal.predicates()}
    for term in (
        ADMS + "status",
        ELI + "first_date_entry_in_force",
        DCT + "isReplacedBy",
        DCT + "replaces",
        KRB + "horizon",
        KRB + "doelIndicator",
        KRB + "doelBegrip",
        KRB + "objecttype",
    ):
        assert term in used, term


CONFORMING = {
    # --- several areas and parents ---
    "a norm, rule and measure in two areas each": """
        INSERT DATA { <beleidsnorm/GEL-N01> krb:werkingsgebied <werkingsgebied/parkstraat> .
                      <beleidsregel/BOU-R01> krb:werkingsgebied <werkingsgebied/parkstraat> .
                      <beleidsmaatregel/GEL-M01> krb:werkingsgebied <werkingsgebied/GM9999> }""",
    "a plan area lying in two parents": """
        INSERT DATA { <werkingsgebied/wijk> a krb:Werkingsgebied ;
            rdfs:label "Wijk"@nl ; dct:identifier "WK999901" ; krb:gebiedssoort gs:wijk ;
            krb:ligtIn <werkingsgebied/GM9999> .
          <werkingsgebied/plan> a krb:Werkingsgebied ; rdfs:label "Plan"@nl ;
            dct:identifier "plan" ; krb:gebiedssoort gs:plangebied ;
            krb:ligtIn <werkingsgebied/wijk> , <werkingsgebied/parkstraat> }""",
    # --- documents ---
    "a document without status or ELI dates": """
        DELETE WHERE { <besluitdocument/GEL-2030> adms:status ?s ; eli:first_date_entry_in_force ?d }""",
    "a withdrawn document with its last day in force": """
        DELETE WHERE { <besluitdocument/GEL-2030> adms:status ?s }
        ; INSERT DATA { <besluitdocument/GEL-2030> adms:status st:ingetrokken ;
                        eli:date_no_longer_in_force "2030-12-31"^^xsd:date }""",
    # On the replaced document, which holds no instruments: Geluid 2030's norms run
    # past 2024-01-01, which tests/test_shapes_crossobject.py reports.
    "entry into force and last day in force on the same day": """
        INSERT DATA { <besluitdocument/GEL-2020> eli:date_no_longer_in_force "2020-01-01"^^xsd:date }""",
    "a lapsed document replaced only through dct:replaces": """
        DELETE WHERE { <besluitdocument/GEL-2020> dct:isReplacedBy ?n }""",
    "a lapsed document replaced only through dct:isReplacedBy": """
        DELETE WHERE { <besluitdocument/GEL-2030> dct:replaces ?o }""",
    "a successor without entry date but with an adopting decision": """
        DELETE WHERE { <besluitdocument/GEL-2030> eli:first_date_entry_in_force ?d }""",
    # The lifecycle rules start such a successor on its own date, so the day it ends the
    # replaced document is known: the warning said "unknown" while every answer had one.
    "a successor with neither entry date nor adopting decision but a document date": """
        DELETE WHERE { <besluitdocument/GEL-2030> eli:first_date_entry_in_force ?d }
        ; DELETE WHERE { <besluitproces/GEL-2030-RB> krb:besluitsoort ?s }
        ; INSERT DATA { <besluitproces/GEL-2030-RB> krb:besluitsoort bs:mer-advies }""",
    "a successor adopted by an advice only but with an entry date": """
        DELETE WHERE { <besluitproces/GEL-2030-RB> krb:besluitsoort ?s }
        ; INSERT DATA { <besluitproces/GEL-2030-RB> krb:besluitsoort bs:mer-advies }""",
    # --- instruments ---
    "a draft norm and a lapsed rule": """
        DELETE WHERE { <beleidsnorm/GEL-N01> adms:status ?a . <beleidsregel/BOU-R01> adms:status ?b }
        ; INSERT DATA { <beleidsnorm/GEL-N01> adms:status st:ontwerp .
                        <beleidsregel/BOU-R01> adms:status st:vervallen }""",
    "a rule with a theme and no indicator": """
        DELETE WHERE { <beleidsregel/BOU-R01> krb:indicator ?i }""",
    "a measure with an open-ended period and no status": """
        DELETE { ?p dcat:endDate ?e . <beleidsmaatregel/GEL-M01> adms:status ?s }
        WHERE { <beleidsmaatregel/GEL-M01> dct:temporal ?p ; adms:status ?s . ?p dcat:endDate ?e }""",
    "a measure on two object types, one an abstract IMBOR class": """
        INSERT DATA { <beleidsmaatregel/GEL-M01> krb:objecttype
                      <http://modellen.geostandaarden.nl/def/nen3610-2022#Gebouw> }""",
    # --- effects ---
    "an effect on an indicator, in the indicator's unit": """
        DELETE WHERE { <beoogd-effect/ENE-E02> krb:doelIndicator ?i ; qudt:hasUnit ?u }
        ; INSERT DATA { <beoogd-effect/ENE-E02> krb:doelIndicator <beleidsindicator/GEL-I01> ;
                        qudt:hasUnit unit:DeciB_A }""",
    "an energy-label effect in label steps, downwards": """
        DELETE WHERE { <beoogd-effect/ENE-E01> krb:doelBegrip ?b }
        ; INSERT DATA { <beoogd-effect/ENE-E01> krb:labelstappen -1 }""",
    "an effect without horizon": """
        DELETE WHERE { <beoogd-effect/GEL-E01> krb:horizon ?h }""",
    # docs/excel.md: an empty in_werking_vanaf follows from the adopting decision; the
    # norm was warned to have "no validity" while every answer gave it one
    "a norm without a period whose document has only its dated raadsbesluit": """
        DELETE WHERE { <beleidsnorm/GEL-N01> dct:temporal ?p . ?p ?q ?o }
        ; DELETE WHERE { <besluitdocument/GEL-2030> eli:first_date_entry_in_force ?d }""",
}


@pytest.mark.parametrize("update", CONFORMING.values(), ids=CONFORMING.keys())
def test_variants_the_lifecycle_model_allows_conform(minimal: Graph, update: str) -> None:
    result = validate_graph(changed(minimal, update))
    assert result.findings == ()


NIEUW_DOCUMENT = """INSERT DATA { <besluitdocument/X> a krb:Besluitdocument ;
        rdfs:label "Los document"@nl ; dct:identifier "X" ; krb:documentsoort doc:beleidsplan ;
        dct:isPartOf <beleidsdossier/GEL> ; krb:bestuurslaag bl:gemeente .
    <besluitproces/X-RB> a krb:Besluitproces ; rdfs:label "Besluit X"@nl ;
        dct:identifier "X-RB" ; krb:besluitsoort bs:raadsbesluit ;
        prov:generated <besluitdocument/X> ; dct:date "2022-01-01"^^xsd:date }"""

# (id, update, [(focus relative to ID, path or None, severity)], label of the focus)
CASES: list[tuple[str, str, list[tuple[str, str | None, str]], str | None]] = [
    # --- dossiers.ttl: a document's status, ELI dates and replacement ---
    (
        "document-status-uit-verkeerde-lijst",
        """DELETE WHERE { <besluitdocument/GEL-2030> adms:status ?s }
        ; INSERT DATA { <besluitdocument/GEL-2030> adms:status us:gepland }""",
        [("besluitdocument/GEL-2030", ADMS + "status", V)],
        "Geluid 2030",
    ),
    (
        "document-twee-statussen",
        "INSERT DATA { <besluitdocument/GEL-2030> adms:status st:vastgesteld }",
        [("besluitdocument/GEL-2030", ADMS + "status", V)],
        "Geluid 2030",
    ),
    (
        "document-inwerkingtreding-geen-datum",
        """DELETE WHERE { <besluitdocument/GEL-2030> eli:first_date_entry_in_force ?d }
        ; INSERT DATA { <besluitdocument/GEL-2030> eli:first_date_entry_in_force "1 januari 2024" }""",
        [("besluitdocument/GEL-2030", ELI + "first_date_entry_in_force", V)],
        "Geluid 2030",
    ),
    (
        "document-twee-inwerkingtredingen",
        'INSERT DATA { <besluitdocument/GEL-2030> eli:first_date_entry_in_force "2024-07-01"^^xsd:date }',
        [("besluitdocument/GEL-2030", ELI + "first_date_entry_in_force", V)],
        "Geluid 2030",
    ),
    (
        "document-einde-geen-datum",
        """DELETE WHERE { <besluitdocument/GEL-2020> eli:first_date_entry_in_force ?d }
        ; INSERT DATA { <besluitdocument/GEL-2020> eli:date_no_longer_in_force "2023-12-31T00:00:00"^^xsd:dateTime }""",
        [("besluitdocument/GEL-2020", ELI + "date_no_longer_in_force", V)],
        "Geluid 2020",
    ),
    (
        "document-einde-voor-inwerkingtreding",
        'INSERT DATA { <besluitdocument/GEL-2030> eli:date_no_longer_in_force "2023-12-31"^^xsd:date }',
        [("besluitdocument/GEL-2030", ELI + "first_date_entry_in_force", V)],
        "Geluid 2030",
    ),
    (
        "document-opvolger-geen-document",
        """DELETE WHERE { <besluitdocument/GEL-2020> dct:isReplacedBy ?n }
        ; INSERT DATA { <besluitdocument/GEL-2020> dct:isReplacedBy <beleidsdossier/GEL> }""",
        [
            ("besluitdocument/GEL-2020", DCT + "isReplacedBy", V),
            # and that "successor" has neither an entry date nor a decision
            ("besluitdocument/GEL-2020", DCT + "isReplacedBy", W),
        ],
        "Geluid 2020",
    ),
    (
        "document-vervangt-geen-document",
        """DELETE WHERE { <besluitdocument/GEL-2030> dct:replaces ?o }
        ; INSERT DATA { <besluitdocument/GEL-2030> dct:replaces <werkingsgebied/GM9999> }""",
        [("besluitdocument/GEL-2030", DCT + "replaces", V)],
        "Geluid 2030",
    ),
    (
        "document-vervangingskringloop",
        "INSERT DATA { <besluitdocument/GEL-2030> dct:isReplacedBy <besluitdocument/GEL-2020> }",
        # Every statement that closes the cycle, with the property it was made with:
        # GEL-2030 also states `dct:replaces GEL-2020`, the other half of the loop.
        [
            ("besluitdocument/GEL-2020", DCT + "isReplacedBy", V),
            ("besluitdocument/GEL-2030", DCT + "isReplacedBy", V),
            ("besluitdocument/GEL-2030", DCT + "replaces", V),
        ],
        None,
    ),
    (
        "document-vervangt-zichzelf",
        "INSERT DATA { <besluitdocument/GEL-2030> dct:replaces <besluitdocument/GEL-2030> }",
        [("besluitdocument/GEL-2030", DCT + "replaces", V)],
        "Geluid 2030",
    ),
    # --- levenscyclus.ttl: warnings ---
    (
        "document-opvolger-zonder-datum-of-besluit",
        """DELETE WHERE { <besluitdocument/GEL-2030> eli:first_date_entry_in_force ?d }
        ; DELETE WHERE { <besluitdocument/GEL-2030> eli:date_document ?dd }
        ; DELETE WHERE { <besluitproces/GEL-2030-RB> krb:besluitsoort ?s }
        ; INSERT DATA { <besluitproces/GEL-2030-RB> krb:besluitsoort bs:mer-advies }""",
        [("besluitdocument/GEL-2020", DCT + "isReplacedBy", W)],
        "Geluid 2020",
    ),
    (
        "document-ingetrokken-zonder-einde",
        """DELETE WHERE { <besluitdocument/GEL-2030> adms:status ?s }
        ; INSERT DATA { <besluitdocument/GEL-2030> adms:status st:ingetrokken }""",
        [("besluitdocument/GEL-2030", None, W)],
        "Geluid 2030",
    ),
    (
        "document-vervallen-zonder-einde-of-opvolger",
        NIEUW_DOCUMENT + " ; INSERT DATA { <besluitdocument/X> adms:status st:vervallen }",
        [("besluitdocument/X", None, W)],
        "Los document",
    ),
    # --- levenscyclus.ttl: derived dates are not recorded ---
    (
        "afgeleid-geldig-vanaf",
        'INSERT DATA { <beleidsnorm/GEL-N01> krb:geldigVanaf "2024-01-01"^^xsd:date }',
        [("beleidsnorm/GEL-N01", KRB + "geldigVanaf", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "afgeleid-geldig-tot",
        'INSERT DATA { <besluitdocument/GEL-2020> krb:geldigTot "2023-12-31"^^xsd:date }',
        [("besluitdocument/GEL-2020", KRB + "geldigTot", V)],
        "Geluid 2020",
    ),
    (
        "afgeleid-niet-in-werking",
        "INSERT DATA { <beoogd-effect/GEL-E01> krb:nietInWerking true }",
        [("beoogd-effect/GEL-E01", KRB + "nietInWerking", V)],
        "Stil asfalt op geluidsdruk gevel",
    ),
    # --- instrumenten.ttl: statuses, a rule's theme, a measure's period and object types ---
    (
        "norm-status-uit-verkeerde-lijst",
        """DELETE WHERE { <beleidsnorm/GEL-N01> adms:status ?s }
        ; INSERT DATA { <beleidsnorm/GEL-N01> adms:status us:afgerond }""",
        [("beleidsnorm/GEL-N01", ADMS + "status", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "regel-twee-statussen",
        "INSERT DATA { <beleidsregel/BOU-R01> adms:status st:ingetrokken }",
        [("beleidsregel/BOU-R01", ADMS + "status", V)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    (
        "regel-thema-is-aspect",
        """DELETE WHERE { <beleidsregel/BOU-R01> krb:beleidsthema ?t }
        ; INSERT DATA { <beleidsregel/BOU-R01> krb:beleidsthema <beleidsaspect/geluid-verkeer> }""",
        [("beleidsregel/BOU-R01", KRB + "beleidsthema", V)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    (
        "regel-twee-themas",
        "INSERT DATA { <beleidsregel/BOU-R01> krb:beleidsthema <beleidsthema/geluid> }",
        [("beleidsregel/BOU-R01", KRB + "beleidsthema", V)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    (
        "regel-tweede-gebied-geen-gebied",
        "INSERT DATA { <beleidsregel/BOU-R01> krb:werkingsgebied <beleidsthema/bouwen> }",
        [("beleidsregel/BOU-R01", KRB + "werkingsgebied", V)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    (
        "maatregel-status-uit-documentlijst",
        """DELETE WHERE { <beleidsmaatregel/GEL-M01> adms:status ?s }
        ; INSERT DATA { <beleidsmaatregel/GEL-M01> adms:status st:in-werking }""",
        [("beleidsmaatregel/GEL-M01", ADMS + "status", V)],
        "Stil asfalt",
    ),
    (
        "maatregel-periode-begin-na-einde",
        """DELETE { ?p dcat:endDate ?e } INSERT { ?p dcat:endDate "2023-12-31"^^xsd:date }
        WHERE { <beleidsmaatregel/GEL-M01> dct:temporal ?p . ?p dcat:endDate ?e }""",
        [("beleidsmaatregel/GEL-M01", DCT + "temporal", V)],
        "Stil asfalt",
    ),
    (
        "maatregel-periode-zonder-begin",
        """DELETE { ?p dcat:startDate ?s }
        WHERE { <beleidsmaatregel/GEL-M01> dct:temporal ?p . ?p dcat:startDate ?s }""",
        [("beleidsmaatregel/GEL-M01", DCT + "temporal", V)],
        "Stil asfalt",
    ),
    (
        "maatregel-zonder-werkingsgebied",
        "DELETE WHERE { <beleidsmaatregel/ENE-M01> krb:werkingsgebied ?g }",
        [("beleidsmaatregel/ENE-M01", KRB + "werkingsgebied", V)],
        "Isolatieaanpak",
    ),
    (
        "maatregel-tweede-gebied-geen-gebied",
        "INSERT DATA { <beleidsmaatregel/GEL-M01> krb:werkingsgebied <beleidsnorm/GEL-N01> }",
        [("beleidsmaatregel/GEL-M01", KRB + "werkingsgebied", V)],
        "Stil asfalt",
    ),
    (
        "maatregel-objecttype-alle",
        "INSERT DATA { <beleidsmaatregel/GEL-M01> krb:objecttype <https://data.krb.nl/id/begrip/leefomgeving/alle> }",
        [("beleidsmaatregel/GEL-M01", KRB + "objecttype", V)],
        "Stil asfalt",
    ),
    (
        "maatregel-objecttype-onbekende-imbor-iri",
        "INSERT DATA { <beleidsmaatregel/ENE-M01> krb:objecttype imbor:bestaat-niet }",
        [("beleidsmaatregel/ENE-M01", KRB + "objecttype", V)],
        "Isolatieaanpak",
    ),
    # --- gebieden.ttl: several parents, still no cycles ---
    (
        "gebied-tweede-ouder-geen-gebied",
        """INSERT DATA { <werkingsgebied/parkstraat> krb:ligtIn <beleidsthema/geluid> }""",
        [("werkingsgebied/parkstraat", KRB + "ligtIn", V)],
        "Parkstraat",
    ),
    (
        "gebied-kringloop-via-tweede-ouder",
        """INSERT DATA { <werkingsgebied/plan> a krb:Werkingsgebied ; rdfs:label "Plan"@nl ;
            dct:identifier "plan" ; krb:gebiedssoort gs:plangebied ;
            krb:ligtIn <werkingsgebied/GM9999> , <werkingsgebied/parkstraat> .
          <werkingsgebied/parkstraat> krb:ligtIn <werkingsgebied/plan> }""",
        [
            ("werkingsgebied/parkstraat", KRB + "ligtIn", V),
            ("werkingsgebied/plan", KRB + "ligtIn", V),
        ],
        None,
    ),
    # --- effecten.ttl: norm or indicator ---
    (
        "effect-norm-en-indicator",
        "INSERT DATA { <beoogd-effect/GEL-E01> krb:doelIndicator <beleidsindicator/GEL-I01> }",
        [("beoogd-effect/GEL-E01", None, V)],
        "Stil asfalt op geluidsdruk gevel",
    ),
    (
        "effect-zonder-norm-of-indicator",
        "DELETE WHERE { <beoogd-effect/ENE-E02> krb:doelIndicator ?i }",
        [("beoogd-effect/ENE-E02", None, V)],
        "Isolatieaanpak op beleving op ooghoogte",
    ),
    (
        "effect-doelindicator-is-regel",
        """DELETE WHERE { <beoogd-effect/ENE-E02> krb:doelIndicator ?i }
        ; INSERT DATA { <beoogd-effect/ENE-E02> krb:doelIndicator <beleidsregel/BOU-R01> }""",
        [("beoogd-effect/ENE-E02", KRB + "doelIndicator", V)],
        "Isolatieaanpak op beleving op ooghoogte",
    ),
    (
        "effect-twee-doelindicatoren",
        "INSERT DATA { <beoogd-effect/ENE-E02> krb:doelIndicator <beleidsindicator/ENE-I01> }",
        [("beoogd-effect/ENE-E02", KRB + "doelIndicator", V)],
        "Isolatieaanpak op beleving op ooghoogte",
    ),
    (
        "effect-eenheid-niet-die-van-indicator",
        """DELETE WHERE { <beoogd-effect/ENE-E02> krb:doelIndicator ?i }
        ; INSERT DATA { <beoogd-effect/ENE-E02> krb:doelIndicator <beleidsindicator/GEL-I01> }""",
        [("beoogd-effect/ENE-E02", QUDT + "hasUnit", V)],
        "Isolatieaanpak op beleving op ooghoogte",
    ),
    (
        "effect-op-indicator-zonder-waarde",
        "DELETE WHERE { <beoogd-effect/ENE-E02> qudt:numericValue ?v }",
        [("beoogd-effect/ENE-E02", QUDT + "numericValue", V)],
        "Isolatieaanpak op beleving op ooghoogte",
    ),
    (
        "indicator-alleen-doel-van-effect-is-gebruikt",
        # BOU-I01 loses its rule but an effect still acts on it: no warning;
        # GEL-I01 loses its norm and has no effect on it: the warning stays.
        """DELETE WHERE { <beleidsregel/BOU-R01> krb:indicator ?i }
        ; DELETE WHERE { <beleidsnorm/GEL-N01> krb:indicator ?j }""",
        [
            ("beleidsnorm/GEL-N01", KRB + "indicator", V),
            ("beleidsindicator/GEL-I01", "^" + KRB + "indicator", W),
        ],
        None,
    ),
    # --- effecten.ttl: what a broken norm or indicator does to the effects on it ---
    (
        "indicator-eenheid-geen-eenheid-raakt-effect",
        "INSERT DATA { <beleidsindicator/BOU-I01> qudt:hasUnit sec:alle }",
        [
            ("beleidsindicator/BOU-I01", QUDT + "hasUnit", V),
            # the effect on it (in %) is no longer in the indicator's unit
            ("beoogd-effect/ENE-E02", QUDT + "hasUnit", V),
        ],
        None,
    ),
    (
        "norm-waardebegrip-ongeordend-raakt-effect",
        """DELETE WHERE { <beleidsnorm/ENE-N01> krb:waardeBegrip ?v }
        ; INSERT DATA { <beleidsnorm/ENE-N01> krb:waardeBegrip sec:alle }""",
        [
            ("beleidsnorm/ENE-N01", KRB + "waardeBegrip", V),
            # the effect's energy label A is then not from the norm's list
            ("beoogd-effect/ENE-E01", KRB + "doelBegrip", V),
        ],
        None,
    ),
    (
        "norm-zonder-waarde-raakt-effect",
        "DELETE WHERE { <beleidsnorm/ENE-N01> krb:waardeBegrip ?v }",
        [
            ("beleidsnorm/ENE-N01", None, V),
            # without a concept value, the effect needs a number and takes no label
            ("beoogd-effect/ENE-E01", QUDT + "numericValue", V),
            ("beoogd-effect/ENE-E01", QUDT + "hasUnit", V),
            ("beoogd-effect/ENE-E01", KRB + "doelBegrip", V),
        ],
        None,
    ),
    # --- effecten.ttl: numbers, target labels and label steps ---
    (
        "effect-doelbegrip-op-getalnorm",
        "INSERT DATA { <beoogd-effect/GEL-E01> krb:doelBegrip el:A }",
        [("beoogd-effect/GEL-E01", KRB + "doelBegrip", V)],
        "Stil asfalt op geluidsdruk gevel",
    ),
    (
        "effect-labelstappen-op-indicator",
        "INSERT DATA { <beoogd-effect/ENE-E02> krb:labelstappen 2 }",
        [("beoogd-effect/ENE-E02", KRB + "labelstappen", V)],
        "Isolatieaanpak op beleving op ooghoogte",
    ),
    (
        "effect-doelbegrip-en-labelstappen",
        "INSERT DATA { <beoogd-effect/ENE-E01> krb:labelstappen 1 }",
        [("beoogd-effect/ENE-E01", None, V)],
        "Isolatieaanpak op energielabel",
    ),
    (
        "effect-begripnorm-zonder-doel",
        "DELETE WHERE { <beoogd-effect/ENE-E01> krb:doelBegrip ?b }",
        [("beoogd-effect/ENE-E01", None, V)],
        "Isolatieaanpak op energielabel",
    ),
    (
        "effect-begripnorm-met-getal",
        "INSERT DATA { <beoogd-effect/ENE-E01> qudt:numericValue 1.0 }",
        [("beoogd-effect/ENE-E01", QUDT + "numericValue", V)],
        "Isolatieaanpak op energielabel",
    ),
    (
        "effect-begripnorm-met-eenheid",
        "INSERT DATA { <beoogd-effect/ENE-E01> qudt:hasUnit unit:NUM }",
        [
            ("beoogd-effect/ENE-E01", QUDT + "hasUnit", V),  # a concept norm takes no unit
            ("beoogd-effect/ENE-E01", QUDT + "hasUnit", V),  # and it is not the norm's unit
        ],
        "Isolatieaanpak op energielabel",
    ),
    (
        "effect-doelbegrip-uit-andere-geordende-lijst",
        """INSERT DATA { <begrip/hoog> a skos:Concept ; skos:prefLabel "hoog"@nl ;
            krb:rangorde 3 ; skos:inScheme <conceptschema/kwaliteit> }
        ; DELETE WHERE { <beoogd-effect/ENE-E01> krb:doelBegrip ?b }
        ; INSERT DATA { <beoogd-effect/ENE-E01> krb:doelBegrip <begrip/hoog> }""",
        [("beoogd-effect/ENE-E01", KRB + "doelBegrip", V)],
        "Isolatieaanpak op energielabel",
    ),
    (
        "effect-doelbegrip-ongeordend",
        """DELETE WHERE { <beoogd-effect/ENE-E01> krb:doelBegrip ?b }
        ; INSERT DATA { <beoogd-effect/ENE-E01> krb:doelBegrip sec:alle }""",
        [
            ("beoogd-effect/ENE-E01", KRB + "doelBegrip", V),  # not ranked
            ("beoogd-effect/ENE-E01", KRB + "doelBegrip", V),  # not from the norm's list
        ],
        "Isolatieaanpak op energielabel",
    ),
    (
        "effect-labelstappen-geen-geheel-getal",
        """DELETE WHERE { <beoogd-effect/ENE-E01> krb:doelBegrip ?b }
        ; INSERT DATA { <beoogd-effect/ENE-E01> krb:labelstappen 1.5 }""",
        [("beoogd-effect/ENE-E01", KRB + "labelstappen", V)],
        "Isolatieaanpak op energielabel",
    ),
    (
        "effect-horizon-geen-datum",
        """DELETE WHERE { <beoogd-effect/GEL-E01> krb:horizon ?h }
        ; INSERT DATA { <beoogd-effect/GEL-E01> krb:horizon "eind 2026" }""",
        [("beoogd-effect/GEL-E01", KRB + "horizon", V)],
        "Stil asfalt op geluidsdruk gevel",
    ),
    # Years XSD allows but no calendar the lifecycle reads holds: a start in year 10000
    # (or a typo like 20204) was dropped and the norm was in force today.
    (
        "periode-einde-jaar-van-vijf-cijfers",
        """DELETE WHERE { <beleidsnorm/ENE-N01> dct:temporal ?t . ?t ?p ?o }
        ; INSERT DATA { <beleidsnorm/ENE-N01> dct:temporal [ a dct:PeriodOfTime ;
                        dcat:startDate "2027-01-01"^^xsd:date ; dcat:endDate "10000-01-01"^^xsd:date ] }""",
        [("beleidsnorm/ENE-N01", DCT + "temporal", V)],
        "Energielabel woningen minimaal B",
    ),
    (
        "documentdatum-jaar-nul",
        """DELETE WHERE { <besluitdocument/GEL-2030> eli:date_document ?d }
        ; INSERT DATA { <besluitdocument/GEL-2030> eli:date_document "0000-11-16"^^xsd:date }""",
        [("besluitdocument/GEL-2030", ELI + "date_document", V)],
        None,
    ),
    (
        "effect-horizon-jaar-van-vijf-cijfers",
        """DELETE WHERE { <beoogd-effect/GEL-E01> krb:horizon ?h }
        ; INSERT DATA { <beoogd-effect/GEL-E01> krb:horizon "10000-12-31"^^xsd:date }""",
        [("beoogd-effect/GEL-E01", KRB + "horizon", V)],
        "Stil asfalt op geluidsdruk gevel",
    ),
    (
        "effect-twee-horizonnen",
        'INSERT DATA { <beoogd-effect/GEL-E01> krb:horizon "2028-12-31"^^xsd:date }',
        [("beoogd-effect/GEL-E01", KRB + "horizon", V)],
        "Stil asfalt op geluidsdruk gevel",
    ),
]


@pytest.mark.parametrize(
    ("update", "expected", "label"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_breaking_one_lifecycle_rule_gives_exactly_the_expected_finding(
    minimal: Graph, update: str, expected: list[tuple[str, str | None, str]], label: str | None
) -> None:
    assert_exactly(validate_graph(changed(minimal, update)), expected, label)


def test_derived_dates_are_refused_with_do_not_record(minimal: Graph) -> None:
    result = validate_graph(
        changed(
            minimal, 'INSERT DATA { <beleidsnorm/GEL-N01> krb:geldigTot "2030-12-31"^^xsd:date }'
        )
    )
    [finding] = result.findings
    assert "derived, do not record" in finding.message_en
    assert "afgeleid, leg hem niet vast" in finding.message_nl


def test_the_derived_closure_of_areas_is_refused_with_do_not_record(minimal: Graph) -> None:
    """krb:ligtBinnen is derived from krb:ligtIn and the geometry; typed into the data it
    would make an area lie where neither puts it."""
    result = validate_graph(
        changed(
            minimal,
            "INSERT DATA { <werkingsgebied/GM9999> krb:ligtBinnen <werkingsgebied/parkstraat> }",
        )
    )
    [finding] = result.findings
    assert finding.severity == "Violation"
    assert "derived, do not record" in finding.message_en
    assert "afgeleid, leg het niet vast" in finding.message_nl


def test_the_derived_indicator_of_an_effect_is_refused_with_do_not_record(
    minimal: Graph,
) -> None:
    """krb:werktOpIndicator is derived from krb:doelIndicator or the effect's norm; typed
    into the data it would add an indicator the effect does not act on."""
    found = minimal.query(
        "SELECT ?e WHERE { ?e a <https://data.krb.nl/def/krb#BeoogdEffect> } LIMIT 1"
    )
    effect = next(iter(found))[0]
    result = validate_graph(
        changed(
            minimal,
            f"INSERT DATA {{ <{effect}> krb:werktOpIndicator <beleidsindicator/GEL-I01> }}",
        )
    )
    [finding] = result.findings
    assert finding.severity == "Violation"
    assert "derived, do not record" in finding.message_en
    assert "afgeleid, leg het niet vast" in finding.message_nl


def test_a_successor_in_force_from_the_first_day_of_the_calendar_leaves_no_day(
    minimal: Graph,
) -> None:
    """0001-01-01 is the "unknown date" some document systems export; as the entry into
    force of a successor, the day before it was computed and the derivation crashed
    (OverflowError: a traceback on the command line, a 500 on upload)."""
    import pyoxigraph as ox
    from rdflib import Literal, URIRef

    from krbgraph.derived import derive
    from krbgraph.replica import ValidationReplica

    data = changed(
        minimal,
        """DELETE WHERE { <besluitdocument/GEL-2030> eli:first_date_entry_in_force ?d }
        ; INSERT DATA { <besluitdocument/GEL-2030> eli:first_date_entry_in_force
                        "0001-01-01"^^xsd:date }""",
    )
    copy = ox.Store()
    copy.load(
        data.serialize(format="nt").encode(),
        ox.RdfFormat.N_TRIPLES,
        to_graph=ox.NamedNode("urn:x:g"),
    )
    derived = derive(ValidationReplica(copy))
    replaced = URIRef(str(next(iter(data.subjects(URIRef(DCT + "isReplacedBy"), None)))))
    assert (replaced, URIRef(KRB + "nietInWerking"), Literal(True)) in derived
