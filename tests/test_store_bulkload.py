"""The embedded store's fast path: files bulk-loaded into empty graphs, never half-written.

A load into graphs that hold nothing yet goes through pyoxigraph's bulk
loader (large N-Triples files in parallel parts); everything else stays one
transaction. These tests break loads in the ways users and machines do and
compare the whole store before and after.
"""

from __future__ import annotations

import gzip
import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import typer
from model_store import model_template_fixture
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from krbgraph.commands import store as store_commands
from krbgraph.loading import load_paths
from krbgraph.rdfio import RdfInputError
from krbgraph.settings import Settings
from krbgraph.store import embedded as embedded_module
from krbgraph.store import line_parts, open_store
from krbgraph.store.embedded import EmbeddedStore
from krbgraph.store.pending_load import PENDING_LOAD_FILE

DATA = Path(__file__).parent / "data" / "store"
EX = "https://krb.testgemeente.nl/"
G1 = f"{EX}graph/een"
G2 = f"{EX}graph/twee"
BASE = "https://krb.testgemeente.nl"

model_template = model_template_fixture()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedStore]:
    opened = EmbeddedStore(tmp_path / "store")
    yield opened
    opened.close()


@pytest.fixture
def split_small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut even small N-Triples files into two parts, as a large file on two cores is."""
    monkeypatch.setattr(embedded_module, "SMALL_FILE_BYTES", 1)
    monkeypatch.setattr(line_parts, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(line_parts, "cores", lambda: 2)


def ntriples(path: Path, count: int, *, broken_at: int | None = None, blank: str = "") -> Path:
    """``count`` triples about numbered things; line ``broken_at`` (1-based) lacks its object."""
    lines = []
    for n in range(1, count + 1):
        if n == broken_at:
            lines.append(f"<{EX}id/ding/{n}> <{EX}def/waarde> .")
        else:
            lines.append(f'<{EX}id/ding/{n}> <{EX}def/waarde> "{n}" .')
    lines.append(blank)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def snapshot(store: EmbeddedStore, tmp_path: Path, name: str) -> set[str]:
    """The whole store as N-Quads lines (no blank nodes in these tests, so lines compare)."""
    target = tmp_path / f"{name}.nq"
    store.dump(target)
    return set(target.read_text(encoding="utf-8").splitlines())


def leftovers(store: EmbeddedStore) -> list[str]:
    """Files a load keeps in the store folder while it runs; none may outlive it."""
    return sorted(
        p.name
        for p in store.path.iterdir()
        if p.name.startswith("krb-split-") or p.name.startswith(PENDING_LOAD_FILE)
    )


@pytest.mark.parametrize("parts", ["one part", "two parts"])
def test_a_syntax_error_halfway_a_large_file_leaves_the_store_unchanged(
    store: EmbeddedStore, tmp_path: Path, request: pytest.FixtureRequest, parts: str
) -> None:
    if parts == "two parts":  # the first half is written before the second fails
        request.getfixturevalue("split_small_files")
    store.load_file(DATA / "afdelingen.ttl", G1, replace=False)
    before = snapshot(store, tmp_path, "before")
    big = ntriples(tmp_path / "groot.nt", 40_000, broken_at=30_000)

    with pytest.raises(RdfInputError) as caught:
        store.load_files({G2: [big]}, replace=False)

    assert str(caught.value).startswith(f"{big}:30000:")
    assert snapshot(store, tmp_path, "after") == before
    assert not store._live().contains_named_graph(ox.NamedNode(G2))
    assert leftovers(store) == []


def test_a_broken_second_file_removes_the_graph_of_the_first(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    store.load_file(DATA / "afdelingen.ttl", G1, replace=False)
    before = snapshot(store, tmp_path, "before")
    folder = tmp_path / "registry"
    folder.mkdir()
    ntriples(folder / "a-goed.nt", 5_000)
    ntriples(folder / "b-kapot.nt", 5_000, broken_at=4_000)

    with pytest.raises(RdfInputError, match=r"b-kapot\.nt:4000:"):
        load_paths(store, [folder], base_iri=BASE, validate=False)

    assert snapshot(store, tmp_path, "after") == before
    assert [info.iri for info in store.graphs()] == [G1]
    assert leftovers(store) == []


def test_a_failed_replace_leaves_the_old_graph_intact(store: EmbeddedStore, tmp_path: Path) -> None:
    good = ntriples(tmp_path / "data.nt", 2_000)
    load_paths(store, [good], graph=G1, validate=False)
    before = snapshot(store, tmp_path, "before")
    broken = ntriples(tmp_path / "nieuw.nt", 3_000, broken_at=2_500)

    with pytest.raises(RdfInputError, match=r"nieuw\.nt:2500:"):
        load_paths(store, [broken], graph=G1, replace=True, validate=False)

    assert snapshot(store, tmp_path, "after") == before
    assert [(info.iri, info.triples) for info in store.graphs()] == [(G1, 2_000)]
    assert leftovers(store) == []


def test_a_successful_load_leaves_only_its_graphs(
    store: EmbeddedStore, tmp_path: Path, split_small_files: None
) -> None:
    big = ntriples(tmp_path / "groot.nt", 20_000)
    report = load_paths(store, [big, DATA / "gebieden.ttl"], base_iri=BASE, validate=False)

    assert {(load.graph, load.triples) for load in report.graphs} == {
        (f"{BASE}/graph/groot", 20_000),
        (f"{BASE}/graph/gebieden", 8),
    }
    names = sorted(graph.value for graph in store._live().named_graphs())
    assert names == [f"{BASE}/graph/gebieden", f"{BASE}/graph/groot"]
    assert leftovers(store) == []


def test_ctrl_c_while_the_parts_load_leaves_no_part_behind(
    store: EmbeddedStore, tmp_path: Path, split_small_files: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C reaches the thread waiting for the loaders; the loaders cannot be stopped.
    The load's graph was removed while a part was still loading, which then wrote half
    the graph into the store with the marker gone."""
    import threading
    import time

    live = store._live()
    loading = threading.Event()

    class SlowLoader:
        def __getattr__(self, name: str) -> object:
            return getattr(live, name)

        def bulk_load(self, *, path: str, **kwargs: object) -> None:
            data = Path(path).read_bytes()  # the engine has its part open from the start
            loading.set()
            time.sleep(0.3)  # still loading when the clean-up runs
            live.bulk_load(input=data, **kwargs)  # type: ignore[arg-type]

    class Interrupted(threading.Thread):
        interrupted = False

        def join(self, timeout: float | None = None) -> None:
            if not Interrupted.interrupted:
                Interrupted.interrupted = True
                loading.wait(5)
                raise KeyboardInterrupt
            super().join(timeout)

    monkeypatch.setattr(store, "_live", lambda: SlowLoader())
    monkeypatch.setattr(embedded_module.threading, "Thread", Interrupted)
    big = ntriples(tmp_path / "groot.nt", 2_000)
    with pytest.raises(KeyboardInterrupt):
        load_paths(store, [big], base_iri=BASE, validate=False)
    monkeypatch.undo()
    for thread in threading.enumerate():  # nothing of the load may still be running
        if thread.name == "krb-load":
            thread.join()

    groot = ox.NamedNode(f"{BASE}/graph/groot")
    assert not store._live().contains_named_graph(groot)
    assert list(store._live().quads_for_pattern(None, None, None, groot)) == []
    assert leftovers(store) == []


