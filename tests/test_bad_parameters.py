"""Every GET route answers bad parameter values with a clear refusal, never a server error.

The routes are taken from the app itself, with the query parameters each one
declares (its own and those of its dependencies, such as ``?lang=``) and the
parameters of its path, so a route added later is walked too. Each parameter
in turn gets each value of BAD_VALUES while the others keep a good value; the
answer must be below 500 and, when it refuses, say something a person can
read. The named queries of /api/queries/{name} take their parameters from the
catalogue, so their parameters are walked from the catalogue as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from test_pages_fixtures import BASE, Registry, build_registry
from test_sparql_support import AUTH

from krbgraph.namespaces import KRB
from krbgraph.queries import Parameter as QueryParameter
from krbgraph.queries import load_catalogue
from krbgraph.web.app import create_app

BAD_VALUES = (
    "",
    " ",
    "x y",
    "x%20y",
    "a" * 5000,
    "niet een IRI",
    "http://",
    "http://x y/z",
    "<http://example.org/x>",
    "urn:",
    "onbekende-waarde",
    "-1",
    "99999999999999999999999999",
    "1e999",
    "NaN",
    "2023-13-45",
    "0000-00-00",
    "ünïcødé ✓ 🙂",
    "\x00",
    "a\x00b",
    "(",
    "[a-",
    "\\",
    '"; DROP',
    "} SELECT * WHERE { ?s ?p ?o",
    "../../etc/passwd",
    "%",
)
"""Values nobody should send: empty, spaces, escapes, too long, not an IRI, unknown
enumeration values, numbers out of range, impossible dates, unicode, NUL, regex and
SPARQL syntax, path tricks."""

GOOD = {
    "objecttype": "Woningen",
    "code": "parkstraat",
    "id": "BOU-M02",
    "name": "geldig-op",
    "path": "beleidsnorm/GEL-N01",
    "term": "Beleidsnorm",
    "klasse": str(KRB.Beleidsnorm),
    "iri": f"{BASE}/id/beleidsnorm/GEL-N01",
    "query": "SELECT ?s WHERE { ?s a ?o } LIMIT 2",
}
"""A good value for every path parameter and required query parameter, so the other
parameters of a route are tried on a request that would otherwise succeed."""

READ_BY_HAND = {
    "/sparql": ("query", "default-graph-uri", "named-graph-uri"),
    "/store": ("graph",),
    "/store/{path:path}": ("graph",),
}
"""Query parameters a route reads from the request itself, so the app cannot list them."""


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # "query" or "path"
    required: bool


@dataclass(frozen=True)
class GetRoute:
    path: str
    parameters: tuple[Parameter, ...]

    def url(self, values: dict[str, str]) -> str:
        """The path with its parameters filled in (escaped, so '/' stays inside a value
        except for ``{x:path}`` parameters, which may hold slashes)."""
        url = self.path
        for parameter in self.parameters:
            if parameter.where != "path":
                continue
            value = values[parameter.name]
            for form, safe in ((f"{{{parameter.name}:path}}", "/"), (f"{{{parameter.name}}}", "")):
                url = url.replace(form, quote(value, safe=safe))
        return url


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for inner in dependant.dependencies:
        yield from _dependants(inner)


def get_routes(app: FastAPI) -> list[GetRoute]:
    """Every GET route of the app with its query and path parameters."""
    found: dict[str, GetRoute] = {}
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or "GET" not in (context.methods or ()):
            continue
        parameters: dict[tuple[str, str], Parameter] = {}
        for dependant in _dependants(context.dependant):
            for where, fields in (
                ("path", dependant.path_params),
                ("query", dependant.query_params),
            ):
                for field in fields:
                    name = field.alias or field.name
                    parameters[(where, name)] = Parameter(
                        name, where, field.field_info.is_required()
                    )
        for name in READ_BY_HAND.get(context.path, ()):
            parameters.setdefault(("query", name), Parameter(name, "query", False))
        found[context.path] = GetRoute(context.path, tuple(parameters.values()))
    return list(found.values())


ROUTES = get_routes(create_app())


def test_the_walk_sees_the_routes_that_take_parameters() -> None:
    """A guard on the walk itself: it must find the routes and parameters known to exist."""
    by_path = {route.path: {p.name for p in route.parameters} for route in ROUTES}
    assert {"klasse", "lang"} <= by_path["/lijst"]
    assert {"iri", "format"} <= by_path["/resource"]
    assert {"objecttype", "gebied", "richting", "datum"} <= by_path[
        "/api/imbor/{objecttype:path}/normen"
    ]
    assert {"bron", "doel", "thema"} <= by_path["/dwarsverbanden/maatregelen"]
    assert "query" in by_path["/sparql"]
    for route in ROUTES:
        for parameter in route.parameters:
            if parameter.where == "path" or parameter.required:
                assert parameter.name in GOOD, f"no good value for {parameter.name} of {route.path}"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    built = build_registry(tmp_path_factory.mktemp("bad-parameters"))
    yield built
    built.store.close()


@pytest.fixture(scope="module")
def client(registry: Registry) -> Iterator[TestClient]:
    with TestClient(registry.app, raise_server_exceptions=False) as test_client:
        yield test_client


def _problem(response) -> str | None:  # noqa: ANN001 - an httpx response
    """What is wrong with an answer to a bad value, or None when it is acceptable."""
    if response.status_code >= 500:
        return f"{response.status_code}: {response.text[:300]!r}"
    if response.status_code >= 400:
        text = response.text
        if not text.strip():
            return f"{response.status_code} without a message"
        if "Traceback" in text or "Internal Server Error" in text:
            return f"{response.status_code} with an internal error: {text[:300]!r}"
    return None


def _ask(client: TestClient, route: GetRoute, tried: Parameter, value: str):  # noqa: ANN202
    path_values = {p.name: GOOD[p.name] for p in route.parameters if p.where == "path"}
    query = {p.name: GOOD[p.name] for p in route.parameters if p.where == "query" and p.required}
    if tried.where == "path":
        path_values[tried.name] = value
    else:
        query[tried.name] = value
    # With the token, so routes that need one check their parameters too.
    return client.get(route.url(path_values), params=query, headers=AUTH, follow_redirects=False)


@pytest.mark.parametrize(
    ("route", "parameter"),
    [(route, parameter) for route in ROUTES for parameter in route.parameters],
    ids=lambda item: item.path if isinstance(item, GetRoute) else item.name,
)
def test_bad_value_is_refused_cleanly(
    client: TestClient, route: GetRoute, parameter: Parameter
) -> None:
    problems = {}
    for value in BAD_VALUES:
        problem = _problem(_ask(client, route, parameter, value))
        if problem:
            problems[value[:40]] = problem
    assert not problems, f"{route.path} {parameter.where} parameter {parameter.name}: {problems}"


CATALOGUE = load_catalogue()

GOOD_BY_TYPE = {
    "iri": f"{BASE}/id/werkingsgebied/parkstraat",
    "string": "park",
    "date": "2025-06-01",
    "decimal": "1.5",
    "integer": "1",
    "boolean": "true",
}
"""A good value of each parameter type of the catalogue, for the required parameters
that are not being tried."""


def _good(parameter: QueryParameter) -> str:
    return parameter.choices[0] if parameter.choices else GOOD_BY_TYPE[parameter.type.value]


@pytest.mark.parametrize(
    ("name", "parameter"),
    [(query.name, p.name) for query in CATALOGUE.public() for p in query.parameters],
)
def test_named_query_parameter_is_refused_cleanly(
    client: TestClient, name: str, parameter: str
) -> None:
    """/api/queries/{name} takes the query's parameters from the query string."""
    others = {p.name: _good(p) for p in CATALOGUE[name].parameters if p.required}
    problems = {}
    for value in BAD_VALUES:
        params = {**others, parameter: value}
        problem = _problem(client.get(f"/api/queries/{name}", params=params))
        if problem:
            problems[value[:40]] = problem
    assert not problems, f"/api/queries/{name} parameter {parameter}: {problems}"


