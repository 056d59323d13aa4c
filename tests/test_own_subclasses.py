"""A registry that types its things with its own subclasses of the model's classes gets
the answers it would get with the model's classes.

Municipalities extend the model (``gem:Geluidsnorm rdfs:subClassOf krb:Beleidsnorm``, a
plan area below ``krb:Werkingsgebied``). The shapes always followed such subclasses, but
every query asked for the model's class: the norms vanished from every answer, their
documents got no dates in force (so ended policy counted as in force) and norms were
listed as measures. The property checked here: the demo with every document, norm,
rule, measure, effect, area, theme and indicator typed only with an own class two levels
below the model's class answers every named query as the demo itself does, once the own
classes are read as the model class they specialise (krbgraph.entailed_types).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from demo_backends import DEMO_FILES, DEMO_GRAPH, embedded_demo_fixture
from openpyxl import load_workbook
from rdflib import RDF, RDFS, BNode, Graph, Namespace, URIRef

from krbgraph.derived import refresh as refresh_derived
from krbgraph.excel.exporting import export_workbook
from krbgraph.queries import ParamType, load_catalogue
from krbgraph.settings import Settings
from krbgraph.sparql_binding import prebind
from krbgraph.store import Store, ensure_model, open_store

KRB = Namespace("https://data.krb.nl/def/krb#")
OWN = Namespace("https://krb.example.org/def/eigen#")
SPECIALISED = [
    "Besluitdocument", "Beleidsnorm", "Beleidsregel", "Beleidsmaatregel", "MerMaatregel",
    "BeoogdEffect", "BeoogdeUitvoering", "Werkingsgebied", "Beleidsthema", "Beleidsindicator",
]  # fmt: skip
CATALOGUE = load_catalogue()
DATES = [
    '"2024-06-01"^^<http://www.w3.org/2001/XMLSchema#date>',
    '"2031-01-01"^^<http://www.w3.org/2001/XMLSchema#date>',
]

plain = embedded_demo_fixture("plain")


def _retyped(tmp: Path) -> list[Path]:
    """The demo files with every instance of SPECIALISED typed only eigen:EigenX, and the
    registry's own ontology beside them: eigen:EigenX below eigen:X below krb:X."""
    files = []
    for path in DEMO_FILES:
        graph = Graph().parse(path)
        for name in SPECIALISED:
            for subject in list(graph.subjects(RDF.type, KRB[name])):
                graph.remove((subject, RDF.type, KRB[name]))
                graph.add((subject, RDF.type, OWN[f"Eigen{name}"]))
        target = tmp / path.name
        graph.serialize(target, format="turtle")
        files.append(target)
    ontology = Graph()
    for name in SPECIALISED:
        ontology.add((OWN[name], RDFS.subClassOf, KRB[name]))
        ontology.add((OWN[f"Eigen{name}"], RDFS.subClassOf, OWN[name]))
    ontology.serialize(tmp / "eigen-klassen.ttl", format="turtle")
    return [*files, tmp / "eigen-klassen.ttl"]


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("own-subclasses")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        handle.load_files({DEMO_GRAPH: _retyped(folder)}, replace=True)
        refresh_derived(handle)
        yield handle


def _model_term(term: object) -> str | None:
    """A term as n3, an own class written as the model class it specialises."""
    if term is None:
        return None
    if isinstance(term, BNode):
        return "_:b"  # the two stores label blank nodes apart
    text = str(term)
    if isinstance(term, URIRef) and text.startswith(str(OWN)):
        return KRB[text.removeprefix(str(OWN)).removeprefix("Eigen")].n3()
    return term.n3()  # type: ignore[attr-defined]


def _answer(store: Store, text: str) -> set[tuple[str | None, ...]]:
    return {tuple(_model_term(v) for v in row) for row in store.query(text).rows}


def _choices(store: Store, name: str) -> list[dict[str, str]]:
    options: dict[str, list[str]] = {}
    for param in CATALOGUE[name].parameters:
        if param.type is ParamType.IRI:
            # Any resource: one of each kind the test retypes.
            classes = [param.klasse] if param.klasse else [KRB.Beleidsnorm, KRB.Werkingsgebied]
            options[param.name] = [
                f"<{row[0]}>"
                for klasse in classes
                for row in store.query(
                    f"SELECT DISTINCT ?s WHERE {{ ?s a <{klasse}> FILTER isIRI(?s) }} "
                    "ORDER BY ?s LIMIT 3"
                ).rows
            ]
        elif param.type is ParamType.DATE:
            options[param.name] = DATES
    names = sorted(options)
    combos = itertools.islice(itertools.product(*(options[n] for n in names)), 6)
    return [dict(zip(names, combo, strict=True)) for combo in combos]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_named_query_answers_as_with_the_model_classes(
    plain: Store, own: Store, name: str
) -> None:
    query = CATALOGUE[name]
    for terms in _choices(plain, name) or [{}]:
        text = prebind(query.sparql, terms) if terms else query.sparql
        expected = _answer(plain, text)
        assert _answer(own, text) == expected, (name, terms)


