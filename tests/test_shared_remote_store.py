"""A remote SPARQL server that other processes write too: the service's writes must
still commit what they mean (krbgraph.replica, krbgraph.commit).

A real `oxigraph serve` holds the demo; the service writes it through its API while a
second client writes it directly, as another service or `krb load --store URL` would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from demo_backends import compacted_copy, copy_of_server_folder, demo_server_folder_fixture
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from remote_server import running_oxigraph

from krbgraph import labels
from krbgraph.labels import fetch_names
from krbgraph.settings import Settings
from krbgraph.store import Store, open_store, write_claim
from krbgraph.store.remote import RemoteStore
from krbgraph.web import search, writes
from krbgraph.web.app import create_app
from krbgraph.web.search import LabelIndex

pytestmark = pytest.mark.remote

NORM = "https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01"
GRAPH = "https://krb.demogemeente.nl/id/graph/demo"
TOKEN = "geheim-token-voor-de-test"
RENAME = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
DELETE {{ GRAPH ?g {{ <{norm}> rdfs:label ?old }} }}
INSERT {{ GRAPH ?g {{ <{norm}> rdfs:label "{name}"@nl }} }}
WHERE {{ GRAPH ?g {{ <{norm}> rdfs:label ?old FILTER (lang(?old) = "nl") }} }}
"""
NAMES = f"""
SELECT ?name WHERE {{ <{NORM}> <http://www.w3.org/2000/01/rdf-schema#label> ?name
  FILTER (lang(?name) = "nl") }}
"""


demo_server_folder_as_filled = demo_server_folder_fixture(name="demo_server_folder_as_filled")


