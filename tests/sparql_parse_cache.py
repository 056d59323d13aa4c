"""rdflib's SPARQL queries parsed once per text, for tests that run pySHACL many times.

pySHACL sends each SHACL-SPARQL constraint to rdflib as text, once per focus node
(with the node in ``initBindings``), and rdflib parses that text again every time: of a
pySHACL run over the KRB shapes, some three quarters went to pyparsing. A parsed and
translated query is what rdflib's own ``prepareQuery`` makes for reuse with other
bindings, and evaluating it leaves it as it was (rdflib.plugins.sparql.evaluate.evalQuery
reads its algebra and prologue), so keeping one per (text, base, namespaces) changes no
answer, only how often the same text is parsed.

Usage in a test module::

    from sparql_parse_cache import sparql_parsed_once_fixture

    sparql_parsed_once = sparql_parsed_once_fixture()   # module-scoped, autouse
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest
from rdflib.plugins.sparql import processor
from rdflib.plugins.sparql.sparql import Query


@contextmanager
def sparql_parsed_once() -> Iterator[dict[tuple[object, ...], Query]]:
    """Within the block, SPARQLProcessor.query parses and translates each distinct query
    text once; yields the cache (its size shows it was used)."""
    cache: dict[tuple[object, ...], Query] = {}
    real = processor.SPARQLProcessor.query

    def query(
        self: processor.SPARQLProcessor,
        strOrQuery: str | Query,  # noqa: N803  (rdflib's names)
        initBindings: Mapping[str, Any] | None = None,  # noqa: N803
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            key = (
                strOrQuery,
                base,
                tuple(sorted((str(k), str(v)) for k, v in (initNs or {}).items())),
            )
            prepared = cache.get(key)
            if prepared is None:
                prepared = processor.translateQuery(processor.parseQuery(strOrQuery), base, initNs)
                cache[key] = prepared
            strOrQuery = prepared
        return real(self, strOrQuery, initBindings, initNs, base, DEBUG)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(processor.SPARQLProcessor, "query", query)
        yield cache


def sparql_parsed_once_fixture() -> Callable[..., Any]:
    """An autouse module-scoped fixture keeping sparql_parsed_once on for the module."""

    @pytest.fixture(scope="module", autouse=True, name="sparql_parsed_once")
    def _parsed_once() -> Iterator[dict[tuple[object, ...], Query]]:
        with sparql_parsed_once() as cache:
            yield cache

    return _parsed_once
