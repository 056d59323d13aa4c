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
from krbgraph.derived import refresh as refresh_derived
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
        refresh_derived(store)  # what every write path does after its commit
    return str(folder)


def invoke(*args: str, width: int = 250) -> tuple[int, str, str]:
    result = CliRunner().invoke(APP, list(args), env={"COLUMNS": str(width)})
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
    page = Path(__file__).resolve().parents[1] / "docs" / "queries.md"
    assert out == page.read_text(encoding="utf-8")


TODAY = "2026-11-28"
"""The date the demo's validity periods were written against (--today)."""


def test_query_prints_a_readable_table_with_labels(store_folder: str) -> None:
    code, out, _ = invoke(
        "query",
        "dwarsverbanden-maatregel",
        "--param",
        "maatregel=BOU-M02",
        "--today",
        TODAY,
        "--store",
        store_folder,
        width=600,  # wide enough that no name wraps
    )
    assert code == 0, out
    assert "Comfort boxes op geluidsdruk gevel" in out  # koppeling_label, filled by the runner
    assert "effect op norm" in out
    assert "decibel (A-gewogen)" in out  # eenheid_label, the unit's name
    # An IRI column without a name column is shown shortened, in the table only.
    code, out, _ = invoke(
        "query", "normtoets", "--param", "gebied=parkstraat", "--store", store_folder, width=600
    )
    assert code == 0 and "unit:DeciB_A" in out
    assert "https://" not in out
    assert "3 rows" in out


def test_query_csv_and_tsv_follow_the_w3c_formats(store_folder: str) -> None:
    args = (
        "query",
        "dwarsverbanden-maatregel",
        "-p",
        "maatregel=BOU-M02",
        "--today",
        TODAY,
        "--store",
        store_folder,
    )
    code, out, _ = invoke(*args, "--format", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert list(table[0])[:7] == [
        "maatregel",
        "maatregel_label",
        "eigen_thema",
        "eigen_thema_label",
        "soort",
        "koppeling",
        "koppeling_label",
    ]  # every declared column, name columns included, in header order
    assert {(r["soort"], r["thema_label"], r["dwarsverband"]) for r in table} == {
        ("effect op norm", "Bouwen", "false"),
        ("effect op norm", "Geluid", "true"),
        ("effect op norm", "Gezondheid", "true"),
    }
    assert {r["maatregel"] for r in table} == {
        "https://krb.demogemeente.nl/id/beleidsmaatregel/BOU-M02"
    }
    code, out, _ = invoke(*args, "--format", "tsv")
    assert code == 0
    header, *lines = out.splitlines()
    assert header.startswith("?maatregel\t?maatregel_label")
    assert any('"-2"^^<http://www.w3.org/2001/XMLSchema#decimal>' in line for line in lines)
    # Names are added by the runner as plain strings, one per resource.
    assert all(line.split("\t")[1] == '"Comfort boxes"' for line in lines)


def test_query_json_is_sparql_results_json(store_folder: str) -> None:
    code, out, _ = invoke(
        "query", "geldig-op", "-p", "datum=2023-01-01", "--format", "json", "--store", store_folder
    )
    assert code == 0
    document = json.loads(out)
    assert document["head"]["vars"] == [
        "soort",
        "object",
        "object_label",
        "code",
        "geldig_vanaf",
        "geldig_tot",
        "werkingsgebied",
        "werkingsgebied_label",
    ]
    bindings = document["results"]["bindings"]
    by_code = {b["code"]["value"]: b for b in bindings}
    plinth = by_code["BOU-N01"]
    assert plinth["object"] == {
        "type": "uri",
        "value": "https://krb.demogemeente.nl/id/beleidsnorm/BOU-N01",
    }
    # A name column is filled after the query with one plain name.
    assert plinth["object_label"] == {"type": "literal", "value": "Bouwhoogte plint maximaal 4,5 m"}
    assert plinth["geldig_vanaf"] == {
        "type": "literal",
        "value": "2022-03-24",
        "datatype": "http://www.w3.org/2001/XMLSchema#date",
    }
    assert "geldig_tot" not in plinth  # unbound variables are left out
    assert by_code["GEL-N02"]["geldig_tot"]["value"] == "2025-12-31"


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
        (
            # A CONSTRUCT asked for rows was written as Turtle whatever the format.
            (
                "query",
                "web-resource-beschrijving",
                "-p",
                "resource=https://krb.demogemeente.nl/id/beleidsnorm/GEL-N01",
                "--format",
                "csv",
            ),
            "answers with RDF triples, not rows: leave out --format for Turtle",
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
    _, early, _ = invoke(*base, "--today", "2023-06-01")
    _, late, _ = invoke(*base, "--today", "2026-11-28")
    # GEL-N01 runs from 2024-01-01; the plandrempel GEL-N02 until 2025-12-31.
    assert "GEL-N01" not in early and "GEL-N01" in late
    assert "GEL-N02" in early and "GEL-N02" not in late


def test_a_store_of_an_older_release_is_brought_up_to_date_before_it_answers(
    tmp_path: Path,
) -> None:
    """A store whose derived graph an older release made (here: none, as before the dates
    in force were derived) answered `krb query` from it without a word: no policy in
    force anywhere (0 rows), where `krb serve` or any writing command gives 20."""
    folder = str(tmp_path / "db")
    with open_store(Settings(store=folder)) as store:
        ensure_model(store)
        store.load_files({"https://krb.demogemeente.nl/id/graph/demo": DEMO_FILES}, replace=True)
        refresh_derived(store)
    ask = ("query", "beleid-in-gebied", "-p", "gebied=parkstraat", "--store", folder)
    ask += ("--format", "csv", "--today", "2026-06-01")
    code, fresh, err = invoke(*ask)
    assert code == 0, err
    with open_store(Settings(store=folder)) as store:
        store.update("DROP GRAPH <https://data.krb.nl/def/krb/afgeleid>")

    code, answer, err = invoke(*ask)

    assert code == 0, err
    assert len(fresh.splitlines()) > 10
    assert answer == fresh


def test_an_unknown_query_lists_the_queries_a_user_can_ask(store_folder: str) -> None:
    """The list named the web pages' building blocks too (web-resource-uitgaand ...),
    which `krb queries` and docs/queries.md do not list."""
    code, _, err = invoke("query", "bestaat-niet", "--store", store_folder)
    said = " ".join(err.split())
    assert code == 2 and "beleidsketen" in said and "normtoets" in said
    assert "web-" not in said
