"""A write killed at its worst moment leaves data, derived facts and audit trail in step.

Each case runs the real write in a child process on a real store on disk and has
that process send itself SIGKILL at one exact point between two of the write's
steps (a point too brief to hit with a kill from outside, but reached by every
such write): after a graph's data is committed and before its derived graph is
replaced, or right after a blank-node edit is committed. The store is then opened
again, as `krb serve` and every command open it, and checked by properties: the
derived graph is what a fresh derivation of the stored data gives, and a stored
change has its audit record.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL
from store_templates import copy_of

from krbgraph.commands.serve import demo_paths
from krbgraph.derived import derive, ensure_current
from krbgraph.loading import load_paths
from krbgraph.model import AUDIT_GRAPH, DERIVED_GRAPH
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

BASE = "https://krb.demogemeente.nl"
GELUID = f"{BASE}/graph/geluid"
NORM = f"{BASE}/id/beleidsnorm/GEL-N01"
KRB = "https://data.krb.nl/def/krb#"

_KILL = """
import os, signal, sys
from pathlib import Path

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

mode, folder = sys.argv[1], sys.argv[2]
"""

_CHILD = {
    # `krb drop`: killed once the graph is gone, before the derived graph follows.
    "drop": """
import krbgraph.dropping as dropping
dropping.refresh_derived = die
from krbgraph.settings import Settings
from krbgraph.store import open_store
store = open_store(Settings(store=folder))
dropping.drop_data_graph(store, sys.argv[3])
""",
    # `krb load --no-validate --replace`: killed once the files are in.
    "load": """
import krbgraph.loading as loading
loading.refresh_derived = die
from krbgraph.settings import Settings
from krbgraph.store import open_store
store = open_store(Settings(store=folder))
loading.load_paths(store, [Path(sys.argv[3])], graph=sys.argv[4], replace=True, validate=False)
""",
    # POST /update moving the end of a norm's period (a blank node): killed as soon as
    # the store's first write of it returns.
    "blank-node-update": """
os.environ.update(KRB_STORE=folder, KRB_TOKEN="geheim", KRB_ENGINE="embedded")
from fastapi.testclient import TestClient
from krbgraph.web.app import create_app
app = create_app()
with TestClient(app) as client:
    store = app.state.store
    for name in ("write_graphs", "update"):
        real = getattr(store, name)
        def written(*args, _real=real, **kwargs):
            _real(*args, **kwargs)
            die()
        setattr(store, name, written)
    client.post(
        "/update",
        content=sys.argv[3],
        headers={"Authorization": "Bearer geheim", "Content-Type": "application/sparql-update"},
    )
""",
}


def _killed(mode: str, folder: Path, *args: str) -> None:
    script = textwrap.dedent(_KILL) + textwrap.dedent(_CHILD[mode])
    done = subprocess.run(
        [sys.executable, "-c", script, mode, str(folder), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == -9, done.stderr[-2000:]  # it died where it was meant to


@pytest.fixture
def demo_store(tmp_path: Path) -> Path:
    """A closed store of this test's own with the model and the demo (loaded without
    validation): a copy of one made once per process (store_templates)."""
    return copy_of("demo-paths-unvalidated", Settings(), _fill_with_demo, tmp_path / "store")


def _fill_with_demo(store: Store) -> None:
    ensure_model(store)
    load_paths(store, demo_paths(), replace=True, validate=False)


def _derived_facts(folder: Path, *, reopen: bool) -> tuple[set, set]:
    """(the stored derived graph, a fresh derivation of the stored data), version aside;
    with ``reopen`` after the store was opened as the service and commands open it."""
    with open_store(Settings(store=str(folder))) as store:
        if reopen:
            ensure_current(store)
        stored = {t for t in store.read_graph(DERIVED_GRAPH) if t[1] != OWL.versionInfo}
        fresh = {t for t in derive(store, lenient=True) if t[1] != OWL.versionInfo}
    return stored, fresh


@pytest.mark.parametrize("mode", ["drop", "load"])
def test_a_write_killed_before_its_derived_graph_is_rederived_on_the_next_opening(
    demo_store: Path, tmp_path: Path, mode: str
) -> None:
    """Killed between the data and the derived graph, the store says so: the next opening
    derives again, so no page serves the dates in force of a dropped or replaced plan."""
    if mode == "drop":
        _killed(mode, demo_store, GELUID)
    else:
        shorter = tmp_path / "geluid.ttl"  # the sound plan without its norm GEL-N01
        with open_store(Settings(store=str(demo_store))) as store:
            graph = store.read_graph(GELUID)
        graph.remove((URIRef(NORM), None, None))
        graph.serialize(shorter, format="turtle")
        _killed(mode, demo_store, str(shorter), GELUID)
    stale, _ = _derived_facts(demo_store, reopen=False)
    assert any(str(s) == NORM for s, _, _ in stale), "the kill came before the derivation"
    stored, fresh = _derived_facts(demo_store, reopen=True)
    assert stored == fresh
    assert not any(str(s) == NORM for s, _, _ in stored)


def test_a_blank_node_edit_is_stored_with_its_audit_record_and_derived_dates_or_not_at_all(
    demo_store: Path,
) -> None:
    """A period's end date is a blank node's: SPARQL cannot name the node, so the graph is
    rewritten; its audit record and derived dates must commit with it, not after."""
    update = f"""
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
WITH <{GELUID}>
DELETE {{ ?p dcat:endDate ?e }} INSERT {{ ?p dcat:endDate "2026-03-31"^^xsd:date }}
WHERE {{ <{NORM}> dct:temporal ?p . ?p dcat:endDate ?e }}
"""
    _killed("blank-node-update", demo_store, update)
    with open_store(Settings(store=str(demo_store))) as store:
        ends = store.query(
            "SELECT ?e WHERE { GRAPH ?g { ?n <http://purl.org/dc/terms/temporal>/"
            "<http://www.w3.org/ns/dcat#endDate> ?e } }",
            bindings={"g": URIRef(GELUID), "n": URIRef(NORM)},
        ).rows
        changed = {str(row[0]) for row in ends} == {"2026-03-31"}
        records = store.query(
            "ASK WHERE { GRAPH ?a { ?r ?p ?g } }",
            bindings={"a": URIRef(AUDIT_GRAPH), "g": URIRef(GELUID)},
        ).boolean
        until = set(
            store.read_graph(DERIVED_GRAPH).objects(URIRef(NORM), URIRef(KRB + "geldigTot"))
        )
    assert changed, "the kill came after the change was stored"
    assert records, "a stored change without its audit record"
    assert until == {
        Literal("2026-03-31", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    }
    stored, fresh = _derived_facts(demo_store, reopen=False)
    assert stored == fresh
