"""`krb load/drop/graphs/dump/restore/derive` as a user runs them: output, exit codes, store state.

Exit codes are the CLI contract: 0 ok, 1 the data did not pass the shapes,
2 unreadable input or wrong use.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from model_store import store_folder_fixture
from rdflib import Graph
from rdflib.compare import isomorphic
from remote_server import oxigraph_fixture
from store_templates import copy_of
from typer.testing import CliRunner, Result

from krbgraph.commands import store as store_commands
from krbgraph.model import DERIVED_GRAPH
from krbgraph.settings import Settings
from krbgraph.store import META_GRAPH, ensure_model

DATA = Path(__file__).parent / "data" / "store"
BASE = "https://krb.testgemeente.nl"
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"

oxigraph_url = oxigraph_fixture(scope="module")


@pytest.fixture(scope="module")
def model_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a closed store holding the model, as `krb` leaves it after a first
    run: a copy of the one made once per test process (store_templates)."""
    target = tmp_path_factory.mktemp("template") / "store"
    return copy_of("model", Settings(), ensure_model, target)


folder = store_folder_fixture()


def krb(*args: str, env: dict[str, str] | None = None) -> Result:
    app = typer.Typer()
    store_commands.register(app)
    return CliRunner().invoke(app, list(args), env=env)


def whole_krb(*args: str) -> Result:
    """The `krb` command with all its subcommands (validate, check-ontology)."""
    from krbgraph.cli import app

    return CliRunner().invoke(app, list(args))


