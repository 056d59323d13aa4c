"""Configuration shared by the CLI and the server.

Read from the environment when asked (never at import time), each setting with
a matching CLI option. See the README for the full table.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .iris import DEFAULT_BASE_IRI
from .registry_day import DEFAULT_ZONE, time_zone
from .tokens import DEFAULT_NAME, TokenEntry, read_tokens_file

ENGINES = ("embedded", "supervised")
"""How a store folder is run: in this process, or in an `oxigraph serve` child process."""


def default_store_path() -> Path:
    """var/store inside a source checkout; var/store in the working folder otherwise
    (an installed package must never write into its own site-packages)."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "ontology").is_dir():
        return checkout / "var" / "store"
    return Path.cwd() / "var" / "store"


@dataclass(frozen=True)
class Settings:
    store: str = field(default_factory=lambda: str(default_store_path()))
    """A folder (embedded Oxigraph store) or an http(s) URL (SPARQL 1.1 server)."""
    base_iri: str = DEFAULT_BASE_IRI
    base_iri_given: bool = False
    """Whether ``base_iri`` came from KRB_BASE_IRI or --base-iri rather than the default
    (the demo's): a write under a default nobody chose is checked (krbgraph.base_check)."""
    token: str | None = None
    """Bearer token that enables writes over HTTP: an admin token named "default"."""
    tokens: tuple[TokenEntry, ...] = ()
    """Named, scoped tokens from the file KRB_TOKENS_FILE (see krbgraph.tokens), hashed."""
    query_timeout_s: float = 30.0
    update_url: str | None = None
    """Remote only: SPARQL Update endpoint when it differs from the query URL."""
    graph_store_url: str | None = None
    """Remote only: Graph Store Protocol endpoint when it differs."""
    user: str | None = None
    password: str | None = None
    cors_origins: tuple[str, ...] = ()
    """Origins allowed to call the HTTP service from a browser (KRB_CORS_ORIGINS,
    comma-separated)."""
    max_result_rows: int = 100_000
    """Largest answer (SELECT rows or CONSTRUCT/DESCRIBE triples) the HTTP service returns
    before answering with an error."""
    max_result_mb: int = 64
    """Most text the values of such an answer may hold (MiB, each value counted each time
    a row holds it): rows alone let 500 values of 1 MiB each through (1.6 GB of memory)."""
    host: str = "127.0.0.1"
    port: int = 8000
    engine: str = "embedded"
    """How a store folder is run (KRB_ENGINE): "embedded" (pyoxigraph in this process) or
    "supervised" (one `oxigraph serve` child process, killed and restarted when a query
    overruns; what `krb serve` uses unless told otherwise). Ignored for a server URL."""
    engine_memory_mb: int = 2048
    """Supervised engine: its memory limit in MB (address space, KRB_ENGINE_MEMORY_MB);
    0 means no limit."""
    max_upload_mb: int = 50
    """Largest request body an upload may have, in MB (KRB_MAX_UPLOAD_MB); larger ones get
    413 before they are read."""
    max_workbook_uncompressed_mb: int = 200
    """Largest size a workbook may unpack to, in MB (KRB_MAX_WORKBOOK_UNCOMPRESSED_MB)."""
    max_workbook_rows: int = 100_000
    """Most rows one workbook sheet may have (KRB_MAX_WORKBOOK_ROWS)."""
    write_wait_s: float = 10.0
    """How long a write waits for the one running before it gets 503 with Retry-After
    (KRB_WRITE_WAIT_S)."""
    update_timeout_s: float = 120.0
    """How long a client's SPARQL update may run on the validation copy before it is
    refused with 503 (KRB_UPDATE_TIMEOUT_S): the engine cannot stop an update, so without
    a limit one joining everything with everything held the write lock for hours."""
    query_per_client: int = 2
    """Most SPARQL queries written by users (endpoint, query page) one client may run at
    once (KRB_QUERY_PER_CLIENT); a further one waits a second, then gets 429. 0: no limit."""
    query_total: int = field(default_factory=lambda: 2 * max(2, os.cpu_count() or 2))
    """Most SPARQL queries written by users all clients together run at once
    (KRB_QUERY_TOTAL); a further one waits a second, then gets 429. 0: no limit.
    By default two per core (at least 4): above the per-client limit, so one
    address never closes the endpoint to others, and a ceiling on what runaways
    sent from many addresses can hold. Lower it on a small machine to keep cores
    for the pages, at the price of 429s for users' SPARQL while it is full."""
    query_penalty_s: float = 300.0
    """How long a client and a query text that ran into the time limit stay marked
    (KRB_QUERY_PENALTY_S): meanwhile their queries run one at a time for the whole
    service, and get 429 at once while one runs or, after one overran, for the time
    limit. 0: no marks."""
    query_lane_timeout_s: float = 2.0
    """The time limit of a marked client's or text's queries (KRB_QUERY_LANE_TIMEOUT_S;
    at most query_timeout_s): a runaway sent again and again then holds a core for this
    long per try instead of the whole time limit, as the engine cannot stop a query
    sooner than by its limit."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks of reverse proxies whose X-Forwarded-For and -Proto `krb serve`
    believes (KRB_TRUSTED_PROXIES, comma-separated; "*" trusts everyone). None by default:
    a client is then the address that connects."""
    time_zone: str = DEFAULT_ZONE
    """The IANA zone whose day "today" is (KRB_TIMEZONE; krbgraph.registry_day reads it
    from the environment; here it is checked once, so a wrong name stops a command)."""

    def __post_init__(self) -> None:
        """Every setting in its range, named by its variable, when it is made: a wrong
        one failed later, at every request (a row limit of -1) or with a traceback."""
        if self.engine not in ENGINES:
            raise ValueError(f"engine {self.engine!r} is not one of {', '.join(ENGINES)}")
        for name, check in (("store", _store), ("base_iri", _base_iri)):
            try:  # also what a command-line option gave, which from_env does not convert
                object.__setattr__(self, name, check(getattr(self, name)))
            except ValueError as exc:
                raise ValueError(f"{_named(name)} {getattr(self, name)!r}: {exc}") from None
        for name in ("engine_memory_mb", "query_per_client", "query_total"):
            if getattr(self, name) < 0:
                raise ValueError(f"{_named(name)} is {getattr(self, name)}; it may not be negative")
        for name in ("query_penalty_s", "write_wait_s", "update_timeout_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{_named(name)} is {value}; give 0 or more seconds")
        for name in ("query_timeout_s", "query_lane_timeout_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{_named(name)} is {value}; give a time limit above 0 seconds")
        for name in (
            "max_upload_mb",
            "max_workbook_uncompressed_mb",
            "max_workbook_rows",
            "max_result_rows",
            "max_result_mb",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{_named(name)} is {getattr(self, name)}; it must be at least 1")
        if not 0 <= self.port <= 65535:  # 0: one the system picks
            raise ValueError(f"{_named('port')} is {self.port}; a TCP port is 0 to 65535")
        if self.token and any(entry.writer.name == DEFAULT_NAME for entry in self.tokens):
            raise ValueError(
                f"the tokens file names a token {DEFAULT_NAME!r}, the name KRB_TOKEN has; "
                "rename it or leave KRB_TOKEN unset"
            )

    @property
    def accepts_writes(self) -> bool:
        """Whether any configured token may write (KRB_TOKEN or a write or admin token)."""
        return bool(self.token) or any(entry.writer.scope != "read" for entry in self.tokens)

    @property
    def lane_timeout_s(self) -> float:
        """The time limit of queries in the lane of marked clients and texts: the lane's
        own, never more than the service's (which has none at 0)."""
        if not self.query_timeout_s:
            return self.query_lane_timeout_s
        return min(self.query_lane_timeout_s, self.query_timeout_s)

    @property
    def is_remote(self) -> bool:
        return self.store.lower().startswith(("http://", "https://"))

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from KRB_* variables; explicit overrides (CLI options) win when not None."""
        env = os.environ if environ is None else environ
        settings = cls()
        # Field name -> value; each converter returns its field's type, which a static
        # type cannot express for a table of fields, so the values are Any here.
        values: dict[str, Any] = {}
        for name, var, convert in _VARIABLES:
            raw = env.get(var)
            if raw and overrides.get(name) is None:
                try:
                    values[name] = convert(raw)
                except ValueError as exc:
                    raise ValueError(f"{var}={raw!r} is not valid: {exc}") from exc
        # An option given wins over its variable, which is then not read at all (a
        # malformed KRB_QUERY_TIMEOUT_S stopped a command given --timeout 5); the option
        # is checked as the variable would be (__post_init__).
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "base_iri" in values:
            values.setdefault("base_iri_given", True)
        return replace(settings, **values)


def shown_url(url: str) -> str:
    """``url`` for a message or a log line: without a password it may carry
    (``http://user:password@host/`` works, sent as HTTP Basic, but the URL is in every
    message about its server)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


_OPTION = {
    "store": "--store",
    "base_iri": "--base-iri",
    "query_timeout_s": "--timeout",
    "host": "--host",
    "port": "--port",
    "engine": "--engine",
}
"""The command-line options that give a setting too."""


def _named(field_name: str) -> str:
    """How a message names a setting: its variable, and its option where it has one (a
    wrong --timeout was reported as KRB_QUERY_TIMEOUT_S, which the user never set)."""
    variable = _VARIABLE.get(field_name, field_name)
    option = _OPTION.get(field_name)
    return f"{variable} (or {option})" if option else variable


def _seconds(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise ValueError("give a number of seconds")
    return value


def _token(raw: str) -> str:
    # A secret made from a file ends in a newline, which a client never sends: every
    # write was refused as an invalid token, and nothing said why.
    return raw.strip()


def _store(raw: str) -> str:
    """A folder, or an http(s) URL (its scheme in any case, RFC 3986 3.1); anything else
    with a scheme was taken for a folder named after it, and a store made there."""
    store = raw.strip()
    scheme, separator, rest = store.partition("://")
    if separator and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        if scheme.lower() not in ("http", "https"):
            raise ValueError("a store is a folder or an http(s) URL of a SPARQL server")
        return f"{scheme.lower()}://{rest}"
    return store


def _base_iri(raw: str) -> str:
    """An absolute http(s) IRI without query or fragment: the registry's IRIs and graph
    names are made by appending to it (a base of gemeente.nl failed at the first write,
    naming the client's data as the problem)."""
    base = raw.strip()
    parts = urlsplit(base)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError("give an absolute http(s) IRI, such as https://krb.gemeente.nl")
    if parts.query or parts.fragment or "?" in base or "#" in base:
        raise ValueError("the base IRI may have no query (?) or fragment (#)")
    return base


def _time_zone(raw: str) -> str:
    time_zone(raw.strip())
    return raw.strip()


def _engine(raw: str) -> str:
    engine = raw.strip().lower()
    if engine not in ENGINES:
        raise ValueError(f"use one of {', '.join(ENGINES)}")
    return engine


def _origins(raw: str) -> tuple[str, ...]:
    """Origins as browsers send them: scheme, host and port, no path (RFC 6454). One
    copied from the address bar ends in "/" and never matched; it is taken without."""
    return tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())


def _proxies(raw: str) -> tuple[str, ...]:
    """Addresses and networks (10.0.0.0/8) of trusted proxies, or "*"."""
    proxies = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
    for proxy in proxies:
        if proxy != "*":
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"{proxy!r} is not an IP address or network") from None
    return proxies


