"""A named query's answer over the API is kept per store version, and never stale.

krbgraph.web.kept_answers keeps an answer up to KEPT_BYTES so that a reader who asks
again is answered from memory. What a user must never see: an answer from before a
write, an answer in another reader's language or form, or a large export cut or held
in memory. Each is asked here of a registry of the test's own, over HTTP.
"""

from __future__ import annotations

import csv
import errno
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_pages_fixtures import BASE, Registry, build_registry
from test_sparql_support import AUTH

from krbgraph.web import aggregates, kept_answers

NORM = f"{BASE}/id/beleidsnorm/GEL-N01"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Registry, TestClient]]:
    """A registry of its own: the tests here write to it."""
    registry = build_registry(tmp_path_factory.mktemp("kept"))
    with TestClient(registry.app) as client:
        yield registry, client
    registry.store.close()


def _names(client: TestClient, **params: str) -> dict[str, str]:
    """normen as CSV: norm IRI -> its name column."""
    answer = client.get("/api/queries/normen", params={"format": "csv", **params})
    assert answer.status_code == 200, answer.text
    return {row["norm"]: row["norm_label"] for row in csv.DictReader(io.StringIO(answer.text))}


def _kept_keys(registry: Registry) -> list[tuple[object, ...]]:
    held = aggregates._CACHES.get(registry.store)
    keys = list(held.entries) if held is not None else []
    return [k for k in keys if isinstance(k, tuple) and k[:1] == ("api-answer",)]


def test_an_answer_asked_again_is_the_same_and_is_kept(written) -> None:
    registry, client = written
    first = client.get("/api/queries/dwarsverbanden-themas")
    second = client.get("/api/queries/dwarsverbanden-themas")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert first.json()["rows"], "the demo has cross-links between themes"
    assert any(k[1] == "dwarsverbanden-themas" for k in _kept_keys(registry))


