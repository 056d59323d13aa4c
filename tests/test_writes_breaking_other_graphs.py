"""A refused write that breaks an object in another graph names that object and graph.

Two workbooks of one municipality refer to each other (an effect in one acts on a norm
in the other); re-importing the first without that norm breaks the effect of the
second. The refusal named neither the effect's IRI nor its graph (the findings on
objects a write breaks itself lost their graph when those the registry broke before
were told apart), and added that the vanished norm "has no unit". Now it names the
object, its graph and that this write breaks it; `krb load` says the same.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from model_store import model_template_fixture
from openpyxl import load_workbook
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner, Result

from krbgraph.cli import app
from krbgraph.commands.serve import demo_paths
from krbgraph.settings import Settings
from krbgraph.store import open_store

BASE = "https://krb.demogemeente.nl"
REALISED = f"{BASE}/id/gerealiseerd-effect/GEL-E01-parkstraat-2020-2025"
REALISED_GRAPH = f"{BASE}/graph/gerealiseerde-effecten"

model_template = model_template_fixture()


def krb(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "500"})


def _demo_store(model_template: Path, tmp_path: Path) -> str:
    store = str(tmp_path / "store")
    shutil.copytree(model_template, store)
    files = [str(path) for path in demo_paths()]
    assert krb("load", *files, "--store", store, "--base-iri", BASE).exit_code == 0
    return store


def test_a_workbook_that_drops_what_another_graph_points_at_names_that_graph(
    model_template: Path, tmp_path: Path
) -> None:
    store = _demo_store(model_template, tmp_path)
    graph = f"{BASE}/graph/geluid"
    workbook = tmp_path / "geluid.xlsx"
    exported = krb("export-excel", str(workbook), "--graph", graph, "--store", store)
    assert exported.exit_code == 0, exported.output
    book = load_workbook(workbook)
    sheet = book["beoogd_effect"]
    codes = [cell.value for cell in next(sheet.iter_cols(min_col=1, max_col=1))]
    sheet.delete_rows(codes.index("GEL-E01") + 1)
    book.save(workbook)

    refused = krb("import-excel", str(workbook), "--graph", graph, "--store", store)
    assert refused.exit_code == 1, refused.output
    out = refused.output
    assert f"<{REALISED}>" in out
    assert f"(in graaf <{REALISED_GRAPH}>, niet in geluid.xlsx: deze import breekt het" in out
    assert f"(in graph <{REALISED_GRAPH}>, not in geluid.xlsx: this import breaks it" in out
    assert "al in het register" not in out and "geen eenheid" not in out


def test_a_load_that_drops_what_another_graph_points_at_names_that_graph(
    model_template: Path, tmp_path: Path
) -> None:
    store = _demo_store(model_template, tmp_path)
    changed = _demo_file_without("geluid.ttl", "beoogd-effect:GEL-E01 a krb:BeoogdEffect", tmp_path)
    loaded = krb("load", str(changed), "--replace", "--store", store, "--base-iri", BASE)
    assert loaded.exit_code == 1, loaded.output
    assert (
        f"<{REALISED}>  (in graaf <{REALISED_GRAPH}>, niet in geluid.ttl, maar gebroken door "
        "deze schrijfactie / "
    ) in loaded.stderr


def test_a_workbook_that_drops_a_norm_another_graphs_effect_acts_on(
    model_template: Path, tmp_path: Path
) -> None:
    """The tower block's plan (torenflat) has an effect on the green norm GRO-N01, which
    the green workbook holds; that workbook without the norm was refused with "the norm
    has no unit" and nothing to find the effect by."""
    store = _demo_store(model_template, tmp_path)
    graph = f"{BASE}/graph/groen"
    workbook = tmp_path / "groen.xlsx"
    assert krb("export-excel", str(workbook), "--graph", graph, "--store", store).exit_code == 0
    book = load_workbook(workbook)
    for sheet in book.worksheets:  # the norm, and the rows of this workbook naming it
        rows = [i for i, row in enumerate(sheet.iter_rows(values_only=True), 1) if "GRO-N01" in row]
        for row in reversed(rows):
            sheet.delete_rows(row)
    book.save(workbook)

    refused = krb("import-excel", str(workbook), "--graph", graph, "--store", store)
    assert refused.exit_code == 1, refused.output
    out = refused.output
    other = f"(in graaf <{BASE}/graph/torenflat>, niet in groen.xlsx: deze import breekt het"
    assert other in out, out
    assert "geen eenheid" not in out and "has no unit" not in out


