"""What the normtoets property tests read back: per area, the measurement, verdict and margin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from krbgraph.queries import Catalogue, run_named_query
from krbgraph.store import Store


def verdicts(
    store: Store, catalogue: Catalogue, peil: date, margin: Callable[[str], object]
) -> dict[str, tuple[str | None, str, object]]:
    """normtoets on ``peil``: area code -> (measurement IRI, verdict, margin read by
    ``margin``), for comparison with a test's own rules."""
    result = run_named_query(store, catalogue, "normtoets", {"datum": peil.isoformat()})
    found: dict[str, tuple[str | None, str, object]] = {}
    for row in result.dicts():
        area = str(row["meetgebied"]).rsplit("/", 1)[1]
        value = margin(str(row["marge"])) if row.get("marge") is not None else None
        meting = str(row["meting"]) if row.get("meting") is not None else None
        found[area] = (meting, str(row["oordeel"]), value)
    return found
