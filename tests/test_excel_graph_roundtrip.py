"""One graph of a registry kept per theme, exported, edited and imported back into itself.

The demo store is loaded as ``krb load examples/demo examples/onderzoek`` loads it:
one named graph per file. A theme graph's workbook refers to things of other graphs
(areas of gebieden, themes of thema, national norms of kaders-rijk-provincie) by
full IRI or code; the import finds them in the rest of the store, never in the
graph it replaces (krbgraph.excel.elsewhere).
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.packaging.custom import CustomPropertyList, StringProperty
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS
from test_excel_support import edit, row_of, saved_by_libreoffice

from krbgraph.excel import elsewhere
from krbgraph.excel.exporting import export_workbook
from krbgraph.excel.import_hints import RESTATED_SHOWN
from krbgraph.excel.importing import ImportFailed, import_workbook
from krbgraph.excel.problems import Problem
from krbgraph.excel.workbook_base import BASE_PROPERTY, recorded_base
from krbgraph.iris import DEFAULT_BASE_IRI
from krbgraph.loading import data_graph_iri, load_paths
from krbgraph.model import project_root
from krbgraph.namespaces import KRB, QUDT
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, graph_kind, open_store

BASE = DEFAULT_BASE_IRI
FOLDERS = [project_root() / "examples" / "demo", project_root() / "examples" / "onderzoek"]
GRAPHS = sorted(data_graph_iri(BASE, path) for folder in FOLDERS for path in folder.glob("*.ttl"))
"""The data graphs `krb load` makes of the demo: one per file."""
GELUID = f"{BASE}/graph/geluid"
KADER = "https://data.krb.nl/kader"

LOSSY = {
    f"{BASE}/graph/databronnen": "data sources and their publishers (DCAT) have no sheet",
    f"{BASE}/graph/gerealiseerde-effecten": "realised effects (sosa observations of an "
    "effect) have no sheet",
    f"{BASE}/graph/metingen": "the sheet's measurements go to {graph}/metingen, not into "
    "the graph itself",
}
"""Graphs the workbook cannot hold; their export says so, triple by triple (per property),
and importing such a workbook back is refused (it would replace the graph by what
fitted). The round trip asserts those warnings and that refusal instead."""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("per-theme")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        load_paths(handle, FOLDERS, base_iri=BASE)
        yield handle


def _content(store: Store, graph: str) -> Graph:
    content = Graph()
    for triple in store.read_graph(graph):
        content.add(triple)
    return content


def _minting_base(content: Graph) -> str:
    """The base most things of a graph are minted under, which the export writes codes
    relative to (the graph kaders-rijk-provincie: https://data.krb.nl/kader)."""
    bases = Counter(str(s).split("/id/", 1)[0] for s in content.subjects() if "/id/" in str(s))
    return bases.most_common(1)[0][0]


def _errors(problems: list[Problem]) -> list[tuple[str | None, int | None, str | None]]:
    return [(p.sheet, p.row, p.column) for p in problems if p.is_error]


@pytest.fixture(scope="module")
def exports(store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Workbooks of graphs geluid and kaders-rijk-provincie as exported from the demo,
    each exported once (reading the store's vocabulary makes an export take most of a
    second) for the tests that edit a copy of one. Every test leaves the store as it
    found it, so a later export would give the same workbook."""
    folder = tmp_path_factory.mktemp("exports")
    books = {}
    for graph in (GELUID, KADERS):
        path = folder / "export.xlsx"
        assert export_workbook(store, path, graph=graph) == []
        books[graph] = path.read_bytes()
    return books


def _exported(exports: dict[str, bytes], folder: Path, graph: str = GELUID) -> Path:
    """A copy of the graph's exported workbook in ``folder``, this test's to edit."""
    path = folder / ("geluid.xlsx" if graph == GELUID else "kaders.xlsx")
    path.write_bytes(exports[graph])
    return path


def test_the_store_holds_one_data_graph_per_demo_file(store: Store) -> None:
    data = sorted(info.iri for info in store.graphs() if graph_kind(info.iri) == "data")
    assert data == GRAPHS


@pytest.mark.parametrize("graph", GRAPHS, ids=lambda iri: iri.rsplit("/", 1)[-1])
def test_every_graph_round_trips_into_itself(store: Store, tmp_path: Path, graph: str) -> None:
    before = _content(store, graph)
    path = tmp_path / "export.xlsx"
    warnings = export_workbook(store, path, graph=graph)
    if graph in LOSSY:
        assert warnings, LOSSY[graph]
        assert all(not w.is_error and "passen niet in de werkmap" in w.message_nl for w in warnings)
        if graph.endswith("/metingen"):
            assert any(f"<{graph}/metingen>" in w.message_en for w in warnings), warnings
        # Imported back it would empty the graph of what did not fit: refused, kept.
        with pytest.raises(ImportFailed) as refused:
            import_workbook(store, path, base_iri=BASE, graph=graph)
        said = " ".join(p.message_en for p in refused.value.problems)
        # (graph metingen: its measurements go to {graph}/metingen, where they would be
        # in two graphs; refused for that first)
        assert "krb drop" in said or "already in graph" in said, said
        assert isomorphic(_content(store, graph), before)
        return
    assert warnings == []

    # Under the registry's base, as `krb import-excel` and the upload read it: codes of a
    # graph minted under another base (kaders-rijk-provincie) come back under the base
    # the workbook records, and the import says so.
    report = import_workbook(store, path, base_iri=BASE, graph=graph)

    assert report.replaced
    assert report.measurement_graph is None
    assert [p.text_en for p in report.warnings if p.is_error] == []
    assert isomorphic(_content(store, graph), before)
    minted = _minting_base(before)
    said = [
        p.message_en for p in report.warnings if "the base the workbook records" in p.message_en
    ]
    assert len(said) == (minted != BASE), report.warnings
    assert all(f"codes become IRIs under {minted}," in text for text in said)


def test_an_effect_in_a_unit_that_converts_to_its_norms_round_trips(
    store: Store, tmp_path: Path
) -> None:
    """The shapes accept an effect in another unit of the norm's kind (-2000 m on a norm
    in km) and the research queries convert it; the workbook keeps it as it is."""
    groen, effect = f"{BASE}/graph/groen", f"{BASE}/id/beoogd-effect/GRO-E01"
    unit = "http://qudt.org/vocab/unit/"

    def swap(old: str, new: str) -> str:
        return (
            f"WITH <{groen}> DELETE {{ <{effect}> <{QUDT.hasUnit}> <{unit}{old}> }} "
            f"INSERT {{ <{effect}> <{QUDT.hasUnit}> <{unit}{new}> }} "
            f"WHERE {{ <{effect}> <{QUDT.hasUnit}> <{unit}{old}> }}"
        )

    store.update(swap("KiloM", "M"))
    try:
        before = _content(store, groen)
        assert (URIRef(effect), QUDT.hasUnit, URIRef(f"{unit}M")) in before
        path = tmp_path / "groen.xlsx"
        assert export_workbook(store, path, graph=groen) == []

        report = import_workbook(store, path, base_iri=BASE, graph=groen)

        assert [p.text_en for p in report.warnings if p.is_error] == []
        assert isomorphic(_content(store, groen), before)
    finally:
        store.update(swap("M", "KiloM"))
    assert (URIRef(effect), QUDT.hasUnit, URIRef(f"{unit}KiloM")) in _content(store, groen)


def test_a_reference_to_nothing_is_refused_at_its_cell(
    store: Store, tmp_path: Path, exports: dict[str, bytes]
) -> None:
    path = _exported(exports, tmp_path)
    effect = row_of(path, "beoogd_effect", "GEL-E03")
    norm = row_of(path, "beleidsnorm", "GEL-N01")
    nowhere = f"{BASE}/id/werkingsgebied/nergens"
    edit(
        path,
        [
            ("beoogd_effect", effect, "doel_indicator", "BESTAAT-NIET"),
            ("beleidsnorm", norm, "werkingsgebied", nowhere),
        ],
    )

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, path, base_iri=BASE, graph=GELUID)

    # Only the two cells: the workbook's other references to other graphs (the
    # indicators CIR-I03 and KLI-I01, national norm OV-DEMO-N01, areas) resolve.
    assert _errors(failed.value.problems) == [
        ("beleidsnorm", norm, "werkingsgebied"),
        ("beoogd_effect", effect, "doel_indicator"),
    ]
    texts = [p.text_nl for p in failed.value.problems if p.is_error]
    assert texts == [
        f"beleidsnorm rij {norm}, kolom werkingsgebied: '{nowhere}' bestaat niet in blad "
        "werkingsgebieden",
        f"beoogd_effect rij {effect}, kolom doel_indicator: 'BESTAAT-NIET' bestaat niet in "
        "blad beleidsindicator",
    ]
    assert "GEL-E01" in {str(o) for o in _content(store, GELUID).objects()}  # nothing written


def test_a_thing_only_in_the_graph_being_replaced_is_refused(
    store: Store, tmp_path: Path, exports: dict[str, bytes]
) -> None:
    """A row deleted from the workbook goes with the old graph; a cell that still names it
    names nothing, though the store holds it until the import replaces the graph."""
    path = _exported(exports, tmp_path)
    book = load_workbook(path)
    book["beleidsmaatregel"].delete_rows(row_of(path, "beleidsmaatregel", "GEL-M01"))
    book.save(path)
    effects = [row_of(path, "beoogd_effect", f"GEL-E0{n}") for n in range(1, 5)]

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, path, base_iri=BASE, graph=GELUID)

    problems = [p for p in failed.value.problems if p.is_error]
    assert {(p.sheet, p.row, p.column) for p in problems} == {
        ("beoogd_effect", row, "maatregel") for row in effects
    }
    assert all(
        p.message_nl.startswith("'GEL-M01' bestaat niet in blad beleidsmaatregel; ")
        and f"alleen in <{GELUID}>" in p.message_nl
        and f"only in <{GELUID}>, which this import replaces" in p.message_en
        for p in problems
    )


def test_a_code_of_a_thing_of_another_class_is_refused(
    store: Store, tmp_path: Path, exports: dict[str, bytes]
) -> None:
    path = _exported(exports, tmp_path)
    norm = row_of(path, "beleidsnorm", "GEL-N04")
    effect = row_of(path, "beoogd_effect", "GEL-E01")
    edit(
        path,
        [
            ("beleidsnorm", norm, "indicator", "VREEMD"),  # a norm minted as an indicator
            ("beoogd_effect", effect, "maatregel", "VREEMD-M"),  # a MER measure: accepted
        ],
    )
    odd = Graph()
    odd.add((URIRef(f"{BASE}/id/beleidsindicator/VREEMD"), RDF.type, KRB.Beleidsnorm))
    measure = URIRef(f"{BASE}/id/beleidsmaatregel/VREEMD-M")
    odd.add((measure, RDF.type, KRB.MerMaatregel))
    odd.add((measure, RDFS.label, Literal("Vreemde maatregel", lang="nl")))
    graph = f"{BASE}/graph/vreemd"
    store.replace_graph(graph, odd)  # unvalidated: refused in the workbook, never validated
    try:
        with pytest.raises(ImportFailed) as failed:
            import_workbook(store, path, base_iri=BASE, graph=GELUID)
    finally:
        store.drop_graph(graph)

    problems = [p for p in failed.value.problems if p.is_error]
    assert [(p.sheet, p.row, p.column, p.value) for p in problems] == [
        ("beleidsnorm", norm, "indicator", "VREEMD")
    ]
    assert problems[0].message_nl == (
        "'VREEMD' bestaat niet in blad beleidsindicator; "
        f"<{BASE}/id/beleidsindicator/VREEMD> is in het register een Beleidsnorm, "
        "geen Beleidsindicator"
    )


def test_what_a_row_reads_of_a_thing_in_another_graph(
    store: Store, tmp_path: Path, exports: dict[str, bytes]
) -> None:
    """Defaults, generated names and checks read the other graph's thing as they read a
    row: norm GEZ-N01 of graph geluid measures indicator GEZ-I01 of graph gezondheid,
    effect GEL-E02 acts on national norm OV-DEMO-N01, GEL-E03 on indicator CIR-I03 of
    graph circulaire-economie, indicator GEL-I01 has theme and aspect of graph thema."""
    original = _exported(exports, tmp_path)
    path = tmp_path / "bewerkt.xlsx"
    path.write_bytes(original.read_bytes())
    norm = row_of(path, "beleidsnorm", "GEZ-N01")
    on_norm = row_of(path, "beoogd_effect", "GEL-E02")
    on_indicator = row_of(path, "beoogd_effect", "GEL-E03")
    indicator = row_of(path, "beleidsindicator", "GEL-I01")
    edit(
        path,
        [
            ("beleidsnorm", norm, "eenheid", ""),  # openpyxl: None leaves the cell as it is
            ("beleidsnorm", norm, "naam", ""),
            ("beoogd_effect", on_norm, "eenheid", ""),
            ("beoogd_effect", on_norm, "naam", ""),
            ("beoogd_effect", on_indicator, "eenheid", "dB(A)"),
            ("beleidsindicator", indicator, "beleidsthema", f"{BASE}/id/beleidsthema/groen"),
        ],
    )

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, path, base_iri=BASE, graph=GELUID)
    problems = [p for p in failed.value.problems if p.is_error]
    assert [(p.sheet, p.row, p.column, p.message_nl) for p in problems] == [
        (
            "beleidsindicator",
            indicator,
            "beleidsaspect",
            "aspect 'Verkeerslawaai' hoort bij thema 'Geluid', niet bij 'Groen'",
        ),
        (
            "beoogd_effect",
            on_indicator,
            "eenheid",
            "eenheid dB(A) verschilt van die van indicator 'CIR-I03' (%) "
            "en is er niet naar om te rekenen",
        ),
    ]

    edit(
        path,
        [
            ("beoogd_effect", on_indicator, "eenheid", "%"),
            ("beleidsindicator", indicator, "beleidsthema", f"{BASE}/id/beleidsthema/geluid"),
        ],
    )
    try:
        import_workbook(store, path, base_iri=BASE, graph=GELUID)
        content = _content(store, GELUID)
    finally:
        import_workbook(store, original, base_iri=BASE, graph=GELUID)
    registry = Graph()
    for graph in GRAPHS:
        registry += _content(store, graph)
    subject = URIRef(f"{BASE}/id/beleidsnorm/GEZ-N01")
    measures = registry.value(subject, KRB.indicator)
    assert measures == URIRef(f"{BASE}/id/beleidsindicator/GEZ-I01")
    assert content.value(subject, QUDT.hasUnit) == URIRef("http://qudt.org/vocab/unit/PERCENT")
    assert str(content.value(subject, RDFS.label)) == (
        f"{registry.value(measures, RDFS.label)} maximale toename 0 %"
    )
    effect = URIRef(f"{BASE}/id/beoogd-effect/GEL-E02")
    national = registry.value(URIRef(f"{KADER}/id/beleidsnorm/OV-DEMO-N01"), KRB.indicator)
    target = str(registry.value(national, RDFS.label))
    assert content.value(effect, QUDT.hasUnit) == URIRef(
        "http://qudt.org/vocab/unit/MicroGM-PER-M3"
    )
    assert str(content.value(effect, RDFS.label)) == (
        f"Stil asfalt op {target[:1].lower()}{target[1:]}"
    )


@pytest.mark.parametrize("text", ["http://example.org/a%zz", "http://example.org/a#b#c"])
def test_a_reference_that_is_no_valid_iri_is_refused_at_its_cell(
    store: Store, tmp_path: Path, exports: dict[str, bytes], text: str
) -> None:
    """Looked up in the store, such a cell was a 500 on the upload (the store refuses the
    IRI) and a message without sheet or row on the command line."""
    path = _exported(exports, tmp_path)
    norm = row_of(path, "beleidsnorm", "GEL-N01")
    edit(path, [("beleidsnorm", norm, "werkingsgebied", text)])
    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, path, base_iri=BASE, graph=GELUID)
    assert _errors(failed.value.problems) == [("beleidsnorm", norm, "werkingsgebied")]


def test_references_to_other_graphs_are_looked_up_a_bounded_number_of_times(
    store: Store,
    tmp_path: Path,
    exports: dict[str, bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One query per distinct thing: a workbook of 20,000 such references kept a worker
    and the engine busy for half a minute; past the limit a reference is refused with
    the reason, among the workbook's other problems."""
    monkeypatch.setattr(elsewhere, "MAX_LOOKUPS", 2)
    asked: list[object] = []
    real = elsewhere.StoreLookup._about
    monkeypatch.setattr(
        elsewhere.StoreLookup, "_about", lambda self, iri: asked.append(iri) or real(self, iri)
    )
    path = _exported(exports, tmp_path)  # refers to more than two things of other graphs
    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, path, base_iri=BASE, graph=GELUID)
    assert len(set(asked)) == 2
    assert any("more than 2 distinct things" in p.message_en for p in failed.value.problems)


