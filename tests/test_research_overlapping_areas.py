"""normtoets and normgat for an area: what the whole answer has there, also from a norm
of an area that only overlaps the one asked.

A plan area half in a wijk, with a buurt in both (by geometry, or declared: krb:ligtIn
the wijk and the plan area, the model's own example), holds a noise norm measured in
the buurt. The answer without an area had "voldoet niet" for the buurt; asked for the
wijk, it had nothing, and the wijk looked fine. Checked by property: asked for an area,
the measured rows are exactly the whole answer's measured rows of areas that lie in it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from krbgraph.commands.serve import demo_paths
from krbgraph.loading import load_paths
from krbgraph.queries import load_catalogue, run_named_query
from krbgraph.settings import Settings
from krbgraph.store import Store, ensure_model, open_store

CATALOGUE = load_catalogue()
BASE = "https://krb.demogemeente.nl"
AREA = f"{BASE}/id/werkingsgebied/"
DAY = "2026-06-01"
RD = "<http://www.opengis.net/def/crs/EPSG/0/28992> "


def _square(x0: int, x1: int, y0: int = 520000, y1: int = 521000) -> str:
    return f"{RD}POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


def _area(code: str, kind: str, *, wkt: str | None = None, within: tuple[str, ...] = ()) -> str:
    geometry = f' ; geo:hasGeometry [ a geo:Geometry ; geo:asWKT "{wkt}"^^geo:wktLiteral ]'
    parents = " ; krb:ligtIn " + " , ".join(f"<{AREA}{p}>" for p in within) if within else ""
    return (
        f'<{AREA}{code}> a krb:Werkingsgebied ; rdfs:label "{code}"@nl ; dct:identifier "{code}" ;'
        f" krb:gebiedssoort <https://data.krb.nl/id/begrip/gebiedssoort/{kind}>"
        f"{geometry if wkt else ''}{parents} .\n"
    )


def _norm(code: str, area: str) -> str:
    return (
        f'<{BASE}/id/beleidsnorm/{code}> a krb:Beleidsnorm ; rdfs:label "{code}"@nl ;'
        f' dct:identifier "{code}" ; krb:indicator <{BASE}/id/beleidsindicator/GEL-I01> ;'
        f" krb:document <{BASE}/id/besluitdocument/GEL-2030> ;"
        " krb:operator <https://data.krb.nl/id/begrip/normoperator/maximaal> ;"
        " qudt:numericValue 48.0 ; qudt:hasUnit unit:DeciB_A ;"
        f" krb:werkingsgebied <{AREA}{area}> .\n"
    )


def _measured(area: str, value: str) -> str:
    return (
        f"<{BASE}/id/meting/{area}-2025> a sosa:Observation ; dct:source <https://bron.example> ;"
        f" sosa:hasFeatureOfInterest <{AREA}{area}> ;"
        f" sosa:observedProperty <{BASE}/id/beleidsindicator/GEL-I01> ;"
        f" sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue {value} ;"
        " qudt:hasUnit unit:DeciB_A ] ;"
        ' sosa:phenomenonTime [ a dct:PeriodOfTime ; dcat:startDate "2025-01-01"^^xsd:date ;'
        ' dcat:endDate "2025-12-31"^^xsd:date ] .\n'
    )


PREFIXES = """
@prefix krb: <https://data.krb.nl/def/krb#> . @prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix qudt: <http://qudt.org/schema/qudt/> . @prefix unit: <http://qudt.org/vocab/unit/> .
@prefix sosa: <http://www.w3.org/ns/sosa/> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# By geometry: wijk X, plan area O overlapping half of it, buurt M in both, buurt Q in
# O only; norm N-O. Declared: buurt DM in wijk DX and plan area DO, buurt DQ in DO only;
# norm N-DO. A third norm on X itself, measured in M, for the usual case beside them.
REGISTRY = (
    PREFIXES
    + _area("X", "wijk", wkt=_square(120000, 121000))
    + _area("O", "plangebied", wkt=_square(120500, 121500))
    + _area("M", "buurt", wkt=_square(120600, 120900, 520100, 520900))
    + _area("Q", "buurt", wkt=_square(121100, 121400, 520100, 520900))
    + _area("DX", "wijk")
    + _area("DO", "plangebied")
    + _area("DM", "buurt", within=("DX", "DO"))
    + _area("DQ", "buurt", within=("DO",))
    + _norm("N-O", "O")
    + _norm("N-DO", "DO")
    + _norm("N-X", "X")
    + "".join(_measured(a, v) for a, v in (("M", "50.0"), ("Q", "47.0")))
    + "".join(_measured(a, v) for a, v in (("DM", "50.0"), ("DQ", "47.0")))
)

LIES_IN = {
    "X": {"X"},
    "O": {"O"},
    "M": {"M", "X", "O"},
    "Q": {"Q", "O"},
    "DX": {"DX"},
    "DO": {"DO"},
    "DM": {"DM", "DX", "DO"},
    "DQ": {"DQ", "DO"},
}
"""Each area and the areas it lies in, by the geometry and the krb:ligtIn above."""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("overlap")
    (folder / "overlap.ttl").write_text(REGISTRY, encoding="utf-8")
    with open_store(Settings(store=str(folder / "db"))) as handle:
        ensure_model(handle)
        load_paths(handle, [*demo_paths(), folder / "overlap.ttl"], validate=False)
        yield handle


def _measured_rows(store: Store, query: str, **asked: str) -> set[tuple[str, str, str]]:
    result = run_named_query(store, CATALOGUE, query, {"datum": DAY, **asked})
    return {
        (str(row["code"]), str(row["meetgebied"]).removeprefix(AREA), str(row["meting"]))
        for row in result.dicts()
        if row.get("meting") is not None and str(row.get("code", "")).startswith("N-")
    }


@pytest.mark.parametrize("query", ["normtoets", "normgat"])
def test_asked_for_an_area_the_measured_rows_are_those_of_the_areas_in_it(
    store: Store, query: str
) -> None:
    everything = _measured_rows(store, query)
    # (normgat lists only the norms not met: 47 dB(A) in Q and DQ has no gap)
    assert {(code, area) for code, area, _ in everything} >= {
        ("N-O", "M"),
        ("N-DO", "DM"),
        ("N-X", "M"),
    }
    for asked in LIES_IN:
        expected = {row for row in everything if asked in LIES_IN[row[1]]}
        assert _measured_rows(store, query, gebied=AREA + asked) == expected, asked
