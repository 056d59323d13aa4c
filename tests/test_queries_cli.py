"""`krb queries` and `krb query` as a user types them, on an embedded store with the demo."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from krbgraph.commands import queries as query_commands
from krbgraph.model import project_root
from krbgraph.settings import Settings
from krbgraph.store import ensure_model, open_store

DEMO_FILES = sorted((project_root() / "examples" / "demo").glob("*.ttl"))


def make_app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    query_commands.register(app)
    return app


APP = make_app()


@pytest.fixture(scope="module")
def store_folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("cli") / "db"
    with open_store(Settings(store=str(folder))) as store:
        ensure_model(store)
        store.load_files({"https://krb.demogemeente.nl/id/graph/demo": DEMO_FILES}, replace=True)
    return str(folder)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(APP, list(args), env={"COLUMNS": "250"})
    return result.exit_code, result.stdout, result.stderr


def test_queries_lists_names_titles_and_parameters() -> None:
    code, out, _ = invoke("queries")
    assert code == 0
    assert "dwarsverbanden-maatregel" in out
    assert "maatregel: iri (required)" in out
    assert "datum: date = today" in out


def test_queries_markdown_is_the_docs_page() -> None:
    code, out, _ = invoke("queries", "--format", "markdown")
    assert code == 0
    assert out == (project_root() / "docs" / "queries.md").read_text(encoding="utf-8")


def test_query_prints_a_readable_table_with_labels(store_folder: str) -> None:
    code, out, _ = invoke(
        "query", "dwarsverbanden-maatregel", "--param", "maatregel=BOU-M02", "--store", store_folder
    )
    assert code == 0, out
    assert "Comfort boxes op geluidsdruk gevel" in out
    assert "unit:DeciB_A" in out  # IRIs shortened in the table only
    assert "https://" not in out
    assert "3 rows" in out


def test_query_csv_and_tsv_follow_the_w3c_formats(store_folder: str) -> None:
    args = ("query", "dwarsverbanden-maatregel", "-p", "maatregel=BOU-M02", "--store", store_folder)
    code, out, _ = invoke(*args, "--format", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert {(r["thema_label"], r["dwarsverband"]) for r in table} == {
        ("Bouwen", "false"),
        ("Geluid", "true"),
        ("Gezondheid", "true"),
    }
    assert {r["maatregel"] for r in table} == {
        "https://krb.demogemeente.nl/id/beleidsmaatregel/BOU-M02"
    }
    code, out, _ = invoke(*args, "--format", "tsv")
    assert code == 0
    header, *lines = out.splitlines()
    assert header.startswith("?maatregel\t?maatregel_label")
    assert any('"-2"^^<http://www.w3.org/2001/XMLSchema#decimal>' in line for line in lines)
    assert all('"Comfort boxes"@nl' in line for line in lines)


def test_query_json_is_sparql_results_json(store_folder: str) -> None:
    code, out, _ = invoke(
        "query", "geldig-op", "-p", "datum=2020-01-01", "--format", "json", "--store", store_folder
    )
    assert code == 0
    document = json.loads(out)
    assert document["head"]["vars"][:3] == ["soort", "object", "object_label"]
    bindings = document["results"]["bindings"]
    first = bindings[0]
    assert first["object"]["type"] == "uri"
    assert first["object_label"] == {
        "type": "literal",
        "value": first["object_label"]["value"],
        "xml:lang": "nl",
    }
    assert all("start" not in b for b in bindings)  # unbound variables are left out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("query", "bestaat-niet"), "unknown query 'bestaat-niet'; known queries:"),
        (("query", "geldig-op", "-p", "kleur=rood"), "no parameter 'kleur'; parameters: datum"),
        (("query", "geldig-op", "-p", "datum"), "expected name=value"),
        (("query", "geldig-op", "-p", "datum=1-1-2025"), "'1-1-2025' is not a date"),
        (("query", "dwarsverbanden-maatregel"), "needs parameter 'maatregel' (iri)"),
        (
            ("query", "dwarsverbanden-maatregel", "-p", "maatregel=Onbekend"),
            "no krb:Beleidsmaatregel has code or name 'Onbekend'",
        ),
    ],
)
def test_wrong_use_exits_2_and_says_what_exists(
    store_folder: str, args: tuple[str, ...], message: str
) -> None:
    code, out, err = invoke(*args, "--store", store_folder)
    assert code == 2
    assert message in " ".join(err.split())
    assert out == ""


def test_today_option_sets_the_default_date(store_folder: str, tmp_path: Path) -> None:
    base = ("query", "geldig-op", "--format", "csv", "--store", store_folder)
    _, early, _ = invoke(*base, "--today", "2020-01-01")
    _, late, _ = invoke(*base, "--today", "2026-11-28")
    assert "GEL-N01" not in early and "GEL-N01" in late