def test_the_derived_types_are_the_most_specific_model_class_only(own: Store) -> None:
    """An own subclass of krb:MerMaatregel is a krb:MerMaatregel, not also the
    krb:Beleidsmaatregel the queries ask for beside it (a row twice)."""
    rows = own.query(
        f"SELECT ?s WHERE {{ ?s a <{OWN}EigenMerMaatregel> , <{KRB}Beleidsmaatregel> }}"
    ).rows
    assert rows == ()
    mer = own.query(f"SELECT ?s WHERE {{ ?s a <{OWN}EigenMerMaatregel> , <{KRB}MerMaatregel> }}")
    assert mer.rows, "the demo has an EIA measure"


def test_the_workbook_holds_the_things_of_own_classes_on_their_sheets(
    plain: Store, own: Store, tmp_path: Path
) -> None:
    def sheets(store: Store) -> dict[str, int]:
        target = tmp_path / "export.xlsx"
        export_workbook(store, target)
        book = load_workbook(target, read_only=True)
        counts = {sheet.title: sum(1 for _ in sheet.iter_rows()) for sheet in book.worksheets}
        book.close()
        return counts

    expected = sheets(plain)
    assert expected["beleidsnorm"] > 5
    assert sheets(own) == expected


def test_the_checks_beside_the_shapes_see_own_typed_things_as_the_model_class(
    tmp_path: Path,
) -> None:
    """The unit check reads the copy validation runs on, which holds no derived graph: a
    norm typed with an own class escaped it (a km/h norm on a dB(A) indicator)."""
    from krbgraph.loading import validate_paths

    files = _retyped(tmp_path)
    noise = next(path for path in files if path.name == "geluid.ttl")
    graph = Graph().parse(noise)
    norm = URIRef("https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01")
    graph.set((norm, URIRef("http://qudt.org/schema/qudt/hasUnit"),
               URIRef("http://qudt.org/vocab/unit/KiloM-PER-HR")))  # fmt: skip
    graph.serialize(noise, format="turtle")
    result = validate_paths(files)
    assert any(f.focus == str(norm) and "does not fit" in f.message_en for f in result.findings)


def test_dropping_the_own_classes_derives_what_a_fresh_derivation_gives(
    tmp_path: Path,
) -> None:
    """Deriving again on the store reads types outside the derived graph it replaces: a
    plan area typed with an own class kept its spatial relations after the graph with the
    own classes was dropped (a second `krb derive` gave another graph)."""
    from krbgraph.derived import derive
    from krbgraph.dropping import drop_data_graph

    files = _retyped(tmp_path)
    ontology = f"{DEMO_GRAPH}-klassen"
    with open_store(Settings(store=str(tmp_path / "db"))) as handle:
        ensure_model(handle)
        handle.load_files(
            {DEMO_GRAPH: [f for f in files if f.name != "eigen-klassen.ttl"],
             ontology: [tmp_path / "eigen-klassen.ttl"]},
            replace=True,
        )  # fmt: skip
        refresh_derived(handle)
        derived = URIRef("https://data.krb.nl/def/krb/afgeleid")
        within = URIRef("https://data.krb.nl/def/krb#ligtBinnen")
        assert any(p == within for _, p, _ in handle.read_graph(str(derived)))
        drop_data_graph(handle, ontology)
        stored = {t for t in handle.read_graph(str(derived)) if "versionInfo" not in str(t[1])}
        fresh = {t for t in derive(handle) if "versionInfo" not in str(t[1])}
        assert stored == fresh
        assert not any(p == RDF.type for _, p, _ in stored), "nothing is an own class now"


def test_a_type_counts_as_stated_wherever_it_is_but_in_the_derived_graph(tmp_path: Path) -> None:
    from krbgraph.entailed_types import stated_types
    from krbgraph.model import DERIVED_GRAPH

    norm = str(KRB.Beleidsnorm)
    things = {name: f"https://krb.example.org/id/{name}" for name in ("alleen", "ook", "data")}
    with open_store(Settings(store=str(tmp_path / "db"))) as handle:
        handle.update(
            f"INSERT DATA {{ GRAPH <{DERIVED_GRAPH}> {{ <{things['alleen']}> a <{norm}> . "
            f"<{things['ook']}> a <{norm}> . <{things['data']}> a <{norm}> }} "
            f"<{things['ook']}> a <{norm}> . "  # the unnamed default graph
            f"GRAPH <https://krb.example.org/graph/g> {{ <{things['data']}> a <{norm}> }} }}"
        )
        stated = stated_types(handle, [norm])
    assert set(stated) == {things["ook"], things["data"]}


def test_a_workbook_may_refer_to_a_thing_of_an_own_class_elsewhere(
    plain: Store, own: Store
) -> None:
    """A workbook row naming a norm that another graph types with an own subclass was
    refused: "is a EigenBeleidsnorm in the registry, not a Beleidsnorm"."""
    from krbgraph.excel.elsewhere import OutsideThing, StoreLookup

    for store in (plain, own):
        lookup = StoreLookup(store, "https://krb.demogemeente.nl", "https://x.example/graph/new")
        found = lookup.find("beleidsnorm", "GEL-N01")
        assert isinstance(found, OutsideThing), found
