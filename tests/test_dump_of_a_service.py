"""A dump read through a running krb service's endpoints is one state of it, or refused.

The service writes its own engine without a write version (that is for writers of a
shared server), so a dump through its SPARQL and Graph Store endpoints, one graph at a
time, mixed the states before and after the writes that landed meanwhile and was
restored without a word. Every write of the service adds to its audit trail in the
same transaction, which the read now watches too (krbgraph.store.write_claim).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_sparql_support import AUTH, BASE, TIMEOUT, demo_store, served

from krbgraph.settings import Settings
from krbgraph.store import StoreError, open_store
from krbgraph.store.write_claim import READ_ATTEMPTS, read_between_writes

GEELUID, GROEN = f"{BASE}/graph/geluid", f"{BASE}/graph/groen"
COUNTER = f"<{BASE}/id/teller/t1> <http://www.w3.org/2000/01/rdf-schema#comment>"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store, settings = demo_store(tmp_path_factory.mktemp("dump-service"))
    with store, served(store, settings) as url:
        yield url


def _write(url: str, value: int) -> None:
    """One update writing the same counter into two graphs: one state has them equal."""
    update = (
        f"DELETE {{ GRAPH <{GEELUID}> {{ {COUNTER} ?a }} GRAPH <{GROEN}> {{ {COUNTER} ?b }} }} "
        f"WHERE {{ OPTIONAL {{ GRAPH <{GEELUID}> {{ {COUNTER} ?a }} }} "
        f"OPTIONAL {{ GRAPH <{GROEN}> {{ {COUNTER} ?b }} }} }} ; "
        f'INSERT DATA {{ GRAPH <{GEELUID}> {{ {COUNTER} "{value}" }} '
        f'GRAPH <{GROEN}> {{ {COUNTER} "{value}" }} }}'
    )
    answer = httpx.post(f"{url}/update", data={"update": update}, headers=AUTH, timeout=TIMEOUT)
    assert answer.status_code == 204, answer.text


def _counter(remote, graph: str) -> str:  # noqa: ANN001
    rows = remote.query(f"SELECT ?v WHERE {{ GRAPH <{graph}> {{ {COUNTER} ?v }} }}").rows
    return str(rows[0][0])


def _remote(url: str):  # noqa: ANN202
    return open_store(Settings(store=f"{url}/sparql", graph_store_url=f"{url}/store"))


def test_a_read_a_write_lands_in_is_read_again(service: str) -> None:
    """Writes land in the first reads only: the read returned is one without a write in
    it, so both graphs hold the same counter."""
    _write(service, 0)
    writes = iter(range(1, READ_ATTEMPTS))
    with _remote(service) as remote:

        def read() -> tuple[str, str]:
            geluid = _counter(remote, GEELUID)
            value = next(writes, None)
            if value is not None:
                _write(service, value)  # lands between the two graphs' reads
            return geluid, _counter(remote, GROEN)

        geluid, groen = read_between_writes(remote, read)
    assert geluid == groen


def test_a_read_every_write_lands_in_is_refused_never_returned(service: str) -> None:
    """A write in the middle of every read: a read of two states is never handed out."""
    _write(service, 99)
    count = iter(range(100, 200))
    with _remote(service) as remote:

        def read() -> tuple[str, str]:
            geluid = _counter(remote, GEELUID)
            _write(service, next(count))  # lands between the two graphs' reads
            return geluid, _counter(remote, GROEN)

        with pytest.raises(StoreError, match="mixes the states before and after a write"):
            read_between_writes(remote, read)


def test_a_dump_of_a_quiet_service_holds_its_state(service: str, tmp_path: Path) -> None:
    _write(service, 7)
    with _remote(service) as remote:
        dumped = tmp_path / "dienst.nq"
        remote.dump(dumped)
    text = dumped.read_text(encoding="utf-8")
    assert text.count(f'{COUNTER} "7" <{GEELUID}>') == 1
    assert text.count(f'{COUNTER} "7" <{GROEN}>') == 1
