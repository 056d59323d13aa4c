"""The demo registry keeps the data contract of docs/datamodel.md, triple by triple.

The demo is copied by municipalities as the pattern for their own data, so a
slip in it (a dangling IRI, a unit that differs from its norm's, an IMBOR
class that does not exist, a second label) would spread. These checks read
the demo files as they are and compare them with the model: ontology, value
lists, units and IMBOR extract.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from krbgraph.model import model_graph, project_root, shapes_graph
from krbgraph.namespaces import ELI, GEO, KRB, ORG, QUDT

DEMO_DIR = project_root() / "examples" / "demo"
BASE = "https://krb.demogemeente.nl/id/"
KADER = "https://data.krb.nl/kader/id/"
"""The frameworks of Rijk and provincie: the same for every municipality, not minted
under the municipality's base (examples/demo/kaders-rijk-provincie.ttl)."""
REGISTRIES = (BASE, KADER)
BEGRIP = "https://data.krb.nl/id/begrip/"
SCHEME = "https://data.krb.nl/id/conceptschema/"
LEEFOMGEVING_SCHEME = URIRef(SCHEME + "leefomgeving")
LEEFOMGEVING_ALLE = URIRef(BEGRIP + "leefomgeving/alle")
ID = Namespace(BASE)
# Plain namespaces: rdflib warns when pytest probes its closed DCAT and XSD ones.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
BEGRIP_STATUS = Namespace(BEGRIP + "status/")

TYPE_SEGMENT = {
    KRB.Beleidsdossier: "beleidsdossier",
    KRB.Besluitdocument: "besluitdocument",
    KRB.Besluitproces: "besluitproces",
    KRB.Beleidsthema: "beleidsthema",
    KRB.Beleidsaspect: "beleidsaspect",
    KRB.Beleidsindicator: "beleidsindicator",
    KRB.Beleidsnorm: "beleidsnorm",
    KRB.Beleidsregel: "beleidsregel",
    KRB.Beleidsmaatregel: "beleidsmaatregel",
    KRB.MerMaatregel: "beleidsmaatregel",
    KRB.BeoogdEffect: "beoogd-effect",
    KRB.BeoogdeUitvoering: "beoogde-uitvoering",
    KRB.Werkingsgebied: "werkingsgebied",
    ORG.OrganizationalUnit: "afdeling",
    KRB.LokaalObjecttype: "leefomgeving",
    SKOS.ConceptScheme: "conceptschema",
}
"""The {type} segment of the IRI of each class of thing (krbgraph.iris.THING_TYPES)."""

SKOS_THINGS = {KRB.Beleidsthema, KRB.Beleidsaspect, KRB.LokaalObjecttype}
NAMED_THINGS = set(TYPE_SEGMENT) - SKOS_THINGS - {SKOS.ConceptScheme}
"""Things that carry rdfs:label@nl and dct:identifier (datamodel.md, 'Identity and names')."""

MAATREGEL = (KRB.Beleidsmaatregel, KRB.MerMaatregel)