def test_an_import_over_a_graph_with_what_no_cell_holds_is_refused(
    store: Store, tmp_path: Path
) -> None:
    """An English name beside the Dutch one uses properties the workbook uses too: the
    re-import was accepted and the English name deleted unseen."""
    norm = URIRef(f"{BASE}/id/beleidsnorm/GEL-N01")
    english = (norm, RDFS.label, Literal("Facade noise at most 48 dB(A)", lang="en"))
    original = _content(store, GELUID)
    store.add_to_graph(GELUID, Graph().add(english))
    try:
        before = _content(store, GELUID)
        path = tmp_path / "geluid.xlsx"
        warnings = export_workbook(store, path, graph=GELUID)
        assert any("rdfs:label@en" in w.message_en for w in warnings)
        with pytest.raises(ImportFailed) as refused:
            import_workbook(store, path, base_iri=BASE, graph=GELUID)
        assert "rdfs:label@en" in refused.value.problems[0].message_en
        assert isomorphic(_content(store, GELUID), before)
    finally:
        store.replace_graph(GELUID, original)


KADERS = f"{BASE}/graph/kaders-rijk-provincie"


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed; install libreoffice-calc",
)
def test_a_graph_under_another_base_round_trips_through_libreoffice(
    store: Store, tmp_path: Path
) -> None:
    """The workbook records the base of its codes (a document property); a spreadsheet
    program that saves the file keeps it, so the import still reads the national norms'
    codes as https://data.krb.nl/kader/id/... and not under the registry's base."""
    before = _content(store, KADERS)
    exported = tmp_path / "kaders.xlsx"
    assert export_workbook(store, exported, graph=KADERS) == []
    assert recorded_base(exported) == KADER
    saved = saved_by_libreoffice(exported, "xlsx", tmp_path / "saved", tmp_path / "lo-profile")
    assert recorded_base(saved) == KADER

    report = import_workbook(store, saved, base_iri=BASE, graph=KADERS)

    assert [p.text_en for p in report.warnings if p.is_error] == []
    assert isomorphic(_content(store, KADERS), before)


