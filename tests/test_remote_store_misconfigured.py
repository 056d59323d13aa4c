"""A SPARQL server that is not set up as krbgraph needs is said to be so, never read as an
empty store (krbgraph.store.remote_setup).

A ``KRB_GRAPH_STORE_URL`` that is not the server's Graph Store (``/data`` where Oxigraph's
is ``/store``) answers 404 for every graph: `krb dump` wrote a backup of 0 quads (exit 0)
that `krb restore` accepted, and `krb validate --store` said a registry with violations
conforms. An Oxigraph started without ``--union-default-graph`` answered every named query
with nothing, exit 0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from remote_server import oxigraph_fixture, running_oxigraph
from test_sparql_support import demo_store, served
from typer.testing import CliRunner, Result

from krbgraph.cli import app
from krbgraph.settings import Settings
from krbgraph.store import open_store, remote_setup
from krbgraph.store.remote import RemoteStore
from krbgraph.store.remote_setup import UNION_CHECK, ServerSetupError

pytestmark = pytest.mark.remote

oxigraph_url = oxigraph_fixture(scope="module")

BASE = "https://krb.demogemeente.nl"
GRAPH = f"{BASE}/graph/kapot"
BROKEN_NORM = (
    "@prefix krb: <https://data.krb.nl/def/krb#> .\n"
    f"<{BASE}/id/beleidsnorm/BAD-1> a krb:Beleidsnorm .\n"
)
"""A norm without anything a norm needs: violations, whatever the shapes."""


def krb(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def mistyped(url: str, graph_store: str = "data") -> dict[str, str]:
    """The environment of a command whose Graph Store URL names another path."""
    return {"KRB_UPDATE_URL": f"{url}/update", "KRB_GRAPH_STORE_URL": f"{url}/{graph_store}"}


@pytest.fixture(scope="module")
def registry(oxigraph_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The server holding the model and a registry with violations: its URL."""
    data = tmp_path_factory.mktemp("registry") / "kapot.ttl"
    data.write_text(BROKEN_NORM, encoding="utf-8")
    loaded = krb("load", str(data), "--store", oxigraph_url, "--no-validate")
    assert loaded.exit_code == 0, loaded.output
    return oxigraph_url


def _says_graph_store_is_wrong(output: str, url: str) -> None:
    assert f"the Graph Store at {url}/data answered 404" in output
    assert "KRB_GRAPH_STORE_URL" in output
    assert "says holds triples" in output


def test_a_dump_through_a_graph_store_url_that_is_not_one_is_refused(
    registry: str, tmp_path: Path
) -> None:
    right = krb(
        "dump",
        str(tmp_path / "good.nq"),
        "--store",
        f"{registry}/query",
        env=mistyped(registry, "store"),
    )
    assert right.exit_code == 0, right.output
    result = krb(
        "dump", str(tmp_path / "bad.nq"), "--store", f"{registry}/query", env=mistyped(registry)
    )
    assert result.exit_code == 2, result.output
    _says_graph_store_is_wrong(result.output, registry)
    assert "wrote" not in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["good.nq"]  # no partial file


def test_validating_a_store_through_a_graph_store_url_that_is_not_one_is_refused(
    registry: str,
) -> None:
    right = krb("validate", "--store", f"{registry}/query", env=mistyped(registry, "store"))
    assert right.exit_code == 1, right.output
    result = krb("validate", "--store", f"{registry}/query", env=mistyped(registry))
    assert result.exit_code == 2, result.output
    assert "conforms" not in result.output
    _says_graph_store_is_wrong(result.output, registry)


def test_a_validated_load_through_a_graph_store_url_that_is_not_one_is_refused(
    registry: str, tmp_path: Path
) -> None:
    """Its registry is copied through the Graph Store to validate the change against: an
    empty copy passed what the registry breaks."""
    data = tmp_path / "extra.ttl"
    data.write_text(
        f'<{BASE}/id/x/1> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n',
        encoding="utf-8",
    )
    result = krb("load", str(data), "--store", f"{registry}/query", env=mistyped(registry))
    assert result.exit_code == 2, result.output
    _says_graph_store_is_wrong(result.output, registry)
    with open_store(Settings(store=registry)) as store:
        assert f"{BASE}/graph/extra" not in {info.iri for info in store.graphs()}