# (class, property, min, max) straight from docs/datamodel.md; None = unbounded.
CARDINALITIES: list[tuple[URIRef | tuple[URIRef, ...], URIRef, int, int | None]] = [
    (KRB.Beleidsdossier, KRB.beleidsthema, 0, 1),
    (KRB.Beleidsdossier, KRB.dossiersoort, 1, 1),
    (KRB.Besluitdocument, KRB.documentsoort, 1, 1),
    (KRB.Besluitdocument, DCTERMS.isPartOf, 1, 1),
    (KRB.Besluitdocument, KRB.werkingsgebied, 0, 1),
    (KRB.Besluitdocument, ELI.date_document, 0, 1),
    (KRB.Besluitdocument, ELI.id_local, 0, 1),
    (KRB.Besluitdocument, KRB.bestuurslaag, 1, 1),
    (KRB.Besluitdocument, ADMS.status, 0, 1),
    (KRB.Besluitdocument, ELI.first_date_entry_in_force, 0, 1),
    (KRB.Besluitdocument, ELI.date_no_longer_in_force, 0, 1),
    (KRB.Besluitproces, KRB.besluitsoort, 1, 1),
    (KRB.Besluitproces, PROV.generated, 1, 1),
    (KRB.Besluitproces, DCTERMS.date, 1, 1),
    (KRB.Besluitproces, KRB.risNummer, 0, 1),
    (KRB.Beleidsthema, SKOS.inScheme, 1, 1),
    (KRB.Beleidsaspect, SKOS.broader, 1, 1),
    (KRB.Beleidsaspect, SKOS.inScheme, 1, 1),
    (KRB.Beleidsindicator, KRB.beleidsthema, 1, 1),
    (KRB.Beleidsindicator, KRB.beleidsaspect, 0, 1),
    (KRB.Beleidsindicator, KRB.indicatorsoort, 1, 1),
    (KRB.Beleidsindicator, QUDT.hasUnit, 0, 1),
    (KRB.Beleidsindicator, KRB.afdeling, 0, 1),
    (KRB.Beleidsnorm, KRB.indicator, 1, 1),
    (KRB.Beleidsnorm, KRB.document, 1, 1),
    (KRB.Beleidsnorm, KRB.operator, 1, 1),
    (KRB.Beleidsnorm, KRB.werkingsgebied, 1, None),
    (KRB.Beleidsnorm, DCTERMS.temporal, 0, 1),
    (KRB.Beleidsnorm, KRB.bestuurslaag, 1, 1),
    (KRB.Beleidsnorm, ADMS.status, 0, 1),
    (KRB.Beleidsnorm, KRB.normsoort, 1, 1),
    (KRB.Beleidsnorm, KRB.rekenmethode, 1, 1),
    (KRB.Beleidsnorm, KRB.referentiewaarde, 0, 1),
    (KRB.Beleidsnorm, KRB.referentiedatum, 0, 1),
    (KRB.Beleidsregel, KRB.indicator, 0, 1),
    (KRB.Beleidsregel, KRB.document, 1, 1),
    (KRB.Beleidsregel, KRB.werkingsgebied, 1, None),
    (KRB.Beleidsregel, DCTERMS.temporal, 0, 1),
    (KRB.Beleidsregel, KRB.bestuurslaag, 0, 1),
    (KRB.Beleidsregel, KRB.beleidsthema, 0, 1),
    (KRB.Beleidsregel, ADMS.status, 0, 1),
    (MAATREGEL, KRB.beleidsthema, 1, 1),
    (MAATREGEL, KRB.document, 1, 1),
    (MAATREGEL, KRB.werkingsgebied, 1, None),
    (MAATREGEL, DCTERMS.temporal, 0, 1),
    (MAATREGEL, ADMS.status, 0, 1),
    (KRB.BeoogdEffect, KRB.maatregel, 1, 1),
    (KRB.BeoogdEffect, KRB.norm, 0, 1),
    (KRB.BeoogdEffect, KRB.doelIndicator, 0, 1),
    (KRB.BeoogdEffect, QUDT.numericValue, 0, 1),
    (KRB.BeoogdEffect, QUDT.hasUnit, 0, 1),
    (KRB.BeoogdEffect, KRB.doelBegrip, 0, 1),
    (KRB.BeoogdEffect, KRB.labelstappen, 0, 1),
    (KRB.BeoogdEffect, KRB.horizon, 0, 1),
    (KRB.BeoogdEffect, KRB.werkingsgebied, 0, 1),
    (KRB.BeoogdeUitvoering, KRB.maatregel, 1, 1),
    (KRB.BeoogdeUitvoering, KRB.regel, 1, 1),
    (KRB.BeoogdeUitvoering, KRB.werkingsgebied, 0, 1),
    (KRB.Werkingsgebied, KRB.gebiedssoort, 1, 1),
    (KRB.Werkingsgebied, KRB.ligtIn, 0, None),
    (KRB.Werkingsgebied, SKOS.notation, 0, 1),
    (KRB.Werkingsgebied, KRB.cbsJaar, 0, 1),
    (KRB.Werkingsgebied, GEO.hasGeometry, 0, 1),
    (KRB.LokaalObjecttype, RDFS.subClassOf, 1, 1),
    (KRB.LokaalObjecttype, SKOS.inScheme, 1, 1),
]

