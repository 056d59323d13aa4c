"""The Store contract, run unchanged against the embedded store and a real `oxigraph serve`.

Every test takes the ``store`` fixture, parametrised over the backends (and the
supervised engine, an `oxigraph serve` child process over a folder), so they
cannot drift apart: same answers, same errors, same atomicity.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD
from remote_server import oxigraph_binary, oxigraph_fixture

from krbgraph.model import WRITES_GRAPH
from krbgraph.rdfio import RdfInputError
from krbgraph.settings import Settings
from krbgraph.store import (
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    Store,
    StoreError,
    ensure_model,
    open_store,
)
from krbgraph.store.embedded import EmbeddedStore
from krbgraph.store.remote import RemoteStore
from krbgraph.store.terms import ToOxigraph, to_rdflib

DATA = Path(__file__).parent / "data" / "store"
EX = "https://krb.testgemeente.nl/"
G1 = f"{EX}graph/een"
G2 = f"{EX}graph/twee"
G3 = f"{EX}graph/drie"
UNIT_M = "http://qudt.org/vocab/unit/M"

oxigraph_url = oxigraph_fixture(scope="module")

EXTERNAL = os.environ.get("KRB_TEST_STORE")
"""Another SPARQL server (Virtuoso, Fuseki, GraphDB) to run this suite against; it is wiped."""

BACKENDS = [
    "embedded",
    pytest.param("remote", marks=pytest.mark.remote),
    pytest.param("supervised", marks=pytest.mark.remote),
]
if EXTERNAL:
    BACKENDS.append(pytest.param("external", marks=pytest.mark.remote))


def _empty_server_store(settings: Settings) -> Store:
    store = open_store(settings)
    store.update("DROP ALL")  # a server outlives the test; each test starts empty
    return store


def _external_store() -> Store:
    return _empty_server_store(
        Settings(
            store=EXTERNAL or "",
            update_url=os.environ.get("KRB_TEST_UPDATE_URL"),
            graph_store_url=os.environ.get("KRB_TEST_GRAPH_STORE_URL"),
            user=os.environ.get("KRB_TEST_USER"),
            password=os.environ.get("KRB_TEST_PASSWORD"),
        )
    )


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "embedded":
        opened = open_store(Settings(store=str(tmp_path / "store")))
    elif request.param == "supervised":
        if oxigraph_binary() is None:
            pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
        opened = open_store(Settings(store=str(tmp_path / "store"), engine="supervised"))
    elif request.param == "remote":
        opened = _empty_server_store(Settings(store=request.getfixturevalue("oxigraph_url")))
    else:
        opened = _external_store()
    yield opened
    opened.close()


def sample() -> Graph:
    """Terms of every kind: IRIs, a blank node, plain, language-tagged and typed literals."""
    graph = Graph()
    thing, node = URIRef(f"{EX}id/ding/1"), BNode()
    graph.add((thing, RDFS.label, Literal("Ding", lang="nl")))
    graph.add((thing, RDFS.comment, Literal("plain")))
    graph.add((thing, URIRef(f"{EX}def/aantal"), Literal("007", datatype=XSD.integer)))
    graph.add((thing, URIRef(f"{EX}def/deel"), node))
    graph.add((node, RDFS.label, Literal("anoniem", lang="en")))
    return graph


def dataset_of(path: Path) -> Dataset:
    """A dump file as an rdflib Dataset (read by pyoxigraph; rdflib's TriG parser is noisy)."""
    dataset = Dataset()
    for quad in ox.parse(path=path):
        name = quad.graph_name
        target = (
            dataset.default_graph
            if isinstance(name, ox.DefaultGraph)
            else dataset.graph(URIRef(name.value))
        )
        target.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return dataset


def assert_same_dataset(left: Path, right: Path) -> None:
    """Same graph names, and each graph isomorphic (blank nodes matched up)."""
    a, b = dataset_of(left), dataset_of(right)
    names_a = {c.identifier for c in a.graphs() if len(c)}
    names_b = {c.identifier for c in b.graphs() if len(c)}
    assert names_a == names_b
    for name in names_a:
        assert isomorphic(a.graph(name), b.graph(name)), name


# -- writing and reading graphs ----------------------------------------------


def test_written_graph_reads_back_identically(store: Store) -> None:
    store.replace_graph(G1, sample())
    assert isomorphic(store.read_graph(G1), sample())
    assert [(g.iri, g.triples) for g in store.graphs()] == [(G1, 5)]


def test_replace_removes_old_content_and_add_keeps_it(store: Store) -> None:
    store.replace_graph(G1, sample())
    newer = Graph()
    newer.add((URIRef(f"{EX}id/ding/2"), RDFS.label, Literal("Nieuw", lang="nl")))
    store.replace_graph(G1, newer)
    assert isomorphic(store.read_graph(G1), newer)
    store.add_to_graph(G1, sample())
    assert len(store.read_graph(G1)) == 6


def test_quads_converted_once_write_like_the_graph_and_only_into_their_graph(
    store: Store,
) -> None:
    """A workbook's triples are made quads once for validation and the write
    (GraphQuads): written, they are the same graph as the rdflib one, replace and
    add alike, and quads of one graph are never written into another."""
    quads = ToOxigraph().quads(sample(), G1)
    store.write_graphs({G1: quads}, replace=True)
    assert isomorphic(store.read_graph(G1), sample())
    store.write_graphs({G1: ToOxigraph().quads(sample(), G1)}, replace=False)
    # Added again: the three triples without a blank node are there already, the
    # blank node is a new one (as in INSERT DATA), so its two triples are added.
    assert len(store.read_graph(G1)) == 5 + 2
    with pytest.raises(ValueError, match="given for graph"):
        store.write_graphs({G2: quads}, replace=True)
    assert [g.iri for g in store.graphs()] == [G1]


def test_replacing_with_a_changed_version_leaves_exactly_the_new_content(store: Store) -> None:
    """Whatever a replace writes underneath (the embedded store writes the difference),
    the graph holds the new version, blank nodes included, and nothing of another graph
    changes, not even when the data reuses a blank node's label."""

    def version(rows: range, blank_label: str) -> Graph:
        graph = Graph()
        for n in rows:
            graph.add((URIRef(f"{EX}id/ding/{n}"), RDFS.label, Literal(f"ding {n}", lang="nl")))
        period = BNode("periode")
        graph.add((URIRef(f"{EX}id/ding/0"), URIRef(f"{EX}periode"), period))
        graph.add((period, RDFS.label, Literal(blank_label)))
        return graph

    store.replace_graph(G2, version(range(3), "ander"))
    first, second = version(range(0, 60), "2024"), version(range(20, 90), "2025")
    store.replace_graph(G1, first)
    assert isomorphic(store.read_graph(G1), first)
    for _ in range(2):  # the second time nothing changes
        store.replace_graph(G1, second)
        assert isomorphic(store.read_graph(G1), second)
        assert len(store.read_graph(G1)) == len(second)
    store.replace_graph(G1, Graph().add((URIRef(f"{EX}id/ding/0"), RDFS.label, Literal("x"))))
    assert len(store.read_graph(G1)) == 1
    assert isomorphic(store.read_graph(G2), version(range(3), "ander"))


def test_a_failing_write_changes_nothing(store: Store) -> None:
    store.replace_graph(G1, sample())
    broken = Graph()
    broken.add((URIRef("not an iri"), RDFS.label, Literal("x")))
    with pytest.raises(StoreError, match="not an iri"):
        store.write_graphs({G1: Graph(), G2: broken}, replace=True)
    assert isomorphic(store.read_graph(G1), sample())
    assert [g.iri for g in store.graphs()] == [G1]


def test_drop_graph_removes_it_and_unknown_graph_is_a_key_error(store: Store) -> None:
    store.replace_graph(G1, sample())
    store.replace_graph(G2, sample())
    store.drop_graph(G1)
    assert [g.iri for g in store.graphs()] == [G2]
    with pytest.raises(KeyError, match="graph/een"):
        store.drop_graph(G1)


def test_default_graph_is_separate_from_named_graphs(store: Store) -> None:
    store.update('INSERT DATA { <https://x.test/s> <https://x.test/p> "in default" }')
    store.replace_graph(G1, sample())
    assert len(store.read_graph(None)) == 1
    assert len(store.read_graph(G1)) == 5


# -- native file loading -----------------------------------------------------


def test_load_files_writes_each_graph(store: Store) -> None:
    counts = store.load_files(
        {G1: [DATA / "afdelingen.ttl"], G2: [DATA / "gebieden.ttl"]}, replace=False
    )
    assert counts == {G1: 6, G2: 8}
    expected = Graph().parse(DATA / "gebieden.ttl")
    assert isomorphic(store.read_graph(G2), expected)


def test_load_files_with_a_syntax_error_writes_nothing(store: Store) -> None:
    store.load_file(DATA / "afdelingen.ttl", G1, replace=False)
    with pytest.raises(RdfInputError) as caught:
        store.load_files({G1: [DATA / "gebieden.ttl"], G2: [DATA / "kapot.ttl"]}, replace=True)
    assert str(caught.value).startswith(f"{DATA / 'kapot.ttl'}:6:24: ")
    assert [(g.iri, g.triples) for g in store.graphs()] == [(G1, 6)]


def test_load_file_refuses_named_graphs_in_the_file(store: Store, tmp_path: Path) -> None:
    trig = tmp_path / "data.trig"
    trig.write_text(f'<{EX}g> {{ <{EX}s> <{EX}p> "o" }}\n', encoding="utf-8")
    with pytest.raises(RdfInputError, match="named graph"):
        store.load_file(trig, G1, replace=False)
    assert store.graphs() == []


def test_a_named_graph_is_refused_under_the_label_and_line_the_file_has(
    store: Store, tmp_path: Path
) -> None:
    """rdflib writes TriG with a blank-node graph (``_:N...``); the refusal named a fresh
    label the file does not have, and no line."""
    trig = tmp_path / "export.trig"
    trig.write_text(
        f'@prefix ex: <{EX}> .\n\n_:Nabc123 {{\n  ex:s ex:p "o" .\n}}\n', encoding="utf-8"
    )
    with pytest.raises(RdfInputError) as caught:
        store.load_file(trig, G1, replace=False)
    assert str(caught.value).startswith(f"{trig}:3: contains named graph _:Nabc123;")


# -- dump and restore -------------------------------------------------------


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_dump_restore_gives_an_isomorphic_dataset(
    store: Store, tmp_path: Path, suffix: str
) -> None:
    store.replace_graph(G1, sample())
    store.load_file(DATA / "gebieden.ttl", G2, replace=False)
    store.update('INSERT DATA { <https://x.test/s> <https://x.test/p> "in default" }')
    first, second = tmp_path / f"first{suffix}", tmp_path / f"second{suffix}"
    assert store.dump(first) == 14

    store.update("DROP ALL")
    assert store.restore(first) == 14
    store.dump(second)
    assert_same_dataset(first, second)
    assert isomorphic(store.read_graph(G1), sample())


def test_the_copy_writes_are_validated_on_holds_every_graph_but_those_left_out(
    store: Store,
) -> None:
    """Store.copy_data, what krbgraph.replica copies a store with: every quad of the
    graphs kept and the default graph, none of those left out, and a blank node two
    graphs share still one node (a norm in one graph, its period in another)."""
    period, norm = BNode(), URIRef(f"{EX}id/norm/1")
    first, second = Graph(), Graph()
    first.add((norm, URIRef("http://purl.org/dc/terms/temporal"), period))
    second.add((period, URIRef("http://www.w3.org/ns/dcat#startDate"), Literal("2024-01-01")))
    store.write_graphs({G1: first, G2: second, G3: sample()}, replace=True)
    store.update('INSERT DATA { <https://x.test/s> <https://x.test/p> "in default" }')
    copy = ox.Store()
    store.copy_data(copy, leave_out={G3})
    assert {q.graph_name for q in copy} == {ox.NamedNode(G1), ox.NamedNode(G2), ox.DefaultGraph()}
    assert len(copy) == 3
    join = (
        f"SELECT ?start WHERE {{ <{norm}> <http://purl.org/dc/terms/temporal> ?t . "
        "?t <http://www.w3.org/ns/dcat#startDate> ?start }"
    )
    assert [
        str(row["start"].value) for row in copy.query(join, use_default_graph_as_union=True)
    ] == ["2024-01-01"]


def test_restore_into_a_store_with_data_is_refused(store: Store, tmp_path: Path) -> None:
    store.replace_graph(G1, sample())
    dump = tmp_path / "dump.nq"
    store.dump(dump)
    with pytest.raises(StoreError, match="not empty"):
        store.restore(dump)
    graphs = [(g.iri, g.triples) for g in store.graphs() if g.iri != WRITES_GRAPH]
    assert graphs == [(G1, 5)]  # (a shared server's restore took its turn: bookkeeping)


def test_dump_to_an_unknown_format_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"\.nq.*\.trig"):
        store.dump(tmp_path / "dump.ttl")
    assert not (tmp_path / "dump.ttl").exists()


