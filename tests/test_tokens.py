"""Named, scoped tokens: the tokens file, hashing, scope rules and the HTTP gate.

Files are real files on disk, `krb serve` with a broken file is a real
process, and the HTTP checks run against a real uvicorn server on an
embedded store with the demo registry.
"""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import typer
from test_sparql_support import BASE, TIMEOUT, demo_store, same_content, served, snapshot
from typer.testing import CliRunner

from krbgraph import tokens
from krbgraph.audit import audit_quads, record
from krbgraph.commands import tokens as token_commands
from krbgraph.settings import Settings
from krbgraph.store import Store
from krbgraph.tokens import (
    TokensFileError,
    Writer,
    authenticate,
    configured_tokens,
    hash_token,
    new_token,
    parse_tokens,
    read_tokens_file,
)

READER = "lees-" + "r" * 40
EDITOR = "schrijf-" + "w" * 40
ADMIN = "beheer-" + "a" * 40
GELUID = f"{BASE}/graph/geluid"

GOOD = f"""\
# Tokens of the registry service.
[tokens.lezer]
hash = "{hash_token(READER)}"
scope = "read"

[tokens.wijk-noord]
hash = "{hash_token(EDITOR)}"
scope = "write"
graphs = "{BASE}/graph/noord/"

[tokens.beheer]
hash = "{hash_token(ADMIN).upper().replace("SHA256", "sha256")}"
scope = "admin"
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "tokens.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the file -------------------------------------------------------------------------


def test_a_tokens_file_gives_named_scoped_writers(tmp_path: Path) -> None:
    entries = read_tokens_file(write(tmp_path, GOOD))
    assert [entry.writer for entry in entries] == [
        Writer("lezer", "read"),
        Writer("wijk-noord", "write", f"{BASE}/graph/noord/"),
        Writer("beheer", "admin"),
    ]
    assert entries[1].digest == hashlib.sha256(EDITOR.encode()).digest()
    assert entries[2].digest == hashlib.sha256(ADMIN.encode()).digest()  # hex case ignored


def test_the_file_holds_hashes_and_never_the_tokens(tmp_path: Path) -> None:
    text = write(tmp_path, GOOD).read_text(encoding="utf-8")
    for token in (READER, EDITOR, ADMIN):
        assert token not in text
    assert hash_token("abc") == (
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_new_tokens_are_long_random_and_distinct() -> None:
    made = {new_token() for _ in range(50)}
    assert len(made) == 50
    assert all(len(token) >= 43 for token in made)  # 256 bits, base64url


BAD_FILES = [
    pytest.param("[tokens.a\nhash = 1\n", "line 1", "not valid TOML", id="not-toml"),
    pytest.param(
        f'[tokens.a]\nhash = "{hash_token("x")}"\nscope = "wrte"\n',
        "line 3",
        "scope 'wrte' is not one of read, write, admin",
        id="unknown-scope",
    ),
    pytest.param(
        f'[tokens."redactie\\n"]\nhash = "{hash_token("x")}"\nscope = "write"\n',
        "line 1",
        "may hold only letters, digits",
        id="name-ending-in-a-line-feed",
    ),
    pytest.param(
        '# comment\n[tokens.a]\nscope = "read"\nhash = "md5:abc"\n',
        "line 4",
        "'hash' must be 'sha256:' and 64 hex digits",
        id="bad-hash",
    ),
    pytest.param(
        f'[tokens.a]\nhash = "{hash_token("x")}"\n',
        "line 1",
        "'scope' is missing",
        id="no-scope",
    ),
    pytest.param(
        f'[tokens.a]\nhash = "{hash_token("x")}"\nscope = "admin"\ngraphs = "https://x/"\n',
        "line 4",
        "'graphs' applies to scope 'write' only",
        id="graphs-on-admin",
    ),
    pytest.param(
        f'[tokens.a]\nhash = "{hash_token("x")}"\nscope = "write"\ngraphs = "noord/"\n',
        "line 4",
        "is not an absolute IRI",
        id="relative-prefix",
    ),
    pytest.param(
        f'[tokens.a]\nhash = "{hash_token("x")}"\nscope = "read"\nscop = "write"\n',
        "line 4",
        "unknown key 'scop'",
        id="typo-key",
    ),
    pytest.param(
        f'[tokens.a]\nhash = "{hash_token("x")}"\nscope = "read"\n\n'
        f'[tokens.b]\nhash = "{hash_token("x")}"\nscope = "admin"\n',
        "line 6",
        "the same token is also configured as 'a'",
        id="same-token-twice",
    ),
    pytest.param(
        f'[tokens."jan de vries"]\nhash = "{hash_token("x")}"\nscope = "read"\n',
        "line 1",
        "may hold only letters, digits",
        id="name-with-spaces",
    ),
    pytest.param(
        f'[token.a]\nhash = "{hash_token("x")}"\nscope = "read"\n',
        "line 1",
        "unknown key 'token'",
        id="wrong-table",
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_FILES)
def test_a_broken_file_is_one_line_naming_file_and_line(
    tmp_path: Path, text: str, line: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(TokensFileError) as caught:
        read_tokens_file(path)
    error = str(caught.value)
    assert "\n" not in error
    assert error.startswith(str(path))
    assert line in error and message in error, error


def test_a_missing_file_says_it_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(TokensFileError, match="cannot be read"):
        read_tokens_file(tmp_path / "nowhere.toml")


def test_settings_read_the_file_and_keep_krb_token_as_admin_default(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    settings = Settings.from_env({"KRB_TOKENS_FILE": str(path), "KRB_TOKEN": "old-secret"})
    assert [entry.writer.name for entry in settings.tokens] == ["lezer", "wijk-noord", "beheer"]
    assert authenticate(configured_tokens(settings.token, settings.tokens), "old-secret") == Writer(
        "default", "admin"
    )
    assert settings.accepts_writes
    only_readers = Settings(tokens=settings.tokens[:1])
    assert not only_readers.accepts_writes


def test_a_file_token_named_default_conflicts_with_krb_token(tmp_path: Path) -> None:
    path = write(tmp_path, f'[tokens.default]\nhash = "{hash_token("x")}"\nscope = "read"\n')
    assert Settings.from_env({"KRB_TOKENS_FILE": str(path)}).tokens
    with pytest.raises(ValueError, match="names a token 'default'"):
        Settings.from_env({"KRB_TOKENS_FILE": str(path), "KRB_TOKEN": "secret"})


def test_krb_serve_with_a_broken_file_stops_with_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, f'[tokens.a]\nhash = "{hash_token("x")}"\nscope = "wrte"\n')
    script = Path(sys.executable).with_name("krb")
    command = ([str(script)] if script.exists() else [sys.executable, "-m", "krbgraph.cli"]) + [
        "serve",
        "--store",
        str(tmp_path / "store"),
        "--engine",
        "embedded",
    ]
    done = subprocess.run(
        command,
        env={"PATH": "/usr/bin:/bin", "KRB_TOKENS_FILE": str(path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0] and "line 3" in lines[0] and "wrte" in lines[0]
    assert not (tmp_path / "store").exists()


# --- comparing -------------------------------------------------------------------------


def test_the_presented_token_finds_its_holder_and_nothing_else() -> None:
    entries = parse_tokens(GOOD)
    assert authenticate(entries, READER) == Writer("lezer", "read")
    assert authenticate(entries, EDITOR) == Writer("wijk-noord", "write", f"{BASE}/graph/noord/")
    assert authenticate(entries, ADMIN) == Writer("beheer", "admin")
    for wrong in ("", READER[:-1], READER + "x", hash_token(READER), ADMIN.upper()):
        assert authenticate(entries, wrong) is None


def test_every_entry_is_compared_in_constant_time_even_after_a_match(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """compare_digest runs for each entry, the first matching or none, with equal-length
    digests (so the time taken tells nothing about which entry matched)."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    entries = parse_tokens(GOOD)
    for presented in (READER, ADMIN, "wrong"):
        calls.clear()
        authenticate(entries, presented)
        assert len(calls) == len(entries)
        assert all(len(a) == len(b) == 32 for a, b in calls)


