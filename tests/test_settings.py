"""Settings as an operator gives them: a wrong one is refused when it is read, naming
its variable, instead of failing at every request or with a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from krbgraph.settings import Settings
from krbgraph.store import StoreError, open_store


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KRB_QUERY_TIMEOUT_S", "0"),
        ("KRB_QUERY_TIMEOUT_S", "-5"),
        ("KRB_QUERY_TIMEOUT_S", "nan"),
        ("KRB_UPDATE_TIMEOUT_S", "-1"),
        ("KRB_WRITE_WAIT_S", "nan"),
        ("KRB_WRITE_WAIT_S", "inf"),
        ("KRB_QUERY_PENALTY_S", "-0.5"),
        ("KRB_PORT", "70000"),
        ("KRB_PORT", "-1"),
        ("KRB_MAX_RESULT_ROWS", "-1"),
        ("KRB_MAX_UPLOAD_MB", "0"),
        ("KRB_QUERY_TOTAL", "-2"),
        ("KRB_ENGINE_MEMORY_MB", "-1"),
        ("KRB_BASE_IRI", "gemeente.nl"),
        ("KRB_BASE_IRI", "https://gemeente.nl?x=1"),
        ("KRB_BASE_IRI", "https://gemeente.nl/#"),
        ("KRB_BASE_IRI", "urn:gemeente"),
        ("KRB_STORE", "ftps://server/krb"),
        ("KRB_STORE", "file:///var/krb"),
    ],
)
def test_a_wrong_setting_is_refused_naming_its_variable(variable: str, value: str) -> None:
    with pytest.raises(ValueError, match=variable):
        Settings.from_env({variable: value})


def test_settings_are_read_as_they_are_meant() -> None:
    settings = Settings.from_env(
        {
            # A secret made from a file ends in a newline no client sends.
            "KRB_TOKEN": "een-token-van-minstens-32-tekens-lang\n",
            # Copied from the address bar; browsers send an Origin without a path.
            "KRB_CORS_ORIGINS": "https://portaal.gemeente.nl/, https://kaart.gemeente.nl",
            # URL schemes are case-insensitive (RFC 3986, 3.1).
            "KRB_STORE": "HTTP://sparql.gemeente.nl:7878",
            "KRB_UPDATE_TIMEOUT_S": "0",  # no limit, as documented
        }
    )
    assert settings.token == "een-token-van-minstens-32-tekens-lang"
    assert settings.cors_origins == ("https://portaal.gemeente.nl", "https://kaart.gemeente.nl")
    assert settings.is_remote and settings.store == "http://sparql.gemeente.nl:7878"
    assert settings.update_timeout_s == 0


def test_an_option_on_the_command_line_is_checked_too() -> None:
    with pytest.raises(ValueError, match="KRB_STORE"):
        Settings.from_env({}, store="ftps://server/krb")


def test_a_password_in_the_store_url_stays_out_of_every_message(tmp_path: Path) -> None:
    """It was printed in every error and logged for every request while the server was
    away; it is still sent (as HTTP Basic), per URL: a reader for queries and a writer
    for updates keep their own."""
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"http://beheer:Geheim%21@127.0.0.1:{port}/krb"
    settings = Settings.from_env({"KRB_STORE": url})
    assert settings.store == url  # the URL as given: httpx sends its credentials
    with pytest.raises(StoreError) as refused, open_store(settings) as store:
        store.query("ASK {}")
    assert "Geheim" not in str(refused.value)
    assert "127.0.0.1" in str(refused.value)