@pytest.mark.parametrize(
    ("name", "parameter"),
    [
        (query.name, p.name)
        for query in CATALOGUE.public()
        for p in query.parameters
        if p.klasse is not None
    ],
)
def test_an_iri_the_registry_does_not_hold_is_refused_not_answered_empty(
    client: TestClient, name: str, parameter: str
) -> None:
    """A typo in an IRI, the wrong case or a prefixed name read as an IRI
    ("sector:inwoners") answered an empty table with 200, read as "nothing applies";
    an unknown name was refused all along."""
    others = {p.name: _good(p) for p in CATALOGUE[name].parameters if p.required}
    for value in (
        f"{BASE}/id/beleidsnorm/GEL-N01-bestaat-niet",
        "https://data.krb.nl/id/begrip/sector/Inwoners",
        "sector:inwoners",
    ):
        answer = client.get(f"/api/queries/{name}", params={**others, parameter: value})
        assert answer.status_code == 400, (value, answer.status_code, answer.text[:300])
        detail = answer.json()["detail"]
        assert parameter in detail and value in detail, detail


def test_a_refusal_names_the_parameter(client: TestClient) -> None:
    """The message of a refused value says which parameter was wrong and why."""
    page = client.get("/lijst", params={"klasse": "x y"})
    assert page.status_code == 400
    assert "klasse" in page.text and "IRI" in page.text
    answer = client.get("/api/imbor/Woningen/normen", params={"datum": "2023-13-45"})
    assert answer.status_code in (400, 422)
    assert "datum" in answer.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/normtoets",
        "/api/normgat",
        "/api/effectevaluatie",
        "/api/imbor/Asfaltverharding/normen",
        "/api/gebieden/parkstraat/beleid",
        "/api/queries/normtoets",
    ],
)
def test_a_misspelt_parameter_is_refused_not_ignored(client: TestClient, path: str) -> None:
    """'gebeid' for 'gebied' was ignored: the answer was the whole registry's."""
    answer = client.get(path, params={"gebeid": "parkstraat"})
    assert answer.status_code == 400, answer.text
    assert "gebeid" in answer.json()["detail"]


