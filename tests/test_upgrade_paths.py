"""A store an older release wrote, opened by this one: what its user is told.

A release may tighten the shapes (a realised effect observes the change in its
indicator, no longer the indicator), so data that conformed when it was written may
not conform now. Every validated write then finds it, and must say that it is in the
registry already, in which graph, not in the file being written; `krb validate --store`
lists all of it; the command that puts the new model in says so once; and a derived
graph an older release left, versioned or not, is announced before it is derived again.

The old store is made here, not by an old release: data the current shapes refuse
written with `krb load --no-validate`, a recorded model hash changed in the meta graph,
the derived graph's version removed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from model_store import model_template_fixture
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from typer.testing import CliRunner, Result

from krbgraph.cli import app
from krbgraph.commands.serve import demo_paths
from krbgraph.model import DERIVED_GRAPH, SHAPES_GRAPH
from krbgraph.settings import Settings
from krbgraph.store import META_GRAPH, ensure_model, open_store

DATA = Path(__file__).parent / "data"
BASE = "https://krb.testgemeente.nl"
BROKEN = f"{BASE}/graph/afdeling-zonder-naam"
"""The graph holding what the shapes refuse, written without validation."""
NAMELESS = f"{BASE}/id/afdeling/zonder-naam"
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
MODEL_UPDATED = "the model in the store was updated to this release's"

model_template = model_template_fixture()


def krb(*args: str, env: dict[str, str] | None = None) -> Result:
    # Wide enough that no message is wrapped: the assertions read whole sentences.
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "500", **(env or {})})


@pytest.fixture(scope="module")
def old_template(model_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store as an older release left it: a conforming registry (two departments and
    an object of every class), and a department that breaks the current shapes, written
    when they did not refuse it (here: without validation)."""
    target = tmp_path_factory.mktemp("old") / "store"
    shutil.copytree(model_template, target)
    files = [str(DATA / "shapes" / "minimal.ttl"), str(DATA / "store" / "afdelingen.ttl")]
    loaded = krb("load", *files, "--store", str(target), "--base-iri", BASE, "--no-progress")
    assert loaded.exit_code == 0, loaded.output
    broken = str(DATA / "store" / "afdeling-zonder-naam.ttl")
    args = ("load", broken, "--no-validate", "--store", str(target), "--base-iri", BASE)
    assert krb(*args).exit_code == 0
    return target


@pytest.fixture
def old_store(old_template: Path, tmp_path: Path) -> str:
    shutil.copytree(old_template, tmp_path / "store")
    return str(tmp_path / "store")


def _graphs(store: str) -> set[str]:
    with open_store(Settings(store=store)) as opened:
        return {info.iri for info in opened.graphs()}


# -- a write refused for what the registry held already ------------------------------


def test_a_load_refused_for_an_object_the_registry_held_names_its_graph_not_the_file(
    old_store: str, tmp_path: Path
) -> None:
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        f'<{BASE}/id/afdeling/nieuw> a org:OrganizationalUnit ; rdfs:label "Nieuw"@nl ;\n'
        '    dct:identifier "nieuw" .\n'
        f"<{BASE}/id/afdeling/ook-zonder-naam> a org:OrganizationalUnit .\n",
        encoding="utf-8",
    )
    before = _graphs(old_store)
    result = krb("load", str(extra), "--store", old_store, "--base-iri", BASE)
    assert result.exit_code == 1, result.output
    err = result.stderr
    assert (
        f"<{NAMELESS}>  (al in het register, in graaf <{BROKEN}>, niet in extra.ttl / "
        f"already in the registry, in graph <{BROKEN}>, not in extra.ttl)\n"
    ) in err
    # What the file breaks itself is still the file's, at its line.
    assert f"<{BASE}/id/afdeling/ook-zonder-naam>  ({extra}:6)\n" in err
    assert "of them on objects already in the registry, not in extra.ttl" in err
    assert "`krb validate --store` lists what the registry breaks" in err
    assert "nothing was written" in err
    assert _graphs(old_store) == before, "still refused: the registry must conform"


def test_an_unchanged_workbook_refused_for_an_object_the_registry_held_names_its_graph(
    old_store: str, tmp_path: Path
) -> None:
    workbook = tmp_path / "afdelingen.xlsx"
    graph = f"{BASE}/graph/afdelingen"
    exported = krb("export-excel", str(workbook), "--graph", graph, "--store", old_store)
    assert exported.exit_code == 0, exported.output
    imported = krb(
        "import-excel", str(workbook), "--graph", graph, "--store", old_store, "--base-iri", BASE
    )
    assert imported.exit_code == 1, imported.output
    out = imported.output
    assert (
        f"<{NAMELESS}>: '{NAMELESS}' moet een Nederlandse naam hebben (rdfs:label met taal @nl"
    ) in out
    assert f"(al in het register, in graaf <{BROKEN}>, niet in afdelingen.xlsx; " in out
    assert f"(already in the registry, in graph <{BROKEN}>, not in afdelingen.xlsx; " in out
    assert (
        f"error: 2 fout(en) / error(s), waarvan 2 al in het register, niet in {workbook} "
        f"(graaf/graph <{BROKEN}>) / 2 of them already in the registry, not in {workbook}"
    ) in out
    assert "niets geladen / nothing loaded" in out