def test_a_write_shows_in_the_next_answer(written) -> None:
    registry, client = written
    before = _names(client)
    assert NORM in before
    assert _names(client) == before  # now kept
    update = f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    DELETE {{ GRAPH ?g {{ <{NORM}> ?p ?naam }} }}
    INSERT {{ GRAPH ?g {{ <{NORM}> ?p "Geluid aan de gevel, herzien"@nl }} }}
    WHERE {{ GRAPH ?g {{ <{NORM}> ?p ?naam }}
             FILTER (?p IN (rdfs:label, skos:prefLabel) && LANGMATCHES(LANG(?naam), "nl")) }}"""
    response = client.post(
        "/sparql",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert response.status_code in (200, 204), response.text
    after = _names(client)
    assert after[NORM] == "Geluid aan de gevel, herzien"
    assert {k: v for k, v in after.items() if k != NORM} == {
        k: v for k, v in before.items() if k != NORM
    }


def test_each_language_and_form_has_its_own_answer(written) -> None:
    _, client = written
    dutch = client.get("/api/queries/indicatoren", params={"format": "csv", "lang": "nl"})
    english = client.get("/api/queries/indicatoren", params={"format": "csv", "lang": "en"})
    again = client.get("/api/queries/indicatoren", params={"format": "csv", "lang": "nl"})
    as_json = client.get("/api/queries/indicatoren", params={"lang": "nl"})
    facts = client.get("/api/queries/indicatoren", params={"format": "csv", "names": "false"})
    assert dutch.text == again.text
    assert dutch.text != english.text, "the demo names its indicators in Dutch and English"
    assert as_json.headers["content-type"].startswith("application/json")
    assert dutch.headers["content-type"].startswith("text/csv")
    assert as_json.json()["rows"]
    assert "indicator_label" in dutch.text.splitlines()[0]
    assert "indicator_label" not in facts.text.splitlines()[0]


def test_an_answer_larger_than_the_bound_is_sent_whole_and_not_kept(
    written, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry, client = written
    small = client.get("/api/queries/beleidsketen", params={"format": "csv"})
    assert small.status_code == 200
    monkeypatch.setattr(kept_answers, "KEPT_BYTES", 100)
    monkeypatch.setattr(kept_answers, "COSTLY_S", 3600.0)  # quick to write again
    aggregates._CACHES.pop(registry.store, None)
    large = client.get("/api/queries/beleidsketen", params={"format": "csv"})
    assert large.status_code == 200
    assert large.content == small.content
    assert large.headers["content-disposition"] == small.headers["content-disposition"]
    assert len(large.content) > 100
    assert not any(k[1] == "beleidsketen" for k in _kept_keys(registry))


def test_a_refused_parameter_is_refused_every_time(written) -> None:
    _, client = written
    for _ in range(2):
        answer = client.get("/api/queries/geldig-op", params={"datum": "morgen"})
        assert answer.status_code == 400, answer.text
    assert client.get("/api/queries/bestaat-niet").status_code == 404


def test_a_large_answer_that_was_costly_is_kept_on_disk_until_a_write(
    written, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole registry's normgat took 40 s and more at a million triples, for every
    reader of the same version: past COSTLY_S a large answer is kept as a file, sent
    again byte for byte, and deleted once a write makes it stale."""
    registry, client = written
    monkeypatch.setattr(kept_answers, "KEPT_BYTES", 100)
    monkeypatch.setattr(kept_answers, "COSTLY_S", 0.0)
    aggregates._CACHES.pop(registry.store, None)
    first = client.get("/api/queries/normen", params={"format": "csv"})
    assert first.status_code == 200 and len(first.content) > 100
    held = aggregates._CACHES[registry.store]
    (key,) = [k for k in _kept_keys(registry) if k[1] == "normen"]
    kept = held.entries[key].value
    assert isinstance(kept, kept_answers.KeptFile)
    assert kept.path.read_bytes() == first.content
    again = client.get("/api/queries/normen", params={"format": "csv"})
    assert again.content == first.content
    assert again.headers["content-disposition"] == first.headers["content-disposition"]
    path = kept.path
    del kept, held
    response = client.post(
        "/sparql",
        content=f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        INSERT DATA {{ GRAPH <{BASE}/graph/geluid> {{
          <{NORM}> skos:altLabel "Gevelgeluid"@nl }} }}""".encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert response.status_code in (200, 204), response.text
    client.get("/api/queries/normen", params={"format": "csv"})  # the new version's answer
    assert not path.exists(), "a stale answer's file is deleted"


def test_a_full_disk_costs_the_keeping_not_the_answer(
    written, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy to the kept file fails half-way (ENOSPC): the reader still gets the
    whole answer, and no partial file stays behind."""
    registry, client = written
    expected = client.get("/api/queries/normen", params={"format": "csv"}).content
    monkeypatch.setattr(kept_answers, "KEPT_BYTES", 100)
    monkeypatch.setattr(kept_answers, "COSTLY_S", 0.0)
    aggregates._CACHES.pop(registry.store, None)
    folder = kept_answers._folder()
    before = set(folder.iterdir())
    partial: list[int] = []

    def disk_full(source, target, length=0) -> None:  # noqa: ANN001 - shutil's signature
        target.write(source.read(50))
        target.flush()
        partial.append(len(set(folder.iterdir()) - before))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(kept_answers.shutil, "copyfileobj", disk_full)
    answer = client.get("/api/queries/normen", params={"format": "csv"})
    assert answer.status_code == 200 and answer.content == expected
    assert partial == [1], "the copy was begun in a file of its own"
    assert set(folder.iterdir()) - before == set(), "and that file is gone"
    assert not any(k[1] == "normen" for k in _kept_keys(registry))


def test_kept_files_are_bounded_on_disk_and_not_computed_again_after_a_write(
    written, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry, client = written
    monkeypatch.setattr(kept_answers, "KEPT_BYTES", 100)
    monkeypatch.setattr(kept_answers, "COSTLY_S", 0.0)
    aggregates._CACHES.pop(registry.store, None)
    first = client.get("/api/queries/normen", params={"format": "csv"})
    size = len(first.content)
    monkeypatch.setattr(kept_answers, "KEPT_FILE_BYTES", kept_answers._ON_DISK + size // 2)
    second = client.get("/api/queries/beleidsketen", params={"format": "csv"})
    assert second.status_code == 200
    kept = {k[1] for k in _kept_keys(registry)}
    assert "normen" in kept and "beleidsketen" not in kept, "past the disk bound: streamed"
    monkeypatch.setattr(kept_answers, "KEPT_FILE_BYTES", 1 << 30)  # room again
    registry.store.update(
        f"INSERT DATA {{ GRAPH <{BASE}/graph/test-kept> {{ <urn:x> <urn:p> 1 }} }}"
    )
    aggregates.rewarm(registry.store)
    held = aggregates._CACHES[registry.store]
    assert held.generation == registry.store.write_generation
    assert not any(k[1] == "normen" for k in _kept_keys(registry)), (
        "a kept file is not computed again in the background"
    )