@pytest.fixture(scope="module")
def demo_server_folder(
    demo_server_folder_as_filled: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The demo server's folder, compacted once (demo_backends.compacted_copy): each test
    still starts a server of its own on a copy."""
    return compacted_copy(demo_server_folder_as_filled, tmp_path_factory.mktemp("compact"))


@pytest.fixture
def demo_server(tmp_path: Path, demo_server_folder: Path) -> Iterator[str]:
    """A server of this test's own holding the demo: its URL."""
    with running_oxigraph(copy_of_server_folder(demo_server_folder, tmp_path / "server")) as url:
        yield url


@pytest.fixture
def shared(demo_server: str) -> Iterator[tuple[TestClient, Store]]:
    """The service on a remote server, and a second client of that server."""
    settings = Settings(store=demo_server, token=TOKEN)
    with (
        open_store(settings) as store,
        open_store(Settings(store=demo_server)) as other,
        TestClient(create_app(settings, store=store)) as client,
    ):
        yield client, other


@pytest.fixture
def reader(demo_server: str) -> Iterator[Store]:
    """A client of the server, for tests of the turn itself that need no service (each
    service started makes its copy of the demo, a second or more)."""
    with open_store(Settings(store=demo_server)) as handle:
        yield handle


def _rename(client: TestClient, name: str) -> int:
    answer = client.post(
        "/update",
        content=RENAME.format(norm=NORM, name=name).encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code in (204, 409), answer.text
    return answer.status_code


def _names(store: Store) -> list[str]:
    return sorted(str(row[0]) for row in store.query(NAMES).rows)


def test_a_write_after_an_outside_rename_commits_what_it_means(
    shared: tuple[TestClient, Store],
) -> None:
    """The service's copy still held the first name; its DELETE DATA of that name beside
    INSERT DATA of the new one left the outside name and the service's side by side."""
    client, other = shared
    assert _rename(client, "Eerste naam") == 204
    # Another process replaces the name: the same number of triples.
    other.update(RENAME.format(norm=NORM, name="Naam van elders"))
    status = _rename(client, "Tweede naam")
    if status == 409:  # refused, nothing written; sent again, tried on the store as it is
        assert _names(other) == ["Naam van elders"]
        status = _rename(client, "Tweede naam")
    assert status == 204
    assert _names(other) == ["Tweede naam"]


def test_a_write_after_an_outside_load_is_tried_on_what_the_store_holds(
    shared: tuple[TestClient, Store],
) -> None:
    client, other = shared
    assert _rename(client, "Eerste naam") == 204
    other.update(  # another graph's worth of data, and the name changed with it
        RENAME.format(norm=NORM, name="Naam van elders")
        + f' ; INSERT DATA {{ GRAPH <{GRAPH}-extra> {{ <urn:x> <urn:p> "x" }} }}'
    )
    assert _rename(client, "Tweede naam") == 204  # the copy was made again first
    assert _names(other) == ["Tweede naam"]


def test_names_and_search_follow_an_outside_rename_in_time(
    shared: tuple[TestClient, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names and the search index were kept until the service's own next write: an
    outside rename keeps every graph's size, so they showed the old name for good."""
    client, other = shared
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    index = LabelIndex(check_interval_s=0)
    assert fetch_names(store, [NORM])[NORM] != "Naam van elders"
    assert not index.search(store, "naam van elders")
    other.update(RENAME.format(norm=NORM, name="Naam van elders"))
    monkeypatch.setattr(labels, "SHARED_MAX_AGE_S", 0.0)
    monkeypatch.setattr(search, "SHARED_MAX_AGE_S", 0.0)
    assert fetch_names(store, [NORM]) == {NORM: "Naam van elders"}
    found = [
        hit.entry.iri for group in index.search(store, "naam van elders") for hit in group.hits
    ]
    assert found == [NORM]


PERIOD_END = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
DELETE { GRAPH ?g { ?period dcat:endDate ?end } }
INSERT { GRAPH ?g { ?period dcat:endDate "2031-12-31"^^xsd:date } }
WHERE { GRAPH ?g { <https://krb.demogemeente.nl/id/beleidsnorm/GEL-N02> dct:temporal ?period .
                   ?period dcat:endDate ?end } }
"""


def _post(client: TestClient, update: str) -> int:
    answer = client.post(
        "/update",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code in (204, 409), answer.text
    return answer.status_code


def test_a_write_of_a_blank_node_keeps_an_outside_rename_in_its_graph(
    shared: tuple[TestClient, Store],
) -> None:
    """A change of a period (a blank node) is written as its whole graph from the copy:
    the copy's older name of another norm in that graph overwrote the outside rename."""
    client, other = shared
    assert _rename(client, "Eerste naam") == 204
    other.update(RENAME.format(norm=NORM, name="Naam van elders"))
    if _post(client, PERIOD_END) == 409:
        assert _post(client, PERIOD_END) == 204
    assert _names(other) == ["Naam van elders"]


def test_a_write_to_the_default_graph_after_an_outside_change_commits_what_it_means(
    shared: tuple[TestClient, Store],
) -> None:
    client, other = shared
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    rename = (
        f'DELETE {{ <urn:d> <{label}> ?old }} INSERT {{ <urn:d> <{label}> "{{}}" }} '
        f"WHERE {{ OPTIONAL {{ <urn:d> <{label}> ?old }} }}"
    )
    assert _post(client, rename.replace("{}", "B")) == 204
    other.update(
        f'DELETE DATA {{ <urn:d> <{label}> "B" }} ; INSERT DATA {{ <urn:d> <{label}> "C" }}'
    )
    if _post(client, rename.replace("{}", "D")) == 409:
        assert _post(client, rename.replace("{}", "D")) == 204
    query = f"SELECT ?n WHERE {{ GRAPH ?g {{ <urn:d> <{label}> ?n }} }}"
    default = f"SELECT ?n WHERE {{ <urn:d> <{label}> ?n }}"
    names = {str(r[0]) for r in other.query(default).rows} | {
        str(r[0]) for r in other.query(query).rows
    }
    assert names == {"D"}


SECOND_NAME = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT DATA {{ GRAPH <https://krb.demogemeente.nl/graph/elders> {{
  <{NORM}> rdfs:comment "van elders" }} }}
"""
DROP_COMMENTS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
DELETE WHERE {{ GRAPH ?g {{ <{NORM}> rdfs:comment ?c }} }}
"""


def test_a_write_landing_beside_the_services_own_leaves_no_stale_copy(
    shared: tuple[TestClient, Store],
) -> None:
    """Another process writes between the service's check and its commit, so the
    server's graph sizes after the service's write include both. The copy was marked
    current all the same, and a later DELETE WHERE, tried on it, left the other
    process's triple on the server (204)."""
    client, other = shared
    store = client.app.state.store
    original = store.update
    landed: list[bool] = []

    def commit_then_elsewhere(*args: object, **kwargs: object) -> object:
        result = original(*args, **kwargs)
        if not landed:
            landed.append(True)
            other.update(SECOND_NAME)  # the other process's write, just after ours
        return result

    store.update = commit_then_elsewhere
    try:
        assert _rename(client, "Eigen naam") == 204
    finally:
        del store.update
    assert landed
    answer = client.post(
        "/update",
        content=DROP_COMMENTS.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 204, answer.text
    left = other.query(f"ASK {{ <{NORM}> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }}")
    assert not left.boolean


# -- two services on one server ------------------------------------------------------------

INDICATOR = "https://krb.demogemeente.nl/id/beleidsindicator/GEL-I01"
DESCRIBE = f"""
PREFIX dct: <http://purl.org/dc/terms/>
INSERT {{ GRAPH ?g {{ <{INDICATOR}> dct:description "{{text}}"@en }} }}
WHERE {{ GRAPH ?g {{ <{INDICATOR}> dct:identifier "GEL-I01" }} }}
"""
"""An English description of an indicator: at most one per language (krbsh:omschrijving),
so two services each adding one write what each may alone and both together may not."""

DESCRIPTIONS = f"""
SELECT ?text WHERE {{ GRAPH ?g {{ <{INDICATOR}> <http://purl.org/dc/terms/description> ?text
  FILTER (lang(?text) = "en") }} }}
"""


@pytest.fixture
def two_services(demo_server: str) -> Iterator[tuple[TestClient, TestClient, Store]]:
    """Two services on one server (as behind a load balancer), and a reader of it.
    (Tests where only the first service writes use ``shared``: one service and a
    second client, the same but for an idle second service.)"""
    settings = Settings(store=demo_server, token=TOKEN)
    with (
        open_store(settings) as first_store,
        open_store(settings) as second_store,
        open_store(Settings(store=demo_server)) as reader,
        TestClient(create_app(settings, store=first_store)) as first,
        TestClient(create_app(settings, store=second_store)) as second,
    ):
        yield first, second, reader


def _write(client: TestClient, update: str) -> httpx.Response:
    return client.post(
        "/update",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )


def _descriptions(reader: Store) -> list[str]:
    return sorted(str(row[0]) for row in reader.query(DESCRIPTIONS).rows)


def test_a_write_is_validated_on_what_another_service_wrote_at_the_same_size(
    shared: tuple[TestClient, Store],
) -> None:
    """Another writer through krbgraph (a script, `krb` on the command line: no audit
    record) replaces the indicator's English description by a German one: every graph
    keeps its size, and the service's write removes nothing it changed. The service,
    adding a German description on its old copy, found it valid there and committed a
    registry with two German descriptions."""
    first, reader = shared
    replace = f"""
    PREFIX dct: <http://purl.org/dc/terms/>
    DELETE {{ GRAPH ?g {{ <{INDICATOR}> dct:description "oud"@en }} }}
    INSERT {{ GRAPH ?g {{ <{INDICATOR}> dct:description "tweede"@de }} }}
    WHERE {{ GRAPH ?g {{ <{INDICATOR}> dct:description "oud"@en }} }}
    """
    assert _write(first, DESCRIBE.replace("{text}", "oud")).status_code == 204
    reader.update(replace)
    german = DESCRIBE.replace("{text}", "eerste").replace('"@en', '"@de')

    late = _write(first, german)

    assert late.status_code == 422, late.text
    foreign = (
        f"SELECT ?t WHERE {{ GRAPH ?g {{ <{INDICATOR}> <http://purl.org/dc/terms/description> ?t "
        "FILTER (lang(?t) != 'nl') } }"
    )
    assert sorted(str(r[0]) for r in reader.query(foreign).rows) == ["tweede"]


def test_a_service_waits_its_turn_while_another_commits(
    two_services: tuple[TestClient, TestClient, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the first service holds the turn, the second one gets 503 with Retry-After
    and writes nothing; the first commits."""
    first, second, reader = two_services
    monkeypatch.setattr(write_claim, "WAIT_S", 0.5)
    first_store = first.app.state.store  # type: ignore[attr-defined]
    real_commit = writes.commit_change
    answers: list[httpx.Response] = []

    def second_writes_meanwhile(store: Store, *args: Any, **kwargs: Any) -> None:
        if store is first_store and not answers:
            answers.append(_write(second, DESCRIBE.replace("{text}", "van de tweede")))
        real_commit(store, *args, **kwargs)

    monkeypatch.setattr(writes, "commit_change", second_writes_meanwhile)

    assert _write(first, DESCRIBE.replace("{text}", "van de eerste")).status_code == 204

    [busy] = answers
    assert busy.status_code == 503, busy.text
    assert busy.headers["Retry-After"] == "1"
    assert "Another writer" in busy.json()["detail"]
    assert "lapses at" in busy.json()["detail"]
    assert _descriptions(reader) == ["van de eerste"]
    # Its turn comes once the first is done: then refused for what it is (two English).
    assert _write(second, DESCRIBE.replace("{text}", "van de tweede")).status_code == 422


def test_an_intent_a_stopped_service_left_behind_holds_off_others_only_for_a_while(
    shared: tuple[TestClient, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, reader = shared
    monkeypatch.setattr(write_claim, "WAIT_S", 0.5)
    graph = "https://data.krb.nl/graph/schrijven"
    prov = "http://www.w3.org/ns/prov#"
    left = (
        f"INSERT {{ GRAPH <{graph}> {{ <urn:uuid:weg> a <{prov}Activity> ; "
        f"<{prov}startedAtTime> ?t }} }} WHERE {{ BIND (NOW() - ?age AS ?t) }}"
    )
    age = '"PT{}"^^<http://www.w3.org/2001/XMLSchema#dayTimeDuration>'
    assert isinstance(reader, RemoteStore)
    reader.update_unversioned(left.replace("?age", age.format("1S")))
    assert _write(first, DESCRIBE.replace("{text}", "een")).status_code == 503
    reader.update_unversioned(f"DROP GRAPH <{graph}>")
    reader.update_unversioned(left.replace("?age", age.format("11M")))
    assert _write(first, DESCRIBE.replace("{text}", "een")).status_code == 204
    assert _descriptions(reader) == ["een"]
    assert not reader.query(f"ASK {{ GRAPH <{graph}> {{ <urn:uuid:weg> ?p ?o }} }}").boolean


@pytest.mark.parametrize(
    ("writer_runs", "namespace_of_its_own"),
    [(False, False), (True, False), (False, True)],
    ids=["gone", "running", "in-another-container"],
)
def test_an_intent_of_a_process_that_no_longer_runs_holds_off_nobody(
    shared: tuple[TestClient, Store],
    monkeypatch: pytest.MonkeyPatch,
    writer_runs: bool,
    namespace_of_its_own: bool,
) -> None:
    """A `krb load` whose server was briefly away could not withdraw its intent and
    exited; every write after it waited 10 s and was refused for ten minutes, until the
    intent lapsed. An intent of a process on this machine that no longer runs is
    removed at once; one of a process that runs still holds others off, and so does one
    of another process namespace (a container sharing the host name, whose process ids
    mean other processes here)."""
    import subprocess
    import sys

    first, reader = shared
    monkeypatch.setattr(write_claim, "WAIT_S", 0.5)
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    host, boot, namespace = write_claim.process_identity().split(" ")[:3]
    if namespace_of_its_own:
        namespace = "pid:[1]"
    ticks = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[-1].split()[19]
    if not writer_runs:
        process.kill()
        process.wait()
    graph = "https://data.krb.nl/graph/schrijven"
    prov = "http://www.w3.org/ns/prov#"
    assert isinstance(reader, RemoteStore)
    reader.update_unversioned(
        f"INSERT {{ GRAPH <{graph}> {{ <urn:uuid:achtergelaten> a <{prov}Activity> ; "
        f"<{prov}startedAtTime> ?t ; <http://purl.org/dc/terms/modified> ?t ; "
        f'<http://purl.org/dc/terms/identifier> "{host} {boot} {namespace} '
        f'{process.pid} {ticks}" }} }} '
        "WHERE { BIND (NOW() AS ?t) }"
    )
    try:
        answer = _write(first, DESCRIBE.replace("{text}", "een"))
    finally:
        process.kill()
        process.wait()

    held_off = writer_runs or namespace_of_its_own
    assert answer.status_code == (503 if held_off else 204), answer.text


def test_an_intent_outlives_the_longest_write() -> None:
    """A renewal waits behind its holder's own write on the server: an intent lapsing
    sooner than a write may take let another writer in beside that write."""
    from krbgraph.store.remote import WRITE_TIMEOUT_S

    assert write_claim.LIFETIME_S > WRITE_TIMEOUT_S + write_claim.RENEW_S


def test_a_long_turn_keeps_its_intent_alive(
    two_services: tuple[TestClient, TestClient, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An intent lapses when its writer stops renewing it, not while a long write runs."""
    first, second, reader = two_services
    monkeypatch.setattr(write_claim, "LIFETIME_S", 1.0)
    monkeypatch.setattr(write_claim, "RENEW_S", 0.2)
    monkeypatch.setattr(write_claim, "WAIT_S", 2.5)
    first_store = first.app.state.store  # type: ignore[attr-defined]
    real_commit = writes.commit_change
    answers: list[int] = []

    def slowly(store: Store, *args: Any, **kwargs: Any) -> None:
        if store is first_store and not answers:
            answers.append(_write(second, DESCRIBE.replace("{text}", "van de tweede")).status_code)
        real_commit(store, *args, **kwargs)

    monkeypatch.setattr(writes, "commit_change", slowly)

    assert _write(first, DESCRIBE.replace("{text}", "van de eerste")).status_code == 204
    assert answers == [503]  # it waited 2.5 s, past the lifetime, for a turn held all along
    assert _descriptions(reader) == ["van de eerste"]


def test_another_thread_of_the_same_process_waits_its_turn(
    reader: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A turn is re-entrant for the thread that holds it only: a second thread using the
    same store object (a request beside a background derivation) must not write in it."""
    import threading

    monkeypatch.setattr(write_claim, "WAIT_S", 0.3)
    outcome: list[str] = []

    def other_thread() -> None:
        try:
            with write_claim.write_turn(reader):  # type: ignore[arg-type]
                outcome.append("turn")
        except write_claim.WriteClaimedElsewhere:
            outcome.append("waited")

    with (
        write_claim.write_turn(reader),  # type: ignore[arg-type]
        write_claim.write_turn(reader),  # type: ignore[arg-type]  # this thread again
    ):
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    assert outcome == ["waited"]
    with write_claim.write_turn(reader):  # type: ignore[arg-type]  # free again
        pass


def test_an_announcement_whose_answer_was_lost_leaves_no_intent(
    reader: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server stored the intent, the answer never came (a proxy's 502, a timeout):
    the intent held every writer off until it lapsed."""
    from krbgraph.store import StoreError

    assert isinstance(reader, RemoteStore)
    real = reader.update_unversioned
    calls: list[str] = []

    def stored_then_lost(sparql: str) -> None:
        real(sparql)
        calls.append(sparql)
        if len(calls) == 1:
            raise StoreError("the answer was lost")

    monkeypatch.setattr(reader, "update_unversioned", stored_then_lost)
    with pytest.raises(StoreError, match="lost"), write_claim.write_turn(reader):
        pass
    intents = (
        "ASK { GRAPH <https://data.krb.nl/graph/schrijven> "
        "{ ?i a <http://www.w3.org/ns/prov#Activity> } }"
    )
    assert not reader.query(intents).boolean


def test_a_restore_takes_its_turn_and_never_brings_back_a_dumps_intent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_server_folder: Path
) -> None:
    """A dump taken while a writer held its turn holds that writer's intent; restored, it
    held off every writer of the new server. And a restore is a write like any other: it
    waits for the writer whose turn it is, instead of landing beside its first write."""
    monkeypatch.setattr(write_claim, "WAIT_S", 0.5)
    graph = "https://data.krb.nl/graph/schrijven"
    prov = "http://www.w3.org/ns/prov#"
    busy = (
        f"INSERT {{ GRAPH <{graph}> {{ <urn:uuid:bezig> a <{prov}Activity> ; "
        f"<{prov}startedAtTime> ?t }} }} WHERE {{ BIND (NOW() AS ?t) }}"
    )
    dump = tmp_path / "gedeeld.nq"
    seeded = copy_of_server_folder(demo_server_folder, tmp_path / "a")
    with running_oxigraph(seeded) as url, open_store(Settings(store=url)) as source:
        assert isinstance(source, RemoteStore)
        source.update_unversioned(busy)
        source.dump(dump)
    with running_oxigraph(tmp_path / "b") as url, open_store(Settings(store=url)) as target:
        assert isinstance(target, RemoteStore)
        target.update_unversioned(busy)  # another writer holds its turn here
        with pytest.raises(write_claim.WriteClaimedElsewhere):
            target.restore(dump)
        assert not target.query(f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}").boolean
        target.update_unversioned(f"DROP GRAPH <{graph}>")
        target.restore(dump)
        assert target.query(f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}").boolean
        intents = f"ASK {{ GRAPH <{graph}> {{ ?intent a <{prov}Activity> }} }}"
        assert not target.query(intents).boolean


def test_a_dump_holds_no_write_that_landed_while_it_read(
    tmp_path: Path, demo_server_folder: Path
) -> None:
    """A dump reads one graph at a time: a service's write landing in between gave a
    dump whose derived dates were of the data before the write, its data after it. Its
    reading is tried again when the write version moved meanwhile."""
    seeded = copy_of_server_folder(demo_server_folder, tmp_path / "server")
    with (
        running_oxigraph(seeded) as url,
        open_store(Settings(store=url)) as store,
        open_store(Settings(store=url)) as other,
    ):
        assert isinstance(store, RemoteStore)
        with write_claim.write_turn(other):
            pass  # the server has a write version from now on
        reads: list[int] = []

        def read() -> int:
            reads.append(len(reads))
            if len(reads) == 1:  # another service writes while this one reads
                other.update(RENAME.format(norm=NORM, name="Tussendoor"))
            return len(reads)

        assert write_claim.read_between_writes(store, read) == 2
        dump = tmp_path / "dump.nq"
        assert store.dump(dump) > 40_000


def test_a_derived_graph_another_writer_derived_in_its_turn_is_not_derived_again(
    tmp_path: Path, demo_server_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load on a shared server marks the derived graph stale for its turn and replaces
    it at the end. A service writing meanwhile found the mark, waited for the turn, and
    derived the whole store again (minutes at millions of triples, every writer waiting)
    though the load had just done so."""
    import threading

    from krbgraph.derived import derive, ensure_current, mark_stale, replace

    marker = (
        URIRef("urn:krb:test:afgeleid"),
        URIRef("urn:krb:test:door"),
        Literal("de andere schrijver"),
    )
    asked = f"ASK {{ GRAPH <https://data.krb.nl/def/krb/afgeleid> {{ <{marker[0]}> ?p ?o }} }}"
    seeded = copy_of_server_folder(demo_server_folder, tmp_path / "server")
    with (
        running_oxigraph(seeded) as url,
        open_store(Settings(store=url)) as store,
        open_store(Settings(store=url)) as other,
    ):
        marked = threading.Event()
        held_off = threading.Event()  # the service found the mark and waits for the turn
        real_live_other = write_claim._live_other

        def live_other(claimer: object, intent: str) -> object:
            found = real_live_other(claimer, intent)  # type: ignore[arg-type]
            if claimer is store and found is not None:
                held_off.set()
            return found

        monkeypatch.setattr(write_claim, "_live_other", live_other)

        def load_elsewhere() -> None:
            with write_claim.write_turn(other):
                mark_stale(other)
                marked.set()
                # The load's data goes in while the service waits for the turn.
                assert held_off.wait(30)
                replace(other, [*derive(other), marker])

        loading = threading.Thread(target=load_elsewhere)
        loading.start()
        assert marked.wait(30)
        derived_again = ensure_current(store)
        loading.join()
        assert held_off.is_set()  # it waited for the other writer's turn, then looked again
        assert not derived_again
        assert store.query(asked).boolean