# -- krb validate --store ------------------------------------------------------------


def test_validate_store_lists_what_the_registry_breaks_with_the_graph_of_each_object(
    old_store: str,
) -> None:
    text = krb("validate", "--store", old_store)
    assert text.exit_code == 1, text.output
    assert f"<{NAMELESS}>  (graaf/graph <{BROKEN}>)\n" in text.stdout
    assert "voldoet niet / does not conform: 2 overtreding(en)" in text.stdout

    as_json = krb("validate", "--store", old_store, "--format", "json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert not report["conforms"] and report["counts"]["Violation"] == 2
    assert {(f["focus"], tuple(f["graphs"]), f["where"]) for f in report["findings"]} == {
        (NAMELESS, (BROKEN,), None)
    }

    junit = krb("validate", "--store", old_store, "--format", "junit")
    assert junit.exit_code == 1
    suite = ET.fromstring(junit.stdout)
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    failing = cases[f"{NAMELESS} <{NAMELESS}>"]
    assert [p.get("value") for p in failing.iter("property") if p.get("name") == "graph"] == [
        BROKEN
    ]
    assert len(failing.findall("failure")) == 2
    assert f"Afdeling Milieu <{BASE}/id/afdeling/milieu>" in cases, "passing objects too"
    assert not [name for name in cases if "<https://data.krb.nl/" in str(name)], (
        "the model's concepts are no objects of the registry"
    )

    turtle = krb("validate", "--store", old_store, "--format", "turtle")
    assert turtle.exit_code == 1
    shacl = Graph().parse(data=turtle.stdout, format="turtle")
    assert set(shacl.objects(None, SH.focusNode)) == {URIRef(NAMELESS)}
    assert set(shacl.objects(None, SH.conforms)) == {Literal(False)}


def test_validate_store_of_a_conforming_registry_passes_and_krb_store_names_it(
    old_store: str,
) -> None:
    assert krb("drop", BROKEN, "--store", old_store).exit_code == 0
    passed = krb("validate", env={"KRB_STORE": old_store})
    assert passed.exit_code == 0, passed.output
    assert "voldoet / conforms" in passed.stdout


def test_validate_takes_files_or_a_store_never_both(old_store: str) -> None:
    afdelingen = str(DATA / "store" / "afdelingen.ttl")
    both = krb("validate", afdelingen, "--store", old_store)
    assert both.exit_code == 2
    assert "give files or --store, not both" in both.stderr
    # KRB_STORE, set in a shell for every command, leaves named files to be validated.
    files = krb("validate", afdelingen, env={"KRB_STORE": old_store})
    assert files.exit_code == 0, files.output
    nothing = krb("validate")
    assert nothing.exit_code == 2 and "nothing to validate" in nothing.stderr
    as_files = krb("validate", old_store)
    assert as_files.exit_code == 2
    assert f"is a store: validate its registry with `krb validate --store {old_store}`" in (
        as_files.stderr
    )
    missing = krb("validate", "--store", old_store + "-elders")
    assert missing.exit_code == 2 and "there is no store at" in missing.stderr
    reference = krb("validate", "--store", old_store, "--engine", "pyshacl")
    assert reference.exit_code == 2 and "validates files only" in reference.stderr


def test_the_demo_with_a_realised_effect_of_the_old_form_refuses_writes_and_says_where(
    model_template: Path, tmp_path: Path
) -> None:
    """The hunter's upgrade: the demo written before realised effects observed a change,
    then an unrelated file loaded and the store validated by this release."""
    files = tmp_path / "demo"
    files.mkdir()
    for path in demo_paths():
        text = path.read_text(encoding="utf-8")
        if path.name == "gerealiseerde-effecten.ttl":
            start = text.index("sosa:observedProperty [")
            end = text.index("] ;", start) + len("] ;")
            text = text[:start] + "sosa:observedProperty beleidsindicator:GEL-I01 ;" + text[end:]
        (files / path.name).write_text(text, encoding="utf-8")
    store = str(tmp_path / "store")
    shutil.copytree(model_template, store)
    assert krb("load", str(files), "--store", store, "--no-validate").exit_code == 0
    graph = "https://krb.demogemeente.nl/graph/gerealiseerde-effecten"
    realised = "https://krb.demogemeente.nl/id/gerealiseerd-effect/GEL-E01-parkstraat-2020-2025"

    listed = krb("validate", "--store", store, "--format", "json")
    assert listed.exit_code == 1, listed.output
    findings = json.loads(listed.stdout)["findings"]
    assert findings and {(f["focus"], tuple(f["graphs"])) for f in findings} == {
        (realised, (graph,))
    }
    assert any("krb:veranderingVan" in f["message_nl"] for f in findings)

    loaded = krb("load", str(files / "organisatie.ttl"), "--replace", "--store", store)
    assert loaded.exit_code == 1, loaded.output
    assert (
        f"<{realised}>  (al in het register, in graaf <{graph}>, niet in organisatie.ttl / "
    ) in loaded.stderr


def test_an_object_a_refused_load_breaks_itself_is_the_loads_not_the_registrys(
    model_template: Path, tmp_path: Path
) -> None:
    """A file that drops the intended effect a realised effect in another graph points at
    breaks that realised effect itself: the refusal said it was "already in the
    registry" and sent the user to `krb validate --store`, which says it conforms."""
    store = str(tmp_path / "store")
    shutil.copytree(model_template, store)
    files = [str(path) for path in demo_paths()]
    assert krb("load", *files, "--store", store, "--no-validate").exit_code == 0
    text = next(p for p in demo_paths() if p.name == "geluid.ttl").read_text(encoding="utf-8")
    start = text.index("beoogd-effect:GEL-E01 a krb:BeoogdEffect")
    changed = tmp_path / "geluid.ttl"
    changed.write_text(text[:start] + text[text.index("\n\n", start) :], encoding="utf-8")

    assert krb("validate", "--store", store).exit_code == 0  # it conformed before
    loaded = krb("load", str(changed), "--replace", "--store", store)
    assert loaded.exit_code == 1, loaded.output
    assert "gerealiseerd-effect/GEL-E01-parkstraat-2020-2025" in loaded.stderr
    assert "al in het register" not in loaded.stderr
    assert "already in the registry" not in loaded.stderr
    assert "krb validate --store" not in loaded.stderr


# -- a new model in a store with data -------------------------------------------------


def _record_another_model(store: str) -> None:
    """What the store records of the shapes' files is not this release's."""
    with open_store(Settings(store=store)) as opened:
        opened.update(
            "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>\n"
            "PREFIX dct: <http://purl.org/dc/terms/>\n"
            f"WITH <{META_GRAPH}> DELETE {{ ?d dct:identifier ?h }} "
            '  INSERT { ?d dct:identifier "sha256:an-earlier-release" } '
            f"WHERE {{ ?d sd:name <{SHAPES_GRAPH}> ; dct:identifier ?h }}"
        )


def test_a_new_model_in_a_store_with_data_is_announced_once(old_store: str) -> None:
    from krbgraph.store.modelgraphs import ModelUpdate

    _record_another_model(old_store)
    told: list[ModelUpdate] = []
    with open_store(Settings(store=old_store)) as opened:
        assert ensure_model(opened, announce=told.append) == [SHAPES_GRAPH]
        assert ensure_model(opened, announce=told.append) == []
    assert told == [ModelUpdate((SHAPES_GRAPH,))]
    assert "`krb validate --store`" in told[0].message_nl
    assert "data written before may not meet its new shapes" in told[0].message_en


def test_no_announcement_for_a_store_without_data_or_a_restore(
    model_template: Path, old_store: str, tmp_path: Path
) -> None:
    fresh = str(tmp_path / "fresh")
    shutil.copytree(model_template, fresh)
    _record_another_model(fresh)
    told: list[object] = []
    with open_store(Settings(store=fresh)) as opened:  # the model alone: nothing to break
        assert ensure_model(opened, announce=told.append) == [SHAPES_GRAPH]
    with open_store(Settings(store=old_store)) as opened:  # a restore says so itself
        assert ensure_model(opened, reload=True, announce=told.append)
    assert told == []


def test_without_a_listener_the_new_model_is_logged_as_the_service_logs_it(
    old_store: str, caplog: pytest.LogCaptureFixture
) -> None:
    """`krb serve` opens its store with ensure_model and no listener (krbgraph.web.app)."""
    _record_another_model(old_store)
    with caplog.at_level(logging.WARNING), open_store(Settings(store=old_store)) as opened:
        ensure_model(opened)
    logged = [r.getMessage() for r in caplog.records if r.name == "krbgraph.store.modelgraphs"]
    assert len(logged) == 1 and logged[0].startswith(MODEL_UPDATED), logged
    assert "`krb validate --store` on this store lists what it breaks" in logged[0]


def test_a_command_on_an_upgraded_store_says_so_on_stderr_once(old_store: str) -> None:
    """As a user runs it: a process of its own, whose warnings go to stderr."""
    _record_another_model(old_store)
    command = [sys.executable, "-m", "krbgraph.cli", "graphs", "--store", old_store]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KRB_")}
    first = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    assert first.stderr.count(MODEL_UPDATED) == 1, first.stderr
    again = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    assert MODEL_UPDATED not in again.stderr


# -- a derived graph of a release before its version was recorded ---------------------


def test_a_derived_graph_without_a_version_is_announced_before_it_is_derived_again(
    old_store: str,
) -> None:
    with open_store(Settings(store=old_store)) as opened:
        assert opened.query(f"ASK {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}").boolean
        opened.update(f"DELETE WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?g <{OWL_VERSION}> ?v }} }}")
    told = krb("graphs", "--store", old_store)
    assert told.exit_code == 0, told.output
    assert "the derived graph was made by an earlier release" in told.stderr
    assert "opnieuw afgeleid" in told.stderr, "in Dutch too"
    again = krb("graphs", "--store", old_store)
    assert again.exit_code == 0 and "earlier release" not in again.stderr


def test_a_write_into_a_store_whose_data_derived_nothing_records_the_rules(
    model_template: Path, tmp_path: Path
) -> None:
    """An own unit loaded first derives nothing (no derived graph, no version); the next
    write derived its areas and dates into the graph without the rules' version, and
    every command after it took the graph for an older release's and derived the whole
    store again (minutes at a million triples), saying so."""
    store = tmp_path / "store"
    shutil.copytree(model_template, store)
    unit = tmp_path / "eenheid.ttl"
    unit.write_text(
        "@prefix qudt: <http://qudt.org/schema/qudt/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<{BASE}/id/eenheid/kg-per-inwoner> a qudt:Unit ;\n"
        '    rdfs:label "kilogram per inwoner"@nl ; qudt:symbol "kg/inw" .\n',
        encoding="utf-8",
    )
    for file in (unit, DATA / "store" / "afdelingen.ttl", DATA / "shapes" / "minimal.ttl"):
        args = ("load", str(file), "--store", str(store), "--base-iri", BASE, "--no-progress")
        loaded = krb(*args)
        assert loaded.exit_code == 0, loaded.output
        assert "earlier release" not in loaded.output
    with open_store(Settings(store=str(store))) as opened:
        versions = opened.query(
            f"SELECT ?v {{ GRAPH <{DERIVED_GRAPH}> {{ <{DERIVED_GRAPH}> <{OWL_VERSION}> ?v }} }}"
        ).rows
        derived = opened.query(
            f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{DERIVED_GRAPH}> {{ ?s ?p ?o }} }}"
        )
    assert len(versions) == 1
    assert int(str(derived.rows[0][0])) > 1, "the areas and dates were derived"
    after = krb("graphs", "--store", str(store))
    assert after.exit_code == 0 and "earlier release" not in after.stderr


