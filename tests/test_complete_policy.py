"""compleet-beleid, the completeness of policy per area and theme, against the plain
formulation of the question, on a registry nobody tuned the query to.

The query reads each place's policy once, not once per area below it (a
municipality-wide norm was checked again for each of 41,000 areas: over a minute for
the whole registry at a million triples). Rewritten for speed, it must still answer
what the plain formulation answers: per area, every norm and rule around it, counted
per theme. Both run here on the generator's registry beside the demo, on dates before,
within and after the periods of its policy; the whole registry's answer must also be
the answers per area put together.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_templates import copy_of
from test_sparql_support import BASE, DEMO

from krbgraph.derived import refresh
from krbgraph.loading import load_paths
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

CATALOGUE = load_catalogue()
DATES = ["2005-01-01", "2021-06-30", "2026-12-07", "2031-01-01"]

PLAIN = """
PREFIX krb:  <https://data.krb.nl/def/krb#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd:  <http://www.w3.org/2001/XMLSchema#>
# Per area every norm and rule in force around it, with its theme (its own, else its
# indicator's), counted per theme of the schemes of the policy ever set around it.
SELECT ?gebied ?thema
       (SUM(IF(COALESCE(?instrument_thema = ?thema, false), 1, 0)) > 0 AS ?geldend)
       (SUM(IF(COALESCE(?instrument_thema != ?thema, false), 1, 0)) > 0
        && SUM(IF(COALESCE(?instrument_thema = ?thema, false), 1, 0)) = 0
        AS ?ontbreekt)
WHERE {
  ?gebied a krb:Werkingsgebied .
  OPTIONAL {
    ?gebied krb:ligtBinnen? ?waar .
    ?instrument krb:werkingsgebied ?waar ; a ?klasse .
    FILTER (?klasse IN (krb:Beleidsnorm, krb:Beleidsregel))
    OPTIONAL { ?instrument krb:beleidsthema ?eigen_thema }
    OPTIONAL { ?instrument krb:indicator/krb:beleidsthema ?indicator_thema }
    BIND (COALESCE(?eigen_thema, ?indicator_thema) AS ?instrument_thema)
    FILTER NOT EXISTS { ?instrument krb:nietInWerking true }
    OPTIONAL { ?instrument krb:geldigVanaf ?vanaf }
    OPTIONAL { ?instrument krb:geldigTot ?tot }
    FILTER ((!BOUND(?vanaf) || ?vanaf <= DATUM) && (!BOUND(?tot) || ?tot >= DATUM))
  }
  {
    SELECT DISTINCT ?gebied ?schema WHERE {
      ?gebied krb:ligtBinnen? ?plek .
      ?beleid krb:werkingsgebied ?plek ; a ?soort .
      FILTER (?soort IN (krb:Beleidsnorm, krb:Beleidsregel))
      { ?beleid krb:beleidsthema ?t } UNION { ?beleid krb:indicator/krb:beleidsthema ?t }
      ?t skos:inScheme ?schema .
    }
  }
  ?thema skos:inScheme ?schema ; a krb:Beleidsthema .
}
GROUP BY ?gebied ?thema
"""

Row = tuple[str, str, str, str]
Rows = Counter[Row]
"""An answer as a multiset: a row twice is an error the plain formulation never makes."""


def _generated(folder: Path) -> Path:
    file = folder / "generated.nt"
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parents[1] / "bench" / "generate.py")]
        + ["--triples", "20000", "--seed", "11", "--out", str(file)],
        check=True,
        capture_output=True,
    )
    return file


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("complete")
    generated = _generated(folder)

    def fill(store: Store) -> None:
        """The demo and the generator's registry (its own municipality) side by side."""
        ensure_model(store)
        load_paths(store, [DEMO], base_iri=BASE, validate=False)
        # A theme in a second scheme of the same registry (a programme's own list
        # beside the municipality's): still one row per area and theme.
        store.update(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX dct: <http://purl.org/dc/terms/> "
            f"INSERT DATA {{ GRAPH <{BASE}/graph/programma> {{ "
            f"<{BASE}/id/conceptschema/programma> a skos:ConceptScheme ; "
            '  dct:title "Programma Gezonde Stad"@nl . '
            f"<{BASE}/id/beleidsthema/geluid> skos:inScheme <{BASE}/id/conceptschema/programma> "
            "} }"
        )
        store.load_files({"https://krb.grootstad.nl/graph/registry": [generated]}, replace=True)
        refresh(store)

    copy_of("complete-policy", Settings(), fill, folder / "db")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        yield handle


def _named(store: Store, day: str, **params: str) -> Rows:
    result = run_named_query(store, CATALOGUE, "compleet-beleid", {"datum": day, **params})
    at = [result.variables.index(c) for c in ("gebied", "thema", "geldend", "ontbreekt")]
    return Counter(tuple(str(row[i]) for i in at) for row in result.rows)  # type: ignore[misc]


def _plain(store: Store, day: str) -> Rows:
    text = PLAIN.replace("DATUM", f'"{day}"^^xsd:date')
    return Counter(tuple(str(term) for term in row) for row in store.query(text).rows)  # type: ignore[misc]


@pytest.mark.parametrize("day", DATES)
def test_the_whole_registry_is_answered_as_the_plain_formulation_answers(
    store: Store, day: str
) -> None:
    answer = _named(store, day)
    assert answer == _plain(store, day)
    # Not a vacuous agreement: gaps and policy in force on the dates inside the periods.
    if day in ("2021-06-30", "2026-12-07"):
        assert {row[2] for row in answer} == {"true", "false"}
        assert any(row[3] == "true" for row in answer)


def test_the_first_and_last_days_of_periods_are_answered_alike(store: Store) -> None:
    """The days a norm or rule comes into force or ends, where < and <= differ."""
    rows = store.query(
        "PREFIX krb: <https://data.krb.nl/def/krb#> SELECT DISTINCT ?day WHERE { "
        "{ ?i krb:geldigVanaf ?day } UNION { ?i krb:geldigTot ?day } } ORDER BY ?day"
    ).rows
    days = [str(row[0]) for row in rows]
    assert len(days) > 4
    for day in days[1 :: max(1, len(days) // 4)]:
        assert _named(store, day) == _plain(store, day), day


def test_the_whole_registry_is_its_areas_answers_put_together(store: Store) -> None:
    day = "2026-12-07"
    whole = _named(store, day)
    areas = sorted({row[0] for row in whole})
    sample = areas[:: max(1, len(areas) // 40)]
    for area in sample:
        mine = Counter({row: n for row, n in whole.items() if row[0] == area})
        assert _named(store, day, gebied=area) == mine