def _demo_file_without(name: str, block: str, folder: Path) -> Path:
    """A copy of the demo file ``name`` in ``folder`` without the statement that starts
    with ``block`` (up to the blank line after it)."""
    text = next(p for p in demo_paths() if p.name == name).read_text(encoding="utf-8")
    start = text.index(block)
    changed = folder / name
    changed.write_text(text[:start] + text[text.index("\n\n", start) :], encoding="utf-8")
    return changed


def _graph(store: str, graph: str) -> Graph:
    with open_store(Settings(store=store)) as opened:
        return opened.read_graph(graph)


def _rename_header(workbook: Path, sheet_name: str, old: str, new: str) -> int:
    """Rename a header of ``sheet_name``; the number of values its column holds."""
    book = load_workbook(workbook)
    sheet = book[sheet_name]
    header = [cell.value for cell in sheet[1]]
    column = header.index(old) + 1
    sheet.cell(row=1, column=column).value = new
    values = sum(
        1
        for (value,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column, values_only=True)
        if value not in (None, "")
    )
    book.save(workbook)
    return values


def test_a_header_typed_with_a_space_is_its_column_and_a_misspelt_one_with_values_is_refused(
    model_template: Path, tmp_path: Path
) -> None:
    """A header "geldig tot" or "omschrijvng" was an unknown column, ignored with a
    warning: its values (every end date, every description) were dropped while the
    import succeeded."""
    store = _demo_store(model_template, tmp_path)
    graph = f"{BASE}/graph/geluid"
    original = tmp_path / "geluid.xlsx"
    assert krb("export-excel", str(original), "--graph", graph, "--store", store).exit_code == 0

    assert krb("import-excel", str(original), "--graph", graph, "--store", store).exit_code == 0
    before = _graph(store, graph)
    spaced = tmp_path / "spaties.xlsx"
    shutil.copy(original, spaced)
    assert _rename_header(spaced, "beleidsnorm", "geldig_tot", "geldig tot") > 0
    assert _rename_header(spaced, "beleidsnorm", "geldig_van", "Geldig-van") > 0
    assert _rename_header(spaced, "besluitdocument", "in_werking_vanaf", "In werking vanaf") > 0
    same = krb("import-excel", str(spaced), "--graph", graph, "--store", store)
    assert same.exit_code == 0, same.output
    assert "onbekende kolom" not in same.output
    # Read as those columns: the graph is what the workbook as exported gave.
    assert isomorphic(_graph(store, graph), before)

    misspelt = tmp_path / "typo.xlsx"
    shutil.copy(original, misspelt)
    values = _rename_header(misspelt, "beleidsnorm", "naam", "nam")
    assert values > 0
    refused = krb("import-excel", str(misspelt), "--graph", graph, "--store", store)
    assert refused.exit_code == 1, refused.output
    assert f"kolom 'nam' heeft {values} waarde(n) maar is geen kolom van dit blad" in (
        refused.output
    )
    assert "bedoelt u: naam?" in refused.output


