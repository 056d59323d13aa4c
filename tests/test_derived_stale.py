"""A write whose outcome is unknown leaves the derived graph marked stale.

A remote server may commit a write and then die or lose its reply (a proxy cutting the
connection): the client sees a StoreError for a write that is in the store. The mark
put back as current then served the dates in force of the data before the write for
the data after it, and no opening of the store derived them again. Here the write
happens for real in an embedded store and the error follows it, as the lost reply does.
"""

from __future__ import annotations

import pytest

from krbgraph.derived import RULES_VERSION, STALE, ensure_current, refresh, stale_during
from krbgraph.model import DERIVED_GRAPH
from krbgraph.store import Store, StoreError

NORM = "https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01"
VERSIONS = (
    f"SELECT ?v WHERE {{ GRAPH <{DERIVED_GRAPH}> "
    f"{{ <{DERIVED_GRAPH}> <http://www.w3.org/2002/07/owl#versionInfo> ?v }} }}"
)


@pytest.fixture
def store(model_store: Store) -> Store:
    from test_sparql_support import DEMO

    from krbgraph.loading import load_paths

    load_paths(model_store, [DEMO], base_iri="https://krb.demogemeente.nl", validate=False)
    refresh(model_store)
    return model_store


def _versions(store: Store) -> set[str]:
    return {str(row[0]) for row in store.query(VERSIONS).rows}


def _withdraw(store: Store) -> None:
    """Ends GEL-N01's document now, as a write the derived dates must follow."""
    store.update(
        "INSERT DATA { GRAPH <https://krb.demogemeente.nl/graph/intrekking> { "
        "<https://krb.demogemeente.nl/id/besluitdocument/GEL-2030> "
        "<http://data.europa.eu/eli/ontology#date_no_longer_in_force> "
        '"2029-12-31"^^<http://www.w3.org/2001/XMLSchema#date> } }'
    )


def _until(store: Store) -> set[str]:
    rows = store.query(
        f"SELECT ?t WHERE {{ GRAPH <{DERIVED_GRAPH}> "
        f"{{ <{NORM}> <https://data.krb.nl/def/krb#geldigTot> ?t }} }}"
    ).rows
    return {str(row[0]) for row in rows}


def test_a_write_whose_reply_was_lost_is_derived_again_at_the_next_opening(
    store: Store,
) -> None:
    assert _versions(store) == {RULES_VERSION}
    with pytest.raises(StoreError), stale_during(store):
        _withdraw(store)  # committed ...
        raise StoreError("cannot reach SPARQL server")  # ... and its reply lost

    assert _versions(store) == {STALE}
    assert "2029-12-31" not in _until(store), "the dates are still those before the write"
    assert ensure_current(store)
    assert _versions(store) == {RULES_VERSION}
    assert "2029-12-31" in _until(store)


def test_a_write_refused_before_it_was_sent_keeps_the_graph_current(store: Store) -> None:
    with pytest.raises(ValueError), stale_during(store):
        raise ValueError("refused by the shapes")

    assert _versions(store) == {RULES_VERSION}
    assert not ensure_current(store)


def test_a_write_refused_by_the_store_before_it_was_sent_keeps_the_graph_current(
    store: Store,
) -> None:
    """Another writer changed the store since the copy the write was checked on: nothing
    was sent, so nothing needs deriving again (the whole store was, at the next opening,
    saying a write had been cut off)."""
    from krbgraph.store.write_claim import StoreChangedElsewhere

    with pytest.raises(StoreChangedElsewhere), stale_during(store):
        raise StoreChangedElsewhere("changed by another writer; nothing was written")

    assert _versions(store) == {RULES_VERSION}


def test_a_service_whose_write_lost_its_reply_serves_the_dates_of_what_was_stored(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The running service kept the stale graph's dates (GEL-N01 still in force after its
    document ended) until it was restarted, and derived every later write's dates from
    them. Its write lock now derives the graph again after a write the store failed."""
    from fastapi.testclient import TestClient

    from krbgraph.settings import Settings
    from krbgraph.web import writes
    from krbgraph.web.app import create_app

    real = writes.commit_change

    def committed_then_lost(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise StoreError("cannot reach SPARQL server")

    monkeypatch.setattr(writes, "commit_change", committed_then_lost)
    token = "een-token-van-minstens-32-tekens-lang"
    settings = Settings(base_iri="https://krb.demogemeente.nl", token=token)
    # An own class below the model: every resource's model class may change, so the
    # derived graph is replaced as a whole after the commit, as the mark is for.
    update = (
        "INSERT DATA { GRAPH <https://krb.demogemeente.nl/graph/intrekking> { "
        "<https://krb.demogemeente.nl/def/eigen#Gevelnorm> "
        "<http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<https://data.krb.nl/def/krb#Beleidsnorm> . "
        "<https://krb.demogemeente.nl/id/besluitdocument/GEL-2030> "
        "<http://data.europa.eu/eli/ontology#date_no_longer_in_force> "
        '"2029-12-31"^^<http://www.w3.org/2001/XMLSchema#date> } }'
    )
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as client:
        answer = client.post(
            "/update",
            content=update.encode(),
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {token}",
            },
        )
        assert answer.status_code >= 500
        assert _versions(store) == {RULES_VERSION}
        assert "2029-12-31" in _until(store)
