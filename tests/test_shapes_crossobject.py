# ruff: noqa: E501  (the table of SPARQL updates reads better unwrapped)
"""The cross-object rules, one at a time, as in tests/test_shapes_constraints.py: a
variant the model allows conforms without findings, and breaking one rule yields
exactly the expected finding (object, property, severity) in Dutch and English.

The registry is tests/data/shapes/minimal.ttl with levenscyclus.ttl and
samenhang.ttl, which adds a use of every term the rules read. Covered:

- units (Violations, krbgraph/unit_checks.py): a norm's unit converts to its
  indicator's, an effect's to its norm's or target indicator's;
- a reference value or date for the toename/afname operators, and only for them
  (Violations, instrumenten.ttl);
- a period within its document's life, the level of government of the document,
  the area of an effect or uitvoering on its measure's and target's (Warnings,
  samenhang.ttl);
- a norm without calculation method or validity (Warnings, instrumenten.ttl);
- the forms of the new terms: dossier kind, norm kind, CBS year, eli:based_on.
"""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SKOS
from test_shapes_constraints import DATA, DCT, KRB, QUDT, V, W, assert_exactly, changed

from krbgraph.model import model_graph, shapes_graph
from krbgraph.rdfio import read_rdf
from krbgraph.unit_checks import EFFECT_UNIT_CHECK, NORM_UNIT_CHECK
from krbgraph.validation import validate_graph

ELI = "http://data.europa.eu/eli/ontology#"
OP = "https://data.krb.nl/id/begrip/normoperator/"
UNIT = "http://qudt.org/vocab/unit/"

# A municipality somewhere else: no krb:ligtIn to or from the registry's areas.
ELDERS = """INSERT DATA { <werkingsgebied/elders> a krb:Werkingsgebied ;
    rdfs:label "Andere gemeente"@nl ; dct:identifier "elders" ; krb:gebiedssoort gs:gemeente }"""


@pytest.fixture(scope="module")
def registry() -> Graph:
    """minimal.ttl with levenscyclus.ttl and samenhang.ttl: every rule's terms in use."""
    graph = Graph()
    for name in ("minimal.ttl", "levenscyclus.ttl", "samenhang.ttl"):
        part = read_rdf(DATA / name)
        assert isinstance(part, Graph)
        graph += part
    return graph


def test_the_registry_with_every_cross_object_term_conforms_without_findings(
    registry: Graph,
) -> None:
    result = validate_graph(registry)
    assert result.conforms
    assert result.findings == ()


def test_it_uses_every_new_term(registry: Graph) -> None:
    """So that 'conforms' covers them, not just their absence."""
    used = {str(p) for p in registry.predicates()}
    for term in (
        KRB + "dossiersoort",
        KRB + "normsoort",
        KRB + "cbsJaar",
        KRB + "referentiewaarde",
        KRB + "referentiedatum",
        ELI + "based_on",
    ):
        assert term in used, term


