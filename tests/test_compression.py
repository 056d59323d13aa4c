"""Answers are compressed for clients that ask (Accept-Encoding: gzip), and only then:
a research answer or a theme page of a large registry is megabytes of JSON or HTML."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from test_sparql_support import demo_store

from krbgraph.web.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store, config = demo_store(tmp_path_factory.mktemp("gzip"))
    with store, TestClient(create_app(config, store=store)) as client:
        yield client


def _raw(client: TestClient, path: str, encoding: str | None) -> tuple[int, httpx.Headers, bytes]:
    """The answer as sent: httpx would otherwise undo the compression before we look."""
    headers = {"Accept-Encoding": encoding} if encoding else {"Accept-Encoding": "identity"}
    with client.stream("GET", path, headers=headers) as answer:
        return answer.status_code, answer.headers, b"".join(answer.iter_raw())


@pytest.mark.parametrize(
    "path",
    [
        "/api/normtoets",
        "/",
        "/api/queries/beleidsketen?format=csv",
        "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%20500",
    ],
)
def test_a_client_that_asks_gets_the_same_answer_compressed(client: TestClient, path: str) -> None:
    status, headers, plain = _raw(client, path, None)
    packed_status, packed_headers, packed = _raw(client, path, "gzip")
    assert status == packed_status == 200
    assert "content-encoding" not in headers
    assert packed_headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed_headers.get("vary", "").lower()
    assert gzip.decompress(packed) == plain
    assert len(packed) < len(plain) / 2


def test_a_workbook_is_sent_as_it_is(client: TestClient) -> None:
    """An .xlsx is a zip already: compressing it again costs time and saves nothing."""
    status, headers, body = _raw(client, "/api/export/excel", "gzip")
    assert status == 200, body[:500]
    assert "content-encoding" not in headers
    assert body[:2] == b"PK"