def _loaded_template_fixture(name: str, data: str) -> Callable[..., Any]:
    """A module-scoped fixture ``name``: the folder of a closed store holding the model and
    ``data`` as `krb load` leaves it (validated, under BASE), for tests whose subject
    comes after such a load. A validated load takes seconds; a copy a hundredth."""

    @pytest.fixture(scope="module", name=name)
    def _template(model_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
        target = tmp_path_factory.mktemp(name) / "store"
        shutil.copytree(model_template, target)
        loaded = krb("load", str(DATA / data), "--store", str(target), "--base-iri", BASE)
        assert loaded.exit_code == 0, loaded.stderr
        return target

    return _template


afdelingen_template = _loaded_template_fixture("afdelingen_template", "afdelingen.ttl")
gebieden_template = _loaded_template_fixture("gebieden_template", "gebieden.ttl")


@pytest.fixture
def with_afdelingen(tmp_path: Path, afdelingen_template: Path) -> str:
    """A store of this test's own: the model and afdelingen.ttl loaded under BASE."""
    shutil.copytree(afdelingen_template, tmp_path / "store")
    return str(tmp_path / "store")


@pytest.fixture
def with_gebieden(tmp_path: Path, gebieden_template: Path) -> str:
    """A store of this test's own: the model and gebieden.ttl loaded under BASE."""
    shutil.copytree(gebieden_template, tmp_path / "store")
    return str(tmp_path / "store")


@pytest.fixture(scope="module")
def gebieden_dumps(gebieden_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`krb dump` of a store holding the model and gebieden.ttl, as N-Quads and TriG:
    {"store": its folder, ".nq": the dump, ".trig": the dump}. Tests read them only."""
    folder = tmp_path_factory.mktemp("gebieden-dumps")
    shutil.copytree(gebieden_template, folder / "store")
    made: dict = {"store": str(folder / "store")}
    for suffix in (".nq", ".trig"):
        dump = folder / f"backup{suffix}"
        dumped = krb("dump", str(dump), "--store", made["store"])
        assert dumped.exit_code == 0, dumped.stderr
        assert dump.is_file()
        made[suffix] = dump
    return made


@pytest.fixture(scope="module")
def gebieden_restored(gebieden_dumps: dict, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store `krb restore` made of the TriG dump (a whole restore reads the model from
    its files again: seconds). Tests only read it, or see a restore onto it refused."""
    fresh = str(tmp_path_factory.mktemp("gebieden-restored") / "fresh")
    restored = krb("restore", str(gebieden_dumps[".trig"]), "--store", fresh)
    assert restored.exit_code == 0, restored.stderr
    return fresh


def graph_rows(store: str) -> dict[str, tuple[str, str]]:
    """graph IRI -> (triples, kind) from the `krb graphs` table."""
    result = krb("graphs", "--store", store)
    assert result.exit_code == 0, result.stderr
    rows = {}
    for line in result.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("│┃ ").split("│")]
        if len(cells) == 3 and cells[0].startswith("http"):
            rows[cells[0]] = (cells[1], cells[2])
    return rows


def test_load_then_graphs_lists_data_and_model(folder: str) -> None:
    result = krb(
        "load", str(DATA / "afdelingen.ttl"), str(DATA / "gebieden.ttl"),
        "--store", folder, "--base-iri", BASE,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f"loaded <{BASE}/graph/afdelingen>: 6 triples" in result.stdout
    rows = graph_rows(folder)
    assert rows[f"{BASE}/graph/afdelingen"] == ("6", "data")
    assert rows[f"{BASE}/graph/gebieden"] == ("8", "data")
    assert rows["https://data.krb.nl/def/imbor-leefomgeving"][1] == "model"


def test_invalid_data_exits_1_with_findings_per_object(folder: str) -> None:
    result = krb("load", str(DATA / "afdeling-zonder-naam.ttl"), "--store", folder)
    assert result.exit_code == 1
    assert f"{BASE}/id/afdeling/zonder-naam" in result.stderr
    assert "nl: " in result.stderr and "en: " in result.stderr
    assert "rdfs:label" in result.stderr
    assert "nothing was written" in result.stderr
    assert not any(kind == "data" for _, kind in graph_rows(folder).values())


def test_unreadable_input_exits_2_with_file_line_column(folder: str) -> None:
    result = krb("load", str(DATA / "afdelingen.ttl"), str(DATA / "kapot.ttl"), "--store", folder)
    assert result.exit_code == 2
    assert f"{DATA / 'kapot.ttl'}:6:24:" in result.stderr
    assert not any(kind == "data" for _, kind in graph_rows(folder).values())


def test_missing_file_exits_2(folder: str, tmp_path: Path) -> None:
    result = krb("load", str(tmp_path / "nergens.ttl"), "--store", folder)
    assert result.exit_code == 2
    assert "nergens.ttl: no such file" in result.stderr


def test_an_occupied_graph_needs_replace(folder: str) -> None:
    first = krb("load", str(DATA / "afdelingen.ttl"), "--store", folder, "--base-iri", BASE)
    assert first.exit_code == 0, first.stderr
    graph = f"{BASE}/graph/afdelingen"
    again = krb("load", str(DATA / "gebieden.ttl"), "--graph", graph, "--store", folder)
    assert again.exit_code == 2
    assert "--replace" in again.stderr
    assert graph_rows(folder)[graph] == ("6", "data")

    replaced = krb(
        "load", str(DATA / "gebieden.ttl"), "--graph", graph, "--replace", "--store", folder
    )
    assert replaced.exit_code == 0, replaced.stderr
    assert f"replaced <{graph}>: 8 triples" in replaced.stdout
    assert graph_rows(folder)[graph] == ("8", "data")


@pytest.mark.parametrize("validate", ["--validate", "--no-validate"])
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("afdelingen.ttl", b"@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"),
        ("afdelingen.nt", b""),
        ("afdelingen.jsonld", b"{}"),
        ("afdelingen.ttl.gz", gzip.compress(b"\xef\xbb\xbf# only a comment\n")),
    ],
    ids=["prefixes", "empty", "json-ld", "gzip-bom-comment"],
)
def test_a_file_without_triples_never_empties_or_creates_a_graph(
    with_afdelingen: str, tmp_path: Path, validate: str, name: str, content: bytes
) -> None:
    """A failed export (a file of prefixes only, or nothing) loaded with --replace in a
    pipeline would remove the graph's data; the Graph Store refuses a PUT of nothing."""
    folder = with_afdelingen  # afdelingen.ttl loaded
    empty = tmp_path / "export" / name
    empty.parent.mkdir()
    empty.write_bytes(content)
    graph = f"{BASE}/graph/afdelingen"
    replaced = krb("load", str(empty), "--graph", graph, "--replace", "--store", folder, validate)
    assert replaced.exit_code == 2
    assert f"{empty} holds no triples for graph <{graph}>" in replaced.stderr
    assert "remove all its data" in replaced.stderr and "nothing was loaded" in replaced.stderr
    assert graph_rows(folder)[graph] == ("6", "data")
    fresh = empty.with_name(name.replace("afdelingen", "nieuw"))
    empty.rename(fresh)
    new = krb("load", str(fresh), "--store", folder, "--base-iri", BASE, validate)
    assert new.exit_code == 2 and "would not exist afterwards" in new.stderr
    assert f"{BASE}/graph/nieuw" not in graph_rows(folder)


