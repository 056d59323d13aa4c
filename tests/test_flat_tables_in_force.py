"""The flat tables say which norms are in force on a day, as geldig-op does.

A norm never in force (a draft, withdrawn without a last day) has no dates, just as
one in force on every day: the flat tables (named queries ``normen`` and
``beleidsketen``, and the datalake export of both) carry ``niet_in_werking`` to tell
them apart. The property, on a small registry of every kind of lifecycle (always,
draft, withdrawn without and with a last day, dated, future, replaced, an own
period): for every norm and several days D, "in force on D" computed from a flat
table's columns (not niet_in_werking, geldig_vanaf empty or <= D, geldig_tot empty or
>= D) is geldig-op's answer for D; through the CLI, the HTTP API and the export (CSV
and Parquet). In beleidsketen an effect is never in force when its measure or norm
never is: ``effect_niet_in_werking`` is beleid-in-gebied's "niet in werking".

An effect is in force only while its measure and its norm both are, so beleidsketen
also carries the effect's own derived dates (``effect_geldig_vanaf``,
``effect_geldig_tot``): a measure ending before its norm ends the effect early, which
the norm's dates do not show. The same property for effects, with measures of their
own periods ending before and after their norms, drafts, and measures and norms that
share no day: "effect in force on D" from the effect's columns is what
``beleid-in-gebied alles=true`` says in ``geldigheid`` for D, and the columns are the
overlap worked out by hand below. An effect has no period of its own in the model
(dct:temporal is read on norms, rules and measures), so there is none to vary.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.settings import Settings
from krbgraph.store import open_store

BASE = "https://krb.testgem.nl"
DAYS = [
    date(2019, 6, 1),
    date(2020, 12, 31),
    date(2021, 1, 1),
    date(2022, 6, 30),
    date(2022, 7, 1),
    date(2023, 12, 31),
    date(2024, 6, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2031, 1, 1),
]

_PREFIXES = """\
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix adms: <http://www.w3.org/ns/adms#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix id: <https://krb.testgem.nl/id/> .
@prefix begrip: <https://data.krb.nl/id/begrip/> .
"""

_FIXED = """\
id:werkingsgebied\\/GM0001 a krb:Werkingsgebied ; rdfs:label "Testgemeente"@nl ;
    dct:identifier "GM0001" ; krb:gebiedssoort begrip:gebiedssoort\\/gemeente .
id:werkingsgebied\\/W01 a krb:Werkingsgebied ; rdfs:label "Wijk"@nl ;
    dct:identifier "W01" ; krb:gebiedssoort begrip:gebiedssoort\\/wijk ;
    krb:ligtIn id:werkingsgebied\\/GM0001 .
id:conceptschema\\/beleidsthemas a skos:ConceptScheme ; dct:title "Thema's"@nl ;
    skos:prefLabel "Thema's"@nl ; skos:hasTopConcept id:beleidsthema\\/groen .
id:beleidsthema\\/groen a krb:Beleidsthema, skos:Concept ; skos:prefLabel "Groen"@nl ;
    skos:inScheme id:conceptschema\\/beleidsthemas ;
    skos:topConceptOf id:conceptschema\\/beleidsthemas .
id:beleidsindicator\\/I02 a krb:Beleidsindicator ; rdfs:label "Bomen"@nl ;
    dct:identifier "I02" ; krb:beleidsthema id:beleidsthema\\/groen ;
    krb:indicatorsoort begrip:indicatorsoort\\/effectindicator-milieu ; qudt:hasUnit unit:NUM .
id:beleidsdossier\\/DOS a krb:Beleidsdossier ; rdfs:label "Dossier"@nl ;
    dct:identifier "DOS" ; krb:dossiersoort begrip:dossiersoort\\/besluitdossier .
