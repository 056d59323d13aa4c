"""The export of a registry that holds several bases, the same codes under each.

A province's registry holds several municipalities, each in graphs of its own under its
own base (https://krb.gemeente-a.nl, https://krb.gemeente-b.nl), reusing the same codes.
`krb export-excel` of the whole registry records one base in the workbook (`KRB
basis-IRI`), which one varied from run to run when two bases held equally many things,
and the code columns of the sheets conceptschemas, beleidsthemas, beleidsaspecten and
afdelingen wrote the bare code for every base ('beleidsthemas' three times, 'milieu'
three times): reading the workbook back made one thing of two, or refused dozens of
rows ("'beleidsthemas' already appears in row 2"). Now every code cell of every sheet
follows one rule (the bare code only where the import mints that thing from it under the
recorded base, else the full IRI), the base is the smallest of those holding most
things, and the import of such a workbook into the store is refused with the advice to
work graph by graph (docs/excel.md, docs/web.md), as for any registry of several graphs.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.packaging.custom import CustomPropertyList
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from store_templates import copy_of
from typer.testing import CliRunner, Result

from krbgraph.cli import app
from krbgraph.commands.serve import demo_paths
from krbgraph.excel.conversion import is_iri
from krbgraph.excel.exporting import export_workbook, registry_data
from krbgraph.excel.problems import Problem
from krbgraph.excel.reader import ReadResult, read_workbook
from krbgraph.excel.workbook_base import recorded_base
from krbgraph.excel.workbook_format import THING_KIND
from krbgraph.excel.writer import write_workbook
from krbgraph.iris import same_site, thing_iri
from krbgraph.loading import load_paths
from krbgraph.model import model_graph
from krbgraph.namespaces import ORG, PREFIXES
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

DEMO = "https://krb.demogemeente.nl"
A = "https://krb.gemeente-a.nl"
B = "https://krb.gemeente-b.nl"
SCHEME_PLACES = (SKOS.inScheme, SKOS.topConceptOf, SKOS.hasTopConcept)
"""What the import writes of a concept's scheme: always the recorded base's scheme."""

Exported = tuple[Path, list[Problem], Graph]


def krb(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "500"})


def _municipalities(folder: Path) -> None:
    """The demo's policy files twice, under base A and under base B, with the same codes
    and names; the national and provincial frameworks (under their own base) once, in A."""
    for base in (A, B):
        files = folder / base.split("//")[1]
        files.mkdir(parents=True)
        for path in demo_paths():
            if path.parent.name != "demo" or (base == B and path.name.startswith("kaders")):
                continue
            text = path.read_text(encoding="utf-8").replace(DEMO, base)
            (files / path.name).write_text(text, encoding="utf-8")


def _fill(store: Store, folder: Path) -> None:
    ensure_model(store)
    for base in (A, B):
        load_paths(store, [folder / base.split("//")[1]], base_iri=base)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed store (a folder to copy) with both municipalities, each file its graph."""
    folder = tmp_path_factory.mktemp("province")
    _municipalities(folder / "files")
    return copy_of(
        "two-municipalities",
        Settings(),
        lambda store: _fill(store, folder / "files"),
        folder / "store",
    )


