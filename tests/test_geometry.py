"""krbgraph.geometry: containment and overlap of areas from real polygons, lines and
points in RD New and CRS84, with the tolerances the module documents.

The coordinates lie around Amersfoort (RD New 155000 463000), where a wijk is a
kilometre across and a buurt a few hundred metres.
"""

from __future__ import annotations

import random

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from krbgraph.geometry import (
    LINEAR_TOLERANCE_M,
    SHARE_TOLERANCE,
    Contradiction,
    GeometryError,
    contradicted_containment,
    read_areas,
    read_wkt,
    spatial_relations,
)

RD = "<http://www.opengis.net/def/crs/EPSG/0/28992> "
WGS84_LATLON = "<http://www.opengis.net/def/crs/EPSG/0/4326> "
X0, Y0 = 155000.0, 463000.0  # Amersfoort, the origin of RD New's false easting/northing


def polygon(*points: tuple[float, float], crs: str = RD) -> str:
    ring = [*points, points[0]]
    return crs + "POLYGON((" + ", ".join(f"{x + X0} {y + Y0}" for x, y in ring) + "))"


def rectangle(x0: float, y0: float, x1: float, y1: float) -> str:
    """A rectangle in RD New, in metres from Amersfoort."""
    return polygon((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def line(*points: tuple[float, float]) -> str:
    return RD + "LINESTRING(" + ", ".join(f"{x + X0} {y + Y0}" for x, y in points) + ")"


def noisy_rectangle(x0: float, y0: float, x1: float, y1: float, *, seed: int) -> str:
    """A rectangle digitised with 40 vertices per side, each off by up to 3 cm."""
    rng = random.Random(seed)
    points = []
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    for (ax, ay), (bx, by) in zip(corners, corners[1:], strict=False):
        for k in range(40):
            t = k / 40
            points.append(
                (
                    ax + (bx - ax) * t + rng.uniform(-0.03, 0.03),
                    ay + (by - ay) * t + rng.uniform(-0.03, 0.03),
                )
            )
    return polygon(*points)


# A wijk of 1 km², split into two buurten along x = 500 by noisy boundaries, an
# L-shaped buurt, and a plan area across both buurten.
WIJK = rectangle(0, 0, 1000, 1000)
WEST = noisy_rectangle(0, 0, 500, 1000, seed=1)
OOST = noisy_rectangle(500, 0, 1000, 1000, seed=2)
L_VORM = polygon((2000, 0), (2600, 0), (2600, 200), (2200, 200), (2200, 600), (2000, 600))
IN_DE_HOEK = rectangle(2300, 300, 2500, 500)  # in the L's bounding box, not in the L
IN_DE_POOT = rectangle(2050, 50, 2150, 550)
PLAN = rectangle(400, 400, 600, 600)


def test_a_buurt_lies_within_its_wijk_despite_centimetres_of_boundary_noise() -> None:
    result = spatial_relations({"wijk": WIJK, "west": WEST, "oost": OOST})
    assert result.within == {("west", "wijk"), ("oost", "wijk")}
    assert result.overlaps == frozenset()  # neighbours share slivers, not area
    assert result.problems == ()


def test_l_shapes_contain_what_lies_in_them_not_what_lies_in_their_bounding_box() -> None:
    result = spatial_relations({"l": L_VORM, "hoek": IN_DE_HOEK, "poot": IN_DE_POOT})
    assert result.within == {("poot", "l")}
    assert result.overlaps == frozenset()


def test_a_plan_area_across_two_buurten_overlaps_both_and_lies_in_the_wijk() -> None:
    result = spatial_relations({"wijk": WIJK, "west": WEST, "oost": OOST, "plan": PLAN})
    assert ("plan", "wijk") in result.within
    assert not {("plan", "west"), ("plan", "oost")} & result.within
    assert result.overlaps == {("oost", "plan"), ("plan", "west")}


def test_overlap_needs_more_than_the_tolerance_of_the_smaller_area() -> None:
    # 0.5 % of the plan area lies in the second buurt: within the first, no overlap.
    plan = rectangle(300, 0, 499, 100)  # 19,900 m²
    buurt_a = rectangle(0, 0, 499.5, 100)
    buurt_b = rectangle(498, 0, 1000, 100)  # shares 1 m x 100 m = 0.5 % of plan
    result = spatial_relations({"plan": plan, "a": buurt_a, "b": buurt_b})
    assert ("plan", "a") in result.within
    assert ("a", "b") not in result.overlaps and ("b", "plan") not in result.overlaps
    assert ("b", "plan") not in result.within


def test_equal_geometries_lie_within_each_other() -> None:
    result = spatial_relations({"gemeente": WIJK, "enige-wijk": WIJK})
    assert result.within == {("gemeente", "enige-wijk"), ("enige-wijk", "gemeente")}
    assert result.overlaps == frozenset()


def test_streets_and_points_lie_within_the_buurt_they_are_in() -> None:
    areas = {
        "wijk": WIJK,
        "west": WEST,
        "oost": OOST,
        "straat": line((100, 100), (200, 400), (450, 900)),
        "grensstraat": line((500, 0), (500, 1000)),  # on the shared boundary
        "dwarsstraat": line((100, 500), (900, 500)),  # crosses both
        "adres": RD + f"POINT({X0 + 250} {Y0 + 250})",
        "net-buiten": RD + f"POINT({X0 + 250} {Y0 - LINEAR_TOLERANCE_M * 3})",
    }
    result = spatial_relations(areas)
    assert {("straat", "west"), ("straat", "wijk")} <= result.within
    assert ("straat", "oost") not in result.within
    assert {("grensstraat", "west"), ("grensstraat", "oost")} <= result.within
    assert ("dwarsstraat", "wijk") in result.within
    assert not {("dwarsstraat", "west"), ("dwarsstraat", "oost")} & result.within
    assert {("adres", "west"), ("adres", "wijk")} <= result.within
    assert not any(inner == "net-buiten" for inner, _ in result.within)
    # Lines and points never contain polygons, and overlap only polygons.
    assert not any(outer in {"straat", "adres"} for _, outer in result.within)
    assert result.overlaps == frozenset()


def test_a_point_at_the_boundary_lies_within_up_to_the_linear_tolerance() -> None:
    inside = RD + f"POINT({X0 + 250} {Y0 - LINEAR_TOLERANCE_M * 0.8})"
    result = spatial_relations({"wijk": WIJK, "adres": inside})
    assert result.within == {("adres", "wijk")}


def test_crs84_and_rd_new_of_the_same_place_agree() -> None:
    to_lonlat = Transformer.from_crs("EPSG:28992", "OGC:CRS84", always_xy=True)
    corners = [(0, 0), (1000, 0), (1000, 1000), (0, 1000), (0, 0)]
    lonlat = [to_lonlat.transform(X0 + x, Y0 + y) for x, y in corners]
    wijk_crs84 = "POLYGON((" + ", ".join(f"{lon:.8f} {lat:.8f}" for lon, lat in lonlat) + "))"
    latlon = ", ".join(f"{lat:.8f} {lon:.8f}" for lon, lat in lonlat)
    wijk_latlon = WGS84_LATLON + f"POLYGON(({latlon}))"
    crs84_iri = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> "
    result = spatial_relations(
        {
            "wijk-rd": WIJK,
            "wijk-crs84": wijk_crs84,
            "wijk-4326": wijk_latlon,
            "west-rd": WEST,
            "adres-crs84": crs84_iri + "POINT(5.3886 52.1580)",  # 100 m E, 300 m N of X0, Y0
        }
    )
    assert result.problems == ()
    wijken = {"wijk-rd", "wijk-crs84", "wijk-4326"}
    assert {(a, b) for a in wijken for b in wijken if a != b} <= result.within
    assert {("west-rd", w) for w in wijken} <= result.within
    assert {("adres-crs84", w) for w in wijken} | {("adres-crs84", "west-rd")} <= result.within


def test_read_wkt_projects_to_rd_new_in_the_axis_order_of_the_crs() -> None:
    amersfoort = (X0, Y0)
    for literal in (
        "POINT(5.38720621 52.15517440)",  # CRS84 by default: lon lat
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(5.38720621 52.15517440)",
        WGS84_LATLON + "POINT(52.15517440 5.38720621)",  # EPSG:4326: lat lon
    ):
        point = read_wkt(literal)
        # PROJ without the RDNAPTRANS grid: a Helmert transformation, about 1 m.
        assert shapely.distance(point, shapely.Point(amersfoort)) < 1.0, literal
    assert read_wkt(RD + "POINT(155000 463000)") == shapely.Point(amersfoort)
    z = read_wkt(RD + "POINT Z(155000 463000 4)")
    assert not shapely.has_z(z)


@pytest.mark.parametrize(
    ("literal", "reason"),
    [
        (RD + "POLYGON((0 0, 10 0, 10 10))", "cannot be read"),
        ("<http://example.org/crs/rd> POINT(1 2)", "not known"),
        ("<http://www.opengis.net/def/crs/EPSG/0/999999> POINT(1 2)", "not known"),
        ("<http://www.opengis.net/def/crs/EPSG/0/5709> POINT(1 2)", "not a horizontal CRS"),
        ("<http://www.opengis.net/def/crs/EPSG/0/28992 POINT(1 2)", "not closed"),
        (RD + "POLYGON EMPTY", "empty"),
        ("", "empty"),
        (RD + "POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))", "invalid geometry"),
        (RD + "POLYGON((156000 464000, inf 464000, 156100 464100, 156000 464000))", "finite"),
        (RD + "POLYGON((0 0, 1e309 0, 10 10, 0 0))", "finite"),
        ("POINT(nan nan)", "finite"),
        ("POINT(-inf 52)", "finite"),
        # Finite, so GEOS takes it, but no place on Earth (its map page answered 500).
        (
            RD + "POLYGON((-1e308 -1e308, 1e308 -1e308, 1e308 1e308, -1e308 1e308, -1e308 -1e308))",
            "circumference",
        ),
        (RD + "POINT(155000 463000000)", "circumference"),
        # Arcs, as BGT and PostGIS exports hold them: GEOS reads them, shapely cannot.
        (RD + "CURVEPOLYGON(CIRCULARSTRING(0 0, 10 10, 0 0))", "curved geometries"),
        (RD + "COMPOUNDCURVE((0 0, 1 1), CIRCULARSTRING(1 1, 2 2, 3 1))", "curved"),
        ("MULTISURFACE(((0 0, 1 0, 1 1, 0 0)))", "ST_CurveToLine"),
    ],
)
def test_read_wkt_names_what_is_wrong(literal: str, reason: str) -> None:
    with pytest.raises(GeometryError, match=reason) as caught:
        read_wkt(literal)
    assert caught.value.message_nl and caught.value.message_nl != caught.value.message_en


def test_bad_geometries_are_problems_naming_the_area_not_a_crash() -> None:
    areas = {
        "wijk": WIJK,
        "west": WEST,
        "kapot": RD + "POLYGON((0 0, 10 0, 10 10",
        "onbekend": "<http://example.org/crs/rd> POINT(1 2)",
        "vlinder": polygon((10, 10), (30, 30), (30, 10), (10, 30)),  # self-intersecting
        "oneindig": RD + "POLYGON((0 0, inf 0, 10 10, 0 0))",  # GEOS raised on make_valid
        "boog": RD + "CURVEPOLYGON(CIRCULARSTRING(0 0, 10 10, 0 0))",  # shapely raised
    }
    result = spatial_relations(areas)
    assert {p.area for p in result.problems} == {
        "kapot", "onbekend", "vlinder", "oneindig", "boog",
    }  # fmt: skip
    by_area = {p.area: p for p in result.problems}
    assert "cannot be read" in by_area["kapot"].message_en and not by_area["kapot"].usable
    assert "niet te lezen" in by_area["kapot"].message_nl
    assert "http://example.org/crs/rd" in by_area["onbekend"].message_en
    assert by_area["vlinder"].usable and "Self-intersection" in by_area["vlinder"].message_en
    # The rest is still derived, the repaired bow tie included.
    assert {("west", "wijk"), ("vlinder", "wijk"), ("vlinder", "west")} == result.within


def test_read_areas_keeps_the_usable_geometries() -> None:
    geometries, problems = read_areas({"wijk": WIJK, "kapot": "POINT(1"})
    assert set(geometries) == {"wijk"} and shapely.area(geometries["wijk"]) == pytest.approx(1e6)
    assert [p.area for p in problems] == ["kapot"]


def test_a_contradicted_ligt_in_gives_the_share_outside_the_parent() -> None:
    # 370 m of the 1000 m wide buurt lie east of the wijk: 37 %.
    buurt = rectangle(370, 0, 1370, 100)
    areas = {"wijk": WIJK, "buurt": buurt, "west": WEST, "zonder-geometrie": "", "plan": PLAN}
    declared = [
        ("buurt", "wijk"),
        ("west", "wijk"),  # boundary noise only
        ("plan", "nergens"),  # parent without geometry
        ("zonder-geometrie", "wijk"),  # unusable geometry: skipped, not a crash
    ]
    found = contradicted_containment(declared, areas)
    assert found == [Contradiction("buurt", "wijk", pytest.approx(0.37))]


def test_an_area_may_lie_across_the_parents_it_declares() -> None:
    areas = {"west": WEST, "oost": OOST, "plan": PLAN, "ver-weg": rectangle(5000, 0, 5100, 100)}
    assert contradicted_containment([("plan", "west"), ("plan", "oost")], areas) == []
    # A parent without geometry: the others need not cover the child together.
    assert contradicted_containment([("plan", "west"), ("plan", "elders")], areas) == []


def test_a_declared_parent_the_area_does_not_touch_is_contradicted() -> None:
    areas = {"west": WEST, "oost": OOST, "plan": PLAN, "ver-weg": rectangle(5000, 0, 5100, 100)}
    found = contradicted_containment(
        [("plan", "west"), ("plan", "oost"), ("plan", "ver-weg")], areas
    )
    assert found == [Contradiction("plan", "ver-weg", 1.0)]


def test_an_area_sticking_out_of_all_its_declared_parents_is_one_contradiction() -> None:
    plan = rectangle(400, 900, 600, 1100)  # half of it north of both buurten
    found = contradicted_containment(
        [("plan", "west"), ("plan", "oost")], {"west": WEST, "oost": OOST, "plan": plan}
    )
    assert found == [Contradiction("plan", "oost", pytest.approx(0.5, abs=0.001), ("west",))]


def test_a_street_or_address_outside_its_declared_buurt_is_contradicted() -> None:
    areas = {
        "west": WEST,
        "oost": OOST,
        "straat": line((100, 100), (700, 100)),  # two thirds in oost
        "adres": RD + f"POINT({X0 + 250} {Y0 + 250})",
    }
    found = contradicted_containment(
        [("straat", "west"), ("adres", "oost"), ("adres", "west"), ("west", "straat")], areas
    )
    assert [(c.child, c.parent) for c in found] == [
        ("adres", "oost"),
        ("straat", "west"),
        ("west", "straat"),  # a polygon never lies in a line
    ]
    shares = {(c.child, c.parent): c.outside_share for c in found}
    assert shares[("straat", "west")] == pytest.approx(200 / 600, abs=0.002)
    assert shares[("adres", "oost")] == 1.0 and shares[("west", "straat")] == 1.0


def test_a_grid_of_buurten_in_wijken_in_a_gemeente() -> None:
    """900 noisy buurten of 100 m in 9 wijken: each buurt in its wijk and the gemeente."""
    areas = {"gemeente": rectangle(0, 0, 3000, 3000)}
    for i in range(3):
        for j in range(3):
            areas[f"wijk-{i}-{j}"] = rectangle(i * 1000, j * 1000, (i + 1) * 1000, (j + 1) * 1000)
    for i in range(30):
        for j in range(30):
            areas[f"buurt-{i}-{j}"] = noisy_rectangle(
                i * 100, j * 100, (i + 1) * 100, (j + 1) * 100, seed=i * 30 + j
            )
    result = spatial_relations(areas)
    expected = {(f"wijk-{i}-{j}", "gemeente") for i in range(3) for j in range(3)}
    for i in range(30):
        for j in range(30):
            expected |= {(f"buurt-{i}-{j}", f"wijk-{i // 10}-{j // 10}")}
            expected |= {(f"buurt-{i}-{j}", "gemeente")}
    assert result.within == expected
    assert result.overlaps == frozenset()


# --- Properties ----------------------------------------------------------------------

coordinate = st.floats(min_value=-5000, max_value=5000, allow_nan=False).map(lambda v: round(v, 2))
size = st.floats(min_value=1, max_value=2000, allow_nan=False).map(lambda v: round(v, 2))
start = st.floats(min_value=0, max_value=0.99)  # of an inner rectangle, as a fraction


@st.composite
def rectangles(draw: st.DrawFn) -> tuple[float, float, float, float]:
    x, y, w, h = draw(coordinate), draw(coordinate), draw(size), draw(size)
    return (x, y, x + w, y + h)


@st.composite
def nested(draw: st.DrawFn) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """An outer rectangle and an inner one anywhere inside it (touching allowed)."""
    x0, y0, x1, y1 = draw(rectangles())
    left, bottom = draw(start), draw(start)
    right = draw(st.floats(min_value=left + 0.01, max_value=1))
    top = draw(st.floats(min_value=bottom + 0.01, max_value=1))
    inner = (
        x0 + (x1 - x0) * left,
        y0 + (y1 - y0) * bottom,
        x0 + (x1 - x0) * right,
        y0 + (y1 - y0) * top,
    )
    return (x0, y0, x1, y1), inner


FAST = settings(max_examples=60, deadline=None)


@FAST
@given(nested())
def test_a_rectangle_lies_within_a_rectangle_that_contains_it(
    pair: tuple[tuple[float, ...], tuple[float, ...]],
) -> None:
    outer, inner = pair
    result = spatial_relations({"outer": rectangle(*outer), "inner": rectangle(*inner)})
    assert ("inner", "outer") in result.within
    assert result.overlaps == frozenset()
    inner_area = (inner[2] - inner[0]) * (inner[3] - inner[1])
    outer_area = (outer[2] - outer[0]) * (outer[3] - outer[1])
    if inner_area < outer_area * (1 - SHARE_TOLERANCE) - 1e-6:
        assert ("outer", "inner") not in result.within


@FAST
@given(rectangles(), rectangles(), st.floats(min_value=0, max_value=500), st.booleans())
def test_a_rectangle_never_lies_within_a_disjoint_one(
    first: tuple[float, float, float, float],
    second: tuple[float, float, float, float],
    gap: float,
    beside: bool,
) -> None:
    # Move the second to the right of (or above) the first, ``gap`` metres apart.
    x0, y0, x1, y1 = second
    if beside:
        shift = first[2] + gap - x0
        moved = (x0 + shift, y0, x1 + shift, y1)
    else:
        shift = first[3] + gap - y0
        moved = (x0, y0 + shift, x1, y1 + shift)
    result = spatial_relations({"a": rectangle(*first), "b": rectangle(*moved)})
    assert result.within == frozenset()
    assert result.overlaps == frozenset()


@FAST
@given(st.lists(rectangles(), min_size=2, max_size=6), st.randoms(use_true_random=False))
def test_relations_do_not_depend_on_the_order_of_the_areas(
    boxes: list[tuple[float, float, float, float]], rng: random.Random
) -> None:
    areas = {f"gebied-{k}": rectangle(*box) for k, box in enumerate(boxes)}
    areas["straat"] = line((boxes[0][0], boxes[0][1]), (boxes[0][2], boxes[0][3]))
    items = list(areas.items())
    rng.shuffle(items)
    assert spatial_relations(dict(items)) == spatial_relations(areas)


def test_a_literal_read_again_gives_the_same_answer_in_objects_of_its_own() -> None:
    """Literals read before come from a cache: the second reading of usable, repaired,
    unreadable and empty geometries (and of CRS84) answers as the first, in new
    geometry objects (callers prepare them in place)."""
    bowtie = polygon((0, 0), (100, 100), (100, 0), (0, 100))
    areas = {
        "rd": WEST,
        "crs84": "POLYGON((5.38 52.15, 5.39 52.15, 5.39 52.16, 5.38 52.16, 5.38 52.15))",
        "strik": bowtie,
        "kapot": RD + "POLYGON((0 0, 1 1",
        "leeg": RD + "POLYGON EMPTY",
    }
    first, first_problems = read_areas(areas)
    second, second_problems = read_areas(dict(reversed(list(areas.items()))))
    assert first.keys() == second.keys() == {"rd", "crs84", "strik"}
    for area in first:
        assert shapely.equals_exact(first[area], second[area], tolerance=0)
        assert first[area] is not second[area]
    assert first_problems == second_problems
    assert {p.area for p in first_problems} == {"strik", "kapot", "leeg"}
    # Another area with a literal already read gets its own problem.
    _, problems = read_areas({"andere-strik": bowtie})
    assert [(p.area, p.usable) for p in problems] == [("andere-strik", True)]
