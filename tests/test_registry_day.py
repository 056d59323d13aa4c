""" "Today" is the registry's day, not the server clock's.

Services run in UTC; from midnight until 01:00 or 02:00 Dutch time UTC is still the day
before, so on 1 January the policy that came into force that day showed as not yet in
force. Checked with two zones 26 hours apart (their dates always differ), so the test
holds at any hour it runs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from krbgraph.queries import bind_parameters, load_catalogue
from krbgraph.registry_day import today
from krbgraph.settings import Settings

EAST, WEST = "Pacific/Kiritimati", "Etc/GMT+12"  # UTC+14 and UTC-12


def _day_in(zone: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if zone is None:
        monkeypatch.delenv("KRB_TIMEZONE", raising=False)
    else:
        monkeypatch.setenv("KRB_TIMEZONE", zone)
    expected = zone or "Europe/Amsterdam"
    before = datetime.now(ZoneInfo(expected)).date()
    found = today()
    assert found in {before, datetime.now(ZoneInfo(expected)).date()}, zone


def test_today_is_the_day_in_the_registrys_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    for zone in (EAST, WEST, None):
        _day_in(zone, monkeypatch)
    monkeypatch.setenv("KRB_TIMEZONE", EAST)
    east = today()
    monkeypatch.setenv("KRB_TIMEZONE", WEST)
    assert east > today()


def test_a_named_querys_date_defaults_to_the_registrys_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query = load_catalogue()["geldig-op"]
    days = {}
    for zone in (EAST, WEST):
        monkeypatch.setenv("KRB_TIMEZONE", zone)
        days[zone] = str(bind_parameters(query, {})["datum"].value)
    assert days[EAST] > days[WEST]


def test_a_time_zone_that_does_not_exist_stops_a_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KRB_TIMEZONE", "Europe/Amsterdm")
    with pytest.raises(ValueError, match="KRB_TIMEZONE='Europe/Amsterdm' is not valid"):
        Settings.from_env()


def test_a_command_with_a_wrong_time_zone_says_so_once_and_not_that_it_falls_back(
    tmp_path: Path,
) -> None:
    """Reading the catalogue checked the queries' date defaults on the registry's day,
    which warned it would use Europe/Amsterdam just before the settings stopped the
    command for the same name. A process of its own: the catalogue is read once."""
    env = {**os.environ, "KRB_TIMEZONE": "Europe/Amsterdm"}
    args = ["query", "geldig-op", "-p", "datum=2025-01-01", "--store", str(tmp_path / "s")]
    ran = subprocess.run(
        [sys.executable, "-m", "krbgraph.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    said = ran.stdout + ran.stderr
    assert ran.returncode != 0
    assert "KRB_TIMEZONE='Europe/Amsterdm' is not valid" in said
    assert "using Europe/Amsterdam" not in said, said


def test_no_module_asks_the_server_clock_for_the_day() -> None:
    package = Path(__file__).resolve().parents[1] / "krbgraph"
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bdate\.today\(\)|datetime\.now\(\)\.date\(\)", line)
    ]
    assert found == [], "use krbgraph.registry_day.today()"


def test_spaces_around_the_zone_name_are_no_other_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    """An env file's trailing space passed the settings' check but fell back to
    Amsterdam."""
    monkeypatch.setenv("KRB_TIMEZONE", f" {WEST} ")
    assert Settings.from_env().time_zone == WEST
    _day_in(WEST, monkeypatch)
    monkeypatch.setenv("KRB_TIMEZONE", f" {WEST} ")
    west = today()
    monkeypatch.setenv("KRB_TIMEZONE", EAST)
    assert today() > west