"""

DOCUMENTS: dict[str, str] = {
    # code -> the lifecycle facts of the document
    "DA": "",  # no dates, no status: in force on every day
    "DB": 'eli:first_date_entry_in_force "2021-01-01"^^xsd:date ; '
    "adms:status begrip:status\\/ontwerp",  # a draft: never
    "DC": 'eli:first_date_entry_in_force "2021-01-01"^^xsd:date ; '
    "adms:status begrip:status\\/ingetrokken",  # withdrawn, no last day: never
    "DD": 'eli:first_date_entry_in_force "2021-01-01"^^xsd:date ; '
    'eli:date_no_longer_in_force "2023-12-31"^^xsd:date',
    "DE": 'eli:first_date_entry_in_force "2026-01-01"^^xsd:date',  # from a future day on
    "DF": 'eli:first_date_entry_in_force "2020-01-01"^^xsd:date ; '
    'eli:date_no_longer_in_force "2022-06-30"^^xsd:date ; '
    "adms:status begrip:status\\/ingetrokken",  # withdrawn with a last day
    "DG": 'eli:first_date_entry_in_force "2019-01-01"^^xsd:date ; '
    "dct:isReplacedBy id:besluitdocument\\/DE",  # ends the day before DE starts
}

NORMS: dict[str, tuple[str, str]] = {
    # code -> (document, more of the norm)
    "NA": ("DA", ""),
    "NB": ("DB", ""),
    "NC": ("DC", ""),
    "ND": ("DD", ""),
    "NE": ("DE", ""),
    "NF": ("DF", ""),
    "NG": ("DG", ""),
    # A period of its own within an always-in-force document.
    "NH": (
        "DA",
        "dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "
        '"2022-07-01"^^xsd:date ; dcat:endDate "2024-06-01"^^xsd:date ]',
    ),
    # Two areas: two rows in normen, both never in force.
    "NI": ("DB", "krb:werkingsgebied id:werkingsgebied\\/W01"),
}

MEASURES: dict[str, tuple[str, str]] = {
    # code -> (document, more of the measure)
    "MA": ("DA", ""),  # in force on every day
    "MB": ("DB", ""),  # a draft document: never
    "MD": ("DD", ""),  # 2021-01-01 .. 2023-12-31, by its document
    # Periods of their own within an always-in-force document.
    "ME": (
        "DA",
        "dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "
        '"2020-01-01"^^xsd:date ; dcat:endDate "2022-06-30"^^xsd:date ]',
    ),
    "MF": (
        "DA",
        "dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "
        '"2022-07-01"^^xsd:date ; dcat:endDate "2031-12-31"^^xsd:date ]',
    ),
    "MW": ("DF", ""),  # withdrawn with a last day: 2020-01-01 .. 2022-06-30
    "MC": ("DC", ""),  # withdrawn without a last day: never (a measure's own status is
    # one of execution, gepland .. afgerond, which says nothing of its being in force)
}
EFFECTS: dict[str, tuple[str, str]] = {
    # code -> (measure, norm)
    "EAA": ("MA", "NA"),  # in force on every day
    "EAB": ("MA", "NB"),  # its norm never is: never
    "EBA": ("MB", "NA"),  # its measure never is: never
    "EDA": ("MD", "NA"),  # dated by its measure
    "EAD": ("MA", "ND"),  # dated
    "EEA": ("ME", "NA"),  # by its measure's own period
    "EED": ("ME", "ND"),  # its measure ends before its norm, and starts before it
    "EFD": ("MF", "ND"),  # its measure ends after its norm, and starts after it
    "EEE": ("ME", "NE"),  # its measure ends before its norm starts: never
    "EEH": ("ME", "NH"),  # its measure ends the day before its norm starts: never
    "EFH": ("MF", "NH"),  # its norm's own period, within its measure's
    "EFE": ("MF", "NE"),  # a future norm, its measure ending later
    "EFC": ("MF", "NC"),  # its norm withdrawn without a last day: never
    "EWG": ("MW", "NG"),  # a withdrawn measure's last day, a replaced norm
    "EAG": ("MA", "NG"),  # ends the day before the norm's successor starts
    "ECA": ("MC", "NA"),  # its measure withdrawn without a last day: never
}

_D = date.fromisoformat
EFFECT_PERIODS: dict[str, tuple[bool, date | None, date | None]] = {
    # code -> (never, first day, last day): the days its measure and norm share, by hand
    "EAA": (False, None, None),
    "EAB": (True, None, None),
    "EBA": (True, None, None),
    "EDA": (False, _D("2021-01-01"), _D("2023-12-31")),
    "EAD": (False, _D("2021-01-01"), _D("2023-12-31")),
    "EEA": (False, _D("2020-01-01"), _D("2022-06-30")),
    "EED": (False, _D("2021-01-01"), _D("2022-06-30")),
    "EFD": (False, _D("2022-07-01"), _D("2023-12-31")),
    "EEE": (True, None, None),
    "EEH": (True, None, None),
    "EFH": (False, _D("2022-07-01"), _D("2024-06-01")),
    "EFE": (False, _D("2026-01-01"), _D("2031-12-31")),
    "EFC": (True, None, None),
    "EWG": (False, _D("2020-01-01"), _D("2022-06-30")),
    "EAG": (False, _D("2019-01-01"), _D("2025-12-31")),
    "ECA": (True, None, None),
}
EFFECT_DAYS = sorted(
    {
        *DAYS,
        _D("2019-12-31"),
        _D("2020-01-01"),
        _D("2024-06-02"),
        _D("2031-12-31"),
        _D("2032-01-01"),
    }
)


def registry_turtle() -> str:
    """Every kind of lifecycle once; nothing here is tuned to the queries' text."""
    parts = [_PREFIXES, _FIXED]
    common = (
        "krb:documentsoort begrip:documentsoort\\/beleidsplan ; "
        "dct:isPartOf id:beleidsdossier\\/DOS ; krb:bestuurslaag begrip:bestuurslaag\\/gemeente"
    )
    for code, facts in DOCUMENTS.items():
        extra = f" ; {facts}" if facts else ""
        parts.append(
            f"id:besluitdocument\\/{code} a krb:Besluitdocument ; "
            f'rdfs:label "Document {code}"@nl ; dct:identifier "{code}" ; {common}{extra} .'
        )
    for number, (code, (document, more)) in enumerate(NORMS.items()):
        extra = f" ; {more}" if more else ""
        parts.append(
            f'id:beleidsnorm\\/{code} a krb:Beleidsnorm ; rdfs:label "Norm {code}"@nl ; '
            f'dct:identifier "{code}" ; krb:indicator id:beleidsindicator\\/I02 ; '
            f"krb:document id:besluitdocument\\/{document} ; "
            f"krb:operator begrip:normoperator\\/maximaal ; qudt:numericValue {10 + number}.0 ; "
            "qudt:hasUnit unit:NUM ; krb:werkingsgebied id:werkingsgebied\\/GM0001 ; "
            f"krb:bestuurslaag begrip:bestuurslaag\\/gemeente{extra} ."
        )
    for code, (document, more) in MEASURES.items():
        extra = f" ; {more}" if more else ""
        parts.append(
            f"id:beleidsmaatregel\\/{code} a krb:Beleidsmaatregel ; "
            f'rdfs:label "Maatregel {code}"@nl ; dct:identifier "{code}" ; '
            "krb:beleidsthema id:beleidsthema\\/groen ; "
            f"krb:document id:besluitdocument\\/{document} ; "
            f"krb:werkingsgebied id:werkingsgebied\\/GM0001{extra} ."
        )
    for code, (measure, norm) in EFFECTS.items():
        parts.append(
            f'id:beoogd-effect\\/{code} a krb:BeoogdEffect ; rdfs:label "Effect {code}"@nl ; '
            f'dct:identifier "{code}" ; krb:maatregel id:beleidsmaatregel\\/{measure} ; '
            f"krb:norm id:beleidsnorm\\/{norm} ; qudt:numericValue -1.0 ; qudt:hasUnit unit:NUM ."
        )
    return "\n".join(parts) + "\n"