# --- scopes ----------------------------------------------------------------------------


def test_scope_and_prefix_decide_which_graphs_a_token_may_write() -> None:
    noord = f"{BASE}/graph/noord/"
    reader = Writer("lezer", "read")
    editor = Writer("wijk-noord", "write", noord)
    anywhere = Writer("redactie", "write")
    admin = Writer("beheer", "admin")
    for graph in (None, f"{noord}parken", GELUID):
        assert not reader.may_write(graph)
        assert anywhere.may_write(graph)
        assert admin.may_write(graph)
    assert editor.may_write(f"{noord}parken")
    assert not editor.may_write(GELUID)
    assert not editor.may_write(None)  # the default graph is outside every prefix
    assert not editor.may_write(f"{BASE}/graph/noord")  # the prefix is matched as text
    # Dot segments start with the prefix but read as another graph's address.
    for sneaky in ("../geluid", "./parken", "a/../../geluid", "%2e%2e/geluid", "a/.."):
        assert not editor.may_write(f"{noord}{sneaky}"), sneaky
        assert "'..'" in editor.refusal(f"{noord}{sneaky}")
    assert editor.may_write(f"{noord}parken.v2/..x")


def test_refusals_say_why_in_dutch_and_english() -> None:
    noord = f"{BASE}/graph/noord/"
    read_only = Writer("lezer", "read").refusal(GELUID)
    assert "mag alleen lezen" in read_only and "read-only" in read_only and "lezer" in read_only
    outside = Writer("wijk-noord", "write", noord).refusal(GELUID)
    assert f"<{noord}>" in outside and f"<{GELUID}>" in outside
    assert "mag alleen graven wijzigen" in outside and "may only change graphs" in outside
    default = Writer("wijk-noord", "write", noord).refusal(None)
    assert "standaardgraaf" in default and "the default graph" in default