# -- queries ---------------------------------------------------------------

ORDERED_SELECT = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label ?comment WHERE {
  ?s rdfs:label ?label . OPTIONAL { ?s rdfs:comment ?comment }
} ORDER BY ?label
"""


def test_select_sees_the_union_of_graphs_with_unbound_as_none(store: Store) -> None:
    store.replace_graph(G1, sample())
    result = store.query(ORDERED_SELECT)
    assert result.kind == "select"
    assert result.variables == ("s", "label", "comment")
    labels = [row[1] for row in result.rows]
    assert labels == [Literal("Ding", lang="nl"), Literal("anoniem", lang="en")]
    assert result.rows[0][2] == Literal("plain")
    assert result.rows[1][2] is None
    assert isinstance(result.rows[1][0], BNode)


def test_default_graph_uris_restrict_the_query(store: Store) -> None:
    store.replace_graph(G1, sample())
    store.load_file(DATA / "afdelingen.ttl", G2, replace=False)
    everything = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    only_g2 = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph_uris=[G2])
    assert everything.rows == ((Literal("11", datatype=XSD.integer),),)
    assert only_g2.rows == ((Literal("6", datatype=XSD.integer),),)


def test_bindings_bind_typed_terms(store: Store) -> None:
    store.replace_graph(G1, sample())
    query = "SELECT ?label WHERE { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    result = store.query(query, bindings={"thing": URIRef(f"{EX}id/ding/1")})
    assert result.rows == ((Literal("Ding", lang="nl"),),)
    quote = store.query(query, bindings={"label": Literal('">} DROP ALL #', lang="nl")})
    assert quote.rows == ()
    assert len(store.read_graph(G1)) == 5


def test_a_bound_parameter_is_bound_inside_not_exists_and_unions(store: Store) -> None:
    """A parameter is pre-bound, as SHACL binds $this: "things without a comment equal to
    ?text" means that text, not "things without any comment", on every backend."""
    store.replace_graph(G1, sample())
    without = """SELECT ?thing WHERE {
      ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?label .
      FILTER NOT EXISTS { ?thing <http://www.w3.org/2000/01/rdf-schema#comment> ?text }
    }"""
    thing = URIRef(f"{EX}id/ding/1")
    other = store.query(without, bindings={"text": Literal("another comment")}).rows
    assert (thing,) in other
    assert (thing,) not in store.query(without, bindings={"text": Literal("plain")}).rows
    either = """SELECT ?found WHERE {
      { ?thing <http://www.w3.org/2000/01/rdf-schema#label> ?found }
      UNION { ?thing <http://www.w3.org/2000/01/rdf-schema#comment> ?found }
    }"""
    found = store.query(either, bindings={"thing": thing}).rows
    assert sorted(str(row[0]) for row in found) == ["Ding", "plain"]


