"""A command run without a base IRI on a store whose registry is under another base is
refused before it writes (krbgraph.base_check).

A new municipality ran `krb import-metingen` from a shell without KRB_BASE_IRI: the
measurements went under the demo's base (exit 0, pages 404), and `krb import-excel`
made a second copy of its registry there, so every question answered twice. The store
here holds a small registry under its own base; each writing command is run the way a
user runs it (the real `krb` app in-process, the environment without KRB_BASE_IRI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from store_templates import copy_of
from typer.testing import CliRunner, Result

from krbgraph.cli import app
from krbgraph.settings import Settings
from krbgraph.store import ensure_model, open_store

OWN = "https://krb.zuidwaard.nl"
DEMO_BASE = "https://krb.demogemeente.nl"
TURTLE = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://krb.zuidwaard.nl/id/beleidsthema/geluid> a skos:Concept ;
    skos:prefLabel "Geluid"@nl .
"""
NO_BASE = {"KRB_BASE_IRI": None}


def krb(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env={**NO_BASE, **(env or {})})


@pytest.fixture(scope="module")
def own_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed store with the model and one graph of Zuidwaard's, loaded under its base."""
    folder = tmp_path_factory.mktemp("own")
    store = copy_of("model", Settings(), ensure_model, folder / "store")
    (folder / "thema.ttl").write_text(TURTLE, encoding="utf-8")
    loaded = krb("load", str(folder / "thema.ttl"), "--store", str(store), "--base-iri", OWN)
    assert loaded.exit_code == 0, loaded.output
    return store


@pytest.fixture
def own_store(own_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "store"
    shutil.copytree(own_template, target)
    return str(target)


def _graphs(store: str) -> set[str]:
    with open_store(Settings(store=store)) as opened:
        return {info.iri for info in opened.graphs()}


def _said_and_nothing_written(result: Result, store: str, before: set[str]) -> None:
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert OWN in said and DEMO_BASE in said and "nothing written" in said, said
    assert _graphs(store) == before


def test_a_load_without_base_or_graph_is_refused(own_store: str, tmp_path: Path) -> None:
    file = tmp_path / "wegen.ttl"
    file.write_text(TURTLE.replace("geluid", "wegen"), encoding="utf-8")
    before = _graphs(own_store)
    _said_and_nothing_written(krb("load", str(file), "--store", own_store), own_store, before)
    # Given, any base is the user's: the registry's own, or a graph named outright.
    assert krb("load", str(file), "--store", own_store, env={"KRB_BASE_IRI": OWN}).exit_code == 0
    assert f"{OWN}/graph/wegen" in _graphs(own_store)
    file.write_text(TURTLE.replace("geluid", "water"), encoding="utf-8")
    named = f"{OWN}/graph/water"
    loaded = krb("load", str(file), "--store", own_store, "--graph", named)
    assert loaded.exit_code == 0, loaded.output


def test_a_measurement_import_without_base_is_refused(own_store: str, tmp_path: Path) -> None:
    file = tmp_path / "metingen.csv"
    file.write_text("indicator,gebied,jaar,waarde,eenheid,bron\n", encoding="utf-8")
    before = _graphs(own_store)
    result = krb("import-metingen", str(file), "--store", own_store)
    _said_and_nothing_written(result, own_store, before)


def test_a_workbook_import_without_base_is_refused(own_store: str, tmp_path: Path) -> None:
    book = tmp_path / "beleid.xlsx"
    assert krb("excel-template", str(book)).exit_code == 0
    before = _graphs(own_store)
    result = krb("import-excel", str(book), "--store", own_store)
    _said_and_nothing_written(result, own_store, before)


def test_a_store_with_registry_data_under_the_default_base_is_not_refused(
    own_store: str, tmp_path: Path
) -> None:
    """A province's store with the demo beside Zuidwaard: the default base is one of its
    registries', so a command without a base writes under it, as before."""
    demo = tmp_path / "demo.ttl"
    demo.write_text(TURTLE.replace(OWN, DEMO_BASE), encoding="utf-8")
    assert krb("load", str(demo), "--store", own_store, "--base-iri", DEMO_BASE).exit_code == 0
    other = tmp_path / "ander.ttl"
    other.write_text(TURTLE.replace(OWN, DEMO_BASE).replace("geluid", "ander"), encoding="utf-8")
    result = krb("load", str(other), "--store", own_store)
    assert result.exit_code == 0, result.output
    assert f"{DEMO_BASE}/graph/ander" in _graphs(own_store)


def test_the_service_does_not_start_on_it_without_a_base(own_store: str) -> None:
    """Its linked-data pages would not find the registry's things under their IRIs, and
    an upload would name things under the demo's base."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("krb")), "serve", "--store", own_store, "--port", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "KRB_BASE_IRI"},
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    said = " ".join(done.stderr.split())
    assert OWN in said and "the service did not start" in said, said


def test_graphs_a_client_named_itself_say_nothing_of_a_base(tmp_path: Path) -> None:
    """A store filled over the Graph Store Protocol with graphs of the client's own naming
    (no ``/graph/`` of a base in them) holds no registry under another base."""
    store = copy_of("model", Settings(), ensure_model, tmp_path / "store")
    with open_store(Settings(store=str(store))) as opened:
        opened.update('INSERT DATA { GRAPH <http://example.org/people> { <urn:a> <urn:b> "c" } }')
    file = tmp_path / "thema.ttl"
    file.write_text(TURTLE.replace(OWN, DEMO_BASE), encoding="utf-8")
    result = krb("load", str(file), "--store", str(store))
    assert result.exit_code == 0, result.output
