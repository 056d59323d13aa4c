"""The demo registry survives Excel: export -> import is isomorphic, and so is a second trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from test_excel_support import BASE, demo_graph, demo_workbook

from krbgraph.excel.reader import read_workbook
from krbgraph.excel.writer import write_workbook
from krbgraph.model import model_graph
from krbgraph.namespaces import BEGRIP, ELI, KRB


def _explain(expected: Graph, actual: Graph) -> str:
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = [f"- {t}" for t in sorted(only_expected)[:15]]
    lines += [f"+ {t}" for t in sorted(only_actual)[:15]]
    return "\n".join(lines)


def test_demo_exported_and_imported_again_is_isomorphic(tmp_path: Path) -> None:
    demo = demo_graph()
    result = read_workbook(demo_workbook(tmp_path), BASE, model_graph())

    assert result.problems == []
    assert isomorphic(demo, result.graph), _explain(demo, result.graph)


def test_import_export_import_is_stable(tmp_path: Path) -> None:
    first = read_workbook(demo_workbook(tmp_path), BASE, model_graph()).graph
    again = tmp_path / "again.xlsx"
    assert write_workbook(first, again) == []
    second, problems = read_workbook(again, BASE, model_graph())

    assert problems == []
    assert isomorphic(first, second), _explain(first, second)


def test_energy_label_norm_round_trips_as_a_value_concept(tmp_path: Path) -> None:
    demo = demo_graph()
    labelled = [n for n in demo.subjects(KRB.waardeBegrip, None)]
    assert labelled, "the demo should hold a norm with a value-list value"
    graph = read_workbook(demo_workbook(tmp_path), BASE, model_graph()).graph

    for norm in labelled:
        assert set(graph.objects(norm, KRB.waardeBegrip)) == set(
            demo.objects(norm, KRB.waardeBegrip)
        )
    assert (labelled[0], KRB.waardeBegrip, BEGRIP["energielabel/B"]) in graph


def test_triples_outside_the_format_are_reported_not_silently_dropped(tmp_path: Path) -> None:
    demo = demo_graph()
    dossier = next(demo.subjects(KRB.beleidsthema, None))
    demo.add((dossier, KRB.risNummer, Literal("stray")))
    warnings = write_workbook(demo, tmp_path / "x.xlsx")

    assert [w.severity for w in warnings] == ["waarschuwing"]
    assert "krb:risNummer" in warnings[0].text_en


def test_lifecycle_terms_and_cross_links_round_trip(tmp_path: Path) -> None:
    """The demo uses every term the lifecycle and the cross-links added, so the
    isomorphism above covers them; checked here term by term to say which one broke."""
    demo = demo_graph()
    graph = read_workbook(demo_workbook(tmp_path), BASE, model_graph()).graph
    adms, eli, dct = (
        Namespace("http://www.w3.org/ns/adms#"),
        Namespace("http://data.europa.eu/eli/ontology#"),
        DCTERMS,
    )
    for predicate in (
        adms.status,
        eli.first_date_entry_in_force,
        eli.date_no_longer_in_force,
        dct.isReplacedBy,
        dct.replaces,
        KRB.horizon,
        KRB.doelIndicator,
        KRB.doelBegrip,
        KRB.labelstappen,
        KRB.objecttype,
        KRB.ligtIn,
        KRB.werkingsgebied,
    ):
        expected = set(demo.subject_objects(predicate))
        assert expected, f"the demo does not use {predicate}"
        assert set(graph.subject_objects(predicate)) == expected, predicate
    several = [
        s for s in demo.subjects(KRB.ligtIn, None) if len(set(demo.objects(s, KRB.ligtIn))) > 1
    ]
    assert several, "the demo has an area in two parents"
    rules_with_theme = {
        s
        for s, _ in demo.subject_objects(KRB.beleidsthema)
        if (s, RDF.type, KRB.Beleidsregel) in demo
    }
    assert rules_with_theme and all(
        set(graph.objects(r, KRB.beleidsthema)) == set(demo.objects(r, KRB.beleidsthema))
        for r in rules_with_theme
    )


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    # A name starting with '=' was written as a formula: a spreadsheet runs it
    # (=HYPERLINK(...)) and the cell reads back empty.
    from openpyxl import load_workbook
    from rdflib.namespace import SKOS

    demo = demo_graph()
    theme = next(demo.subjects(RDF.type, KRB.Beleidsthema))
    name = '=HYPERLINK("http://example.org","klik")'
    for old in list(demo.objects(theme, SKOS.prefLabel)):
        demo.remove((theme, SKOS.prefLabel, old))
    demo.add((theme, SKOS.prefLabel, Literal(name, lang="nl")))
    target = tmp_path / "export.xlsx"
    write_workbook(demo, target)

    book = load_workbook(target)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == name]
    assert cells and all(c.data_type == "s" for c in cells)
    again, problems = read_workbook(target, BASE, model_graph())
    assert [p for p in problems if p.is_error] == []
    assert Literal(name, lang="nl") in set(again.objects(theme, SKOS.prefLabel))


def test_names_in_a_second_language_never_replace_the_dutch_ones(tmp_path: Path) -> None:
    """Every name of the demo also in English, sorting before the Dutch one: the workbook
    holds Dutch names (the import tags them @nl), so the export writes the Dutch names in
    the cells and in every reference, the re-import gives the registry back, and the
    English names are reported as not written rather than dropped in silence."""
    demo = demo_graph()
    english = Graph()
    for s, p, o in demo:
        if p in (RDFS.label, SKOS.prefLabel) and isinstance(o, Literal) and o.language == "nl":
            english.add((s, p, Literal(f"A {o} (English)", lang="en")))
    assert len(english) > 50
    warnings = write_workbook(demo + english, tmp_path / "tweetalig.xlsx")
    result = read_workbook(tmp_path / "tweetalig.xlsx", BASE, model_graph())

    assert result.problems == []
    assert isomorphic(demo, result.graph), _explain(demo, result.graph)
    reported = {w.text_en.split(" with ", 1)[1].split(" ", 1)[0] for w in warnings}
    assert reported == {"rdfs:label@en", "skos:prefLabel@en"}
    assert sum(int(w.text_en.split(" ", 1)[0]) for w in warnings) == len(english)


ID = "https://krb.demogemeente.nl/id/"
PROV_ENTITY = URIRef("http://www.w3.org/ns/prov#Entity")
IMBOR_AFVAL = "https://data.crow.nl/imbor/def/7c7fb4c1-3998-43e8-841b-bd80ccb651a4"


def _lost_or_warned(tmp_path: Path, graph: Graph) -> tuple[Graph, Graph, list[str]]:
    """(lost, gained) by an export and import of ``graph``, and the export's warnings."""
    path = tmp_path / "rondgang.xlsx"
    warnings = write_workbook(graph, path)
    result = read_workbook(path, BASE, model_graph())
    _, lost, gained = graph_diff(to_isomorphic(graph), to_isomorphic(result.graph))
    return lost, gained, [w.text_en for w in warnings]