def test_ask_and_construct(store: Store) -> None:
    store.replace_graph(G1, sample())
    assert store.query("ASK { ?s ?p 'plain' }") == QueryResult(kind="ask", boolean=True)
    assert store.query("ASK { ?s ?p 'missing' }").boolean is False
    built = store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert built.kind == "graph" and built.graph is not None
    assert isomorphic(built.graph, sample())


def test_syntax_errors_say_where(store: Store) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        store.query("SELECT ?s WHERE {\n  ?s ?p \n")
    assert caught.value.line == 3
    assert str(caught.value)
    with pytest.raises(QuerySyntaxError):
        store.update("INSERT DATA { <https://x.test/s> <https://x.test/p> }")
    assert store.graphs() == []


def test_a_slow_query_times_out(store: Store) -> None:
    data = Graph()
    for i in range(1500):
        data.add((URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), Literal(str(i))))
    store.replace_graph(G1, data)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?p ?d . FILTER(STR(?b) < STR(?d)) }"
    with pytest.raises(QueryTimeout, match="did not finish"):
        store.query(slow, timeout_s=0.05)


@pytest.mark.remote
def test_both_backends_give_identical_query_results(tmp_path: Path, oxigraph_url: str) -> None:
    embedded = EmbeddedStore(tmp_path / "store")
    remote = RemoteStore.from_settings(Settings(store=oxigraph_url))
    remote.update("DROP ALL")
    try:
        for backend in (embedded, remote):
            backend.replace_graph(G1, sample())
            backend.load_file(DATA / "afdelingen.ttl", G2, replace=False)
        for query in (
            ORDERED_SELECT,
            "SELECT ?o (DATATYPE(?o) AS ?t) WHERE { ?s ?p ?o FILTER isLiteral(?o) } ORDER BY ?o",
            "ASK { ?s a <http://www.w3.org/ns/org#OrganizationalUnit> }",
        ):
            a, b = embedded.query(query), remote.query(query)
            # blank node ids differ per store; everything else must be equal
            assert _without_bnodes(a) == _without_bnodes(b), query
        a_graph = embedded.query("CONSTRUCT WHERE { ?s ?p ?o }").graph
        b_graph = remote.query("CONSTRUCT WHERE { ?s ?p ?o }").graph
        assert a_graph is not None and b_graph is not None and isomorphic(a_graph, b_graph)
        assert embedded.graphs() == remote.graphs()
    finally:
        embedded.close()
        remote.close()


