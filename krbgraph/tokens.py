"""Who is writing: named bearer tokens with a scope, stored hashed.

A deployment gives each person or system its own token, so the audit trail
(krbgraph.audit) can say who changed what, and a token can be limited:

- ``read``: authenticates (for ``/api/history``), may not write;
- ``write``: may write data graphs, optionally only those whose IRI starts
  with a prefix (``graphs = "https://.../graph/wijk-"``); without a prefix
  any data graph and the default graph;
- ``admin``: any data graph and the default graph. ``KRB_TOKEN`` still
  works and is one admin token named ``default``.

Tokens live in a TOML file (KRB_TOKENS_FILE), one table per name::

    [tokens.redactie]
    hash = "sha256:9f86d0..."
    scope = "write"
    graphs = "https://krb.demogemeente.nl/graph/"

The file holds the SHA-256 of each token, never the token, so reading it
(a backup, a config repository) does not let anyone write. A fast hash is
right here, unlike for passwords: `krb token new` makes tokens of 256 random
bits, and nobody can find such a value from its hash by trying, however fast
each try is. Slow, salted hashes (bcrypt, Argon2) exist for secrets people
choose, which are guessable; here they would only cost time on every request.
Hand-chosen tokens are therefore not supported in the file (KRB_TOKEN is
taken as configured, for existing deployments).

A presented token is hashed once and compared with every entry with
`hmac.compare_digest`, always all of them, so the time taken does not tell
which entry (if any) matched.

Names become part of the audit trail and of an IRI there, so they are
limited to letters, digits, ``-`` and ``_``. The file is read once, when
the settings are read; a change takes effect at the next start.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .iris import has_dot_segment

__all__ = [
    "DEFAULT_NAME",
    "GraphNotAllowed",
    "SCOPES",
    "TokenEntry",
    "TokensFileError",
    "Writer",
    "authenticate",
    "configured_tokens",
    "hash_token",
    "new_token",
    "parse_tokens",
    "read_tokens_file",
    "toml_entry",
]

SCOPES = ("read", "write", "admin")
"""What a token may do, least first."""

DEFAULT_NAME = "default"
"""The name of the admin token configured by KRB_TOKEN."""

NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""Token names: a TOML bare key and safe in an IRI; used with fullmatch (a ``$`` also
matched before a final line feed, and a name ending in one broke every write)."""

_HASH = re.compile(r"^sha256:([0-9a-fA-F]{64})$")
_KEYS = {"hash", "scope", "graphs"}


class TokensFileError(ValueError):
    """A tokens file that cannot be read or breaks the format; the message names file and line."""


@dataclass(frozen=True)
class Writer:
    """The holder of a valid token, as the write paths and the audit trail see it."""

    name: str
    scope: str
    graph_prefix: str | None = None
    """Only for scope ``write``: the graphs it may write start with this; None means any."""

    def may_write(self, graph_iri: str | None) -> bool:
        """Whether this token may change ``graph_iri`` (None: the default graph).

        Managed graphs (model, audit) are refused to everyone by the write
        paths themselves; this answers only what the token's scope allows.
        """
        if self.scope == "admin":
            return True
        if self.scope != "write":
            return False
        if self.graph_prefix is None:
            return True
        return (
            graph_iri is not None
            and graph_iri.startswith(self.graph_prefix)
            and not has_dot_segment(graph_iri[len(self.graph_prefix) :])
        )

    @property
    def scoped(self) -> bool:
        """Whether this token may write some graphs only (krbgraph.write_scope)."""
        return self.scope == "write" and self.graph_prefix is not None

    def refusal(self, graph_iri: str | None) -> str:
        """Why this token may not change ``graph_iri``, in Dutch and English."""
        if self.scope == "read":
            return (
                f"Token '{self.name}' mag alleen lezen, niet schrijven. / "
                f"Token '{self.name}' is read-only: it may not write."
            )
        target_nl = "de standaardgraaf" if graph_iri is None else f"<{graph_iri}>"
        target_en = "the default graph" if graph_iri is None else f"<{graph_iri}>"
        if graph_iri is not None and graph_iri.startswith(self.graph_prefix or ""):
            return (
                f"Token '{self.name}': <{graph_iri}> bevat een padsegment '.' of '..', dat een "
                "browser oplost naar een graaf buiten het voorvoegsel. / "
                f"Token '{self.name}': <{graph_iri}> holds a path segment '.' or '..', which "
                "a browser resolves to a graph outside the prefix."
            )
        return (
            f"Token '{self.name}' mag alleen graven wijzigen waarvan de IRI begint met "
            f"<{self.graph_prefix}>; {target_nl} hoort daar niet bij. / "
            f"Token '{self.name}' may only change graphs whose IRI starts with "
            f"<{self.graph_prefix}>; {target_en} does not."
        )


class GraphNotAllowed(PermissionError):
    """The writer's token may not write this graph, or state this fact (its scope);
    nothing was written."""


@dataclass(frozen=True)
class TokenEntry:
    """One configured token: who it is and the SHA-256 digest of the token."""

    writer: Writer
    digest: bytes