@pytest.mark.parametrize("value", ["kader", "ftp://data.krb.nl/kader", "https://x.nl/a b"])
def test_a_recorded_base_that_is_no_iri_refuses_the_import(
    store: Store, tmp_path: Path, exports: dict[str, bytes], value: str
) -> None:
    before = _content(store, KADERS)
    path = _exported(exports, tmp_path, KADERS)
    book = load_workbook(path)
    book.custom_doc_props = CustomPropertyList()
    book.custom_doc_props.append(StringProperty(name=BASE_PROPERTY, value=value))
    book.save(path)

    with pytest.raises(ImportFailed) as failed:
        import_workbook(store, path, base_iri=BASE, graph=KADERS)

    errors = [p.message_en for p in failed.value.problems if p.is_error]
    assert any(BASE_PROPERTY in text and repr(value) in text for text in errors), errors
    assert isomorphic(_content(store, KADERS), before)


def test_a_workbook_without_a_recorded_base_reads_codes_under_the_registrys(
    store: Store, tmp_path: Path, exports: dict[str, bytes]
) -> None:
    """With the property removed (a workbook moved to another registry), the codes of
    the national norms are read as new things under the registry's base: the import
    no longer finds OV-DEMO-N01 of https://data.krb.nl/kader where an effect names it."""
    path = _exported(exports, tmp_path, KADERS)
    book = load_workbook(path)
    book.custom_doc_props = CustomPropertyList()
    book.save(path)
    assert recorded_base(path) is None

    report = import_workbook(store, path, base_iri=BASE, graph=f"{BASE}/graph/kopie")
    try:
        subjects = {str(s) for s in _content(store, f"{BASE}/graph/kopie").subjects()}
        assert f"{BASE}/id/beleidsnorm/OV-DEMO-N01" in subjects
        assert not any(s.startswith(KADER + "/") for s in subjects)
        assert not any("the base the workbook records" in p.message_en for p in report.warnings)
    finally:
        store.drop_graph(f"{BASE}/graph/kopie")