def _without_bnodes(result: QueryResult) -> QueryResult:
    rows = tuple(
        tuple("_:" if isinstance(term, BNode) else term for term in row) for row in result.rows
    )
    return QueryResult(result.kind, result.variables, rows, result.boolean)  # type: ignore[arg-type]


# -- the model in the store ------------------------------------------------


def _model_root(tmp_path: Path) -> Path:
    """A small stand-in for the project's model files, so changes can be tested."""
    root = tmp_path / "project"
    owl, rdfs, skos = (
        "http://www.w3.org/2002/07/owl#",
        "http://www.w3.org/2000/01/rdf-schema#",
        "http://www.w3.org/2004/02/skos/core#",
    )
    files = {
        "ontology/krb.ttl": f"<https://data.krb.nl/def/krb> a <{owl}Ontology> .",
        "ontology/eenheden.ttl": f'<http://qudt.org/vocab/unit/M> <{rdfs}label> "metre"@en .',
        "ontology/waardelijsten/sectoren.ttl": (
            f'<https://data.krb.nl/id/begrip/sector/x> <{skos}prefLabel> "X"@nl .'
        ),
        "mappings/imbor/imbor-leefomgeving.ttl": (
            f"<https://data.crow.nl/imbor/def/a> <{rdfs}subClassOf> "
            "<https://data.crow.nl/imbor/def/b> ."
        ),
        "mappings/imbor/zoektermen.ttl": (
            f'<https://data.crow.nl/imbor/def/a> <{skos}hiddenLabel> "a"@nl .'
        ),
        "ontology/qudt/qudt-units.ttl": (
            f'<http://qudt.org/vocab/unit/KiloM> <{rdfs}label> "kilometre"@en .'
        ),
        "ontology/shapes/a.ttl": (
            "<https://data.krb.nl/def/krb/shapes#S> a <http://www.w3.org/ns/shacl#NodeShape> ."
        ),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text + "\n", encoding="utf-8")
    return root


