"""Every operation of the published OpenAPI schema, called with generated input, holds.

Schemathesis reads /openapi.json from a real `krb serve --demo` and calls
each operation with values built from its schema, valid and invalid, with
the write token (so the write paths are reached too, on a store of this
module's own). The checks:

- never a 5xx (``not_a_server_error``), other than 503 for a query past the
  time limit;
- a JSON answer of the JSON API (/api/...) has the media type and the shape
  its schema promises (``content_type_conformance``,
  ``response_schema_conformance``), so clients generated from the schema can
  read it;
- the process still runs and answers a query after each case.

Status codes are not checked against the schema: FastAPI documents 200 and
422 per route, while the SPARQL and Graph Store protocols answer 400, 401,
404, 406 and 415 as their specifications say.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from reliability_support import AUTH, Server, krb_serve
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from krbgraph.settings import Settings
from krbgraph.web.app import create_app


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of this module only: the generated writes change its store."""
    with krb_serve(tmp_path_factory.mktemp("schemathesis")) as server:
        yield server


def _published_schema() -> dict:
    """The document the app serves at /openapi.json, built without a store or a server
    (schemathesis needs it when the tests are collected; a test below checks it is the
    one the server serves)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # duplicate operation ids: see below
        return create_app(Settings()).openapi()


PUBLISHED = _published_schema()
schema = schemathesis.openapi.from_dict(PUBLISHED)


def no_server_error_but_time_limit(
    ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """not_a_server_error, except a 503 that says the time limit was reached."""
    if response.status_code == 503 and "time limit" in response.text:
        return None
    return not_a_server_error(ctx, response, case)


def _json_api(case: schemathesis.Case) -> bool:
    return case.operation.path.startswith("/api/") and case.operation.path != "/api/export/excel"


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_schemathesis_every_operation_holds(case: schemathesis.Case, served: Server) -> None:
    checks = [no_server_error_but_time_limit]
    if _json_api(case):
        checks += [content_type_conformance, response_schema_conformance]
    case.call_and_validate(base_url=served.url, headers=AUTH, checks=checks, timeout=60)
    served.assert_alive()


def test_schemathesis_ran_on_the_schema_the_server_publishes(served: Server) -> None:
    served_schema = httpx.get(f"{served.url}/openapi.json", timeout=30).json()
    assert served_schema == PUBLISHED
    for path in ("/sparql", "/update", "/store", "/api/queries", "/api/queries/{name}"):
        assert path in served_schema["paths"]


def test_schemathesis_operation_ids_are_unique() -> None:
    """OpenAPI requires unique operation ids; routes answering several methods get one
    per method (krbgraph.web.routes)."""
    ids = [
        operation["operationId"]
        for methods in PUBLISHED["paths"].values()
        for operation in methods.values()
    ]
    duplicates = sorted({name for name in ids if ids.count(name) > 1})
    assert duplicates == []
