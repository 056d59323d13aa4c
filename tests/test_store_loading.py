"""Loading registry files: validated before writing, all or nothing, never merged silently.

Runs on both backends with the real model and shapes in the store. Each
check compares a dump taken before and after a refused load, so "nothing
changed" means exactly that.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from model_store import model_template_fixture
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from remote_server import oxigraph_fixture

from krbgraph.dropping import drop_data_graph
from krbgraph.loading import (
    LoadError,
    ManagedGraphRefused,
    ValidationFailed,
    data_graph_iri,
    load_paths,
    plan_load,
)
from krbgraph.model import WRITES_GRAPH
from krbgraph.rdfio import RdfInputError
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, graph_kind, open_store

DATA = Path(__file__).parent / "data" / "store"
BASE = "https://krb.testgemeente.nl"
AFDELINGEN = f"{BASE}/graph/afdelingen"
GEBIEDEN = f"{BASE}/graph/gebieden"

oxigraph_url = oxigraph_fixture(scope="module")
Snapshot = Callable[[], list[str]]


model_template = model_template_fixture()


@pytest.fixture(params=["embedded", pytest.param("remote", marks=pytest.mark.remote)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "embedded":
        folder = tmp_path / "store"
        shutil.copytree(request.getfixturevalue("model_template"), folder)
        opened = open_store(Settings(store=str(folder)))
    else:
        opened = open_store(Settings(store=request.getfixturevalue("oxigraph_url")))
        for info in opened.graphs():
            if graph_kind(info.iri) == "data":
                opened.drop_graph(info.iri)
    ensure_model(opened)
    yield opened
    opened.close()


@pytest.fixture
def snapshot(store: Store, tmp_path: Path) -> Snapshot:
    """The store's dump as sorted N-Quads lines: equal lists mean an unchanged store.

    Both backends keep blank node ids stable, so no isomorphism check is needed. The
    write version of a shared server is left out: a write that failed may have moved it
    (the derived graph's marks are set and put back), which only makes other services
    copy the store again.
    """
    counter = iter(range(1_000))

    def take() -> list[str]:
        path = tmp_path / f"snapshot-{next(counter)}.nq"
        store.dump(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        return sorted(line for line in lines if not line.endswith(f"<{WRITES_GRAPH}> ."))

    return take


def test_each_file_goes_into_its_own_graph(store: Store) -> None:
    report = load_paths(store, [DATA / "afdelingen.ttl", DATA / "gebieden.ttl"], base_iri=BASE)
    assert [(g.graph, g.triples, g.replaced) for g in report.graphs] == [
        (AFDELINGEN, 6, False),
        (GEBIEDEN, 8, False),
    ]
    assert report.validation is not None and report.validation.conforms
    sizes = {info.iri: info.triples for info in store.graphs()}
    assert sizes[AFDELINGEN] == 6 and sizes[GEBIEDEN] == 8
    assert isomorphic(store.read_graph(GEBIEDEN), Graph().parse(DATA / "gebieden.ttl"))


def test_a_folder_is_loaded_recursively_into_one_named_graph(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "registry" / "sub"
    folder.mkdir(parents=True)
    shutil.copy(DATA / "afdelingen.ttl", folder)
    shutil.copy(DATA / "gebieden.ttl", folder.parent)
    (folder / "notes.txt").write_text("not RDF, skipped")
    report = load_paths(store, [tmp_path / "registry"], graph=f"{BASE}/graph/alles", validate=False)
    assert [(g.graph, g.triples) for g in report.graphs] == [(f"{BASE}/graph/alles", 14)]


def test_loading_into_a_graph_with_data_needs_replace(store: Store, snapshot: Snapshot) -> None:
    load_paths(store, [DATA / "afdelingen.ttl"], base_iri=BASE, validate=False)
    before = snapshot()
    with pytest.raises(LoadError, match=r"already holds data; pass --replace"):
        load_paths(store, [DATA / "gebieden.ttl"], graph=AFDELINGEN)
    assert snapshot() == before


def test_replace_swaps_the_graph_content(store: Store) -> None:
    load_paths(store, [DATA / "afdelingen.ttl"], base_iri=BASE, validate=False)
    report = load_paths(
        store, [DATA / "gebieden.ttl"], graph=AFDELINGEN, replace=True, validate=False
    )
    assert report.graphs[0].replaced
    assert isomorphic(store.read_graph(AFDELINGEN), Graph().parse(DATA / "gebieden.ttl"))


@pytest.mark.parametrize("validate", [True, False])
def test_a_syntax_error_in_any_file_writes_nothing(
    store: Store, snapshot: Snapshot, validate: bool
) -> None:
    before = snapshot()
    with pytest.raises(RdfInputError) as caught:
        load_paths(
            store, [DATA / "afdelingen.ttl", DATA / "kapot.ttl"], base_iri=BASE, validate=validate
        )
    assert str(caught.value).startswith(f"{DATA / 'kapot.ttl'}:6:24: ")
    assert snapshot() == before


def test_data_that_breaks_the_shapes_is_not_written(store: Store, snapshot: Snapshot) -> None:
    before = snapshot()
    with pytest.raises(ValidationFailed) as caught:
        load_paths(store, [DATA / "afdelingen.ttl", DATA / "afdeling-zonder-naam.ttl"])
    violations = caught.value.result.violations()
    assert {f.focus for f in violations} == {f"{BASE}/id/afdeling/zonder-naam"}
    assert {f.path for f in violations} == {
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://purl.org/dc/terms/identifier",
    }
    assert all(f.message_nl and f.message_en for f in violations)
    assert snapshot() == before


def test_validation_includes_the_registry_already_in_the_store(store: Store) -> None:
    """Bad data loaded earlier without validation blocks the next validated load."""
    load_paths(store, [DATA / "afdeling-zonder-naam.ttl"], base_iri=BASE, validate=False)
    with pytest.raises(ValidationFailed):
        load_paths(store, [DATA / "afdelingen.ttl"], base_iri=BASE)
    # replacing the bad graph with good data is what repairs it
    report = load_paths(
        store,
        [DATA / "afdelingen.ttl"],
        graph=data_graph_iri(BASE, DATA / "afdeling-zonder-naam.ttl"),
        replace=True,
    )
    assert report.validation is not None and report.validation.conforms


def test_the_model_graphs_cannot_be_overwritten_or_dropped(store: Store) -> None:
    with pytest.raises(ManagedGraphRefused, match="the service maintains"):
        load_paths(store, [DATA / "afdelingen.ttl"], graph="https://data.krb.nl/def/krb")
    with pytest.raises(ManagedGraphRefused, match="the service maintains"):
        drop_data_graph(store, "https://data.krb.nl/def/imbor-leefomgeving")


def test_drop_removes_one_registry_graph(store: Store) -> None:
    load_paths(
        store, [DATA / "afdelingen.ttl", DATA / "gebieden.ttl"], base_iri=BASE, validate=False
    )
    drop_data_graph(store, AFDELINGEN)
    data = [info.iri for info in store.graphs() if graph_kind(info.iri) == "data"]
    assert data == [GEBIEDEN]
    with pytest.raises(KeyError):
        drop_data_graph(store, AFDELINGEN)


def test_plan_refuses_two_files_for_one_graph(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(DATA / "afdelingen.ttl", tmp_path / "a")
    shutil.copy(DATA / "afdelingen.ttl", tmp_path / "b")
    with pytest.raises(LoadError, match="would both go into graph"):
        plan_load([tmp_path], base_iri=BASE)


def test_plan_names_graphs_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "Beleid Geluid 2030.ttl.gz"
    assert data_graph_iri(BASE + "/", path) == f"{BASE}/graph/beleid-geluid-2030"
    with pytest.raises(LoadError, match="no RDF files"):
        plan_load([tmp_path])
    with pytest.raises(RdfInputError, match="no such file"):
        plan_load([tmp_path / "missing.ttl"])
    with pytest.raises(LoadError, match="not a valid graph IRI"):
        plan_load([DATA / "afdelingen.ttl"], graph="geen iri")
    assert URIRef(data_graph_iri(BASE, DATA / "afdelingen.ttl")) == URIRef(AFDELINGEN)
