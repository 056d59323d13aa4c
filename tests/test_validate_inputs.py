"""What `krb validate` reads, as a CI job trusts it: every file of the folders named, each
once, and nothing else; what `krb load` would refuse is refused here too (exit 2).

A pass on data never read is the worst answer a pipeline can get: a folder that cannot
be opened, a folder reached through a symbolic link, a folder whose only file is empty.
A file read twice, or a report of an earlier run read as data, fails valid data.
`krb load` lists its files the same way (krbgraph.loading.plan_load), so it is checked
beside validate where the two could differ.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.loading import LoadError, plan_load
from krbgraph.rdfio import RdfInputError
from krbgraph.store.rdffiles import parse_triples

PREFIXES = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
"""
VALID = (
    PREFIXES + "<https://krb.voorbeeld.nl/id/afdeling/milieu> a "
    '<http://www.w3.org/ns/org#OrganizationalUnit> ;\n    rdfs:label "Afdeling Milieu"@nl ; '
    'dct:identifier "milieu" .\n'
)
NO_CODE = (
    PREFIXES + "<https://krb.voorbeeld.nl/id/afdeling/x> a "
    '<http://www.w3.org/ns/org#OrganizationalUnit> ; rdfs:label "X"@nl .\n'
)
BASE = "https://krb.voorbeeld.nl"


def run(*args: str | Path):
    return CliRunner().invoke(app, ["validate", *map(str, args)])


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def planned(*paths: Path) -> dict[str, list[Path]]:
    """What `krb load` of ``paths`` would write where (its first step)."""
    return plan_load(list(paths), base_iri=BASE)


# --- 1. Folders: none left out without a word ----------------------------------------


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder another user can reach (pytest's own is its owner's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="krb-inputs-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):  # a folder closed to its owner blocks rmtree
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder)


