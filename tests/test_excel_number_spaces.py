"""A space inside a number is never read, in every number cell of the workbook.

The workbook's policy sheets refused a space only between two digits or separators
('1 000,5'), so '- 5' in a norm's value was read as -5 and '+ 5' as 5, while the sheet
metingen and `krb import-metingen` refuse a space of any kind anywhere inside a number
(krbgraph.measurements.values.space_in_number; docs/excel.md, Numbers). Now one rule
holds for every number cell: what is a number once its spaces are taken out is refused
at its sheet, row and column, asking for the number without them; spaces around the
number stay allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_excel_support import BASE, demo_workbook, edit, row_of

from krbgraph.excel.reader import read_workbook
from krbgraph.excel.values import CellError, parse_decimal, parse_integer
from krbgraph.measurements.values import space_in_number
from krbgraph.model import model_graph

SIGNED = ["- 5", "+ 5", "-\u00a05", "+\u202f5", "- 0,4", "-\t12.5", "-  1"]
"""A sign and the number apart: read as -5, 5, -0.4 ... before."""

SPACES = [" ", "\u00a0", "\u202f", "\u2009", "\t"]


@pytest.mark.parametrize("typed", SIGNED)
def test_a_sign_apart_from_its_number_is_refused(typed: str) -> None:
    compact = "".join(typed.split())
    for parse in (parse_decimal, parse_integer):
        if parse is parse_integer and not compact.lstrip("+-").isdigit():
            continue
        with pytest.raises(CellError) as refused:
            parse(typed)
        assert refused.value.message_en.startswith(
            f"'{typed}' has a space between its sign and its digits"
        )
        assert "a space in a number is not read" in refused.value.message_en
        assert f"write the number without spaces ({compact})" in refused.value.message_en
        assert "een spatie in een getal wordt niet gelezen" in refused.value.message_nl
        assert f"schrijf het getal zonder spaties ({compact})" in refused.value.message_nl


@pytest.mark.parametrize("typed", ["-5", "+5", " -5 ", "\u00a0-0,4\u202f", "\t+12.5"])
def test_a_sign_next_to_its_number_and_spaces_around_it_are_read(typed: str) -> None:
    compact = "".join(typed.split()).replace(",", ".").lstrip("+")
    expected = compact if "." in compact else f"{compact}.0"
    assert parse_decimal(typed) == expected


_NUMBERS = st.from_regex(r"[+-]?(0|[1-9][0-9]{0,5})([.,][0-9]{1,4})?", fullmatch=True)


@given(
    number=_NUMBERS,
    at=st.integers(min_value=1),
    space=st.lists(st.sampled_from(SPACES), min_size=1, max_size=3).map("".join),
)
def test_no_number_with_a_space_inside_is_read_and_the_rule_is_the_metingen_rule(
    number: str, at: int, space: str
) -> None:
    """Whatever number, wherever the space: the workbook reads nothing the measurement
    import would refuse for its space, and refuses it with the same words."""
    if len(number) == 1:
        return  # no inside to put a space in
    where = 1 + at % (len(number) - 1)
    typed = number[:where] + space + number[where:]
    assert space_in_number(typed) is not None  # the measurement import refuses it
    for parse in (parse_decimal, parse_integer):
        with pytest.raises(CellError) as refused:
            parse(typed)
        assert "a space in a number is not read" in refused.value.message_en, typed


def test_spaced_numbers_are_refused_at_their_cells_in_the_policy_sheets(
    tmp_path: Path,
) -> None:
    workbook = demo_workbook(tmp_path)
    norm = row_of(workbook, "beleidsnorm", "GEL-N01")
    effect = row_of(workbook, "beoogd_effect", "ENE-E03")
    edit(
        workbook,
        [
            ("beleidsnorm", norm, "waarde", "- 5"),
            ("beleidsnorm", norm, "referentiewaarde", "+\u00a048"),
            ("beoogd_effect", effect, "labelstappen", "- 1"),
        ],
    )

    result = read_workbook(workbook, BASE, model_graph())

    by_cell = {(p.sheet, p.row, p.column): p for p in result.errors}
    assert set(by_cell) == {
        ("beleidsnorm", norm, "waarde"),
        ("beleidsnorm", norm, "referentiewaarde"),
        ("beoogd_effect", effect, "labelstappen"),
    }
    value = by_cell["beleidsnorm", norm, "waarde"]
    assert value.text_nl.startswith(
        f"beleidsnorm rij {norm}, kolom waarde: '- 5' heeft een spatie tussen het teken en de "
        "cijfers"
    )
    assert value.text_en.startswith(
        f"beleidsnorm row {norm}, column waarde: '- 5' has a space between its sign and its digits"
    )
    assert "(-5)" in value.text_en
    assert "(+48)" in by_cell["beleidsnorm", norm, "referentiewaarde"].text_en
    assert "(-1)" in by_cell["beoogd_effect", effect, "labelstappen"].text_en