OWN_UNIT = f"{BASE}/id/eenheid/gehinderden-per-straat"
OWN_UNITS_TTL = f"""
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{OWN_UNIT}> a qudt:Unit ;
    rdfs:label "gehinderden per straat"@nl ;
    qudt:symbol "geh/straat" ;
    qudt:hasDimensionVector <http://qudt.org/vocab/dimensionvector/A0E0L0I0M0H0T0D1> .
"""


def test_a_graph_using_a_unit_the_registry_declares_elsewhere_round_trips(
    store: Store, tmp_path: Path
) -> None:
    """A municipality's own unit, declared in Turtle in a graph of its own: the export
    writes it by IRI, and the import finds it in the registry (the unit catalogue does
    not know it); an IRI the registry does not declare stays an unknown unit."""
    units, graph = f"{BASE}/graph/eigen-eenheden", f"{BASE}/graph/hoogbouw"
    store.replace_graph(units, Graph().parse(data=OWN_UNITS_TTL, format="turtle"))
    before = _content(store, graph)
    metre = URIRef("http://qudt.org/vocab/unit/M")
    changed = Graph()
    for s, p, o in before:  # every metre of the high-rise graph in the own unit instead
        changed.add((s, p, URIRef(OWN_UNIT) if (p, o) == (QUDT.hasUnit, metre) else o))
    assert set(changed.objects(None, QUDT.hasUnit)) == {URIRef(OWN_UNIT)}
    try:
        store.replace_graph(graph, changed)
        path = tmp_path / "hoogbouw.xlsx"
        export_workbook(store, path, graph=graph)
        report = import_workbook(store, path, base_iri=BASE, graph=graph)
        assert [p.text_en for p in report.warnings if p.is_error] == []
        assert isomorphic(_content(store, graph), changed)
        row = row_of(path, "beleidsindicator", "BOU-I01")
        edit(path, [("beleidsindicator", row, "eenheid", f"{BASE}/id/eenheid/onbekend")])
        with pytest.raises(ImportFailed) as refused:
            import_workbook(store, path, base_iri=BASE, graph=graph)
        assert ("beleidsindicator", row, "eenheid") in _errors(refused.value.problems)
    finally:
        store.replace_graph(graph, before)
        store.drop_graph(units)


def test_a_graph_imported_again_under_another_name_is_told_by_its_cause_first(
    store: Store, exports: dict[str, bytes], tmp_path: Path
) -> None:
    """Every fact of such a workbook is in two graphs: the refusal was the hint and then
    a hundred findings of that one cause (1,580 lines), the hint scrolled out of sight.
    A few of them are shown, the rest counted."""
    path = _exported(exports, tmp_path)  # graph excel/geluid, not the graph geluid it came from
    with pytest.raises(ImportFailed) as refused:
        import_workbook(store, path, base_iri=BASE)
    problems = refused.value.problems
    assert f"already in graph <{GELUID}>" in problems[0].message_en
    two_graphs = [p for p in problems if "A fact belongs to one graph" in p.message_en]
    assert len(two_graphs) == RESTATED_SHOWN
    (counted,) = [p for p in problems if "more facts that are in another graph" in p.message_en]
    assert problems[-1] == counted
    assert len(problems) < 20