@pytest.mark.parametrize(
    ("subject", "predicate", "value", "said"),
    [
        # a cell holds 32,767 characters: openpyxl cut the text without a word
        (ID + "beleidsdossier/CIR", DCTERMS.description, "x" * 40_000, "40,000 characters"),
        # text copied from a PDF: openpyxl refused the whole export
        (ID + "beleidsdossier/CIR", DCTERMS.description, "blad 1\x0cblad 2", "U+000C"),
        # a second zoekingang of a local object type: the cell holds one
        (ID + "leefomgeving/woningen", KRB.zoekingang, URIRef(IMBOR_AFVAL), "krb:zoekingang"),
        # a type the workbook has no place for: the import writes the row's own types
        (ID + "besluitdocument/GEL-2030", RDF.type, PROV_ENTITY, "rdf:type"),
        # a code its IRI was not made from: the import makes the code from the IRI
        (ID + "beleidsnorm/GEL-N01", DCTERMS.identifier, Literal("GEL-N01-OUD"), "dct:identifier"),
    ],
)
def test_what_a_cell_cannot_hold_is_said_on_export_never_changed_in_silence(
    tmp_path: Path, subject: str, predicate: URIRef, value: object, said: str
) -> None:
    demo = demo_graph()
    term = Literal(value, lang="nl") if isinstance(value, str) else value
    if predicate == DCTERMS.description:
        demo.remove((URIRef(subject), predicate, None))
    demo.add((URIRef(subject), predicate, term))  # type: ignore[arg-type]
    lost, gained, warnings = _lost_or_warned(tmp_path, demo)
    assert any(said in w for w in warnings), warnings
    assert all(len(str(o)) < 32_767 for _, _, o in gained)  # nothing cut
    assert {p for _, p, _ in lost} <= {predicate}  # only what was said is missing


