"""Network failures and refusals of a SPARQL server as the store's own errors.

A connection refused, or a read cut off (a server killed or restarting), is a server
that is away: a 503 to come back after. An update whose answer was lost is not: it was
sent and may have been committed, and a client told to try again stored a blank-node
insert twice. Messages name the server without a password its URL may carry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from ..settings import shown_url
from .answers import value_too_long
from .base import (
    QuerySyntaxError,
    QueryTimeout,
    StoreError,
    StoreUnreachable,
    WriteOutcomeUnknown,
)

_GONE = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
"""The connection closed while the request was under way."""


@contextmanager
def http_errors(url: str, what: str, timeout: float | None) -> Iterator[None]:
    """Network failures while sending or reading, as the store's errors."""
    url = shown_url(url)
    try:
        yield
    except httpx.TimeoutException as exc:
        if isinstance(exc, httpx.ConnectTimeout):
            raise StoreUnreachable(f"cannot reach SPARQL server at {url}: timed out") from exc
        limit = f"{timeout:g} s" if timeout is not None else "the time allowed"
        raise QueryTimeout(f"{what} did not finish within {limit} at {url}") from exc
    except httpx.HTTPError as exc:
        if isinstance(exc, httpx.ConnectError):  # refused: nothing was sent
            raise StoreUnreachable(f"cannot reach SPARQL server at {url}: {exc}") from exc
        if isinstance(exc, _GONE) and what == "update":
            # Sent, and the connection closed before the answer: it may have been
            # committed (callers keep the derived graph marked stale, and a client is
            # told to check rather than to send it again).
            raise WriteOutcomeUnknown(
                f"the update reached the SPARQL server at {url} but its answer was lost "
                f"({exc}); it may have been stored"
            ) from exc
        if isinstance(exc, _GONE):  # a read: away (a server killed or restarting)
            raise StoreUnreachable(f"cannot reach SPARQL server at {url}: {exc}") from exc
        raise StoreError(f"cannot reach SPARQL server at {url}: {exc}") from exc
    except httpx.InvalidURL as exc:  # not an HTTPError: a request httpx cannot even write
        raise StoreError(f"{what} cannot be sent to {url}: {exc}") from exc


def refusal(response: httpx.Response, url: str, what: str) -> StoreError:
    body = response.text.strip()
    url = shown_url(url)
    if response.status_code == 400 and what in ("query", "update"):
        return QuerySyntaxError.from_message(body or f"the server rejected the {what}")
    if response.status_code in (401, 403):
        return StoreError(
            f"{url} refused the {what} (HTTP {response.status_code}); check KRB_USER and "
            "KRB_PASSWORD"
        )
    return StoreError(f"{what} failed at {url}: HTTP {response.status_code}: {body[:500]}")


@contextmanager
def graph_store_errors() -> Iterator[None]:
    """A Graph Store answer that does not parse, or holds a value too long for memory,
    as the store's error."""
    try:
        yield
    except SyntaxError as exc:
        raise StoreError(f"the Graph Store sent unreadable RDF: {exc}") from exc
    except MemoryError as exc:
        raise value_too_long(exc) or exc from None
