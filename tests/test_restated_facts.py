"""A fact about a registry thing belongs to one graph; a write that puts it in a second
is refused, naming the fact and both graphs, and writes nothing.

Why: the engine returns a triple once per graph holding it, so answers through it
repeat rows and sums double (restating a tenth of the demo in a second graph made
`normen` give 65,566 rows for its 19 norms). The property checked first shows that
harm on the engine itself, so the refusal stays needed as long as it holds.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from test_sparql_support import AUTH, BASE, demo_store, snapshot
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.loading import load_paths
from krbgraph.model import model_graph, project_root
from krbgraph.restated_check import MAX_REPORTED, after_model_update
from krbgraph.validation import ValidationFailed
from krbgraph.web.app import create_app

DEMO = project_root() / "examples" / "demo"
EFFECT = URIRef(f"{BASE}/id/beoogd-effect/GEL-E01")
MEASURE = URIRef(f"{BASE}/id/beleidsmaatregel/GEL-M01")
MAATREGEL = URIRef("https://data.krb.nl/def/krb#maatregel")
FACT = f"<{EFFECT}> <{MAATREGEL}> <{MEASURE}>"


def test_the_engine_still_counts_a_fact_once_per_graph() -> None:
    """The reason for the rule (oxigraph#1919). When this fails, the engine merges the
    union as SPARQL says, and the refusal can become a warning."""
    store = ox.Store()
    store.update(
        "INSERT DATA { GRAPH <urn:a> { <urn:s> <urn:p> 1 } GRAPH <urn:b> { <urn:s> <urn:p> 1 } }"
    )
    rows = list(store.query("SELECT ?o WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
    assert len(rows) == 2


def _registry_facts(seed: int, count: int) -> Graph:
    """``count`` random demo triples about things of a KRB class, without blank nodes."""
    demo = Graph()
    for path in sorted(DEMO.glob("*.ttl")):
        demo.parse(path)
    klassen = set(model_graph().subjects(RDF.type, OWL.Class))
    typed = {s for s, o in demo.subject_objects(RDF.type) if o in klassen}
    candidates = sorted(
        (s, p, o)
        for s, p, o in demo
        if s in typed and isinstance(s, URIRef) and not isinstance(o, BNode)
    )
    picked = Graph()
    for triple in random.Random(seed).sample(candidates, count):
        picked.add(triple)
    return picked


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_file_restating_facts_of_other_graphs_is_refused_naming_each(
    tmp_path: Path, seed: int
) -> None:
    store, _config = demo_store(tmp_path)
    with store:
        restated = _registry_facts(seed, 12)
        extra = tmp_path / "kopie.ttl"
        restated.serialize(extra, format="turtle")
        before = snapshot(store, tmp_path)
        with pytest.raises(ValidationFailed) as refused:
            load_paths(store, [extra], base_iri=BASE)
        named = [
            (f.focus, f.path)
            for f in refused.value.result.findings
            if f.shape and f.shape.endswith("#EenGraafPerFeit")
        ]
        # One finding per fact (a literal as the store writes it: 9 is 9.0 there).
        assert sorted(named) == sorted((str(s), str(p)) for s, p, _o in restated)
        # A load is checked as a whole: which of the two graphs is the new one is not
        # said (it was said the wrong way round when the new file was the larger).
        texts = [
            f.message_en for f in refused.value.result.findings if "EenGraaf" in (f.shape or "")
        ]
        assert all("is both in graph <" in text for text in texts)
        assert all(f"{BASE}/graph/kopie>" in text for text in texts)
        assert snapshot(store, tmp_path) == before


def test_at_most_a_hundred_facts_are_named(tmp_path: Path) -> None:
    store, _config = demo_store(tmp_path)
    with store:
        copy = Graph()
        for path in sorted(DEMO.glob("*.ttl")):
            copy.parse(path)
        extra = tmp_path / "alles-nog-eens.ttl"
        copy.serialize(extra, format="nt")
        with pytest.raises(ValidationFailed) as refused:
            load_paths(store, [extra], base_iri=BASE)
        restated = [
            f for f in refused.value.result.findings if "EenGraafPerFeit" in (f.shape or "")
        ]
        assert len(restated) == MAX_REPORTED
        assert all("there may be more" in f.message_en for f in restated)


def test_an_update_that_restates_a_fact_is_a_422_and_writes_nothing(tmp_path: Path) -> None:
    store, config = demo_store(tmp_path)
    with store, TestClient(create_app(config, store=store)) as client:
        before = snapshot(store, tmp_path)
        answer = client.post(
            "/update",
            content=f"INSERT DATA {{ GRAPH <{BASE}/graph/kopie> {{ {FACT} }} }}",
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )
        assert answer.status_code == 422, answer.text
        findings = answer.json()["findings"]
        assert [(f["focus"], f["path"], f["value"]) for f in findings] == [
            (str(EFFECT), str(MAATREGEL), str(MEASURE))
        ]
        assert "is also in graph <" in findings[0]["message_en"]
        assert f"now comes into graph <{BASE}/graph/kopie>" in findings[0]["message_en"]
        assert snapshot(store, tmp_path) == before
        # Moving the fact (out of its graph, into another) in one update is no restating.
        moved = client.post(
            "/update",
            content=(
                f"DELETE {{ GRAPH ?g {{ {FACT} }} }} "
                f"INSERT {{ GRAPH <{BASE}/graph/kopie> {{ {FACT} }} }} "
                f"WHERE {{ GRAPH ?g {{ {FACT} }} }}"
            ),
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )
        assert moved.status_code in (200, 204), moved.text


def test_krb_validate_names_a_fact_two_files_share_with_either_engine(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("geluid.ttl", "thema.ttl"):
        shutil.copy(DEMO / name, folder / name)
    (folder / "kopie.ttl").write_text(f"{FACT} .\n", encoding="utf-8")
    for engine in ("sparql", "pyshacl"):
        result = CliRunner().invoke(app, ["validate", str(folder), "--engine", engine])
        assert result.exit_code == 1, result.output
        said = [
            line for line in result.output.splitlines() if "en: " in line and "is both in" in line
        ]
        assert said, (engine, result.output)
        # The message names the two files, not graphs made up for them.
        assert all("kopie.ttl" in line and "geluid.ttl" in line for line in said), said


def test_the_stores_default_graph_counts_as_a_graph_too(tmp_path: Path) -> None:
    """An update without GRAPH writes the store's own default graph, which queries read
    in the union like any other: a fact there and in a named graph counted twice."""
    store, config = demo_store(tmp_path)
    with store, TestClient(create_app(config, store=store)) as client:
        update = {**AUTH, "Content-Type": "application/sparql-update"}
        into_default = client.post("/update", content=f"INSERT DATA {{ {FACT} }}", headers=update)
        assert into_default.status_code == 422, into_default.text
        said = into_default.json()["findings"][0]["message_en"]
        assert "now comes into the store's default graph" in said
        # The other way round: the fact in the default graph (written around the
        # service), then a write of it into a named graph.
        other = "https://data.krb.nl/def/krb#maatregel"
        measure2 = f"{BASE}/id/beleidsmaatregel/BOU-M02"
        store.update(f"INSERT DATA {{ <{EFFECT}> <{other}> <{measure2}> }}")
        fact = f"<{EFFECT}> <{other}> <{measure2}>"
        named = client.post(
            "/update",
            content=f"INSERT DATA {{ GRAPH <{BASE}/graph/kopie> {{ {fact} }} }}",
            headers=update,
        )
        assert named.status_code == 422, named.text
        assert "is also in the store's default graph" in named.json()["findings"][0]["message_en"]


def test_a_load_of_a_fact_the_default_graph_holds_is_refused(tmp_path: Path) -> None:
    store, _config = demo_store(tmp_path)
    with store:
        store.update(f'INSERT DATA {{ <{EFFECT}> <{RDFS.comment}> "Opmerking"@nl }}')
        extra = tmp_path / "opmerking.ttl"
        extra.write_text(f'<{EFFECT}> <{RDFS.comment}> "Opmerking"@nl .\n', encoding="utf-8")
        with pytest.raises(ValidationFailed) as refused:
            load_paths(store, [extra], base_iri=BASE)
        texts = [
            f.message_en for f in refused.value.result.findings if "EenGraaf" in (f.shape or "")
        ]
        assert len(texts) == 1 and "the store's default graph" in texts[0]


def test_a_model_update_that_states_a_registry_fact_is_said_at_once(tmp_path: Path) -> None:
    """A new model version may state what a registry said itself: no write refused it,
    so whoever updated the model hears of it then (the service logs it, krb prints it)."""
    store, _config = demo_store(tmp_path)
    with store:
        concept = "https://data.krb.nl/id/begrip/documentsoort/mer-rapport"
        scheme_graph = "https://data.krb.nl/id/conceptschema"
        definition = store.query(
            f"SELECT ?d WHERE {{ GRAPH <{scheme_graph}> {{ <{concept}> "
            "<http://www.w3.org/2004/02/skos/core#definition> ?d } } LIMIT 1"
        ).rows[0][0]
        copy = Graph()
        copy.add(
            (URIRef(concept), URIRef("http://www.w3.org/2004/02/skos/core#definition"), definition)
        )
        store.replace_graph(f"{BASE}/graph/eigen-begrippen", copy)  # around the checks
        assert after_model_update(store, []) == []
        said = after_model_update(store, [scheme_graph])
        assert [f.focus for f in said] == [concept]
        assert f"<{scheme_graph}>" in said[0].message_en


def test_a_department_restated_in_another_graph_is_refused(tmp_path: Path) -> None:
    """Departments (org:OrganizationalUnit, declared a class by the model) are registry
    things too: their name in a second graph showed twice beside every indicator."""
    store, config = demo_store(tmp_path)
    department = f"{BASE}/id/afdeling/milieu"
    with store, TestClient(create_app(config, store=store)) as client:
        name = store.query(f"SELECT ?n WHERE {{ <{department}> <{RDFS.label}> ?n }} LIMIT 1").rows[
            0
        ][0]
        answer = client.post(
            "/update",
            content=f"INSERT DATA {{ GRAPH <{BASE}/graph/kopie> {{ <{department}> "
            f"<{RDFS.label}> {name.n3()} }} }}",
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["findings"][0]["focus"] == department