CONFORMING = {
    # --- units: different IRIs that convert ---
    "a norm in m on an indicator in km, an effect on it in km": "INSERT DATA { }",
    "an effect in m on a norm in m": """
        DELETE WHERE { <beoogd-effect/GRO-E01> qudt:hasUnit ?u ; qudt:numericValue ?v }
        ; INSERT DATA { <beoogd-effect/GRO-E01> qudt:hasUnit unit:M ; qudt:numericValue "-100.0"^^xsd:decimal }""",
    "an effect in m on an indicator in km": """
        DELETE WHERE { <beoogd-effect/ENE-E02> qudt:hasUnit ?u }
        ; INSERT DATA { <beoogd-effect/ENE-E02> qudt:hasUnit unit:M .
                        <beleidsindicator/BOU-I01> qudt:hasUnit unit:KiloM }""",
    "a norm on an indicator without a unit": """
        DELETE WHERE { <beleidsindicator/GRO-I01> qudt:hasUnit ?u }""",
    # --- references ---
    "a maximum increase with a reference date only": """
        DELETE WHERE { <beleidsnorm/GEZ-N01> krb:referentiewaarde ?w }""",
    "a minimum decrease with a reference value only": """
        DELETE WHERE { <beleidsnorm/GEZ-N01> krb:referentiedatum ?d ; krb:operator ?o }
        ; INSERT DATA { <beleidsnorm/GEZ-N01> krb:operator op:minimale-afname }""",
    # --- validity ---
    "a period that is exactly its document's life": """
        INSERT DATA { <besluitdocument/GEL-2030> eli:date_no_longer_in_force "2030-12-31"^^xsd:date }
        ; DELETE WHERE { <beleidsnorm/ENE-N01> dct:temporal ?p . ?p dcat:startDate ?s }
        ; DELETE WHERE { <beleidsmaatregel/GEL-M01> dct:temporal ?p . ?p dcat:startDate ?s ; dcat:endDate ?e }""",
    "a norm without a period of its own in a document with an entry into force": """
        DELETE WHERE { <beleidsnorm/GEL-N01> dct:temporal ?p . ?p a ?t ; dcat:startDate ?s ; dcat:endDate ?e }""",
    # --- areas ---
    "an effect on an area around its measure's": """
        DELETE WHERE { <beoogd-effect/GEL-E01> krb:werkingsgebied ?g }
        ; INSERT DATA { <beoogd-effect/GEL-E01> krb:werkingsgebied <werkingsgebied/GM9999> }""",
    "an effect without an area of its own": """
        DELETE WHERE { <beoogd-effect/GEL-E01> krb:werkingsgebied ?g }""",
    # --- levels of government ---
    "a rule without a level of government in a municipal document": """
        DELETE WHERE { <beleidsregel/BOU-R01> krb:bestuurslaag ?b }""",
    # --- new terms ---
    "a project dossier and a norm without a kind": """
        DELETE WHERE { <beleidsdossier/GEL> krb:dossiersoort ?s . <beleidsnorm/GEL-N01> krb:normsoort ?n }
        ; INSERT DATA { <beleidsdossier/GEL> krb:dossiersoort <https://data.krb.nl/id/begrip/dossiersoort/projectdossier> }""",
}


@pytest.mark.parametrize("update", CONFORMING.values(), ids=CONFORMING.keys())
def test_variants_the_cross_object_rules_allow_conform(registry: Graph, update: str) -> None:
    result = validate_graph(changed(registry, update))
    assert result.findings == ()