def test_no_validate_skips_the_shapes(folder: str) -> None:
    result = krb(
        "load", str(DATA / "afdeling-zonder-naam.ttl"), "--no-validate", "--store", folder,
        "--base-iri", BASE, "--progress",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert graph_rows(folder)[f"{BASE}/graph/afdeling-zonder-naam"] == ("2", "data")


def test_dump_and_restore(gebieden_dumps: dict, gebieden_restored: str) -> None:
    # gebieden_dumps: `krb dump` exited 0 and wrote the file; gebieden_restored: `krb
    # restore` of the TriG dump into a new folder exited 0.
    folder, dump, fresh = gebieden_dumps["store"], gebieden_dumps[".trig"], gebieden_restored
    # Every graph as it was, but the meta graph: the model is read again from its files,
    # and the mark that the data conforms is not restored (its first write validates
    # the whole registry, krbgraph.conformance).
    source, copy = graph_rows(folder), graph_rows(fresh)
    assert {g: row for g, row in copy.items() if g != META_GRAPH} == {
        g: row for g, row in source.items() if g != META_GRAPH
    }
    assert int(copy[META_GRAPH][0]) == int(source[META_GRAPH][0]) - 1

    refused = krb("restore", str(dump), "--store", fresh)
    assert refused.exit_code == 2
    assert "not empty" in refused.stderr


def test_a_restore_stopped_after_its_data_is_finished_by_the_next_command(
    gebieden_dumps: dict, gebieden_restored: str, tmp_path: Path
) -> None:
    """Ctrl-C after the dump's quads were in, before the model was read: the store kept
    the dump's mark that the data conforms and its derived graph, and no later opening
    replaced them (the model's hashes matched). Neither is restored now, so the next
    command loads the model and derives the graph, and the mark is gone, as after a
    finished restore."""
    from krbgraph.conformance import conforms_known
    from krbgraph.store import open_store

    dump = gebieden_dumps[".nq"]
    assert "conformsTo" in dump.read_text(encoding="utf-8")  # the dump has the mark
    fresh = str(tmp_path / "fresh")
    with open_store(Settings(store=fresh)) as opened:
        opened.restore(dump)  # the restore's first step; then it was stopped
    # The next command on the store finishes what the restore left: the same graphs as
    # a whole restore of that store's dump gives (gebieden_restored), without the mark.
    assert graph_rows(fresh) == graph_rows(gebieden_restored)
    with open_store(Settings(store=fresh)) as after:
        assert not conforms_known(after)
    again = krb("restore", str(dump), "--store", fresh)
    assert again.exit_code == 2
    assert f"krb graphs --store {fresh}" in again.stderr


def test_a_restore_derives_the_derived_graph_of_the_dumps_own_data(
    folder: str, tmp_path: Path
) -> None:
    """A dump of a server written meanwhile can hold a derived graph of other data than
    its own, under these rules' version: the restore kept it, and served its dates."""
    from krbgraph.model import DERIVED_GRAPH
    from krbgraph.settings import Settings
    from krbgraph.store import open_store

    areas = Path(__file__).parent.parent / "examples" / "demo" / "gebieden.ttl"
    assert krb("load", str(areas), "--store", folder, "--no-validate").exit_code == 0
    dump = tmp_path / "backup.nq"
    assert krb("dump", str(dump), "--store", folder).exit_code == 0
    lines = dump.read_text(encoding="utf-8").splitlines(keepends=True)
    within = "<https://data.krb.nl/def/krb#ligtBinnen>"
    dropped = [line for line in lines if within in line and f"<{DERIVED_GRAPH}>" in line]
    assert dropped  # the demo's areas lie in one another
    damaged = tmp_path / "damaged.nq"
    damaged.write_text("".join(line for line in lines if line not in dropped), encoding="utf-8")

    fresh = str(tmp_path / "fresh")
    restored = krb("restore", str(damaged), "--store", fresh, "--unchecked")
    assert restored.exit_code == 0, restored.stderr
    derived = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}"
    with open_store(Settings(store=folder)) as before, open_store(Settings(store=fresh)) as after:
        assert set(after.query(derived).rows) == set(before.query(derived).rows)