@pytest.fixture(scope="module")
def exported(province: Path, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """The whole registry's workbook, the export's warnings and the registry's data."""
    workbook = tmp_path_factory.mktemp("export") / "registratie.xlsx"
    with open_store(Settings(store=str(province))) as store:
        warnings = export_workbook(store, workbook)
        data = registry_data(store)
    return workbook, warnings, data


@pytest.fixture(scope="module")
def read_back(exported: Exported) -> ReadResult:
    workbook, _, _ = exported
    return read_workbook(workbook, A, model_graph())


def test_the_base_recorded_is_the_smallest_of_those_holding_most_things(
    exported: Exported,
) -> None:
    workbook, _, data = exported
    assert len(set(data.subjects(RDF.type, None))) > 100
    assert recorded_base(workbook) == A  # A and B hold equally many


@pytest.mark.parametrize("number", range(8))
def test_a_tie_between_bases_is_broken_the_same_way_whatever_the_order(number: int) -> None:
    """The tie was broken by the order of a set of IRIs, which differs per data and per
    run: of three bases holding one department each, any could be recorded."""
    graph = Graph()
    bases = [f"https://krb.{letter}{number}.nl" for letter in "zam"]
    for base in bases:
        department = URIRef(f"{base}/id/afdeling/milieu")
        graph.add((department, RDF.type, ORG.OrganizationalUnit))
        graph.add((department, RDFS.label, Literal("Afdeling Milieu", lang="nl")))
        graph.add((department, DCTERMS.identifier, Literal("milieu")))
    buffer = BytesIO()

    assert write_workbook(graph, buffer, model=model_graph()) == []

    assert recorded_base(BytesIO(buffer.getvalue())) == min(bases)
    sheet = load_workbook(BytesIO(buffer.getvalue()))["afdelingen"]
    codes = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    others = [f"{base}/id/afdeling/milieu" for base in bases if base != min(bases)]
    assert sorted(codes) == sorted(["milieu", *others])


def test_no_code_column_holds_one_bare_code_for_two_things(exported: Exported) -> None:
    """A bare code is the thing the import mints from it under the recorded base, so it
    names one thing: that one (B's themes, aspects and departments are written by IRI)."""
    workbook, _, data = exported
    book = load_workbook(workbook)
    things = set(data.subjects(RDF.type, None))
    codes: dict[str, Counter[str]] = {}
    for sheet in book.worksheets:
        header = [cell.value for cell in sheet[1]]
        if "code" in header and sheet.title in THING_KIND:
            column = [row[header.index("code")] for row in sheet.iter_rows(min_row=2)]
            codes[sheet.title] = Counter(str(c.value) for c in column if c.value is not None)

    bare = {(sheet, code) for sheet, found in codes.items() for code in found if not is_iri(code)}
    assert len(bare) > 100
    assert {(s, c): n for s, found in codes.items() for c, n in found.items() if n > 1} == {}
    for sheet, code in bare:
        assert thing_iri(A, THING_KIND[sheet], code) in things, (sheet, code)
    for sheet in ("conceptschemas", "beleidsthemas", "beleidsaspecten", "afdelingen"):
        assert sheet in codes
    for sheet in ("beleidsthemas", "beleidsaspecten", "afdelingen", "werkingsgebieden"):
        assert any(code.startswith(f"{B}/id/") for code in codes[sheet]), sheet
    assert list(codes["conceptschemas"]) == ["beleidsthemas", "leefomgeving-lokaal"]


def test_reading_the_workbook_back_gives_every_exported_thing_its_own_iri(
    exported: Exported, read_back: ReadResult
) -> None:
    _, warnings, data = exported
    assert [p.text_en for p in read_back.errors] == []
    read = read_back.graph
    kinds = {kind for kind in data.objects(None, RDF.type) if kind != SKOS.ConceptScheme}
    for kind in kinds:
        held = {s for s in data.subjects(RDF.type, kind) if isinstance(s, URIRef)}
        assert {s for s in read.subjects(RDF.type, kind) if isinstance(s, URIRef)} == held, kind
    schemes = set(read.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes and all(str(scheme).startswith(f"{A}/id/") for scheme in schemes)

    # Every reference between things comes back as it was (an aspect's theme, an
    # indicator's department, a norm's areas), except a concept's place in another
    # base's scheme, which the import gives the recorded base's: the export says so.
    links = {(s, p, o) for s, p, o in data if isinstance(s, URIRef) and isinstance(o, URIRef)}
    links_read = {(s, p, o) for s, p, o in read if isinstance(s, URIRef) and isinstance(o, URIRef)}
    lost = Counter(_short(p) for _, p, _ in links - links_read)
    reported = {
        match.group(2): int(match.group(1))
        for warning in warnings
        if (match := re.match(r"(\d+) triple\(s\) with (\S+) do not fit", warning.text_en))
    }
    assert lost and all(count <= reported.get(name, 0) for name, count in lost.items()), (
        lost,
        reported,
    )
    for s, p, o in links_read - links:
        scheme = s if p == SKOS.hasTopConcept else o
        assert p in SCHEME_PLACES and str(scheme).startswith(f"{A}/id/conceptschema/"), (s, p, o)


def test_importing_the_whole_registry_is_refused_with_the_way_graph_by_graph(
    province: Path, exported: Exported, tmp_path: Path
) -> None:
    workbook, _, _ = exported
    store = str(tmp_path / "store")
    shutil.copytree(province, store)

    refused = krb(
        "import-excel", str(workbook), "--store", store, "--base-iri", A,
        "--graph", f"{A}/graph/thema",
    )  # fmt: skip

    assert refused.exit_code == 1, refused.output
    out = refused.output
    problems = [line for line in out.splitlines() if line.startswith("fout ")]
    assert "verspreid over" in problems[0], out  # the refusal starts with the cause
    lead = out[out.index(problems[0]) : out.index(problems[1])]
    assert "spread over" in lead and f"<{B}/graph/" in lead and f"<{A}/graph/" in lead
    assert "krb export-excel --graph G" in lead and "krb import-excel --graph G" in lead
    # no row refused for what the export wrote (a code, a theme, an aspect's theme)
    assert "already appears in row" not in out and "staat al in rij" not in out
    assert "belongs to theme" not in out and "does not exist" not in out


def test_one_graph_of_either_municipality_comes_back_graph_by_graph(
    province: Path, tmp_path: Path
) -> None:
    store = str(tmp_path / "store")
    shutil.copytree(province, store)
    graph = f"{B}/graph/thema"
    workbook = tmp_path / "thema.xlsx"

    assert krb("export-excel", str(workbook), "--graph", graph, "--store", store).exit_code == 0
    assert recorded_base(workbook) == B
    with open_store(Settings(store=store)) as opened:
        before = opened.read_graph(graph)
    loaded = krb("import-excel", str(workbook), "--graph", graph, "--store", store, "--base-iri", A)

    assert loaded.exit_code == 0, loaded.output
    with open_store(Settings(store=store)) as opened:
        after = opened.read_graph(graph)
    assert set(after.subjects(RDF.type, None)) == set(before.subjects(RDF.type, None))
    assert set(after.subject_objects(SKOS.broader)) == set(before.subject_objects(SKOS.broader))


def test_own_concepts_of_two_bases_come_back_as_themselves() -> None:
    """Own sectors are minted as {base}/id/begrip/sector/{code}: another base's concept
    is written by its IRI, which the import keeps."""
    turtle = "".join(
        f"""
        <{base}/id/conceptschema/sectoren> a skos:ConceptScheme ;
            dct:title "Eigen sectoren"@nl ; skos:prefLabel "Eigen sectoren"@nl .
        <{base}/id/begrip/sector/studenten> a skos:Concept ; skos:prefLabel "Studenten"@nl ;
            skos:inScheme <{base}/id/conceptschema/sectoren> ;
            skos:topConceptOf <{base}/id/conceptschema/sectoren> ;
            skos:broadMatch <https://data.krb.nl/id/begrip/sector/particulieren> .
        <{base}/id/begrip/sector/kamers> a skos:Concept ; skos:prefLabel "Kamerbewoners"@nl ;
            skos:inScheme <{base}/id/conceptschema/sectoren> ;
            skos:broader <{base}/id/begrip/sector/studenten> .
        """
        for base in (A, B)
    )
    prefixes = (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> . "
        "@prefix dct: <http://purl.org/dc/terms/> . "
    )
    graph = Graph().parse(data=prefixes + turtle, format="turtle")
    buffer = BytesIO()
    warnings = write_workbook(graph, buffer, model=model_graph())

    result = read_workbook(BytesIO(buffer.getvalue()), A, model_graph())

    assert result.errors == []
    assert set(result.graph.subject_objects(SKOS.broader)) == set(
        graph.subject_objects(SKOS.broader)
    )
    assert set(result.graph.subjects(RDF.type, SKOS.Concept)) == set(
        graph.subjects(RDF.type, SKOS.Concept)
    )
    # B's list is not A's: its scheme and the places in it are reported, not written
    assert any("skos:inScheme" in w.text_en for w in warnings)
    assert any(f"{B}/id/conceptschema/sectoren" in w.text_en for w in warnings)


def _short(predicate: object) -> str:
    """A predicate as the export's warnings name it (skos:inScheme)."""
    text = str(predicate)
    prefix, namespace = max(
        ((p, ns) for p, ns in PREFIXES.items() if text.startswith(ns)), key=lambda m: len(m[1])
    )
    return f"{prefix}:{text[len(namespace) :]}"


def _without_base(province: Path, folder: Path, graph: str) -> tuple[str, Path]:
    """A copy of the province's store, and ``graph`` exported from it as a workbook that
    records no base (as the template, or an export whose property was removed)."""
    store = str(folder / "store")
    shutil.copytree(province, store)
    workbook = folder / "thema.xlsx"
    assert krb("export-excel", str(workbook), "--graph", graph, "--store", store).exit_code == 0
    book = load_workbook(workbook)
    book.custom_doc_props = CustomPropertyList()
    book.save(workbook)
    assert recorded_base(workbook) is None
    return store, workbook


def test_a_workbook_without_a_base_is_read_under_the_base_of_the_graph_it_goes_into(
    province: Path, tmp_path: Path
) -> None:
    """A workbook that records no base (the template; an export whose property was
    removed) uploaded into one municipality's graph by a service serving the other's base:
    its codes name that municipality's things, never the served base's (which made B's
    officer create A's norms, and A's own import of them fail)."""
    graph = f"{B}/graph/thema"
    store, workbook = _without_base(province, tmp_path, graph)
    with open_store(Settings(store=store)) as opened:
        before = opened.read_graph(graph)

    loaded = krb("import-excel", str(workbook), "--graph", graph, "--store", store, "--base-iri", A)

    assert loaded.exit_code == 0, loaded.output
    said = " ".join(loaded.output.split())
    assert f"codes worden IRI's onder {B}, de basis waaronder graaf <{graph}>" in said
    with open_store(Settings(store=store)) as opened:
        after = opened.read_graph(graph)
    subjects = {str(s) for s in after.subjects(RDF.type, None) if isinstance(s, URIRef)}
    assert subjects == {str(s) for s in before.subjects(RDF.type, None) if isinstance(s, URIRef)}
    assert not any(s.startswith(A) for s in subjects)
    # Into a graph under the served base, or one named otherwise: the served base, unsaid.
    other = krb(
        "import-excel", str(workbook), "--graph", f"{A}/nieuw", "--store", store, "--base-iri", A
    )
    other_said = " ".join(other.output.split())
    assert "already in graph" in other_said or "al in graaf" in other_said, other_said
    assert "de basis waaronder graaf" not in other_said


def test_a_workbook_without_a_base_into_a_graph_of_the_registrys_own_host_keeps_its_base(
    province: Path, tmp_path: Path
) -> None:
    """A graph under the registry's own base by ``http://`` is the registry's own: the
    workbook is read under its base, as it was, and an unchanged workbook imported again
    leaves the same things (the graph's base was taken: every thing renamed)."""
    graph = f"{B}/graph/thema"
    store, workbook = _without_base(province, tmp_path, graph)
    with open_store(Settings(store=store)) as opened:
        before = {str(s) for s in opened.read_graph(graph).subjects(RDF.type, None)}
    assert krb("drop", graph, "--store", store).exit_code == 0
    for target in (f"{B.replace('https:', 'http:')}/graph/thema", f"{B}/graph/thema"):
        loaded = krb(
            "import-excel", str(workbook), "--graph", target, "--store", store, "--base-iri", B
        )
        assert loaded.exit_code == 0, loaded.output
        assert "de basis waaronder graaf" not in " ".join(loaded.output.split())
        with open_store(Settings(store=store)) as opened:
            after = {str(s) for s in opened.read_graph(target).subjects(RDF.type, None)}
        assert after == before
        assert krb("drop", target, "--store", store).exit_code == 0


@pytest.mark.parametrize(
    ("graph_base", "served", "same"),
    [
        ("http://krb.gemeente-a.nl", "https://krb.gemeente-a.nl/", True),
        ("https://KRB.gemeente-a.nl", "https://krb.gemeente-a.nl", True),
        ("https://krb.gemeente-b.nl", "https://krb.gemeente-a.nl", False),
        ("https://data.gelderland.nl/bemmel", "https://data.gelderland.nl/lingewaard", False),
        ("https://krb.gemeente-a.nl:8443", "https://krb.gemeente-a.nl", False),
    ],
)
def test_two_bases_are_one_registry_only_on_one_host_port_and_path(
    graph_base: str, served: str, same: bool
) -> None:
    """Which graph's base a workbook without one is read under (krbgraph.iris.same_site):
    a province's municipalities under paths of one host are registries of their own."""
    assert same_site(graph_base, served) is same