def new_token() -> str:
    """A fresh token: 256 random bits, URL-safe text (43 characters)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """``sha256:<hex>`` of a token, the form the tokens file holds."""
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def toml_entry(name: str, scope: str, token: str, graph_prefix: str | None = None) -> str:
    """The lines to add to a tokens file for ``token`` (its hash only).

    Raises ValueError for a name, scope or prefix the file would refuse.
    """
    writer = _writer(name, scope, graph_prefix)
    lines = [
        f"[tokens.{writer.name}]",
        f'hash = "{hash_token(token)}"',
        f'scope = "{writer.scope}"',
    ]
    if writer.graph_prefix is not None:
        lines.append(f'graphs = "{writer.graph_prefix}"')
    return "\n".join(lines) + "\n"


def read_tokens_file(path: str | Path) -> tuple[TokenEntry, ...]:
    """The tokens of a TOML file; raises TokensFileError naming the file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TokensFileError(f"{path}: cannot be read: {reason}") from exc
    return parse_tokens(text, str(path))


def parse_tokens(text: str, source: str = "<tokens>") -> tuple[TokenEntry, ...]:
    """The tokens of a tokens file's text; raises TokensFileError naming source and line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TokensFileError(f"{source}: not valid TOML: {exc}") from exc
    lines = text.splitlines()
    extra = sorted(set(data) - {"tokens"})
    if extra:
        line = _line_of(lines, rf"\[?\s*{re.escape(extra[0])}\b")
        raise TokensFileError(
            f"{source}, line {line}: unknown key {extra[0]!r}; the file holds only [tokens.NAME] "
            "tables"
        )
    tables = data.get("tokens", {})
    if not isinstance(tables, dict):
        raise TokensFileError(f"{source}: 'tokens' must hold tables: [tokens.NAME]")
    entries: list[TokenEntry] = []
    seen: dict[bytes, str] = {}
    for name, table in tables.items():
        header = _header_line(lines, name)
        if not isinstance(table, dict):
            raise TokensFileError(f"{source}, line {header}: tokens.{name} must be a table")

        def error(
            key: str | None, message: str, name: str = name, at: int = header
        ) -> TokensFileError:
            line = _key_line(lines, at, key) if key else at
            return TokensFileError(f"{source}, line {line}: token {name!r}: {message}")

        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise error(unknown[0], f"unknown key {unknown[0]!r}; known: graphs, hash, scope")
        for key in ("hash", "scope"):
            if key not in table:
                raise error(None, f"'{key}' is missing")
            if not isinstance(table[key], str):
                raise error(key, f"'{key}' must be a string")
        graphs = table.get("graphs")
        if graphs is not None and not isinstance(graphs, str):
            raise error("graphs", "'graphs' must be a string (an IRI prefix)")
        try:
            writer = _writer(name, table["scope"], graphs)
        except ValueError as exc:
            reason = str(exc)
            where = "graphs" if "'graphs'" in reason else "scope"
            raise error(None if reason.startswith("name") else where, reason) from None
        match = _HASH.match(table["hash"].strip())
        if not match:
            raise error("hash", "'hash' must be 'sha256:' and 64 hex digits (see krb token new)")
        digest = bytes.fromhex(match[1])
        if digest in seen:
            raise error("hash", f"the same token is also configured as {seen[digest]!r}")
        seen[digest] = name
        entries.append(TokenEntry(writer, digest))
    return tuple(entries)


def configured_tokens(token: str | None, entries: Sequence[TokenEntry]) -> tuple[TokenEntry, ...]:
    """Every token of a service: the tokens file's ``entries`` and ``token`` (KRB_TOKEN,
    Settings.token) as the admin token named ``default``."""
    configured = list(entries)
    if token:
        digest = hashlib.sha256(token.encode("utf-8")).digest()
        configured.append(TokenEntry(Writer(DEFAULT_NAME, "admin"), digest))
    return tuple(configured)


def authenticate(entries: Iterable[TokenEntry], presented: str) -> Writer | None:
    """The holder of ``presented`` among ``entries``, or None when it matches none.

    Every entry is compared, in constant time, whatever matched before.
    """
    digest = hashlib.sha256(presented.encode("utf-8")).digest()
    found: Writer | None = None
    for entry in entries:
        matched = hmac.compare_digest(digest, entry.digest)
        if matched and found is None:
            found = entry.writer
    return found


def _writer(name: str, scope: str, graph_prefix: str | None) -> Writer:
    """A Writer after checking name, scope and prefix; raises ValueError saying which is wrong."""
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"name {name!r} may hold only letters, digits, '-' and '_' (at most 64)")
    if scope not in SCOPES:
        raise ValueError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    if graph_prefix is not None:
        if scope != "write":
            raise ValueError(
                f"'graphs' applies to scope 'write' only; a {scope} token "
                + ("may write every graph" if scope == "admin" else "may write no graph")
            )
        try:
            ox.NamedNode(graph_prefix)
        except ValueError as exc:
            raise ValueError(f"'graphs' {graph_prefix!r} is not an absolute IRI") from exc
    return Writer(name, scope, graph_prefix)


def _header_line(lines: list[str], name: str) -> int:
    """The line of ``[tokens.NAME]`` (1-based); 1 when it cannot be found."""
    pattern = re.compile(rf"^\s*\[\s*tokens\s*\.\s*(\"{re.escape(name)}\"|{re.escape(name)})\s*\]")
    for number, line in enumerate(lines, start=1):
        if pattern.match(line):
            return number
    return 1


def _key_line(lines: list[str], header: int, key: str) -> int:
    """The line of ``key = ...`` in the table starting at ``header``; the header if absent."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number in range(header + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.lstrip().startswith("["):
            break
        if pattern.match(line):
            return number
    return header


def _line_of(lines: list[str], pattern: str) -> int:
    compiled = re.compile(rf"^\s*{pattern}")
    for number, line in enumerate(lines, start=1):
        if compiled.match(line):
            return number
    return 1