# --- krb token new ---------------------------------------------------------------------


def token_cli() -> typer.Typer:
    app = typer.Typer()
    token_commands.register(app)
    return app


def test_token_new_prints_the_token_once_and_lines_with_its_hash_only() -> None:
    prefix = f"{BASE}/graph/noord/"
    result = CliRunner().invoke(
        token_cli(), ["token", "new", "wijk-noord", "--scope", "write", "--graphs", prefix]
    )
    assert result.exit_code == 0, result.output
    token = next(line.strip() for line in result.output.splitlines() if line.startswith("    "))
    lines = result.output[result.output.index("[tokens.") :]
    assert token not in lines
    entries = parse_tokens(lines)
    assert authenticate(entries, token) == Writer("wijk-noord", "write", prefix)


def test_token_new_refuses_what_the_file_would_refuse() -> None:
    # A name ending in a line feed passed a check with "$", and every write with the
    # token then failed (500) where the audit made an IRI of its name.
    for args in (
        ["jan de vries"],
        ["redactie\n"],
        ["beheer", "--scope", "admin", "--graphs", "https://x/"],
    ):
        result = CliRunner().invoke(token_cli(), ["token", "new", *args])
        assert result.exit_code == 2
        assert "[tokens." not in result.output


# --- over HTTP -------------------------------------------------------------------------

