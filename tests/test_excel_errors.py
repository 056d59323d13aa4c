"""Bad workbooks: every problem is reported at once, with sheet, row, column and value."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS
from test_excel_support import BASE, demo_workbook, edit, row_of

from krbgraph.excel.problems import Problem, WorkbookUnreadable
from krbgraph.excel.reader import ReadResult, read_workbook
from krbgraph.model import model_graph
from krbgraph.namespaces import BEGRIP, KRB, SCHEME


def _read(path: Path, model: Graph | None = None) -> ReadResult:
    return read_workbook(path, BASE, model or model_graph())


def _texts(problems: list[Problem]) -> list[str]:
    return [p.text_nl for p in problems] + [p.text_en for p in problems]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return demo_workbook(tmp_path)


def test_unknown_code_is_reported_at_its_cell_in_dutch_and_english(workbook: Path) -> None:
    row = row_of(workbook, "beleidsnorm", "GEL-N01")
    edit(workbook, [("beleidsnorm", row, "indicator", "GEL-02")])
    result = _read(workbook)

    assert not result.ok
    [problem] = result.errors
    assert problem.text_nl == (
        f"beleidsnorm rij {row}, kolom indicator: 'GEL-02' bestaat niet in blad beleidsindicator"
    )
    assert problem.text_en == (
        f"beleidsnorm row {row}, column indicator: 'GEL-02' does not "
        "exist in sheet beleidsindicator"
    )
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "beleidsnorm",
        row,
        "indicator",
        "GEL-02",
    )


def test_every_problem_is_reported_in_one_run(workbook: Path) -> None:
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    other = row_of(workbook, "beleidsnorm", "GEL-N02")
    indicator = row_of(workbook, "beleidsindicator", "GEL-I01")
    edit(
        workbook,
        [
            ("beleidsnorm", norm, "sector", "inwoners; marsbewoners"),
            ("beleidsnorm", norm, "eenheid", "kmu"),
            ("beleidsnorm", other, "waarde", "1.000,5"),
            ("beleidsnorm", other, "geldig_van", "31-02-2024"),
            ("beleidsindicator", indicator, "beleidsthema", "Ruimtevaart"),
            ("beleidsnorm", other, "operator", "ongeveer"),
        ],
    )
    result = _read(workbook)
    where = {(p.sheet, p.row, p.column) for p in result.errors}

    assert where == {
        ("beleidsnorm", norm, "sector"),
        ("beleidsnorm", norm, "eenheid"),
        ("beleidsnorm", other, "waarde"),
        ("beleidsnorm", other, "geldig_van"),
        ("beleidsnorm", other, "operator"),
        ("beleidsindicator", indicator, "beleidsthema"),
    }
    by_column = {p.column: p for p in result.errors}
    assert "'marsbewoners' is onbekend in de lijst Sectoren" in by_column["sector"].text_nl
    assert "'1.000,5' is geen getal" in by_column["waarde"].text_nl
    assert "'31-02-2024' is geen geldige datum" in by_column["geldig_van"].text_nl
    assert "'31-02-2024' is not a valid date" in by_column["geldig_van"].text_en
    assert "'ongeveer' is unknown in the list Norm operators" in by_column["operator"].text_en
    assert by_column["beleidsthema"].text_nl == (
        f"beleidsindicator rij {indicator}, kolom beleidsthema: 'Ruimtevaart' bestaat niet in "
        "blad beleidsthemas"
    )


def test_unknown_unit_names_its_cell_and_a_few_close_notations(workbook: Path) -> None:
    row = row_of(workbook, "beleidsnorm", "GEL-N01")
    edit(workbook, [("beleidsnorm", row, "eenheid", "dB(Q)")])
    [problem] = _read(workbook).errors

    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "beleidsnorm",
        row,
        "eenheid",
        "dB(Q)",
    )
    assert problem.text_nl.startswith(
        f"beleidsnorm rij {row}, kolom eenheid: 'dB(Q)' is geen bekende eenheid. Bedoelt u "
    )
    suggested = problem.text_en.split("Did you mean ", 1)[1].split("?", 1)[0].split(", ")
    assert "dB(A)" in suggested and len(suggested) <= 5
    assert "UCUM" in problem.text_en


def test_missing_sheet_and_column_are_reported(workbook: Path) -> None:
    book = load_workbook(workbook)
    del book["beleidsmaatregel"]
    book["beleidsnorm"].delete_cols(
        book["beleidsnorm"]["1"].index(
            next(c for c in book["beleidsnorm"][1] if c.value == "operator")
        )
        + 1
    )
    book.save(workbook)
    texts = _texts(_read(workbook).errors)

    assert "blad beleidsmaatregel: verplicht blad ontbreekt in de werkmap" in texts
    assert "sheet beleidsmaatregel: required sheet is missing from the workbook" in texts
    assert (
        "beleidsnorm rij 1, kolom operator: verplichte kolom 'operator' ontbreekt in de kopregel"
    ) in texts


def test_extra_column_is_a_warning_and_empty_rows_are_skipped(workbook: Path) -> None:
    clean = _read(workbook).graph
    book = load_workbook(workbook)
    ws = book["beleidsnorm"]
    ws.cell(row=1, column=ws.max_column + 1, value="opmerking")
    ws.insert_rows(3, amount=2)
    book.save(workbook)
    result = _read(workbook)

    assert result.ok
    [warning] = result.problems
    assert warning.severity == "waarschuwing"
    assert warning.text_nl.startswith(
        "beleidsnorm rij 1, kolom opmerking: onbekende kolom 'opmerking' wordt genegeerd"
    )
    assert isomorphic(result.graph, clean)


def test_a_misspelt_column_is_ignored_with_the_name_it_probably_meant(workbook: Path) -> None:
    book = load_workbook(workbook)
    ws = book["beleidsnorm"]
    ws.cell(row=1, column=ws.max_column + 1, value="eenhied")
    book.save(workbook)
    [warning] = _read(workbook).problems

    assert warning.text_en == (
        "beleidsnorm row 1, column eenhied: unknown column 'eenhied' is "
        "ignored; did you mean: eenheid?"
    )


def test_rows_after_empty_rows_keep_their_real_row_number(workbook: Path) -> None:
    book = load_workbook(workbook)
    book["beleidsnorm"].insert_rows(2, amount=3)
    book.save(workbook)
    row = row_of(workbook, "beleidsnorm", "GEL-N02")
    edit(workbook, [("beleidsnorm", row, "document", "NOPE")])
    [problem] = _read(workbook).errors

    assert problem.row == row > 5


def test_ambiguous_subtype_needs_hoofdtype_slash_subtype(workbook: Path) -> None:
    model = Graph()
    for triple in model_graph():
        model.add(triple)
    twin = BEGRIP["sector/horeca-particulier"]
    model.add((twin, RDF.type, SKOS.Concept))
    model.add((twin, SKOS.inScheme, SCHEME["sector"]))
    model.add((twin, SKOS.broader, BEGRIP["sector/particulieren"]))
    model.add((twin, SKOS.prefLabel, Literal("horeca", lang="nl")))
    first = row_of(workbook, "beleidsnorm", "GEL-N01")
    second = row_of(workbook, "beleidsnorm", "GEL-N02")
    edit(
        workbook,
        [
            ("beleidsnorm", first, "sector", "horeca"),
            ("beleidsnorm", second, "sector", "bedrijven/horeca"),
        ],
    )
    result = _read(workbook, model)

    [problem] = result.errors
    assert (problem.row, problem.column) == (first, "sector")
    assert "'horeca' is dubbelzinnig in de lijst Sectoren" in problem.text_nl
    assert "bedrijven/horeca" in problem.text_nl and "particulieren/horeca" in problem.text_nl
    norm = next(result.graph.subjects(KRB.operator, None))
    assert norm is not None
    assert (None, KRB.sector, BEGRIP["sector/horeca"]) in result.graph


def test_ambiguous_area_name_asks_for_the_code(workbook: Path) -> None:
    book = load_workbook(workbook)
    book["werkingsgebieden"].append(["Parkstraat", "straat", None, "parkstraat-noord"])
    book.save(workbook)
    result = _read(workbook)

    assert result.errors
    assert all(
        "'Parkstraat' is dubbelzinnig" in p.text_nl and "gebruik de code" in p.text_nl
        for p in result.errors
    )
    assert {p.sheet for p in result.errors} == {"beleidsmaatregel", "beoogd_effect"}


def test_duplicate_code_points_at_the_first_row(workbook: Path) -> None:
    first = row_of(workbook, "beleidsnorm", "GEL-N01")
    second = row_of(workbook, "beleidsnorm", "GEL-N02")
    edit(workbook, [("beleidsnorm", second, "code", "GEL-N01")])
    problems = [p for p in _read(workbook).errors if p.sheet == "beleidsnorm"]

    assert problems[0].text_en == (
        f"beleidsnorm row {second}, column code: code 'GEL-N01' already appears in row {first}"
    )


def test_local_object_type_needs_its_closest_imbor_class(workbook: Path) -> None:
    book = load_workbook(workbook)
    book["leefomgeving"].append(["Vastgoed", "Tuinhuisjes", None])
    book["leefomgeving"].append(["Vastgoed", "Schuurtjes", "Gebouw"])
    book.save(workbook)
    result = _read(workbook)

    [problem] = result.errors
    assert "'Tuinhuisjes' is geen IMBOR-objecttype" in problem.text_nl
    assert problem.column == "imbor"
    shed = next(result.graph.subjects(SKOS.prefLabel, Literal("Schuurtjes", lang="nl")))
    assert str(shed) == f"{BASE}/id/leefomgeving/schuurtjes"


def test_not_a_workbook_is_unreadable(tmp_path: Path) -> None:
    bogus = tmp_path / "x.xlsx"
    bogus.write_text("not a zip", encoding="utf-8")
    with pytest.raises(WorkbookUnreadable, match="x.xlsx"):
        _read(bogus)


# --- Lifecycle columns and effects beyond effect -> norm ---------------------------------


def test_an_effect_names_exactly_one_of_norm_and_doel_indicator(workbook: Path) -> None:
    both = row_of(workbook, "beoogd_effect", "GEL-E01")
    neither = row_of(workbook, "beoogd_effect", "ENE-E02")
    edit(
        workbook,
        [
            ("beoogd_effect", both, "doel_indicator", "GEL-I01"),
            ("beoogd_effect", neither, "doel_indicator", ""),
        ],
    )
    errors = _read(workbook).errors

    assert {(p.row, p.column) for p in errors} == {(both, "norm"), (neither, "norm")}
    assert all("precies één van norm en doel_indicator" in p.text_nl for p in errors)


def test_an_effect_on_an_indicator_is_in_the_indicators_unit(workbook: Path) -> None:
    row = row_of(workbook, "beoogd_effect", "ENE-E02")
    edit(workbook, [("beoogd_effect", row, "eenheid", "%")])
    [problem] = _read(workbook).errors

    assert (problem.row, problem.column) == (row, "eenheid")
    assert "verschilt van die van indicator 'BOU-I03'" in problem.text_nl


def test_an_energy_label_effect_takes_a_label_or_steps_not_a_number(workbook: Path) -> None:
    label = row_of(workbook, "beoogd_effect", "ENE-E01")
    steps = row_of(workbook, "beoogd_effect", "ENE-E03")
    number = row_of(workbook, "beoogd_effect", "GEL-E01")
    edit(
        workbook,
        [
            ("beoogd_effect", label, "waarde", 1),  # a number on a label norm
            ("beoogd_effect", steps, "labelstappen", "1,5"),  # not a whole number
            ("beoogd_effect", number, "doel_begrip", "A"),  # a label on a number norm
        ],
    )
    errors = _read(workbook).errors
    where = {(p.row, p.column): p for p in errors}

    assert set(where) == {(label, "waarde"), (steps, "labelstappen"), (number, "doel_begrip")}
    assert (
        "laat waarde leeg en vul doel_begrip of labelstappen in" in where[(label, "waarde")].text_nl
    )
    assert "'1,5' is geen geheel getal" in where[(steps, "labelstappen")].text_nl
    assert (
        "hoort alleen bij een norm met een waarde uit een geordende waardelijst"
        in where[(number, "doel_begrip")].text_nl
    )


def test_an_energy_label_effect_needs_exactly_one_of_label_and_steps(workbook: Path) -> None:
    row = row_of(workbook, "beoogd_effect", "ENE-E01")
    edit(workbook, [("beoogd_effect", row, "labelstappen", 2)])
    [problem] = _read(workbook).errors

    assert (problem.row, problem.column) == (row, "doel_begrip")
    assert "precies één van doel_begrip en labelstappen" in problem.text_nl


def test_a_measure_acts_on_an_object_type_not_on_alle(workbook: Path) -> None:
    row = row_of(workbook, "beleidsmaatregel", "GEL-M01")
    edit(workbook, [("beleidsmaatregel", row, "objecttype", "Asfaltverharding; alle")])
    [problem] = _read(workbook).errors

    assert (problem.row, problem.column, problem.value) == (row, "objecttype", "alle")
    assert "'alle' is geen objecttype" in problem.text_nl


def test_statuses_come_from_the_list_of_their_sheet(workbook: Path) -> None:
    document = row_of(workbook, "besluitdocument", "GEL-2030")
    measure = row_of(workbook, "beleidsmaatregel", "GEL-M01")
    edit(
        workbook,
        [
            ("besluitdocument", document, "status", "afgerond"),
            ("beleidsmaatregel", measure, "status", "in werking"),
        ],
    )
    errors = _read(workbook).errors
    where = {(p.sheet, p.column): p for p in errors}

    assert set(where) == {("besluitdocument", "status"), ("beleidsmaatregel", "status")}
    assert (
        "'afgerond' is onbekend in de lijst Statussen"
        in where[("besluitdocument", "status")].text_nl
    )
    assert (
        "'in werking' is onbekend in de lijst Uitvoeringsstatussen"
        in where[("beleidsmaatregel", "status")].text_nl
    )


def test_document_lifecycle_dates_and_replacements_are_checked(workbook: Path) -> None:
    row = row_of(workbook, "besluitdocument", "GEL-2030")
    other = row_of(workbook, "besluitdocument", "GEL-AP2030")
    edit(
        workbook,
        [
            ("besluitdocument", row, "in_werking_tot", "2023-12-31"),  # before 2024-01-01
            ("besluitdocument", row, "vervangen_door", "GEL-2040"),
            ("besluitdocument", other, "vervangt", "GEL-AP2025; GEL-AP2030"),
        ],
    )
    errors = _read(workbook).errors
    where = {(p.row, p.column): p for p in errors}

    assert set(where) == {(row, "in_werking_tot"), (row, "vervangen_door"), (other, "vervangt")}
    assert "ligt voor de inwerkingtreding 2024-01-01" in where[(row, "in_werking_tot")].text_nl
    assert (
        "'GEL-2040' bestaat niet in blad besluitdocument" in where[(row, "vervangen_door")].text_nl
    )
    assert "kan zichzelf niet vervangen" in where[(other, "vervangt")].text_nl


def test_several_areas_and_parents_are_read_from_one_cell(workbook: Path) -> None:
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    area = row_of(workbook, "werkingsgebieden", "Vlietweg", column="naam")
    edit(
        workbook,
        [
            ("beleidsnorm", norm, "werkingsgebied", "Parkstraat; Vlietweg"),
            ("werkingsgebieden", area, "ligt_in", "Vlietzijde; Parkbuurt"),
        ],
    )
    result = _read(workbook)

    assert result.ok, [p.text_en for p in result.errors]
    norm_iri = URIRef(f"{BASE}/id/beleidsnorm/GEL-N01")
    street = URIRef(f"{BASE}/id/werkingsgebied/vlietweg")
    assert {
        str(o).rsplit("/", 1)[1] for o in result.graph.objects(norm_iri, KRB.werkingsgebied)
    } == {"parkstraat", "vlietweg"}
    assert {str(o).rsplit("/", 1)[1] for o in result.graph.objects(street, KRB.ligtIn)} == {
        "BU99990301",
        "BU99990201",
    }


def test_a_column_whose_name_was_cleared_is_refused_with_its_letter(workbook: Path) -> None:
    """Clearing a header cell by mistake must not drop the column's values (the end dates
    of norms) without a word: the column is named by its letter, the import refused."""
    book = load_workbook(workbook)
    sheet = book["beleidsnorm"]
    header = [cell.value for cell in sheet[1]]
    index = header.index("geldig_tot")
    values = sum(1 for row in sheet.iter_rows(min_row=2) if row[index].value not in (None, ""))
    assert values > 0
    letter = sheet.cell(row=1, column=index + 1).column_letter
    sheet.cell(row=1, column=index + 1).value = None
    book.save(workbook)

    result = _read(workbook)
    assert not result.ok
    [problem] = [p for p in result.errors if p.column == letter]
    assert (problem.sheet, problem.row) == ("beleidsnorm", 1)
    assert f"kolom {letter} heeft {values} waarde(n) maar geen naam" in problem.text_nl
    assert f"column {letter} holds {values} value(s) but has no name" in problem.text_en


def test_the_last_column_whose_name_was_cleared_is_refused_too(workbook: Path) -> None:
    book = load_workbook(workbook)
    sheet = book["beleidsindicator"]
    index = sheet.max_column
    values = sum(1 for row in sheet.iter_rows(min_row=2) if row[index - 1].value not in (None, ""))
    assert values > 0
    letter = sheet.cell(row=1, column=index).column_letter
    sheet.cell(row=1, column=index).value = None
    book.save(workbook)

    [problem] = [p for p in _read(workbook).errors if p.column == letter]
    assert (problem.sheet, problem.row) == ("beleidsindicator", 1)
    assert f"{values} waarde(n) maar geen naam" in problem.text_nl


def test_an_empty_column_without_a_name_is_no_problem(workbook: Path) -> None:
    book = load_workbook(workbook)
    sheet = book["beleidsnorm"]
    sheet.insert_cols(3)  # a spacer column someone left empty
    book.save(workbook)
    assert not any(p.row == 1 for p in _read(workbook).problems)


def test_a_value_like_no_name_of_its_list_points_to_the_drop_down() -> None:
    """'aandeel' as a kenmerk is close to nothing: it was told only that it is unknown."""
    from krbgraph.excel.vocabulary import LookupFailed, load_vocabulary
    from krbgraph.model import model_graph

    vocabulary = load_vocabulary(model_graph())
    with pytest.raises(LookupFailed) as unknown:
        vocabulary["kenmerk"].find("aandeel")
    assert "'aandeel' is unknown in the list" in str(unknown.value)
    assert str(unknown.value).endswith("choose a value from the cell's drop-down list")
    with pytest.raises(LookupFailed) as close:
        vocabulary["operator"].find("maximal")
    assert "did you mean" in str(close.value) and "drop-down" not in str(close.value)
