"""A space inside a number in `waarde` is refused, never dropped.

'1 5' was read as 15 and '47 3' as 473, in a CSV and in a text cell of the workbook's
sheet metingen, while a non-breaking space (Excel's and CBS's thousands separator) was
refused with only "is geen getal". Now every space between digits (a space, a
non-breaking, narrow non-breaking or thin space) is refused at its file, line and
column, saying that such a space is not read; spaces around the number stay allowed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from metingen_store import demo_store_folder
from openpyxl import load_workbook
from typer.testing import CliRunner

from krbgraph.cli import app
from krbgraph.excel.importing import ImportFailed as WorkbookFailed
from krbgraph.excel.importing import import_workbook
from krbgraph.excel.template import write_template
from krbgraph.excel.workbook_format import SHEETS_BY_NAME
from krbgraph.measurements.importing import import_measurements
from krbgraph.measurements.values import parse_number
from krbgraph.namespaces import QUDT
from krbgraph.settings import Settings
from krbgraph.store import open_store

BASE = "https://krb.demogemeente.nl"
HEADER = "indicator;gebied;jaar;waarde;eenheid;bron\n"
SPACED = {
    "1 5": "een spatie",
    "47 3": "een spatie",
    "1 000,5": "een spatie",
    "1\u00a0000": "een harde spatie (U+00A0)",
    "1\u202f000,25": "een smalle harde spatie (U+202F)",
    "1\u2009000": "een dunne spatie (U+2009)",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder with the demo registry, closed so the command can open it."""
    return demo_store_folder(tmp_path_factory.mktemp("spaties"))


def test_every_space_between_digits_is_refused_at_its_line_and_column(
    folder: Path, tmp_path: Path
) -> None:
    texts = list(SPACED)
    body = "".join(
        f"GEZ-I01;WK999901;{2010 + i};{t};%;ggd-gezondheidsmonitor\n" for i, t in enumerate(texts)
    )
    path = tmp_path / "spaties.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    result = CliRunner().invoke(app, ["import-metingen", str(path), "--store", str(folder)])
    assert result.exit_code == 1, result.output
    err = " ".join(result.stderr.split())
    for line, text in enumerate(texts, start=2):
        compact = "".join(text.split())
        said = (
            f"spaties.csv:{line}, kolom waarde: '{text}' heeft {SPACED[text]} tussen de "
            "cijfers; een spatie in een getal wordt niet gelezen"
        )
        assert " ".join(said.split()) in err, text  # spaced as err: one ' ' each
        assert f"schrijf het getal zonder spaties ({compact}) als dat bedoeld is" in err
    assert "has a space between its digits; a space in a number is not read" in err
    assert "has a non-breaking space (U+00A0) between its digits" in err
    assert "is geen getal" not in err
    assert "nothing loaded" in err
    with open_store(Settings(store=str(folder))) as handle:
        assert f"{BASE}/graph/metingen/spaties" not in {g.iri for g in handle.graphs()}


def test_spaces_around_a_number_are_no_problem(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "rand.csv"
    path.write_text(
        HEADER + "GEZ-I01;WK999901;2015;\u00a0 12,5 \u202f;%;ggd-gezondheidsmonitor\n",
        encoding="utf-8",
    )
    with open_store(Settings(store=str(folder))) as handle:
        report = import_measurements(handle, path, base_iri=BASE)
        try:
            values = list(handle.read_graph(report.graph).objects(None, QUDT.numericValue))
            assert [Decimal(str(v)) for v in values] == [Decimal("12.5")]
        finally:
            handle.drop_graph(report.graph)


@pytest.mark.parametrize("typed", ["1 5", "1\u00a0000"])
def test_a_text_cell_of_the_sheet_metingen_is_refused_alike(
    folder: Path, tmp_path: Path, typed: str
) -> None:
    path = tmp_path / "onderzoek.xlsx"
    write_template(path)
    book = load_workbook(path)
    row = {"indicator": "GEZ-I01", "gebied": "WK999903", "jaar": 2022, "waarde": typed}
    row |= {"eenheid": "%", "bron": "ggd-gezondheidsmonitor"}
    book["metingen"].append([row.get(c) for c in SHEETS_BY_NAME["metingen"].names])
    book.save(path)
    with open_store(Settings(store=str(folder))) as handle, pytest.raises(WorkbookFailed) as failed:
        import_workbook(handle, path, base_iri=BASE)
    [problem] = [p for p in failed.value.problems if p.is_error]
    assert (problem.sheet, problem.row, problem.column) == ("metingen", 2, "waarde")
    assert "tussen de cijfers; een spatie in een getal wordt niet gelezen" in problem.message_nl
    assert "between its digits; a space in a number is not read" in problem.message_en


@pytest.mark.parametrize("text", [*SPACED, "- 5", "0, 5"])
def test_a_number_with_a_space_inside_is_never_read(text: str) -> None:
    assert parse_number(text) is None
    assert parse_number(f" {''.join(text.split())} ") is not None
