"""A Flemish or bilingual registry names one thing in Dutch twice: "@nl" and "@nl-BE".

The shapes allowed exactly one Dutch name, and `sh:languageIn ("nl")` counts a
regional tag as Dutch, so a street named "Parkstraat"@nl and "Parklaan"@nl-BE was
refused; worse, once such a name was in the store, every validated import after it
(measurements validate the whole registry) was refused for it. Readers get the name
their language ranks first, so the pair is no ambiguity: the rule is a Dutch name and
at most one Dutch name per language tag.
"""

from __future__ import annotations

import json
from pathlib import Path

from metingen_store import policy_store_folder
from typer.testing import CliRunner, Result

from krbgraph.cli import app

BASE = "https://krb.demogemeente.nl"
PARKSTRAAT = f"{BASE}/id/werkingsgebied/parkstraat"
MEASUREMENTS = "GEL-I01;parkstraat;2026;;;48,2;dB(A);geluidmeetnet\n"


def krb(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "500"})


def _names(tmp_path: Path, name: str, *labels: str) -> Path:
    file = tmp_path / name
    body = " , ".join(labels)
    file.write_text(
        f"<{PARKSTRAAT}> <http://www.w3.org/2000/01/rdf-schema#label> {body} .\n",
        encoding="utf-8",
    )
    return file


def _store(tmp_path: Path) -> str:
    return str(policy_store_folder(tmp_path / "db"))


def test_a_regional_dutch_name_beside_the_dutch_one_loads_and_imports_go_on(
    tmp_path: Path,
) -> None:
    store = _store(tmp_path)
    flemish = _names(tmp_path, "vlaams.ttl", '"Parklaan"@nl-BE', '"Parc"@fr-BE')
    loaded = krb("load", str(flemish), "--store", store, "--base-iri", BASE, "--no-progress")
    assert loaded.exit_code == 0, loaded.output

    csv = tmp_path / "geluid.csv"
    csv.write_text(
        "indicator;gebied;jaar;periode_van;periode_tot;waarde;eenheid;bron\n" + MEASUREMENTS,
        encoding="utf-8",
    )
    imported = krb("import-metingen", str(csv), "--store", store)
    assert imported.exit_code == 0, imported.output
    assert "1 measurements" in imported.stdout

    # Each reader is shown one name: the pair is no second answer anywhere.
    for reader, name in (("nl", "Parkstraat"), ("nl-BE", "Parklaan")):
        answer = krb("query", "gebieden", "--store", store, "--lang", reader, "--format", "json")
        assert answer.exit_code == 0, answer.output
        rows = json.loads(answer.stdout)["results"]["bindings"]
        mine = [row for row in rows if PARKSTRAAT in {cell["value"] for cell in row.values()}]
        assert len(mine) == 1, (reader, mine)
        names = {cell["value"] for cell in mine[0].values() if cell["type"] == "literal"}
        assert name in names and not {"Parkstraat", "Parklaan", "Parc"} - {name} & names


def test_two_names_with_one_tag_are_still_refused(tmp_path: Path) -> None:
    store = _store(tmp_path)
    for name, labels in (
        ("twee-vlaamse.ttl", ('"Parklaan"@nl-BE', '"Parkdreef"@nl-BE')),
        ("twee-nederlandse.ttl", ('"Parkweg"@nl',)),
    ):
        file = _names(tmp_path, name, *labels)
        refused = krb("load", str(file), "--store", store, "--base-iri", BASE, "--no-progress")
        assert refused.exit_code == 1, refused.output
        assert "hoogstens één Nederlandse naam per taallabel" in refused.output
        assert "at most one Dutch name per language tag" in refused.output
        assert "nothing was written" in refused.output


def test_names_in_other_languages_are_as_free_as_they_were(tmp_path: Path) -> None:
    """Two English names (a name and a former one) were accepted; sh:uniqueLang on every
    language refused them, and a store holding them refused every write after."""
    store = _store(tmp_path)
    file = _names(tmp_path, "engels.ttl", '"Park Street"@en', '"Park Lane"@en', '"Parkstrjitte"@fy')
    loaded = krb("load", str(file), "--store", store, "--base-iri", BASE, "--no-progress")
    assert loaded.exit_code == 0, loaded.output


def test_the_measurement_table_gives_the_dutch_method_text_before_a_flemish_one(
    tmp_path: Path,
) -> None:
    """The method's text was chosen with langMatches, "nl-BE" level with "nl", and the
    tie broken by letters: "Lden (Vlaanderen)" came before the Dutch text."""
    store = _store(tmp_path)
    demo = (Path(__file__).parents[1] / "examples" / "onderzoek" / "metingen.ttl").read_text(
        encoding="utf-8"
    )
    dutch = '"Lden volgens het Reken- en meetvoorschrift geluid 2012"@nl'
    assert dutch in demo
    both = demo.replace(dutch, f'{dutch} , "Lden (Vlaanderen)"@nl-BE')
    file = tmp_path / "metingen.ttl"
    file.write_text(both, encoding="utf-8")
    loaded = krb("load", str(file), "--store", store, "--base-iri", BASE, "--no-progress")
    assert loaded.exit_code == 0, loaded.output

    for reader in ("nl", "nl-BE", "en"):
        args = ("query", "metingen", "--store", store, "--lang", reader, "--format", "json")
        answer = krb(*args)
        assert answer.exit_code == 0, answer.output
        rows = json.loads(answer.stdout)["results"]["bindings"]
        noise = [row for row in rows if row["indicator_code"]["value"] == "GEL-I01"]
        assert noise
        methods = {row["rekenmethode"]["value"] for row in noise}
        assert methods == {"Lden volgens het Reken- en meetvoorschrift geluid 2012"}, reader
