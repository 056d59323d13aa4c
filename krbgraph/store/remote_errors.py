"""Network failures and refusals of a SPARQL server as the store's own errors.

A connection refused, or a read cut off (a server killed or restarting), is a server
that is away: a 503 to come back after. An update whose answer was lost is not: it was
sent and may have been committed, and a client told to try again stored a blank-node
insert twice. Messages name the server without a password its URL may carry.

A refusal quotes the server's own reason: a krb service refuses an update of a graph it
maintains itself with 403 and says so, a read-only dataset says it is read-only, and a
message that blamed the credentials for every 403 sent its reader to the wrong place.
"""

from __future__ import annotations

import json
import re
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
        if isinstance(exc, httpx.ReadTimeout) and what == "update":
            # Sent whole, and no answer in time: the server may have committed it (a
            # stalled server that wakes up does), so never "try again".
            raise WriteOutcomeUnknown(
                f"the update reached the SPARQL server at {url} but no answer came within "
                f"{limit}; it may have been stored"
            ) from exc
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


class ServerRefused(StoreError):
    """The server answered with a client error (4xx): it did not carry the request out,
    so an update refused that way stored nothing (krbgraph.store.write_claim withdraws no
    announcement that was never stored)."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


REASON_CHARS = 300
"""How much of a server's reason a message quotes: a sentence or two of its own, not
the whole error page of a proxy."""

_CREDENTIALS = "check KRB_USER and KRB_PASSWORD"


def refusal(response: httpx.Response, url: str, what: str) -> StoreError:
    """The error for a server's answer with an error status. A 401 or 403 quotes the
    server's reason and points to the credentials only when they are the likely cause:
    a 401, or a refusal that gives no reason of its own."""
    body = response.text.strip()
    url = shown_url(url)
    code = response.status_code
    if code == 400 and what in ("query", "update"):
        return QuerySyntaxError.from_message(body or f"the server rejected the {what}")
    if code in (401, 403):
        reason = server_reason(response)
        if not reason:
            message = f"{url} refused the {what} (HTTP {code}); {_CREDENTIALS}"
        elif code == 401:
            message = f"{url} refused the {what} (HTTP 401: {reason}); {_CREDENTIALS}"
        else:
            message = f"{url} refused the {what} (HTTP 403): {reason}"
        return ServerRefused(message, code)
    if code == 404 and what in ("query", "update"):
        # The usual cause: a service's query URL given as if it were a server root, so
        # "/query" was appended to it (`--store http://host:8000/sparql`).
        return ServerRefused(
            f"{what} failed at {url}: HTTP 404, no SPARQL endpoint there. --store "
            "(KRB_STORE) is the root of an `oxigraph serve` (its /query and /update are "
            "used) when KRB_UPDATE_URL is not set, and the query endpoint itself when it "
            "is: for another endpoint, such as a krb service's /sparql, give that as "
            "--store and its update URL (/update) as KRB_UPDATE_URL",
            code,
        )
    message = f"{what} failed at {url}: HTTP {code}: {body[:500]}"
    return ServerRefused(message, code) if 400 <= code < 500 else StoreError(message)


def server_reason(response: httpx.Response) -> str:
    """What the body of an error answer says, on one line and at most REASON_CHARS long:
    the ``detail`` (``message``, ``error_description``, ``error``) of a JSON body such as
    a krb service's, the text of an HTML page, or the plain text; "" when it says no
    more than its status does ("Error 403: Forbidden"), which is no reason to quote."""
    text = response.text.strip()
    if text[:1] in ("{", "["):
        text = _json_reason(text)
    elif text[:1] == "<":
        text = re.sub(r"(?is)<(head|script|style)\b.*?</\1\s*>", " ", text)
        text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    words = ["error", "http", str(response.status_code), re.escape(response.reason_phrase)]
    bare = re.sub(rf"(?i)\b({'|'.join(word for word in words if word)})\b", "", text)
    if not re.search(r"\w", bare):
        return ""
    if len(text) > REASON_CHARS:
        text = text[: REASON_CHARS - 1].rstrip() + "…"
    return text


def _json_reason(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if isinstance(data, dict):
        for key in ("detail", "message", "error_description", "error"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return value
            if isinstance(value, dict | list) and value:
                return json.dumps(value, ensure_ascii=False)
    return text


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