def invoke(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"KRB_BASE_IRI": BASE})
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


@pytest.fixture(scope="module")
def store_folder(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("flat-in-force")
    data = folder / "data"
    data.mkdir()
    (data / "reg.ttl").write_text(registry_turtle(), encoding="utf-8")
    store = str(folder / "store")
    invoke("load", str(data), "--store", store, "--base-iri", BASE)
    return store


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _flag(text: str) -> bool:
    assert text in ("true", "false"), text  # always filled for a norm, never text
    return text == "true"


def in_force(never: bool, start: date | None, end: date | None, day: date) -> bool:
    """In force on ``day`` by a flat table's columns, as docs/beleidsonderzoek.md says."""
    return not never and (start is None or start <= day) and (end is None or end >= day)


Row = Mapping[str, object]


def check_against(
    rows: Iterable[Row],
    truth: Callable[[date], set[str]],
    read: Callable[[Row], tuple[bool, date | None, date | None]],
) -> None:
    """Every row's columns give geldig-op's answer for every day, and every norm is there."""
    rows = list(rows)
    assert {row["norm_code"] for row in rows} == set(NORMS)
    for day in DAYS:
        expected = truth(day)
        for row in rows:
            by_columns = in_force(*read(row), day)
            assert by_columns == (row["norm_code"] in expected), (day, dict(row))


@pytest.fixture(scope="module")
def geldig_op(store_folder: str) -> Callable[[date], set[str]]:
    answers: dict[date, set[str]] = {}
    for day in DAYS:
        out = invoke(
            "query", "geldig-op", "-p", f"datum={day}", "--format", "csv", "--store", store_folder
        )
        answers[day] = {r["code"] for r in _csv(out) if r["soort"] == "beleidsnorm"}
    # Not vacuous: some norms hold on some days and not on others, some never, one always.
    every = [answers[day] for day in DAYS]
    assert set.intersection(*every) == {"NA"}
    assert set(NORMS) - set.union(*every) == {"NB", "NC", "NI"}
    assert len({frozenset(a) for a in every}) > 3
    return answers.__getitem__


def _text_columns(row: Row) -> tuple[bool, date | None, date | None]:
    return (
        _flag(str(row["niet_in_werking"])),
        _day(str(row["geldig_vanaf"])),
        _day(str(row["geldig_tot"])),
    )


@pytest.mark.parametrize("name", ["normen", "beleidsketen"])
def test_the_cli_tables_say_what_geldig_op_says(
    store_folder: str, geldig_op: Callable[[date], set[str]], name: str
) -> None:
    rows = _csv(invoke("query", name, "--format", "csv", "--store", store_folder))
    check_against(rows, geldig_op, _text_columns)
    if name == "normen":
        assert sum(1 for row in rows if row["norm_code"] == "NI") == 2  # one per area


def test_the_api_tables_say_what_geldig_op_says(
    store_folder: str,
    geldig_op: Callable[[date], set[str]],
    beleid_in_gebied: Callable[[date], dict[str, str]],
) -> None:
    from fastapi.testclient import TestClient

    from krbgraph.web.app import create_app

    settings = Settings(store=store_folder, base_iri=BASE, base_iri_given=True)
    with open_store(settings) as store, TestClient(create_app(settings, store=store)) as client:
        for name in ("normen", "beleidsketen"):
            response = client.get(f"/api/queries/{name}", params={"format": "csv"})
            assert response.status_code == 200, response.text
            check_against(_csv(response.text), geldig_op, _text_columns)
            if name == "beleidsketen":
                check_effects(_csv(response.text), beleid_in_gebied, _effect_text_columns)


def _effects_on(store_folder: str, day: date) -> dict[str, str]:
    """beleid-in-gebied's geldigheid of every effect on ``day``, alles=true."""
    out = invoke(
        "query",
        "beleid-in-gebied",
        "-p",
        "gebied=GM0001",
        "-p",
        f"datum={day}",
        "-p",
        "alles=true",
        "--format",
        "csv",
        "--store",
        store_folder,
    )
    said: dict[str, str] = {}
    for r in _csv(out):
        if r["soort"] == "beoogd effect":
            assert said.setdefault(r["code"], r["geldigheid"]) == r["geldigheid"], r
    return said


@pytest.fixture(scope="module")
def beleid_in_gebied(store_folder: str) -> Callable[[date], dict[str, str]]:
    answers = {day: _effects_on(store_folder, day) for day in EFFECT_DAYS}
    for day, said in answers.items():
        assert set(said) == set(EFFECTS), day  # alles=true: every effect, every day
    # Not vacuous: effects in force on some days and not on others, some never, one always.
    in_force_on = [{c for c, g in answers[day].items() if g == "geldig"} for day in EFFECT_DAYS]
    assert set.intersection(*in_force_on) == {"EAA"}
    assert len({frozenset(s) for s in in_force_on}) > 5
    return answers.__getitem__


def _never_effects(store_folder: str) -> set[str]:
    said = _effects_on(store_folder, DAYS[0])
    return {code for code, geldigheid in said.items() if geldigheid == "niet in werking"}


EffectRead = Callable[[Row], tuple[bool, date | None, date | None]]


def _effect_text_columns(row: Row) -> tuple[bool, date | None, date | None]:
    return (
        _flag(str(row["effect_niet_in_werking"])),
        _day(str(row["effect_geldig_vanaf"])),
        _day(str(row["effect_geldig_tot"])),
    )


def _effect_typed_columns(row: Row) -> tuple[bool, date | None, date | None]:
    never, start, end = (
        row["effect_niet_in_werking"],
        row["effect_geldig_vanaf"],
        row["effect_geldig_tot"],
    )
    assert isinstance(never, bool), row
    assert start is None or isinstance(start, date), row
    assert end is None or isinstance(end, date), row
    return never, start, end


def check_effects(
    rows: Iterable[Row], truth: Callable[[date], dict[str, str]], read: EffectRead
) -> None:
    """Every effect's columns give beleid-in-gebied's answer on every day, are the days
    its measure and norm share (EFFECT_PERIODS), and lie within its norm's; a norm no
    measure aims at has no effect columns."""
    rows = list(rows)
    effects = [row for row in rows if row["effect"]]
    assert sorted(str(row["effect_code"]) for row in effects) == sorted(EFFECTS)
    for row in rows:
        if not row["effect"]:
            assert all(
                row[c] in ("", None)
                for c in ("effect_geldig_vanaf", "effect_geldig_tot", "effect_niet_in_werking")
            ), dict(row)
    for row in effects:
        code = str(row["effect_code"])
        assert read(row) == EFFECT_PERIODS[code], (code, dict(row))
    for day in EFFECT_DAYS:
        said = truth(day)
        for row in effects:
            code = str(row["effect_code"])
            by_columns = in_force(*read(row), day)
            assert by_columns == (said[code] == "geldig"), (day, code, said[code], dict(row))
            if by_columns:  # an effect in force has its norm in force
                norm = (
                    _text_columns(row)
                    if isinstance(row["niet_in_werking"], str)
                    else (row["niet_in_werking"], row["geldig_vanaf"], row["geldig_tot"])
                )
                assert in_force(*norm, day), (day, code, dict(row))


def test_beleidsketen_marks_the_effects_never_in_force(store_folder: str) -> None:
    never = _never_effects(store_folder)
    # its norm, or its measure, is never in force, or the two share no day
    assert never == {code for code, (no, _, _) in EFFECT_PERIODS.items() if no}
    rows = _csv(invoke("query", "beleidsketen", "--format", "csv", "--store", store_folder))
    effects = {row["effect_code"]: row for row in rows if row["effect_code"]}
    assert set(effects) == set(EFFECTS)
    assert {code for code, row in effects.items() if _flag(row["effect_niet_in_werking"])} == never
    # A norm no measure aims at has no effect, and so no flag for one.
    assert all(row["effect_niet_in_werking"] == "" for row in rows if not row["effect"])


def test_the_cli_effect_dates_say_what_beleid_in_gebied_says(
    store_folder: str, beleid_in_gebied: Callable[[date], dict[str, str]]
) -> None:
    rows = _csv(invoke("query", "beleidsketen", "--format", "csv", "--store", store_folder))
    check_effects(rows, beleid_in_gebied, _effect_text_columns)
    # The gap the effect's dates close: a measure ending before its norm ends the effect,
    # while the norm's own dates still say in force.
    (eed,) = [row for row in rows if row["effect_code"] == "EED"]
    day = date(2023, 1, 1)
    assert in_force(*_text_columns(eed), day)
    assert not in_force(*_effect_text_columns(eed), day)
    assert beleid_in_gebied(date(2022, 7, 1))["EED"] == "verlopen"


def test_the_export_keeps_the_flag_typed_and_says_what_geldig_op_says(
    store_folder: str,
    geldig_op: Callable[[date], set[str]],
    beleid_in_gebied: Callable[[date], dict[str, str]],
    tmp_path: Path,
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    folder = tmp_path / "lake"
    invoke("export-datalake", str(folder), "--store", store_folder)
    never = _never_effects(store_folder)
    for name in ("normen", "beleidsketen"):
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            csv_rows = list(csv.DictReader(handle))
        check_against(csv_rows, geldig_op, _text_columns)
        table = pq.read_table(folder / f"{name}.parquet")
        assert str(table.schema.field("niet_in_werking").type) == "bool"
        rows = table.to_pylist()
        assert all(isinstance(row["niet_in_werking"], bool) for row in rows)
        check_against(
            rows,
            geldig_op,
            lambda row: (row["niet_in_werking"], row["geldig_vanaf"], row["geldig_tot"]),
        )
        if name == "beleidsketen":
            assert str(table.schema.field("effect_niet_in_werking").type) == "bool"
            for column in ("effect_geldig_vanaf", "effect_geldig_tot"):
                assert str(table.schema.field(column).type) == "date32[day]", column
            flagged = {row["effect_code"] for row in rows if row["effect_niet_in_werking"]}
            assert flagged == never
            assert all(
                (row["effect"] is None) == (row["effect_niet_in_werking"] is None) for row in rows
            )
            check_effects(csv_rows, beleid_in_gebied, _effect_text_columns)
            check_effects(rows, beleid_in_gebied, _effect_typed_columns)
    with (folder / "datadictionary.csv").open(encoding="utf-8", newline="") as handle:
        dictionary = {(r["table"], r["column"]): r for r in csv.DictReader(handle)}
    for key in (
        ("normen", "niet_in_werking"),
        ("beleidsketen", "niet_in_werking"),
        ("beleidsketen", "effect_niet_in_werking"),
    ):
        assert dictionary[key]["datatype"].startswith("bool"), key
        assert dictionary[key]["source"] == "https://data.krb.nl/def/krb#nietInWerking", key
    for column, term in (
        ("effect_geldig_vanaf", "geldigVanaf"),
        ("effect_geldig_tot", "geldigTot"),
    ):
        entry = dictionary[("beleidsketen", column)]
        assert entry["datatype"].startswith("date32"), column
        assert entry["source"] == f"https://data.krb.nl/def/krb#{term}", column