def test_own_note_columns_stay_ignored_with_a_warning(model_template: Path, tmp_path: Path) -> None:
    """A municipality's own columns that merely resemble one of the sheet's ("oude code",
    "jaar", "opmerking") hold notes, not the column's values: ignored with a warning,
    never a refusal (a first version refused every such workbook)."""
    store = _demo_store(model_template, tmp_path)
    graph = f"{BASE}/graph/geluid"
    workbook = tmp_path / "geluid.xlsx"
    assert krb("export-excel", str(workbook), "--graph", graph, "--store", store).exit_code == 0
    book = load_workbook(workbook)
    sheet = book["beleidsnorm"]
    for offset, header in enumerate(("oude code", "jaar", "opmerking", "toelichting")):
        column = sheet.max_column + 1
        sheet.cell(row=1, column=column).value = header
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row=row, column=column).value = f"{header} {row} {offset}"
    book.save(workbook)
    imported = krb("import-excel", str(workbook), "--graph", graph, "--store", store)
    assert imported.exit_code == 0, imported.output
    assert imported.output.count("onbekende kolom") == 4


def test_a_blank_node_outside_the_write_is_named_by_its_graph_without_a_verdict_on_who(
    model_template: Path, tmp_path: Path
) -> None:
    """A blank node of the copy the write was tried on is no node of the store, so whether
    the registry broke it before cannot be told: it was called "broken by this write"."""
    store = _demo_store(model_template, tmp_path)
    with open_store(Settings(store=store)) as opened:
        # Written around krb (the store no longer known to conform, so all is validated).
        opened.update("DELETE WHERE { GRAPH ?m { ?r <http://purl.org/dc/terms/conformsTo> ?x } }")
        opened.update(
            "PREFIX krb: <https://data.krb.nl/def/krb#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"INSERT DATA {{ GRAPH <{BASE}/graph/groen> {{ "
            '_:n a krb:Beleidsnorm ; rdfs:label "oude norm"@nl } }'
        )
    broken = tmp_path / "extra.ttl"
    broken.write_text(
        f"<{BASE}/id/beleidsnorm/X-N01> a <https://data.krb.nl/def/krb#Beleidsnorm> ; "
        '<http://www.w3.org/2000/01/rdf-schema#label> "kapot"@nl .\n',
        encoding="utf-8",
    )
    loaded = krb("load", str(broken), "--store", store, "--base-iri", BASE)
    assert loaded.exit_code == 1, loaded.output
    line = next(text for text in loaded.stderr.splitlines() if "'oude norm'  <" in text)
    assert f"(in graaf <{BASE}/graph/groen>, niet in extra.ttl / in graph" in line
    assert "gebroken door" not in line and "al in het register" not in line


def test_an_object_broken_before_and_again_by_the_write_gets_each_finding_its_origin(
    model_template: Path, tmp_path: Path
) -> None:
    """The tower block's effect on the green norm GRO-N01 already lacks its code (an
    edit outside the service, so the store is not known to conform); a load of the green
    plan without GRO-N01 breaks the effect again, by its norm. Only the missing code was
    in the registry before: the norm's finding is this write's, and said to be."""
    store = _demo_store(model_template, tmp_path)
    effect = f"{BASE}/id/beoogd-effect/BOU-E04"
    with open_store(Settings(store=store)) as opened:
        opened.update(
            "DELETE WHERE { GRAPH ?m { ?r <http://purl.org/dc/terms/conformsTo> ?x } } ; "
            f"DELETE WHERE {{ GRAPH ?g {{ <{effect}> <http://purl.org/dc/terms/identifier> ?c }} }}"
        )
    text = next(p for p in demo_paths() if p.name == "groen.ttl").read_text(encoding="utf-8")
    for block in (
        "beleidsnorm:GRO-N01 a krb:Beleidsnorm",
        "beoogd-effect:GRO-E01 a krb:BeoogdEffect",
    ):
        start = text.index(block)
        text = text[:start] + text[text.index(".\n", start) + 2 :]
    changed = tmp_path / "groen.ttl"
    changed.write_text(text, encoding="utf-8")

    loaded = krb("load", str(changed), "--replace", "--store", store, "--base-iri", BASE)
    assert loaded.exit_code == 1, loaded.output
    report = loaded.stderr
    about = report[report.index(f"<{effect}>") :].split("\n\n")[0]
    assert "gebroken door deze schrijfactie, en al eerder waar gemarkeerd" in about, about
    marked = [line for line in about.splitlines() if "already in the registry]" in line]
    assert len(marked) == 1 and "dct:identifier" in marked[0], about
    assert any("krb:norm" in line and "]" not in line for line in about.splitlines()), about


def test_a_unit_finding_the_registry_had_is_not_put_on_an_unchanged_reload(
    model_template: Path, tmp_path: Path
) -> None:
    """The noise plan was loaded without validation with an effect in dB(A) on a norm
    in ug/m3 (a finding of the unit check, not of the shapes). Reloading the green plan
    unchanged is refused for it, as for anything the registry breaks; the finding was
    in the registry before, and is said to be, as is every warning it already had."""
    store = _demo_store(model_template, tmp_path)
    text = next(p for p in demo_paths() if p.name == "geluid.ttl").read_text(encoding="utf-8")
    wrong = "qudt:numericValue -0.2 ;\n    qudt:hasUnit unit:DeciB_A ."
    broken = text.replace("qudt:numericValue -0.2 ;\n    qudt:hasUnit unit:MicroGM-PER-M3 .", wrong)
    assert broken != text
    noise = tmp_path / "geluid.ttl"
    noise.write_text(broken, encoding="utf-8")
    graph = f"{BASE}/graph/geluid"
    args = ("--replace", "--store", store, "--base-iri", BASE, "--graph", graph)
    assert krb("load", str(noise), "--no-validate", *args).exit_code == 0
    green = next(p for p in demo_paths() if p.name == "groen.ttl")
    args = ("--replace", "--store", store, "--base-iri", BASE, "--graph", f"{BASE}/graph/groen")
    loaded = krb("load", str(green), *args)
    assert loaded.exit_code == 1, loaded.output
    report = loaded.stderr
    effect = report[report.index(f"<{BASE}/id/beoogd-effect/GEL-E02>") :].split("\n\n")[0]
    assert "already in the registry, in graph" in effect and "unit:DeciB_A" in effect, effect
    assert "gebroken door deze schrijfactie" not in report, report
    assert "1 of them on objects already in the registry" in report, report


def test_a_warning_the_registry_had_is_marked_on_an_object_the_write_breaks(
    model_template: Path, tmp_path: Path
) -> None:
    """An own measure in another file is warned about (no effect acts through it); a
    reload of the noise plan without the document the measure belongs to breaks it.
    The violation is the write's, the warning the registry had: each says so."""
    store = _demo_store(model_template, tmp_path)
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix krb: <https://data.krb.nl/def/krb#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        "@prefix adms: <http://www.w3.org/ns/adms#> .\n"
        f"<{BASE}/id/beleidsmaatregel/X-M01> a krb:Beleidsmaatregel ;\n"
        '    rdfs:label "Extra maatregel"@nl ; dct:identifier "X-M01" ;\n'
        f"    krb:beleidsthema <{BASE}/id/beleidsthema/geluid> ;\n"
        f"    krb:document <{BASE}/id/besluitdocument/GEL-AP2025> ;\n"
        f"    krb:werkingsgebied <{BASE}/id/werkingsgebied/parkstraat> ;\n"
        "    adms:status <https://data.krb.nl/id/begrip/uitvoeringsstatus/afgerond> .\n",
        encoding="utf-8",
    )
    assert krb("load", str(extra), "--store", store, "--base-iri", BASE).exit_code == 0
    changed = _demo_file_without(
        "geluid.ttl", "besluitdocument:GEL-AP2025 a krb:Besluitdocument", tmp_path
    )
    loaded = krb("load", str(changed), "--replace", "--store", store, "--base-iri", BASE)
    assert loaded.exit_code == 1, loaded.output
    report = loaded.stderr
    about = report[report.index(f"<{BASE}/id/beleidsmaatregel/X-M01>") :].split("\n\n")[0]
    assert "broken by this write, and before it where marked" in about, about
    lines = [
        line for line in about.splitlines() if line.lstrip().startswith(("Violation", "Warning"))
    ]
    assert lines and all(
        ("already in the registry]" in line) == line.lstrip().startswith("Warning")
        for line in lines
    ), about
