# ruff: noqa: E501  (the Turtle of the trap cases reads better unwrapped)
"""krbgraph.shacl against pySHACL on the project's own shapes, and the traps of SHACL.

1. The KRB shapes over the demo registry and over variants that break one
   rule each (every breaking and conforming variant of
   tests/test_shapes_constraints.py and tests/test_shapes_lifecycle.py, each
   with its IRIs and blank nodes renamed apart so all of them fit in one
   registry): the engine on an embedded store and pySHACL on the same data
   give the same (focus node, path, component, source shape, severity, value)
   set. Blank nodes are compared by their structure. The same engine behind a
   SPARQL server (oxigraph serve, marked remote) gives the same set again.
2. Hypothesis: small random graphs against fixed shapes with sh:datatype,
   sh:class, sh:minCount, sh:maxCount, sh:pattern and sh:lessThan give the
   same results on both engines.
3. The traps, one test each, with the results SHACL prescribes; a shape the
   compiler cannot translate is validated by pySHACL and reported as such;
   focus_nodes limits validation; pre-binding that needs a run per focus node.
4. Results turn into krbgraph.validation's Finding.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import test_shapes_constraints as constraints
import test_shapes_lifecycle as lifecycle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node
from remote_server import running_oxigraph
from sparql_parse_cache import sparql_parsed_once_fixture

from krbgraph.model import model_graph, model_parts, project_root, shapes_graph
from krbgraph.namespaces import SCHEME
from krbgraph.pyshacl_run import _ill_typed
from krbgraph.pyshacl_run import pyshacl_report as reference_report
from krbgraph.rdfio import read_rdf
from krbgraph.settings import Settings
from krbgraph.shacl import Report, validate_graph, validate_store
from krbgraph.shacl.findings import node_context, to_findings
from krbgraph.shacl.paths import read_path
from krbgraph.store import Store, ensure_model, open_store

DEMO = project_root() / "examples" / "demo"
DATA_GRAPH = "https://krb.example.org/graph/differential"
ID = constraints.ID
EX = Namespace("http://example.org/ns#")

Key = tuple[object, ...]

sparql_parsed_once = sparql_parsed_once_fixture()
"""pySHACL's SHACL-SPARQL constraints parsed once, not once per focus node: the same
reference results, in a tenth of the time (sparql_parse_cache)."""


# -- both engines on the same data ---------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = open_store(Settings(store=str(tmp_path_factory.mktemp("shacl") / "store")))
    ensure_model(opened)
    yield opened
    opened.close()


def data_graphs() -> list[str]:
    """The model graphs and the registry: what krbgraph.validation validates together."""
    return [part.graph for part in model_parts()] + [DATA_GRAPH]


def with_model(data: Graph) -> Graph:
    """``data`` with the model as krbgraph.validation gives it to pySHACL: everything but
    the IMBOR extract, and of the extract the concepts the data refers to."""
    model = model_graph()
    extract = set(model.subjects(SKOS.inScheme, SCHEME["leefomgeving"]))
    combined = Graph()
    combined += data
    for triple in model:
        if triple[0] not in extract:
            combined.add(triple)
    for concept in {o for o in data.objects() if o in extract}:
        for triple in model.triples((concept, None, None)):
            combined.add(triple)
    return combined


def structure(graph: Graph, node: Node | None, depth: int = 4) -> object:
    """A term, or a blank node by its (bounded) structure in ``graph``."""
    if not isinstance(node, BNode):
        return node
    if depth == 0:
        return "_:"
    return tuple(
        sorted(
            (str(p), repr(structure(graph, o, depth - 1))) for p, o in graph.predicate_objects(node)
        )
    )


def engine_keys(report: Report, data: Graph) -> set[Key]:
    return {
        (
            structure(data, r.focus),
            r.path.sparql() if r.path else None,
            r.component,
            r.shape,
            r.severity,
            structure(data, r.value),
        )
        for r in report.results
    }


def pyshacl_report(data: Graph, shapes: Graph) -> Graph:
    """pySHACL as `--engine pyshacl` runs it: ill-typed literals (a date in year 10000
    among them) swapped for stand-ins, as pySHACL itself dies comparing them."""
    report, _ = reference_report(data, shapes)
    return report


def pyshacl_keys(data: Graph, shapes: Graph) -> set[Key]:
    report = pyshacl_report(data, shapes)
    keys = set()
    for r in report.objects(None, SH.result):
        path = report.value(r, SH.resultPath)
        keys.add(
            (
                structure(data, report.value(r, SH.focusNode)),
                read_path(report, path).sparql() if path is not None else None,
                report.value(r, SH.sourceConstraintComponent),
                report.value(r, SH.sourceShape),
                report.value(r, SH.resultSeverity),
                structure(data, report.value(r, SH.value)),
            )
        )
    return keys


def on_store(store: Store, data: Graph) -> tuple[Report, Graph]:
    """Validate ``data`` in the store's registry graph; also the graph as the store holds
    it (its blank node labels are the store's)."""
    store.replace_graph(DATA_GRAPH, data)
    report = validate_store(store, shapes_graph(), data_graphs=data_graphs())
    assert report.fallbacks == ()
    return report, store.read_graph(DATA_GRAPH)


def test_the_demo_registry_gives_the_same_results(store: Store) -> None:
    demo = Graph()
    for path in sorted(DEMO.glob("*.ttl")):
        demo.parse(path)
    report, stored = on_store(store, demo)
    assert engine_keys(report, stored) == pyshacl_keys(with_model(demo), shapes_graph())


@pytest.mark.remote
def test_a_sparql_server_gives_the_same_results(store: Store, tmp_path: Path) -> None:
    """The same engine over HTTP (oxigraph serve): blank nodes get new labels in every
    answer there, so they are compared as blank nodes only."""
    demo = Graph()
    for path in sorted(DEMO.glob("*.ttl")):
        demo.parse(path)
    local, _ = on_store(store, demo)
    with running_oxigraph(tmp_path / "server") as url:
        remote = open_store(Settings(store=url))
        try:
            ensure_model(remote)
            remote.replace_graph(DATA_GRAPH, demo)
            report = validate_store(remote, shapes_graph(), data_graphs=data_graphs())
        finally:
            remote.close()
    assert report.fallbacks == ()
    anonymous = Graph()  # no structure: every blank node reads as "_:"-shaped
    assert engine_keys(report, anonymous) == engine_keys(local, anonymous)


def variants() -> Iterator[tuple[str, Graph]]:
    minimal = read_rdf(constraints.DATA / "minimal.ttl")
    assert isinstance(minimal, Graph)
    lifecycle_minimal = Graph()
    lifecycle_minimal += minimal
    extra = read_rdf(constraints.DATA / "levenscyclus.ttl")
    assert isinstance(extra, Graph)
    lifecycle_minimal += extra
    for base, module in ((minimal, constraints), (lifecycle_minimal, lifecycle)):
        for name, update, *_ in module.CASES:
            yield name, constraints.changed(base, update)
        for name, update in module.CONFORMING.items():
            yield name, constraints.changed(base, update)


def renamed(graph: Graph, tag: str) -> Graph:
    """The graph with its registry IRIs under ``ID``-``tag`` and its blank nodes renamed,
    so variants can sit side by side without meeting."""

    def rename(term: Node) -> Node:
        if isinstance(term, URIRef) and term.startswith(ID):
            return URIRef(f"https://krb.example.org/{tag}/id/{term[len(ID) :]}")
        if isinstance(term, BNode):
            return BNode(f"{tag}x{term}")
        return term

    out = Graph()
    for s, p, o in graph:
        out.add((rename(s), rename(p), rename(o)))
    return out


def has_ill_typed_literal(graph: Graph) -> bool:
    return any(isinstance(o, Literal) and _ill_typed(o) for o in graph.objects())


@pytest.fixture(scope="module")
def all_variants() -> tuple[Graph, Graph]:
    """Every variant, renamed apart, in two graphs: those without an ill-typed literal
    and the few with one. pySHACL runs twice over data with an ill-typed literal
    (krbgraph.pyshacl_run), so it is given the few apart: over everything that second
    run took as long as the first. The variants cannot meet, so each graph's results
    are the merged graph's results about its variants."""
    well_typed, ill_typed = Graph(), Graph()
    for i, (_, graph) in enumerate(variants()):
        part = ill_typed if has_ill_typed_literal(graph) else well_typed
        part += renamed(graph, f"v{i}")
    return well_typed, ill_typed


def test_every_broken_rule_gives_the_same_results(
    store: Store, all_variants: tuple[Graph, Graph]
) -> None:
    well_typed, ill_typed = all_variants
    assert has_ill_typed_literal(ill_typed) and not has_ill_typed_literal(well_typed)
    merged = Graph()
    merged += well_typed
    merged += ill_typed
    report, stored = on_store(store, merged)
    mine = engine_keys(report, stored)
    theirs = pyshacl_keys(with_model(well_typed), shapes_graph()) | pyshacl_keys(
        with_model(ill_typed), shapes_graph()
    )
    assert mine - theirs == set()
    assert theirs - mine == set()
    # Many shapes fired, of every severity the shapes use, not just a few.
    assert len({key[3] for key in mine}) >= 60
    assert {key[4] for key in mine} == {SH.Violation, SH.Warning}


def test_the_minimal_registry_conforms_in_memory_too() -> None:
    minimal = read_rdf(constraints.DATA / "minimal.ttl")
    assert isinstance(minimal, Graph)
    report = validate_graph(with_model(minimal), shapes_graph())
    assert report.conforms and report.results == () and report.fallbacks == ()


# -- random graphs against fixed shapes ------------------------------------------------

FIXED_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/ns#> .
ex:S a sh:NodeShape ;
    sh:targetClass ex:C ;
    sh:property [ sh:path ex:p ; sh:datatype xsd:integer ; sh:maxCount 2 ] ,
        [ sh:path ex:i ; sh:datatype xsd:integer ] ,
        [ sh:path ex:q ; sh:class ex:D ; sh:minCount 1 ] ,
        [ sh:path ex:r ; sh:pattern "^a[0-9]" ; sh:flags "i" ; sh:maxCount 1 ] ,
        [ sh:path ex:p ; sh:lessThan ex:s ] ,
        [ sh:path ( ex:q ex:p ) ; sh:minCount 1 ; sh:datatype xsd:integer ] .
ex:T a sh:NodeShape ;
    sh:targetSubjectsOf ex:q ;
    sh:property [ sh:path [ sh:inversePath ex:q ] ; sh:maxCount 1 ; sh:class ex:C ] .
"""

NODES = [EX[f"n{i}"] for i in range(4)]
NUMBERS = [
    Literal(1),
    Literal(2),
    Literal("7", datatype=XSD.integer),
    Literal("1.5", datatype=XSD.decimal),
    Literal("-3", datatype=XSD.integer),
]
ILL_TYPED = [Literal("abc", datatype=XSD.integer), Literal("2023-02-29", datatype=XSD.date)]
"""Only where no order is taken: pySHACL finds 1 < "abc"^^xsd:integer true, SPARQL cannot
compare them, and SHACL makes that a violation (test_less_than_counts_incomparable...)."""
STRINGS = [Literal("a1"), Literal("A2"), Literal("b3"), Literal("x"), Literal("a7", lang="en")]


@st.composite
def small_graphs(draw: st.DrawFn) -> Graph:
    graph = Graph()
    graph.add((EX.E, RDFS.subClassOf, EX.D))
    for node in NODES:
        for cls in draw(st.lists(st.sampled_from([EX.C, EX.D, EX.E]), max_size=2)):
            graph.add((node, RDF.type, cls))
        for value in draw(st.lists(st.sampled_from(NUMBERS + STRINGS[:1]), max_size=3)):
            graph.add((node, EX.p, value))
        for value in draw(st.lists(st.sampled_from(NUMBERS + ILL_TYPED), max_size=2)):
            graph.add((node, EX.i, value))
        for value in draw(st.lists(st.sampled_from(NUMBERS + STRINGS[:2]), max_size=2)):
            graph.add((node, EX.s, value))
        for value in draw(st.lists(st.sampled_from(NODES + STRINGS[:1]), max_size=2)):
            graph.add((node, EX.q, value))
        for value in draw(st.lists(st.sampled_from(STRINGS + NODES[:1]), max_size=2)):
            graph.add((node, EX.r, value))
    return graph


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_graphs())
def test_random_graphs_give_the_same_results(data: Graph) -> None:
    shapes = Graph().parse(data=FIXED_SHAPES, format="turtle")
    report = validate_graph(data, shapes)
    assert report.fallbacks == ()
    mine, theirs = engine_keys(report, data), pyshacl_keys(data, shapes)
    assert mine == theirs, (data.serialize(format="nt"), mine - theirs, theirs - mine)


# -- the traps --------------------------------------------------------------------------

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/ns#> .
"""


def results(shapes: str, data: str) -> set[tuple[str, Node | None, str]]:
    """(focus local name, value: a literal or an IRI's local name, component local name)."""
    report = validate_graph(
        Graph().parse(data=PREFIXES + data, format="turtle"),
        Graph().parse(data=PREFIXES + shapes, format="turtle"),
    )
    assert report.fallbacks == ()
    return {
        (
            str(r.focus).removeprefix(str(EX)),
            r.value if not isinstance(r.value, URIRef) else Literal(r.value.removeprefix(str(EX))),
            str(r.component).rsplit("#", 1)[1].removesuffix("ConstraintComponent"),
        )
        for r in report.results
    }


def test_less_than_counts_incomparable_values_as_violations() -> None:
    shapes = """ex:S sh:targetNode ex:a, ex:b, ex:c ;
        sh:property [ sh:path ex:start ; sh:lessThan ex:end ] ,
                    [ sh:path ex:start ; sh:lessThanOrEquals ex:end ] ."""
    data = """ex:a ex:start "2024-01-01"^^xsd:date ; ex:end "later" .
        ex:b ex:start ex:x ; ex:end ex:y .
        ex:c ex:start 1 ; ex:end 2.5, "abc"^^xsd:integer ."""
    day = Literal("2024-01-01", datatype=XSD.date)
    assert results(shapes, data) == {
        ("a", day, "LessThan"),
        ("a", day, "LessThanOrEquals"),
        ("b", Literal("x"), "LessThan"),
        ("b", Literal("x"), "LessThanOrEquals"),
        ("c", Literal(1), "LessThan"),
        ("c", Literal(1), "LessThanOrEquals"),
    }


def test_max_count_counts_distinct_values() -> None:
    # ex:v is reached along both branches of the alternative path: one value, not two.
    shapes = """ex:S sh:targetNode ex:a, ex:b ;
        sh:property [ sh:path [ sh:alternativePath ( ex:p ex:q ) ] ; sh:maxCount 1 ] ."""
    data = """ex:a ex:p ex:v ; ex:q ex:v .
        ex:b ex:p ex:v ; ex:q ex:w ."""
    assert results(shapes, data) == {("b", None, "MaxCount")}


def test_class_fails_literals_and_follows_subclasses() -> None:
    shapes = "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:class ex:C ] ."
    data = """ex:a ex:p ex:deep, ex:direct, ex:other, "ex:C" .
        ex:deep a ex:E . ex:E rdfs:subClassOf ex:D . ex:D rdfs:subClassOf ex:C .
        ex:direct a ex:C . ex:other a ex:Z ."""
    assert results(shapes, data) == {
        ("a", Literal("other"), "Class"),
        ("a", Literal("ex:C"), "Class"),
    }


def test_counts_of_several_predicates_in_one_query_keep_each_check_apart() -> None:
    # The counts of one focus group run as one query per kind (plans.count_queries):
    # two checks on one predicate, a target with two types, a literal focus node and
    # a deactivated shape must each still give their own results, and only theirs.
    shapes = Graph().parse(
        data=PREFIXES
        + """ex:S sh:targetClass ex:C ; sh:targetNode "literal" ;
               sh:property [ sh:path ex:p ; sh:maxCount 1 ] , [ sh:path ex:p ; sh:maxCount 2 ] ,
                           [ sh:path ex:q ; sh:minCount 1 ] , [ sh:path ex:r ; sh:minCount 1 ] ,
                           [ sh:path ex:q ; sh:maxCount 0 ; sh:severity sh:Warning ] ,
                           [ sh:path ex:r ; sh:minCount 1 ; sh:deactivated true ] .""",
        format="turtle",
    )
    data = Graph().parse(
        data=PREFIXES
        + """ex:D rdfs:subClassOf ex:C .
             ex:a a ex:C, ex:D ; ex:p 1, 2, 3 ; ex:q 1 ; ex:r 1 .
             ex:b a ex:D ; ex:p 1, 2 .
             ex:c a ex:C ; ex:p 1 ; ex:q 1, 2 ; ex:r 1 .""",
        format="turtle",
    )
    report = validate_graph(data, shapes)
    assert report.fallbacks == ()
    mine = engine_keys(report, data)
    assert mine == pyshacl_keys(data, shapes)
    assert len(mine) == 9  # a: 2 max p, 1 q; b: 1 max p, 2 min; c: 1 q; literal: 2 min


def test_value_checks_of_several_predicates_in_one_query_keep_each_check_apart() -> None:
    # A root's value checks on predicates run as one query (plans.merged_queries): one
    # value under two predicates is tested against each predicate's checks only.
    shapes = Graph().parse(
        data=PREFIXES
        + """ex:S sh:targetClass ex:C ; sh:targetNode "literal" ;
               sh:property [ sh:path ex:p ; sh:datatype xsd:integer ; sh:maxInclusive 5 ] ,
                           [ sh:path ex:q ; sh:datatype xsd:string ] ,
                           [ sh:path ex:q ; sh:nodeKind sh:Literal ; sh:severity sh:Info ] ,
                           [ sh:path [ sh:inversePath ex:p ] ; sh:nodeKind sh:IRI ] .""",
        format="turtle",
    )
    data = Graph().parse(
        data=PREFIXES
        + """ex:a a ex:C ; ex:p 1, 7, "x" ; ex:q 1, "één", ex:thing .
             ex:b a ex:C ; ex:q "1" ; ex:p 2 .
             _:n ex:p ex:a .""",
        format="turtle",
    )
    report = validate_graph(data, shapes)
    assert report.fallbacks == ()
    mine = engine_keys(report, data)
    assert mine == pyshacl_keys(data, shapes)
    # a: 7 above 5, "x" neither an integer nor comparable with 5, 1 and ex:thing not
    # strings, ex:thing no literal, the blank node pointing at it; nothing for b.
    assert len(mine) == 7


def test_listed_focus_nodes_get_the_results_of_a_whole_validation() -> None:
    # A write validates listed focus nodes with the same compiled queries, the nodes
    # filled in (plans._with_focus): every kind of merged query must keep its columns.
    shapes = Graph().parse(
        data=PREFIXES
        + """ex:S sh:targetClass ex:C ;
               sh:property [ sh:path ex:p ; sh:class ex:C ; sh:maxCount 1 ] ,
                           [ sh:path ex:q ; sh:datatype xsd:string ; sh:minCount 1 ] ,
                           [ sh:path ex:r ; sh:class ex:D ] .""",
        format="turtle",
    )
    data = Graph().parse(
        data=PREFIXES
        + """ex:D rdfs:subClassOf ex:C .
             ex:a a ex:C ; ex:p ex:b, ex:x ; ex:q 1 ; ex:r ex:a .
             ex:b a ex:D ; ex:q "ok" ; ex:r ex:c .
             ex:c a ex:C ; ex:p "literal" .""",
        format="turtle",
    )
    whole = validate_graph(data, shapes)
    for listed in ([EX.a], [EX.b, EX.c], [EX.a, EX.b, EX.c]):
        focused = validate_graph(data, shapes, focus_nodes=listed)
        assert engine_keys(focused, data) == {
            key for key in engine_keys(whole, data) if key[0] in listed
        }, listed
    assert engine_keys(whole, data) == pyshacl_keys(data, shapes)
    assert len(engine_keys(whole, data)) == 7  # a: 4, b (a target through ex:D): 1, c: 2


def test_listed_focus_nodes_are_found_among_subjects_and_objects_targets() -> None:
    # A write's focus nodes are sorted to the root shapes by one query per target kind
    # (engine._focus_per_root): a node that is a subject of ex:p only, one that is an
    # object of ex:q only, one that is both and one that is neither.
    shapes = Graph().parse(
        data=PREFIXES
        + """ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:r ; sh:minCount 1 ] .
             ex:O sh:targetObjectsOf ex:q ; sh:property [ sh:path ex:s ; sh:minCount 1 ] .""",
        format="turtle",
    )
    data = Graph().parse(
        data=PREFIXES
        + """ex:a ex:p 1 .
             ex:x ex:q ex:b .
             ex:c ex:p 2 . ex:y ex:q ex:c .
             ex:d ex:t 3 .""",
        format="turtle",
    )
    whole = validate_graph(data, shapes)
    assert engine_keys(whole, data) == pyshacl_keys(data, shapes)
    nodes = [EX.a, EX.b, EX.c, EX.d]
    for size in range(1, len(nodes) + 1):
        for listed in itertools.combinations(nodes, size):
            focused = validate_graph(data, shapes, focus_nodes=list(listed))
            assert engine_keys(focused, data) == {
                key for key in engine_keys(whole, data) if key[0] in listed
            }, listed
    assert {key[0] for key in engine_keys(whole, data)} == {EX.a, EX.b, EX.c}
    assert len(engine_keys(whole, data)) == 4  # c: one per shape


def test_class_checks_follow_the_hierarchy_of_each_validation() -> None:
    # One shapes graph for every round, as the service keeps it: its compiled queries
    # must not carry one round's subclasses (listed for speed) into the next.
    shapes = Graph().parse(
        data=PREFIXES
        + """ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:class ex:C ] ,
                                                [ sh:path ex:q ; sh:minCount 1 ] .""",
        format="turtle",
    )
    base = "ex:a a ex:C ; ex:p ex:b ; ex:q 1 . ex:b a ex:Own ; ex:p ex:a . "
    many = " ".join(f"ex:Sub{i} rdfs:subClassOf ex:C ." for i in range(250))
    rounds = {
        "own class outside the hierarchy": base,
        "own subclass": base + "ex:Own rdfs:subClassOf ex:C .",
        "through a blank node": base + "ex:Own rdfs:subClassOf [ rdfs:subClassOf ex:C ] .",
        "many subclasses": base + many + " ex:Own rdfs:subClassOf ex:Sub249 .",
        "outside again": base,
    }
    seen = {}
    for name, text in rounds.items():
        data = Graph().parse(data=PREFIXES + text, format="turtle")
        report = validate_graph(data, shapes)
        assert report.fallbacks == ()
        mine = engine_keys(report, data)
        assert mine == pyshacl_keys(data, shapes), name
        seen[name] = {str(key[2]).rsplit("#")[-1] for key in mine}
    assert seen["own class outside the hierarchy"] == {"ClassConstraintComponent"}
    assert seen["outside again"] == {"ClassConstraintComponent"}
    # ex:b is an ex:C now: no class violation, but a target without ex:q.
    for name in ("own subclass", "through a blank node", "many subclasses"):
        assert seen[name] == {"MinCountConstraintComponent"}, name


def test_language_tagged_strings_have_datatype_lang_string() -> None:
    shapes = """ex:S sh:targetNode ex:a ;
        sh:property [ sh:path ex:tagged ; sh:datatype rdf:langString ] ,
                    [ sh:path ex:plain ; sh:datatype xsd:string ] ."""
    data = """ex:a ex:tagged "ja"@nl, "no" ; ex:plain "yes", "nee"@nl ."""
    assert results(shapes, data) == {
        ("a", Literal("no"), "Datatype"),
        ("a", Literal("nee", lang="nl"), "Datatype"),
    }


def test_ill_formed_typed_literals_fail_datatype() -> None:
    shapes = """ex:S sh:targetNode ex:a ;
        sh:property [ sh:path ex:n ; sh:datatype xsd:integer ] ,
                    [ sh:path ex:d ; sh:datatype xsd:date ] ."""
    data = """ex:a ex:n 5, "abc"^^xsd:integer, "1.0"^^xsd:integer ;
        ex:d "2024-02-29"^^xsd:date, "2023-02-29"^^xsd:date, "2024-13-01"^^xsd:date ."""
    found = {(focus, str(value), component) for focus, value, component in results(shapes, data)}
    assert found == {
        ("a", "abc", "Datatype"),
        ("a", "1.0", "Datatype"),
        ("a", "2023-02-29", "Datatype"),
        ("a", "2024-13-01", "Datatype"),
    }


def test_unique_lang_reports_each_language_used_twice() -> None:
    shapes = "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:label ; sh:uniqueLang true ] ."
    data = (
        """ex:a ex:label "one"@en, "two"@EN, "een"@nl, "drie"@de, "vier"@de, "plain", "other" ."""
    )
    report = validate_graph(
        Graph().parse(data=PREFIXES + data, format="turtle"),
        Graph().parse(data=PREFIXES + shapes, format="turtle"),
    )
    assert [r.component for r in report.results] == [SH.UniqueLangConstraintComponent] * 2
    assert all(r.value is None for r in report.results)


def test_language_in_matches_ranges_and_fails_untagged_values() -> None:
    shapes = """ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:label ; sh:languageIn ( "nl" "en" ) ] ."""
    data = """ex:a ex:label "a"@nl, "b"@nl-BE, "c"@EN-gb, "d"@de, "e", ex:iri ."""
    assert results(shapes, data) == {
        ("a", Literal("d", lang="de"), "LanguageIn"),
        ("a", Literal("e"), "LanguageIn"),
        ("a", Literal("iri"), "LanguageIn"),
    }


def test_pattern_uses_flags_and_reads_iris_as_strings() -> None:
    shapes = """ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:pattern "^(ABC|http://example.org/ns#ok)" ; sh:flags "i" ] ."""
    data = """ex:a ex:p "abc-1", "xabc", ex:ok, ex:bad, [ ex:q 1 ] ."""
    found = results(shapes, data)
    assert {("a", Literal("xabc"), "Pattern"), ("a", Literal("bad"), "Pattern")} < found
    assert len(found) == 3  # and the blank node, which no pattern matches
    assert not any(str(value) in ("abc-1", "ok") for _, value, _ in found)


def test_equals_and_disjoint_compare_terms() -> None:
    shapes = """ex:S sh:targetNode ex:a ;
        sh:property [ sh:path ex:p ; sh:equals ex:q ] , [ sh:path ex:p ; sh:disjoint ex:r ] ."""
    data = """ex:a ex:p 1, ex:x ; ex:q "1"^^xsd:decimal, ex:x ; ex:r ex:x ."""
    assert results(shapes, data) == {
        ("a", Literal(1), "Equals"),
        ("a", Literal("1", datatype=XSD.decimal), "Equals"),
        ("a", Literal("x"), "Disjoint"),
    }


def test_has_value_needs_the_same_term() -> None:
    shapes = """ex:S sh:targetNode ex:a, ex:b ; sh:property [ sh:path ex:p ; sh:hasValue 1 ] ."""
    data = """ex:a ex:p "1"^^xsd:decimal . ex:b ex:p 1 ."""
    assert results(shapes, data) == {("a", None, "HasValue")}


def test_in_keeps_literals_of_different_datatypes_apart() -> None:
    shapes = """ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:in ( 1 "1" "1"@en ex:one ) ] ."""
    data = """ex:a ex:p 1, "1", "1"@en, ex:one, "1"^^xsd:decimal, "1"@nl, true ."""
    assert results(shapes, data) == {
        ("a", Literal("1", datatype=XSD.decimal), "In"),
        ("a", Literal("1", lang="nl"), "In"),
        ("a", Literal(True), "In"),
    }


def test_length_of_iris_is_the_length_of_their_text() -> None:
    shapes = """ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minLength 26 ; sh:maxLength 28 ] ."""
    data = """ex:a ex:p ex:abc, ex:abcde, ex:abcdefgh, "abcdefghijklmnopqrstuvwxyz" ."""
    # "http://example.org/ns#" has 22 characters: 25, 27 and 30 in all.
    assert results(shapes, data) == {
        ("a", Literal("abc"), "MinLength"),
        ("a", Literal("abcdefgh"), "MaxLength"),
    }


def test_a_shape_the_compiler_cannot_translate_is_validated_by_pyshacl_and_reported() -> None:
    # sh:hasValue with a blank node has no SPARQL constant.
    shapes = Graph().parse(
        data=PREFIXES
        + "ex:S sh:targetNode ex:a ; sh:hasValue [ ex:q 1 ] . ex:T sh:targetNode ex:a ; sh:class ex:C .",
        format="turtle",
    )
    report = validate_graph(Graph().parse(data=PREFIXES + "ex:a ex:p 1 .", format="turtle"), shapes)
    assert [f.shape for f in report.fallbacks] == [EX.S]
    assert {(r.shape, r.by_pyshacl) for r in report.results} == {(EX.S, True), (EX.T, False)}
    assert any("validated by pySHACL" in str(o) for o in report.graph.objects(None, RDFS.comment))


@pytest.mark.parametrize(
    ("path", "check"),
    [
        ("[ sh:zeroOrMorePath ex:p ]", "sh:class ex:C"),
        ("[ sh:zeroOrOnePath ex:p ]", "sh:minCount 1 ; sh:nodeKind sh:Literal"),
        (
            "( [ sh:zeroOrOnePath ex:p ] [ sh:zeroOrMorePath ex:q ] )",
            "sh:minCount 1 ; sh:class ex:C",
        ),
    ],
)
def test_an_empty_path_from_a_target_node_the_data_never_mentions_gives_the_node(
    path: str, check: str
) -> None:
    """SHACL gives a path that can be empty the focus node itself as a value, also for a
    target node that is no node of the data: its checks apply to it. The compiled query
    found no value there (a minCount broken, a sh:class passed); that root is validated
    by pySHACL and reported as such, and the results are pySHACL's. A target node the
    data has stays compiled."""
    shapes = Graph().parse(
        data=PREFIXES
        + f"ex:S sh:targetNode ex:absent ; sh:property [ sh:path {path} ; {check} ] ."
        + f"ex:T sh:targetNode ex:x ; sh:property [ sh:path {path} ; {check} ] .",
        format="turtle",
    )
    data = Graph().parse(data=PREFIXES + "ex:x ex:p ex:y .", format="turtle")
    report = validate_graph(data, shapes)
    assert [f.shape for f in report.fallbacks] == [EX.S]
    assert "no node of the data" in report.fallbacks[0].reason
    assert engine_keys(report, data) == pyshacl_keys(data, shapes)


def test_focus_nodes_limit_validation_to_those_nodes() -> None:
    shapes = Graph().parse(
        data=PREFIXES + "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
        format="turtle",
    )
    data = Graph().parse(
        data=PREFIXES + "ex:a a ex:C . ex:b a ex:C . ex:c ex:p 1 .", format="turtle"
    )
    report = validate_graph(data, shapes, focus_nodes=[EX.b, EX.c])
    assert [r.focus for r in report.results] == [EX.b]


# -- findings -------------------------------------------------------------------------


def test_results_become_findings_with_both_languages(store: Store) -> None:
    minimal = read_rdf(constraints.DATA / "minimal.ttl")
    assert isinstance(minimal, Graph)
    broken = constraints.changed(
        minimal, 'DELETE DATA { <afdeling/milieu> dct:identifier "milieu" }'
    )
    report, _ = on_store(store, broken)
    findings = to_findings(report, node_context(store, report, data_graphs=data_graphs()))
    assert [(f.focus, f.path, f.severity, f.focus_label, f.focus_type) for f in findings] == [
        (
            ID + "afdeling/milieu",
            "http://purl.org/dc/terms/identifier",
            "Violation",
            "Afdeling Milieu",
            "Afdeling",
        )
    ]
    (finding,) = findings
    assert "Afdeling Milieu" in finding.message_nl and "Afdeling Milieu" in finding.message_en
    assert finding.message_nl != finding.message_en


def test_pre_binding_per_focus_node_along_two_routes() -> None:
    # $this tested inside a UNION branch: the query runs once per focus node with the
    # node written in (pre-binding); ex:x is reached from ex:a and ex:b, so twice.
    shapes = Graph().parse(
        data=PREFIXES
        + """ex:S sh:targetClass ex:C ; sh:property ex:PS .
        ex:PS sh:path ex:p ; sh:property [ sh:path ex:q ; sh:sparql [ sh:prefixes ex: ; sh:select
            "SELECT $this ?value WHERE { { $this ex:q ?value } UNION { FILTER (isLiteral($this)) BIND ($this AS ?value) } FILTER (?value != 1) }" ] ] .
        ex: sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/ns#"^^xsd:anyURI ] .""",
        format="turtle",
    )
    data = Graph().parse(
        data=PREFIXES
        + "ex:a a ex:C ; ex:p ex:x . ex:b a ex:C ; ex:p ex:x, ex:y . ex:x ex:q 1, 2 . ex:y ex:q 3 .",
        format="turtle",
    )
    report = validate_graph(data, shapes)
    assert report.fallbacks == ()
    assert sorted((r.focus, r.value) for r in report.results) == [
        (EX.x, Literal(2)),
        (EX.x, Literal(2)),
        (EX.y, Literal(3)),
    ]
    assert engine_keys(report, data) == pyshacl_keys(data, shapes)


def test_a_replica_write_to_the_class_hierarchy_reaches_the_next_validation() -> None:
    """The engine keeps the subclasses it read per replica while its hierarchy_version
    stays; every way a replica changes must move it when rdfs:subClassOf changes."""
    from krbgraph.replica import ValidationReplica

    shapes = Graph().parse(
        data=PREFIXES + "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:class ex:C ] .",
        format="turtle",
    )
    ns, graph = "http://example.org/ns#", ox.NamedNode("urn:x-test:data")

    def quad(s: str, p: str, o: str) -> ox.Quad:
        return ox.Quad(ox.NamedNode(ns + s), ox.NamedNode(p), ox.NamedNode(ns + o), graph)

    replica = ValidationReplica(ox.Store())
    # ex:C must be a node of the data for its subclasses to be listed (and kept).
    instances = [quad("b", str(RDF.type), "D"), quad("x", str(RDF.type), "C")]
    replica.apply([quad("a", ns + "p", "b"), *instances], [])
    link = quad("D", str(RDFS.subClassOf), "C")

    def classes_violated() -> int:
        return len(validate_store(replica, shapes, focus_nodes=[EX.a]).results)

    assert classes_violated() == 1
    replica.apply([link], [])
    assert classes_violated() == 0
    replica.apply([], [link])
    assert classes_violated() == 1
    with replica.trial([link], []):
        assert classes_violated() == 0
        change = replica.run_update(f"DELETE DATA {{ GRAPH <{graph.value}> {{ {link.triple} }} }}")
        assert change.removed == {link}
        assert classes_violated() == 1
        replica.apply([link], [])
    assert classes_violated() == 0


def test_a_property_shapes_own_property_shapes_hold_for_its_values_in_logical_checks() -> None:
    # "Every address has a city", nested in sh:and and sh:not: about each address
    # (SHACL 2.3), not about the person the shape is checked on.
    shapes = """ex:Person sh:targetNode ex:alice, ex:bob ; sh:and ( [ sh:path ex:address ;
            sh:property [ sh:path ex:city ; sh:minCount 1 ] ] ) .
        ex:NoCity sh:targetNode ex:alice, ex:bob ; sh:not [ sh:path ex:address ;
            sh:property [ sh:path ex:city ; sh:minCount 1 ] ] ."""
    data = """ex:alice ex:address ex:home . ex:home ex:city "Delft" .
        ex:bob ex:address ex:flat . ex:flat ex:street "Markt" ."""
    assert results(shapes, data) == {
        ("alice", Literal("alice"), "Not"),
        ("bob", Literal("bob"), "And"),
    }


def test_an_ill_typed_value_is_checked_on_the_text_it_was_written_with() -> None:
    # SHACL 4.4 reads STR(value): "xyz" has three characters and matches ^xyz$, whatever
    # its datatype says (and sh:datatype still finds it ill-typed).
    shapes = """ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:d ; sh:maxLength 3 ] ,
            [ sh:path ex:d ; sh:minLength 4 ] , [ sh:path ex:d ; sh:pattern "^xyz$" ] ,
            [ sh:path ex:d ; sh:in ( "xyz"^^xsd:date ) ] , [ sh:path ex:d ; sh:datatype xsd:date ] ."""
    data = 'ex:a ex:d "xyz"^^xsd:date .'
    value = Literal("xyz", datatype=XSD.date)
    assert results(shapes, data) == {("a", value, "MinLength"), ("a", value, "Datatype")}