def test_blank_nodes_stay_one_node_each_when_a_file_is_cut(
    store: EmbeddedStore, tmp_path: Path, split_small_files: None
) -> None:
    """A label used at both ends of a file keeps it whole; labels local to a part allow a cut."""
    shared = tmp_path / "gedeeld.nt"
    local = tmp_path / "lokaal.nt"
    body = ntriples(tmp_path / "body.nt", 1_000).read_text(encoding="utf-8")
    first = f'<{EX}id/a> <{EX}def/deel> _:x .\n_:x <{EX}def/naam> "x" .\n'
    shared.write_text(first + body + f'_:x <{EX}def/naam> "ook x" .\n', encoding="utf-8")
    local.write_text(first + body + f'_:y <{EX}def/naam> "y" .\n', encoding="utf-8")

    with line_parts.line_parts(shared, ox.RdfFormat.N_TRIPLES, tmp_path, 2) as parts:
        assert parts == [shared]
    with line_parts.line_parts(local, ox.RdfFormat.N_TRIPLES, tmp_path, 2) as parts:
        assert len(parts) == 2
    store.load_files({G1: [shared], G2: [local]}, replace=False)

    assert isomorphic(store.read_graph(G1), Graph().parse(shared, format="nt"))
    assert isomorphic(store.read_graph(G2), Graph().parse(local, format="nt"))