RENAME = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
WITH <{GELUID}>
DELETE {{ ?norm rdfs:label ?old }}
INSERT {{ ?norm rdfs:label "Gevelbelasting ten hoogste 48 dB(A)"@nl }}
WHERE {{ ?norm dct:identifier "GEL-N01" ; rdfs:label ?old }}
"""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post_update(url: str, token: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/sparql-update"}
    if token is not None:
        headers |= bearer(token)
    return httpx.post(f"{url}/sparql", content=RENAME.encode(), headers=headers, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Settings]]:
    store, settings = demo_store(
        tmp_path_factory.mktemp("tokens"), token=None, tokens=parse_tokens(GOOD)
    )
    yield store, settings
    store.close()


def test_a_read_token_may_not_write(demo: tuple[Store, Settings], tmp_path: Path) -> None:
    store, settings = demo
    before = snapshot(store, tmp_path)
    with served(store, settings) as url:
        refused = post_update(url, READER)
        assert refused.status_code == 403
        assert "read-only" in refused.json()["detail"] and "lezer" in refused.json()["detail"]
        assert post_update(url, None).status_code == 401
        wrong = post_update(url, READER + "x")
        assert wrong.status_code == 401
        assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert same_content(before, snapshot(store, tmp_path))


def test_an_admin_token_from_the_file_writes(demo: tuple[Store, Settings], tmp_path: Path) -> None:
    store, settings = demo
    before = snapshot(store, tmp_path)
    with served(store, settings) as url:
        assert post_update(url, ADMIN).status_code in (200, 204)
    assert not same_content(before, snapshot(store, tmp_path))


def test_a_service_with_only_read_tokens_is_read_only(demo: tuple[Store, Settings]) -> None:
    store, settings = demo
    with served(store, replace(settings, tokens=parse_tokens(GOOD)[:1])) as url:
        refused = post_update(url, READER)
        assert refused.status_code == 403
        assert "This service is read-only" in refused.json()["detail"]


def test_history_needs_a_token_of_any_scope(demo: tuple[Store, Settings]) -> None:
    store, settings = demo
    record(store, audit_quads("wijk-noord", datetime.now(UTC), [GELUID], 2, 1, "INSERT ..."))
    with served(store, settings) as url:
        anonymous = httpx.get(f"{url}/api/history", timeout=TIMEOUT)
        assert anonymous.status_code == 401
        answer = httpx.get(f"{url}/api/history", headers=bearer(READER), timeout=TIMEOUT)
        assert answer.status_code == 200, answer.text
        newest = answer.json()[0]
        assert newest["writer"] == "wijk-noord"
        assert newest["graphs"] == [GELUID]
        assert (newest["added"], newest["removed"]) == (2, 1)
        bad = httpx.get(
            f"{url}/api/history", params={"limit": 0}, headers=bearer(READER), timeout=TIMEOUT
        )
        assert bad.status_code == 422
    with served(store, replace(settings, tokens=())) as url:
        closed = httpx.get(f"{url}/api/history", headers=bearer(READER), timeout=TIMEOUT)
        assert closed.status_code == 403


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


UPLOADS_REFUSED = [
    (EDITOR, GELUID),  # outside the token's prefix .../graph/noord/
    (EDITOR, None),  # the default target .../graph/excel/<file> is outside it too
    (ADMIN, "https://data.krb.nl/graph/audit"),  # kept by the service
]


def test_a_workbook_upload_a_token_may_not_write_is_403_as_on_the_graph_store(
    demo: tuple[Store, Settings], tmp_path: Path
) -> None:
    """The upload's refusal was a 500 (scope) or a 400 (a managed graph), where the same
    write through the Graph Store is a 403 naming why.

    The cases of UPLOADS_REFUSED share one server and one export of the workbook (a
    server start parses the shapes and copies the store, seconds each); each is checked
    on its own, the store unchanged after each, and a failure names its case."""
    store, settings = demo
    before = snapshot(store, tmp_path)
    with served(store, settings) as url:
        workbook = httpx.get(f"{url}/api/export/excel", timeout=TIMEOUT).content
        for token, graph in UPLOADS_REFUSED:
            case = (token.split("-")[0], graph)  # the token by its name, and the target
            params = {"graph": graph} if graph else {}
            refused = httpx.post(
                f"{url}/api/import/excel",
                params=params,
                files={"file": ("beleid.xlsx", workbook, XLSX)},
                headers=bearer(token),
                timeout=TIMEOUT,
            )
            assert refused.status_code == 403, (case, refused.text)
            if graph:
                gsp = httpx.put(
                    f"{url}/store",
                    params={"graph": graph},
                    content=b"",
                    headers={**bearer(token), "Content-Type": "text/turtle"},
                    timeout=TIMEOUT,
                )
                assert gsp.status_code == 403, (case, gsp.text)
            assert same_content(before, snapshot(store, tmp_path)), case


PLAN = f"{BASE}/id/besluitdocument/GEL-2030"
"""A document of the demo, in a graph outside the token wijk-noord's prefix."""
NOORD = f"{BASE}/graph/noord/eigen"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREFIXES = (
    "PREFIX adms: <http://www.w3.org/ns/adms#> PREFIX dct: <http://purl.org/dc/terms/> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
)


