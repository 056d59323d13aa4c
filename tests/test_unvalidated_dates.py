"""A store loaded without validation opens and answers whatever its dates are typed.

Systems export decisions as timestamps (xsd:dateTime) where the model dates them with
xsd:date. The shapes refuse that on a validated load; `krb load --no-validate` keeps it.
One such decision beside a dated one stopped the derivation of the dates in force with
a TypeError, and every later command derives again when it opens the store: none
could open it, not even `krb drop` to remove the graph.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.derived import DERIVED_GRAPH
from krbgraph.namespaces import KRB
from krbgraph.settings import Settings
from krbgraph.store import open_store

BASE = "https://krb.demogemeente.nl"
DOCUMENT = f"{BASE}/id/besluitdocument/X"
DECISIONS = f"""
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix bs: <https://data.krb.nl/id/begrip/besluitsoort/> .
<{DOCUMENT}> a krb:Besluitdocument .
<{BASE}/id/besluitproces/X-CB> a krb:Besluitproces ; krb:besluitsoort bs:collegebesluit ;
    prov:generated <{DOCUMENT}> ; dct:date "2024-01-10"^^xsd:date .
<{BASE}/id/besluitproces/X-RB> a krb:Besluitproces ; krb:besluitsoort bs:raadsbesluit ;
    prov:generated <{DOCUMENT}> ; dct:date "2024-02-01T20:00:00"^^xsd:dateTime .
"""


def _krb(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"KRB_BASE_IRI": BASE, "COLUMNS": "250"})
    return result.exit_code, f"{result.stdout}{result.stderr}{result.exception or ''}"


def test_a_decision_dated_with_a_moment_counts_on_its_day_and_the_store_opens(
    tmp_path: Path,
) -> None:
    data, store = tmp_path / "besluit.ttl", str(tmp_path / "store")
    data.write_text(DECISIONS, encoding="utf-8")
    code, said = _krb("load", "--no-validate", "--store", store, str(data))
    assert code == 0, said
    code, said = _krb("graphs", "--store", store)
    assert code == 0 and f"{BASE}/graph/besluit" in said, said
    with open_store(Settings(store=store)) as opened:
        derived = opened.read_graph(DERIVED_GRAPH)
    # Adopted by the later of its two decisions, on the day the moment names.
    assert list(derived.objects(URIRef(DOCUMENT), KRB.geldigVanaf)) == [
        Literal("2024-02-01", datatype=XSD.date)
    ]
    code, said = _krb("drop", "--store", store, f"{BASE}/graph/besluit")
    assert code == 0, said


def test_a_store_whose_derivation_fails_still_opens_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever else the rules may trip over, a command still opens the store (to see and
    remove the data that trips them), and says the derived graph is stale and what to do."""
    import krbgraph.derived

    data, store = tmp_path / "besluit.ttl", str(tmp_path / "store")
    data.write_text(DECISIONS, encoding="utf-8")
    assert _krb("load", "--no-validate", "--store", store, str(data))[0] == 0
    with open_store(Settings(store=store)) as opened:
        opened.update(f"DROP GRAPH <{DERIVED_GRAPH}>")  # as a store of an older release

    def trips(*_args: object, **_kwargs: object) -> None:
        raise TypeError("a value no rule foresaw")

    monkeypatch.setattr(krbgraph.derived, "derive", trips)
    code, said = _krb("graphs", "--store", store)
    assert code == 0 and f"{BASE}/graph/besluit" in said, said
    assert "could not be derived again" in caplog.text and "krb derive" in caplog.text


def test_a_decision_dated_with_a_moment_in_a_time_zone_exports_to_a_workbook(
    tmp_path: Path,
) -> None:
    """`krb export-excel` stopped with "Excel does not support timezones" and left a
    broken workbook where the previous export was: the day it names is the cell now."""
    from openpyxl import load_workbook

    data, store = tmp_path / "besluit.ttl", str(tmp_path / "store")
    data.write_text(
        DECISIONS.replace("2024-02-01T20:00:00", "2024-02-01T23:30:00-05:00"), encoding="utf-8"
    )
    assert _krb("load", "--no-validate", "--store", store, str(data))[0] == 0
    workbook = tmp_path / "register.xlsx"
    code, said = _krb("export-excel", "--store", store, str(workbook))
    assert code == 0, said
    sheet = load_workbook(workbook)["besluitproces"]
    header = [cell.value for cell in sheet[1]]
    days = {
        row[header.index("code")]: row[header.index("datum")]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert str(days["X-RB"])[:10] == "2024-02-01"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