def test_ensure_model_loads_once_and_reloads_what_changed(store: Store, tmp_path: Path) -> None:
    root = _model_root(tmp_path)
    loaded = ensure_model(store, root)
    assert len(loaded) == 5
    assert ensure_model(store, root) == []

    units = root / "ontology" / "eenheden.ttl"
    units.write_text(f'<{UNIT_M}> <{RDFS.label}> "meter"@nl .\n', encoding="utf-8")
    assert ensure_model(store, root) == ["https://data.krb.nl/def/qudt-eenheden"]  # the units'
    labels = store.query(
        "SELECT ?l WHERE { ?unit <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
        bindings={"unit": URIRef(UNIT_M)},
    )
    assert labels.rows == ((Literal("meter", lang="nl"),),)

    store.drop_graph("https://data.krb.nl/def/imbor-leefomgeving")
    assert ensure_model(store, root) == ["https://data.krb.nl/def/imbor-leefomgeving"]


def test_ensure_model_with_the_real_model(store: Store) -> None:
    ensure_model(store)
    sizes = {g.iri: g.triples for g in store.graphs()}
    assert sizes["https://data.krb.nl/def/imbor-leefomgeving"] > 10_000
    assert sizes["https://data.krb.nl/def/krb/shapes"] > 0
    assert ensure_model(store) == []