FACTS_ABOUT_ANOTHER_GRAPHS_THINGS = {
    # Another department's plan withdrawn, by a triple in the writer's own graph.
    "status": f"<{PLAN}> adms:status <https://data.krb.nl/id/begrip/status/ingetrokken> .",
    # A plan of the writer's own said to replace it: ends it as well.
    "replaces": f"<{BASE}/id/besluitdocument/NOORD-1> "
    "a <https://data.krb.nl/def/krb#Besluitdocument> ; "
    f'rdfs:label "Eigen plan"@nl ; dct:replaces <{PLAN}> .',
}


def test_a_scoped_token_may_not_state_facts_about_another_graphs_things(
    demo: tuple[Store, Settings], tmp_path: Path
) -> None:
    """A scope by graph only let one department end another's policy for every reader
    with a triple in its own graph, which the other could neither see in its history
    nor remove.

    Both cases share one server (a start parses the shapes and copies the store); each
    is checked on its own, the store unchanged after each, and a failure names it."""
    store, settings = demo
    before = snapshot(store, tmp_path)
    with served(store, settings) as url:
        for case, facts in FACTS_ABOUT_ANOTHER_GRAPHS_THINGS.items():
            update = f"{PREFIXES} INSERT DATA {{ GRAPH <{NOORD}> {{ {facts} }} }}"
            refused = httpx.post(
                f"{url}/sparql",
                content=update.encode(),
                headers={"Content-Type": "application/sparql-update"} | bearer(EDITOR),
                timeout=TIMEOUT,
            )
            assert refused.status_code == 403, (case, refused.text)
            detail = refused.json()["detail"]
            assert f"<{PLAN}> is described in <" in detail and "wijk-noord" in detail, case
            assert "Refer to it from a thing of your own" in detail, case
            turtle = "@prefix adms: <http://www.w3.org/ns/adms#> . @prefix dct: "
            turtle += "<http://purl.org/dc/terms/> . "
            turtle += "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . " + facts
            put = httpx.put(
                f"{url}/store",
                params={"graph": NOORD},
                content=turtle.encode(),
                headers={"Content-Type": "text/turtle"} | bearer(EDITOR),
                timeout=TIMEOUT,
            )
            assert put.status_code == 403, (case, put.text)
            assert same_content(before, snapshot(store, tmp_path)), case


def test_a_scoped_token_may_point_at_another_graphs_things_from_its_own(
    demo: tuple[Store, Settings],
) -> None:
    """What the cross-links are made of: a fact about the writer's own thing whose object
    is another department's."""
    store, settings = demo
    note = f"{BASE}/id/notitie/noord-1"
    with served(store, settings) as url:
        update = (
            f"{PREFIXES} INSERT DATA {{ GRAPH <{NOORD}> {{ <{note}> rdfs:seeAlso <{PLAN}> ; "
            'rdfs:label "Zie het geluidplan"@nl } }'
        )
        answer = httpx.post(
            f"{url}/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update"} | bearer(EDITOR),
            timeout=TIMEOUT,
        )
        assert answer.status_code in (200, 204), answer.text
        # An admin token may still state anything.
        fact = f'<{PLAN}> rdfs:comment "Besproken met wijk noord"@nl'  # not a shape's
        admin = httpx.post(
            f"{url}/sparql",
            content=f"{PREFIXES} INSERT DATA {{ GRAPH <{NOORD}> {{ {fact} }} }}".encode(),
            headers={"Content-Type": "application/sparql-update"} | bearer(ADMIN),
            timeout=TIMEOUT,
        )
        assert admin.status_code in (200, 204), admin.text
    assert store.read_graph(NOORD)


def test_a_scoped_token_posting_to_the_store_gets_a_new_graph_of_its_own(
    demo: tuple[Store, Settings],
) -> None:
    """POST /store without a graph names a new graph; for a scoped token one it may
    write (it was refused, naming a random graph the client never chose)."""
    store, settings = demo
    with served(store, settings) as url:
        answer = httpx.post(
            f"{url}/store",
            content=f'<{BASE}/id/notitie/noord-2> <{RDFS_LABEL}> "x" .',
            headers={"Content-Type": "application/n-triples"} | bearer(EDITOR),
            timeout=TIMEOUT,
        )
        assert answer.status_code == 201, answer.text
        assert answer.headers["location"].startswith(f"{BASE}/graph/noord/")
    assert store.read_graph(answer.headers["location"])