def test_an_area_keeps_its_iri_when_its_cbs_code_is_not_in_it(tmp_path: Path) -> None:
    """The code cell made the IRI: an area .../parkbuurt-x with CBS code BU99990299 came
    back as .../BU99990299, and every reference to it moved along."""
    demo = demo_graph()
    old, new = URIRef(ID + "werkingsgebied/BU99990101"), URIRef(ID + "werkingsgebied/binnenstad-x")
    for s, p, o in list(demo):
        if old in (s, o):
            demo.remove((s, p, o))
            demo.add((new if s == old else s, p, new if o == old else o))
    demo.set((new, DCTERMS.identifier, Literal("binnenstad-x")))
    lost, gained, warnings = _lost_or_warned(tmp_path, demo)
    assert (new, RDF.type, KRB.Werkingsgebied) not in lost
    assert not any(old in (s, o) for s, _, o in gained)
    assert {p for _, p, _ in lost} == {SKOS.notation}
    assert any("skos:notation" in w for w in warnings)


def test_two_areas_with_one_name_are_referred_to_so_the_import_tells_them_apart(
    tmp_path: Path,
) -> None:
    """By code when names collide: but 'parkstraat', the code of one Parkstraat, is the
    other's name with the case ignored, which the import found ambiguous."""
    demo = demo_graph()
    second = URIRef(ID + "werkingsgebied/parkstraat-2")
    for triple in demo.triples((URIRef(ID + "werkingsgebied/parkstraat"), None, None)):
        demo.add((second, triple[1], triple[2]))
    demo.set((second, DCTERMS.identifier, Literal("parkstraat-2")))
    norm = next(demo.subjects(KRB.werkingsgebied, URIRef(ID + "werkingsgebied/parkstraat")))
    demo.add((norm, KRB.werkingsgebied, second))
    lost, gained, warnings = _lost_or_warned(tmp_path, demo)
    assert (len(lost), len(gained)) == (0, 0), (sorted(lost)[:5], sorted(gained)[:5], warnings)


def test_a_name_with_the_list_separator_is_never_split_in_two(tmp_path: Path) -> None:
    """Cells with several values are split on ';': an area named 'Noord; Zuid' in a
    norm's werkingsgebied cell, or an alternative name 'ORAC; container', came back as
    two (or was refused)."""
    demo = demo_graph()
    area = URIRef(ID + "werkingsgebied/parkstraat")
    demo.set((area, RDFS.label, Literal("Parkstraat; noordzijde", lang="nl")))
    orac = URIRef(ID + "leefomgeving/orac")
    demo.add((orac, SKOS.altLabel, Literal("ORAC; ondergrondse container", lang="nl")))
    lost, gained, warnings = _lost_or_warned(tmp_path, demo)
    assert {(s, p) for s, p, _ in lost} == {(orac, SKOS.altLabel)}
    assert len(gained) == 0
    assert any("skos:altLabel" in w for w in warnings)


@pytest.mark.parametrize(
    ("predicate", "value", "said"),
    [
        # the import writes a calculation method untagged: "..."@nl came back untagged
        (
            KRB.rekenmethode,
            Literal("Lden, gevel", lang="nl"),
            "krb:rekenmethode have the language tag @nl",
        ),
        # the import tags a name @nl: an untagged name came back tagged
        (RDFS.label, Literal("Geluid gevel"), "rdfs:label have no language tag"),
        # the reader trims a cell: a name with a trailing space came back without it
        (RDFS.label, Literal("Geluid gevel ", lang="nl"), "rdfs:label start or end with spaces"),
    ],
)
def test_a_text_the_import_gives_back_changed_is_said_on_export(
    tmp_path: Path, predicate: URIRef, value: Literal, said: str
) -> None:
    demo = demo_graph()
    norm = URIRef(ID + "beleidsnorm/GEL-N01")
    demo.remove((norm, predicate, None))
    demo.add((norm, predicate, value))
    lost, gained, warnings = _lost_or_warned(tmp_path, demo)
    assert (norm, predicate, value) in lost  # the change the warning is about happens
    assert [w for w in warnings if said in w], warnings
    assert {p for _, p, _ in lost} == {predicate}