# property -> the class its IRI values must have (in the demo)
RANGES = {
    DCTERMS.isPartOf: KRB.Beleidsdossier,
    PROV.generated: KRB.Besluitdocument,
    KRB.document: KRB.Besluitdocument,
    KRB.werkingsgebied: KRB.Werkingsgebied,
    KRB.ligtIn: KRB.Werkingsgebied,
    KRB.beleidsthema: KRB.Beleidsthema,
    KRB.beleidsaspect: KRB.Beleidsaspect,
    KRB.indicator: KRB.Beleidsindicator,
    KRB.maatregel: KRB.Beleidsmaatregel,
    KRB.norm: KRB.Beleidsnorm,
    KRB.regel: KRB.Beleidsregel,
    KRB.afdeling: ORG.OrganizationalUnit,
    KRB.doelIndicator: KRB.Beleidsindicator,
    DCTERMS.isReplacedBy: KRB.Besluitdocument,
    DCTERMS.replaces: KRB.Besluitdocument,
    ELI.based_on: KRB.Besluitdocument,
}

# property -> the product value list its values come from
VALUE_LISTS = {
    KRB.documentsoort: "documentsoort",
    KRB.dossiersoort: "dossiersoort",
    KRB.normsoort: "normsoort",
    KRB.besluitsoort: "besluitsoort",
    KRB.bestuurslaag: "bestuurslaag",
    KRB.gebiedssoort: "gebiedssoort",
    KRB.indicatorsoort: "indicatorsoort",
    KRB.operator: "normoperator",
    KRB.sector: "sector",
    KRB.materiaal: "materiaal",
    KRB.waardeBegrip: "energielabel",
    KRB.doelBegrip: "energielabel",
}

STATUS_LISTS = {
    KRB.Besluitdocument: "status",
    KRB.Beleidsnorm: "status",
    KRB.Beleidsregel: "status",
    KRB.Beleidsmaatregel: "uitvoeringsstatus",
    KRB.MerMaatregel: "uitvoeringsstatus",
}
"""adms:status takes its value from a different list per class of thing."""

DERIVED = (KRB.geldigVanaf, KRB.geldigTot, KRB.nietInWerking)
"""Written by krbgraph into its derived graph, never into the data."""

THEME_CODES = {
    ID["beleidsthema/geluid"]: "GEL",
    ID["beleidsthema/bouwen"]: "BOU",
    ID["beleidsthema/gezondheid"]: "GEZ",
    ID["beleidsthema/circulaire-economie"]: "CIR",
    ID["beleidsthema/energietransitie"]: "ENE",
    ID["beleidsthema/groen"]: "GRO",
    ID["beleidsthema/klimaatadaptatie"]: "KLI",
}

CBS_CODE = re.compile(r"^(GM|WK|BU|PV)[0-9]{4,8}$")
WKT_28992 = re.compile(
    r"^<http://www\.opengis\.net/def/crs/EPSG/0/28992> POLYGON\(\((?P<ring>[0-9 .,]+)\)\)$"
)


