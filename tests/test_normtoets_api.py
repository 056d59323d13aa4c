"""GET /api/normtoets and /api/effectevaluatie over HTTP, on the demo registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from demo_backends import fill_with_demo
from fastapi.testclient import TestClient

from krbgraph.settings import Settings
from krbgraph.store import open_store
from krbgraph.web import onderzoek_api
from krbgraph.web.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("api")
    settings = Settings(store=str(folder / "db"))
    with open_store(settings) as store:
        fill_with_demo(store)
        app = create_app(settings, store)
        if not any(getattr(r, "path", "") == "/api/normtoets" for r in app.routes):
            app.include_router(onderzoek_api.router)
        with TestClient(app) as test_client:
            yield test_client


def test_normtoets_for_an_area_by_its_name(client: TestClient) -> None:
    response = client.get("/api/normtoets", params={"gebied": "Parkzicht", "datum": "2026-11-28"})
    assert response.status_code == 200, response.text
    rows = {(r["code"], r["gebied"]["label"]): r for r in response.json()}
    parkzicht = rows[("GRO-N01", "Parkzicht")]
    assert parkzicht["oordeel"] == "voldoet niet"
    assert parkzicht["waarde"] == pytest.approx(0.45)
    assert parkzicht["marge"] == pytest.approx(-0.05)
    assert parkzicht["eenheid"]["label"] == "km"
    # The area asked and the street inside it; nothing around it.
    assert {label for _, label in rows} == {"Parkzicht", "Parklaan van Spui tot Vliet"}


def test_effectevaluatie_filtered_by_theme(client: TestClient) -> None:
    response = client.get("/api/effectevaluatie", params={"thema": "Geluid", "datum": "2026-11-28"})
    assert response.status_code == 200, response.text
    rows = response.json()
    assert {r["maatregel"]["label"] for r in rows} == {"Stil asfalt"}
    parkstraat = next(
        r for r in rows if r["gebied"]["label"] == "Parkstraat" and r["voor"] is not None
    )
    assert parkstraat["verandering"] == pytest.approx(-2.4)
    assert parkstraat["aandeel"] == pytest.approx(0.8)


def test_an_unknown_area_is_a_400_naming_it(client: TestClient) -> None:
    response = client.get("/api/normtoets", params={"gebied": "Atlantis"})
    assert response.status_code == 400
    assert "Atlantis" in response.json()["detail"]


def test_a_label_norm_answers_with_labels_and_label_steps(client: TestClient) -> None:
    response = client.get("/api/normtoets", params={"gebied": "Parkbuurt", "datum": "2027-03-01"})
    assert response.status_code == 200, response.text
    ene = [r for r in response.json() if r["code"] == "ENE-N01"]
    assert len(ene) == 1
    row = ene[0]
    assert (row["normlabel"]["label"], row["meetlabel"]["label"]) == ("B", "C")
    assert row["eenheid"] is None
    assert (row["oordeel"], row["marge"]) == ("voldoet niet", -1)


def test_effectevaluatie_shows_the_recorded_realised_effect(client: TestClient) -> None:
    response = client.get("/api/effectevaluatie", params={"thema": "Geluid", "datum": "2026-11-28"})
    parkstraat = next(
        r for r in response.json() if r["gebied"]["label"] == "Parkstraat" and r["voor"]
    )
    assert parkstraat["gerealiseerd"] == pytest.approx(-2.0)
    assert parkstraat["gerealiseerd_aandeel"] == pytest.approx(2 / 3)
    assert parkstraat["gerealiseerd_bron"].endswith("/databron/geluidmeetnet")