def test_a_restore_takes_the_model_from_the_release_never_from_the_dump(
    folder: str, tmp_path: Path
) -> None:
    """A dump of an older release (or one edited by hand) holds other copies of the model
    graphs: the restored store's model is this release's, triple for triple."""
    from krbgraph.store import open_store

    dump = tmp_path / "backup.nq"
    assert krb("dump", str(dump), "--store", folder).exit_code == 0
    ontology = "<https://data.krb.nl/def/krb>"
    lines = dump.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.rstrip().endswith(f"{ontology} .")]
    assert len(kept) < len(lines)  # the ontology's copy is in the dump
    stale = "<https://data.krb.nl/def/krb#Oud> <http://www.w3.org/2000/01/rdf-schema#label> "
    kept.append(f'{stale}"oud"@nl {ontology} .\n')
    old = tmp_path / "old.nq"
    old.write_text("".join(kept), encoding="utf-8")

    fresh = str(tmp_path / "fresh")
    restored = krb("restore", str(old), "--store", fresh, "--unchecked")
    assert restored.exit_code == 0, restored.stderr
    model = f"SELECT ?s ?p ?o WHERE {{ GRAPH {ontology} {{ ?s ?p ?o }} }}"
    with open_store(Settings(store=folder)) as before, open_store(Settings(store=fresh)) as after:
        # The same triples, blank nodes aside (each store labels its own).
        assert isomorphic(_triples(after.query(model).rows), _triples(before.query(model).rows))


def _triples(rows: tuple) -> Graph:
    graph = Graph()
    for row in rows:
        graph.add(row)
    return graph


def test_a_restore_onto_a_full_disk_says_so_in_one_line(folder: str, tmp_path: Path) -> None:
    """The store's last flush failed in its closing: a traceback and exit 1 (the exit
    of data that breaks the shapes). Files may not grow past 1 MB here, as on a
    disk that is full (the demo's restore writes a log of about 3 MB)."""
    import resource
    import signal
    import subprocess
    import sys

    dump = tmp_path / "backup.nq"
    assert krb("dump", str(dump), "--store", folder).exit_code == 0

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past it fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, 1024 * 1024))

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "krbgraph.cli",
            "restore",
            str(dump),
            "--store",
            str(tmp_path / "r"),
        ],
        preexec_fn=full_disk,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "could not be written to disk" in done.stderr


def test_a_dump_removes_what_killed_dumps_left_and_nothing_else(
    folder: str, tmp_path: Path
) -> None:
    """A dump killed outright (the OOM killer, a cron timeout) leaves its hidden partial
    file; every killed nightly dump added one and nothing removed them."""
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    import fcntl

    dump = tmp_path / "nacht.nq"
    pid = gone.stdout.strip()  # a process id nothing here has: as in another container
    left = tmp_path / f".nacht.nq.{pid}.x1y2.partial"
    busy = tmp_path / f".nacht.nq.{pid}.z3.partial"  # a dump under way there: locked
    other = tmp_path / f".ander.nq.{pid}.q9.partial"
    for path in (left, busy, other):
        path.write_text("<a> <b> <c> .\n", encoding="utf-8")

    with busy.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert krb("dump", str(dump), "--store", folder).exit_code == 0
    assert not left.exists()
    assert busy.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.glob(".nacht.nq.*")) == [busy.name]