def test_a_regional_dutch_name_is_written_before_an_english_one(tmp_path: Path) -> None:
    """A name tagged @nl-BE beside an English one: the English name (first by its text)
    went into the workbook and came back as the only, "Dutch", name."""
    demo = demo_graph()
    norm = URIRef(ID + "beleidsnorm/GEL-N01")
    dutch = Literal("Geluidsdruk gevel maximaal 48 dB(A)", lang="nl-BE")
    english = Literal("Facade noise at most 48 dB(A)", lang="en")
    demo.remove((norm, RDFS.label, None))
    demo.add((norm, RDFS.label, dutch))
    demo.add((norm, RDFS.label, english))
    lost, gained, warnings = _lost_or_warned(tmp_path, demo)
    assert (norm, RDFS.label, Literal(str(dutch), lang="nl")) in gained
    assert set(lost) == {(norm, RDFS.label, dutch), (norm, RDFS.label, english)}
    assert [w for w in warnings if "rdfs:label have the language tag @nl-BE" in w], warnings
    assert [w for w in warnings if "rdfs:label@en" in w], warnings


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (Literal("Homes", lang="en"), "skos:altLabel have the language tag @en"),
        (Literal("Logements"), "skos:altLabel have no language tag"),
    ],
)
def test_an_alternative_name_the_import_tags_otherwise_is_said_on_export(
    tmp_path: Path, value: Literal, said: str
) -> None:
    """The list cell of alternative names gave "Homes"@en back as "Homes"@nl unsaid."""
    demo = demo_graph()
    orac = URIRef(ID + "leefomgeving/orac")
    demo.remove((orac, SKOS.altLabel, None))
    demo.add((orac, SKOS.altLabel, value))
    lost, gained, warnings = _lost_or_warned(tmp_path, demo)
    assert (orac, SKOS.altLabel, value) in lost
    assert [w for w in warnings if said in w], warnings


IMBOR_BOOM = URIRef("https://data.crow.nl/imbor/def/83a942f7-5291-42f0-afb1-9a57d0fb2f15")


def test_a_local_object_type_named_like_an_imbor_class_round_trips(tmp_path: Path) -> None:
    """A municipality's own "Boom" under IMBOR Boom was exported as a row the import read
    as the IMBOR class itself, and refused; a norm on each must keep its own."""
    demo = demo_graph()
    own = URIRef(ID + "leefomgeving/boom")
    woningen = URIRef(ID + "leefomgeving/woningen")
    for p, o in demo.predicate_objects(woningen):
        if p not in (RDFS.label, SKOS.prefLabel, RDFS.subClassOf, SKOS.definition):
            demo.add((own, p, o))
    demo.add((own, RDFS.label, Literal("Boom", lang="nl")))
    demo.add((own, SKOS.prefLabel, Literal("Boom", lang="nl")))
    demo.add((own, RDFS.subClassOf, IMBOR_BOOM))
    first, second = URIRef(ID + "beleidsnorm/GEL-N01"), URIRef(ID + "beleidsnorm/GRO-N01")
    demo.set((first, KRB.leefomgeving, own))
    demo.set((second, KRB.leefomgeving, IMBOR_BOOM))
    lost, gained, warnings = _lost_or_warned(tmp_path, demo)
    assert (sorted(lost), sorted(gained)) == ([], []), warnings


@pytest.mark.parametrize("day", ["1851-09-01", "0001-01-01", "1899-12-31", "1900-01-01"])
def test_a_date_before_1900_round_trips(tmp_path: Path, day: str) -> None:
    """Excel holds no date before 1900 and the import refuses a date cell before it (a
    negative serial number), so a national law of 1851 in the registry made the export
    a workbook its own import refused whole."""
    demo = demo_graph()
    # A document's own date: a date of entry into force or a last day picked from the
    # graph's (hash-ordered) triples made the run fail when it fell after the end.
    document = min(demo.subjects(RDF.type, KRB.Besluitdocument))
    predicate = ELI.date_document
    assert _is_date(demo.value(document, predicate))
    demo.set((document, predicate, Literal(day, datatype=XSD.date)))
    target = tmp_path / "export.xlsx"
    write_workbook(demo, target)

    again, problems = read_workbook(target, BASE, model_graph())
    assert [p for p in problems if p.is_error] == []
    assert set(again.objects(document, predicate)) == {Literal(day, datatype=XSD.date)}


def _is_date(value: object) -> bool:
    return isinstance(value, Literal) and value.datatype == XSD.date