def as_another_user(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -c``/``-m`` as uid 65534 (nobody), for whom mode 000 means closed: root
    reads every folder, so as root the closed folder is only closed to another user."""
    command = [sys.executable, *args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: no other user to be")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def test_a_folder_that_cannot_be_read_is_unreadable_input_for_validate_and_load(
    shared_tmp: Path,
) -> None:
    data = shared_tmp / "data"
    write(data / "ok" / "afdeling.ttl", VALID)
    write(data / "geheim" / "fout.ttl", NO_CODE)
    for path in (data, *data.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (data / "geheim").chmod(0)
    done = as_another_user("-m", "krbgraph.cli", "validate", str(data))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{data / 'geheim'}: cannot read the folder: Permission denied" in done.stderr
    load = f"from krbgraph.loading import plan_load; plan_load([{str(data)!r}])"
    done = as_another_user("-c", load)
    assert done.returncode != 0
    assert "RdfInputError" in done.stderr and "cannot read the folder" in done.stderr


def test_a_linked_folder_is_read_and_loaded_like_any_folder(tmp_path: Path) -> None:
    write(tmp_path / "gedeeld" / "fout.ttl", NO_CODE)
    write(tmp_path / "data" / "afdeling.ttl", VALID)
    (tmp_path / "data" / "gedeeld").symlink_to("../gedeeld")
    result = run(tmp_path / "data")
    assert result.exit_code == 1, result.output
    assert "gedeeld/fout.ttl:" in result.stdout
    files = [path for paths in planned(tmp_path / "data").values() for path in paths]
    assert tmp_path / "data" / "gedeeld" / "fout.ttl" in files


def test_links_that_loop_are_not_followed_and_every_file_is_read_once(tmp_path: Path) -> None:
    """A link to the folder itself, to the folder above it, and two folders linking to
    each other: the read ends, with each file once, and nothing above the folder named."""
    data = tmp_path / "data"
    write(tmp_path / "buiten.ttl", NO_CODE)  # above the folder named: never read
    write(data / "a" / "een.ttl", VALID)
    write(data / "b" / "twee.ttl", VALID.replace("milieu", "lucht"))
    (data / "zelf").symlink_to(".")
    (data / "boven").symlink_to("..")
    (data / "a" / "naar-b").symlink_to("../b")
    (data / "b" / "naar-a").symlink_to("../a")
    plan = planned(data)
    assert sorted(path.name for paths in plan.values() for path in paths) == ["een.ttl", "twee.ttl"]
    result = run(data)
    assert result.exit_code == 0, result.output


# --- 2. A file named twice is read once -------------------------------------------------


def test_a_file_named_twice_is_validated_and_loaded_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    file = write(data / "afdeling.ttl", VALID)
    (data / "ook-afdeling.ttl").symlink_to("afdeling.ttl")  # the same file, another name
    for args in ([data, file], [file, file], [data]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        assert "two files" not in result.output and "twee bestanden" not in result.output
    assert [len(files) for files in planned(data, file).values()] == [1]


# --- 3. What `krb load` refuses --------------------------------------------------------


def test_a_named_graph_is_refused_as_load_refuses_it(tmp_path: Path) -> None:
    trig = write(
        tmp_path / "afdeling.trig",
        PREFIXES
        + "GRAPH <https://krb.voorbeeld.nl/graph/organisatie> {\n"
        + VALID.removeprefix(PREFIXES)
        + "}\n",
    )
    with pytest.raises(RdfInputError) as refused:
        parse_triples(trig)  # what `krb load` reads a file with
    for engine in ("sparql", "pyshacl"):
        result = run(trig, "--engine", engine)
        assert result.exit_code == 2, (engine, result.output)
        assert result.stderr == f"error: {refused.value}\n"


def test_two_files_for_one_graph_are_refused_as_load_refuses_them(tmp_path: Path) -> None:
    write(tmp_path / "data" / "noord" / "afdeling.ttl", VALID)
    write(tmp_path / "data" / "zuid" / "afdeling.ttl", VALID.replace("milieu", "lucht"))
    with pytest.raises(LoadError) as refused:
        plan_load([tmp_path / "data"])  # krb load's default base, as validate's
    result = run(tmp_path / "data")
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {refused.value}\n"
    assert "would both go into graph" in result.stderr


# --- 4. Nothing to validate does not pass -------------------------------------------------


def test_files_without_a_triple_are_nothing_validated(tmp_path: Path) -> None:
    empty = write(tmp_path / "leeg" / "registry.ttl", "")
    prefixes = tmp_path / "prefixen" / "registry.ttl.gz"
    prefixes.parent.mkdir()
    prefixes.write_bytes(gzip.compress(b"@prefix krb: <https://data.krb.nl/def/krb#> .\n"))
    for folder, file in ((empty.parent, empty), (prefixes.parent, prefixes)):
        result = run(folder, "--format", "junit")
        assert result.exit_code == 2, result.output
        assert f"error: {file}:" in result.stderr and "nothing validated" in result.stderr
        assert result.stdout == ""


def test_an_empty_file_beside_data_passes_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "afdeling.ttl", VALID)
    empty = write(tmp_path / "leeg.ttl", "")
    result = run(tmp_path)
    assert result.exit_code == 0, result.output
    assert f"warning: {empty} holds no triples" in result.stderr


# --- 5. A report of krb validate is never data ------------------------------------------


def test_no_report_of_krb_validate_is_read_as_data_whatever_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's CI call writes shacl.xml into the checkout; a later run in another
    format (or a plain one) read it as RDF/XML and failed. Each format's report, under
    any name, is told by its content; `krb load` leaves them out too."""
    write(tmp_path / "afdeling.ttl", VALID)
    monkeypatch.chdir(tmp_path)
    runs = [
        ("junit", "shacl.xml"),
        ("json", "shacl.json"),
        ("turtle", "shacl.ttl"),
        ("junit", "rapport.rdf"),
        ("json", "uitslag.jsonld"),
    ]
    for report_format, name in runs:
        result = run(".", "--format", report_format, "--output", name)
        assert result.exit_code == 0, (name, result.output)
    result = run(".")
    assert result.exit_code == 0, result.output
    for _, name in runs:
        assert f"note: {name} is a report of krb validate" in result.stderr
    assert [path.name for paths in planned(tmp_path).values() for path in paths] == ["afdeling.ttl"]
    # `krb load` of the folder leaves them out and says so, as validate does.
    store = str(tmp_path / "store")
    loaded = CliRunner().invoke(app, ["load", ".", "--store", store, "--base-iri", BASE])
    assert loaded.exit_code == 0, loaded.output
    for _, name in runs:
        assert f"note: {name} is a report of krb validate, not data: not loaded" in loaded.stderr
    # A data file is data whatever its name.
    write(tmp_path / "report.ttl", NO_CODE)
    assert run(".").exit_code == 1


# --- 6. JSON-LD with a context elsewhere ------------------------------------------------


def test_a_json_ld_context_elsewhere_is_named_with_what_to_do(tmp_path: Path) -> None:
    path = write(
        tmp_path / "afdeling.jsonld",
        '{"@context": "https://schema.org/", "@id": "https://krb.voorbeeld.nl/id/x", "name": "x"}',
    )
    result = run(path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {path}: the @context refers to a context document")
    assert "https://schema.org/" in result.stderr and "not fetched" in result.stderr
    assert "LoadDocumentCallback" not in result.stderr
