"""Fixtures of the reliability tests; tests/ goes on the import path for the shared helpers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:  # live_server and test_sparql_support live in tests/
    sys.path.insert(0, str(TESTS))

from reliability_support import Server, krb_serve  # noqa: E402


@pytest.fixture(scope="session")
def krb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One `krb serve --demo` process for the session (see reliability_support)."""
    with krb_serve(tmp_path_factory.mktemp("krb-serve")) as server:
        yield server