# (id, update, [(focus relative to ID, path or None, severity)], label of the focus)
CASES: list[tuple[str, str, list[tuple[str, str | None, str]], str | None]] = [
    # --- unit_checks.py: units that do not convert ---
    (
        "norm-45-procent-op-dba-indicator",
        # The mistake from the issue: 45 % on the dB(A) indicator; the effect on the
        # norm (in dB(A)) then no longer fits the norm either.
        """DELETE WHERE { <beleidsnorm/GEL-N01> qudt:hasUnit ?u ; qudt:numericValue ?v }
        ; INSERT DATA { <beleidsnorm/GEL-N01> qudt:hasUnit unit:PERCENT ; qudt:numericValue 45.0 }""",
        [
            ("beleidsnorm/GEL-N01", QUDT + "hasUnit", V),
            ("beoogd-effect/GEL-E01", QUDT + "hasUnit", V),
        ],
        None,
    ),
    (
        "norm-in-kg-op-indicator-in-km",
        """DELETE WHERE { <beleidsnorm/GRO-N01> qudt:hasUnit ?u }
        ; INSERT DATA { <beleidsnorm/GRO-N01> qudt:hasUnit unit:KiloGM }""",
        [
            ("beleidsnorm/GRO-N01", QUDT + "hasUnit", V),
            ("beoogd-effect/GRO-E01", QUDT + "hasUnit", V),
        ],
        None,
    ),
    (
        "effect-in-procent-op-norm-in-m",
        """DELETE WHERE { <beoogd-effect/GRO-E01> qudt:hasUnit ?u }
        ; INSERT DATA { <beoogd-effect/GRO-E01> qudt:hasUnit unit:PERCENT }""",
        [("beoogd-effect/GRO-E01", QUDT + "hasUnit", V)],
        "Groene speelplaatsen op afstand tot groen",
    ),
    (
        "effect-in-procent-op-indicator-in-procentpunt",
        # The percentage point has no quantity kind on purpose: it never converts to %.
        "INSERT DATA { <beleidsindicator/BOU-I01> qudt:hasUnit <https://data.krb.nl/id/begrip/eenheid/procentpunt> }",
        [("beoogd-effect/ENE-E02", QUDT + "hasUnit", V)],
        "Isolatieaanpak op beleving op ooghoogte",
    ),
    # --- instrumenten.ttl: the reference of a change ---
    (
        "toename-zonder-referentie",
        "DELETE WHERE { <beleidsnorm/GEZ-N01> krb:referentiewaarde ?w ; krb:referentiedatum ?d }",
        [("beleidsnorm/GEZ-N01", None, V)],
        "Toename slaapverstoorden maximaal 0 %",
    ),
    (
        "afname-zonder-referentie",
        """DELETE WHERE { <beleidsnorm/GEZ-N01> krb:referentiewaarde ?w ; krb:referentiedatum ?d ; krb:operator ?o }
        ; INSERT DATA { <beleidsnorm/GEZ-N01> krb:operator op:minimale-afname }""",
        [("beleidsnorm/GEZ-N01", None, V)],
        "Toename slaapverstoorden maximaal 0 %",
    ),
    (
        "referentie-bij-maximaal",
        "INSERT DATA { <beleidsnorm/GEL-N01> krb:referentiewaarde 50.0 }",
        [("beleidsnorm/GEL-N01", None, V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "referentiedatum-geen-datum",
        """DELETE WHERE { <beleidsnorm/GEZ-N01> krb:referentiedatum ?d }
        ; INSERT DATA { <beleidsnorm/GEZ-N01> krb:referentiedatum "najaar 2022" }""",
        [("beleidsnorm/GEZ-N01", KRB + "referentiedatum", V)],
        "Toename slaapverstoorden maximaal 0 %",
    ),
    (
        "twee-referentiewaarden",
        "INSERT DATA { <beleidsnorm/GEZ-N01> krb:referentiewaarde 9.0 }",
        [("beleidsnorm/GEZ-N01", KRB + "referentiewaarde", V)],
        "Toename slaapverstoorden maximaal 0 %",
    ),
    # --- samenhang.ttl: a period within its document's life ---
    (
        "norm-begint-voor-inwerkingtreding-document",
        """DELETE { ?p dcat:startDate ?s } INSERT { ?p dcat:startDate "2023-01-01"^^xsd:date }
        WHERE { <beleidsnorm/GEL-N01> dct:temporal ?p . ?p dcat:startDate ?s }""",
        [("beleidsnorm/GEL-N01", DCT + "temporal", W)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-loopt-door-na-einde-document",
        """INSERT DATA { <besluitdocument/GEL-2030> eli:date_no_longer_in_force "2030-12-31"^^xsd:date }
        ; DELETE { ?p dcat:endDate ?e } INSERT { ?p dcat:endDate "2031-12-31"^^xsd:date }
        WHERE { <beleidsnorm/GEL-N01> dct:temporal ?p . ?p dcat:endDate ?e }""",
        [("beleidsnorm/GEL-N01", DCT + "temporal", W)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-begint-na-einde-document",
        # ENE-N01 starts in 2027, a year after Geluid 2030 would end; GEZ-N01 and
        # GEL-N01 run until 2030, Stil asfalt until 2026-12-31: all past the end.
        'INSERT DATA { <besluitdocument/GEL-2030> eli:date_no_longer_in_force "2025-12-31"^^xsd:date }',
        [
            ("beleidsnorm/ENE-N01", DCT + "temporal", W),
            ("beleidsnorm/GEL-N01", DCT + "temporal", W),
            ("beleidsnorm/GEZ-N01", DCT + "temporal", W),
            ("beleidsmaatregel/GEL-M01", DCT + "temporal", W),
        ],
        None,
    ),
    (
        "maatregel-begint-voor-inwerkingtreding-document",
        """DELETE { ?p dcat:startDate ?s } INSERT { ?p dcat:startDate "2023-06-01"^^xsd:date }
        WHERE { <beleidsmaatregel/GEL-M01> dct:temporal ?p . ?p dcat:startDate ?s }""",
        [("beleidsmaatregel/GEL-M01", DCT + "temporal", W)],
        "Stil asfalt",
    ),
    (
        "regel-begint-voor-inwerkingtreding-document",
        """INSERT DATA { <beleidsregel/BOU-R01> dct:temporal [ a dct:PeriodOfTime ;
            dcat:startDate "2022-01-01"^^xsd:date ] }""",
        [("beleidsregel/BOU-R01", DCT + "temporal", W)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    (
        "document-met-twee-inwerkingtredingen-alleen-op-het-document",
        # The document's own finding, not one more on each of its five instruments.
        'INSERT DATA { <besluitdocument/GEL-2030> eli:first_date_entry_in_force "2025-01-01"^^xsd:date }',
        [("besluitdocument/GEL-2030", ELI + "first_date_entry_in_force", V)],
        "Geluid 2030",
    ),
    # --- samenhang.ttl: the level of government of the document ---
    (
        "rijksnorm-in-gemeentelijk-plan",
        """DELETE WHERE { <beleidsnorm/GEL-N01> krb:bestuurslaag ?b }
        ; INSERT DATA { <beleidsnorm/GEL-N01> krb:bestuurslaag bl:rijk }""",
        [("beleidsnorm/GEL-N01", KRB + "bestuurslaag", W)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "gemeentelijke-norm-in-provinciale-verordening",
        """DELETE WHERE { <besluitdocument/GEL-UP> krb:bestuurslaag ?b }
        ; INSERT DATA { <besluitdocument/GEL-UP> krb:bestuurslaag bl:provincie .
                        <beleidsnorm/GEZ-N01> krb:document <besluitdocument/GEL-UP> }
        ; DELETE DATA { <beleidsnorm/GEZ-N01> krb:document <besluitdocument/GEL-2030> }""",
        # Groene speelplaatsen, a municipal measure, sits there too: measures have no
        # level of government of their own, so nothing to compare.
        [("beleidsnorm/GEZ-N01", KRB + "bestuurslaag", W)],
        "Toename slaapverstoorden maximaal 0 %",
    ),
    (
        "regel-van-andere-bestuurslaag",
        """DELETE WHERE { <beleidsregel/BOU-R01> krb:bestuurslaag ?b }
        ; INSERT DATA { <beleidsregel/BOU-R01> krb:bestuurslaag bl:provincie }""",
        [("beleidsregel/BOU-R01", KRB + "bestuurslaag", W)],
        "Aantrekkelijke beleving op ooghoogte",
    ),
    # --- samenhang.ttl: areas of effects and uitvoeringen ---
    (
        "effect-elders-dan-maatregel-en-norm",
        ELDERS
        + """ ; DELETE WHERE { <beoogd-effect/GEL-E01> krb:werkingsgebied ?g }
        ; INSERT DATA { <beoogd-effect/GEL-E01> krb:werkingsgebied <werkingsgebied/elders> }""",
        [
            ("beoogd-effect/GEL-E01", KRB + "werkingsgebied", W),  # not where Stil asfalt is
            ("beoogd-effect/GEL-E01", KRB + "werkingsgebied", W),  # not where its norm holds
        ],
        "Stil asfalt op geluidsdruk gevel",
    ),
    (
        "effect-buiten-het-gebied-van-de-norm",
        # The norm holds in the Parkstraat only; the effect is meant for the whole
        # municipality (around the measure's area, but not on the norm's).
        """DELETE WHERE { <beleidsnorm/GRO-N01> krb:werkingsgebied ?g }
        ; INSERT DATA { <beleidsnorm/GRO-N01> krb:werkingsgebied <werkingsgebied/parkstraat> }
        ; DELETE WHERE { <beleidsmaatregel/GRO-M01> krb:werkingsgebied ?h }
        ; INSERT DATA { <beleidsmaatregel/GRO-M01> krb:werkingsgebied <werkingsgebied/GM9999> }
        ; DELETE WHERE { <beoogd-effect/GRO-E01> krb:werkingsgebied ?i }
        ; INSERT DATA { <beoogd-effect/GRO-E01> krb:werkingsgebied <werkingsgebied/elders> }"""
        + " ; "
        + ELDERS,
        [
            ("beoogd-effect/GRO-E01", KRB + "werkingsgebied", W),
            ("beoogd-effect/GRO-E01", KRB + "werkingsgebied", W),
        ],
        "Groene speelplaatsen op afstand tot groen",
    ),
    (
        "effect-op-indicator-elders-dan-maatregel",
        # An indicator has no area: only the measure's is compared.
        ELDERS
        + " ; INSERT DATA { <beoogd-effect/ENE-E02> krb:werkingsgebied <werkingsgebied/elders> }",
        [("beoogd-effect/ENE-E02", KRB + "werkingsgebied", W)],
        "Isolatieaanpak op beleving op ooghoogte",
    ),
    (
        "uitvoering-elders-dan-maatregel-en-regel",
        ELDERS
        + """ ; DELETE WHERE { <beoogde-uitvoering/TOR-U01> krb:werkingsgebied ?g }
        ; INSERT DATA { <beoogde-uitvoering/TOR-U01> krb:werkingsgebied <werkingsgebied/elders> }""",
        [
            ("beoogde-uitvoering/TOR-U01", KRB + "werkingsgebied", W),
            ("beoogde-uitvoering/TOR-U01", KRB + "werkingsgebied", W),
        ],
        "Zichtlijn bewaard",
    ),
    # --- instrumenten.ttl: compleet beleid ---
    (
        "norm-zonder-rekenmethode",
        "DELETE WHERE { <beleidsnorm/GEL-N01> krb:rekenmethode ?m }",
        [("beleidsnorm/GEL-N01", KRB + "rekenmethode", W)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "norm-zonder-geldigheid",
        """DELETE WHERE { <beleidsnorm/GEL-N01> dct:temporal ?p . ?p a ?t ; dcat:startDate ?s ; dcat:endDate ?e }
        ; DELETE WHERE { <besluitdocument/GEL-2030> eli:first_date_entry_in_force ?d }
        ; DELETE WHERE { ?besluit prov:generated <besluitdocument/GEL-2030> ; ?p ?o }
        ; DELETE WHERE { <besluitdocument/GEL-2030> eli:date_document ?dd }""",
        # With no adopting decision left either: GRO-N01, in the same document without
        # a period of its own, loses it too; the document is warned to have no decision
        # and Geluid 2020 to be replaced by a document that never comes into force.
        [
            ("beleidsnorm/GEL-N01", None, W),
            ("beleidsnorm/GRO-N01", None, W),
            ("besluitdocument/GEL-2030", "^http://www.w3.org/ns/prov#generated", W),
            ("besluitdocument/GEL-2020", "http://purl.org/dc/terms/isReplacedBy", W),
        ],
        None,
    ),
    (
        # an m.e.r.-advice adopts nothing (Lifecycle rule): only an advice dated, no
        # entry into force, no document date: no start, as krbgraph.derived finds
        "norm-met-alleen-een-mer-advies",
        """DELETE WHERE { <beleidsnorm/GEL-N01> dct:temporal ?p . ?p a ?t ; dcat:startDate ?s ; dcat:endDate ?e }
        ; DELETE WHERE { <besluitdocument/GEL-2030> eli:first_date_entry_in_force ?d }
        ; DELETE WHERE { <besluitdocument/GEL-2030> eli:date_document ?dd }
        ; DELETE WHERE { <besluitproces/GEL-2030-RB> krb:besluitsoort ?k }
        ; INSERT DATA { <besluitproces/GEL-2030-RB> krb:besluitsoort bs:mer-advies }""",
        [
            ("beleidsnorm/GEL-N01", None, W),
            ("beleidsnorm/GRO-N01", None, W),
            ("besluitdocument/GEL-2020", "http://purl.org/dc/terms/isReplacedBy", W),
        ],
        None,
    ),
    # --- the forms of the new terms ---
    (
        "dossiersoort-uit-verkeerde-lijst",
        """DELETE WHERE { <beleidsdossier/GEL> krb:dossiersoort ?s }
        ; INSERT DATA { <beleidsdossier/GEL> krb:dossiersoort doc:beleidsplan }""",
        [("beleidsdossier/GEL", KRB + "dossiersoort", V)],
        "Geluid",
    ),
    (
        "normsoort-uit-verkeerde-lijst",
        """DELETE WHERE { <beleidsnorm/GEL-N01> krb:normsoort ?s }
        ; INSERT DATA { <beleidsnorm/GEL-N01> krb:normsoort st:vastgesteld }""",
        [("beleidsnorm/GEL-N01", KRB + "normsoort", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "twee-normsoorten",
        "INSERT DATA { <beleidsnorm/GEL-N01> krb:normsoort <https://data.krb.nl/id/begrip/normsoort/streefwaarde> }",
        [("beleidsnorm/GEL-N01", KRB + "normsoort", V)],
        "Geluidsdruk gevel maximaal 48 dB(A)",
    ),
    (
        "cbs-jaar-geen-jaar",
        """DELETE WHERE { <werkingsgebied/GM9999> krb:cbsJaar ?j }
        ; INSERT DATA { <werkingsgebied/GM9999> krb:cbsJaar "2024-01-01"^^xsd:date }""",
        [("werkingsgebied/GM9999", KRB + "cbsJaar", V)],
        "Voorbeeldgemeente",
    ),
    (
        "gebaseerd-op-geen-document",
        "INSERT DATA { <besluitdocument/GEL-UP> eli:based_on <beleidsdossier/GEL> }",
        [("besluitdocument/GEL-UP", ELI + "based_on", V)],
        "Uitvoeringsprogramma Geluid",
    ),
]


@pytest.mark.parametrize(
    ("update", "expected", "label"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_breaking_one_cross_object_rule_gives_exactly_the_expected_finding(
    registry: Graph, update: str, expected: list[tuple[str, str | None, str]], label: str | None
) -> None:
    assert_exactly(validate_graph(changed(registry, update)), expected, label)


def test_a_unit_finding_names_both_units_and_its_check(registry: Graph) -> None:
    update = """DELETE WHERE { <beleidsnorm/GEL-N01> qudt:hasUnit ?u ; qudt:numericValue ?v }
        ; INSERT DATA { <beleidsnorm/GEL-N01> qudt:hasUnit unit:PERCENT ; qudt:numericValue 45.0 }"""
    result = validate_graph(changed(registry, update))
    norm = next(f for f in result.findings if f.focus.endswith("beleidsnorm/GEL-N01"))
    assert norm.shape == str(NORM_UNIT_CHECK)
    assert norm.value == UNIT + "PERCENT"
    for message in (norm.message_nl, norm.message_en):
        assert "%" in message and "dB(A)" in message
        assert "Geluidsdruk gevel (Lden)" in message  # the indicator it is compared with
    effect = next(f for f in result.findings if f.focus.endswith("beoogd-effect/GEL-E01"))
    assert effect.shape == str(EFFECT_UNIT_CHECK)
    # Both findings are results of the SHACL report too, so every report format shows them.
    assert len(list(result.report.subjects(predicate=None, object=NORM_UNIT_CHECK))) == 1


def test_an_effect_on_a_norm_without_a_unit_says_so(registry: Graph) -> None:
    result = validate_graph(
        changed(registry, "INSERT DATA { <beoogd-effect/ENE-E01> qudt:hasUnit unit:NUM }")
    )
    messages = [f.message_en for f in result.findings if f.shape == str(EFFECT_UNIT_CHECK)]
    assert messages and "which has no unit" in messages[0]


def test_the_reference_rule_covers_the_four_change_operators_only() -> None:
    """The operators the reference rule lists are exactly those whose definition speaks
    of the reference situation (ontology/waardelijsten/normoperatoren.ttl)."""
    model, shapes = model_graph(), shapes_graph()
    change = {
        str(concept)
        for concept, definition in model.subject_objects(SKOS.definition)
        if str(concept).startswith(OP) and "referentiesituatie" in str(definition)
    }
    listed = {str(value) for value in shapes.objects(None, RDF.first) if str(value).startswith(OP)}
    assert (
        change
        == listed
        == {
            OP + name
            for name in (
                "maximale-toename",
                "minimale-toename",
                "maximale-afname",
                "minimale-afname",
            )
        }
    )