def test_a_graph_the_server_does_not_hold_is_still_just_missing(registry: str) -> None:
    """The 404 of a graph that is not there is no misconfiguration: read as empty."""
    with open_store(Settings(store=registry)) as store:
        assert len(store.read_graph(f"{BASE}/graph/nooit-geladen")) == 0
        assert len(store.read_graph(GRAPH)) > 0


def test_a_dump_through_a_service_whose_graph_store_path_is_mistyped_is_refused(
    tmp_path: Path,
) -> None:
    store, settings = demo_store(tmp_path)
    with store, served(store, settings) as url:
        remote = open_store(Settings(store=f"{url}/sparql", graph_store_url=f"{url}/data"))
        with remote, pytest.raises(ServerSetupError, match="KRB_GRAPH_STORE_URL") as refused:
            remote.dump(tmp_path / "backup.nq")
    assert f"the Graph Store at {url}/data answered 404" in str(refused.value)
    assert not (tmp_path / "backup.nq").exists()


# -- a server whose default graph is not the union of its named graphs -------------


@pytest.fixture
def without_union(tmp_path: Path) -> Iterator[str]:
    with running_oxigraph(tmp_path / "server", union_default_graph=False) as url:
        yield url


def _insert(url: str) -> None:
    answer = httpx.post(
        f"{url}/update",
        content=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{BASE}/id/a> <{BASE}/id/b> 1 }} }}",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert answer.status_code == 204, answer.text


def _says_union_is_missing(message: str, url: str) -> None:
    assert f"the SPARQL server at {url}/query answers queries over its own default graph" in message
    assert "--union-default-graph" in message
    assert "tdb2:unionDefaultGraph" in message


def test_a_server_without_a_union_default_graph_is_refused_when_opened(without_union: str) -> None:
    _insert(without_union)
    with pytest.raises(ServerSetupError) as refused:
        open_store(Settings(store=without_union))
    _says_union_is_missing(str(refused.value), without_union)
    result = krb("query", "normen", "--store", without_union, "--format", "csv")
    assert result.exit_code == 2, result.output
    _says_union_is_missing(" ".join(result.output.split()), without_union)


def test_an_empty_server_without_a_union_default_graph_is_refused_once_it_holds_data(
    without_union: str,
) -> None:
    """Nothing to tell by in an empty server, whose empty answers are right: it is asked
    again at each query until it holds a named graph."""
    with open_store(Settings(store=without_union)) as store:
        assert store.query("ASK { ?s ?p ?o }").boolean is False
        _insert(without_union)
        with pytest.raises(ServerSetupError):
            store.query("ASK { ?s ?p ?o }")


def test_a_server_with_a_union_default_graph_is_asked_once_per_process(
    registry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_setup, "_SEEN", set())
    asked: list[str] = []
    query = RemoteStore.query

    def counted(self: RemoteStore, sparql: str, **kwargs: object) -> object:
        if sparql == UNION_CHECK:
            asked.append(sparql)
        return query(self, sparql, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(RemoteStore, "query", counted)
    for _ in range(2):
        with open_store(Settings(store=registry)) as store:
            assert store.query("ASK { ?s ?p ?o }").boolean is True
    assert len(asked) == 1


def test_an_endpoint_url_given_as_a_server_root_says_what_to_set(registry: str) -> None:
    """`krb history --store http://host:8000/sparql` (a service's query URL, without
    KRB_UPDATE_URL) said only "HTTP 404: Not Found" for ``.../sparql/query``."""
    result = krb("query", "compleetheid", "--store", f"{registry}/query", env={})
    assert result.exit_code != 0
    assert f"{registry}/query/query: HTTP 404, no SPARQL endpoint there" in result.output
    assert "KRB_UPDATE_URL" in result.output
    right = krb(
        "query", "compleetheid", "--store", f"{registry}/query",
        env={"KRB_UPDATE_URL": f"{registry}/update"},
    )  # fmt: skip
    assert right.exit_code == 0, right.output