@pytest.mark.parametrize("value", ["0", "86400", "20260101", "2026-W01", "2026-001"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/normtoets",
        "/api/normgat",
        "/api/imbor/Asfaltverharding/normen",
        "/api/gebieden/parkstraat/beleid",
        "/monitoring",
    ],
)
def test_a_date_is_a_day_written_as_yyyy_mm_dd_nothing_else(
    client: TestClient, path: str, value: str
) -> None:
    """'0' was read as a Unix time (1970-01-01) and answered for that day; the page read
    20260101 and week dates the API refuses."""
    answer = client.get(path, params={"datum": value})
    assert answer.status_code in (400, 422), (path, value, answer.status_code)
    assert client.get(path, params={"datum": "2025-06-01"}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/queries/geldig-op?datum=2024-02-30&datum=2030-03-01",
        "/api/queries/geldig-op?datum=2030-03-01&datum=2024-02-30",
        "/api/gebieden/GM9999/beleid?datum=2025-01-01&datum=2026-01-01",
        "/query/geldig-op.xlsx?datum=2025-01-01&datum=2026-01-01",
        "/dwarsverbanden?lang=en&lang=nl",
        # Linked data too: the last won, so an invalid first one went unseen.
        "/id/beleidsnorm/GEL-N01?format=bogus&format=nt",
        "/def/krb?format=ttl&format=nt",
        "/resource?iri=https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01"
        "&iri=https://krb.demogemeente.nl/id/beleidsnorm/GEL-N02",
    ],
)
def test_a_parameter_given_twice_is_refused_naming_it(client: TestClient, url: str) -> None:
    # Keeping the last value in silence let an invalid first one pass unseen.
    response = client.get(url)
    assert response.status_code == 400, response.text
    name = url.split("?")[1].split("=")[0]
    assert f"'{name}'" in response.json()["detail"]