def test_embedded_store_is_refused_when_another_process_holds_it(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import pyoxigraph, sys; s = pyoxigraph.Store({str(folder)!r}); "
            "print('open', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="in use by another process"):
            EmbeddedStore(folder)
    finally:
        holder.communicate("")


def test_closing_after_an_error_releases_the_embedded_store(tmp_path: Path) -> None:
    """A long-running process (the server) can reopen a folder after a failed operation."""
    first = EmbeddedStore(tmp_path / "store")
    with pytest.raises(KeyError) as caught:
        first.drop_graph(G1)
    first.close()
    assert caught.value is not None  # the traceback is still alive here
    second = EmbeddedStore(tmp_path / "store")
    second.close()


def test_embedded_store_location_must_be_a_folder(tmp_path: Path) -> None:
    file = tmp_path / "store"
    file.write_text("not a store")
    with pytest.raises(StoreError, match="is a file"):
        EmbeddedStore(file)


def test_remote_store_that_is_not_running_gives_a_clear_error() -> None:
    from live_server import free_port

    store = open_store(Settings(store=f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(StoreError, match="cannot reach SPARQL server"):
        store.graphs()
    store.close()


def test_remote_endpoints_follow_settings() -> None:
    from krbgraph.store.remote import Endpoints

    root = Endpoints.from_settings(Settings(store="http://localhost:7878/"))
    assert root == Endpoints(
        "http://localhost:7878/query", "http://localhost:7878/update", "http://localhost:7878/store"
    )
    fuseki = Endpoints.from_settings(
        Settings(
            store="http://f:3030/krb/query",
            update_url="http://f:3030/krb/update",
            graph_store_url="http://f:3030/krb/data",
        )
    )
    assert fuseki == Endpoints(
        "http://f:3030/krb/query", "http://f:3030/krb/update", "http://f:3030/krb/data"
    )


@pytest.mark.skipif(
    not EXTERNAL,
    reason="no other SPARQL server configured; set "
    "KRB_TEST_STORE (+ KRB_TEST_UPDATE_URL, KRB_TEST_GRAPH_STORE_URL) to run the suite on one",
)
def test_external_server_answers_over_the_union_of_graphs() -> None:
    """The one thing krbgraph requires of a server beyond SPARQL 1.1: a union default graph."""
    store = _external_store()
    try:
        store.replace_graph(G1, sample())
        assert store.query("ASK { ?s ?p 'plain' }").boolean is True
    finally:
        store.close()


def test_oxigraph_binary_is_found() -> None:
    assert oxigraph_binary() is not None, "install the oxigraph server (pip install oxigraph)"
