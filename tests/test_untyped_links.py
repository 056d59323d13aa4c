"""A link between a measure and a norm without the class of a link counts nowhere.

An intended effect written with a misspelt class (``a krb:BeoogdEffekt``), or by a tool
that left the type out, was checked by no shape, got no dates in force and counted as a
cross-link on every day, even for a measure in a draft document. The shapes now refuse
it (krbsh:Koppeling), and the cross-link questions read only typed links, so a store
loaded without validation does not show it either.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from krbgraph.commands.serve import demo_paths
from krbgraph.loading import load_paths, validate_paths
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.store import Store

CATALOGUE = load_catalogue()
ID = "https://krb.demogemeente.nl/id/"
UNTYPED = f"""
@prefix krb: <https://data.krb.nl/def/krb#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ID}beoogd-effect/X1> a krb:BeoogdEffekt ; rdfs:label "Getypt"@nl ;
   krb:maatregel <{ID}beleidsmaatregel/GEL-M01> ; krb:norm <{ID}beleidsnorm/GRO-N01> .
<{ID}beoogd-effect/X2> rdfs:label "Zonder klasse"@nl ;
   krb:maatregel <{ID}beleidsmaatregel/GEL-M01> ; krb:doelIndicator <{ID}beleidsindicator/GEZ-I01> .
"""


@pytest.fixture
def untyped(tmp_path: Path) -> Path:
    path = tmp_path / "ongetypt.ttl"
    path.write_text(UNTYPED, encoding="utf-8")
    return path


def test_the_shapes_refuse_a_link_without_the_class_of_a_link(untyped: Path) -> None:
    result = validate_paths([*demo_paths(), untyped])
    refused = {str(f.focus) for f in result.findings if f.severity == "Violation"}
    assert refused == {f"{ID}beoogd-effect/X1", f"{ID}beoogd-effect/X2"}


@pytest.mark.parametrize(
    ("query", "values"),
    [
        ("dwarsverbanden-netwerk", {}),
        ("dwarsverbanden-maatregel", {"maatregel": f"{ID}beleidsmaatregel/GEL-M01"}),
        ("web-dwarsverband-maatregelen", {}),
    ],
)
def test_the_cross_link_questions_read_only_typed_links(
    model_store: Store, untyped: Path, query: str, values: dict[str, str]
) -> None:
    load_paths(model_store, demo_paths(), validate=False)
    before = run_named_query(model_store, CATALOGUE, query, {"datum": "2026-06-01", **values})
    load_paths(model_store, [untyped], validate=False)
    after = run_named_query(model_store, CATALOGUE, query, {"datum": "2026-06-01", **values})
    assert after.rows == before.rows