def test_a_load_cut_short_by_a_crash_is_undone_when_the_store_opens(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The state a crash between two files leaves: the first graph written, the marker there."""
    folder = tmp_path / "store"
    with EmbeddedStore(folder) as store:
        store.load_file(DATA / "afdelingen.ttl", G1, replace=False)
        store.load_file(DATA / "gebieden.ttl", G2, replace=False)
    (folder / PENDING_LOAD_FILE).write_text(json.dumps({"graphs": [G2]}), encoding="utf-8")
    (folder / "krb-split-abc").mkdir()

    with caplog.at_level(logging.WARNING, logger="krbgraph"), EmbeddedStore(folder) as store:
        assert [(info.iri, info.triples) for info in store.graphs()] == [(G1, 6)]
        assert leftovers(store) == []
    # Said, naming the graph to load again (it was undone in silence).
    (said,) = [r.getMessage() for r in caplog.records if "interrupted load" in r.getMessage()]
    assert f"<{G2}>" in said and G1 not in said


def test_an_unreadable_marker_is_reported_and_the_store_is_released(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    EmbeddedStore(folder).close()
    (folder / PENDING_LOAD_FILE).write_text("{kapot", encoding="utf-8")

    with pytest.raises(embedded_module.StoreError, match=PENDING_LOAD_FILE):
        EmbeddedStore(folder)
    (folder / PENDING_LOAD_FILE).unlink()
    EmbeddedStore(folder).close()  # the failed open did not keep the folder locked


def test_gzip_files_load_and_bad_gzip_is_an_input_error(
    store: EmbeddedStore, tmp_path: Path
) -> None:
    plain = ntriples(tmp_path / "data.nt", 500).read_bytes()
    packed = tmp_path / "data.nt.gz"
    packed.write_bytes(gzip.compress(plain))
    cut = tmp_path / "kapot.nt.gz"
    cut.write_bytes(gzip.compress(plain)[:200])

    assert store.load_files({G1: [packed]}, replace=False) == {G1: 500}
    with pytest.raises(RdfInputError, match=r"kapot\.nt\.gz: cannot read the file"):
        store.load_files({G2: [cut]}, replace=False)
    assert [info.iri for info in store.graphs()] == [G1]


def test_a_syntax_error_in_turtle_says_file_line_and_column(store: EmbeddedStore) -> None:
    with pytest.raises(RdfInputError) as caught:
        store.load_files({G1: [DATA / "gebieden.ttl"], G2: [DATA / "kapot.ttl"]}, replace=False)
    assert str(caught.value).startswith(f"{DATA / 'kapot.ttl'}:6:24: ")
    assert store.graphs() == []


def test_cli_no_validate_load_of_a_broken_file_exits_2_and_changes_nothing(
    tmp_path: Path, model_template: Path
) -> None:
    folder = tmp_path / "store"
    shutil.copytree(model_template, folder)
    with open_store(Settings(store=str(folder))) as opened:
        before = snapshot(opened, tmp_path, "before")  # type: ignore[arg-type]
    big = ntriples(tmp_path / "groot.nt", 20_000, broken_at=15_000)
    app = typer.Typer()
    store_commands.register(app)

    result = CliRunner().invoke(app, ["load", str(big), "--store", str(folder), "--no-validate"])

    assert result.exit_code == 2
    assert f"{big}:15000:" in result.stderr
    with open_store(Settings(store=str(folder))) as opened:
        assert snapshot(opened, tmp_path, "after") == before  # type: ignore[arg-type]


def test_a_large_new_graph_is_written_whole_and_a_failed_one_not_at_all(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new graph of many triples goes through the bulk writer (a workbook import);
    afterwards it holds every triple, each blank node still one node, and no marker is
    left. When the bulk writer fails halfway, the graph it started is removed again."""
    count = embedded_module.BULK_MIN_QUADS // 2 + 5
    data = Graph()
    data.parse(
        data="\n".join(f"<{EX}n/{i}> <{EX}p> [ <{EX}q> {i} ] ." for i in range(count)),
        format="turtle",
    )
    assert len(data) >= embedded_module.BULK_MIN_QUADS

    def held(graph: str) -> set[tuple[str, int]]:
        """(IRI, number) through each blank node: every pair once if nodes stayed whole."""
        rows = store.query(
            f"SELECT ?n ?v WHERE {{ GRAPH <{graph}> {{ ?n <{EX}p> ?b . ?b <{EX}q> ?v }} }}"
        ).rows
        return {(str(n), int(v)) for n, v in rows}

    store.write_graphs({G1: data}, replace=True)
    assert len(store.read_graph(G1)) == len(data)
    assert held(G1) == {(f"{EX}n/{i}", i) for i in range(count)}
    assert not (store.path / PENDING_LOAD_FILE).exists()

    def half_then_fail(self: ox.Store, quads: list[ox.Quad]) -> None:
        self.extend(quads[: len(quads) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(ox.Store, "bulk_extend", half_then_fail)
    with pytest.raises(Exception, match="disk full"):
        store.write_graphs({G2: data}, replace=True)
    assert len(store.read_graph(G2)) == 0
    assert len(store.read_graph(G1)) == len(data)
    assert not (store.path / PENDING_LOAD_FILE).exists()


def test_a_load_awaiting_its_verdict_is_kept_only_when_accepted(
    store: EmbeddedStore, tmp_path: Path, split_small_files: None
) -> None:
    """A validated load writes while it validates (krbgraph.loading); the verdict decides."""
    big = ntriples(tmp_path / "groot.nt", 5_000)
    before = snapshot(store, tmp_path, "before")

    assert store.load_new_files({G1: [big]}, keep=lambda: False) is False
    assert snapshot(store, tmp_path, "refused") == before
    assert leftovers(store) == []

    def broken() -> bool:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.load_new_files({G1: [big], G2: [DATA / "gebieden.ttl"]}, keep=broken)
    assert snapshot(store, tmp_path, "interrupted") == before
    assert leftovers(store) == []

    assert store.load_new_files({G1: [big]}, keep=lambda: True) is True
    assert [(info.iri, info.triples) for info in store.graphs()] == [(G1, 5_000)]
    with pytest.raises(embedded_module.StoreError, match="holds triples"):
        store.load_new_files({G1: [big]}, keep=lambda: True)


def test_a_crash_while_a_load_awaits_its_verdict_is_undone_when_the_store_opens(
    tmp_path: Path,
) -> None:
    """The process dies once the files are in and before the validation has decided."""
    folder = tmp_path / "store"
    with EmbeddedStore(folder) as store:
        store.load_file(DATA / "afdelingen.ttl", G1, replace=False)
    big = ntriples(tmp_path / "groot.nt", 5_000)
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from krbgraph.store.embedded import EmbeddedStore\n"
        "store = EmbeddedStore(Path(sys.argv[1]))\n"
        "store.load_new_files({sys.argv[2]: [Path(sys.argv[3])]}, keep=lambda: os._exit(9))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder), G2, str(big)], capture_output=True, timeout=120
    )
    assert done.returncode == 9, done.stderr.decode()
    assert (folder / PENDING_LOAD_FILE).exists()  # the graph was in, the verdict never came

    with EmbeddedStore(folder) as store:
        assert [(info.iri, info.triples) for info in store.graphs()] == [(G1, 6)]
        assert leftovers(store) == []
