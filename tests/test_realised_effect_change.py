"""A realised effect observes the change in its indicator, never the indicator.

Its result is a change (-2 dB(A)); recorded as an observation of the indicator
itself, every SOSA reader that asks for the indicator's observations (a data
researcher joining measurements, a dashboard averaging them) would take it for a
noise level. The shapes hold the form and its link to the intended effect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from krbgraph.commands.serve import demo_paths
from krbgraph.loading import ValidationFailed, load_paths
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store
from krbgraph.web.app import create_app

BASE = "https://krb.demogemeente.nl"
ID = f"{BASE}/id/"

PREFIXES = """
PREFIX krb:  <https://data.krb.nl/def/krb#>
PREFIX sosa: <http://www.w3.org/ns/sosa/>
PREFIX qudt: <http://qudt.org/schema/qudt/>
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("realised")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        load_paths(handle, demo_paths(), replace=True, validate=False)
        yield handle


def _rows(store: Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(str(v) for v in row) for row in store.query(PREFIXES + query).rows]


def _holds(store: Store, graph: str) -> bool:
    return bool(store.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").boolean)


def test_a_sosa_reader_of_an_indicator_gets_levels_and_never_a_realised_change(
    store: Store,
) -> None:
    realised = _rows(store, "SELECT ?r WHERE { ?r a krb:GerealiseerdEffect }")
    assert realised, "the demo records a realised effect"
    levels = _rows(
        store,
        """SELECT DISTINCT ?o WHERE { ?o sosa:observedProperty ?i .
                                       ?i a krb:Beleidsindicator }""",
    )
    assert levels, "the demo has measurements"
    assert not set(realised) & set(levels)


def test_every_realised_effect_observes_the_change_in_its_intended_effects_indicator(
    store: Store,
) -> None:
    pairs = _rows(
        store,
        """SELECT ?r ?changed ?acted WHERE {
             ?r a krb:GerealiseerdEffect ; krb:beoogdEffect ?e .
             OPTIONAL { ?r sosa:observedProperty/krb:veranderingVan ?changed }
             OPTIONAL { ?e (krb:norm/krb:indicator)|krb:doelIndicator ?acted } }""",
    )
    assert pairs
    for realised, changed, acted in pairs:
        assert changed == acted, realised


def _realised(observed: str, *, intended: bool = True) -> str:
    link = f"krb:beoogdEffect <{ID}beoogd-effect/GEL-E01> ;" if intended else ""
    return f"""
@prefix krb:  <https://data.krb.nl/def/krb#> .
@prefix sosa: <http://www.w3.org/ns/sosa/> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
<{ID}gerealiseerd-effect/proef> a sosa:Observation ;
  {link}
  sosa:observedProperty {observed} ;
  sosa:hasFeatureOfInterest <{ID}werkingsgebied/parkstraat> ;
  sosa:phenomenonTime [ dcat:startDate "2026-01-01"^^xsd:date ;
                        dcat:endDate "2026-12-31"^^xsd:date ] ;
  sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue -1.0 ;
                   qudt:hasUnit <http://qudt.org/vocab/unit/DeciB_A> ] ;
  dct:source <https://www.geluidmeetnet.example/> .
"""


@pytest.mark.parametrize(
    ("observed", "intended", "refusal"),
    [
        # The form before this release: the level indicator itself.
        (f"<{ID}beleidsindicator/GEL-I01>", True, "not the indicator itself"),
        # A change in an indicator the intended effect does not act on.
        (
            f"[ krb:veranderingVan <{ID}beleidsindicator/GRO-I01> ]",
            True,
            "its intended effect acts on another indicator",
        ),
        # A change that realises nothing: no question would ever read it.
        (f"[ krb:veranderingVan <{ID}beleidsindicator/GEL-I01> ]", False, "names no intended"),
        # A change of something that is no indicator.
        (f"[ krb:veranderingVan <{ID}werkingsgebied/parkstraat> ]", True, "exactly one policy"),
    ],
)
def test_the_shapes_refuse_a_realised_effect_that_is_not_the_change_it_realises(
    store: Store, tmp_path: Path, observed: str, intended: bool, refusal: str
) -> None:
    path = tmp_path / "gerealiseerd.ttl"
    path.write_text(_realised(observed, intended=intended), encoding="utf-8")
    graph = f"{BASE}/graph/proef"
    with pytest.raises(ValidationFailed) as failed:
        load_paths(store, [path], graph=graph, base_iri=BASE, replace=True)
    messages = [v.message_en for v in failed.value.result.violations()]
    assert any(refusal in m for m in messages), messages
    assert not _holds(store, graph), "a refused file writes nothing"


@pytest.mark.parametrize(
    "observed",
    [
        f"[ krb:veranderingVan <{ID}beleidsindicator/GEL-I01> ]",
        f"[ a krb:Indicatorverandering ; krb:veranderingVan <{ID}beleidsindicator/GEL-I01> ]",
    ],
)
def test_the_change_in_the_intended_effects_indicator_is_accepted(
    store: Store, tmp_path: Path, observed: str
) -> None:
    path = tmp_path / "gerealiseerd.ttl"
    path.write_text(_realised(observed), encoding="utf-8")
    graph = f"{BASE}/graph/proef-goed"
    load_paths(store, [path], graph=graph, base_iri=BASE, replace=True)
    assert _holds(store, graph)


def test_the_realised_effect_page_names_the_indicator_whose_change_it_observed(
    store: Store,
) -> None:
    """The change is a nested node; its indicator was shown by its code alone
    ("verandering van GEL-I01") where every other page names it."""
    app = create_app(Settings(store="unused", base_iri=BASE), store=store)
    with TestClient(app) as client:
        page = client.get("/id/gerealiseerd-effect/GEL-E01-parkstraat-2020-2025")
    assert page.status_code == 200
    indicator = re.search(
        r'<a [^>]*href="[^"]*beleidsindicator/GEL-I01"[^>]*>([^<]*)</a>', page.text
    )
    assert indicator is not None, page.text
    assert indicator.group(1).strip() == "Geluidsdruk gevel (Lden)"