def test_data_another_release_wrote_under_its_own_model_is_derived_again(
    old_store: str,
) -> None:
    """A release that keeps no derived graph (or other rules) writes the store after this
    one derived it, and puts its own model back: its writes left the derived facts
    behind (the dates in force of a plan it dropped, the nesting of an area it added),
    and the graph still carried these rules' version. The model found replaced says so."""
    area, around = f"{BASE}/id/werkingsgebied/nieuw", f"{BASE}/id/werkingsgebied/rondom"
    inside = "<https://data.krb.nl/def/krb#ligtBinnen>"
    nested = f"ASK {{ GRAPH <{DERIVED_GRAPH}> {{ <{area}> {inside} <{around}> }} }}"
    with open_store(Settings(store=old_store)) as opened:
        opened.update(  # as the other release wrote it: the data alone
            "PREFIX krb: <https://data.krb.nl/def/krb#>\n"
            f"INSERT DATA {{ GRAPH <{BASE}/graph/gebieden> {{\n"
            f"  <{area}> a krb:Werkingsgebied ; krb:ligtIn <{around}> .\n"
            f"  <{around}> a krb:Werkingsgebied . }} }}"
        )
        assert not opened.query(nested).boolean
    _record_another_model(old_store)

    told = krb("graphs", "--store", old_store)

    assert told.exit_code == 0, told.output
    said = " ".join(told.stderr.split())
    assert "the model in the store was replaced (an upgrade, or another release" in said
    with open_store(Settings(store=old_store)) as opened:
        assert opened.query(nested).boolean
    again = krb("graphs", "--store", old_store)
    assert again.exit_code == 0 and "deriving it again" not in again.stderr