@pytest.fixture(scope="module")
def demo() -> Graph:
    graph = Graph()
    for path in sorted(DEMO_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def model() -> Graph:
    return model_graph()


def things(demo: Graph, *classes: URIRef) -> Iterator[URIRef]:
    for cls in classes:
        for subject in demo.subjects(RDF.type, cls):
            assert isinstance(subject, URIRef), f"a {cls} is a blank node"
            yield subject


def code(demo: Graph, thing: Node) -> str:
    return str(demo.value(thing, DCTERMS.identifier))


def successors(demo: Graph, document: Node) -> set[Node]:
    """The documents that replace ``document``, recorded from either side."""
    return set(demo.objects(document, DCTERMS.isReplacedBy)) | set(
        demo.subjects(DCTERMS.replaces, document)
    )


# --- Identity and names -------------------------------------------------------------------


def test_every_iri_of_the_registry_that_is_used_is_described(demo: Graph) -> None:
    described = {s for s in demo.subjects(RDF.type, None) if str(s).startswith(REGISTRIES)}
    used = {
        term
        for triple in demo
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(REGISTRIES)
    }
    assert sorted(used - described) == []


def test_every_thing_has_its_iri_under_its_type_and_its_code_as_identifier(demo: Graph) -> None:
    wrong: list[str] = []
    for cls, segment in TYPE_SEGMENT.items():
        for thing in things(demo, cls):
            if not str(thing).startswith(tuple(f"{base}{segment}/" for base in REGISTRIES)):
                wrong.append(f"{thing}: a {cls} belongs under {segment}/")
            if cls in NAMED_THINGS:
                ids = list(demo.objects(thing, DCTERMS.identifier))
                reference = str(thing).rsplit("/", 1)[1]
                if len(ids) != 1 or ids[0] != Literal(reference):
                    wrong.append(f"{thing}: dct:identifier {ids} should be [{reference!r}]")
    assert wrong == []


def _framework(demo: Graph) -> set[Node]:
    """What Rijk and provincie adopted: their documents, the dossiers, decisions and
    norms of those documents, and the areas of those levels (land, provincie)."""
    levels = {URIRef(BEGRIP + "bestuurslaag/rijk"), URIRef(BEGRIP + "bestuurslaag/provincie")}
    documents = {
        d for d in things(demo, KRB.Besluitdocument) if demo.value(d, KRB.bestuurslaag) in levels
    }
    areas = {
        a
        for a in things(demo, KRB.Werkingsgebied)
        if str(demo.value(a, KRB.gebiedssoort)).rsplit("/", 1)[1] in ("land", "provincie")
    }
    return (
        documents
        | areas
        | {demo.value(d, DCTERMS.isPartOf) for d in documents}
        | {b for d in documents for b in demo.subjects(PROV.generated, d)}
        | {i for d in documents for i in demo.subjects(KRB.document, d)}
    )


def test_frameworks_of_rijk_and_provincie_have_iris_of_their_own(demo: Graph) -> None:
    """Not minted under the municipality's base: every municipality refers to the same
    IRIs; and nothing of the municipality's own lives there."""
    framework = _framework(demo)
    assert {"BKL", "BB2012", "WGH", "OV-DEMO", "nederland", "demoprovincie"} <= {
        code(demo, t) for t in framework
    }
    assert sorted(str(t) for t in framework if not str(t).startswith(KADER)) == []
    own = {s for s in demo.subjects(RDF.type, None) if str(s).startswith(KADER)} - framework
    assert sorted(map(str, own)) == []


def test_every_thing_has_exactly_one_dutch_name(demo: Graph) -> None:
    wrong: list[str] = []
    for thing in {s for s in demo.subjects(RDF.type, None) if str(s).startswith(REGISTRIES)}:
        classes = set(demo.objects(thing, RDF.type))
        properties = []
        if classes & SKOS_THINGS:
            properties.append(SKOS.prefLabel)
        if not classes & (SKOS_THINGS - {KRB.LokaalObjecttype}):
            properties.append(DCTERMS.title if SKOS.ConceptScheme in classes else RDFS.label)
        for prop in properties:
            names = list(demo.objects(thing, prop))
            if len(names) != 1 or not isinstance(names[0], Literal) or names[0].language != "nl":
                wrong.append(f"{thing} {prop}: {names}")
    assert wrong == []


def test_names_and_codes_are_unique_per_kind(demo: Graph) -> None:
    for cls in NAMED_THINGS - {KRB.MerMaatregel}:
        members = list(things(demo, cls))
        codes = Counter(code(demo, t) for t in members)
        names = Counter(str(demo.value(t, RDFS.label)) for t in members)
        assert [c for c, n in codes.items() if n > 1] == [], cls
        assert [c for c, n in names.items() if n > 1] == [], cls


def test_literals_have_the_contracted_datatypes(demo: Graph) -> None:
    expected = {
        DCTERMS.identifier: XSD.string,
        KRB.risNummer: XSD.string,
        ELI.id_local: XSD.string,
        SKOS.notation: XSD.string,
        DCTERMS.date: XSD.date,
        ELI.date_document: XSD.date,
        ELI.first_date_entry_in_force: XSD.date,
        ELI.date_no_longer_in_force: XSD.date,
        KRB.horizon: XSD.date,
        KRB.labelstappen: XSD.integer,
        KRB.referentiewaarde: XSD.decimal,
        KRB.referentiedatum: XSD.date,
        KRB.cbsJaar: XSD.gYear,
        DCAT.startDate: XSD.date,
        DCAT.endDate: XSD.date,
        QUDT.numericValue: XSD.decimal,
        GEO.asWKT: GEO.wktLiteral,
    }
    wrong = []
    for prop, datatype in expected.items():
        for s, o in demo.subject_objects(prop):
            assert isinstance(o, Literal)
            actual = o.datatype or (None if o.language else XSD.string)
            if actual != datatype:
                wrong.append(f"{s} {prop} {o!r}")
    assert wrong == []


# --- Cardinalities and links ----------------------------------------------------------------


def _local(term: URIRef) -> str:
    return re.split(r"[#/]", str(term))[-1]


@pytest.mark.parametrize(
    ("cls", "prop", "low", "high"),
    CARDINALITIES,
    ids=[
        f"{_local(c if isinstance(c, URIRef) else c[0])}-{_local(p)}" for c, p, *_ in CARDINALITIES
    ],
)
def test_cardinality(
    demo: Graph, cls: URIRef | tuple[URIRef, ...], prop: URIRef, low: int, high: int | None
) -> None:
    classes = cls if isinstance(cls, tuple) else (cls,)
    members = set(things(demo, *classes))
    assert members, f"the demo has no {classes[0]}"
    wrong = {
        str(m): n
        for m in members
        if (n := len(list(demo.objects(m, prop)))) < low or (high is not None and n > high)
    }
    assert wrong == {}


def test_links_point_to_things_of_the_right_class(demo: Graph) -> None:
    wrong = []
    for prop, cls in RANGES.items():
        for s, o in demo.subject_objects(prop):
            types = set(demo.objects(o, RDF.type))
            if cls == KRB.Beleidsmaatregel:
                types |= {KRB.Beleidsmaatregel} if KRB.MerMaatregel in types else set()
            if cls not in types:
                wrong.append(f"{s} {prop} {o}: not a {cls}")
    assert wrong == []


def test_values_come_from_the_product_value_lists(demo: Graph, model: Graph) -> None:
    wrong = []
    for prop, scheme in VALUE_LISTS.items():
        for s, o in demo.subject_objects(prop):
            if (o, SKOS.inScheme, URIRef(SCHEME + scheme)) not in model:
                wrong.append(f"{s} {prop} {o}: not in the {scheme} list")
    assert wrong == []


def test_statuses_come_from_the_list_of_their_class(demo: Graph, model: Graph) -> None:
    wrong = []
    for cls, scheme in STATUS_LISTS.items():
        for thing in things(demo, cls):
            for status in demo.objects(thing, ADMS.status):
                if (status, SKOS.inScheme, URIRef(SCHEME + scheme)) not in model:
                    wrong.append(f"{code(demo, thing)}: status {status} not in the {scheme} list")
    used = {s for s, _, _ in demo.triples((None, ADMS.status, None))}
    assert used, "the demo shows statuses"
    assert wrong == []


def test_derived_dates_are_never_recorded_in_the_demo(demo: Graph) -> None:
    assert [t for p in DERIVED for t in demo.triples((None, p, None))] == []


def test_an_indicators_aspect_belongs_to_its_theme(demo: Graph) -> None:
    for indicator in things(demo, KRB.Beleidsindicator):
        aspect = demo.value(indicator, KRB.beleidsaspect)
        if aspect is not None:
            assert demo.value(aspect, SKOS.broader) == demo.value(indicator, KRB.beleidsthema)


def test_themes_and_aspects_live_in_the_registry_scheme_with_a_title(demo: Graph) -> None:
    scheme = ID["conceptschema/beleidsthemas"]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in demo
    assert demo.value(scheme, DCTERMS.title) == Literal("Beleidsthema's Demogemeente", lang="nl")
    for concept in things(demo, KRB.Beleidsthema, KRB.Beleidsaspect):
        assert (concept, RDF.type, SKOS.Concept) in demo
        assert demo.value(concept, SKOS.inScheme) == scheme
    themes = set(things(demo, KRB.Beleidsthema))
    assert themes == set(THEME_CODES)
    assert set(demo.objects(scheme, SKOS.hasTopConcept)) == themes


def test_codes_start_with_the_code_of_their_theme(demo: Graph) -> None:
    """GEL-N01 is a Geluid norm: the prefix follows the indicator's (or measure's) theme.
    A framework's norm starts with its document's code instead (BKL-N01 in the BKL), so
    it never clashes with a municipality's own codes."""
    wrong = []

    def check(thing: Node, theme: Node | None) -> None:
        if theme is not None and not code(demo, thing).startswith(THEME_CODES[theme] + "-"):
            wrong.append(f"{code(demo, thing)} belongs to {theme}")

    for indicator in things(demo, KRB.Beleidsindicator):
        check(indicator, demo.value(indicator, KRB.beleidsthema))
    for instrument in things(demo, KRB.Beleidsnorm, KRB.Beleidsregel):
        if str(instrument).startswith(KADER):
            document = code(demo, demo.value(instrument, KRB.document))
            if not code(demo, instrument).startswith(document + "-"):
                wrong.append(f"{code(demo, instrument)} belongs to framework {document}")
            continue
        indicator = demo.value(instrument, KRB.indicator)
        if indicator is not None:
            check(instrument, demo.value(indicator, KRB.beleidsthema))
        else:  # a rule without indicator carries its own theme
            check(instrument, demo.value(instrument, KRB.beleidsthema))
    for measure in things(demo, *MAATREGEL):
        check(measure, demo.value(measure, KRB.beleidsthema))
    for link in things(demo, KRB.BeoogdEffect, KRB.BeoogdeUitvoering):
        check(link, demo.value(demo.value(link, KRB.maatregel), KRB.beleidsthema))
    assert wrong == []


# --- Values, units and validity ------------------------------------------------------------


def test_a_norm_has_a_number_with_a_unit_or_a_concept_without_one(
    demo: Graph, model: Graph
) -> None:
    for norm in things(demo, KRB.Beleidsnorm):
        numbers = list(demo.objects(norm, QUDT.numericValue))
        concepts = list(demo.objects(norm, KRB.waardeBegrip))
        units = list(demo.objects(norm, QUDT.hasUnit))
        assert len(numbers) + len(concepts) == 1, code(demo, norm)
        assert len(units) == len(numbers), code(demo, norm)
        for unit in units:
            assert (unit, RDF.type, QUDT.Unit) in model, f"{code(demo, norm)}: unknown unit {unit}"
        for concept in concepts:
            assert (concept, KRB.rangorde, None) in model, "a concept value must be ordered"


def test_units_agree_along_indicator_norm_and_effect(demo: Graph) -> None:
    wrong = []
    for norm in things(demo, KRB.Beleidsnorm):
        unit = demo.value(norm, QUDT.hasUnit)
        indicator_unit = demo.value(demo.value(norm, KRB.indicator), QUDT.hasUnit)
        if unit != indicator_unit:
            wrong.append(f"{code(demo, norm)}: {unit} vs indicator {indicator_unit}")
    for effect in things(demo, KRB.BeoogdEffect):
        unit = demo.value(effect, QUDT.hasUnit)
        target = demo.value(effect, KRB.norm) or demo.value(effect, KRB.doelIndicator)
        target_unit = demo.value(target, QUDT.hasUnit)
        if unit != target_unit:
            wrong.append(f"{code(demo, effect)}: {unit} vs {target_unit} of {target}")
    assert wrong == []


def test_an_effect_acts_on_a_norm_or_an_indicator_with_the_value_its_norm_takes(
    demo: Graph,
) -> None:
    """A number on a number norm or an indicator; a target label or label steps (exactly
    one) on a norm whose value is a concept, the label from the norm's own list."""
    wrong = []
    for effect in things(demo, KRB.BeoogdEffect):
        norm = demo.value(effect, KRB.norm)
        indicator = demo.value(effect, KRB.doelIndicator)
        if (norm is None) == (indicator is None):
            wrong.append(f"{code(demo, effect)}: needs exactly one of norm and doelIndicator")
            continue
        number = demo.value(effect, QUDT.numericValue)
        label = demo.value(effect, KRB.doelBegrip)
        steps = demo.value(effect, KRB.labelstappen)
        norm_concept = demo.value(norm, KRB.waardeBegrip) if norm is not None else None
        if norm_concept is None:
            ok = number is not None and label is None and steps is None
        else:
            ok = number is None and (label is None) != (steps is None)
            if label is not None:
                ok = ok and str(label).rsplit("/", 1)[0] == str(norm_concept).rsplit("/", 1)[0]
        if not ok:
            wrong.append(f"{code(demo, effect)}: value does not fit its norm or indicator")
    assert wrong == []


def test_validity_periods_start_and_do_not_end_before_they_start(demo: Graph) -> None:
    periods = list(demo.objects(None, DCTERMS.temporal))
    assert len(periods) >= 8
    for period in periods:
        assert isinstance(period, BNode)
        assert (period, RDF.type, DCTERMS.PeriodOfTime) in demo
        start = demo.value(period, DCAT.startDate)
        end = demo.value(period, DCAT.endDate)
        assert start is not None
        assert end is None or end.toPython() >= start.toPython()


# --- Leefomgeving: IMBOR and local object types -----------------------------------------


def test_every_object_type_used_exists_in_the_imbor_extract_or_locally(
    demo: Graph, model: Graph
) -> None:
    local = set(things(demo, KRB.LokaalObjecttype))
    used = set(demo.objects(None, KRB.leefomgeving))
    assert used - local, "the demo uses IMBOR classes directly"
    missing = [
        str(o)
        for o in used - local - {LEEFOMGEVING_ALLE}
        if (o, RDF.type, OWL.Class) not in model
        or (o, SKOS.inScheme, LEEFOMGEVING_SCHEME) not in model
    ]
    assert missing == []


def test_local_object_types_hang_under_an_imbor_class_and_zoekingang(
    demo: Graph, model: Graph
) -> None:
    local = list(things(demo, KRB.LokaalObjecttype))
    assert {str(demo.value(t, SKOS.prefLabel)) for t in local} == {"Woningen", "ORAC's"}
    for objecttype in local:
        assert {OWL.Class, SKOS.Concept} <= set(demo.objects(objecttype, RDF.type))
        assert demo.value(objecttype, SKOS.inScheme) == ID["conceptschema/leefomgeving-lokaal"]
        assert demo.value(objecttype, RDFS.label) == demo.value(objecttype, SKOS.prefLabel)
        parent = demo.value(objecttype, RDFS.subClassOf)
        assert (parent, SKOS.inScheme, LEEFOMGEVING_SCHEME) in model, parent
        for zoekingang in demo.objects(objecttype, KRB.zoekingang):
            assert (zoekingang, RDF.type, KRB.Zoekingang) in model, zoekingang


def test_every_norm_is_classified(demo: Graph) -> None:
    unclassified = [
        code(demo, norm)
        for norm in things(demo, KRB.Beleidsnorm)
        if not any(demo.value(norm, p) for p in (KRB.sector, KRB.leefomgeving, KRB.materiaal))
    ]
    assert unclassified == []


# --- Completeness: the demo shows a complete registry -------------------------------------


def test_no_completeness_warnings(demo: Graph) -> None:
    """The warnings of the method; the demo deliberately triggers none."""
    hooked = set(demo.objects(None, KRB.indicator)) | set(demo.objects(None, KRB.doelIndicator))
    carried_out = set(demo.objects(None, KRB.maatregel))
    decided = set(demo.objects(None, PROV.generated))
    warnings = [
        *(
            f"indicator {code(demo, i)} has no norm or rule"
            for i in things(demo, KRB.Beleidsindicator)
            if i not in hooked
        ),
        *(
            f"measure {code(demo, m)} has no effect or uitvoering"
            for m in things(demo, *MAATREGEL)
            if m not in carried_out
        ),
        *(
            f"document {code(demo, d)} has no decision"
            for d in things(demo, KRB.Besluitdocument)
            if d not in decided
        ),
        *(
            f"document {code(demo, d)} ended without a last day in force or a successor"
            for d in things(demo, KRB.Besluitdocument)
            if demo.value(d, ADMS.status)
            in (BEGRIP_STATUS["ingetrokken"], BEGRIP_STATUS["vervallen"])
            and demo.value(d, ELI.date_no_longer_in_force) is None
            and not successors(demo, d)
        ),
        *(
            f"document {code(demo, d)} has a successor without a start"
            for d in things(demo, KRB.Besluitdocument)
            for s in successors(demo, d)
            if demo.value(s, ELI.first_date_entry_in_force) is None and s not in decided
        ),
    ]
    assert warnings == []


# --- Areas ---------------------------------------------------------------------------------------

AREA_RANK = {
    "land": 0,
    "provincie": 1,
    "gemeente": 2,
    "stadsdeel": 3,
    "dorp": 3,
    "wijk": 4,
    "buurt": 5,
    "straat": 6,
    "plangebied": 6,
    "focusgebied": 6,
}


def test_areas_nest_from_country_to_street(demo: Graph) -> None:
    wrong = []
    for area in things(demo, KRB.Werkingsgebied):
        kind = str(demo.value(area, KRB.gebiedssoort)).rsplit("/", 1)[1]
        for parent in demo.objects(area, KRB.ligtIn):
            parent_kind = str(demo.value(parent, KRB.gebiedssoort)).rsplit("/", 1)[1]
            if AREA_RANK[parent_kind] >= AREA_RANK[kind]:
                wrong.append(f"{code(demo, area)} ({kind}) in {code(demo, parent)} ({parent_kind})")
        notation = demo.value(area, SKOS.notation)
        if notation is not None and (
            not CBS_CODE.match(str(notation)) or str(notation) != code(demo, area)
        ):
            wrong.append(f"{code(demo, area)}: CBS code {notation}")
        if notation is not None and demo.value(area, KRB.cbsJaar) is None:
            wrong.append(f"{code(demo, area)}: CBS code {notation} without the year of its map")
    assert wrong == []


def _ring(demo: Graph, area: URIRef) -> list[tuple[float, float]]:
    geometry = demo.value(area, GEO.hasGeometry)
    assert (geometry, RDF.type, GEO.Geometry) in demo
    match = WKT_28992.match(str(demo.value(geometry, GEO.asWKT)))
    assert match, f"{area}: not an EPSG:28992 polygon"
    points = [tuple(map(float, p.split())) for p in match["ring"].split(",")]
    assert all(len(p) == 2 for p in points)
    return points  # type: ignore[return-value]


def test_municipality_and_a_buurt_have_rd_polygons_the_buurt_inside(demo: Graph) -> None:
    gemeente = _ring(demo, ID["werkingsgebied/GM9999"])
    buurt = _ring(demo, ID["werkingsgebied/BU99990201"])
    for ring in (gemeente, buurt):
        assert ring[0] == ring[-1] and len(ring) >= 4
        # within the RD New domain of the Netherlands
        assert all(0 < x < 300_000 and 300_000 < y < 625_000 for x, y in ring)
    xs, ys = [x for x, _ in gemeente], [y for _, y in gemeente]
    assert all(min(xs) < x < max(xs) and min(ys) < y < max(ys) for x, y in buurt)


def test_geometries_agree_with_ligt_in(demo: Graph) -> None:
    """An area with a polygon lies within the polygon of every area it lies in
    (krb:ligtIn, directly or further up); an area with several direct parents lies
    across them instead: it overlaps each and lies within their union."""
    shapely = pytest.importorskip("shapely")
    polygons = {
        area: shapely.Polygon(_ring(demo, area))
        for area in things(demo, KRB.Werkingsgebied)
        if demo.value(area, GEO.hasGeometry) is not None
    }
    assert len(polygons) >= 5, "the demo shows geometry on a few areas"
    wrong = []
    for area, polygon in polygons.items():
        parents = set(demo.objects(area, KRB.ligtIn))
        across = len(parents) > 1
        for ancestor in set(demo.transitive_objects(area, KRB.ligtIn)) - {area}:
            if ancestor not in polygons:
                continue
            if across and ancestor in parents:
                if not polygon.overlaps(polygons[ancestor]):
                    wrong.append(f"{code(demo, area)} does not overlap {code(demo, ancestor)}")
            elif not polygon.within(polygons[ancestor]):
                wrong.append(f"{code(demo, area)} is not within {code(demo, ancestor)}")
        if across and parents <= set(polygons):
            union = shapely.union_all([polygons[p] for p in parents])
            if not polygon.within(union):
                wrong.append(f"{code(demo, area)} is not within its parents together")
    assert wrong == []


# --- SHACL (the shapes are written beside this demo) -------------------------------------------


def test_demo_conforms_to_the_shapes(demo: Graph, model: Graph) -> None:
    shapes = shapes_graph()
    if len(shapes) == 0:
        pytest.skip("ontology/shapes/ holds no shapes yet")
    from pyshacl import validate

    data = Graph()
    for triple in model:
        data.add(triple)
    for triple in demo:
        data.add(triple)
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    problems = sorted(
        f"{report.value(result, SH.focusNode)}: {report.value(result, SH.resultMessage)}"
        for result in report.subjects(RDF.type, SH.ValidationResult)
        if (report.value(result, SH.focusNode), None, None) in demo
        and report.value(result, SH.resultSeverity) == SH.Violation
    )
    assert problems == []