_VARIABLES: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    ("store", "KRB_STORE", _store),
    ("base_iri", "KRB_BASE_IRI", _base_iri),
    ("token", "KRB_TOKEN", _token),
    ("tokens", "KRB_TOKENS_FILE", read_tokens_file),
    ("query_timeout_s", "KRB_QUERY_TIMEOUT_S", _seconds),
    ("update_url", "KRB_UPDATE_URL", str),
    ("graph_store_url", "KRB_GRAPH_STORE_URL", str),
    ("user", "KRB_USER", str),
    ("password", "KRB_PASSWORD", str),
    ("cors_origins", "KRB_CORS_ORIGINS", _origins),
    ("max_result_rows", "KRB_MAX_RESULT_ROWS", int),
    ("max_result_mb", "KRB_MAX_RESULT_MB", int),
    ("host", "KRB_HOST", str),
    ("port", "KRB_PORT", int),
    ("engine", "KRB_ENGINE", _engine),
    ("engine_memory_mb", "KRB_ENGINE_MEMORY_MB", int),
    ("max_upload_mb", "KRB_MAX_UPLOAD_MB", int),
    ("max_workbook_uncompressed_mb", "KRB_MAX_WORKBOOK_UNCOMPRESSED_MB", int),
    ("max_workbook_rows", "KRB_MAX_WORKBOOK_ROWS", int),
    ("write_wait_s", "KRB_WRITE_WAIT_S", _seconds),
    ("update_timeout_s", "KRB_UPDATE_TIMEOUT_S", _seconds),
    ("query_per_client", "KRB_QUERY_PER_CLIENT", int),
    ("query_total", "KRB_QUERY_TOTAL", int),
    ("query_penalty_s", "KRB_QUERY_PENALTY_S", _seconds),
    ("query_lane_timeout_s", "KRB_QUERY_LANE_TIMEOUT_S", _seconds),
    ("trusted_proxies", "KRB_TRUSTED_PROXIES", _proxies),
    ("time_zone", "KRB_TIMEZONE", _time_zone),
)
"""Field, environment variable and converter of every setting read from the environment."""
_VARIABLE = {name: var for name, var, _convert in _VARIABLES}