@pytest.mark.parametrize("suffix", [".nq", ".trig"])
def test_a_dump_cut_off_is_refused_and_restores_only_when_asked(
    gebieden_dumps: dict, tmp_path: Path, suffix: str
) -> None:
    # Cut at a line boundary a dump is still valid RDF: restored, most graphs were gone
    # and a model graph stayed half-filled, in silence.
    folder, dump = gebieden_dumps["store"], gebieden_dumps[suffix]  # gebieden.ttl loaded
    lines = dump.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / f"cut{suffix}"
    if suffix == ".nq":
        cut.write_text("".join(lines[: len(lines) // 3]), encoding="utf-8")
    else:  # a whole TriG graph block less
        ends = [i for i, line in enumerate(lines) if line.startswith("}")]
        cut.write_text("".join(lines[: ends[len(ends) // 2] + 1]), encoding="utf-8")

    fresh = str(tmp_path / "fresh")
    refused = krb("restore", str(cut), "--store", fresh)
    assert refused.exit_code == 2, refused.stdout
    assert "cut off" in refused.stderr and "nothing was restored" in refused.stderr
    assert not graph_rows(fresh) or all(kind == "model" for _, kind in graph_rows(fresh).values())

    asked = krb("restore", str(cut), "--store", str(tmp_path / "asked"), "--unchecked")
    assert asked.exit_code == 0, asked.stderr
    # The model comes from the product's files, whole, whatever the dump held of it.
    kept = (DERIVED_GRAPH, META_GRAPH)  # derived from the (cut) data; the hashes
    model = {g: row for g, row in graph_rows(folder).items() if row[1] == "model" and g not in kept}
    restored = graph_rows(str(tmp_path / "asked"))
    assert {g: restored[g] for g in model} == model


def test_drop(with_afdelingen: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = with_afdelingen  # afdelingen.ttl loaded
    graph = f"{BASE}/graph/afdelingen"
    # A big graph takes minutes to remove: the command says how big before it starts.
    monkeypatch.setattr(store_commands, "ANNOUNCE_REMOVAL_FROM", 6)
    dropped = krb("drop", graph, "--store", folder)
    assert dropped.exit_code == 0
    assert f"dropped <{graph}>: 6 triples" in dropped.stdout
    assert "removing 6 triples" in dropped.stderr
    assert graph not in graph_rows(folder)
    unknown = krb("drop", graph, "--store", folder)
    assert unknown.exit_code == 2 and "no graph" in unknown.stderr
    model = krb("drop", "https://data.krb.nl/def/krb", "--store", folder)
    assert model.exit_code == 2 and "KRB model" in model.stderr


def test_store_and_base_iri_come_from_the_environment(folder: str) -> None:
    env = {"KRB_STORE": folder, "KRB_BASE_IRI": "https://krb.andere.nl"}
    result = krb("load", str(DATA / "afdelingen.ttl"), env=env)
    assert result.exit_code == 0, result.stderr
    assert "https://krb.andere.nl/graph/afdelingen" in graph_rows(folder)


def test_a_malformed_timeout_in_the_environment_exits_2(folder: str) -> None:
    result = krb("graphs", "--store", folder, env={"KRB_QUERY_TIMEOUT_S": "soon"})
    assert result.exit_code == 2


@pytest.mark.remote
def test_the_commands_work_on_a_sparql_server(oxigraph_url: str) -> None:
    result = krb("load", str(DATA / "afdelingen.ttl"), "--store", oxigraph_url, "--base-iri", BASE)
    assert result.exit_code == 0, result.stderr
    rows = graph_rows(oxigraph_url)
    assert rows[f"{BASE}/graph/afdelingen"] == ("6", "data")
    assert rows["https://data.krb.nl/def/krb"][1] == "model"


def test_the_krb_command_has_the_store_commands() -> None:
    from krbgraph.cli import app

    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("load", "drop", "graphs", "dump", "restore"):
        assert command in result.stdout


def test_derive_rebuilds_the_derived_graph_after_a_write_around_krb(folder: str) -> None:
    from krbgraph.derived import DERIVED_GRAPH, derive
    from krbgraph.model import project_root
    from krbgraph.settings import Settings
    from krbgraph.store import open_store

    demo = project_root() / "examples" / "demo" / "geluid.ttl"
    assert krb("load", str(demo), "--store", folder, "--no-validate").exit_code == 0
    with open_store(Settings(store=folder)) as opened:
        expected = {t for t in derive(opened)}
        opened.update(f"DROP GRAPH <{DERIVED_GRAPH}>")  # as another tool might
    assert expected, "the demo's noise policy has dates in force"
    result = krb("derive", "--store", folder)
    assert result.exit_code == 0, result.stderr
    assert f"{len(expected)} triples" in result.stdout
    with open_store(Settings(store=folder)) as opened:
        assert set(opened.read_graph(DERIVED_GRAPH)) == expected


@pytest.mark.parametrize(
    ("version", "said"),
    [("an earlier release's rules", "earlier release"), ("stale", "was cut off")],
)
def test_a_command_says_why_it_derives_the_whole_store_again_and_only_then(
    folder: str, version: str, said: str
) -> None:
    """On millions of triples deriving again takes minutes: a command that opens such a
    store says so first, with the reason, instead of looking hung; once derived, the next
    opening says nothing."""
    from krbgraph.derived import DERIVED_GRAPH, STALE
    from krbgraph.model import project_root
    from krbgraph.settings import Settings
    from krbgraph.store import open_store

    demo = project_root() / "examples" / "demo" / "geluid.ttl"
    assert krb("load", str(demo), "--store", folder, "--no-validate").exit_code == 0
    quiet = krb("graphs", "--store", folder)
    assert quiet.exit_code == 0 and quiet.stderr == "", quiet.stderr
    old = STALE if version == "stale" else "0123456789abcdef"
    with open_store(Settings(store=folder)) as opened:
        version = f"<{DERIVED_GRAPH}> <{OWL_VERSION}>"
        opened.update(
            f"DELETE WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ {version} ?v }} }} ;"
            f'INSERT DATA {{ GRAPH <{DERIVED_GRAPH}> {{ {version} "{old}" }} }}'
        )
    told = krb("graphs", "--store", folder)
    assert told.exit_code == 0, told.stderr
    assert said in told.stderr and "deriving it again for the whole store" in told.stderr
    assert "opnieuw afgeleid" in told.stderr, "in Dutch too"
    again = krb("graphs", "--store", folder)
    assert again.exit_code == 0 and again.stderr == "", again.stderr


@pytest.mark.parametrize("occupied", [False, True])
def test_a_validated_load_leaves_the_derived_graph_a_derivation_of_the_store_gives(
    folder: str, occupied: bool
) -> None:
    """A validated load derives the dates from its in-memory copy before it writes; the
    stored derived graph is what deriving from the store afterwards gives, for new
    graphs and for a graph replaced (which then holds nothing of its old dates)."""
    from krbgraph.derived import DERIVED_GRAPH, derive
    from krbgraph.model import project_root
    from krbgraph.settings import Settings
    from krbgraph.store import open_store

    demo = project_root() / "examples" / "demo"
    files = [str(path) for path in sorted(demo.glob("*.ttl"))]
    if occupied:
        assert krb("load", *files, "--store", folder, "--no-validate").exit_code == 0
        args = ["--replace"]
    else:
        args = []
    result = krb("load", *files, "--store", folder, *args)
    assert result.exit_code == 0, result.stderr
    with open_store(Settings(store=folder)) as opened:
        stored = set(opened.read_graph(DERIVED_GRAPH))
        assert stored and stored == set(derive(opened))


@pytest.mark.parametrize("engine", ["supervised", "embedded"])
def test_serve_on_a_folder_another_process_holds_says_so_in_one_line(
    tmp_path: Path, engine: str
) -> None:
    """It printed where it would listen, then a server start-up traceback, exit code 3."""
    from krbgraph.settings import Settings
    from krbgraph.store import open_store

    folder = tmp_path / "db"
    with open_store(Settings(store=str(folder))):  # this test process holds the folder
        _serve_refused("in use by another process", str(folder), "--engine", engine)


def _serve_refused(message: str, store: str, *options: str) -> None:
    """`krb serve` on ``store`` exits 2 with ``message`` in one line, never serving."""
    import subprocess
    import sys

    port = [] if "--port" in options else ["--port", "0"]
    done = subprocess.run(
        [str(Path(sys.executable).with_name("krb")), "serve", "--store", store] + [*options, *port],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert message in done.stderr
    # In one line: a supervised engine that did not start logged it first, then the
    # same text came again as the error.
    assert done.stderr.count(message) == 1, done.stderr
    assert "KRB registry on" not in done.stdout


def test_serve_on_a_port_in_use_says_so_in_one_line(tmp_path: Path) -> None:
    """uvicorn said so after the line announcing the service, and exited 3."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        _serve_refused(f"cannot listen on 127.0.0.1:{port}", str(tmp_path / "s"), "--port", port)


def test_serve_whose_engine_cannot_start_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A memory limit too small for the supervised engine: 79 lines and exit 3."""
    monkeypatch.setenv("KRB_ENGINE_MEMORY_MB", "8")
    _serve_refused("error:", str(tmp_path / "s"), "--engine", "supervised")


def test_a_dump_taken_while_a_writer_held_its_turn_restores_into_a_shared_server(
    with_gebieden: str, tmp_path: Path, oxigraph_url: str
) -> None:
    """A dump of a shared server holds its write bookkeeping, a writer's intent among it:
    restored, that intent held off the restore's own model load (exit 2 after a wait,
    "nothing was written", with every quad written) and every write after it."""
    from krbgraph.model import WRITES_GRAPH
    from krbgraph.settings import Settings
    from krbgraph.store import open_store

    folder = with_gebieden  # gebieden.ttl loaded
    with open_store(Settings(store=folder)) as store:
        prov, modified = "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/modified"
        store.update(
            f"INSERT {{ GRAPH <{WRITES_GRAPH}> {{ <urn:uuid:elders> a <{prov}Activity> ; "
            f"<{prov}startedAtTime> ?now ; <{modified}> ?now }} }} "
            "WHERE { BIND (NOW() AS ?now) }"
        )
    dump = tmp_path / "midwrite.nq"
    assert krb("dump", str(dump), "--store", folder).exit_code == 0
    with open_store(Settings(store=oxigraph_url)) as server:
        server.update("DROP ALL")

    restored = krb("restore", str(dump), "--store", oxigraph_url)

    assert restored.exit_code == 0, restored.stderr
    with open_store(Settings(store=oxigraph_url)) as server:
        left = server.query(f"ASK {{ GRAPH <{WRITES_GRAPH}> {{ <urn:uuid:elders> ?p ?o }} }}")
        assert not left.boolean
        server.update("DROP ALL")


@pytest.mark.parametrize("command", [["graphs"], ["load"], ["dump", "out.nq"]])
def test_a_folder_of_files_given_as_the_store_is_refused_and_left_as_it_was(
    tmp_path: Path, command: list[str]
) -> None:
    """`--store registry/` for `krb load registry/`: the folder of Turtle files became a
    database (31 files written into it) and the command answered from it, exit 0."""
    files = tmp_path / "registry"
    files.mkdir()
    (files / "geluid.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    command = [str(tmp_path / part) if part.endswith(".nq") else part for part in command]
    if command == ["load"]:
        command.append(str(files / "geluid.ttl"))
    result = krb(*command, "--store", str(files))
    assert result.exit_code == 2, result.stdout
    assert f"{files} is a folder that holds no store (geluid.ttl" in result.stderr
    assert [child.name for child in files.iterdir()] == ["geluid.ttl"]


@pytest.mark.parametrize("command", [["graphs"], ["derive"], ["dump", "out.nq"], ["drop", BASE]])
def test_a_command_on_what_a_store_holds_refuses_a_store_that_is_not_there(
    tmp_path: Path, command: list[str]
) -> None:
    """A mistyped --store made a new, empty store and answered from it (an export of
    nothing, exit 0)."""
    missing = tmp_path / "stroe"
    command = [str(tmp_path / part) if part.endswith(".nq") else part for part in command]
    result = krb(*command, "--store", str(missing))
    assert result.exit_code == 2
    assert f"there is no store at {missing}" in result.stderr
    assert not missing.exists()
    # An empty folder neither, nor one with only what a new volume or a repository
    # puts there: it became a store, and a validation of nothing passed.
    missing.mkdir()
    for extra in (None, "lost+found", ".gitkeep"):
        if extra == "lost+found":
            (missing / extra).mkdir()
        elif extra:
            (missing / extra).write_text("")
        for words in (command, ["validate"], ["check-ontology"]):
            run = krb if words is command else whole_krb
            result = run(*words, "--store", str(missing))
            assert result.exit_code == 2, (words, result.output)
            assert f"there is no store at {missing} (an empty folder)" in result.stderr
    assert sorted(child.name for child in missing.iterdir()) == [".gitkeep", "lost+found"]
    (missing / "beleid.ttl").write_text("")
    result = krb(*command, "--store", str(missing))
    assert f"{missing} is a folder that holds no store (beleid.ttl)" in result.stderr


def test_a_damaged_store_is_an_error_that_says_so(folder: str) -> None:
    assert krb("graphs", "--store", folder).exit_code == 0
    (Path(folder) / "CURRENT").write_text("junk\n")
    result = krb("graphs", "--store", folder)
    assert result.exit_code == 2, result.stderr
    assert "is damaged" in result.stderr and "krb restore" in result.stderr


def test_serve_on_a_sparql_server_that_does_not_answer_says_so_in_one_line() -> None:
    """Its start-up opened the store inside the server: 144 lines of tracebacks, exit 3."""
    import socket

    with socket.socket() as sock:  # a port nobody listens on: bound, never accepting
        sock.bind(("127.0.0.1", 0))
        _serve_refused("cannot reach SPARQL server", f"http://127.0.0.1:{sock.getsockname()[1]}/")


def test_the_service_engine_refuses_a_folder_of_files_as_its_store_too(tmp_path: Path) -> None:
    """`krb serve` runs the store in an engine process of its own (engine "supervised"),
    which made the folder a database as the command line's embedded store did."""
    from krbgraph.settings import Settings
    from krbgraph.store import StoreError, open_store

    files = tmp_path / "registry"
    files.mkdir()
    (files / "geluid.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    with pytest.raises(StoreError, match="is a folder that holds no store"):
        open_store(Settings(store=str(files), engine="supervised"))
    assert [child.name for child in files.iterdir()] == ["geluid.ttl"]


@pytest.mark.parametrize("engine", ["embedded", "supervised"])
def test_a_new_volume_with_lost_and_found_is_an_empty_store_folder(
    tmp_path: Path, engine: str
) -> None:
    """A freshly formatted volume mounted as the store folder holds lost+found, a desktop
    adds .DS_Store: neither makes the folder one of someone's files."""
    from krbgraph.settings import Settings
    from krbgraph.store import open_store

    volume = tmp_path / "volume"
    (volume / "lost+found").mkdir(parents=True)
    (volume / ".DS_Store").write_bytes(b"\0")
    with open_store(Settings(store=str(volume), engine=engine)) as opened:
        assert opened.query("ASK { ?s ?p ?o }").boolean is False
