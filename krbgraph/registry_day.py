"""Which day it is for the registry: the default of every "on date" question.

A service or command usually runs in UTC (containers, CI runners). From midnight until
01:00 or 02:00 Dutch time UTC is still the day before, so on 1 January the policy that
came into force that day was shown as not yet in force for the first hours, and what
ended on 31 December as still in force. The registry's day is the day in its time zone:
Europe/Amsterdam, or the IANA zone ``KRB_TIMEZONE`` names (a registry of Bonaire, Sint
Eustatius or Saba: America/Kralendijk).
"""

from __future__ import annotations

import logging
import os
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DEFAULT_ZONE", "time_zone", "today"]

logger = logging.getLogger(__name__)

DEFAULT_ZONE = "Europe/Amsterdam"


@lru_cache(maxsize=8)
def time_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; ValueError naming it when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone (such as Europe/Amsterdam)") from exc


def today() -> date:
    """Today in the registry's time zone (KRB_TIMEZONE, else Europe/Amsterdam). A name
    that is no zone stops every command that reads its settings and the service at its
    start (krbgraph.settings); here it falls back to Europe/Amsterdam with a warning."""
    name = (os.environ.get("KRB_TIMEZONE") or "").strip() or DEFAULT_ZONE
    try:
        zone = time_zone(name)
    except ValueError as exc:
        _warn_once(str(exc))
        zone = time_zone(DEFAULT_ZONE)
    return datetime.now(zone).date()


@lru_cache(maxsize=8)
def _warn_once(message: str) -> None:
    logger.warning("KRB_TIMEZONE: %s; using %s", message, DEFAULT_ZONE)
